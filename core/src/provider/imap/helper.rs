//! What a machine asks of Inlay's native mail helper (`inlay-bridge`,
//! bridge/README.md) and what the helper reports back: the operation with
//! its arguments ([`HelperCall`], carried by `machine::Step::Helper`), and the
//! certificate it describes when it refuses one (carried by
//! `machine::Input::HelperFailed`). The shell only sends the call on the
//! native port and hands the reply or the error back.

use serde::{Deserialize, Serialize};

use super::{MailServerKind, MailSettings, Security, Server};
use crate::rpc::imap::SpkiPin;

/// An operation of the helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum HelperOp {
    /// Log in to the IMAP server (`CheckArgs`).
    ImapCheck,
    /// Log in to the SMTP server (`CheckArgs`).
    SmtpCheck,
    /// Submit a message over SMTP, then append the Sent copy (`SendArgs`).
    Send,
    /// Search the Sent folder for a Message-ID (`LookupArgs`).
    SentLookup,
    /// Read a folder's messages after a UID (`SyncArgs`): the sync planner.
    ImapSync,
}

/// One request to the helper: `{op, ...args}` on the native port. `args` is a
/// JSON object and may hold a password: the shell never logs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct HelperCall {
    pub op: HelperOp,
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub args: serde_json::Value,
}

/// A server certificate as the helper describes it for review, with
/// `untrustedCertificate` and `certificateChanged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ServerCertificate {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Standard base64 of the SHA-256 of its SubjectPublicKeyInfo: what is pinned.
    pub spki_sha256: String,
}

/// How a check treats the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// It must chain to a trusted root (no pin yet).
    Verified,
    /// Exactly the key the user accepted.
    Pinned(SpkiPin),
    /// Any certificate (accounts from before pins, once, to pin what it saw).
    Any,
}

impl Trust {
    pub(crate) fn from_pin(pin: Option<&SpkiPin>) -> Self {
        pin.map_or(Trust::Verified, |pin| Trust::Pinned(pin.clone()))
    }
}

/// The helper's `CheckArgs`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckArgs<'a> {
    host: &'a str,
    port: u16,
    security: Security,
    username: &'a str,
    password: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned_spki: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trust_any_certificate: bool,
}

/// The login check of `which` server of `settings` with `password`.
pub(crate) fn check_call(
    settings: &MailSettings,
    which: MailServerKind,
    password: &str,
    trust: &Trust,
) -> HelperCall {
    let (server, op) = match which {
        MailServerKind::Imap => (&settings.imap, HelperOp::ImapCheck),
        MailServerKind::Smtp => (&settings.smtp, HelperOp::SmtpCheck),
    };
    HelperCall {
        op,
        args: server_args(server, password, trust),
    }
}

/// A server's `CheckArgs` (also the `smtp` and `imap` of `send` and
/// `sentLookup`).
pub(crate) fn server_args(server: &Server, password: &str, trust: &Trust) -> serde_json::Value {
    let args = CheckArgs {
        host: &server.host,
        port: server.port,
        security: server.security,
        username: &server.username,
        password,
        pinned_spki: match trust {
            Trust::Pinned(pin) => Some(pin.as_str()),
            _ => None,
        },
        trust_any_certificate: *trust == Trust::Any,
    };
    // Plain strings, numbers and booleans: serialising cannot fail.
    serde_json::to_value(args).unwrap_or_default()
}
