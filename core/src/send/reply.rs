//! A reply from a record to an email on its timeline: the compose dialog's
//! starting point, so the answer stays in the email's thread.
//!
//! - **To** is the other party: for an email the user sent, its To
//!   recipients; for one they received, its Reply-To, else its sender.
//! - **From** is the inbox the email went through: the address it was sent
//!   from (an alias kept while the inbox still has it), or the address of the
//!   inbox it arrived at; else the inbox itself.
//! - **Subject** `Re: <subject>`, never `Re: Re:` (RFC 5322 §3.6.5: one
//!   `Re: `; `RE:`, `re[2]:` and repeats folded into it).
//! - **In-Reply-To** the email's Message-ID; **References** its References
//!   and then its Message-ID (RFC 5322 §3.6.4), at most [`MAX_REFERENCES`]:
//!   the first (the thread's root) and the latest kept. An id Inlay made up
//!   for an email that had none (`sync::dedupe::is_made_up_id`) is never
//!   written: no provider or recipient knows it.
//! - **Thread**: the provider's thread id where one is stored (Gmail's
//!   `threadId`, which `messages.send` needs to keep the thread); Graph, EWS
//!   and IMAP thread by the headers.
//!
//! Read from the timeline entry's `data` (`crm::sent_email` writes it; a
//! received email's entry is expected to carry the same names), so entries
//! logged before a field existed still answer with what they have.

use serde::Serialize;

use crate::crm::model::{DataValue, TimelineEntry};
use crate::sync::dedupe::is_made_up_id;

/// Most Message-IDs kept in a reply's References.
pub const MAX_REFERENCES: usize = 20;

/// What the compose dialog opens with for a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ReplyDraft {
    /// The connected inbox the email went through.
    pub inbox: String,
    /// The From address: one of `inbox`'s addresses.
    pub from: String,
    /// The other party's addresses.
    pub to: Vec<String>,
    pub subject: String,
    /// `<id>`: the answered email's Message-ID; `None` when it had none
    /// (its entry carries an id Inlay made up).
    pub in_reply_to: Option<String>,
    /// `<id>`s, oldest first, ending with `in_reply_to` when there is one.
    pub references: Vec<String>,
    /// The provider's thread (Gmail), for a reply sent from `inbox`.
    pub thread_id: Option<String>,
}

fn text<'a>(entry: &'a TimelineEntry, key: &str) -> &'a str {
    match entry.data.get(key) {
        Some(DataValue::Text(t)) => t.trim(),
        _ => "",
    }
}

/// `<id>` for an id with or without its brackets; `None` for an empty one.
fn bracketed(id: &str) -> Option<String> {
    let bare = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!bare.is_empty() && !bare.contains(['<', '>', ' '])).then(|| format!("<{bare}>"))
}

/// The ids of a References value (`<a> <b>`, or bare ids apart by space).
fn ids(references: &str) -> Vec<String> {
    references
        .split(|c: char| c.is_whitespace() || c == '>' || c == ',')
        .filter_map(bracketed)
        .collect()
}

/// The address of `Name <address>`, or the text itself.
fn address_of(text: &str) -> &str {
    let text = text.trim();
    match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => text[open + 1..close].trim(),
        _ => text,
    }
}

/// The addresses of a stored line: `toAddresses` (apart by space) where the
/// entry has it, else read from the display line `Ann Lee <ann@x>, bob@y`.
fn addresses(entry: &TimelineEntry, list_key: &str, line_key: &str) -> Vec<String> {
    let list = text(entry, list_key);
    let found: Vec<&str> = if list.is_empty() {
        text(entry, line_key).split(',').map(address_of).collect()
    } else {
        list.split_whitespace().collect()
    };
    let mut out: Vec<String> = vec![];
    for a in found {
        if a.contains('@') && !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            out.push(a.to_owned());
        }
    }
    out
}

/// `Re: <subject>`, with any `Re:` prefixes it already has folded into one.
pub fn reply_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let Some(head) = rest.get(..2).filter(|h| h.eq_ignore_ascii_case("re")) else {
            break;
        };
        let mut tail = rest[head.len()..].trim_start();
        // re[2]: or re(2):
        if let Some(open) = tail.strip_prefix(['[', '('])
            && let Some(end) = open.find([']', ')'])
            && open[..end].bytes().all(|b| b.is_ascii_digit())
        {
            tail = open[end + 1..].trim_start();
        }
        match tail.strip_prefix(':') {
            Some(after) => rest = after.trim_start(),
            None => break,
        }
    }
    if rest.is_empty() {
        "Re:".to_owned()
    } else {
        format!("Re: {rest}")
    }
}

/// The reply to `entry`, an email on a timeline (any kind whose `data` has a
/// `messageId`); `None` for an entry with no Message-ID, and for a bounce. `own` are the
/// addresses the inbox may send as now (its own and its verified aliases):
/// the From address is kept only while it is one of them.
pub fn reply_to(entry: &TimelineEntry, own: &[String]) -> Option<ReplyDraft> {
    // A bounce came from a mail server: there is nobody to answer.
    if entry.kind == "emailBounced" {
        return None;
    }
    let answered = bracketed(text(entry, "messageId"))?;
    let in_reply_to = (!is_made_up_id(&answered)).then_some(answered);
    let inbox = text(entry, "inbox").to_owned();
    let is_own = |a: &str| own.iter().any(|o| o.eq_ignore_ascii_case(a));
    // Anything but the user's own sent email came from the other party (a
    // received email, an automatic reply).
    let received = entry.kind != "emailSent";
    let from_address = address_of(text(entry, "from")).to_owned();
    let (to, from) = if received {
        let reply_to = addresses(entry, "replyToAddresses", "replyTo");
        let to = if reply_to.is_empty() {
            vec![from_address].into_iter().filter(|a| a.contains('@')).collect()
        } else {
            reply_to
        };
        let mut at = addresses(entry, "toAddresses", "to");
        at.extend(addresses(entry, "ccAddresses", "cc"));
        (to, at.into_iter().find(|a| is_own(a)))
    } else {
        let to = addresses(entry, "toAddresses", "to");
        (to, Some(from_address).filter(|a| is_own(a)))
    };
    let mut references = ids(text(entry, "references"));
    references.retain(|r| Some(r) != in_reply_to.as_ref() && !is_made_up_id(r));
    references.extend(in_reply_to.clone());
    if references.len() > MAX_REFERENCES {
        let cut = references.len() - (MAX_REFERENCES - 1);
        references.drain(1..cut);
    }
    let thread = text(entry, "providerThreadId");
    Some(ReplyDraft {
        from: from.unwrap_or_else(|| inbox.clone()),
        inbox,
        to,
        subject: reply_subject(text(entry, "subject")),
        in_reply_to,
        references,
        thread_id: (!thread.is_empty()).then(|| thread.to_owned()),
    })
}
