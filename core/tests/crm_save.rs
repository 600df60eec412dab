//! Saving contacts, companies and deals through the two phases (lookups,
//! apply): dedupe by address key, company from domain, property validation,
//! and a timeline entry with every write.

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::{AnyRecord, CrmErrorCode};

fn save_contact(store: &mut Store, json: &str) -> Result<String, inlay_core::crm::CrmError> {
    store
        .run(command(&format!(
            r#"{{"op":"saveContact","contact":{json}}}"#
        )))
        .map(|w| saved_id(&w))
}

#[test]
fn every_write_carries_its_timeline_entry() {
    let mut store = Store::new();
    let id = save_contact(
        &mut store,
        r#"{"emails":["ann@acme.example"],"firstName":"Ann"}"#,
    )
    .unwrap();
    let entries = store.timeline_of(&id);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].kind, "created");
    // The company made from the domain has its own entry, and the contact's
    // creation shows on the company too.
    let company = store.contact(&id).company_id.unwrap();
    let on_company: Vec<String> = store
        .timeline_of(&company)
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(on_company, ["created", "created"]);

    // The page sends the whole form: the company it shows stays linked.
    let edit = format!(
        r#"{{"op":"saveContact","contact":{{"id":"{id}","emails":["ann@acme.example"],"firstName":"Ann","phone":"+1 555 0100","companyId":"{company}"}}}}"#
    );
    let w = store.run(command(&edit)).unwrap();
    assert_eq!(w.put.timeline.len(), 1);
    assert_eq!(w.put.timeline[0].kind, "updated");
    assert_eq!(w.put.timeline[0].summary, "Updated phone number");
    // Saving the same values again writes nothing at all.
    let w = store.run(command(&edit)).unwrap();
    assert!(w.put.contacts.is_empty() && w.put.timeline.is_empty());
}

#[test]
fn one_contact_per_address_table() {
    // (existing address, new address, refused?)
    let table = [
        ("ann@acme.example", "ann@acme.example", true),
        ("ann@acme.example", "ANN@Acme.Example", true),
        ("ann@acme.example", " ann@acme.example ", true),
        ("a.da@gmail.com", "ada@googlemail.com", true),
        ("ada@gmail.com", "A.D.A@Gmail.com", true),
        ("a.da@acme.example", "ada@acme.example", false),
        ("ann+news@acme.example", "ann@acme.example", false),
        ("ann@acme.example", "ann@acme.example.org", false),
    ];
    for (existing, new, refused) in table {
        let mut store = Store::new();
        save_contact(
            &mut store,
            &format!(r#"{{"emails":["{existing}"],"firstName":"First","lastName":"Person"}}"#),
        )
        .unwrap();
        let result = save_contact(
            &mut store,
            &format!(r#"{{"emails":["{new}"],"firstName":"Second"}}"#),
        );
        match result {
            Err(e) if refused => {
                assert_eq!(e.code, CrmErrorCode::DuplicateAddress, "{existing} / {new}");
                assert!(e.message.contains("First Person"), "{}", e.message);
                assert!(e.message.contains(new.trim()), "{}", e.message);
            }
            Ok(_) if !refused => {}
            other => panic!("{existing} / {new}: {other:?}"),
        }
    }
}

#[test]
fn the_same_address_twice_in_one_contact_is_kept_once() {
    let mut store = Store::new();
    let id = save_contact(
        &mut store,
        r#"{"emails":["ann@acme.example","ANN@acme.example",""],"lastName":"Lee"}"#,
    )
    .unwrap();
    assert_eq!(store.contact(&id).emails, ["ann@acme.example"]);
    // Editing a contact may keep its own address.
    save_contact(
        &mut store,
        &format!(
            r#"{{"id":"{id}","emails":["ann@acme.example","lee@acme.example"],"lastName":"Lee"}}"#
        ),
    )
    .unwrap();
    assert_eq!(
        store.contact(&id).email_keys,
        ["ann@acme.example", "lee@acme.example"]
    );
}

#[test]
fn company_from_domain_table() {
    // (addresses, the company's domain or none, its name)
    let table: [(&[&str], Option<&str>, &str); 9] = [
        (&["ann@acme.example"], Some("acme.example"), "Acme"),
        (
            &["ann@eu.big-river.example"],
            Some("big-river.example"),
            "Big River",
        ),
        (&["ann@mail.acme.co.uk"], Some("acme.co.uk"), "Acme"),
        (&["ann@gmail.com"], None, ""),
        (&["ann@outlook.com"], None, ""),
        (&["ann@proton.me"], None, ""),
        (&["ann@yahoo.co.uk"], None, ""),
        (
            &["ann@gmail.com", "ann@work.example"],
            Some("work.example"),
            "Work",
        ),
        (&[], None, ""),
    ];
    for (addresses, domain, name) in table {
        let mut store = Store::new();
        let emails = serde_json::to_string(addresses).unwrap();
        let id = save_contact(
            &mut store,
            &format!(r#"{{"emails":{emails},"firstName":"Ann"}}"#),
        )
        .unwrap();
        let contact = store.contact(&id);
        match domain {
            None => {
                assert_eq!(contact.company_id, None, "{addresses:?}");
                assert!(store.companies().is_empty());
            }
            Some(domain) => {
                let companies = store.companies();
                assert_eq!(companies.len(), 1, "{addresses:?}");
                assert_eq!(companies[0].domains, [domain]);
                assert_eq!(companies[0].name, name);
                assert_eq!(
                    contact.company_id.as_deref(),
                    Some(companies[0].id.as_str())
                );
                for word in name.to_lowercase().split(' ') {
                    assert!(
                        contact.search_keys.contains(&word.to_string()),
                        "{:?}",
                        contact.search_keys
                    );
                }
            }
        }
    }
}

#[test]
fn a_second_contact_at_a_domain_joins_its_company() {
    let mut store = Store::new();
    let a = save_contact(&mut store, r#"{"emails":["ann@acme.example"]}"#).unwrap();
    let b = save_contact(&mut store, r#"{"emails":["bob@sales.acme.example"]}"#).unwrap();
    assert_eq!(store.companies().len(), 1);
    assert_eq!(store.contact(&a).company_id, store.contact(&b).company_id);
    // A company saved by hand owns its domain; a contact there joins it.
    let w = store.run(command(r#"{"op":"saveCompany","company":{"name":"Globex Corporation","domains":["https://www.globex.example/"]}}"#)).unwrap();
    let globex = saved_id(&w);
    let c = save_contact(&mut store, r#"{"emails":["hank@globex.example"]}"#).unwrap();
    assert_eq!(
        store.contact(&c).company_id.as_deref(),
        Some(globex.as_str())
    );
    assert_eq!(store.companies().len(), 2);
    // An explicit company wins over the domain; editing never re-links.
    let d = save_contact(
        &mut store,
        &format!(r#"{{"emails":["dee@acme.example"],"companyId":"{globex}"}}"#),
    )
    .unwrap();
    assert_eq!(
        store.contact(&d).company_id.as_deref(),
        Some(globex.as_str())
    );
    save_contact(
        &mut store,
        &format!(r#"{{"id":"{a}","emails":["ann@acme.example"],"firstName":"Ann"}}"#),
    )
    .unwrap();
    assert_eq!(store.contact(&a).company_id, None);
}

#[test]
fn company_domains_are_unique_and_never_free_mail() {
    let mut store = Store::new();
    store
        .run(command(
            r#"{"op":"saveCompany","company":{"name":"Acme","domains":["acme.example"]}}"#,
        ))
        .unwrap();
    for (json, code) in [
        (
            r#"{"name":"Acme 2","domains":["ACME.example"]}"#,
            CrmErrorCode::DuplicateDomain,
        ),
        (
            r#"{"name":"Acme 3","domains":["https://www.acme.example/"]}"#,
            CrmErrorCode::DuplicateDomain,
        ),
        (
            r#"{"name":"Acme 4","domains":["eu.acme.example"]}"#,
            CrmErrorCode::DuplicateDomain,
        ),
        (
            r#"{"name":"Mail","domains":["gmail.com"]}"#,
            CrmErrorCode::InvalidDomain,
        ),
        (
            r#"{"name":"Bad","domains":["not a domain"]}"#,
            CrmErrorCode::InvalidDomain,
        ),
        (r#"{"name":"","domains":[]}"#, CrmErrorCode::Required),
    ] {
        let e = store
            .run(command(&format!(
                r#"{{"op":"saveCompany","company":{json}}}"#
            )))
            .unwrap_err();
        assert_eq!(e.code, code, "{json}: {}", e.message);
    }
    let w = store
        .run(command(
            r#"{"op":"saveCompany","company":{"domains":["initech.example"]}}"#,
        ))
        .unwrap();
    let Some(AnyRecord::Company(c)) = w.result.record else {
        panic!()
    };
    assert_eq!(c.name, "Initech");
}

#[test]
fn contact_validation_table() {
    let table = [
        (
            r#"{"emails":["not-an-address"]}"#,
            CrmErrorCode::InvalidAddress,
            "has no @",
        ),
        (
            r#"{"emails":["ann@acme"]}"#,
            CrmErrorCode::InvalidAddress,
            "missing its ending",
        ),
        (
            r#"{"emails":[]}"#,
            CrmErrorCode::Required,
            "name or an email",
        ),
        (
            r#"{"firstName":"Ann\nLee"}"#,
            CrmErrorCode::ControlCharacter,
            "first name",
        ),
        (
            r#"{"firstName":"Ann","phone":"call me"}"#,
            CrmErrorCode::InvalidPhone,
            "not a phone number",
        ),
        (
            r#"{"firstName":"Ann","owner":"nobody"}"#,
            CrmErrorCode::UnknownOwner,
            "owners",
        ),
        (
            r#"{"firstName":"Ann","lifecycleStage":"prospect"}"#,
            CrmErrorCode::UnknownValue,
            "Marketing Qualified Lead",
        ),
        (
            r#"{"firstName":"Ann","leadStatus":"hot"}"#,
            CrmErrorCode::UnknownValue,
            "Attempted to Contact",
        ),
        (
            r#"{"firstName":"Ann","companyId":"co_aaaaaaaaaaaaaaaa"}"#,
            CrmErrorCode::NotFound,
            "no longer in Inlay",
        ),
        (
            r#"{"firstName":"Ann","companyId":"ct_aaaaaaaaaaaaaaaa"}"#,
            CrmErrorCode::InvalidId,
            "not an id of a company",
        ),
        (
            r#"{"id":"ct_aaaaaaaaaaaaaaaa","firstName":"Ann"}"#,
            CrmErrorCode::NotFound,
            "contact",
        ),
    ];
    for (json, code, words) in table {
        let mut store = Store::new();
        let e = save_contact(&mut store, json).unwrap_err();
        assert_eq!(e.code, code, "{json}: {}", e.message);
        assert!(e.message.contains(words), "{json}: {}", e.message);
    }
    let long = format!(r#"{{"firstName":"{}"}}"#, "x".repeat(300));
    assert_eq!(
        save_contact(&mut Store::new(), &long).unwrap_err().code,
        CrmErrorCode::TooLong
    );
    // Choices read by id or label, any case; stored as HubSpot's ids.
    let mut store = Store::new();
    let id = save_contact(
        &mut store,
        r#"{"firstName":"Ann","lifecycleStage":"Sales Qualified Lead","leadStatus":"in progress"}"#,
    )
    .unwrap();
    let c = store.contact(&id);
    assert_eq!(c.lifecycle_stage.as_deref(), Some("salesqualifiedlead"));
    assert_eq!(c.lead_status.as_deref(), Some("IN_PROGRESS"));
}

#[test]
fn deal_validation_table() {
    let table = [
        (r#"{"name":"Big deal","stage":"closedwon"}"#, None),
        (
            r#"{"name":"Big deal","stage":"won"}"#,
            Some(CrmErrorCode::StageNotInPipeline),
        ),
        (
            r#"{"name":"Big deal","pipeline":"other"}"#,
            Some(CrmErrorCode::UnknownPipeline),
        ),
        (
            r#"{"name":"Big deal","amount":"1,250.00"}"#,
            Some(CrmErrorCode::AmountNotDecimal),
        ),
        (
            r#"{"name":"Big deal","amount":"12e3"}"#,
            Some(CrmErrorCode::AmountNotDecimal),
        ),
        (
            r#"{"name":"Big deal","amount":"0.1234567"}"#,
            Some(CrmErrorCode::AmountNotDecimal),
        ),
        (
            r#"{"name":"Big deal","amount":"1250","currency":"euro"}"#,
            Some(CrmErrorCode::CurrencyNotIso),
        ),
        (
            r#"{"name":"Big deal","closeDate":"2026-02-30"}"#,
            Some(CrmErrorCode::DateNotDate),
        ),
        (
            r#"{"name":"Big deal","closeDate":"2025-02-29"}"#,
            Some(CrmErrorCode::DateNotDate),
        ),
        (
            r#"{"name":"Big deal","closeDate":"31/03/2026"}"#,
            Some(CrmErrorCode::DateNotDate),
        ),
        (r#"{"name":"Big deal","closeDate":"2028-02-29"}"#, None),
        (r#"{"name":"  "}"#, Some(CrmErrorCode::Required)),
        (
            r#"{"name":"Big deal","contactIds":["ct_aaaaaaaaaaaaaaaa"]}"#,
            Some(CrmErrorCode::NotFound),
        ),
    ];
    for (json, code) in table {
        let mut store = Store::new();
        let result = store.run(command(&format!(r#"{{"op":"saveDeal","deal":{json}}}"#)));
        match (result, code) {
            (Ok(_), None) => {}
            (Err(e), Some(code)) => assert_eq!(e.code, code, "{json}: {}", e.message),
            (other, _) => panic!("{json}: {other:?}"),
        }
    }
    let e = Store::new()
        .run(command(
            r#"{"op":"saveDeal","deal":{"name":"D","stage":"won"}}"#,
        ))
        .unwrap_err();
    assert!(
        e.message
            .contains("Appointment scheduled, Qualified to buy"),
        "{}",
        e.message
    );
}

#[test]
fn a_deal_is_associated_and_its_amount_canonical() {
    let mut store = Store::new();
    let ann = save_contact(
        &mut store,
        r#"{"emails":["ann@acme.example"],"firstName":"Ann"}"#,
    )
    .unwrap();
    let acme = store.contact(&ann).company_id.unwrap();
    let w = store
        .run(command(&format!(
            r#"{{"op":"saveDeal","deal":{{"name":"Acme renewal","amount":" 1250.5 ","contactIds":["{ann}"],"companyId":"{acme}"}}}}"#
        )))
        .unwrap();
    let Some(AnyRecord::Deal(deal)) = w.result.record.clone() else {
        panic!()
    };
    assert_eq!(deal.amount.as_deref(), Some("1250.50"));
    assert_eq!(deal.currency.as_deref(), Some("USD"));
    assert_eq!(
        (deal.pipeline.as_str(), deal.stage.as_str()),
        ("default", "appointmentscheduled")
    );
    assert!(
        deal.search_keys.contains(&"acme".to_string()),
        "{:?}",
        deal.search_keys
    );
    // The deal's creation shows on the contact's and the company's timelines.
    for id in [&ann, &acme] {
        assert!(
            store
                .timeline_of(id)
                .iter()
                .any(|e| e.summary.contains("Acme renewal")),
            "{id}"
        );
    }
}

#[test]
fn a_saved_record_round_trips_as_the_worker_stores_it() {
    let mut store = Store::new();
    let id = save_contact(&mut store, r#"{"emails":["Zoë@Café.example"],"firstName":"Zoë","lastName":"Ørsted","custom":{"Favourite colour":"teal"}}"#).unwrap();
    let c = store.contact(&id);
    let json = serde_json::to_string(&AnyRecord::Contact(c.clone())).unwrap();
    assert!(
        json.contains(r#""emailKeys":["#) && !json.contains("\"kind\""),
        "{json}"
    );
    let back: AnyRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, AnyRecord::Contact(c.clone()));
    assert_eq!(c.sort_name, "zoe orsted");
    for key in ["zoe", "orsted"] {
        assert!(
            c.search_keys.contains(&key.to_string()),
            "{key}: {:?}",
            c.search_keys
        );
    }
    // The full name is no stored key (its first word is one), yet found.
    let hits = inlay_core::crm::rank("zoe ørsted", std::slice::from_ref(&back), 5);
    assert_eq!(hits.len(), 1);
    assert_eq!(c.email_keys, ["zoë@xn--caf-dma.example"]);
}

#[test]
fn renaming_a_company_makes_its_contacts_and_deals_findable_by_the_new_name() {
    let mut store = Store::new();
    let ann = save_contact(
        &mut store,
        r#"{"emails":["ann@acme.example"],"firstName":"Ann"}"#,
    )
    .unwrap();
    let acme = store.contact(&ann).company_id.unwrap();
    let deal = saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveDeal","deal":{{"name":"Renewal","companyId":"{acme}"}}}}"#
            )))
            .unwrap(),
    );
    let w = store
        .run(command(&format!(
            r#"{{"op":"saveCompany","company":{{"id":"{acme}","name":"Roadrunner Supplies","domains":["acme.example"]}}}}"#
        )))
        .unwrap();
    assert_eq!(w.put.contacts.len(), 1);
    assert_eq!(w.put.deals.len(), 1);
    assert!(
        store
            .contact(&ann)
            .search_keys
            .contains(&"roadrunner".to_string())
    );
    let Some(AnyRecord::Deal(d)) = store.records.get(&deal) else {
        panic!()
    };
    assert!(
        d.search_keys.contains(&"supplies".to_string()),
        "{:?}",
        d.search_keys
    );
    assert!(
        store
            .timeline_of(&ann)
            .iter()
            .any(|e| e.summary == "Updated name")
    );
    let records: Vec<AnyRecord> = store.records.values().cloned().collect();
    let hits = inlay_core::crm::rank("roadrunner", &records, 10);
    assert_eq!(hits.len(), 3, "{hits:?}");
}
