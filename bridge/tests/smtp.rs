//! `smtpCheck` against a real aiosmtpd (see `support/smtp.rs`), through
//! `protocol::handle` as the extension would call it.

mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use support::dovecot::{PASSWORD, free_port};
use support::error_code;
use support::smtp::{self, Mode, Options, Smtpd};

fn start(mode: Mode) -> Smtpd {
    smtp::start(Options {
        mode,
        dovecot: None,
        size_limit: None,
    })
}

fn smtp_check(port: u16, security: &str, password: &str, cert: Option<&[u8]>) -> Value {
    support::check_op("smtpCheck", port, security, password, cert)
}

fn assert_ok(reply: &Value, s: &Smtpd) {
    assert_eq!(reply["ok"], json!(true), "{reply}\n{}", s.log());
    assert_eq!(reply["value"]["authMechanism"], json!("PLAIN"));
    let ext: Vec<&str> = reply["value"]["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(ext.iter().any(|e| e.starts_with("AUTH ")), "{ext:?}");
    // EHLO was asked again after TLS: no STARTTLS there.
    assert!(!ext.contains(&"STARTTLS"), "{ext:?}");
    assert!(s.log().contains("AUTH PLAIN ok tls=True"), "{}", s.log());
}

#[test]
fn implicit_tls_login() {
    let s = start(Mode::Tls);
    assert_ok(
        &smtp_check(s.tls_port, "implicitTls", PASSWORD, Some(&s.cert)),
        &s,
    );
}

#[test]
fn starttls_login() {
    let s = start(Mode::Tls);
    assert_ok(
        &smtp_check(s.starttls_port, "startTls", PASSWORD, Some(&s.cert)),
        &s,
    );
}

#[test]
fn self_signed_certificate_is_shown_for_review_without_a_pin() {
    let s = start(Mode::Tls);
    let r = smtp_check(s.tls_port, "implicitTls", PASSWORD, None);
    assert_eq!(error_code(&r), "untrustedCertificate", "{r}");
    assert_eq!(
        r["error"]["certificate"]["spkiSha256"],
        json!(support::pin(&s.cert))
    );
    let r = smtp_check(s.starttls_port, "startTls", PASSWORD, None);
    assert_eq!(error_code(&r), "untrustedCertificate", "{r}");
    assert!(!s.log().contains("AUTH"), "{}", s.log());
}

#[test]
fn another_certificate_than_the_pinned_one_gets_no_auth() {
    let s = start(Mode::Tls);
    let other = start(Mode::Tls); // same host name, its own key
    for (port, security) in [(s.tls_port, "implicitTls"), (s.starttls_port, "startTls")] {
        let r = smtp_check(port, security, PASSWORD, Some(&other.cert));
        assert_eq!(error_code(&r), "certificateChanged", "{r}");
    }
    assert!(!s.log().contains("AUTH"), "{}", s.log());
    assert_ok(
        &smtp_check(s.tls_port, "implicitTls", PASSWORD, Some(&s.cert)),
        &s,
    );
}

#[test]
fn wrong_password() {
    let s = start(Mode::Tls);
    let r = smtp_check(s.tls_port, "implicitTls", "not the password", Some(&s.cert));
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
    let r = smtp_check(
        s.starttls_port,
        "startTls",
        "not the password",
        Some(&s.cert),
    );
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("535"),
        "{r}"
    );
}

#[test]
fn wrong_port() {
    let r = smtp_check(free_port(), "implicitTls", PASSWORD, None);
    assert_eq!(error_code(&r), "connectFailed", "{r}");
    // Implicit TLS to a STARTTLS port: the server's plaintext greeting is
    // not a TLS record.
    let s = start(Mode::Tls);
    let r = smtp_check(s.starttls_port, "implicitTls", PASSWORD, Some(&s.cert));
    assert_eq!(error_code(&r), "tlsFailed", "{r}");
}

#[test]
fn plaintext_only_server_gets_no_password() {
    let s = start(Mode::PlaintextOnly);
    let r = smtp_check(s.plain_port, "startTls", PASSWORD, Some(&s.cert));
    assert_eq!(error_code(&r), "starttlsUnavailable", "{r}");
    assert!(!s.log().contains("AUTH"), "{}", s.log());
}

/// A man in the middle that removes STARTTLS from the server's EHLO reply.
fn stripping_proxy(upstream: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (client, _) = listener.accept().unwrap();
        let server = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
        let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut c2, &mut s2);
        });
        let mut from_server = BufReader::new(server);
        let mut to_client = client;
        let mut line = String::new();
        while from_server.read_line(&mut line).unwrap_or(0) > 0 {
            let out = line.replace("STARTTLS", "XSTRIPPED");
            if to_client.write_all(out.as_bytes()).is_err() {
                break;
            }
            line.clear();
        }
    });
    port
}

#[test]
fn starttls_stripping_is_refused() {
    let s = start(Mode::Tls);
    let r = smtp_check(
        stripping_proxy(s.starttls_port),
        "startTls",
        PASSWORD,
        Some(&s.cert),
    );
    assert_eq!(error_code(&r), "starttlsUnavailable", "{r}");
    assert!(!s.log().contains("AUTH"), "{}", s.log());
}
