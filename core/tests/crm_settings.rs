//! CRM settings: HubSpot's default pipeline, settings checked whole, the
//! admin policy's crmOwners/crmPipelines with ignored parts named; and what
//! list filters mean.

mod crm_store;

use crm_store::{NOW, Store, command, saved_id};
use inlay_core::crm::filter::{CrmFilter, StageStatus, matches};
use inlay_core::crm::settings::{read_settings, validate_settings};
use inlay_core::crm::{CrmErrorCode, default_settings};
use serde_json::json;

#[test]
fn defaults_are_hubspot_s_sales_pipeline() {
    let s = default_settings();
    let stages: Vec<(&str, &str, f64)> = s.pipelines[0]
        .stages
        .iter()
        .map(|st| (st.id.as_str(), st.name.as_str(), st.probability))
        .collect();
    assert_eq!(
        stages,
        [
            ("appointmentscheduled", "Appointment scheduled", 0.2),
            ("qualifiedtobuy", "Qualified to buy", 0.4),
            ("presentationscheduled", "Presentation scheduled", 0.6),
            ("decisionmakerboughtin", "Decision maker bought-in", 0.8),
            ("contractsent", "Contract sent", 0.9),
            ("closedwon", "Closed won", 1.0),
            ("closedlost", "Closed lost", 0.0),
        ]
    );
    assert_eq!(s.currency, "USD");
    assert_eq!(validate_settings(s.clone()).unwrap(), s);
}

#[test]
fn settings_are_checked_whole() {
    let table = [
        (json!({"pipelines": []}), "1 to 50 pipelines"),
        (
            json!({"pipelines": [{"id": "p", "name": "P", "stages": []}]}),
            "1 to 50 stages",
        ),
        (
            json!({"pipelines": [{"id": "P Q", "name": "P", "stages": [{"id": "a", "name": "A", "probability": 0.5}]}]}),
            "lower-case letters",
        ),
        (
            json!({"pipelines": [{"id": "p", "name": "P", "stages": [{"id": "a", "name": "A", "probability": 1.5}]}]}),
            "between 0 and 1",
        ),
        (
            json!({"pipelines": [{"id": "p", "name": "P", "stages": [{"id": "a", "name": "A", "probability": 0}, {"id": "a", "name": "B", "probability": 0}]}]}),
            "stage id \"a\" twice",
        ),
        (
            json!({"owners": [{"id": "x", "name": "X"}, {"id": "x", "name": "Y"}]}),
            "owner id \"x\" is used twice",
        ),
        (
            json!({"owners": [{"id": "x", "name": "X", "email": "no"}]}),
            "has no @",
        ),
        (json!({"currency": "EURO"}), "not a currency code"),
    ];
    for (patch, words) in table {
        let mut value = serde_json::to_value(default_settings()).unwrap();
        for (k, v) in patch.as_object().unwrap() {
            value[k] = v.clone();
        }
        let settings = serde_json::from_value(value).unwrap();
        let e = validate_settings(settings).unwrap_err();
        assert!(
            matches!(
                e.code,
                CrmErrorCode::InvalidSettings
                    | CrmErrorCode::CurrencyNotIso
                    | CrmErrorCode::InvalidAddress
            ),
            "{patch}"
        );
        assert!(e.message.contains(words), "{patch}: {}", e.message);
    }
    let mut s = default_settings();
    s.currency = " eur ".into();
    assert_eq!(validate_settings(s).unwrap().currency, "EUR");
}

#[test]
fn the_policy_presets_owners_and_pipelines_and_names_what_it_ignored() {
    let policy = json!({
        "crmOwners": [{"id": "Ann", "name": "Ann Admin", "email": "ann@corp.example"}, {"name": "No id"}, "bob"],
        "crmPipelines": [{"id": "renewals", "name": "Renewals", "stages": [{"id": "due", "name": "Due", "probability": 0.5}, {"id": "won", "name": "Won", "probability": 1, "closed": "won"}]}],
        "seat": "full"
    });
    let r = read_settings(None, &policy);
    assert!(r.owners_from_policy && r.pipelines_from_policy);
    assert_eq!(r.settings.owners.len(), 1);
    assert_eq!(r.settings.owners[0].id, "ann");
    assert_eq!(r.settings.pipelines[0].id, "renewals");
    let words: Vec<&str> = r.ignored.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(words.len(), 2, "{words:#?}");
    assert!(
        words[0].starts_with(
            "The admin policy's \"crmOwners\": entry 2 is ignored (missing field `id`)"
        ),
        "{}",
        words[0]
    );
    assert!(words[1].contains("entry 3 is ignored"), "{}", words[1]);

    // A key of the wrong shape, or with nothing usable, is ignored whole:
    // the user's settings (or the defaults) apply.
    for policy in [
        json!({"crmPipelines": "sales"}),
        json!({"crmPipelines": [{"id": "x"}]}),
    ] {
        let r = read_settings(Some(default_settings()), &policy);
        assert!(!r.pipelines_from_policy);
        assert_eq!(r.settings.pipelines, default_settings().pipelines);
        assert!(
            r.ignored
                .iter()
                .any(|i| i.key == "crmPipelines"
                    && i.message.contains("The app's own settings apply")),
            "{:?}",
            r.ignored
        );
    }
    assert!(read_settings(None, &json!(null)).ignored.is_empty());
}

#[test]
fn list_filters_mean_what_the_core_says() {
    let mut store = Store::new();
    store.settings = Some(inlay_core::crm::CrmSettings {
        owners: vec![inlay_core::crm::settings::Owner {
            id: "ann".into(),
            name: "Ann".into(),
            email: None,
        }],
        ..default_settings()
    });
    let c = saved_id(&store.run(command(r#"{"op":"saveContact","contact":{"emails":["x@gmail.com"],"owner":"ann","lifecycleStage":"lead"}}"#)).unwrap());
    let open = saved_id(
        &store
            .run(command(
                r#"{"op":"saveDeal","deal":{"name":"Open","stage":"contractsent"}}"#,
            ))
            .unwrap(),
    );
    let won = saved_id(
        &store
            .run(command(
                r#"{"op":"saveDeal","deal":{"name":"Won","stage":"closedwon","owner":"ann"}}"#,
            ))
            .unwrap(),
    );
    store
        .run(command(&format!(
            r#"{{"op":"saveNote","note":{{"body":"hi","related":["contact:{c}"]}}}}"#
        )))
        .unwrap();
    let settings = store.settings();
    let day = 86_400_000;
    let rec = |id: &str| store.records.get(id).unwrap().clone();
    let f = |json: serde_json::Value| -> CrmFilter { serde_json::from_value(json).unwrap() };
    let table = [
        (f(json!({})), &c, true),
        (f(json!({"owner": "ann"})), &c, true),
        (f(json!({"owner": ""})), &c, false),
        (f(json!({"owner": ""})), &open, true),
        (f(json!({"lifecycleStage": "lead"})), &c, true),
        (f(json!({"lifecycleStage": "customer"})), &c, false),
        (f(json!({"stageStatus": "open"})), &open, true),
        (f(json!({"stageStatus": "open"})), &won, false),
        (f(json!({"stageStatus": "won", "owner": "ann"})), &won, true),
        (f(json!({"stageStatus": "open"})), &c, false),
        (f(json!({"activeWithinDays": 30})), &c, true),
        (f(json!({"activeWithinDays": 30})), &open, false),
        (f(json!({"inactiveForDays": 30})), &open, true),
        (f(json!({"inactiveForDays": 30})), &c, false),
    ];
    for (filter, id, want) in table {
        assert_eq!(
            matches(&filter, &rec(id), &settings, store.clock),
            want,
            "{filter:?} {id}"
        );
    }
    // Thirty-one days later the contact is no longer "active in the last 30 days".
    let later = store.clock + 31 * day;
    assert!(!matches(
        &f(json!({"activeWithinDays": 30})),
        &rec(&c),
        &settings,
        later
    ));
    assert!(NOW < later);
    let _ = StageStatus::Open;
}

#[test]
fn the_account_policy_reading_leaves_the_crm_keys_to_the_crm() {
    let policy =
        json!({"crmOwners": [{"id": "ann", "name": "Ann"}], "crmPipelines": [], "crmOwnerz": []});
    let reading = inlay_core::accounts::read_settings(&json!({}), &policy);
    let keys: Vec<&str> = reading.ignored.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["crmOwnerz"], "{:?}", reading.ignored);
    // The policy schema Chrome checks managed storage against has both keys.
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../extension/static/policy-schema.json")).unwrap();
    for key in inlay_core::crm::settings::POLICY_KEYS {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}
