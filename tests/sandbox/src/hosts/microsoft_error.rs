//! The Microsoft identity platform's error texts: `AADSTSnnnn: message Trace ID: …
//! Correlation ID: … Timestamp: …`, and the token endpoint's JSON error body.

use serde_json::{Value, json};

use crate::http::Response;
use crate::ids;

/// `2026-01-31 09:15:02Z`, as error bodies stamp them.
pub fn timestamp(now: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(now as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2026-01-31T09:15:02.0000000Z`, as AADSTS700084 quotes the issue time.
pub fn iso_time(now: u64) -> String {
    let t = timestamp(now);
    format!("{}T{}.0000000Z", &t[..10], &t[11..19])
}

pub struct Aadsts {
    pub code: u32,
    pub description: String,
    pub trace_id: String,
    pub correlation_id: String,
    pub timestamp: String,
}

pub fn aadsts(code: u32, message: &str, now: u64) -> Aadsts {
    let trace_id = ids::guid();
    let correlation_id = ids::guid();
    let timestamp = timestamp(now);
    Aadsts {
        code,
        description: format!(
            "AADSTS{code}: {message} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
        ),
        trace_id,
        correlation_id,
        timestamp,
    }
}

/// The token endpoint's error: `{error, error_description, error_codes, timestamp,
/// trace_id, correlation_id, error_uri[, suberror]}`.
pub fn token_error(
    status: u16,
    error: &str,
    code: u32,
    message: &str,
    now: u64,
    suberror: Option<&str>,
) -> Response {
    let a = aadsts(code, message, now);
    let mut body = json!({
        "error": error,
        "error_description": a.description,
        "error_codes": [code],
        "timestamp": a.timestamp,
        "trace_id": a.trace_id,
        "correlation_id": a.correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    if let (Some(sub), Value::Object(map)) = (suberror, &mut body) {
        map.insert("suberror".into(), json!(sub));
    }
    Response::json(status, &body)
        .with_header("cache-control", "no-store, no-cache")
        .with_header("pragma", "no-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00Z");
        assert_eq!(iso_time(86_400 + 61), "1970-01-02T00:01:01.0000000Z");
        let a = aadsts(70008, "Expired.", 0);
        assert!(
            a.description
                .starts_with("AADSTS70008: Expired. Trace ID: ")
        );
        let r = token_error(
            400,
            "invalid_grant",
            65001,
            "No consent.",
            0,
            Some("consent_required"),
        );
        let body = r.json_body().unwrap();
        assert_eq!(body["error_codes"], json!([65001]));
        assert_eq!(body["suberror"], "consent_required");
    }
}
