//! Exchange on-premises over EWS with Basic authentication: finding the
//! server (Autodiscover), planning SOAP requests and reading their answers.
//!
//! Sans-IO like the rest of the core: every call is an [`crate::http::HttpRequest`]
//! value, every answer an [`crate::provider::Outcome`]. Credentials
//! are arguments; they go only into `Authorization` headers, and the
//! `Debug` output of types holding them is redacted.

pub mod autodiscover;
mod challenge;
mod check;
mod credentials;
mod errors;
pub mod operations;
pub mod pox;
pub mod results;
mod cancel;
mod send;
mod sent_lookup;
pub mod soap;
mod sync;
mod url;
mod xml;

pub use autodiscover::{
    Answer, AutodiscoverError, AutodiscoverPlan, Found, MAX_HOPS, Purpose, Redirect, Step,
};
pub use check::{CHECK_BACKOFF, CheckError, EwsCheck, Purpose as EwsCheckPurpose};
pub use credentials::Credentials;
pub use operations::{
    DEFERRED_SEND_TIME_TAG, Folder, ItemId, MAX_SYNC_CHANGES, Page, delete_item, find_by_message_id,
    find_items,
    get_mime, save_draft, send_item, send_mime, send_mime_at, sync_items, verify_connection,
};
pub use results::{
    ItemFailure, ItemPage, MimeItem, MimeItems, SEND_BACKOFF, SyncChange, SyncChanges, Verified,
    read_find, read_mime, read_send, read_sync, read_verify,
};
pub use cancel::EwsCancel;
pub use send::{EwsSend, EwsTarget};
pub use sent_lookup::{EwsLookup, LOOKUP_FOLDERS};
pub use soap::{REQUEST_SERVER_VERSION, ServerVersionInfo};
pub use sync::{
    EWS_HEADERS_BATCH, EWS_SYNC_FOLDERS, EWS_SYNC_PAGE, EwsBody, EwsSync, HEADER_PROPERTIES,
    get_headers_request, sync_headers_request,
};
pub use url::{EwsUrl, check_ews_url, suggested_ews_url};
