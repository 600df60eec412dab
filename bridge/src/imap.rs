//! `imapCheck`: connect, secure the connection, LOGIN, LOGOUT. Blocking I/O
//! with timeouts; one check at a time.
//!
//! STARTTLS rules (the known attacks, RFC 9051 §11 and Poddebniak et al.,
//! "Why TLS is better without STARTTLS", 2021):
//! - no `STARTTLS` capability, a refused STARTTLS, or a plaintext `PREAUTH`
//!   greeting (which makes STARTTLS impossible) → `starttlsUnavailable`; we
//!   never continue in plaintext.
//! - bytes received after the STARTTLS `OK` but before the handshake would be
//!   read as if protected (response injection) → `protocolError`.
//! - capabilities seen before TLS are discarded and asked again.

use crate::protocol::{CheckArgs, Security};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
    StreamOwned,
};
use serde_json::{Value, json};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);
const MAX_LINE: u64 = 16 * 1024;
const MAX_SKIPPED_LITERAL: u64 = 64 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub struct Fail {
    pub code: &'static str,
    pub message: String,
}

fn fail(code: &'static str, message: impl Into<String>) -> Fail {
    Fail {
        code,
        message: message.into(),
    }
}

fn io_fail(code: &'static str, e: io::Error) -> Fail {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            fail("timeout", format!("no answer within {TIMEOUT:?}"))
        }
        _ => fail(code, e.to_string()),
    }
}

/// Runs the check against the public web PKI (or any certificate when asked).
pub fn check(args: &CheckArgs) -> Result<Value, Fail> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    check_with_roots(args, roots)
}

pub fn check_with_roots(args: &CheckArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let host = args.host.trim_start_matches('[').trim_end_matches(']');
    let name =
        ServerName::try_from(host.to_string()).map_err(|e| fail("badRequest", e.to_string()))?;
    let tcp = connect(host, args.port)?;
    let config = tls_config(args.trust_any_certificate, roots)?;
    let mut tls = match args.security {
        Security::ImplicitTls => {
            let mut r = BufReader::new(handshake(tcp, config, name)?);
            let preauth = greeting(&mut r)?;
            return session(&mut r, args, preauth);
        }
        Security::StartTls => {
            let mut r = BufReader::new(tcp);
            if greeting(&mut r)? {
                return Err(fail(
                    "starttlsUnavailable",
                    "server sent PREAUTH in plaintext; refusing to continue",
                ));
            }
            if !capabilities(&mut r, "s1")?.iter().any(|c| c == "STARTTLS") {
                return Err(fail(
                    "starttlsUnavailable",
                    "server does not offer STARTTLS; refusing plaintext",
                ));
            }
            let (ok, text) = command(&mut r, "s2", "STARTTLS")?;
            if !ok {
                return Err(fail(
                    "starttlsUnavailable",
                    format!("STARTTLS refused: {text}"),
                ));
            }
            if !r.buffer().is_empty() {
                return Err(fail(
                    "protocolError",
                    "data injected after STARTTLS response",
                ));
            }
            BufReader::new(handshake(r.into_inner(), config, name)?)
        }
    };
    session(&mut tls, args, false)
}

fn connect(host: &str, port: u16) -> Result<TcpStream, Fail> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| fail("connectFailed", format!("cannot resolve {host}: {e}")))?;
    let mut last = fail("connectFailed", format!("{host} has no address"));
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(s) => {
                s.set_read_timeout(Some(TIMEOUT))
                    .and_then(|()| s.set_write_timeout(Some(TIMEOUT)))
                    .map_err(|e| io_fail("connectFailed", e))?;
                return Ok(s);
            }
            Err(e) => last = io_fail("connectFailed", e),
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

type Tls = StreamOwned<ClientConnection, TcpStream>;

fn handshake(
    tcp: TcpStream,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
) -> Result<Tls, Fail> {
    let conn = ClientConnection::new(config, name).map_err(|e| fail("tlsFailed", e.to_string()))?;
    let mut tls = StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|e| io_fail("tlsFailed", e))?;
    }
    Ok(tls)
}

/// Reads the greeting; true when it is PREAUTH.
fn greeting<S: Read>(r: &mut BufReader<S>) -> Result<bool, Fail> {
    let line = read_line(r)?;
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") {
        Ok(false)
    } else if upper.starts_with("* PREAUTH") {
        Ok(true)
    } else {
        Err(fail(
            "protocolError",
            format!("unexpected greeting: {}", clip(&line)),
        ))
    }
}

/// After TLS: capabilities (fresh), LOGIN unless PREAUTH, LOGOUT.
fn session<S: Read + Write>(
    r: &mut BufReader<S>,
    args: &CheckArgs,
    preauth: bool,
) -> Result<Value, Fail> {
    let caps = capabilities(r, "a1")?;
    if !preauth {
        if caps.iter().any(|c| c == "LOGINDISABLED") {
            return Err(fail("loginDisabled", "server disables LOGIN even over TLS"));
        }
        let (ok, text) = login(r, &args.username, &args.password)?;
        if !ok {
            return Err(fail(
                "wrongPassword",
                format!("login refused: {}", clip(&text)),
            ));
        }
    }
    let _ = command(r, "a3", "LOGOUT"); // best effort
    Ok(json!({"preauth": preauth, "capabilities": caps}))
}

fn capabilities<S: Read + Write>(r: &mut BufReader<S>, tag: &str) -> Result<Vec<String>, Fail> {
    send(r, &format!("{tag} CAPABILITY\r\n"))?;
    let mut caps = Vec::new();
    let (ok, text) = until_tagged(r, tag, |line| {
        if let Some(rest) = line
            .strip_prefix("* CAPABILITY ")
            .or_else(|| line.strip_prefix("* capability "))
        {
            caps.extend(rest.split_ascii_whitespace().map(str::to_ascii_uppercase));
        }
    })?;
    if !ok {
        return Err(fail(
            "protocolError",
            format!("CAPABILITY failed: {}", clip(&text)),
        ));
    }
    Ok(caps)
}

/// LOGIN with quoted strings, or synchronising literals for non-ASCII.
fn login<S: Read + Write>(
    r: &mut BufReader<S>,
    user: &str,
    pass: &str,
) -> Result<(bool, String), Fail> {
    let mut line = b"a2 LOGIN".to_vec();
    for arg in [user, pass] {
        line.push(b' ');
        if arg.is_ascii() {
            line.push(b'"');
            for b in arg.bytes() {
                if b == b'"' || b == b'\\' {
                    line.push(b'\\');
                }
                line.push(b);
            }
            line.push(b'"');
        } else {
            line.extend(format!("{{{}}}\r\n", arg.len()).bytes());
            send_bytes(r, &line)?;
            let reply = read_line(r)?;
            if !reply.starts_with('+') {
                return Ok(tagged_status(&reply, "a2").unwrap_or((false, reply)));
            }
            line = arg.as_bytes().to_vec();
        }
    }
    line.extend(b"\r\n");
    send_bytes(r, &line)?;
    until_tagged(r, "a2", |_| {})
}

fn command<S: Read + Write>(
    r: &mut BufReader<S>,
    tag: &str,
    cmd: &str,
) -> Result<(bool, String), Fail> {
    send(r, &format!("{tag} {cmd}\r\n"))?;
    until_tagged(r, tag, |_| {})
}

fn send<S: Write>(r: &mut BufReader<S>, s: &str) -> Result<(), Fail> {
    send_bytes(r, s.as_bytes())
}

fn send_bytes<S: Write>(r: &mut BufReader<S>, b: &[u8]) -> Result<(), Fail> {
    let w = r.get_mut();
    w.write_all(b)
        .and_then(|()| w.flush())
        .map_err(|e| io_fail("connectFailed", e))
}

/// Reads until the tagged response; untagged lines go to `each`.
fn until_tagged<S: Read>(
    r: &mut BufReader<S>,
    tag: &str,
    mut each: impl FnMut(&str),
) -> Result<(bool, String), Fail> {
    loop {
        let line = read_line(r)?;
        if let Some(status) = tagged_status(&line, tag) {
            return Ok(status);
        }
        if line.to_ascii_uppercase().starts_with("* BYE") {
            return Err(fail(
                "protocolError",
                format!("server closed: {}", clip(&line)),
            ));
        }
        each(&line);
    }
}

fn tagged_status(line: &str, tag: &str) -> Option<(bool, String)> {
    let rest = line.strip_prefix(tag)?.strip_prefix(' ')?;
    let upper = rest.to_ascii_uppercase();
    Some((upper.starts_with("OK"), rest.to_string()))
}

/// One response line without CRLF; literals (`{n}` at the end) are skipped so
/// their content is never mistaken for a response.
fn read_line<S: Read>(r: &mut BufReader<S>) -> Result<String, Fail> {
    let mut line = Vec::new();
    loop {
        let mut part = Vec::new();
        r.by_ref()
            .take(MAX_LINE)
            .read_until(b'\n', &mut part)
            .map_err(|e| io_fail("connectFailed", e))?;
        if part.last() != Some(&b'\n') {
            return Err(fail(
                "protocolError",
                if part.is_empty() {
                    "connection closed"
                } else {
                    "response line too long or truncated"
                },
            ));
        }
        let text = String::from_utf8_lossy(&part);
        let text = text.trim_end_matches(['\r', '\n']);
        line.extend_from_slice(text.as_bytes());
        let literal = text
            .strip_suffix('}')
            .and_then(|t| t.rsplit_once('{'))
            .and_then(|(_, n)| n.trim_end_matches('+').parse::<u64>().ok());
        match literal {
            Some(n) if n <= MAX_SKIPPED_LITERAL => {
                io::copy(&mut r.by_ref().take(n), &mut io::sink())
                    .map_err(|e| io_fail("connectFailed", e))?;
            }
            Some(_) => return Err(fail("protocolError", "oversized literal in response")),
            None => return Ok(String::from_utf8_lossy(&line).into_owned()),
        }
        if line.len() as u64 > MAX_LINE {
            return Err(fail("protocolError", "response too long"));
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
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

#[cfg(test)]
#[path = "imap_tests.rs"]
mod tests;
