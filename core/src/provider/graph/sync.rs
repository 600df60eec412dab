//! Microsoft Graph's sync planner (issue 13): what arrived in Inbox and
//! Sent Items since the last pass, by delta query, headers only.
//!
//! Per folder (`inbox`, then `sentitems`): `GET /me/mailFolders/{folder}/
//! messages/delta` with `$select` of only what the rules read
//! ([`GRAPH_SYNC_SELECT`]) and `Prefer: odata.maxpagesize`; a first pass
//! (no delta link) is bounded by `$filter=receivedDateTime ge <window
//! start>` (Graph allows this one filter on delta, up to 5,000 messages).
//! `@odata.nextLink` is followed as given; the last page's
//! `@odata.deltaLink` is that folder's cursor. Deletions arrive as
//! `{"id", "@removed"}` and are reported as removed. 410 Gone, or an error
//! code `syncStateNotFound` (any case), expires the folder's link: the
//! machine restarts that folder's bounded first pass ([`GraphSync::restart`]).
//!
//! Headers: `internetMessageHeaders` when Graph returns them (name/value
//! pairs, read by `message::summarize_message` like Gmail's; whether delta
//! returns them is unverified), else the structured fields through
//! `sync::summary_from_fields`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::message::Participant;
use crate::provider::api_reply::{Reply, reply, rfc3339_ms};
use crate::provider::{bearer_get, text_field};
use crate::sync::cursor::{FolderCursor, SyncCursor, SyncWindow};
use crate::sync::incoming::{FolderRole, Incoming, SummaryFields, summary_from_fields};
use crate::sync::pacing::Pace;
use crate::sync::provider::{
    Answer, Call, Fault, Page, Secret, SyncRead, SyncSteps, Unreadable, common_fault, not_a_bearer,
    summary_of_pairs,
};

const FOLDERS_URL: &str = "https://graph.microsoft.com/v1.0/me/mailFolders";
const MESSAGES_URL: &str = "https://graph.microsoft.com/v1.0/me/messages";
/// Messages per delta page.
pub const GRAPH_SYNC_PAGE: u32 = 50;

/// The folders a pass reads, in order, by their well-known names.
pub const GRAPH_SYNC_FOLDERS: &[&str] = &["inbox", "sentitems"];

/// The properties a pass asks for: ids, threading, the addresses, subject,
/// dates, and the header block when Graph gives it.
pub const GRAPH_SYNC_SELECT: &str = "id,conversationId,internetMessageId,internetMessageHeaders,subject,from,sender,replyTo,toRecipients,ccRecipients,bccRecipients,receivedDateTime,sentDateTime,isDraft";

/// One folder's place in the pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Folder {
    folder: String,
    /// The link to read next: a stored delta link, a next link, or none
    /// (the bounded first request).
    next: Option<String>,
    /// The delta link this pass reached.
    delta: Option<String>,
}

/// One pass over a Microsoft 365 mailbox. Serialised between calls without
/// secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphSync {
    inbox: String,
    window: SyncWindow,
    window_start_ms: u64,
    folders: Vec<Folder>,
    /// Index of the folder being read.
    current: usize,
}

impl GraphSync {
    /// A pass for `inbox` from `cursor` (a folder without a delta link, or
    /// a cursor of another provider: that folder's bounded first pass).
    pub fn new(
        inbox: &str,
        cursor: Option<&SyncCursor>,
        window: SyncWindow,
        now_ms: u64,
    ) -> GraphSync {
        let link = |f: &str| match cursor {
            Some(c @ SyncCursor::Graph { .. }) => c.folder_token(f).map(str::to_string),
            _ => None,
        };
        GraphSync {
            inbox: inbox.into(),
            window,
            window_start_ms: window.start_ms(now_ms),
            folders: GRAPH_SYNC_FOLDERS
                .iter()
                .map(|f| Folder {
                    folder: (*f).into(),
                    next: link(f),
                    delta: None,
                })
                .collect(),
            current: 0,
        }
    }

    fn url(&self) -> String {
        let Some(folder) = self.folders.get(self.current) else {
            return String::new();
        };
        match &folder.next {
            Some(link) => link.clone(),
            None => format!(
                "{FOLDERS_URL}/{}/messages/delta?$select={GRAPH_SYNC_SELECT}&$filter={}",
                folder.folder,
                crate::provider::graph::path_segment(&format!(
                    "receivedDateTime ge {}",
                    crate::utc::date_time(self.window_start_ms)
                ))
            ),
        }
    }

    fn role(&self) -> FolderRole {
        match self.folders.get(self.current).map(|f| f.folder.as_str()) {
            Some("inbox") => FolderRole::Inbox,
            Some("sentitems") => FolderRole::Sent,
            _ => FolderRole::Other,
        }
    }

    fn read_ok(&mut self, body: &str) -> SyncRead {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(list) = v.get("value").and_then(Value::as_array) else {
            return SyncRead::Fault(Fault::Retry {
                retry_after_ms: None,
                message: "Microsoft 365's answer could not be read.".into(),
            });
        };
        let mut page = Page::default();
        let role = self.role();
        for m in list {
            let Some(id) = text_field(m, "id") else {
                continue;
            };
            if m.get("@removed").is_some() {
                page.removed.push(id);
                continue;
            }
            if m.get("isDraft").and_then(Value::as_bool) == Some(true)
                || page.incoming.iter().any(|i| i.provider_id == id)
            {
                continue;
            }
            match self.incoming(m, id.clone(), role) {
                Ok(incoming) => page.incoming.push(incoming),
                Err(reason) => page.unreadable.push(Unreadable {
                    provider_id: id,
                    reason,
                }),
            }
        }
        let next = text_field(&v, "@odata.nextLink");
        let delta = text_field(&v, "@odata.deltaLink");
        let folder = &mut self.folders[self.current];
        match (next, delta) {
            (Some(next), _) => folder.next = Some(next),
            (None, Some(delta)) => {
                folder.next = Some(delta.clone());
                folder.delta = Some(delta);
                self.current += 1;
            }
            (None, None) => {
                return SyncRead::Fault(Fault::Retry {
                    retry_after_ms: None,
                    message: "Microsoft 365's answer had neither a next page nor a delta link."
                        .into(),
                });
            }
        }
        if self.current >= self.folders.len() {
            page.done = Some(SyncCursor::Graph {
                folders: self
                    .folders
                    .iter()
                    .map(|f| FolderCursor {
                        folder: f.folder.clone(),
                        token: f.delta.clone().unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        SyncRead::Page(page)
    }

    fn incoming(&self, m: &Value, id: String, folder: FolderRole) -> Result<Incoming, String> {
        let pairs: Option<Vec<(&str, &str)>> = m
            .get("internetMessageHeaders")
            .and_then(Value::as_array)
            .filter(|hs| !hs.is_empty())
            .map(|hs| {
                hs.iter()
                    .filter_map(|h| Some((h.get("name")?.as_str()?, h.get("value")?.as_str()?)))
                    .collect()
            });
        let headers = match pairs {
            Some(pairs) => summary_of_pairs(&pairs)?,
            None => summary_from_fields(&fields(m)),
        };
        Ok(Incoming {
            inbox: self.inbox.clone(),
            provider_id: id,
            thread_id: text_field(m, "conversationId"),
            folder,
            received_at_ms: text_field(m, "receivedDateTime")
                .and_then(|d| rfc3339_ms(&d))
                .and_then(|ms| i64::try_from(ms).ok()),
            headers,
            size: None,
        })
    }

    fn refused(status: u16, info: &crate::provider::ErrorInfo) -> SyncRead {
        let code = info.code_or_reason().unwrap_or("");
        if status == 410
            || ["syncStateNotFound", "syncStateInvalid", "resyncRequired"]
                .iter()
                .any(|c| code.eq_ignore_ascii_case(c))
        {
            return SyncRead::CursorExpired {
                message: "Microsoft 365 no longer has the changes since Inlay's last sync.".into(),
            };
        }
        SyncRead::Fault(graph_refused(status, info))
    }
}

/// The structured fields of a delta `message`.
fn fields(m: &Value) -> SummaryFields {
    let one =
        |key: &str| -> Vec<Participant> { m.get(key).and_then(participant).into_iter().collect() };
    let many = |key: &str| -> Vec<Participant> {
        m.get(key)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(participant).collect())
            .unwrap_or_default()
    };
    SummaryFields {
        subject: text_field(m, "subject"),
        date: text_field(m, "sentDateTime")
            .and_then(|d| rfc3339_ms(&d))
            .and_then(|ms| i64::try_from(ms / 1000).ok()),
        from: one("from"),
        sender: one("sender"),
        reply_to: many("replyTo"),
        to: many("toRecipients"),
        cc: many("ccRecipients"),
        bcc: many("bccRecipients"),
        message_id: text_field(m, "internetMessageId"),
        ..SummaryFields::default()
    }
}

/// `{"emailAddress": {"name", "address"}}`.
fn participant(r: &Value) -> Option<Participant> {
    let e = r.get("emailAddress")?;
    Some(Participant {
        name: text_field(e, "name"),
        address: text_field(e, "address")?,
    })
}


/// A Graph refusal that is not a 401, 429, 5xx or an expired delta.
fn graph_refused(status: u16, info: &crate::provider::ErrorInfo) -> Fault {
    if status == 403 {
        return Fault::Permanent {
            code: "readNotAllowed".into(),
            message: format!(
                "Microsoft 365 did not let Inlay read this mailbox. Turn inbox automation off and on again to grant it reading.{}",
                info.said()
            ),
        };
    }
    Fault::Permanent {
        code: "refused".into(),
        message: format!(
            "Microsoft 365 refused Inlay's sync (HTTP {status}).{}",
            info.said()
        ),
    }
}

fn bearer<'a>(secret: &Secret<'a>) -> Result<&'a str, Fault> {
    match secret {
        Secret::Bearer(token) => Ok(token),
        _ => Err(not_a_bearer("Microsoft")),
    }
}

impl SyncSteps for GraphSync {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        let mut request = bearer_get(&self.url(), bearer(secret)?);
        request.headers.push((
            "Prefer".into(),
            format!("odata.maxpagesize={GRAPH_SYNC_PAGE}"),
        ));
        Ok(Call::Http(request))
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::GRAPH
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        let reply = reply(&answer);
        if let Some(fault) = common_fault(&answer, &reply, "Microsoft 365") {
            return SyncRead::Fault(fault);
        }
        match reply {
            Reply::Ok { body } => self.read_ok(body),
            Reply::Refused { status, info, .. } => GraphSync::refused(status, &info),
            _ => unreachable!("common_fault reads the rest"),
        }
    }

    /// Only the folder whose link expired starts over; the others keep
    /// theirs.
    fn restart(&mut self, now_ms: u64) -> bool {
        self.window_start_ms = self.window.start_ms(now_ms);
        match self.folders.get_mut(self.current) {
            Some(folder) => {
                folder.next = None;
                folder.delta = None;
                true
            }
            None => false,
        }
    }
}

/// One message's MIME (`/$value`), for a message the logging rules keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphBody {
    provider_id: String,
}

impl GraphBody {
    pub fn new(provider_id: &str) -> GraphBody {
        GraphBody {
            provider_id: provider_id.into(),
        }
    }
}

impl SyncSteps for GraphBody {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        let mut request = bearer_get(
            &format!(
                "{MESSAGES_URL}/{}/$value",
                crate::provider::graph::path_segment(&self.provider_id)
            ),
            bearer(secret)?,
        );
        request.headers.retain(|(k, _)| k != "Accept");
        Ok(Call::Http(request))
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::GRAPH
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        let reply = reply(&answer);
        if let Some(fault) = common_fault(&answer, &reply, "Microsoft 365") {
            return SyncRead::Fault(fault);
        }
        match reply {
            Reply::Ok { body } => SyncRead::Body {
                raw: body.as_bytes().to_vec(),
            },
            Reply::Refused { status: 404, .. } => SyncRead::Fault(Fault::Permanent {
                code: "gone".into(),
                message: "This email is no longer in the Microsoft 365 mailbox.".into(),
            }),
            Reply::Refused { status, info, .. } => SyncRead::Fault(graph_refused(status, &info)),
            _ => unreachable!("common_fault reads the rest"),
        }
    }

    fn restart(&mut self, _now_ms: u64) -> bool {
        false
    }
}
