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
}

impl Folder {
    fn id(self) -> &'static str {
        match self {
            Folder::Inbox => "inbox",
            Folder::SentItems => "sentitems",
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
    let op = format!(
        "<m:CreateItem MessageDisposition=\"SendAndSaveCopy\">\
         <m:SavedItemFolderId>{}</m:SavedItemFolderId>\
         <m:Items><t:Message><t:MimeContent CharacterSet=\"UTF-8\">{}</t:MimeContent></t:Message></m:Items>\
         </m:CreateItem>",
        Folder::SentItems.xml(),
        escape(&ews_mime_content(mime))
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
    let ids: String = ids
        .iter()
        .map(|item| match &item.change_key {
            Some(key) => format!(
                "<t:ItemId Id=\"{}\" ChangeKey=\"{}\"/>",
                escape(&item.id),
                escape(key)
            ),
            None => format!("<t:ItemId Id=\"{}\"/>", escape(&item.id)),
        })
        .collect();
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
