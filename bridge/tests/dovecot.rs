//! `imapCheck` against a real Dovecot (dovecot-imapd) started privately on
//! 127.0.0.1 for each test; see `support/dovecot.rs`. Fails where
//! /usr/sbin/dovecot is absent (`./build.sh test` installs it).

mod support;

use inlay_bridge::imap::check_with_roots;
use inlay_bridge::protocol::CheckArgs;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use serde_json::{Value, json};
use support::dovecot::{self, Dovecot, Mode, PASSWORD, USER};
use support::error_code;

fn imap_check(port: u16, security: &str, password: &str, trust_any: bool) -> Value {
    support::check_op("imapCheck", port, security, password, trust_any)
}

fn assert_ok(reply: &Value, d: &Dovecot) {
    assert_eq!(reply["ok"], json!(true), "{reply}{}", d.log());
    assert_eq!(reply["value"]["preauth"], json!(false));
    let caps = reply["value"]["capabilities"].as_array().unwrap();
    assert!(caps.contains(&json!("IMAP4REV1")), "{reply}");
    // Capabilities were asked again after TLS: no STARTTLS there.
    assert!(!caps.contains(&json!("STARTTLS")), "{reply}");
}

#[test]
fn implicit_tls_login() {
    let d = dovecot::start(Mode::Tls);
    assert_ok(&imap_check(d.tls_port, "implicitTls", PASSWORD, true), &d);
}

#[test]
fn implicit_tls_self_signed_refused_without_trust_any() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.tls_port, "implicitTls", PASSWORD, false);
    assert_eq!(error_code(&r), "tlsFailed", "{r}");
    // The password never reached Dovecot.
    assert!(!d.log().contains("Login:"), "{}", d.log());
}

#[test]
fn implicit_tls_with_server_cert_as_root() {
    let d = dovecot::start(Mode::Tls);
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(d.cert.clone())).unwrap();
    let args: CheckArgs = serde_json::from_value(json!({
        "host": "localhost", "port": d.tls_port, "security": "implicitTls",
        "username": USER, "password": PASSWORD,
    }))
    .unwrap();
    let v = check_with_roots(&args, roots).unwrap_or_else(|e| panic!("{e:?}{}", d.log()));
    assert_eq!(v["preauth"], json!(false));
}

// One failure per Dovecot: its anvil delays each further failure from the
// same IP (2 s, 4 s, ...), whatever auth_failure_delay says.
#[test]
fn wrong_password_implicit_tls() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.tls_port, "implicitTls", "not the password", true);
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
}

#[test]
fn wrong_password_starttls() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.plain_port, "startTls", "not the password", true);
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
}

// The browser test "a password changed at the provider" depends on this:
// right after a good login, the changed password is already the one asked
// (set_password waits out Dovecot's once-a-second passwd-file check).
#[test]
fn password_changed_right_after_a_login_is_refused_at_once() {
    let d = dovecot::start(Mode::Tls);
    assert_ok(&imap_check(d.tls_port, "implicitTls", PASSWORD, true), &d);
    d.set_password("a brand new horse");
    let r = imap_check(d.tls_port, "implicitTls", PASSWORD, true);
    assert_eq!(error_code(&r), "wrongPassword", "{r}{}", d.log());
    assert_ok(
        &imap_check(d.tls_port, "implicitTls", "a brand new horse", true),
        &d,
    );
}

#[test]
fn closed_port() {
    let r = imap_check(dovecot::free_port(), "implicitTls", PASSWORD, true);
    assert_eq!(error_code(&r), "connectFailed", "{r}");
}

#[test]
fn starttls_login() {
    let d = dovecot::start(Mode::Tls);
    assert_ok(&imap_check(d.plain_port, "startTls", PASSWORD, true), &d);
    // Self-signed after STARTTLS is refused too.
    let r = imap_check(d.plain_port, "startTls", PASSWORD, false);
    assert_eq!(error_code(&r), "tlsFailed", "{r}");
}

#[test]
fn plaintext_only_server_gets_no_password() {
    let d = dovecot::start(Mode::PlaintextOnly);
    let r = imap_check(d.plain_port, "startTls", PASSWORD, true);
    assert_eq!(error_code(&r), "starttlsUnavailable", "{r}");
    let log = d.log();
    assert!(
        !log.contains("Login:") && !log.contains("auth failed"),
        "{log}"
    );
}
