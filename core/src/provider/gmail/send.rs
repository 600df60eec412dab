//! Sending one email through Gmail: `users.messages.send` with the whole
//! message (Bcc included: Gmail removes it before delivery and keeps it in
//! the Sent copy), in a reply's thread when there is one.
//!
//! One call, and it delivers: a 200 is sent (with Gmail's message and
//! thread id); a 5xx, a timeout or a reset may have delivered, since Google
//! has been seen to deliver and then fail (features-research §7), so they
//! are `Unknown`, never retried before a Sent lookup.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::{HttpRequest, Method, TransportFailure};
use crate::provider::api_reply::{Reply, reply};
use crate::provider::text_field;
use crate::send::Outgoing;
use crate::send::provider::{Answer, Call, Read, Secret, SendRead, SendSteps};

/// `users.messages.send`, JSON body `{raw, threadId}`.
pub const GMAIL_SEND_URL: &str = "https://gmail.googleapis.com/gmail/v1/users/me/messages/send";
/// The same method's media upload (`uploadType=multipart`: the metadata
/// with `threadId`, then the message as `message/rfc822`).
pub const GMAIL_SEND_UPLOAD_URL: &str =
    "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=multipart";
/// The discovery document's `mediaUpload.maxSize` for `messages.send`
/// (35 MiB).
pub const GMAIL_MAX_MESSAGE_BYTES: usize = 36_700_160;
/// Above this the message goes through the upload endpoint (Google's
/// uploads guide: simple requests for about 5 MB or less; base64url makes
/// the JSON body a third larger).
pub const GMAIL_SIMPLE_SEND_BYTES: usize = 5 * 1024 * 1024;

const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

/// What the outbox knows of a Gmail inbox: the scopes its token was
/// granted (as the token endpoint listed them), which decide whether and
/// how its Sent folder can be searched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GmailTarget {
    pub granted_scopes: Vec<String>,
}

/// How a Gmail inbox's mail can be searched, by its scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GmailSearch {
    /// `messages.list` with `q` (readonly, modify or full access).
    Query,
    /// `gmail.metadata`: headers only and no `q` (Google refuses `q` when the
    /// token holds this scope, even beside a wider one).
    Metadata,
    /// Send-only (`gmail.send`, `gmail.compose`): no read at all.
    None,
}

impl GmailTarget {
    fn has(&self, scope: &str) -> bool {
        self.granted_scopes.iter().any(|s| {
            let s = s.trim();
            s == scope || s.strip_prefix(SCOPE_PREFIX) == Some(scope)
        })
    }

    pub fn search(&self) -> GmailSearch {
        if self.has("gmail.metadata") {
            GmailSearch::Metadata
        } else if self.has("https://mail.google.com/")
            || self.has("gmail.readonly")
            || self.has("gmail.modify")
        {
            GmailSearch::Query
        } else {
            GmailSearch::None
        }
    }
}

/// Which form of `messages.send` carries the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Form {
    /// JSON `{raw, threadId}`.
    Raw,
    /// Multipart media upload.
    Upload,
}

/// Gmail's plan for one email. Serialised between calls without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GmailSend {
    form: Form,
}

impl GmailSend {
    pub fn new(_target: &GmailTarget, out: &Outgoing) -> GmailSend {
        // The upload carries the bytes as they are, so only a UTF-8 message
        // fits the request's text body; anything else goes as base64url.
        let form =
            if out.mime.len() > GMAIL_SIMPLE_SEND_BYTES && std::str::from_utf8(&out.mime).is_ok() {
                Form::Upload
            } else {
                Form::Raw
            };
        GmailSend { form }
    }
}

impl SendSteps for GmailSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let Secret::Bearer(token) = secret else {
            return Err(wrong_secret());
        };
        if out.mime.len() > GMAIL_MAX_MESSAGE_BYTES {
            return Err(SendRead::Permanent {
                code: "tooLarge".into(),
                message: format!(
                    "This email is {} MB with its attachments, more than Gmail's 35 MB. Remove or shrink an attachment, or share it as a link.",
                    out.mime.len().div_ceil(1024 * 1024)
                ),
            });
        }
        let auth = ("Authorization".to_string(), format!("Bearer {token}"));
        let accept = ("Accept".to_string(), "application/json".to_string());
        let request = match self.form {
            Form::Raw => {
                let mut body = json!({ "raw": URL_SAFE_NO_PAD.encode(&out.mime) });
                if let Some(thread) = &out.thread_id {
                    body["threadId"] = json!(thread);
                }
                HttpRequest {
                    body_base64: None,
                    method: Method::Post,
                    url: GMAIL_SEND_URL.into(),
                    headers: vec![
                        auth,
                        accept,
                        ("Content-Type".into(), "application/json".into()),
                    ],
                    body: Some(body.to_string()),
                }
            }
            Form::Upload => {
                let Ok(mime) = std::str::from_utf8(&out.mime) else {
                    return Err(wrong_secret_or_bytes("the message changed between calls"));
                };
                let metadata = match &out.thread_id {
                    Some(thread) => json!({ "threadId": thread }),
                    None => json!({}),
                };
                let boundary = boundary_for(mime);
                let body = format!(
                    "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{metadata}\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n{mime}\r\n--{boundary}--\r\n"
                );
                HttpRequest {
                    body_base64: None,
                    method: Method::Post,
                    url: GMAIL_SEND_UPLOAD_URL.into(),
                    headers: vec![
                        auth,
                        accept,
                        (
                            "Content-Type".into(),
                            format!("multipart/related; boundary={boundary}"),
                        ),
                    ],
                    body: Some(body),
                }
            }
        };
        Ok(Call::Http(request))
    }

    fn delivers(&self) -> bool {
        true
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        Read::End(read_send(&answer))
    }
}

/// A multipart boundary that does not occur in the message.
fn boundary_for(mime: &str) -> String {
    let mut boundary = String::from("inlay_upload_boundary");
    while mime.contains(&boundary) {
        boundary.push('x');
    }
    boundary
}

fn read_send(answer: &Answer<'_>) -> SendRead {
    match reply(answer) {
        Reply::Ok { body } => {
            let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            SendRead::Sent {
                provider_id: text_field(&v, "id"),
                thread_id: text_field(&v, "threadId"),
            }
        }
        Reply::Unauthorized => SendRead::SecretRejected,
        Reply::Throttled { retry_after_ms } => SendRead::Retry {
            retry_after_ms,
            message: "Gmail is limiting how fast this account sends; Inlay will try again.".into(),
        },
        Reply::ServerError { status } => SendRead::Unknown {
            message: format!(
                "Gmail had a problem while taking this email (HTTP {status}); it may have been sent."
            ),
        },
        Reply::NoAnswer(failure) => SendRead::Unknown {
            message: match failure {
                TransportFailure::Timeout => {
                    "Gmail did not answer in time; the email may have been sent.".into()
                }
                TransportFailure::Network => {
                    "The connection to Gmail broke off; the email may have been sent.".into()
                }
            },
        },
        Reply::NotHttp => SendRead::Unknown {
            message: "Inlay got an answer it can't read from Gmail; the email may have been sent."
                .into(),
        },
        Reply::Refused {
            status,
            info,
            retry_after_ms,
        } => refused(status, &info, retry_after_ms),
    }
}

/// A 4xx other than 401 and 429: nothing was sent.
fn refused(
    status: u16,
    info: &crate::provider::ErrorInfo,
    retry_after_ms: Option<u64>,
) -> SendRead {
    let permanent = |code: &str, message: String| SendRead::Permanent {
        code: code.into(),
        message,
    };
    if status == 403 {
        if info.has_reason("rateLimitExceeded") || info.has_reason("userRateLimitExceeded") {
            return SendRead::Retry {
                retry_after_ms,
                message: "Gmail is limiting how fast this account sends; Inlay will try again."
                    .into(),
            };
        }
        if info.has_reason("dailyLimitExceeded") || info.has_reason("quotaExceeded") {
            return permanent(
                "dailyLimit",
                format!(
                    "Gmail's sending limit for today is used up, so this email was not sent. Send it again tomorrow.{}",
                    info.said()
                ),
            );
        }
        if info.has_reason("domainPolicy") {
            return permanent(
                "adminBlocked",
                "Your Google Workspace administrator has blocked Inlay from using Gmail, so this email was not sent. Ask them to allow Inlay in the Admin console (Security → API controls).".into(),
            );
        }
        if info.has_reason("insufficientPermissions")
            || info.has_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
        {
            return permanent(
                "missingScope",
                "Inlay may not send from this Gmail account: the permission to send was not granted. Sign in again and leave every box ticked on Google's permission screen.".into(),
            );
        }
        return permanent(
            "forbidden",
            format!("Gmail refused to send this email.{}", info.said()),
        );
    }
    match status {
        413 => permanent(
            "tooLarge",
            "Gmail refused this email as too large. Remove or shrink an attachment, or share it as a link.".into(),
        ),
        404 => permanent(
            "threadNotFound",
            format!(
                "Gmail could not find the conversation this reply belongs to; it may have been deleted. Send it as a new email.{}",
                info.said()
            ),
        ),
        _ => permanent(
            "rejected",
            format!(
                "Gmail refused this email (HTTP {status}), so it was not sent. Check the recipients' addresses.{}",
                info.said()
            ),
        ),
    }
}

fn wrong_secret() -> SendRead {
    wrong_secret_or_bytes("it was given a password instead of a Google access token")
}

/// A mistake in Inlay itself: said, and never sent again automatically.
fn wrong_secret_or_bytes(what: &str) -> SendRead {
    SendRead::Permanent {
        code: "internal".into(),
        message: format!(
            "Inlay could not hand this email to Gmail ({what}). Please report this problem."
        ),
    }
}
