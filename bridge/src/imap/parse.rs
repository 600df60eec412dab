//! What responses contain: FETCH attributes, LIST entries, dates and
//! `[CODE value]` response codes.

use super::wire::Response;
use crate::net::{Fail, fail};

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
pub(super) struct Fetched {
    pub(super) uid: u64,
    pub(super) flags: Vec<String>,
    pub(super) internal_date: Option<String>,
    pub(super) size: Option<u64>,
    pub(super) body: Option<Vec<u8>>,
}

/// `* n FETCH (...)` → its attributes; `Ok(None)` for any other response
/// and for FETCHes without UID (unsolicited flag updates).
pub(super) fn parse_fetch(resp: Response) -> Result<Option<Fetched>, Fail> {
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
            ("BODY[]" | "BODY[HEADER]", Item::Str(b)) => f.body = Some(b.clone()),
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
        // Byte shapes checked first: the text comes from the server, and
        // slicing a non-ASCII zone at byte 3 would panic.
        let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        let (tb, zb) = (time.as_bytes(), zone.as_bytes());
        let time_ok = tb.len() == 8
            && tb[2] == b':'
            && tb[5] == b':'
            && digits(&tb[..2])
            && digits(&tb[3..5])
            && digits(&tb[6..]);
        let zone_ok = zb.len() == 5 && matches!(zb[0], b'+' | b'-') && digits(&zb[1..]);
        if !time_ok || !zone_ok {
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
pub(super) fn parse_list(
    resp: &Response,
    verb: &[u8],
) -> Option<(Vec<String>, Option<String>, Vec<u8>)> {
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

/// `[NAME value]` response code in a status text.
pub(super) fn response_code<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find('[')?;
    let inner = &text[start + 1..];
    let inner = &inner[..inner.find(']')?];
    let (n, v) = inner.split_once(' ').unwrap_or((inner, ""));
    n.eq_ignore_ascii_case(name).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::wire::tests::response;

    #[test]
    fn fetch_with_a_literal_body() {
        let body = b"Subject: a)b {3}\r\n\r\n* 2 FETCH (fake)\r\n";
        let mut raw = format!(
            "* 7 FETCH (UID 42 FLAGS (\\Seen $Label) INTERNALDATE \" 7-Jul-2024 09:05:01 +0200\" RFC822.SIZE {} BODY[] {{{}}}\r\n",
            body.len(),
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(body);
        raw.extend_from_slice(b")\r\n");
        let f = parse_fetch(response(&raw, 1000).unwrap()).unwrap().unwrap();
        assert_eq!(
            f,
            Fetched {
                uid: 42,
                flags: vec!["\\Seen".into(), "$Label".into()],
                internal_date: Some("2024-07-07T09:05:01+02:00".into()),
                size: Some(body.len() as u64),
                body: Some(body.to_vec()),
            }
        );
    }

    #[test]
    fn fetch_without_uid_or_other_responses_are_skipped() {
        let r = response(b"* 3 FETCH (FLAGS (\\Seen))\r\n", 0).unwrap();
        assert_eq!(parse_fetch(r).unwrap(), None);
        let r = response(b"* 3 EXISTS\r\n", 0).unwrap();
        assert_eq!(parse_fetch(r).unwrap(), None);
        let r = response(b"* 3 FETCH (UID 1 FLAGS (\\Seen)\r\n", 0).unwrap();
        assert_eq!(parse_fetch(r).unwrap_err().code, "protocolError");
    }

    #[test]
    fn small_pure_helpers() {
        assert_eq!(
            iso_date("17-Jul-1996 02:44:25 -0700"),
            "1996-07-17T02:44:25-07:00"
        );
        assert_eq!(iso_date("garbage"), "garbage");
        // A server's odd bytes are passed through, never a panic (a panic
        // aborts the helper and every request waiting on it).
        for odd in [
            "17-Jul-1996 02:44:25 +a\u{20ac}",
            "17-Jul-1996 02:44:25 +a\u{fffd}",
            "17-Jul-1996 0\u{e9}:44:2 -0700",
            "17-Jul-1996 02:44:25 +07:0",
        ] {
            assert_eq!(iso_date(odd), odd);
        }
        assert_eq!(
            response_code("OK [UIDVALIDITY 3857529045] UIDs valid", "UIDVALIDITY"),
            Some("3857529045")
        );
        assert_eq!(
            response_code("OK [APPENDUID 38505 3955] done", "appenduid"),
            Some("38505 3955")
        );
        assert_eq!(response_code("OK done", "UIDNEXT"), None);
    }
}
