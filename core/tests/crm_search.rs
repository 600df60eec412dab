//! Search: keys stored on records, the query's keys, and the ranking table
//! (every token prefix-matches; exact before prefix; name before address
//! before company; then last activity, then name).

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::search::{MatchedField, query_keys, rank};
use inlay_core::crm::{AnyRecord, Contact};

fn contact(
    first: &str,
    last: &str,
    emails: &[&str],
    company: &str,
    activity: Option<u64>,
) -> AnyRecord {
    let mut store = Store::new();
    let emails = serde_json::to_string(emails).unwrap();
    let id = saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveContact","contact":{{"emails":{emails},"firstName":"{first}","lastName":"{last}"}}}}"#
            )))
            .unwrap(),
    );
    let mut c: Contact = store.contact(&id);
    if !company.is_empty() {
        c.search_keys
            .extend(inlay_core::crm::search::words(company));
    }
    c.last_activity_at = activity;
    AnyRecord::Contact(c)
}

fn titles(query: &str, records: &[AnyRecord]) -> Vec<String> {
    rank(query, records, 50)
        .into_iter()
        .map(|h| h.title)
        .collect()
}

#[test]
fn query_keys_are_folded_tokens() {
    for (query, keys) in [
        ("  Zoë  ÖRSTED ", vec!["zoe", "orsted"]),
        ("ann@Acme.example", vec!["ann@acme.example"]),
        ("a, b; a", vec!["a", "b"]),
        ("   ", vec![]),
    ] {
        assert_eq!(query_keys(query), keys, "{query}");
    }
}

#[test]
fn ranking_table() {
    let records = vec![
        contact("Ann", "Lee", &["ann.lee@globex.example"], "", Some(5)),
        contact(
            "Annabel",
            "Smith",
            &["annabel@initech.example"],
            "",
            Some(9),
        ),
        contact("Bob", "Annandale", &["bob@initech.example"], "", None),
        contact("Carl", "Jones", &["carl@annex.example"], "", None),
        contact("Dee", "Ward", &["dee@x.example"], "Annapolis Corp", None),
        contact("Élodie", "Brûlé", &["elodie@x.example"], "", None),
    ];
    let table: [(&str, &[&str]); 8] = [
        // Exact first names before prefixes; names before addresses before
        // companies; among equals the most recent activity first.
        (
            "ann",
            &[
                "Ann Lee",
                "Annabel Smith",
                "Bob Annandale",
                "Carl Jones",
                "Dee Ward",
            ],
        ),
        ("ann lee", &["Ann Lee"]),
        ("lee ann", &["Ann Lee"]),
        ("initech", &["Annabel Smith", "Bob Annandale"]),
        ("elodie brule", &["Élodie Brûlé"]),
        ("ÉLO", &["Élodie Brûlé"]),
        ("bob@ini", &["Bob Annandale"]),
        ("zzz", &[]),
    ];
    for (query, want) in table {
        assert_eq!(titles(query, &records), want, "{query}");
    }
    let hits = rank("annex", &records, 10);
    assert_eq!(hits[0].matched, MatchedField::Address);
    let hits = rank("annapolis", &records, 10);
    assert_eq!(hits[0].matched, MatchedField::Company);
    assert_eq!(rank("ann", &records, 2).len(), 2);
}

#[test]
fn companies_and_deals_are_found_by_name_and_domain() {
    let mut store = Store::new();
    store.run(command(r#"{"op":"saveCompany","company":{"name":"Société Générale","domains":["socgen.example"]}}"#)).unwrap();
    store
        .run(command(
            r#"{"op":"saveDeal","deal":{"name":"Q3 renewal","amount":"100"}}"#,
        ))
        .unwrap();
    let records: Vec<AnyRecord> = store.records.values().cloned().collect();
    assert_eq!(titles("societe", &records), ["Société Générale"]);
    assert_eq!(titles("socgen", &records), ["Société Générale"]);
    let hits = rank("renew", &records, 10);
    assert_eq!(hits[0].title, "Q3 renewal");
    assert_eq!(hits[0].subtitle, "100.00 USD");
    // The stored keys hold the query's longest key as a prefix (what the
    // store's index range finds).
    for record in &records {
        let AnyRecord::Company(c) = record else {
            continue;
        };
        assert!(
            c.search_keys.iter().any(|k| k.starts_with("generale")),
            "{:?}",
            c.search_keys
        );
    }
}
