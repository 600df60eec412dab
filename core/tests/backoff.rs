//! Backoff: jittered, capped, and never below Retry-After.

use inlay_core::backoff::Backoff;
use proptest::prelude::*;

const B: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 32_000,
    max_attempts: 8,
    max_wait_ms: None,
};

#[test]
fn ceilings_double_then_cap() {
    let ceilings: Vec<u64> = (0..8).map(|a| B.ceiling(a)).collect();
    assert_eq!(
        ceilings,
        vec![1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 32_000, 32_000]
    );
}

#[test]
fn jitter_spans_zero_to_ceiling() {
    assert_eq!(B.delay(0, 0, None), Some(0));
    assert_eq!(B.delay(0, u32::MAX, None), Some(1_000));
    assert_eq!(B.delay(3, u32::MAX / 2, None), Some(4_000));
    assert_eq!(B.delay(10_000, u32::MAX, None), None);
}

#[test]
fn gives_up_after_max_attempts_even_with_retry_after() {
    assert!(B.delay(7, 0, None).is_some());
    assert_eq!(B.delay(8, 0, None), None);
    assert_eq!(B.delay(8, 0, Some(1_000)), None);
    let never = Backoff {
        max_attempts: 0,
        ..B
    };
    assert_eq!(never.delay(0, 0, Some(5)), None);
}

#[test]
fn retry_after_beyond_the_cap_is_honoured() {
    assert_eq!(B.delay(0, u32::MAX, Some(600_000)), Some(600_000));
    assert_eq!(
        B.delay(0, u32::MAX, Some(10)),
        Some(1_000),
        "the jittered delay wins when larger"
    );
}

#[test]
fn huge_values_do_not_overflow() {
    let big = Backoff {
        base_ms: u64::MAX / 3,
        max_ms: u64::MAX,
        max_attempts: u32::MAX,
        max_wait_ms: None,
    };
    assert_eq!(big.ceiling(200), u64::MAX);
    assert!(big.delay(u32::MAX - 1, u32::MAX, Some(u64::MAX)).is_some());
    assert_eq!(Backoff::default(), Backoff::PROVIDER);
}

fn mean_delay(b: &Backoff, attempt: u32) -> f64 {
    let samples = 257u64;
    let total: u64 = (0..samples)
        .map(|i| {
            b.delay(
                attempt,
                ((u64::from(u32::MAX) * i) / (samples - 1)) as u32,
                None,
            )
            .unwrap()
        })
        .sum();
    total as f64 / samples as f64
}

#[test]
fn expected_delay_grows_until_the_cap() {
    let means: Vec<f64> = (0..8).map(|a| mean_delay(&B, a)).collect();
    for w in means.windows(2) {
        assert!(w[1] >= w[0], "{means:?}");
    }
    assert!(means[4] > means[0] * 10.0, "{means:?}");
    // Full jitter: the mean is about half the ceiling.
    assert!((means[2] - 2_000.0).abs() < 50.0, "{means:?}");
}

fn backoffs() -> impl Strategy<Value = Backoff> {
    (1u64..100_000, 0u64..10_000_000, 0u32..40).prop_map(|(base, extra, attempts)| Backoff {
        base_ms: base,
        max_ms: base + extra,
        max_attempts: attempts,
        max_wait_ms: None,
    })
}

proptest! {
    #[test]
    fn never_below_retry_after(b in backoffs(), attempt in 0u32..64, jitter: u32, ra in proptest::option::of(0u64..1u64 << 40)) {
        if let Some(d) = b.delay(attempt, jitter, ra) {
            prop_assert!(d >= ra.unwrap_or(0));
        }
    }

    #[test]
    fn never_above_cap_unless_retry_after(b in backoffs(), attempt in 0u32..64, jitter: u32, ra in proptest::option::of(0u64..1u64 << 40)) {
        if let Some(d) = b.delay(attempt, jitter, ra) {
            prop_assert!(d <= b.max_ms.max(ra.unwrap_or(0)));
            prop_assert!(d <= b.ceiling(attempt).max(ra.unwrap_or(0)));
        }
    }

    #[test]
    fn some_exactly_below_max_attempts(b in backoffs(), attempt in 0u32..64, jitter: u32) {
        prop_assert_eq!(b.delay(attempt, jitter, None).is_some(), attempt < b.max_attempts);
    }

    #[test]
    fn monotone_in_attempt_for_a_fixed_draw(b in backoffs(), attempt in 0u32..62, jitter: u32) {
        prop_assume!(attempt + 1 < b.max_attempts);
        let now = b.delay(attempt, jitter, None).unwrap();
        let next = b.delay(attempt + 1, jitter, None).unwrap();
        prop_assert!(next >= now);
        prop_assert!(b.ceiling(attempt + 1) >= b.ceiling(attempt));
    }

    #[test]
    fn monotone_in_jitter(b in backoffs(), attempt in 0u32..64, j1: u32, j2: u32) {
        prop_assume!(attempt < b.max_attempts);
        let (lo, hi) = if j1 <= j2 { (j1, j2) } else { (j2, j1) };
        prop_assert!(b.delay(attempt, lo, None).unwrap() <= b.delay(attempt, hi, None).unwrap());
    }
}

#[test]
fn interactive_checks_retry_a_few_times_quickly() {
    let b = Backoff::INTERACTIVE;
    for attempt in 0..b.max_attempts {
        assert!(b.delay(attempt, u32::MAX, None).unwrap() <= 4_000);
    }
    assert_eq!(b.delay(b.max_attempts, 0, None), None);
    // A server's Retry-After still wins.
    assert_eq!(b.delay(0, 0, Some(9_000)), Some(9_000));
}

mod next {
    //! `Backoff::next`, the one rule for waiting every machine uses.
    use inlay_core::backoff::{Backoff, GiveUp, MAX_PAUSE_MS, Pause};
    use inlay_core::machine::Moment;

    const WATCHED: Backoff = Backoff {
        base_ms: 1_000,
        max_ms: 4_000,
        max_attempts: 3,
        max_wait_ms: Some(20_000),
    };

    #[test]
    fn waits_until_now_plus_the_jittered_delay() {
        let random = u32::MAX.to_le_bytes();
        let moment = Moment {
            now_ms: 10_000,
            random: &random,
        };
        assert_eq!(
            WATCHED.next(1, None, moment),
            Pause::Wait {
                until_ms: 12_000,
                after_ms: 2_000
            }
        );
        assert_eq!(
            WATCHED.next(0, Some(7_000), moment),
            Pause::Wait {
                until_ms: 17_000,
                after_ms: 7_000
            },
            "Retry-After wins over the curve"
        );
    }

    #[test]
    fn gives_up_when_the_attempts_are_used() {
        let moment = Moment {
            now_ms: 1,
            random: &[],
        };
        assert!(matches!(WATCHED.next(2, None, moment), Pause::Wait { .. }));
        assert_eq!(
            WATCHED.next(3, Some(1), moment),
            Pause::GiveUp {
                reason: GiveUp::Exhausted
            }
        );
    }

    #[test]
    fn gives_up_when_the_server_asks_for_longer_than_the_caller_holds_on() {
        let moment = Moment {
            now_ms: 1,
            random: &[],
        };
        assert!(matches!(
            WATCHED.next(0, Some(20_000), moment),
            Pause::Wait { .. }
        ));
        assert_eq!(
            WATCHED.next(0, Some(20_001), moment),
            Pause::GiveUp {
                reason: GiveUp::TooLong { wait_ms: 20_001 }
            }
        );
    }

    #[test]
    fn no_pause_is_longer_than_a_day() {
        let moment = Moment {
            now_ms: 5,
            random: &[],
        };
        assert_eq!(
            Backoff::PROVIDER.next(0, Some(u64::MAX), moment),
            Pause::Wait {
                until_ms: 5 + MAX_PAUSE_MS,
                after_ms: MAX_PAUSE_MS
            }
        );
    }
}
