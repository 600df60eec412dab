//! The per-account connection state machine.
//!
//! ```text
//! NotConnected/Disconnected ─StartDetect→ Detecting ─DetectionDone→ AwaitingConsent
//!   ─UserContinued→ Authorizing ─TokensReceived→ Verifying ─Verified→ Connected
//! Connected ─TokenRejected→ NeedsReauthentication
//! Connected/NeedsReauthentication ─AuthorizationStarted→ Authorizing → … → Connected
//! in progress ─Cancelled/Failed→ the stable state it started from
//! anything but NotConnected/Disconnected ─Disconnect→ Disconnected
//! ```
//!
//! [`transition`] is pure: it returns the next state or refuses the event.
//! In-progress states carry the stable state they started from, so a
//! cancel or failure restores it exactly, leaving nothing half-made.

use serde::{Deserialize, Serialize};

use crate::detect::ConnectionKind;

/// Where one account's connection stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ConnectionState {
    /// Nothing connected yet.
    NotConnected,
    /// Finding out which kind of account the address needs.
    Detecting {
        address: String,
        previous: Box<ConnectionState>,
    },
    /// The user is reading the disclosure of what Inlay will access.
    AwaitingConsent {
        address: String,
        connect: ConnectionKind,
        previous: Box<ConnectionState>,
    },
    /// The provider's sign-in (or the credential form) is open.
    Authorizing {
        address: String,
        connect: ConnectionKind,
        started_at_ms: u64,
        previous: Box<ConnectionState>,
    },
    /// Tokens received; checking the account is the one entered.
    Verifying {
        address: String,
        connect: ConnectionKind,
        previous: Box<ConnectionState>,
    },
    /// Working.
    Connected {
        address: String,
        connect: ConnectionKind,
        aliases: Vec<String>,
        connected_at_ms: u64,
    },
    /// Was connected; the provider rejected the tokens.
    NeedsReauthentication {
        address: String,
        connect: ConnectionKind,
        aliases: Vec<String>,
        connected_at_ms: u64,
        code: String,
        reason: String,
    },
    /// The user disconnected it.
    Disconnected {
        address: String,
        disconnected_at_ms: u64,
    },
}

impl ConnectionState {
    /// The state's name (the serde `kind`).
    pub fn name(&self) -> &'static str {
        match self {
            ConnectionState::NotConnected => "notConnected",
            ConnectionState::Detecting { .. } => "detecting",
            ConnectionState::AwaitingConsent { .. } => "awaitingConsent",
            ConnectionState::Authorizing { .. } => "authorizing",
            ConnectionState::Verifying { .. } => "verifying",
            ConnectionState::Connected { .. } => "connected",
            ConnectionState::NeedsReauthentication { .. } => "needsReauthentication",
            ConnectionState::Disconnected { .. } => "disconnected",
        }
    }

    /// Not in the middle of a flow (what a cancel returns to).
    pub fn is_stable(&self) -> bool {
        matches!(
            self,
            ConnectionState::NotConnected
                | ConnectionState::Connected { .. }
                | ConnectionState::NeedsReauthentication { .. }
                | ConnectionState::Disconnected { .. }
        )
    }

    /// The account's address, if the state has one.
    pub fn address(&self) -> Option<&str> {
        match self {
            ConnectionState::NotConnected => None,
            ConnectionState::Detecting { address, .. }
            | ConnectionState::AwaitingConsent { address, .. }
            | ConnectionState::Authorizing { address, .. }
            | ConnectionState::Verifying { address, .. }
            | ConnectionState::Connected { address, .. }
            | ConnectionState::NeedsReauthentication { address, .. }
            | ConnectionState::Disconnected { address, .. } => Some(address),
        }
    }

    /// The stable state an in-progress state started from.
    fn previous(&self) -> Option<&ConnectionState> {
        match self {
            ConnectionState::Detecting { previous, .. }
            | ConnectionState::AwaitingConsent { previous, .. }
            | ConnectionState::Authorizing { previous, .. }
            | ConnectionState::Verifying { previous, .. } => Some(previous),
            _ => None,
        }
    }

    /// The inbox holds credentials (tokens or a password) and no flow is
    /// under way: connected, or waiting for the user to sign in again. Such
    /// an inbox counts as connected for the registry, keeps its automation
    /// switch across a reconnect, and can be marked as needing the user.
    pub fn holds_credentials(&self) -> bool {
        matches!(
            self,
            ConnectionState::Connected { .. } | ConnectionState::NeedsReauthentication { .. }
        )
    }

    /// Tokens (or a password) exist for this account: it holds credentials,
    /// or it did before this flow.
    pub(crate) fn holds_tokens(&self) -> bool {
        self.holds_credentials() || self.previous().is_some_and(ConnectionState::holds_tokens)
    }
}

/// What an inbox found mid-flow when the shell starts returns to. A flow
/// lives in the shell's memory only, so after a restart none is running: an
/// in-progress state goes back to the stable state it started from, as a
/// cancel would. `None` for a stable state: nothing to restore.
pub fn after_interruption(state: &ConnectionState) -> Option<ConnectionState> {
    if state.is_stable() {
        return None;
    }
    state.previous().cloned()
}

/// Which of several stored records of one mailbox survives when they merge
/// into one (the shell once stored `a.da@gmail.com` and `ada@gmail.com`
/// apart): the one holding credentials, connected before needing
/// reauthentication, because its secret keeps the inbox working; then the
/// most recent (connected or disconnected last), because older tokens may
/// have been superseded. An in-progress record counts as the state it
/// started from; the first wins a tie. `None` for an empty list.
pub fn surviving_record(states: &[ConnectionState]) -> Option<usize> {
    let rank = |state: &ConnectionState| {
        let settled = state.previous().unwrap_or(state);
        match settled {
            ConnectionState::Connected {
                connected_at_ms, ..
            } => (2, *connected_at_ms),
            ConnectionState::NeedsReauthentication {
                connected_at_ms, ..
            } => (1, *connected_at_ms),
            ConnectionState::Disconnected {
                disconnected_at_ms, ..
            } => (0, *disconnected_at_ms),
            _ => (0, 0),
        }
    };
    // max_by_key keeps the last of equals: reversed, that is the first.
    states
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|(_, state)| rank(state))
        .map(|(index, _)| index)
}

/// Something that happened to the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "AccountEvent"))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// The user entered an address and pressed Connect.
    StartDetect { address: String },
    /// Detection (or the user's manual choice) settled the account kind.
    DetectionDone { connect: ConnectionKind },
    /// The user accepted the disclosure.
    UserContinued,
    /// Re-authorization of a connected account started (reconnect, or
    /// adding permissions).
    AuthorizationStarted,
    /// The sign-in produced tokens.
    TokensReceived,
    /// The account matched the address; these are its send-as aliases.
    Verified { aliases: Vec<String> },
    /// A step failed; the flow returns to where it started.
    Failed { code: String, message: String },
    /// The user cancelled.
    Cancelled,
    /// The provider rejected the tokens (refresh failed, grant revoked).
    TokenRejected { code: String, reason: String },
    /// The user disconnected the account.
    Disconnect,
}

impl Event {
    /// The event's name (the serde `kind`).
    pub fn name(&self) -> &'static str {
        match self {
            Event::StartDetect { .. } => "startDetect",
            Event::DetectionDone { .. } => "detectionDone",
            Event::UserContinued => "userContinued",
            Event::AuthorizationStarted => "authorizationStarted",
            Event::TokensReceived => "tokensReceived",
            Event::Verified { .. } => "verified",
            Event::Failed { .. } => "failed",
            Event::Cancelled => "cancelled",
            Event::TokenRejected { .. } => "tokenRejected",
            Event::Disconnect => "disconnect",
        }
    }
}

/// An event that can't happen in the current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidTransition {
    /// The state's name.
    pub from: String,
    /// The event's name.
    pub event: String,
    /// A sentence for the user.
    pub message: String,
}

/// The next state, or why the event is refused.
pub fn transition(
    state: &ConnectionState,
    event: &Event,
    now_ms: u64,
) -> Result<ConnectionState, InvalidTransition> {
    use ConnectionState as S;
    let keep = |s: &ConnectionState| Box::new(s.clone());
    let next = match (state, event) {
        (S::NotConnected | S::Disconnected { .. }, Event::StartDetect { address }) => {
            S::Detecting {
                address: address.trim().to_string(),
                previous: keep(state),
            }
        }
        (S::Detecting { address, previous }, Event::DetectionDone { connect }) => {
            S::AwaitingConsent {
                address: address.clone(),
                connect: *connect,
                previous: previous.clone(),
            }
        }
        (
            S::AwaitingConsent {
                address,
                connect,
                previous,
            },
            Event::UserContinued,
        ) => S::Authorizing {
            address: address.clone(),
            connect: *connect,
            started_at_ms: now_ms,
            previous: previous.clone(),
        },
        (
            S::Connected {
                address, connect, ..
            }
            | S::NeedsReauthentication {
                address, connect, ..
            },
            Event::AuthorizationStarted,
        ) => S::Authorizing {
            address: address.clone(),
            connect: *connect,
            started_at_ms: now_ms,
            previous: keep(state),
        },
        (
            S::Authorizing {
                address,
                connect,
                previous,
                ..
            },
            Event::TokensReceived,
        ) => S::Verifying {
            address: address.clone(),
            connect: *connect,
            previous: previous.clone(),
        },
        (
            S::Verifying {
                address,
                connect,
                previous,
            },
            Event::Verified { aliases },
        ) => {
            // A re-authorization keeps the original connection date.
            let connected_at_ms = match previous.as_ref() {
                S::Connected {
                    connected_at_ms, ..
                }
                | S::NeedsReauthentication {
                    connected_at_ms, ..
                } => *connected_at_ms,
                _ => now_ms,
            };
            S::Connected {
                address: address.clone(),
                connect: *connect,
                aliases: aliases.clone(),
                connected_at_ms,
            }
        }
        (
            S::Detecting { previous, .. }
            | S::AwaitingConsent { previous, .. }
            | S::Authorizing { previous, .. }
            | S::Verifying { previous, .. },
            Event::Failed { .. } | Event::Cancelled,
        ) => previous.as_ref().clone(),
        (
            S::Connected {
                address,
                connect,
                aliases,
                connected_at_ms,
            }
            | S::NeedsReauthentication {
                address,
                connect,
                aliases,
                connected_at_ms,
                ..
            },
            Event::TokenRejected { code, reason },
        ) => S::NeedsReauthentication {
            address: address.clone(),
            connect: *connect,
            aliases: aliases.clone(),
            connected_at_ms: *connected_at_ms,
            code: code.clone(),
            reason: reason.clone(),
        },
        // The old tokens failed while the user is re-authorizing: record it
        // in the state the flow would return to, and carry on.
        (S::Authorizing { .. } | S::Verifying { .. }, Event::TokenRejected { .. })
            if state.holds_tokens() =>
        {
            let previous = state
                .previous()
                .expect("in-progress states have a previous state");
            let rejected = transition(previous, event, now_ms)?;
            let mut next = state.clone();
            if let S::Authorizing { previous, .. } | S::Verifying { previous, .. } = &mut next {
                **previous = rejected;
            }
            next
        }
        (S::NotConnected | S::Disconnected { .. }, Event::Disconnect) => {
            return Err(invalid(state, event));
        }
        (_, Event::Disconnect) => S::Disconnected {
            address: state.address().unwrap_or_default().to_string(),
            disconnected_at_ms: now_ms,
        },
        _ => return Err(invalid(state, event)),
    };
    Ok(next)
}

fn invalid(state: &ConnectionState, event: &Event) -> InvalidTransition {
    InvalidTransition {
        from: state.name().into(),
        event: event.name().into(),
        message: format!(
            "That step isn't possible right now (\"{}\" while \"{}\"). Close this window and start again.",
            event.name(),
            state.name()
        ),
    }
}
