//! Rate limits per inbox, below the providers' caps: a rolling 24 h count,
//! a per-minute count, and a stagger between scheduled sends (HubSpot
//! spaces queued sends 30 s apart; features-research.md §2).

use serde::{Deserialize, Serialize};

use crate::detect::ConnectionKind;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const MINUTE_MS: u64 = 60 * 1000;

/// How many emails one inbox may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// In any 24 hours.
    pub per_day: u32,
    /// In any minute.
    pub per_minute: u32,
    /// Between two sends, for emails that were scheduled (several due at
    /// once); an email sent now is not held back by it.
    pub stagger_ms: u64,
}

impl RateLimit {
    /// The default for a kind of inbox: under the lowest cap it may have
    /// (consumer Gmail about 500 a day, Workspace 2,000; HubSpot budgets
    /// Microsoft 365 at 1,000), ten a minute (HubSpot), 30 s apart.
    pub fn for_kind(kind: ConnectionKind) -> RateLimit {
        let per_day = match kind {
            ConnectionKind::Google => 400,
            ConnectionKind::Microsoft | ConnectionKind::Exchange => 1_000,
            // An unknown server's limit: stay modest.
            ConnectionKind::Imap => 300,
        };
        RateLimit {
            per_day,
            per_minute: 10,
            stagger_ms: 30_000,
        }
    }

    /// The earliest time at or after `now_ms` another email may go, given
    /// the times this inbox sent at (`sent_at_ms`, any order); `None`: now.
    pub fn next_slot(&self, sent_at_ms: &[u64], scheduled: bool, now_ms: u64) -> Option<u64> {
        let mut times: Vec<u64> = sent_at_ms.iter().map(|&t| t.min(now_ms)).collect();
        times.sort_unstable();
        let mut at = now_ms;
        for (window, most) in [(DAY_MS, self.per_day), (MINUTE_MS, self.per_minute)] {
            let recent: Vec<u64> = times
                .iter()
                .copied()
                .filter(|&t| t + window > now_ms)
                .collect();
            let most = most.max(1) as usize;
            if recent.len() >= most {
                // Once this many have left the window, one more may go.
                at = at.max(recent[recent.len() - most] + window);
            }
        }
        if scheduled && let Some(&last) = times.last() {
            at = at.max(last + self.stagger_ms);
        }
        (at > now_ms).then_some(at)
    }
}
