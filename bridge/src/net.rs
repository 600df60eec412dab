//! What IMAP and SMTP share: failures with a reply code, TCP connect with
//! timeouts, and the rustls client (ring provider; which certificates it
//! accepts is `trust.rs`).

use crate::protocol::CheckArgs;
use crate::trust::{self, Certificate, Policy, Verdict, Verifier};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// Per connect, read and write step.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A failed operation: `code` is the reply's error code.
#[derive(Debug, PartialEq, Eq)]
pub struct Fail {
    pub code: &'static str,
    pub message: String,
    /// The server's certificate, for `untrustedCertificate` (to review) and
    /// `certificateChanged`.
    pub certificate: Option<Box<Certificate>>,
}

pub fn fail(code: &'static str, message: impl Into<String>) -> Fail {
    Fail {
        code,
        message: message.into(),
        certificate: None,
    }
}

/// An I/O error as `code`, except timeouts, which are always `timeout`.
pub fn io_fail(code: &'static str, e: io::Error) -> Fail {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            fail("timeout", format!("no answer within {TIMEOUT:?}"))
        }
        _ => fail(code, e.to_string()),
    }
}

/// Server text is shown to the user but kept short.
pub fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The web PKI roots compiled in (webpki-roots).
pub fn public_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots
}

pub type Tls = StreamOwned<ClientConnection, TcpStream>;

/// The pin of the key the server presented on this (established) connection.
pub fn peer_pin(tls: &Tls) -> Option<String> {
    let leaf = tls.conn.peer_certificates()?.first()?;
    trust::spki_pin(leaf)
}

/// Where and how to connect; built from [`CheckArgs`].
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub name: ServerName<'static>,
    pub config: Arc<ClientConfig>,
    seen: trust::Seen,
}

impl Endpoint {
    pub fn new(args: &CheckArgs, roots: RootCertStore) -> Result<Endpoint, Fail> {
        let host = args.host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| fail("badRequest", format!("host {host:?}: {e}")))?;
        let policy = match (&args.pinned_spki, args.trust_any_certificate) {
            (Some(pin), _) => Policy::Pinned(pin.clone()),
            (None, true) => Policy::AnyToMigrate,
            (None, false) => Policy::Verified,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(
            Verifier::new(policy, roots, provider.clone()).map_err(|e| fail("tlsFailed", e))?,
        );
        let seen = verifier.seen.clone();
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| fail("tlsFailed", e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Endpoint {
            host: host.to_string(),
            port: args.port,
            name,
            config: Arc::new(config),
            seen,
        })
    }

    pub fn connect(&self) -> Result<TcpStream, Fail> {
        connect(&self.host, self.port)
    }

    /// The TLS handshake. A refused certificate fails with what was seen,
    /// before any credential is sent.
    pub fn handshake(&self, tcp: TcpStream) -> Result<Tls, Fail> {
        let conn = ClientConnection::new(self.config.clone(), self.name.clone())
            .map_err(|e| fail("tlsFailed", e.to_string()))?;
        let mut tls = StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                return Err(self
                    .certificate_fail()
                    .unwrap_or_else(|| io_fail("tlsFailed", e)));
            }
        }
        Ok(tls)
    }

    /// After a handshake: whether the certificate chains to a trusted root
    /// for the host name (None when a pin decided).
    pub fn chain_verified(&self) -> Option<bool> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.as_ref().and_then(|s| s.chain_verified)
    }

    fn certificate_fail(&self) -> Option<Fail> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner()).take();
        let trust::Sight { leaf, verdict, .. } = seen?;
        let mut f = match verdict {
            Verdict::Accepted => return None,
            Verdict::Untrusted(reason) => fail(
                "untrustedCertificate",
                format!("{}:{}: {reason}", self.host, self.port),
            ),
            Verdict::Changed => fail(
                "certificateChanged",
                format!(
                    "{}:{} presented a certificate with another key than the pinned one",
                    self.host, self.port
                ),
            ),
        };
        f.certificate = trust::describe(&leaf).map(Box::new);
        Some(f)
    }
}

fn connect(host: &str, port: u16) -> Result<TcpStream, Fail> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| fail("hostNotFound", format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last = fail("connectFailed", format!("{host} has no address"));
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(s) => {
                s.set_read_timeout(Some(TIMEOUT))
                    .and_then(|()| s.set_write_timeout(Some(TIMEOUT)))
                    .map_err(|e| io_fail("connectFailed", e))?;
                return Ok(s);
            }
            Err(e) => {
                last = io_fail("connectFailed", e);
                last.message = format!("{host}:{port}: {}", last.message);
            }
        }
    }
    Err(last)
}
