//! Retry delays: capped exponential backoff with full jitter, where a
//! server's `Retry-After` always wins.
//!
//! Sans-IO: the randomness (`jitter`) and the parsed `Retry-After` come in as
//! arguments, so the same inputs always give the same delay.
//!
//! The one rule for waiting (ARCHITECTURE "One calling convention"): every
//! machine asks [`Backoff::next`] whether to wait and until when, or to give
//! up, and why. How many attempts, which curve and how long a `Retry-After`
//! may be are each machine's `Backoff` constant, decided nowhere else.

use serde::{Deserialize, Serialize};

use crate::machine::Moment;

/// The longest pause any machine plans (a day): keeps every time a safe
/// JavaScript integer even when a server sends an absurd `Retry-After`.
pub const MAX_PAUSE_MS: u64 = 24 * 60 * 60 * 1000;

/// What [`Backoff::next`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Pause {
    /// Try again at `until_ms` (`after_ms` from now).
    Wait { until_ms: u64, after_ms: u64 },
    /// Stop trying.
    GiveUp { reason: GiveUp },
}

/// Why a retry sequence stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum GiveUp {
    /// Every retry allowed was made.
    Exhausted,
    /// The server asked for a pause longer than `max_wait_ms`.
    TooLong { wait_ms: u64 },
}

/// How long to wait before retry number `attempt`, and when to stop trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// Upper bound of the first retry's delay (attempt 0).
    pub base_ms: u64,
    /// Cap on the computed delay; a larger `Retry-After` still wins.
    pub max_ms: u64,
    /// Retries allowed; `delay` returns `None` from this attempt on.
    pub max_attempts: u32,
    /// The longest pause the caller holds on for; a server asking for more
    /// (`Retry-After`) ends the sequence with "try later". `None`: no limit.
    #[serde(default)]
    pub max_wait_ms: Option<u64>,
}

impl Backoff {
    /// Provider calls (Gmail, Graph, token endpoints): Google's guidance is
    /// `min(2^n s + random, 32–64 s)` with a retry cap.
    pub const PROVIDER: Backoff = Backoff {
        base_ms: 1_000,
        max_ms: 64_000,
        max_attempts: 6,
        max_wait_ms: None,
    };

    /// Checks someone is waiting for on screen (connecting an Exchange inbox):
    /// a few quick retries, then the reason in words.
    pub const INTERACTIVE: Backoff = Backoff {
        base_ms: 500,
        max_ms: 4_000,
        max_attempts: 3,
        max_wait_ms: Some(20_000),
    };

    /// Delay before retry number `attempt` (0 = the first retry), or `None`
    /// when the retries are used up.
    ///
    /// Full jitter: uniform in `[0, min(max_ms, base_ms·2^attempt)]`, where
    /// `jitter` (any `u32` from the caller's random source) picks the point.
    /// For a fixed `jitter` the delay never shrinks as `attempt` grows, so the
    /// expected delay grows monotonically up to the cap. When the server sent
    /// `Retry-After`, the result is at least that, even above `max_ms`.
    pub fn delay(&self, attempt: u32, jitter: u32, retry_after_ms: Option<u64>) -> Option<u64> {
        if attempt >= self.max_attempts {
            return None;
        }
        let ceiling = self.ceiling(attempt);
        // Scale jitter/2^32 onto [0, ceiling] without overflow.
        let jittered = (((u128::from(ceiling) + 1) * u128::from(jitter)) >> 32) as u64;
        Some(jittered.max(retry_after_ms.unwrap_or(0)))
    }

    /// The one rule for waiting: after retry number `attempt` (0 = the
    /// first retry) failed with this `Retry-After` (ms, if any), wait until
    /// when — or give up, because the retries are used up or the server
    /// asks for longer than `max_wait_ms`. Jitter comes from `at`'s random
    /// bytes; a pause is never longer than [`MAX_PAUSE_MS`].
    pub fn next(&self, attempt: u32, retry_after_ms: Option<u64>, at: Moment<'_>) -> Pause {
        let Some(after_ms) = self.delay(attempt, at.jitter(), retry_after_ms) else {
            return Pause::GiveUp {
                reason: GiveUp::Exhausted,
            };
        };
        if self.max_wait_ms.is_some_and(|most| after_ms > most) {
            return Pause::GiveUp {
                reason: GiveUp::TooLong { wait_ms: after_ms },
            };
        }
        let after_ms = after_ms.min(MAX_PAUSE_MS);
        Pause::Wait {
            until_ms: at.now_ms.saturating_add(after_ms),
            after_ms,
        }
    }

    /// The largest delay `attempt` can produce without `Retry-After`.
    pub fn ceiling(&self, attempt: u32) -> u64 {
        let factor = 1u64.checked_shl(attempt.min(63)).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.max_ms)
    }
}

/// A pause in words: "45 seconds", "about 3 minutes", "about 2 hours".
pub(crate) fn pause_in_words(ms: u64) -> String {
    let seconds = ms.div_ceil(1_000);
    match seconds {
        0..=1 => "a second".into(),
        2..=59 => format!("{seconds} seconds"),
        60..=5_399 => format!("about {} minutes", seconds.div_ceil(60).max(2)),
        _ => format!("about {} hours", (seconds + 1_800) / 3_600),
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::PROVIDER
    }
}

#[cfg(test)]
mod tests {
    use super::pause_in_words;

    #[test]
    fn pauses_read_as_people_say_them() {
        assert_eq!(pause_in_words(800), "a second");
        assert_eq!(pause_in_words(45_000), "45 seconds");
        assert_eq!(pause_in_words(60_000), "about 2 minutes");
        assert_eq!(pause_in_words(180_000), "about 3 minutes");
        assert_eq!(pause_in_words(7_200_000), "about 2 hours");
    }
}
