//! Merging: what the kept record gains, and (property test) that merging
//! never loses or duplicates a timeline entry, and leaves nothing pointing
//! at the absorbed record.

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::ids::RecordRef;
use inlay_core::crm::{AnyRecord, CrmErrorCode};
use proptest::prelude::*;

fn contact(store: &mut Store, json: &str) -> String {
    saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveContact","contact":{json}}}"#
            )))
            .unwrap(),
    )
}

#[test]
fn the_kept_contact_gains_addresses_and_empty_properties() {
    let mut store = Store::new();
    let keep = contact(
        &mut store,
        r#"{"emails":["ann@acme.example"],"firstName":"Ann","jobTitle":"","custom":{"a":"keep"}}"#,
    );
    let absorb = contact(
        &mut store,
        r#"{"emails":["ann.lee@gmail.com"],"firstName":"Annie","lastName":"Lee","jobTitle":"CTO","phone":"+1 555","custom":{"a":"absorb","b":"absorb"}}"#,
    );
    let w = store
        .run(command(&format!(
            r#"{{"op":"merge","keep":"contact:{keep}","absorb":"contact:{absorb}"}}"#
        )))
        .unwrap();
    assert_eq!(w.result.message, "Merged Annie Lee into Ann Lee.");
    assert_eq!(
        w.result.absorbed.as_ref().map(RecordRef::id),
        Some(absorb.as_str())
    );
    let c = store.contact(&keep);
    assert_eq!(c.emails, ["ann@acme.example", "ann.lee@gmail.com"]);
    assert_eq!(
        (
            c.first_name.as_str(),
            c.last_name.as_str(),
            c.job_title.as_str()
        ),
        ("Ann", "Lee", "CTO")
    );
    assert_eq!(c.custom.get("a").map(String::as_str), Some("keep"));
    assert_eq!(c.custom.get("b").map(String::as_str), Some("absorb"));
    assert!(
        c.search_keys.contains(&"annleegmail.com".to_string())
            || c.search_keys.contains(&"ann.lee@gmail.com".to_string())
    );
    assert!(!store.records.contains_key(&absorb));
    // The absorbed address now finds the kept contact: saving it again is a duplicate of Ann Lee.
    let e = store
        .run(command(
            r#"{"op":"saveContact","contact":{"emails":["annlee@gmail.com"]}}"#,
        ))
        .unwrap_err();
    assert_eq!(e.code, CrmErrorCode::DuplicateAddress);
    assert!(e.message.contains("Ann Lee"), "{}", e.message);
    let merged = store.timeline_of(&keep);
    assert!(merged.iter().any(|e| e.kind == "merged"));
}

#[test]
fn merge_refusals_table() {
    let mut store = Store::new();
    let a = contact(&mut store, r#"{"emails":["a@acme.example"]}"#);
    let co = store.contact(&a).company_id.unwrap();
    for (keep, absorb, code) in [
        (
            format!("contact:{a}"),
            format!("contact:{a}"),
            CrmErrorCode::InvalidMerge,
        ),
        (
            format!("contact:{a}"),
            format!("company:{co}"),
            CrmErrorCode::InvalidMerge,
        ),
        (
            format!("contact:{a}"),
            "contact:ct_aaaaaaaaaaaaaaaa".to_string(),
            CrmErrorCode::NotFound,
        ),
    ] {
        let e = store
            .run(command(&format!(
                r#"{{"op":"merge","keep":"{keep}","absorb":"{absorb}"}}"#
            )))
            .unwrap_err();
        assert_eq!(e.code, code, "{keep} {absorb}");
    }
}

#[test]
fn merging_companies_moves_their_contacts_and_deals() {
    let mut store = Store::new();
    let a = contact(&mut store, r#"{"emails":["a@acme.example"]}"#);
    let b = contact(&mut store, r#"{"emails":["b@acme-corp.example"]}"#);
    let acme = store.contact(&a).company_id.unwrap();
    let corp = store.contact(&b).company_id.unwrap();
    let deal = saved_id(
        &store
            .run(command(&format!(r#"{{"op":"saveDeal","deal":{{"name":"D","companyId":"{corp}","contactIds":["{b}"]}}}}"#)))
            .unwrap(),
    );
    store
        .run(command(&format!(
            r#"{{"op":"merge","keep":"company:{acme}","absorb":"company:{corp}"}}"#
        )))
        .unwrap();
    assert_eq!(store.contact(&b).company_id.as_deref(), Some(acme.as_str()));
    let Some(AnyRecord::Deal(d)) = store.records.get(&deal) else {
        panic!()
    };
    assert_eq!(d.company_id.as_deref(), Some(acme.as_str()));
    let Some(AnyRecord::Company(c)) = store.records.get(&acme) else {
        panic!()
    };
    assert_eq!(c.domains, ["acme.example", "acme-corp.example"]);
}

/// One thing done before the merge: a note, a task or a deal about some of
/// the three contacts (a bit mask), or an edit of one of them.
#[derive(Debug, Clone)]
enum Act {
    Note(u8),
    Task(u8),
    Deal(u8),
    Edit(u8),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (1u8..8).prop_map(Act::Note),
        (1u8..8).prop_map(Act::Task),
        (1u8..8).prop_map(Act::Deal),
        (0u8..3).prop_map(Act::Edit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merging_never_loses_a_timeline_entry(acts in prop::collection::vec(act(), 0..24), keep_i in 0usize..3, absorb_i in 0usize..3) {
        prop_assume!(keep_i != absorb_i);
        let mut store = Store::new();
        let ids: Vec<String> = ["ann@acme.example", "bob@gmail.com", "cy@initech.example"]
            .iter()
            .map(|e| contact(&mut store, &format!(r#"{{"emails":["{e}"],"firstName":"P"}}"#)))
            .collect();
        let refs = |mask: u8| -> Vec<String> {
            (0..3).filter(|i| mask & (1 << i) != 0).map(|i| format!("contact:{}", ids[i])).collect()
        };
        for (n, a) in acts.iter().enumerate() {
            let json = match a {
                Act::Note(m) => format!(r#"{{"op":"saveNote","note":{{"body":"note {n}","related":{}}}}}"#, serde_json::to_string(&refs(*m)).unwrap()),
                Act::Task(m) => format!(r#"{{"op":"saveTask","task":{{"title":"task {n}","related":{}}}}}"#, serde_json::to_string(&refs(*m)).unwrap()),
                Act::Deal(m) => {
                    let contacts: Vec<&String> = (0..3).filter(|i| m & (1 << i) != 0).map(|i| &ids[i]).collect();
                    format!(r#"{{"op":"saveDeal","deal":{{"name":"deal {n}","contactIds":{}}}}}"#, serde_json::to_string(&contacts).unwrap())
                }
                Act::Edit(i) => {
                    let c = store.contact(&ids[*i as usize]);
                    format!(r#"{{"op":"saveContact","contact":{{"id":"{}","emails":{},"firstName":"P{n}","companyId":{}}}}}"#,
                        c.id, serde_json::to_string(&c.emails).unwrap(), serde_json::to_string(&c.company_id).unwrap())
                }
            };
            store.run(command(&json)).unwrap();
        }
        let before = store.clone();
        let keep = RecordRef::to(&ids[keep_i]).unwrap();
        let absorb = RecordRef::to(&ids[absorb_i]).unwrap();
        store.run(command(&format!(r#"{{"op":"merge","keep":"{keep}","absorb":"{absorb}"}}"#))).unwrap();

        // Every entry is still there, once, with the absorbed record re-pointed.
        for (id, old) in &before.timeline {
            let new = store.timeline.get(id);
            prop_assert!(new.is_some(), "entry {} lost", old.summary);
            let new = new.unwrap();
            prop_assert!(!new.records.contains(&absorb));
            if old.records.contains(&absorb) {
                prop_assert!(new.records.contains(&keep));
            }
            let mut others_old: Vec<_> = old.records.iter().filter(|r| **r != absorb && **r != keep).collect();
            let mut others_new: Vec<_> = new.records.iter().filter(|r| **r != keep).collect();
            others_old.sort();
            others_new.sort();
            prop_assert_eq!(others_old, others_new);
        }
        prop_assert_eq!(store.timeline.len(), before.timeline.len() + 1);
        // The kept contact shows everything both showed.
        let kept = store.timeline_of(keep.id()).len();
        let union = before.timeline.values().filter(|e| e.records.contains(&keep) || e.records.contains(&absorb)).count();
        prop_assert_eq!(kept, union + 1);
        // Nothing refers to the absorbed contact any more.
        prop_assert!(!store.records.contains_key(absorb.id()));
        for r in store.records.values() {
            let json = serde_json::to_string(r).unwrap();
            prop_assert!(!json.contains(absorb.id()), "{}", json);
        }
        store.check_unique();
    }
}

#[test]
fn merged_records_keep_their_company_s_name_in_their_search_keys() {
    let mut store = Store::new();
    let keep = contact(
        &mut store,
        r#"{"emails":["ann@gmail.com"],"firstName":"Ann"}"#,
    );
    let absorb = contact(
        &mut store,
        r#"{"emails":["ann@roadrunner.example"],"firstName":"Ann"}"#,
    );
    let company = store.contact(&absorb).company_id.unwrap();
    store
        .run(command(&format!(
            r#"{{"op":"saveCompany","company":{{"id":"{company}","name":"Coyote Supplies","domains":["roadrunner.example"]}}}}"#
        )))
        .unwrap();
    store
        .run(command(&format!(
            r#"{{"op":"merge","keep":"contact:{keep}","absorb":"contact:{absorb}"}}"#
        )))
        .unwrap();
    let c = store.contact(&keep);
    assert_eq!(c.company_id.as_deref(), Some(company.as_str()));
    assert!(
        c.search_keys.contains(&"coyote".to_string()),
        "{:?}",
        c.search_keys
    );

    // Two companies merged: the moved contact is found by the kept name.
    let mut store = Store::new();
    let a = contact(&mut store, r#"{"emails":["a@acme.example"]}"#);
    let b = contact(&mut store, r#"{"emails":["b@wile.example"]}"#);
    let (acme, wile) = (
        store.contact(&a).company_id.unwrap(),
        store.contact(&b).company_id.unwrap(),
    );
    store
        .run(command(&format!(
            r#"{{"op":"saveCompany","company":{{"id":"{acme}","name":"Acme Rockets","domains":["acme.example"]}}}}"#
        )))
        .unwrap();
    store
        .run(command(&format!(
            r#"{{"op":"merge","keep":"company:{acme}","absorb":"company:{wile}"}}"#
        )))
        .unwrap();
    let c = store.contact(&b);
    assert!(
        c.search_keys.contains(&"rockets".to_string()),
        "{:?}",
        c.search_keys
    );
}
