//! A scripted server on 127.0.0.1 for the IMAP and SMTP unit tests: one
//! connection, a closure plays the server's side (rcgen certificate).

use rustls::pki_types::CertificateDer;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Line-level view of the server's side of the connection.
pub struct Peer<S: Read + Write>(pub BufReader<S>);

impl<S: Read + Write> Peer<S> {
    pub fn say(&mut self, s: &str) {
        let w = self.0.get_mut();
        w.write_all(s.as_bytes()).unwrap();
        w.flush().unwrap();
    }
    pub fn hear(&mut self) -> String {
        let mut l = String::new();
        self.0.read_line(&mut l).unwrap();
        l.trim_end().to_string()
    }
    /// Everything until the client hangs up.
    pub fn rest(&mut self) -> String {
        let mut s = String::new();
        let _ = self.0.read_to_string(&mut s);
        s
    }
}

pub struct Server {
    pub port: u16,
    pub cert: CertificateDer<'static>,
    pub thread: JoinHandle<()>,
}

pub fn identity() -> (CertificateDer<'static>, Arc<ServerConfig>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    (cert, Arc::new(config))
}

pub fn tls(
    tcp: TcpStream,
    config: Arc<ServerConfig>,
) -> Peer<StreamOwned<ServerConnection, TcpStream>> {
    Peer(BufReader::new(StreamOwned::new(
        ServerConnection::new(config).unwrap(),
        tcp,
    )))
}

/// Accepts one connection and runs `script` on it (plain TCP; the script
/// upgrades with [`tls`]).
pub fn serve(script: impl FnOnce(TcpStream, Arc<ServerConfig>) + Send + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (cert, config) = identity();
    let thread = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        script(tcp, config);
    });
    Server { port, cert, thread }
}

pub fn roots(cert: &CertificateDer<'static>) -> RootCertStore {
    let mut r = RootCertStore::empty();
    r.add(cert.clone()).unwrap();
    r
}
