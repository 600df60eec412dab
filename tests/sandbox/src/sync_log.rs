//! A mailbox's change log, for the fakes' incremental sync: Gmail's
//! `history.list` (`hosts/gmail_sync.rs`) and Graph's delta query
//! (`hosts/graph_delta.rs`) read what changed after a history id from it.
//!
//! The fakes add and remove messages in many places (sends, drafts, EWS,
//! seeding), so the log is not written by them: [`catch_up`] compares the
//! mailbox with what the log last saw and records each new message as added
//! and each vanished one as deleted, under the next history id. Every route
//! that hands out or reads a history id calls it first, so ids stay
//! consistent. [`expire`] makes every cursor handed out so far invalid, as
//! Gmail's 404 and Graph's 410 do after a while.

use serde::Deserialize;
use serde_json::json;

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::{Mailbox, Provider};

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub history_id: u64,
    pub message_id: String,
    pub thread_id: String,
    /// The message's labels when it changed (its folder, for Graph).
    pub labels: Vec<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SyncLog {
    pub changes: Vec<Change>,
    /// Message ids (and labels) the log has seen in the mailbox.
    seen: Vec<(String, String, Vec<String>)>,
    /// History ids below this are no longer known (a cursor from before
    /// [`expire`]).
    pub floor: u64,
}

/// Records what changed in `mailbox` since the log last looked.
pub fn catch_up(mailbox: &mut Mailbox) {
    let Mailbox {
        messages,
        history_id,
        sync_log: log,
        ..
    } = mailbox;
    for m in messages.iter() {
        if !log.seen.iter().any(|(id, _, _)| *id == m.id) {
            *history_id += 1;
            log.changes.push(Change {
                history_id: *history_id,
                message_id: m.id.clone(),
                thread_id: m.thread_id.clone(),
                labels: m.label_ids.clone(),
                deleted: false,
            });
            log.seen
                .push((m.id.clone(), m.thread_id.clone(), m.label_ids.clone()));
        }
    }
    let gone: Vec<_> = log
        .seen
        .iter()
        .filter(|(id, _, _)| !messages.iter().any(|m| m.id == *id))
        .cloned()
        .collect();
    for (id, thread, labels) in gone {
        *history_id += 1;
        log.changes.push(Change {
            history_id: *history_id,
            message_id: id.clone(),
            thread_id: thread,
            labels,
            deleted: true,
        });
        log.seen.retain(|(s, _, _)| *s != id);
    }
}

/// Every history id handed out so far stops being valid; a cursor read
/// from now on works.
pub fn expire(mailbox: &mut Mailbox) {
    catch_up(mailbox);
    mailbox.history_id += 1;
    mailbox.sync_log.floor = mailbox.history_id;
}

/// Whether a cursor at `history_id` is still known.
pub fn known(mailbox: &Mailbox, history_id: u64) -> bool {
    history_id >= mailbox.sync_log.floor && history_id <= mailbox.history_id
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MailboxChange {
    provider: Provider,
    address: String,
    /// `receive` (a raw message filed under `label`, default INBOX),
    /// `delete` (`id`), or `expireCursors`.
    action: String,
    raw: Option<String>,
    label: Option<String>,
    id: Option<String>,
}

/// `POST /mailbox`: a message arrives, one is deleted, or the cursors
/// expire, so end-to-end tests can drive a sync.
pub fn control(req: &Request, sandbox: &Sandbox) -> Response {
    if req.method != "POST" {
        return Response::json(405, &json!({ "error": "POST /mailbox" }));
    }
    let change: MailboxChange = match crate::control::parse(req) {
        Ok(c) => c,
        Err(e) => return crate::control::bad_request(&e),
    };
    let mut state = sandbox.state();
    let address = change.address.to_ascii_lowercase();
    match change.action.as_str() {
        "receive" => {
            let Some(raw) = change.raw else {
                return crate::control::bad_request("receive needs raw");
            };
            let label = change.label.unwrap_or_else(|| "INBOX".into());
            match state.add_message(change.provider, &address, raw.into_bytes(), &label) {
                Some(id) => Response::json(200, &json!({ "id": id })),
                None => crate::control::bad_request("no such account"),
            }
        }
        action @ ("delete" | "expireCursors") => {
            let Some(account) = state.account_mut(change.provider, &address) else {
                return crate::control::bad_request("no such account");
            };
            if action == "delete" {
                let id = change.id.unwrap_or_default();
                catch_up(&mut account.mailbox);
                account.mailbox.messages.retain(|m| m.id != id);
            } else {
                expire(&mut account.mailbox);
            }
            crate::control::ok()
        }
        other => crate::control::bad_request(&format!(
            "unknown action {other:?}: receive, delete or expireCursors"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StoredMessage;

    fn message(id: &str) -> StoredMessage {
        StoredMessage {
            id: id.into(),
            thread_id: id.into(),
            label_ids: vec!["INBOX".into()],
            raw: b"Subject: x\r\n\r\n".to_vec(),
            internal_date_ms: 0,
            deferred_until: None,
        }
    }

    #[test]
    fn the_log_records_additions_and_deletions_once_each() {
        let mut mb = Mailbox {
            history_id: 1000,
            ..Mailbox::default()
        };
        mb.messages.push(message("a"));
        catch_up(&mut mb);
        catch_up(&mut mb);
        assert_eq!(mb.sync_log.changes.len(), 1);
        assert_eq!(mb.history_id, 1001);
        mb.messages.clear();
        mb.messages.push(message("b"));
        catch_up(&mut mb);
        let changes: Vec<_> = mb
            .sync_log
            .changes
            .iter()
            .map(|c| (c.history_id, c.message_id.as_str(), c.deleted))
            .collect();
        assert_eq!(
            changes,
            [(1001, "a", false), (1002, "b", false), (1003, "a", true)]
        );
        assert!(known(&mb, 1001));
        expire(&mut mb);
        assert!(!known(&mb, 1003));
        assert!(known(&mb, mb.history_id));
    }
}
