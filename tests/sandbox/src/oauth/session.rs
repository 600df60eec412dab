//! Sign-in sessions: the provider's cookie in the browser. An interactive sign-in starts
//! one; Microsoft's logout and `POST /reset` end them; `prompt=none` needs one.

use serde::Serialize;

use crate::state::Provider;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub provider: Provider,
    pub address: String,
    /// Microsoft's `session_state` / `sid`.
    pub id: String,
    pub started_at: u64,
}

#[derive(Debug, Default)]
pub struct Sessions {
    list: Vec<Session>,
}

impl Sessions {
    /// Starts (or restarts) the session of an account and returns its id.
    pub fn start(&mut self, provider: Provider, address: &str, now: u64) -> String {
        self.list
            .retain(|s| !(s.provider == provider && s.address == address));
        let id = crate::ids::guid();
        self.list.push(Session {
            provider,
            address: address.to_owned(),
            id: id.clone(),
            started_at: now,
        });
        id
    }

    pub fn find(&self, provider: Provider, address: &str) -> Option<&Session> {
        self.list
            .iter()
            .find(|s| s.provider == provider && s.address == address)
    }

    /// The most recent session of a provider (a silent request without a hint uses it).
    pub fn latest(&self, provider: Provider) -> Option<&Session> {
        self.list.iter().rev().find(|s| s.provider == provider)
    }

    /// Ends one account's session, or all of the provider's; returns how many ended.
    pub fn end(&mut self, provider: Provider, address: Option<&str>) -> usize {
        let before = self.list.len();
        self.list.retain(|s| {
            !(s.provider == provider && address.is_none_or(|a| s.address.eq_ignore_ascii_case(a)))
        });
        before - self.list.len()
    }

    pub fn clear(&mut self) {
        self.list.clear();
    }

    pub fn list(&self) -> &[Session] {
        &self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_find_end() {
        let mut s = Sessions::default();
        let m = Provider::Microsoft;
        let first = s.start(m, "a@x.com", 1);
        let again = s.start(m, "a@x.com", 2);
        assert_ne!(first, again);
        s.start(m, "b@x.com", 3);
        s.start(Provider::Google, "a@x.com", 4);
        assert_eq!(s.latest(m).unwrap().address, "b@x.com");
        assert_eq!(s.end(m, Some("A@x.com")), 1);
        assert!(s.find(m, "a@x.com").is_none());
        assert_eq!(s.end(m, None), 1);
        assert!(s.find(Provider::Google, "a@x.com").is_some());
    }
}
