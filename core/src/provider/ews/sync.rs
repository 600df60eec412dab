//! Exchange's sync planner (issue 13): what arrived in Inbox and Sent Items
//! since the last pass, by `SyncFolderItems`, headers only.
//!
//! Per folder (`inbox`, then `sentitems`, distinguished ids): `SyncFolderItems`
//! from the stored `SyncState` (none the first time, when Exchange lists
//! every item as a create), `IdOnly` plus `item:DateTimeReceived` so a first
//! pass keeps only creates inside the [`SyncWindow`]; `Delete` changes are
//! reported as removed, updates and read flags ignored (no new email). The
//! ids kept are then read by `GetItem` in batches of [`EWS_HEADERS_BATCH`]
//! for the properties the rules need ([`HEADER_PROPERTIES`]: the addresses
//! and ids as fields, plus `InternetMessageHeaders` for the marks: list,
//! bulk, automatic reply). `IncludesLastItemInRange` false: the next call
//! goes on from the new `SyncState`. `ErrorInvalidSyncStateData` expires the
//! folder's state: the machine restarts that folder's bounded first pass.
//! `ErrorServerBusy` waits its `BackOffMilliseconds`.

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::errors;
use super::operations::{ItemId, get_mime};
use super::results::{error_of, item_id, messages};
use super::send::{NO_PASSWORD, fault_of, password, retry_after_ms, unpaced};
use super::soap;
use super::xml::{self, Element, escape};
use crate::http::{HttpRequest, TransportFailure};
use crate::message::Participant;
use crate::provider::api_reply::rfc3339_ms;
use crate::provider::{Disposition, Outcome};
use crate::sync::cursor::{FolderCursor, SyncCursor, SyncWindow};
use crate::sync::incoming::{FolderRole, Incoming, SummaryFields, summary_from_fields};
use crate::sync::pacing::Pace;
use crate::sync::provider::{Answer, Call, Fault, Page, Secret, SyncRead, SyncSteps, Unreadable};

/// Changes asked per `SyncFolderItems` call.
pub const EWS_SYNC_PAGE: u16 = 100;
/// Items read per `GetItem` call.
pub const EWS_HEADERS_BATCH: usize = 25;
/// The folders a pass reads, in order.
pub const EWS_SYNC_FOLDERS: &[&str] = &["inbox", "sentitems"];

/// What `GetItem` returns for each message: what the logging rules read.
pub const HEADER_PROPERTIES: &[&str] = &[
    "item:Subject",
    "item:DateTimeReceived",
    "item:DateTimeSent",
    "item:Size",
    "item:InternetMessageHeaders",
    "item:ConversationId",
    "message:From",
    "message:Sender",
    "message:ReplyTo",
    "message:ToRecipients",
    "message:CcRecipients",
    "message:BccRecipients",
    "message:InternetMessageId",
    "item:InReplyTo",
    "message:References",
];

/// Headers given as fields already; `InternetMessageHeaders` copies of them
/// are not read twice.
const FIELD_HEADERS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
];

/// One folder's place in the pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Folder {
    folder: String,
    /// The `SyncState` to go on from (none: a first pass).
    state: Option<String>,
    /// This folder's pass started without a state: creates older than the
    /// window are left out.
    bounded: bool,
    /// Ids listed whose headers are read next.
    pending: Vec<String>,
    /// Exchange said more changes are waiting.
    more: bool,
}

/// One pass over an Exchange mailbox. Serialised between calls without
/// secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsSync {
    inbox: String,
    ews_url: String,
    window: SyncWindow,
    window_start_ms: u64,
    folders: Vec<Folder>,
    current: usize,
}

impl EwsSync {
    /// A pass for `inbox` at `ews_url` from `cursor` (a folder without a
    /// state, or a cursor of another provider: its bounded first pass).
    pub fn new(
        inbox: &str,
        ews_url: &str,
        cursor: Option<&SyncCursor>,
        window: SyncWindow,
        now_ms: u64,
    ) -> EwsSync {
        let state = |f: &str| match cursor {
            Some(c @ SyncCursor::Ews { .. }) => c.folder_token(f).map(str::to_string),
            _ => None,
        };
        EwsSync {
            inbox: inbox.into(),
            ews_url: ews_url.into(),
            window,
            window_start_ms: window.start_ms(now_ms),
            folders: EWS_SYNC_FOLDERS
                .iter()
                .map(|f| {
                    let state = state(f);
                    Folder {
                        folder: (*f).into(),
                        bounded: state.is_none(),
                        state,
                        pending: vec![],
                        more: true,
                    }
                })
                .collect(),
            current: 0,
        }
    }

    fn role(&self) -> FolderRole {
        match self.folders.get(self.current).map(|f| f.folder.as_str()) {
            Some("inbox") => FolderRole::Inbox,
            Some("sentitems") => FolderRole::Sent,
            _ => FolderRole::Other,
        }
    }

    /// The pass moves to the next folder once this one has nothing left.
    fn advance(&mut self) {
        while let Some(f) = self.folders.get(self.current) {
            if f.pending.is_empty() && !f.more {
                self.current += 1;
            } else {
                break;
            }
        }
    }

    fn cursor(&self) -> SyncCursor {
        SyncCursor::Ews {
            folders: self
                .folders
                .iter()
                .map(|f| FolderCursor {
                    folder: f.folder.clone(),
                    token: f.state.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    fn finish(&mut self, mut page: Page) -> SyncRead {
        self.advance();
        if self.current >= self.folders.len() {
            page.done = Some(self.cursor());
        }
        SyncRead::Page(page)
    }

    fn read_changes(&mut self, operation: &Element) -> SyncRead {
        let message = match first_ok(&self.ews_url, operation) {
            Ok(m) => m,
            Err(read) => return read,
        };
        let Some(state) = message.text_at(&["SyncState"]) else {
            return unreadable_answer(&self.ews_url);
        };
        let window_start = self.window_start_ms;
        let folder = &mut self.folders[self.current];
        let mut page = Page::default();
        for change in message.child("Changes").map_or(&[][..], |c| &c.children) {
            match change.name.as_str() {
                "Create" => {
                    let Some(item) = change.children.first() else {
                        continue;
                    };
                    let Some(id) = item.child("ItemId").and_then(item_id) else {
                        continue;
                    };
                    let received = item
                        .text_at(&["DateTimeReceived"])
                        .and_then(|d| rfc3339_ms(&d));
                    if folder.bounded && received.is_some_and(|r| r < window_start) {
                        continue;
                    }
                    if !folder.pending.contains(&id.id) {
                        folder.pending.push(id.id);
                    }
                }
                "Delete" => {
                    if let Some(id) = change.child("ItemId").and_then(item_id) {
                        folder.pending.retain(|p| *p != id.id);
                        page.removed.push(id.id);
                    }
                }
                _ => {}
            }
        }
        folder.state = Some(state);
        folder.more = message.text_at(&["IncludesLastItemInRange"]).as_deref() != Some("true");
        self.finish(page)
    }

    fn read_items(&mut self, operation: &Element) -> SyncRead {
        let list = match messages(operation) {
            Ok(list) => list,
            Err(_) => return unreadable_answer(&self.ews_url),
        };
        let role = self.role();
        let asked: Vec<String> = self.folders[self.current]
            .pending
            .iter()
            .take(EWS_HEADERS_BATCH)
            .cloned()
            .collect();
        let mut page = Page::default();
        let mut skipped = 0;
        for (index, id) in asked.iter().enumerate() {
            let Some(message) = list.get(index) else {
                // Not answered: asked again in the next batch.
                break;
            };
            if let Some((code, text)) = error_of(message) {
                match code.as_str() {
                    "ErrorItemNotFound" => page.removed.push(id.clone()),
                    "ErrorServerBusy"
                    | "ErrorTimeoutExpired"
                    | "ErrorInternalServerTransientError"
                    | "ErrorMailboxStoreUnavailable"
                    | "ErrorMailboxMoveInProgress"
                    | "ErrorConnectionFailed" => {
                        let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
                        return by_code(&self.ews_url, &code, &text, back_off);
                    }
                    _ => page.unreadable.push(Unreadable {
                        provider_id: id.clone(),
                        reason: format!("Exchange could not return it ({code}: {text})."),
                    }),
                }
                continue;
            }
            match message
                .child("Items")
                .and_then(|items| items.children.first())
            {
                // Outside a first pass's window, should the listing have
                // lacked the received date.
                Some(item) if self.before_window(item) => skipped += 1,
                Some(item) => page.incoming.push(self.incoming(item, id.clone(), role)),
                None => page.unreadable.push(Unreadable {
                    provider_id: id.clone(),
                    reason: "Exchange returned no message for it.".into(),
                }),
            }
        }
        let read = page.incoming.len() + page.removed.len() + page.unreadable.len() + skipped;
        self.folders[self.current].pending.drain(..read);
        if read == 0 {
            return unreadable_answer(&self.ews_url);
        }
        self.finish(page)
    }

    fn before_window(&self, item: &Element) -> bool {
        self.folders[self.current].bounded
            && item
                .text_at(&["DateTimeReceived"])
                .and_then(|d| rfc3339_ms(&d))
                .is_some_and(|r| r < self.window_start_ms)
    }

    fn incoming(&self, item: &Element, id: String, folder: FolderRole) -> Incoming {
        let date = |name: &str| item.text_at(&[name]).and_then(|d| rfc3339_ms(&d));
        let one = |name: &str| -> Vec<Participant> {
            item.child(name)
                .and_then(|m| m.child("Mailbox"))
                .and_then(participant)
                .into_iter()
                .collect()
        };
        let many = |name: &str| -> Vec<Participant> {
            item.child(name)
                .map(|l| {
                    l.children_named("Mailbox")
                        .filter_map(participant)
                        .collect()
                })
                .unwrap_or_default()
        };
        let ids = |name: &str| -> Vec<String> {
            item.text_at(&[name])
                .map(|t| t.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        let extra = item
            .child("InternetMessageHeaders")
            .map(|hs| {
                hs.children_named("InternetMessageHeader")
                    .filter_map(|h| {
                        let name = h.attr("HeaderName")?;
                        (!FIELD_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
                            .then(|| (name.to_string(), h.text.trim().to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let fields = SummaryFields {
            subject: item.text_at(&["Subject"]),
            date: date("DateTimeSent").and_then(|ms| i64::try_from(ms / 1000).ok()),
            from: one("From"),
            sender: one("Sender"),
            reply_to: many("ReplyTo"),
            to: many("ToRecipients"),
            cc: many("CcRecipients"),
            bcc: many("BccRecipients"),
            message_id: item.text_at(&["InternetMessageId"]),
            in_reply_to: ids("InReplyTo"),
            references: ids("References"),
            extra,
        };
        Incoming {
            inbox: self.inbox.clone(),
            provider_id: id,
            thread_id: item
                .child("ConversationId")
                .and_then(|c| c.attr("Id"))
                .map(str::to_string),
            folder,
            received_at_ms: date("DateTimeReceived").and_then(|ms| i64::try_from(ms).ok()),
            headers: summary_from_fields(&fields),
            size: item.text_at(&["Size"]).and_then(|s| s.parse().ok()),
        }
    }
}

/// `t:Mailbox` `{Name, EmailAddress}`.
fn participant(m: &Element) -> Option<Participant> {
    Some(Participant {
        name: m.text_at(&["Name"]),
        address: m.text_at(&["EmailAddress"])?,
    })
}

/// `SyncFolderItems` of `folder` from `state`, ids and received dates.
pub fn sync_headers_request(
    ews_url: &str,
    credentials: &Credentials,
    folder: &str,
    state: Option<&str>,
) -> HttpRequest {
    let state = state
        .map(|s| format!("<m:SyncState>{}</m:SyncState>", escape(s)))
        .unwrap_or_default();
    let op = format!(
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         <t:AdditionalProperties><t:FieldURI FieldURI=\"item:DateTimeReceived\"/></t:AdditionalProperties>\
         </m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id=\"{}\"/></m:SyncFolderId>{state}\
         <m:MaxChangesReturned>{EWS_SYNC_PAGE}</m:MaxChangesReturned></m:SyncFolderItems>",
        escape(folder)
    );
    soap::request(ews_url, credentials, &op)
}

/// `GetItem` of `ids` with [`HEADER_PROPERTIES`].
pub fn get_headers_request(
    ews_url: &str,
    credentials: &Credentials,
    ids: &[String],
) -> HttpRequest {
    let props: String = HEADER_PROPERTIES
        .iter()
        .map(|p| format!("<t:FieldURI FieldURI=\"{p}\"/>"))
        .collect();
    let ids: String = ids
        .iter()
        .map(|id| format!("<t:ItemId Id=\"{}\"/>", escape(id)))
        .collect();
    let op = format!(
        "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         <t:AdditionalProperties>{props}</t:AdditionalProperties></m:ItemShape>\
         <m:ItemIds>{ids}</m:ItemIds></m:GetItem>"
    );
    soap::request(ews_url, credentials, &op)
}

fn unreadable_answer(ews_url: &str) -> SyncRead {
    SyncRead::Fault(Fault::Retry {
        retry_after_ms: None,
        message: format!(
            "{} gave an answer Inlay couldn't read.",
            super::results::host_of(ews_url)
        ),
    })
}

/// An EWS response code as the sync machine reads it.
fn by_code(ews_url: &str, code: &str, text: &str, back_off_ms: Option<u64>) -> SyncRead {
    if code == "ErrorInvalidSyncStateData" {
        return SyncRead::CursorExpired {
            message: "Exchange no longer has the changes since Inlay's last sync.".into(),
        };
    }
    SyncRead::Fault(
        match errors::response_code(code, text, back_off_ms, &unpaced(ews_url)) {
            Disposition::Retry {
                retry_after_ms,
                reason,
            } => Fault::Retry {
                retry_after_ms,
                message: format!("{reason}."),
            },
            Disposition::RetryAfter { after_ms, reason } => Fault::Retry {
                retry_after_ms: Some(after_ms),
                message: format!("{reason}."),
            },
            Disposition::Fail { code, message } => Fault::Permanent { code, message },
            Disposition::Reauthenticate { .. } | Disposition::RefreshToken => Fault::SecretRejected,
            Disposition::Success => Fault::Retry {
                retry_after_ms: None,
                message: format!("Exchange answered {code}."),
            },
        },
    )
}

/// The first response message, if it succeeded.
fn first_ok<'a>(ews_url: &str, operation: &'a Element) -> Result<&'a Element, SyncRead> {
    let first = messages(operation)
        .ok()
        .and_then(|list| list.first().copied());
    let Some(message) = first else {
        return Err(unreadable_answer(ews_url));
    };
    match error_of(message) {
        None => Ok(message),
        Some((code, text)) => {
            let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
            Err(by_code(ews_url, &code, &text, back_off))
        }
    }
}

/// Any EWS answer down to its operation element, or what it means instead.
fn operation(ews_url: &str, answer: Answer<'_>) -> Result<Element, SyncRead> {
    let host = super::results::host_of(ews_url);
    let retry = |message: String| {
        SyncRead::Fault(Fault::Retry {
            retry_after_ms: None,
            message,
        })
    };
    let response = match answer {
        Answer::Response(response) => response,
        Answer::Transport(TransportFailure::Timeout) => {
            return Err(retry(format!("{host} did not answer in time.")));
        }
        Answer::Transport(TransportFailure::Network) => {
            return Err(retry(format!("{host} could not be reached.")));
        }
        Answer::HelperReply(_) | Answer::HelperFailed { .. } => {
            return Err(retry(format!(
                "Inlay got an answer it can't read instead of {host}'s."
            )));
        }
    };
    if response.status == 401 {
        return Err(SyncRead::Fault(Fault::SecretRejected));
    }
    let retry_after = retry_after_ms(response);
    let document = xml::parse(&response.body).filter(|root| root.name == "Envelope");
    if let Some(fault) = fault_of(document.as_ref()) {
        return Err(match fault.code {
            Some(code) => by_code(
                ews_url,
                &code,
                &fault.text,
                fault.back_off_ms.or(retry_after),
            ),
            None => SyncRead::Fault(Fault::Permanent {
                code: "soapFault".into(),
                message: format!(
                    "Exchange rejected Inlay's sync request: \"{}\".",
                    fault.text
                ),
            }),
        });
    }
    if !(200..300).contains(&response.status) {
        return Err(SyncRead::Fault(
            match errors::http_status(response.status, retry_after, &unpaced(ews_url)) {
                Disposition::Fail { code, message } => Fault::Permanent { code, message },
                Disposition::Reauthenticate { .. } => Fault::SecretRejected,
                Disposition::Retry {
                    retry_after_ms,
                    reason,
                } => Fault::Retry {
                    retry_after_ms,
                    message: format!("{reason}."),
                },
                _ => Fault::Retry {
                    retry_after_ms: retry_after,
                    message: format!("{host} answered HTTP {}.", response.status),
                },
            },
        ));
    }
    let outcome = Outcome::Response {
        response: response.clone(),
    };
    match soap::read(&outcome, &unpaced(ews_url)) {
        Ok(envelope) => Ok(envelope.operation),
        Err(Disposition::Fail { code, message }) if code == "exchangeTooOld" => {
            Err(SyncRead::Fault(Fault::Permanent { code, message }))
        }
        Err(_) => Err(unreadable_answer(ews_url)),
    }
}

fn credentials(secret: &Secret<'_>) -> Result<Credentials, Fault> {
    password(secret).ok_or_else(|| Fault::Permanent {
        code: "wrongSecret".into(),
        message: NO_PASSWORD.into(),
    })
}

impl SyncSteps for EwsSync {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        let credentials = credentials(secret)?;
        let Some(folder) = self.folders.get(self.current) else {
            return Err(Fault::Permanent {
                code: "passDone".into(),
                message: "This sync has already ended; please report this problem.".into(),
            });
        };
        Ok(Call::Http(if folder.pending.is_empty() {
            sync_headers_request(
                &self.ews_url,
                &credentials,
                &folder.folder,
                folder.state.as_deref(),
            )
        } else {
            let batch = folder.pending.len().min(EWS_HEADERS_BATCH);
            get_headers_request(&self.ews_url, &credentials, &folder.pending[..batch])
        }))
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::EWS
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        let operation = match operation(&self.ews_url, answer) {
            Ok(op) => op,
            Err(read) => return read,
        };
        let listing = self
            .folders
            .get(self.current)
            .is_some_and(|f| f.pending.is_empty());
        match (listing, operation.name.as_str()) {
            (true, "SyncFolderItemsResponse") => self.read_changes(&operation),
            (false, "GetItemResponse") => self.read_items(&operation),
            _ => unreadable_answer(&self.ews_url),
        }
    }

    /// Only the folder whose state expired starts over; the other keeps its.
    fn restart(&mut self, now_ms: u64) -> bool {
        self.window_start_ms = self.window.start_ms(now_ms);
        match self.folders.get_mut(self.current) {
            Some(folder) => {
                folder.state = None;
                folder.bounded = true;
                folder.pending.clear();
                folder.more = true;
                true
            }
            None => false,
        }
    }
}

/// One message's MIME (`GetItem` with `IncludeMimeContent`), for a message
/// the logging rules keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsBody {
    ews_url: String,
    provider_id: String,
}

impl EwsBody {
    pub fn new(ews_url: &str, provider_id: &str) -> EwsBody {
        EwsBody {
            ews_url: ews_url.into(),
            provider_id: provider_id.into(),
        }
    }
}

impl SyncSteps for EwsBody {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        let credentials = credentials(secret)?;
        Ok(Call::Http(get_mime(
            &self.ews_url,
            &credentials,
            &[ItemId {
                id: self.provider_id.clone(),
                change_key: None,
            }],
        )))
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::EWS
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        let operation = match operation(&self.ews_url, answer) {
            Ok(op) => op,
            Err(read) => return read,
        };
        let message = match first_ok(&self.ews_url, &operation) {
            Ok(m) => m,
            Err(SyncRead::Fault(Fault::Permanent { code, .. })) if code == "itemNotFound" => {
                return SyncRead::Fault(Fault::Permanent {
                    code: "gone".into(),
                    message: "This email is no longer in the Exchange mailbox.".into(),
                });
            }
            Err(read) => return read,
        };
        let mime = message
            .child("Items")
            .and_then(|items| items.children.first())
            .and_then(|item| item.child("MimeContent"))
            .and_then(|m| {
                use base64::Engine;
                let compact: String = m.text.split_ascii_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .ok()
            });
        match mime {
            Some(raw) => SyncRead::Body { raw },
            None => unreadable_answer(&self.ews_url),
        }
    }

    fn restart(&mut self, _now_ms: u64) -> bool {
        false
    }
}
