//! gmail.googleapis.com's `users.history.list`: what changed in a mailbox
//! after a history id, read from the mailbox's change log (`sync_log.rs`),
//! for the core's incremental sync (issue 13). With `messages.list`
//! (`after:` search) and `messages.get` (`format=metadata`/`raw`) in
//! `gmail_messages.rs`, it is the whole of Gmail's sync as the core plans it.
//!
//! `startHistoryId` older than the log's floor (after `POST /mailbox
//! {"action":"expireCursors"}`) or newer than the mailbox's is 404, as
//! Gmail answers an id it no longer knows. `historyTypes` (repeated) and
//! `labelId` filter; `maxResults` (default 100, at most 500) and
//! `pageToken` page; `historyId` is always the mailbox's current one.

use serde_json::{Value, json};

use crate::http::{Request, Response, query_pairs};
use crate::route::Params;
use crate::state::Account;
use crate::sync_log::{self, Change};

use super::google_error::{api_error, not_found};

/// `GET …/history` → `ListHistoryResponse`.
pub fn list(req: &Request, _params: &Params, account: &mut Account) -> Response {
    let mailbox = &mut account.mailbox;
    sync_log::catch_up(mailbox);
    let Some(start) = req.query_param("startHistoryId") else {
        return api_error(
            400,
            "INVALID_ARGUMENT",
            "invalidArgument",
            "Missing required parameter: startHistoryId",
        );
    };
    let Ok(start) = start.trim().parse::<u64>() else {
        return api_error(
            400,
            "INVALID_ARGUMENT",
            "invalidArgument",
            "Invalid startHistoryId",
        );
    };
    if !sync_log::known(mailbox, start) {
        return not_found();
    }
    let types: Vec<String> = query_pairs(&req.query)
        .filter(|(k, _)| k == "historyTypes")
        .map(|(_, v)| v)
        .collect();
    let label = req.query_param("labelId");
    let max = req
        .query_param("maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let offset = req
        .query_param("pageToken")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0);
    let changes: Vec<&Change> = mailbox
        .sync_log
        .changes
        .iter()
        .filter(|c| c.history_id > start)
        .filter(|c| {
            let kind = if c.deleted {
                "messageDeleted"
            } else {
                "messageAdded"
            };
            types.is_empty() || types.iter().any(|t| t == kind)
        })
        .filter(|c| {
            label
                .as_ref()
                .is_none_or(|l| c.labels.iter().any(|x| x == l))
        })
        .collect();
    let page: Vec<Value> = changes
        .iter()
        .skip(offset)
        .take(max)
        .map(|c| {
            let message =
                json!({ "id": c.message_id, "threadId": c.thread_id, "labelIds": c.labels });
            let key = if c.deleted {
                "messagesDeleted"
            } else {
                "messagesAdded"
            };
            json!({
                "id": c.history_id.to_string(),
                "messages": [{ "id": c.message_id, "threadId": c.thread_id }],
                key: [{ "message": message }],
            })
        })
        .collect();
    let mut body = json!({ "historyId": mailbox.history_id.to_string() });
    if !page.is_empty() {
        body["history"] = Value::Array(page);
    }
    if offset + max < changes.len() {
        body["nextPageToken"] = json!((offset + max).to_string());
    }
    Response::json(200, &body)
}
