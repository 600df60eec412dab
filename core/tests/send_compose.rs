//! compose: one golden email per kind of inbox (`tests/golden/send/<name>`:
//! the MIME with Bcc `.eml`, the transmitted one `.transmitted.eml` when
//! there is a Bcc, the rest `.json`; a mismatch writes `<file>.failed`,
//! `INLAY_BLESS=1` rewrites them), Bcc only in `mime`, and every refusal.

use std::path::{Path, PathBuf};

use inlay_core::detect::ConnectionKind;
use inlay_core::message::{Attachment, InlineImage, Mailbox, parse_message};
use inlay_core::send::template::TokenContext;
use inlay_core::send::{ComposeError, ComposeInput, Composed, compose};
use serde_json::json;

const NOW_MS: u64 = 1_780_000_000_123;

fn random() -> Vec<u8> {
    (0u8..128)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect()
}

fn tokens() -> TokenContext {
    let mut t = TokenContext::default();
    t.contact.insert("firstName".into(), "Ann".into());
    t.contact.insert("lastName".into(), "Buyer".into());
    t.contact.insert("email".into(), "ann@example.com".into());
    t.company.insert("name".into(), "Acme & Sons".into());
    t.deal.insert("name".into(), "Acme renewal".into());
    t.deal.insert("stage".into(), "".into());
    t.sender.insert("firstName".into(), "Bob".into());
    t
}

fn input(kind: ConnectionKind) -> ComposeInput {
    ComposeInput {
        from: Mailbox::new(Some("Bob Seller"), "bob@inlay.example"),
        allowed_from: vec!["bob@inlay.example".into(), "sales@inlay.example".into()],
        to: vec![Mailbox::new(Some("Ann Buyer"), "ann@example.com")],
        cc: Vec::new(),
        bcc: Vec::new(),
        subject: "Proposal for {{company.name}}".into(),
        html: "<p>Hi {{contact.firstname | there}},</p><p>Here is the plan for \
               <b>{{deal.name}}</b>.</p>"
            .into(),
        signature_html: Some("<p>{{sender.firstName}}<br>Inlay</p>".into()),
        attachments: Vec::new(),
        inline_images: Vec::new(),
        in_reply_to: None,
        references: Vec::new(),
        thread_id: None,
        inbox_kind: kind,
        smtp_max_size: None,
        tokens: tokens(),
    }
}

fn ok(input: &ComposeInput) -> Composed {
    compose(input, NOW_MS, &random()).unwrap_or_else(|e| panic!("{}: {}", e.code, e.message))
}

fn err(input: &ComposeInput) -> ComposeError {
    match compose(input, NOW_MS, &random()) {
        Ok(_) => panic!("composed, but a refusal was expected"),
        Err(e) => e,
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/send")
}

fn same_as_file(path: &Path, bytes: &[u8]) {
    if std::env::var_os("INLAY_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    } else if std::fs::read(path).ok().as_deref() != Some(bytes) {
        let failed = PathBuf::from(format!("{}.failed", path.display()));
        std::fs::write(&failed, bytes).unwrap();
        panic!(
            "{} differs (new output in {})",
            path.display(),
            failed.display()
        );
    }
}

fn golden(name: &str, composed: &Composed) {
    let dir = golden_dir();
    same_as_file(&dir.join(format!("{name}.eml")), &composed.mime);
    let transmitted = dir.join(format!("{name}.transmitted.eml"));
    match &composed.transmitted {
        Some(bytes) => same_as_file(&transmitted, bytes),
        None => assert!(
            !transmitted.exists(),
            "{name}: no Bcc, yet a transmitted golden"
        ),
    }
    let rest = json!({
        "messageId": composed.message_id,
        "sendId": composed.send_id,
        "subject": composed.subject,
        "text": composed.text,
        "html": composed.html,
        "recipients": composed.recipients,
        "envelopeFrom": composed.envelope_from,
        "threadId": composed.thread_id,
        "sizeBytes": composed.size_bytes,
    });
    same_as_file(
        &dir.join(format!("{name}.json")),
        (serde_json::to_string_pretty(&rest).unwrap() + "\n").as_bytes(),
    );
    // What a reader sees of it.
    let parsed = parse_message(&composed.mime).unwrap();
    assert_eq!(parsed.subject.as_deref(), Some(composed.subject.as_str()));
    assert_eq!(
        parsed.message_id.as_deref().map(|id| format!("<{id}>")),
        Some(composed.message_id.clone())
    );
    assert_eq!(composed.size_bytes, composed.mime.len() as u64);
}

/// Gmail: a reply from a verified alias, in its thread.
#[test]
fn golden_gmail_reply_from_an_alias() {
    let mut i = input(ConnectionKind::Google);
    i.from = Mailbox::new(Some("Acme Sales"), "Sales@Inlay.example");
    i.subject = "Re: {{deal.name}}".into();
    i.in_reply_to = Some("<original-1@example.com>".into());
    i.thread_id = Some("18c2f3a4b5".into());
    let c = ok(&i);
    golden("gmail-reply", &c);
    let parsed = parse_message(&c.mime).unwrap();
    assert_eq!(
        parsed.in_reply_to,
        vec!["original-1@example.com".to_owned()]
    );
    assert_eq!(parsed.references, vec!["original-1@example.com".to_owned()]);
    assert_eq!(c.thread_id.as_deref(), Some("18c2f3a4b5"));
    assert_eq!(c.envelope_from, "Sales@Inlay.example");
    assert!(
        c.message_id.ends_with("@inlay.example>"),
        "{}",
        c.message_id
    );
}

/// Microsoft 365: Cc, a file and an inline image.
#[test]
fn golden_graph_with_attachments() {
    let mut i = input(ConnectionKind::Microsoft);
    i.cc = vec![Mailbox::new(None, "carl@example.org")];
    i.html
        .push_str("<p><img src=\"cid:logo@inlay\" alt=\"Logo\"></p>");
    i.attachments = vec![Attachment {
        filename: "Proposal – 2026.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nfake".to_vec(),
    }];
    i.inline_images = vec![InlineImage {
        filename: "logo.png".into(),
        content_type: "image/png".into(),
        content_id: "logo@inlay".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 0],
    }];
    let c = ok(&i);
    golden("graph-attachments", &c);
    let parsed = parse_message(&c.mime).unwrap();
    assert_eq!(parsed.attachments.len(), 2);
    assert_eq!(c.recipients, vec!["ann@example.com", "carl@example.org"]);
}

/// Exchange: an international domain, a list and a link.
#[test]
fn golden_ews_international_domain() {
    let mut i = input(ConnectionKind::Exchange);
    i.to = vec![Mailbox::new(Some("Jürgen Käufer"), "jurgen@bücher.example")];
    i.html = "<p>Hallo {{contact.firstName}},</p><ul><li>Angebot</li><li>Termin</li></ul>\
              <p><a href=\"https://inlay.example/plan\">Plan</a></p>"
        .into();
    let c = ok(&i);
    golden("ews-international", &c);
    assert_eq!(c.recipients, vec!["jurgen@xn--bcher-kva.example"]);
    assert!(c.text.contains("- Angebot\n- Termin"), "{}", c.text);
    assert!(
        c.text.contains("Plan (https://inlay.example/plan)"),
        "{}",
        c.text
    );
}

/// IMAP/SMTP: Bcc in the copy kept in Sent, not in what the server sends.
#[test]
fn golden_imap_with_bcc() {
    let mut i = input(ConnectionKind::Imap);
    i.bcc = vec![Mailbox::new(Some("Boss"), "boss@inlay.example")];
    let c = ok(&i);
    golden("imap-bcc", &c);
    assert_eq!(c.recipients, vec!["ann@example.com", "boss@inlay.example"]);
}

#[test]
fn bcc_is_in_mime_only_and_nothing_else_differs() {
    let mut i = input(ConnectionKind::Imap);
    i.bcc = vec![
        Mailbox::new(
            Some("A very long display name for the hidden recipient"),
            "hidden1@example.net",
        ),
        Mailbox::new(None, "hidden2@example.net"),
        Mailbox::new(Some("Third"), "hidden3@example.net"),
    ];
    let with = ok(&i);
    let mime = parse_message(&with.mime).unwrap();
    assert_eq!(mime.bcc.len(), 3);
    let transmitted = with.transmitted.clone().expect("a transmitted message");
    let sent = parse_message(&transmitted).unwrap();
    assert!(sent.bcc.is_empty());
    for hidden in ["hidden1", "hidden2", "hidden3", "Bcc:", "BCC:"] {
        assert!(
            !String::from_utf8_lossy(&transmitted).contains(hidden),
            "{hidden} in transmitted"
        );
    }
    // The same email built without Bcc is byte for byte the transmitted one.
    let mut without = i.clone();
    without.bcc.clear();
    assert_eq!(ok(&without).mime, transmitted);
    assert_eq!(ok(&without).transmitted, None);
    assert_eq!(with.recipients.len(), 4);
}

#[test]
fn bcc_only_leaves_a_message_without_recipients_headers() {
    let mut i = input(ConnectionKind::Imap);
    i.to.clear();
    i.bcc = vec![Mailbox::new(None, "hidden@example.net")];
    let c = ok(&i);
    let sent = parse_message(c.transmitted.as_ref().unwrap()).unwrap();
    assert!(sent.to.is_empty() && sent.bcc.is_empty());
    assert_eq!(sent.subject.as_deref(), Some("Proposal for Acme & Sons"));
    assert_eq!(c.recipients, vec!["hidden@example.net"]);
}

#[test]
fn same_input_same_bytes_and_ids_from_the_random_bytes() {
    let i = input(ConnectionKind::Google);
    assert_eq!(ok(&i), ok(&i));
    let other: Vec<u8> = random().iter().map(|b| b ^ 0xff).collect();
    let c2 = compose(&i, NOW_MS, &other).unwrap();
    assert_ne!(c2.message_id, ok(&i).message_id);
    assert_ne!(c2.send_id, ok(&i).send_id);
}

#[test]
fn the_send_id_header_is_opaque() {
    let c = ok(&input(ConnectionKind::Google));
    let mime = String::from_utf8_lossy(&c.mime);
    let line = mime
        .lines()
        .find(|l| l.starts_with("X-Inlay-Send-Id:"))
        .expect("the send id header");
    assert_eq!(line, format!("X-Inlay-Send-Id: {}", c.send_id));
    assert_eq!(c.send_id.len(), 32);
    assert!(c.send_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        !c.message_id.contains(&c.send_id),
        "the two ids come from different bytes"
    );
}

#[test]
fn template_values_in_html_stay_text_and_the_body_is_sanitised() {
    let mut i = input(ConnectionKind::Google);
    i.tokens
        .contact
        .insert("firstName".into(), "<script>alert(1)</script>".into());
    i.html
        .push_str("<img src=x onerror=alert(2)><script>alert(3)</script>");
    let c = ok(&i);
    assert!(
        c.html.contains("Hi &lt;script&gt;alert(1)&lt;/script&gt;,"),
        "{}",
        c.html
    );
    assert!(
        !c.html.contains("<script") && !c.html.contains("onerror"),
        "{}",
        c.html
    );
    assert!(
        c.text.starts_with("Hi <script>alert(1)</script>,\n"),
        "{}",
        c.text
    );
    let parsed = parse_message(&c.mime).unwrap();
    assert!(!parsed.html_body.unwrap().contains("<script"));
}

#[test]
fn an_unclosed_tag_in_the_body_does_not_take_the_signature() {
    let mut i = input(ConnectionKind::Google);
    i.html = "<p><a href=\"https://x.example/\">open link".into();
    let c = ok(&i);
    assert!(
        c.html.ends_with("<br><div><p>Bob<br>Inlay</p></div>"),
        "{}",
        c.html
    );
}

#[test]
fn from_must_be_an_allowed_address() {
    let mut i = input(ConnectionKind::Google);
    i.from.address = " BOB@inlay.EXAMPLE ".into();
    ok(&i);
    i.from.address = "ceo@inlay.example".into();
    let e = err(&i);
    assert_eq!(e.code, "fromNotAllowed");
    assert_eq!(e.field.as_deref(), Some("from.address"));
    assert!(
        e.message
            .starts_with("ceo@inlay.example is not this inbox's address"),
        "{}",
        e.message
    );
    assert!(e.message.contains("in Gmail"), "{}", e.message);
    i.allowed_from = vec!["ceo@inlay.example".into()];
    ok(&i);
    // International domains compare in their ASCII form.
    i.from.address = "bob@bücher.example".into();
    i.allowed_from = vec!["bob@xn--bcher-kva.example".into()];
    let c = ok(&i);
    assert!(
        c.message_id.ends_with("@xn--bcher-kva.example>"),
        "{}",
        c.message_id
    );
}

#[test]
fn recipients_counted_per_provider() {
    let mut i = input(ConnectionKind::Google);
    i.to.clear();
    let e = err(&i);
    assert_eq!(e.code, "noRecipient");
    assert!(e.message.contains("no recipient"), "{}", e.message);
    i.to = (0..60)
        .map(|n| Mailbox::new(None, &format!("to{n}@example.com")))
        .collect();
    i.bcc = (0..41)
        .map(|n| Mailbox::new(None, &format!("bcc{n}@example.com")))
        .collect();
    let e = err(&i);
    assert_eq!(e.code, "tooManyRecipients");
    assert!(
        e.message
            .contains("101 recipients; Gmail sends one email to at most 100"),
        "{}",
        e.message
    );
    i.inbox_kind = ConnectionKind::Microsoft;
    ok(&i);
}

#[test]
fn attachment_and_message_size_per_provider() {
    let file = |mb: usize| Attachment {
        filename: "deck.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: vec![b'x'; mb * 1024 * 1024],
    };
    // One 26 MB file: too large for Gmail (25 MB), fine for a server that
    // takes 50 MB.
    let mut i = input(ConnectionKind::Google);
    i.attachments = vec![file(26)];
    let e = err(&i);
    assert_eq!(e.code, "attachmentTooLarge");
    assert!(
        e.message
            .contains("deck.pdf (26 MB) is too large for Gmail"),
        "{}",
        e.message
    );
    i.inbox_kind = ConnectionKind::Imap;
    i.smtp_max_size = Some(50 * 1024 * 1024);
    ok(&i);
    // Microsoft 365: Exchange Online's default send size, 35 MB encoded (a
    // send over one 4 MB request goes as a draft with uploads).
    let mut i = input(ConnectionKind::Microsoft);
    i.attachments = vec![file(26)];
    let e = err(&i);
    assert_eq!(e.code, "messageTooLarge");
    assert!(
        e.message.contains("Microsoft 365 takes up to 35 MB"),
        "{}",
        e.message
    );
    i.attachments[0].bytes.truncate(2_000_000);
    let c = ok(&i);
    assert!(inlay_core::send::limits::graph_send_mail_fits(c.size_bytes));
    i.attachments[0].bytes.resize(20 * 1024 * 1024, b'x');
    let c = ok(&i);
    assert!(!inlay_core::send::limits::graph_send_mail_fits(
        c.size_bytes
    ));
    // 8 MB is under Exchange's 10 MB, but not once base64-encoded.
    let mut i = input(ConnectionKind::Exchange);
    i.attachments = vec![file(8)];
    let e = err(&i);
    assert_eq!(e.code, "messageTooLarge");
    assert!(
        e.message.contains("Exchange takes up to 10 MB"),
        "{}",
        e.message
    );
    // IMAP/SMTP: the server's SIZE, else 25 MB.
    let mut i = input(ConnectionKind::Imap);
    i.attachments = vec![file(2)];
    i.smtp_max_size = Some(1024 * 1024);
    let e = err(&i);
    assert_eq!(e.code, "attachmentTooLarge");
    assert!(
        e.message.contains("too large for your mail server"),
        "{}",
        e.message
    );
    i.smtp_max_size = None;
    ok(&i);
    // Inline images count as attachments.
    let mut i = input(ConnectionKind::Exchange);
    i.html.push_str("<img src=\"cid:big\">");
    i.inline_images = vec![InlineImage {
        filename: "big.png".into(),
        content_type: "image/png".into(),
        content_id: "big".into(),
        bytes: vec![0; 11 * 1024 * 1024],
    }];
    assert_eq!(err(&i).code, "attachmentTooLarge");
}

#[test]
fn template_errors_name_the_token_and_the_field() {
    let mut i = input(ConnectionKind::Google);
    i.subject = "About {{deal.stage}}".into();
    let e = err(&i);
    assert_eq!(
        (e.code.as_str(), e.token.as_deref(), e.field.as_deref()),
        ("missingTokenValue", Some("deal.stage"), Some("subject"))
    );
    assert!(
        e.message.starts_with("{{deal.stage}} has no value"),
        "{}",
        e.message
    );

    let mut i = input(ConnectionKind::Google);
    i.html = "<p>Hi {{contact.nickname}}</p>".into();
    let e = err(&i);
    assert_eq!(
        (e.code.as_str(), e.token.as_deref(), e.field.as_deref()),
        ("unknownToken", Some("contact.nickname"), Some("html"))
    );

    let mut i = input(ConnectionKind::Google);
    i.signature_html = Some("{{sender.lastName}}".into());
    let e = err(&i);
    assert_eq!(
        (e.code.as_str(), e.token.as_deref(), e.field.as_deref()),
        (
            "missingTokenValue",
            Some("sender.lastName"),
            Some("signatureHtml")
        )
    );
    i.signature_html = Some("{{sender.lastName | The team}}".into());
    assert!(ok(&i).text.ends_with("The team\n"));
}

#[test]
fn header_injection_is_refused_in_every_field() {
    type Edit = fn(&mut ComposeInput);
    let cases: &[(&str, Edit)] = &[
        ("from.name", |i| {
            i.from.name = Some("Bob\r\nBcc: x@evil.example".into())
        }),
        ("to[0].name", |i| {
            i.to[0].name = Some("Ann\nBcc: x@evil.example".into())
        }),
        ("to[0].address", |i| {
            i.to[0].address = "ann@example.com\r\nBcc: x@evil.example".into()
        }),
        ("cc[0].address", |i| {
            i.cc = vec![Mailbox::new(None, "c@example.com\n")]
        }),
        ("bcc[0].name", |i| {
            i.bcc = vec![Mailbox::new(Some("B\0"), "b@example.com")]
        }),
        ("subject", |i| {
            i.subject = "Hi\r\nBcc: x@evil.example".into()
        }),
        ("subject", |i| {
            i.subject = "Hi {{contact.firstName}}".into();
            i.tokens
                .contact
                .insert("firstName".into(), "Ann\r\nBcc: x@evil.example".into());
        }),
        ("attachments[0].filename", |i| {
            i.attachments = vec![Attachment {
                filename: "a.pdf\r\nX: y".into(),
                content_type: "application/pdf".into(),
                bytes: vec![1],
            }]
        }),
        ("attachments[0].contentType", |i| {
            i.attachments = vec![Attachment {
                filename: "a.pdf".into(),
                content_type: "application/pdf\nX: y".into(),
                bytes: vec![1],
            }]
        }),
        ("inlineImages[0].contentId", |i| {
            i.html = "<img src=\"cid:x\">".into();
            i.inline_images = vec![InlineImage {
                filename: "x.png".into(),
                content_type: "image/png".into(),
                content_id: "x\r\nX: y".into(),
                bytes: vec![1],
            }]
        }),
        ("inReplyTo", |i| {
            i.in_reply_to = Some("<a@b>\r\nBcc: x@evil.example".into())
        }),
        ("references[0]", |i| {
            i.references = vec!["<a@b>\nX: y".into()]
        }),
        ("threadId", |i| i.thread_id = Some("123\r\nX: y".into())),
    ];
    for (field, edit) in cases {
        let mut i = input(ConnectionKind::Imap);
        edit(&mut i);
        let e = err(&i);
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("headerInjection", Some(*field)),
            "{field}: {}",
            e.message
        );
        assert!(e.message.contains("line break"), "{}", e.message);
    }
}

#[test]
fn too_few_random_bytes_is_an_error_not_a_weak_id() {
    let e = compose(&input(ConnectionKind::Google), NOW_MS, &[7; 20]).unwrap_err();
    assert_eq!(e.code, "internal");
}

#[test]
fn input_from_js_shaped_json() {
    let i: ComposeInput = serde_json::from_value(json!({
        "from": {"name": "Bob", "address": "bob@inlay.example"},
        "allowedFrom": ["bob@inlay.example"],
        "to": [{"address": "ann@example.com"}],
        "subject": "Hi {{contact.firstname | there}}",
        "html": "<p>Hello</p>",
        "inboxKind": "google",
    }))
    .unwrap();
    let c = ok(&i);
    assert_eq!(c.subject, "Hi there");
    assert_eq!(c.text, "Hello\n");
    let out = serde_json::to_value(&c).unwrap();
    assert_eq!(out["envelopeFrom"], "bob@inlay.example");
    assert!(out["transmitted"].is_null());
    let e = serde_json::to_value(err(&ComposeInput { to: vec![], ..i })).unwrap();
    assert_eq!(
        e,
        json!({"code": "noRecipient", "message": "The email has no recipient. Add at least one address in To, Cc or Bcc."})
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Any CRM value in a token: in the body it stays text (the body keeps
    /// exactly the template's one paragraph, the text shows the value); in
    /// the subject it is refused as header injection or read back as it was
    /// written, with no header added.
    #[test]
    fn any_token_value_stays_text(value in "[ -~\u{80}-\u{2030}\r\n\t\0]{0,40}") {
        let mut i = input(ConnectionKind::Imap);
        i.subject = "Hi {{contact.firstName | there}}".into();
        i.html = "<p>Dear {{contact.firstName | there}}</p>".into();
        i.signature_html = None;
        i.tokens.contact.insert("firstName".into(), value.clone());
        match compose(&i, NOW_MS, &random()) {
            Err(e) => {
                proptest::prop_assert_eq!(e.code.as_str(), "headerInjection", "{}", e.message);
                proptest::prop_assert_eq!(e.field.as_deref(), Some("subject"));
                proptest::prop_assert!(value.contains(['\r', '\n', '\0']));
            }
            Ok(c) => {
                proptest::prop_assert_eq!(c.html.matches('<').count(), 2, "{}", c.html);
                let shown = if value.trim().is_empty() { "there" } else { value.trim() };
                let words: Vec<&str> = shown.split_whitespace().collect();
                let text_words: Vec<&str> = c.text.split_whitespace().skip(1).collect();
                proptest::prop_assert_eq!(text_words, words);
                let parsed = parse_message(&c.mime).unwrap();
                proptest::prop_assert_eq!(parsed.subject.as_deref(), Some(c.subject.as_str()));
                proptest::prop_assert_eq!(parsed.to.len(), 1);
                proptest::prop_assert!(parsed.bcc.is_empty() && parsed.cc.is_empty());
            }
        }
    }
}
