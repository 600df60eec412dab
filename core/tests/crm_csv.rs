//! CSV: HubSpot's columns map by themselves, bad rows are listed with their
//! line number and reason, whole files Inlay does not import are refused in
//! words, and export → import gives the same records.

mod crm_store;

use crm_store::{NOW, Store, command};
use inlay_core::crm::csv_columns::CsvField;
use inlay_core::crm::csv_export::{ExportKind, export};
use inlay_core::crm::csv_import::{ExistingCompany, ImportExisting, import, preview};
use inlay_core::crm::settings::Owner;
use inlay_core::crm::{AnyRecord, CrmErrorCode, CrmSettings, default_settings};

fn settings() -> CrmSettings {
    CrmSettings {
        owners: vec![Owner {
            id: "ann".into(),
            name: "Ann Owner".into(),
            email: Some("ann@inlay.example".into()),
        }],
        ..default_settings()
    }
}

const HUBSPOT: &str = "\u{feff}Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Lifecycle Stage,Lead Status,Contact owner,Create Date,Favourite colour\r\n\
1,Ada,Lovelace,ada@analytical.example,+44 20 7946 0000,Analytical Engines,Countess,Lead,New,Ann Owner,2024-01-01,teal\r\n\
2,Grace,Hopper,grace@navy.example,,US Navy,Rear Admiral,Customer,,,2024-01-02,\"blue,\nthen green\"\r\n\
3,Bad,Address,not-an-address,,,,,,,2024-01-03,\r\n\
4,Ada,Again,ADA@analytical.example,,,,,,,2024-01-04,\r\n\
5,Linus,,linus@gmail.com,,Linux Foundation,,Opportunity,,ann@inlay.example,2024-01-05,\r\n\
6,Too,Many,too@many.example,,,,,,,2024-01-06,x,extra\r\n\
7,Eve,Stage,eve@eve.example,,,,Prospect,,,2024-01-07,\r\n\
8,Owen,Owner,owen@owen.example,,,,,,Somebody Else,2024-01-08,\r\n\
9,Known,Person,known@acme.example,,,,,,,2024-01-09,\r\n\
10,Phone,Bad,pb@pb.example,call me,,,,,,2024-01-10,\r\n";

#[test]
fn hubspot_columns_map_by_themselves() {
    let p = preview(HUBSPOT).unwrap();
    assert_eq!(p.row_count, 10);
    assert_eq!(p.columns[0], "Record ID");
    use CsvField::*;
    assert_eq!(
        p.suggested_mapping,
        vec![
            None,
            Some(FirstName),
            Some(LastName),
            Some(Email),
            Some(Phone),
            Some(CompanyName),
            Some(JobTitle),
            Some(LifecycleStage),
            Some(LeadStatus),
            Some(Owner),
            None,
            Some(Custom("Favourite colour".into())),
        ]
    );
    assert_eq!(p.sample_rows.len(), 5);
    assert_eq!(p.sample_rows[1][11], "blue,\nthen green");
}

#[test]
fn bad_rows_are_listed_with_their_line_and_reason_and_good_rows_imported() {
    let p = preview(HUBSPOT).unwrap();
    let existing = ImportExisting {
        email_keys: vec!["known@acme.example".into()],
        companies: vec![ExistingCompany {
            id: "co_aaaaaaaaaaaaaaaa".into(),
            name: "Navy".into(),
            domains: vec!["navy.example".into()],
        }],
    };
    let result = import(
        HUBSPOT,
        &p.suggested_mapping,
        &existing,
        &settings(),
        NOW,
        &[3; 32],
    )
    .unwrap();
    let skipped: Vec<(u64, &str)> = result
        .skipped
        .iter()
        .map(|s| (s.line, s.reason.as_str()))
        .collect();
    // Grace's colour spans lines 3-4, so every later row is one line down.
    let want: [(u64, &str); 7] = [
        (5, "has no @"),
        (6, "already on line 2"),
        (8, "has 13 values but the header has 12 columns"),
        (9, "\"Prospect\" is not a lifecycle stage"),
        (10, "the owner \"Somebody Else\" is not one of the owners"),
        (11, "known@acme.example is already a contact"),
        (12, "not a phone number"),
    ];
    assert_eq!(skipped.len(), want.len(), "{skipped:#?}");
    for ((line, reason), (want_line, want_words)) in skipped.iter().zip(want) {
        assert_eq!(*line, want_line, "{reason}");
        assert!(reason.contains(want_words), "line {line}: {reason}");
    }
    assert_eq!(result.imported, 3);
    let contacts = &result.writes.put.contacts;
    let ada = contacts.iter().find(|c| c.first_name == "Ada").unwrap();
    assert_eq!(ada.owner.as_deref(), Some("ann"));
    assert_eq!(ada.lifecycle_stage.as_deref(), Some("lead"));
    assert_eq!(ada.lead_status.as_deref(), Some("NEW"));
    assert_eq!(
        ada.custom.get("Favourite colour").map(String::as_str),
        Some("teal")
    );
    // Grace joins the existing company of her domain; Ada's company is made
    // with the file's name for it; Linus (gmail) gets his by name.
    let grace = contacts.iter().find(|c| c.first_name == "Grace").unwrap();
    assert_eq!(grace.company_id.as_deref(), Some("co_aaaaaaaaaaaaaaaa"));
    assert_eq!(
        grace.custom.get("Favourite colour").map(String::as_str),
        Some("blue,\nthen green")
    );
    let names: Vec<&str> = result
        .writes
        .put
        .companies
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Analytical Engines", "Linux Foundation"]);
    assert_eq!(result.writes.put.companies[1].domains, Vec::<String>::new());
    // Each imported contact has its entry, naming the file's line.
    let imported: Vec<_> = result
        .writes
        .put
        .timeline
        .iter()
        .filter(|e| e.kind == "imported")
        .collect();
    assert_eq!(imported.len(), 3);
}

#[test]
fn files_inlay_does_not_import_are_refused_in_words() {
    let wide = (0..1000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    let e = preview(&wide).unwrap_err();
    assert_eq!(e.code, CrmErrorCode::CsvTooManyColumns);
    assert!(
        e.message.contains("1000 columns") && e.message.contains("at most 200"),
        "{}",
        e.message
    );

    let mut tall = String::from("Email\n");
    for i in 0..100_001 {
        tall.push_str(&format!("p{i}@x.example\n"));
    }
    let e = preview(&tall).unwrap_err();
    assert_eq!(e.code, CrmErrorCode::CsvTooManyRows);
    assert!(e.message.contains("100000"), "{}", e.message);

    for (text, code) in [
        ("PK\u{3}\u{4}\0\0binary", CrmErrorCode::CsvNotCsv),
        ("", CrmErrorCode::CsvEmpty),
        ("\n\n", CrmErrorCode::CsvEmpty),
        ("Email,Name\n", CrmErrorCode::CsvEmpty),
    ] {
        match preview(text) {
            Err(e) => assert_eq!(e.code, code, "{text:?}: {}", e.message),
            Ok(p) => panic!("{text:?}: {p:?}"),
        }
    }

    let text = "Email,Name\na@b.example,A\n";
    let s = default_settings();
    for (mapping, words) in [
        (
            vec![Some(CsvField::Email)],
            "has 1 entries but the file has 2 columns",
        ),
        (
            vec![Some(CsvField::Email), Some(CsvField::Email)],
            "Two columns are mapped to Email",
        ),
        (
            vec![None, Some(CsvField::JobTitle)],
            "Map a column to Email",
        ),
    ] {
        let e = import(
            text,
            &mapping,
            &ImportExisting::default(),
            &s,
            NOW,
            &[1; 32],
        )
        .unwrap_err();
        assert_eq!(e.code, CrmErrorCode::CsvMapping);
        assert!(e.message.contains(words), "{}", e.message);
    }
}

#[test]
fn export_then_import_gives_the_same_records() {
    let mut store = Store::new();
    store.settings = Some(settings());
    for json in [
        r#"{"emails":["ada@analytical.example","countess@analytical.example"],"firstName":"Ada","lastName":"Lovelace","phone":"+44 20 7946 0000","jobTitle":"Countess","owner":"ann","lifecycleStage":"lead","leadStatus":"OPEN_DEAL","custom":{"Favourite colour":"teal","Notes, long":"a \"quoted\"\nline"}}"#,
        r#"{"emails":["grace@navy.example"],"firstName":"Grace","lastName":"Hopper"}"#,
        r#"{"emails":["zoe@gmail.com"],"firstName":"Zoë","lastName":"=HYPERLINK(\"http://evil.example\")"}"#,
        r#"{"firstName":"No","lastName":"Address"}"#,
    ] {
        store
            .run(command(&format!(
                r#"{{"op":"saveContact","contact":{json}}}"#
            )))
            .unwrap();
    }
    let records: Vec<AnyRecord> = store.records.values().cloned().collect();
    let file = export(ExportKind::Contacts, &records, &settings(), NOW).unwrap();
    assert_eq!(file.filename, "inlay-contacts-2026-05-28.csv");
    assert!(file.text.contains("'=HYPERLINK"), "{}", file.text);
    assert!(file.text.starts_with("First Name,Last Name,Email,Additional email addresses,Phone Number,Job Title,Company Name,Company Domain Name,Contact owner,Lifecycle Stage,Lead Status,Favourite colour,\"Notes, long\"\r\n"), "{}", file.text);

    let p = preview(&file.text).unwrap();
    assert!(
        p.suggested_mapping.iter().all(Option::is_some),
        "{:?}",
        p.suggested_mapping
    );
    let again = import(
        &file.text,
        &p.suggested_mapping,
        &ImportExisting::default(),
        &settings(),
        NOW,
        &[5; 32],
    )
    .unwrap();
    assert!(again.skipped.is_empty(), "{:?}", again.skipped);
    let strip = |c: &inlay_core::crm::Contact| {
        let mut c = c.clone();
        c.id.clear();
        c.company_id = c.company_id.map(|_| String::new());
        c.created_at = 0;
        c.updated_at = 0;
        c
    };
    let mut before: Vec<_> = store.contacts().iter().map(strip).collect();
    let mut after: Vec<_> = again.writes.put.contacts.iter().map(strip).collect();
    before.sort_by(|a, b| a.sort_name.cmp(&b.sort_name));
    after.sort_by(|a, b| a.sort_name.cmp(&b.sort_name));
    assert_eq!(before, after);
    let names = |cs: Vec<inlay_core::crm::Company>| {
        let mut v: Vec<(String, Vec<String>)> =
            cs.into_iter().map(|c| (c.name, c.domains)).collect();
        v.sort();
        v
    };
    assert_eq!(
        names(store.companies()),
        names(again.writes.put.companies.clone())
    );
}

#[test]
fn line_numbers_count_the_file_s_lines_with_lf_or_crlf() {
    for eol in ["\n", "\r\n"] {
        let text = [
            "Email,Note",
            "bad,x",
            "ok@x.example,\"two",
            "lines\"",
            "",
            "also bad,y",
        ]
        .join(eol)
            + eol;
        let mapping = [Some(CsvField::Email), Some(CsvField::Custom("Note".into()))];
        let r = import(
            &text,
            &mapping,
            &ImportExisting::default(),
            &default_settings(),
            NOW,
            &[2; 32],
        )
        .unwrap();
        let lines: Vec<u64> = r.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 6], "{eol:?}: {:?}", r.skipped);
        assert_eq!(r.imported, 1);
    }
}

#[test]
fn every_imported_contact_is_on_one_imported_entry_of_its_company() {
    // 250 contacts at one company (from their domain), 3 at a free-mail
    // domain (no company) and one alone: an entry per company of at most
    // 100 contacts, one for the contacts without a company, and a single
    // contact's entry names it and its line.
    let mut text = String::from("First Name,Last Name,Email\n");
    for i in 0..250 {
        text.push_str(&format!("P{i},Acme,p{i}@acme.example\n"));
        if i % 100 == 7 {
            text.push_str(&format!("F{i},Free,f{i}@gmail.com\n"));
        }
    }
    text.push_str("Solo,Person,solo@solo.example\n");
    let mapping = preview(&text).unwrap().suggested_mapping;
    let r = import(
        &text,
        &mapping,
        &ImportExisting::default(),
        &default_settings(),
        NOW,
        &[5; 32],
    )
    .unwrap();
    assert_eq!(r.imported, 254);
    let imported: Vec<_> = r
        .writes
        .put
        .timeline
        .iter()
        .filter(|e| e.kind == "imported")
        .collect();
    let summaries: Vec<&str> = imported.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Imported from a CSV file: 100 contacts at Acme",
            "Imported from a CSV file: 100 contacts at Acme",
            "Imported from a CSV file: 50 contacts at Acme",
            "Imported from a CSV file: 3 contacts",
            "Imported from a CSV file: Solo Person",
        ]
    );
    for c in &r.writes.put.contacts {
        let on: Vec<_> = imported
            .iter()
            .filter(|e| {
                e.records
                    .iter()
                    .any(|x| x.to_string() == format!("contact:{}", c.id))
            })
            .collect();
        assert_eq!(
            on.len(),
            1,
            "{} is on {} imported entries",
            c.first_name,
            on.len()
        );
        // The entry names the contact's company too (and no other).
        let companies: Vec<String> = on[0]
            .records
            .iter()
            .map(|x| x.to_string())
            .filter(|x| x.starts_with("company:"))
            .collect();
        assert_eq!(
            companies,
            c.company_id
                .iter()
                .map(|id| format!("company:{id}"))
                .collect::<Vec<_>>(),
            "{}",
            c.first_name
        );
    }
    let solo = imported.last().unwrap();
    assert_eq!(solo.records.len(), 2, "the contact and its company");
    assert_eq!(solo.data["line"], inlay_core::crm::DataValue::Number(255.0));
    assert_eq!(
        imported[0].data["line"],
        inlay_core::crm::DataValue::Number(2.0)
    );
}

#[test]
fn a_large_import_is_one_pass() {
    // 10,000 rows, each with its own company domain and half of them at a
    // company already in the store: no row's company is found by scanning.
    let rows = 10_000;
    let mut text = String::from("First Name,Email,Company Name\n");
    let mut companies = vec![];
    for i in 0..rows {
        text.push_str(&format!("P{i},p{i}@c{i}.example,Company {i}\n"));
        if i % 2 == 0 {
            companies.push(ExistingCompany {
                id: format!("co_{:a>16}", ""),
                name: format!("Company {i}"),
                domains: vec![format!("c{i}.example")],
            });
        }
    }
    let existing = ImportExisting {
        email_keys: vec![],
        companies,
    };
    let mapping = preview(&text).unwrap().suggested_mapping;
    let started = std::time::Instant::now();
    let r = import(
        &text,
        &mapping,
        &existing,
        &default_settings(),
        NOW,
        &[4; 32],
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(r.imported as usize, rows);
    assert_eq!(r.writes.put.companies.len(), rows / 2);
    // Each new company's entry, and the imported entries: one per new
    // company (its one contact) and one per 100 contacts of the existing
    // company (all the existing ones share one id here).
    assert_eq!(
        r.writes.put.timeline.len(),
        rows / 2 + rows / 2 + rows / 2 / 100
    );
    eprintln!("imported {rows} rows in {took:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever the names and properties hold (quotes, commas, semicolons,
    /// formula signs, a leading apostrophe, accents, line breaks in custom
    /// values), export then import gives the same contacts.
    #[test]
    fn export_then_import_round_trips_any_text(
        people in proptest::collection::vec(
            (
                "[A-Za-zéØ'=+@,;\" -]{0,12}",
                "[A-Za-zß'=+@,;\" -]{0,12}",
                "[a-z]{1,8}",
                "[A-Za-z0-9'=+@,;\"\n -]{0,16}",
            ),
            1..6,
        )
    ) {
        let mut store = Store::new();
        for (i, (first, last, local, note)) in people.iter().enumerate() {
            let json = serde_json::json!({
                "op": "saveContact",
                "contact": {"emails": [format!("{local}{i}@gmail.com")], "firstName": first, "lastName": last, "custom": {"Note": note}},
            });
            store.run(serde_json::from_value(json).unwrap()).unwrap();
        }
        let records: Vec<AnyRecord> = store.records.values().cloned().collect();
        let file = export(ExportKind::Contacts, &records, &default_settings(), NOW).unwrap();
        let p = preview(&file.text).unwrap();
        let again = import(&file.text, &p.suggested_mapping, &ImportExisting::default(), &default_settings(), NOW, &[6; 32]).unwrap();
        proptest::prop_assert!(again.skipped.is_empty(), "{:?}", again.skipped);
        let strip = |c: &inlay_core::crm::Contact| (c.first_name.clone(), c.last_name.clone(), c.emails.clone(), c.custom.clone(), c.search_keys.clone());
        let mut before: Vec<_> = store.contacts().iter().map(strip).collect();
        let mut after: Vec<_> = again.writes.put.contacts.iter().map(strip).collect();
        before.sort();
        after.sort();
        proptest::prop_assert_eq!(before, after);
    }
}

#[test]
fn companies_and_deals_export_with_hubspot_s_names() {
    let mut store = Store::new();
    store.settings = Some(settings());
    let ann = store
        .run(command(
            r#"{"op":"saveContact","contact":{"emails":["ann@acme.example"],"firstName":"Ann"}}"#,
        ))
        .unwrap();
    let ann = ann.result.record.unwrap().id().to_string();
    let acme = store.contact(&ann).company_id.unwrap();
    store
        .run(command(&format!(
            r#"{{"op":"saveDeal","deal":{{"name":"Rockets, \"big\"","stage":"contractsent","amount":"1250.5","currency":"EUR","closeDate":"2026-06-30","owner":"ann","companyId":"{acme}","contactIds":["{ann}"]}}}}"#
        )))
        .unwrap();
    let records: Vec<AnyRecord> = store.records.values().cloned().collect();
    let companies = export(ExportKind::Companies, &records, &settings(), NOW).unwrap();
    assert_eq!(companies.filename, "inlay-companies-2026-05-28.csv");
    assert_eq!(
        companies.text,
        "Name,Company Domain Name,Additional Domains,Company owner\r\nAcme,acme.example,,\r\n"
    );
    let deals = export(ExportKind::Deals, &records, &settings(), NOW).unwrap();
    assert_eq!(
        deals.text,
        "Deal Name,Pipeline,Deal Stage,Amount,Currency,Close Date,Deal owner,Associated Company,Associated Contacts\r\n\
         \"Rockets, \"\"big\"\"\",Sales Pipeline,Contract sent,1250.50,EUR,2026-06-30,Ann Owner,Acme,ann@acme.example\r\n"
    );
}
