//! The published API contracts beside the repository (`../shared/contracts`:
//! Gmail's discovery document, Graph's OpenAPI, the EWS schemas, the ISPDB),
//! which the contract tests and the sandbox read. A checkout without them
//! stops with one line naming the folder and what it must hold, instead of a
//! panic about a missing file deep in a test.
//!
//! The one Rust copy: core's tests include it as `support::contracts` (and
//! through `ews_schema.rs`), the sandbox as `inlay_sandbox::contracts`, both
//! with `#[path]`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the folder holds, one sub-folder per contract.
pub const PARTS: [&str; 4] = ["gmail", "graph", "ews", "ispdb"];

/// `<repo>/../shared/contracts`, without the `..` when the repo exists.
pub fn beside(repo: &Path) -> PathBuf {
    let repo = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    match repo.parent() {
        Some(parent) => parent.join("shared/contracts"),
        None => repo.join("../shared/contracts"),
    }
}

/// `Err` with the one line to show when `dir` is missing or incomplete.
pub fn check(dir: &Path) -> Result<(), String> {
    let holds = "it must hold the published API contracts (gmail, graph, ews, ispdb); \
                 put the steering repo's shared/ folder beside this repository";
    if !dir.is_dir() {
        return Err(format!("{} is missing: {holds}", dir.display()));
    }
    let missing: Vec<&str> = PARTS
        .into_iter()
        .filter(|part| !dir.join(part).is_dir())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} has no {}: {holds}",
            dir.display(),
            missing.join(", ")
        ));
    }
    Ok(())
}

/// For tests: the contracts folder beside `repo`, or the one line on stderr
/// and the test binary ends (written past libtest's capture, so it shows).
pub fn require(repo: &Path) -> PathBuf {
    let dir = beside(repo);
    if let Err(line) = check(&dir) {
        // Tests run in parallel: the first to get here speaks, the rest wait for the exit.
        static STOPPING: Mutex<()> = Mutex::new(());
        let _first = STOPPING.lock();
        let _ = writeln!(std::io::stderr(), "{line}");
        std::process::exit(1);
    }
    dir
}
