//! Checking that the account signed in is the one the user entered.

use serde::{Deserialize, Serialize};

use super::token_endpoint::IdClaims;
use crate::detect::{parse_address, same_mailbox};

use super::errors::AuthError;

/// The addresses that identify a signed-in account (primary first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountIdentity {
    /// The primary address first, then sign-in names and aliases.
    pub addresses: Vec<String>,
}

impl AccountIdentity {
    /// From ID-token claims: `email`, then Microsoft's `preferred_username`
    /// when it is an address (for personal accounts it may differ from
    /// `email`, and `email` may be absent).
    pub fn from_claims(claims: &IdClaims) -> Self {
        let mut addresses = Vec::new();
        for a in [&claims.email, &claims.preferred_username]
            .into_iter()
            .flatten()
        {
            if parse_address(a).is_ok() && !addresses.contains(a) {
                addresses.push(a.clone());
            }
        }
        AccountIdentity { addresses }
    }
}

/// Accepts the sign-in only if one of the account's addresses is the one the
/// user entered. Comparison is case-insensitive (every provider treats
/// addresses so), and for consumer Gmail ignores dots and treats
/// googlemail.com as gmail.com (Gmail's own rule; not Workspace's). A
/// `+tag` is not stripped: a tagged address is a different From address.
pub fn verify_account(entered: &str, identity: &AccountIdentity) -> Result<(), AuthError> {
    let matches = identity
        .addresses
        .iter()
        .any(|candidate| same_mailbox(entered, candidate));
    if matches {
        return Ok(());
    }
    let actual = identity
        .addresses
        .first()
        .cloned()
        .unwrap_or_else(|| "an account without an email address".into());
    Err(AuthError::wrong_account(entered.trim(), &actual))
}
