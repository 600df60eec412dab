//! SMTP submission: `smtpCheck` (connect, secure, EHLO, AUTH, QUIT) and
//! `send` (MAIL/RCPT/DATA, then the Sent copy over IMAP when asked).
//!
//! Hand-written rather than lettre 0.11.23 (the registry's newest): its
//! STARTTLS upgrade keeps the plaintext BufReader, so bytes injected after
//! the `220` would be read as if they came over TLS; it drops the SIZE
//! extension, so an oversized message could not be refused before DATA; and
//! its send stops at the first refused RCPT instead of reporting each one.
//! TLS, connect and the certificate rules are shared with IMAP (`net.rs`,
//! `trust.rs`).
//!
//! Same STARTTLS rules as IMAP: no `STARTTLS` in EHLO or a refused STARTTLS →
//! `starttlsUnavailable` (never AUTH in plaintext); bytes after the `220`
//! before the handshake → `protocolError`; EHLO is asked again after TLS.

use crate::bcc::without_bcc;
use crate::imap;
use crate::net::{self, Endpoint, Fail, Tls, clip, fail, io_fail, public_roots};
use crate::protocol::{CheckArgs, Security, SendArgs};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rustls::RootCertStore;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

const MAX_LINE: u64 = 4096;
const MAX_REPLY_LINES: usize = 200;

pub fn check(args: &CheckArgs) -> Result<Value, Fail> {
    check_with_roots(args, public_roots())
}

pub fn check_with_roots(args: &CheckArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let c = Client::open(args, roots)?;
    let v = json!({"extensions": c.ext, "authMechanism": c.mechanism,
                   "certificatePin": c.pin, "certificateVerified": c.verified});
    c.quit();
    Ok(v)
}

/// `send` trusting Mozilla's roots and the system's store (or the pins).
pub fn send_public(a: &SendArgs, message: &[u8]) -> Result<Value, Fail> {
    send(a, message, public_roots())
}

/// Submits `message` (already validated, CRLF) without its Bcc header over
/// SMTP; then, only if that succeeded, APPENDs it, Bcc included, to the
/// Sent folder when `appendToSent`. An APPEND failure never fails the
/// reply: the message is out, and retrying the request would send it twice.
pub fn send(a: &SendArgs, message: &[u8], roots: RootCertStore) -> Result<Value, Fail> {
    let mut c = Client::open(&a.smtp, roots.clone())?;
    // Servers deliver the header as given: Bcc stays in the Sent copy only.
    let (accepted, rejected) = c.transaction(a, &without_bcc(message))?;
    c.quit();
    let mut v = json!({
        "sent": true,
        "accepted": accepted,
        "rejected": rejected,
        "appended": false,
    });
    if let (true, Some(imap_args)) = (a.append_to_sent, &a.imap) {
        match append_sent(imap_args, message, roots) {
            Ok((folder, uid)) => {
                v["appended"] = json!(true);
                // As imapSync takes it: text, not the wire's modified UTF-7.
                let name = imap::from_mutf7(&folder)
                    .unwrap_or_else(|| String::from_utf8_lossy(&folder).into_owned());
                v["appendFolder"] = json!(name);
                v["appendUid"] = json!(uid);
            }
            Err(f) => v["appendError"] = json!({"code": f.code, "message": f.message}),
        }
    }
    Ok(v)
}

fn append_sent(
    args: &CheckArgs,
    message: &[u8],
    roots: RootCertStore,
) -> Result<(Vec<u8>, Option<u64>), Fail> {
    let mut s = imap::Session::open(args, roots)?;
    let folder = s.find_sent_folder()?.ok_or_else(|| {
        fail(
            "noSentFolder",
            "no folder with the \\Sent attribute or named \"Sent\"; create one or turn off saving to Sent",
        )
    })?;
    let uid = s.append(&folder, message)?;
    s.logout();
    Ok((folder, uid))
}

/// A reply: its code and text lines (without the code).
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        clip(&format!("{} {}", self.code, self.lines.join(" ")))
    }
    fn class(&self) -> u16 {
        self.code / 100
    }
}

struct Client {
    r: BufReader<Tls>,
    /// EHLO keywords and parameters after TLS ("SIZE 35882577", "8BITMIME").
    ext: Vec<String>,
    mechanism: &'static str,
    /// The pin (base64 SPKI SHA-256) of the server's certificate.
    pin: Option<String>,
    /// Whether that certificate chains to a trusted root (None: pinned).
    verified: Option<bool>,
}

impl Client {
    /// Connects, secures the connection, EHLO, AUTH.
    fn open(args: &CheckArgs, roots: RootCertStore) -> Result<Client, Fail> {
        let ep = Endpoint::new(args, roots)?;
        let tcp = ep.connect()?;
        let helo = helo_name(tcp.local_addr().ok());
        let (mut r, ext) = match args.security {
            Security::ImplicitTls => {
                let mut r = BufReader::new(ep.handshake(tcp)?);
                greeting(&mut r)?;
                let ext = ehlo(&mut r, &helo)?;
                (r, ext)
            }
            Security::StartTls => {
                let mut r = BufReader::new(tcp);
                greeting(&mut r)?;
                let ext = ehlo(&mut r, &helo)?;
                if !has(&ext, "STARTTLS") {
                    return Err(fail(
                        "starttlsUnavailable",
                        "server does not offer STARTTLS; refusing to log in without TLS",
                    ));
                }
                let reply = command(&mut r, "STARTTLS")?;
                if reply.code != 220 {
                    return Err(fail(
                        "starttlsUnavailable",
                        format!("STARTTLS refused: {}", reply.text()),
                    ));
                }
                if !r.buffer().is_empty() {
                    return Err(fail(
                        "protocolError",
                        "data injected after the STARTTLS response",
                    ));
                }
                let mut r = BufReader::new(ep.handshake(r.into_inner())?);
                // Pre-TLS extensions are untrusted: ask again.
                let ext = ehlo(&mut r, &helo)?;
                (r, ext)
            }
        };
        let mechanism = auth(&mut r, &ext, &args.username, &args.password)?;
        Ok(Client {
            pin: net::peer_pin(r.get_ref()),
            verified: ep.chain_verified(),
            r,
            ext,
            mechanism,
        })
    }

    fn has(&self, keyword: &str) -> bool {
        has(&self.ext, keyword)
    }

    /// SIZE limit; 0 or absent means none announced.
    fn size_limit(&self) -> Option<u64> {
        self.ext
            .iter()
            .find_map(|e| {
                let (k, v) = e.split_once(' ')?;
                k.eq_ignore_ascii_case("SIZE")
                    .then(|| v.trim().parse().ok())?
            })
            .filter(|&n| n > 0)
    }

    /// MAIL, RCPT (each), DATA. Returns (accepted, rejected) recipients.
    fn transaction(
        &mut self,
        a: &SendArgs,
        message: &[u8],
    ) -> Result<(Vec<String>, Vec<Value>), Fail> {
        if let Some(limit) = self.size_limit()
            && message.len() as u64 > limit
        {
            return Err(fail(
                "messageTooLarge",
                format!(
                    "message is {} bytes; the server accepts at most {limit} (SIZE); nothing was sent",
                    message.len()
                ),
            ));
        }
        let utf8 = !a.from.is_ascii() || a.recipients.iter().any(|r| !r.is_ascii());
        if utf8 && !self.has("SMTPUTF8") {
            return Err(fail(
                "smtputf8Unsupported",
                "an address has non-ASCII characters and the server does not offer SMTPUTF8",
            ));
        }
        let mut mail = format!("MAIL FROM:<{}>", a.from);
        if self.has("8BITMIME") && message.iter().any(|&b| b >= 0x80) {
            mail.push_str(" BODY=8BITMIME");
        }
        // size_limit() is only Some when SIZE is announced.
        if self.has("SIZE") {
            mail.push_str(&format!(" SIZE={}", message.len()));
        }
        if utf8 {
            mail.push_str(" SMTPUTF8");
        }
        let reply = command(&mut self.r, &mail)?;
        match (reply.code, reply.class()) {
            (250, _) => {}
            (552, _) => {
                return Err(fail(
                    "messageTooLarge",
                    format!("MAIL refused: {}", reply.text()),
                ));
            }
            (_, 4) => {
                return Err(fail(
                    "temporaryFailure",
                    format!("MAIL refused for now: {}; nothing was sent", reply.text()),
                ));
            }
            _ => {
                return Err(fail(
                    "senderRejected",
                    format!("sender {} refused: {}", a.from, reply.text()),
                ));
            }
        }
        let mut accepted = Vec::new();
        let mut rejected = Vec::new();
        for rcpt in &a.recipients {
            let reply = command(&mut self.r, &format!("RCPT TO:<{rcpt}>"))?;
            if matches!(reply.code, 250 | 251) {
                accepted.push(rcpt.clone());
            } else {
                rejected.push(json!({
                    "recipient": rcpt,
                    "code": reply.code,
                    "temporary": reply.class() == 4,
                    "reply": reply.text(),
                }));
            }
        }
        if accepted.is_empty() {
            let _ = command(&mut self.r, "RSET");
            let detail: Vec<String> = rejected
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}",
                        r["recipient"].as_str().unwrap_or(""),
                        r["reply"].as_str().unwrap_or("")
                    )
                })
                .collect();
            return Err(fail(
                "allRecipientsRejected",
                format!(
                    "every recipient was refused, nothing was sent: {}",
                    detail.join("; ")
                ),
            ));
        }
        let reply = command(&mut self.r, "DATA")?;
        if reply.code != 354 {
            let code = if reply.class() == 4 {
                "temporaryFailure"
            } else {
                "messageRejected"
            };
            return Err(fail(
                code,
                format!("DATA refused: {}; nothing was sent", reply.text()),
            ));
        }
        {
            let mut w = BufWriter::with_capacity(64 * 1024, self.r.get_mut());
            write_dot_stuffed(&mut w, message)
                .and_then(|()| w.flush())
                .map_err(|e| {
                    let f = io_fail("connectFailed", e);
                    fail(f.code, format!("{}; the message was not sent", f.message))
                })?;
        }
        // From the final dot on, a lost answer means we cannot know whether
        // the server took the message: say so rather than invite a resend.
        let unconfirmed = |f: Fail| {
            fail(
                "sendUnconfirmed",
                format!(
                    "the message was transmitted but the server's answer was lost ({}); it may have been sent: check the Sent folder or the recipients before sending again",
                    f.message
                ),
            )
        };
        let w = self.r.get_mut();
        w.write_all(b".\r\n")
            .and_then(|()| w.flush())
            .map_err(|e| unconfirmed(io_fail("connectFailed", e)))?;
        // A server may scan a large message before it answers the dot; RFC
        // 5321 §4.5.3.2.6 gives it 10 minutes, not the 20 s of other replies.
        // (The caller's own timeout for `send` must allow for this.)
        self.r
            .get_ref()
            .sock
            .set_read_timeout(Some(DATA_END_TIMEOUT))
            .map_err(|e| unconfirmed(io_fail("connectFailed", e)))?;
        let reply = read_reply(&mut self.r).map_err(unconfirmed)?;
        // QUIT is best effort: back to the usual wait.
        let _ = self.r.get_ref().sock.set_read_timeout(Some(net::TIMEOUT));
        match (reply.code, reply.class()) {
            (250, _) => Ok((accepted, rejected)),
            (552, _) => Err(fail(
                "messageTooLarge",
                format!("message refused: {}", reply.text()),
            )),
            (_, 4) => Err(fail(
                "temporaryFailure",
                format!("message refused for now: {}; it was not sent", reply.text()),
            )),
            _ => Err(fail(
                "messageRejected",
                format!("message refused: {}; it was not sent", reply.text()),
            )),
        }
    }

    /// Best effort: the work is done whatever QUIT answers.
    fn quit(mut self) {
        let _ = command(&mut self.r, "QUIT");
    }
}

/// How long the server may take to answer the end of DATA (RFC 5321 §4.5.3.2.6).
pub const DATA_END_TIMEOUT: Duration = Duration::from_secs(600);

/// EHLO's argument: our address as a literal. No host name is revealed and
/// servers accept it (RFC 5321 §4.1.4).
fn helo_name(local: Option<SocketAddr>) -> String {
    match local {
        Some(SocketAddr::V4(a)) => format!("[{}]", a.ip()),
        Some(SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
        None => "[127.0.0.1]".into(),
    }
}

fn has(ext: &[String], keyword: &str) -> bool {
    ext.iter().any(|e| {
        e.split_ascii_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case(keyword))
    })
}

fn greeting<S: Read>(r: &mut BufReader<S>) -> Result<(), Fail> {
    let reply = read_reply(r)?;
    if reply.code != 220 {
        return Err(fail(
            "protocolError",
            format!("server refused the session: {}", reply.text()),
        ));
    }
    Ok(())
}

/// EHLO → extension lines (the first line, the server's name, dropped).
fn ehlo<S: Read + Write>(r: &mut BufReader<S>, helo: &str) -> Result<Vec<String>, Fail> {
    let reply = command(r, &format!("EHLO {helo}"))?;
    if reply.code != 250 {
        return Err(fail(
            "protocolError",
            format!("EHLO refused: {}", reply.text()),
        ));
    }
    Ok(reply.lines.into_iter().skip(1).collect())
}

/// AUTH PLAIN (initial response) or LOGIN, whichever is offered.
fn auth<S: Read + Write>(
    r: &mut BufReader<S>,
    ext: &[String],
    user: &str,
    pass: &str,
) -> Result<&'static str, Fail> {
    let mechs: Vec<String> = ext
        .iter()
        .filter_map(|e| {
            let (k, v) = e.split_once([' ', '='])?;
            k.eq_ignore_ascii_case("AUTH").then_some(v)
        })
        .flat_map(|v| v.split_ascii_whitespace().map(str::to_ascii_uppercase))
        .collect();
    let reply = if mechs.iter().any(|m| m == "PLAIN") {
        let token = B64.encode(format!("\0{user}\0{pass}"));
        (command(r, &format!("AUTH PLAIN {token}"))?, "PLAIN")
    } else if mechs.iter().any(|m| m == "LOGIN") {
        let mut reply = command(r, "AUTH LOGIN")?;
        for secret in [user, pass] {
            if reply.code != 334 {
                break;
            }
            reply = command(r, &B64.encode(secret))?;
        }
        (reply, "LOGIN")
    } else {
        return Err(fail(
            "authUnsupported",
            if mechs.is_empty() {
                "server offers no AUTH after TLS; it may not accept submissions from this account"
                    .to_string()
            } else {
                format!(
                    "server offers AUTH {} but only PLAIN and LOGIN are supported",
                    mechs.join(" ")
                )
            },
        ));
    };
    match reply {
        (Reply { code: 235, .. }, m) => Ok(m),
        (reply, _) if reply.class() == 5 => Err(fail(
            "wrongPassword",
            format!("login refused: {}", reply.text()),
        )),
        (reply, _) if reply.class() == 4 => Err(fail(
            "temporaryFailure",
            format!("login failed for now: {}", reply.text()),
        )),
        (reply, _) => Err(fail(
            "protocolError",
            format!("unexpected answer to AUTH: {}", reply.text()),
        )),
    }
}

fn command<S: Read + Write>(r: &mut BufReader<S>, line: &str) -> Result<Reply, Fail> {
    let w = r.get_mut();
    w.write_all(line.as_bytes())
        .and_then(|()| w.write_all(b"\r\n"))
        .and_then(|()| w.flush())
        .map_err(|e| io_fail("connectFailed", e))?;
    read_reply(r)
}

/// One (possibly multi-line) reply: `250-a` … `250 z`.
fn read_reply<S: Read>(r: &mut BufReader<S>) -> Result<Reply, Fail> {
    let mut lines = Vec::new();
    let mut code = None;
    loop {
        let mut raw = Vec::new();
        r.by_ref()
            .take(MAX_LINE)
            .read_until(b'\n', &mut raw)
            .map_err(|e| io_fail("connectFailed", e))?;
        if raw.last() != Some(&b'\n') {
            return Err(fail(
                "protocolError",
                if raw.is_empty() {
                    "connection closed"
                } else {
                    "reply line too long or truncated"
                },
            ));
        }
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\r', '\n']);
        let n: u16 = match line.get(..3).and_then(|c| c.parse().ok()) {
            Some(n) if (200..600).contains(&n) => n,
            _ => {
                return Err(fail(
                    "protocolError",
                    format!("not an SMTP reply: {}", clip(line)),
                ));
            }
        };
        if code.is_some_and(|c| c != n) {
            return Err(fail(
                "protocolError",
                format!("reply code changed mid-reply: {}", clip(line)),
            ));
        }
        code = Some(n);
        let sep = line.as_bytes().get(3).copied();
        lines.push(line.get(4..).unwrap_or("").to_string());
        match sep {
            None | Some(b' ') => return Ok(Reply { code: n, lines }),
            Some(b'-') if lines.len() < MAX_REPLY_LINES => {}
            _ => {
                return Err(fail(
                    "protocolError",
                    format!("bad reply line: {}", clip(line)),
                ));
            }
        }
    }
}

/// The message as DATA: a "." starting a line is doubled (RFC 5321
/// §4.5.2). The message ends with CRLF (validation ensures it); the caller
/// sends the final ".\r\n".
fn write_dot_stuffed(w: &mut impl Write, message: &[u8]) -> std::io::Result<()> {
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b'.') {
            w.write_all(b".")?;
        }
        w.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "smtp_tests.rs"]
mod tests;
