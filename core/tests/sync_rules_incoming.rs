//! A provider's structured fields read as the same summary its header block
//! would give (issue 13: a reply is read the same way whatever the inbox).

use inlay_core::message::{MessageKind, Participant, summarize_message};
use inlay_core::sync::{SummaryFields, summary_from_fields};

fn p(name: Option<&str>, address: &str) -> Participant {
    Participant {
        name: name.map(str::to_owned),
        address: address.to_owned(),
    }
}

#[test]
fn fields_read_like_the_header_block_they_describe() {
    let raw =
        b"From: \"Lee, Ann\" <ann@acme.com>\r\nTo: Bob <bob@example.org>, carol@example.org\r\n\
Subject: Re: Proposal\r\nMessage-ID: <r1@acme.com>\r\nIn-Reply-To: <s1@inlay.test>\r\n\
References: <s0@inlay.test> <s1@inlay.test>\r\n\r\n";
    let from_raw = summarize_message(raw).unwrap();
    let fields = SummaryFields {
        subject: Some("Re: Proposal".into()),
        from: vec![p(Some("Lee, Ann"), "ann@acme.com")],
        to: vec![
            p(Some("Bob"), "bob@example.org"),
            p(None, "carol@example.org"),
        ],
        // Graph gives ids with brackets, some providers without.
        message_id: Some("<r1@acme.com>".into()),
        in_reply_to: vec!["s1@inlay.test".into()],
        references: vec!["<s0@inlay.test>".into(), "s1@inlay.test".into()],
        ..SummaryFields::default()
    };
    assert_eq!(summary_from_fields(&fields), from_raw);
}

#[test]
fn names_with_quotes_and_non_ascii_survive() {
    let fields = SummaryFields {
        from: vec![p(Some("Zoë \"Z\" Müller\\"), "zoe@exämple.de")],
        ..SummaryFields::default()
    };
    let s = summary_from_fields(&fields);
    assert_eq!(s.from.len(), 1);
    assert_eq!(s.from[0].name.as_deref(), Some("Zoë \"Z\" Müller\\"));
}

#[test]
fn a_value_cannot_add_a_header() {
    let fields = SummaryFields {
        subject: Some("Hi\r\nList-Id: <evil.list>\r\nAuto-Submitted: auto-replied".into()),
        from: vec![p(Some("x\r\nPrecedence: bulk"), "a@b.com\r\nBcc: c@d.com")],
        ..SummaryFields::default()
    };
    let s = summary_from_fields(&fields);
    assert_eq!(s.list_id, None);
    assert!(!s.bulk);
    assert_eq!(s.kind, MessageKind::Normal);
    assert!(s.bcc.is_empty());
    assert!(s.subject.unwrap().starts_with("Hi List-Id"));
}

#[test]
fn the_kind_and_list_marks_come_from_the_same_reading() {
    let auto = summary_from_fields(&SummaryFields {
        subject: Some("Automatic reply: Proposal".into()),
        from: vec![p(None, "ann@acme.com")],
        ..SummaryFields::default()
    });
    assert!(matches!(auto.kind, MessageKind::AutoReply { .. }));
    let list = summary_from_fields(&SummaryFields {
        subject: Some("Weekly".into()),
        from: vec![p(None, "news@list.example")],
        extra: vec![("List-Id".into(), "<weekly.list.example>".into())],
        ..SummaryFields::default()
    });
    assert!(list.bulk);
    assert_eq!(list.list_id.as_deref(), Some("<weekly.list.example>"));
    let submitted = summary_from_fields(&SummaryFields {
        from: vec![p(None, "ann@acme.com")],
        extra: vec![("Auto-Submitted".into(), "auto-replied".into())],
        ..SummaryFields::default()
    });
    assert!(matches!(submitted.kind, MessageKind::AutoReply { .. }));
}

#[test]
fn the_date_is_taken_as_given_and_empty_fields_give_an_empty_summary() {
    let s = summary_from_fields(&SummaryFields {
        date: Some(1_765_000_000),
        ..SummaryFields::default()
    });
    assert_eq!(s.date, Some(1_765_000_000));
    assert_eq!(s.kind, MessageKind::Normal);
    assert!(s.from.is_empty() && s.message_id.is_none());
}

/// The worker holds a page of emails between calls into the core: they come
/// back as they went out, bounce verdicts included.
#[test]
fn an_incoming_survives_json() {
    let dsn = "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail\r\nX-Failed-Recipients: ann@acme.example\r\nMessage-ID: <d@mx>\r\n\r\n";
    for raw in [
        dsn,
        "From: \"Lee, Ann\" <ann@acme.example>\r\nTo: me@inlay.example\r\nSubject: Automatic reply: x\r\nIn-Reply-To: <s1@x>\r\n\r\n",
    ] {
        let incoming = inlay_core::sync::Incoming {
            inbox: "me@inlay.example".into(),
            provider_id: "18c2".into(),
            thread_id: Some("t".into()),
            folder: inlay_core::sync::FolderRole::Other,
            received_at_ms: Some(1),
            headers: summarize_message(raw.as_bytes()).unwrap(),
            size: None,
        };
        let json = serde_json::to_string(&incoming).unwrap();
        let back: inlay_core::sync::Incoming = serde_json::from_str(&json).unwrap();
        assert_eq!(back, incoming, "{json}");
    }
}
