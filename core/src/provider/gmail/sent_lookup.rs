//! Was this email sent? A search of a Gmail mailbox for the Message-ID the
//! core minted, after a send whose answer never came (features-research §7).
//!
//! What it relies on. Whether Gmail keeps a Message-ID set by the sender on
//! an API send is contested (issue 12), so the search does not rest on it
//! alone:
//! 1. `messages.list?q=rfc822msgid:<id>` over the whole mailbox, trash
//!    included (needs readonly, modify or full access). A hit is the email.
//! 2. Else every message in Sent since the attempt (one hour earlier, for
//!    clock skew) is read with `format=metadata` and its `Message-ID` and
//!    `X-Inlay-Send-Id` headers compared with ours: custom `X-` headers
//!    travel as they are, so a message whose Message-ID Gmail rewrote is
//!    still found by the send id compose wrote ([`GmailLookup::for_outgoing`]
//!    reads it from the message).
//!    Under `gmail.metadata` (no `q` allowed) this is the only way: the
//!    `SENT` label newest first, stopping at the first older message.
//!
//! `NotFound` is said only after a complete search; a failed call is
//! `Failed` (never "not found"), and a send-only inbox `CannotLook`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::form_urlencoded::byte_serialize;

use crate::http::{HttpRequest, Method};
use crate::provider::api_reply::{Reply, reply};
use crate::provider::{ErrorInfo, bearer_get, text_field};
use crate::send::Outgoing;
use crate::send::compose::SEND_ID_HEADER;
use crate::send::provider::{Answer, Call, LookupRead, LookupSteps, Read, Secret};
use mail_parser::MessageParser;

use super::send::{GmailSearch, GmailTarget};

const MESSAGES_URL: &str = "https://gmail.googleapis.com/gmail/v1/users/me/messages";
/// Messages read one by one before the search gives up and asks the user.
pub const GMAIL_LOOKUP_MAX_CHECKED: u32 = 200;
/// How far before the attempt the window opens (the browser's clock may be
/// behind Google's).
const WINDOW_MARGIN_MS: u64 = 60 * 60 * 1000;
/// Google refuses `q` when the token holds `gmail.metadata`.
const METADATA_NO_Q: &str = "Metadata scope does not support 'q' parameter";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "stage",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    /// `q=rfc822msgid:`.
    ById,
    /// A page of Sent since the window opened.
    List { page_token: Option<String> },
    /// Reading the headers of `ids[0]`, then the rest, then `next_page`.
    Headers {
        ids: Vec<(String, String)>,
        next_page: Option<String>,
    },
}

/// Gmail's search of one mailbox for one Message-ID. Serialised between
/// calls without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GmailLookup {
    /// Without angle brackets.
    message_id: String,
    /// The email's `X-Inlay-Send-Id`, when known.
    #[serde(default)]
    send_id: Option<String>,
    search: GmailSearch,
    /// Unix ms: messages older than this are not the email.
    window_start_ms: u64,
    stage: Stage,
    checked: u32,
}

impl GmailLookup {
    /// `message_id` as in the email (`<left@right>`); `attempted_at_ms` when
    /// the first delivering call of this email may have left.
    pub fn new(target: &GmailTarget, message_id: &str, attempted_at_ms: u64) -> GmailLookup {
        let search = target.search();
        GmailLookup {
            message_id: bare(message_id).to_string(),
            send_id: None,
            search,
            window_start_ms: attempted_at_ms.saturating_sub(WINDOW_MARGIN_MS),
            stage: match search {
                GmailSearch::Metadata => Stage::List { page_token: None },
                _ => Stage::ById,
            },
            checked: 0,
        }
    }

    /// [`GmailLookup::new`] for this email, with its `X-Inlay-Send-Id` read
    /// from the message, so a Message-ID rewritten by Gmail is still found.
    pub fn for_outgoing(target: &GmailTarget, out: &Outgoing, attempted_at_ms: u64) -> GmailLookup {
        let send_id = MessageParser::new()
            .parse_headers(&out.mime[..])
            .and_then(|m| m.header_raw(SEND_ID_HEADER).map(|v| v.trim().to_string()))
            .filter(|v| !v.is_empty());
        GmailLookup {
            send_id,
            ..GmailLookup::new(target, &out.message_id, attempted_at_ms)
        }
    }

    fn url(&self) -> String {
        let q = |s: &str| byte_serialize(s.as_bytes()).collect::<String>();
        match &self.stage {
            Stage::ById => format!(
                "{MESSAGES_URL}?q={}&includeSpamTrash=true&maxResults=10",
                q(&format!("rfc822msgid:{}", self.message_id))
            ),
            Stage::List { page_token } => {
                let mut url = match self.search {
                    GmailSearch::Metadata => {
                        format!("{MESSAGES_URL}?labelIds=SENT&includeSpamTrash=true&maxResults=50")
                    }
                    _ => format!(
                        "{MESSAGES_URL}?q={}&includeSpamTrash=true&maxResults=50",
                        q(&format!("in:sent after:{}", self.window_start_ms / 1000))
                    ),
                };
                if let Some(token) = page_token {
                    url.push_str(&format!("&pageToken={}", q(token)));
                }
                url
            }
            Stage::Headers { ids, .. } => format!(
                "{MESSAGES_URL}/{}?format=metadata&metadataHeaders=Message-ID&metadataHeaders=X-Inlay-Send-Id",
                q(ids.first().map_or("", |(id, _)| id.as_str()))
            ),
        }
    }

    fn read_ok(&mut self, body: &str) -> Read<LookupRead> {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        match std::mem::replace(&mut self.stage, Stage::ById) {
            Stage::ById => {
                if let Some((id, thread)) = listed(&v).into_iter().next() {
                    return found(id, thread);
                }
                self.stage = Stage::List { page_token: None };
                Read::Next
            }
            Stage::List { .. } => {
                let ids = listed(&v);
                let next_page = text_field(&v, "nextPageToken");
                self.stage = match (ids.is_empty(), next_page) {
                    (true, None) => return Read::End(LookupRead::NotFound),
                    (true, Some(token)) => Stage::List {
                        page_token: Some(token),
                    },
                    (false, next_page) => Stage::Headers { ids, next_page },
                };
                Read::Next
            }
            Stage::Headers { mut ids, next_page } => {
                let (id, thread) = ids.remove(0);
                if self.is_ours(&v) {
                    return found(text_field(&v, "id").unwrap_or(id), thread);
                }
                let internal = text_field(&v, "internalDate").and_then(|d| d.parse::<u64>().ok());
                let older = internal.is_some_and(|ms| ms < self.window_start_ms);
                if older && self.search == GmailSearch::Metadata {
                    // Sent is listed newest first: the rest is older still.
                    return Read::End(LookupRead::NotFound);
                }
                self.skip(ids, next_page)
            }
        }
    }

    /// On to the next message, page, or the end of the search.
    fn skip(&mut self, ids: Vec<(String, String)>, next_page: Option<String>) -> Read<LookupRead> {
        self.checked += 1;
        if self.checked >= GMAIL_LOOKUP_MAX_CHECKED {
            return Read::End(LookupRead::CannotLook {
                message: format!(
                    "More than {GMAIL_LOOKUP_MAX_CHECKED} emails were sent from this Gmail account since this one was handed over, too many for Inlay to check. Look for it in your Sent folder."
                ),
            });
        }
        self.stage = match (ids.is_empty(), next_page) {
            (false, next_page) => Stage::Headers { ids, next_page },
            (true, Some(token)) => Stage::List {
                page_token: Some(token),
            },
            (true, None) => return Read::End(LookupRead::NotFound),
        };
        Read::Next
    }

    fn is_ours(&self, message: &Value) -> bool {
        let Some(headers) = message
            .pointer("/payload/headers")
            .and_then(Value::as_array)
        else {
            return false;
        };
        headers.iter().any(|h| {
            let name = h.get("name").and_then(Value::as_str).unwrap_or("");
            let value = h.get("value").and_then(Value::as_str).unwrap_or("");
            if name.eq_ignore_ascii_case("Message-ID") {
                bare(value) == self.message_id
            } else if name.eq_ignore_ascii_case(SEND_ID_HEADER) {
                let value = value.trim();
                self.send_id.as_deref() == Some(value) || bare(value) == self.message_id
            } else {
                false
            }
        })
    }

    fn refused(
        &mut self,
        status: u16,
        info: &ErrorInfo,
        retry_after_ms: Option<u64>,
    ) -> Read<LookupRead> {
        if status == 403 && self.stage == Stage::ById && info.message().contains(METADATA_NO_Q) {
            // The token holds gmail.metadata after all: search the other way.
            self.search = GmailSearch::Metadata;
            self.stage = Stage::List { page_token: None };
            return Read::Next;
        }
        if status == 404
            && let Stage::Headers { ids, next_page } = &self.stage
        {
            // Deleted between the list and now: not the email.
            let mut ids = ids.clone();
            let next_page = next_page.clone();
            ids.remove(0);
            return self.skip(ids, next_page);
        }
        Read::End(
            if status == 403
                && (info.has_reason("rateLimitExceeded")
                    || info.has_reason("userRateLimitExceeded"))
            {
                LookupRead::Failed {
                    retry_after_ms,
                    message: "Gmail is limiting requests; Inlay will look again.".into(),
                }
            } else if status == 403
                && (info.has_reason("insufficientPermissions")
                    || info.has_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
            {
                cannot_look()
            } else {
                LookupRead::Failed {
                    retry_after_ms: None,
                    message: format!(
                        "Gmail refused Inlay's search of Sent (HTTP {status}).{}",
                        info.said()
                    ),
                }
            },
        )
    }
}

impl LookupSteps for GmailLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        if self.search == GmailSearch::None {
            return Err(cannot_look());
        }
        let Secret::Bearer(token) = secret else {
            return Err(LookupRead::Failed {
                retry_after_ms: None,
                message: "Inlay was given a password instead of a Google access token; please report this problem.".into(),
            });
        };
        let request: HttpRequest = bearer_get(&self.url(), token);
        debug_assert_eq!(request.method, Method::Get);
        Ok(Call::Http(request))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        match reply(&answer) {
            Reply::Ok { body } => self.read_ok(body),
            Reply::Unauthorized => Read::End(LookupRead::SecretRejected),
            Reply::Throttled { retry_after_ms } => Read::End(LookupRead::Failed {
                retry_after_ms,
                message: "Gmail is limiting requests; Inlay will look again.".into(),
            }),
            Reply::ServerError { status } => Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message: format!(
                    "Gmail had a temporary problem (HTTP {status}); Inlay will look again."
                ),
            }),
            Reply::NoAnswer(_) => Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message: "Gmail could not be reached; Inlay will look again.".into(),
            }),
            Reply::NotHttp => Read::End(LookupRead::Failed {
                retry_after_ms: None,
                message:
                    "Inlay got an answer it can't read instead of Gmail's; it will look again."
                        .into(),
            }),
            Reply::Refused {
                status,
                info,
                retry_after_ms,
            } => self.refused(status, &info, retry_after_ms),
        }
    }
}

/// `<a@b>` → `a@b`.
fn bare(message_id: &str) -> &str {
    let t = message_id.trim();
    t.strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(t)
        .trim()
}

/// `(id, threadId)` of a `ListMessagesResponse`'s messages.
fn listed(v: &Value) -> Vec<(String, String)> {
    v.get("messages")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|m| {
                    Some((
                        text_field(m, "id")?,
                        text_field(m, "threadId").unwrap_or_default(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn found(id: String, thread: String) -> Read<LookupRead> {
    Read::End(LookupRead::Found {
        provider_id: Some(id),
        thread_id: (!thread.is_empty()).then_some(thread),
    })
}

fn cannot_look() -> LookupRead {
    LookupRead::CannotLook {
        message: "Inlay may only send from this Gmail account, not read it, so it can't check whether this email left. Look for it in your Sent folder.".into(),
    }
}
