//! What the sign-in fakes share: app registrations, authorization codes, tokens, sessions,
//! consents, queued scenarios, pending consent pages, the OAuth log and the sandbox clock.
//!
//! It lives inside `State`, behind the one lock, so `tokens::authorize` (the API fakes'
//! door) sees exactly the tokens the token endpoints minted. The host modules
//! (`hosts::google_*`, `hosts::microsoft_*`) speak the providers' protocols on top of it.

pub mod authz;
pub mod clients;
pub mod codes;
pub mod consent;
pub mod identity;
pub mod jwt;
pub mod log;
pub mod pending;
pub mod pkce;
pub mod scenario;
pub mod scopes;
pub mod script;
pub mod session;
pub mod tokens;

use std::time::{SystemTime, UNIX_EPOCH};

/// How long an authorization code (and a consent page) stays redeemable.
pub const CODE_LIFETIME: u64 = 600;

#[derive(Debug, Default)]
pub struct OAuth {
    /// Seconds added to the real clock by `POST /clock`; never negative.
    pub clock_offset: u64,
    pub clients: clients::Clients,
    pub codes: codes::Codes,
    pub tokens: tokens::TokenStore,
    pub sessions: session::Sessions,
    pub consents: consent::Consents,
    pub scenarios: scenario::Queue,
    pub pending: pending::Pending,
    pub log: log::OAuthLog,
}

impl OAuth {
    /// The sandbox's clock in Unix seconds: real time plus the offset tests added.
    pub fn now(&self) -> u64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        real + self.clock_offset
    }

    /// `POST /clock {"advanceSeconds":N}`: every expiry (codes, access and refresh tokens,
    /// consent pages) is judged by this clock.
    pub fn advance(&mut self, seconds: u64) {
        self.clock_offset += seconds;
    }

    /// Back to the defaults: registrations, no codes, tokens, sessions, consents,
    /// scenarios, log entries, clock offset 0. Log sequence numbers keep counting.
    pub fn reset(&mut self) {
        let mut log = std::mem::take(&mut self.log);
        log.clear();
        *self = OAuth {
            log,
            ..OAuth::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_moves_forward_and_reset_clears_it() {
        let mut o = OAuth::default();
        let before = o.now();
        o.advance(86_400);
        assert!(o.now() >= before + 86_400);
        o.reset();
        assert!(o.now() < before + 86_400);
        assert_eq!(o.clock_offset, 0);
    }
}
