//! The lean reading for sync: the header block only, read exactly as the full
//! parse reads it, plus the list, bulk, auto-reply and report marks.

mod support;

use inlay_core::message::{
    Limit, Limits, MessageKind, MessageSummary, ParseError, ParsedMessage, parse_message,
    summarize_message, summarize_message_with,
};
use support::corpus::{add_cr, emls, golden_dir, mail_parser_corpus};

fn crlf(message: &str) -> Vec<u8> {
    message
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// The full parse's first header of that name, as its header list has it.
fn header(full: &ParsedMessage, name: &str) -> Option<String> {
    full.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.trim().to_owned())
}

/// Every header field the summary shares with the full parse must agree.
fn agree(name: &str, bytes: &[u8]) {
    let lean = summarize_message(bytes);
    let full = match parse_message(bytes) {
        Ok(full) => full,
        // The body's limits (parts, depth, work) are not the summary's.
        Err(ParseError::LimitExceeded { .. }) => return,
        Err(e) => {
            assert_eq!(
                lean,
                Err(e),
                "{name}: the summary accepted what the parse refused"
            );
            return;
        }
    };
    let lean =
        lean.unwrap_or_else(|e| panic!("{name}: summary failed where the parse read it: {e}"));
    assert_eq!(lean.subject, full.subject, "{name}: subject");
    assert_eq!(lean.date, full.date, "{name}: date");
    assert_eq!(lean.from, full.from, "{name}: from");
    assert_eq!(lean.sender, full.sender, "{name}: sender");
    assert_eq!(lean.reply_to, full.reply_to, "{name}: reply-to");
    assert_eq!(lean.to, full.to, "{name}: to");
    assert_eq!(lean.cc, full.cc, "{name}: cc");
    assert_eq!(lean.bcc, full.bcc, "{name}: bcc");
    assert_eq!(lean.message_id, full.message_id, "{name}: message-id");
    assert_eq!(lean.in_reply_to, full.in_reply_to, "{name}: in-reply-to");
    assert_eq!(lean.references, full.references, "{name}: references");
    assert_eq!(lean.list_id, header(&full, "List-Id"), "{name}: list-id");
    assert_eq!(
        lean.auto_response_suppress,
        header(&full, "X-Auto-Response-Suppress"),
        "{name}: x-auto-response-suppress"
    );
    if lean.delivery_report {
        assert_eq!(
            lean.content_type.as_deref(),
            Some("multipart/report"),
            "{name}"
        );
    } else {
        assert_eq!(lean.kind, full.kind, "{name}: kind");
    }
    // A standard bounce is only known from the body: the summary must say
    // to read the whole message.
    let dsn = match &full.kind {
        MessageKind::Bounce { confidence, .. } => {
            *confidence == inlay_core::message::Confidence::High
        }
        MessageKind::AutoReply { reason } => reason.starts_with("delivery report"),
        MessageKind::Normal => false,
    };
    assert!(
        !dsn || lean.delivery_report,
        "{name}: delivery report missed"
    );
}

#[test]
fn summary_agrees_with_the_parse_on_every_corpus_message() {
    let corpus = mail_parser_corpus();
    let mut files = emls(&golden_dir());
    for suite in ["rfc", "legacy", "malformed", "thirdparty"] {
        files.extend(emls(&corpus.join(suite)));
    }
    assert!(files.len() > 100, "only {} messages", files.len());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let name = file.display().to_string();
        agree(&name, &bytes);
        agree(&format!("{name} (CRLF)"), &add_cr(&bytes));
    }
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
fn summary_reads_the_headers_without_the_body() {
    let bytes = crlf(LIST_MAIL);
    let lean = summarize_message(&bytes).unwrap();
    assert_eq!(lean.subject.as_deref(), Some("Re: Q3 pricing"));
    assert_eq!(lean.date, Some(1_700_000_005));
    assert_eq!(lean.from[0].address, "ana@vendor.test");
    assert_eq!(lean.to.len(), 2);
    assert_eq!(lean.message_id.as_deref(), Some("r2@vendor.test"));
    assert_eq!(lean.in_reply_to, vec!["s1@buyer.test"]);
    assert_eq!(lean.references, vec!["s0@buyer.test", "s1@buyer.test"]);
    assert_eq!(lean.list_id.as_deref(), Some("Buyers <buyers.lists.test>"));
    assert!(lean.bulk);
    assert_eq!(lean.content_type.as_deref(), Some("multipart/mixed"));
    assert!(!lean.delivery_report);
    assert_eq!(lean.kind, MessageKind::Normal);
    // Nothing of the body: a broken body changes nothing.
    let cut = &bytes[..bytes.len() - 40];
    assert_eq!(summarize_message(cut).unwrap(), lean);
    let json = serde_json::to_value(&lean).unwrap();
    for absent in ["headers", "textBody", "htmlBody", "attachments"] {
        assert!(json.get(absent).is_none(), "{absent} in the summary");
    }
    assert_eq!(json["listId"], "Buyers <buyers.lists.test>");
    assert_eq!(json["deliveryReport"], false);
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
    assert_eq!(plain.auto_response_suppress, None);
    assert_eq!(plain.content_type, None);
}

#[test]
fn automatic_reply_markers_in_the_headers() {
    let kind = |extra: &str| -> MessageSummary {
        let message = format!("From: a@b.test\nSubject: Hello\n{extra}\n\nbody\n");
        summarize_message(&crlf(&message)).unwrap()
    };
    for marker in [
        "Auto-Submitted: auto-replied",
        "X-Autoreply: yes",
        "X-Autorespond: yes",
        "Precedence: auto_reply",
    ] {
        assert!(
            matches!(kind(marker).kind, MessageKind::AutoReply { .. }),
            "{marker}"
        );
    }
    assert_eq!(kind("Auto-Submitted: no").kind, MessageKind::Normal);
    // Outlook's request not to be auto-replied to is reported, not a reply.
    let suppress = kind("X-Auto-Response-Suppress: All");
    assert_eq!(suppress.kind, MessageKind::Normal);
    assert_eq!(suppress.auto_response_suppress.as_deref(), Some("All"));
    let ooo = summarize_message(&crlf(
        "From: a@b.test\nSubject: Automatic reply: Q3 pricing\n\nAway.\n",
    ))
    .unwrap();
    assert!(matches!(ooo.kind, MessageKind::AutoReply { .. }));
}

const DSN: &str = "\
From: Mail Delivery System <MAILER-DAEMON@mx.vendor.test>
To: ana@vendor.test
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Content-Type: multipart/report; report-type=delivery-status; boundary=r

--r
Content-Type: text/plain

Your message could not be delivered.
--r
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.vendor.test

Final-Recipient: rfc822; bo@buyer.test
Action: failed
Status: 5.1.1
--r--
";

#[test]
fn a_delivery_report_is_marked_for_the_full_parse() {
    let bytes = crlf(DSN);
    let lean = summarize_message(&bytes).unwrap();
    assert!(lean.delivery_report);
    assert_eq!(lean.content_type.as_deref(), Some("multipart/report"));
    // The verdict is in the body: the full parse has it.
    let full = parse_message(&bytes).unwrap();
    assert!(matches!(
        full.kind,
        MessageKind::Bounce { ref failed_recipients, .. } if failed_recipients == &["bo@buyer.test"]
    ));
    let other = crlf(&DSN.replace(
        "report-type=delivery-status",
        "report-type=disposition-notification",
    ));
    assert!(!summarize_message(&other).unwrap().delivery_report);
}

#[test]
fn addresses_follow_the_parse_rules() {
    let lean = summarize_message(&crlf(
        "From: =?utf-8?q?=40attacker.com?=@microsoft.com\n\
         To: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <taro@example.jp>, <@nolocal.test>\n\
         Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\n\n",
    ))
    .unwrap();
    assert!(lean.from.is_empty(), "an address out of an encoded word");
    assert_eq!(lean.to.len(), 1, "{:?}", lean.to);
    assert_eq!(lean.to[0].address, "taro@example.jp");
    assert_eq!(lean.to[0].name.as_deref(), Some("日本語"));
    assert_eq!(lean.subject.as_deref(), Some("日本語"));
}

#[test]
fn summary_refuses_what_is_not_a_message_and_oversized_headers() {
    assert_eq!(summarize_message(b""), Err(ParseError::Empty));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    assert_eq!(summarize_message(png), Err(ParseError::NotAMessage));
    assert_eq!(parse_message(png).err(), Some(ParseError::NotAMessage));
    let limits = Limits {
        max_header_bytes: 64,
        ..Limits::default()
    };
    let long = crlf(&format!(
        "From: a@b.test\nSubject: {}\n\nbody\n",
        "x".repeat(80)
    ));
    assert!(matches!(
        summarize_message_with(&long, &limits),
        Err(ParseError::LimitExceeded {
            limit: Limit::MaxHeaderBytes,
            ..
        })
    ));
    let limits = Limits {
        max_bytes: 16,
        ..Limits::default()
    };
    assert!(matches!(
        summarize_message_with(&long, &limits),
        Err(ParseError::LimitExceeded {
            limit: Limit::MaxBytes,
            ..
        })
    ));
}
