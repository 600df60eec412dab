//! "Check this connection now": the one provider call Inlay makes for a
//! connected inbox in this version. It refreshes the send-as aliases and the
//! display name, and finds out early when the access has been withdrawn.
//!
//! Google: `GET …/users/me/settings/sendAs` (needs `gmail.settings.basic`).
//! Microsoft: `GET /me` with the addresses selected (User.Read).
//! The request builders and response readers here are shared with the
//! connect flow, which makes the same calls.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::OAuthProvider;
use crate::backoff::Backoff;
use crate::connect::{FlowError, oauth_provider};
use crate::detect::{ConnectionKind, parse_address, same_mailbox};
use crate::http::{HttpRequest, Method};
use crate::provider::{self, Api, Attempt, Disposition, Outcome};

/// Gmail's send-as list.
pub const GMAIL_SEND_AS_URL: &str =
    "https://gmail.googleapis.com/gmail/v1/users/me/settings/sendAs";
/// Graph `/me` with what identifies the mailbox and its addresses.
pub const GRAPH_ME_URL: &str = "https://graph.microsoft.com/v1.0/me?$select=id,displayName,mail,userPrincipalName,proxyAddresses";
/// Graph mailbox settings (for `userPurpose`).
pub const GRAPH_MAILBOX_SETTINGS_URL: &str = "https://graph.microsoft.com/v1.0/me/mailboxSettings";

/// The longest wait a retry may ask for (a day). Keeps every time a safe
/// JavaScript integer even when a server sends an absurd `Retry-After`.
pub const MAX_RETRY_AFTER_MS: u64 = 24 * 60 * 60 * 1000;

/// A `GET` with the bearer token.
pub fn bearer_get(url: &str, access_token: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: url.into(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {access_token}")),
            ("Accept".into(), "application/json".into()),
        ],
        body: None,
    }
}

/// What Gmail's send-as list says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendAsList {
    /// The `isPrimary` entry's address.
    pub primary: Option<String>,
    /// The primary entry's display name, when not empty.
    pub display_name: Option<String>,
    /// Other addresses usable as From: `verificationStatus` `accepted`, or
    /// absent (Google sets it only on custom "from" aliases; Workspace
    /// domain aliases have none). `pending` ones are left out.
    pub aliases: Vec<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn push_unique(list: &mut Vec<String>, address: &str) {
    if parse_address(address).is_ok() && !list.iter().any(|a| same_mailbox(a, address)) {
        list.push(address.to_string());
    }
}

/// Reads a `ListSendAsResponse` body; `None` if it isn't one.
pub fn parse_send_as(body: &str) -> Option<SendAsList> {
    let v: Value = serde_json::from_str(body).ok()?;
    let entries = match v.get("sendAs") {
        Some(Value::Array(list)) => list.as_slice(),
        // An account with no entries at all: Gmail omits the empty list.
        None if v.is_object() => &[],
        _ => return None,
    };
    let mut list = SendAsList {
        primary: None,
        display_name: None,
        aliases: Vec::new(),
    };
    for entry in entries {
        let Some(address) = text(entry, "sendAsEmail") else {
            continue;
        };
        if entry.get("isPrimary").and_then(Value::as_bool) == Some(true) {
            list.primary = Some(address);
            list.display_name = text(entry, "displayName");
            continue;
        }
        let usable = matches!(
            entry.get("verificationStatus").and_then(Value::as_str),
            None | Some("accepted")
        );
        if usable {
            push_unique(&mut list.aliases, &address);
        }
    }
    if let Some(primary) = &list.primary {
        list.aliases.retain(|a| !same_mailbox(a, primary));
    }
    Some(list)
}

/// What Graph's `/me` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphProfile {
    /// `id`.
    pub id: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail` (null for some personal accounts).
    pub mail: Option<String>,
    /// `userPrincipalName` (the sign-in name).
    pub user_principal_name: Option<String>,
    /// The primary SMTP address: the `SMTP:` proxy address, else `mail`,
    /// else the UPN when it is an address.
    pub primary: Option<String>,
    /// Secondary SMTP addresses (`smtp:` proxy addresses), without the primary.
    pub aliases: Vec<String>,
    /// Every address of the mailbox, primary first (for verification).
    pub addresses: Vec<String>,
}

/// Reads a Graph user body; `None` if it isn't one.
pub fn parse_graph_me(body: &str) -> Option<GraphProfile> {
    let v: Value = serde_json::from_str(body).ok()?;
    if !v.is_object() {
        return None;
    }
    let mail = text(&v, "mail");
    let upn = text(&v, "userPrincipalName");
    let mut proxy_primary = None;
    let mut secondary: Vec<String> = Vec::new();
    if let Some(list) = v.get("proxyAddresses").and_then(Value::as_array) {
        for p in list.iter().filter_map(Value::as_str) {
            // "SMTP:" (capital) is the primary, "smtp:" the others; Graph's
            // own examples put a space after the colon.
            if let Some(a) = p.strip_prefix("SMTP:") {
                proxy_primary.get_or_insert_with(|| a.trim().to_string());
            } else if let Some(a) = p.strip_prefix("smtp:") {
                push_unique(&mut secondary, a.trim());
            }
        }
    }
    let primary = proxy_primary
        .filter(|a| parse_address(a).is_ok())
        .or_else(|| mail.clone().filter(|a| parse_address(a).is_ok()))
        .or_else(|| upn.clone().filter(|a| parse_address(a).is_ok()));
    if let Some(p) = &primary {
        secondary.retain(|a| !same_mailbox(a, p));
    }
    let mut addresses = Vec::new();
    for a in primary.iter().chain(&mail).chain(&upn).chain(&secondary) {
        push_unique(&mut addresses, a);
    }
    Some(GraphProfile {
        id: text(&v, "id"),
        display_name: text(&v, "displayName"),
        mail,
        user_principal_name: upn,
        primary,
        aliases: secondary,
        addresses,
    })
}

/// `userPurpose` from a Graph `mailboxSettings` body (`user`, `shared`, …).
pub fn parse_user_purpose(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    text(&v, "userPurpose")
}

/// What a connection check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CheckResult {
    /// The connection works; these are the current aliases and name.
    Ok {
        aliases: Vec<String>,
        display_name: Option<String>,
    },
    /// Try the same check again after this delay.
    RetryAfter { after_ms: u64, reason: String },
    /// Refresh the access token (`tokenInvalidate`, then `tokenAccess`),
    /// then check again with `afterRefresh: true`.
    RefreshToken,
    /// The user must sign in again (reconnect).
    Reauthenticate { code: String, message: String },
    /// Don't retry now; tell the user.
    Fail { code: String, message: String },
}

/// The check request for a connected account.
pub fn plan_account_check(
    connect: ConnectionKind,
    access_token: &str,
) -> Result<HttpRequest, FlowError> {
    Ok(match oauth_provider(connect)? {
        OAuthProvider::Google => bearer_get(GMAIL_SEND_AS_URL, access_token),
        OAuthProvider::Microsoft => bearer_get(GRAPH_ME_URL, access_token),
    })
}

/// [`provider::classify`] with the provider backoff, and waits capped
/// at [`MAX_RETRY_AFTER_MS`].
pub fn classify_outcome(api: Api, outcome: &Outcome, attempt: &Attempt) -> Disposition {
    match provider::classify(api, outcome, attempt, &Backoff::PROVIDER) {
        Disposition::RetryAfter { after_ms, reason } => Disposition::RetryAfter {
            after_ms: after_ms.min(MAX_RETRY_AFTER_MS),
            reason,
        },
        other => other,
    }
}

/// Reads the check's outcome.
pub fn interpret_account_check(
    connect: ConnectionKind,
    outcome: &Outcome,
    attempt: &Attempt,
) -> CheckResult {
    let provider = match oauth_provider(connect) {
        Ok(p) => p,
        Err(e) => {
            return CheckResult::Fail {
                code: e.code,
                message: e.message,
            };
        }
    };
    let api = match provider {
        OAuthProvider::Google => Api::Gmail,
        OAuthProvider::Microsoft => Api::Graph,
    };
    match classify_outcome(api, outcome, attempt) {
        Disposition::Success => {}
        Disposition::RetryAfter { after_ms, reason } => {
            return CheckResult::RetryAfter { after_ms, reason };
        }
        Disposition::RefreshToken => return CheckResult::RefreshToken,
        Disposition::Reauthenticate { code, message } => {
            return CheckResult::Reauthenticate { code, message };
        }
        Disposition::Fail { code, message } => return CheckResult::Fail { code, message },
    }
    let body = match outcome {
        Outcome::Response { response } => response.body.as_str(),
        // classify never calls a missing response a success.
        Outcome::Transport { .. } => "",
    };
    let read = match provider {
        OAuthProvider::Google => parse_send_as(body).map(|l| (l.aliases, l.display_name)),
        OAuthProvider::Microsoft => parse_graph_me(body).map(|p| (p.aliases, p.display_name)),
    };
    match read {
        Some((aliases, display_name)) => CheckResult::Ok {
            aliases,
            display_name,
        },
        None => CheckResult::Fail {
            code: "unexpectedResponse".into(),
            message: unexpected(api_name(provider)),
        },
    }
}

fn api_name(provider: OAuthProvider) -> &'static str {
    match provider {
        OAuthProvider::Google => "Gmail",
        OAuthProvider::Microsoft => "Microsoft 365",
    }
}

/// The sentence for a success body Inlay can't read.
fn unexpected(who: &str) -> String {
    format!(
        "{who} sent an answer Inlay couldn't read, so the connection couldn't be checked. Please try again later."
    )
}
