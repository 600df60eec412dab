//! The user's choices (cancel, reschedule, mark sent, send again), each
//! refused in words where it could lose or duplicate an email, and the view
//! lists show.

mod outbox_fake;

use inlay_core::outbox::{OutboxState, cancel, mark_sent, reschedule, send_again, view};
use outbox_fake::*;
use serde_json::json;

fn states() -> Vec<OutboxState> {
    vec![
        OutboxState::Scheduled { at_ms: T0 + 1 },
        OutboxState::Held {
            at_ms: T0,
            late_by_ms: 1,
        },
        OutboxState::Queued,
        OutboxState::Sending { since_ms: T0 },
        OutboxState::RetryWait {
            until_ms: T0 + 1,
            attempt: 1,
            reason: "r".into(),
        },
        OutboxState::Unknown {
            message: "m".into(),
            lookups: 0,
            not_before_ms: T0,
        },
        OutboxState::Checking { lookups: 0 },
        OutboxState::Sent {
            at_ms: T0,
            provider_id: None,
            thread_id: None,
            by_user: false,
        },
        OutboxState::HandedOver {
            deliver_at_ms: T0,
            provider_id: None,
        },
        OutboxState::Cancelling {
            deliver_at_ms: T0,
            provider_id: None,
        },
        OutboxState::NeedsUser {
            message: "m".into(),
        },
        OutboxState::Failed {
            code: "c".into(),
            message: "m".into(),
        },
        OutboxState::Cancelled { at_ms: T0 },
    ]
}

/// The kinds a choice is allowed from, tried on every state.
fn allowed(
    choice: impl Fn(&mut inlay_core::outbox::OutboxEntry<FakeInbox>) -> bool,
) -> Vec<&'static str> {
    states()
        .into_iter()
        .filter_map(|state| {
            let mut entry = email(FakeInbox::default(), None);
            let kind = state.kind();
            entry.state = state;
            choice(&mut entry).then_some(kind)
        })
        .collect()
}

#[test]
fn cancel_only_before_it_may_have_left() {
    assert_eq!(
        allowed(|e| cancel(e, T0 + 5).is_ok()),
        [
            "scheduled",
            "held",
            "queued",
            "retryWait",
            "handedOver",
            "failed"
        ]
    );
    let mut entry = email(FakeInbox::default(), None);
    cancel(&mut entry, T0 + 5).unwrap();
    assert_eq!(entry.state, OutboxState::Cancelled { at_ms: T0 + 5 });
    entry.state = OutboxState::Sending { since_ms: T0 };
    assert_eq!(cancel(&mut entry, T0).unwrap_err().code, "mayHaveLeft");
    entry.state = OutboxState::HandedOver {
        deliver_at_ms: T0,
        provider_id: None,
    };
    // Held by Microsoft: cancelled there first (`cancelling`), never at once.
    cancel(&mut entry, T0).unwrap();
    assert_eq!(
        entry.state,
        OutboxState::Cancelling {
            deliver_at_ms: T0,
            provider_id: None
        }
    );
    assert_eq!(cancel(&mut entry, T0).unwrap_err().code, "cancelling");
}

#[test]
fn reschedule_moves_an_email_that_has_not_left() {
    assert_eq!(
        allowed(|e| reschedule(e, T0 + 9).is_ok()),
        ["scheduled", "held", "queued", "retryWait"]
    );
    let mut entry = email(FakeInbox::default(), None);
    entry.state = OutboxState::RetryWait {
        until_ms: T0,
        attempt: 3,
        reason: "r".into(),
    };
    entry.attempt = 3;
    entry.late_by_ms = Some(5);
    reschedule(&mut entry, T0 + 9).unwrap();
    assert_eq!(entry.state, OutboxState::Scheduled { at_ms: T0 + 9 });
    assert_eq!(
        (entry.scheduled_at_ms, entry.attempt, entry.late_by_ms),
        (Some(T0 + 9), 0, None)
    );
}

#[test]
fn only_an_email_in_doubt_is_marked_sent_and_only_the_user_sends_it_again() {
    assert_eq!(allowed(|e| mark_sent(e).is_ok()), ["unknown", "needsUser"]);
    assert_eq!(
        allowed(|e| send_again(e).is_ok()),
        ["held", "needsUser", "failed"]
    );
    let mut entry = email(FakeInbox::default(), None);
    entry.state = OutboxState::NeedsUser {
        message: "m".into(),
    };
    entry.left_at_ms = Some(T0 + 7);
    entry.deliveries = 3;
    let mut again = entry.clone();
    mark_sent(&mut entry).unwrap();
    assert_eq!(
        entry.state,
        OutboxState::Sent {
            at_ms: T0 + 7,
            provider_id: None,
            thread_id: None,
            by_user: true
        }
    );
    assert_eq!(view(&entry).words, "Marked as sent.");
    send_again(&mut again).unwrap();
    assert_eq!((again.state, again.deliveries), (OutboxState::Queued, 0));
}

#[test]
fn the_view_names_the_state_when_to_wake_and_whether_to_persist_first() {
    let mut entry = email(FakeInbox::default(), Some(T0 + 60_000));
    let v = serde_json::to_value(view(&entry)).unwrap();
    assert_eq!(
        v["state"],
        json!({"kind": "scheduled", "atMs": T0 + 60_000})
    );
    assert_eq!(v["wakeAtMs"], T0 + 60_000);
    assert_eq!(v["sending"], false);
    assert_eq!(v["settled"], false);
    assert_eq!(v["subject"], "Our proposal");
    assert_eq!(
        v["recipients"],
        json!(["bob@example.com", "eve@example.com"])
    );
    entry.state = OutboxState::Sending { since_ms: T0 };
    assert!(view(&entry).sending);
    entry.state = OutboxState::Unknown {
        message: "The inbox didn't answer.".into(),
        lookups: 0,
        not_before_ms: T0 + 5,
    };
    let v = view(&entry);
    assert_eq!(v.wake_at_ms, Some(T0 + 5));
    assert_eq!(
        v.words,
        "It may have been sent (The inbox didn't answer). Inlay looks in your Sent folder before sending it again."
    );
    for state in states() {
        entry.state = state.clone();
        let v = view(&entry);
        assert!(!v.words.is_empty(), "{state:?}");
        assert_eq!(v.settled, state.is_settled());
    }
}

#[test]
fn the_entry_crosses_as_camel_case_json_and_reads_back() {
    let entry = email(FakeInbox::default(), Some(T0));
    let text = serde_json::to_string(&entry).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["messageId"], "<m1@acme.example>");
    assert_eq!(value["scheduledAtMs"], T0);
    assert_eq!(value["state"]["kind"], "scheduled");
    assert_eq!(
        serde_json::from_str::<inlay_core::outbox::OutboxEntry<FakeInbox>>(&text).unwrap(),
        entry
    );
}
