//! MIME header values mail-parser misreads, rewritten for a second parse.
//!
//! After the first parse, the header values of every part are checked for:
//! - comments in `Content-Type`, `Content-Disposition` and
//!   `Content-Transfer-Encoding` (`base64 (gateway)`, `text/plain (a \) b)`):
//!   mail-parser ignores such an encoding, and an escaped `)` ends its
//!   comment early so the type reads as `text/escaped paren)`. Comments are
//!   blanked out; an unclosed `(` (in `name=price(list`) is blanked alone,
//!   as other parsers read it as text, where mail-parser's comment swallows
//!   the rest of the header and the boundary with it;
//! - charset labels mail-parser does not know but [`alias`] does, in a
//!   `charset` parameter or an RFC 2047 encoded word;
//! - encoded words in a CJK charset, which mail-parser cannot decode in the
//!   wasm build (see `charset`): rewritten as UTF-8 encoded words;
//! - a Content-Type, Content-Disposition or Content-Transfer-Encoding
//!   repeated in one part: mail-parser takes the last, other parsers the
//!   first; later ones are renamed `X-Repeated-…`. A multipart named by the
//!   first Content-Type but never closed is closed where the part ends.
//!
//! Parts inside an attached message are not repaired (their offsets may be
//! in a decoded copy). Most mail needs none of this: then no copy is made.

use super::charset::{self, alias, multi_byte};
use super::transfer;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::decoders::base64::base64_decode;
use mail_parser::{Header, HeaderName, Message, MessagePart, PartType};

/// The message with repaired header values, or `None` when nothing needs it.
pub(crate) fn repaired(tree: &Message<'_>, raw: &[u8]) -> Option<Vec<u8>> {
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for part in &tree.parts {
        let mut seen = [false; 3];
        let mut first_type = None;
        for header in &part.headers {
            let (start, end) = (header.offset_start as usize, header.offset_end as usize);
            let Some(value) = raw.get(start..end) else {
                continue;
            };
            let mime = match header.name {
                HeaderName::ContentType => Some(0),
                HeaderName::ContentDisposition => Some(1),
                HeaderName::ContentTransferEncoding => Some(2),
                _ => None,
            };
            if let Some(i) = mime {
                if seen[i] {
                    let field = header.offset_field as usize;
                    let name = header.name.as_str();
                    edits.push((
                        field,
                        field + name.len(),
                        format!("X-Repeated-{name}").into(),
                    ));
                    continue;
                }
                seen[i] = true;
                if i == 0 {
                    first_type = Some(header);
                }
            }
            let mime = mime.is_some();
            let mut fixed = None;
            if mime && value.contains(&b'(') {
                fixed = blank_comments(value);
            }
            let current = fixed.as_deref().unwrap_or(value);
            let text = match header.name {
                HeaderName::Subject | HeaderName::Comments => Text::Unstructured,
                _ if header.value.as_address().is_some() => Text::Addresses,
                _ => Text::Other,
            };
            let content_type = header.name == HeaderName::ContentType;
            if let Some(labels) = fix_labels(current, content_type, text) {
                fixed = Some(labels);
            }
            if let Some(fixed) = fixed {
                edits.push((start, end, fixed));
            }
        }
        let repeated = part
            .headers
            .iter()
            .filter(|h| h.name == HeaderName::ContentType);
        if repeated.count() > 1
            && let Some(close) = first_type.and_then(|h| unclosed_multipart(part, h, raw))
        {
            // After this part's header edits, before the next part's.
            edits.push((close.0, close.0, close.1));
        }
    }
    if edits.is_empty() {
        return None;
    }
    // Parts and their headers come in message order: edits are sorted.
    let mut out = Vec::with_capacity(raw.len() + 16);
    let mut at = 0;
    for (start, end, fixed) in edits {
        if start < at {
            continue; // overlapping ranges cannot happen; never corrupt if they do
        }
        out.extend_from_slice(&raw[at..start]);
        out.extend_from_slice(&fixed);
        at = end;
    }
    out.extend_from_slice(&raw[at..]);
    Some(out)
}

/// The first Content-Type of a part mail-parser did not read as a multipart
/// (it takes the last) names one: if its closing delimiter never comes, the
/// part is closed where it ends (at the enclosing boundary), so the second
/// parse does not run the multipart over the enclosing one's next parts. A
/// last line that opens a part (`--inner`) becomes the close (`--inner--`).
/// The insertion: its offset and bytes.
fn unclosed_multipart(
    part: &MessagePart<'_>,
    header: &Header<'_>,
    raw: &[u8],
) -> Option<(usize, Vec<u8>)> {
    let ct = header.value.as_content_type()?;
    let boundary = ct.attribute("boundary")?;
    if !ct.ctype().eq_ignore_ascii_case("multipart") || matches!(part.body, PartType::Multipart(_))
    {
        return None;
    }
    let open = [b"--", boundary.as_bytes()].concat();
    let body = raw.get(part.offset_body as usize..part.offset_end as usize)?;
    if find(body, &[&open[..], b"--"].concat()).is_some() {
        return None;
    }
    let trimmed = body.trim_ascii_end();
    let last_line = trimmed.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    if last_line.trim_ascii_end() == open {
        return Some((part.offset_body as usize + trimmed.len(), b"--".to_vec()));
    }
    let crlf = body.windows(2).any(|w| w == b"\r\n");
    let line_end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    Some((part.offset_end as usize, [line_end, &open, b"--"].concat()))
}

/// Comments outside quoted strings replaced by spaces (line ends kept, so
/// folding stays intact); an unclosed `(` alone becomes a space.
fn blank_comments(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = value.to_vec();
    let mut changed = false;
    let mut in_quotes = false;
    let mut i = 0;
    while i < out.len() {
        match out[i] {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b'(' if !in_quotes => {
                let end = comment_end(&out[i..]).map_or(i, |len| i + len);
                for b in &mut out[i..=end] {
                    if !matches!(*b, b'\r' | b'\n') {
                        *b = b' ';
                    }
                }
                changed = true;
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    changed.then_some(out)
}

/// Offset of the `)` closing the comment that `text` starts with.
fn comment_end(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Charset labels [`alias`] knows better, in encoded words (`=?label?`) and,
/// for a Content-Type, in its `charset=` parameter; encoded words in a CJK
/// charset (see [`multi_byte`]) re-encoded as UTF-8.
fn fix_labels(value: &[u8], content_type: bool, text: Text) -> Option<Vec<u8>> {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    // Most values hold no `?`: `contains` (a word at a time) skips them.
    let mut i = if value.contains(&b'?') {
        0
    } else {
        value.len()
    };
    while let Some(at) = find(&value[i..], b"=?").map(|p| i + p) {
        let start = at + 2;
        i = start;
        let len = value[start..]
            .iter()
            .take(41)
            .position(|&b| matches!(b, b'?' | b'*') || b.is_ascii_whitespace());
        let Some(len) = len.filter(|&l| l > 0 && matches!(value[start + l], b'?' | b'*')) else {
            continue;
        };
        let label = &value[start..start + len];
        if let Some((end, utf8)) = multi_byte_word(value, at, label) {
            edits.push((at, end, utf8));
            i = end;
        } else if let Some((end, decoded)) = word_in_word(value, at, label, text) {
            edits.push((at, end, decoded));
            i = end;
        } else {
            label_edit(label, start, &mut edits);
        }
    }
    if content_type && let Some(at) = find_ci(value, b"charset=") {
        let start = at + 8;
        let quoted = value.get(start) == Some(&b'"');
        let start = start + usize::from(quoted);
        let len = value[start..]
            .iter()
            .position(|&b| b == b'"' || b == b';' || b.is_ascii_whitespace())
            .unwrap_or(value.len() - start);
        // In order among the encoded words' edits (no sort: smaller module).
        let mut edit = Vec::new();
        label_edit(&value[start..start + len], start, &mut edit);
        if let Some(edit) = edit.pop() {
            let at = edits.partition_point(|e| e.0 < start);
            edits.insert(at, edit);
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(value.len());
    let mut at = 0;
    for (start, end, label) in edits {
        if start >= at {
            out.extend_from_slice(&value[at..start]);
            out.extend_from_slice(label.as_bytes());
            at = end;
        }
    }
    out.extend_from_slice(&value[at..]);
    Some(out)
}

/// The encoded word at `at` (`=?label[*lang]?B|Q?payload?=`) in a CJK
/// charset, decoded and written again as `=?utf-8?b?…?=`: its end and the
/// new word. mail-parser then reads it as any UTF-8 word.
fn multi_byte_word(value: &[u8], at: usize, label: &[u8]) -> Option<(usize, String)> {
    let name = multi_byte(std::str::from_utf8(label).ok()?)?;
    let (end, text) = decoded_word(value, at, label, name)?;
    Some((end, format!("=?utf-8?b?{}?=", STANDARD.encode(text))))
}

/// Where a header is read as text, and how.
#[derive(Clone, Copy, PartialEq)]
enum Text {
    Unstructured,
    Addresses,
    Other,
}

/// An encoded word inside a word (`H=?ISO-8859-1?B?9g==?=hn`): RFC 2047
/// does not allow it and mail-parser leaves it as sent, other parsers decode
/// it. Decoded here as plain UTF-8 text when it is in a Subject or Comments,
/// or in a display name (followed by `<` before any `,` or `@`, and not
/// inside `<…>`), and the text holds nothing an address or another encoded
/// word could be made of (class 10: an encoded word never gives address
/// syntax). Its end and the text.
fn word_in_word(value: &[u8], at: usize, label: &[u8], text: Text) -> Option<(usize, String)> {
    let joined = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b >= 0x80);
    if text == Text::Other || !joined(at.checked_sub(1).and_then(|i| value.get(i))) {
        // After a blank or at the start: mail-parser decodes it itself. (A
        // word followed by letters is left too: not seen in mail.)
        return None;
    }
    let (end, decoded) = decoded_word(value, at, label, std::str::from_utf8(label).ok()?)?;
    if text == Text::Addresses {
        let in_brackets =
            value[..at].iter().rev().find(|&&b| b == b'<' || b == b'>') == Some(&b'<');
        let next = value[end..]
            .iter()
            .find(|&&b| matches!(b, b'<' | b',' | b'@'));
        if in_brackets || next != Some(&b'<') {
            return None;
        }
    }
    let clean = decoded
        .chars()
        .all(|c| !c.is_control() && c != '\u{FFFD}' && !"\"(),:;<>@[\\]=?".contains(c));
    clean.then_some((end, decoded))
}

/// The encoded word at `at` (`=?label[*lang]?B|Q?payload?=`) decoded from
/// `charset`: its end and its text.
fn decoded_word(value: &[u8], at: usize, label: &[u8], charset: &str) -> Option<(usize, String)> {
    let rest = &value[at + 2 + label.len()..];
    let lang = rest.iter().position(|&b| b == b'?')?;
    let (encoding, payload) = match rest.get(lang..lang + 3)? {
        [b'?', e, b'?'] => (e.to_ascii_lowercase(), &rest[lang + 3..]),
        _ => return None,
    };
    let len = find(payload, b"?=")?;
    let payload = &payload[..len];
    let bytes = match encoding {
        b'b' => base64_decode(payload)?,
        b'q' => {
            let spaced: Vec<u8> = payload
                .iter()
                .map(|&b| if b == b'_' { b' ' } else { b })
                .collect();
            transfer::quoted_printable(&spaced)
        }
        _ => return None,
    };
    let text = charset::decode(&bytes, Some(charset));
    Some((at + 2 + label.len() + lang + 3 + len + 2, text))
}

fn label_edit(label: &[u8], start: usize, edits: &mut Vec<(usize, usize, String)>) {
    if let Some(better) = std::str::from_utf8(label).ok().and_then(alias) {
        edits.push((start, start + label.len(), better));
    }
}

/// Candidates by the first byte, then the rest compared: a slice compare
/// per window is a `memcmp` call per byte of every header (issue 9 speed).
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last = haystack.len().checked_sub(needle.len())?;
    let mut at = 0;
    while at <= last {
        at += haystack[at..=last].iter().position(|&b| b == first)?;
        if &haystack[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        at += 1;
    }
    None
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}
