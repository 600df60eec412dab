//! A temp copy of the EWS schemas prepared for xmllint, shared by the core's
//! contract checks (core/tests/provider_ews_schema.rs) and the sandbox's
//! (tests/sandbox/tests/support/ews_schema.rs, through `#[path]`).
//!
//! The contract files are read-only; each run gets its own copy:
//! - `types.xsd` loses its BOM and gets `schemaLocation="xml.xsd"` for the
//!   xml: namespace import (our own copy of the W3C attributes);
//! - `ArrayOfTransitionsType` keeps only its `t:Transition` particle: the
//!   three sibling refs are members of Transition's substitution group, which
//!   libxml2 rejects as non-deterministic. Time-zone transitions are not
//!   used by Inlay, and the head element still admits all members.
//! - `soap-envelope.xsd` (fixture) wraps header and body, validating their
//!   children strictly against the EWS elements.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "contracts.rs"]
mod contracts;

pub const XMLLINT: &str = "/usr/bin/xmllint";

/// Builds the schema folder for one test (tests run in parallel, so each
/// gets its own `tag`) and returns it. `repo` is the repository root.
pub fn schema_dir(repo: &Path, tag: &str) -> PathBuf {
    assert!(
        Path::new(XMLLINT).exists(),
        "{XMLLINT} is missing: install Debian's libxml2-utils (the build script does) to run the EWS schema checks"
    );
    let contracts = contracts::require(repo).join("ews");
    let fixtures = repo.join("core/tests/fixtures/ews");
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
        std::fs::copy(fixtures.join(name), dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    dir
}

/// Runs xmllint on `files` against the prepared schemas: whether all
/// validated, and its report (one "… validates" or "… fails to validate"
/// line per file, after the errors).
pub fn xmllint(dir: &Path, files: &[PathBuf]) -> (bool, String) {
    let output = Command::new(XMLLINT)
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.join("soap-envelope.xsd"))
        .args(files)
        .output()
        .expect("xmllint runs");
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), report)
}

/// Validates files against the prepared schemas; panics with xmllint's report if any fails.
pub fn validate_files(dir: &Path, files: &[PathBuf]) {
    let (valid, report) = xmllint(dir, files);
    assert!(valid, "schema validation failed:\n{report}");
    for file in files {
        assert!(
            report.contains(&format!("{} validates", file.display())),
            "{} not reported valid:\n{report}",
            file.display()
        );
    }
}
