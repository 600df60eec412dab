//! What an answer to a Google or Microsoft API call of a send or a Sent
//! lookup is, before the provider says what it means for the email
//! ([`crate::send::provider`]): a success, a refused token, a throttle, a
//! server error, no answer at all, or a refusal with the provider's error.

use crate::http::{HttpResponse, TransportFailure};
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
    let info = || ErrorInfo::parse(&response.body);
    match status {
        200..=299 => Reply::Ok {
            body: &response.body,
        },
        401 => Reply::Unauthorized,
        429 => Reply::Throttled {
            retry_after_ms: retry_after_ms(response, &info()),
        },
        500..=599 => Reply::ServerError { status },
        _ => {
            let info = info();
            Reply::Refused {
                status,
                retry_after_ms: retry_after_ms(response, &info),
                info,
            }
        }
    }
}

/// How long the server asked to wait, in ms. A provider's read has no clock
/// of its own, so a time is measured against the answer's `Date` (the
/// server's clock, like the time it names): `Retry-After` in delta-seconds or
/// as an HTTP-date, else Gmail's "Retry after 2026-12-05T23:00:00.000Z" in
/// the error message (its sending limit, which lasts hours). Without `Date`
/// only delta-seconds can be read; the outbox's backoff decides the rest.
fn retry_after_ms(response: &HttpResponse, info: &ErrorInfo) -> Option<u64> {
    if response.header("retry-after").is_some() {
        return retry_after_header_ms(response);
    }
    let message = info.message();
    let at = message.find("Retry after ").and_then(|i| {
        rfc3339_ms(
            message[i + "Retry after ".len()..]
                .split_whitespace()
                .next()?,
        )
    })?;
    Some(at.saturating_sub(server_now_ms(response)?))
}

/// `Retry-After` in ms: delta-seconds, or an HTTP-date measured against the
/// answer's own `Date` (none without it). Any HTTP answer's: EWS reads it too.
pub(crate) fn retry_after_header_ms(response: &HttpResponse) -> Option<u64> {
    let value = response.header("retry-after")?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .unwrap_or(u64::MAX)
                .saturating_mul(1000),
        );
    }
    let at = unix_ms(httpdate::parse_http_date(value).ok()?)?;
    Some(at.saturating_sub(server_now_ms(response)?))
}

/// The answer's `Date`, Unix ms: the server's clock.
fn server_now_ms(response: &HttpResponse) -> Option<u64> {
    unix_ms(httpdate::parse_http_date(response.header("date")?.trim()).ok()?)
}

fn unix_ms(t: std::time::SystemTime) -> Option<u64> {
    let ms = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    u64::try_from(ms).ok()
}

/// `2026-12-05T23:00:00.000Z` (UTC, optional fraction) → Unix ms.
pub(crate) fn rfc3339_ms(text: &str) -> Option<u64> {
    let text = text.trim_end_matches(['.', ',']).strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    let days = crate::utc::days_from_civil(y, m as u32, day as u32);
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let total = ((days * 86_400 + h * 3600 + min * 60 + sec) * 1000) + millis;
    u64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::rfc3339_ms;

    #[test]
    fn rfc3339_times_in_utc() {
        assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_ms("2026-12-05T23:00:00.5Z"),
            Some(1_796_511_600_500)
        );
        assert_eq!(
            rfc3339_ms("2000-02-29T12:00:00.123Z"),
            Some(951_825_600_123)
        );
        assert_eq!(rfc3339_ms("2026-12-05T23:00:00"), None, "UTC only");
        assert_eq!(rfc3339_ms("2026-13-05T23:00:00Z"), None);
    }
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
