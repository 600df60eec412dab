//! Raw message bytes → [`ParsedMessage`], through mail-parser only.
//!
//! mail-parser is the one canonical parser: addresses are its addr-specs as
//! it returns them (never re-derived from header text). Around it, where it
//! reads mail differently from other parsers (issue 9; see "Reading email"
//! in docs/ARCHITECTURE.md): [`prepare`](super::prepare) fixes what comes
//! before and after the headers, [`repair`](super::repair) rewrites MIME
//! header values it misreads for a second parse, [`fields`](super::fields)
//! picks the occurrence of a repeated header, [`body`](super::body)
//! chooses the bodies and attachments, and [`forwarded`](super::forwarded)
//! reads the emails forwarded as attachments.

use super::body::bodies;
use super::classify::{MessageKind, classify};
use super::date_line::{misread_dates, repaired_dates};
use super::draft::HeaderField;
use super::error::ParseError;
use super::fields;
use super::forwarded::{ForwardedMessage, forwarded};
use super::limits::{self, Limits};
use super::prepare::prepare;
use super::repair::repaired;
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Address, Encoding, Header, HeaderName, HeaderValue, Message, MessageParser, MessagePart,
    MimeHeaders, PartType,
};
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::sync::OnceLock;

/// A message as the extension shows and files it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ParsedMessage {
    /// The top-level headers in order. `value` is unfolded and has RFC 2047
    /// encoded words decoded: for display and for matching header flags only;
    /// take addresses from the participant fields, never from here.
    pub headers: Vec<HeaderField>,
    pub subject: Option<String>,
    /// Unix seconds, if the Date header is present and valid.
    pub date: Option<i64>,
    pub from: Vec<Participant>,
    pub sender: Vec<Participant>,
    pub reply_to: Vec<Participant>,
    pub to: Vec<Participant>,
    pub cc: Vec<Participant>,
    pub bcc: Vec<Participant>,
    /// Ids without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The inline text/plain parts, joined (see `body` for which count).
    pub text_body: Option<String>,
    /// The inline text/html parts, joined.
    pub html_body: Option<String>,
    /// Everything that is not the body, in order; metadata only.
    pub attachments: Vec<AttachmentInfo>,
    /// The forwarded emails (`message/rfc822` attachments) read: headers,
    /// bodies and their attachments. Absent in JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ForwardedMessage>>", optional))]
    pub forwarded: Vec<ForwardedMessage>,
    pub kind: MessageKind,
}

/// One mailbox of an address header. Groups are flattened; entries without
/// an address (`undisclosed-recipients:;`, a bare name) are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// The addr-spec exactly as mail-parser returns it.
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInfo {
    pub filename: Option<String>,
    /// Lower-case `type/subtype`.
    pub content_type: String,
    /// Bytes after undoing the transfer encoding (base64, quoted-printable),
    /// before any charset conversion: the size of the file as sent.
    pub size: u64,
    /// Without angle brackets.
    pub content_id: Option<String>,
    /// Marked to be shown in the body (Content-Disposition: inline, or no
    /// disposition but a Content-ID or an inline media type).
    pub inline: bool,
}

/// [`parse_message_with`] and the default [`Limits`].
pub fn parse_message(bytes: &[u8]) -> Result<ParsedMessage, ParseError> {
    parse_message_with(bytes, &Limits::default())
}

/// Parses one RFC 5322 message. Never panics; hostile input gives a
/// [`ParseError::LimitExceeded`] naming the limit instead of using unbounded
/// time, memory or stack (see [`Limits`]).
pub fn parse_message_with(bytes: &[u8], limits: &Limits) -> Result<ParsedMessage, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    limits::preflight(bytes, limits)?;
    let bytes = prepare(bytes);
    let tree = read(&bytes)?;
    if misread_dates(&tree.root_part().headers, &bytes)
        && let Some(dated) = repaired_dates(&bytes)
    {
        limits::dismantle(tree);
        return parse_read(read(&dated)?, &dated, limits);
    }
    parse_read(tree, &bytes, limits)
}

/// The parse of the prepared bytes `raw`, repaired and read again if it
/// needs it, then checked and extracted.
fn parse_read(tree: Message<'_>, raw: &[u8], limits: &Limits) -> Result<ParsedMessage, ParseError> {
    let Some(fixed) = repaired(&tree, raw) else {
        return finish(tree, raw, limits);
    };
    let checked = limits::check_tree(&tree, limits);
    limits::dismantle(tree);
    checked?;
    // The size limits hold for the message as given. A repair lengthens a
    // header by less than half (a CJK encoded word written again as UTF-8),
    // so the repaired copy is held to twice the sizes; the work is estimated
    // again, and depth and parts are checked on the repaired tree.
    let repaired_limits = Limits {
        max_bytes: limits.max_bytes.saturating_mul(2),
        max_header_bytes: limits.max_header_bytes.saturating_mul(2),
        ..*limits
    };
    limits::preflight(&fixed, &repaired_limits)?;
    let tree = read(&fixed)?;
    finish(tree, &fixed, &repaired_limits)
}

fn finish(tree: Message<'_>, raw: &[u8], limits: &Limits) -> Result<ParsedMessage, ParseError> {
    let result = limits::check_tree(&tree, limits).and_then(|()| {
        if !looks_like_a_message(&tree) {
            return Err(ParseError::NotAMessage);
        }
        Ok(extract(&tree, raw))
    });
    limits::dismantle(tree);
    result
}

/// The one call of mail-parser's parse: it is large and inlined where it is
/// called, so a second call site would be a second copy in the wasm module.
#[inline(never)]
fn read(bytes: &[u8]) -> Result<Message<'_>, ParseError> {
    parser().parse(bytes).ok_or(ParseError::NotAMessage)
}

/// mail-parser's default reading of the headers we use; everything else
/// (Received above all) is skipped, not even copied: the header list and
/// the other header checks re-read values from the bytes by offset.
pub(crate) fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .with_date_headers()
            .with_address_headers()
            .with_message_ids()
            .header_text(HeaderName::Subject)
            .header_text(HeaderName::Comments)
            .default_header_ignore()
    })
}

/// A top-level header block read as [`parser`] reads it (the same values,
/// offsets and end), without its table lookup (a hash of every header's
/// name): the summary's hot loop. Says whether an empty line ended it.
pub(crate) fn read_headers<'x>(
    stream: &mut MessageStream<'x>,
    headers: &mut Vec<Header<'x>>,
) -> bool {
    loop {
        // Blanks before a name are skipped; an empty line ends the block.
        loop {
            match stream.peek() {
                Some(b'\n') => {
                    stream.next();
                    return true;
                }
                None => return false,
                Some(b) if !b.is_ascii_whitespace() => break,
                Some(_) => {
                    stream.next();
                }
            }
        }
        let offset_field = stream.offset();
        if let Some(name) = stream.parse_header_name() {
            let offset_start = stream.offset();
            let value = header_value(&name, stream);
            headers.push(Header {
                name,
                value,
                offset_field: offset_field as u32,
                offset_start: offset_start as u32,
                offset_end: stream.offset() as u32,
            });
        } else if stream.is_eof() {
            return false;
        }
    }
}

/// The value [`parser`] reads for a header `name` (its configuration as a
/// match; `tests::header_value_is_the_parsers` holds the two together).
fn header_value<'x>(name: &HeaderName<'_>, stream: &mut MessageStream<'x>) -> HeaderValue<'x> {
    use HeaderName as H;
    match name {
        H::Subject
        | H::Comments
        | H::ContentDescription
        | H::ContentLocation
        | H::ContentTransferEncoding => stream.parse_unstructured(),
        H::From
        | H::Sender
        | H::ReplyTo
        | H::To
        | H::Cc
        | H::Bcc
        | H::ResentFrom
        | H::ResentSender
        | H::ResentTo
        | H::ResentCc
        | H::ResentBcc => stream.parse_address(),
        H::Date | H::ResentDate => stream.parse_date(),
        H::MessageId | H::InReplyTo | H::References | H::ResentMessageId | H::ContentId => {
            stream.parse_id()
        }
        H::ContentType | H::ContentDisposition => stream.parse_content_type(),
        _ => {
            skip_value(stream);
            HeaderValue::Empty
        }
    }
}

/// mail-parser's `parse_and_ignore` (the value through its continuation
/// lines), finding each line end with std's `memchr` (a word at a time,
/// through `BufRead::skip_until`) instead of a byte at a time.
fn skip_value(stream: &mut MessageStream<'_>) {
    let rest = stream.bytes(stream.offset()..stream.len());
    let mut at = 0;
    loop {
        let line = rest.get(at..).unwrap_or_default().skip_until(b'\n');
        at += line.unwrap_or_default();
        // A line break followed by a blank continues the value; the blank
        // is part of it.
        if at == 0 || rest[at - 1] != b'\n' || !matches!(rest.get(at), Some(b' ' | b'\t')) {
            break;
        }
        at += 1;
    }
    stream.skip_bytes(at);
}

/// mail-parser reads any line as a header (a JSON object, an HTML page). Ask
/// for what every message has: no NUL in the header block, a first header
/// name of printable ASCII (RFC 5322 `ftext`), and at least one registered
/// header (From, Subject, Content-Type, Received, …). Later odd names are
/// tolerated: a malformed line, or mail-parser 0.11 reading the body as
/// headers after a `Date: … UT` line, must not hide a real message.
pub(crate) fn looks_like_a_message(tree: &Message<'_>) -> bool {
    let root = tree.root_part();
    let block = tree
        .raw_message
        .get(..root.offset_body as usize)
        .unwrap_or_default();
    let valid_name =
        |name: &str| !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
    !block.contains(&0)
        && root
            .headers
            .first()
            .is_some_and(|h| valid_name(h.name.as_str()))
        && root.headers.iter().any(|h| !h.name.is_other())
}

fn extract(tree: &Message<'_>, raw: &[u8]) -> ParsedMessage {
    let root = tree.root_part();
    let headers = root
        .headers
        .iter()
        .map(|h| HeaderField {
            name: h.name.as_str().to_owned(),
            value: unstructured(
                raw.get(h.offset_start as usize..h.offset_end as usize)
                    .unwrap_or_default(),
            ),
        })
        .collect();
    let bodies = bodies(tree, raw);
    let subject = fields::first_text(root, HeaderName::Subject);
    let from = fields::first_mailboxes(root, raw, HeaderName::From);
    ParsedMessage {
        kind: classify(tree, raw, subject.as_deref(), &from),
        headers,
        subject,
        date: fields::first_date(root),
        from,
        sender: fields::first_mailboxes(root, raw, HeaderName::Sender),
        reply_to: fields::first_mailboxes(root, raw, HeaderName::ReplyTo),
        to: fields::all_mailboxes(root, raw, HeaderName::To),
        cc: fields::all_mailboxes(root, raw, HeaderName::Cc),
        bcc: fields::all_mailboxes(root, raw, HeaderName::Bcc),
        message_id: tree.message_id().map(str::to_owned),
        in_reply_to: ids(tree.in_reply_to()),
        references: ids(tree.references()),
        text_body: bodies.text,
        html_body: bodies.html,
        attachments: bodies
            .attachments
            .iter()
            .filter_map(|&i| tree.parts.get(i as usize))
            .map(|part| attachment(part, raw))
            .collect(),
        forwarded: forwarded(tree, &bodies.attachments),
    }
}

/// A header value as text: unfolded, RFC 2047 decoded (mail-parser's
/// unstructured reading). `raw` runs from after the colon through the CRLF.
pub(crate) fn unstructured(raw: &[u8]) -> String {
    // Without a `?` there is no encoded word: the same reading, a line at a
    // time instead of a byte at a time (most of the header list).
    if !raw.contains(&b'?') {
        return unfolded(raw);
    }
    match MessageStream::new(raw).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        HeaderValue::TextList(list) => list.join(" "),
        _ => String::new(),
    }
}

/// mail-parser's unstructured reading of a value without encoded words:
/// each line trimmed of spaces, tabs and CRs, the non-empty ones joined by
/// one space, up to the line break not followed by a space or tab; nothing
/// if the value has no line break at its end. Each line is read as UTF-8,
/// invalid bytes replaced (its `from_utf8_lossy` per token).
fn unfolded(raw: &[u8]) -> String {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        // The line break found with std's `memchr` (through `skip_until`).
        let len = (&rest[..]).skip_until(b'\n').unwrap_or_default();
        if rest.get(len.wrapping_sub(1)) != Some(&b'\n') {
            return String::new();
        }
        let line = &rest[..len - 1];
        let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
        let end = line
            .iter()
            .rposition(|b| !blank(b))
            .map_or(start, |i| i + 1);
        if start < end {
            if !text.is_empty() {
                text.push(' ');
            }
            match std::str::from_utf8(&line[start..end]) {
                Ok(valid) => text.push_str(valid),
                Err(_) => text.push_str(&String::from_utf8_lossy(&line[start..end])),
            }
        }
        rest = &rest[len..];
        if !matches!(rest.first(), Some(b' ' | b'\t')) {
            return text;
        }
    }
}

pub(crate) fn participants(address: Option<&Address<'_>>) -> Vec<Participant> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    Some(Participant {
                        name: addr
                            .name
                            .as_deref()
                            .filter(|n| !n.is_empty())
                            .map(str::to_owned),
                        address: addr.address.as_deref()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn attachment(part: &MessagePart<'_>, raw: &[u8]) -> AttachmentInfo {
    let content_type = match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        },
        None if matches!(part.body, PartType::Message(_)) => "message/rfc822".to_owned(),
        None => "text/plain".to_owned(),
    }
    .to_ascii_lowercase();
    let wire = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let size = match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b.len(),
        // Not the decoded message (mail-parser keeps the whole outer buffer
        // for an unencoded one), but the bytes it was sent as.
        PartType::Message(m) if part.encoding != Encoding::None => m.raw_message.len(),
        PartType::Text(_) | PartType::Html(_) | PartType::Message(_) => match part.encoding {
            Encoding::Base64 => base64_decode(wire).map_or(wire.len(), |b| b.len()),
            Encoding::QuotedPrintable => {
                quoted_printable_decode(wire).map_or(wire.len(), |b| b.len())
            }
            Encoding::None => wire.len(),
        },
        PartType::Multipart(_) => 0,
    } as u64;
    let content_id = part.content_id().map(str::to_owned);
    let inline = match part.content_disposition() {
        Some(d) => d.is_inline(),
        None => matches!(part.body, PartType::InlineBinary(_)) || content_id.is_some(),
    };
    AttachmentInfo {
        filename: part.attachment_name().map(str::to_owned),
        content_type,
        size,
        content_id,
        inline,
    }
}

#[cfg(test)]
mod tests {
    use super::{parser, read_headers, unstructured};
    use mail_parser::HeaderValue;
    use mail_parser::parsers::MessageStream;

    /// mail-parser's own unstructured reading, which `unstructured` skips
    /// for values without a `?`.
    fn theirs(raw: &[u8]) -> String {
        match MessageStream::new(raw).parse_unstructured() {
            HeaderValue::Text(text) => text.into_owned(),
            _ => String::new(),
        }
    }

    /// Values of every shape the line-at-a-time reading must read as
    /// mail-parser does (folds, blanks, CRs, bare LFs, invalid UTF-8, no line
    /// break at the end, a break not followed by a blank), then every header
    /// value of the golden messages (`message_corpus` and `message_golden`
    /// hold whole header lists to their snapshots).
    #[test]
    fn unfolded_is_mail_parsers_reading() {
        let pieces: [&[u8]; 14] = [
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\r\n",
            b"\r\n ",
            b"\n\t",
            b"a",
            b"word",
            b"b c",
            b"\xff\xfe",
            b"\xc3\xa9",
            b"\xe2\x82",
            b"=",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for case in 0..20_000 {
            let mut raw = Vec::new();
            for _ in 0..(case % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                raw.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
            }
            assert_eq!(unstructured(&raw), theirs(&raw), "{raw:?}");
        }
        let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/inlay");
        let mut values = 0;
        for entry in std::fs::read_dir(golden).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let Some(message) = parser().parse(&bytes[..]) else {
                continue;
            };
            for part in &message.parts {
                for h in &part.headers {
                    let raw = &bytes[h.offset_start as usize..h.offset_end as usize];
                    assert_eq!(unstructured(raw), theirs(raw), "{raw:?}");
                    values += 1;
                }
            }
        }
        assert!(values > 250, "{values} header values read");
    }

    /// Every header name mail-parser knows, each with a value of every
    /// shape, then an unknown one, folded values and a body.
    #[test]
    fn header_value_is_the_parsers() {
        let names = "Subject From To Cc Date Bcc Reply-To Sender Comments In-Reply-To Keywords \
             Received Message-ID References Return-Path MIME-Version Content-Description \
             Content-ID Content-Language Content-Location Content-Transfer-Encoding \
             Content-Type Content-Disposition Resent-To Resent-From Resent-Bcc Resent-Cc \
             Resent-Sender Resent-Date Resent-Message-ID List-Archive List-Help List-ID \
             List-Owner List-Post List-Subscribe List-Unsubscribe List-Subscribe-Post \
             ARC-Authentication-Results ARC-Message-Signature ARC-Seal DKIM-Signature \
             X-Unknown";
        let names: Vec<&str> = names.split(' ').collect();
        let values = [
            " =?utf-8?q?B=C3=B6?= <a@b.test>, c@d.test\r\n",
            " Tue, 1 Jul 2003 10:52:37 +0200\r\n",
            " <id@x.test> <id2@x.test>\r\n",
            " text/plain; charset=\"utf-8\"; name=a.txt\r\n",
            " from a.test by b.test; Tue, 1 Jul 2003 10:52:37 +0200\r\n",
            " folded\r\n\tvalue (comment)\r\n",
        ];
        let mut message = String::new();
        for name in &names {
            for value in values {
                message.push_str(&format!("{name}:{value}"));
            }
        }
        message.push_str("\r\nbody\r\n");
        // With a body; headers only; the last value cut short.
        let headers_only = message.trim_end_matches("\r\nbody\r\n");
        for text in [&message[..], headers_only, headers_only.trim_end()] {
            let mut theirs = MessageStream::new(text.as_bytes());
            let mut expected = Vec::new();
            let ended = theirs.parse_headers(parser(), &mut expected);
            let mut ours = MessageStream::new(text.as_bytes());
            let mut headers = Vec::new();
            assert_eq!(read_headers(&mut ours, &mut headers), ended);
            assert_eq!(headers.len(), names.len() * values.len());
            assert_eq!(headers, expected);
            assert_eq!(ours.offset(), theirs.offset());
        }
    }
}
