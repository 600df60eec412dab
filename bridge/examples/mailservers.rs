//! Real mail servers for the browser tests: one Dovecot (implicit TLS and
//! STARTTLS) and one aiosmtpd (implicit TLS and STARTTLS) on free 127.0.0.1
//! ports, user alice / "correct horse", address alice@dovecot.test; mail
//! sent through the SMTP server lands in alice's INBOX. Prints one JSON line
//! with the ports and the (self-signed, CN localhost) certificate, then runs
//! until stdin closes or SIGTERM/SIGINT, and cleans up.
//!
//!     cargo run -p inlay-bridge --example mailservers

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::dovecot::{self, PASSWORD, USER};
use support::smtp::{self, Options};

fn main() {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone()).expect("cannot handle signals");
    }
    let d = dovecot::start(dovecot::Mode::Tls);
    let s = smtp::start(Options {
        mode: smtp::Mode::Tls,
        dovecot: Some(&d),
        size_limit: None,
    });
    let cert_pem = std::fs::read_to_string(d.cert_pem_path()).unwrap();
    let line = json!({
        "imap": {"tlsPort": d.tls_port, "starttlsPort": d.plain_port},
        "smtp": {"tlsPort": s.tls_port, "starttlsPort": s.starttls_port},
        "username": USER,
        "password": PASSWORD,
        "address": format!("{USER}@dovecot.test"),
        "certPem": cert_pem,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).unwrap();
    drop(out);

    let closed = stop.clone();
    std::thread::spawn(move || {
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        closed.store(true, Ordering::Relaxed);
    });
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
    }
    // Drops stop aiosmtpd, then Dovecot, and remove their temp dirs.
    drop(s);
    drop(d);
}
