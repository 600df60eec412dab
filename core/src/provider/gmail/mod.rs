//! Google: everything that is Gmail's or Google sign-in's. Its OAuth
//! endpoints and scopes, what its error codes mean, and the send-as list
//! (the account check and the connect flow's profile step).

mod errors;
mod oauth;
mod send_as;

pub use oauth::{GOOGLE_REVOKE_ENDPOINT, GOOGLE_TOKEN_ENDPOINT};
pub use send_as::{GMAIL_SEND_AS_URL, SendAsList, parse_send_as};

pub(crate) use errors::{classify_response, grant_lost};
pub(crate) use oauth::{AUTHORIZATION_ENDPOINT, accepts_issuer, normalize_scope, scopes};
