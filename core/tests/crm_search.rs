//! Search: keys stored on records, the query's keys, and the ranking table
//! (every token prefix-matches; exact before prefix; name before address
//! before company; then last activity, then name).

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::search::{self, MatchedField, query_keys, rank, rank_candidates};
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

/// A store of contacts (names with punctuation, several addresses, a
/// company linked from the domain), companies and deals, saved by commands.
fn varied_store() -> Vec<AnyRecord> {
    let mut store = Store::new();
    for c in [
        r#"{"op":"saveCompany","company":{"name":"Granite Labs 42","domains":["co42.example","eu.granite-labs.example"]}}"#,
        r#"{"op":"saveCompany","company":{"name":"(JJ) Holdings","domains":[]}}"#,
        r#"{"op":"saveContact","contact":{"emails":["ada.lovelace.a123@co42.example","ada@engines.example"],"firstName":"Ada","lastName":"Lovelace"}}"#,
        r#"{"op":"saveContact","contact":{"emails":["mary_o-neil+crm@granite-labs.example"],"firstName":"Mary","lastName":"O'Neil"}}"#,
        r#"{"op":"saveContact","contact":{"emails":["jj@x.example"],"firstName":"(JJ)","lastName":"Jean-Luc Picard"}}"#,
        r#"{"op":"saveContact","contact":{"emails":["annlee@co42.example"],"firstName":"Ann","lastName":"Lee"}}"#,
        r#"{"op":"saveContact","contact":{"emails":["zoe@eu.granite-labs.example"],"firstName":"Zoë","lastName":"Ørsted"}}"#,
        r#"{"op":"saveDeal","deal":{"name":"Q3 renewal (Granite)","amount":"1250","currency":"EUR"}}"#,
    ] {
        store.run(command(c)).unwrap();
    }
    store.records.values().cloned().collect()
}

/// Every query made of one or two prefixes of the words of `records`' names
/// and addresses.
fn queries(records: &[AnyRecord]) -> Vec<String> {
    let mut words = vec![];
    for r in records {
        match r {
            AnyRecord::Contact(c) => {
                words.extend(search::words(&format!("{} {}", c.first_name, c.last_name)));
                words.extend(c.emails.iter().map(|e| e.to_lowercase()));
                words.extend(c.search_keys.iter().cloned());
            }
            AnyRecord::Company(c) => {
                words.extend(search::words(&c.name));
                words.extend(c.domains.iter().cloned());
            }
            AnyRecord::Deal(d) => words.extend(search::words(&d.name)),
            _ => {}
        }
    }
    words.extend(
        [
            "(jj",
            "(jj) h",
            "o'n",
            "ada lov",
            "jean-luc p",
            "co42.e",
            "eu",
            "granite-l",
        ]
        .map(String::from),
    );
    let mut out = vec![];
    for w in &words {
        for end in w.char_indices().map(|(i, _)| i).skip(1).chain([w.len()]) {
            out.push(w[..end].to_string());
        }
    }
    out.push("ada co42".into());
    out.push("lee annlee".into());
    out.sort();
    out.dedup();
    out
}

/// What the store's index range gives for `query`: the records with a key
/// starting with its longest token.
fn found(query: &str, records: &[AnyRecord]) -> Vec<AnyRecord> {
    let tokens = query_keys(query);
    let Some(longest) = tokens.iter().max_by_key(|t| t.len()) else {
        return vec![];
    };
    records
        .iter()
        .filter(|r| {
            r.search_keys()
                .iter()
                .any(|k| k.starts_with(longest.as_str()))
        })
        .cloned()
        .collect()
}

fn labels_but_last(domain: &str) -> Vec<String> {
    let labels: Vec<String> = domain.split('.').map(String::from).collect();
    labels[..labels.len() - 1].to_vec()
}

#[test]
fn stored_keys_leave_out_what_no_search_needs_and_every_search_finds_the_same() {
    let records = varied_store();
    let ada = records
        .iter()
        .find_map(|r| match r {
            AnyRecord::Contact(c) if c.first_name == "Ada" => Some(c.clone()),
            _ => None,
        })
        .unwrap();
    // Not stored: the full name (its first word is a name key), the local
    // part (the address begins with it), the domain's first label (the
    // domain begins with it).
    assert_eq!(
        ada.search_keys,
        [
            "ada",
            "lovelace",
            "ada.lovelace.a123@co42.example",
            "a123",
            "co42.example",
            "ada@engines.example",
            "engines.example",
            "granite",
            "labs",
            "42"
        ]
    );
    // The keys as they were stored before: every word, the full name, each
    // local part and each domain label.
    let before: Vec<AnyRecord> = records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let extra: Vec<String> = match &r {
                AnyRecord::Contact(c) => {
                    let mut extra = vec![inlay_core::crm::fold::fold(&format!(
                        "{} {}",
                        c.first_name, c.last_name
                    ))];
                    for e in &c.emails {
                        let (local, domain) = e.split_once('@').unwrap();
                        extra.push(local.to_lowercase());
                        extra.extend(search::words(local));
                        extra.extend(labels_but_last(domain));
                    }
                    extra
                }
                AnyRecord::Company(c) => {
                    let mut extra = vec![inlay_core::crm::fold::fold(&c.name)];
                    extra.extend(c.domains.iter().flat_map(|d| labels_but_last(d)));
                    extra
                }
                AnyRecord::Deal(d) => vec![inlay_core::crm::fold::fold(&d.name)],
                _ => vec![],
            };
            let keys = match &mut r {
                AnyRecord::Contact(c) => &mut c.search_keys,
                AnyRecord::Company(c) => &mut c.search_keys,
                AnyRecord::Deal(d) => &mut d.search_keys,
                _ => return r,
            };
            for k in extra {
                if !k.trim().is_empty() && !keys.contains(&k) {
                    keys.push(k);
                }
            }
            r
        })
        .collect();
    let qs = queries(&records);
    assert!(qs.len() > 300, "{}", qs.len());
    for q in &qs {
        assert_eq!(
            rank(q, &found(q, &records), 50),
            rank(q, &found(q, &before), 50),
            "{q}"
        );
    }
}

#[test]
fn ranking_the_worker_s_candidates_is_ranking_the_records() {
    let records = varied_store();
    // The fields search.ts picks from a stored record (core search::Candidate).
    let picked: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let full = serde_json::to_value(r).unwrap();
            let fields: &[&str] = match r {
                AnyRecord::Contact(_) => &["firstName", "lastName", "emails"],
                AnyRecord::Company(_) => &["name", "domains"],
                _ => &["name", "amount", "currency"],
            };
            let mut out = serde_json::Map::new();
            for f in ["id", "lastActivityAt", "searchKeys", "sortName"]
                .iter()
                .chain(fields)
            {
                out.insert(f.to_string(), full[*f].clone());
            }
            serde_json::Value::Object(out)
        })
        .collect();
    let candidates = search::read_candidates(&serde_json::to_string(&picked).unwrap()).unwrap();
    for q in queries(&records) {
        assert_eq!(
            rank_candidates(&q, &candidates, 50),
            rank(&q, &records, 50),
            "{q}"
        );
    }
    // Whole records read the same; an id of no kind is refused in words.
    let whole = search::read_candidates(&serde_json::to_string(&records).unwrap()).unwrap();
    assert_eq!(whole, candidates);
    let err = search::read_candidates(r#"[{"id":"xx_1","name":"A"}]"#).unwrap_err();
    assert_eq!(err.code, inlay_core::crm::CrmErrorCode::InvalidArgument);
    assert!(err.message.contains("xx_1"), "{}", err.message);
}
