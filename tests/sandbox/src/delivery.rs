//! Messages the fakes accepted for delivery: the Sent copy filed in the sender's mailbox
//! and one `Delivery` record per accepted send, which tests read through the control API
//! (`GET /deliveries`) to assert "exactly one delivered" and parse what was delivered.
//!
//! A provider takes the whole message with its `Bcc` header and removes it before
//! delivery, keeping it in the Sent copy; a record holds both forms.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use serde_json::{Value, json};

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::{Account, StoredMessage};

/// One accepted send.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Increases by one per delivery for the life of the process.
    pub seq: u64,
    /// The API call that delivered it (`gmail messages.send`, `graph sendMail`, …).
    pub via: &'static str,
    /// The message as the client handed it over (what Sent keeps, Bcc included).
    pub raw: Vec<u8>,
    /// The id of the Sent copy in the sender's mailbox.
    pub stored_id: String,
    /// Deferred delivery the client asked for (`PidTagDeferredSendTime`), as given; such a
    /// message is recorded only once the sandbox clock passed it (`deliver_due`).
    pub deliver_at: Option<String>,
    /// Unix ms when the fake accepted it.
    pub accepted_ms: u64,
}

/// A Gmail-style id (16 hex digits) for a message a fake files; distinct from seeded ids.
pub fn new_message_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:016x}",
        0x19a0_0000_0000_0000u64 + NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Files `raw` in the account's mailbox under `label` (a thread of its own unless given)
/// and returns the stored copy.
pub fn file(
    account: &mut Account,
    raw: Vec<u8>,
    thread: Option<String>,
    label: &str,
) -> StoredMessage {
    let id = new_message_id();
    let message = StoredMessage {
        thread_id: thread.unwrap_or_else(|| id.clone()),
        id,
        label_ids: vec![label.to_owned()],
        raw,
        internal_date_ms: now_ms(),
        deferred_until: None,
    };
    account.mailbox.messages.push(message.clone());
    account.mailbox.history_id += 1;
    message
}

/// The sandbox clock in Unix ms: real time plus what tests added with `POST /clock`.
pub fn clock_ms(state: &crate::state::State) -> u64 {
    now_ms().saturating_add(state.oauth.clock_offset.saturating_mul(1000))
}

/// Whether a deferred send time (RFC 3339, as the client gave it) has come by `clock_ms`;
/// an unreadable one counts as come, as Exchange sends at once a time already past.
pub fn is_due(deferred: Option<&str>, clock_ms: u64) -> bool {
    use time::format_description::well_known::Rfc3339;
    deferred.is_none_or(|at| {
        time::OffsetDateTime::parse(at, &Rfc3339)
            .map(|at| at.unix_timestamp() as i128 * 1000 <= clock_ms as i128)
            .unwrap_or(true)
    })
}

/// Exchange's deferred delivery (Graph and EWS alike): a message handed over with a
/// deferred send time waits in the Outbox, not delivered, until the sandbox clock passes
/// that time; then it is delivered (recorded here) and filed in Sent Items (under a new
/// id on Graph, as Exchange does). Deleting it from the Outbox before then cancels it.
/// Run before every Graph and EWS request and before `GET /deliveries` is answered.
pub fn deliver_due(state: &mut crate::state::State) {
    let clock = clock_ms(state);
    for account in &mut state.accounts {
        let (via, sent_label): (&'static str, &str) = match account.provider {
            crate::state::Provider::Microsoft => ("graph send (deferred)", "SENTITEMS"),
            crate::state::Provider::Exchange => ("ews SendItem (deferred)", "SENT"),
            _ => continue,
        };
        let due: Vec<usize> = account
            .mailbox
            .messages
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.label_ids.iter().any(|l| l == "OUTBOX")
                    && is_due(m.deferred_until.as_deref(), clock)
            })
            .map(|(i, _)| i)
            .collect();
        for i in due.into_iter().rev() {
            let waiting = account.mailbox.messages.remove(i);
            let mut stored = file(account, waiting.raw, None, sent_label);
            stored.deferred_until = waiting.deferred_until;
            if let Some(filed) = account.mailbox.messages.last_mut() {
                filed.deferred_until = stored.deferred_until.clone();
            }
            record(account, via, &stored);
        }
    }
}

/// Records that `stored` was handed over for delivery.
pub fn record(account: &mut Account, via: &'static str, stored: &StoredMessage) {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    account.mailbox.deliveries.push(Delivery {
        seq: SEQ.fetch_add(1, Ordering::Relaxed) + 1,
        via,
        raw: stored.raw.clone(),
        stored_id: stored.id.clone(),
        deliver_at: stored.deferred_until.clone(),
        accepted_ms: now_ms(),
    });
}

impl Delivery {
    fn describe(&self, account: &Account) -> Value {
        let transmitted = without_header(&self.raw, "bcc");
        let (raw, raw_base64) = text_or_base64(&self.raw);
        let (sent, _) = text_or_base64(&transmitted);
        json!({
            "seq": self.seq,
            "provider": account.provider.as_str(),
            "mailbox": account.address,
            "via": self.via,
            "storedId": self.stored_id,
            "messageId": header(&self.raw, "message-id"),
            "subject": header(&self.raw, "subject"),
            "recipients": recipients(&self.raw),
            "deliverAt": self.deliver_at,
            "acceptedAt": self.accepted_ms,
            "raw": raw,
            "transmitted": sent,
            "base64": raw_base64,
        })
    }
}

fn text_or_base64(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            true,
        ),
    }
}

/// `GET /deliveries?provider=&address=` (both optional) → every delivery, oldest first
/// (deferred sends whose time the sandbox clock passed delivered first);
/// `DELETE /deliveries` forgets them (the Sent copies stay).
pub fn control(req: &Request, sandbox: &Sandbox) -> Response {
    let mut state = sandbox.state();
    match req.method.as_str() {
        "GET" => {
            deliver_due(&mut state);
            let provider = req.query_param("provider").filter(|p| !p.is_empty());
            let address = req.query_param("address").filter(|a| !a.is_empty());
            let mut list: Vec<(u64, Value)> = state
                .accounts
                .iter()
                .filter(|a| provider.as_deref().is_none_or(|p| a.provider.as_str() == p))
                .filter(|a| {
                    address
                        .as_deref()
                        .is_none_or(|x| a.address.eq_ignore_ascii_case(x))
                })
                .flat_map(|a| {
                    a.mailbox
                        .deliveries
                        .iter()
                        .map(move |d| (d.seq, d.describe(a)))
                })
                .collect();
            list.sort_by_key(|(seq, _)| *seq);
            Response::json(
                200,
                &Value::Array(list.into_iter().map(|(_, v)| v).collect()),
            )
        }
        "DELETE" => {
            for account in &mut state.accounts {
                account.mailbox.deliveries.clear();
            }
            crate::control::ok()
        }
        _ => crate::control::not_allowed(req),
    }
}

/// The header block of a message (up to the first empty line), as text.
fn head(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len());
    text[..end].to_owned()
}

/// Logical header lines (continuations unfolded), `(name, value)`.
fn fields(raw: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head(raw).split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
}

/// The first header called `name` (case-insensitive), unfolded.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    fields(raw)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Every value of the headers called `name`.
pub fn headers(raw: &[u8], name: &str) -> Vec<String> {
    fields(raw)
        .into_iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect()
}

/// The message without any header called `name` (its continuation lines included).
pub fn without_header(raw: &[u8], name: &str) -> Vec<u8> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 2)
        .unwrap_or(raw.len());
    let (head, body) = raw.split_at(split);
    let mut out = Vec::with_capacity(raw.len());
    let mut dropping = false;
    for line in head.split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            let field = line.split(|&b| b == b':').next().unwrap_or_default();
            dropping = field.eq_ignore_ascii_case(name.as_bytes());
        }
        if !dropping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(body);
    out
}

/// The address of the `From` header, lower-cased.
pub fn sender(raw: &[u8]) -> Option<String> {
    let from = header(raw, "from")?;
    let part = split_addresses(&from).into_iter().next()?;
    let address = match (part.rfind('<'), part.rfind('>')) {
        (Some(a), Some(b)) if a < b => &part[a + 1..b],
        _ => part.as_str(),
    };
    Some(address.trim().to_ascii_lowercase()).filter(|a| a.contains('@'))
}

/// Whether the account may send as `address`: its own address or one of its aliases.
pub fn may_send_as(account: &crate::state::Account, address: &str) -> bool {
    account.address.eq_ignore_ascii_case(address)
        || account
            .aliases
            .iter()
            .any(|a| a.eq_ignore_ascii_case(address))
}

/// The addresses in To, Cc and Bcc, lower-cased, in order (commas inside quotes and
/// comments do not split).
pub fn recipients(raw: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["to", "cc", "bcc"] {
        for value in headers(raw, name) {
            for part in split_addresses(&value) {
                let address = match (part.rfind('<'), part.rfind('>')) {
                    (Some(a), Some(b)) if a < b => &part[a + 1..b],
                    _ => part.as_str(),
                };
                let address = address.trim().to_ascii_lowercase();
                if address.contains('@') {
                    out.push(address);
                }
            }
        }
    }
    out
}

fn split_addresses(value: &str) -> Vec<String> {
    let (mut parts, mut current) = (Vec::new(), String::new());
    let (mut quoted, mut depth, mut escaped) = (false, 0u32, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] = b"From: Ann <ann@example.com>\r\nTo: \"Doe, Bob\" <Bob@Example.org>, carl@example.net\r\nBcc: dana@example.net,\r\n  eve@example.net\r\nMessage-ID: <a@b>\r\nSubject: Hi\r\n\r\nBcc: not a header\r\n";

    #[test]
    fn recipients_include_bcc_and_respect_quotes() {
        assert_eq!(
            recipients(RAW),
            [
                "bob@example.org",
                "carl@example.net",
                "dana@example.net",
                "eve@example.net"
            ]
        );
        assert_eq!(header(RAW, "message-id").as_deref(), Some("<a@b>"));
    }

    #[test]
    fn bcc_is_removed_with_its_continuation_and_the_body_kept() {
        let sent = without_header(RAW, "bcc");
        let text = String::from_utf8(sent).unwrap();
        assert!(!text.contains("dana@") && !text.contains("eve@"), "{text}");
        assert!(text.ends_with("\r\n\r\nBcc: not a header\r\n"));
        assert!(text.contains("Message-ID: <a@b>\r\n"));
    }
}
