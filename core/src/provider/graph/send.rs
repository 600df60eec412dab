//! Sending one email through Microsoft Graph, with the whole MIME message
//! (Bcc included: Exchange removes it before delivery and keeps it in Sent
//! Items), base64 in a `text/plain` body (features-research §2.2):
//!
//! - now: `POST /me/sendMail` → 202, one call, and it delivers;
//! - at a later time (deferred delivery, held by Exchange even with the
//!   browser closed): `POST /me/messages` (a draft, 201 with its id), `PATCH`
//!   of the draft with `PidTagDeferredSendTime` (`SystemTime 0x3FEF`), then
//!   `POST /me/messages/{id}/send` → 202. The property goes on the draft
//!   only: on `sendMail` or `/reply` it has been seen to deliver at once and
//!   again later (connectonion#1198).
//!
//! One request may carry at most 4 MB. A larger email goes as a draft
//! whatever its time ([`super::detach`]): the MIME without its large
//! attachments (`POST /me/messages`), then each of them by
//! `createUploadSession` and PUTs of its bytes in chunks (multiples of
//! 320 KiB, `Content-Range`, no `Authorization`: the upload URL carries its
//! own) or, under 3 MB, one `POST …/attachments`, then `/send`. Which
//! attachment and chunk is next lives in the plan; the bytes are read from
//! the `Outgoing` at each call. An attachment that can't be added ends the
//! attempt after a `DELETE` of the draft (the next attempt starts afresh).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::detach::{self, Detached, TooLarge};
use crate::http::{HttpRequest, Method, TransportFailure};
use crate::provider::ErrorInfo;
use crate::provider::api_reply::{Reply, reply};
use crate::provider::text_field;
use crate::send::Outgoing;
use crate::send::provider::{Answer, Call, Read, Secret, SendRead, SendSteps};

pub const GRAPH_SEND_MAIL_URL: &str = "https://graph.microsoft.com/v1.0/me/sendMail";
pub const GRAPH_MESSAGES_URL: &str = "https://graph.microsoft.com/v1.0/me/messages";
/// Graph's limit on one request's body (`sendMail` and draft creation).
pub const GRAPH_MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// An upload session's chunk: a multiple of 320 KiB (Graph's rule), under
/// 4 MB.
pub const GRAPH_UPLOAD_CHUNK_BYTES: usize = 12 * 320 * 1024;
/// `PidTagDeferredSendTime`, as Graph names a single-value extended property.
pub const DEFERRED_SEND_TIME: &str = "SystemTime 0x3FEF";

/// What the outbox knows of a Microsoft inbox: the scopes its token was
/// granted (bare, `Mail.Send`, or as URLs), which decide whether it can
/// hold a draft for deferred delivery and whether Sent can be searched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphTarget {
    pub granted_scopes: Vec<String>,
}

impl GraphTarget {
    fn has(&self, scope: &str) -> bool {
        self.granted_scopes.iter().any(|s| {
            let s = s.trim();
            let s = s.strip_prefix("https://graph.microsoft.com/").unwrap_or(s);
            s.eq_ignore_ascii_case(scope)
        })
    }

    /// Drafts (`Mail.ReadWrite`): deferred delivery.
    pub fn can_write_drafts(&self) -> bool {
        self.has("Mail.ReadWrite")
    }

    /// Messages' `internetMessageId` readable: the Sent lookup.
    pub fn can_read(&self) -> bool {
        self.has("Mail.ReadWrite") || self.has("Mail.Read") || self.has("Mail.ReadBasic")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "stage",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    /// `POST /me/sendMail`.
    SendMail,
    /// `POST /me/messages`.
    CreateDraft,
    /// Attachment `index` of the detached ones: `createUploadSession`, or
    /// one `POST …/attachments` with its bytes.
    Attach { draft_id: String, index: usize },
    /// `PUT` of the chunk of attachment `index` starting at `offset`.
    Upload {
        draft_id: String,
        index: usize,
        upload_url: String,
        offset: u64,
    },
    /// `PATCH /me/messages/{id}` with the deferred time.
    Defer { draft_id: String },
    /// `POST /me/messages/{id}/send`.
    SendDraft { draft_id: String },
    /// `DELETE /me/messages/{id}`: an attachment could not be added, so the
    /// half-built draft goes (the next attempt makes a new one; left in
    /// Drafts it could be sent by hand too), then the send ends with `then`.
    Discard { draft_id: String, then: SendRead },
}

/// Graph's plan for one email. Serialised between calls without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphSend {
    stage: Stage,
    /// Deferred delivery, Unix ms.
    deliver_at_ms: Option<u64>,
    can_write_drafts: bool,
    /// Attachments that leave the MIME (an email over one request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    detached: Vec<Detached>,
    /// Over Graph's limits even in pieces (refused at the first call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    too_large: Option<String>,
}

impl GraphSend {
    pub fn new(target: &GraphTarget, out: &Outgoing) -> GraphSend {
        let (detached, too_large) = match detach::plan(&out.mime, GRAPH_MAX_REQUEST_BYTES) {
            Ok(detached) => (detached, None),
            Err(TooLarge::Attachment { name, size }) => (
                Vec::new(),
                Some(format!(
                    "{name} is {}; Microsoft 365 takes attachments of at most 150 MB. Share it as a link instead.",
                    megabytes(size as usize)
                )),
            ),
            Err(TooLarge::Message) => (
                Vec::new(),
                Some(format!(
                    "This email is {} and its text and images alone are over the 3 MB Microsoft 365 takes in one request. Shorten it, or attach the images as files.",
                    megabytes(out.mime.len())
                )),
            ),
        };
        GraphSend {
            stage: if out.deliver_at_ms.is_some() || !detached.is_empty() {
                Stage::CreateDraft
            } else {
                Stage::SendMail
            },
            deliver_at_ms: out.deliver_at_ms,
            can_write_drafts: target.can_write_drafts(),
            detached,
            too_large,
        }
    }

    /// The draft's id once created (Graph's id before `send`).
    pub fn draft_id(&self) -> Option<&str> {
        match &self.stage {
            Stage::Defer { draft_id }
            | Stage::SendDraft { draft_id }
            | Stage::Attach { draft_id, .. }
            | Stage::Upload { draft_id, .. }
            | Stage::Discard { draft_id, .. } => Some(draft_id),
            _ => None,
        }
    }
}

impl SendSteps for GraphSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let Secret::Bearer(token) = secret else {
            return Err(internal(
                "it was given a password instead of a Microsoft access token",
            ));
        };
        if let Some(message) = &self.too_large {
            return Err(SendRead::Permanent {
                code: "tooLarge".into(),
                message: message.clone(),
            });
        }
        let auth = ("Authorization".to_string(), format!("Bearer {token}"));
        let json_request = |method: Method, url: String, body: Value| HttpRequest {
            method,
            url,
            headers: vec![
                auth.clone(),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: Some(body.to_string()),
            body_base64: None,
        };
        let mime_request = |url: &str| -> Result<HttpRequest, SendRead> {
            let body = STANDARD.encode(detach::without(&out.mime, &self.detached));
            if body.len() > GRAPH_MAX_REQUEST_BYTES {
                // `new` read a different message: a mistake, never sent.
                return Err(internal("the message changed after it was planned"));
            }
            Ok(HttpRequest {
                method: Method::Post,
                url: url.into(),
                headers: vec![auth.clone(), ("Content-Type".into(), "text/plain".into())],
                body_base64: None,
                body: Some(body),
            })
        };
        let request = match &self.stage {
            Stage::SendMail => mime_request(GRAPH_SEND_MAIL_URL)?,
            Stage::CreateDraft => {
                if !self.can_write_drafts && self.deliver_at_ms.is_none() {
                    return Err(SendRead::Permanent {
                        code: "needsDraftPermission".into(),
                        message: format!(
                            "This email is {} with its attachments: Microsoft 365 takes an email over 3 MB only as a draft with its attachments uploaded, and Inlay was not given permission to write drafts. Turn on scheduled sending in Inlay's settings for this inbox and sign in again, or share the attachments as links.",
                            megabytes(out.mime.len())
                        ),
                    });
                }
                if !self.can_write_drafts {
                    return Err(SendRead::Permanent {
                        code: "needsDraftPermission".into(),
                        message: "To send this email at its time even with the browser closed, Microsoft 365 must hold it as a draft, and Inlay was not given permission to write drafts. Turn on scheduled sending in Inlay's settings for this inbox and sign in again, or send it now.".into(),
                    });
                }
                mime_request(GRAPH_MESSAGES_URL)?
            }
            Stage::Attach { draft_id, index } => {
                let a = self.attachment(*index)?;
                let attachments = format!(
                    "{GRAPH_MESSAGES_URL}/{}/attachments",
                    path_segment(draft_id)
                );
                if a.session {
                    json_request(
                        Method::Post,
                        format!("{attachments}/createUploadSession"),
                        json!({ "AttachmentItem": attachment_item(a) }),
                    )
                } else {
                    let mut item = attachment_item(a);
                    item.remove("attachmentType");
                    item.insert(
                        "@odata.type".into(),
                        "#microsoft.graph.fileAttachment".into(),
                    );
                    item.insert(
                        "contentBytes".into(),
                        STANDARD.encode(part_bytes(out, a)?).into(),
                    );
                    json_request(Method::Post, attachments, Value::Object(item))
                }
            }
            Stage::Upload {
                index,
                upload_url,
                offset,
                ..
            } => {
                let a = self.attachment(*index)?;
                let bytes = part_bytes(out, a)?;
                let start = usize::try_from(*offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let end = (start + GRAPH_UPLOAD_CHUNK_BYTES).min(bytes.len());
                // No Authorization: the upload URL is the session's own
                // credential (Microsoft: sending a token with it fails).
                HttpRequest {
                    method: Method::Put,
                    url: upload_url.clone(),
                    headers: vec![
                        ("Content-Type".into(), "application/octet-stream".into()),
                        (
                            "Content-Range".into(),
                            format!("bytes {start}-{}/{}", end.saturating_sub(1), bytes.len()),
                        ),
                    ],
                    body: None,
                    body_base64: Some(STANDARD.encode(&bytes[start..end])),
                }
            }
            Stage::Defer { draft_id } => {
                let at = self.deliver_at_ms.unwrap_or(0);
                json_request(
                    Method::Patch,
                    format!("{GRAPH_MESSAGES_URL}/{}", path_segment(draft_id)),
                    json!({
                        "singleValueExtendedProperties": [
                            { "id": DEFERRED_SEND_TIME, "value": crate::utc::date_time(at) }
                        ]
                    }),
                )
            }
            Stage::Discard { draft_id, .. } => HttpRequest {
                method: Method::Delete,
                url: format!("{GRAPH_MESSAGES_URL}/{}", path_segment(draft_id)),
                headers: vec![auth],
                body: None,
                body_base64: None,
            },
            Stage::SendDraft { draft_id } => HttpRequest {
                method: Method::Post,
                url: format!("{GRAPH_MESSAGES_URL}/{}/send", path_segment(draft_id)),
                headers: vec![auth],
                body: None,
                body_base64: None,
            },
        };
        Ok(Call::Http(request))
    }

    fn delivers(&self) -> bool {
        matches!(self.stage, Stage::SendMail | Stage::SendDraft { .. })
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        if let Stage::Discard { then, .. } = &self.stage {
            // Whatever the delete answered: Drafts is only tidier.
            return Read::End(then.clone());
        }
        let read = self.read_reply(answer);
        match (read, &self.stage) {
            (
                Read::End(then @ (SendRead::Retry { .. } | SendRead::Permanent { .. })),
                Stage::Attach { draft_id, .. } | Stage::Upload { draft_id, .. },
            ) => {
                self.stage = Stage::Discard {
                    draft_id: draft_id.clone(),
                    then,
                };
                Read::Next
            }
            (read, _) => read,
        }
    }
}

impl GraphSend {
    fn read_reply(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        let delivers = self.delivers();
        match reply(&answer) {
            Reply::Ok { body, .. } => self.next_stage(body),
            // An upload URL refused: the session is gone (expired); a new
            // token would not help, a new plan (draft, session) does.
            Reply::Unauthorized | Reply::Refused { .. } if self.uploading() => {
                Read::End(SendRead::Retry {
                    retry_after_ms: None,
                    message: "Microsoft 365 stopped taking the upload of an attachment; Inlay will start again.".into(),
                })
            }
            Reply::Unauthorized => Read::End(SendRead::SecretRejected),
            Reply::Throttled { retry_after_ms } => Read::End(SendRead::Retry {
                retry_after_ms,
                message: "Microsoft 365 is limiting how fast this mailbox sends; Inlay will try again."
                    .into(),
            }),
            Reply::ServerError { status } if delivers => Read::End(SendRead::Unknown {
                message: format!(
                    "Microsoft 365 had a problem while taking this email (HTTP {status}); it may have been sent."
                ),
            }),
            Reply::ServerError { status } => Read::End(SendRead::Retry {
                retry_after_ms: None,
                message: format!(
                    "Microsoft 365 had a temporary problem (HTTP {status}); Inlay will try again."
                ),
            }),
            Reply::NoAnswer(failure) if delivers => Read::End(SendRead::Unknown {
                message: match failure {
                    TransportFailure::Timeout => {
                        "Microsoft 365 did not answer in time; the email may have been sent."
                    }
                    TransportFailure::Network => {
                        "The connection to Microsoft 365 broke off; the email may have been sent."
                    }
                }
                .into(),
            }),
            Reply::NoAnswer(_) => Read::End(SendRead::Retry {
                retry_after_ms: None,
                message: "Microsoft 365 could not be reached; Inlay will try again.".into(),
            }),
            Reply::NotHttp if delivers => Read::End(SendRead::Unknown {
                message: "Inlay got an answer it can't read from Microsoft 365; the email may have been sent.".into(),
            }),
            Reply::NotHttp => Read::End(internal("the answer was not Microsoft 365's")),
            Reply::Refused {
                status,
                info,
                retry_after_ms,
            } => Read::End(self.refused(status, &info, retry_after_ms)),
        }
    }
}

impl GraphSend {
    /// Attachment `index` if there is one, else what follows the
    /// attachments: the deferred time, or `send`.
    fn attachment_or_after(&self, draft_id: String, index: usize) -> Stage {
        if index < self.detached.len() {
            Stage::Attach { draft_id, index }
        } else if self.deliver_at_ms.is_some() {
            Stage::Defer { draft_id }
        } else {
            Stage::SendDraft { draft_id }
        }
    }

    fn uploading(&self) -> bool {
        matches!(self.stage, Stage::Upload { .. })
    }

    fn attachment(&self, index: usize) -> Result<&Detached, SendRead> {
        self.detached
            .get(index)
            .ok_or_else(|| internal("its plan names an attachment the email doesn't have"))
    }

    fn next_stage(&mut self, body: &str) -> Read<SendRead> {
        match &self.stage {
            Stage::Discard { then, .. } => Read::End(then.clone()),
            Stage::SendMail => Read::End(SendRead::Sent {
                provider_id: None,
                thread_id: None,
            }),
            Stage::SendDraft { draft_id } => Read::End(SendRead::Sent {
                provider_id: Some(draft_id.clone()),
                thread_id: None,
            }),
            Stage::CreateDraft => {
                let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                let Some(draft_id) = text_field(&v, "id") else {
                    return Read::End(SendRead::Retry {
                        retry_after_ms: None,
                        message: "Microsoft 365 created the draft but Inlay couldn't read its id; Inlay will try again.".into(),
                    });
                };
                self.stage = self.attachment_or_after(draft_id, 0);
                Read::Next
            }
            Stage::Attach { draft_id, index } => {
                let (draft_id, index) = (draft_id.clone(), *index);
                if !self.detached.get(index).is_some_and(|a| a.session) {
                    self.stage = self.attachment_or_after(draft_id, index + 1);
                    return Read::Next;
                }
                let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                let Some(upload_url) = text_field(&v, "uploadUrl") else {
                    return Read::End(SendRead::Retry {
                        retry_after_ms: None,
                        message: "Microsoft 365 opened the upload of an attachment but Inlay couldn't read where to send it; Inlay will try again.".into(),
                    });
                };
                self.stage = Stage::Upload {
                    draft_id,
                    index,
                    upload_url,
                    offset: 0,
                };
                Read::Next
            }
            Stage::Upload {
                draft_id,
                index,
                upload_url,
                offset,
            } => {
                let (draft_id, index) = (draft_id.clone(), *index);
                let size = self.detached.get(index).map_or(0, |a| a.size);
                let sent = (*offset + GRAPH_UPLOAD_CHUNK_BYTES as u64).min(size);
                // The server says where to go on (`nextExpectedRanges`:
                // "start-" for an Outlook attachment); the last chunk's
                // answer (201) has no body.
                let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                let next = v["nextExpectedRanges"]
                    .as_array()
                    .and_then(|r| r.first())
                    .and_then(Value::as_str)
                    .and_then(|r| r.split('-').next()?.trim().parse::<u64>().ok());
                match next {
                    Some(next) if next < size => {
                        self.stage = Stage::Upload {
                            draft_id,
                            index,
                            upload_url: upload_url.clone(),
                            offset: next,
                        };
                    }
                    _ if sent < size => {
                        self.stage = Stage::Upload {
                            draft_id,
                            index,
                            upload_url: upload_url.clone(),
                            offset: sent,
                        };
                    }
                    _ => self.stage = self.attachment_or_after(draft_id, index + 1),
                }
                Read::Next
            }
            Stage::Defer { draft_id } => {
                self.stage = Stage::SendDraft {
                    draft_id: draft_id.clone(),
                };
                Read::Next
            }
        }
    }

    /// A 4xx other than 401 and 429.
    fn refused(&mut self, status: u16, info: &ErrorInfo, retry_after_ms: Option<u64>) -> SendRead {
        let code = info.code_or_reason().unwrap_or("");
        if status == 404 {
            match &self.stage {
                // The draft is gone between its `send` and now. Inlay sends a
                // draft once, right after creating it, so the likely reading
                // is that a `send` whose answer was lost took it (it then
                // moves out of Drafts under a new id); the user deleting it
                // within those seconds is the unlikely one. Either way only
                // the Sent lookup may say: unknown.
                Stage::SendDraft { .. } => {
                    return SendRead::Unknown {
                        message: "The draft Inlay had just created is gone from Microsoft 365; most likely it was already sent.".into(),
                    };
                }
                // Deleted before anything was sent: start again with a new draft.
                Stage::Defer { .. } => {
                    self.stage = Stage::CreateDraft;
                    return SendRead::Retry {
                        retry_after_ms,
                        message: "The draft Inlay had just created is gone from Microsoft 365; Inlay will create it again.".into(),
                    };
                }
                _ => {}
            }
        }
        let permanent = |code: &str, message: String| SendRead::Permanent {
            code: code.into(),
            message,
        };
        match (status, code) {
            (_, "ErrorSendAsDenied") => permanent(
                "aliasNotAllowed",
                format!(
                    "Microsoft 365 does not let this mailbox send as the chosen From address. Choose another From address, or ask your administrator for Send As rights.{}",
                    info.said()
                ),
            ),
            (_, "ErrorMessageSizeExceeded") | (413, _) => permanent(
                "tooLarge",
                "Microsoft 365 refused this email as too large. Remove or shrink an attachment, or share it as a link.".into(),
            ),
            (_, "ErrorQuotaExceeded") => permanent(
                "mailboxFull",
                "This Microsoft 365 mailbox is full, so it can't send. Delete some email, then send it again.".into(),
            ),
            (_, "MailboxNotEnabledForRESTAPI") => permanent(
                "mailboxNotSupported",
                "This mailbox is not on Exchange Online (or has no license for it), so Microsoft 365 can't send from it through Inlay.".into(),
            ),
            (_, "ErrorSubmissionQuotaExceeded") => permanent(
                "dailyLimit",
                format!(
                    "Microsoft 365's sending limit for this mailbox is used up, so this email was not sent. Send it again later.{}",
                    info.said()
                ),
            ),
            (403, _) => permanent(
                "accessDenied",
                format!(
                    "Microsoft 365 refused to send this email: Inlay may not send from this mailbox. Your organisation may not allow it; sign in again, or ask your administrator.{}",
                    info.said()
                ),
            ),
            _ => permanent(
                "rejected",
                format!(
                    "Microsoft 365 refused this email (HTTP {status}), so it was not sent. Check the recipients' addresses.{}",
                    info.said()
                ),
            ),
        }
    }
}

/// A mistake in Inlay itself: said, and never sent again automatically.
fn internal(what: &str) -> SendRead {
    SendRead::Permanent {
        code: "internal".into(),
        message: format!(
            "Inlay could not hand this email to Microsoft 365 ({what}). Please report this problem."
        ),
    }
}

/// Graph's `attachmentItem` for a detached attachment.
fn attachment_item(a: &Detached) -> serde_json::Map<String, Value> {
    let mut item = serde_json::Map::new();
    item.insert("attachmentType".into(), "file".into());
    item.insert("name".into(), a.name.clone().into());
    item.insert("size".into(), a.size.into());
    item.insert("contentType".into(), a.content_type.clone().into());
    item.insert("isInline".into(), a.is_inline.into());
    if let Some(id) = &a.content_id {
        item.insert("contentId".into(), id.clone().into());
    }
    item
}

/// The decoded bytes of a detached attachment, from the email.
fn part_bytes(out: &Outgoing, a: &Detached) -> Result<Vec<u8>, SendRead> {
    detach::contents(&out.mime, a.part)
        .filter(|b| b.len() as u64 == a.size)
        .ok_or_else(|| internal("the message changed after it was planned"))
}

/// `12.3 MB` (MiB, as mail providers count them).
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// A Graph id as one path segment (ids are base64 with `/`, `+`, `=`).
pub(crate) fn path_segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

