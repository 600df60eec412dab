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
    Address, Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders,
    PartType,
};
use serde::Serialize;
use std::sync::OnceLock;

/// A message as the extension shows and files it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub forwarded: Vec<ForwardedMessage>,
    pub kind: MessageKind,
}

/// One mailbox of an address header. Groups are flattened; entries without
/// an address (`undisclosed-recipients:;`, a bare name) are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The addr-spec exactly as mail-parser returns it.
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    let Some(fixed) = repaired(&tree, &bytes) else {
        return finish(tree, &bytes, limits);
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
/// (Received above all, a tenth of the parse time) is kept raw: the header
/// list re-reads values from the bytes anyway.
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
    })
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
    ParsedMessage {
        headers,
        subject: fields::first_text(root, HeaderName::Subject),
        date: fields::first_date(root),
        from: fields::first_mailboxes(root, raw, HeaderName::From),
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
        kind: classify(tree, raw),
    }
}

/// A header value as text: unfolded, RFC 2047 decoded (mail-parser's
/// unstructured reading). `raw` runs from after the colon through the CRLF.
pub(crate) fn unstructured(raw: &[u8]) -> String {
    match MessageStream::new(raw).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        HeaderValue::TextList(list) => list.join(" "),
        _ => String::new(),
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
