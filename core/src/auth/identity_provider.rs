//! The identity providers Inlay signs in with, the app registration used
//! with each, and the scopes each feature needs. Each provider's own values
//! (endpoints, issuer, scope lists) live in [`crate::provider::gmail`] and
//! [`crate::provider::graph`]; this file only dispatches to them.

use serde::{Deserialize, Serialize};

use crate::provider::{gmail, graph};

/// An OAuth identity provider Inlay signs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OAuthProvider {
    /// Google accounts (Gmail, Google Workspace).
    Google,
    /// Microsoft accounts (Outlook.com) and work/school accounts (Microsoft 365).
    Microsoft,
}

impl OAuthProvider {
    /// Authorization endpoint.
    pub fn authorization_endpoint(self) -> &'static str {
        match self {
            OAuthProvider::Google => gmail::AUTHORIZATION_ENDPOINT,
            OAuthProvider::Microsoft => graph::AUTHORIZATION_ENDPOINT,
        }
    }

    /// Token endpoint.
    pub fn token_endpoint(self) -> &'static str {
        match self {
            OAuthProvider::Google => gmail::GOOGLE_TOKEN_ENDPOINT,
            OAuthProvider::Microsoft => graph::MICROSOFT_TOKEN_ENDPOINT,
        }
    }

    /// The last path segment of this provider's redirect URI
    /// (`https://<extension-id>.chromiumapp.org/google`). One redirect URI per
    /// provider is the RFC 9700 §4.4 defence against mix-up attacks.
    pub fn redirect_segment(self) -> &'static str {
        match self {
            OAuthProvider::Google => "google",
            OAuthProvider::Microsoft => "microsoft",
        }
    }

    /// Whether `iss` (from an ID token or RFC 9207 response) names this
    /// provider; `tenant` is the `tid` claim when known (Microsoft).
    pub fn accepts_issuer(self, iss: &str, tenant: Option<&str>) -> bool {
        match self {
            OAuthProvider::Google => gmail::accepts_issuer(iss),
            OAuthProvider::Microsoft => graph::accepts_issuer(iss, tenant),
        }
    }

    /// The name shown to users.
    pub fn display_name(self) -> &'static str {
        match self {
            OAuthProvider::Google => "Google",
            OAuthProvider::Microsoft => "Microsoft",
        }
    }
}

/// The app registration Inlay uses with one provider. Public configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    /// The client ID.
    pub client_id: String,
    /// Google only: the "Web application" client's secret. Google's token
    /// endpoint requires it even with PKCE; shipped inside the extension it
    /// is public, and Google treats it as non-confidential. Must be `None` for
    /// Microsoft (an SPA registration rejects secrets).
    pub client_secret: Option<String>,
}

/// The features the user turned on; they decide the scopes requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// Send mail as the user (sequences, replies).
    pub send: bool,
    /// List the user's "send mail as" addresses. Google: needs
    /// `gmail.settings.basic`, a *restricted* scope (CASA assessment).
    /// Microsoft: comes from `/me` under User.Read, no extra scope.
    pub send_as_aliases: bool,
    /// Read mailbox settings (time zone, working hours). Microsoft only.
    pub mailbox_settings: bool,
    /// Search Sent for an email whose send may or may not have left (the
    /// outbox's lookup): a read scope, asked only when the user turns it on.
    #[serde(default)]
    pub sent_check: bool,
    /// Microsoft only: hand a scheduled email to the mailbox as a draft with
    /// a deferred send time, so it leaves with the browser closed
    /// (`Mail.ReadWrite`).
    #[serde(default)]
    pub scheduled_delivery: bool,
}

/// A feature the user turns on for one connected inbox; its scopes are
/// asked for then (incremental consent), never at the first connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum OptionalFeature {
    /// "Check Sent when a send's outcome is unknown."
    SentCheck,
    /// "Deliver scheduled email with the browser closed" (Microsoft).
    ScheduledDelivery,
}

/// The optional features on for one inbox (stored with the inbox).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", default)]
pub struct OptionalFeatures {
    /// [`OptionalFeature::SentCheck`].
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<bool>"))]
    pub sent_check: bool,
    /// [`OptionalFeature::ScheduledDelivery`].
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<bool>"))]
    pub scheduled_delivery: bool,
}

impl OptionalFeatures {
    /// Whether `feature` is on.
    pub fn has(&self, feature: OptionalFeature) -> bool {
        match feature {
            OptionalFeature::SentCheck => self.sent_check,
            OptionalFeature::ScheduledDelivery => self.scheduled_delivery,
        }
    }

    /// These features with `feature` turned on or off.
    pub fn with(mut self, feature: OptionalFeature, on: bool) -> Self {
        match feature {
            OptionalFeature::SentCheck => self.sent_check = on,
            OptionalFeature::ScheduledDelivery => self.scheduled_delivery = on,
        }
        self
    }
}

impl Features {
    /// These features plus the optional ones that are on.
    pub fn with_optional(self, optional: &OptionalFeatures) -> Self {
        Features {
            sent_check: self.sent_check || optional.sent_check,
            scheduled_delivery: self.scheduled_delivery || optional.scheduled_delivery,
            ..self
        }
    }
}

impl Default for Features {
    /// Send only: the narrowest useful set.
    fn default() -> Self {
        Features {
            send: true,
            send_as_aliases: false,
            mailbox_settings: false,
            sent_check: false,
            scheduled_delivery: false,
        }
    }
}

/// Google's review class for a scope (what publishing the app costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum GoogleReview {
    /// No review beyond the basic consent screen.
    NonSensitive,
    /// App verification.
    Sensitive,
    /// App verification plus a yearly CASA security assessment.
    Restricted,
}

/// One requested scope with the sentence the consent disclosure shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ScopeInfo {
    /// The scope string sent to the provider.
    pub scope: String,
    /// What it lets Inlay do and why, in plain words.
    pub explanation: String,
    /// Whether a feature depends on it (so missing it is an error).
    pub required_for_feature: bool,
    /// Google's classification, for Google scopes.
    pub google_review: Option<GoogleReview>,
}

impl ScopeInfo {
    pub(crate) fn new(
        scope: &str,
        explanation: &str,
        required_for_feature: bool,
        google_review: Option<GoogleReview>,
    ) -> Self {
        ScopeInfo {
            scope: scope.into(),
            explanation: explanation.into(),
            required_for_feature,
            google_review,
        }
    }
}

/// The scopes to request for these features, each with its explanation.
pub fn scopes_for(provider: OAuthProvider, features: &Features) -> Vec<ScopeInfo> {
    match provider {
        OAuthProvider::Google => gmail::scopes(features),
        OAuthProvider::Microsoft => graph::scopes(features),
    }
}

/// A scope string in the form used to compare requested and granted scopes
/// (each provider spells some scopes differently when it grants them).
pub(crate) fn normalize_scope(provider: OAuthProvider, scope: &str) -> String {
    match provider {
        OAuthProvider::Google => gmail::normalize_scope(scope),
        OAuthProvider::Microsoft => graph::normalize_scope(scope),
    }
}
