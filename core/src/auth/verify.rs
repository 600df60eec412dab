//! Checking that the account signed in is the one the user entered.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::identity_provider::OAuthProvider;
use super::token_endpoint::IdClaims;
use crate::detect::parse_address;
use crate::http::{HttpRequest, Method};

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

    /// From a Graph `GET /me` body: `mail` (null for some personal accounts),
    /// `userPrincipalName`, and any `SMTP:`/`smtp:` `proxyAddresses`.
    pub fn from_graph_me(body: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(body).ok()?;
        let mut addresses: Vec<String> = Vec::new();
        let mut add = |a: &str| {
            if parse_address(a).is_ok() && !addresses.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                addresses.push(a.to_string());
            }
        };
        if let Some(mail) = v.get("mail").and_then(Value::as_str) {
            add(mail);
        }
        if let Some(upn) = v.get("userPrincipalName").and_then(Value::as_str) {
            add(upn);
        }
        if let Some(list) = v.get("proxyAddresses").and_then(Value::as_array) {
            for p in list.iter().filter_map(Value::as_str) {
                if let Some(a) = p.strip_prefix("SMTP:").or_else(|| p.strip_prefix("smtp:")) {
                    add(a);
                }
            }
        }
        (!addresses.is_empty()).then_some(AccountIdentity { addresses })
    }

    /// From a Gmail `users.getProfile` body (`emailAddress`). Not callable
    /// under `gmail.send` alone; with send-only, use [`Self::from_claims`].
    pub fn from_gmail_profile(body: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(body).ok()?;
        let a = v.get("emailAddress")?.as_str()?;
        parse_address(a).ok()?;
        Some(AccountIdentity {
            addresses: vec![a.to_string()],
        })
    }
}

/// The profile request that names the account (Graph `/me`).
/// Google has none under `gmail.send`; the ID token is used instead.
pub fn plan_profile(provider: OAuthProvider, access_token: &str) -> Option<HttpRequest> {
    match provider {
        OAuthProvider::Microsoft => Some(HttpRequest {
            method: Method::Get,
            url: "https://graph.microsoft.com/v1.0/me?$select=mail,userPrincipalName,proxyAddresses,displayName".into(),
            headers: vec![
                ("Authorization".into(), format!("Bearer {access_token}")),
                ("Accept".into(), "application/json".into()),
            ],
            body: None,
        }),
        OAuthProvider::Google => None,
    }
}

/// Accepts the sign-in only if one of the account's addresses is the one the
/// user entered. Comparison is case-insensitive (every provider treats
/// addresses so), and for consumer Gmail ignores dots and treats
/// googlemail.com as gmail.com (Gmail's own rule; not Workspace's). A
/// `+tag` is not stripped: a tagged address is a different From address.
pub fn verify_account(entered: &str, identity: &AccountIdentity) -> Result<(), AuthError> {
    let wanted = parse_address(entered).map(|a| a.canonical());
    let matches =
        identity
            .addresses
            .iter()
            .any(|candidate| match (&wanted, parse_address(candidate)) {
                (Ok(w), Ok(c)) => *w == c.canonical(),
                _ => entered.trim().eq_ignore_ascii_case(candidate.trim()),
            });
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
