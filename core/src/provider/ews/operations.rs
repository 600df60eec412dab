//! The EWS requests Inlay makes, each planned as a SOAP POST to the EWS URL.

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::soap;
use super::xml::escape;
use crate::http::HttpRequest;
use crate::message::ews_mime_content;

/// Most changes one `SyncFolderItems` call may ask for (the schema's cap).
pub const MAX_SYNC_CHANGES: u16 = 512;

/// A well-known folder (`t:DistinguishedFolderId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Folder {
    Inbox,
    SentItems,
    /// Where a message is saved before [`send_item`] sends it.
    Drafts,
    /// Where a message waits for its deferred delivery time.
    Outbox,
}

impl Folder {
    fn id(self) -> &'static str {
        match self {
            Folder::Inbox => "inbox",
            Folder::SentItems => "sentitems",
            Folder::Drafts => "drafts",
            Folder::Outbox => "outbox",
        }
    }

    fn xml(self) -> String {
        format!("<t:DistinguishedFolderId Id=\"{}\"/>", self.id())
    }
}

/// An item's id and change key, as EWS returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemId {
    pub id: String,
    pub change_key: Option<String>,
}

/// `IndexedPageItemView`: a page of `max_entries` from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub max_entries: u32,
    pub offset: u32,
    /// Count the offset from the newest end (`End`) instead of `Beginning`.
    pub from_end: bool,
}

/// `GetFolder` on the inbox: proves the URL, credentials and version work.
pub fn verify_connection(ews_url: &str, credentials: &Credentials) -> HttpRequest {
    let op = format!(
        "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>\
         <m:FolderIds>{}</m:FolderIds></m:GetFolder>",
        Folder::Inbox.xml()
    );
    soap::request(ews_url, credentials, &op)
}

/// `CreateItem` sending the RFC 5322 `mime` message and keeping a copy in
/// Sent Items (`SendOnly` would return no id and skip the copy).
pub fn send_mime(ews_url: &str, credentials: &Credentials, mime: &[u8]) -> HttpRequest {
    send_mime_at(ews_url, credentials, mime, None)
}

/// MAPI `PidTagDeferredSendTime` (0x3FEF): Exchange holds the message and
/// delivers it at this time, with or without Inlay running.
pub const DEFERRED_SEND_TIME_TAG: u32 = 0x3FEF;

/// [`send_mime`], delivered by Exchange at `deliver_at_ms` (Unix ms) when
/// given: the deferred send time set on the item itself (a time already
/// past delivers at once).
pub fn send_mime_at(
    ews_url: &str,
    credentials: &Credentials,
    mime: &[u8],
    deliver_at_ms: Option<u64>,
) -> HttpRequest {
    create_message(
        ews_url,
        credentials,
        "SendAndSaveCopy",
        Folder::SentItems,
        mime,
        deliver_at_ms,
    )
}

/// `CreateItem` `SaveOnly`: the message saved in Drafts, nothing sent, its
/// new id in the answer for [`send_item`]. With `deliver_at_ms`, the draft
/// carries the deferred send time that `SendItem` then honours. Making this
/// call twice leaves a second draft, never a second email.
pub fn save_draft(
    ews_url: &str,
    credentials: &Credentials,
    mime: &[u8],
    deliver_at_ms: Option<u64>,
) -> HttpRequest {
    create_message(
        ews_url,
        credentials,
        "SaveOnly",
        Folder::Drafts,
        mime,
        deliver_at_ms,
    )
}

fn create_message(
    ews_url: &str,
    credentials: &Credentials,
    disposition: &str,
    folder: Folder,
    mime: &[u8],
    deliver_at_ms: Option<u64>,
) -> HttpRequest {
    let deferred = deliver_at_ms
        .map(|at| {
            format!(
                "<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag=\"{DEFERRED_SEND_TIME_TAG}\" \
                 PropertyType=\"SystemTime\"/><t:Value>{}</t:Value></t:ExtendedProperty>",
                crate::utc::date_time(at)
            )
        })
        .unwrap_or_default();
    let op = format!(
        "<m:CreateItem MessageDisposition=\"{disposition}\">\
         <m:SavedItemFolderId>{}</m:SavedItemFolderId>\
         <m:Items><t:Message><t:MimeContent CharacterSet=\"UTF-8\">{}</t:MimeContent>{deferred}</t:Message></m:Items>\
         </m:CreateItem>",
        folder.xml(),
        escape(&ews_mime_content(mime))
    );
    soap::request(ews_url, credentials, &op)
}

/// `SendItem` of a saved draft, its copy kept in Sent Items. Safe against a
/// repeat of the same request (a browser re-sending it on a new
/// connection): the item sent is gone from Drafts, so a second `SendItem`
/// finds nothing to send (`ErrorItemNotFound`).
pub fn send_item(ews_url: &str, credentials: &Credentials, item: &ItemId) -> HttpRequest {
    let op = format!(
        "<m:SendItem SaveItemToFolder=\"true\"><m:ItemIds>{}</m:ItemIds>\
         <m:SavedItemFolderId>{}</m:SavedItemFolderId></m:SendItem>",
        item_id_xml(item),
        Folder::SentItems.xml()
    );
    soap::request(ews_url, credentials, &op)
}

/// `DeleteItem` `HardDelete` of an item (a deferred email waiting in the
/// Outbox: deleting it is what stops it). A repeat finds nothing
/// (`ErrorItemNotFound`).
pub fn delete_item(ews_url: &str, credentials: &Credentials, item: &ItemId) -> HttpRequest {
    let op = format!(
        "<m:DeleteItem DeleteType=\"HardDelete\"><m:ItemIds>{}</m:ItemIds></m:DeleteItem>",
        item_id_xml(item)
    );
    soap::request(ews_url, credentials, &op)
}

fn item_id_xml(item: &ItemId) -> String {
    match &item.change_key {
        Some(key) => format!(
            "<t:ItemId Id=\"{}\" ChangeKey=\"{}\"/>",
            escape(&item.id),
            escape(key)
        ),
        None => format!("<t:ItemId Id=\"{}\"/>", escape(&item.id)),
    }
}

/// `FindItem` in `folders` for the message whose `Message-ID` header is
/// `message_id` (`message:InternetMessageId`, compared whole): at most one
/// id comes back per folder.
pub fn find_by_message_id(
    ews_url: &str,
    credentials: &Credentials,
    folders: &[Folder],
    message_id: &str,
) -> HttpRequest {
    let folders: String = folders.iter().map(|f| f.xml()).collect();
    let op = format!(
        "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:IndexedPageItemView MaxEntriesReturned=\"1\" Offset=\"0\" BasePoint=\"Beginning\"/>\
         <m:Restriction><t:IsEqualTo><t:FieldURI FieldURI=\"message:InternetMessageId\"/>\
         <t:FieldURIOrConstant><t:Constant Value=\"{}\"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>\
         <m:ParentFolderIds>{folders}</m:ParentFolderIds></m:FindItem>",
        escape(message_id)
    );
    soap::request(ews_url, credentials, &op)
}


/// `FindItem`: a page of item ids in `folder`, no properties.
pub fn find_items(
    ews_url: &str,
    credentials: &Credentials,
    folder: Folder,
    page: Page,
) -> HttpRequest {
    let op = format!(
        "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:IndexedPageItemView MaxEntriesReturned=\"{}\" Offset=\"{}\" BasePoint=\"{}\"/>\
         <m:ParentFolderIds>{}</m:ParentFolderIds></m:FindItem>",
        page.max_entries.max(1),
        page.offset,
        if page.from_end { "End" } else { "Beginning" },
        folder.xml()
    );
    soap::request(ews_url, credentials, &op)
}

/// `GetItem` returning each item's full MIME content.
pub fn get_mime(ews_url: &str, credentials: &Credentials, ids: &[ItemId]) -> HttpRequest {
    let ids: String = ids.iter().map(item_id_xml).collect();
    let op = format!(
        "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         <t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape>\
         <m:ItemIds>{ids}</m:ItemIds></m:GetItem>"
    );
    soap::request(ews_url, credentials, &op)
}

/// `SyncFolderItems`: changes in `folder` since `sync_state` (`None` the
/// first time, which lists every item as a create). `max_changes` is
/// clamped to 1..=512.
pub fn sync_items(
    ews_url: &str,
    credentials: &Credentials,
    folder: Folder,
    sync_state: Option<&str>,
    max_changes: u16,
) -> HttpRequest {
    let state = sync_state
        .map(|s| format!("<m:SyncState>{}</m:SyncState>", escape(s)))
        .unwrap_or_default();
    let op = format!(
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:SyncFolderId>{}</m:SyncFolderId>{state}\
         <m:MaxChangesReturned>{}</m:MaxChangesReturned></m:SyncFolderItems>",
        folder.xml(),
        max_changes.clamp(1, MAX_SYNC_CHANGES)
    );
    soap::request(ews_url, credentials, &op)
}
