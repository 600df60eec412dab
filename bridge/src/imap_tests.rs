//! `imapCheck` against a scripted IMAP responder on 127.0.0.1 (rcgen cert).

use super::*;
use crate::scripted::{Peer, roots, serve, tls};
use std::io::BufReader;
use std::net::TcpListener;

fn args(port: u16, security: Security, password: &str, trust_any: bool) -> CheckArgs {
    CheckArgs {
        host: "localhost".into(),
        port,
        security,
        username: "u".into(),
        password: password.into(),
        trust_any_certificate: trust_any,
    }
}

/// Capabilities, LOGIN (expecting `login`), answer `verdict`, LOGOUT.
fn authenticated_part<S: Read + Write>(p: &mut Peer<S>, login: &str, verdict: &str) {
    assert_eq!(p.hear(), "a1 CAPABILITY");
    p.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n");
    assert_eq!(p.hear(), login);
    p.say(&format!("a2 {verdict}\r\n"));
    if verdict.starts_with("OK") {
        assert_eq!(p.hear(), "a3 LOGOUT");
        p.say("* BYE bye\r\na3 OK bye\r\n");
    }
}

#[test]
fn implicit_tls_login_with_verified_certificate() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        authenticated_part(&mut p, r#"a2 LOGIN "u" "p\"w\\""#, "OK welcome");
    });
    let v = check_with_roots(
        &args(s.port, Security::ImplicitTls, "p\"w\\", false),
        roots(&s.cert),
    )
    .unwrap();
    assert_eq!(
        v,
        json!({"preauth": false, "capabilities": ["IMAP4REV1", "AUTH=PLAIN"]})
    );
    s.thread.join().unwrap();
}

#[test]
fn wrong_password() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        authenticated_part(
            &mut p,
            r#"a2 LOGIN "u" "nope""#,
            "NO [AUTHENTICATIONFAILED] bad",
        );
    });
    let e = check_with_roots(
        &args(s.port, Security::ImplicitTls, "nope", false),
        roots(&s.cert),
    )
    .unwrap_err();
    assert_eq!(e.code, "wrongPassword", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn non_ascii_password_goes_as_a_literal() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        assert_eq!(p.hear(), "a1 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1\r\na1 OK\r\n");
        assert_eq!(p.hear(), r#"a2 LOGIN "u" {9}"#);
        p.say("+ go on\r\n");
        assert_eq!(p.hear(), "pässword"); // 9 bytes: ä is 2
        p.say("a2 OK\r\n");
        p.hear();
        p.say("a3 OK\r\n");
    });
    check_with_roots(
        &args(s.port, Security::ImplicitTls, "pässword", false),
        roots(&s.cert),
    )
    .unwrap();
    s.thread.join().unwrap();
}

#[test]
fn untrusted_certificate_fails_unless_trusted_explicitly() {
    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        let _ = p.0.fill_buf(); // drive the handshake; the client aborts it
    });
    let e = check(&args(s.port, Security::ImplicitTls, "p", false)).unwrap_err();
    assert_eq!(e.code, "tlsFailed", "{e:?}");
    s.thread.join().unwrap();

    let s = serve(|tcp, config| {
        let mut p = tls(tcp, config);
        p.say("* OK ready\r\n");
        authenticated_part(&mut p, r#"a2 LOGIN "u" "p""#, "OK");
    });
    let mut a = args(s.port, Security::ImplicitTls, "p", true);
    a.host = "127.0.0.1".into(); // not in the certificate either
    check(&a).unwrap();
    s.thread.join().unwrap();
}

#[test]
fn starttls_upgrade_then_login() {
    let s = serve(|tcp, config| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] plain\r\n");
        assert_eq!(p.hear(), "s1 CAPABILITY");
        p.say("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\ns1 OK\r\n");
        assert_eq!(p.hear(), "s2 STARTTLS");
        p.say("s2 OK begin TLS\r\n");
        let mut p = tls(p.0.into_inner(), config);
        authenticated_part(&mut p, r#"a2 LOGIN "u" "p""#, "OK");
    });
    let v = check_with_roots(
        &args(s.port, Security::StartTls, "p", false),
        roots(&s.cert),
    )
    .unwrap();
    assert_eq!(
        v["capabilities"],
        json!(["IMAP4REV1", "AUTH=PLAIN"]),
        "pre-TLS capabilities dropped"
    );
    s.thread.join().unwrap();
}

/// Plaintext server: greeting, then (expected command, reply) steps; the
/// client must give up without sending credentials.
fn refuses_plaintext(greeting: &'static str, steps: &'static [(&str, &str)]) {
    let s = serve(move |tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say(greeting);
        for (cmd, reply) in steps {
            assert_eq!(p.hear(), *cmd);
            p.say(reply);
        }
        let rest = p.rest();
        assert!(
            !rest.contains("LOGIN") && !rest.contains("hunter2"),
            "leaked: {rest:?}"
        );
    });
    let e = check_with_roots(
        &args(s.port, Security::StartTls, "hunter2", false),
        roots(&s.cert),
    )
    .unwrap_err();
    assert_eq!(e.code, "starttlsUnavailable", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn starttls_stripping_is_refused() {
    refuses_plaintext(
        "* OK hi\r\n",
        &[("s1 CAPABILITY", "* CAPABILITY IMAP4rev1\r\ns1 OK\r\n")],
    );
    refuses_plaintext("* PREAUTH hi\r\n", &[]);
    refuses_plaintext(
        "* OK hi\r\n",
        &[
            (
                "s1 CAPABILITY",
                "* CAPABILITY IMAP4rev1 STARTTLS\r\ns1 OK\r\n",
            ),
            ("s2 STARTTLS", "s2 NO not today\r\n"),
        ],
    );
}

#[test]
fn plaintext_injected_after_starttls_is_refused() {
    let s = serve(|tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("* OK hi\r\n");
        p.hear();
        p.say("* CAPABILITY IMAP4rev1 STARTTLS\r\ns1 OK\r\n");
        p.hear();
        p.say("s2 OK go\r\n* CAPABILITY IMAP4rev1\r\na1 OK\r\n");
        p.rest();
    });
    let e = check_with_roots(
        &args(s.port, Security::StartTls, "p", false),
        roots(&s.cert),
    )
    .unwrap_err();
    // Normally caught in the buffer; if it arrived later, TLS chokes on it.
    assert!(["protocolError", "tlsFailed"].contains(&e.code), "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn connection_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut a = args(port, Security::ImplicitTls, "p", false);
    a.host = "127.0.0.1".into();
    assert_eq!(check(&a).unwrap_err().code, "connectFailed");
}

fn response(raw: &[u8], budget: u64) -> Result<Response, Fail> {
    let mut b = budget;
    read_response(&mut BufReader::new(raw), MAX_LINE, &mut b)
}

#[test]
fn fetch_with_a_literal_body() {
    let body = b"Subject: a)b {3}\r\n\r\n* 2 FETCH (fake)\r\n";
    let mut raw = format!(
        "* 7 FETCH (UID 42 FLAGS (\\Seen $Label) INTERNALDATE \" 7-Jul-2024 09:05:01 +0200\" RFC822.SIZE {} BODY[] {{{}}}\r\n",
        body.len(),
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw.extend_from_slice(b")\r\n");
    let f = parse_fetch(response(&raw, 1000).unwrap()).unwrap().unwrap();
    assert_eq!(
        f,
        Fetched {
            uid: 42,
            flags: vec!["\\Seen".into(), "$Label".into()],
            internal_date: Some("2024-07-07T09:05:01+02:00".into()),
            size: Some(body.len() as u64),
            body: Some(body.to_vec()),
        }
    );
}

#[test]
fn literal_over_budget_is_refused_before_reading_it() {
    let e = response(b"* 1 FETCH (UID 1 BODY[] {5000000}\r\n", 1000).unwrap_err();
    assert_eq!(e.code, "protocolError");
    assert!(e.message.contains("5000000"), "{e:?}");
    let e = response(b"* 1 FETCH (UID 1 BODY[] {10}\r\nshort", 1000).unwrap_err();
    assert_eq!(e.code, "protocolError", "truncated literal");
}

#[test]
fn fetch_without_uid_or_other_responses_are_skipped() {
    let r = response(b"* 3 FETCH (FLAGS (\\Seen))\r\n", 0).unwrap();
    assert_eq!(parse_fetch(r).unwrap(), None);
    let r = response(b"* 3 EXISTS\r\n", 0).unwrap();
    assert_eq!(parse_fetch(r).unwrap(), None);
    let r = response(b"* 3 FETCH (UID 1 FLAGS (\\Seen)\r\n", 0).unwrap();
    assert_eq!(parse_fetch(r).unwrap_err().code, "protocolError");
}

#[test]
fn list_and_sent_folder_choice() {
    let folders = |lines: &[&str]| -> Vec<Folder> {
        lines
            .iter()
            .filter_map(|l| parse_list(&response(l.as_bytes(), 100).unwrap(), b"LIST"))
            .collect()
    };
    let special = folders(&[
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
        "* LIST (\\HasNoChildren) \"/\" \"Sent\"\r\n",
        "* LIST (\\HasNoChildren \\Sent) \"/\" \"Gesendete Objekte\"\r\n",
    ]);
    assert_eq!(choose_sent(&special), Some(b"Gesendete Objekte".to_vec()));
    let named = folders(&[
        "* LIST () \".\" \"INBOX.sent\"\r\n",
        "* LIST () \".\" INBOX\r\n",
    ]);
    assert_eq!(choose_sent(&named), Some(b"INBOX.sent".to_vec()));
    let literal = folders(&["* LIST (\\Sent) \"/\" {4}\r\nSENT\r\n"]);
    assert_eq!(choose_sent(&literal), Some(b"SENT".to_vec()));
    let none = folders(&[
        "* LIST (\\Noselect \\Sent) \"/\" \"Sent\"\r\n",
        "* LIST () \"/\" \"Sent Items old\"\r\n",
    ]);
    assert_eq!(choose_sent(&none), None);
    // XLIST (Gmail's older form) has the same shape.
    let x = parse_list(
        &response(
            b"* XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n",
            0,
        )
        .unwrap(),
        b"XLIST",
    );
    assert_eq!(
        choose_sent(&[x.unwrap()]),
        Some(b"[Gmail]/Sent Mail".to_vec())
    );
}

#[test]
fn small_pure_helpers() {
    assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
    assert_eq!(uid_set(&[9]), "9");
    assert_eq!(mutf7("Entwürfe"), "Entw&APw-rfe");
    assert_eq!(mutf7("A&B"), "A&-B");
    assert_eq!(mutf7("日本語"), "&ZeVnLIqe-");
    assert_eq!(
        iso_date("17-Jul-1996 02:44:25 -0700"),
        "1996-07-17T02:44:25-07:00"
    );
    assert_eq!(iso_date("garbage"), "garbage");
    assert_eq!(literal_len(b"BODY[] {12}"), Some(12));
    assert_eq!(literal_len(b"x {12+}"), Some(12));
    assert_eq!(literal_len(b"x {}"), None);
    assert_eq!(literal_len(b"OK done"), None);
    assert_eq!(
        response_code("OK [UIDVALIDITY 3857529045] UIDs valid", "UIDVALIDITY"),
        Some("3857529045")
    );
    assert_eq!(
        response_code("OK [APPENDUID 38505 3955] done", "appenduid"),
        Some("38505 3955")
    );
    assert_eq!(response_code("OK done", "UIDNEXT"), None);
    assert_eq!(quote(b"a\"b\\").unwrap(), b"\"a\\\"b\\\\\"");
    assert_eq!(quote(b"a\r\nb").unwrap_err().code, "badRequest");
}
