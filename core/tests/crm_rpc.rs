//! The CRM's page requests are checked by the core's schema: closed
//! (unknown fields refused), bounded (page sizes, chunk sizes, mappings),
//! and never from a content script.

use inlay_core::rpc::{Caller, PageRequest, Request, parse_request};

#[test]
fn crm_requests_parse_and_off_schema_ones_are_refused() {
    for json in [
        r#"{"type":"crmSearch","query":"ann"}"#,
        r#"{"type":"crmSearch","query":"ann","limit":20}"#,
        r#"{"type":"crmList","kind":"contacts","sort":"name","dir":"asc","offset":0,"limit":100}"#,
        r#"{"type":"crmList","kind":"deals","sort":"amount","dir":"desc","filter":{"stageStatus":"open","owner":""},"offset":200,"limit":200}"#,
        r#"{"type":"crmGet","record":"contact:ct_aaaaaaaaaaaaaaaa"}"#,
        r#"{"type":"crmTimeline","record":"deal:dl_aaaaaaaaaaaaaaaa","before":1780000000000,"limit":50}"#,
        r#"{"type":"crmSave","command":{"op":"saveContact","contact":{"emails":["ann@acme.example"]}}}"#,
        r#"{"type":"crmSave","command":{"op":"merge","keep":"contact:ct_aaaaaaaaaaaaaaaa","absorb":"contact:ct_bbbbbbbbbbbbbbbb"}}"#,
        r#"{"type":"crmBoard","pipeline":"default"}"#,
        r#"{"type":"crmTasks","filter":"overdue","offset":0,"limit":50}"#,
        r#"{"type":"crmImportChunk","importId":null,"index":0,"text":"Email\na@b.c\n"}"#,
        r#"{"type":"crmImportPreview","importId":"im_aaaaaaaaaaaaaaaa"}"#,
        r#"{"type":"crmImportRun","importId":"im_aaaaaaaaaaaaaaaa","mapping":["email",null,{"custom":"Favourite colour"}]}"#,
        r#"{"type":"crmExport","kind":"companies"}"#,
        r#"{"type":"crmSettings"}"#,
        r#"{"type":"crmTrash"}"#,
    ] {
        assert!(
            parse_request(Caller::ExtensionPage, json).is_ok(),
            "{json}: {:?}",
            parse_request(Caller::ExtensionPage, json)
        );
        assert!(
            parse_request(Caller::ContentScript, json).is_err(),
            "{json}"
        );
    }
    let big = format!(
        r#"{{"type":"crmImportChunk","importId":null,"index":0,"text":"{}"}}"#,
        "x".repeat(512 * 1024 + 1)
    );
    let long_query = format!(r#"{{"type":"crmSearch","query":"{}"}}"#, "q".repeat(201));
    let wide = format!(
        r#"{{"type":"crmImportRun","importId":"im_aaaaaaaaaaaaaaaa","mapping":[{}]}}"#,
        vec!["null"; 201].join(",")
    );
    for json in [
        r#"{"type":"crmSearch","query":"ann","admin":true}"#,
        r#"{"type":"crmList","kind":"contacts","sort":"name","dir":"asc","offset":0,"limit":201}"#,
        r#"{"type":"crmList","kind":"contacts","sort":"name","dir":"asc","offset":0,"limit":0}"#,
        r#"{"type":"crmList","kind":"contacts","sort":"name","dir":"asc","offset":0,"limit":10,"filter":{"where":"1=1"}}"#,
        r#"{"type":"crmGet","record":"contact:../../etc"}"#,
        r#"{"type":"crmGet","record":"ct_aaaaaaaaaaaaaaaa"}"#,
        r#"{"type":"crmSave","command":{"op":"dropDatabase"}}"#,
        r#"{"type":"crmSave","command":{"op":"saveContact","contact":{"emails":[],"id":"ct_aaaaaaaaaaaaaaaa","createdAt":1}}}"#,
        r#"{"type":"crmImportChunk","importId":null,"index":1,"text":"x"}"#,
        r#"{"type":"crmImportChunk","importId":"im_aaaaaaaaaaaaaaaa","index":200,"text":"x"}"#,
        r#"{"type":"crmImportPreview","importId":"../x"}"#,
        r#"{"type":"crmExport","kind":"secrets"}"#,
        big.as_str(),
        long_query.as_str(),
        wide.as_str(),
    ] {
        let err = parse_request(Caller::ExtensionPage, json).unwrap_err();
        assert!(
            matches!(err.code, "invalidMessage" | "tooLarge"),
            "{json}: {err:?}"
        );
    }
}

#[test]
fn a_save_carries_the_core_command() {
    let json = r#"{"type":"crmSave","command":{"op":"completeTask","task":"tk_aaaaaaaaaaaaaaaa"}}"#;
    let Ok(Request::ExtensionPage(PageRequest::CrmSave(arg))) =
        parse_request(Caller::ExtensionPage, json)
    else {
        panic!()
    };
    let back = serde_json::to_value(&arg.command).unwrap();
    assert_eq!(
        back,
        serde_json::json!({"op":"completeTask","task":"tk_aaaaaaaaaaaaaaaa","done":true})
    );
}
