//! The CRM binding: JSON text in and out, refusals thrown as `{code,
//! message}`, and diacritics folded through the JS `String.prototype
//! .normalize` (the module has no decomposition tables) as natively.

mod support;

use support::get;
use wasm_bindgen_test::wasm_bindgen_test;

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

const RANDOM: [u8; 32] = [9; 32];

#[wasm_bindgen_test]
fn a_contact_is_saved_in_two_phases() {
    inlay_wasm::install_url_parser();
    let command = r#"{"op":"saveContact","contact":{"emails":["ann@acme.example"],"firstName":"Zoë","lastName":"Ørsted"}}"#;
    let lookups = json(&inlay_wasm::crm_lookups(command).unwrap());
    assert_eq!(lookups["emailKeys"], json(r#"["ann@acme.example"]"#));
    assert_eq!(lookups["domains"], json(r#"["acme.example"]"#));
    let settings = inlay_wasm::crm_default_settings().unwrap();
    let writes = json(&inlay_wasm::crm_apply(command, "{}", &settings, 1.78e12, &RANDOM).unwrap());
    let contact = &writes["put"]["contacts"][0];
    assert_eq!(contact["sortName"], "zoe orsted");
    assert!(
        contact["searchKeys"]
            .as_array()
            .unwrap()
            .contains(&json(r#""orsted""#))
    );
    assert_eq!(writes["put"]["companies"][0]["name"], "Acme");
    assert_eq!(writes["put"]["timeline"].as_array().unwrap().len(), 2);
    assert_eq!(writes["result"]["created"], true);
}

#[wasm_bindgen_test]
fn a_refusal_is_thrown_with_its_code_and_words() {
    let settings = inlay_wasm::crm_default_settings().unwrap();
    let found = r#"{"contactsByEmailKey":[{"id":"ct_aaaaaaaaaaaaaaaa","emails":["ann@acme.example"],"emailKeys":["ann@acme.example"],"firstName":"Ann","lastName":"Lee","jobTitle":"","phone":"","companyId":null,"owner":null,"lifecycleStage":null,"leadStatus":null,"custom":{},"createdAt":1,"updatedAt":1,"lastActivityAt":null,"searchKeys":[],"sortName":"ann lee"}]}"#;
    let command = r#"{"op":"saveContact","contact":{"emails":["ANN@acme.example"]}}"#;
    let err = inlay_wasm::crm_apply(command, found, &settings, 1.0, &RANDOM).unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("duplicateAddress")
    );
    assert!(
        get(&err, "message")
            .as_string()
            .unwrap()
            .contains("Ann Lee")
    );
    // A command off the schema is an invalid argument, named.
    let err =
        inlay_wasm::crm_lookups(r#"{"op":"saveContact","contact":{"emails":[],"admin":true}}"#)
            .unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("invalidArgument")
    );
    // Too few random bytes is the shell's bug, said in words.
    let err = inlay_wasm::crm_apply(command, "{}", &settings, 1.0, &[1; 8]).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("needRandom"));
}

#[wasm_bindgen_test]
fn search_folds_diacritics_through_the_browser() {
    assert_eq!(
        inlay_wasm::crm_query_keys("  Zoë ÉLODIE straße").unwrap(),
        r#"["zoe","elodie","strasse"]"#
    );
    let candidates = r#"[{"id":"co_aaaaaaaaaaaaaaaa","name":"Société Générale","domains":["sg.example"],"owner":null,"createdAt":1,"updatedAt":1,"lastActivityAt":null,"searchKeys":["societe generale","societe","generale"],"sortName":"societe generale"}]"#;
    let hits = json(&inlay_wasm::crm_rank("soc gén", candidates, 10).unwrap());
    assert_eq!(hits[0]["record"], "company:co_aaaaaaaaaaaaaaaa");
    assert_eq!(hits[0]["matched"], "name");
}

#[wasm_bindgen_test]
fn settings_defaults_policy_and_sums() {
    let defaults = json(&inlay_wasm::crm_default_settings().unwrap());
    assert_eq!(defaults["pipelines"][0]["stages"][5]["name"], "Closed won");
    let reading = json(
        &inlay_wasm::crm_read_settings(
            None,
            r#"{"crmOwners":[{"id":"ann","name":"Ann"},{"name":42}]}"#,
        )
        .unwrap(),
    );
    assert_eq!(reading["settings"]["owners"][0]["id"], "ann");
    assert_eq!(reading["ignored"].as_array().unwrap().len(), 1);
    assert_eq!(
        inlay_wasm::crm_sum_amounts(r#"["0.1","0.2","1250"]"#).unwrap(),
        "1250.30"
    );
}

#[wasm_bindgen_test]
fn csv_preview_import_and_export_cross_as_json() {
    let text = "First Name,Email,Lifecycle Stage\nZoë,zoe@acme.example,Lead\nBad,nope,\n";
    let preview = json(&inlay_wasm::crm_csv_preview(text).unwrap());
    assert_eq!(
        preview["suggestedMapping"],
        json(r#"["firstName","email","lifecycleStage"]"#)
    );
    assert_eq!(preview["rowCount"], 2);
    let settings = inlay_wasm::crm_default_settings().unwrap();
    let result = json(
        &inlay_wasm::crm_csv_import(
            text,
            r#"["firstName","email","lifecycleStage"]"#,
            "{}",
            &settings,
            1.78e12,
            &RANDOM,
        )
        .unwrap(),
    );
    assert_eq!(result["imported"], 1);
    assert_eq!(result["skipped"][0]["line"], 3);
    let contacts = result["writes"]["put"]["contacts"].to_string();
    let file =
        json(&inlay_wasm::crm_csv_export("contacts", &contacts, &settings, 1.78e12).unwrap());
    assert!(
        file["text"]
            .as_str()
            .unwrap()
            .contains("Zoë,,zoe@acme.example"),
        "{file}"
    );
    // A 1,000-column file is refused in words.
    let wide = (0..1000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let err = inlay_wasm::crm_csv_preview(&wide).unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("csvTooManyColumns")
    );
    assert!(
        get(&err, "message")
            .as_string()
            .unwrap()
            .contains("at most 200")
    );
}

#[wasm_bindgen_test]
fn the_worker_s_own_refusals_ids_and_cutoffs_come_from_the_core() {
    let id = inlay_wasm::crm_new_import_id(&RANDOM).unwrap();
    assert!(id.starts_with("im_") && id.len() == 19, "{id}");
    let e = json(&inlay_wasm::crm_import_not_found(&id).unwrap());
    assert_eq!(e["code"], "importNotFound");
    let e = json(&inlay_wasm::crm_not_found("deal:dl_aaaaaaaaaaaaaaaa").unwrap());
    assert_eq!(e["code"], "notFound");
    assert!(e["message"].as_str().unwrap().contains("deal"));
    assert_eq!(
        json(&inlay_wasm::crm_not_found("nonsense").unwrap())["code"],
        "invalidId"
    );
    let day = 86_400_000.0;
    assert_eq!(inlay_wasm::crm_trash_cutoff(100.0 * day), 70.0 * day);
    assert_eq!(inlay_wasm::crm_import_cutoff(100.0 * day), 93.0 * day);
}

#[wasm_bindgen_test]
fn a_sent_email_crosses_as_json_and_is_logged_once() {
    inlay_wasm::install_url_parser();
    let settings = inlay_wasm::crm_default_settings().unwrap();
    let email = r#"{"messageId":"<m1@inlay.example>","inbox":"me@inlay.example","from":"me@inlay.example","to":[{"address":"Ann@Acme.example","name":"Ann"}],"subject":"Hi","sentAt":1780000000000}"#;
    let first = json(&inlay_wasm::crm_sent_email_lookups(email, &settings, None).unwrap());
    assert_eq!(first["emailKeys"], json(r#"["ann@acme.example"]"#));
    let entry = first["timelineIds"][0].as_str().unwrap().to_string();
    assert!(entry.starts_with("tl_"), "{entry}");
    let contact = r#"{"id":"ct_aaaaaaaaaaaaaaaa","emails":["ann@acme.example"],"emailKeys":["ann@acme.example"],"firstName":"Ann","lastName":"","jobTitle":"","phone":"","companyId":null,"owner":null,"lifecycleStage":null,"leadStatus":null,"custom":{},"createdAt":1,"updatedAt":1,"lastActivityAt":null,"searchKeys":["ann"],"sortName":"ann"}"#;
    let found = format!(r#"{{"contactsByEmailKey":[{contact}]}}"#);
    let second = json(&inlay_wasm::crm_sent_email_lookups(email, &settings, Some(found.clone())).unwrap());
    assert_eq!(second["relatedOf"], json(r#"["contact:ct_aaaaaaaaaaaaaaaa"]"#));
    let writes = json(&inlay_wasm::crm_log_sent_email(email, &found, &settings, 1.79e12, &RANDOM).unwrap());
    assert_eq!(writes["put"]["timeline"][0]["id"], entry.as_str());
    assert_eq!(writes["put"]["timeline"][0]["kind"], "emailSent");
    assert_eq!(writes["put"]["contacts"][0]["lastActivityAt"], 1780000000000u64);
    // Logged already: nothing to write.
    let again = format!(r#"{{"contactsByEmailKey":[{contact}],"timeline":[{}]}}"#, writes["put"]["timeline"][0]);
    let writes = json(&inlay_wasm::crm_log_sent_email(email, &again, &settings, 1.79e12, &RANDOM).unwrap());
    assert_eq!(writes["put"]["timeline"], json("[]"));
    // No usable Message-ID: thrown with its code.
    let err = inlay_wasm::crm_log_sent_email(r#"{"messageId":"<>","inbox":"a@b.example","from":"a@b.example","sentAt":1}"#, "{}", &settings, 1.0, &RANDOM).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalidArgument"));
}
