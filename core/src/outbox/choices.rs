//! The user's choices about an email in the outbox: cancel or reschedule it
//! before it leaves, and, when Inlay can't tell whether it was sent, say it
//! was or send it again. Each is refused, in words, where it could lose or
//! duplicate an email.

use super::entry::{OutboxEntry, OutboxState};
use super::machine::OutboxError;

fn may_have_left() -> OutboxError {
    OutboxError::new(
        "mayHaveLeft",
        "This email may already have been sent: Inlay is looking in your Sent folder. Wait until it knows.",
    )
}

fn settled(state: &OutboxState) -> OutboxError {
    match state {
        OutboxState::Sent { .. } => OutboxError::new("alreadySent", "This email was already sent."),
        OutboxState::HandedOver { .. } => OutboxError::new(
            "handedOver",
            "Microsoft holds this email and sends it at its time: cancel it first, then write it again.",
        ),
        OutboxState::Cancelling { .. } => OutboxError::new(
            "cancelling",
            "Inlay is cancelling this email at Microsoft. Wait until Microsoft confirms.",
        ),
        OutboxState::Cancelled { .. } => {
            OutboxError::new("cancelled", "This email was cancelled; it wasn't sent.")
        }
        _ => may_have_left(),
    }
}

/// Cancels an email that hasn't left (scheduled, held, queued, waiting to
/// retry, or failed). One the provider holds for its time becomes
/// `cancelling`: the machine deletes it there, and it is cancelled only when
/// the provider confirms.
pub fn cancel<T>(entry: &mut OutboxEntry<T>, now_ms: u64) -> Result<(), OutboxError> {
    if let OutboxState::HandedOver {
        deliver_at_ms,
        ref provider_id,
    } = entry.state
    {
        entry.state = OutboxState::Cancelling {
            deliver_at_ms,
            provider_id: provider_id.clone(),
        };
        return Ok(());
    }
    match entry.state {
        OutboxState::Scheduled { .. }
        | OutboxState::Held { .. }
        | OutboxState::Queued
        | OutboxState::RetryWait { .. }
        | OutboxState::Failed { .. } => {
            entry.state = OutboxState::Cancelled { at_ms: now_ms };
            Ok(())
        }
        OutboxState::NeedsUser { .. } => Err(OutboxError::new(
            "mayHaveLeft",
            "This email may have been sent. Look in your Sent folder, then mark it as sent or send it again.",
        )),
        ref state => Err(settled(state)),
    }
}

/// Moves an email that hasn't left to `at_ms` (retries start over).
pub fn reschedule<T>(entry: &mut OutboxEntry<T>, at_ms: u64) -> Result<(), OutboxError> {
    match entry.state {
        OutboxState::Scheduled { .. }
        | OutboxState::Held { .. }
        | OutboxState::Queued
        | OutboxState::RetryWait { .. } => {
            entry.state = OutboxState::Scheduled { at_ms };
            entry.scheduled_at_ms = Some(at_ms);
            entry.attempt = 0;
            entry.late_by_ms = None;
            Ok(())
        }
        ref state => Err(settled(state)),
    }
}

/// The user found it in Sent: it was sent.
pub fn mark_sent<T>(entry: &mut OutboxEntry<T>) -> Result<(), OutboxError> {
    match entry.state {
        OutboxState::NeedsUser { .. } | OutboxState::Unknown { .. } => {
            entry.state = OutboxState::Sent {
                at_ms: entry.left_at_ms.unwrap_or(entry.created_at_ms),
                provider_id: None,
                thread_id: None,
                by_user: true,
            };
            Ok(())
        }
        _ => Err(OutboxError::new(
            "notInDoubt",
            "Only an email that may have been sent can be marked as sent.",
        )),
    }
}

/// The user's explicit "send it (again)": a failed email, one Inlay can't
/// tell was sent, or one held after its time. The only way an email that
/// may have left is sent again without a lookup saying it isn't in Sent.
pub fn send_again<T>(entry: &mut OutboxEntry<T>) -> Result<(), OutboxError> {
    match entry.state {
        OutboxState::NeedsUser { .. } | OutboxState::Failed { .. } | OutboxState::Held { .. } => {
            entry.state = OutboxState::Queued;
            entry.attempt = 0;
            entry.deliveries = 0;
            Ok(())
        }
        ref state => Err(match state {
            OutboxState::Scheduled { .. } | OutboxState::Queued | OutboxState::RetryWait { .. } => {
                OutboxError::new("alreadyQueued", "This email is already waiting to be sent.")
            }
            _ => settled(state),
        }),
    }
}
