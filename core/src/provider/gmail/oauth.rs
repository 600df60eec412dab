//! Google's OAuth 2.0 / OpenID Connect: endpoints, issuer, and the scopes
//! each feature needs with the sentence the consent disclosure shows.

use crate::auth::{AccountType, Features, GoogleReview, ScopeInfo};

/// Authorization endpoint.
pub(crate) const AUTHORIZATION_ENDPOINT: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Token endpoint.
pub const GOOGLE_TOKEN_ENDPOINT: &str = "https://oauth2.googleapis.com/token";

const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";
const GMAIL_SETTINGS_BASIC: &str = "https://www.googleapis.com/auth/gmail.settings.basic";
/// The narrowest scope that lists SENT with headers (`messages.list` by
/// label, `messages.get?format=metadata`); no bodies, no `q`. Restricted.
const GMAIL_METADATA: &str = "https://www.googleapis.com/auth/gmail.metadata";

/// Whether `iss` (from an ID token or RFC 9207 response) is Google's.
pub(crate) fn accepts_issuer(iss: &str) -> bool {
    iss == "https://accounts.google.com" || iss == "accounts.google.com"
}

/// Google's scopes for these features: `openid email profile` identify the
/// account (Gmail's `getProfile` is not allowed under `gmail.send`, so the
/// address comes from the ID token); `gmail.send` (sensitive) sends;
/// `gmail.settings.basic` is the narrowest scope that allows
/// `settings.sendAs.list`, and it is restricted, so it is requested only
/// when aliases are turned on; `gmail.metadata` (restricted) only when the
/// Sent check is turned on. Gmail has no deferred delivery, so
/// `scheduled_delivery` asks for nothing here (the connect flow refuses it).
pub(crate) fn scopes(features: &Features) -> Vec<ScopeInfo> {
    use GoogleReview::*;
    let mut scopes = vec![
        ScopeInfo::new(
            "openid",
            "Confirm who you are when you sign in.",
            false,
            Some(NonSensitive),
        ),
        ScopeInfo::new(
            "email",
            "See your email address, to check that you connected the inbox you meant to.",
            false,
            Some(NonSensitive),
        ),
        ScopeInfo::new(
            "profile",
            "See your name and picture, to show which account is connected.",
            false,
            Some(NonSensitive),
        ),
    ];
    if features.send {
        scopes.push(ScopeInfo::new(GMAIL_SEND, "Send email as you: only the messages you write or schedule in Inlay. This permission can't read your inbox.", true, Some(Sensitive)));
    }
    if features.send_as_aliases {
        scopes.push(ScopeInfo::new(GMAIL_SETTINGS_BASIC, "See your \"Send mail as\" addresses so you can pick which one Inlay sends from. Google's permission also covers changing basic mail settings; Inlay only reads the list of addresses.", true, Some(Restricted)));
    }
    if features.sent_check {
        scopes.push(ScopeInfo::new(GMAIL_METADATA, "See the headers of your email (sender, recipients, subject, date), never the text or attachments. Inlay uses it only when it can't tell whether an email it sent left: it looks for it in your Sent mail, so it neither sends it twice nor asks you to check. Google's permission covers every email's headers, not only Sent.", true, Some(Restricted)));
    }
    scopes
}

/// Workspace accounts carry their domain in the ID token's `hd` claim.
pub(crate) fn account_type(hosted_domain: Option<&str>) -> AccountType {
    if hosted_domain.is_some() {
        AccountType::WorkOrSchool
    } else {
        AccountType::Personal
    }
}

/// Google reports `email`/`profile` as `userinfo.*` URLs when it grants them.
pub(crate) fn normalize_scope(scope: &str) -> String {
    match scope {
        "https://www.googleapis.com/auth/userinfo.email" => "email".into(),
        "https://www.googleapis.com/auth/userinfo.profile" => "profile".into(),
        other => other.into(),
    }
}
