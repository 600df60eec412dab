//! Request/reply protocol and the caller check.
//!
//! Request: `{"id": "<1..=64 chars>", "op": "<op>", ...op args}`; unknown keys
//! are refused. Replies: `{"id", "ok": true, "value"}` or
//! `{"id", "ok": false, "error": {"code", "message"}}`. `id` is `null` when the
//! request had no usable id (malformed JSON, missing or oversized id); such
//! errors never stop the host, which keeps reading the next frame.
//!
//! Error codes: `badJson`, `badRequest` (shape, unknown keys, limits),
//! `unknownOp`, `notImplemented` (a known op this build cannot serve yet),
//! and the `imapCheck` failures listed in `imap.rs`,
//! plus the framing codes `emptyFrame`, `frameTooLarge`, `badFrame`.
//!
//! # Caller check
//!
//! The browser decides who may start the host (`allowed_origins` /
//! `allowed_extensions` in the host manifest); the arguments it passes let us
//! refuse early when started for anyone else, e.g. by a manifest some other
//! installer dropped pointing at this binary:
//! - Chrome/Chromium: argv[1] is the caller origin `chrome-extension://<id>/`
//!   (on Windows argv[2] is `--parent-window=<hwnd>`).
//! - Firefox: argv[1] is the host manifest path, argv[2] the add-on id.
//!
//! This is defence in depth, not authentication: any local process can run the
//! binary with whatever arguments, but such a process already has the user's
//! privileges.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Inlay's Chrome Web Store extension id.
pub const CHROME_EXTENSION_ID: &str = "bbimpbbieljienmnelgcbakbkgaiinfn";
pub const CHROME_ORIGIN: &str = "chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/";
/// Firefox add-on id; must equal `browser_specific_settings.gecko.id` in the
/// Firefox build's manifest.json once that build exists.
pub const FIREFOX_ADDON_ID: &str = "inlay@inlay.invalid";

pub const MAX_ID_LEN: usize = 64;
const MAX_MESSAGE_LEN: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Chrome,
    Firefox,
}

/// Checks the arguments the browser started us with (without argv[0]).
pub fn check_caller(args: &[String]) -> Result<Caller, String> {
    match args {
        [origin, ..] if origin == CHROME_ORIGIN => Ok(Caller::Chrome),
        [origin, ..] if origin.starts_with("chrome-extension://") => Err(format!(
            "refusing caller origin {origin:?}: only {CHROME_ORIGIN} may use this host"
        )),
        [_manifest, addon, ..] if addon == FIREFOX_ADDON_ID => Ok(Caller::Firefox),
        [_manifest, addon, ..] => Err(format!(
            "refusing Firefox add-on {addon:?}: only {FIREFOX_ADDON_ID} may use this host"
        )),
        _ => Err(
            "not started by Inlay's extension (expected its origin or add-on id as argument); \
                  see `inlay-bridge --help`"
                .into(),
        ),
    }
}

pub fn ok(id: Option<&str>, value: Value) -> Value {
    json!({"id": id, "ok": true, "value": value})
}

pub fn error(id: Option<&str>, code: &str, message: &str) -> Value {
    // Serde messages can quote input; keep replies bounded.
    let message: String = message.chars().take(MAX_MESSAGE_LEN).collect();
    json!({"id": id, "ok": false, "error": {"code": code, "message": message}})
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub enum Security {
    ImplicitTls,
    StartTls,
}

/// Arguments of `imapCheck` and `smtpCheck`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckArgs {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub trust_any_certificate: bool,
}

impl std::fmt::Debug for CheckArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password.
        f.debug_struct("CheckArgs")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("trust_any_certificate", &self.trust_any_certificate)
            .finish_non_exhaustive()
    }
}

impl CheckArgs {
    fn validate(&self) -> Result<(), String> {
        let host_ok = !self.host.is_empty()
            && self.host.len() <= 253
            && self
                .host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
        if !host_ok {
            return Err(
                "host must be 1..=253 chars of a DNS name or IP literal (IDNs as punycode)".into(),
            );
        }
        if self.port == 0 {
            return Err("port must be 1..=65535".into());
        }
        // CR/LF/NUL would let a value inject protocol lines.
        let clean = |s: &str| !s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
        if self.username.is_empty() || self.username.len() > 320 || !clean(&self.username) {
            return Err("username must be 1..=320 bytes without CR, LF or NUL".into());
        }
        if self.password.len() > 1024 || !clean(&self.password) {
            return Err("password must be at most 1024 bytes without CR, LF or NUL".into());
        }
        Ok(())
    }
}

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
    match op.as_str() {
        "ping" => match args::<NoArgs>(obj) {
            Ok(_) => ok(id, json!({"version": env!("CARGO_PKG_VERSION")})),
            Err(e) => error(id, "badRequest", &e),
        },
        "imapCheck" | "smtpCheck" => {
            match args::<CheckArgs>(obj).and_then(|a| a.validate().map(|()| a)) {
                Ok(a) if op == "imapCheck" => match crate::imap::check(&a) {
                    Ok(v) => ok(id, v),
                    Err(f) => error(id, f.code, &f.message),
                },
                Ok(_) => error(
                    id,
                    "notImplemented",
                    &format!("`{op}` is not implemented in this build"),
                ),
                Err(e) => error(id, "badRequest", &e),
            }
        }
        _ => {
            let shown: String = op.chars().take(MAX_ID_LEN).collect();
            error(id, "unknownOp", &format!("unknown op {shown:?}"))
        }
    }
}

fn args<T: for<'de> Deserialize<'de>>(obj: Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(obj)).map_err(|e| e.to_string())
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
                format!(r#"{{"id":"1","op":"smtpCheck",{check},"trustAnyCertificate":true}}"#),
                "notImplemented",
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

    #[test]
    fn error_messages_are_bounded() {
        let op = "z".repeat(10_000);
        let reply = handle(format!(r#"{{"id":"1","op":"{op}"}}"#).as_bytes());
        assert!(reply["error"]["message"].as_str().unwrap().len() <= MAX_MESSAGE_LEN);
    }

    #[test]
    fn debug_hides_password() {
        let a: CheckArgs = serde_json::from_str(
            r#"{"host":"h","port":1,"security":"startTls","username":"u","password":"hunter2"}"#,
        )
        .unwrap();
        assert!(!format!("{a:?}").contains("hunter2"));
    }

    #[test]
    fn caller_check() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_caller(&s(&[CHROME_ORIGIN])), Ok(Caller::Chrome));
        assert_eq!(
            check_caller(&s(&[CHROME_ORIGIN, "--parent-window=0"])),
            Ok(Caller::Chrome)
        );
        assert_eq!(
            check_caller(&s(&["/x/com.inlay.bridge.json", FIREFOX_ADDON_ID])),
            Ok(Caller::Firefox)
        );
        for bad in [
            &s(&[])[..],
            &s(&["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]),
            &s(&["chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn"]), // no slash: not exact
            &s(&["chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/", "x"])[1..],
            &s(&["/x/com.inlay.bridge.json", "evil@example.com"]),
            &s(&["/x/com.inlay.bridge.json"]),
        ] {
            assert!(check_caller(bad).is_err(), "{bad:?}");
        }
    }
}
