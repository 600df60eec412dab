//! One email seen in a connected inbox: what a provider's sync planner hands
//! to the logging rules.
//!
//! The headers are always a [`MessageSummary`], so the rules read a reply
//! the same way whatever the inbox: providers that give the header block
//! (IMAP, Gmail `format=raw`) or name/value pairs (Gmail `format=metadata`,
//! Graph `internetMessageHeaders`) run `message::summarize_message` over it;
//! those that give only structured fields (Graph delta's `from`,
//! `toRecipients`, `internetMessageId`, …) fill [`SummaryFields`] and call
//! [`summary_from_fields`], which writes them as a header block and reads
//! that, so the kind (automatic reply from its subject or headers, bulk,
//! list) is decided by the same code as for raw headers.

use serde::{Deserialize, Serialize};

use crate::message::{MessageKind, MessageSummary, Participant, summarize_message};

/// Where the inbox filed the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum FolderRole {
    /// Received: the Inbox (and, for IMAP, any folder but Sent).
    Inbox,
    /// Sent by the user: read to recognise replies they wrote elsewhere.
    Sent,
    /// Archive, a label, a custom folder: received mail filed away.
    Other,
}

/// One email seen in a connected inbox, as the logging rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Incoming {
    /// The inbox (mailbox) id it was seen through.
    pub inbox: String,
    /// Gmail message id, Graph id, EWS ItemId, or `uidvalidity:uid` for IMAP.
    pub provider_id: String,
    /// Gmail threadId, Graph conversationId, EWS ConversationId.
    pub thread_id: Option<String>,
    pub folder: FolderRole,
    /// The provider's received (internal) date, ms since the epoch.
    pub received_at_ms: Option<i64>,
    /// The header block, read by `message::summarize_message`.
    pub headers: MessageSummary,
    /// The message's size in bytes, if the provider says.
    pub size: Option<u64>,
}

/// The header fields a provider gives as structured values. Ids are with or
/// without angle brackets; `date` is Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryFields {
    pub subject: Option<String>,
    pub date: Option<i64>,
    pub from: Vec<Participant>,
    pub sender: Vec<Participant>,
    pub reply_to: Vec<Participant>,
    pub to: Vec<Participant>,
    pub cc: Vec<Participant>,
    pub bcc: Vec<Participant>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Any other header the provider gave by name (`List-Id`, `Precedence`,
    /// `Auto-Submitted`, `X-Autoreply`, …): the marks the rules read.
    pub extra: Vec<(String, String)>,
}

/// `text` on one line (controls and runs of space as one space): a
/// provider's value must not become a second header.
fn line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `"Name" <address>` with the name quoted (RFC 5322 quoted-string) and
/// anything that would end the address dropped.
fn mailbox(p: &Participant) -> Option<String> {
    let address: String = line(&p.address)
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | ',' | ' '))
        .collect();
    if address.is_empty() {
        return None;
    }
    Some(
        match p.name.as_deref().map(line).filter(|n| !n.is_empty()) {
            Some(name) => {
                let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{quoted}\" <{address}>")
            }
            None => format!("<{address}>"),
        },
    )
}

fn msg_id(id: &str) -> Option<String> {
    let id: String = line(id)
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | ' '))
        .collect();
    (!id.is_empty()).then(|| format!("<{id}>"))
}

/// The header block `fields` describe, one field per line.
fn header_block(fields: &SummaryFields) -> String {
    let mut block = String::new();
    let mut put = |name: &str, value: String| {
        if !value.is_empty() {
            block.push_str(name);
            block.push_str(": ");
            block.push_str(&value);
            block.push_str("\r\n");
        }
    };
    let list = |ps: &[Participant]| ps.iter().filter_map(mailbox).collect::<Vec<_>>().join(", ");
    let ids = |ids: &[String]| {
        ids.iter()
            .filter_map(|i| msg_id(i))
            .collect::<Vec<_>>()
            .join(" ")
    };
    put("From", list(&fields.from));
    put("Sender", list(&fields.sender));
    put("Reply-To", list(&fields.reply_to));
    put("To", list(&fields.to));
    put("Cc", list(&fields.cc));
    put("Bcc", list(&fields.bcc));
    put("Subject", line(fields.subject.as_deref().unwrap_or("")));
    put(
        "Message-ID",
        fields
            .message_id
            .as_deref()
            .and_then(msg_id)
            .unwrap_or_default(),
    );
    put("In-Reply-To", ids(&fields.in_reply_to));
    put("References", ids(&fields.references));
    for (name, value) in &fields.extra {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != ':')
            .collect();
        if !name.is_empty() {
            put(&name, line(value));
        }
    }
    block.push_str("\r\n");
    block
}

/// The [`MessageSummary`] of a message a provider described field by field,
/// read as a header block of those fields would be. Never fails: fields that
/// make no header block at all (nothing but empty values) give an empty
/// summary of a normal message.
pub fn summary_from_fields(fields: &SummaryFields) -> MessageSummary {
    let mut summary =
        summarize_message(header_block(fields).as_bytes()).unwrap_or(MessageSummary {
            subject: None,
            date: None,
            from: vec![],
            sender: vec![],
            reply_to: vec![],
            to: vec![],
            cc: vec![],
            bcc: vec![],
            message_id: None,
            in_reply_to: vec![],
            references: vec![],
            list_id: None,
            bulk: false,
            auto_response_suppress: None,
            content_type: None,
            delivery_report: false,
            kind: MessageKind::Normal,
        });
    // The provider's date is already a number: no round trip through text.
    summary.date = fields.date;
    summary
}
