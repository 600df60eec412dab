//! Provider endpoints, client configuration and the scopes each feature needs.

use serde::{Deserialize, Serialize};

/// An OAuth identity provider Inlay signs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OAuthProvider {
    /// Google accounts (Gmail, Google Workspace).
    Google,
    /// Microsoft accounts (Outlook.com) and work/school accounts (Microsoft 365).
    Microsoft,
}

/// Microsoft's tenant ID for personal (MSA) accounts.
pub const MICROSOFT_PERSONAL_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

impl OAuthProvider {
    /// Authorization endpoint.
    pub fn authorization_endpoint(self) -> &'static str {
        match self {
            OAuthProvider::Google => "https://accounts.google.com/o/oauth2/v2/auth",
            OAuthProvider::Microsoft => {
                "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
            }
        }
    }

    /// Token endpoint.
    pub fn token_endpoint(self) -> &'static str {
        match self {
            OAuthProvider::Google => "https://oauth2.googleapis.com/token",
            OAuthProvider::Microsoft => {
                "https://login.microsoftonline.com/common/oauth2/v2.0/token"
            }
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

    /// Whether `iss` (from an ID token or RFC 9207 response) names this provider.
    /// Microsoft's issuer embeds the tenant; with the `common` authority any
    /// tenant is acceptable, so only the shape is checked, and `tenant` (from
    /// the `tid` claim) must match when known.
    pub fn accepts_issuer(self, iss: &str, tenant: Option<&str>) -> bool {
        match self {
            OAuthProvider::Google => {
                iss == "https://accounts.google.com" || iss == "accounts.google.com"
            }
            OAuthProvider::Microsoft => {
                let Some(middle) = iss
                    .strip_prefix("https://login.microsoftonline.com/")
                    .and_then(|rest| rest.strip_suffix("/v2.0"))
                else {
                    return false;
                };
                !middle.is_empty()
                    && !middle.contains('/')
                    && tenant.is_none_or(|t| t.eq_ignore_ascii_case(middle))
            }
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

const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";
const GMAIL_SETTINGS_BASIC: &str = "https://www.googleapis.com/auth/gmail.settings.basic";

fn info(scope: &str, explanation: &str, feature: bool, review: Option<GoogleReview>) -> ScopeInfo {
    ScopeInfo {
        scope: scope.into(),
        explanation: explanation.into(),
        required_for_feature: feature,
        google_review: review,
    }
}

/// The scopes to request for these features, each with its explanation.
///
/// Google: `openid email profile` identify the account (Gmail's `getProfile`
/// is not allowed under `gmail.send`, so the address comes from the ID
/// token); `gmail.send` (sensitive) sends; `gmail.settings.basic` is the
/// narrowest scope that allows `settings.sendAs.list`, and it is restricted,
/// so it is requested only when aliases are turned on.
/// Microsoft: `openid email profile offline_access User.Read` always,
/// `Mail.Send` to send, `MailboxSettings.Read` for mailbox settings.
pub fn scopes_for(provider: OAuthProvider, features: &Features) -> Vec<ScopeInfo> {
    use GoogleReview::*;
    let mut scopes = Vec::new();
    match provider {
        OAuthProvider::Google => {
            scopes.push(info(
                "openid",
                "Confirm who you are when you sign in.",
                false,
                Some(NonSensitive),
            ));
            scopes.push(info(
                "email",
                "See your email address, to check that you connected the inbox you meant to.",
                false,
                Some(NonSensitive),
            ));
            scopes.push(info(
                "profile",
                "See your name and picture, to show which account is connected.",
                false,
                Some(NonSensitive),
            ));
            if features.send {
                scopes.push(info(GMAIL_SEND, "Send email as you: only the messages you write or schedule in Inlay. This permission can't read your inbox.", true, Some(Sensitive)));
            }
            if features.send_as_aliases {
                scopes.push(info(GMAIL_SETTINGS_BASIC, "See your \"Send mail as\" addresses so you can pick which one Inlay sends from. Google's permission also covers changing basic mail settings; Inlay only reads the list of addresses.", true, Some(Restricted)));
            }
        }
        OAuthProvider::Microsoft => {
            scopes.push(info(
                "openid",
                "Confirm who you are when you sign in.",
                false,
                None,
            ));
            scopes.push(info(
                "email",
                "See your email address, to check that you connected the inbox you meant to.",
                false,
                None,
            ));
            scopes.push(info(
                "profile",
                "See your name, to show which account is connected.",
                false,
                None,
            ));
            scopes.push(info(
                "offline_access",
                "Stay connected without asking you to sign in every hour.",
                false,
                None,
            ));
            scopes.push(info("User.Read", "Read your basic profile (name and addresses), to check the account and list the addresses you can send from.", false, None));
            if features.send {
                scopes.push(info("Mail.Send", "Send email as you: only the messages you write or schedule in Inlay. This permission can't read your mailbox.", true, None));
            }
            if features.mailbox_settings {
                scopes.push(info("MailboxSettings.Read", "Read your mailbox settings (time zone, working hours, automatic replies) so scheduled emails go out at sensible times.", true, None));
            }
        }
    }
    scopes
}

/// A scope string in the form used to compare requested and granted scopes:
/// Google reports `email`/`profile` as `userinfo.*` URLs, Microsoft may prefix
/// Graph scopes with `https://graph.microsoft.com/` and ignores case.
pub(crate) fn normalize_scope(provider: OAuthProvider, scope: &str) -> String {
    match provider {
        OAuthProvider::Google => match scope {
            "https://www.googleapis.com/auth/userinfo.email" => "email".into(),
            "https://www.googleapis.com/auth/userinfo.profile" => "profile".into(),
            other => other.into(),
        },
        OAuthProvider::Microsoft => scope
            .strip_prefix("https://graph.microsoft.com/")
            .unwrap_or(scope)
            .to_ascii_lowercase(),
    }
}
