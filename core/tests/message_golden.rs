//! Inlay's own golden messages (`tests/golden/inlay/<name>.eml`), one or more
//! per reading gap found against other parsers (issue 9), each with the
//! expected `ParsedMessage` as `<name>.json` (or `{"error": "…"}`).
//!
//! - The message as stored (LF line ends, except where the case is about line
//!   ends) must give exactly the snapshot. On a mismatch the new output is
//!   written beside it as `<name>.failed`; `INLAY_BLESS=1` rewrites snapshots.
//! - The same message with CRLF line ends must read the same: subject,
//!   participants, date, ids, attachment names and types, and bodies once
//!   `\r` is removed.

mod support;

use inlay_core::message::{ParsedMessage, parse_message};
use serde_json::{Value, json};
use support::corpus::{add_cr, emls, golden_dir};

fn snapshot(bytes: &[u8]) -> Value {
    match parse_message(bytes) {
        Ok(parsed) => serde_json::to_value(parsed).unwrap(),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// What must not depend on line ends.
fn line_end_free(parsed: &ParsedMessage) -> Value {
    let strip = |s: &Option<String>| s.as_ref().map(|s| s.replace('\r', ""));
    json!({
        "subject": parsed.subject,
        "date": parsed.date,
        "from": parsed.from,
        "to": parsed.to,
        "cc": parsed.cc,
        "messageId": parsed.message_id,
        "text": strip(&parsed.text_body),
        "html": strip(&parsed.html_body),
        "attachments": parsed.attachments.iter()
            .map(|a| (a.filename.clone(), a.content_type.clone()))
            .collect::<Vec<_>>(),
    })
}

fn check(name: &str) {
    let eml = golden_dir().join(format!("{name}.eml"));
    let bytes = std::fs::read(&eml).unwrap_or_else(|e| panic!("{}: {e}", eml.display()));
    let got = snapshot(&bytes);
    let path = eml.with_extension("json");
    let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
    if std::env::var_os("INLAY_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
    } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path.with_extension("failed"), &text).unwrap();
        panic!(
            "{name}: differs from {} (new output in {name}.failed):\n{text}",
            path.display()
        );
    }
    if let (Ok(lf), Ok(crlf)) = (parse_message(&bytes), parse_message(&add_cr(&bytes))) {
        assert_eq!(
            line_end_free(&lf),
            line_end_free(&crlf),
            "{name}: LF and CRLF read differently"
        );
    }
}

/// Every golden message has a test below, so none is silently skipped.
#[test]
fn every_golden_message_is_checked() {
    let source = include_str!("message_golden.rs");
    let names: Vec<String> = emls(&golden_dir())
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 20, "only {} golden messages", names.len());
    for name in names {
        assert!(
            source.contains(&format!("check(\"{name}\")")),
            "{name}.eml has no test"
        );
    }
}

#[test]
fn cjk_charsets_are_decoded() {
    check("01-iso-2022-jp");
    check("01-shift-jis");
    check("01-gb2312");
    check("01-big5-filename");
}

#[test]
fn repeated_to_and_cc_headers_all_count() {
    check("02-repeated-to-cc");
}

#[test]
fn last_header_without_line_break_is_kept() {
    check("03-no-final-line-break");
}

#[test]
fn utf8_byte_order_mark_is_skipped() {
    check("04-utf8-bom");
}

#[test]
fn mbox_from_line_is_skipped() {
    check("05-mbox-from-line");
}

#[test]
fn no_phantom_attachments() {
    check("06-boundary-missing");
    check("06-boundary-mismatch");
    check("06-empty-nested-multipart");
    check("06-empty-part");
}

#[test]
fn html_found_in_related_when_not_first() {
    check("07-related-html-second");
}

#[test]
fn quoted_printable_with_double_equals_is_decoded() {
    check("08-qp-double-equals");
}

#[test]
fn quoted_printable_stray_escape_and_final_soft_break() {
    check("08-qp-stray-escape-and-final-soft-break");
}

#[test]
fn unclosed_multipart_keeps_its_bodies() {
    check("09-alternative-unclosed");
    check("09-mixed-unclosed");
}

#[test]
fn repeated_content_type_the_first_counts() {
    // mail-parser's malformed/020-021 have this shape: the first Content-Type
    // names a multipart that is never closed, a second one says text/plain.
    check("09-repeated-content-type");
}

#[test]
fn encoded_word_never_makes_an_address() {
    check("10-encoded-word-address");
}

#[test]
fn group_syntax_in_angle_brackets_is_no_address() {
    check("10-group-in-angle-brackets");
}

#[test]
fn transfer_encoding_with_a_comment() {
    check("11-cte-comment");
}

#[test]
fn charset_alias() {
    check("11-charset-alias");
}

#[test]
fn content_type_with_an_escaped_comment() {
    check("11-content-type-comment");
}

#[test]
fn unbalanced_parenthesis_in_a_parameter() {
    check("11-unbalanced-paren");
}

#[test]
fn empty_first_text_part() {
    check("11-empty-first-text");
}

#[test]
fn format_flowed_delsp() {
    check("11-flowed-delsp");
}

#[test]
fn repeated_single_headers_take_the_first() {
    check("11-repeated-subject-from-date");
    check("11-empty-last-from");
}

#[test]
fn date_with_a_short_zone_keeps_the_next_headers() {
    check("12-date-ut-zone");
}

#[test]
fn date_with_am_pm() {
    check("12-date-pm-hour");
}

#[test]
fn encoded_word_inside_a_word_is_decoded_but_never_into_an_address() {
    check("13-encoded-word-inside-word");
}

#[test]
fn forwarded_messages_are_read_and_stay_attachments() {
    check("14-forwarded-messages");
}
