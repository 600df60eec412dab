//! Microsoft: everything that is Microsoft Graph's or the Microsoft
//! identity platform's. Its OAuth endpoints, tenants and scopes, what its
//! error codes (Graph's and `AADSTS`) mean, and the `/me` profile and
//! mailbox settings (the account check and the connect flow's profile step),
//! and sending an email (`send.rs`: sendMail, or a draft held for deferred
//! delivery) and looking for it in Sent Items (`sent_lookup.rs`) for the outbox,
//! and taking back one held for its time (`cancel.rs`);
//! what arrived in Inbox and Sent Items since the last sync, by delta query,
//! and a kept message's MIME (`sync.rs`, issue 13).

mod cancel;
pub(crate) mod connect;
pub mod detach;
mod errors;
mod oauth;
mod profile;
mod send;
mod sent_lookup;
mod sync;

pub use oauth::{
    MICROSOFT_LOGOUT_URL, MICROSOFT_PERSONAL_CONSENT_URL, MICROSOFT_PERSONAL_TENANT,
    MICROSOFT_SPA_REFRESH_LIFETIME_MS, MICROSOFT_TOKEN_ENDPOINT, MICROSOFT_WORK_CONSENT_URL,
};
pub use profile::{
    GRAPH_MAILBOX_SETTINGS_URL, GRAPH_ME_URL, GraphProfile, parse_graph_me, parse_user_purpose,
};

pub use cancel::GraphCancel;
pub(crate) use send::path_segment;
pub use send::{
    DEFERRED_SEND_TIME, GRAPH_MAX_REQUEST_BYTES, GRAPH_MESSAGES_URL, GRAPH_SEND_MAIL_URL,
    GraphSend, GraphTarget,
};
pub use sent_lookup::GraphLookup;
pub use sync::{GRAPH_SYNC_FOLDERS, GRAPH_SYNC_PAGE, GRAPH_SYNC_SELECT, GraphBody, GraphSync};

pub(crate) use errors::{CLIENT_MISCONFIGURED_AADSTS, classify_response, grant_lost};
pub(crate) use oauth::{
    AUTHORIZATION_ENDPOINT, accepts_issuer, account_type, local_revocation, normalize_scope, scopes,
};
