//! One folder per provider, holding everything that is that provider's:
//! [`gmail`] (Google), [`graph`] (Microsoft), [`ews`] (Exchange
//! on-premises) and [`imap`] (any IMAP/SMTP server, through the native
//! helper).
//!
//! This file is what is common to reading a provider's answer: succeed,
//! retry later, refresh the token, ask the user to sign in again, or fail
//! with a reason. It reads the Gmail API, Microsoft Graph and both token
//! endpoints (following provider-apis.md §1–§3), handles what they share
//! (429, 5xx, no answer, the token endpoints' error codes) and hands the
//! rest to `gmail` or `graph`. Every `Fail` and `Reauthenticate` carries a
//! sentence for the user.

pub(crate) mod api_reply;
pub mod ews;
pub mod gmail;
pub mod graph;
pub mod imap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::backoff::{Backoff, GiveUp, Pause, pause_in_words};
use crate::detect::{parse_address, same_mailbox};
use crate::http::{HttpRequest, HttpResponse, Method, TransportFailure};
use crate::machine::Moment;

/// Which API answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Api {
    /// `https://oauth2.googleapis.com/token`.
    GoogleToken,
    /// `https://gmail.googleapis.com/gmail/v1/…`.
    Gmail,
    /// `https://login.microsoftonline.com/…/oauth2/v2.0/token`.
    MicrosoftToken,
    /// `https://graph.microsoft.com/v1.0/…`.
    Graph,
}

impl Api {
    /// The API's name in sentences for the user.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::GoogleToken => "Google's sign-in service",
            Api::Gmail => "Gmail",
            Api::MicrosoftToken => "Microsoft's sign-in service",
            Api::Graph => "Microsoft 365",
        }
    }
}

/// What the executor saw: a response, or no response at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Outcome {
    /// An HTTP response (any status).
    Response { response: HttpResponse },
    /// No response: network failure or timeout.
    Transport { failure: TransportFailure },
}

/// Where this request stands in its retry sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// Retries already made (0 for the first try); indexes the backoff.
    pub number: u32,
    /// The token was refreshed after an earlier 401 of this request, so a
    /// new 401 means the grant itself is gone.
    pub after_refresh: bool,
    /// Now (unix ms), to read an HTTP-date `Retry-After`.
    pub now_ms: u64,
    /// Random value from the caller, for backoff jitter.
    pub jitter: u32,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Disposition {
    /// The request worked.
    Success,
    /// Try the same request again after this delay.
    RetryAfter { after_ms: u64, reason: String },
    /// From [`read`] only: the request may work if tried again (the server
    /// asked for `retry_after_ms`, if it said). Whether and when is the
    /// calling machine's decision, through [`Backoff::next`]; [`classify`]
    /// makes it with the backoff it is given.
    Retry {
        retry_after_ms: Option<u64>,
        reason: String,
    },
    /// Refresh the access token, then retry once.
    RefreshToken,
    /// The grant is gone or lacks a scope: the user must sign in again.
    Reauthenticate { code: String, message: String },
    /// Don't retry; tell the user.
    Fail { code: String, message: String },
}

/// Classifies an outcome (response or transport failure), pacing a retry
/// with `backoff` ([`pace`]).
pub fn classify(api: Api, outcome: &Outcome, attempt: &Attempt, backoff: &Backoff) -> Disposition {
    pace(api, read(api, outcome, attempt), attempt, backoff)
}

/// What an outcome means, without deciding about retries: a retryable
/// answer is [`Disposition::Retry`], for the machine's own
/// [`Backoff::next`].
pub fn read(api: Api, outcome: &Outcome, attempt: &Attempt) -> Disposition {
    match outcome {
        Outcome::Response { response } => read_response(api, response, attempt),
        Outcome::Transport { failure } => {
            let reason = match failure {
                TransportFailure::Network => {
                    format!("{} could not be reached (network error)", api.name())
                }
                TransportFailure::Timeout => format!("{} did not answer in time", api.name()),
            };
            retry(None, reason)
        }
    }
}

/// Classifies an HTTP response, pacing a retry with `backoff`.
pub fn classify_response(
    api: Api,
    response: &HttpResponse,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Disposition {
    pace(api, read_response(api, response, attempt), attempt, backoff)
}

/// Decides a [`Disposition::Retry`] with the one rule for waiting
/// ([`Backoff::next`]): wait (`RetryAfter`), or fail because the retries
/// are used up (`retriesExhausted`) or the pause asked for is longer than
/// the caller holds on (`providerBusy`). Other dispositions pass through.
pub fn pace(
    api: Api,
    disposition: Disposition,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Disposition {
    pace_with(disposition, attempt, backoff, |reason, why| {
        gave_up(api.name(), reason, why)
    })
}

/// [`pace`] with the caller's sentence for giving up (`reason`: why the
/// request failed): a [`Disposition::Retry`] becomes a pause or a failure,
/// anything else passes through.
pub(crate) fn pace_with(
    disposition: Disposition,
    attempt: &Attempt,
    backoff: &Backoff,
    give_up: impl FnOnce(&str, GiveUp) -> Disposition,
) -> Disposition {
    let Disposition::Retry {
        retry_after_ms,
        reason,
    } = disposition
    else {
        return disposition;
    };
    let jitter = attempt.jitter.to_le_bytes();
    let at = Moment {
        now_ms: attempt.now_ms,
        random: &jitter,
    };
    match backoff.next(attempt.number, retry_after_ms, at) {
        Pause::Wait { after_ms, .. } => Disposition::RetryAfter { after_ms, reason },
        Pause::GiveUp { reason: why } => give_up(&reason, why),
    }
}

/// The sentence for a retry sequence that stopped (`who`: the API's name).
pub(crate) fn gave_up(who: &str, reason: &str, why: GiveUp) -> Disposition {
    match why {
        GiveUp::Exhausted => fail(
            "retriesExhausted",
            format!(
                "{who} kept failing ({reason}). Inlay stopped retrying; please try again later."
            ),
        ),
        GiveUp::TooLong { wait_ms } => fail(
            "providerBusy",
            format!(
                "{who} asked Inlay to wait {} ({reason}). Please try again after that.",
                pause_in_words(wait_ms)
            ),
        ),
    }
}

/// What a token request was for: its refusals are worded for a
/// connection being renewed, or for a sign-in that just happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenUse {
    /// Exchanging a sign-in's authorization code.
    CodeExchange,
    /// Renewing an existing connection's access.
    Renewal,
}

/// Reads an HTTP response ([`read`]).
pub fn read_response(api: Api, response: &HttpResponse, attempt: &Attempt) -> Disposition {
    read_token_response(api, response, attempt, TokenUse::Renewal)
}

/// Reads an HTTP response ([`read`]), wording a token endpoint's refusal
/// for `token_use`.
pub fn read_token_response(
    api: Api,
    response: &HttpResponse,
    attempt: &Attempt,
    token_use: TokenUse,
) -> Disposition {
    let status = response.status;
    if (200..300).contains(&status) {
        return Disposition::Success;
    }
    let retry_after = response
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, attempt.now_ms));
    let info = ErrorInfo::parse(&response.body);
    if status == 429 || (500..600).contains(&status) {
        let what = info
            .code
            .as_deref()
            .or(info.reasons.first().map(String::as_str));
        let reason = match (status, what) {
            (429, Some(code)) => format!("{} is limiting requests ({code})", api.name()),
            (429, None) => format!("{} is limiting requests", api.name()),
            (_, _) => format!("{} had a temporary problem (HTTP {status})", api.name()),
        };
        return retry(retry_after, reason);
    }
    match api {
        Api::Gmail => gmail::classify_response(status, &info, attempt, retry_after),
        Api::Graph => graph::classify_response(status, &info, attempt),
        Api::GoogleToken | Api::MicrosoftToken => {
            token_endpoint(api, status, &info, retry_after, token_use)
        }
    }
}

/// Reads `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
/// A date in the past gives 0. Returns milliseconds from `now_ms`.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(secs.saturating_mul(1000));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at_ms = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    let at_ms = u64::try_from(at_ms).unwrap_or(u64::MAX);
    Some(at_ms.saturating_sub(now_ms))
}

/// The parts of an error body that matter, across the three JSON shapes.
#[derive(Debug, Default)]
pub(crate) struct ErrorInfo {
    /// Graph `error.code`, or the token endpoint's `error`.
    code: Option<String>,
    /// Google `errors[].reason`, `details[].reason` and `status`.
    reasons: Vec<String>,
    /// The provider's human message (`error.message` / `error_description`).
    message: Option<String>,
    /// Microsoft `AADSTS` number, from `error_codes` or the description.
    aadsts: Option<u32>,
}

impl ErrorInfo {
    fn parse(body: &str) -> ErrorInfo {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return ErrorInfo::default();
        };
        let mut info = ErrorInfo::default();
        match v.get("error") {
            // Token endpoints: {"error":"invalid_grant","error_description":…}
            Some(Value::String(code)) => {
                info.code = Some(code.clone());
                info.message = v
                    .get("error_description")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                info.aadsts = v
                    .get("error_codes")
                    .and_then(Value::as_array)
                    .and_then(|c| c.first())
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .or_else(|| info.message.as_deref().and_then(crate::auth::aadsts_code));
            }
            // Google APIs and Graph: {"error":{…}}
            Some(Value::Object(e)) => {
                if let Some(code) = e.get("code").and_then(Value::as_str) {
                    info.code = Some(code.to_string());
                }
                info.message = e.get("message").and_then(Value::as_str).map(str::to_string);
                for key in ["errors", "details"] {
                    if let Some(list) = e.get(key).and_then(Value::as_array) {
                        info.reasons.extend(
                            list.iter()
                                .filter_map(|x| x.get("reason").and_then(Value::as_str))
                                .map(str::to_string),
                        );
                    }
                }
                if let Some(status) = e.get("status").and_then(Value::as_str) {
                    info.reasons.push(status.to_string());
                }
            }
            _ => {}
        }
        info
    }

    pub(crate) fn has_reason(&self, reason: &str) -> bool {
        self.reasons.iter().any(|r| r == reason)
    }

    /// The provider's message, trimmed, for "… said: …".
    pub(crate) fn said(&self) -> String {
        match self
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => format!(" It said: \"{m}\""),
            None => String::new(),
        }
    }
}

/// A retryable answer; the machine's backoff decides ([`pace`]).
pub(crate) fn retry(retry_after_ms: Option<u64>, reason: String) -> Disposition {
    Disposition::Retry {
        retry_after_ms,
        reason,
    }
}

pub(crate) fn fail(code: &str, message: String) -> Disposition {
    Disposition::Fail {
        code: code.into(),
        message,
    }
}

pub(crate) fn reauth(code: &str, message: impl Into<String>) -> Disposition {
    Disposition::Reauthenticate {
        code: code.into(),
        message: message.into(),
    }
}

/// A 401 from an API: refresh once, then the grant is gone.
pub(crate) fn unauthorized(api: Api, attempt: &Attempt) -> Disposition {
    if attempt.after_refresh {
        let who = if api == Api::Gmail {
            "Google"
        } else {
            "Microsoft"
        };
        reauth(
            "tokenRejected",
            format!(
                "{who} no longer accepts Inlay's access to this account. Sign in again to reconnect."
            ),
        )
    } else {
        Disposition::RefreshToken
    }
}

fn token_endpoint(
    api: Api,
    status: u16,
    info: &ErrorInfo,
    retry_after: Option<u64>,
    token_use: TokenUse,
) -> Disposition {
    let provider = if api == Api::GoogleToken {
        "Google"
    } else {
        "Microsoft"
    };
    let description = info.message.as_deref().unwrap_or("");
    match info.code.as_deref() {
        Some("invalid_grant") | Some("interaction_required") | Some("consent_required") => {
            let specific = match api {
                Api::MicrosoftToken => graph::grant_lost(info.aadsts),
                _ => gmail::grant_lost(description, token_use),
            };
            specific.unwrap_or_else(|| {
                reauth(
                    "grantInvalid",
                    match token_use {
                        TokenUse::Renewal => format!(
                            "{provider} no longer accepts Inlay's sign-in for this account. Sign in again to reconnect."
                        ),
                        TokenUse::CodeExchange => code_refused(provider),
                    },
                )
            })
        }
        Some("temporarily_unavailable") | Some("server_error") => retry(
            retry_after,
            format!("{} is temporarily unavailable", api.name()),
        ),
        Some("invalid_client")
        | Some("unauthorized_client")
        | Some("invalid_scope")
        | Some("unsupported_grant_type") => client_misconfigured(provider),
        Some("invalid_request")
            if info
                .aadsts
                .is_some_and(|n| graph::CLIENT_MISCONFIGURED_AADSTS.contains(&n))
                || description.contains("client_secret") =>
        {
            client_misconfigured(provider)
        }
        _ => fail(
            "tokenRequestFailed",
            format!(
                "{provider} refused to renew Inlay's access (HTTP {status}).{} Please try again, or sign in again if it keeps happening.",
                info.said()
            ),
        ),
    }
}

/// A sign-in's code the token endpoint would not exchange: there is no
/// connection yet to speak of.
pub(crate) fn code_refused(provider: &str) -> String {
    format!(
        "{provider} didn't accept this sign-in; it may have expired or been used already. Please connect again."
    )
}

fn client_misconfigured(provider: &str) -> Disposition {
    fail(
        "clientMisconfigured",
        format!(
            "Inlay's {provider} sign-in is set up incorrectly (client ID, secret or redirect registration), so it can't connect. Please tell your administrator or Inlay's support."
        ),
    )
}

/// A `GET` with the bearer token.
pub fn bearer_get(url: &str, access_token: &str) -> HttpRequest {
    HttpRequest {
        body_base64: None,
        method: Method::Get,
        url: url.into(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {access_token}")),
            ("Accept".into(), "application/json".into()),
        ],
        body: None,
    }
}

/// A non-empty, trimmed string field of a JSON object.
pub(crate) fn text_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Adds `address` to `list` if it is an address and not the same mailbox
/// as one already there.
pub(crate) fn push_unique_address(list: &mut Vec<String>, address: &str) {
    if parse_address(address).is_ok() && !list.iter().any(|a| same_mailbox(a, address)) {
        list.push(address.to_string());
    }
}
