//! IMAP: `imapCheck` (connect, secure, LOGIN, LOGOUT), `imapSync` (read a
//! folder incrementally by UID) and the APPEND of `send`'s Sent copy.
//! Blocking I/O with timeouts; one operation at a time.
//!
//! STARTTLS rules (the known attacks, RFC 9051 §11 and Poddebniak et al.,
//! "Why TLS is better without STARTTLS", 2021):
//! - no `STARTTLS` capability, a refused STARTTLS, or a plaintext `PREAUTH`
//!   greeting (which makes STARTTLS impossible) → `starttlsUnavailable`; we
//!   never continue in plaintext.
//! - bytes received after the STARTTLS `OK` but before the handshake would be
//!   read as if protected (response injection) → `protocolError`.
//! - capabilities seen before TLS are discarded and asked again.
//!
//! Responses are read as text plus literals (`{n}` CRLF n bytes); each read
//! has a byte budget for literals so a server cannot make us buffer more than
//! the caller allowed.

use crate::net::{Endpoint, Fail, Tls, clip, fail, io_fail, public_roots};
use crate::protocol::{CheckArgs, Security, SyncArgs};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rustls::RootCertStore;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};

/// Longest response text (without literals) for ordinary responses.
const MAX_LINE: usize = 16 * 1024;
/// `UID SEARCH` answers on one line: ~7 bytes per UID, so ~1M UIDs.
const MAX_SEARCH_LINE: usize = 8 * 1024 * 1024;
/// Literals we accept in responses that are not message bodies.
const MAX_SMALL_LITERALS: u64 = 64 * 1024;

/// Runs `imapCheck` against the public web PKI (or any certificate when asked).
pub fn check(args: &CheckArgs) -> Result<Value, Fail> {
    check_with_roots(args, public_roots())
}

pub fn check_with_roots(args: &CheckArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(args, roots)?;
    let caps = std::mem::take(&mut s.caps);
    let preauth = s.preauth;
    s.logout();
    Ok(json!({"preauth": preauth, "capabilities": caps}))
}

/// A logged-in session over TLS.
pub struct Session {
    r: BufReader<Tls>,
    next_tag: u32,
    /// Capabilities after TLS, before login.
    pub caps: Vec<String>,
    pub preauth: bool,
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
        let mut s = Session {
            r,
            next_tag: 1,
            caps: Vec::new(),
            preauth,
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
                return Err(fail(
                    "wrongPassword",
                    format!("login refused: {}", clip(&text)),
                ));
            }
        }
        Ok(s)
    }

    fn tag(&mut self) -> String {
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
    fn run(
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
    fn refresh_capabilities(&mut self) -> Result<(), Fail> {
        let tag = self.tag();
        self.caps = capabilities(&mut self.r, &tag)?;
        Ok(())
    }

    fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c == cap)
    }

    /// The folder for sent mail: the `\Sent` SPECIAL-USE attribute (RFC 6154
    /// LIST RETURN, or Gmail's older XLIST), else a folder named "Sent".
    pub fn find_sent_folder(&mut self) -> Result<Option<Vec<u8>>, Fail> {
        self.refresh_capabilities()?;
        let (cmd, verb): (&[u8], &[u8]) = if self.has("SPECIAL-USE") {
            (b"LIST \"\" \"*\" RETURN (SPECIAL-USE)", b"LIST")
        } else if self.has("XLIST") {
            (b"XLIST \"\" \"*\"", b"XLIST")
        } else {
            (b"LIST \"\" \"*\"", b"LIST")
        };
        let mut folders = Vec::new();
        let status = self.run(cmd, MAX_LINE, MAX_SMALL_LITERALS, |resp| {
            if let Some(f) = parse_list(&resp, verb) {
                folders.push(f);
            }
            Ok(())
        })?;
        if let Err(text) = status {
            return Err(fail(
                "protocolError",
                format!("listing folders failed: {}", clip(&text)),
            ));
        }
        Ok(choose_sent(&folders))
    }

    /// APPEND with `\Seen`; returns the new UID when the server has UIDPLUS.
    pub fn append(&mut self, folder: &[u8], message: &[u8]) -> Result<Option<u64>, Fail> {
        let tag = self.tag();
        let mut line = format!("{tag} APPEND ").into_bytes();
        line.extend(quote(folder)?);
        line.extend(format!(" (\\Seen) {{{}}}\r\n", message.len()).bytes());
        send_bytes(&mut self.r, &line)?;
        let mut budget = MAX_SMALL_LITERALS;
        loop {
            let resp = read_response(&mut self.r, MAX_LINE, &mut budget)?.text_lossy();
            if resp.starts_with('+') {
                break;
            }
            if let Some((_, text)) = tagged_status(&resp, &tag) {
                return Err(fail(
                    "appendFailed",
                    format!("APPEND refused: {}", clip(&text)),
                ));
            }
        }
        let mut body = message.to_vec();
        body.extend_from_slice(b"\r\n");
        send_bytes(&mut self.r, &body)?;
        drop(body);
        let (ok, text) = until_tagged(&mut self.r, &tag, |_| {})?;
        if !ok {
            return Err(fail(
                "appendFailed",
                format!("APPEND refused: {}", clip(&text)),
            ));
        }
        // RFC 4315: "OK [APPENDUID <uidvalidity> <uid>]".
        Ok(response_code(&text, "APPENDUID")
            .and_then(|v| v.split_ascii_whitespace().nth(1)?.parse().ok()))
    }

    /// `imapSync`, see [`sync`].
    fn sync(&mut self, a: &SyncArgs) -> Result<Value, Fail> {
        // EXAMINE: read-only, so reading never changes \Seen or \Recent.
        let mut cmd = b"EXAMINE ".to_vec();
        cmd.extend(quote(mutf7(&a.folder).as_bytes())?);
        let (mut uid_validity, mut uid_next, mut exists) = (None, None, 0u64);
        let status = self.run(&cmd, MAX_LINE, MAX_SMALL_LITERALS, |resp| {
            let t = resp.text_lossy();
            if let Some(v) = response_code(&t, "UIDVALIDITY") {
                uid_validity = v.trim().parse::<u64>().ok();
            } else if let Some(v) = response_code(&t, "UIDNEXT") {
                uid_next = v.trim().parse::<u64>().ok();
            } else if let Some(n) = t.strip_prefix("* ").and_then(|r| r.strip_suffix(" EXISTS")) {
                exists = n.parse().unwrap_or(0);
            }
            Ok(())
        })?;
        if let Err(text) = status {
            return Err(fail(
                "folderNotFound",
                format!("cannot open folder {:?}: {}", a.folder, clip(&text)),
            ));
        }
        let uid_validity = uid_validity
            .ok_or_else(|| fail("protocolError", "server sent no UIDVALIDITY for the folder"))?;
        let reset = a.uid_validity.is_some_and(|v| v != uid_validity);
        let since = if reset { 0 } else { a.since_uid.unwrap_or(0) };

        let mut uids = Vec::new();
        if exists > 0 {
            let status = self.run(
                format!("UID SEARCH UID {}:*", since + 1).as_bytes(),
                MAX_SEARCH_LINE,
                0,
                |resp| {
                    let t = resp.text_lossy();
                    if let Some(rest) = t.strip_prefix("* SEARCH") {
                        uids.extend(
                            rest.split_ascii_whitespace()
                                .filter_map(|n| n.parse::<u64>().ok()),
                        );
                    }
                    Ok(())
                },
            )?;
            if let Err(text) = status {
                return Err(fail(
                    "protocolError",
                    format!("UID SEARCH failed: {}", clip(&text)),
                ));
            }
        }
        uids.sort_unstable();
        uids.dedup();
        // With "n:*", "*" is the highest UID even when it is below n (RFC 9051
        // §6.4.8), so the last message always matches: it tells us the highest
        // UID, and it must not be returned again.
        let highest_uid = uids.last().copied().unwrap_or(0);
        uids.retain(|&u| u > since);

        let wanted: Vec<u64> = uids.iter().copied().take(a.max_messages as usize).collect();
        let mut metas = Vec::new();
        if !wanted.is_empty() {
            let cmd = format!(
                "UID FETCH {} (UID FLAGS INTERNALDATE RFC822.SIZE)",
                uid_set(&wanted)
            );
            let status = self.run(cmd.as_bytes(), MAX_LINE, MAX_SMALL_LITERALS, |resp| {
                if let Some(m) = parse_fetch(resp)?
                    && wanted.binary_search(&m.uid).is_ok()
                    && m.size.is_some()
                {
                    metas.push(m);
                }
                Ok(())
            })?;
            if let Err(text) = status {
                return Err(fail(
                    "protocolError",
                    format!("UID FETCH failed: {}", clip(&text)),
                ));
            }
        }
        metas.sort_by_key(|m| m.uid);
        metas.dedup_by_key(|m| m.uid);

        // Bodies within maxBytes, in UID order (the caller advances sinceUid
        // to the last UID returned, so nothing may be skipped). A message
        // bigger than maxBytes on its own comes back without its body.
        let mut used = 0u64;
        let mut take = 0;
        let mut bodies_wanted = Vec::new();
        for m in &metas {
            let size = m.size.unwrap_or(0);
            if size > a.max_bytes {
                take += 1;
                continue;
            }
            if used + size > a.max_bytes {
                break;
            }
            used += size;
            bodies_wanted.push(m.uid);
            take += 1;
        }
        metas.truncate(take);
        let mut bodies: Vec<(u64, Vec<u8>)> = Vec::new();
        if !bodies_wanted.is_empty() {
            let cmd = format!("UID FETCH {} (UID BODY.PEEK[])", uid_set(&bodies_wanted));
            // A little slack: RFC822.SIZE is the server's own figure.
            let budget = a.max_bytes + 64 * 1024;
            let status = self.run(cmd.as_bytes(), MAX_LINE, budget, |resp| {
                if let Some(m) = parse_fetch(resp)?
                    && let Some(body) = m.body
                    && bodies_wanted.binary_search(&m.uid).is_ok()
                {
                    bodies.push((m.uid, body));
                }
                Ok(())
            })?;
            if let Err(text) = status {
                return Err(fail(
                    "protocolError",
                    format!("UID FETCH failed: {}", clip(&text)),
                ));
            }
        }
        let more = metas.len() < uids.len();
        let messages: Vec<Value> = metas
            .into_iter()
            .filter_map(|m| {
                let body = bodies
                    .iter()
                    .position(|(u, _)| *u == m.uid)
                    .map(|i| bodies.swap_remove(i).1);
                let too_large = m.size.unwrap_or(0) > a.max_bytes;
                // A body we asked for but did not get: the message was
                // expunged meanwhile, so it is gone.
                if body.is_none() && !too_large {
                    return None;
                }
                Some(json!({
                    "uid": m.uid,
                    "flags": m.flags,
                    "internalDate": m.internal_date,
                    "size": m.size,
                    "mime": body.map(|b| B64.encode(b)),
                }))
            })
            .collect();
        Ok(json!({
            "uidValidity": uid_validity,
            "uidNext": uid_next,
            "highestUid": highest_uid,
            "reset": reset,
            "messages": messages,
            "more": more,
        }))
    }
}

/// `imapSync`: EXAMINE the folder, then the messages with UID > sinceUid
/// (all of them when uidValidity changed), up to maxMessages and maxBytes.
pub fn sync(a: &SyncArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(&a.imap, roots)?;
    let v = s.sync(a)?;
    s.logout();
    Ok(v)
}

/// Sync with the public roots (or trust-any when the account says so).
pub fn sync_public(a: &SyncArgs) -> Result<Value, Fail> {
    sync(a, public_roots())
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

/// A quoted string; CR, LF, NUL and 8-bit bytes cannot be quoted.
fn quote(s: &[u8]) -> Result<Vec<u8>, Fail> {
    if s.iter()
        .any(|&b| matches!(b, b'\r' | b'\n' | 0) || b >= 0x80)
    {
        return Err(fail(
            "badRequest",
            "IMAP string with CR, LF, NUL or non-ASCII bytes cannot be quoted",
        ));
    }
    let mut out = vec![b'"'];
    for &b in s {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    Ok(out)
}

fn command<S: Read + Write>(
    r: &mut BufReader<S>,
    tag: &str,
    cmd: &str,
) -> Result<(bool, String), Fail> {
    send_bytes(r, format!("{tag} {cmd}\r\n").as_bytes())?;
    until_tagged(r, tag, |_| {})
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

/// `[NAME value]` response code in a status text.
fn response_code<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find('[')?;
    let inner = &text[start + 1..];
    let inner = &inner[..inner.find(']')?];
    let (n, v) = inner.split_once(' ').unwrap_or((inner, ""));
    n.eq_ignore_ascii_case(name).then_some(v)
}

/// One response: its text (literals shown as their `{n}` markers) and the
/// literals' bytes, in order.
#[derive(Debug, Default)]
struct Response {
    text: Vec<u8>,
    literals: Vec<Vec<u8>>,
}

impl Response {
    fn text_lossy(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Reads one response. Literals count against `budget`, which is spent.
fn read_response<S: Read>(
    r: &mut BufReader<S>,
    max_text: usize,
    budget: &mut u64,
) -> Result<Response, Fail> {
    let mut resp = Response::default();
    loop {
        let mut part = Vec::new();
        let room = max_text.saturating_sub(resp.text.len()) as u64 + 2;
        r.by_ref()
            .take(room)
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
        while matches!(part.last(), Some(b'\n' | b'\r')) {
            part.pop();
        }
        let literal = literal_len(&part);
        resp.text.extend_from_slice(&part);
        let Some(n) = literal else {
            return Ok(resp);
        };
        if n > *budget {
            return Err(fail(
                "protocolError",
                format!(
                    "server sent a {n}-byte literal, over the {budget}-byte limit for this response"
                ),
            ));
        }
        *budget -= n;
        let mut lit = Vec::with_capacity(n as usize);
        r.by_ref()
            .take(n)
            .read_to_end(&mut lit)
            .map_err(|e| io_fail("connectFailed", e))?;
        if lit.len() as u64 != n {
            return Err(fail("protocolError", "connection closed inside a literal"));
        }
        resp.literals.push(lit);
    }
}

/// `{n}` or `{n+}` at the end of a line.
fn literal_len(line: &[u8]) -> Option<u64> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// One response line as text; literals (up to 64 KiB) are read but dropped,
/// so their content is never mistaken for a response.
fn read_line<S: Read>(r: &mut BufReader<S>) -> Result<String, Fail> {
    let mut budget = MAX_SMALL_LITERALS;
    Ok(read_response(r, MAX_LINE, &mut budget)?.text_lossy())
}

/// A parsed response element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Atom(String),
    /// Quoted string or literal.
    Str(Vec<u8>),
    List(Vec<Item>),
}

/// Parses a response's text into items, taking the literals in order.
/// Brackets stay inside atoms (`BODY[]`, `BODY[HEADER.FIELDS (A B)]`).
fn parse_items(resp: Response) -> Result<Vec<Item>, String> {
    let text = &resp.text;
    let mut lits = resp.literals.into_iter();
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b' ' => i += 1,
            b'(' => {
                stack.push(Vec::new());
                i += 1;
            }
            b')' => {
                let list = stack
                    .pop()
                    .filter(|_| !stack.is_empty())
                    .ok_or("unbalanced )")?;
                stack.last_mut().unwrap().push(Item::List(list));
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match text.get(i) {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            s.push(*text.get(i + 1).ok_or("bad escape")?);
                            i += 2;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                stack.last_mut().unwrap().push(Item::Str(s));
            }
            b'{' => {
                let close = text[i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or("bad literal")?;
                let lit = lits.next().ok_or("literal marker without data")?;
                stack.last_mut().unwrap().push(Item::Str(lit));
                i += close + 1;
            }
            _ => {
                let start = i;
                let mut depth = 0i32;
                while i < text.len() {
                    let c = text[i];
                    match c {
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        b' ' | b'(' | b')' if depth <= 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
                let atom = String::from_utf8_lossy(&text[start..i]).into_owned();
                stack.last_mut().unwrap().push(Item::Atom(atom));
            }
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(items), true) => Ok(items),
        _ => Err("unbalanced (".into()),
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Fetched {
    uid: u64,
    flags: Vec<String>,
    internal_date: Option<String>,
    size: Option<u64>,
    body: Option<Vec<u8>>,
}

/// `* n FETCH (...)` → its attributes; `Ok(None)` for any other response
/// and for FETCHes without UID (unsolicited flag updates).
fn parse_fetch(resp: Response) -> Result<Option<Fetched>, Fail> {
    let is_fetch = resp.text.starts_with(b"* ")
        && resp
            .text
            .split(|&b| b == b' ')
            .nth(2)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"FETCH"));
    if !is_fetch {
        return Ok(None);
    }
    let items =
        parse_items(resp).map_err(|e| fail("protocolError", format!("bad FETCH response: {e}")))?;
    let Some(Item::List(atts)) = items.get(3) else {
        return Err(fail(
            "protocolError",
            "bad FETCH response: no attribute list",
        ));
    };
    let mut f = Fetched::default();
    let mut it = atts.iter();
    let mut uid = None;
    while let (Some(Item::Atom(key)), Some(value)) = (it.next(), it.next()) {
        match (key.to_ascii_uppercase().as_str(), value) {
            ("UID", Item::Atom(n)) => uid = n.parse().ok(),
            ("FLAGS", Item::List(flags)) => {
                f.flags = flags
                    .iter()
                    .filter_map(|x| match x {
                        Item::Atom(a) => Some(a.clone()),
                        _ => None,
                    })
                    .collect();
            }
            ("INTERNALDATE", Item::Str(d)) => {
                f.internal_date = Some(iso_date(&String::from_utf8_lossy(d)));
            }
            ("RFC822.SIZE", Item::Atom(n)) => f.size = n.parse().ok(),
            ("BODY[]", Item::Str(b)) => f.body = Some(b.clone()),
            _ => {}
        }
    }
    Ok(uid.map(|uid| Fetched { uid, ..f }))
}

/// IMAP `date-time` ("17-Jul-1996 02:44:25 -0700") as RFC 3339
/// ("1996-07-17T02:44:25-07:00"); anything else is passed through.
fn iso_date(d: &str) -> String {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let parse = || {
        let mut parts = d.trim().split(' ');
        let date = parts.next()?;
        let time = parts.next()?;
        let zone = parts.next()?;
        let mut dp = date.split('-');
        let day: u32 = dp.next()?.trim().parse().ok()?;
        let mon = dp.next()?.to_ascii_lowercase();
        let month = MONTHS.iter().position(|m| *m == mon)? + 1;
        let year: u32 = dp.next()?.parse().ok()?;
        let zb = zone.as_bytes();
        if time.len() != 8 || zb.len() != 5 || !matches!(zb[0], b'+' | b'-') {
            return None;
        }
        Some(format!(
            "{year:04}-{month:02}-{day:02}T{time}{}:{}",
            &zone[..3],
            &zone[3..]
        ))
    };
    parse().unwrap_or_else(|| d.to_string())
}

/// `* LIST (attrs) "/" name` → (attributes, delimiter, name as sent).
fn parse_list(resp: &Response, verb: &[u8]) -> Option<(Vec<String>, Option<String>, Vec<u8>)> {
    let prefix = [b"* ".as_slice(), verb, b" "].concat();
    if resp.text.len() < prefix.len() || !resp.text[..prefix.len()].eq_ignore_ascii_case(&prefix) {
        return None;
    }
    let copy = Response {
        text: resp.text.clone(),
        literals: resp.literals.clone(),
    };
    let items = parse_items(copy).ok()?;
    let [_, _, Item::List(attrs), delim, name, ..] = items.as_slice() else {
        return None;
    };
    let attrs = attrs
        .iter()
        .filter_map(|a| match a {
            Item::Atom(a) => Some(a.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    let delim = match delim {
        Item::Str(d) => Some(String::from_utf8_lossy(d).into_owned()),
        _ => None,
    };
    let name = match name {
        Item::Str(n) => n.clone(),
        Item::Atom(n) => n.as_bytes().to_vec(),
        Item::List(_) => return None,
    };
    Some((attrs, delim, name))
}

type Folder = (Vec<String>, Option<String>, Vec<u8>);

/// `\Sent` attribute first, then "Sent" (any case), then "<parent><delim>Sent".
fn choose_sent(folders: &[Folder]) -> Option<Vec<u8>> {
    let selectable = |f: &&Folder| {
        !f.0.iter()
            .any(|a| a == "\\NOSELECT" || a == "\\NONEXISTENT")
    };
    if let Some(f) = folders
        .iter()
        .filter(selectable)
        .find(|f| f.0.iter().any(|a| a == "\\SENT"))
    {
        return Some(f.2.clone());
    }
    if let Some(f) = folders
        .iter()
        .filter(selectable)
        .find(|f| f.2.eq_ignore_ascii_case(b"Sent"))
    {
        return Some(f.2.clone());
    }
    folders
        .iter()
        .filter(selectable)
        .find(|f| {
            f.1.as_ref().is_some_and(|d| {
                let suffix = format!("{d}sent");
                f.2.len() > suffix.len()
                    && f.2[f.2.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
            })
        })
        .map(|f| f.2.clone())
}

/// Sorted UIDs as a compact set: 1,3:5,9.
fn uid_set(uids: &[u64]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3).
pub fn mutf7(name: &str) -> String {
    use base64::alphabet::IMAP_MUTF7;
    use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};
    let engine = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);
    let mut out = String::new();
    let mut wide: Vec<u16> = Vec::new();
    let flush = |wide: &mut Vec<u16>, out: &mut String| {
        if !wide.is_empty() {
            let bytes: Vec<u8> = wide.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&engine.encode(bytes));
            out.push('-');
            wide.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut wide, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            wide.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut wide, &mut out);
    out
}

#[cfg(test)]
#[path = "imap_tests.rs"]
mod tests;
