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

use std::path::{Path, PathBuf};
use std::process::Command;

use inlay_core::ews::{
    Credentials, Folder, ItemId, Page, find_items, get_mime, send_mime, sync_items,
    verify_connection,
};

const XMLLINT: &str = "/usr/bin/xmllint";
const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

fn contracts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/contracts/ews")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ews")
}

/// Builds the schema folder once per test (tests run in parallel, so each
/// gets its own) and returns the wrapper schema's path.
fn schema_dir(tag: &str) -> PathBuf {
    assert!(
        Path::new(XMLLINT).exists(),
        "{XMLLINT} is missing: install Debian's libxml2-utils (the build script does) to run the EWS schema checks"
    );
    let contracts = contracts();
    let dir = std::env::temp_dir().join(format!("inlay-ews-xsd-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let read = |name: &str| {
        let path = contracts.join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let types = read("types.xsd");
    let types = types.trim_start_matches('\u{feff}');
    let import = r#"<xs:import namespace="http://www.w3.org/XML/1998/namespace"/>"#;
    assert!(
        types.contains(import),
        "types.xsd changed: xml: import not found"
    );
    let mut types = types.replace(
        import,
        r#"<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="xml.xsd"/>"#,
    );
    for member in ["AbsoluteDate", "RecurringDay", "RecurringDate"] {
        let line = format!(
            r#"<xs:element ref="t:{member}Transition" minOccurs="0" maxOccurs="unbounded" />"#
        );
        assert!(types.contains(&line), "types.xsd changed: {line} not found");
        types = types.replace(&line, "");
    }
    std::fs::write(dir.join("types.xsd"), types).unwrap();
    std::fs::write(dir.join("messages.xsd"), read("messages.xsd")).unwrap();
    for name in ["xml.xsd", "soap-envelope.xsd"] {
        std::fs::copy(fixtures().join(name), dir.join(name)).unwrap();
    }
    dir
}

/// Validates files; panics with xmllint's report if any fails.
fn validate(dir: &Path, files: &[PathBuf]) {
    let output = Command::new(XMLLINT)
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(dir.join("soap-envelope.xsd"))
        .args(files)
        .output()
        .expect("xmllint runs");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schema validation failed:\n{report}"
    );
    for file in files {
        assert!(
            report.contains(&format!("{} validates", file.display())),
            "{} not reported valid:\n{report}",
            file.display()
        );
    }
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
        ("find-item", find_items(URL, &creds, Folder::Inbox, page)),
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
    let (_, body) = requests().remove(2);
    // BasePoint must be Beginning or End.
    let broken = body.replace("BasePoint=\"Beginning\"", "BasePoint=\"Middle\"");
    let path = dir.join("broken.xml");
    std::fs::write(&path, broken).unwrap();
    let output = Command::new(XMLLINT)
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.join("soap-envelope.xsd"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "a broken request passed validation"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
