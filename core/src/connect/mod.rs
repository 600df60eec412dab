//! The connect flow: from "Connect ada@example.com with Google" to a
//! connected account with tokens, as a [`crate::machine::Machine`]
//! ([`ConnectFlow`]).
//!
//! ```text
//! start ─→ authFlow ─redirect→ http tokenExchange ─response→ (verify claims)
//!   Google:    ─→ http sendAs ─→ done
//!   Microsoft: ─→ http profile ─(verify)→ http mailboxSettings ─→ done
//! any http   ─429/5xx/network→ wait (Backoff::next) ─timer→ the same http again
//! wrong account (Google) ─→ http revoke ─any answer→ failed
//! any step   ─failure/cancel→ failed (the account returns to its previous state)
//! ```
//!
//! The phases are `flow.rs`; what is Google's or Microsoft's is each
//! provider's `connect.rs`, behind `steps.rs`. The service worker executes
//! each [`Step`] and feeds the result back with `resume`; between calls it
//! keeps the [`ConnectFlow`] (plain JSON) in its own
//! memory only, as the flow holds the PKCE verifier and then the tokens. A
//! worker stopped mid-flow loses the flow; at its next start the inbox goes
//! back to its previous state (the `cancelled` transition).
//! Every result carries the account's [`ConnectionState`] after the step,
//! computed with [`crate::accounts::transition`] only.

mod code;
mod features;
mod flow;
mod password;
mod refusal;
pub(crate) mod steps;

use serde::{Deserialize, Serialize};

use crate::accounts::RegistryError;
use crate::accounts::{AccountRegistry, ConnectPolicy, ConnectionState, InvalidTransition};
use crate::auth::TokenState;
use crate::auth::{
    AccountType, AuthError, Features, OAuthClient, OAuthProvider, OptionalFeatures, RevocationPlan,
    ScopeInfo, plan_revoke, scopes_for,
};
use crate::detect::{AddressError, ConnectionKind};

pub use code::ErrorCode;
pub use features::{
    FeatureDisclosure, InboxFeatures, feature_disclosure, features_with, inbox_features,
    without_feature,
};
pub use flow::{
    Advance, ConnectFlow, Connected, FLOW_BACKOFF, Flow, MAX_FLOW_WAIT_MS, Phase, Step,
};
pub use password::{NO_PASSWORD, PasswordConnect, cancelled_connect, password_start, sign_in_name};
pub use refusal::Refusal;

/// How many of the moment's random bytes the start needs: PKCE verifier,
/// `state`, `nonce`.
pub const RANDOM_BYTES: usize = 96;

/// A stable code and a sentence saying what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct FlowError {
    /// Stable, camelCase (e.g. `wrongAccount`, `cancelled`).
    pub code: ErrorCode,
    /// For the user, in plain words.
    pub message: String,
    /// The user ended it (closed the sign-in window, clicked Cancel): the
    /// pages report nothing. Present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub cancelled: bool,
}

impl FlowError {
    /// A new error (`code` a variant, or a code given as text by the parts
    /// of the core that still give them so: [`ErrorCode::of`]).
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        let code = code.into();
        FlowError {
            code,
            message: message.into(),
            cancelled: code == ErrorCode::Cancelled,
        }
    }

    /// An OAuth step (sign-in, tokens, the OAuth account check, revocation)
    /// asked for an Exchange or IMAP inbox, which connect with a password.
    pub fn not_available(kind: ConnectionKind) -> Self {
        FlowError::new(
            ErrorCode::NotAvailable,
            format!(
                "{} accounts connect with a password, not a sign-in, so Inlay has no sign-in step for them. Reconnect the inbox from its form; if this keeps happening, please report it to Inlay's support.",
                kind.display_name()
            ),
        )
    }
}

impl From<AddressError> for FlowError {
    fn from(e: AddressError) -> Self {
        FlowError::new(e.code(), e.message())
    }
}

impl From<RegistryError> for FlowError {
    fn from(e: RegistryError) -> Self {
        FlowError::new(e.code(), e.message())
    }
}

impl From<AuthError> for FlowError {
    fn from(e: AuthError) -> Self {
        FlowError::new(e.code(), e.message())
    }
}

impl From<InvalidTransition> for FlowError {
    fn from(e: InvalidTransition) -> Self {
        FlowError::new(ErrorCode::InvalidTransition, e.message)
    }
}

/// Connect a new inbox, re-authorize a known one, or renew silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectMode {
    /// A new inbox (previous state: not connected or disconnected).
    #[default]
    Connect,
    /// The user signs in again to a connected (or rejected) inbox.
    Reconnect,
    /// No window: `interactive: false`, `prompt=none` (Microsoft's 24 h limit).
    Silent,
    /// The user turned on an optional feature of a connected inbox: a
    /// sign-in that asks only for the scopes not yet granted (Google:
    /// `include_granted_scopes`), see [`ConnectInput::granted_scopes`].
    AddFeatures,
}

/// The app registrations this build or the admin policy provides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Clients {
    /// Google "Web application" client (ID and its public secret).
    pub google: Option<OAuthClient>,
    /// Microsoft single-page-application registration (ID only).
    pub microsoft: Option<OAuthClient>,
}

fn not_connected() -> ConnectionState {
    ConnectionState::NotConnected
}

/// Everything the connect flow starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectInput {
    /// The address the user entered.
    pub address: String,
    /// The kind of account (from detection or the user's choice).
    pub connect: ConnectionKind,
    /// Inbox automation on (decides whether sending is requested).
    pub automation: bool,
    /// Configured OAuth clients.
    #[serde(default)]
    pub clients: Clients,
    /// `chrome.identity.getRedirectURL()`, e.g. `https://<id>.chromiumapp.org/`;
    /// the provider's segment (`google` / `microsoft`) is appended.
    pub redirect_base: String,
    /// The workspace policy for this user.
    pub policy: ConnectPolicy,
    /// Inboxes already connected, and the team inboxes.
    #[serde(default)]
    pub registry: AccountRegistry,
    /// Connect, reconnect or silent renewal.
    #[serde(default)]
    pub mode: ConnectMode,
    /// The account's stable state before this flow (`notConnected` for new).
    #[serde(default = "not_connected")]
    pub previous_state: ConnectionState,
    /// The optional features on for this inbox (with the one being added):
    /// every sign-in of the inbox asks for their scopes too.
    #[serde(default)]
    pub optional_features: OptionalFeatures,
    /// [`ConnectMode::AddFeatures`]: the scopes the stored tokens hold (the
    /// token state's `scopes`), so only the others are asked.
    #[serde(default)]
    pub granted_scopes: Vec<String>,
}

/// What a request of the flow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "ConnectPurpose")
)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// Authorization code → tokens.
    TokenExchange,
    /// Gmail `settings.sendAs.list`.
    SendAs,
    /// Graph `GET /me`.
    Profile,
    /// Graph `GET /me/mailboxSettings` (shared-mailbox check).
    MailboxSettings,
    /// Google token revocation (after a wrong account or a failure).
    Revoke,
}

/// The account a successful flow connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ConnectedAccount {
    /// The address as the provider spells it (the same mailbox as entered).
    pub address: String,
    /// The kind of account.
    pub connect: ConnectionKind,
    /// The name the provider reports, if any.
    pub display_name: Option<String>,
    /// Send-as addresses other than `address`.
    pub aliases: Vec<String>,
    /// Personal or work/school.
    pub account_type: AccountType,
    /// Checks that could not be made, in plain words (may be empty).
    pub notes: Vec<String>,
}

/// The OAuth provider for a kind of account; Exchange and IMAP come later.
pub fn oauth_provider(kind: ConnectionKind) -> Result<OAuthProvider, FlowError> {
    match kind {
        ConnectionKind::Google => Ok(OAuthProvider::Google),
        ConnectionKind::Microsoft => Ok(OAuthProvider::Microsoft),
        ConnectionKind::Exchange | ConnectionKind::Imap => Err(FlowError::not_available(kind)),
    }
}

/// The one place that decides which features (hence scopes) a connection
/// requests.
///
/// - Sending always: one-to-one emails from CRM records are the reason to
///   connect an inbox. (The features that read the inbox, with inbox
///   automation on, will add their scopes here when they arrive.)
/// - Google: the send-as list (`gmail.settings.basic`) always, because the
///   connect confirmation lists the aliases.
/// - Microsoft: mailbox settings always, because `userPurpose` is how a
///   shared mailbox is recognised (and refused).
pub fn features_for(provider: OAuthProvider) -> Features {
    match provider {
        OAuthProvider::Google => Features {
            send: true,
            send_as_aliases: true,
            mailbox_settings: false,
            sent_check: false,
            scheduled_delivery: false,
        },
        OAuthProvider::Microsoft => Features {
            send: true,
            send_as_aliases: false,
            mailbox_settings: true,
            sent_check: false,
            scheduled_delivery: false,
        },
    }
}

/// What the consent disclosure shows before the sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Disclosure {
    /// "Google" or "Microsoft".
    pub provider_name: String,
    /// Every scope requested, with its explanation.
    pub scopes: Vec<ScopeInfo>,
}

/// The scopes the flow will request for this kind of account, explained.
pub fn disclosure(kind: ConnectionKind) -> Result<Disclosure, FlowError> {
    let provider = oauth_provider(kind)?;
    Ok(Disclosure {
        provider_name: provider.display_name().into(),
        scopes: scopes_for(provider, &features_for(provider)),
    })
}

/// How to end a connection at the provider. Google: revoke the refresh
/// token (which revokes its access tokens too), or the access token when
/// there is no refresh token. Microsoft: local only.
pub fn revoke_plan(
    kind: ConnectionKind,
    tokens: &TokenState,
    account_type: AccountType,
) -> Result<RevocationPlan, FlowError> {
    let provider = oauth_provider(kind)?;
    if provider != tokens.provider {
        return Err(FlowError::new(
            ErrorCode::ProviderMismatch,
            format!(
                "These tokens belong to a {} account, not a {} one, so Inlay didn't use them.",
                tokens.provider.display_name(),
                provider.display_name()
            ),
        ));
    }
    let token = tokens
        .refresh_token
        .as_deref()
        .unwrap_or(&tokens.access_token);
    Ok(plan_revoke(provider, token, account_type))
}

/// `https://<id>.chromiumapp.org/` + `google` | `microsoft`.
pub fn redirect_uri(base: &str, provider: OAuthProvider) -> String {
    let base = base.trim();
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{}", provider.redirect_segment())
}
