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

fn imap_check(port: u16, security: &str, password: &str, cert: Option<&[u8]>) -> Value {
    support::check_op("imapCheck", port, security, password, cert)
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
fn implicit_tls_login_with_the_accepted_certificate_pinned() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.tls_port, "implicitTls", PASSWORD, Some(&d.cert));
    assert_ok(&r, &d);
    assert_eq!(r["value"]["certificatePin"], json!(support::pin(&d.cert)));
}

#[test]
fn self_signed_certificate_is_shown_for_review_and_gets_no_password() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.tls_port, "implicitTls", PASSWORD, None);
    assert_eq!(error_code(&r), "untrustedCertificate", "{r}");
    let c = &r["error"]["certificate"];
    assert_eq!(c["subject"], json!("CN=rcgen self signed cert"), "{r}");
    assert_eq!(c["issuer"], c["subject"]);
    assert!(
        c["notBefore"].is_string() && c["notAfter"].is_string(),
        "{r}"
    );
    assert_eq!(c["spkiSha256"], json!(support::pin(&d.cert)));
    // The password never reached Dovecot.
    assert!(!d.log().contains("Login:"), "{}", d.log());
}

/// Requests `imapCheck` of `host`:`port` pinned to `pin`.
fn pinned_check(host: &str, port: u16, pin: &str) -> Value {
    let req = json!({
        "id": "t", "op": "imapCheck", "host": host, "port": port, "security": "implicitTls",
        "username": USER, "password": PASSWORD, "pinnedSpki": pin,
    });
    inlay_bridge::protocol::handle(req.to_string().as_bytes())
}

#[test]
fn a_swapped_certificate_for_the_same_host_name_is_refused_before_login() {
    let first = dovecot::start(Mode::Tls);
    // Another server for `localhost` with its own key, as an attacker
    // answering for the host would be.
    let swapped = dovecot::start(Mode::Tls);
    assert_ne!(first.cert, swapped.cert);
    let pin = support::pin(&first.cert);
    let r = pinned_check("localhost", swapped.tls_port, &pin);
    assert_eq!(error_code(&r), "certificateChanged", "{r}");
    assert_eq!(
        r["error"]["certificate"]["spkiSha256"],
        json!(support::pin(&swapped.cert)),
        "the new certificate is described"
    );
    let r = pinned_check("localhost", first.tls_port, &pin);
    assert_eq!(r["ok"], json!(true), "{r}{}", first.log());
    // A login shows in Dovecot's log (first), none reached the swapped one.
    assert!(first.log().contains("Login:"), "{}", first.log());
    let log = swapped.log();
    assert!(
        !log.contains("Login:") && !log.contains("auth failed"),
        "{log}"
    );
}

#[test]
fn a_trust_any_account_connects_once_more_and_learns_its_pin() {
    let d = dovecot::start(Mode::Tls);
    let req = json!({
        "id": "t", "op": "imapCheck", "host": "127.0.0.1", "port": d.tls_port,
        "security": "implicitTls", "username": USER, "password": PASSWORD,
        "trustAnyCertificate": true,
    });
    let r = inlay_bridge::protocol::handle(req.to_string().as_bytes());
    assert_ok(&r, &d);
    assert_eq!(r["value"]["certificatePin"], json!(support::pin(&d.cert)));
    assert_eq!(
        r["value"]["certificateVerified"],
        json!(false),
        "self-signed: pin it"
    );
}

const HELPER: &str = env!("CARGO_BIN_EXE_inlay-bridge");
const ORIGIN: &str = "chrome-extension://bbimpbbieljienmnelgcbakbkgaiinfn/";

/// One request to the built helper, started as the browser starts it, with
/// `cert_file` as its `SSL_CERT_FILE` (the system store on Linux) or none.
fn helper_binary(request: &Value, cert_file: Option<&std::path::Path>) -> Value {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(HELPER);
    cmd.arg(ORIGIN)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    if let Some(f) = cert_file {
        cmd.env("SSL_CERT_FILE", f);
    }
    let mut child = cmd.spawn().unwrap();
    let body = request.to_string().into_bytes();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&(body.len() as u32).to_ne_bytes()).unwrap();
    stdin.write_all(&body).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let mut r = &out.stdout[..];
    let mut len = [0u8; 4];
    r.read_exact(&mut len).unwrap();
    let mut reply = vec![0; u32::from_ne_bytes(len) as usize];
    r.read_exact(&mut reply).unwrap();
    serde_json::from_slice(&reply).unwrap()
}

#[test]
fn a_private_ca_in_the_system_store_is_trusted_without_a_pin() {
    let d = dovecot::start_with_private_ca();
    let req = json!({
        "id": "t", "op": "imapCheck", "host": "localhost", "port": d.tls_port,
        "security": "implicitTls", "username": USER, "password": PASSWORD,
    });
    let ca = d.ca_pem.clone().unwrap();
    let r = helper_binary(&req, Some(&ca));
    assert_ok(&r, &d);
    // An account from before pins on this server needs no pin: it verifies.
    let mut legacy = req.clone();
    legacy["trustAnyCertificate"] = json!(true);
    let r = helper_binary(&legacy, Some(&ca));
    assert_eq!(r["value"]["certificateVerified"], json!(true), "{r}");
    // Without the CA in the store the same server is a certificate to review.
    let r = helper_binary(&req, None);
    assert_eq!(error_code(&r), "untrustedCertificate", "{r}");
    assert_eq!(
        r["error"]["certificate"]["issuer"],
        json!("CN=Inlay Test Private CA")
    );
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
    let r = imap_check(d.tls_port, "implicitTls", "not the password", Some(&d.cert));
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
}

#[test]
fn wrong_password_starttls() {
    let d = dovecot::start(Mode::Tls);
    let r = imap_check(d.plain_port, "startTls", "not the password", Some(&d.cert));
    assert_eq!(error_code(&r), "wrongPassword", "{r}");
}

// The browser test "a password changed at the provider" depends on this:
// right after a good login, the changed password is already the one asked
// (set_password waits out Dovecot's once-a-second passwd-file check).
#[test]
fn password_changed_right_after_a_login_is_refused_at_once() {
    let d = dovecot::start(Mode::Tls);
    assert_ok(
        &imap_check(d.tls_port, "implicitTls", PASSWORD, Some(&d.cert)),
        &d,
    );
    d.set_password("a brand new horse");
    let r = imap_check(d.tls_port, "implicitTls", PASSWORD, Some(&d.cert));
    assert_eq!(error_code(&r), "wrongPassword", "{r}{}", d.log());
    assert_ok(
        &imap_check(
            d.tls_port,
            "implicitTls",
            "a brand new horse",
            Some(&d.cert),
        ),
        &d,
    );
}

#[test]
fn closed_port() {
    let r = imap_check(dovecot::free_port(), "implicitTls", PASSWORD, None);
    assert_eq!(error_code(&r), "connectFailed", "{r}");
}

#[test]
fn starttls_login() {
    let d = dovecot::start(Mode::Tls);
    assert_ok(
        &imap_check(d.plain_port, "startTls", PASSWORD, Some(&d.cert)),
        &d,
    );
    // Self-signed after STARTTLS is shown for review too, before LOGIN.
    let r = imap_check(d.plain_port, "startTls", PASSWORD, None);
    assert_eq!(error_code(&r), "untrustedCertificate", "{r}");
}

#[test]
fn plaintext_only_server_gets_no_password() {
    let d = dovecot::start(Mode::PlaintextOnly);
    let r = imap_check(d.plain_port, "startTls", PASSWORD, None);
    assert_eq!(error_code(&r), "starttlsUnavailable", "{r}");
    let log = d.log();
    assert!(
        !log.contains("Login:") && !log.contains("auth failed"),
        "{log}"
    );
}
