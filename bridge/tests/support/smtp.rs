//! A private aiosmtpd (PyPI `aiosmtpd` 1.4.6, `smtpd.py` beside this file)
//! on 127.0.0.1 for the real-server tests. The script binds port 0 itself
//! and reports its ports, so there is no free-port race. With a Dovecot it
//! reuses that Dovecot's certificate and delivers accepted messages into its
//! user's maildir; otherwise it makes its own rcgen certificate. Stopped (its
//! stdin closed, then killed) and its temp dir removed on drop.

use super::dovecot::{Dovecot, PASSWORD, USER};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::sleep;
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtpd.py");
const START_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An implicit-TLS listener and a plain one that requires STARTTLS.
    Tls,
    /// One plain listener: no STARTTLS, AUTH offered in plaintext.
    PlaintextOnly,
}

pub struct Options<'a> {
    pub mode: Mode,
    /// Deliver into this Dovecot's maildir and use its certificate.
    pub dovecot: Option<&'a Dovecot>,
    /// Announced in EHLO SIZE (aiosmtpd's default is 32 MiB).
    pub size_limit: Option<u64>,
}

pub struct Smtpd {
    child: Option<Child>,
    dir: PathBuf,
    pub tls_port: u16,
    pub starttls_port: u16,
    pub plain_port: u16,
    /// DER of the certificate served.
    pub cert: Vec<u8>,
}

/// Starts aiosmtpd; fails loudly (never skips) when python3 or aiosmtpd is
/// missing: `./build.sh test` installs it (`ensure_aiosmtpd`).
pub fn start(opts: Options) -> Smtpd {
    let dir = super::fresh_dir("smtpd");
    let (cert_path, key_path, cert) = match opts.dovecot {
        Some(d) => (d.cert_pem_path(), d.key_pem_path(), d.cert.clone()),
        None => super::self_signed(&dir),
    };
    let mut cmd = Command::new("python3");
    cmd.arg(SCRIPT)
        .args([
            "--mode",
            if opts.mode == Mode::Tls {
                "tls"
            } else {
                "plaintext"
            },
        ])
        .arg("--cert")
        .arg(&cert_path)
        .arg("--key")
        .arg(&key_path)
        .args(["--user", USER])
        .arg("--log")
        .arg(dir.join("smtpd.log"))
        // Not on the command line, where `ps` would show it.
        .env("SMTPD_PASSWORD", PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = opts.dovecot {
        cmd.arg("--maildir").arg(d.maildir()).args([
            "--uid",
            &d.uid.to_string(),
            "--gid",
            &d.gid.to_string(),
        ]);
    }
    if let Some(n) = opts.size_limit {
        cmd.args(["--size-limit", &n.to_string()]);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run python3 (needed for the aiosmtpd test server): {e}")
    });
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
    let ports: serde_json::Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(_) => {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "aiosmtpd did not start (run ./build.sh test, or pip install aiosmtpd==1.4.6): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    let port = |k: &str| ports[k].as_u64().unwrap_or(0) as u16;
    Smtpd {
        tls_port: port("tlsPort"),
        starttls_port: port("starttlsPort"),
        plain_port: port("plainPort"),
        child: Some(child),
        dir,
        cert,
    }
}

impl Smtpd {
    /// The server's AUTH/DATA log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("smtpd.log")).unwrap_or_default()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            drop(child.stdin.take()); // the script exits when stdin closes
            let deadline = Instant::now() + Duration::from_secs(2);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}
