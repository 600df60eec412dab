//! The lean reading of a message for sync: the header block only (issue 9,
//! issue 13 "headers first"). Sync reads every received message; the
//! logging rules decide on who, which thread, list or bulk mail and what
//! kind, all of which the headers say. The body is not parsed: the full
//! [`ParsedMessage`](super::ParsedMessage) is read only for messages that
//! are logged, and for a delivery report (a bounce is known from its
//! `message/delivery-status` part, see [`MessageSummary::delivery_report`]).
//!
//! The header fields are read exactly as the full parse reads them: the same
//! preparation, repair (CJK encoded words, charset aliases), mail-parser
//! configuration, header choice and address rules; `tests/message_summary.rs`
//! checks they agree on every corpus message.

use super::classify::{MessageKind, classify};
use super::date_line::{misread_dates, repaired_dates};
use super::error::{Limit, ParseError};
use super::fields;
use super::limits::Limits;
use super::parse::{Participant, ids, looks_like_a_message, read_headers, unstructured};
use super::prepare::prepare;
use super::repair::repaired;
use mail_parser::parsers::MessageStream;
use mail_parser::{Encoding, HeaderName, Message, MessagePart, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What the top header block says, for the logging rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
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
    /// The first `List-Id` value, unfolded and decoded.
    pub list_id: Option<String>,
    /// Mailing-list or bulk mail: a `List-Id`, or `Precedence: bulk`, `list`
    /// or `junk` (the marks [`MessageKind`] leaves as `normal`).
    pub bulk: bool,
    /// `X-Auto-Response-Suppress` as sent: the sender asks not to be
    /// auto-replied to (Outlook sets it on ordinary meeting mail too, so it
    /// does not make the message an automatic reply).
    pub auto_response_suppress: Option<String>,
    /// The top part's lower-case `type/subtype`, if it has a Content-Type.
    pub content_type: Option<String>,
    /// `multipart/report; report-type=delivery-status`: a delivery report,
    /// whose verdict (bounce, delay, delivered) is in its body. Read the
    /// whole message with `parse_message` for it; `kind` here is what the
    /// headers alone say.
    pub delivery_report: bool,
    /// From the headers: a non-standard bounce (mail-system sender and bounce
    /// subject, `X-Failed-Recipients`), an automatic reply (`Auto-Submitted`,
    /// `X-Autoreply`, …, an out-of-office subject), else normal. Equal to the
    /// full parse's kind unless `delivery_report`.
    pub kind: MessageKind,
}

/// [`summarize_message_with`] and the default [`Limits`].
pub fn summarize_message(bytes: &[u8]) -> Result<MessageSummary, ParseError> {
    summarize_message_with(bytes, &Limits::default())
}

/// Reads the top header block only (up to the first empty line). Refuses
/// what the full parse refuses for its headers: empty input, not a message,
/// and `max_bytes` / `max_header_bytes`; the limits on the body's parts are
/// the full parse's concern.
pub fn summarize_message_with(bytes: &[u8], limits: &Limits) -> Result<MessageSummary, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(exceeded(Limit::MaxBytes, limits.max_bytes));
    }
    let bytes = prepare(bytes);
    let tree = read(&bytes);
    if misread_dates(&tree.root_part().headers, &bytes)
        && let Some(dated) = repaired_dates(&bytes)
    {
        return summarize_read(read(&dated), &dated, limits);
    }
    summarize_read(tree, &bytes, limits)
}

/// The summary of the prepared bytes `raw` read as `tree`, repaired and
/// read again if it needs it.
fn summarize_read(
    tree: Message<'_>,
    raw: &[u8],
    limits: &Limits,
) -> Result<MessageSummary, ParseError> {
    checked(&tree, limits.max_header_bytes)?;
    match repaired(&tree, raw) {
        None => Ok(summary(&tree, raw)),
        // As in the full parse, the repaired copy is held to twice the size.
        Some(fixed) => {
            let tree = read(&fixed);
            checked(&tree, limits.max_header_bytes.saturating_mul(2))?;
            Ok(summary(&tree, &fixed))
        }
    }
}

fn exceeded(limit: Limit, max: usize) -> ParseError {
    ParseError::LimitExceeded {
        limit,
        max: max as u64,
    }
}

/// What the full parse refuses in a header block: none, or too large, or
/// not a message's.
fn checked(tree: &Message<'_>, max_header_bytes: usize) -> Result<(), ParseError> {
    let root = tree.root_part();
    if root.headers.is_empty() {
        return Err(ParseError::NotAMessage);
    }
    if root.offset_body as usize > max_header_bytes {
        return Err(exceeded(Limit::MaxHeaderBytes, max_header_bytes));
    }
    if !looks_like_a_message(tree) {
        return Err(ParseError::NotAMessage);
    }
    Ok(())
}

/// The top part as mail-parser's full parse would have it, headers only:
/// mail-parser's `parse_headers` does not say where the body starts, so its
/// header reader is run here directly.
fn read(bytes: &[u8]) -> Message<'_> {
    let mut stream = MessageStream::new(bytes);
    let mut headers = Vec::new();
    // Without an empty line the whole message is headers, as in the parse.
    let offset_body = if read_headers(&mut stream, &mut headers) {
        stream.offset()
    } else {
        bytes.len()
    };
    Message {
        parts: vec![MessagePart {
            headers,
            is_encoding_problem: false,
            body: PartType::Text(Cow::Borrowed("")),
            encoding: Encoding::None,
            offset_header: 0,
            offset_body: offset_body as u32,
            offset_end: bytes.len() as u32,
        }],
        raw_message: Cow::Borrowed(bytes),
        ..Message::default()
    }
}

fn summary(tree: &Message<'_>, raw: &[u8]) -> MessageSummary {
    let root = tree.root_part();
    let header = |name: &str| {
        root.headers
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
            .map(|h| {
                let value = raw
                    .get(h.offset_start as usize..h.offset_end as usize)
                    .unwrap_or_default();
                unstructured(value).trim().to_owned()
            })
    };
    let list_id = header("List-Id");
    let bulk = list_id.is_some()
        || header("Precedence").is_some_and(|p| {
            ["bulk", "list", "junk"]
                .iter()
                .any(|v| p.eq_ignore_ascii_case(v))
        });
    let ct = root.content_type();
    let content_type = ct.map(|ct| match ct.subtype() {
        Some(sub) => format!("{}/{sub}", ct.ctype()).to_ascii_lowercase(),
        None => ct.ctype().to_ascii_lowercase(),
    });
    let delivery_report = ct.is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
    });
    let subject = fields::first_text(root, HeaderName::Subject);
    let from = fields::first_mailboxes(root, raw, HeaderName::From);
    MessageSummary {
        // Only the root part: classify finds no delivery-status part and
        // decides on the headers.
        kind: classify(tree, raw, subject.as_deref(), &from),
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
        list_id,
        bulk,
        auto_response_suppress: header("X-Auto-Response-Suppress"),
        content_type,
        delivery_report,
    }
}
