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
use crate::connect::{FlowError, oauth_provider};
use crate::detect::ConnectionKind;
use crate::http::HttpRequest;
use crate::provider::gmail::{GMAIL_SEND_AS_URL, parse_send_as};
use crate::provider::graph::{GRAPH_ME_URL, parse_graph_me};
use crate::provider::{self, Api, Attempt, Disposition, Outcome, bearer_get};

/// The longest wait a retry may ask for (a day): [`crate::backoff::MAX_PAUSE_MS`].
pub const MAX_RETRY_AFTER_MS: u64 = crate::backoff::MAX_PAUSE_MS;

/// What "check this connection now" found: one type for all four kinds
/// (Google and Microsoft here; Exchange and IMAP from their provider
/// folders). The worker hands it to the page as it is (`outcome` and, unless
/// it went well, the sentence in `message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "outcome",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CheckResult {
    /// The connection works. Google and Microsoft also report the current
    /// send-as aliases and display name (`None`: this kind reports none).
    Ok {
        aliases: Option<Vec<String>>,
        display_name: Option<String>,
    },
    /// The user must sign in again: the inbox moves to "needs
    /// reauthentication" with `code` (the `tokenRejected` transition).
    NeedsReauthentication { code: String, message: String },
    /// Not now (the provider is busy or out of reach); a later check will
    /// try again.
    Later { message: String },
    /// The check could not be made; `message` says why and what to do.
    Failed { code: String, message: String },
}

/// The reading of one check answer, before the machine decides what follows
/// (inside the core only: the check crosses as its steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckVerdict {
    /// The connection works; these are the current aliases and name.
    Ok {
        aliases: Vec<String>,
        display_name: Option<String>,
    },
    /// The check may work if tried again (after `retry_after_ms` when the
    /// server said); the check machine's backoff decides whether and when.
    Retry {
        retry_after_ms: Option<u64>,
        reason: String,
    },
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

/// Reads the check's outcome. A retry is left to the caller's backoff
/// (`CheckVerdict::Retry`, for the check machine's `Backoff::next`): there is
/// one rule for waiting, not one per reader.
pub fn read_account_check(
    connect: ConnectionKind,
    outcome: &Outcome,
    attempt: &Attempt,
) -> CheckVerdict {
    let provider = match oauth_provider(connect) {
        Ok(p) => p,
        Err(e) => {
            return CheckVerdict::Fail {
                code: e.code.as_str().into(),
                message: e.message,
            };
        }
    };
    let api = match provider {
        OAuthProvider::Google => Api::Gmail,
        OAuthProvider::Microsoft => Api::Graph,
    };
    match provider::read(api, outcome, attempt) {
        Disposition::Success => {}
        Disposition::RetryAfter { after_ms, reason } => {
            return CheckVerdict::Retry {
                retry_after_ms: Some(after_ms),
                reason,
            };
        }
        Disposition::Retry {
            retry_after_ms,
            reason,
        } => {
            return CheckVerdict::Retry {
                retry_after_ms,
                reason,
            };
        }
        Disposition::RefreshToken => return CheckVerdict::RefreshToken,
        Disposition::Reauthenticate { code, message } => {
            return CheckVerdict::Reauthenticate { code, message };
        }
        Disposition::Fail { code, message } => return CheckVerdict::Fail { code, message },
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
        Some((aliases, display_name)) => CheckVerdict::Ok {
            aliases,
            display_name,
        },
        None => CheckVerdict::Fail {
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
