//! Real mail servers for the browser tests: one Dovecot (implicit TLS and
//! STARTTLS) and one aiosmtpd (implicit TLS and STARTTLS) on free 127.0.0.1
//! ports, user alice / "correct horse", address alice@dovecot.test; mail
//! sent through the SMTP server lands in alice's INBOX. Prints one JSON line
//! with the ports and the (self-signed, CN localhost) certificate and its
//! `pinnedSpki`, then runs
//! until stdin closes or SIGTERM/SIGINT, and cleans up. A line
//! `password <new>` on stdin changes alice's IMAP password (a test's "the
//! password was changed at the provider"); it answers `{"event":"passwordChanged"}`.
//!
//!     cargo run -p inlay-bridge --example mailservers

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::io::{BufRead, Write};
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
        // What the extension stores once the user accepts the certificate.
        "certPin": support::pin(&d.cert),
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).unwrap();
    drop(out);

    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let closed = stop.clone();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
        closed.store(true, Ordering::Relaxed);
    });
    while !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                if let Some(new) = line.strip_prefix("password ") {
                    d.set_password(new);
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{}", json!({"event": "passwordChanged"}))
                        .and_then(|()| out.flush())
                        .unwrap();
                }
            }
            Err(_) => continue,
        }
    }
    // Drops stop aiosmtpd, then Dovecot, and remove their temp dirs.
    drop(s);
    drop(d);
}
