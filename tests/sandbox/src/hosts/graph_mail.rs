//! graph.microsoft.com's mail: `sendMail` and drafts (`POST /me/messages`, `PATCH` with
//! the deferred-send property, `POST …/send`) with MIME bodies, and messages listed by
//! folder or mailbox with `$filter=internetMessageId eq '…'` and `$select`.
//!
//! Folders are the mailbox's labels under their well-known names (`sentitems`, `drafts`,
//! `inbox`, `outbox`). A From other than the mailbox's address or a seeded alias is
//! refused at sending (403 `ErrorSendAsDenied`). A send files the Sent Items copy and records a delivery
//! (`delivery.rs`); a sent draft leaves Drafts and appears in Sent Items under a new id,
//! as in Exchange. A deferred draft waits in the Outbox under its id and is delivered (and
//! filed in Sent Items under a new id) when the sandbox clock passes its time, unless a
//! `DELETE` removed it first (`delivery::deliver_due`).

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::delivery;
use crate::http::{Request, Response, percent_decode};
use crate::ids::guid_from;
use crate::state::{Account, StoredMessage};

use super::graph::{BASE, error};

/// `PidTagDeferredSendTime` as Graph names it.
const DEFERRED_SEND_TIME: &str = "SystemTime 0x3FEF";

fn item_not_found() -> Response {
    error(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// The MIME message of a `text/plain` body (base64 of the whole message).
fn mime_body(req: &Request) -> Result<Vec<u8>, Response> {
    let content_type = req.header("content-type").unwrap_or_default();
    if !content_type.to_ascii_lowercase().starts_with("text/plain") {
        return Err(error(
            400,
            "BadRequest",
            "The sandbox's Graph fake takes MIME messages only (Content-Type: text/plain, the message in base64).",
        ));
    }
    let text: String = String::from_utf8_lossy(&req.body)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| {
            error(
                400,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            )
        })?;
    if delivery::recipients(&raw).is_empty() {
        return Err(error(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
        ));
    }
    Ok(raw)
}

/// Exchange refuses a From that is neither the mailbox nor one of its addresses
/// (without Send As rights, which the fake does not model).
fn send_as_denied(account: &Account, raw: &[u8]) -> Option<Response> {
    let from = delivery::sender(raw)?;
    (!delivery::may_send_as(account, &from)).then(|| {
        error(
            403,
            "ErrorSendAsDenied",
            "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.",
        )
    })
}

/// The Graph id of a stored message, shaped like Exchange's (base64url, `=` padded).
pub fn graph_message_id(m: &StoredMessage) -> String {
    format!("AAMkAG{}AAA=", m.id)
}

/// The message id from the path segment after `messages/`.
fn path_message_id(req: &Request) -> Option<String> {
    let mut segs = req.path.split('/');
    segs.by_ref().find(|s| *s == "messages")?;
    segs.next().map(percent_decode)
}

fn find<'a>(account: &'a mut Account, graph_id: &str) -> Option<&'a mut StoredMessage> {
    account
        .mailbox
        .messages
        .iter_mut()
        .find(|m| graph_message_id(m) == graph_id)
}

fn folder_label(folder: &str) -> String {
    folder.to_ascii_uppercase()
}

fn folder_id(account: &Account, label: &str) -> String {
    guid_from(&format!(
        "{}:folder:{}",
        account.address,
        label.to_ascii_lowercase()
    ))
}

/// `microsoft.graph.message` as Graph lists it (a subset of its properties).
fn message_json(account: &Account, m: &StoredMessage) -> Value {
    let label = m.label_ids.first().cloned().unwrap_or_default();
    let created = iso(m.internal_date_ms);
    let sender = delivery::header(&m.raw, "from").unwrap_or_default();
    let address = |s: &str| -> String {
        match (s.rfind('<'), s.rfind('>')) {
            (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_owned(),
            _ => s.trim().to_owned(),
        }
    };
    json!({
        "id": graph_message_id(m),
        "createdDateTime": created,
        "lastModifiedDateTime": created,
        "receivedDateTime": created,
        "sentDateTime": created,
        "categories": [],
        "hasAttachments": false,
        "internetMessageId": delivery::header(&m.raw, "message-id"),
        "subject": delivery::header(&m.raw, "subject").unwrap_or_default(),
        "bodyPreview": "",
        "importance": "normal",
        "parentFolderId": folder_id(account, &label),
        "conversationId": format!("AAQkAG{}=", m.thread_id),
        "isRead": true,
        "isDraft": label == "DRAFTS",
        "from": { "emailAddress": { "name": "", "address": address(&sender) } },
        "toRecipients": delivery::recipients(&m.raw).iter()
            .filter(|r| delivery::headers(&m.raw, "bcc").iter().all(|b| !b.to_ascii_lowercase().contains(r.as_str())))
            .map(|r| json!({ "emailAddress": { "address": r } })).collect::<Vec<_>>(),
    })
}

/// Unix ms as Graph writes a dateTimeOffset, to the second.
pub(crate) fn iso(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp((ms / 1000) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `POST /me/sendMail` (MIME) → 202; saved to Sent Items.
pub fn send_mail(req: &Request, account: &mut Account) -> Response {
    let raw = match mime_body(req) {
        Ok(raw) => raw,
        Err(response) => return response,
    };
    if let Some(refused) = send_as_denied(account, &raw) {
        return refused;
    }
    let stored = delivery::file(account, raw, None, "SENTITEMS");
    delivery::record(account, "graph sendMail", &stored);
    Response::empty(202)
}

/// `POST /me/messages` (MIME) → 201 with the draft.
pub fn create_draft(req: &Request, account: &mut Account) -> Response {
    let raw = match mime_body(req) {
        Ok(raw) => raw,
        Err(response) => return response,
    };
    let stored = delivery::file(account, raw, None, "DRAFTS");
    let body = message_json(account, &stored);
    Response::json(201, &body)
}

/// `PATCH /me/messages/{id}`: the deferred-send property (`singleValueExtendedProperties`
/// with `SystemTime 0x3FEF`); other properties are taken and ignored.
pub fn update(req: &Request, account: &mut Account) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let Some(id) = path_message_id(req) else {
        return item_not_found();
    };
    let deferred = body
        .get("singleValueExtendedProperties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| {
            p.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.eq_ignore_ascii_case(DEFERRED_SEND_TIME))
        })
        .and_then(|p| p.get("value").and_then(Value::as_str))
        .map(str::to_owned);
    let Some(message) = find(account, &id) else {
        return item_not_found();
    };
    if deferred.is_some() {
        message.deferred_until = deferred;
    }
    let message = message.clone();
    Response::json(200, &message_json(account, &message))
}

/// `POST /me/messages/{id}/send` → 202: the draft leaves Drafts; its Sent Items copy has
/// a new id.
pub fn send_draft(req: &Request, account: &mut Account) -> Response {
    let Some(id) = path_message_id(req) else {
        return item_not_found();
    };
    let Some(index) = account
        .mailbox
        .messages
        .iter()
        .position(|m| graph_message_id(m) == id && m.label_ids.iter().any(|l| l == "DRAFTS"))
    else {
        return item_not_found();
    };
    if let Some(refused) = send_as_denied(account, &account.mailbox.messages[index].raw) {
        return refused;
    }
    let mut draft = account.mailbox.messages.remove(index);
    draft.raw = super::graph_upload::attach_to(account, &id, draft.raw);
    if delivery::recipients(&draft.raw).is_empty() {
        return error(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid.",
        );
    }
    if draft.deferred_until.is_some() {
        // Held in the Outbox under its id until the clock passes its time
        // (`delivery::deliver_due`); a DELETE before then cancels it.
        draft.label_ids = vec!["OUTBOX".into()];
        account.mailbox.messages.push(draft);
        account.mailbox.history_id += 1;
        return Response::empty(202);
    }
    let stored = delivery::file(account, draft.raw, None, "SENTITEMS");
    delivery::record(account, "graph send (draft)", &stored);
    Response::empty(202)
}

/// `GET /me/messages` and `GET /me/mailFolders/{id}/messages`.
pub fn list(req: &Request, account: &mut Account) -> Response {
    let folder = {
        let mut segs = req.path.split('/');
        segs.by_ref()
            .find(|s| *s == "mailFolders")
            .and_then(|_| segs.next())
            .map(percent_decode)
    };
    let wanted_id = match req.query_param("$filter").map(|f| parse_filter(&f)) {
        Some(Ok(id)) => Some(id),
        Some(Err(response)) => return response,
        None => None,
    };
    let top = req
        .query_param("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(10);
    let select: Option<Vec<String>> = req
        .query_param("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_owned()).collect());
    let value: Vec<Value> = account
        .mailbox
        .messages
        .iter()
        .filter(|m| match &folder {
            None => true,
            Some(f) => m
                .label_ids
                .iter()
                .any(|l| *l == folder_label(f) || folder_id(account, l).eq_ignore_ascii_case(f)),
        })
        .filter(|m| {
            wanted_id.as_deref().is_none_or(|want| {
                delivery::header(&m.raw, "message-id").is_some_and(|h| h.trim() == want)
            })
        })
        .take(top)
        .map(|m| {
            let full = message_json(account, m);
            match &select {
                None => full,
                Some(fields) => {
                    let mut out = Map::new();
                    for (k, v) in full.as_object().unwrap() {
                        if k == "id" || fields.iter().any(|f| f.eq_ignore_ascii_case(k)) {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                    Value::Object(out)
                }
            }
        })
        .collect();
    Response::json(
        200,
        &json!({
            "@odata.context": format!("{BASE}/$metadata#users('{}')/messages", account.address),
            "value": value,
        }),
    )
    .with_header(
        "content-type",
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    )
}

/// `internetMessageId eq '<…>'` (a quote doubled inside), the one filter the fake reads.
fn parse_filter(filter: &str) -> Result<String, Response> {
    let refused = || {
        error(
            400,
            "ErrorInvalidUrlQueryFilter",
            "The sandbox's Graph fake filters messages by internetMessageId eq '…' only.",
        )
    };
    let filter = filter.trim();
    let (field, rest) = filter.split_once(char::is_whitespace).ok_or_else(refused)?;
    let (op, literal) = rest
        .trim()
        .split_once(char::is_whitespace)
        .ok_or_else(refused)?;
    if !field.eq_ignore_ascii_case("internetMessageId") || !op.eq_ignore_ascii_case("eq") {
        return Err(refused());
    }
    let literal = literal.trim();
    let inner = literal
        .strip_prefix('\'')
        .and_then(|l| l.strip_suffix('\''))
        .ok_or_else(refused)?;
    Ok(inner.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_reads_one_equality_with_doubled_quotes() {
        assert_eq!(
            parse_filter("internetMessageId eq '<o''neil@x>'").unwrap(),
            "<o'neil@x>"
        );
        assert!(parse_filter("subject eq 'x'").is_err());
        assert!(parse_filter("internetMessageId ne 'x'").is_err());
        assert!(parse_filter("internetMessageId eq x").is_err());
    }
}
