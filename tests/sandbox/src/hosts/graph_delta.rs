//! graph.microsoft.com's delta query on a mail folder
//! (`GET /me/mailFolders/{id}/messages/delta`) and a message's MIME
//! (`GET /me/messages/{id}/$value`), for the core's incremental sync
//! (issue 13); the changes come from the mailbox's log (`sync_log.rs`).
//!
//! - The first request lists the folder (`inbox` → label INBOX, `sentitems`
//!   → SENTITEMS or SENT, `drafts`, …) as of now, narrowed by `$filter=
//!   receivedDateTime ge <time>` (the only filter Graph allows on delta) and
//!   `$select`; pages of `Prefer: odata.maxpagesize` (default 10) are
//!   chained by `@odata.nextLink` (`$skiptoken`); the last page has an
//!   `@odata.deltaLink` (`$deltatoken`). Tokens carry the folder, the
//!   history ids they cover, the offset, `$select` and the filter, so a
//!   link works as given.
//! - A delta link lists what changed since: messages added to the folder,
//!   and `{"id", "@removed": {"reason": "deleted"}}` for deleted ones (the
//!   last change of each message wins).
//! - A token from before `POST /mailbox {"action":"expireCursors"}` is 410
//!   Gone with `SyncStateNotFound` and a `Location` of a fresh delta request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::delivery;
use crate::http::{Request, Response, percent_decode};
use crate::ids::guid_from;
use crate::state::{Account, StoredMessage};
use crate::sync_log;

use super::graph::{BASE, error};
use super::graph_mail::graph_message_id;

/// What a `$skiptoken` or `$deltatoken` stands for.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    folder: String,
    /// Changes after this history id (none: the folder's first listing).
    since: Option<u64>,
    /// Up to this history id.
    upto: u64,
    offset: usize,
    select: Option<String>,
    /// `receivedDateTime ge` this, Unix ms.
    after_ms: Option<u64>,
}

impl Token {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Token> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text.trim()).ok()?).ok()
    }
}

fn folder_labels(folder: &str) -> &'static [&'static str] {
    match folder.to_ascii_lowercase().as_str() {
        "inbox" => &["INBOX"],
        "sentitems" => &["SENTITEMS", "SENT"],
        "drafts" => &["DRAFTS", "DRAFT"],
        "outbox" => &["OUTBOX"],
        _ => &[],
    }
}

fn in_folder(labels: &[String], folder: &str) -> bool {
    labels
        .iter()
        .any(|l| folder_labels(folder).contains(&l.as_str()))
}

/// `GET /me/mailFolders/{id}/messages/delta`.
pub fn delta(req: &Request, account: &mut Account) -> Response {
    sync_log::catch_up(&mut account.mailbox);
    let folder = {
        let mut segs = req.path.split('/');
        segs.by_ref().find(|s| *s == "mailFolders");
        segs.next().map(percent_decode).unwrap_or_default()
    };
    if folder_labels(&folder).is_empty() {
        return error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    let decoded = |t: &str| Token::decode(t).filter(|t| t.folder.eq_ignore_ascii_case(&folder));
    let invalid = || error(400, "BadRequest", "The delta token is not valid.");
    let token = match (
        req.query_param("$skiptoken").filter(|t| !t.is_empty()),
        req.query_param("$deltatoken").filter(|t| !t.is_empty()),
    ) {
        // The next page of the same listing or changes.
        (Some(t), _) => match decoded(&t) {
            Some(token) => token,
            None => return invalid(),
        },
        // The changes since the token, up to now.
        (None, Some(t)) => match decoded(&t) {
            Some(token) => Token {
                upto: account.mailbox.history_id,
                offset: 0,
                ..token
            },
            None => return invalid(),
        },
        _ => {
            let after_ms = match req.query_param("$filter").map(|f| parse_filter(&f)) {
                Some(Ok(ms)) => Some(ms),
                Some(Err(response)) => return response,
                None => None,
            };
            Token {
                folder: folder.clone(),
                since: None,
                upto: account.mailbox.history_id,
                offset: 0,
                select: req.query_param("$select"),
                after_ms,
            }
        }
    };
    let floor = account.mailbox.sync_log.floor;
    if token.since.is_some_and(|s| s < floor) || token.upto < floor {
        return error(
            410,
            "SyncStateNotFound",
            "The sync state generation is not found.",
        )
        .with_header(
            "location",
            &format!("{BASE}/me/mailFolders/{folder}/messages/delta?$deltatoken="),
        );
    }
    let page_size = req
        .header("prefer")
        .and_then(|p| {
            p.split(',')
                .find_map(|x| x.trim().strip_prefix("odata.maxpagesize="))
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
        .unwrap_or(10)
        .clamp(1, 1000);
    let items = items(account, &token);
    let page: Vec<Value> = items
        .iter()
        .skip(token.offset)
        .take(page_size)
        .cloned()
        .collect();
    let mut body = json!({
        "@odata.context": format!("{BASE}/$metadata#Collection(message)"),
        "value": page,
    });
    let link = |name: &str, t: Token| {
        format!(
            "{BASE}/me/mailFolders/{folder}/messages/delta?${name}={}",
            t.encode()
        )
    };
    if token.offset + page_size < items.len() {
        body["@odata.nextLink"] = json!(link(
            "skiptoken",
            Token {
                offset: token.offset + page_size,
                folder: token.folder.clone(),
                select: token.select.clone(),
                ..token
            }
        ));
    } else {
        body["@odata.deltaLink"] = json!(link(
            "deltatoken",
            Token {
                since: Some(token.upto),
                upto: token.upto,
                offset: 0,
                folder: token.folder.clone(),
                select: token.select.clone(),
                after_ms: token.after_ms,
            }
        ));
    }
    Response::json(200, &body)
        .with_header(
            "content-type",
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        )
        .with_header("preference-applied", &format!("odata.maxpagesize={page_size}"))
}

/// What `token` covers: the folder's listing, or its changes, in order.
fn items(account: &Account, token: &Token) -> Vec<Value> {
    let mailbox = &account.mailbox;
    let log = &mailbox.sync_log.changes;
    let shown = |m: &StoredMessage| {
        token
            .after_ms
            .is_none_or(|after| m.internal_date_ms >= after)
            && in_folder(&m.label_ids, &token.folder)
    };
    match token.since {
        None => log
            .iter()
            .filter(|c| !c.deleted && c.history_id <= token.upto)
            .filter_map(|c| mailbox.messages.iter().find(|m| m.id == c.message_id))
            .filter(|m| shown(m))
            .map(|m| message_json(account, m, token.select.as_deref()))
            .collect(),
        Some(since) => {
            let mut last: Vec<&sync_log::Change> = Vec::new();
            for c in log
                .iter()
                .filter(|c| c.history_id > since && c.history_id <= token.upto)
                .filter(|c| in_folder(&c.labels, &token.folder))
            {
                last.retain(|l| l.message_id != c.message_id);
                last.push(c);
            }
            last.into_iter()
                .filter_map(|c| {
                    let stored = mailbox.messages.iter().find(|m| m.id == c.message_id);
                    match (c.deleted, stored) {
                        (false, Some(m)) if shown(m) => {
                            Some(message_json(account, m, token.select.as_deref()))
                        }
                        (false, _) => None,
                        (true, _) => Some(json!({
                            "id": format!("AAMkAG{}AAA=", c.message_id),
                            "@removed": { "reason": "deleted" },
                        })),
                    }
                })
                .collect()
        }
    }
}

/// `receivedDateTime ge 2026-11-06T00:00:00Z` → Unix ms.
fn parse_filter(filter: &str) -> Result<u64, Response> {
    let refused = || {
        error(
            400,
            "ErrorInvalidUrlQueryFilter",
            "The delta query supports only $filter=receivedDateTime ge|gt {value}.",
        )
    };
    let rest = filter
        .trim()
        .strip_prefix("receivedDateTime")
        .map(str::trim_start)
        .ok_or_else(refused)?;
    let value = rest
        .strip_prefix("ge ")
        .or_else(|| rest.strip_prefix("gt "))
        .ok_or_else(refused)?
        .trim();
    let t = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map_err(|_| refused())?;
    Ok(u64::try_from(t.unix_timestamp()).unwrap_or(0) * 1000)
}

/// `{"emailAddress": {"name", "address"}}` of each mailbox in a header.
fn recipients(raw: &[u8], name: &str) -> Vec<Value> {
    delivery::headers(raw, name)
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|part| {
            let part = part.trim();
            let (display, address) = match (part.rfind('<'), part.rfind('>')) {
                (Some(a), Some(b)) if a < b => {
                    (part[..a].trim().trim_matches('"'), &part[a + 1..b])
                }
                _ => ("", part),
            };
            let address = address.trim();
            address
                .contains('@')
                .then(|| json!({ "emailAddress": { "name": display, "address": address } }))
        })
        .collect()
}

/// `microsoft.graph.message` with what a sync selects, narrowed by `$select`.
fn message_json(account: &Account, m: &StoredMessage, select: Option<&str>) -> Value {
    let raw = &m.raw;
    let label = m.label_ids.first().cloned().unwrap_or_default();
    let at = super::graph_mail::iso(m.internal_date_ms);
    // Without a From, Exchange fills in the mailbox (a sent message's is).
    let mailbox =
        json!({ "emailAddress": { "name": account.display_name, "address": account.address } });
    let first = |name: &str| recipients(raw, name).into_iter().next();
    let from = first("from").unwrap_or(mailbox);
    let head = String::from_utf8_lossy(raw);
    let head = head.split("\r\n\r\n").next().unwrap_or_default();
    let mut headers: Vec<Value> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(Value::String(v)) = headers.last_mut().and_then(|h| h.get_mut("value")) {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push(json!({ "name": n.trim(), "value": v.trim() }));
        }
    }
    let full = json!({
        "id": graph_message_id(m),
        "receivedDateTime": at,
        "sentDateTime": at,
        "subject": delivery::header(raw, "subject").unwrap_or_default(),
        "isDraft": label == "DRAFTS",
        "conversationId": format!("AAQkAG{}=", m.thread_id),
        "internetMessageId": delivery::header(raw, "message-id"),
        "internetMessageHeaders": headers,
        "parentFolderId": guid_from(&format!("{}:folder:{}", account.address, label.to_ascii_lowercase())),
        "sender": first("sender").unwrap_or_else(|| from.clone()),
        "from": from,
        "replyTo": recipients(raw, "reply-to"),
        "toRecipients": recipients(raw, "to"),
        "ccRecipients": recipients(raw, "cc"),
        "bccRecipients": recipients(raw, "bcc"),
    });
    let Some(select) = select else {
        // Graph leaves internetMessageHeaders out unless asked for.
        let mut full = full;
        full.as_object_mut()
            .map(|o| o.remove("internetMessageHeaders"));
        return full;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    let mut out = Map::new();
    for (k, v) in full.as_object().into_iter().flatten() {
        if k == "id" || wanted.iter().any(|w| w.eq_ignore_ascii_case(k)) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// `GET /me/messages/{id}/$value`: the message's MIME.
pub fn value(req: &Request, account: &mut Account) -> Response {
    let id = {
        let mut segs = req.path.split('/');
        segs.by_ref().find(|s| *s == "messages");
        segs.next().map(percent_decode).unwrap_or_default()
    };
    match account
        .mailbox
        .messages
        .iter()
        .find(|m| graph_message_id(m) == id)
    {
        Some(m) => Response::new(200, "text/plain", m.raw.clone()),
        None => error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back_and_the_filter_is_graphs_one() {
        let t = Token {
            folder: "inbox".into(),
            since: Some(3),
            upto: 9,
            offset: 10,
            select: Some("id,subject".into()),
            after_ms: None,
        };
        let back = Token::decode(&t.encode()).unwrap();
        assert_eq!((back.since, back.upto, back.offset), (Some(3), 9, 10));
        assert_eq!(
            parse_filter("receivedDateTime ge 2026-11-06T00:00:00Z").ok(),
            Some(1_793_923_200_000)
        );
        assert!(parse_filter("subject eq 'x'").is_err());
    }
}
