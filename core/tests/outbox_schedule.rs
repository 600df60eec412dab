//! When an email is due: its time, the catch-up after a closed browser
//! (send late or hold), a retry's pause, a lookup's grace, and the rate
//! limits of its inbox.

mod outbox_fake;

use inlay_core::detect::ConnectionKind;
use inlay_core::outbox::{Due, DuePolicy, LatePolicy, OutboxState, RateLimit, due, view};
use outbox_fake::*;

const MIN: u64 = 60_000;
const DAY: u64 = 24 * 60 * MIN;

fn policy(late: LatePolicy) -> DuePolicy {
    DuePolicy {
        late,
        sent_at_ms: vec![],
        limit: None,
    }
}

#[test]
fn a_scheduled_email_is_due_at_its_time() {
    let mut entry = email(FakeInbox::default(), Some(T0 + MIN));
    assert!(
        matches!(due(&mut entry, T0, &policy(LatePolicy::SendLate)), Due::At { at_ms, .. } if at_ms == T0 + MIN)
    );
    assert_eq!(
        due(&mut entry, T0 + MIN, &policy(LatePolicy::SendLate)),
        Due::Run
    );
    assert_eq!(entry.late_by_ms, None);
    // A deferring inbox takes it at once.
    let mut entry = email(
        FakeInbox {
            defers: true,
            ..Default::default()
        },
        Some(T0 + DAY),
    );
    assert_eq!(
        due(&mut entry, T0, &policy(LatePolicy::HoldForReview)),
        Due::Run
    );
}

#[test]
fn a_late_email_goes_late_and_says_so_or_is_held_for_review() {
    let mut entry = email(FakeInbox::default(), Some(T0));
    // A few minutes late is on time (an alarm's slack).
    assert_eq!(
        due(&mut entry, T0 + 5 * MIN, &policy(LatePolicy::HoldForReview)),
        Due::Run
    );
    assert_eq!(entry.state, OutboxState::Scheduled { at_ms: T0 });

    let late = 3 * 60 * MIN;
    assert_eq!(
        due(&mut entry, T0 + late, &policy(LatePolicy::SendLate)),
        Due::Run
    );
    assert_eq!(entry.late_by_ms, Some(late));
    entry.state = OutboxState::Sent {
        at_ms: T0 + late,
        provider_id: None,
        thread_id: None,
        by_user: false,
    };
    assert_eq!(
        view(&entry).words,
        "Sent, about 3 hours late: the browser was closed at its time."
    );

    let mut entry = email(FakeInbox::default(), Some(T0));
    assert_eq!(
        due(&mut entry, T0 + late, &policy(LatePolicy::HoldForReview)),
        Due::Hold { late_by_ms: late }
    );
    assert_eq!(
        entry.state,
        OutboxState::Held {
            at_ms: T0,
            late_by_ms: late
        }
    );
    assert_eq!(
        due(&mut entry, T0 + late + 1, &policy(LatePolicy::SendLate)),
        Due::Idle
    );
    assert!(
        view(&entry)
            .words
            .starts_with("Its time passed about 3 hours ago")
    );
}

#[test]
fn waits_in_the_entry_are_honoured() {
    let p = policy(LatePolicy::SendLate);
    let mut entry = email(FakeInbox::default(), None);
    entry.state = OutboxState::RetryWait {
        until_ms: T0 + MIN,
        attempt: 1,
        reason: "r".into(),
    };
    assert_eq!(
        due(&mut entry, T0, &p),
        Due::At {
            at_ms: T0 + MIN,
            reason: "r".into()
        }
    );
    assert_eq!(due(&mut entry, T0 + MIN, &p), Due::Run);
    entry.state = OutboxState::Unknown {
        message: "m".into(),
        lookups: 0,
        not_before_ms: T0 + MIN,
    };
    assert!(matches!(due(&mut entry, T0, &p), Due::At { at_ms, .. } if at_ms == T0 + MIN));
    assert_eq!(due(&mut entry, T0 + MIN, &p), Due::Run);
    // A stopped worker's sending or checking entry: run it (a lookup).
    for state in [
        OutboxState::Sending { since_ms: T0 },
        OutboxState::Checking { lookups: 2 },
    ] {
        entry.state = state;
        assert_eq!(due(&mut entry, T0, &p), Due::Run);
    }
    for state in [
        OutboxState::NeedsUser {
            message: "m".into(),
        },
        OutboxState::Failed {
            code: "c".into(),
            message: "m".into(),
        },
        OutboxState::Cancelled { at_ms: T0 },
        OutboxState::HandedOver {
            deliver_at_ms: T0,
            provider_id: None,
        },
    ] {
        entry.state = state;
        assert_eq!(due(&mut entry, T0, &p), Due::Idle);
    }
}

#[test]
fn rate_limits_hold_sends_but_never_lookups() {
    let limit = RateLimit {
        per_day: 3,
        per_minute: 2,
        stagger_ms: 30_000,
    };
    // Per minute: two in the last minute; the older leaves it at T0 - 50 s + 60 s.
    assert_eq!(
        limit.next_slot(&[T0 - 10_000, T0 - 50_000], false, T0),
        Some(T0 + 10_000)
    );
    // Per day: three in 24 h; the oldest leaves the window first.
    assert_eq!(
        limit.next_slot(&[T0 - 2 * MIN, T0 - 23 * 60 * MIN, T0 - 5 * MIN], false, T0),
        Some(T0 - 23 * 60 * MIN + DAY)
    );
    // Older sends don't count; a send now is not staggered, a scheduled one is.
    assert_eq!(
        limit.next_slot(&[T0 - DAY, T0 - DAY - 1, T0 - 10_000], false, T0),
        None
    );
    assert_eq!(limit.next_slot(&[T0 - 10_000], true, T0), Some(T0 + 20_000));
    // A send time in the future (a clock moved back) counts as now.
    assert_eq!(limit.next_slot(&[T0 + DAY], true, T0), Some(T0 + 30_000));

    let mut p = policy(LatePolicy::SendLate);
    p.sent_at_ms = vec![T0 - 1_000; 10];
    let mut entry = email(FakeInbox::default(), None);
    assert!(matches!(due(&mut entry, T0, &p), Due::At { at_ms, .. } if at_ms == T0 + 59_000));
    entry.state = OutboxState::Sending { since_ms: T0 };
    assert_eq!(due(&mut entry, T0, &p), Due::Run);
    // The policy's limit replaces the kind's.
    p.limit = Some(RateLimit {
        per_day: 100,
        per_minute: 100,
        stagger_ms: 0,
    });
    entry.state = OutboxState::Queued;
    assert_eq!(due(&mut entry, T0, &p), Due::Run);
}

#[test]
fn each_kind_has_a_limit_under_its_provider_s_cap() {
    assert_eq!(RateLimit::for_kind(ConnectionKind::Google).per_day, 400);
    assert_eq!(
        RateLimit::for_kind(ConnectionKind::Microsoft).per_day,
        1_000
    );
    assert_eq!(RateLimit::for_kind(ConnectionKind::Exchange).per_day, 1_000);
    assert_eq!(RateLimit::for_kind(ConnectionKind::Imap).per_day, 300);
    assert_eq!(RateLimit::for_kind(ConnectionKind::Google).per_minute, 10);
}
