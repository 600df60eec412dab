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
}

impl Default for Features {
    /// Send only: the narrowest useful set.
    fn default() -> Self {
        Features {
            send: true,
            send_as_aliases: false,
            mailbox_settings: false,
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
