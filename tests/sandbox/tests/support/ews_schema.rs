//! Validates the sandbox's EWS bodies against the published schemas, with the
//! schema preparation shared with the core's contract checks.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[path = "../../../../core/tests/support/ews_schema.rs"]
mod shared;

/// The schema folder for one test; the preparation is the core's.
pub fn schema_dir(tag: &str) -> PathBuf {
    shared::schema_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
        &format!("sandbox-{tag}"),
    )
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
    shared::validate_files(&dir, &files);
    let _ = std::fs::remove_dir_all(&dir);
}
