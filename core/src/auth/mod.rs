//! OAuth 2.0 / OpenID Connect for Google and Microsoft, sans-IO: the
//! generic parts. Each provider's endpoints, scopes and error meanings are
//! in its folder under [`crate::provider`].
//!
//! The flow, with the shell's part in brackets:
//! 1. [`plan_authorization`] → URL + [`PendingAuthorization`]
//!    (the connect flow keeps `pending`; shell: run `launchWebAuthFlow`).
//! 2. [`complete_authorization`] with the final redirect URL → token request
//!    (shell: `fetch` it).
//! 3. [`interpret_token_response`] → [`TokenSet`] with ID-token claims.
//! 4. [`verify_account`] against the address the user entered.
//!
//! Authorization-code flow with PKCE (S256) only, exact redirect URIs, one
//! redirect URI per provider plus RFC 9207 `iss` checks against mix-up, a
//! one-time `state` against CSRF and a `nonce` in the ID token (RFC 9700).
//!
//! Then the token lifecycle of a connected account (`lifecycle.rs`,
//! [`TokenState`]): when to use the access token, refresh it, renew it
//! silently, wait, or ask the user to sign in again.

mod authorize;
mod errors;
mod identity_provider;
mod lifecycle;
mod pkce;
mod token_endpoint;
mod verify;

pub use authorize::{
    AUTHORIZATION_TIMEOUT_MS, AuthorizationParams, AuthorizationPlan, AuthorizationSecrets,
    PendingAuthorization, complete_authorization, plan_authorization,
};
pub use errors::{AuthError, TokenError};
pub use identity_provider::{
    Features, GoogleReview, OAuthClient, OAuthProvider, OptionalFeature, OptionalFeatures,
    ScopeInfo, scopes_for,
};
pub use lifecycle::{
    ACCESS_GIVE_UP_MS, ACCESS_ROUNDS, Access, BackgroundRenewal, CLOCK_SKEW_MS, JOIN_WAIT_MS,
    PROACTIVE_REFRESH_MS, Renewal, RenewalKind, RenewalResult, SILENT_RENEWAL_LEAD_MS,
    STUCK_REFRESH_MS, STUCK_SILENT_MS, SilentResult, TokenProblem, TokenState,
};
pub use pkce::{Pkce, challenge_for, random_value};
pub use token_endpoint::{
    AccountType, Grant, IdClaims, RevocationPlan, TokenExpectations, TokenSet, decode_id_token,
    interpret_token_response, plan_refresh, plan_revoke,
};
pub use verify::{AccountIdentity, verify_account};

pub(crate) use authorize::aadsts_code;
pub(crate) use identity_provider::normalize_scope;
pub(crate) use token_endpoint::form_post;
