//! Ending a Google connection: the revocation request (RFC 7009; Google
//! revokes the whole grant) and what the user is told after it.

use serde::{Deserialize, Serialize};

use crate::auth::form_post;
use crate::http::HttpRequest;
use crate::provider::Outcome;

/// Google's revocation endpoint.
pub const GOOGLE_REVOKE_ENDPOINT: &str = "https://oauth2.googleapis.com/revoke";

/// The revocation request: the (refresh) token in the form body, as a
/// token never goes in a URL.
pub(crate) fn revoke_request(token: &str) -> HttpRequest {
    form_post(GOOGLE_REVOKE_ENDPOINT, &[("token", token)])
}

/// Where a user removes Inlay's access to a Google account by hand.
pub const GOOGLE_PERMISSIONS_URL: &str = "https://myaccount.google.com/permissions";

/// What the user is told after Google's revocation request (and, as the
/// worker's `disconnect` reply, after any disconnect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RevocationResult {
    /// Google confirmed that the grant is gone (or the token was already dead).
    pub revoked: bool,
    /// What the user still has to do, when Google did not confirm.
    pub instructions: Option<String>,
    pub consent_url: Option<String>,
}

/// Reads the answer to a planned revocation. 200 revokes; 400 `invalid_token`
/// means the token was already expired or revoked, which is the same for
/// the user. Anything else (5xx, 429, a reset, a timeout) leaves the grant
/// possibly alive: the local tokens are deleted anyway, and the user is told
/// where to remove the access by hand.
pub fn revoke_result(outcome: &Outcome) -> RevocationResult {
    let confirmed = match outcome {
        Outcome::Response { response } => {
            response.status == 200
                || (response.status == 400 && response.body.contains("invalid_token"))
        }
        Outcome::Transport { .. } => false,
    };
    if confirmed {
        return RevocationResult {
            revoked: true,
            instructions: None,
            consent_url: None,
        };
    }
    let why = match outcome {
        Outcome::Response { response } => {
            format!("Google answered with an error (HTTP {})", response.status)
        }
        Outcome::Transport { .. } => "Google could not be reached".to_string(),
    };
    RevocationResult {
        revoked: false,
        instructions: Some(format!(
            "{why}, so it did not confirm that Inlay's access was removed. Inlay deleted its copy of the sign-in anyway. \
             To be sure, remove Inlay from your Google account's third-party access:"
        )),
        consent_url: Some(GOOGLE_PERMISSIONS_URL.to_string()),
    }
}
