//! The lean reading for sync: the same facts as the full parse, without the
//! header list and bodies, plus the mailing-list marks.

use inlay_core::message::{MessageKind, ParseError, parse_message, summarize_message};

fn crlf(message: &str) -> Vec<u8> {
    message
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

const LIST_MAIL: &str = "\
From: Ana Ruiz <ana@vendor.test>
To: team@buyer.test, Bo <bo@buyer.test>
Cc: cc@buyer.test
Subject: Re: Q3 pricing
Date: Tue, 14 Nov 2023 22:13:25 +0000
Message-ID: <r2@vendor.test>
In-Reply-To: <s1@buyer.test>
References: <s0@buyer.test> <s1@buyer.test>
List-Id: Buyers <buyers.lists.test>
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

See the attached quote.
--b
Content-Type: application/pdf; name=quote.pdf
Content-Disposition: attachment; filename=quote.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b--
";

#[test]
fn summary_keeps_the_parse_facts_without_headers_or_bodies() {
    let bytes = crlf(LIST_MAIL);
    let full = parse_message(&bytes).unwrap();
    let lean = summarize_message(&bytes).unwrap();
    assert_eq!(lean.subject, full.subject);
    assert_eq!(lean.date, Some(1_700_000_005));
    assert_eq!(lean.from, full.from);
    assert_eq!(lean.to, full.to);
    assert_eq!(lean.to.len(), 2);
    assert_eq!(lean.cc, full.cc);
    assert_eq!(lean.message_id.as_deref(), Some("r2@vendor.test"));
    assert_eq!(lean.in_reply_to, vec!["s1@buyer.test"]);
    assert_eq!(lean.references, full.references);
    assert_eq!(lean.attachments, full.attachments);
    assert_eq!(lean.attachments[0].filename.as_deref(), Some("quote.pdf"));
    assert_eq!(lean.attachments[0].size, 9);
    assert!(lean.has_text);
    assert!(!lean.has_html);
    assert_eq!(lean.kind, MessageKind::Normal);
    assert_eq!(lean.list_id.as_deref(), Some("Buyers <buyers.lists.test>"));
    assert!(lean.bulk);
    // No header list and no body text cross to the worker.
    let json = serde_json::to_value(&lean).unwrap();
    for absent in ["headers", "textBody", "htmlBody"] {
        assert!(json.get(absent).is_none(), "{absent} in the summary");
    }
    assert_eq!(json["hasText"], true);
    assert_eq!(json["listId"], "Buyers <buyers.lists.test>");
}

#[test]
fn precedence_bulk_list_and_junk_are_bulk_and_other_values_are_not() {
    let with = |precedence: &str| {
        let message = format!("From: a@b.test\nSubject: s\nPrecedence: {precedence}\n\nbody\n");
        summarize_message(&crlf(&message)).unwrap().bulk
    };
    assert!(with("bulk"));
    assert!(with("List"));
    assert!(with(" junk "));
    assert!(!with("first-class"));
    assert!(!with("auto_reply"));
    let plain = summarize_message(&crlf("From: a@b.test\nSubject: s\n\nbody\n")).unwrap();
    assert!(!plain.bulk);
    assert_eq!(plain.list_id, None);
}

#[test]
fn summary_refuses_what_the_parse_refuses() {
    assert_eq!(summarize_message(b""), Err(ParseError::Empty));
    assert_eq!(
        summarize_message(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        parse_message(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").map(Into::into)
    );
}
