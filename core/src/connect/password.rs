//! Admission for the password-based kinds (Exchange over EWS, IMAP/SMTP).
//!
//! There is no sign-in window: the shell checks the password against the
//! server itself (EWS `GetFolder`, the bridge's `imapCheck`/`smtpCheck`).
//! Before it sends the password anywhere, the same rules as the OAuth flow
//! apply (seat, allowed kinds, team inboxes, already connected, reconnecting
//! the right inbox), and the account moves to `verifying`. The shell then ends
//! it with the `verified` or `failed` transition.

use serde::{Deserialize, Serialize};

use super::flow::{admit, authorizing};
use super::{ConnectMode, FlowError};
use crate::accounts::{AccountRegistry, ConnectPolicy, ConnectionState, Event, transition};
use crate::detect::{ConnectionKind, parse_address};

/// What `password_start` needs: [`super::ConnectInput`] without the OAuth parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordConnect {
    pub address: String,
    /// The kind of account (Exchange or IMAP).
    pub connect: ConnectionKind,
    pub policy: ConnectPolicy,
    #[serde(default)]
    pub registry: AccountRegistry,
    /// The inbox's state before; a connected one (or one needing the user)
    /// gets its password replaced, anything else connects anew.
    #[serde(default = "not_connected")]
    pub previous_state: ConnectionState,
}

fn not_connected() -> ConnectionState {
    ConnectionState::NotConnected
}

/// Checks the rules and returns the account's `verifying` state. A refusal
/// changes nothing: the account stays in `previous_state`.
pub fn password_start(input: &PasswordConnect, now_ms: u64) -> Result<ConnectionState, FlowError> {
    let address = input.address.trim();
    parse_address(address)?;
    if !matches!(
        input.connect,
        ConnectionKind::Exchange | ConnectionKind::Imap
    ) {
        return Err(FlowError::new(
            "signInRequired",
            format!(
                "{} accounts connect through the provider's sign-in page, not with a password.",
                input.connect.display_name()
            ),
        ));
    }
    // Typing the password again for an inbox that holds one is reconnecting it.
    let reconnect = input.previous_state.holds_tokens();
    let address = admit(
        address,
        input.connect,
        reconnect,
        &input.previous_state,
        &input.registry,
        &input.policy,
    )?;
    let mode = if reconnect {
        ConnectMode::Reconnect
    } else {
        ConnectMode::Connect
    };
    let state = authorizing(&input.previous_state, &address, input.connect, mode, now_ms)?;
    // The password stands in for the tokens a sign-in would have produced.
    Ok(transition(&state, &Event::TokensReceived, now_ms)?)
}

/// The username a password inbox signs in with: what the user typed in
/// Advanced options, else the address itself (the usual case for Exchange
/// and most IMAP hosts). Blank or whitespace counts as not typed.
pub fn sign_in_name(username: Option<&str>, address: &str) -> String {
    match username.map(str::trim) {
        Some(typed) if !typed.is_empty() => typed.to_owned(),
        _ => address.trim().to_owned(),
    }
}

/// What a password inbox's check says when Inlay no longer holds the password
/// (only something outside Inlay removes it).
pub const NO_PASSWORD: &str =
    "Inlay no longer has this inbox's password. Disconnect it, then connect it again.";

/// The sentence for a password connect the user cancelled: nothing was saved.
pub fn cancelled_connect(address: &str) -> String {
    format!(
        "You cancelled connecting {}. Nothing was changed.",
        address.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Seat;

    fn input(connect: ConnectionKind) -> PasswordConnect {
        PasswordConnect {
            address: "ann@contoso.example".into(),
            connect,
            policy: ConnectPolicy {
                seat: Seat::Full,
                allowed_kinds: None,
            },
            registry: AccountRegistry::default(),
            previous_state: ConnectionState::NotConnected,
        }
    }

    fn connected(address: &str, connect: ConnectionKind) -> ConnectionState {
        ConnectionState::Connected {
            address: address.into(),
            connect,
            aliases: vec![],
            connected_at_ms: 1,
        }
    }

    #[test]
    fn a_new_inbox_goes_to_verifying_then_connected() {
        for kind in [ConnectionKind::Exchange, ConnectionKind::Imap] {
            let state = password_start(&input(kind), 5).unwrap();
            assert!(
                matches!(&state, ConnectionState::Verifying { address, connect, .. } if address == "ann@contoso.example" && *connect == kind),
                "{state:?}"
            );
            let done = transition(&state, &Event::Verified { aliases: vec![] }, 9).unwrap();
            assert_eq!(
                done,
                ConnectionState::Connected {
                    address: "ann@contoso.example".into(),
                    connect: kind,
                    aliases: vec![],
                    connected_at_ms: 9,
                }
            );
        }
    }

    #[test]
    fn a_failed_check_returns_to_where_it_started() {
        let state = password_start(&input(ConnectionKind::Imap), 5).unwrap();
        let back = transition(
            &state,
            &Event::Failed {
                code: "wrongPassword".into(),
                message: "no".into(),
            },
            6,
        )
        .unwrap();
        assert_eq!(back, ConnectionState::NotConnected);
    }

    #[test]
    fn oauth_kinds_are_refused() {
        for kind in [ConnectionKind::Google, ConnectionKind::Microsoft] {
            assert_eq!(
                password_start(&input(kind), 5).unwrap_err().code,
                "signInRequired"
            );
        }
    }

    #[test]
    fn the_same_rules_as_sign_in_apply() {
        let mut view_only = input(ConnectionKind::Exchange);
        view_only.policy.seat = Seat::ViewOnly;
        assert_eq!(
            password_start(&view_only, 5).unwrap_err().code,
            "viewOnlySeat"
        );

        let mut not_allowed = input(ConnectionKind::Imap);
        not_allowed.policy.allowed_kinds = Some(vec![ConnectionKind::Google]);
        let e = password_start(&not_allowed, 5).unwrap_err();
        assert_eq!(e.code, "kindNotAllowed");
        assert!(e.message.contains("IMAP"), "{}", e.message);

        let mut twice = input(ConnectionKind::Imap);
        twice.registry.personal_inboxes = vec!["Ann@Contoso.example".into()];
        assert_eq!(
            password_start(&twice, 5).unwrap_err().code,
            "alreadyConnected"
        );

        let mut team = input(ConnectionKind::Exchange);
        team.registry.team_inboxes = vec!["ann@contoso.example".into()];
        assert_eq!(password_start(&team, 5).unwrap_err().code, "isTeamInbox");

        let mut bad = input(ConnectionKind::Imap);
        bad.address = "ann".into();
        assert_eq!(password_start(&bad, 5).unwrap_err().code, "missingAt");
    }

    #[test]
    fn reconnect_replaces_the_password_of_the_same_inbox_only() {
        let mut again = input(ConnectionKind::Exchange);
        again.previous_state = connected("ann@contoso.example", ConnectionKind::Exchange);
        again.registry.personal_inboxes = vec!["ann@contoso.example".into()];
        let state = password_start(&again, 5).unwrap();
        assert!(
            matches!(state, ConnectionState::Verifying { .. }),
            "{state:?}"
        );
        // A failure goes back to connected (the old password stays).
        let back = transition(
            &state,
            &Event::Failed {
                code: "x".into(),
                message: "y".into(),
            },
            6,
        )
        .unwrap();
        assert!(
            matches!(back, ConnectionState::Connected { .. }),
            "{back:?}"
        );

        let mut other = again.clone();
        other.previous_state = connected("bob@contoso.example", ConnectionKind::Exchange);
        assert_eq!(
            password_start(&other, 5).unwrap_err().code,
            "addressMismatch"
        );

        let mut kind = again.clone();
        kind.connect = ConnectionKind::Imap;
        kind.previous_state = connected("ann@contoso.example", ConnectionKind::Exchange);
        assert_eq!(
            password_start(&kind, 5).unwrap_err().code,
            "providerMismatch"
        );

        // Without a connected record the address is a new connection, which
        // the registry still refuses while another record holds it.
        let mut never = again.clone();
        never.previous_state = ConnectionState::NotConnected;
        assert_eq!(
            password_start(&never, 5).unwrap_err().code,
            "alreadyConnected"
        );

        // A disconnected inbox (no longer in the registry) connects anew.
        let mut gone = again;
        gone.registry.personal_inboxes.clear();
        gone.previous_state = ConnectionState::Disconnected {
            address: "ann@contoso.example".into(),
            disconnected_at_ms: 1,
        };
        assert!(matches!(
            password_start(&gone, 5).unwrap(),
            ConnectionState::Verifying { .. }
        ));
    }

    #[test]
    fn the_username_defaults_to_the_address() {
        let address = " ann@contoso.example ";
        assert_eq!(sign_in_name(None, address), "ann@contoso.example");
        assert_eq!(sign_in_name(Some("  "), address), "ann@contoso.example");
        assert_eq!(
            sign_in_name(Some(" CONTOSO\\ann "), address),
            "CONTOSO\\ann"
        );
    }

    #[test]
    fn a_cancelled_connect_says_nothing_changed() {
        assert_eq!(
            cancelled_connect(" ann@contoso.example "),
            "You cancelled connecting ann@contoso.example. Nothing was changed."
        );
        assert!(NO_PASSWORD.contains("Disconnect it, then connect it again"));
    }
}
