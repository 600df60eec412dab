//! Replays every saved fuzz input (core/fuzz/regressions/<target>/: seeds and
//! each crash once fixed) through the same checks the fuzz targets run, so a
//! crash found once stays fixed in plain `cargo test`.

use std::path::{Path, PathBuf};

#[path = "../fuzz/checks/build_message.rs"]
mod build_message;
#[path = "../fuzz/checks/parse.rs"]
mod parse;
#[path = "../fuzz/checks/rpc.rs"]
mod rpc;

/// Every file of one target's folder, sorted; refuses an empty folder (a
/// wrong path would otherwise pass without replaying anything).
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
        .into_iter()
        .map(|path| (path.clone(), std::fs::read(&path).unwrap()))
        .collect()
}

/// Runs `check` on each input; a failure names the file to look at.
fn replay(target: &str, check: fn(&[u8])) {
    for (path, data) in inputs(target) {
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz input {} fails its checks again", path.display());
        }
    }
}

#[test]
fn parse_inputs_replay() {
    replay("parse", parse::check);
}

#[test]
fn build_message_inputs_replay() {
    replay("build_message", build_message::check);
}

#[test]
fn rpc_inputs_replay() {
    replay("rpc", rpc::check);
}
