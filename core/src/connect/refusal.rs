//! What the worker finds before any machine runs — an inbox it doesn't
//! know, a flow already running, no sign-in set up — in the core's words,
//! so that every sentence the user reads comes from the core.

use serde::{Deserialize, Serialize};

use super::{ErrorCode, FlowError};
use crate::detect::ConnectionKind;

/// Something the worker refuses to do, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Refusal {
    /// No stored inbox has this address.
    UnknownAccount { address: String },
    /// A connect flow for this address is already running.
    Busy { address: String },
    /// A password inbox has no sign-in window to reopen.
    PasswordNeeded {
        address: String,
        connect: ConnectionKind,
    },
    /// Only a connected inbox can be checked.
    NothingToCheck { address: String },
    /// This build has no app registration for the kind.
    NoSignInSetUp {
        address: String,
        connect: ConnectionKind,
    },
    /// The inbox holds no tokens.
    NoTokens { address: String },
    /// The user cancelled while a request was under way.
    Cancelled { address: String },
    /// An answer came for an Exchange discovery that is no longer running.
    NoDiscovery { address: String },
    /// An answer came that the Exchange discovery wasn't waiting for.
    UnexpectedAnswer { address: String },
    /// The user refused the browser's permission for the Exchange server's
    /// host (`origins`: the match patterns asked for).
    PermissionRefused {
        address: String,
        origins: Vec<String>,
    },
}

impl Refusal {
    /// The stable code (the serde `kind`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::UnknownAccount { .. } => ErrorCode::UnknownAccount,
            Refusal::Busy { .. } => ErrorCode::Busy,
            Refusal::PasswordNeeded { .. } => ErrorCode::PasswordNeeded,
            Refusal::NothingToCheck { .. } => ErrorCode::NotConnected,
            Refusal::NoSignInSetUp { .. } => ErrorCode::ClientNotConfigured,
            Refusal::NoTokens { .. } => ErrorCode::NoTokens,
            Refusal::Cancelled { .. } => ErrorCode::Cancelled,
            Refusal::NoDiscovery { .. } => ErrorCode::NoDiscovery,
            Refusal::UnexpectedAnswer { .. } => ErrorCode::UnexpectedAnswer,
            Refusal::PermissionRefused { .. } => ErrorCode::PermissionRefused,
        }
    }

    /// The sentence for the user.
    pub fn message(&self) -> String {
        match self {
            Refusal::UnknownAccount { address } => format!("{address} is not connected to Inlay."),
            Refusal::Busy { address } => format!("{address} is already being connected."),
            Refusal::PasswordNeeded { address, connect } => format!(
                "To reconnect {address}, type its password again in the {} form.",
                connect.short_name()
            ),
            Refusal::NothingToCheck { address } => {
                format!("{address} isn't connected, so there is nothing to check.")
            }
            Refusal::NoSignInSetUp { address, connect } => format!(
                "Inlay has no {} sign-in set up, so it can't check {address}.",
                connect.short_name()
            ),
            Refusal::NoTokens { address } => {
                format!("{address} has no saved sign-in. Reconnect it.")
            }
            Refusal::Cancelled { .. } => "Cancelled.".into(),
            Refusal::NoDiscovery { .. } => {
                "Inlay is no longer looking for this Exchange server. Start again with Connect."
                    .into()
            }
            Refusal::UnexpectedAnswer { .. } => {
                "Inlay wasn't waiting for that answer. Start again with Connect.".into()
            }
            Refusal::PermissionRefused { origins, .. } => format!(
                "Inlay can't reach your Exchange server without your permission to contact {}. \
                 Click Connect to be asked again.",
                hosts_of(origins).join(", ")
            ),
        }
    }
}

/// Match patterns as people read them: `https://mail.example.com/*` is
/// `mail.example.com`, each host once (http and https may both be asked).
fn hosts_of(patterns: &[String]) -> Vec<&str> {
    let mut hosts: Vec<&str> = Vec::new();
    for pattern in patterns {
        let rest = pattern
            .split_once("://")
            .map_or(pattern.as_str(), |(_, r)| r);
        let host = rest.strip_suffix("/*").unwrap_or(rest);
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
}

impl From<Refusal> for FlowError {
    fn from(refusal: Refusal) -> Self {
        FlowError::new(refusal.code(), refusal.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_cross_as_code_and_sentence() {
        let e = FlowError::from(Refusal::PasswordNeeded {
            address: "ada@corp.example".into(),
            connect: ConnectionKind::Imap,
        });
        assert_eq!(e.code, "passwordNeeded");
        assert_eq!(
            e.message,
            "To reconnect ada@corp.example, type its password again in the IMAP form."
        );
        let busy: Refusal =
            serde_json::from_value(serde_json::json!({"kind": "busy", "address": "a@b.example"}))
                .unwrap();
        assert_eq!(
            FlowError::from(busy).message,
            "a@b.example is already being connected."
        );
        let cancelled: Refusal = serde_json::from_value(
            serde_json::json!({"kind": "cancelled", "address": "a@b.example"}),
        )
        .unwrap();
        assert_eq!(
            FlowError::from(cancelled),
            FlowError::new("cancelled", "Cancelled.")
        );
        let stale = FlowError::from(Refusal::NoDiscovery {
            address: "a@b.example".into(),
        });
        assert_eq!(stale.code, "noDiscovery");
        assert!(stale.message.contains("Start again with Connect."));
        let unexpected: Refusal = serde_json::from_value(
            serde_json::json!({"kind": "unexpectedAnswer", "address": "a@b.example"}),
        )
        .unwrap();
        assert_eq!(FlowError::from(unexpected).code, "unexpectedAnswer");
        let refused = FlowError::from(Refusal::PermissionRefused {
            address: "a@corp.example".into(),
            origins: vec![
                "https://mail.corp.example/*".into(),
                "http://mail.corp.example/*".into(),
                "https://owa.corp.example/*".into(),
            ],
        });
        assert_eq!(refused.code, "permissionRefused");
        assert_eq!(
            refused.message,
            "Inlay can't reach your Exchange server without your permission to contact \
             mail.corp.example, owa.corp.example. Click Connect to be asked again."
        );
    }
}
