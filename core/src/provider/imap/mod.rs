//! IMAP/SMTP settings from an email address, for "any IMAP/SMTP provider".
//!
//! Sources are tried in Thunderbird's order, most authoritative first:
//! 1. settings an admin pre-configured for the domain (managed policy);
//! 2. the domain's own autoconfig (`autoconfig.<domain>`, then
//!    `<domain>/.well-known/autoconfig`);
//! 3. Thunderbird's ISPDB for the domain;
//! 4. the ISPDB for the base domain of the domain's MX host (hosted mail);
//! 5. a guess (`imap.`/`mail.`/`smtp.` + domain) for the user to confirm.
//!
//! [`Discovery`] is a resumable, serialisable [`crate::machine::Machine`]: the
//! service worker executes each planned request and passes the outcome back
//! (or says the user did not allow the host: [`Answer::NotAllowed`]).
//! Plaintext servers are never offered, and POP3 is not supported.

mod admin;
mod certificates;
mod check;
mod clientconfig;
mod discovery;
mod guess;
mod helper;
mod helper_error;
mod send;
mod sent_copy;
mod sent_lookup;
mod sync;
mod validate;

use serde::{Deserialize, Serialize};

pub use crate::detect::Confidence;
pub use admin::AdminPolicy;
pub use certificates::{
    CertificateReport, CertificateTrust, accepted_for_other_server, migrate_trust_any,
};
pub use check::{
    AccountCheck, AccountCheckFailure, AccountChecked, CertificateReview, CheckOutcome, LoginCheck,
    LoginFailure, LoginsVerified,
};
pub use clientconfig::{ClientConfig, ConfigError, parse_client_config};
pub use discovery::{
    Answer, Discovery, DiscoveryError, Found, ISPDB_BASE, MAX_REQUESTS, Step, base_domain,
    domain_autoconfig_url, ispdb_url, well_known_url,
};
pub use guess::{guesses, usual_settings};
pub use helper::{HelperCall, HelperOp, ServerCertificate};
pub use helper_error::{CheckDisposition, HelperFailure, MailServerKind, describe_helper_error};
pub use send::{ImapSend, ImapTarget};
pub use sent_copy::sent_copy_needed;
pub use sent_lookup::ImapLookup;
pub use sync::{
    IMAP_BODY_MAX_BYTES, IMAP_SYNC_PAGE, IMAP_SYNC_PAGE_BYTES, ImapBody, ImapSync, provider_id,
};
pub use validate::{SettingsError, parse_security, validate_settings};

/// How a connection is encrypted. There is deliberately no plaintext variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Security {
    /// TLS from the first byte (clientConfig `SSL`; ports 993/465).
    ImplicitTls,
    /// Plain connection upgraded with STARTTLS (ports 143/587).
    StartTls,
}

/// A sign-in method a server advertises (clientConfig `authentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Authentication {
    /// `password-cleartext` (inside TLS; the default when none is listed).
    PasswordCleartext,
    /// `password-encrypted` (CRAM-MD5 and the like).
    PasswordEncrypted,
    /// `OAuth2`: see [`MailSettings::oauth2`].
    #[serde(rename = "oAuth2")]
    OAuth2,
    /// `none`: the server asks for no credentials (some SMTP relays).
    None,
}

/// One server to connect to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// With placeholders already substituted.
    pub username: String,
    /// Advertised methods, in the provider's order; empty when unknown
    /// (admin- or user-entered settings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<Authentication>,
}

/// The provider's OAuth 2 endpoints, kept for a later OAuth sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Hint {
    pub issuer: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

/// Everything needed to connect an IMAP/SMTP account (less the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct MailSettings {
    pub imap: Server,
    pub smtp: Server,
    /// SMTP signs in with the IMAP username and password (ask once).
    pub same_credentials: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Hint>,
}

impl MailSettings {
    /// Builds settings, deriving `same_credentials` from the usernames.
    pub fn new(imap: Server, smtp: Server) -> Self {
        let same_credentials = imap.username == smtp.username;
        MailSettings {
            imap,
            smtp,
            same_credentials,
            oauth2: None,
        }
    }

    /// For unit tests: implicit TLS on 993 and 465, user `ann`, no sign-in
    /// methods listed.
    #[cfg(test)]
    pub(crate) fn implicit_tls(imap_host: &str, smtp_host: &str) -> Self {
        let server = |host: &str, port| Server {
            host: host.into(),
            port,
            security: Security::ImplicitTls,
            username: "ann".into(),
            authentication: vec![],
        };
        MailSettings::new(server(imap_host, 993), server(smtp_host, 465))
    }
}

/// Settings an admin pre-configured for a domain (managed policy). Usernames
/// may use the clientConfig placeholders (`%EMAILADDRESS%`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSettings {
    /// Matched case-insensitively against the address's whole domain.
    pub domain: String,
    pub settings: MailSettings,
}

/// Where the settings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Source {
    Admin,
    DomainAutoconfig,
    Ispdb,
    MxIspdb,
    Guess,
}

/// Why a request is made, so the UI can show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// `https://autoconfig.<domain>/mail/config-v1.1.xml`.
    DomainAutoconfig,
    /// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
    DomainWellKnown,
    /// Thunderbird's ISPDB for the address's domain.
    Ispdb,
    /// DNS-over-HTTPS MX lookup.
    MxLookup,
    /// Thunderbird's ISPDB for the MX host's base domain.
    MxIspdb,
}
