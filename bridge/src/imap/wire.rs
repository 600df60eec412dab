//! The IMAP wire: reading responses, writing commands and their arguments.
//!
//! Responses are read as text plus literals (`{n}` CRLF n bytes); each read
//! has a byte budget for literals so a server cannot make us buffer more than
//! the caller allowed.

use crate::net::{Fail, clip, fail, io_fail};
use std::io::{BufRead, BufReader, Read, Write};

/// Longest response text (without literals) for ordinary responses.
pub(super) const MAX_LINE: usize = 16 * 1024;

/// Literals we accept in responses that are not message bodies.
pub(super) const MAX_SMALL_LITERALS: u64 = 64 * 1024;

/// One response: its text (literals shown as their `{n}` markers) and the
/// literals' bytes, in order.
#[derive(Debug, Default)]
pub(super) struct Response {
    pub(super) text: Vec<u8>,
    pub(super) literals: Vec<Vec<u8>>,
}

impl Response {
    pub(super) fn text_lossy(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Reads one response. Literals count against `budget`, which is spent.
pub(super) fn read_response<S: Read>(
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
pub(super) fn read_line<S: Read>(r: &mut BufReader<S>) -> Result<String, Fail> {
    let mut budget = MAX_SMALL_LITERALS;
    Ok(read_response(r, MAX_LINE, &mut budget)?.text_lossy())
}

/// A quoted string; CR, LF, NUL and 8-bit bytes cannot be quoted.
pub(super) fn quote(s: &[u8]) -> Result<Vec<u8>, Fail> {
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

pub(super) fn command<S: Read + Write>(
    r: &mut BufReader<S>,
    tag: &str,
    cmd: &str,
) -> Result<(bool, String), Fail> {
    send_bytes(r, format!("{tag} {cmd}\r\n").as_bytes())?;
    until_tagged(r, tag, |_| {})
}

pub(super) fn send_bytes<S: Write>(r: &mut BufReader<S>, b: &[u8]) -> Result<(), Fail> {
    let w = r.get_mut();
    w.write_all(b)
        .and_then(|()| w.flush())
        .map_err(|e| io_fail("connectFailed", e))
}

/// Reads until the tagged response; untagged lines go to `each`.
pub(super) fn until_tagged<S: Read>(
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

pub(super) fn tagged_status(line: &str, tag: &str) -> Option<(bool, String)> {
    let rest = line.strip_prefix(tag)?.strip_prefix(' ')?;
    let upper = rest.to_ascii_uppercase();
    Some((upper.starts_with("OK"), rest.to_string()))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Reads one response from `raw` with a literal budget.
    pub(crate) fn response(raw: &[u8], budget: u64) -> Result<Response, Fail> {
        let mut b = budget;
        read_response(&mut BufReader::new(raw), MAX_LINE, &mut b)
    }

    #[test]
    fn literal_over_budget_is_refused_before_reading_it() {
        let e = response(b"* 1 FETCH (UID 1 BODY[] {5000000}\r\n", 1000).unwrap_err();
        assert_eq!(e.code, "protocolError");
        assert!(e.message.contains("5000000"), "{e:?}");
        let e = response(b"* 1 FETCH (UID 1 BODY[] {10}\r\nshort", 1000).unwrap_err();
        assert_eq!(e.code, "protocolError", "truncated literal");
    }

    #[test]
    fn small_pure_helpers() {
        assert_eq!(literal_len(b"BODY[] {12}"), Some(12));
        assert_eq!(literal_len(b"x {12+}"), Some(12));
        assert_eq!(literal_len(b"x {}"), None);
        assert_eq!(literal_len(b"OK done"), None);
        assert_eq!(quote(b"a\"b\\").unwrap(), b"\"a\\\"b\\\\\"");
        assert_eq!(quote(b"a\r\nb").unwrap_err().code, "badRequest");
    }
}
