//! Draft → RFC 5322 bytes, through mail-builder.
//!
//! Structure: `mixed[ alternative[ text, related[ html, images… ] ], files… ]`,
//! each container only when needed. Output is deterministic: Date and
//! Message-ID come from the draft and MIME boundaries are derived from them.
//!
//! Before returning, the builder reads its own output back with mail-parser
//! and compares every header value with the draft: anything a reader would
//! see differently (an RFC 2047 look-alike in a subject, …) is an error, not
//! a silently changed message.

use super::draft::Draft;
use super::error::BuildError;
use super::validate::{self, Addr, Part, Prepared};
use base64::Engine;
use mail_builder::MessageBuilder;
use mail_builder::headers::HeaderType;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};
use mail_parser::{HeaderName, HeaderValue, MessageParser};
use std::io::BufRead;

/// RFC 5322 §2.1.1: a line is at most 998 octets before its CRLF.
const MAX_LINE: usize = 998;

/// Builds the message. The same draft always gives the same bytes. Every line
/// ends in CRLF and is at most 998 octets (78 except for an address, id or
/// custom header word that is longer on its own).
pub fn build_message(draft: &Draft) -> Result<Vec<u8>, BuildError> {
    let p = validate::prepare(draft)?;
    let mut boundary = Boundaries::new(&p);

    let mut b = MessageBuilder::new().from(address(&p.from));
    for (name, list) in [
        ("To", &p.to),
        ("Cc", &p.cc),
        ("Bcc", &p.bcc),
        ("Reply-To", &p.reply_to),
    ] {
        if !list.is_empty() {
            b = b.header(name, Address::new_list(list.iter().map(address).collect()));
        }
    }
    if let Some(subject) = &p.subject {
        b = b.subject(Text::new(subject.as_str()));
    }
    b = b
        .date(Date::new(p.date))
        .message_id(MessageId::new(p.message_id.as_str()));
    if let Some(id) = &p.in_reply_to {
        b = b.in_reply_to(MessageId::new(id.as_str()));
    }
    if !p.references.is_empty() {
        b = b.references(MessageId::new_list(p.references.iter().map(String::as_str)));
    }
    for (name, value) in &p.headers {
        b = b.header(name.as_str(), custom_value(value));
    }
    b = b.body(body(&p, &mut boundary));

    let mut out = Vec::new();
    b.serialize(&mut out);
    check_lines(&out)?;
    check_readback(&out, &p)?;
    Ok(out)
}

fn address(a: &Addr) -> Address<'_> {
    Address::new_address(a.name.as_deref(), a.address.as_str())
}

/// Printable ASCII is written as it is (folded at spaces) so structured
/// custom headers such as `List-Unsubscribe` stay intact; anything else is
/// RFC 2047-encoded, which suits the unstructured `X-` headers it is meant for.
fn custom_value(value: &str) -> HeaderType<'_> {
    if value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\t')
    {
        Raw::new(value).into()
    } else {
        Text::new(value).into()
    }
}

fn body<'x>(p: &'x Prepared, boundary: &mut Boundaries) -> MimePart<'x> {
    let html = p.html.as_deref().map(|html| {
        let html = MimePart::new("text/html", BodyPart::Text(html.into()));
        if p.inline_images.is_empty() {
            return html;
        }
        let mut parts = vec![html];
        parts.extend(p.inline_images.iter().map(file_part));
        let related = ContentType::new("multipart/related")
            .attribute("type", "text/html")
            .attribute("boundary", boundary.next());
        MimePart::new(related, parts)
    });
    let text = p
        .text
        .as_deref()
        .map(|text| MimePart::new("text/plain", BodyPart::Text(text.into())));
    let main = match (text, html) {
        (Some(text), Some(html)) => MimePart::new(
            ContentType::new("multipart/alternative").attribute("boundary", boundary.next()),
            vec![text, html],
        ),
        (Some(part), None) | (None, Some(part)) => part,
        (None, None) => MimePart::new("text/plain", BodyPart::Text("".into())),
    };
    if p.attachments.is_empty() {
        return main;
    }
    let mut parts = vec![main];
    parts.extend(p.attachments.iter().map(file_part));
    MimePart::new(
        ContentType::new("multipart/mixed").attribute("boundary", boundary.next()),
        parts,
    )
}

fn file_part(f: &Part) -> MimePart<'_> {
    let disposition = if f.content_id.is_some() {
        "inline"
    } else {
        "attachment"
    };
    let content_type = ContentType::new(f.content_type.as_str());
    let mut part = if f.content_type.starts_with("text/") && f.bytes.contains(&0) {
        // mail-builder would send text/* with NUL bytes as 7bit, which RFC 2045
        // forbids; base64 keeps the bytes intact.
        MimePart::new(content_type, BodyPart::Text(base64_lines(&f.bytes).into()))
            .transfer_encoding("base64")
    } else {
        MimePart::new(content_type, BodyPart::Binary(f.bytes.as_slice().into()))
    };
    part = part.header(
        "Content-Disposition",
        ContentType::new(disposition).attribute("filename", f.filename.as_str()),
    );
    if let Some(cid) = &f.content_id {
        part = part.cid(cid.as_str());
    }
    part
}

/// Standard base64 in 76-character lines (RFC 2045 §6.8).
fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// Deterministic MIME boundaries `=_inlay_<n>_<16 hex>`.
///
/// `=_` never occurs in quoted-printable or base64 output, so only parts
/// mail-builder may send as 7bit (text, HTML, text/* files) can collide; the
/// seed is re-hashed until none contains it. A distinct `<n>` before a
/// fixed-width seed keeps any boundary from being a prefix of another.
struct Boundaries {
    seed: u64,
    count: u32,
}

impl Boundaries {
    fn new(p: &Prepared) -> Self {
        let mut seed = fnv1a(0xcbf2_9ce4_8422_2325, p.message_id.as_bytes());
        seed = fnv1a(seed, &p.date.to_le_bytes());
        let plain: Vec<&[u8]> = [p.text.as_deref(), p.html.as_deref()]
            .into_iter()
            .flatten()
            .map(str::as_bytes)
            .chain(
                p.attachments
                    .iter()
                    .chain(&p.inline_images)
                    .filter(|f| f.content_type.starts_with("text/"))
                    .map(|f| f.bytes.as_slice()),
            )
            .collect();
        loop {
            let stem = format!("=_inlay_{seed:016x}");
            if !plain.iter().any(|body| contains(body, stem.as_bytes())) {
                return Self { seed, count: 0 };
            }
            seed = fnv1a(seed, b"again");
        }
    }

    fn next(&mut self) -> String {
        self.count += 1;
        format!("=_inlay_{}_{:016x}", self.count, self.seed)
    }
}

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Whether a boundary of this stem (`=_inlay_<seed>`) could occur in `hay`:
/// any `=_inlay_<digits>_<seed>` is a collision.
fn contains(hay: &[u8], stem: &[u8]) -> bool {
    let (head, seed) = stem.split_at(b"=_inlay_".len());
    let mut rest = hay;
    // Candidates by their first byte (a compare per window is a `memcmp`
    // call per byte of every body).
    while let Some(at) = super::repair::find(rest, head) {
        let after = &rest[at + head.len()..];
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        if after[digits..].starts_with(b"_") && after[digits + 1..].starts_with(seed) {
            return true;
        }
        rest = &rest[at + 1..];
    }
    false
}

/// Every line ends in CRLF and has at most 998 octets before it.
fn check_lines(out: &[u8]) -> Result<(), BuildError> {
    let message = || "message".to_owned();
    let mut rest = out;
    while !rest.is_empty() {
        // The line through its `\n` (std's `memchr`, a word at a time,
        // through `BufRead::skip_until`), or the rest.
        let len = { rest }.skip_until(b'\n').unwrap_or(rest.len());
        let (line, tail) = rest.split_at(len);
        rest = tail;
        let Some(content) = line.strip_suffix(b"\r\n") else {
            return Err(BuildError::NotRepresentable { field: message() });
        };
        if content.contains(&b'\r') {
            return Err(BuildError::NotRepresentable { field: message() });
        }
        if content.len() > MAX_LINE {
            return Err(BuildError::TooLong {
                field: message(),
                max: MAX_LINE,
            });
        }
    }
    Ok(())
}

/// Reads the built header block back with mail-parser and compares it with
/// what was meant: same addresses and names, subject, ids and custom headers,
/// and no header that was not written on purpose.
fn check_readback(out: &[u8], p: &Prepared) -> Result<(), BuildError> {
    let differs = |field: &str| BuildError::NotRepresentable {
        field: field.to_owned(),
    };
    let parsed = MessageParser::new()
        .parse_headers(out)
        .ok_or_else(|| differs("message"))?;
    let headers = parsed.root_part().headers.as_slice();

    let lists: [(&str, HeaderName<'static>, &[Addr]); 5] = [
        ("from", HeaderName::From, std::slice::from_ref(&p.from)),
        ("to", HeaderName::To, &p.to),
        ("cc", HeaderName::Cc, &p.cc),
        ("bcc", HeaderName::Bcc, &p.bcc),
        ("replyTo", HeaderName::ReplyTo, &p.reply_to),
    ];
    for (field, name, expected) in lists {
        let found: Vec<_> = headers
            .iter()
            .filter(|h| h.name == name)
            .filter_map(|h| h.value.as_address())
            .flat_map(|a| a.iter())
            .collect();
        if found.len() != expected.len() {
            return Err(differs(field));
        }
        for (i, (got, want)) in found.iter().zip(expected).enumerate() {
            let at = if field == "from" {
                field.to_owned()
            } else {
                format!("{field}[{i}]")
            };
            if got.name.as_deref() != want.name.as_deref() {
                return Err(differs(&format!("{at}.name")));
            }
            if got.address.as_deref() != Some(want.address.as_str()) {
                return Err(differs(&format!("{at}.address")));
            }
        }
    }

    if parsed.subject() != p.subject.as_deref() {
        return Err(differs("subject"));
    }
    if parsed.message_id() != Some(p.message_id.as_str()) {
        return Err(differs("messageId"));
    }
    if ids(parsed.in_reply_to()) != p.in_reply_to.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(differs("inReplyTo"));
    }
    if ids(parsed.references()) != p.references.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(differs("references"));
    }

    // Headers in the order written: ours, the custom ones, then MIME's.
    let mut custom = p.headers.iter().enumerate();
    for h in headers {
        if is_builder_header(&h.name) {
            continue;
        }
        let Some((i, (name, value))) = custom.next() else {
            return Err(differs("headers"));
        };
        if !h.name.as_str().eq_ignore_ascii_case(name) {
            return Err(differs(&format!("headers[{i}].name")));
        }
        let raw = out
            .get(h.offset_start as usize..h.offset_end as usize)
            .unwrap_or_default();
        if super::parse::unstructured(raw) != *value {
            return Err(differs(&format!("headers[{i}].value")));
        }
    }
    if custom.next().is_some() {
        return Err(differs("headers"));
    }
    Ok(())
}

fn is_builder_header(name: &HeaderName<'_>) -> bool {
    matches!(
        name,
        HeaderName::From
            | HeaderName::To
            | HeaderName::Cc
            | HeaderName::Bcc
            | HeaderName::ReplyTo
            | HeaderName::Subject
            | HeaderName::Date
            | HeaderName::MessageId
            | HeaderName::InReplyTo
            | HeaderName::References
            | HeaderName::MimeVersion
            | HeaderName::ContentType
            | HeaderName::ContentTransferEncoding
    )
}

fn ids<'a>(value: &'a HeaderValue<'_>) -> Vec<&'a str> {
    match value {
        HeaderValue::Text(id) => vec![id.as_ref()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    }
}
