//! Connection state machine (exhaustively) and the address registry rules.

use inlay_core::accounts::*;
use inlay_core::detect::ConnectionKind;

const ADDR: &str = "ada@example.com";
const T1: u64 = 1_000;
const T2: u64 = 2_000;
const NOW: u64 = 9_000;

fn connected() -> ConnectionState {
    ConnectionState::Connected {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        aliases: vec!["sales@example.com".into()],
        connected_at_ms: T1,
    }
}

fn needs_reauth() -> ConnectionState {
    ConnectionState::NeedsReauthentication {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        aliases: vec![],
        connected_at_ms: T1,
        code: "tokenRevoked".into(),
        reason: "Google ended Inlay's access.".into(),
    }
}

fn disconnected() -> ConnectionState {
    ConnectionState::Disconnected {
        address: ADDR.into(),
        disconnected_at_ms: T1,
    }
}

fn detecting() -> ConnectionState {
    ConnectionState::Detecting {
        address: ADDR.into(),
        previous: Box::new(ConnectionState::NotConnected),
    }
}

fn awaiting() -> ConnectionState {
    ConnectionState::AwaitingConsent {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        previous: Box::new(ConnectionState::NotConnected),
    }
}

fn authorizing(previous: ConnectionState) -> ConnectionState {
    ConnectionState::Authorizing {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        started_at_ms: T2,
        previous: Box::new(previous),
    }
}

fn verifying(previous: ConnectionState) -> ConnectionState {
    ConnectionState::Verifying {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        previous: Box::new(previous),
    }
}

fn events() -> Vec<Event> {
    vec![
        Event::StartDetect {
            address: ADDR.into(),
        },
        Event::DetectionDone {
            connect: ConnectionKind::Microsoft,
        },
        Event::UserContinued,
        Event::AuthorizationStarted,
        Event::TokensReceived,
        Event::Verified {
            aliases: vec!["a@example.com".into()],
        },
        Event::Failed {
            code: "wrongAccount".into(),
            message: "m".into(),
        },
        Event::Cancelled,
        Event::TokenRejected {
            code: "tokenRevoked".into(),
            reason: "r".into(),
        },
        Event::Disconnect,
    ]
}

fn states() -> Vec<(&'static str, ConnectionState)> {
    vec![
        ("notConnected", ConnectionState::NotConnected),
        ("detecting", detecting()),
        ("awaitingConsent", awaiting()),
        (
            "authorizing(new)",
            authorizing(ConnectionState::NotConnected),
        ),
        ("authorizing(reauth)", authorizing(needs_reauth())),
        ("verifying(new)", verifying(ConnectionState::NotConnected)),
        ("verifying(reauth)", verifying(connected())),
        ("connected", connected()),
        ("needsReauthentication", needs_reauth()),
        ("disconnected", disconnected()),
    ]
}

/// Expected next state name for each (state, event), or "-" when refused.
/// Columns: startDetect, detectionDone, userContinued, authorizationStarted,
/// tokensReceived, verified, failed, cancelled, tokenRejected, disconnect.
#[rustfmt::skip]
const TABLE: &[(&str, [&str; 10])] = &[
    ("notConnected", ["detecting", "-", "-", "-", "-", "-", "-", "-", "-", "-"]),
    ("detecting", ["-", "awaitingConsent", "-", "-", "-", "-", "notConnected", "notConnected", "-", "disconnected"]),
    ("awaitingConsent", ["-", "-", "authorizing", "-", "-", "-", "notConnected", "notConnected", "-", "disconnected"]),
    ("authorizing(new)", ["-", "-", "-", "-", "verifying", "-", "notConnected", "notConnected", "-", "disconnected"]),
    ("authorizing(reauth)", ["-", "-", "-", "-", "verifying", "-", "needsReauthentication", "needsReauthentication", "authorizing", "disconnected"]),
    ("verifying(new)", ["-", "-", "-", "-", "-", "connected", "notConnected", "notConnected", "-", "disconnected"]),
    ("verifying(reauth)", ["-", "-", "-", "-", "-", "connected", "connected", "connected", "verifying", "disconnected"]),
    ("connected", ["-", "-", "-", "authorizing", "-", "-", "-", "-", "needsReauthentication", "disconnected"]),
    ("needsReauthentication", ["-", "-", "-", "authorizing", "-", "-", "-", "-", "needsReauthentication", "disconnected"]),
    ("disconnected", ["detecting", "-", "-", "-", "-", "-", "-", "-", "-", "-"]),
];

#[test]
fn every_state_event_pair() {
    let events = events();
    let states = states();
    assert_eq!(TABLE.len(), states.len());
    let mut checked = 0;
    for ((label, state), (table_label, row)) in states.iter().zip(TABLE) {
        assert_eq!(label, table_label);
        for (event, want) in events.iter().zip(row.iter()) {
            let got = transition(state, event, NOW);
            match (&got, *want) {
                (Err(e), "-") => {
                    assert_eq!(e.from, state.name());
                    assert_eq!(e.event, event.name());
                    assert!(e.message.contains("isn't possible"), "{}", e.message);
                }
                (Ok(next), name) if name != "-" => {
                    assert_eq!(next.name(), name, "{label} + {}", event.name())
                }
                _ => panic!("{label} + {}: got {got:?}, wanted {want}", event.name()),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 100);
}

#[test]
fn first_connection_happy_path() {
    let steps = [
        Event::StartDetect {
            address: "  ada@example.com ".into(),
        },
        Event::DetectionDone {
            connect: ConnectionKind::Microsoft,
        },
        Event::UserContinued,
        Event::TokensReceived,
        Event::Verified {
            aliases: vec!["sales@example.com".into()],
        },
    ];
    let mut s = ConnectionState::NotConnected;
    for (i, e) in steps.iter().enumerate() {
        s = transition(&s, e, NOW + i as u64).unwrap();
    }
    assert_eq!(
        s,
        ConnectionState::Connected {
            address: ADDR.into(),
            connect: ConnectionKind::Microsoft,
            aliases: vec!["sales@example.com".into()],
            connected_at_ms: NOW + 4,
        }
    );
}

#[test]
fn authorizing_records_when_it_started() {
    let s = transition(&awaiting(), &Event::UserContinued, 77).unwrap();
    assert!(matches!(
        s,
        ConnectionState::Authorizing {
            started_at_ms: 77,
            ..
        }
    ));
}

#[test]
fn reauthentication_keeps_the_original_connection_date() {
    let mut s = transition(
        &connected(),
        &Event::TokenRejected {
            code: "tokenRevoked".into(),
            reason: "gone".into(),
        },
        NOW,
    )
    .unwrap();
    assert!(
        matches!(&s, ConnectionState::NeedsReauthentication { reason, aliases, .. } if reason == "gone" && aliases.len() == 1)
    );
    for e in [
        Event::AuthorizationStarted,
        Event::TokensReceived,
        Event::Verified { aliases: vec![] },
    ] {
        s = transition(&s, &e, NOW).unwrap();
    }
    assert!(
        matches!(
            s,
            ConnectionState::Connected {
                connected_at_ms: T1,
                ..
            }
        ),
        "{s:?}"
    );
}

#[test]
fn cancel_and_failure_restore_the_exact_previous_state() {
    let previous_states = [
        ConnectionState::NotConnected,
        disconnected(),
        connected(),
        needs_reauth(),
    ];
    for previous in previous_states {
        let in_progress = match &previous {
            ConnectionState::NotConnected | ConnectionState::Disconnected { .. } => vec![
                transition(
                    &previous,
                    &Event::StartDetect {
                        address: ADDR.into(),
                    },
                    NOW,
                )
                .unwrap(),
                ConnectionState::AwaitingConsent {
                    address: ADDR.into(),
                    connect: ConnectionKind::Imap,
                    previous: Box::new(previous.clone()),
                },
                authorizing(previous.clone()),
                verifying(previous.clone()),
            ],
            _ => {
                let a = transition(&previous, &Event::AuthorizationStarted, NOW).unwrap();
                let v = transition(&a, &Event::TokensReceived, NOW).unwrap();
                vec![a, v]
            }
        };
        for s in in_progress {
            assert!(!s.is_stable());
            for e in [
                Event::Cancelled,
                Event::Failed {
                    code: "x".into(),
                    message: "y".into(),
                },
            ] {
                let back = transition(&s, &e, NOW).unwrap();
                assert_eq!(back, previous, "{} + {}", s.name(), e.name());
                assert!(back.is_stable());
            }
        }
    }
}

#[test]
fn token_rejected_during_reauthorization_updates_the_fallback() {
    let s = transition(&connected(), &Event::AuthorizationStarted, NOW).unwrap();
    let s = transition(
        &s,
        &Event::TokenRejected {
            code: "tokenRevoked".into(),
            reason: "revoked".into(),
        },
        NOW,
    )
    .unwrap();
    assert_eq!(s.name(), "authorizing");
    // Cancelling now lands on NeedsReauthentication, not the stale Connected.
    let back = transition(&s, &Event::Cancelled, NOW).unwrap();
    assert!(
        matches!(&back, ConnectionState::NeedsReauthentication { reason, connected_at_ms: T1, .. } if reason == "revoked")
    );
}

#[test]
fn disconnect_and_reconnect() {
    let d = transition(&connected(), &Event::Disconnect, NOW).unwrap();
    assert_eq!(
        d,
        ConnectionState::Disconnected {
            address: ADDR.into(),
            disconnected_at_ms: NOW
        }
    );
    let again = transition(
        &d,
        &Event::StartDetect {
            address: ADDR.into(),
        },
        NOW,
    )
    .unwrap();
    let back = transition(&again, &Event::Cancelled, NOW).unwrap();
    assert_eq!(back, d);
    let mid = transition(&detecting(), &Event::Disconnect, NOW).unwrap();
    assert_eq!(mid.address(), Some(ADDR));
}

#[test]
fn state_serde_shape() {
    let v = serde_json::to_value(authorizing(connected())).unwrap();
    assert_eq!(v["kind"], "authorizing");
    assert_eq!(v["connect"], "google");
    assert_eq!(v["startedAtMs"], T2);
    assert_eq!(v["previous"]["kind"], "connected");
    assert_eq!(v["previous"]["connectedAtMs"], T1);
    let back: ConnectionState = serde_json::from_value(v).unwrap();
    assert_eq!(back, authorizing(connected()));
    let e: Event = serde_json::from_value(
        serde_json::json!({"kind": "tokenRejected", "code": "c", "reason": "r"}),
    )
    .unwrap();
    assert_eq!(e.name(), "tokenRejected");
    let e: Event =
        serde_json::from_value(serde_json::json!({"kind": "detectionDone", "connect": "exchange"}))
            .unwrap();
    assert_eq!(
        e,
        Event::DetectionDone {
            connect: ConnectionKind::Exchange
        }
    );
}

// ---------------------------------------------------------------- registry

fn policy(seat: Seat, allowed: Option<Vec<ConnectionKind>>) -> ConnectPolicy {
    ConnectPolicy {
        seat,
        allowed_kinds: allowed,
    }
}

fn registry() -> AccountRegistry {
    AccountRegistry {
        personal_inboxes: vec!["Ada.Lovelace@gmail.com".into(), "ada@example.com".into()],
        team_inboxes: vec!["Sales@Example.com".into()],
    }
}

fn code(r: Result<(), RegistryError>) -> String {
    let e = r.unwrap_err();
    assert!(e.message().len() > 15, "{e:?}");
    serde_json::to_value(&e).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn personal_inbox_rules() {
    let full = policy(Seat::Full, None);
    let r = registry();
    assert!(
        r.check_personal("bob@example.com", ConnectionKind::Google, &full)
            .is_ok()
    );
    assert_eq!(
        code(r.check_personal(
            "bob@example.com",
            ConnectionKind::Google,
            &policy(Seat::ViewOnly, None)
        )),
        "viewOnlySeat"
    );
    let only_ms = policy(Seat::Full, Some(vec![ConnectionKind::Microsoft]));
    assert_eq!(
        code(r.check_personal("bob@example.com", ConnectionKind::Imap, &only_ms)),
        "kindNotAllowed"
    );
    assert!(
        r.check_personal("bob@example.com", ConnectionKind::Microsoft, &only_ms)
            .is_ok()
    );
    assert_eq!(
        code(r.check_personal("sales@EXAMPLE.com", ConnectionKind::Google, &full)),
        "isTeamInbox"
    );
    assert_eq!(
        code(r.check_personal("ADA@example.com", ConnectionKind::Google, &full)),
        "alreadyConnected"
    );
    assert_eq!(
        code(r.check_personal("adalovelace@googlemail.com", ConnectionKind::Google, &full)),
        "alreadyConnected"
    );
    assert_eq!(
        code(r.check_personal("not an address", ConnectionKind::Google, &full)),
        "invalidAddress"
    );
    let e = r
        .check_personal("ADA@example.com", ConnectionKind::Google, &full)
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::AlreadyConnected { address, message } if address == "ada@example.com" && message.contains("already connected"))
    );
}

#[test]
fn team_inbox_rules() {
    let r = registry();
    assert!(r.check_team_inbox("support@example.com").is_ok());
    assert_eq!(
        code(r.check_team_inbox("Ada@Example.com")),
        "isPersonalInbox"
    );
    assert_eq!(
        code(r.check_team_inbox("sales@example.com")),
        "alreadyTeamInbox"
    );
    assert_eq!(code(r.check_team_inbox("@example.com")), "invalidAddress");
}
