//! Google: everything that is Gmail's or Google sign-in's. Its OAuth
//! endpoints and scopes, what its error codes mean, the send-as list (the
//! account check and the connect flow's profile step), revocation, its
//! part of the connect flow (`connect.rs`), and sending an email
//! (`send.rs`) and looking for it in Sent (`sent_lookup.rs`) for the outbox;
//! what arrived since the last sync, headers first, and a kept message's body
//! (`sync.rs`, issue 13).

pub(crate) mod connect;
mod errors;
mod oauth;
mod revoke;
mod send;
mod send_as;
mod sent_lookup;
mod sync;

pub use oauth::GOOGLE_TOKEN_ENDPOINT;
pub use revoke::{GOOGLE_PERMISSIONS_URL, GOOGLE_REVOKE_ENDPOINT, RevocationResult, revoke_result};
pub use send::{
    GMAIL_MAX_MESSAGE_BYTES, GMAIL_SEND_UPLOAD_URL, GMAIL_SEND_URL, GMAIL_SIMPLE_SEND_BYTES,
    GmailSearch, GmailSend, GmailTarget,
};
pub use send_as::{GMAIL_SEND_AS_URL, SendAsList, parse_send_as};
pub use sent_lookup::{GMAIL_LOOKUP_MAX_CHECKED, GmailLookup};
pub use sync::{GMAIL_SYNC_HEADERS, GmailBody, GmailSync};

pub(crate) use errors::{classify_response, grant_lost};
pub(crate) use oauth::{
    AUTHORIZATION_ENDPOINT, accepts_issuer, account_type, normalize_scope, scopes,
};
pub(crate) use revoke::revoke_request;
