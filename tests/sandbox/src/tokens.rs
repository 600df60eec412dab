//! Which account a request's `Authorization: Bearer` token belongs to.
//!
//! For now the only valid tokens are test tokens of the form `sandbox-token:<address>`,
//! which tests write themselves. The OAuth fakes (accounts.google.com, oauth2.googleapis.com,
//! login.microsoftonline.com) will mint opaque tokens and register them here; the API fakes
//! keep calling `authorize` unchanged.

use crate::http::Request;
use crate::state::{Account, Provider, State};

pub const TEST_TOKEN_PREFIX: &str = "sandbox-token:";

pub fn test_token(address: &str) -> String {
    format!("{TEST_TOKEN_PREFIX}{address}")
}

#[derive(Debug, PartialEq)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    Missing,
    /// A token that maps to no account of this provider.
    Invalid,
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
) -> Result<&'s mut Account, AuthError> {
    let token = bearer(req).ok_or(AuthError::Missing)?;
    let address = token
        .strip_prefix(TEST_TOKEN_PREFIX)
        .ok_or(AuthError::Invalid)?;
    state
        .account_mut(provider, address)
        .ok_or(AuthError::Invalid)
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
        let acc = authorize(
            &req("bearer sandbox-token:ANN@example.com"),
            &mut state,
            Provider::Google,
        )
        .unwrap();
        assert_eq!(acc.address, "ann@example.com");
    }
}
