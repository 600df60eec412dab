//! Authorization codes: single use, bound to what the authorization request said, and
//! expiring by the sandbox clock.

use serde_json::Value;

use super::CODE_LIFETIME;
use super::authz::{AuthzRequest, param};
use super::log::Entry;
use crate::state::Provider;

#[derive(Debug, Clone)]
pub struct Code {
    pub code: String,
    pub provider: Provider,
    pub client_id: String,
    pub redirect_uri: String,
    /// S256 challenge; `None` only for Microsoft public (mobile) clients that sent none.
    pub challenge: Option<String>,
    pub nonce: Option<String>,
    /// Lower-cased address of the account that signed in.
    pub address: String,
    /// Granted scopes, in each provider's canonical spelling.
    pub scopes: Vec<String>,
    /// Whether redeeming it yields a refresh token.
    pub offline: bool,
    /// When the user signed in (a Microsoft SPA's refresh tokens die 24 h after it).
    pub auth_time: u64,
    pub expires_at: u64,
    pub used: bool,
}

impl Code {
    /// A fresh, unused code answering `request` (its provider, client, redirect URI,
    /// challenge and nonce) for `address`, valid for `CODE_LIFETIME`.
    pub fn for_request(
        code: String,
        request: &AuthzRequest,
        address: &str,
        scopes: Vec<String>,
        offline: bool,
        now: u64,
    ) -> Code {
        Code {
            code,
            provider: request.provider,
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.challenge.clone(),
            nonce: request.nonce.clone(),
            address: address.to_owned(),
            scopes,
            offline,
            auth_time: now,
            expires_at: now + CODE_LIFETIME,
            used: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemError {
    Unknown,
    Used,
    Expired,
    /// Issued to another client.
    WrongClient,
    /// `redirect_uri` differs from the authorization request's.
    WrongRedirect,
    VerifierMissing,
    VerifierMismatch,
}

#[derive(Debug, Default)]
pub struct Codes {
    codes: Vec<Code>,
}

/// What the token request presented along with the code.
pub struct Presented<'a> {
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub verifier: Option<&'a str>,
}

impl Codes {
    pub fn issue(&mut self, code: Code) {
        self.codes.push(code);
    }

    /// Checks every binding; on success the code is spent and returned. A failed attempt
    /// leaves an unused code redeemable (the right client may still present it).
    pub fn redeem(
        &mut self,
        code: &str,
        presented: &Presented<'_>,
        now: u64,
    ) -> Result<Code, RedeemError> {
        let found = self
            .codes
            .iter_mut()
            .find(|c| c.code == code)
            .ok_or(RedeemError::Unknown)?;
        if found.used {
            return Err(RedeemError::Used);
        }
        if now >= found.expires_at {
            return Err(RedeemError::Expired);
        }
        if found.client_id != presented.client_id {
            return Err(RedeemError::WrongClient);
        }
        if presented.redirect_uri != Some(found.redirect_uri.as_str()) {
            return Err(RedeemError::WrongRedirect);
        }
        if let Some(challenge) = &found.challenge {
            let verifier = presented.verifier.ok_or(RedeemError::VerifierMissing)?;
            if !super::pkce::verify_s256(challenge, verifier) {
                return Err(RedeemError::VerifierMismatch);
            }
        }
        found.used = true;
        Ok(found.clone())
    }

    /// `redeem` for a token request: `client_id` and the request's `redirect_uri` and
    /// `code_verifier`, noting `codeVerifierLength` and any `codeError` in the log entry.
    pub fn redeem_request(
        &mut self,
        code: &str,
        client_id: &str,
        params: &[(String, String)],
        now: u64,
        entry: &mut Entry,
    ) -> Result<Code, RedeemError> {
        let verifier = param(params, "code_verifier");
        entry.set(
            "codeVerifierLength",
            verifier.map_or(Value::Null, |v| v.len().into()),
        );
        let presented = Presented {
            client_id,
            redirect_uri: param(params, "redirect_uri"),
            verifier,
        };
        self.redeem(code, &presented, now).inspect_err(|e| {
            entry.set("codeError", format!("{e:?}"));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::pkce::challenge_s256;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn codes() -> Codes {
        let mut c = Codes::default();
        c.issue(Code {
            code: "c1".into(),
            provider: Provider::Google,
            client_id: "app".into(),
            redirect_uri: "https://r/".into(),
            challenge: Some(challenge_s256(VERIFIER)),
            nonce: None,
            address: "ann@example.com".into(),
            scopes: vec!["openid".into()],
            offline: true,
            auth_time: 100,
            expires_at: 700,
            used: false,
        });
        c
    }

    fn presented<'a>(
        client: &'a str,
        redirect: &'a str,
        verifier: Option<&'a str>,
    ) -> Presented<'a> {
        Presented {
            client_id: client,
            redirect_uri: Some(redirect),
            verifier,
        }
    }

    #[test]
    fn single_use() {
        let mut c = codes();
        let ok = presented("app", "https://r/", Some(VERIFIER));
        assert_eq!(c.redeem("c1", &ok, 200).unwrap().address, "ann@example.com");
        assert_eq!(c.redeem("c1", &ok, 200).unwrap_err(), RedeemError::Used);
        assert_eq!(c.redeem("c2", &ok, 200).unwrap_err(), RedeemError::Unknown);
    }

    #[test]
    fn bound_to_client_redirect_and_verifier() {
        let mut c = codes();
        let cases = [
            (
                presented("other", "https://r/", Some(VERIFIER)),
                RedeemError::WrongClient,
            ),
            (
                presented("app", "https://r", Some(VERIFIER)),
                RedeemError::WrongRedirect,
            ),
            (
                presented("app", "https://r/", None),
                RedeemError::VerifierMissing,
            ),
            (
                presented("app", "https://r/", Some(&VERIFIER[1..])),
                RedeemError::VerifierMismatch,
            ),
        ];
        for (p, want) in &cases {
            assert_eq!(c.redeem("c1", p, 200).unwrap_err(), *want);
        }
        let no_redirect = Presented {
            client_id: "app",
            redirect_uri: None,
            verifier: Some(VERIFIER),
        };
        assert_eq!(
            c.redeem("c1", &no_redirect, 200).unwrap_err(),
            RedeemError::WrongRedirect
        );
        // None of the failures spent it.
        assert!(
            c.redeem("c1", &presented("app", "https://r/", Some(VERIFIER)), 200)
                .is_ok()
        );
    }

    #[test]
    fn expires_by_the_clock() {
        let mut c = codes();
        let ok = presented("app", "https://r/", Some(VERIFIER));
        assert_eq!(c.redeem("c1", &ok, 700).unwrap_err(), RedeemError::Expired);
    }
}
