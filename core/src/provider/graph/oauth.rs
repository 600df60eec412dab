//! The Microsoft identity platform (OAuth 2.0 / OpenID Connect): endpoints,
//! tenants and issuer, sign-out and consent pages, and the scopes each
//! feature needs with the sentence the consent disclosure shows.

use crate::auth::{AccountType, Features, RevocationPlan, ScopeInfo};

/// Authorization endpoint (the `common` authority: any tenant).
pub(crate) const AUTHORIZATION_ENDPOINT: &str =
    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize";
/// Token endpoint.
pub const MICROSOFT_TOKEN_ENDPOINT: &str =
    "https://login.microsoftonline.com/common/oauth2/v2.0/token";
/// Microsoft's tenant ID for personal (MSA) accounts.
pub const MICROSOFT_PERSONAL_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// Microsoft refresh tokens issued to an SPA redirect live 24 h from the
/// sign-in, and refreshing does not extend that.
pub const MICROSOFT_SPA_REFRESH_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;
/// Microsoft's sign-out endpoint (ends the browser session, not the grant).
pub const MICROSOFT_LOGOUT_URL: &str =
    "https://login.microsoftonline.com/common/oauth2/v2.0/logout";
/// Where personal Microsoft accounts remove an app's access.
pub const MICROSOFT_PERSONAL_CONSENT_URL: &str = "https://account.live.com/consent/Manage";
/// Where work and school accounts remove an app's access.
pub const MICROSOFT_WORK_CONSENT_URL: &str = "https://myapps.microsoft.com";

/// Whether `iss` is Microsoft's. The issuer embeds the tenant; with the
/// `common` authority any tenant is acceptable, so only the shape is
/// checked, and `tenant` (from the `tid` claim) must match when known.
pub(crate) fn accepts_issuer(iss: &str, tenant: Option<&str>) -> bool {
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

/// Microsoft's scopes for these features: `openid email profile
/// offline_access User.Read` always, `Mail.Send` to send,
/// `MailboxSettings.Read` for mailbox settings; `Mail.ReadBasic` (no
/// bodies or attachments) for the Sent check, which reads only a message's
/// `id` found by `internetMessageId`; `Mail.ReadWrite` for deferred
/// delivery (the email waits as a draft in the mailbox).
pub(crate) fn scopes(features: &Features) -> Vec<ScopeInfo> {
    let mut scopes = vec![
        ScopeInfo::new(
            "openid",
            "Confirm who you are when you sign in.",
            false,
            None,
        ),
        ScopeInfo::new(
            "email",
            "See your email address, to check that you connected the inbox you meant to.",
            false,
            None,
        ),
        ScopeInfo::new(
            "profile",
            "See your name, to show which account is connected.",
            false,
            None,
        ),
        ScopeInfo::new(
            "offline_access",
            "Stay connected without asking you to sign in every hour.",
            false,
            None,
        ),
        ScopeInfo::new(
            "User.Read",
            "Read your basic profile (name and addresses), to check the account and list the addresses you can send from.",
            false,
            None,
        ),
    ];
    if features.send {
        scopes.push(ScopeInfo::new("Mail.Send", "Send email as you: only the messages you write or schedule in Inlay. This permission can't read your mailbox.", true, None));
    }
    if features.mailbox_settings {
        scopes.push(ScopeInfo::new("MailboxSettings.Read", "Read your mailbox settings (time zone, working hours, automatic replies) so scheduled emails go out at sensible times.", true, None));
    }
    if features.sent_check {
        scopes.push(ScopeInfo::new("Mail.ReadBasic", "See your email's senders, recipients, subjects and dates, never the text or attachments. Inlay uses it only when it can't tell whether an email it sent left: it looks for it in Sent Items, so it neither sends it twice nor asks you to check. Microsoft's permission covers every folder, not only Sent Items.", true, None));
    }
    if features.scheduled_delivery {
        scopes.push(ScopeInfo::new("Mail.ReadWrite", "Save a scheduled email in your mailbox as a draft with its send time, so Microsoft sends it at that time even when your browser is closed. Microsoft's permission also covers reading, changing and deleting your email; Inlay only creates, times and sends its own drafts.", true, None));
    }
    scopes
}

/// Personal or work/school, from the ID token's `tid` claim.
pub(crate) fn account_type(tenant_id: Option<&str>) -> AccountType {
    match tenant_id {
        Some(t) if t.eq_ignore_ascii_case(MICROSOFT_PERSONAL_TENANT) => AccountType::Personal,
        Some(_) => AccountType::WorkOrSchool,
        None => AccountType::Unknown,
    }
}

/// Microsoft has no RFC 7009 revocation endpoint: the tokens are deleted
/// locally, the browser session is ended, and the user is shown where to
/// remove the app's consent.
pub(crate) fn local_revocation(account: AccountType) -> RevocationPlan {
    let (consent_url, place) = match account {
        AccountType::Personal => (
            MICROSOFT_PERSONAL_CONSENT_URL,
            "account.live.com/consent/Manage",
        ),
        _ => (
            MICROSOFT_WORK_CONSENT_URL,
            "myapps.microsoft.com (or account.live.com/consent/Manage for a personal account)",
        ),
    };
    RevocationPlan::LocalOnly {
        logout_url: MICROSOFT_LOGOUT_URL.into(),
        consent_url: consent_url.into(),
        instructions: format!(
            "Inlay deleted its access to your Microsoft account from this browser. Microsoft doesn't let apps withdraw their own permission, so to remove Inlay completely, open {place} and remove Inlay."
        ),
    }
}

/// Microsoft may prefix Graph scopes with `https://graph.microsoft.com/`
/// and ignores case.
pub(crate) fn normalize_scope(scope: &str) -> String {
    scope
        .strip_prefix("https://graph.microsoft.com/")
        .unwrap_or(scope)
        .to_ascii_lowercase()
}
