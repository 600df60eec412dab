//! Graph: attachments added to a draft after it was created, for an email over one 4 MB
//! request (learn.microsoft.com/graph/outlook-large-attachments): `POST …/attachments` with
//! a `fileAttachment` (its bytes in `contentBytes`), and `createUploadSession` → an upload
//! URL on outlook.office.com that takes `PUT`s of byte ranges (`Content-Range`, in order,
//! multiples of 320 KiB but the last, at most 4 MiB each) **without** `Authorization` (the
//! URL carries its own token; Graph refuses one sent with it) → 200 with
//! `nextExpectedRanges`, 201 when the last byte arrived. When the draft is sent its MIME gets
//! each attachment as a base64 part before the closing delimiter, so a delivery records the
//! bytes as uploaded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::http::{Request, Response, percent_decode};
use crate::ids;
use crate::sandbox::Sandbox;
use crate::state::Account;

use super::graph::error;

const CHUNK_UNIT: usize = 320 * 1024;
const MAX_CHUNK: usize = 4 * 1024 * 1024;
/// Graph's smallest attachment for an upload session, and its largest.
const SESSION_MIN: u64 = 3 * 1024 * 1024;
const SESSION_MAX: u64 = 150 * 1024 * 1024;

/// An attachment of a draft, or one being uploaded (`session` set, not `complete`).
#[derive(Debug, Clone)]
pub struct DraftAttachment {
    /// The draft's Graph id.
    pub draft: String,
    pub name: String,
    pub content_type: String,
    pub is_inline: bool,
    pub content_id: Option<String>,
    pub size: u64,
    pub bytes: Vec<u8>,
    pub session: Option<String>,
    pub complete: bool,
}

fn draft_id(req: &Request) -> Option<String> {
    let mut segs = req.path.split('/');
    segs.by_ref().find(|s| *s == "messages")?;
    segs.next().map(percent_decode)
}

fn is_draft(account: &Account, id: &str) -> bool {
    account.mailbox.messages.iter().any(|m| {
        super::graph_mail::graph_message_id(m) == id && m.label_ids.iter().any(|l| l == "DRAFTS")
    })
}

fn not_found() -> Response {
    error(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `DELETE /me/messages/{id}` → 204: the message goes, with any attachment or upload of it.
pub fn delete(req: &Request, account: &mut Account) -> Response {
    let Some(id) = draft_id(req) else {
        return not_found();
    };
    let before = account.mailbox.messages.len();
    account
        .mailbox
        .messages
        .retain(|m| super::graph_mail::graph_message_id(m) != id);
    if account.mailbox.messages.len() == before {
        return not_found();
    }
    account.mailbox.draft_attachments.retain(|a| a.draft != id);
    Response::empty(204)
}

/// `POST /me/messages/{id}/attachments`: a `fileAttachment` with its bytes.
pub fn add(req: &Request, account: &mut Account) -> Response {
    let Some(draft) = draft_id(req).filter(|d| is_draft(account, d)) else {
        return not_found();
    };
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    if text(&body, "@odata.type").as_deref() != Some("#microsoft.graph.fileAttachment") {
        return error(
            400,
            "BadRequest",
            "The sandbox's Graph fake takes file attachments only.",
        );
    }
    let Some(bytes) = text(&body, "contentBytes").and_then(|b| STANDARD.decode(b).ok()) else {
        return error(
            400,
            "ErrorInvalidRequest",
            "contentBytes is not valid base64.",
        );
    };
    let attachment = DraftAttachment {
        draft,
        name: text(&body, "name").unwrap_or_default(),
        content_type: text(&body, "contentType").unwrap_or("application/octet-stream".into()),
        is_inline: body["isInline"].as_bool().unwrap_or(false),
        content_id: text(&body, "contentId"),
        size: bytes.len() as u64,
        bytes,
        session: None,
        complete: true,
    };
    let shown = json!({"@odata.type": "#microsoft.graph.fileAttachment", "id": ids::guid(),
        "name": attachment.name, "contentType": attachment.content_type, "size": attachment.size,
        "isInline": attachment.is_inline});
    account.mailbox.draft_attachments.push(attachment);
    Response::json(201, &shown)
}

/// `POST /me/messages/{id}/attachments/createUploadSession` with an `AttachmentItem`.
pub fn create_session(req: &Request, account: &mut Account) -> Response {
    let Some(draft) = draft_id(req).filter(|d| is_draft(account, d)) else {
        return not_found();
    };
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let item = &body["AttachmentItem"];
    let size = item["size"].as_u64().unwrap_or(0);
    if text(item, "attachmentType").as_deref() != Some("file") || text(item, "name").is_none() {
        return error(
            400,
            "ErrorInvalidRequest",
            "AttachmentItem needs attachmentType file, a name and a size.",
        );
    }
    if size < SESSION_MIN {
        return error(
            400,
            "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
            "Attachment size must be greater than the minimum size.",
        );
    }
    if size > SESSION_MAX {
        return error(
            413,
            "ErrorAttachmentSizeExceeded",
            "The attachment is too large.",
        );
    }
    let session = ids::guid();
    account.mailbox.draft_attachments.push(DraftAttachment {
        draft: draft.clone(),
        name: text(item, "name").unwrap_or_default(),
        content_type: text(item, "contentType").unwrap_or("application/octet-stream".into()),
        is_inline: item["isInline"].as_bool().unwrap_or(false),
        content_id: text(item, "contentId"),
        size,
        bytes: Vec::new(),
        session: Some(session.clone()),
        complete: false,
    });
    Response::json(
        201,
        &json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
            "uploadUrl": format!(
                "https://outlook.office.com/api/v2.0/Users('{}')/Messages('{draft}')/AttachmentSessions('{session}')?authtoken=sandbox-upload-{session}",
                account.address
            ),
            "expirationDateTime": "2099-01-01T00:00:00Z",
            "nextExpectedRanges": ["0-"],
        }),
    )
}

/// Whether `req` is a PUT to an upload URL (served on outlook.office.com).
pub fn is_upload(req: &Request) -> bool {
    req.method == "PUT" && req.path.contains("/AttachmentSessions(")
}

/// `PUT <uploadUrl>`: one byte range of the attachment.
pub fn put(req: &Request, sandbox: &Sandbox) -> Response {
    let session = req
        .path
        .split("AttachmentSessions('")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .map(percent_decode)
        .unwrap_or_default();
    if req.header("authorization").is_some() {
        return error(
            401,
            "InvalidAuthenticationToken",
            "An upload URL takes no Authorization header: its token is in the URL.",
        );
    }
    let range = req.header("content-range").and_then(|r| {
        let (span, total) = r.strip_prefix("bytes ")?.split_once('/')?;
        let (start, end) = span.split_once('-')?;
        Some((
            start.trim().parse::<u64>().ok()?,
            end.trim().parse::<u64>().ok()?,
            total.trim().parse::<u64>().ok()?,
        ))
    });
    let mut state = sandbox.state();
    let Some(upload) = state
        .accounts
        .iter_mut()
        .flat_map(|a| a.mailbox.draft_attachments.iter_mut())
        .find(|d| d.session.as_deref() == Some(session.as_str()) && !d.complete)
    else {
        return not_found();
    };
    let Some((start, end, total)) = range else {
        return error(
            400,
            "InvalidRequest",
            "Content-Range is missing or malformed.",
        );
    };
    let len = req.body.len();
    let last = end + 1 == total;
    if total != upload.size
        || start != upload.bytes.len() as u64
        || end < start
        || (end - start + 1) as usize != len
        || len > MAX_CHUNK
        || (!last && !len.is_multiple_of(CHUNK_UNIT))
    {
        return error(
            416,
            "InvalidRange",
            &format!(
                "The range {start}-{end}/{total} ({len} bytes) is not the next one expected ({}-, size {}).",
                upload.bytes.len(),
                upload.size
            ),
        );
    }
    upload.bytes.extend_from_slice(&req.body);
    if last {
        upload.complete = true;
        return Response::empty(201).with_header(
            "location",
            &format!("https://outlook.office.com/api/v2.0/Attachments('{session}')"),
        );
    }
    Response::json(
        200,
        &json!({"expirationDateTime": "2099-01-01T00:00:00Z", "nextExpectedRanges": [format!("{}", end + 1)]}),
    )
}

/// The draft's MIME with its attachments added (taken out of the mailbox's list).
pub fn attach_to(account: &mut Account, draft: &str, raw: Vec<u8>) -> Vec<u8> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut account.mailbox.draft_attachments)
        .into_iter()
        .partition(|a| a.draft == draft);
    account.mailbox.draft_attachments = rest;
    let parts: Vec<String> = mine
        .iter()
        .filter(|a| a.complete)
        .map(|a| {
            let mut part = format!(
                "Content-Type: {}; name=\"{}\"\r\nContent-Disposition: {}; filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n",
                a.content_type,
                a.name,
                if a.is_inline { "inline" } else { "attachment" },
                a.name
            );
            if let Some(id) = &a.content_id {
                part.push_str(&format!("Content-ID: <{id}>\r\n"));
            }
            part.push_str("\r\n");
            for line in STANDARD.encode(&a.bytes).as_bytes().chunks(76) {
                part.push_str(std::str::from_utf8(line).unwrap_or_default());
                part.push_str("\r\n");
            }
            part
        })
        .collect();
    if parts.is_empty() {
        return raw;
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let boundary = crate::delivery::header(&raw, "content-type")
        .filter(|c| c.to_ascii_lowercase().starts_with("multipart/"))
        .and_then(|c| {
            let at = c.to_ascii_lowercase().find("boundary=")?;
            Some(
                c[at + 9..]
                    .split(';')
                    .next()?
                    .trim()
                    .trim_matches('"')
                    .to_owned(),
            )
        });
    match boundary.and_then(|b| text.rfind(&format!("--{b}--")).map(|at| (b, at))) {
        Some((b, at)) => {
            let mut out = text[..at].to_owned();
            for part in &parts {
                out.push_str(&format!("--{b}\r\n{part}"));
            }
            out.push_str(&text[at..]);
            out.into_bytes()
        }
        // Not multipart: the fake only adds to a multipart message.
        None => raw,
    }
}
