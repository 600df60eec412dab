//! A reply attached to the sent email it answers.
//!
//! The sent email's timeline entry has an id derived from its Message-ID
//! ([`sent_entry_id`]), so the candidates are read by id: `In-Reply-To`
//! first, then `References` newest first (the last id is the message
//! replied to; earlier ones are the thread's start). A client that drops
//! both (some mobile apps, a reply from a web form) still keeps the
//! provider's thread: the newest `emailSent` entry of the same inbox and
//! thread on the sender's timeline.
//!
//! Only a person's reply marks the sent email replied: automatic replies and
//! bounces answer it too, but are noted, not counted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::incoming::Incoming;
use crate::crm::ids::RecordRef;
use crate::crm::model::{DataValue, TimelineEntry};
use crate::crm::sent_email::{EMAIL_SENT, sent_entry_id};

/// Ids a reply may name: `In-Reply-To`, then `References` newest first.
const MAX_CANDIDATES: usize = 50;

/// The timeline ids of the sent emails `incoming` names, in the order they
/// are tried.
pub fn reply_candidates(incoming: &Incoming) -> Vec<String> {
    let h = &incoming.headers;
    let mut out: Vec<String> = vec![];
    for id in h.in_reply_to.iter().chain(h.references.iter().rev()) {
        let entry = sent_entry_id(id);
        if !out.contains(&entry) {
            out.push(entry);
        }
        if out.len() == MAX_CANDIDATES {
            break;
        }
    }
    out
}

fn text<'e>(entry: &'e TimelineEntry, key: &str) -> Option<&'e str> {
    match entry.data.get(key) {
        Some(DataValue::Text(t)) => Some(t),
        _ => None,
    }
}

/// The sent email `incoming` answers, among the found entries: by the ids it
/// names, else the newest sent email of its inbox and provider thread.
pub fn answered<'f>(
    incoming: &Incoming,
    timeline: &'f [TimelineEntry],
) -> Option<&'f TimelineEntry> {
    let sent = |e: &&TimelineEntry| e.kind == EMAIL_SENT;
    for id in reply_candidates(incoming) {
        if let Some(e) = timeline.iter().filter(sent).find(|e| e.id == id) {
            return Some(e);
        }
    }
    let thread = incoming.thread_id.as_deref().filter(|t| !t.is_empty())?;
    timeline
        .iter()
        .filter(sent)
        .filter(|e| text(e, "providerThreadId") == Some(thread))
        .filter(|e| text(e, "inbox").is_some_and(|i| i.eq_ignore_ascii_case(&incoming.inbox)))
        // Replies come after what they answer.
        .filter(|e| {
            incoming
                .received_at_ms
                .is_none_or(|r| r < 0 || e.at <= r as u64)
        })
        .max_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)))
}

/// The sent entry marked replied by the reply logged as `reply_entry`:
/// `repliedAt` and `repliedBy` keep the first reply, `replies` counts them.
pub fn mark_replied(sent: &TimelineEntry, at: u64, by: &str, reply_entry: &str) -> TimelineEntry {
    let mut data: BTreeMap<String, DataValue> = sent.data.clone();
    let count = match data.get("replies") {
        Some(DataValue::Number(n)) => *n,
        _ => 0.0,
    };
    data.insert("replies".into(), DataValue::Number(count + 1.0));
    let first = match data.get("repliedAt") {
        Some(DataValue::Number(n)) => (*n as u64) <= at,
        _ => false,
    };
    if !first {
        data.insert("repliedAt".into(), DataValue::Number(at as f64));
        data.insert("repliedBy".into(), DataValue::Text(by.to_owned()));
        data.insert(
            "replyEntryId".into(),
            DataValue::Text(reply_entry.to_owned()),
        );
    }
    TimelineEntry {
        data,
        ..sent.clone()
    }
}

/// What the shell shows as a notification (`chrome.notifications`) when a
/// contact replies; clicking it opens `record`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ReplyNotice {
    /// "Ann Lee replied".
    pub title: String,
    /// "Re: Proposal", or "Replied to your email" without a subject.
    pub message: String,
    /// The contact who replied.
    pub record: RecordRef,
    /// The sent email's entry and the reply's.
    pub sent_entry_id: String,
    pub reply_entry_id: String,
}
