//! Golden tests over mail-parser's own message corpus, which ships inside the
//! crate source (`resources/eml/{rfc,legacy,malformed,thirdparty}/*.eml`, each
//! with mail-parser's expected parse as `.json` for the message with LF line
//! ends and `.crlf.json` for CRLF).
//!
//! For every message, both line-end variants:
//! - `parse_message` must succeed (and not panic);
//! - subject, From and To (names and addresses) and the attachment count must
//!   agree with mail-parser's expected JSON, read as we read headers (the
//!   first Subject and From, every To); where the attachment count differs
//!   on purpose, the message is listed in `ATTACHMENTS_DIFFER` with why;
//! - our `ParsedMessage` of the CRLF variant must equal the snapshot in
//!   `tests/golden/<dir>/<name>.json`. On a mismatch the new output is written
//!   next to it as `<name>.failed`; `INLAY_BLESS=1` rewrites the snapshots.

mod support;

use inlay_core::message::{ParsedMessage, parse_message};
use serde_json::Value;
use std::path::Path;
use support::corpus::{add_cr, emls, mail_parser_corpus, strip_cr};

const SUITES: [&str; 4] = ["rfc", "legacy", "malformed", "thirdparty"];
/// Suites whose snapshots we keep in the repository. `legacy/` comes from
/// samples with a copyright notice and no licence, so it is only compared
/// with mail-parser's own expected output, not snapshotted here.
const SNAPSHOT_SUITES: [&str; 3] = ["rfc", "malformed", "thirdparty"];

/// Every header of that name in mail-parser's JSON of the top part, in order.
fn expected_headers<'a>(json: &'a Value, name: &str) -> Vec<&'a Value> {
    json["parts"][0]["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["name"] == name)
        .map(|h| &h["value"])
        .collect()
}

/// The first Subject (where mail-parser's accessor takes the last, we take
/// the first, as other parsers do).
fn expected_subject(json: &Value) -> Option<String> {
    expected_headers(json, "subject")
        .first()?
        .get("Text")?
        .as_str()
        .map(str::to_owned)
}

/// (name, address) pairs of one header value, groups flattened, entries
/// without address dropped.
fn addresses_of(value: &Value) -> Vec<(Option<String>, String)> {
    let Some(address) = value.get("Address") else {
        return Vec::new();
    };
    let addrs: Vec<&Value> = if let Some(list) = address.get("List").and_then(Value::as_array) {
        list.iter().collect()
    } else if let Some(groups) = address.get("Group").and_then(Value::as_array) {
        groups
            .iter()
            .filter_map(|g| g["addresses"].as_array())
            .flatten()
            .collect()
    } else {
        Vec::new()
    };
    addrs
        .into_iter()
        .filter_map(|a| {
            let name = a["name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            Some((name, a["address"].as_str()?.to_owned()))
        })
        .collect()
}

/// From: the first occurrence with an address; To: all occurrences.
fn expected_addresses(json: &Value, header: &str) -> Vec<(Option<String>, String)> {
    let mut each = expected_headers(json, header).into_iter().map(addresses_of);
    if header == "from" {
        each.find(|a| !a.is_empty()).unwrap_or_default()
    } else {
        each.flatten().collect()
    }
}

/// Messages where our attachment count differs from mail-parser's on
/// purpose (see `core/src/message/body.rs`), with the reason.
const ATTACHMENTS_DIFFER: [(&str, &str); 11] = [
    ("malformed/001", "an empty part is not an attachment"),
    (
        "malformed/002",
        "a multipart whose boundary never appears is not an attachment",
    ),
    ("malformed/003", "a text part cut short is the text body"),
    ("malformed/004", "a text part cut short is the text body"),
    ("malformed/006", "a text part cut short is the text body"),
    ("malformed/007", "an empty part is not an attachment"),
    ("malformed/008", "an HTML part cut short is the HTML body"),
    (
        "malformed/009",
        "a text part cut short ends at the enclosing boundary, in the text",
    ),
    (
        "malformed/011",
        "a text part cut short ends at the enclosing boundary, in the text",
    ),
    (
        "malformed/016",
        "a text part cut short ends at the enclosing boundary, in the text",
    ),
    (
        "thirdparty/002",
        "a base64 text part with garbage is still text",
    ),
];

fn ours(list: &[inlay_core::message::Participant]) -> Vec<(Option<String>, String)> {
    list.iter()
        .map(|p| (p.name.clone(), p.address.clone()))
        .collect()
}

fn agree(id: &str, parsed: &ParsedMessage, json: &Value) -> Result<(), String> {
    if parsed.subject != expected_subject(json) {
        return Err(format!(
            "subject {:?} vs {:?}",
            parsed.subject,
            expected_subject(json)
        ));
    }
    for (header, got) in [("from", &parsed.from), ("to", &parsed.to)] {
        let want = expected_addresses(json, header);
        if ours(got) != want {
            return Err(format!("{header} {:?} vs {:?}", ours(got), want));
        }
    }
    let attachments = json["attachments"].as_array().map_or(0, Vec::len);
    let differs = ATTACHMENTS_DIFFER.iter().any(|(known, _)| *known == id);
    if (parsed.attachments.len() != attachments) != differs {
        return Err(format!(
            "{} attachments vs {attachments}",
            parsed.attachments.len()
        ));
    }
    Ok(())
}

#[test]
fn corpus_parses_like_mail_parser_and_matches_snapshots() {
    let corpus = mail_parser_corpus();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("INLAY_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut checked = 0;

    for suite in SUITES {
        let emls = emls(&corpus.join(suite));
        assert!(!emls.is_empty(), "no .eml in {suite}");

        for eml in emls {
            let stem = eml.file_stem().unwrap().to_string_lossy().into_owned();
            let id = format!("{suite}/{stem}");
            let original = std::fs::read(&eml).unwrap();
            let mut crlf_parsed = None;
            for (bytes, json_ext) in [
                (strip_cr(&original), "json"),
                (add_cr(&original), "crlf.json"),
            ] {
                let json: Value =
                    serde_json::from_slice(&std::fs::read(eml.with_extension(json_ext)).unwrap())
                        .unwrap();
                match parse_message(&bytes) {
                    Ok(parsed) => {
                        if let Err(why) = agree(&id, &parsed, &json) {
                            failures.push(format!("{id} ({json_ext}): {why}"));
                        }
                        crlf_parsed = Some(parsed);
                    }
                    Err(e) => failures.push(format!("{id} ({json_ext}): {e}")),
                }
            }
            checked += 1;

            let Some(parsed) = crlf_parsed else { continue };
            if !SNAPSHOT_SUITES.contains(&suite) {
                continue;
            }
            let snapshot = serde_json::to_string_pretty(&parsed).unwrap() + "\n";
            let path = golden.join(suite).join(format!("{stem}.json"));
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &snapshot).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(snapshot.as_str()) {
                std::fs::write(path.with_extension("failed"), &snapshot).unwrap();
                failures.push(format!(
                    "{id}: differs from {} (new output in .failed)",
                    path.display()
                ));
            }
        }
    }
    assert!(checked >= 100, "only {checked} corpus messages found");
    assert!(
        failures.is_empty(),
        "{} of {checked} messages failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
