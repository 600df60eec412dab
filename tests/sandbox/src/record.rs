//! The log of every HTTPS request the fakes received, for tests to assert on what the
//! extension really sent.

use base64::Engine;
use serde::Serialize;

use crate::http::Request;

/// Bodies are kept up to this size; larger ones are cut and flagged.
pub const MAX_RECORDED_BODY: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// Increases by one per request for the life of the process (never reused).
    pub seq: u64,
    pub host: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// `[name, value]` pairs, names lower-cased, as received (hyper groups repeats of a name).
    pub headers: Vec<(String, String)>,
    /// UTF-8 text, or base64 when `bodyBase64` is true.
    pub body: String,
    pub body_base64: bool,
    pub body_truncated: bool,
    /// The fault that was applied to this request, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault_id: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Recorder {
    next_seq: u64,
    entries: Vec<RecordedRequest>,
}

impl Recorder {
    pub fn record(&mut self, req: &Request, fault_id: Option<u64>) -> u64 {
        self.next_seq += 1;
        let truncated = req.body.len() > MAX_RECORDED_BODY;
        let kept = &req.body[..req.body.len().min(MAX_RECORDED_BODY)];
        let (body, body_base64) = match std::str::from_utf8(kept) {
            Ok(text) => (text.to_owned(), false),
            Err(_) => (base64::engine::general_purpose::STANDARD.encode(kept), true),
        };
        self.entries.push(RecordedRequest {
            seq: self.next_seq,
            host: req.host.clone(),
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body,
            body_base64,
            body_truncated: truncated,
            fault_id,
        });
        self.next_seq
    }

    /// Recorded requests in arrival order, optionally filtered by exact host and path prefix.
    pub fn select(&self, host: Option<&str>, path_prefix: Option<&str>) -> Vec<&RecordedRequest> {
        self.entries
            .iter()
            .filter(|r| host.is_none_or(|h| r.host.eq_ignore_ascii_case(h)))
            .filter(|r| path_prefix.is_none_or(|p| r.path.starts_with(p)))
            .collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order_and_filters() {
        let mut r = Recorder::default();
        r.record(
            &Request::new("GET", "dns.google", "/resolve?name=a.com"),
            None,
        );
        r.record(
            &Request::new(
                "POST",
                "gmail.googleapis.com",
                "/gmail/v1/users/me/messages/send",
            )
            .with_body(vec![0xff, 0]),
            Some(4),
        );
        r.record(
            &Request::new("GET", "gmail.googleapis.com", "/gmail/v1/users/me/profile"),
            None,
        );
        let gmail = r.select(Some("gmail.googleapis.com"), Some("/gmail/v1/users/me/"));
        assert_eq!(gmail.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert!(gmail[0].body_base64);
        assert_eq!(gmail[0].body, "/wA=");
        assert_eq!(r.select(None, None)[0].query, "name=a.com");
        r.clear();
        assert_eq!(
            r.record(&Request::new("GET", "x", "/"), None),
            4,
            "seq is never reused"
        );
    }
}
