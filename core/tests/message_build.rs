//! build_message: structure, validation, header injection, line lengths,
//! IDN, determinism, provider encoders, serde shape.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use inlay_core::message::*;

fn draft() -> Draft {
    Draft {
        from: Mailbox::new(Some("Bob Seller"), "bob@inlay.example"),
        to: vec![Mailbox::new(Some("Ann Buyer"), "ann@example.com")],
        subject: "Proposal".into(),
        text: Some("Hello Ann,\nhere it is.\n".into()),
        message_id: "<m1@inlay.example>".into(),
        date: 1_700_000_000,
        ..Draft::default()
    }
}

fn build(d: &Draft) -> Vec<u8> {
    build_message(d).unwrap_or_else(|e| panic!("{e}"))
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn header_block(bytes: &[u8]) -> &str {
    text(bytes).split("\r\n\r\n").next().unwrap()
}

fn assert_lines(bytes: &[u8], max: usize) {
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        assert!(
            line.ends_with(b"\r\n"),
            "line without CRLF: {:?}",
            String::from_utf8_lossy(line)
        );
        let len = line.len() - 2;
        assert!(
            len <= max,
            "{len} octets: {:?}",
            String::from_utf8_lossy(line)
        );
    }
}

fn png(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn simple_text_message() {
    let bytes = build(&draft());
    assert_eq!(
        text(&bytes),
        "From: \"Bob Seller\" <bob@inlay.example>\r\n\
         To: \"Ann Buyer\" <ann@example.com>\r\n\
         Subject: Proposal\r\n\
         Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\
         Message-ID: <m1@inlay.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=\"utf-8\"\r\n\
         Content-Transfer-Encoding: 7bit\r\n\
         \r\n\
         Hello Ann,\r\nhere it is.\r\n"
    );
}

#[test]
fn same_draft_same_bytes() {
    let mut d = draft();
    d.html = Some("<p>Hello</p>".into());
    d.attachments = vec![Attachment {
        filename: "a.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: png(10),
    }];
    assert_eq!(build(&d), build(&d));
    let mut other = d.clone();
    other.message_id = "<m2@inlay.example>".into();
    assert_ne!(
        build(&d),
        build(&other),
        "boundaries derive from the message id"
    );
}

#[test]
fn full_structure_round_trips() {
    let mut d = draft();
    d.cc = vec![Mailbox::new(None, "cc@example.com")];
    d.bcc = vec![Mailbox::new(Some("Hidden"), "bcc@example.com")];
    d.reply_to = vec![Mailbox::new(Some("Sales"), "sales@inlay.example")];
    d.html = Some("<p>Hello <img src=\"cid:logo@inlay\"></p>".into());
    d.inline_images = vec![InlineImage {
        filename: "logo.png".into(),
        content_type: "image/png".into(),
        content_id: "<logo@inlay>".into(),
        bytes: png(300),
    }];
    d.attachments = vec![
        Attachment {
            filename: "Angebot für Müller.pdf".into(),
            content_type: "Application/PDF".into(),
            bytes: png(5000),
        },
        Attachment {
            filename: "notes.txt".into(),
            content_type: "text/plain".into(),
            bytes: b"a\0b\r\nc".to_vec(),
        },
    ];
    d.in_reply_to = Some("<orig@example.com>".into());
    d.references = vec!["root@example.com".into(), "<orig@example.com>".into()];
    d.headers = vec![HeaderField {
        name: "X-Inlay-Campaign".into(),
        value: "spring-2024".into(),
    }];
    let bytes = build(&d);
    assert_lines(&bytes, 78);

    // mixed[ alternative[ text, related[ html, image ] ], pdf, txt ]
    let raw = text(&bytes);
    let types: Vec<&str> = raw
        .lines()
        .filter_map(|l| l.strip_prefix("Content-Type: "))
        .map(|t| t.split(';').next().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "multipart/related",
            "text/html",
            "image/png",
            "application/pdf",
            "text/plain"
        ]
    );
    assert!(
        raw.contains("Bcc: \"Hidden\" <bcc@example.com>\r\n"),
        "Bcc is written for the provider to use"
    );

    let p = parse_message(&bytes).unwrap();
    assert_eq!(p.subject.as_deref(), Some("Proposal"));
    assert_eq!(
        p.text_body.as_deref(),
        Some("Hello Ann,\r\nhere it is.\r\n")
    );
    assert_eq!(
        p.html_body.as_deref(),
        Some("<p>Hello <img src=\"cid:logo@inlay\"></p>\r\n")
    );
    assert_eq!(
        p.cc,
        vec![Participant {
            name: None,
            address: "cc@example.com".into()
        }]
    );
    assert_eq!(
        p.bcc,
        vec![Participant {
            name: Some("Hidden".into()),
            address: "bcc@example.com".into()
        }]
    );
    assert_eq!(p.reply_to[0].address, "sales@inlay.example");
    assert_eq!(p.in_reply_to, ["orig@example.com"]);
    assert_eq!(p.references, ["root@example.com", "orig@example.com"]);
    assert_eq!(
        p.headers
            .iter()
            .find(|h| h.name == "X-Inlay-Campaign")
            .unwrap()
            .value,
        "spring-2024"
    );
    let files: Vec<_> = p
        .attachments
        .iter()
        .map(|a| {
            (
                a.filename.as_deref().unwrap(),
                a.content_type.as_str(),
                a.size,
                a.content_id.as_deref(),
                a.inline,
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("logo.png", "image/png", 300, Some("logo@inlay"), true),
            (
                "Angebot für Müller.pdf",
                "application/pdf",
                5000,
                None,
                false
            ),
            ("notes.txt", "text/plain", 6, None, false),
        ]
    );
    assert_eq!(p.kind, MessageKind::Normal);
}

#[test]
fn html_only_and_attachment_only() {
    let mut d = draft();
    d.text = None;
    d.html = Some("<b>hi</b>".into());
    let p = parse_message(&build(&d)).unwrap();
    assert_eq!(
        (p.text_body, p.html_body.as_deref()),
        (None, Some("<b>hi</b>\r\n"))
    );

    d.html = None;
    d.attachments = vec![Attachment {
        filename: "a.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: png(3),
    }];
    let p = parse_message(&build(&d)).unwrap();
    assert_eq!(p.text_body.as_deref(), Some(""));
    assert_eq!(p.attachments.len(), 1);
}

#[test]
fn long_values_fold_within_78_octets() {
    let mut d = draft();
    d.subject = "Subject".repeat(80); // 560 characters without a space
    d.from.name = Some("Ünïcödé ".repeat(30));
    d.to[0].name = Some("A rather long ASCII display name, with a comma, ".repeat(5));
    d.text = Some("word ".repeat(2000));
    d.html = Some(format!("<p>{}</p>", "x".repeat(20_000))); // one 20 kB line
    d.headers = vec![HeaderField {
        name: "X-Long".into(),
        value: "value ".repeat(400),
    }];
    d.attachments = vec![Attachment {
        filename: format!("{}.pdf", "Jahresabschluß ".repeat(20)),
        content_type: "application/pdf".into(),
        bytes: png(10),
    }];
    let bytes = build(&d);
    assert_lines(&bytes, 78);
    let p = parse_message(&bytes).unwrap();
    assert_eq!(p.subject.as_deref(), Some("Subject".repeat(80).as_str()));
    assert_eq!(
        p.from[0].name.as_deref(),
        Some("Ünïcödé ".repeat(30).trim())
    );
    assert_eq!(p.html_body.unwrap().len(), 20_009);
    assert_eq!(
        p.attachments[0].filename.as_deref(),
        Some(format!("{}.pdf", "Jahresabschluß ".repeat(20)).as_str())
    );
}

#[test]
fn words_too_long_for_78_still_fit_998() {
    let mut d = draft();
    d.headers = vec![HeaderField {
        name: "X-Token".into(),
        value: "t".repeat(900),
    }];
    d.references = vec![format!("{}@example.com", "r".repeat(800))];
    let bytes = build(&d);
    assert_lines(&bytes, 998);
    d.headers[0].value = "t".repeat(901);
    assert_eq!(
        build_message(&d),
        Err(BuildError::TooLong {
            field: "headers[0].value".into(),
            max: 900
        })
    );
}

#[test]
fn international_domains_become_punycode() {
    let mut d = draft();
    d.to = vec![
        Mailbox::new(Some("Zoë"), "zoe@bücher.example"),
        Mailbox::new(None, "info@ÉXAMPLE.de"),
        Mailbox::new(None, " padded@example.com "),
    ];
    let bytes = build(&d);
    let headers = header_block(&bytes);
    assert!(headers.contains("<zoe@xn--bcher-kva.example>"), "{headers}");
    assert!(headers.contains("<info@xn--xample-9ua.de>"), "{headers}");
    let p = parse_message(&bytes).unwrap();
    let to: Vec<&str> = p.to.iter().map(|t| t.address.as_str()).collect();
    assert_eq!(
        to,
        [
            "zoe@xn--bcher-kva.example",
            "info@xn--xample-9ua.de",
            "padded@example.com"
        ]
    );
    assert_eq!(p.to[0].name.as_deref(), Some("Zoë"));
}

#[test]
fn header_injection_is_refused_in_every_field() {
    type Set = fn(&mut Draft, &str);
    let fields: &[(&str, Set)] = &[
        ("from.name", |d, v| d.from.name = Some(v.into())),
        ("from.address", |d, v| d.from.address = v.into()),
        ("to[0].name", |d, v| d.to[0].name = Some(v.into())),
        ("to[0].address", |d, v| d.to[0].address = v.into()),
        ("cc[0].name", |d, v| {
            d.cc = vec![Mailbox::new(Some(v), "c@example.com")]
        }),
        ("cc[0].address", |d, v| d.cc = vec![Mailbox::new(None, v)]),
        ("bcc[0].name", |d, v| {
            d.bcc = vec![Mailbox::new(Some(v), "c@example.com")]
        }),
        ("bcc[0].address", |d, v| d.bcc = vec![Mailbox::new(None, v)]),
        ("replyTo[0].name", |d, v| {
            d.reply_to = vec![Mailbox::new(Some(v), "c@example.com")]
        }),
        ("replyTo[0].address", |d, v| {
            d.reply_to = vec![Mailbox::new(None, v)]
        }),
        ("subject", |d, v| d.subject = v.into()),
        ("headers[0].name", |d, v| {
            d.headers = vec![HeaderField {
                name: v.into(),
                value: "x".into(),
            }]
        }),
        ("headers[0].value", |d, v| {
            d.headers = vec![HeaderField {
                name: "X-A".into(),
                value: v.into(),
            }]
        }),
        ("messageId", |d, v| d.message_id = v.into()),
        ("inReplyTo", |d, v| d.in_reply_to = Some(v.into())),
        ("references[0]", |d, v| d.references = vec![v.into()]),
        ("attachments[0].filename", |d, v| {
            d.attachments = vec![Attachment {
                filename: v.into(),
                content_type: "text/plain".into(),
                bytes: vec![],
            }]
        }),
        ("attachments[0].contentType", |d, v| {
            d.attachments = vec![Attachment {
                filename: "a".into(),
                content_type: v.into(),
                bytes: vec![],
            }]
        }),
        ("inlineImages[0].filename", |d, v| {
            d.html = Some("x".into());
            d.inline_images = vec![InlineImage {
                filename: v.into(),
                content_type: "image/png".into(),
                content_id: "c@x".into(),
                bytes: vec![],
            }]
        }),
        ("inlineImages[0].contentType", |d, v| {
            d.html = Some("x".into());
            d.inline_images = vec![InlineImage {
                filename: "a".into(),
                content_type: v.into(),
                content_id: "c@x".into(),
                bytes: vec![],
            }]
        }),
        ("inlineImages[0].contentId", |d, v| {
            d.html = Some("x".into());
            d.inline_images = vec![InlineImage {
                filename: "a".into(),
                content_type: "image/png".into(),
                content_id: v.into(),
                bytes: vec![],
            }]
        }),
    ];
    // Each payload is placed inside an otherwise valid value.
    let valid = |field: &str| match field {
        f if f.ends_with("address") => "x@example.com",
        "messageId" | "inReplyTo" | "references[0]" | "inlineImages[0].contentId" => {
            "<a@example.com>"
        }
        f if f.ends_with("contentType") => "text/plain",
        f if f.ends_with(".name") && f.starts_with("headers") => "X-Name",
        _ => "Value",
    };
    let mut checked = 0;
    for (field, set) in fields {
        for payload in [
            "\r",
            "\n",
            "\r\n",
            "\0",
            "\r\nBcc: x@evil.example",
            "\nX-Injected: 1",
            "\r\n\r\n<html>",
        ] {
            for place in ["start", "middle", "end"] {
                let v = valid(field);
                let value = match place {
                    "start" => format!("{payload}{v}"),
                    "middle" => format!("{}{payload}{}", &v[..2], &v[2..]),
                    _ => format!("{v}{payload}"),
                };
                let mut d = draft();
                set(&mut d, &value);
                let error =
                    build_message(&d).expect_err(&format!("{field} = {value:?} was accepted"));
                assert_eq!(
                    error,
                    BuildError::HeaderInjection {
                        field: field.to_string()
                    },
                    "{value:?}"
                );
                let message = error.to_string();
                assert!(
                    message.contains(field) && message.contains("line break"),
                    "{message}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, fields.len() * 21);
}

#[test]
fn header_injection_error_for_js() {
    let mut d = draft();
    d.to[0].name = Some("Ann\r\nBcc: x@evil.example".into());
    let json = serde_json::to_value(build_message(&d).unwrap_err()).unwrap();
    assert_eq!(json["code"], "headerInjection");
    assert_eq!(json["field"], "to[0].name");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .starts_with("to[0].name contains a line break")
    );
}

#[test]
fn invalid_addresses() {
    for (address, reason_part) in [
        ("ann.example.com", "no @"),
        ("@example.com", "nothing before"),
        ("ann@", "domain"),
        ("ann smith@example.com", "quoting"),
        ("ann..smith@example.com", "quoting"),
        (".ann@example.com", "quoting"),
        ("\"ann smith\"@example.com", "quoting"),
        ("ann@exa mple.com", "domain"),
        ("ann@-example.com", "domain"),
        ("ann@example..com", "domain"),
        ("ann@[192.0.2.1]", "domain"),
        ("ann@bü cher.de", "international"),
        ("=?utf-8?q?a=40b?=c@example.com", "=?"),
        (&format!("{}@example.com", "a".repeat(65)), "64"),
        ("<ann@example.com>", "quoting"),
    ] {
        let mut d = draft();
        d.to[0].address = address.into();
        match build_message(&d) {
            Err(BuildError::InvalidAddress { field, reason }) => {
                assert_eq!(field, "to[0].address");
                assert!(reason.contains(reason_part), "{address}: {reason}");
            }
            other => panic!("{address}: {other:?}"),
        }
    }
    let mut d = draft();
    d.to[0].address = "jürgen@example.de".into();
    assert_eq!(
        build_message(&d),
        Err(BuildError::NonAsciiLocalPart {
            field: "to[0].address".into()
        })
    );
}

#[test]
fn other_validation() {
    let check = |edit: fn(&mut Draft), expected: BuildError| {
        let mut d = draft();
        edit(&mut d);
        assert_eq!(build_message(&d), Err(expected.clone()), "{expected}");
        assert!(!expected.to_string().is_empty());
    };
    check(|d| d.to.clear(), BuildError::NoRecipients);
    check(
        |d| d.to[0].name = Some("Ann <boss@example.com>".into()),
        BuildError::InvalidDisplayName {
            field: "to[0].name".into(),
        },
    );
    for name in ["X Campaign", "X:Campaign", "", "Ünïcode", &"X".repeat(77)] {
        let mut d = draft();
        d.headers = vec![HeaderField {
            name: name.to_string(),
            value: "v".into(),
        }];
        assert_eq!(
            build_message(&d),
            Err(BuildError::InvalidHeaderName {
                field: "headers[0].name".into()
            }),
            "{name}"
        );
    }
    for name in [
        "From",
        "to",
        "BCC",
        "Message-ID",
        "Date",
        "MIME-Version",
        "Content-Type",
        "content-transfer-encoding",
        "Content-Foo",
        "Resent-To",
        "Received",
    ] {
        let mut d = draft();
        d.headers = vec![HeaderField {
            name: name.to_string(),
            value: "v".into(),
        }];
        assert_eq!(
            build_message(&d),
            Err(BuildError::ReservedHeader {
                field: "headers[0].name".into(),
                name: name.into()
            }),
            "{name}"
        );
    }
    for id in ["m1", "<m1@x", "m1@@x", "m 1@x", "<>", "a@b@c", "a..b@c"] {
        let mut d = draft();
        d.message_id = id.into();
        assert_eq!(
            build_message(&d),
            Err(BuildError::InvalidMessageId {
                field: "messageId".into()
            }),
            "{id}"
        );
    }
    for id in ["m1@x", "<m1@x>", " <m1.a+b@x.example> "] {
        let mut d = draft();
        d.message_id = id.into();
        assert!(build_message(&d).is_ok(), "{id}");
    }
    // Ids minted elsewhere are taken as they come, as long as they are one token.
    let mut d = draft();
    d.in_reply_to = Some("<1234.no-at-sign>".into());
    assert_eq!(
        parse_message(&build(&d)).unwrap().in_reply_to,
        ["1234.no-at-sign"]
    );
    d.in_reply_to = Some("<a b@c>".into());
    assert_eq!(
        build_message(&d),
        Err(BuildError::InvalidMessageId {
            field: "inReplyTo".into()
        })
    );

    check(|d| d.date = -1, BuildError::InvalidDate);
    check(|d| d.date = 32_535_216_000, BuildError::InvalidDate);
    check(
        |d| {
            d.html = None;
            d.inline_images = vec![InlineImage {
                filename: "a.png".into(),
                content_type: "image/png".into(),
                content_id: "a@b".into(),
                bytes: vec![1],
            }]
        },
        BuildError::InlineImagesWithoutHtml,
    );
    for ct in [
        "pdf",
        "application/pdf; name=x",
        "a/b/c",
        "/pdf",
        "application/",
    ] {
        let mut d = draft();
        d.attachments = vec![Attachment {
            filename: "a".into(),
            content_type: ct.into(),
            bytes: vec![],
        }];
        assert_eq!(
            build_message(&d),
            Err(BuildError::InvalidContentType {
                field: "attachments[0].contentType".into()
            }),
            "{ct}"
        );
    }
    check(
        |d| {
            d.attachments = vec![Attachment {
                filename: "  ".into(),
                content_type: "a/b".into(),
                bytes: vec![],
            }]
        },
        BuildError::InvalidValue {
            field: "attachments[0].filename".into(),
            reason: "the file name is empty",
        },
    );
    check(
        |d| d.text = Some("nul\0".into()),
        BuildError::InvalidValue {
            field: "text".into(),
            reason: "it contains a NUL character",
        },
    );
}

#[test]
fn text_a_reader_would_decode_is_refused() {
    // Written as-is, these would be shown decoded ("hi", "A", …): refuse.
    let mut d = draft();
    d.subject = "=?utf-8?q?hi?=".into();
    assert_eq!(
        build_message(&d),
        Err(BuildError::NotRepresentable {
            field: "subject".into()
        })
    );
    let mut d = draft();
    d.from.name = Some("=?utf-8?b?QQ==?=".into());
    assert_eq!(
        build_message(&d),
        Err(BuildError::NotRepresentable {
            field: "from.name".into()
        })
    );
    let mut d = draft();
    d.headers = vec![HeaderField {
        name: "X-A".into(),
        value: "=?utf-8?q?x?=".into(),
    }];
    assert_eq!(
        build_message(&d),
        Err(BuildError::NotRepresentable {
            field: "headers[0].value".into()
        })
    );
    // Once the value must be encoded anyway, it is safe and kept.
    let mut d = draft();
    d.subject = "Grüße =?utf-8?q?hi?=".into();
    assert_eq!(
        parse_message(&build(&d)).unwrap().subject.as_deref(),
        Some("Grüße =?utf-8?q?hi?=")
    );
}

#[test]
fn whitespace_is_normalised_as_documented() {
    let mut d = draft();
    d.subject = "  \tRe:  spaced  ".into();
    d.to[0].name = Some("   ".into());
    d.headers = vec![HeaderField {
        name: "X-A".into(),
        value: " a  \t b ".into(),
    }];
    d.text = Some("a\rb\nc\r\nd".into());
    let p = parse_message(&build(&d)).unwrap();
    assert_eq!(p.subject.as_deref(), Some("Re:  spaced"));
    assert_eq!(p.to[0].name, None);
    assert_eq!(
        p.headers.iter().find(|h| h.name == "X-A").unwrap().value,
        "a b"
    );
    assert_eq!(p.text_body.as_deref(), Some("a\r\nb\r\nc\r\nd\r\n"));
}

#[test]
fn boundary_never_collides_with_body_text() {
    let mut d = draft();
    d.html = Some("<p>x</p>".into());
    let first = build(&d);
    let boundary = text(&first)
        .split("boundary=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    d.text = Some(format!("--{boundary}\r\n--{boundary}--\r\n"));
    let second = build(&d);
    assert!(!text(&second).contains(&format!("boundary=\"{boundary}\"")));
    assert_eq!(parse_message(&second).unwrap().text_body, d.text);
}

#[test]
fn provider_encoders() {
    let bytes = build(&draft());
    let raw = gmail_raw(&bytes);
    assert!(!raw.contains(['+', '/']));
    assert_eq!(URL_SAFE.decode(&raw).unwrap(), bytes);
    assert_eq!(gmail_raw_decode(&raw).unwrap(), bytes);
    assert_eq!(
        gmail_raw_decode(&URL_SAFE_NO_PAD.encode(&bytes)).unwrap(),
        bytes
    );
    assert_eq!(gmail_raw_decode("not base64!"), None);
    // The bytes that need the URL-safe alphabet.
    assert_eq!(gmail_raw(&[0xfb, 0xff]), "-_8=");
    assert_eq!(STANDARD.decode(graph_mime(&bytes)).unwrap(), bytes);
    assert_eq!(STANDARD.decode(ews_mime_content(&bytes)).unwrap(), bytes);
    assert_eq!(graph_mime(&[0xfb, 0xff]), "+/8=");
}

#[test]
fn draft_from_js_shaped_json() {
    let json = serde_json::json!({
        "from": {"address": "bob@inlay.example", "name": "Bob"},
        "to": [{"address": "ann@example.com"}],
        "subject": "Hi",
        "html": "<p>Hi</p>",
        "attachments": [{"filename": "a.bin", "contentType": "application/octet-stream", "bytes": [0, 1, 255]}],
        "inlineImages": [{"filename": "l.png", "contentType": "image/png", "contentId": "l@x", "bytes": [1]}],
        "inReplyTo": "<x@y>",
        "headers": [{"name": "X-A", "value": "b"}],
        "messageId": "m@inlay.example",
        "date": 1700000000
    });
    let d: Draft = serde_json::from_value(json).unwrap();
    assert_eq!(d.attachments[0].bytes, [0, 1, 255]);
    let p = parse_message(&build(&d)).unwrap();
    assert_eq!(
        p.attachments.iter().map(|a| a.size).collect::<Vec<_>>(),
        [1, 3]
    );
    // Round trip through serde, and typos are caught.
    let again: Draft = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
    assert_eq!(again, d);
    let typo = serde_json::json!({"from": {"address": "a@b"}, "replyto": [], "messageId": "m@x", "date": 0});
    assert!(serde_json::from_value::<Draft>(typo).is_err());
}
