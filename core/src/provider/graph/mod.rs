//! Microsoft: everything that is Microsoft Graph's or the Microsoft
//! identity platform's. Its OAuth endpoints, tenants and scopes, what its
//! error codes (Graph's and `AADSTS`) mean, and the `/me` profile and
//! mailbox settings (the account check and the connect flow's profile step).

pub(crate) mod connect;
mod errors;
mod oauth;
mod profile;

pub use oauth::{
    MICROSOFT_LOGOUT_URL, MICROSOFT_PERSONAL_CONSENT_URL, MICROSOFT_PERSONAL_TENANT,
    MICROSOFT_SPA_REFRESH_LIFETIME_MS, MICROSOFT_TOKEN_ENDPOINT, MICROSOFT_WORK_CONSENT_URL,
};
pub use profile::{
    GRAPH_MAILBOX_SETTINGS_URL, GRAPH_ME_URL, GraphProfile, parse_graph_me, parse_user_purpose,
};

pub(crate) use errors::{CLIENT_MISCONFIGURED_AADSTS, classify_response, grant_lost};
pub(crate) use oauth::{
    AUTHORIZATION_ENDPOINT, accepts_issuer, account_type, local_revocation, normalize_scope, scopes,
};
