//! Contract checks: every SOAP request the core plans, and every canned EWS
//! response fixture, validates against /work/shared/contracts/ews/messages.xsd
//! (via `xmllint`, which must be installed: the test fails without it).
//!
//! The contract files are read-only; a temp copy is prepared per run:
//! - `types.xsd` loses its BOM and gets `schemaLocation="xml.xsd"` for the
//!   xml: namespace import (our own copy of the W3C attributes);
//! - `ArrayOfTransitionsType` keeps only its `t:Transition` particle: the
//!   three sibling refs are members of Transition's substitution group, which
//!   libxml2 rejects as non-deterministic. Time-zone transitions are not
//!   used by Inlay, and the head element still admits all members.
//! - `soap-envelope.xsd` (fixture) wraps header and body, validating their
//!   children strictly against the EWS elements.

#[path = "support/ews_schema.rs"]
mod ews_schema_support;

use std::path::{Path, PathBuf};

use inlay_core::provider::ews::{
    Credentials, Folder, ItemId, LOOKUP_FOLDERS, Page, delete_item, find_by_message_id, find_items,
    get_headers_request, get_mime, save_draft, send_item, send_mime, send_mime_at,
    sync_headers_request, sync_items, verify_connection,
};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ews")
}

fn schema_dir(tag: &str) -> PathBuf {
    ews_schema_support::schema_dir(&repo(), tag)
}

fn validate(dir: &Path, files: &[PathBuf]) {
    ews_schema_support::validate_files(dir, files)
}

fn requests() -> Vec<(&'static str, String)> {
    let creds = Credentials::new("ana", "pw");
    let ids = [
        ItemId {
            id: "AAMk<1>&".into(),
            change_key: Some("CQ\"1".into()),
        },
        ItemId {
            id: "AAMk2".into(),
            change_key: None,
        },
    ];
    let page = Page {
        max_entries: 50,
        offset: 0,
        from_end: false,
    };
    [
        ("get-folder", verify_connection(URL, &creds)),
        (
            "create-item",
            send_mime(URL, &creds, "Subject: é & <ok>\r\n\r\nhi".as_bytes()),
        ),
        (
            "create-item-deferred",
            send_mime_at(
                URL,
                &creds,
                b"Subject: later\r\n\r\nhi",
                Some(1_796_463_018_000),
            ),
        ),
        (
            "create-item-save-only-deferred",
            save_draft(
                URL,
                &creds,
                "Subject: é & <ok>\r\n\r\nhi".as_bytes(),
                Some(1_796_463_018_000),
            ),
        ),
        ("send-item", send_item(URL, &creds, &ids[0])),
        ("send-item-no-change-key", send_item(URL, &creds, &ids[1])),
        ("delete-item", delete_item(URL, &creds, &ids[0])),
        (
            "find-item-outbox",
            find_by_message_id(URL, &creds, &[Folder::Outbox], "<a@inlay.example>"),
        ),
        ("find-item", find_items(URL, &creds, Folder::Inbox, page)),
        (
            "find-item-message-id",
            find_by_message_id(URL, &creds, &LOOKUP_FOLDERS, "<a&b\"c@inlay.example>"),
        ),
        (
            "find-item-sent",
            find_items(
                URL,
                &creds,
                Folder::SentItems,
                Page {
                    from_end: true,
                    ..page
                },
            ),
        ),
        ("get-item", get_mime(URL, &creds, &ids)),
        (
            "sync-first",
            sync_items(URL, &creds, Folder::Inbox, None, 512),
        ),
        (
            "sync-next",
            sync_items(URL, &creds, Folder::Inbox, Some("H4sI<&>"), 100),
        ),
        // The sync planner's (`ews/sync.rs`).
        (
            "sync-headers-first",
            sync_headers_request(URL, &creds, "sentitems", None),
        ),
        (
            "sync-headers-next",
            sync_headers_request(URL, &creds, "inbox", Some("H4sI<&>")),
        ),
        (
            "get-headers",
            get_headers_request(URL, &creds, &["AAMk<1>&".into(), "AAMk2".into()]),
        ),
    ]
    .into_iter()
    .map(|(name, request)| (name, request.body.unwrap()))
    .collect()
}

#[test]
fn every_planned_request_validates_against_messages_xsd() {
    let dir = schema_dir("requests");
    let files: Vec<PathBuf> = requests()
        .into_iter()
        .map(|(name, body)| {
            let path = dir.join(format!("request-{name}.xml"));
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect();
    validate(&dir, &files);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_response_fixture_validates_against_messages_xsd() {
    let dir = schema_dir("responses");
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "fixtures missing: {files:?}");
    validate(&dir, &files);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_check_rejects_a_request_that_breaks_the_contract() {
    let dir = schema_dir("negative");
    let (_, body) = requests()
        .into_iter()
        .find(|(name, _)| *name == "find-item")
        .unwrap();
    // BasePoint must be Beginning or End.
    let broken = body.replace("BasePoint=\"Beginning\"", "BasePoint=\"Middle\"");
    let path = dir.join("broken.xml");
    std::fs::write(&path, broken).unwrap();
    // Rejected by the schema itself: xmllint ran, named the file and the value.
    let (valid, report) = ews_schema_support::xmllint(&dir, std::slice::from_ref(&path));
    assert!(!valid, "a broken request passed validation:\n{report}");
    assert!(
        report.contains(&format!("{} fails to validate", path.display())),
        "{report}"
    );
    assert!(report.contains("'Middle'"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
