//! What an answer to a Google or Microsoft API call of a send or a Sent
//! lookup is, before the provider says what it means for the email
//! ([`crate::send::provider`]): a success, a refused token, a throttle, a
//! server error, no answer at all, or a refusal with the provider's error.

use crate::http::TransportFailure;
use crate::send::provider::Answer;

use super::ErrorInfo;

/// An answer sorted by what every Google and Microsoft API shares.
#[derive(Debug)]
pub(crate) enum Reply<'a> {
    /// 2xx, with its body.
    Ok { body: &'a str },
    /// 401: the access token was refused.
    Unauthorized,
    /// 429: throttled before the request was read; `Retry-After` in ms when
    /// the server gave delta-seconds.
    Throttled { retry_after_ms: Option<u64> },
    /// 5xx.
    ServerError { status: u16 },
    /// No HTTP answer at all.
    NoAnswer(TransportFailure),
    /// Any other status, with the error body read.
    Refused {
        status: u16,
        info: ErrorInfo,
        retry_after_ms: Option<u64>,
    },
    /// A helper's answer to an HTTP call: a wiring mistake of the caller.
    NotHttp,
}

pub(crate) fn reply<'a>(answer: &Answer<'a>) -> Reply<'a> {
    let response = match answer {
        Answer::Response(response) => *response,
        Answer::Transport(failure) => return Reply::NoAnswer(*failure),
        Answer::HelperReply(_) | Answer::HelperFailed { .. } => return Reply::NotHttp,
    };
    let status = response.status;
    let retry_after_ms = response.header("retry-after").and_then(retry_after_ms);
    match status {
        200..=299 => Reply::Ok {
            body: &response.body,
        },
        401 => Reply::Unauthorized,
        429 => Reply::Throttled { retry_after_ms },
        500..=599 => Reply::ServerError { status },
        _ => Reply::Refused {
            status,
            info: ErrorInfo::parse(&response.body),
            retry_after_ms,
        },
    }
}

/// `Retry-After` as delta-seconds. A provider's read has no clock, so an
/// HTTP-date is left to the outbox's own backoff (Google and Graph send
/// seconds).
fn retry_after_ms(value: &str) -> Option<u64> {
    let value = value.trim();
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())).then(|| {
        value
            .parse::<u64>()
            .unwrap_or(u64::MAX)
            .saturating_mul(1000)
    })
}

impl ErrorInfo {
    /// The provider's own error code or first reason, for a `Permanent` code
    /// and for the words.
    pub(crate) fn code_or_reason(&self) -> Option<&str> {
        self.code
            .as_deref()
            .or(self.reasons.first().map(String::as_str))
    }

    /// The provider's message, raw (for matching a known sentence).
    pub(crate) fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }
}
