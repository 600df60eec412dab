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

// ------------------------------------------------------ mailbox identity

#[test]
fn mailbox_id_is_the_rule_same_mailbox_compares_by() {
    use inlay_core::detect::{mailbox_id, same_mailbox};
    for (typed, id) in [
        ("a.da@gmail.com", "ada@gmail.com"),
        ("A.Da@GMAIL.com", "ada@gmail.com"),
        ("a.d.a@googlemail.com", "ada@gmail.com"),
        ("  Ada@Gmail.Com. ", "ada@gmail.com"),
        // Workspace and everyone else: dots matter; case does not.
        ("Ada.Lovelace@Example.com", "ada.lovelace@example.com"),
        // A tag is a different From address.
        ("ada+crm@gmail.com", "ada+crm@gmail.com"),
        ("ana@bücher.example", "ana@xn--bcher-kva.example"),
        // Not an address (an old record): trimmed and lower-cased, still an id.
        (" Not An Address ", "not an address"),
    ] {
        assert_eq!(mailbox_id(typed), id, "{typed}");
    }
    let pairs = [
        ("a.da@gmail.com", "ada@gmail.com"),
        ("ada@googlemail.com", "ADA@gmail.com"),
        ("ada.l@example.com", "adal@example.com"),
        ("ada+crm@gmail.com", "ada@gmail.com"),
        ("Junk", "junk"),
    ];
    for (a, b) in pairs {
        assert_eq!(
            same_mailbox(a, b),
            mailbox_id(a) == mailbox_id(b),
            "{a} / {b}"
        );
    }
}

#[test]
fn the_registry_finds_a_known_mailbox_by_its_id() {
    let policy = ConnectPolicy {
        seat: Seat::Full,
        allowed_kinds: None,
    };
    let registry = AccountRegistry {
        personal_inboxes: vec!["a.da@gmail.com".into()],
        team_inboxes: vec![],
    };
    let refused = registry
        .check_personal("ada@googlemail.com", ConnectionKind::Google, &policy)
        .unwrap_err();
    assert!(
        matches!(&refused, RegistryError::AlreadyConnected { address, .. } if address == "a.da@gmail.com"),
        "{refused:?}"
    );
}

// ------------------------------------------- interrupted and merged records

/// The shell's one reading of "this inbox holds its credentials" (the
/// registry, the automation switch kept on a reconnect, marking an inbox as
/// needing the user): connected or needing reauthentication, and no flow
/// under way, even one that started from such a state.
#[test]
fn only_a_settled_connected_inbox_holds_credentials() {
    for (name, state) in states() {
        let expected = matches!(name, "connected" | "needsReauthentication");
        assert_eq!(state.holds_credentials(), expected, "{name}");
    }
}

#[test]
fn an_interrupted_inbox_returns_to_where_its_flow_started() {
    for previous in [
        ConnectionState::NotConnected,
        connected(),
        needs_reauth(),
        disconnected(),
    ] {
        // A stable state has nothing to restore.
        assert_eq!(after_interruption(&previous), None, "{}", previous.name());
        let in_progress = match &previous {
            ConnectionState::Connected { .. } | ConnectionState::NeedsReauthentication { .. } => {
                let a = transition(&previous, &Event::AuthorizationStarted, NOW).unwrap();
                let v = transition(&a, &Event::TokensReceived, NOW).unwrap();
                vec![a, v]
            }
            _ => {
                let d = transition(
                    &previous,
                    &Event::StartDetect {
                        address: ADDR.into(),
                    },
                    NOW,
                )
                .unwrap();
                let c = transition(
                    &d,
                    &Event::DetectionDone {
                        connect: ConnectionKind::Google,
                    },
                    NOW,
                )
                .unwrap();
                let a = transition(&c, &Event::UserContinued, NOW).unwrap();
                let v = transition(&a, &Event::TokensReceived, NOW).unwrap();
                vec![d, c, a, v]
            }
        };
        for state in in_progress {
            assert_eq!(
                after_interruption(&state).as_ref(),
                Some(&previous),
                "{} from {}",
                state.name(),
                previous.name()
            );
        }
    }
}

fn connected_at(at: u64) -> ConnectionState {
    ConnectionState::Connected {
        address: ADDR.into(),
        connect: ConnectionKind::Google,
        aliases: vec![],
        connected_at_ms: at,
    }
}

fn disconnected_at(at: u64) -> ConnectionState {
    ConnectionState::Disconnected {
        address: ADDR.into(),
        disconnected_at_ms: at,
    }
}

#[test]
fn merged_records_keep_the_one_with_credentials_then_the_newest() {
    // Credentials beat recency: a newer disconnected record has no secret.
    assert_eq!(
        surviving_record(&[disconnected_at(T2), connected_at(T1)]),
        Some(1)
    );
    assert_eq!(
        surviving_record(&[needs_reauth(), connected_at(T1)]),
        Some(1)
    );
    assert_eq!(
        surviving_record(&[ConnectionState::NotConnected, needs_reauth()]),
        Some(1)
    );
    // Two connected: the most recently connected.
    assert_eq!(
        surviving_record(&[connected_at(T1), connected_at(T2)]),
        Some(1)
    );
    assert_eq!(
        surviving_record(&[connected_at(T2), connected_at(T1)]),
        Some(0)
    );
    // Two disconnected: the last disconnected.
    assert_eq!(
        surviving_record(&[disconnected_at(T1), disconnected_at(T2)]),
        Some(1)
    );
    // A record mid-flow counts as the state it started from.
    let reauthorizing = transition(&connected_at(T2), &Event::AuthorizationStarted, NOW).unwrap();
    assert_eq!(
        surviving_record(&[connected_at(T1), reauthorizing]),
        Some(1)
    );
    // A tie keeps the first; nothing to choose from, nothing chosen.
    assert_eq!(
        surviving_record(&[connected_at(T1), connected_at(T1)]),
        Some(0)
    );
    assert_eq!(surviving_record(&[]), None);
}
