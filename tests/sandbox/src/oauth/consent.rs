//! What each user has already granted each app ("apps with access to your account"):
//! Google adds to it with `include_granted_scopes`, silent (`prompt=none`) requests need it,
//! and Google hands out a refresh token without `prompt=consent` only the first time.

use crate::state::Provider;

#[derive(Debug, Clone)]
pub struct Consent {
    pub provider: Provider,
    pub client_id: String,
    pub address: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Consents {
    list: Vec<Consent>,
}

impl Consents {
    pub fn find(&self, provider: Provider, client_id: &str, address: &str) -> Option<&Consent> {
        self.list
            .iter()
            .find(|c| c.provider == provider && c.client_id == client_id && c.address == address)
    }

    /// Adds scopes to the user's grant for the app.
    pub fn record(
        &mut self,
        provider: Provider,
        client_id: &str,
        address: &str,
        scopes: &[String],
    ) {
        let index = match self.list.iter().position(|c| {
            c.provider == provider && c.client_id == client_id && c.address == address
        }) {
            Some(i) => i,
            None => {
                self.list.push(Consent {
                    provider,
                    client_id: client_id.to_owned(),
                    address: address.to_owned(),
                    scopes: Vec::new(),
                });
                self.list.len() - 1
            }
        };
        let consent = &mut self.list[index];
        for s in scopes {
            if !consent.scopes.contains(s) {
                consent.scopes.push(s.clone());
            }
        }
    }

    /// Whether the user already granted the app all of `scopes`.
    pub fn covers(
        &self,
        provider: Provider,
        client_id: &str,
        address: &str,
        scopes: &[String],
    ) -> bool {
        self.find(provider, client_id, address)
            .is_some_and(|c| scopes.iter().all(|s| c.scopes.contains(s)))
    }

    /// The app's access ends (Google's revocation endpoint removes the grant).
    pub fn remove_client(&mut self, provider: Provider, client_id: &str, address: &str) {
        self.list.retain(|c| {
            !(c.provider == provider && c.client_id == client_id && c.address == address)
        });
    }

    /// The user removed every app's access (`POST /oauth/revoke-consent`).
    pub fn remove(&mut self, provider: Provider, address: &str) {
        self.list
            .retain(|c| !(c.provider == provider && c.address == address));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_unions_and_removes() {
        let mut c = Consents::default();
        let g = Provider::Google;
        c.record(g, "app", "a@x.com", &["openid".into()]);
        c.record(g, "app", "a@x.com", &["openid".into(), "email".into()]);
        assert_eq!(
            c.find(g, "app", "a@x.com").unwrap().scopes,
            ["openid", "email"]
        );
        assert!(c.covers(g, "app", "a@x.com", &["email".into()]));
        assert!(!c.covers(g, "app", "a@x.com", &["profile".into()]));
        assert!(!c.covers(g, "other", "a@x.com", &["email".into()]));
        c.remove(g, "a@x.com");
        assert!(c.find(g, "app", "a@x.com").is_none());
    }
}
