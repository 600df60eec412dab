//! A logged-in IMAP session over TLS: connect, secure, CAPABILITY, LOGIN,
//! then tagged commands one at a time.
//!
//! STARTTLS rules (the known attacks, RFC 9051 §11 and Poddebniak et al.,
//! "Why TLS is better without STARTTLS", 2021):
//! - no `STARTTLS` capability, a refused STARTTLS, or a plaintext `PREAUTH`
//!   greeting (which makes STARTTLS impossible) → `starttlsUnavailable`; we
//!   never continue in plaintext.
//! - bytes received after the STARTTLS `OK` but before the handshake would be
//!   read as if protected (response injection) → `protocolError`.
//! - capabilities seen before TLS are discarded and asked again.

use super::wire::{
    Response, command, quote, read_line, read_response, send_bytes, tagged_status, until_tagged,
};
use crate::net::{Endpoint, Fail, Tls, clip, fail, peer_pin};
use crate::protocol::{CheckArgs, Security};
use rustls::RootCertStore;
use std::io::{BufReader, Read, Write};

/// A logged-in session over TLS.
pub struct Session {
    pub(super) r: BufReader<Tls>,
    next_tag: u32,
    /// Capabilities after TLS, before login.
    pub caps: Vec<String>,
    pub preauth: bool,
    /// The pin (base64 SPKI SHA-256) of the server's certificate.
    pub pin: Option<String>,
    /// Whether that certificate chains to a trusted root (None: pinned).
    pub verified: Option<bool>,
}

impl Session {
    /// Connects, secures the connection, asks CAPABILITY, logs in.
    pub fn open(args: &CheckArgs, roots: RootCertStore) -> Result<Session, Fail> {
        let ep = Endpoint::new(args, roots)?;
        let tcp = ep.connect()?;
        let (r, preauth) = match args.security {
            Security::ImplicitTls => {
                let mut r = BufReader::new(ep.handshake(tcp)?);
                let preauth = greeting(&mut r)?;
                (r, preauth)
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
                        format!("STARTTLS refused: {}", clip(&text)),
                    ));
                }
                if !r.buffer().is_empty() {
                    return Err(fail(
                        "protocolError",
                        "data injected after STARTTLS response",
                    ));
                }
                (BufReader::new(ep.handshake(r.into_inner())?), false)
            }
        };
        let pin = peer_pin(r.get_ref());
        let mut s = Session {
            r,
            next_tag: 1,
            caps: Vec::new(),
            preauth,
            pin,
            verified: ep.chain_verified(),
        };
        let tag = s.tag();
        s.caps = capabilities(&mut s.r, &tag)?;
        if !preauth {
            if s.caps.iter().any(|c| c == "LOGINDISABLED") {
                return Err(fail("loginDisabled", "server disables LOGIN even over TLS"));
            }
            let tag = s.tag();
            let (ok, text) = login(&mut s.r, &tag, &args.username, &args.password)?;
            if !ok {
                return Err(login_refused(&text));
            }
        }
        Ok(s)
    }

    pub(super) fn tag(&mut self) -> String {
        let t = format!("a{}", self.next_tag);
        self.next_tag += 1;
        t
    }

    /// Best effort: the work is done whatever LOGOUT answers.
    pub fn logout(mut self) {
        let tag = self.tag();
        let _ = command(&mut self.r, &tag, "LOGOUT");
    }

    /// Sends `cmd` and collects the untagged responses (literals within
    /// `budget`); a tagged NO/BAD becomes `Err((status line))`.
    pub(super) fn run(
        &mut self,
        cmd: &[u8],
        max_text: usize,
        budget: u64,
        mut each: impl FnMut(Response) -> Result<(), Fail>,
    ) -> Result<Result<String, String>, Fail> {
        let tag = self.tag();
        let mut line = format!("{tag} ").into_bytes();
        line.extend_from_slice(cmd);
        line.extend_from_slice(b"\r\n");
        send_bytes(&mut self.r, &line)?;
        let mut budget = budget;
        loop {
            let resp = read_response(&mut self.r, max_text, &mut budget)?;
            if let Some((ok, text)) = tagged_status(&resp.text_lossy(), &tag) {
                return Ok(if ok { Ok(text) } else { Err(text) });
            }
            if resp.text.len() >= 5 && resp.text[..5].eq_ignore_ascii_case(b"* BYE") {
                return Err(fail(
                    "protocolError",
                    format!("server closed: {}", clip(&resp.text_lossy())),
                ));
            }
            each(resp)?;
        }
    }

    /// Fresh capabilities (they usually grow after login).
    pub(super) fn refresh_capabilities(&mut self) -> Result<(), Fail> {
        let tag = self.tag();
        self.caps = capabilities(&mut self.r, &tag)?;
        Ok(())
    }

    pub(super) fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c == cap)
    }
}

/// Reads the greeting; true when it is PREAUTH.
/// A tagged NO/BAD to `what` as the helper's `protocolError`.
pub(super) fn refused(status: Result<String, String>, what: &str) -> Result<String, Fail> {
    status.map_err(|text| fail("protocolError", format!("{what} failed: {}", clip(&text))))
}

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

fn capabilities<S: Read + Write>(r: &mut BufReader<S>, tag: &str) -> Result<Vec<String>, Fail> {
    send_bytes(r, format!("{tag} CAPABILITY\r\n").as_bytes())?;
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
    tag: &str,
    user: &str,
    pass: &str,
) -> Result<(bool, String), Fail> {
    let mut line = format!("{tag} LOGIN").into_bytes();
    for arg in [user, pass] {
        line.push(b' ');
        if arg.is_ascii() {
            line.extend(quote(arg.as_bytes())?);
        } else {
            line.extend(format!("{{{}}}\r\n", arg.len()).bytes());
            send_bytes(r, &line)?;
            let reply = read_line(r)?;
            if !reply.starts_with('+') {
                return Ok(tagged_status(&reply, tag).unwrap_or((false, reply)));
            }
            line = arg.as_bytes().to_vec();
        }
    }
    line.extend(b"\r\n");
    send_bytes(r, &line)?;
    until_tagged(r, tag, |_| {})
}

/// A refused LOGIN (`text` is the tagged reply after the tag). Only a plain
/// NO means the credentials: RFC 5530's UNAVAILABLE and INUSE say "not now"
/// (the password must not be asked again for them), and BAD means the
/// server did not understand the command.
fn login_refused(text: &str) -> Fail {
    let upper = text.to_ascii_uppercase();
    let (code, what) = if upper.starts_with("BAD") {
        ("protocolError", "login not understood")
    } else if upper.contains("[UNAVAILABLE]") || upper.contains("[INUSE]") {
        ("temporaryFailure", "login refused for now")
    } else {
        ("wrongPassword", "login refused")
    };
    fail(code, format!("{what}: {}", clip(text)))
}
