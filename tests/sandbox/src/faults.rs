//! Injected failures: tests register faults through the control API and the HTTPS server
//! consults them before routing, so any fake can be made to fail without its own code.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::http::Response;

/// Body of `POST /faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultSpec {
    pub host: String,
    pub method: Option<String>,
    pub path_prefix: Option<String>,
    /// Only requests whose body contains this text (e.g. `<m:SendItem` for one EWS
    /// operation, as every EWS request shares one path).
    pub body_contains: Option<String>,
    /// How many requests it applies to; unlimited when absent.
    pub times: Option<u32>,
    pub status: Option<u16>,
    pub headers: Option<BTreeMap<String, String>>,
    pub body: Option<String>,
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub reset: bool,
    #[serde(default)]
    pub malformed: bool,
    /// Serve the request first (a send is delivered and recorded), then apply the
    /// action to its answer: `reset` drops it, `status` replaces it, `delayMs` holds it
    /// back (past the client's timeout), `malformed` cuts it.
    #[serde(default)]
    pub after_accept: bool,
    /// EWS: answer Exchange's `ErrorServerBusy` fault (HTTP 500) asking for this many
    /// milliseconds of `BackOffMilliseconds`; nothing is served.
    pub ews_server_busy_ms: Option<u64>,
}

/// What happens to a matched request (after the optional delay).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Answer with this response instead of the fake's.
    Respond(Response),
    /// Close the connection without any response.
    Reset,
    /// Answer 200 with the fake's body cut short (see [`malform`]).
    Malformed,
    /// Serve normally (a pure delay).
    PassThrough,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub id: u64,
    pub spec: FaultSpec,
    /// Requests it still applies to; `None` = unlimited.
    remaining: Option<u32>,
    action: Action,
}

/// A fault that matched a request: what the server must do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub id: u64,
    pub delay: Option<Duration>,
    pub action: Action,
    /// The fake serves the request before the action (`FaultSpec::after_accept`).
    pub after_accept: bool,
}

impl Fault {
    fn new(id: u64, spec: FaultSpec) -> Result<Self, String> {
        if spec.times == Some(0) {
            return Err("\"times\" must be at least 1".into());
        }
        let actions = [
            spec.status.is_some(),
            spec.reset,
            spec.malformed,
            spec.ews_server_busy_ms.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if actions > 1 {
            return Err(
                "give at most one of \"status\", \"reset\", \"malformed\", \"ewsServerBusyMs\""
                    .into(),
            );
        }
        if actions == 0 && spec.delay_ms.is_none() {
            return Err(
                "give one of \"status\", \"delayMs\", \"reset\", \"malformed\", \"ewsServerBusyMs\""
                    .into(),
            );
        }
        if spec.status.is_none() && (spec.headers.is_some() || spec.body.is_some()) {
            return Err("\"headers\" and \"body\" need \"status\"".into());
        }
        let action = if let Some(ms) = spec.ews_server_busy_ms {
            Action::Respond(crate::hosts::ews::server_busy(ms))
        } else if let Some(status) = spec.status {
            if !(100..=999).contains(&status) {
                return Err(format!("bad status {status}"));
            }
            Action::Respond(canned_response(
                status,
                spec.headers.as_ref(),
                spec.body.as_deref(),
            ))
        } else if spec.reset {
            Action::Reset
        } else if spec.malformed {
            Action::Malformed
        } else {
            Action::PassThrough
        };
        Ok(Fault {
            id,
            remaining: spec.times,
            action,
            spec,
        })
    }

    fn matches(&self, host: &str, method: &str, path: &str, body: &[u8]) -> bool {
        let needle = self.spec.body_contains.as_deref().map(str::as_bytes);
        needle.is_none_or(|n| n.is_empty() || body.windows(n.len()).any(|w| w == n))
            && self.spec.host.eq_ignore_ascii_case(host)
            && self
                .spec
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .spec
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }

    /// The fault as listed by `GET /faults`.
    pub fn describe(&self) -> Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "host": self.spec.host,
            "method": self.spec.method,
            "pathPrefix": self.spec.path_prefix,
            "bodyContains": self.spec.body_contains,
            "remaining": self.remaining,
            "status": self.spec.status,
            "delayMs": self.spec.delay_ms,
            "reset": self.spec.reset,
            "malformed": self.spec.malformed,
            "afterAccept": self.spec.after_accept,
            "ewsServerBusyMs": self.spec.ews_server_busy_ms,
        });
        v.as_object_mut().unwrap().retain(|_, v| !v.is_null());
        v
    }
}

/// A status-only fault answers with exactly what the test gave; the content type is
/// guessed only when the test gave a body but no `Content-Type`.
fn canned_response(
    status: u16,
    headers: Option<&BTreeMap<String, String>>,
    body: Option<&str>,
) -> Response {
    let mut resp = Response::empty(status);
    if let Some(body) = body {
        let looks_json = matches!(body.trim_start().as_bytes().first(), Some(b'{' | b'['));
        resp = resp.with_header(
            "content-type",
            if looks_json {
                "application/json; charset=UTF-8"
            } else {
                "text/plain; charset=utf-8"
            },
        );
        resp.body = body.as_bytes().to_vec();
    }
    for (name, value) in headers.into_iter().flatten() {
        resp = resp.with_header(name, value);
    }
    resp
}

/// The registered faults, in registration order.
#[derive(Debug, Default)]
pub struct Faults {
    next_id: u64,
    active: Vec<Fault>,
}

impl Faults {
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        self.next_id += 1;
        let fault = Fault::new(self.next_id, spec)?;
        self.active.push(fault);
        Ok(self.next_id)
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.active.len();
        self.active.retain(|f| f.id != id);
        self.active.len() != before
    }

    /// Removes every fault; ids keep counting up so an old id never names a new fault.
    pub fn clear(&mut self) {
        self.active.clear();
    }

    pub fn list(&self) -> impl Iterator<Item = &Fault> {
        self.active.iter()
    }

    /// The first-registered fault that matches, counted down (and dropped once used up).
    pub fn take(&mut self, host: &str, method: &str, path: &str) -> Option<Applied> {
        self.take_with_body(host, method, path, &[])
    }

    /// [`Self::take`] for a request with this body (`bodyContains` faults need it).
    pub fn take_with_body(
        &mut self,
        host: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Option<Applied> {
        let index = self
            .active
            .iter()
            .position(|f| f.matches(host, method, path, body))?;
        let fault = &mut self.active[index];
        let applied = Applied {
            id: fault.id,
            delay: fault.spec.delay_ms.map(Duration::from_millis),
            action: fault.action.clone(),
            after_accept: fault.spec.after_accept,
        };
        if let Some(left) = &mut fault.remaining {
            *left -= 1;
            if *left == 0 {
                self.active.remove(index);
            }
        }
        Some(applied)
    }
}

/// Turns the fake's response into a 200 whose body is cut short, keeping the route's
/// content type, so clients meet a body that does not parse as what it claims to be.
pub fn malform(resp: Response) -> Response {
    let content_type = resp
        .header("content-type")
        .unwrap_or("application/json; charset=UTF-8")
        .to_owned();
    let is_json = content_type.contains("json");
    let mut body = resp.body;
    body.truncate(body.len() / 2);
    if body.is_empty() {
        body = if is_json {
            b"{\"".to_vec()
        } else {
            b"<".to_vec()
        };
    } else if is_json && serde_json::from_slice::<Value>(&body).is_ok() {
        // A prefix such as `12` of `123` is still valid JSON: spoil it.
        body.push(b'{');
    }
    let mut out = Response::new(200, &content_type, body);
    out.headers.extend(
        resp.headers
            .into_iter()
            .filter(|(n, _)| n != "content-type" && n != "content-length"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> FaultSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn times_counts_down_then_the_fault_is_gone() {
        let mut f = Faults::default();
        let id = f
            .add(spec(
                json!({"host":"gmail.googleapis.com","times":2,"status":429}),
            ))
            .unwrap();
        for _ in 0..2 {
            assert_eq!(
                f.take("gmail.googleapis.com", "GET", "/x").map(|a| a.id),
                Some(id)
            );
        }
        assert!(f.take("gmail.googleapis.com", "GET", "/x").is_none());
        assert_eq!(f.list().count(), 0);
    }

    #[test]
    fn unlimited_by_default() {
        let mut f = Faults::default();
        f.add(spec(json!({"host":"h","reset":true}))).unwrap();
        for _ in 0..10 {
            assert_eq!(f.take("h", "GET", "/").unwrap().action, Action::Reset);
        }
    }

    #[test]
    fn filters_on_a_text_in_the_body() {
        let mut f = Faults::default();
        f.add(spec(
            json!({"host":"h","pathPrefix":"/EWS","bodyContains":"<m:SendItem","reset":true}),
        ))
        .unwrap();
        assert!(
            f.take_with_body("h", "POST", "/EWS", b"<m:CreateItem/>")
                .is_none()
        );
        assert!(f.take("h", "POST", "/EWS").is_none());
        assert!(
            f.take_with_body(
                "h",
                "POST",
                "/EWS",
                b"<s:Body><m:SendItem SaveItemToFolder=\"true\">"
            )
            .is_some()
        );
    }

    #[test]
    fn filters_on_host_method_and_path_prefix() {
        let mut f = Faults::default();
        f.add(spec(json!({"host":"Graph.Microsoft.com","method":"post","pathPrefix":"/v1.0/me/sendMail","malformed":true})))
            .unwrap();
        assert!(
            f.take("graph.microsoft.com", "GET", "/v1.0/me/sendMail")
                .is_none()
        );
        assert!(f.take("graph.microsoft.com", "POST", "/v1.0/me").is_none());
        assert!(
            f.take("gmail.googleapis.com", "POST", "/v1.0/me/sendMail")
                .is_none()
        );
        assert_eq!(
            f.take("graph.microsoft.com", "POST", "/v1.0/me/sendMail")
                .unwrap()
                .action,
            Action::Malformed
        );
    }

    #[test]
    fn first_registered_wins_and_removal_by_id() {
        let mut f = Faults::default();
        let a = f.add(spec(json!({"host":"h","status":500}))).unwrap();
        let b = f.add(spec(json!({"host":"h","delayMs":5}))).unwrap();
        assert_eq!(f.take("h", "GET", "/").unwrap().id, a);
        assert!(f.remove(a));
        assert!(!f.remove(a));
        let applied = f.take("h", "GET", "/").unwrap();
        assert_eq!(
            (applied.id, applied.delay, applied.action),
            (b, Some(Duration::from_millis(5)), Action::PassThrough)
        );
    }

    #[test]
    fn status_fault_carries_headers_and_body() {
        let mut f = Faults::default();
        f.add(spec(json!({"host":"h","status":429,"headers":{"Retry-After":"7"},"body":"{\"error\":1}","delayMs":3})))
            .unwrap();
        let applied = f.take("h", "GET", "/").unwrap();
        assert_eq!(applied.delay, Some(Duration::from_millis(3)));
        let Action::Respond(resp) = applied.action else {
            panic!("not a response")
        };
        assert_eq!(resp.status, 429);
        assert_eq!(resp.header("retry-after"), Some("7"));
        assert_eq!(
            resp.header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        assert_eq!(resp.body, b"{\"error\":1}");
    }

    #[test]
    fn rejects_ambiguous_or_empty_specs() {
        let mut f = Faults::default();
        assert!(f.add(spec(json!({"host":"h"}))).is_err());
        assert!(
            f.add(spec(json!({"host":"h","status":429,"reset":true})))
                .is_err()
        );
        assert!(
            f.add(spec(json!({"host":"h","times":0,"reset":true})))
                .is_err()
        );
        assert!(
            f.add(spec(json!({"host":"h","body":"x","delayMs":1})))
                .is_err()
        );
        assert!(serde_json::from_value::<FaultSpec>(json!({"host":"h","statsu":1})).is_err());
    }

    #[test]
    fn malformed_bodies_do_not_parse() {
        let json_resp = Response::json(404, &json!({"error":{"code":404,"message":"x"}}));
        let bad = malform(json_resp);
        assert_eq!(bad.status, 200);
        assert!(
            bad.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert!(serde_json::from_slice::<Value>(&bad.body).is_err());
        assert!(
            serde_json::from_slice::<Value>(&malform(Response::json(200, &json!(123))).body)
                .is_err()
        );
        assert_eq!(malform(Response::empty(204)).body, b"{\"");
    }
}
