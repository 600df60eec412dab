//! Reading each operation's answer into plain values.
//!
//! Every reader takes the executor's outcome plus the retry position and
//! returns either the result or [`crate::provider`]'s [`Disposition`] (retry,
//! sign in again, or fail with a sentence for the user).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::errors::{self, EwsContext};
use super::operations::ItemId;
use super::soap::{self, ServerVersionInfo};
use super::xml::Element;
use crate::backoff::Backoff;
use crate::provider::{Attempt, Disposition, Outcome};

/// The connection works: the inbox answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub inbox: ItemId,
    pub server: Option<ServerVersionInfo>,
    /// The server's build as Exchange's admin tools show it, e.g. `15.1.2507`.
    pub build: Option<String>,
}

/// One page of `FindItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPage {
    pub items: Vec<ItemId>,
    pub total_items_in_view: u32,
    pub includes_last_item_in_range: bool,
    /// Where the next page starts (`IndexedPagingOffset`).
    pub next_offset: Option<u32>,
}

/// One message's MIME from `GetItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MimeItem {
    pub item_id: ItemId,
    /// The RFC 5322 bytes, decoded from base64.
    pub mime: Vec<u8>,
}

/// An item `GetItem` could not return; `index` is its place in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemFailure {
    pub index: usize,
    pub response_code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MimeItems {
    pub items: Vec<MimeItem>,
    /// Per-item errors (typically ErrorItemNotFound after a delete) don't
    /// fail the batch.
    pub failures: Vec<ItemFailure>,
}

/// One change from `SyncFolderItems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncChange {
    Create { item_id: ItemId },
    Update { item_id: ItemId },
    Delete { item_id: ItemId },
    ReadFlagChange { item_id: ItemId, is_read: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncChanges {
    /// Pass back on the next call.
    pub sync_state: String,
    /// `false`: more changes are waiting; call again at once.
    pub includes_last_item_in_range: bool,
    pub changes: Vec<SyncChange>,
}

/// Reads the `GetFolder` answer of [`super::operations::verify_connection`].
pub fn read_verify(
    ews_url: &str,
    outcome: &Outcome,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<Verified, Disposition> {
    let ctx = context(ews_url, attempt, backoff);
    let envelope = soap::read(outcome, &ctx)?;
    let message = single_message(&envelope.operation, &ctx)?;
    let inbox = message
        .find("FolderId")
        .and_then(item_id)
        .ok_or_else(errors::unreadable)?;
    let build = envelope.server.as_ref().map(|v| {
        format!(
            "{}.{}.{}",
            v.major_version, v.minor_version, v.major_build_number
        )
    });
    Ok(Verified {
        inbox,
        server: envelope.server,
        build,
    })
}

/// The retries of a send: in the background, the server's pauses are
/// waited out ([`Backoff::PROVIDER`]).
pub const SEND_BACKOFF: Backoff = Backoff::PROVIDER;

/// Reads the `CreateItem` answer of [`super::operations::send_mime`].
pub fn read_send(
    ews_url: &str,
    outcome: &Outcome,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<(), Disposition> {
    let ctx = context(ews_url, attempt, backoff);
    let envelope = soap::read(outcome, &ctx)?;
    single_message(&envelope.operation, &ctx).map(|_| ())
}

/// Reads the `FindItem` answer of [`super::operations::find_items`].
pub fn read_find(
    ews_url: &str,
    outcome: &Outcome,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<ItemPage, Disposition> {
    let ctx = context(ews_url, attempt, backoff);
    let envelope = soap::read(outcome, &ctx)?;
    let message = single_message(&envelope.operation, &ctx)?;
    let root = message.child("RootFolder").ok_or_else(errors::unreadable)?;
    let items = root
        .child("Items")
        .map(|items| {
            items
                .children
                .iter()
                .filter_map(|i| i.child("ItemId").and_then(item_id))
                .collect()
        })
        .unwrap_or_default();
    let num = |name| root.attr(name).and_then(|v| v.trim().parse().ok());
    Ok(ItemPage {
        items,
        total_items_in_view: num("TotalItemsInView").unwrap_or(0),
        includes_last_item_in_range: root.attr("IncludesLastItemInRange") == Some("true"),
        next_offset: num("IndexedPagingOffset"),
    })
}

/// Reads the `GetItem` answer of [`super::operations::get_mime`].
pub fn read_mime(
    ews_url: &str,
    outcome: &Outcome,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<MimeItems, Disposition> {
    let ctx = context(ews_url, attempt, backoff);
    let envelope = soap::read(outcome, &ctx)?;
    let mut result = MimeItems {
        items: vec![],
        failures: vec![],
    };
    for (index, message) in messages(&envelope.operation)?.into_iter().enumerate() {
        if let Some((code, text)) = error_of(message) {
            // A busy server or a dead mailbox fails the batch; a missing
            // item is that item's problem only.
            if matches!(
                code.as_str(),
                "ErrorItemNotFound" | "ErrorInvalidIdMalformed"
            ) {
                result.failures.push(ItemFailure {
                    index,
                    response_code: code,
                    message: text,
                });
                continue;
            }
            let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
            return Err(errors::response_code(&code, &text, back_off, &ctx));
        }
        let item = message
            .child("Items")
            .and_then(|items| items.children.first())
            .ok_or_else(errors::unreadable)?;
        let id = item.child("ItemId").and_then(item_id);
        let mime = item.child("MimeContent").and_then(|m| {
            let compact: String = m.text.split_ascii_whitespace().collect();
            STANDARD.decode(compact).ok()
        });
        match (id, mime) {
            (Some(item_id), Some(mime)) => result.items.push(MimeItem { item_id, mime }),
            _ => return Err(errors::unreadable()),
        }
    }
    Ok(result)
}

/// Reads the `SyncFolderItems` answer of [`super::operations::sync_items`].
pub fn read_sync(
    ews_url: &str,
    outcome: &Outcome,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<SyncChanges, Disposition> {
    let ctx = context(ews_url, attempt, backoff);
    let envelope = soap::read(outcome, &ctx)?;
    let message = single_message(&envelope.operation, &ctx)?;
    let sync_state = message
        .text_at(&["SyncState"])
        .ok_or_else(errors::unreadable)?;
    let mut changes = Vec::new();
    for change in message.child("Changes").map_or(&[][..], |c| &c.children) {
        // Create/Update wrap the item (`t:Message`); Delete and
        // ReadFlagChange hold the ItemId directly.
        let id = change
            .child("ItemId")
            .or_else(|| change.children.first().and_then(|i| i.child("ItemId")))
            .and_then(item_id);
        let Some(item_id) = id else { continue };
        changes.push(match change.name.as_str() {
            "Create" => SyncChange::Create { item_id },
            "Update" => SyncChange::Update { item_id },
            "Delete" => SyncChange::Delete { item_id },
            "ReadFlagChange" => SyncChange::ReadFlagChange {
                item_id,
                is_read: change.text_at(&["IsRead"]).as_deref() == Some("true"),
            },
            _ => continue,
        });
    }
    Ok(SyncChanges {
        sync_state,
        includes_last_item_in_range: message.text_at(&["IncludesLastItemInRange"]).as_deref()
            == Some("true"),
        changes,
    })
}

fn context<'a>(ews_url: &str, attempt: &'a Attempt, backoff: &'a Backoff) -> EwsContext<'a> {
    let host = host_of(ews_url);
    EwsContext {
        attempt,
        backoff: Some(backoff),
        host,
    }
}

/// The EWS URL's host, for sentences.
pub(crate) fn host_of(ews_url: &str) -> String {
    url::Url::parse(ews_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "The Exchange server".into())
}

/// The `ResponseMessages` children of an operation's response.
pub(crate) fn messages(operation: &Element) -> Result<Vec<&Element>, Disposition> {
    let list = operation
        .child("ResponseMessages")
        .ok_or_else(errors::unreadable)?;
    Ok(list.children.iter().collect())
}

/// The one response message of a single-target operation, if it succeeded.
fn single_message<'a>(
    operation: &'a Element,
    ctx: &EwsContext,
) -> Result<&'a Element, Disposition> {
    let message = *messages(operation)?
        .first()
        .ok_or_else(errors::unreadable)?;
    if let Some((code, text)) = error_of(message) {
        let back_off = message.child("MessageXml").and_then(errors::back_off_ms);
        return Err(errors::response_code(&code, &text, back_off, ctx));
    }
    Ok(message)
}

/// `(ResponseCode, MessageText)` when `ResponseClass="Error"`; warnings
/// count as success.
pub(crate) fn error_of(message: &Element) -> Option<(String, String)> {
    if message.attr("ResponseClass") != Some("Error") {
        return None;
    }
    Some((
        message
            .text_at(&["ResponseCode"])
            .unwrap_or_else(|| "ErrorUnknown".into()),
        message.text_at(&["MessageText"]).unwrap_or_default(),
    ))
}

pub(crate) fn item_id(element: &Element) -> Option<ItemId> {
    Some(ItemId {
        id: element.attr("Id")?.to_string(),
        change_key: element.attr("ChangeKey").map(str::to_string),
    })
}
