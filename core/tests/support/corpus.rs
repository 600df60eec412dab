//! The message corpora the parser tests walk: Inlay's golden messages and
//! mail-parser's own corpus, plus the line-end variants each is read in.

use std::path::{Path, PathBuf};

/// Inlay's golden messages, `tests/golden/inlay/<name>.eml`.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/inlay")
}

/// `$CARGO_HOME/registry/src/*/mail-parser-<version>/resources/eml`, with the
/// version this workspace locks.
pub fn mail_parser_corpus() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(manifest.join("../Cargo.lock")).expect("read Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"mail-parser\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .and_then(|v| v.strip_suffix('"'))
        .expect("mail-parser in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registry = cargo_home.join("registry/src");
    let found = std::fs::read_dir(&registry)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| {
            index
                .path()
                .join(format!("mail-parser-{version}/resources/eml"))
        })
        .find(|dir| dir.is_dir());
    found.unwrap_or_else(|| {
        panic!(
            "mail-parser {version}'s test corpus is not under {}: run `cargo fetch` first",
            registry.display()
        )
    })
}

/// The `.eml` files directly in `dir`, sorted.
pub fn emls(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// The message with LF line ends.
pub fn strip_cr(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().copied().filter(|&b| b != b'\r').collect()
}

/// The message with CRLF line ends (a CR already there is kept, not doubled).
pub fn add_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    let mut last = 0;
    for &b in bytes {
        if b == b'\n' && last != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        last = b;
    }
    out
}
