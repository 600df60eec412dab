//! When an email should go: its scheduled time, the catch-up after the
//! browser was closed at that time (send late, or hold for the user), a
//! retry's pause, a lookup's grace, and the inbox's rate limits. The shell
//! asks [`due`] at every alarm and at start-up, and runs the machine when
//! the answer is [`Due::Run`].

use serde::{Deserialize, Serialize};

use super::entry::{OutboxEntry, OutboxState};
use super::plans::Plans;
use super::rate::RateLimit;

/// A scheduled email found this much after its time counts as late.
pub const LATE_AFTER_MS: u64 = 10 * 60_000;

/// What to do with a scheduled email whose time passed while the browser
/// was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum LatePolicy {
    /// Send it now; the outbox says it went late.
    SendLate,
    /// Hold it until the user sends, reschedules or cancels it.
    HoldForReview,
}

/// The user's settings and what the shell knows of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct DuePolicy {
    pub late: LatePolicy,
    /// When this inbox sent its recent emails (the last day's are enough).
    #[serde(default)]
    pub sent_at_ms: Vec<u64>,
    /// Overrides the inbox kind's [`RateLimit::for_kind`].
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<RateLimit>,
}

/// What the shell does with an entry now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Due {
    /// Start its machine now.
    Run,
    /// Wake up then and ask again.
    At { at_ms: u64, reason: String },
    /// Its time passed while the browser was closed and the user reviews
    /// late sends: it is now `held` (persist the entry).
    Hold { late_by_ms: u64 },
    /// Nothing to do without the user (or ever).
    Idle,
}

/// What to do with `entry` at `now_ms`. Marks a late entry (`lateByMs`, or
/// `held` under [`LatePolicy::HoldForReview`]): persist it when it changed.
pub fn due<T: Plans>(entry: &mut OutboxEntry<T>, now_ms: u64, policy: &DuePolicy) -> Due {
    let sends = match entry.state {
        OutboxState::Scheduled { at_ms } => {
            if at_ms > now_ms && !entry.target.defers() {
                return Due::At {
                    at_ms,
                    reason: "Scheduled: it goes at the time you chose.".into(),
                };
            }
            let late_by_ms = now_ms.saturating_sub(at_ms);
            if late_by_ms > LATE_AFTER_MS {
                if policy.late == LatePolicy::HoldForReview {
                    entry.state = OutboxState::Held { at_ms, late_by_ms };
                    return Due::Hold { late_by_ms };
                }
                entry.late_by_ms = Some(late_by_ms);
            }
            true
        }
        OutboxState::Queued => true,
        OutboxState::RetryWait {
            until_ms,
            ref reason,
            ..
        } => {
            if until_ms > now_ms {
                return Due::At {
                    at_ms: until_ms,
                    reason: reason.clone(),
                };
            }
            true
        }
        OutboxState::Unknown { not_before_ms, .. } if not_before_ms > now_ms => {
            return Due::At {
                at_ms: not_before_ms,
                reason: "It may have been sent: Inlay looks in your Sent folder first.".into(),
            };
        }
        // A lookup or a cancel, never a send: no limit applies.
        OutboxState::Cancelling { .. }
        | OutboxState::Sending { .. }
        | OutboxState::Unknown { .. }
        | OutboxState::Checking { .. } => false,
        OutboxState::Held { .. }
        | OutboxState::Sent { .. }
        | OutboxState::HandedOver { .. }
        | OutboxState::NeedsUser { .. }
        | OutboxState::Failed { .. }
        | OutboxState::Cancelled { .. } => return Due::Idle,
    };
    if sends {
        let limit = policy
            .limit
            .unwrap_or_else(|| RateLimit::for_kind(entry.target.kind()));
        let scheduled = entry.scheduled_at_ms.is_some();
        if let Some(at_ms) = limit.next_slot(&policy.sent_at_ms, scheduled, now_ms) {
            return Due::At {
                at_ms,
                reason: "Inlay spaces out the emails this inbox sends, to stay under its daily and per-minute limits.".into(),
            };
        }
    }
    Due::Run
}
