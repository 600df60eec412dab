//! Retry delays: capped exponential backoff with full jitter, where a
//! server's `Retry-After` always wins.
//!
//! Sans-IO: the randomness (`jitter`) and the parsed `Retry-After` come in as
//! arguments, so the same inputs always give the same delay.

use serde::{Deserialize, Serialize};

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
