//! Pacing planned by the core: no burst of hundreds of requests when a first
//! sync finds thousands of messages. Each provider gets a rate in its own
//! quota units and a small burst; every call is admitted by a [`Pacer`]
//! (GCRA, the leaky bucket as a virtual schedule), which either lets it go
//! now or names the time it may go. The pacer is part of the persisted sync
//! state, so a worker restarted mid-sync does not burst either.
//!
//! A server's own `Retry-After` (Graph's throttling, Gmail's 429) is honoured
//! separately by the machine's backoff; pacing keeps Inlay under the limits
//! so that those are rare.

use serde::{Deserialize, Serialize};

/// A rate in a provider's units, with the burst allowed on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pace {
    /// Units (Gmail quota units, else calls) per second.
    pub units_per_second: u32,
    /// Units that may be spent at once after a quiet spell.
    pub burst_units: u32,
}

impl Pace {
    /// Gmail: per-user quota is 15,000 units/min in one published copy and
    /// 6,000 (100/s) in the newest (provider-apis.md); Inlay takes half of
    /// the lower, sharing the user's quota with the outbox and their other
    /// apps: `messages.get` (5 units) ten a second, `history.list` (2) 25.
    pub const GMAIL: Pace = Pace {
        units_per_second: 50,
        burst_units: 100,
    };
    /// Graph: Outlook allows 10,000 requests per 10 min per app and mailbox
    /// and 4 at once; four a second, one at a time, stays far below both.
    pub const GRAPH: Pace = Pace {
        units_per_second: 4,
        burst_units: 4,
    };
    /// EWS: on-premises throttling policies vary; two a second.
    pub const EWS: Pace = Pace {
        units_per_second: 2,
        burst_units: 2,
    };
    /// IMAP through the native helper, on one connection.
    pub const IMAP: Pace = Pace {
        units_per_second: 5,
        burst_units: 5,
    };

    /// Virtual time one unit takes, in µs.
    fn unit_us(self) -> u64 {
        1_000_000 / u64::from(self.units_per_second.max(1))
    }
}

/// When the next call may go: the virtual schedule, persisted with the sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pacer {
    /// GCRA's "theoretical arrival time", Unix µs: the schedule is booked up
    /// to here.
    booked_until_us: u64,
}

/// What [`Pacer::admit`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Make the call now (it is booked).
    Go,
    /// Wait until this time (Unix ms), then ask again.
    WaitUntil(u64),
}

impl Pacer {
    /// May a call costing `cost` units go at `now_ms` under `pace`? A `Go`
    /// books it; a wait books nothing (the caller asks again after it).
    pub fn admit(&mut self, pace: Pace, cost: u32, now_ms: u64) -> Admit {
        let now = now_ms.saturating_mul(1000);
        let cost_us = pace.unit_us().saturating_mul(u64::from(cost.max(1)));
        let burst_us = pace
            .unit_us()
            .saturating_mul(u64::from(pace.burst_units.max(1)));
        // A clock set back never blocks for longer than the burst window.
        let start = self
            .booked_until_us
            .min(now.saturating_add(burst_us))
            .max(now);
        let booked = start.saturating_add(cost_us);
        if booked - now <= burst_us.max(cost_us) {
            self.booked_until_us = booked;
            Admit::Go
        } else {
            // The first moment the call fits in the burst window.
            Admit::WaitUntil((booked - burst_us.max(cost_us)).div_ceil(1000))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `calls` calls as fast as the pacer allows from `t0`; their times.
    fn run(pace: Pace, cost: u32, calls: usize, t0: u64) -> Vec<u64> {
        let mut pacer = Pacer::default();
        let mut now = t0;
        let mut times = Vec::new();
        while times.len() < calls {
            match pacer.admit(pace, cost, now) {
                Admit::Go => times.push(now),
                Admit::WaitUntil(t) => {
                    assert!(t > now, "a wait is in the future");
                    now = t;
                }
            }
        }
        times
    }

    fn most_in_any_second(times: &[u64]) -> usize {
        times
            .iter()
            .map(|&t| times.iter().filter(|&&u| u >= t && u < t + 1000).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_first_sync_never_bursts_past_the_rate() {
        // 500 messages.get at 5 units each.
        let times = run(Pace::GMAIL, 5, 500, 1_700_000_000_000);
        // Burst (100 units = 20 calls) plus one second's rate (10 calls).
        assert!(
            most_in_any_second(&times) <= 30,
            "{}",
            most_in_any_second(&times)
        );
        // And it is not slower than the rate: 500 calls take about 48 s.
        let span = times.last().unwrap() - times[0];
        assert!((47_000..=49_000).contains(&span), "{span}");
        let graph = run(Pace::GRAPH, 1, 200, 0);
        assert!(most_in_any_second(&graph) <= 8);
    }

    #[test]
    fn a_quiet_spell_refills_the_burst_but_no_more() {
        let mut p = Pacer::default();
        let t = 1_000_000;
        let mut gone = 0;
        while p.admit(Pace::GRAPH, 1, t) == Admit::Go {
            gone += 1;
        }
        assert_eq!(gone, 4);
        // An hour later: four again, not thousands.
        let later = t + 3_600_000;
        let mut again = 0;
        while p.admit(Pace::GRAPH, 1, later) == Admit::Go {
            again += 1;
        }
        assert_eq!(again, 4);
        assert_eq!(
            p.admit(Pace::GRAPH, 1, later),
            Admit::WaitUntil(later + 250)
        );
    }

    #[test]
    fn a_clock_set_back_waits_no_longer_than_the_burst() {
        let mut p = Pacer::default();
        for _ in 0..4 {
            p.admit(Pace::GRAPH, 1, 100_000_000);
        }
        // The clock jumps back a day: the wait is a second at most.
        match p.admit(Pace::GRAPH, 1, 100_000_000 - 86_400_000) {
            Admit::Go => {}
            Admit::WaitUntil(t) => assert!(t <= 100_000_000 - 86_400_000 + 1_000, "{t}"),
        }
    }

    #[test]
    fn a_call_dearer_than_the_burst_still_goes_alone() {
        let mut p = Pacer::default();
        assert_eq!(p.admit(Pace::GRAPH, 10, 0), Admit::Go);
        assert!(matches!(p.admit(Pace::GRAPH, 1, 0), Admit::WaitUntil(_)));
    }
}
