//! Minted tokens. A *grant* is one sign-in's consent (a refresh-token family); access and
//! refresh tokens point at it. Revoking at Google kills the whole grant; a user removing
//! the app kills its refresh tokens (and at Google its access tokens too).

use crate::state::Provider;

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: u64,
    pub provider: Provider,
    pub client_id: String,
    pub address: String,
    pub scopes: Vec<String>,
    /// When the user signed in; SPA refresh tokens expire 24 h after it.
    pub auth_time: u64,
    pub refresh_revoked: Option<Revocation>,
    pub access_revoked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The app called the revocation endpoint.
    ByClient,
    /// The user removed the app from their account (`POST /oauth/revoke-consent`).
    ConsentRemoved,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub grant: u64,
    pub scopes: Vec<String>,
    pub expires_at: u64,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub token: String,
    pub grant: u64,
    pub issued_at: u64,
    /// `None`: no fixed lifetime (Google's default).
    pub expires_at: Option<u64>,
}

#[derive(Debug)]
pub enum AccessCheck<'a> {
    Valid(&'a Grant, &'a AccessToken),
    Expired(&'a Grant),
    Revoked(&'a Grant),
    Unknown,
}

#[derive(Debug)]
pub enum RefreshCheck<'a> {
    Valid(&'a Grant, &'a RefreshToken),
    Expired(&'a Grant, &'a RefreshToken),
    Revoked(&'a Grant, Revocation),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Default)]
pub struct TokenStore {
    grants: Vec<Grant>,
    access: Vec<AccessToken>,
    refresh: Vec<RefreshToken>,
}

impl TokenStore {
    pub fn new_grant(
        &mut self,
        provider: Provider,
        client_id: &str,
        address: &str,
        scopes: &[String],
        auth_time: u64,
    ) -> u64 {
        let id = self.grants.len() as u64 + 1;
        self.grants.push(Grant {
            id,
            provider,
            client_id: client_id.to_owned(),
            address: address.to_owned(),
            scopes: scopes.to_vec(),
            auth_time,
            refresh_revoked: None,
            access_revoked: false,
        });
        id
    }

    pub fn grant(&self, id: u64) -> Option<&Grant> {
        self.grants.iter().find(|g| g.id == id)
    }

    pub fn add_access(&mut self, grant: u64, token: String, scopes: &[String], expires_at: u64) {
        self.access.push(AccessToken {
            token,
            grant,
            scopes: scopes.to_vec(),
            expires_at,
        });
    }

    pub fn add_refresh(
        &mut self,
        grant: u64,
        token: String,
        issued_at: u64,
        expires_at: Option<u64>,
    ) {
        self.refresh.push(RefreshToken {
            token,
            grant,
            issued_at,
            expires_at,
        });
    }

    pub fn check_access(&self, token: &str, now: u64) -> AccessCheck<'_> {
        let Some(at) = self.access.iter().find(|t| t.token == token) else {
            return AccessCheck::Unknown;
        };
        let Some(grant) = self.grant(at.grant) else {
            return AccessCheck::Unknown;
        };
        if grant.access_revoked {
            AccessCheck::Revoked(grant)
        } else if now >= at.expires_at {
            AccessCheck::Expired(grant)
        } else {
            AccessCheck::Valid(grant, at)
        }
    }

    pub fn check_refresh(&self, token: &str, now: u64) -> RefreshCheck<'_> {
        let Some(rt) = self.refresh.iter().find(|t| t.token == token) else {
            return RefreshCheck::Unknown;
        };
        let Some(grant) = self.grant(rt.grant) else {
            return RefreshCheck::Unknown;
        };
        match (grant.refresh_revoked, rt.expires_at) {
            (Some(how), _) => RefreshCheck::Revoked(grant, how),
            (None, Some(expiry)) if now >= expiry => RefreshCheck::Expired(grant, rt),
            _ => RefreshCheck::Valid(grant, rt),
        }
    }

    /// The grant an access or refresh token belongs to, revoked or not.
    pub fn grant_of(&self, token: &str) -> Option<&Grant> {
        let id = self
            .access
            .iter()
            .find(|t| t.token == token)
            .map(|t| t.grant)
            .or_else(|| {
                self.refresh
                    .iter()
                    .find(|t| t.token == token)
                    .map(|t| t.grant)
            })?;
        self.grant(id)
    }

    /// Google's revocation: the token's whole grant (every access and refresh token of
    /// the sign-in) stops working. `None` for a token never issued or already revoked.
    pub fn revoke(&mut self, token: &str) -> Option<TokenKind> {
        let (grant, kind) = if let Some(t) = self.access.iter().find(|t| t.token == token) {
            (t.grant, TokenKind::Access)
        } else {
            let t = self.refresh.iter().find(|t| t.token == token)?;
            (t.grant, TokenKind::Refresh)
        };
        let grant = self.grants.iter_mut().find(|g| g.id == grant)?;
        if grant.access_revoked && grant.refresh_revoked.is_some() {
            return None;
        }
        grant.access_revoked = true;
        grant.refresh_revoked = Some(Revocation::ByClient);
        Some(kind)
    }

    /// The user removed the app: refresh tokens of every grant of the account die;
    /// access tokens too when `with_access` (Google). Microsoft's access tokens are
    /// self-contained JWTs and live on until they expire. Returns the grants touched.
    pub fn revoke_consent(
        &mut self,
        provider: Provider,
        address: &str,
        with_access: bool,
    ) -> usize {
        let mut n = 0;
        for g in self
            .grants
            .iter_mut()
            .filter(|g| g.provider == provider && g.address.eq_ignore_ascii_case(address))
        {
            if g.refresh_revoked.is_none() {
                g.refresh_revoked = Some(Revocation::ConsentRemoved);
                n += 1;
            }
            g.access_revoked |= with_access;
        }
        n
    }

    /// Every minted token, for `GET /oauth/tokens` (tests use them as canaries: none may
    /// turn up where page or content scripts can read).
    pub fn describe(&self) -> Vec<serde_json::Value> {
        let describe =
            |token: &str, kind: &str, grant: u64, expires_at: Option<u64>, scopes: &[String]| {
                let g = self.grant(grant);
                serde_json::json!({
                    "token": token,
                    "kind": kind,
                    "provider": g.map(|g| g.provider.as_str()),
                    "address": g.map(|g| g.address.as_str()),
                    "clientId": g.map(|g| g.client_id.as_str()),
                    "scopes": scopes,
                    "expiresAt": expires_at,
                    "revoked": g.is_some_and(|g| match kind {
                        "access" => g.access_revoked,
                        _ => g.refresh_revoked.is_some(),
                    }),
                })
            };
        let access = self
            .access
            .iter()
            .map(|t| describe(&t.token, "access", t.grant, Some(t.expires_at), &t.scopes));
        let refresh = self.refresh.iter().map(|t| {
            let scopes = self.grant(t.grant).map_or(&[][..], |g| g.scopes.as_slice());
            describe(&t.token, "refresh", t.grant, t.expires_at, scopes)
        });
        access.chain(refresh).collect()
    }

    /// Whether the account has ever had a grant for this client (Google issues a refresh
    /// token without `prompt=consent` only the first time).
    pub fn has_grant(&self, provider: Provider, client_id: &str, address: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.provider == provider && g.client_id == client_id && g.address == address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::clients::SPA_REFRESH_LIFETIME;

    fn store() -> (TokenStore, u64) {
        let mut s = TokenStore::default();
        let g = s.new_grant(
            Provider::Microsoft,
            "app",
            "bo@contoso.com",
            &["User.Read".into()],
            1000,
        );
        s.add_access(g, "at1".into(), &["User.Read".into()], 1000 + 3600);
        s.add_refresh(g, "rt1".into(), 1000, Some(1000 + SPA_REFRESH_LIFETIME));
        (s, g)
    }

    #[test]
    fn access_tokens_expire() {
        let (s, _) = store();
        assert!(matches!(
            s.check_access("at1", 4599),
            AccessCheck::Valid(..)
        ));
        assert!(matches!(
            s.check_access("at1", 4600),
            AccessCheck::Expired(_)
        ));
        assert!(matches!(s.check_access("nope", 0), AccessCheck::Unknown));
    }

    #[test]
    fn spa_refresh_tokens_keep_the_original_expiry() {
        let (mut s, g) = store();
        // A refresh 23 h in: the rotated token carries the sign-in's expiry, not 24 h more.
        let later = 1000 + 23 * 3600;
        let RefreshCheck::Valid(grant, _) = s.check_refresh("rt1", later) else {
            panic!()
        };
        let expiry = grant.auth_time + SPA_REFRESH_LIFETIME;
        s.add_refresh(g, "rt2".into(), later, Some(expiry));
        assert!(matches!(
            s.check_refresh("rt2", expiry - 1),
            RefreshCheck::Valid(..)
        ));
        assert!(matches!(
            s.check_refresh("rt2", expiry),
            RefreshCheck::Expired(..)
        ));
        assert!(matches!(
            s.check_refresh("rt1", expiry),
            RefreshCheck::Expired(..)
        ));
    }

    #[test]
    fn revoking_either_token_kills_the_grant() {
        let (mut s, g) = store();
        s.add_access(g, "at2".into(), &[], 9999);
        assert_eq!(s.revoke("rt1"), Some(TokenKind::Refresh));
        assert!(matches!(
            s.check_access("at1", 1001),
            AccessCheck::Revoked(_)
        ));
        assert!(matches!(
            s.check_access("at2", 1001),
            AccessCheck::Revoked(_)
        ));
        assert!(matches!(
            s.check_refresh("rt1", 1001),
            RefreshCheck::Revoked(_, Revocation::ByClient)
        ));
        assert_eq!(s.revoke("rt1"), None, "already revoked");
        assert_eq!(s.revoke("never"), None);

        let (mut s, _) = store();
        assert_eq!(s.revoke("at1"), Some(TokenKind::Access));
        assert!(matches!(
            s.check_refresh("rt1", 1001),
            RefreshCheck::Revoked(..)
        ));
    }

    #[test]
    fn consent_removal() {
        let (mut s, _) = store();
        assert_eq!(
            s.revoke_consent(Provider::Microsoft, "BO@contoso.com", false),
            1
        );
        assert!(matches!(
            s.check_refresh("rt1", 1001),
            RefreshCheck::Revoked(_, Revocation::ConsentRemoved)
        ));
        assert!(
            matches!(s.check_access("at1", 1001), AccessCheck::Valid(..)),
            "Microsoft access tokens live on"
        );
        let (mut s, _) = store();
        s.revoke_consent(Provider::Microsoft, "bo@contoso.com", true);
        assert!(matches!(
            s.check_access("at1", 1001),
            AccessCheck::Revoked(_)
        ));
        assert_eq!(
            s.revoke_consent(Provider::Google, "bo@contoso.com", true),
            0
        );
    }

    #[test]
    fn describes_every_token() {
        let (mut s, _) = store();
        s.revoke("rt1");
        let all = s.describe();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0]["token"], "at1");
        assert_eq!(all[0]["kind"], "access");
        assert_eq!(all[0]["address"], "bo@contoso.com");
        assert_eq!(all[1]["kind"], "refresh");
        assert_eq!(all[1]["revoked"], true);
        assert_eq!(all[1]["scopes"], serde_json::json!(["User.Read"]));
    }
}
