//! What the worker finds before any machine runs — an inbox it doesn't
//! know, a flow already running, no sign-in set up — in the core's words,
//! so that every sentence the user reads comes from the core.

use serde::{Deserialize, Serialize};

use super::FlowError;
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
}

impl Refusal {
    /// The stable code (the serde `kind`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownAccount { .. } => "unknownAccount",
            Refusal::Busy { .. } => "busy",
            Refusal::PasswordNeeded { .. } => "passwordNeeded",
            Refusal::NothingToCheck { .. } => "notConnected",
            Refusal::NoSignInSetUp { .. } => "clientNotConfigured",
            Refusal::NoTokens { .. } => "noTokens",
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
        }
    }
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
    }
}
