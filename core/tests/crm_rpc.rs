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
        r#"{"type":"crmList","kind":"contacts","sort":"name","dir":"asc","offset":0,"limit":10,"filter":"all"}"#,
        r#"{"type":"crmGet","record":"contact:../../etc"}"#,
        r#"{"type":"crmGet","record":"ct_aaaaaaaaaaaaaaaa"}"#,
        r#"{"type":"crmSave","command":{"contact":{}}}"#,
        r#"{"type":"crmSave","command":"saveContact"}"#,
        r#"{"type":"crmSaveSettings","settings":[]}"#,
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
fn the_nested_values_are_refused_off_schema_by_the_crm_module() {
    // The start module checks the envelope; the worker's first call into
    // the crm module reads the nested value with its closed schema, before
    // anything is read or written (rpc/crm.rs, module comment).
    use inlay_core::crm::csv_columns::CsvField;
    use inlay_core::crm::filter::CrmFilter;
    use inlay_core::crm::wire::read;
    use inlay_core::crm::{CrmCommand, CrmErrorCode, CrmSettings};
    for json in [
        r#"{"type":"crmSave","command":{"op":"dropDatabase"}}"#,
        r#"{"type":"crmSave","command":{"op":"saveContact","contact":{"emails":[],"id":"ct_aaaaaaaaaaaaaaaa","createdAt":1}}}"#,
        r#"{"type":"crmSave","command":{"op":"delete","record":"contact:../x"}}"#,
    ] {
        let Ok(Request::ExtensionPage(PageRequest::CrmSave(arg))) =
            parse_request(Caller::ExtensionPage, json)
        else {
            panic!("{json}")
        };
        let e = read::<CrmCommand>(&serde_json::to_string(&arg.command).unwrap(), "command")
            .unwrap_err();
        assert_eq!(e.code, CrmErrorCode::InvalidArgument, "{json}");
        assert!(
            e.message
                .starts_with("The argument command doesn't have the expected shape"),
            "{}",
            e.message
        );
    }
    assert!(read::<CrmFilter>(r#"{"where":"1=1"}"#, "filter").is_err());
    assert!(
        read::<CrmSettings>(
            r#"{"owners":[],"pipelines":[],"currency":"USD","admin":true}"#,
            "settings"
        )
        .is_err()
    );
    assert!(read::<Vec<Option<CsvField>>>(r#"["email","password"]"#, "mapping").is_err());
    let ok = r#"{"type":"crmSave","command":{"op":"completeTask","task":"tk_aaaaaaaaaaaaaaaa"}}"#;
    let Ok(Request::ExtensionPage(PageRequest::CrmSave(arg))) =
        parse_request(Caller::ExtensionPage, ok)
    else {
        panic!()
    };
    let command: CrmCommand =
        read(&serde_json::to_string(&arg.command).unwrap(), "command").unwrap();
    assert_eq!(
        serde_json::to_value(&command).unwrap(),
        serde_json::json!({"op":"completeTask","task":"tk_aaaaaaaaaaaaaaaa","done":true})
    );
}
