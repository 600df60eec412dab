//! What the shell reads of an entry (for its lists and indexes, and to know
//! when to wake up): the entry itself is a JSON string it never reads.

use serde::{Deserialize, Serialize};

use super::entry::{OutboxEntry, OutboxState};
use crate::backoff::pause_in_words;

/// An entry as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct OutboxView {
    pub id: String,
    pub message_id: String,
    pub subject: String,
    pub recipients: Vec<String>,
    pub state: OutboxState,
    /// The state in words for the user.
    pub words: String,
    /// When to wake up for it (its time, a retry, a lookup); `None` when
    /// nothing is planned.
    pub wake_at_ms: Option<u64>,
    /// A delivering call may be under way: persist before running a step.
    pub sending: bool,
    /// Nothing more happens without the user.
    pub settled: bool,
    pub scheduled_at_ms: Option<u64>,
    pub late_by_ms: Option<u64>,
    pub created_at_ms: u64,
}

/// The view of `entry`.
pub fn view<T>(entry: &OutboxEntry<T>) -> OutboxView {
    let state = &entry.state;
    let wake_at_ms = match *state {
        OutboxState::Scheduled { at_ms } => Some(at_ms),
        OutboxState::RetryWait { until_ms, .. } => Some(until_ms),
        OutboxState::Unknown { not_before_ms, .. } => Some(not_before_ms),
        _ => None,
    };
    OutboxView {
        id: entry.id.clone(),
        message_id: entry.message_id.clone(),
        subject: entry.subject.clone(),
        recipients: entry.recipients.clone(),
        state: state.clone(),
        words: words(entry),
        wake_at_ms,
        sending: matches!(state, OutboxState::Sending { .. }),
        settled: state.is_settled(),
        scheduled_at_ms: entry.scheduled_at_ms,
        late_by_ms: entry.late_by_ms,
        created_at_ms: entry.created_at_ms,
    }
}

fn words<T>(entry: &OutboxEntry<T>) -> String {
    match &entry.state {
        OutboxState::Scheduled { .. } => "Scheduled: it goes at the time you chose.".into(),
        OutboxState::Held { late_by_ms, .. } => format!(
            "Its time passed {} ago while the browser was closed. Send it now, reschedule or cancel it.",
            pause_in_words(*late_by_ms)
        ),
        OutboxState::Queued => "Waiting to be sent.".into(),
        OutboxState::Sending { .. } => "Sending…".into(),
        OutboxState::RetryWait { reason, .. } => reason.clone(),
        OutboxState::Unknown { message, .. } => format!(
            "It may have been sent ({}). Inlay looks in your Sent folder before sending it again.",
            message.trim_end_matches('.')
        ),
        OutboxState::Checking { .. } => "Looking in your Sent folder…".into(),
        OutboxState::Sent { by_user: true, .. } => "Marked as sent.".into(),
        OutboxState::Sent { .. } => match entry.late_by_ms {
            Some(late) => format!(
                "Sent, {} late: the browser was closed at its time.",
                pause_in_words(late)
            ),
            None => "Sent.".into(),
        },
        OutboxState::HandedOver { .. } => {
            "Handed to your email provider (Microsoft 365 or Exchange), which sends it at its time, even with the browser closed. You can still cancel it.".into()
        }
        OutboxState::Cancelling { .. } => {
            "Cancelling: Inlay is deleting it where your provider holds it. It counts as cancelled once the provider confirms.".into()
        }
        OutboxState::NeedsUser { message } => message.clone(),
        OutboxState::Failed { message, .. } => message.clone(),
        OutboxState::Cancelled { .. } => "Cancelled: it wasn't sent.".into(),
    }
}
