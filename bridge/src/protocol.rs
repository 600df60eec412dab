//! Request/reply protocol and the caller check.
//!
//! Request: `{"id": "<1..=64 chars>", "op": "<op>", ...op args}`; unknown keys
//! are refused. Replies: `{"id", "ok": true, "value"}` or
//! `{"id", "ok": false, "error": {"code", "message"}}`. `id` is `null` when the
//! request had no usable id (malformed JSON, missing or oversized id); such
//! errors never stop the host, which keeps reading the next frame.
//!
//! Error codes: `badJson`, `badRequest` (shape, unknown keys, limits),
//! `unknownOp`, the IMAP/SMTP failures listed in README.md, plus the framing
//! codes `emptyFrame`, `frameTooLarge`, `badFrame`.
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
    pub fn validate(&self) -> Result<(), String> {
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

/// Arguments of `imapSync`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncArgs {
    pub imap: CheckArgs,
    #[serde(default = "inbox")]
    pub folder: String,
    #[serde(default)]
    pub uid_validity: Option<u64>,
    #[serde(default)]
    pub since_uid: Option<u64>,
    #[serde(default = "default_max_messages")]
    pub max_messages: u32,
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
}

fn inbox() -> String {
    "INBOX".into()
}
fn default_max_messages() -> u32 {
    100
}
fn default_max_bytes() -> u64 {
    8 * 1024 * 1024
}

/// Most bytes of message bodies one `imapSync` reply may carry.
pub const MAX_SYNC_BYTES: u64 = 64 * 1024 * 1024;
/// Largest message `send` accepts (decoded).
pub const MAX_SEND_BYTES: usize = 35 * 1024 * 1024;
pub const MAX_RECIPIENTS: usize = 500;

impl SyncArgs {
    fn validate(&self) -> Result<(), String> {
        self.imap.validate().map_err(|e| format!("imap: {e}"))?;
        if self.folder.is_empty()
            || self.folder.len() > 1000
            || self.folder.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
        {
            return Err("folder must be 1..=1000 bytes without CR, LF or NUL".into());
        }
        if self
            .uid_validity
            .is_some_and(|v| v == 0 || v > u32::MAX as u64)
        {
            return Err("uidValidity must be 1..=4294967295 or null".into());
        }
        if self.since_uid.is_some_and(|v| v > u32::MAX as u64) {
            return Err("sinceUid must be 0..=4294967295 or null".into());
        }
        if self.since_uid.is_some() && self.uid_validity.is_none() {
            return Err("sinceUid needs the uidValidity it was seen under (pass both, or neither for a full sync)".into());
        }
        if !(1..=500).contains(&self.max_messages) {
            return Err("maxMessages must be 1..=500".into());
        }
        if !(1..=MAX_SYNC_BYTES).contains(&self.max_bytes) {
            return Err(format!("maxBytes must be 1..={MAX_SYNC_BYTES}"));
        }
        Ok(())
    }
}

/// Arguments of `send`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendArgs {
    pub smtp: CheckArgs,
    #[serde(default)]
    pub imap: Option<CheckArgs>,
    pub from: String,
    pub recipients: Vec<String>,
    /// Base64 of the RFC 5322 message.
    pub mime: String,
    #[serde(default)]
    pub append_to_sent: bool,
}

impl std::fmt::Debug for SendArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // CheckArgs hide the passwords; the message is only measured.
        f.debug_struct("SendArgs")
            .field("smtp", &self.smtp)
            .field("imap", &self.imap)
            .field("from", &self.from)
            .field("recipients", &self.recipients)
            .field("mime_base64_len", &self.mime.len())
            .field("append_to_sent", &self.append_to_sent)
            .finish()
    }
}

impl SendArgs {
    /// Checks everything and returns the message to send: decoded, with
    /// bare CR or LF turned into CRLF (SMTP needs CRLF; a bare LF before
    /// "." is the SMTP-smuggling vector), so SMTP and the Sent copy carry
    /// the same bytes.
    pub fn validate(&self) -> Result<Vec<u8>, String> {
        self.smtp.validate().map_err(|e| format!("smtp: {e}"))?;
        match (&self.imap, self.append_to_sent) {
            (Some(i), _) => i.validate().map_err(|e| format!("imap: {e}"))?,
            (None, true) => {
                return Err("appendToSent needs `imap` (the account's IMAP settings)".into());
            }
            (None, false) => {}
        }
        check_address(&self.from).map_err(|e| format!("from: {e}"))?;
        if self.recipients.is_empty() || self.recipients.len() > MAX_RECIPIENTS {
            return Err(format!(
                "recipients must list 1..={MAX_RECIPIENTS} addresses"
            ));
        }
        for (i, r) in self.recipients.iter().enumerate() {
            check_address(r).map_err(|e| format!("recipients[{i}]: {e}"))?;
        }
        use base64::Engine;
        // Every base64 char is 6 bits: refuse before decoding anything huge.
        if self.mime.len() / 4 * 3 > MAX_SEND_BYTES + 3 {
            return Err(format!("mime is over the {MAX_SEND_BYTES}-byte limit"));
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(self.mime.as_bytes())
            .map_err(|e| format!("mime must be standard base64 (with padding): {e}"))?;
        if raw.is_empty() || raw.len() > MAX_SEND_BYTES {
            return Err(format!(
                "mime must decode to 1..={MAX_SEND_BYTES} bytes (got {})",
                raw.len()
            ));
        }
        if raw.contains(&0) {
            return Err("mime contains a NUL byte, which SMTP cannot carry".into());
        }
        let mut message = crlf(&raw);
        if !message.ends_with(b"\r\n") {
            message.extend_from_slice(b"\r\n");
        }
        Ok(message)
    }
}

/// Bare CR or LF → CRLF.
pub fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 50);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' if raw.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// An SMTP path address (RFC 5321 Mailbox, no quoted local parts): what
/// goes between `<` and `>`, so no spaces, controls, `<>`, or extra `@`.
pub fn check_address(a: &str) -> Result<(), String> {
    if a.len() > 254 {
        return Err(format!("address is {} bytes; at most 254", a.len()));
    }
    if let Some(c) = a
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || "<>,;\"\\()".contains(*c))
    {
        return Err(format!("address {a:?} contains {c:?}"));
    }
    let Some((local, domain)) = a.rsplit_once('@') else {
        return Err(format!("address {a:?} has no @"));
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') || local.contains(['[', ']']) {
        return Err(format!(
            "address {a:?}: local part must be 1..=64 bytes without @ or brackets"
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(format!(
            "address {a:?}: dots in the local part must separate words"
        ));
    }
    let literal = domain.starts_with('[') && domain.ends_with(']') && domain.len() > 2;
    let name_ok = !domain.is_empty()
        && !domain.contains(['[', ']'])
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !literal && !name_ok {
        return Err(format!(
            "address {a:?}: domain must be a host name or [address literal]"
        ));
    }
    Ok(())
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
        Err(f) => error(id, f.code, &f.message),
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
        ];
        for (req, want, want_id) in &cases {
            let reply = handle(req.as_bytes());
            assert_eq!(code(&reply), *want, "{req} -> {reply}");
            assert_eq!(reply["id"].as_str(), *want_id, "{req} -> {reply}");
        }
    }

    #[test]
    fn send_and_sync_validation() {
        let srv = json!({"host": "h", "port": 1, "security": "startTls", "username": "u", "password": "p"});
        let mime = "U3ViamVjdDogeAoKaGk="; // "Subject: x\n\nhi"
        let send = |patch: Value| {
            let mut req = json!({"id": "1", "op": "send", "smtp": srv, "from": "a@example.com",
                                 "recipients": ["b@example.com"], "mime": mime});
            req.as_object_mut()
                .unwrap()
                .extend(patch.as_object().unwrap().clone());
            handle(req.to_string().as_bytes())
        };
        for (patch, needle) in [
            (json!({"from": "a@b\r\nRCPT TO:<x@y>"}), "from: "),
            (json!({"from": "no-at"}), "has no @"),
            (json!({"recipients": []}), "1..=500"),
            (
                json!({"recipients": ["b@example.com", "<c@example.com>"]}),
                "recipients[1]",
            ),
            (json!({"recipients": ["b@exa mple.com"]}), "recipients[0]"),
            (json!({"recipients": ["b@-x.com"]}), "domain"),
            (json!({"recipients": ["a..b@x.com"]}), "dots"),
            (json!({"mime": "not base64!"}), "base64"),
            (json!({"mime": ""}), "1..="),
            (json!({"mime": "AA=="}), "NUL"),
            (json!({"appendToSent": true}), "needs `imap`"),
            (
                json!({"imap": {"host": "h", "port": 0, "security": "startTls", "username": "u", "password": "p"}}),
                "imap: port",
            ),
        ] {
            let r = send(patch.clone());
            assert_eq!(code(&r), "badRequest", "{patch} -> {r}");
            let msg = r["error"]["message"].as_str().unwrap();
            assert!(msg.contains(needle), "{patch} -> {msg}");
        }
        // Refused by length, before decoding (no JSON round trip: 47 MB).
        let mut a: SendArgs = serde_json::from_value(json!({"smtp": srv, "from": "a@x.org",
            "recipients": ["b@x.org"], "mime": ""}))
        .unwrap();
        a.mime = "QUFB".repeat(MAX_SEND_BYTES / 3 + 2);
        assert!(a.validate().unwrap_err().contains("limit"));

        let sync = |patch: Value| {
            let mut req = json!({"id": "1", "op": "imapSync", "imap": srv});
            req.as_object_mut()
                .unwrap()
                .extend(patch.as_object().unwrap().clone());
            handle(req.to_string().as_bytes())
        };
        for (patch, needle) in [
            (json!({"sinceUid": 5}), "needs the uidValidity"),
            (json!({"uidValidity": 0}), "uidValidity"),
            (json!({"maxMessages": 0}), "maxMessages"),
            (json!({"maxMessages": 501}), "maxMessages"),
            (json!({"maxBytes": 0}), "maxBytes"),
            (json!({"folder": "a\r\nb"}), "folder"),
            (json!({"folder": ""}), "folder"),
            (json!({"since": 1}), "unknown field"),
        ] {
            let r = sync(patch.clone());
            assert_eq!(code(&r), "badRequest", "{patch} -> {r}");
            assert!(
                r["error"]["message"].as_str().unwrap().contains(needle),
                "{patch} -> {r}"
            );
        }
    }

    #[test]
    fn message_line_ends_are_normalised() {
        assert_eq!(crlf(b"a\nb\rc\r\nd"), b"a\r\nb\r\nc\r\nd");
        let a: SendArgs = serde_json::from_value(json!({
            "smtp": {"host": "h", "port": 1, "security": "startTls", "username": "u", "password": "p"},
            "from": "a@x.org", "recipients": ["b@x.org"], "mime": "YQpi"  // "a\nb"
        }))
        .unwrap();
        assert_eq!(a.validate().unwrap(), b"a\r\nb\r\n");
        assert!(!format!("{a:?}").contains("\"p\""));
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
