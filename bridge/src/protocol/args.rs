//! The requests' argument types and their validation.

use super::address::check_address;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NoArgs {}

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
    /// Accept exactly the leaf whose SubjectPublicKeyInfo has this SHA-256
    /// (standard base64, 44 chars): the certificate the user reviewed and
    /// accepted. Without it the certificate must chain to a trusted root.
    #[serde(default)]
    pub pinned_spki: Option<String>,
    /// Deprecated, accepted for one version so that accounts created with
    /// "trust any certificate" move to a pin: any certificate is accepted
    /// and the reply's `certificatePin` is what to pin.
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
            .field("pinned_spki", &self.pinned_spki)
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
        if let Some(pin) = &self.pinned_spki {
            use base64::Engine;
            let digest = base64::engine::general_purpose::STANDARD.decode(pin.as_bytes());
            if pin.len() != 44 || digest.map(|d| d.len()) != Ok(32) {
                return Err(
                    "pinnedSpki must be the standard base64 of a SHA-256 (44 chars)".into(),
                );
            }
            if self.trust_any_certificate {
                return Err("pinnedSpki and trustAnyCertificate exclude each other".into());
            }
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
    /// Only each message's header block (`BODY.PEEK[HEADER]`) in `mime`:
    /// a sync reads headers first, and bodies only of what it keeps.
    #[serde(default)]
    pub headers_only: bool,
    /// `YYYY-MM-DD`: only messages whose INTERNALDATE is on or after that
    /// day (`SEARCH SINCE`, the server's own time zone): a first sync's
    /// window. `highestUid` still counts the whole folder.
    #[serde(default)]
    pub since_date: Option<String>,
    /// The folder's HIGHESTMODSEQ at the last sync: with QRESYNC, the
    /// answer's `vanished` lists the UIDs expunged since.
    #[serde(default)]
    pub mod_seq: Option<u64>,
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
    pub(super) fn validate(&self) -> Result<(), String> {
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
        if self.mod_seq.is_some() && self.uid_validity.is_none() {
            return Err("modSeq needs the uidValidity it was seen under".into());
        }
        if self.since_date.is_some() && self.imap_since_date().is_none() {
            return Err("sinceDate must be a date YYYY-MM-DD (1970..9999)".into());
        }
        Ok(())
    }

    /// `sinceDate` as IMAP's `date` (RFC 9051: `6-Nov-2025`).
    pub fn imap_since_date(&self) -> Option<String> {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let text = self.since_date.as_deref()?;
        let mut parts = text.splitn(3, '-');
        let mut num = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
        };
        let (year, month, day) = (num(4)?, num(2)?, num(2)?);
        if !(1970..=9999).contains(&year) || !(1..=31).contains(&day) {
            return None;
        }
        let month = MONTHS.get(usize::from(month).checked_sub(1)?)?;
        Some(format!("{day}-{month}-{year}"))
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

/// Arguments of `sentLookup`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LookupArgs {
    pub imap: CheckArgs,
    /// The header's value with its angle brackets: `<left@right>`.
    pub message_id: String,
}

impl LookupArgs {
    pub(super) fn validate(&self) -> Result<(), String> {
        self.imap.validate().map_err(|e| format!("imap: {e}"))?;
        let id = self.message_id.as_bytes();
        // RFC 5322 msg-id: printable ASCII, no spaces; bounded like a line.
        let ok = (3..=998).contains(&id.len())
            && id.first() == Some(&b'<')
            && id.last() == Some(&b'>')
            && id.iter().all(|b| (0x21..=0x7e).contains(b));
        if !ok {
            return Err(
                "messageId must be <left@right>: 3..=998 printable ASCII chars, no spaces".into(),
            );
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::handle;
    use serde_json::{Value, json};

    fn code(reply: &Value) -> &str {
        reply["error"]["code"].as_str().unwrap_or("ok")
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
            (json!({"sinceDate": "2025-13-01"}), "sinceDate"),
            (json!({"sinceDate": "6-Nov-2025"}), "sinceDate"),
            (json!({"sinceDate": "2025-11-06 OR ALL"}), "sinceDate"),
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
    fn sent_lookup_takes_one_whole_message_id() {
        let srv = json!({"host": "h", "port": 1, "security": "startTls", "username": "u", "password": "p"});
        for id in ["a@b", "<a b@c>", "<a@b>\r\nA1 LOGOUT", "<é@b>", "<>x", ""] {
            let r = handle(
                json!({"id": "1", "op": "sentLookup", "imap": srv, "messageId": id})
                    .to_string()
                    .as_bytes(),
            );
            assert_eq!(code(&r), "badRequest", "{id:?} -> {r}");
            assert!(
                r["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("messageId"),
                "{r}"
            );
        }
        let long = format!("<{}@b>", "a".repeat(996));
        let r = handle(
            json!({"id": "1", "op": "sentLookup", "imap": srv, "messageId": long})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(code(&r), "badRequest", "{r}");
        let r = handle(
            json!({"id": "1", "op": "sentLookup", "imap": srv, "messageId": "<a@b>", "folder": "x"})
                .to_string()
                .as_bytes(),
        );
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field"),
            "{r}"
        );
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
    fn debug_hides_password() {
        let a: CheckArgs = serde_json::from_str(
            r#"{"host":"h","port":1,"security":"startTls","username":"u","password":"hunter2"}"#,
        )
        .unwrap();
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}
