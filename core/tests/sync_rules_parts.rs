//! The pieces under the logging rules, as tables: dedupe keys, reply
//! candidates, an out-of-office reply's return date, the stored body.

use inlay_core::crm::sent_email::sent_entry_id;
use inlay_core::message::{parse_message, summarize_message};
use inlay_core::sync::auto_reply::return_date;
use inlay_core::sync::body::{MAX_HTML, MAX_TEXT, stored_body};
use inlay_core::sync::dedupe::{dedupe_key, first_copies, message_id_key, received_entry_id};
use inlay_core::sync::reply::reply_candidates;
use inlay_core::sync::{FolderRole, Incoming};

fn seen(inbox: &str, headers: &str) -> Incoming {
    let raw = format!("{}\r\n\r\n", headers.replace('\n', "\r\n"));
    Incoming {
        inbox: inbox.into(),
        provider_id: format!("{inbox}:1"),
        thread_id: None,
        folder: FolderRole::Inbox,
        received_at_ms: None,
        headers: summarize_message(raw.as_bytes()).unwrap(),
        size: None,
    }
}

#[test]
fn message_id_keys() {
    for (id, key) in [
        ("<abc@Example.COM>", Some("abc@example.com")),
        ("  <ABC@example.com> ", Some("ABC@example.com")),
        ("abc@example.com", Some("abc@example.com")),
        ("<no-domain>", Some("no-domain")),
        ("<>", None),
        ("   ", None),
    ] {
        assert_eq!(message_id_key(id).as_deref(), key, "{id}");
    }
}

#[test]
fn copies_share_a_key_and_others_do_not() {
    let base = "From: Ann <ann@acme.example>\nTo: me@inlay.example\nSubject: Notes\nDate: Tue, 1 Dec 2026 09:00:00 +0000";
    let a = seen("me@inlay.example", base);
    let b = seen(
        "two@inlay.example",
        &format!("{base}\nBcc: two@inlay.example"),
    );
    assert_eq!(dedupe_key(&a), dedupe_key(&b));
    assert!(dedupe_key(&a).starts_with("fp:"));
    assert_eq!(received_entry_id(&a), received_entry_id(&b));
    for other in [
        base.replace("Notes", "Notes 2"),
        base.replace("09:00:00", "09:00:01"),
        base.replace("ann@", "bob@"),
        base.replace("To: me@", "To: you@"),
    ] {
        assert_ne!(
            dedupe_key(&a),
            dedupe_key(&seen("me@inlay.example", &other)),
            "{other}"
        );
    }
    // With a Message-ID, only it counts: a forwarded copy with another
    // subject line is still the same email.
    let m1 = seen(
        "me@inlay.example",
        &format!("{base}\nMessage-ID: <x@acme.example>"),
    );
    let m2 = seen(
        "two@inlay.example",
        "From: ann@acme.example\nSubject: Fwd\nMessage-ID: <x@ACME.example>",
    );
    assert_eq!(dedupe_key(&m1), "id:x@acme.example");
    assert_eq!(dedupe_key(&m1), dedupe_key(&m2));
    assert_eq!(
        first_copies(&[a.clone(), m1, b, m2, a]),
        vec![true, true, false, false, false]
    );
}

#[test]
fn reply_candidates_in_order() {
    let e = seen(
        "me@inlay.example",
        "From: ann@acme.example\nIn-Reply-To: <p@x>\nReferences: <root@x> <mid@x> <p@x>",
    );
    let want: Vec<String> = ["p@x", "mid@x", "root@x"]
        .iter()
        .map(|i| sent_entry_id(i))
        .collect();
    assert_eq!(reply_candidates(&e), want);
    assert!(reply_candidates(&seen("me@inlay.example", "From: ann@acme.example")).is_empty());
}

/// 2026-12-01T10:00:00Z
const DEC_1: i64 = 1_796_119_200_000;

#[test]
fn return_dates_in_the_common_forms() {
    for (subject, text, want) in [
        ("", "I will be back on December 14th.", Some("2026-12-14")),
        (
            "",
            "I'm out of the office until Monday, 14 December 2026.",
            Some("2026-12-14"),
        ),
        (
            "",
            "Returning on Dec 3, 2026 with limited access.",
            Some("2026-12-03"),
        ),
        ("", "Back on 2027-01-04.", Some("2027-01-04")),
        // A date before the reply without a year is next year's.
        ("", "I'm away until 5 January.", Some("2027-01-05")),
        ("Out of office until 12.12.2026", "", Some("2026-12-12")),
        (
            "",
            "Ich bin bis zum 14. Dezember nicht im Büro.",
            Some("2026-12-14"),
        ),
        ("", "Je serai de retour le 15 décembre.", Some("2026-12-15")),
        (
            "",
            "Estaré fuera hasta el 16 de diciembre.",
            Some("2026-12-16"),
        ),
        ("", "Zurück am 17.12.", Some("2026-12-17")),
        // Slashed dates are ambiguous; "back" with no date is nothing.
        ("", "Back on 12/11.", None),
        ("", "I'll get back to you soon.", None),
        ("", "Out until February 30th.", None),
        // "bis" inside a word is not the marker.
        ("", "Basis 14 December review", None),
    ] {
        assert_eq!(
            return_date(subject, text, DEC_1).as_deref(),
            want,
            "{subject} {text}"
        );
    }
}

fn html_mail(html: &str) -> Vec<u8> {
    format!("From: a@b.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n")
        .into_bytes()
}

#[test]
fn the_body_blocks_images_and_caps() {
    for (html, want) in [
        ("<img src=\"https://t.example/p.gif\">", "<img>"),
        ("<img src=\"cid:logo\" alt=\"Logo\">", "<img alt=\"Logo\">"),
        (
            "<a href=\"javascript:x()\">a</a>",
            "<a rel=\"noopener noreferrer\">a</a>",
        ),
        (
            "<p style=\"background:url(https://t.example/x)\">t</p>",
            "<p>t</p>",
        ),
        ("<script>x</script><b>kept</b>", "<b>kept</b>"),
    ] {
        let body = stored_body(&parse_message(&html_mail(html)).unwrap());
        assert_eq!(body.html.as_deref().map(str::trim), Some(want), "{html}");
    }
    let big = format!("<p>{}</p>", "a<b>b</b>".repeat(MAX_HTML / 8));
    let body = stored_body(&parse_message(&html_mail(&big)).unwrap());
    let html = body.html.expect("cut, still HTML");
    assert!(html.len() <= MAX_HTML && body.truncated);
    assert!(html.ends_with("</p>"), "closed after the cut");
    let text = format!("From: a@b.example\r\n\r\n{}", "é".repeat(MAX_TEXT));
    let body = stored_body(&parse_message(text.as_bytes()).unwrap());
    let kept = body.text.unwrap();
    assert!(kept.len() <= MAX_TEXT && kept.len() > MAX_TEXT - 4 && body.truncated);
}

mod stored_html {
    use inlay_core::send::sanitize::sanitize_received_html;
    use proptest::prelude::*;

    /// Pieces of markup that load something, in the forms an allow-list has
    /// been bypassed with, to be shuffled into bodies.
    const PIECES: &[&str] = &[
        "<img src=\"https://t.example/p.gif\">",
        "<img src=cid:x alt=a>",
        "<img srcset=\"https://t.example/a 1x\">",
        "<picture><source srcset=\"https://t.example/b\"></picture>",
        "<video poster=\"https://t.example/v\"></video>",
        "<table background=\"https://t.example/bg\"><tr><td>c</td></tr></table>",
        "<input type=image src=\"https://t.example/i\">",
        "<svg><image href=\"https://t.example/s\"/></svg>",
        "<math><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x>\">",
        "<p style=\"background:url(https://t.example/c)\">",
        "<link rel=stylesheet href=\"https://t.example/s.css\">",
        "<a href=\"https://ok.example\">link</a>",
        "<p>text</p>",
        "<b>",
        "\"",
        ">",
        "&lt;img src=x&gt;",
    ];

    /// The tags of serialised HTML (text escapes `<`; attribute values are
    /// quoted, and may hold `>`).
    fn tags(html: &str) -> String {
        let mut out = String::new();
        let (mut in_tag, mut quote) = (false, None);
        for c in html.chars() {
            match (in_tag, quote, c) {
                (false, _, '<') => in_tag = true,
                (true, None, '"' | '\'') => quote = Some(c),
                (true, Some(q), c) if c == q => quote = None,
                (true, None, '>') => {
                    in_tag = false;
                    out.push(' ');
                }
                _ => {}
            }
            if in_tag {
                out.push(c);
            }
        }
        out
    }

    proptest! {
        /// Whatever the body, nothing in what is stored can load: no source,
        /// no remote style, and a second clean changes nothing.
        #[test]
        fn no_stored_body_loads_anything(picks in prop::collection::vec(0..PIECES.len(), 1..12)) {
            let html: String = picks.iter().map(|i| PIECES[*i]).collect();
            let out = sanitize_received_html(&html);
            // Only markup counts: the text "&lt;img src=x&gt;" loads nothing.
            let lower = tags(&out).to_ascii_lowercase();
            for bad in [" src=", "srcset", "poster", "background=", "<link", "url(", "<svg", "<image", "onerror"] {
                prop_assert!(!lower.contains(bad), "{bad} in {out} from {html}");
            }
            prop_assert_eq!(sanitize_received_html(&out), out);
        }
    }
}
