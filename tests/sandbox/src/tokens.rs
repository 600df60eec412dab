//! Which account a request's `Authorization: Bearer` token belongs to, and what it may do.
//!
//! Two kinds of token open the API fakes:
//! * access tokens minted by the OAuth fakes (oauth2.googleapis.com,
//!   login.microsoftonline.com), which carry the scopes the user granted and expire by
//!   the sandbox clock;
//! * test tokens `sandbox-token:<address>`, which tests write themselves and which may do
//!   anything (no scope checks, no expiry).

use crate::http::Request;
use crate::oauth::tokens::AccessCheck;
use crate::state::{Account, Provider, State};

pub const TEST_TOKEN_PREFIX: &str = "sandbox-token:";

pub fn test_token(address: &str) -> String {
    format!("{TEST_TOKEN_PREFIX}{address}")
}

#[derive(Debug, PartialEq)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    Missing,
    /// A token that maps to no account of this provider, or was revoked.
    Invalid,
    /// A minted token past its expiry.
    Expired,
}

/// The account a token opens, and the scopes it was granted.
#[derive(Debug)]
pub struct Authorized<'s> {
    pub account: &'s mut Account,
    /// `None` for test tokens, which pass every scope check.
    pub scopes: Option<Vec<String>>,
}

impl Authorized<'_> {
    /// Whether the token holds at least one of `accepted` (compared case-insensitively,
    /// as Microsoft does; Google's scopes are URLs and compare the same either way).
    pub fn has_any<S: AsRef<str>>(&self, accepted: &[S]) -> bool {
        self.scopes.as_ref().is_none_or(|granted| {
            accepted
                .iter()
                .any(|a| granted.iter().any(|g| g.eq_ignore_ascii_case(a.as_ref())))
        })
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The account of `provider` that the request's bearer token grants access to.
pub fn authorize<'s>(
    req: &Request,
    state: &'s mut State,
    provider: Provider,
) -> Result<Authorized<'s>, AuthError> {
    let token = bearer(req).ok_or(AuthError::Missing)?;
    if let Some(address) = token.strip_prefix(TEST_TOKEN_PREFIX) {
        let account = state
            .account_mut(provider, address)
            .ok_or(AuthError::Invalid)?;
        return Ok(Authorized {
            account,
            scopes: None,
        });
    }
    let now = state.oauth.now();
    let (address, scopes) = match state.oauth.tokens.check_access(token, now) {
        AccessCheck::Valid(grant, at) if grant.provider == provider => {
            (grant.address.clone(), at.scopes.clone())
        }
        AccessCheck::Expired(grant) if grant.provider == provider => {
            return Err(AuthError::Expired);
        }
        _ => return Err(AuthError::Invalid),
    };
    let account = state
        .account_mut(provider, &address)
        .ok_or(AuthError::Invalid)?;
    Ok(Authorized {
        account,
        scopes: Some(scopes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_test_tokens_to_accounts_of_the_provider() {
        let mut state = State::default();
        state
            .seed(serde_json::from_value(serde_json::json!({"accounts":[{"provider":"google","address":"ann@example.com"}]})).unwrap())
            .unwrap();
        let req = |auth: &str| Request::new("GET", "h", "/").with_header("Authorization", auth);
        assert_eq!(
            authorize(&Request::new("GET", "h", "/"), &mut state, Provider::Google).err(),
            Some(AuthError::Missing)
        );
        assert_eq!(
            authorize(&req("Basic abc"), &mut state, Provider::Google).err(),
            Some(AuthError::Missing)
        );
        assert_eq!(
            authorize(&req("Bearer nope"), &mut state, Provider::Google).err(),
            Some(AuthError::Invalid)
        );
        assert_eq!(
            authorize(
                &req("Bearer sandbox-token:ann@example.com"),
                &mut state,
                Provider::Microsoft
            )
            .err(),
            Some(AuthError::Invalid)
        );
        let auth = authorize(
            &req("bearer sandbox-token:ANN@example.com"),
            &mut state,
            Provider::Google,
        )
        .unwrap();
        assert_eq!(auth.account.address, "ann@example.com");
        assert!(auth.has_any(&["anything"]));
    }

    #[test]
    fn minted_tokens_carry_scopes_and_expire() {
        let mut state = State::default();
        state
            .seed(serde_json::from_value(serde_json::json!({"accounts":[{"provider":"google","address":"ann@example.com"}]})).unwrap())
            .unwrap();
        let now = state.oauth.now();
        let tokens = &mut state.oauth.tokens;
        let g = tokens.new_grant(Provider::Google, "app", "ann@example.com", &[], now);
        tokens.add_access(
            g,
            "ya29.t".into(),
            &["https://www.googleapis.com/auth/gmail.send".into()],
            now + 3600,
        );
        let req = Request::new("GET", "h", "/").with_header("authorization", "Bearer ya29.t");
        let auth = authorize(&req, &mut state, Provider::Google).unwrap();
        assert!(auth.has_any(&["https://www.googleapis.com/auth/gmail.send", "x"]));
        assert!(!auth.has_any(&["https://www.googleapis.com/auth/gmail.readonly"]));
        assert_eq!(
            authorize(&req, &mut state, Provider::Microsoft).err(),
            Some(AuthError::Invalid)
        );
        state.oauth.advance(3600);
        assert_eq!(
            authorize(&req, &mut state, Provider::Google).err(),
            Some(AuthError::Expired)
        );
    }
}
