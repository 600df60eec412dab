//! Forwarded emails: a `message/rfc822` part read as the message it is.
//!
//! A forwarded email stays one attachment (the `.eml` the user can save), and
//! is also read: its From, To, Cc, Subject, Date and Message-ID, its text and
//! HTML, and its attachments, as other mail programs show it. mail-parser has
//! already parsed it (within the caller's [`Limits`](super::Limits): depth,
//! parts and work count the nested message too), so nothing is parsed again;
//! the same rules as the outer message choose the header occurrences
//! (`fields`) and the bodies (`body`). The corrections made before and in a
//! second parse (`prepare`, `repair`) apply to the outer message only.
//!
//! Forwards inside forwards are read [`MAX_LEVELS`] deep (the reading
//! recurses; the caller's depth limit may be set higher); deeper ones are
//! only attachments.

use super::body::bodies;
use super::fields;
use super::parse::{AttachmentInfo, Participant, attachment};
use mail_parser::{HeaderName, Message, PartType};
use serde::Serialize;

/// A forwarded email inside a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ForwardedMessage {
    /// Its index in the enclosing message's `attachments`.
    pub attachment: usize,
    pub subject: Option<String>,
    /// Unix seconds, if its Date header is present and valid.
    pub date: Option<i64>,
    pub from: Vec<Participant>,
    pub to: Vec<Participant>,
    pub cc: Vec<Participant>,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    /// Emails forwarded inside this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ForwardedMessage>>", optional))]
    pub forwarded: Vec<ForwardedMessage>,
}

/// Levels of forwards inside forwards that are read.
pub const MAX_LEVELS: usize = 8;

/// The forwarded emails among `attachments` (part ids of `tree`), in order.
pub(crate) fn forwarded(tree: &Message<'_>, attachments: &[u32]) -> Vec<ForwardedMessage> {
    within(tree, attachments, MAX_LEVELS)
}

fn within(tree: &Message<'_>, attachments: &[u32], levels: usize) -> Vec<ForwardedMessage> {
    if levels == 0 {
        return Vec::new();
    }
    attachments
        .iter()
        .enumerate()
        .filter_map(|(index, &id)| match &tree.parts.get(id as usize)?.body {
            PartType::Message(nested) => read(nested, index, levels - 1),
            _ => None,
        })
        .collect()
}

/// `None` for a part with no headers (nothing to show but the attachment).
fn read(tree: &Message<'_>, attachment_index: usize, levels: usize) -> Option<ForwardedMessage> {
    // mail-parser's offsets index the buffer it kept: the outer message's for
    // an unencoded part, the decoded copy for a base64 or QP one.
    let raw: &[u8] = tree.raw_message.as_ref();
    let root = tree.root_part();
    if root.headers.is_empty() {
        return None;
    }
    let bodies = bodies(tree, raw);
    Some(ForwardedMessage {
        attachment: attachment_index,
        subject: fields::first_text(root, HeaderName::Subject),
        date: fields::first_date(root),
        from: fields::first_mailboxes(root, raw, HeaderName::From),
        to: fields::all_mailboxes(root, raw, HeaderName::To),
        cc: fields::all_mailboxes(root, raw, HeaderName::Cc),
        message_id: tree.message_id().map(str::to_owned),
        text_body: bodies.text,
        html_body: bodies.html,
        attachments: bodies
            .attachments
            .iter()
            .filter_map(|&i| tree.parts.get(i as usize))
            .map(|part| attachment(part, raw))
            .collect(),
        forwarded: within(tree, &bodies.attachments, levels),
    })
}
