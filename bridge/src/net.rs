//! What IMAP and SMTP share: failures with a reply code, TCP connect with
//! timeouts, and the rustls client (ring provider, Mozilla roots, or the
//! explicit per-account "trust any certificate").

use crate::protocol::CheckArgs;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
    StreamOwned,
};
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
}

pub fn fail(code: &'static str, message: impl Into<String>) -> Fail {
    Fail {
        code,
        message: message.into(),
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

/// Where and how to connect; built from [`CheckArgs`].
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub name: ServerName<'static>,
    pub config: Arc<ClientConfig>,
}

impl Endpoint {
    pub fn new(args: &CheckArgs, roots: RootCertStore) -> Result<Endpoint, Fail> {
        let host = args.host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| fail("badRequest", format!("host {host:?}: {e}")))?;
        Ok(Endpoint {
            host: host.to_string(),
            port: args.port,
            name,
            config: tls_config(args.trust_any_certificate, roots)?,
        })
    }

    pub fn connect(&self) -> Result<TcpStream, Fail> {
        connect(&self.host, self.port)
    }

    pub fn handshake(&self, tcp: TcpStream) -> Result<Tls, Fail> {
        let conn = ClientConnection::new(self.config.clone(), self.name.clone())
            .map_err(|e| fail("tlsFailed", e.to_string()))?;
        let mut tls = StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(|e| io_fail("tlsFailed", e))?;
        }
        Ok(tls)
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

fn tls_config(trust_any: bool, roots: RootCertStore) -> Result<Arc<ClientConfig>, Fail> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("tlsFailed", e.to_string()))?;
    let config = if trust_any {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// `trustAnyCertificate`: skips chain and name checks but still verifies the
/// handshake signatures, so the session stays encrypted to whoever answered.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(msg, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(msg, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
