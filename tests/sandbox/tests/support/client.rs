//! Drives a real `inlay-sandbox` process: starts it, reads its ready line, and talks to
//! it over 127.0.0.1 with a plain-HTTP control client and a rustls HTTPS client that
//! trusts the server only by the printed SPKI hash, as Chromium's
//! `--ignore-certificate-errors-spki-list` does.

#![allow(dead_code)] // each test file uses part of it

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub struct SandboxProcess {
    child: Child,
    pub ready: Value,
    pub https_port: u16,
    control_addr: String,
    pub spki: String,
}

impl SandboxProcess {
    pub fn start() -> Self {
        let contracts = inlay_sandbox::contracts::require(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_inlay-sandbox"))
            .arg("--contracts")
            .arg(contracts)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start inlay-sandbox");
        let stdout = child.stdout.take().unwrap();
        // Read the ready line off-thread so a hung server fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("ready line within 20 s");
        let ready: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
        SandboxProcess {
            child,
            https_port: ready["httpsPort"].as_u64().unwrap() as u16,
            control_addr: ready["controlUrl"]
                .as_str()
                .unwrap()
                .strip_prefix("http://")
                .unwrap()
                .to_owned(),
            spki: ready["spki"].as_str().unwrap().to_owned(),
            ready,
        }
    }

    /// A control API call: (status, JSON body).
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut tcp = TcpStream::connect(&self.control_addr).unwrap();
        let response = exchange(
            &mut tcp,
            &self.control_addr,
            method,
            path,
            &[],
            body.map(|b| b.to_string()).unwrap_or_default().as_bytes(),
        )
        .expect("control API answers");
        (
            response.status,
            serde_json::from_slice(&response.body).expect("control API answers JSON"),
        )
    }

    /// An HTTPS request to `host` (TLS server name and Host header both `host`).
    pub fn https(
        &self,
        host: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<HttpResponse> {
        self.https_via(
            host,
            host,
            self.spki.clone(),
            true,
            method,
            path,
            headers,
            body,
        )
    }

    /// An HTTPS request with separate TLS server name and Host header, a given pin, and
    /// optionally without checking the certificate's names.
    #[allow(clippy::too_many_arguments)]
    pub fn https_via(
        &self,
        server_name: &str,
        host_header: &str,
        pin: String,
        check_name: bool,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<HttpResponse> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = PinnedSpki {
            spki_sha256: pin,
            check_name,
            provider: provider.clone(),
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let name = ServerName::try_from(server_name.to_owned()).unwrap();
        let connection =
            rustls::ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
        let tcp = TcpStream::connect(("127.0.0.1", self.https_port))?;
        tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        exchange(&mut tls, host_header, method, path, headers, body)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Bytes received in all; 0 when the server closed without answering.
    pub raw_len: usize,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request with `Connection: close`, read to the end of the stream.
fn exchange(
    stream: &mut (impl Read + Write),
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<HttpResponse> {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;

    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        // A peer that closes without TLS close_notify; what arrived still counts.
        Err(e)
            if e.kind() == io::ErrorKind::UnexpectedEof
                || e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => return Err(e),
    }
    if raw.is_empty() {
        return Ok(HttpResponse {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
            raw_len: 0,
        });
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other("bad status line"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
        raw_len: raw.len(),
    })
}

/// Trusts exactly one public key, like `--ignore-certificate-errors-spki-list`, and (unlike
/// Chromium with that flag) also insists the certificate names the host.
#[derive(Debug)]
struct PinnedSpki {
    spki_sha256: String,
    check_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedSpki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let spki = inlay_sandbox::tls::spki_of_certificate(end_entity)
            .ok_or(rustls::Error::General("no SPKI in certificate".into()))?;
        if base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki))
            != self.spki_sha256
        {
            return Err(rustls::Error::General("SPKI does not match the pin".into()));
        }
        if self.check_name {
            let cert = webpki::EndEntityCert::try_from(end_entity)
                .map_err(|e| rustls::Error::General(format!("{e:?}")))?;
            cert.verify_is_valid_for_subject_name(server_name)
                .map_err(|e| rustls::Error::General(format!("{e:?}")))?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
