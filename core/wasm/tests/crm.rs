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
