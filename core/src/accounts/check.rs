//! "Check this connection now": the one provider call Inlay makes for a
//! connected inbox in this version. It refreshes the send-as aliases and the
//! display name, and finds out early when the access has been withdrawn.
//!
//! Google: `GET …/users/me/settings/sendAs` (needs `gmail.settings.basic`).
//! Microsoft: `GET /me` with the addresses selected (User.Read).
//! This file is the part common to every kind: which call to make, the
//! retry limit, and what the answer means. The requests and readers are
//! each provider's ([`crate::provider::gmail`], [`crate::provider::graph`]),
//! shared with the connect flow, which makes the same calls.

use serde::{Deserialize, Serialize};

use crate::auth::OAuthProvider;
use crate::backoff::Backoff;
use crate::connect::{FlowError, oauth_provider};
use crate::detect::ConnectionKind;
use crate::http::HttpRequest;
use crate::provider::gmail::{GMAIL_SEND_AS_URL, parse_send_as};
use crate::provider::graph::{GRAPH_ME_URL, parse_graph_me};
use crate::provider::{self, Api, Attempt, Disposition, Outcome, bearer_get};

/// The longest wait a retry may ask for (a day). Keeps every time a safe
/// JavaScript integer even when a server sends an absurd `Retry-After`.
pub const MAX_RETRY_AFTER_MS: u64 = 24 * 60 * 60 * 1000;

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
            message: unexpected(api.name()),
        },
    }
}

/// The sentence for a success body Inlay can't read.
fn unexpected(who: &str) -> String {
    format!(
        "{who} sent an answer Inlay couldn't read, so the connection couldn't be checked. Please try again later."
    )
}
