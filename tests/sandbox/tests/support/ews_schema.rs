//! Prepares a temp copy of the EWS schemas for xmllint (as core/tests/ews_schema.rs does):
//! `types.xsd` loses its BOM and gets `schemaLocation="xml.xsd"` for the xml: import,
//! `ArrayOfTransitionsType` keeps only `t:Transition` (libxml2 rejects the substitution
//! group siblings as non-deterministic), and `soap-envelope.xsd` (core fixture) wraps
//! header and body children strictly against the EWS elements.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const XMLLINT: &str = "/usr/bin/xmllint";

fn contracts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contracts/ews")
}

fn core_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/tests/fixtures/ews")
}

pub fn schema_dir(tag: &str) -> PathBuf {
    assert!(
        Path::new(XMLLINT).exists(),
        "{XMLLINT} is missing: install Debian's libxml2-utils to run the EWS schema checks"
    );
    let dir = std::env::temp_dir().join(format!(
        "inlay-sandbox-ews-xsd-{}-{tag}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let read = |name: &str| {
        let path = contracts().join(name);
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
        std::fs::copy(core_fixtures().join(name), dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    dir
}

/// Writes each (name, document) and validates them all; panics with xmllint's report.
pub fn validate(tag: &str, docs: &[(String, String)]) {
    let dir = schema_dir(tag);
    let files: Vec<PathBuf> = docs
        .iter()
        .map(|(name, body)| {
            let path = dir.join(format!("{name}.xml"));
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect();
    let output = Command::new(XMLLINT)
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.join("soap-envelope.xsd"))
        .args(&files)
        .output()
        .expect("xmllint runs");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schema validation failed:\n{report}"
    );
    for file in &files {
        assert!(
            report.contains(&format!("{} validates", file.display())),
            "{} not reported valid:\n{report}",
            file.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
