//! One email in the outbox: what the shell persists (as one JSON string it
//! never reads) and the states it goes through.
//!
//! ```text
//! scheduled(at) ─due→ queued ─delivering call leaves→ sending
//! sending ─sent→ sent | handedOver (deferred by the provider)
//!         ─certainly not delivered→ retryWait ─timer→ queued
//!         ─no answer, or the worker stopped→ unknown ─→ checking (Sent lookup)
//! checking ─found→ sent │ ─successful NotFound→ queued │ ─failed→ unknown (later)
//!          ─the inbox can't be searched→ needsUser ("may have been sent")
//! permanent refusal → failed │ the user's choice → cancelled
//! handedOver ─cancel→ cancelling ─provider deleted it→ cancelled
//!            ─no longer held: after its time→ sent, before→ needsUser
//!            ─no confirmation→ handedOver
//! ```
//!
//! The email's bytes are not here: the shell stores them beside the entry
//! and hands them to the machine each time (`send::Outgoing`).

use serde::{Deserialize, Serialize};

use crate::send::Outgoing;

/// Where an email stands. Persisted; what the shell shows comes from
/// [`super::OutboxView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum OutboxState {
    /// To go at `at_ms`.
    Scheduled { at_ms: u64 },
    /// Its time passed while the browser was closed and the user asked to
    /// review late sends: nothing leaves until they choose.
    Held { at_ms: u64, late_by_ms: u64 },
    /// Ready to go; no delivering call has left (a provider's preparing
    /// calls, such as a Graph draft, may have).
    Queued,
    /// The delivering call may have left since `since_ms`. Persisted before
    /// the call is made, so a stopped worker finds it here (read as
    /// `unknown`, never sent again blindly).
    Sending { since_ms: u64 },
    /// Certainly not delivered; try again at `until_ms` (retry `attempt`).
    RetryWait {
        until_ms: u64,
        attempt: u32,
        reason: String,
    },
    /// The delivering call may have delivered: look in Sent, not before
    /// `not_before_ms`, `lookups` failed searches so far.
    Unknown {
        message: String,
        lookups: u32,
        not_before_ms: u64,
    },
    /// A Sent lookup is under way (a stopped worker starts it again).
    Checking { lookups: u32 },
    /// Delivered (`by_user`: the user said so after "check your Sent folder").
    Sent {
        at_ms: u64,
        provider_id: Option<String>,
        thread_id: Option<String>,
        #[serde(default)]
        by_user: bool,
    },
    /// Handed to Microsoft with a deferred time: the provider sends it at
    /// `deliver_at_ms`, browser open or not.
    HandedOver {
        deliver_at_ms: u64,
        provider_id: Option<String>,
    },
    /// The user cancelled a handed-over email: Inlay is deleting it where
    /// the provider holds it. Cancelled only once the provider confirms.
    Cancelling {
        deliver_at_ms: u64,
        provider_id: Option<String>,
    },
    /// May have been sent and Inlay can't tell: never sent again unless the
    /// user chooses to.
    NeedsUser { message: String },
    /// Will not be sent as it is; in words.
    Failed { code: String, message: String },
    /// The user cancelled it before it left.
    Cancelled { at_ms: u64 },
}

impl OutboxState {
    /// The state's `kind`, as it crosses.
    pub fn kind(&self) -> &'static str {
        match self {
            OutboxState::Scheduled { .. } => "scheduled",
            OutboxState::Held { .. } => "held",
            OutboxState::Queued => "queued",
            OutboxState::Sending { .. } => "sending",
            OutboxState::RetryWait { .. } => "retryWait",
            OutboxState::Unknown { .. } => "unknown",
            OutboxState::Checking { .. } => "checking",
            OutboxState::Sent { .. } => "sent",
            OutboxState::HandedOver { .. } => "handedOver",
            OutboxState::Cancelling { .. } => "cancelling",
            OutboxState::NeedsUser { .. } => "needsUser",
            OutboxState::Failed { .. } => "failed",
            OutboxState::Cancelled { .. } => "cancelled",
        }
    }

    /// Nothing more happens without the user (or ever).
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            OutboxState::Held { .. }
                | OutboxState::Sent { .. }
                | OutboxState::HandedOver { .. }
                | OutboxState::NeedsUser { .. }
                | OutboxState::Failed { .. }
                | OutboxState::Cancelled { .. }
        )
    }

    /// A delivering call may have left and no answer says otherwise.
    pub fn may_have_left(&self) -> bool {
        matches!(
            self,
            OutboxState::Sending { .. }
                | OutboxState::Unknown { .. }
                | OutboxState::Checking { .. }
                | OutboxState::NeedsUser { .. }
        )
    }
}

/// What the shell asks the outbox to send (`outboxCreate`): the composed
/// email's envelope, never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct NewEmail<T> {
    /// The shell's key for the entry.
    pub id: String,
    /// The inbox that sends it.
    pub target: T,
    /// `<left@right>`, minted by compose.
    pub message_id: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
    #[serde(default)]
    pub thread_id: Option<String>,
    /// For lists ("To Ann: Our proposal").
    pub subject: String,
    #[serde(default)]
    pub scheduled_at_ms: Option<u64>,
    pub created_at_ms: u64,
}

/// One email in the outbox, persisted by the shell as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry<T> {
    pub id: String,
    pub target: T,
    pub message_id: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
    pub thread_id: Option<String>,
    pub subject: String,
    pub created_at_ms: u64,
    /// The time the user chose, kept after it passes.
    pub scheduled_at_ms: Option<u64>,
    pub state: OutboxState,
    /// Retries of the send made after "certainly not delivered" answers
    /// (`Backoff::next`'s attempt).
    #[serde(default)]
    pub attempt: u32,
    /// Delivering calls made so far.
    #[serde(default)]
    pub deliveries: u32,
    /// When the last delivering call left.
    #[serde(default)]
    pub left_at_ms: Option<u64>,
    /// It went out this late (a catch-up after the browser was closed).
    #[serde(default)]
    pub late_by_ms: Option<u64>,
}

impl<T> OutboxEntry<T> {
    /// A new entry: scheduled when the request says so, else queued.
    pub fn new(email: NewEmail<T>) -> Self {
        let state = match email.scheduled_at_ms {
            Some(at_ms) => OutboxState::Scheduled { at_ms },
            None => OutboxState::Queued,
        };
        OutboxEntry {
            id: email.id,
            target: email.target,
            message_id: email.message_id,
            envelope_from: email.envelope_from,
            recipients: email.recipients,
            thread_id: email.thread_id,
            subject: email.subject,
            created_at_ms: email.created_at_ms,
            scheduled_at_ms: email.scheduled_at_ms,
            state,
            attempt: 0,
            deliveries: 0,
            left_at_ms: None,
            late_by_ms: None,
        }
    }

    /// The email as a provider takes it, with the bytes the shell kept.
    pub fn outgoing(
        &self,
        mime: Vec<u8>,
        transmitted: Option<Vec<u8>>,
        deliver_at_ms: Option<u64>,
    ) -> Outgoing {
        Outgoing {
            message_id: self.message_id.clone(),
            mime,
            transmitted,
            envelope_from: self.envelope_from.clone(),
            recipients: self.recipients.clone(),
            thread_id: self.thread_id.clone(),
            deliver_at_ms,
        }
    }
}
