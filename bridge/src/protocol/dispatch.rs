//! The dispatcher: one request frame in, one reply out.

use super::args::{CheckArgs, LookupArgs, NoArgs, SendArgs, SyncArgs};
use super::reply::{error, failure, ok};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub const MAX_ID_LEN: usize = 64;

/// Handles one request frame and returns the reply.
pub fn handle(frame: &[u8]) -> Value {
    let v: Value = match serde_json::from_slice(frame) {
        Ok(v) => v,
        Err(e) => {
            return error(
                None,
                "badJson",
                &format!("request is not valid UTF-8 JSON: {e}"),
            );
        }
    };
    let Value::Object(mut obj) = v else {
        return error(None, "badRequest", "request must be a JSON object");
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= MAX_ID_LEN => s,
        _ => return error(None, "badRequest", "`id` must be a string of 1..=64 chars"),
    };
    let id = Some(id.as_str());
    let op = match obj.remove("op") {
        Some(Value::String(s)) => s,
        _ => return error(id, "badRequest", "`op` must be a string"),
    };
    let result: Result<Value, crate::net::Fail> = match op.as_str() {
        "ping" => args::<NoArgs>(obj).map(|_| json!({"version": env!("CARGO_PKG_VERSION")})),
        "imapCheck" => args::<CheckArgs>(obj)
            .and_then(|a| a.validate().map(|()| a).map_err(bad))
            .and_then(|a| crate::imap::check(&a)),
        "smtpCheck" => args::<CheckArgs>(obj)
            .and_then(|a| a.validate().map(|()| a).map_err(bad))
            .and_then(|a| crate::smtp::check(&a)),
        "imapSync" => args::<SyncArgs>(obj)
            .and_then(|a| a.validate().map(|()| a).map_err(bad))
            .and_then(|a| crate::imap::sync_public(&a)),
        "sentLookup" => args::<LookupArgs>(obj)
            .and_then(|a| a.validate().map(|()| a).map_err(bad))
            .and_then(|a| crate::imap::sent_lookup_public(&a)),
        "send" => args::<SendArgs>(obj).and_then(|a| {
            let message = a.validate().map_err(bad)?;
            crate::smtp::send_public(&a, &message)
        }),
        _ => {
            let shown: String = op.chars().take(MAX_ID_LEN).collect();
            return error(id, "unknownOp", &format!("unknown op {shown:?}"));
        }
    };
    match result {
        Ok(v) => ok(id, v),
        Err(f) => failure(id, &f),
    }
}

fn bad(message: String) -> crate::net::Fail {
    crate::net::fail("badRequest", message)
}

fn args<T: for<'de> Deserialize<'de>>(obj: Map<String, Value>) -> Result<T, crate::net::Fail> {
    serde_json::from_value(Value::Object(obj)).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(reply: &Value) -> &str {
        reply["error"]["code"].as_str().unwrap_or("ok")
    }

    #[test]
    fn validation_table() {
        let long_id = "x".repeat(65);
        let id64 = "é".repeat(64); // chars, not bytes
        let check = r#""host":"imap.example.com","port":993,"security":"implicitTls","username":"u","password":"p""#;
        let cases: Vec<(String, &str, Option<&str>)> = vec![
            (r#"{"id":"1","op":"ping"}"#.into(), "ok", Some("1")),
            (
                format!(r#"{{"id":"{id64}","op":"ping"}}"#),
                "ok",
                Some(id64.as_str()),
            ),
            (
                r#"{"id":"1","op":"ping","extra":1}"#.into(),
                "badRequest",
                Some("1"),
            ),
            (r#"{"id":"1","op":"nuke"}"#.into(), "unknownOp", Some("1")),
            (r#"{"id":"1"}"#.into(), "badRequest", Some("1")),
            (r#"{"id":"1","op":7}"#.into(), "badRequest", Some("1")),
            (r#"{"op":"ping"}"#.into(), "badRequest", None),
            (r#"{"id":"","op":"ping"}"#.into(), "badRequest", None),
            (r#"{"id":7,"op":"ping"}"#.into(), "badRequest", None),
            (
                format!(r#"{{"id":"{long_id}","op":"ping"}}"#),
                "badRequest",
                None,
            ),
            (r#"[1,2]"#.into(), "badRequest", None),
            (r#"{"id":"1","op":"ping""#.into(), "badJson", None),
            ("\u{0}".into(), "badJson", None),
            (
                format!(
                    r#"{{"id":"1","op":"smtpCheck",{}}}"#,
                    check.replace("993", "70000")
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(r#"{{"id":"1","op":"imapCheck",{check},"tls":1}}"#),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"imapCheck",{}}}"#,
                    check.replace("implicitTls", "none")
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"imapCheck",{}}}"#,
                    check.replace("993", "0")
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"imapCheck",{}}}"#,
                    check.replace(r#""u""#, r#""u\r\nA1 LOGOUT""#)
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"imapCheck",{}}}"#,
                    check.replace("imap.example.com", "a b")
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(r#"{{"id":"1","op":"imapCheck",{check},"pinnedSpki":"AAAA"}}"#),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"imapCheck",{check},"pinnedSpki":"{}!"}}"#,
                    "A".repeat(43)
                ),
                "badRequest",
                Some("1"),
            ),
            (
                format!(
                    r#"{{"id":"1","op":"smtpCheck",{check},"pinnedSpki":"{}=","trustAnyCertificate":true}}"#,
                    "A".repeat(43)
                ),
                "badRequest",
                Some("1"),
            ),
        ];
        for (req, want, want_id) in &cases {
            let reply = handle(req.as_bytes());
            assert_eq!(code(&reply), *want, "{req} -> {reply}");
            assert_eq!(reply["id"].as_str(), *want_id, "{req} -> {reply}");
        }
    }

    #[test]
    fn ping_reports_version() {
        let reply = handle(br#"{"id":"a","op":"ping"}"#);
        assert_eq!(
            reply,
            json!({"id": "a", "ok": true, "value": {"version": env!("CARGO_PKG_VERSION")}})
        );
    }
}
