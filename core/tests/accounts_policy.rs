//! The worker's settings: build config overridden by the admin's policy, and
//! what a badly shaped policy means (ignored key by key, said in words).

use inlay_core::accounts::{IgnoredSetting, Seat, Settings, read_settings};
use inlay_core::detect::ConnectionKind;
use serde_json::{Value, json};

fn read(build: Value, policy: Value) -> (Settings, Vec<IgnoredSetting>) {
    let reading = read_settings(&build, &policy);
    (reading.settings, reading.ignored)
}

/// The one ignored note for `key`, asserting there is exactly one.
fn only_note(ignored: &[IgnoredSetting], key: &str) -> String {
    let notes: Vec<_> = ignored.iter().filter(|i| i.key == key).collect();
    assert_eq!(notes.len(), 1, "{key}: {ignored:?}");
    notes[0].message.clone()
}

#[test]
fn without_policy_the_build_config_applies_with_a_full_seat_and_no_team_inboxes() {
    let (s, ignored) = read(
        json!({"googleClientId": "g", "googleClientSecret": "s"}),
        json!({}),
    );
    assert_eq!(
        s,
        Settings {
            google_client_id: Some("g".into()),
            google_client_secret: Some("s".into()),
            ..Settings::default()
        }
    );
    assert_eq!(s.seat, Seat::Full);
    assert!(
        s.team_inboxes.is_empty() && s.allowed_providers.is_none() && s.mail_settings.is_empty()
    );
    assert!(ignored.is_empty());
    // No policy at all (null) is no policy.
    assert!(read(json!({}), Value::Null).1.is_empty());
}

#[test]
fn admin_policy_wins_field_by_field() {
    let (s, ignored) = read(
        json!({"googleClientId": "build", "microsoftClientId": "ms-build"}),
        json!({"googleClientId": "policy", "seat": "viewOnly", "teamInboxes": ["team@x.com"], "allowedProviders": ["microsoft"]}),
    );
    assert_eq!(s.google_client_id.as_deref(), Some("policy"));
    assert_eq!(s.microsoft_client_id.as_deref(), Some("ms-build"));
    assert_eq!(s.seat, Seat::ViewOnly);
    assert_eq!(s.team_inboxes, ["team@x.com"]);
    assert_eq!(s.allowed_providers, Some(vec![ConnectionKind::Microsoft]));
    assert!(ignored.is_empty(), "{ignored:?}");
}

#[test]
fn a_seat_that_is_neither_full_nor_view_only_is_ignored() {
    let (s, ignored) = read(json!({}), json!({"seat": "admin"}));
    assert_eq!(s.seat, Seat::Full);
    let note = only_note(&ignored, "seat");
    assert!(
        note.contains("\"full\" or \"viewOnly\", not \"admin\""),
        "{note}"
    );
    assert!(note.contains("built-in setting"), "{note}");
    // Ignored means absent: the build's value applies.
    assert_eq!(
        read(json!({"seat": "viewOnly"}), json!({"seat": 1})).0.seat,
        Seat::ViewOnly
    );
}

#[test]
fn team_inboxes_that_are_not_a_list_of_text_are_ignored() {
    let (s, ignored) = read(json!({}), json!({"teamInboxes": "team@x.com"}));
    assert!(s.team_inboxes.is_empty());
    assert!(only_note(&ignored, "teamInboxes").contains("must be a list, not \"team@x.com\""));
    let (s, ignored) = read(json!({}), json!({"teamInboxes": ["team@x.com", 3]}));
    assert!(
        s.team_inboxes.is_empty(),
        "a list with a non-address is not the list meant"
    );
    assert!(only_note(&ignored, "teamInboxes").contains("entry 2 is the number 3"));
}

#[test]
fn a_team_inbox_that_is_not_an_address_is_dropped_and_named() {
    let (s, ignored) = read(
        json!({}),
        json!({"teamInboxes": ["team@x.com", "sales team", " Support@X.com "]}),
    );
    assert_eq!(s.team_inboxes, ["team@x.com", "Support@X.com"]);
    let note = only_note(&ignored, "teamInboxes");
    assert!(note.contains("entry 2 is not an address"), "{note}");
    assert!(
        note.contains("contains a space"),
        "the address rule's own words: {note}"
    );
    assert!(note.contains("The rest of it applies"), "{note}");
}

#[test]
fn allowed_providers_with_a_non_text_entry_are_ignored_and_unknown_kinds_dropped() {
    let (s, ignored) = read(
        json!({}),
        json!({"allowedProviders": ["google", "yahoo", 3]}),
    );
    assert_eq!(
        s.allowed_providers, None,
        "a list with a non-string is not a list of providers"
    );
    assert!(only_note(&ignored, "allowedProviders").contains("entry 3 is the number 3"));

    let (s, ignored) = read(json!({}), json!({"allowedProviders": ["google", "yahoo"]}));
    assert_eq!(s.allowed_providers, Some(vec![ConnectionKind::Google]));
    let note = only_note(&ignored, "allowedProviders");
    assert!(
        note.contains("\"yahoo\" is not a kind of account"),
        "{note}"
    );
    assert!(note.contains("The rest of it applies"), "{note}");

    let (s, ignored) = read(json!({}), json!({"allowedProviders": {"google": true}}));
    assert_eq!(s.allowed_providers, None);
    assert!(only_note(&ignored, "allowedProviders").contains("must be a list, not an object"));
}

#[test]
fn a_blank_or_non_text_client_id_is_ignored() {
    let (s, ignored) = read(
        json!({}),
        json!({"googleClientId": "  ", "microsoftClientId": 42}),
    );
    assert_eq!(s.google_client_id, None);
    assert_eq!(s.microsoft_client_id, None);
    assert!(only_note(&ignored, "googleClientId").contains("it is empty"));
    assert!(only_note(&ignored, "microsoftClientId").contains("must be text, not the number 42"));
    // The build's client stays in force.
    let (s, _) = read(
        json!({"googleClientId": "g"}),
        json!({"googleClientId": ""}),
    );
    assert_eq!(s.google_client_id.as_deref(), Some("g"));
}

#[test]
fn mail_settings_entries_without_a_domain_or_settings_are_dropped() {
    let entry = json!({"domain": "corp.example", "settings": {"imap": {}, "smtp": {}, "sameCredentials": true}});
    let (s, ignored) = read(
        json!({}),
        json!({"mailSettings": [entry, {"settings": {}}, "corp.example", {"domain": "x.example"}]}),
    );
    assert_eq!(s.mail_settings, [entry]);
    let notes: Vec<_> = ignored.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].contains("entry 2 has no \"domain\""));
    assert!(notes[1].contains("entry 3 has no \"domain\""));
    assert!(notes[2].contains("entry 4 (x.example) has no \"settings\" object"));

    let (s, ignored) = read(json!({}), json!({"mailSettings": "corp.example"}));
    assert!(s.mail_settings.is_empty());
    assert!(only_note(&ignored, "mailSettings").contains("must be a list"));
}

#[test]
fn an_unknown_key_is_named_and_a_policy_that_is_not_an_object_is_ignored_whole() {
    let (s, ignored) = read(json!({}), json!({"allowedProvider": ["google"]}));
    assert_eq!(s.allowed_providers, None);
    let note = only_note(&ignored, "allowedProvider");
    assert!(
        note.contains("not one of Inlay's settings") && note.contains("allowedProviders"),
        "{note}"
    );

    let (s, ignored) = read(json!({"seat": "viewOnly"}), json!(["seat"]));
    assert_eq!(s.seat, Seat::ViewOnly);
    assert_eq!(ignored.len(), 1);
    assert!(
        ignored[0].message.contains("whole admin policy"),
        "{ignored:?}"
    );
}

#[test]
fn the_outbox_lookup_grace_comes_from_the_build_only_within_bounds() {
    // The product default without a build setting.
    let (s, ignored) = read(json!({}), json!({}));
    assert_eq!(s.outbox.lookup_grace_ms, 120_000);
    assert!(ignored.is_empty());

    // The sandbox's build shortens it.
    let (s, ignored) = read(json!({"outbox": {"lookupGraceMs": 3000}}), json!({}));
    assert_eq!(s.outbox.lookup_grace_ms, 3000);
    assert!(ignored.is_empty());

    // Out of range: refused in words, the default applies.
    for bad in [
        json!({"lookupGraceMs": 0}),
        json!({"lookupGraceMs": 7_200_000}),
        json!(3000),
    ] {
        let (s, ignored) = read(json!({"outbox": bad}), json!({}));
        assert_eq!(s.outbox.lookup_grace_ms, 120_000);
        let note = only_note(&ignored, "outbox");
        assert!(
            note.contains("config.json") && note.contains("built-in 2 minutes"),
            "{note}"
        );
    }

    // An admin can't shorten it: the policy has no such key.
    let (s, ignored) = read(json!({}), json!({"outbox": {"lookupGraceMs": 1000}}));
    assert_eq!(s.outbox.lookup_grace_ms, 120_000);
    assert!(only_note(&ignored, "outbox").contains("not one of Inlay's settings"));
}
