//! Real servers for the integration tests and the mailservers example; each
//! user takes a different subset.
#![allow(dead_code)]

pub mod dovecot;
pub mod smtp;

use inlay_bridge::protocol::handle;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty private dir for one server (`inlay-<what>-<pid>-<n>`).
pub fn fresh_dir(what: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "inlay-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `pinnedSpki` of a certificate (DER), as the extension stores it
/// after the user accepted that certificate.
pub fn pin(cert: &[u8]) -> String {
    inlay_bridge::trust::spki_pin(cert).expect("a parsable certificate")
}

/// Runs `imapCheck` or `smtpCheck` for the test user against 127.0.0.1
/// through the JSON protocol, as the extension would: pinned to `cert`'s
/// key when given, else trusting only the public and system roots.
pub fn check_op(op: &str, port: u16, security: &str, password: &str, cert: Option<&[u8]>) -> Value {
    let mut req = json!({
        "id": "t", "op": op, "host": "127.0.0.1", "port": port,
        "security": security, "username": dovecot::USER, "password": password,
    });
    if let Some(cert) = cert {
        req["pinnedSpki"] = json!(pin(cert));
    }
    let reply = handle(req.to_string().as_bytes());
    assert_eq!(reply["id"], json!("t"), "{reply}");
    reply
}

/// The error code of a reply that must be an error.
pub fn error_code(reply: &Value) -> &str {
    assert_eq!(reply["ok"], json!(false), "expected an error, got {reply}");
    reply["error"]["code"].as_str().unwrap()
}

/// A self-signed certificate for `localhost` (rcgen) written to `dir` as
/// cert.pem and key.pem; returns both paths and the certificate's DER.
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, pem("CERTIFICATE", ck.cert.der())).unwrap();
    std::fs::write(
        &key_path,
        pem("PRIVATE KEY", &ck.signing_key.serialize_der()),
    )
    .unwrap();
    (cert_path, key_path, ck.cert.der().to_vec())
}

/// A private CA ("Inlay Test Private CA") and a certificate for
/// `localhost` it signed, written to `dir` as ca.pem, cert.pem and key.pem;
/// returns the leaf's paths, its DER, and the CA's path (what a company
/// would put in the system store; the tests name it in `SSL_CERT_FILE`).
pub fn private_ca_signed(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Inlay Test Private CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let (cert_path, key_path, ca_path) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("ca.pem"),
    );
    std::fs::write(&cert_path, pem("CERTIFICATE", leaf.der())).unwrap();
    std::fs::write(&key_path, pem("PRIVATE KEY", &leaf_key.serialize_der())).unwrap();
    std::fs::write(&ca_path, pem("CERTIFICATE", ca_cert.der())).unwrap();
    (cert_path, key_path, leaf.der().to_vec(), ca_path)
}

/// PEM armour: base64 in 64-character lines (rcgen's `pem` feature is off).
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out + &format!("-----END {label}-----\n")
}
