//! SMTP against a scripted server on 127.0.0.1: the cases a real server
//! will not produce (injection, LOGIN-only, no AUTH, lost final answer).

use super::*;
use crate::scripted::{Peer, roots, serve, tls};
use std::net::TcpStream;
use std::sync::Arc;

fn args(port: u16, security: Security) -> CheckArgs {
    CheckArgs {
        host: "localhost".into(),
        port,
        security,
        username: "u".into(),
        password: "hunter2".into(),
        pinned_spki: None,
        trust_any_certificate: false,
    }
}

fn send_args(port: u16, recipients: &[&str]) -> SendArgs {
    SendArgs {
        smtp: args(port, Security::ImplicitTls),
        imap: None,
        from: "a@example.com".into(),
        recipients: recipients.iter().map(|r| r.to_string()).collect(),
        mime: String::new(),
        append_to_sent: false,
    }
}

/// Greeting and EHLO over an implicit-TLS connection; `ext` are the
/// extension lines.
fn hello(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    ext: &[&str],
) -> Peer<impl Read + Write> {
    let mut p = tls(tcp, config);
    p.say("220 scripted ESMTP\r\n");
    assert!(p.hear().starts_with("EHLO [127.0.0.1]"));
    let mut reply = String::from("250-scripted\r\n");
    for (i, e) in ext.iter().enumerate() {
        let sep = if i + 1 == ext.len() { ' ' } else { '-' };
        reply.push_str(&format!("250{sep}{e}\r\n"));
    }
    p.say(&reply);
    p
}

#[test]
fn login_mechanism_when_plain_is_not_offered() {
    let s = serve(|tcp, config| {
        let mut p = hello(tcp, config, &["AUTH LOGIN"]);
        assert_eq!(p.hear(), "AUTH LOGIN");
        p.say("334 VXNlcm5hbWU6\r\n");
        assert_eq!(p.hear(), B64.encode("u"));
        p.say("334 UGFzc3dvcmQ6\r\n");
        assert_eq!(p.hear(), B64.encode("hunter2"));
        p.say("235 ok\r\n");
        assert_eq!(p.hear(), "QUIT");
        p.say("221 bye\r\n");
    });
    let v = check_with_roots(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
    assert_eq!(v["authMechanism"], json!("LOGIN"));
    assert_eq!(v["extensions"], json!(["AUTH LOGIN"]));
    s.thread.join().unwrap();
}

#[test]
fn no_usable_mechanism() {
    let s = serve(|tcp, config| {
        let mut p = hello(tcp, config, &["AUTH CRAM-MD5 XOAUTH2", "8BITMIME"]);
        let rest = p.rest();
        assert!(!rest.contains("AUTH"), "{rest:?}");
    });
    let e = check_with_roots(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap_err();
    assert_eq!(e.code, "authUnsupported", "{e:?}");
    assert!(e.message.contains("CRAM-MD5 XOAUTH2"), "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn injected_bytes_after_starttls_are_refused() {
    let s = serve(|tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("220 hi\r\n");
        p.hear();
        p.say("250-hi\r\n250 STARTTLS\r\n");
        assert_eq!(p.hear(), "STARTTLS");
        p.say("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n");
        let rest = p.rest();
        assert!(
            !rest.contains("hunter2") && !rest.contains("AUTH"),
            "{rest:?}"
        );
    });
    let e = check_with_roots(&args(s.port, Security::StartTls), roots(&s.cert)).unwrap_err();
    // The injected lines came in the same write as the 220, so they are in
    // the plaintext buffer when the upgrade starts: refused there, before
    // any TLS (a `tlsFailed` here would mean the buffer check is gone).
    assert_eq!(e.code, "protocolError", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn refused_starttls_is_not_a_reason_to_continue() {
    let s = serve(|tcp, _| {
        let mut p = Peer(BufReader::new(tcp));
        p.say("220 hi\r\n");
        p.hear();
        p.say("250-hi\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
        assert_eq!(p.hear(), "STARTTLS");
        p.say("454 TLS not available\r\n");
        let rest = p.rest();
        assert!(!rest.contains("AUTH"), "{rest:?}");
    });
    let e = check_with_roots(&args(s.port, Security::StartTls), roots(&s.cert)).unwrap_err();
    assert_eq!(e.code, "starttlsUnavailable", "{e:?}");
    s.thread.join().unwrap();
}

/// MAIL/RCPT/DATA up to the DATA payload; returns what the client sent as
/// DATA (up to and including the final dot line).
fn accept_data<S: Read + Write>(p: &mut Peer<S>, mail: &str) -> Vec<String> {
    assert_eq!(
        p.hear(),
        format!("AUTH PLAIN {}", B64.encode("\0u\0hunter2"))
    );
    p.say("235 ok\r\n");
    assert_eq!(p.hear(), mail);
    p.say("250 ok\r\n");
    assert_eq!(p.hear(), "RCPT TO:<b@example.com>");
    p.say("250 ok\r\n");
    assert_eq!(p.hear(), "DATA");
    p.say("354 go\r\n");
    let mut lines = Vec::new();
    loop {
        let l = p.hear();
        lines.push(l.clone());
        if l == "." {
            return lines;
        }
    }
}

#[test]
fn dot_stuffing_size_and_8bitmime() {
    let message = "Subject: x\r\n\r\n.\r\n..two\r\ngrüße\r\nend\r\n"
        .as_bytes()
        .to_vec();
    let len = message.len();
    let s = serve(move |tcp, config| {
        let mut p = hello(tcp, config, &["AUTH PLAIN", "SIZE 1000", "8BITMIME"]);
        let data = accept_data(
            &mut p,
            &format!("MAIL FROM:<a@example.com> BODY=8BITMIME SIZE={len}"),
        );
        assert_eq!(
            data,
            ["Subject: x", "", "..", "...two", "grüße", "end", "."]
        );
        p.say("250 queued\r\n");
        assert_eq!(p.hear(), "QUIT");
        p.say("221 bye\r\n");
    });
    let (a, r) = {
        let mut c = Client::open(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
        let out = c
            .transaction(&send_args(s.port, &["b@example.com"]), &message)
            .unwrap();
        c.quit();
        out
    };
    assert_eq!((a, r), (vec!["b@example.com".to_string()], vec![]));
    s.thread.join().unwrap();
}

#[test]
fn lost_answer_after_the_final_dot_is_unconfirmed_not_failed() {
    let s = serve(|tcp, config| {
        let mut p = hello(tcp, config, &["AUTH PLAIN"]);
        accept_data(&mut p, "MAIL FROM:<a@example.com>");
        // Hang up without answering: the message may have been queued.
    });
    let mut c = Client::open(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
    let e = c
        .transaction(
            &send_args(s.port, &["b@example.com"]),
            b"Subject: x\r\n\r\nhi\r\n",
        )
        .unwrap_err();
    assert_eq!(e.code, "sendUnconfirmed", "{e:?}");
    s.thread.join().unwrap();
}

#[test]
fn a_slow_answer_to_the_final_dot_is_waited_for() {
    let s = serve(|tcp, config| {
        let mut p = hello(tcp, config, &["AUTH PLAIN"]);
        accept_data(&mut p, "MAIL FROM:<a@example.com>");
        // Longer than the 20 s any other reply may take: a server scanning
        // the message. RFC 5321 allows 10 minutes here.
        std::thread::sleep(net::TIMEOUT + std::time::Duration::from_secs(1));
        p.say("250 queued\r\n");
    });
    let mut c = Client::open(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
    let out = c.transaction(
        &send_args(s.port, &["b@example.com"]),
        b"Subject: x\r\n\r\nhi\r\n",
    );
    assert_eq!(out.unwrap(), (vec!["b@example.com".to_string()], vec![]));
    s.thread.join().unwrap();
}

#[test]
fn over_size_is_refused_before_mail_from() {
    let s = serve(|tcp, config| {
        let mut p = hello(tcp, config, &["AUTH PLAIN", "SIZE 10"]);
        p.hear();
        p.say("235 ok\r\n");
        let rest = p.rest();
        assert!(!rest.contains("MAIL"), "{rest:?}");
    });
    let mut c = Client::open(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
    let e = c
        .transaction(
            &send_args(s.port, &["b@example.com"]),
            b"Subject: x\r\n\r\nhi\r\n",
        )
        .unwrap_err();
    assert_eq!(e.code, "messageTooLarge", "{e:?}");
    drop(c);
    s.thread.join().unwrap();
}

#[test]
fn reply_parsing() {
    let parse = |s: &str| read_reply(&mut BufReader::new(s.as_bytes()));
    assert_eq!(
        parse("250-a\r\n250-SIZE 5\r\n250 HELP\r\n").unwrap(),
        Reply {
            code: 250,
            lines: vec!["a".into(), "SIZE 5".into(), "HELP".into()]
        }
    );
    assert_eq!(parse("250\r\n").unwrap().code, 250);
    for bad in [
        "250-a\r\n251 b\r\n",
        "hello\r\n",
        "250-a\r\n",
        "",
        "25\r\n",
        "250xa\r\n",
    ] {
        assert_eq!(parse(bad).unwrap_err().code, "protocolError", "{bad:?}");
    }
}

#[test]
fn helo_name_is_an_address_literal() {
    assert_eq!(helo_name("127.0.0.1:5".parse().ok()), "[127.0.0.1]");
    assert_eq!(helo_name("[::1]:5".parse().ok()), "[IPv6:::1]");
}

#[test]
fn a_connection_lost_before_the_final_dot_left_nothing_at_the_server() {
    // Hang up after RCPT, and in the middle of the message: neither is unconfirmed.
    for cut_in_data in [false, true] {
        let s = serve(move |tcp, config| {
            let mut p = hello(tcp, config, &["AUTH PLAIN"]);
            assert!(p.hear().starts_with("AUTH PLAIN"));
            p.say("235 ok\r\n");
            assert_eq!(p.hear(), "MAIL FROM:<a@example.com>");
            p.say("250 ok\r\n");
            assert_eq!(p.hear(), "RCPT TO:<b@example.com>");
            p.say("250 ok\r\n");
            if cut_in_data {
                assert_eq!(p.hear(), "DATA");
                p.say("354 go\r\n");
                assert_eq!(p.hear(), "Subject: x");
            }
        });
        let mut c = Client::open(&args(s.port, Security::ImplicitTls), roots(&s.cert)).unwrap();
        // Far more than socket buffers hold, so the write meets the closed connection.
        let message = format!("Subject: x\r\n\r\n{}", "z\r\n".repeat(1_500_000));
        let e = c
            .transaction(&send_args(s.port, &["b@example.com"]), message.as_bytes())
            .unwrap_err();
        assert_ne!(e.code, "sendUnconfirmed", "{cut_in_data}: {e:?}");
        assert!(
            matches!(e.code, "connectFailed" | "protocolError"),
            "{cut_in_data}: {e:?}"
        );
        s.thread.join().unwrap();
    }
}
