//! Hostile structure gives the specific limit error, without a panic, a stack
//! overflow or a hang (each of these inputs hangs or crashes mail-parser 0.11
//! on its own; see `message/limits.rs`). Tests run on the default 2 MiB test
//! thread stack, smaller than the main thread's.

use base64::Engine;
use inlay_core::message::{
    Limit, Limits, MAX_FORWARD_LEVELS, ParseError, parse_message, parse_message_with,
};

fn limit_of(result: Result<inlay_core::message::ParsedMessage, ParseError>) -> Limit {
    match result {
        Err(ParseError::LimitExceeded { limit, .. }) => limit,
        Err(other) => panic!("expected a limit error, got {other:?}"),
        Ok(_) => panic!("expected a limit error, got a message"),
    }
}

fn b64_lines(bytes: &[u8]) -> Vec<u8> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = Vec::new();
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `levels` multiparts, each the only part of the one around it.
fn nested_multiparts(levels: usize) -> Vec<u8> {
    let mut m = b"From: a@example.com\r\nSubject: deep\r\n".to_vec();
    for i in 0..levels {
        m.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n")
                .as_bytes(),
        );
    }
    m.extend_from_slice(b"Content-Type: text/plain\r\n\r\nbottom\r\n");
    for i in (0..levels).rev() {
        m.extend_from_slice(format!("--b{i}--\r\n").as_bytes());
    }
    m
}

/// `levels` message/rfc822 parts, each wrapping the next, no transfer encoding.
fn nested_messages(levels: usize) -> Vec<u8> {
    let mut m = b"From: a@example.com\r\nSubject: bomb\r\n".to_vec();
    for _ in 0..levels {
        m.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    m.extend_from_slice(b"Subject: inner\r\n\r\nhi\r\n");
    m
}

/// A message whose only part is `inner`, as base64- (or quoted-printable-)
/// encoded message/rfc822: mail-parser decodes and parses it recursively.
fn encoded_message(inner: &[u8], quoted_printable: bool) -> Vec<u8> {
    let mut m = b"From: a@example.com\r\nSubject: wrapped\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: message/rfc822\r\n".to_vec();
    if quoted_printable {
        m.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        // Line breaks hidden as =0D=0A: the nesting is only visible decoded.
        for &b in inner {
            match b {
                b'\r' => m.extend_from_slice(b"=0D"),
                b'\n' => m.extend_from_slice(b"=0A=\r\n"),
                b'=' => m.extend_from_slice(b"=3D"),
                _ => m.push(b),
            }
        }
        m.extend_from_slice(b"\r\n");
    } else {
        m.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
        m.extend_from_slice(&b64_lines(inner));
    }
    m.extend_from_slice(b"--outer--\r\n");
    m
}

#[test]
fn size_over_max_bytes() {
    let mut m = b"Subject: big\r\n\r\n".to_vec();
    m.resize(2_000, b'x');
    let limits = Limits {
        max_bytes: 1_000,
        ..Limits::default()
    };
    assert_eq!(limit_of(parse_message_with(&m, &limits)), Limit::MaxBytes);
    // The default is 50 MiB.
    m.resize((50 << 20) + 1, b'x');
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxBytes);
}

#[test]
fn two_hundred_nested_multiparts() {
    assert_eq!(
        limit_of(parse_message(&nested_multiparts(200))),
        Limit::MaxDepth
    );
    // Within the limit the same shape is fine.
    let ok = parse_message(&nested_multiparts(15)).unwrap();
    assert_eq!(ok.text_body.as_deref(), Some("bottom"));
}

#[test]
fn ten_thousand_parts() {
    let mut m =
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n".to_vec();
    for i in 0..10_000 {
        m.extend_from_slice(
            format!("--p\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n").as_bytes(),
        );
    }
    m.extend_from_slice(b"--p--\r\n");
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxParts);
    let limits = Limits {
        max_parts: 20_000,
        ..Limits::default()
    };
    assert!(parse_message_with(&m, &limits).is_ok());
}

#[test]
fn hundred_thousand_nested_messages_do_not_overflow_the_stack() {
    // 3.3 MB; dropping mail-parser's tree recursively overflows an 8 MB stack.
    assert_eq!(
        limit_of(parse_message(&nested_messages(100_000))),
        Limit::MaxDepth
    );
    let limits = Limits {
        max_depth: 1_000_000,
        max_parts: 1_000_000,
        ..Limits::default()
    };
    assert!(parse_message_with(&nested_messages(100_000), &limits).is_ok());
}

#[test]
fn base64_encoded_message_bomb() {
    // mail-parser would recurse once per level while copying the decoded tree.
    let m = encoded_message(&nested_messages(30_000), false);
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxDepth);
    // Even with no depth limit the copies are bounded by the work limit.
    let limits = Limits {
        max_depth: usize::MAX / 4,
        max_parts: usize::MAX,
        ..Limits::default()
    };
    assert_eq!(limit_of(parse_message_with(&m, &limits)), Limit::MaxWork);
}

#[test]
fn quoted_printable_encoded_message_bomb() {
    let m = encoded_message(&nested_messages(30_000), true);
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxDepth);
}

#[test]
fn encoded_inside_encoded_message_bomb() {
    let m = encoded_message(
        &encoded_message(&encoded_message(&nested_messages(20_000), false), false),
        false,
    );
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxDepth);
}

#[test]
fn encoded_message_within_limits_parses() {
    let inner = b"From: b@example.com\r\nSubject: inner\r\n\r\nhello\r\n";
    let parsed = parse_message(&encoded_message(inner, false)).unwrap();
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(parsed.attachments[0].content_type, "message/rfc822");
    assert_eq!(parsed.attachments[0].size, inner.len() as u64);
}

#[test]
fn forwards_inside_forwards_are_read_to_a_fixed_depth() {
    // Each level is read as a forwarded email up to MAX_FORWARD_LEVELS; the
    // reading recurses, so it stops there even when the depth limit is higher.
    for (levels, limits) in [
        (15, Limits::default()),
        (
            400,
            Limits {
                max_depth: 1000,
                ..Limits::default()
            },
        ),
    ] {
        let parsed = parse_message_with(&nested_messages(levels), &limits).unwrap();
        let mut read = 0;
        let mut level = &parsed.forwarded;
        while let Some(first) = level.first() {
            assert_eq!(first.attachment, 0);
            read += 1;
            level = &first.forwarded;
        }
        assert_eq!(read, MAX_FORWARD_LEVELS);
    }
}

#[test]
fn multiparts_whose_boundary_never_comes() {
    // Each part declares a boundary that never appears, so each search runs
    // to the end: 30,000 of them take mail-parser 18 s on 1.6 MB.
    let mut m =
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n".to_vec();
    for _ in 0..30_000 {
        m.extend_from_slice(b"--b\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n-\r\n");
    }
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxWork);
}

#[test]
fn long_boundary_over_a_run_of_dashes() {
    // Every position in the run starts a comparison as long as the boundary.
    let n = 200_000;
    let mut m = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"".to_vec();
    m.extend(std::iter::repeat_n(b'-', n));
    m.extend_from_slice(b"x\"\r\n\r\n");
    m.extend(std::iter::repeat_n(b'-', 3 * n));
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxWork);
}

#[test]
fn huge_header_block() {
    let mut m = b"From: a@example.com\r\nSubject: ".to_vec();
    for _ in 0..60_000 {
        m.extend_from_slice(b"long subject words \r\n ");
    }
    m.extend_from_slice(b"end\r\n\r\nbody\r\n");
    assert!(m.len() > 1 << 20);
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxHeaderBytes);
}

#[test]
fn huge_header_block_inside_a_part() {
    let mut m =
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nX-Filler: "
            .to_vec();
    for _ in 0..70_000 {
        m.extend_from_slice(b"aaaaaaaaaaaa\r\n ");
    }
    m.extend_from_slice(b"end\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b--\r\n");
    assert_eq!(limit_of(parse_message(&m)), Limit::MaxHeaderBytes);
}

#[test]
fn a_large_ordinary_message_is_within_every_limit() {
    // 20 MB of attachment in base64, a few multiparts, an HTML body with
    // dashes: nowhere near the work estimate's limit.
    let attachment: Vec<u8> = (0..15_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut m = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: report\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nsee attached -- regards\r\n--a\r\nContent-Type: text/html\r\n\r\n".to_vec();
    for _ in 0..2_000 {
        m.extend_from_slice(b"<div style=\"--x: 1\"><!-- note --> text</div>\r\n");
    }
    m.extend_from_slice(b"--a--\r\n--m\r\nContent-Type: application/octet-stream; name=\"r.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    m.extend_from_slice(&b64_lines(&attachment));
    m.extend_from_slice(b"--m--\r\n");
    let parsed = parse_message(&m).unwrap();
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(parsed.attachments[0].size, attachment.len() as u64);
    assert_eq!(parsed.text_body.as_deref(), Some("see attached -- regards"));
}

#[test]
fn not_a_message() {
    assert_eq!(parse_message(b""), Err(ParseError::Empty));
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    for garbage in [
        png,
        b"hello, this is just text\n".to_vec(),
        b"Dear John: lunch tomorrow?\n\nAnn".to_vec(),
        br#"{"from": "a@example.com", "subject": "x"}"#.to_vec(),
        b"<html><body>From: a</body></html>".to_vec(),
        b"Subject: nul\0 in the header\r\n\r\nbody".to_vec(),
        b"\r\n\r\n\r\n".to_vec(),
    ] {
        assert_eq!(
            parse_message(&garbage),
            Err(ParseError::NotAMessage),
            "{:?}",
            String::from_utf8_lossy(&garbage)
        );
    }
    // mail-parser 0.11 reads the body after "Date: … UT" as headers; the
    // message is still a message.
    let misread = parse_message(b"From: a@example.com\r\nSubject: ut\r\nDate: Sun, 25 Aug 2002 16:50:54 UT\r\n\r\nOn Sat, Ann wrote:\r\n> hi\r\n").unwrap();
    assert_eq!(misread.subject.as_deref(), Some("ut"));
    // The smallest real message is fine.
    assert_eq!(
        parse_message(b"Subject: hi\r\n\r\nbody")
            .unwrap()
            .subject
            .as_deref(),
        Some("hi")
    );
}

#[test]
fn limit_errors_name_the_limit() {
    let error = parse_message(&nested_multiparts(200)).unwrap_err();
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["code"], "limitExceeded");
    assert_eq!(json["limit"], "maxDepth");
    assert_eq!(json["max"], 20);
    assert!(json["message"].as_str().unwrap().contains("maxDepth = 20"));
}

/// The size limits apply to the message as given: rewriting a GB2312 encoded
/// word as UTF-8 before the second parse lengthens the header, and a message
/// exactly at `max_bytes` and `max_header_bytes` must still be read.
#[test]
fn size_limits_hold_for_the_message_as_given_not_the_repaired_copy() {
    let head = "From: a@example.com\r\nSubject: =?GB2312?B?sai827Wl?=\r\n";
    let message = format!("{head}\r\nbody\r\n");
    let limits = Limits {
        max_bytes: message.len(),
        max_header_bytes: head.len() + 2,
        ..Limits::default()
    };
    let parsed = parse_message_with(message.as_bytes(), &limits).expect("within the limits");
    assert_eq!(parsed.subject.as_deref(), Some("报价单"));
}
