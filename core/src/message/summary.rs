//! The lean reading of a message for sync: what the logging rules decide on
//! (who, which thread, what kind, list or bulk mail, attachment names), none
//! of the header list or body text. Sync reads every received message, so
//! the smaller result keeps the hand-off to the worker cheap (issue 9); the
//! full [`ParsedMessage`] is read again only for messages that are logged.

use super::classify::MessageKind;
use super::error::ParseError;
use super::limits::Limits;
use super::parse::{AttachmentInfo, ParsedMessage, Participant, parse_message_with};
use serde::Serialize;

/// [`ParsedMessage`] without `headers`, `textBody` and `htmlBody`; in their
/// place whether there is a body of each kind, and the mailing-list marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// The first `List-Id` value, as the header list has it.
    pub list_id: Option<String>,
    /// Mailing-list or bulk mail: a `List-Id`, or `Precedence: bulk`, `list`
    /// or `junk` (the marks [`MessageKind`] leaves as `normal`).
    pub bulk: bool,
    pub has_text: bool,
    pub has_html: bool,
    pub attachments: Vec<AttachmentInfo>,
    pub kind: MessageKind,
}

/// [`summarize_message_with`] and the default [`Limits`].
pub fn summarize_message(bytes: &[u8]) -> Result<MessageSummary, ParseError> {
    summarize_message_with(bytes, &Limits::default())
}

/// Parses as [`parse_message_with`] does (same limits, same errors) and
/// keeps the summary.
pub fn summarize_message_with(bytes: &[u8], limits: &Limits) -> Result<MessageSummary, ParseError> {
    parse_message_with(bytes, limits).map(MessageSummary::from)
}

impl From<ParsedMessage> for MessageSummary {
    fn from(m: ParsedMessage) -> Self {
        let header = |name: &str| {
            m.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value.trim().to_owned())
        };
        let list_id = header("List-Id");
        let bulk = list_id.is_some()
            || header("Precedence").is_some_and(|p| {
                ["bulk", "list", "junk"]
                    .iter()
                    .any(|v| p.eq_ignore_ascii_case(v))
            });
        MessageSummary {
            subject: m.subject,
            date: m.date,
            from: m.from,
            sender: m.sender,
            reply_to: m.reply_to,
            to: m.to,
            cc: m.cc,
            bcc: m.bcc,
            message_id: m.message_id,
            in_reply_to: m.in_reply_to,
            references: m.references,
            list_id,
            bulk,
            has_text: m.text_body.as_deref().is_some_and(|t| !t.is_empty()),
            has_html: m.html_body.as_deref().is_some_and(|t| !t.is_empty()),
            attachments: m.attachments,
            kind: m.kind,
        }
    }
}
