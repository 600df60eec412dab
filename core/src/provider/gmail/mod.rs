//! Google: everything that is Gmail's or Google sign-in's. Its OAuth
//! endpoints and scopes, what its error codes mean, the send-as list (the
//! account check and the connect flow's profile step), revocation, and its
//! part of the connect flow (`connect.rs`).

pub(crate) mod connect;
mod errors;
mod oauth;
mod revoke;
mod send_as;

pub use oauth::GOOGLE_TOKEN_ENDPOINT;
pub use revoke::{GOOGLE_PERMISSIONS_URL, GOOGLE_REVOKE_ENDPOINT, RevocationResult, revoke_result};
pub use send_as::{GMAIL_SEND_AS_URL, SendAsList, parse_send_as};

pub(crate) use errors::{classify_response, grant_lost};
pub(crate) use oauth::{
    AUTHORIZATION_ENDPOINT, accepts_issuer, account_type, normalize_scope, scopes,
};
pub(crate) use revoke::revoke_request;
