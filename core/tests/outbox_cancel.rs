//! Cancelling an email the provider holds for its time (`handedOver`): the
//! user's choice makes it `cancelling`, and the machine finds and deletes it
//! where it waits; it is `cancelled` only when the provider confirms. Gone
//! after its time is `sent`; gone before it, or a cancel that failed, is
//! said in words. Never a delivering call.

mod outbox_fake;

use inlay_core::machine::Machine;
use inlay_core::outbox::{
    self, Due, DuePolicy, LatePolicy, OutboxEntry, OutboxMachine, OutboxPurpose, OutboxStep,
};
use outbox_fake::*;
use serde_json::{Value, json};

const AT: u64 = T0 + 3_600_000;
const MIME: &[u8] = b"Subject: hi\r\n\r\nbody";

fn state(entry: &OutboxEntry<FakeInbox>) -> Value {
    serde_json::to_value(&entry.state).unwrap()
}

/// A scheduled email handed over at once to an inbox that defers delivery.
fn handed_over() -> OutboxEntry<FakeInbox> {
    let inbox = FakeInbox {
        defers: true,
        ..FakeInbox::default()
    };
    let mut m = OutboxMachine::new(email(inbox, Some(AT)), MIME.to_vec(), None);
    assert!(matches!(m.start(at(T0)), OutboxStep::Ask { .. }));
    let step = m.resume(token(), at(T0));
    assert!(
        matches!(
            step,
            OutboxStep::Http {
                purpose: OutboxPurpose::Deliver,
                ..
            }
        ),
        "{step:?}"
    );
    m.resume(response(200, "draft-1"), at(T0));
    assert_eq!(
        state(m.entry()),
        json!({"kind": "handedOver", "deliverAtMs": AT, "providerId": "draft-1"})
    );
    m.entry().clone()
}

/// The user chose Cancel: the entry as the shell stores it, and its machine
/// at the cancel's call.
fn cancelling(now: u64) -> OutboxMachine<FakeInbox> {
    let mut entry = handed_over();
    outbox::cancel(&mut entry, now).unwrap();
    assert_eq!(
        state(&entry),
        json!({"kind": "cancelling", "deliverAtMs": AT, "providerId": "draft-1"})
    );
    let mut m = OutboxMachine::new(entry, MIME.to_vec(), None);
    assert!(matches!(m.start(at(now)), OutboxStep::Ask { .. }));
    match m.resume(token(), at(now)) {
        OutboxStep::Http { request, purpose } => {
            assert_eq!(purpose, OutboxPurpose::Cancel, "never a delivering call");
            assert_eq!(request.url, "https://fake.example/cancel");
        }
        other => panic!("not the cancel's call: {other:?}"),
    }
    m
}

fn done(step: OutboxStep) -> Value {
    match step {
        OutboxStep::Done { result } => serde_json::to_value(result).unwrap(),
        other => panic!("not done: {other:?}"),
    }
}

#[test]
fn cancelled_only_when_the_provider_confirms_the_delete() {
    let now = T0 + 60_000;
    let mut m = cancelling(now);
    assert_eq!(
        done(m.resume(response(204, ""), at(now))),
        json!({"kind": "cancelled", "atMs": now})
    );
}

#[test]
fn no_longer_waiting_after_its_time_is_sent_and_before_it_the_user_looks() {
    let mut m = cancelling(AT + 1);
    assert_eq!(
        done(m.resume(response(404, ""), at(AT + 1))),
        json!({"kind": "sent", "atMs": AT, "providerId": null, "threadId": null, "byUser": false})
    );

    let mut m = cancelling(T0 + 60_000);
    let end = done(m.resume(response(404, ""), at(T0 + 60_000)));
    assert_eq!(end["kind"], "needsUser");
    assert!(
        end["message"]
            .as_str()
            .unwrap()
            .contains("no longer holds this email"),
        "{end}"
    );
}

#[test]
fn a_cancel_that_failed_leaves_it_handed_over_and_says_so() {
    let now = T0 + 60_000;
    let mut m = cancelling(now);
    match m.resume(response(503, ""), at(now)) {
        OutboxStep::Failed { error } => {
            assert_eq!(error.code, "cancelFailed");
            assert!(
                error.message.contains("still sends it at its time"),
                "{}",
                error.message
            );
        }
        other => panic!("not failed: {other:?}"),
    }
    assert_eq!(
        state(m.entry()),
        json!({"kind": "handedOver", "deliverAtMs": AT, "providerId": "draft-1"})
    );

    // No secret (signed out): the same.
    let mut entry = handed_over();
    outbox::cancel(&mut entry, now).unwrap();
    let mut m = OutboxMachine::new(entry, MIME.to_vec(), None);
    m.start(at(now));
    let step = m.resume(
        answer(
            json!({"kind": "unavailable", "reason": "reauthenticate", "message": "Sign in again."}),
        ),
        at(now),
    );
    assert!(
        matches!(step, OutboxStep::Failed { ref error } if error.code == "cancelFailed"),
        "{step:?}"
    );
    assert_eq!(state(m.entry())["kind"], "handedOver");

    // A refused token: one fresh one, then the cancel again.
    let mut m = cancelling(now);
    let step = m.resume(response(401, ""), at(now));
    assert!(matches!(step, OutboxStep::Ask { .. }), "{step:?}");
    assert!(matches!(
        m.resume(token(), at(now)),
        OutboxStep::Http {
            purpose: OutboxPurpose::Cancel,
            ..
        }
    ));
}

#[test]
fn a_worker_stopped_mid_cancel_cancels_again_on_restart_and_it_is_due_at_once() {
    let now = T0 + 60_000;
    let m = cancelling(now);
    let stored: OutboxEntry<FakeInbox> =
        serde_json::from_str(&serde_json::to_string(m.entry()).unwrap()).unwrap();
    let mut due_entry = stored.clone();
    let policy = DuePolicy {
        late: LatePolicy::SendLate,
        sent_at_ms: vec![now; 500],
        limit: None,
    };
    assert_eq!(
        outbox::due(&mut due_entry, now, &policy),
        Due::Run,
        "no send limit applies"
    );
    let mut again = OutboxMachine::new(stored, MIME.to_vec(), None);
    assert!(matches!(again.start(at(now + 1)), OutboxStep::Ask { .. }));
    assert!(matches!(
        again.resume(token(), at(now + 1)),
        OutboxStep::Http {
            purpose: OutboxPurpose::Cancel,
            ..
        }
    ));
    assert_eq!(
        done(again.resume(response(204, ""), at(now + 1)))["kind"],
        "cancelled"
    );
}

#[test]
fn while_cancelling_nothing_else_may_be_chosen() {
    let mut entry = handed_over();
    outbox::cancel(&mut entry, T0).unwrap();
    for refused in [
        outbox::reschedule(&mut entry.clone(), AT),
        outbox::send_again(&mut entry.clone()),
        outbox::cancel(&mut entry.clone(), T0),
    ] {
        let error = refused.unwrap_err();
        assert_eq!(error.code, "cancelling", "{error:?}");
    }
    assert_eq!(outbox::view(&entry).wake_at_ms, None);
    assert!(!outbox::view(&entry).settled);
}
