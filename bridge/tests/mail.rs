//! `send` and `imapSync` against a real Dovecot and a real aiosmtpd (see
//! `support/`), through `protocol::handle` as the extension would call them.
//! aiosmtpd delivers what it accepts into the Dovecot user's maildir, so a
//! message goes SMTP → mailbox → IMAP and back through the bridge.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use inlay_bridge::framing::{MAX_OUTBOUND, encode_reply, reassemble};
use inlay_bridge::protocol::handle;
use serde_json::{Value, json};
use std::fs;
use support::dovecot::{self, Dovecot, PASSWORD, USER};
use support::smtp::{self, Options, Smtpd};

const ALICE: &str = "alice@dovecot.test";

fn call(req: Value) -> Value {
    let reply = handle(req.to_string().as_bytes());
    assert_eq!(reply["id"], req["id"], "{reply}");
    reply
}

fn value(reply: &Value) -> &Value {
    assert_eq!(reply["ok"], json!(true), "expected success, got {reply}");
    &reply["value"]
}

fn error_code(reply: &Value) -> &str {
    assert_eq!(reply["ok"], json!(false), "expected an error, got {reply}");
    reply["error"]["code"].as_str().unwrap()
}

fn imap(d: &Dovecot, password: &str) -> Value {
    json!({"host": "127.0.0.1", "port": d.tls_port, "security": "implicitTls",
           "username": USER, "password": password, "pinnedSpki": support::pin(&d.cert)})
}

fn smtp_starttls(s: &Smtpd) -> Value {
    json!({"host": "127.0.0.1", "port": s.starttls_port, "security": "startTls",
           "username": USER, "password": PASSWORD, "pinnedSpki": support::pin(&s.cert)})
}

fn servers() -> (Dovecot, Smtpd) {
    let d = dovecot::start(dovecot::Mode::Tls);
    let s = smtp::start(Options {
        mode: smtp::Mode::Tls,
        dovecot: Some(&d),
        size_limit: None,
    });
    (d, s)
}

fn message(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {ALICE}\r\nTo: {ALICE}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@dovecot.test>\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn send(smtp: Value, imap: Value, recipients: &[&str], mime: &[u8], append: bool) -> Value {
    call(json!({
        "id": "s", "op": "send", "smtp": smtp, "imap": imap, "from": ALICE,
        "recipients": recipients, "mime": B64.encode(mime), "appendToSent": append,
    }))
}

fn sync(d: &Dovecot, folder: &str, extra: Value) -> Value {
    let mut req = json!({"id": "y", "op": "imapSync", "imap": imap(d, PASSWORD), "folder": folder});
    req.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(req)
}

fn delivered(d: &Dovecot) -> usize {
    fs::read_dir(d.maildir().join("new")).unwrap().count()
        + fs::read_dir(d.maildir().join("cur")).unwrap().count()
}

fn mime_of(m: &Value) -> Vec<u8> {
    B64.decode(m["mime"].as_str().expect("mime")).unwrap()
}

/// ~5 MB of 8-bit text with lines that need dot-stuffing.
fn big_message() -> Vec<u8> {
    let mut m = b"From: alice@dovecot.test\r\nTo: alice@dovecot.test\r\nSubject: big\r\n\
Message-ID: <big@dovecot.test>\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        .to_vec();
    let mut n: u32 = 1;
    while m.len() < 5 * 1024 * 1024 {
        n = n.wrapping_mul(1_103_515_245).wrapping_add(12345);
        match n % 5 {
            0 => m.extend_from_slice(b".\r\n"),
            1 => m.extend_from_slice(b"..starts with two dots\r\n"),
            2 => m.extend_from_slice("grüße, ça va — ✓\r\n".as_bytes()),
            _ => m.extend_from_slice(format!("{:0>70}\r\n", n).as_bytes()),
        }
    }
    m
}

#[test]
fn five_mb_round_trip_smtp_to_imap_through_chunked_replies() {
    let (d, s) = servers();
    let big = big_message();
    let r = send(smtp_starttls(&s), imap(&d, PASSWORD), &[ALICE], &big, true);
    let v = value(&r);
    assert_eq!(v["sent"], json!(true), "{r}");
    assert_eq!(v["accepted"], json!([ALICE]));
    assert_eq!(v["rejected"], json!([]));
    assert_eq!(v["appended"], json!(true), "{r}{}", d.log());
    assert_eq!(v["appendFolder"], json!("Sent"));
    assert!(s.log().contains("BODY=8BITMIME"), "{}", s.log());
    assert!(
        s.log().contains(&format!("SIZE={}", big.len())),
        "{}",
        s.log()
    );

    // Read it back through the framing the browser sees: > 1 MB → chunks.
    let reply = sync(&d, "INBOX", json!({"maxBytes": 8 * 1024 * 1024}));
    let frames = encode_reply(&reply);
    assert!(frames.len() > 5, "{} frames", frames.len());
    assert!(frames.iter().all(|f| f.len() <= MAX_OUTBOUND));
    let back = reassemble(&frames).unwrap();
    assert_eq!(back.len(), 1);
    let v = value(&back[0]);
    let msgs = v["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1, "{}", v["more"]);
    assert!(
        mime_of(&msgs[0]) == big,
        "INBOX copy differs from what was sent"
    );
    assert_eq!(msgs[0]["size"], json!(big.len()));
    assert!(msgs[0]["internalDate"].as_str().unwrap().contains('T'));
    assert_eq!(v["more"], json!(false));
    assert_eq!(v["reset"], json!(false));
    // EXAMINE (read-only) and BODY.PEEK: reading did not mark it \Seen.
    assert!(
        !msgs[0]["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("\\Seen"))
    );

    let sent = sync(&d, "Sent", json!({}));
    let m = &value(&sent)["messages"][0];
    assert!(mime_of(m) == big, "Sent copy differs from what was sent");
    assert!(
        m["flags"].as_array().unwrap().contains(&json!("\\Seen")),
        "{}",
        m["flags"]
    );
    assert_eq!(value(&sent)["highestUid"], json!(value(&r)["appendUid"]));
}

#[test]
fn incremental_sync_by_uid_paging_and_uidvalidity() {
    let (d, s) = servers();
    for i in 0..3 {
        let r = send(
            smtp_starttls(&s),
            Value::Null,
            &[ALICE],
            &message(&format!("m{i}"), "hi"),
            false,
        );
        assert_eq!(value(&r)["appended"], json!(false));
    }
    let first = sync(&d, "INBOX", json!({"maxMessages": 2}));
    let v = value(&first);
    let uids: Vec<u64> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["uid"].as_u64().unwrap())
        .collect();
    assert_eq!(uids.len(), 2, "{first}");
    assert!(uids[0] < uids[1]);
    assert_eq!(v["more"], json!(true));
    assert_eq!(v["remaining"], json!(3));
    let validity = v["uidValidity"].clone();
    let highest = v["highestUid"].as_u64().unwrap();
    assert!(highest > uids[1]);
    assert!(v["uidNext"].as_u64().unwrap() > highest);

    let next = sync(
        &d,
        "INBOX",
        json!({"uidValidity": validity, "sinceUid": uids[1]}),
    );
    let v = value(&next);
    assert_eq!(v["messages"].as_array().unwrap().len(), 1, "{next}");
    assert_eq!(v["messages"][0]["uid"], json!(highest));
    assert!(mime_of(&v["messages"][0]).starts_with(b"From: alice@dovecot.test"));
    assert_eq!(v["more"], json!(false));

    // Headers only: each message's header block, blank line included, no
    // body; maxBytes no longer leaves a message without it.
    let heads = sync(&d, "INBOX", json!({"headersOnly": true, "maxBytes": 10}));
    let v = value(&heads);
    assert_eq!(v["messages"].as_array().unwrap().len(), 3, "{heads}");
    assert_eq!(v["more"], json!(false));
    for m in v["messages"].as_array().unwrap() {
        let head = mime_of(m);
        assert!(
            head.ends_with(b"\r\n\r\n"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        assert!(String::from_utf8_lossy(&head).contains("Message-ID: <m"));
        assert!(!head.ends_with(b"hi\r\n"));
        assert!((head.len() as u64) < m["size"].as_u64().unwrap());
    }

    // sinceDate: a window that holds them all, then one that holds none
    // (highestUid still the folder's, so a first sync's cursor is right).
    let all = sync(&d, "INBOX", json!({"sinceDate": "2000-01-01"}));
    assert_eq!(
        value(&all)["messages"].as_array().unwrap().len(),
        3,
        "{all}"
    );
    let future = sync(&d, "INBOX", json!({"sinceDate": "2999-01-01"}));
    let v = value(&future);
    assert_eq!(v["messages"], json!([]), "{future}");
    assert_eq!(v["more"], json!(false));
    assert_eq!(v["highestUid"], json!(highest));

    // sinceUid = highest: "n:*" still matches the last message on the
    // server; the bridge must not return it again.
    let none = sync(
        &d,
        "INBOX",
        json!({"uidValidity": validity, "sinceUid": highest}),
    );
    assert_eq!(value(&none)["messages"], json!([]), "{none}");
    assert_eq!(value(&none)["more"], json!(false));
    assert_eq!(value(&none)["remaining"], json!(0));
    assert_eq!(value(&none)["highestUid"], json!(highest));

    // Another UIDVALIDITY: the cache is stale, everything comes again.
    let other = validity.as_u64().unwrap() ^ 1;
    let reset = sync(
        &d,
        "INBOX",
        json!({"uidValidity": other, "sinceUid": highest}),
    );
    assert_eq!(value(&reset)["reset"], json!(true));
    assert_eq!(value(&reset)["messages"].as_array().unwrap().len(), 3);

    // maxBytes below a message's size: it comes without its body so the
    // caller can still move past it; the next one did not fit.
    let small = sync(&d, "INBOX", json!({"maxBytes": 10}));
    let v = value(&small);
    assert_eq!(v["messages"].as_array().unwrap().len(), 3, "{small}");
    assert!(
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["mime"].is_null())
    );

    // CONDSTORE: the folder's HIGHESTMODSEQ; with QRESYNC and it, the UIDs
    // expunged since (one message file removed from the maildir).
    let before = value(&none)["highestModSeq"]
        .as_u64()
        .expect("HIGHESTMODSEQ");
    assert_eq!(value(&none)["vanished"], json!([]));
    let file = fs::read_dir(d.maildir().join("cur"))
        .unwrap()
        .chain(fs::read_dir(d.maildir().join("new")).unwrap())
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs::remove_file(file).unwrap();
    let after = sync(
        &d,
        "INBOX",
        json!({"uidValidity": validity, "sinceUid": highest, "modSeq": before}),
    );
    let v = value(&after);
    let gone = v["vanished"].as_array().unwrap();
    assert_eq!(gone.len(), 1, "{after}");
    assert!(gone[0].as_u64().unwrap() <= highest);
    assert!(v["highestModSeq"].as_u64().unwrap() > before, "{after}");
    // Without modSeq nothing is said about expunged messages.
    let plain = sync(
        &d,
        "INBOX",
        json!({"uidValidity": validity, "sinceUid": highest}),
    );
    assert_eq!(value(&plain)["vanished"], json!([]));

    let missing = sync(&d, "No such folder", json!({}));
    assert_eq!(error_code(&missing), "folderNotFound", "{missing}");
}

#[test]
fn one_refused_recipient_is_reported_and_the_rest_delivered_once() {
    let (d, s) = servers();
    let r = send(
        smtp_starttls(&s),
        Value::Null,
        &[ALICE, "nobody@dovecot.test"],
        &message("r", "x"),
        false,
    );
    let v = value(&r);
    assert_eq!(v["accepted"], json!([ALICE]));
    assert_eq!(v["rejected"][0]["recipient"], json!("nobody@dovecot.test"));
    assert_eq!(v["rejected"][0]["code"], json!(550));
    assert_eq!(v["rejected"][0]["temporary"], json!(false));
    assert!(
        v["rejected"][0]["reply"]
            .as_str()
            .unwrap()
            .contains("no such user")
    );
    assert_eq!(delivered(&d), 1);

    let r = send(
        smtp_starttls(&s),
        Value::Null,
        &["nobody@dovecot.test", "nobody2@dovecot.test"],
        &message("r2", "x"),
        false,
    );
    assert_eq!(error_code(&r), "allRecipientsRejected", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nobody2@dovecot.test")
    );
    assert_eq!(delivered(&d), 1);
}

#[test]
fn over_the_servers_size_is_refused_before_data() {
    let d = dovecot::start(dovecot::Mode::Tls);
    let s = smtp::start(Options {
        mode: smtp::Mode::Tls,
        dovecot: Some(&d),
        size_limit: Some(100_000),
    });
    let body = "y".repeat(70) + "\r\n";
    let r = send(
        smtp_starttls(&s),
        Value::Null,
        &[ALICE],
        &message("big", &body.repeat(2000)),
        false,
    );
    assert_eq!(error_code(&r), "messageTooLarge", "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("100000"),
        "{r}"
    );
    assert!(!s.log().contains("DATA"), "{}", s.log());
    assert_eq!(delivered(&d), 0);
}

#[test]
fn failed_sent_copy_does_not_fail_the_send() {
    let (d, s) = servers();
    let r = send(
        smtp_starttls(&s),
        imap(&d, "not the password"),
        &[ALICE],
        &message("a", "x"),
        true,
    );
    let v = value(&r);
    assert_eq!(v["sent"], json!(true));
    assert_eq!(v["appended"], json!(false));
    assert_eq!(v["appendError"]["code"], json!("wrongPassword"), "{r}");
    assert_eq!(delivered(&d), 1);
}

#[test]
fn bcc_never_travels_and_the_sent_copy_keeps_it() {
    let (d, s) = servers();
    let mime = format!(
        "From: {ALICE}\r\nTo: {ALICE}\r\nBcc: hidden@dovecot.test,\r\n other@dovecot.test\r\n\
         Subject: blind\r\nMessage-ID: <blind@dovecot.test>\r\n\r\nBcc: this line is body\r\n"
    );
    let r = send(
        smtp_starttls(&s),
        imap(&d, PASSWORD),
        &[ALICE, "hidden@dovecot.test", "other@dovecot.test"],
        mime.as_bytes(),
        true,
    );
    let v = value(&r);
    assert_eq!(
        v["accepted"],
        json!([ALICE, "hidden@dovecot.test", "other@dovecot.test"])
    );
    // The envelope still reaches the blind recipients…
    assert!(
        s.log()
            .contains("to=alice@dovecot.test,hidden@dovecot.test,other@dovecot.test"),
        "{}",
        s.log()
    );
    // …but what the server received and delivered has no Bcc field.
    let inbox = sync(&d, "INBOX", json!({}));
    let delivered = mime_of(&value(&inbox)["messages"][0]);
    let text = String::from_utf8(delivered).unwrap();
    assert_eq!(
        text,
        format!(
            "From: {ALICE}\r\nTo: {ALICE}\r\nSubject: blind\r\nMessage-ID: <blind@dovecot.test>\r\n\r\n\
             Bcc: this line is body\r\n"
        )
    );
    // The Sent copy is the message as given.
    let sent = sync(&d, "Sent", json!({}));
    assert_eq!(mime_of(&value(&sent)["messages"][0]), mime.as_bytes());
}

fn lookup(d: &Dovecot, password: &str, message_id: &str) -> Value {
    call(json!({"id": "l", "op": "sentLookup", "imap": imap(d, password), "messageId": message_id}))
}

#[test]
fn sent_lookup_finds_the_sent_copy_by_message_id_and_only_it() {
    let (d, s) = servers();
    // Nothing sent yet: a search that ran and found nothing.
    let none = lookup(&d, PASSWORD, "<a@dovecot.test>");
    assert_eq!(
        value(&none),
        &json!({"folder": "Sent", "found": false, "uids": []})
    );
    let r = send(
        smtp_starttls(&s),
        imap(&d, PASSWORD),
        &[ALICE],
        &message("a", "x"),
        true,
    );
    let uid = value(&r)["appendUid"].clone();
    assert!(uid.is_u64(), "{r}");
    let found = lookup(&d, PASSWORD, "<a@dovecot.test>");
    assert_eq!(
        value(&found),
        &json!({"folder": "Sent", "found": true, "uids": [uid]})
    );
    // Another id, or one this one is a part of, is not it.
    for other in ["<b@dovecot.test>", "<xa@dovecot.test>", "<a@dovecot.tes>"] {
        assert_eq!(
            value(&lookup(&d, PASSWORD, other))["found"],
            json!(false),
            "{other}"
        );
    }
    // A search that could not run is an error.
    let refused = lookup(&d, "not the password", "<a@dovecot.test>");
    assert_eq!(error_code(&refused), "wrongPassword", "{refused}");
}
