//! What a provider's send, Sent lookup and cancel of a deferred email look
//! like to the outbox.
//!
//! A provider plans its calls and reads their answers; it never waits,
//! retries or decides that an email may be sent again: it says what an
//! answer means ([`SendRead`], [`LookupRead`]) and the outbox decides.
//! Secrets (an access token, a password) are handed to [`SendSteps::call`]
//! at the moment of the call and are never part of the serialised value,
//! which the shell persists between calls.
//!
//! ```text
//! outbox ── call(secret) ──→ Call (http | helper)      the shell runs it
//!        ←─ read(answer) ─── Next | Again | End(..)    the outbox decides
//! ```

use serde::{Deserialize, Serialize};

use crate::http::{HttpRequest, HttpResponse, TransportFailure};
use crate::provider::imap::HelperCall;

use super::Outgoing;

/// The secret a call needs, given by the worker's keeper of secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret<'a> {
    /// Google or Microsoft: an OAuth access token.
    Bearer(&'a str),
    /// Exchange (Basic over TLS) or IMAP/SMTP (through the helper).
    Password {
        username: &'a str,
        password: &'a str,
    },
    /// IMAP/SMTP whose outgoing server has its own password (the settings'
    /// usernames are used).
    MailPasswords { imap: &'a str, smtp: &'a str },
}

/// One call to make: an HTTP request, or an operation of the native helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Call {
    Http(HttpRequest),
    Helper(HelperCall),
}

/// What happened to the last [`Call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    Response(&'a HttpResponse),
    Transport(TransportFailure),
    HelperReply(&'a serde_json::Value),
    HelperFailed { code: &'a str, message: &'a str },
}

/// How a send ended, as the provider reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SendRead {
    /// The provider accepted the email. Its ids where it gives them (Gmail's
    /// message and thread id; Graph's draft id before `send`; none for
    /// `sendMail` or SMTP).
    Sent {
        provider_id: Option<String>,
        thread_id: Option<String>,
    },
    /// Certainly not delivered (throttled before it was read, a 5xx of a
    /// call that does not deliver, a connection refused before anything
    /// left): the same call may be made again after a pause, the server's
    /// `Retry-After` if it said one.
    Retry {
        retry_after_ms: Option<u64>,
        message: String,
    },
    /// The secret was refused (401, a failed login): ask a fresh one and
    /// make the same call again, once.
    SecretRejected,
    /// Will not work as it is; in words for the user (too large, a
    /// recipient refused, the alias no longer allowed, permission missing).
    Permanent { code: String, message: String },
    /// The delivering call may have delivered (a timeout or reset after it
    /// left, a 5xx of the delivering call, an answer that can't be read):
    /// never sent again before a lookup says it is not in Sent.
    Unknown { message: String },
}

/// One step of a provider's send or lookup: go on, repeat, or end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read<T> {
    /// This call is done; make [`SendSteps::call`] again for the next one
    /// (Graph: draft created → upload → send).
    Next,
    /// End with this.
    End(T),
}

/// A provider's plan to send one email: a short series of calls, one of
/// which delivers. Serialised (without secrets) between calls.
pub trait SendSteps {
    /// The call to make now. The email's bytes are not part of `self` (it is
    /// persisted between calls); they are handed in each time.
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead>;
    /// Whether the call `call` returns now may hand the email over for
    /// delivery: once it has left, an unanswered call is "unknown".
    fn delivers(&self) -> bool;
    /// Read the answer to the call made.
    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead>;
}

/// How a lookup of the email's Message-ID in Sent ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LookupRead {
    /// In Sent: the email was delivered.
    Found {
        provider_id: Option<String>,
        thread_id: Option<String>,
    },
    /// A successful search that found nothing: it was not sent.
    NotFound,
    /// The search itself failed: nothing is known (never read as
    /// "not found"); try again after the pause.
    Failed {
        retry_after_ms: Option<u64>,
        message: String,
    },
    /// The secret was refused: ask a fresh one, search again, once.
    SecretRejected,
    /// This inbox can't be searched (no read permission): the user must
    /// look in their Sent folder.
    CannotLook { message: String },
}

/// A provider's search of Sent for one Message-ID.
pub trait LookupSteps {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead>;
    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead>;
}

/// How the cancel of an email the provider holds for its time ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CancelRead {
    /// The provider confirmed it deleted the waiting email: it won't leave.
    Cancelled,
    /// It is no longer where the provider holds deferred email (the
    /// Outbox): it already left, or was removed outside Inlay.
    NotWaiting,
    /// The call failed; nothing is known to have changed.
    Failed {
        retry_after_ms: Option<u64>,
        message: String,
    },
    /// The secret was refused: ask a fresh one and try again, once.
    SecretRejected,
}

/// A provider's plan to take back an email it holds until its time: find it
/// by its Message-ID where it waits, then delete it.
pub trait CancelSteps {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, CancelRead>;
    fn read(&mut self, answer: Answer<'_>) -> Read<CancelRead>;
}
