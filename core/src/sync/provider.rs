//! What a provider's sync looks like to the sync machine.
//!
//! A provider plans its calls and reads their answers; it never waits,
//! retries or restarts on its own: it says what an answer means
//! ([`SyncRead`]) and the machine ([`super::machine`]) decides, as the
//! outbox does for a send (`send/provider.rs`). Secrets are handed to
//! [`SyncSteps::call`] at the moment of the call and are never part of the
//! serialised plan, which the shell persists with the entries each page
//! produced.
//!
//! ```text
//! machine ── call(secret) ──→ Call (http | helper)       the shell runs it
//!         ←─ read(answer) ─── Page | Body | CursorExpired | Fault
//! ```
//!
//! Two kinds of plan: a pass over what changed since the inbox's cursor
//! (headers only: `GmailSync`, `GraphSync`), and one message's body for a
//! message the logging rules keep (`GmailBody`, `GraphBody`).

use serde::Serialize;

use super::cursor::SyncCursor;
use super::incoming::Incoming;
use super::pacing::Pace;
pub use crate::send::provider::{Answer, Call, Secret};

/// What one answer of a sync call means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRead {
    /// A page was read (it may be empty: a list of ids whose headers come
    /// next). Commit its entries with the machine's state, then go on.
    Page(Page),
    /// A body plan's message, as RFC 5322 bytes.
    Body { raw: Vec<u8> },
    /// The provider no longer knows the cursor (Gmail 404 on `historyId`,
    /// Graph 410 / `syncStateNotFound`): the machine decides whether to
    /// [`SyncSteps::restart`].
    CursorExpired { message: String },
    /// The call failed; nothing of it is kept.
    Fault(Fault),
}

/// One page of a pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Emails seen, each once in this pass (a restart may show one again:
    /// its timeline entry id, from `sync::dedupe`, is the same).
    pub incoming: Vec<Incoming>,
    /// Provider ids the provider reports deleted (Gmail `messagesDeleted`,
    /// Graph `@removed`, a message gone between its listing and its read).
    pub removed: Vec<String>,
    /// Messages whose headers could not be read, with the reason in words:
    /// logged as "couldn't read", never a reason to stop the pass.
    pub unreadable: Vec<Unreadable>,
    /// `Some` when the pass is complete: the cursor the next pass starts
    /// from, committed with this page.
    pub done: Option<SyncCursor>,
    /// How many messages the pass expects in all, when the provider says
    /// (Gmail's `resultSizeEstimate`): "1,240 of 3,100".
    pub expected: Option<u64>,
}

/// A message the pass saw but could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    pub provider_id: String,
    pub reason: String,
}

/// A failed call, as the provider reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Nothing read: the same call may be made again after a pause (429,
    /// 503, 5xx, no answer at all: reads are idempotent), the server's
    /// `Retry-After` if it said one.
    Retry {
        retry_after_ms: Option<u64>,
        message: String,
    },
    /// The secret was refused (401): ask a fresh one and call again, once.
    SecretRejected,
    /// Will not work as it is (no read permission, the mailbox gone); in
    /// words for the user.
    Permanent { code: String, message: String },
}

/// A provider's plan: a pass or a body. Serialised (without secrets)
/// between calls by the machine's state.
pub trait SyncSteps {
    /// The call to make now.
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault>;
    /// What the call [`SyncSteps::call`] returns now costs, in the units
    /// of [`SyncSteps::pace`].
    fn cost(&self) -> u32;
    /// The provider's rate.
    fn pace(&self) -> Pace;
    /// Read the answer to the call made.
    fn read(&mut self, answer: Answer<'_>) -> SyncRead;
    /// Start the pass over from the bounded window, after the provider
    /// expired the cursor. `false` when this plan has nothing to restart
    /// from (a body).
    fn restart(&mut self, now_ms: u64) -> bool;
}

/// A wrong kind of secret: a wiring mistake, said in words.
pub(crate) fn not_a_bearer(provider: &str) -> Fault {
    Fault::Permanent {
        code: "wrongSecret".into(),
        message: format!(
            "Inlay was given a password instead of a {provider} access token; please report this problem."
        ),
    }
}

/// What every Google and Microsoft answer shares, as a sync reads it: 401,
/// 429, 5xx (a 503's `Retry-After` honoured too), no answer. `None` for a
/// 2xx or another refusal, which the provider reads itself.
pub(crate) fn common_fault(
    answer: &Answer<'_>,
    reply: &crate::provider::api_reply::Reply<'_>,
    who: &str,
) -> Option<Fault> {
    use crate::provider::api_reply::Reply;
    Some(match reply {
        Reply::Ok { .. } | Reply::Refused { .. } => return None,
        Reply::Unauthorized => Fault::SecretRejected,
        Reply::Throttled { retry_after_ms } => Fault::Retry {
            retry_after_ms: *retry_after_ms,
            message: format!("{who} asked Inlay to slow down."),
        },
        Reply::ServerError { status } => Fault::Retry {
            retry_after_ms: match answer {
                Answer::Response(r) => crate::provider::api_reply::retry_after_header_ms(r),
                _ => None,
            },
            message: format!("{who} had a temporary problem (HTTP {status})."),
        },
        Reply::NoAnswer(_) => Fault::Retry {
            retry_after_ms: None,
            message: format!("{who} could not be reached."),
        },
        Reply::NotHttp => Fault::Retry {
            retry_after_ms: None,
            message: format!("Inlay got an answer it can't read instead of {who}'s."),
        },
    })
}

/// Name/value pairs written back as a header block: one field per line (a
/// value's line breaks and other controls become spaces, so a value never
/// starts a field of its own); a name that is not a header name is dropped.
fn header_block(pairs: &[(&str, &str)]) -> String {
    let mut block = String::new();
    for (name, value) in pairs {
        let valid = !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
        if !valid {
            continue;
        }
        block.push_str(name);
        block.push_str(": ");
        block.extend(value.chars().map(|c| if c.is_control() { ' ' } else { c }));
        block.push_str("\r\n");
    }
    block.push_str("\r\n");
    block
}

/// The summary of a message whose provider gave its headers as name/value
/// pairs (Gmail `format=metadata`, Graph `internetMessageHeaders`): the
/// same reading as of a raw header block; the reason in words if none.
pub(crate) fn summary_of_pairs(
    pairs: &[(&str, &str)],
) -> Result<crate::message::MessageSummary, String> {
    crate::message::summarize_message(header_block(pairs).as_bytes())
        .map_err(|e| format!("Its headers could not be read: {e}."))
}
