//! gmail.googleapis.com's messages: `users.messages.send` (JSON `raw` and the media
//! upload), `users.messages.list` (a subset of Gmail search) and `users.messages.get`.
//!
//! A send files the message as Gmail does (label `SENT`, the `Message-ID` kept as sent,
//! in the given thread, `From` replaced by the primary address unless it is the account's
//! address or a seeded alias) and records a delivery (`delivery.rs`). The account's seed flag
//! `gmailRewritesMessageId` makes it replace the Message-ID instead, as some reports say
//! Gmail does, so a client's Sent lookup can be tested against both readings.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};

use crate::delivery;
use crate::http::{Request, Response, query_pairs};
use crate::route::Params;
use crate::state::{Account, StoredMessage};

use super::google_error::{api_error, not_found};

/// Gmail accepts base64url with or without padding.
const RAW: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(true),
);

fn invalid(message: &str) -> Response {
    api_error(400, "INVALID_ARGUMENT", "invalidArgument", message)
}

/// `POST …/messages/send` with a JSON `Message` (`raw`, `threadId`).
pub fn send(req: &Request, _params: &Params, account: &mut Account) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return invalid("Invalid JSON payload received.");
    };
    let Some(raw) = body.get("raw").and_then(Value::as_str) else {
        return invalid(
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        );
    };
    let Ok(raw) = RAW.decode(raw.trim()) else {
        return invalid("Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed.");
    };
    let thread = body
        .get("threadId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    deliver(account, raw, thread, "gmail messages.send")
}

/// `POST /upload/…/messages/send?uploadType=media|multipart`.
pub fn send_upload(req: &Request, _params: &Params, account: &mut Account) -> Response {
    let content_type = req.header("content-type").unwrap_or_default().to_owned();
    match req.query_param("uploadType").as_deref() {
        Some("media") => {
            if !content_type.to_ascii_lowercase().starts_with("message/") {
                return invalid(&format!(
                    "Media type '{content_type}' is not supported. Valid media types: [message/*]"
                ));
            }
            deliver(
                account,
                req.body.clone(),
                None,
                "gmail messages.send (upload)",
            )
        }
        Some("multipart") => {
            let Some(boundary) = content_type
                .split(';')
                .filter_map(|p| p.trim().strip_prefix("boundary="))
                .next()
                .map(|b| b.trim_matches('"').to_owned())
            else {
                return invalid("Multipart upload without a boundary.");
            };
            let Some((metadata, message)) = multipart(&req.body, &boundary) else {
                return invalid("Multipart upload needs a JSON part and a message/* part.");
            };
            let thread = serde_json::from_slice::<Value>(&metadata)
                .ok()
                .and_then(|v| v.get("threadId").and_then(Value::as_str).map(str::to_owned));
            deliver(account, message, thread, "gmail messages.send (upload)")
        }
        other => invalid(&format!(
            "Invalid uploadType {:?}: this sandbox takes media or multipart.",
            other.unwrap_or("")
        )),
    }
}

/// The two parts of a `multipart/related` body: the JSON metadata and the message.
fn multipart(body: &[u8], boundary: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut rest = text;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, delimiter.as_bytes())?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        let next = find(rest, format!("\r\n{delimiter}").as_bytes())?;
        let part = rest[..next].strip_prefix(b"\r\n").unwrap_or(&rest[..next]);
        let split = find(part, b"\r\n\r\n")?;
        parts.push((
            String::from_utf8_lossy(&part[..split]).to_ascii_lowercase(),
            part[split + 4..].to_vec(),
        ));
        rest = &rest[next + 2 + delimiter.len()..];
    }
    let json = parts.iter().find(|(h, _)| h.contains("application/json"))?;
    let message = parts.iter().find(|(h, _)| h.contains("message/"))?;
    Some((json.1.clone(), message.1.clone()))
}

/// Files a sent message and records its delivery; the answer is the `Message`.
fn deliver(
    account: &mut Account,
    mut raw: Vec<u8>,
    thread: Option<String>,
    via: &'static str,
) -> Response {
    if delivery::recipients(&raw).is_empty() {
        return invalid("Recipient address required");
    }
    if let Some(thread) = &thread
        && !account
            .mailbox
            .messages
            .iter()
            .any(|m| &m.thread_id == thread)
    {
        return not_found();
    }
    // Gmail sends from the primary address when From is not a send-as address.
    if delivery::sender(&raw).is_none_or(|from| !delivery::may_send_as(account, &from)) {
        let mut fixed = format!("From: {}\r\n", account.address).into_bytes();
        fixed.extend(delivery::without_header(&raw, "from"));
        raw = fixed;
    }
    if account.gmail_rewrites_message_id {
        let id = delivery::new_message_id();
        let mut rewritten = format!("Message-ID: <CA{id}@mail.gmail.com>\r\n").into_bytes();
        rewritten.extend(delivery::without_header(&raw, "message-id"));
        raw = rewritten;
    }
    let stored = delivery::file(account, raw, thread, "SENT");
    delivery::record(account, via, &stored);
    Response::json(
        200,
        &json!({ "id": stored.id, "threadId": stored.thread_id, "labelIds": stored.label_ids }),
    )
}

/// `users.messages.list`: `labelIds` (all must match), `includeSpamTrash`, `maxResults`,
/// `pageToken`, and `q` with `rfc822msgid:`, `in:`/`label:`, `after:`/`before:` (epoch
/// seconds); other search terms are refused so a test notices what the fake can't do.
pub fn list(req: &Request, _params: &Params, account: &mut Account) -> Response {
    let pairs: Vec<(String, String)> = query_pairs(&req.query).collect();
    let labels: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "labelIds")
        .map(|(_, v)| v.as_str())
        .collect();
    let spam_trash = req.query_param("includeSpamTrash").as_deref() == Some("true");
    let max = req
        .query_param("maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let offset = req
        .query_param("pageToken")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0);
    let terms = match req.query_param("q").map(|q| search_terms(&q)).transpose() {
        Ok(terms) => terms.unwrap_or_default(),
        Err(message) => return invalid(&message),
    };
    let mut hits: Vec<&StoredMessage> = account
        .mailbox
        .messages
        .iter()
        .filter(|m| labels.iter().all(|l| has_label(m, l)))
        .filter(|m| spam_trash || !(has_label(m, "SPAM") || has_label(m, "TRASH")))
        .filter(|m| terms.iter().all(|t| t.matches(m)))
        .collect();
    // Newest first, as Gmail lists.
    hits.sort_by(|a, b| {
        b.internal_date_ms
            .cmp(&a.internal_date_ms)
            .then(b.id.cmp(&a.id))
    });
    let total = hits.len();
    let page: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(max)
        .map(|m| json!({ "id": m.id, "threadId": m.thread_id }))
        .collect();
    let mut body = json!({ "resultSizeEstimate": total });
    if !page.is_empty() {
        body["messages"] = Value::Array(page);
    }
    if offset + max < total {
        body["nextPageToken"] = json!((offset + max).to_string());
    }
    Response::json(200, &body)
}

fn has_label(m: &StoredMessage, label: &str) -> bool {
    m.label_ids.iter().any(|l| l.eq_ignore_ascii_case(label))
}

enum Term {
    MessageId(String),
    Label(String),
    After(u64),
    Before(u64),
}

impl Term {
    fn matches(&self, m: &StoredMessage) -> bool {
        match self {
            Term::MessageId(id) => delivery::header(&m.raw, "message-id")
                .is_some_and(|h| bare(&h).eq_ignore_ascii_case(id)),
            Term::Label(label) => has_label(m, label),
            Term::After(s) => m.internal_date_ms >= s * 1000,
            Term::Before(s) => m.internal_date_ms < s * 1000,
        }
    }
}

fn bare(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

fn search_terms(q: &str) -> Result<Vec<Term>, String> {
    q.split_whitespace()
        .map(|term| {
            let (op, value) = term.split_once(':').unwrap_or(("", term));
            let secs = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("The sandbox takes {op}: in epoch seconds only, not {value:?}."))
            };
            Ok(match op.to_ascii_lowercase().as_str() {
                "rfc822msgid" => Term::MessageId(bare(value).to_owned()),
                "in" | "label" => Term::Label(value.to_ascii_uppercase()),
                "after" => Term::After(secs()?),
                "before" => Term::Before(secs()?),
                _ => {
                    return Err(format!(
                        "The sandbox's Gmail search understands rfc822msgid:, in:, label:, after: and before: only, not {term:?}."
                    ));
                }
            })
        })
        .collect()
}

/// `users.messages.get` with `format` `minimal`, `metadata` (`metadataHeaders`),
/// `full` (headers and the body's size) or `raw`.
pub fn get(req: &Request, params: &Params, account: &mut Account) -> Response {
    let id = params.get("id").unwrap_or_default();
    let Some(m) = account.mailbox.messages.iter().find(|m| m.id == id) else {
        return not_found();
    };
    let format = req.query_param("format").unwrap_or_else(|| "full".into());
    let wanted: Vec<String> = query_pairs(&req.query)
        .filter(|(k, _)| k == "metadataHeaders")
        .map(|(_, v)| v)
        .collect();
    let mut body = json!({
        "id": m.id,
        "threadId": m.thread_id,
        "labelIds": m.label_ids,
        "snippet": "",
        "sizeEstimate": m.raw.len(),
        "historyId": account.mailbox.history_id.to_string(),
        "internalDate": m.internal_date_ms.to_string(),
    });
    let headers = |filter: &[String]| -> Vec<Value> {
        header_fields(&m.raw)
            .into_iter()
            .filter(|(n, _)| filter.is_empty() || filter.iter().any(|w| w.eq_ignore_ascii_case(n)))
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect()
    };
    let mime_type = delivery::header(&m.raw, "content-type")
        .and_then(|c| c.split(';').next().map(|t| t.trim().to_ascii_lowercase()))
        .unwrap_or_else(|| "text/plain".into());
    match format.as_str() {
        "minimal" => {}
        "metadata" => {
            body["payload"] = json!({ "mimeType": mime_type, "headers": headers(&wanted) });
        }
        "full" => {
            body["payload"] = json!({
                "partId": "", "mimeType": mime_type, "filename": "",
                "headers": headers(&[]), "body": { "size": m.raw.len() },
            });
        }
        "raw" => body["raw"] = json!(B64URL.encode(&m.raw)),
        other => return invalid(&format!("Invalid value for format: {other}")),
    }
    Response::json(200, &body)
}

/// Header fields in order with their names as written, values unfolded.
fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            out.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_found_by_type() {
        let body = b"--b\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"threadId\":\"t\"}\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nTo: a@b\r\n\r\nhi\r\n--b--\r\n";
        let (json, message) = multipart(body, "b").unwrap();
        assert_eq!(json, b"{\"threadId\":\"t\"}");
        assert_eq!(message, b"To: a@b\r\n\r\nhi");
        assert!(multipart(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b").is_none());
    }

    #[test]
    fn search_terms_refuse_what_the_fake_cannot_do() {
        assert!(search_terms("rfc822msgid:<a@b> in:sent after:1700000000").is_ok());
        assert!(search_terms("from:bob").is_err());
        assert!(search_terms("after:2026/01/01").is_err());
    }
}
