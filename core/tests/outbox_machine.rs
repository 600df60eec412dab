//! Every transition of the outbox machine, against a scripted inbox
//! (`outbox_fake`): what it asks, which call it plans and why, which state
//! it returns with it, and how it reads a persisted state after a stop.

mod outbox_fake;

use inlay_core::machine::{Input, Machine};
use inlay_core::outbox::{
    LOOKUP_GRACE_MS, MAX_DELIVERIES, OUTBOX_BACKOFF, OutboxEntry, OutboxMachine, OutboxPurpose,
    OutboxQuestion, OutboxSettings, OutboxState, OutboxStep,
};
use outbox_fake::*;
use serde_json::{Value, json};

type M = OutboxMachine<FakeInbox>;

fn machine(entry: OutboxEntry<FakeInbox>) -> M {
    OutboxMachine::new(entry, b"Subject: hi\r\n\r\nbody".to_vec(), None)
}

fn state(m: &M) -> Value {
    serde_json::to_value(&m.entry().state).unwrap()
}

/// The machine rebuilt from its persisted JSON, as after a stopped worker.
fn reload(m: &M) -> M {
    let json = serde_json::to_string(m.entry()).unwrap();
    machine(serde_json::from_str(&json).unwrap())
}

fn is_ask(step: &OutboxStep, rejected: bool) -> bool {
    *step
        == OutboxStep::Ask {
            question: OutboxQuestion::Secret { rejected },
        }
}

/// The planned call's URL and purpose.
fn call(step: &OutboxStep) -> (String, OutboxPurpose) {
    match step {
        OutboxStep::Http { request, purpose } => (request.url.clone(), *purpose),
        OutboxStep::Helper { call, purpose } => {
            (call.args["url"].as_str().unwrap().into(), *purpose)
        }
        other => panic!("not a call: {other:?}"),
    }
}

fn wait_until(step: &OutboxStep) -> u64 {
    match step {
        OutboxStep::Wait { until_ms, .. } => *until_ms,
        other => panic!("not a wait: {other:?}"),
    }
}

fn done_state(step: &OutboxStep) -> Value {
    match step {
        OutboxStep::Done { result } => serde_json::to_value(result).unwrap(),
        other => panic!("not done: {other:?}"),
    }
}

fn failed_code(step: &OutboxStep) -> String {
    match step {
        OutboxStep::Failed { error } => error.code.clone(),
        other => panic!("not failed: {other:?}"),
    }
}

/// Started now: asked for a secret, given it, the delivering call planned.
fn to_delivering_call(m: &mut M, now: u64) -> OutboxStep {
    let step = m.start(at(now));
    assert!(is_ask(&step, false), "{step:?}");
    m.resume(token(), at(now))
}

#[test]
fn a_queued_email_asks_a_secret_then_delivers_and_ends_sent() {
    let mut m = machine(email(FakeInbox::default(), None));
    assert_eq!(state(&m)["kind"], "queued");
    let step = to_delivering_call(&mut m, T0);
    assert_eq!(
        call(&step),
        (
            "https://fake.example/deliver/0".into(),
            OutboxPurpose::Deliver
        )
    );
    // The state returned with the delivering call, persisted before it leaves.
    assert_eq!(state(&m), json!({"kind": "sending", "sinceMs": T0}));
    assert_eq!(m.entry().deliveries, 1);
    let step = m.resume(response(200, "gm-1"), at(T0 + 500));
    assert_eq!(
        done_state(&step),
        json!({"kind": "sent", "atMs": T0 + 500, "providerId": "gm-1", "threadId": "thread-1", "byUser": false})
    );
    // A final step is repeated, whatever comes.
    assert_eq!(m.resume(Input::Timer, at(T0 + 600)), step);
}

#[test]
fn preparing_calls_are_not_sending_and_each_gets_a_fresh_secret() {
    let mut m = machine(email(
        FakeInbox {
            prepare: 2,
            ..Default::default()
        },
        None,
    ));
    let step = to_delivering_call(&mut m, T0);
    assert_eq!(
        call(&step),
        (
            "https://fake.example/prepare/0".into(),
            OutboxPurpose::Prepare
        )
    );
    assert_eq!(state(&m)["kind"], "queued");
    assert!(is_ask(&m.resume(response(200, ""), at(T0)), false));
    let step = m.resume(token(), at(T0));
    assert_eq!(call(&step).1, OutboxPurpose::Prepare);
    assert!(is_ask(&m.resume(response(200, ""), at(T0)), false));
    let step = m.resume(token(), at(T0));
    assert_eq!(
        call(&step),
        (
            "https://fake.example/deliver/2".into(),
            OutboxPurpose::Deliver
        )
    );
    assert_eq!(state(&m)["kind"], "sending");
    assert_eq!(
        done_state(&m.resume(response(200, ""), at(T0)))["kind"],
        "sent"
    );
}

#[test]
fn a_scheduled_email_waits_for_its_time_even_when_woken_early() {
    let mut m = machine(email(FakeInbox::default(), Some(T0 + 60_000)));
    assert_eq!(state(&m), json!({"kind": "scheduled", "atMs": T0 + 60_000}));
    let step = m.start(at(T0));
    assert_eq!(wait_until(&step), T0 + 60_000);
    assert_eq!(m.resume(Input::Timer, at(T0 + 59_999)), step);
    assert!(is_ask(&m.resume(Input::Timer, at(T0 + 60_000)), false));
    let step = m.resume(token(), at(T0 + 60_000));
    // Not a deferring inbox: no deferred time on the call.
    assert_eq!(call(&step).0, "https://fake.example/deliver/0");
}

#[test]
fn a_deferring_inbox_gets_a_scheduled_email_at_once_and_ends_handed_over() {
    let inbox = FakeInbox {
        defers: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, Some(T0 + 3_600_000)));
    let step = to_delivering_call(&mut m, T0);
    assert_eq!(
        call(&step),
        (
            format!("https://fake.example/deliver/0?at={}", T0 + 3_600_000),
            OutboxPurpose::Deliver
        )
    );
    assert_eq!(
        done_state(&m.resume(response(200, "draft-9"), at(T0))),
        json!({"kind": "handedOver", "deliverAtMs": T0 + 3_600_000, "providerId": "draft-9"})
    );
}

#[test]
fn a_deferring_inbox_sends_a_past_due_email_without_a_deferred_time() {
    let inbox = FakeInbox {
        defers: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, Some(T0 - 1)));
    let step = to_delivering_call(&mut m, T0);
    assert_eq!(call(&step).0, "https://fake.example/deliver/0");
    assert_eq!(
        done_state(&m.resume(response(200, ""), at(T0)))["kind"],
        "sent"
    );
}

#[test]
fn certainly_not_delivered_waits_retry_after_then_sends_again() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    let step = m.resume(retry_after(120), at(T0));
    assert_eq!(wait_until(&step), T0 + 120_000);
    assert_eq!(state(&m)["kind"], "retryWait");
    assert_eq!(state(&m)["untilMs"], T0 + 120_000);
    assert_eq!(state(&m)["attempt"], 1);
    assert!(
        state(&m)["reason"]
            .as_str()
            .unwrap()
            .contains("about 2 minutes")
    );
    // Early timer: the same wait.
    assert_eq!(m.resume(Input::Timer, at(T0 + 1)), step);
    assert!(is_ask(&m.resume(Input::Timer, at(T0 + 120_000)), false));
    let step = m.resume(token(), at(T0 + 120_000));
    assert_eq!(call(&step).1, OutboxPurpose::Deliver);
    assert_eq!(m.entry().deliveries, 2);
}

#[test]
fn a_retry_wait_survives_a_stop() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    m.resume(retry_after(60), at(T0));
    let mut again = reload(&m);
    assert_eq!(wait_until(&again.start(at(T0 + 10))), T0 + 60_000);
    assert!(is_ask(&again.start(at(T0 + 60_000)), false));
}

#[test]
fn retries_stop_after_the_outbox_backoff_s_tries() {
    let mut m = machine(email(FakeInbox::default(), None));
    let mut now = T0;
    to_delivering_call(&mut m, now);
    for _ in 0..OUTBOX_BACKOFF.max_attempts {
        now = wait_until(&m.resume(response(429, ""), at(now)));
        m.resume(Input::Timer, at(now));
        m.resume(token(), at(now));
    }
    let step = m.resume(response(429, ""), at(now));
    assert_eq!(failed_code(&step), "gaveUp");
    assert!(
        state(&m)["message"]
            .as_str()
            .unwrap()
            .contains("tried 9 times")
    );
}

#[test]
fn a_refused_secret_is_renewed_once_then_the_email_fails_unsent() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    assert!(is_ask(&m.resume(response(401, ""), at(T0)), true));
    // A 401 means it was not read: no longer sending.
    assert_eq!(state(&m)["kind"], "queued");
    let step = m.resume(token(), at(T0));
    assert_eq!(call(&step).1, OutboxPurpose::Deliver);
    assert_eq!(
        failed_code(&m.resume(response(401, ""), at(T0))),
        "reauthenticate"
    );
    assert_eq!(state(&m)["kind"], "failed");
}

#[test]
fn a_permanent_refusal_fails_with_the_provider_s_words() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    let step = m.resume(response(400, ""), at(T0));
    assert_eq!(failed_code(&step), "tooLarge");
    assert_eq!(
        state(&m),
        json!({"kind": "failed", "code": "tooLarge", "message": "The email is larger than this inbox accepts."})
    );
}

#[test]
fn no_answer_to_the_delivering_call_is_unknown_and_looked_up_after_the_grace() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    let step = m.resume(
        Input::Transport {
            failure: inlay_core::http::TransportFailure::Timeout,
        },
        at(T0 + 30_000),
    );
    assert_eq!(wait_until(&step), T0 + LOOKUP_GRACE_MS);
    assert_eq!(state(&m)["kind"], "unknown");
    assert_eq!(state(&m)["notBeforeMs"], T0 + LOOKUP_GRACE_MS);
    assert!(is_ask(
        &m.resume(Input::Timer, at(T0 + LOOKUP_GRACE_MS)),
        false
    ));
    let step = m.resume(token(), at(T0 + LOOKUP_GRACE_MS));
    assert_eq!(
        call(&step),
        ("https://fake.example/lookup".into(), OutboxPurpose::Lookup)
    );
    assert_eq!(state(&m), json!({"kind": "checking", "lookups": 0}));
    assert_eq!(
        done_state(&m.resume(response(200, "found"), at(T0 + LOOKUP_GRACE_MS))),
        json!({"kind": "sent", "atMs": T0, "providerId": "sent-1", "threadId": null, "byUser": false})
    );
}

#[test]
fn the_lookup_grace_is_the_one_the_build_set() {
    // A stopped worker's `sending`, and an answer lost: both wait the given
    // grace, not the built-in two minutes.
    let grace = 3_000;
    let settings = OutboxSettings {
        lookup_grace_ms: grace,
    };
    let mut m = machine(email(FakeInbox::default(), None)).with_settings(&settings);
    to_delivering_call(&mut m, T0);
    let step = m.resume(
        Input::Transport {
            failure: inlay_core::http::TransportFailure::Timeout,
        },
        at(T0 + 1_000),
    );
    assert_eq!(wait_until(&step), T0 + grace);
    assert_eq!(state(&m)["notBeforeMs"], T0 + grace);
    assert!(is_ask(&m.resume(Input::Timer, at(T0 + grace)), false));
    assert_eq!(
        call(&m.resume(token(), at(T0 + grace))).1,
        OutboxPurpose::Lookup
    );

    let mut m = machine(email(FakeInbox::default(), None)).with_settings(&settings);
    to_delivering_call(&mut m, T0);
    let json = serde_json::to_string(m.entry()).unwrap();
    let mut again = machine(serde_json::from_str(&json).unwrap()).with_settings(&settings);
    assert_eq!(wait_until(&again.start(at(T0 + 500))), T0 + grace);

    // A grace of zero is held at the lowest bound, never a lookup at once.
    let zero = OutboxSettings { lookup_grace_ms: 0 };
    let mut m = machine(email(FakeInbox::default(), None)).with_settings(&zero);
    to_delivering_call(&mut m, T0);
    let step = m.resume(response(503, ""), at(T0));
    assert_eq!(wait_until(&step), T0 + 1_000);
}

/// Drives a fresh machine to its first lookup call after a 5xx of the
/// delivering call.
fn to_lookup(m: &mut M) -> u64 {
    to_delivering_call(m, T0);
    let until = wait_until(&m.resume(response(502, ""), at(T0)));
    m.resume(Input::Timer, at(until));
    let step = m.resume(token(), at(until));
    assert_eq!(call(&step).1, OutboxPurpose::Lookup);
    until
}

#[test]
fn only_a_successful_not_found_sends_again() {
    let mut m = machine(email(FakeInbox::default(), None));
    let now = to_lookup(&mut m);
    assert!(is_ask(&m.resume(response(200, "notFound"), at(now)), false));
    assert_eq!(state(&m)["kind"], "queued");
    let step = m.resume(token(), at(now));
    assert_eq!(call(&step).1, OutboxPurpose::Deliver);
    assert_eq!(m.entry().deliveries, 2);
}

#[test]
fn a_failed_lookup_stays_unknown_and_looks_again_after_a_pause() {
    let mut m = machine(email(FakeInbox::default(), None));
    let now = to_lookup(&mut m);
    let step = m.resume(retry_after(300), at(now));
    assert_eq!(wait_until(&step), now + 300_000);
    assert_eq!(state(&m)["kind"], "unknown");
    assert_eq!(state(&m)["lookups"], 1);
    m.resume(Input::Timer, at(now + 300_000));
    let step = m.resume(token(), at(now + 300_000));
    assert_eq!(call(&step).1, OutboxPurpose::Lookup);
    assert_eq!(state(&m)["lookups"], 1);
}

#[test]
fn lookups_that_keep_failing_end_with_the_user_never_a_resend() {
    let mut m = machine(email(FakeInbox::default(), None));
    let mut now = to_lookup(&mut m);
    for _ in 0..OUTBOX_BACKOFF.max_attempts {
        now = wait_until(&m.resume(response(503, ""), at(now)));
        m.resume(Input::Timer, at(now));
        assert_eq!(call(&m.resume(token(), at(now))).1, OutboxPurpose::Lookup);
    }
    let step = m.resume(response(503, ""), at(now));
    assert_eq!(done_state(&step)["kind"], "needsUser");
    assert!(
        state(&m)["message"]
            .as_str()
            .unwrap()
            .contains("look in your Sent folder")
    );
    assert_eq!(m.entry().deliveries, 1);
}

#[test]
fn an_inbox_that_can_t_be_searched_leaves_it_to_the_user() {
    // The lookup says so...
    let mut m = machine(email(FakeInbox::default(), None));
    let now = to_lookup(&mut m);
    let step = m.resume(response(403, ""), at(now));
    assert_eq!(done_state(&step)["kind"], "needsUser");
    assert!(
        state(&m)["message"]
            .as_str()
            .unwrap()
            .starts_with("Inlay may not read this inbox.")
    );
    // ...or the inbox has no lookup at all.
    let inbox = FakeInbox {
        searchable: false,
        ..Default::default()
    };
    let mut m = machine(email(inbox, None));
    to_delivering_call(&mut m, T0);
    let until = wait_until(&m.resume(response(500, ""), at(T0)));
    assert_eq!(
        done_state(&m.resume(Input::Timer, at(until)))["kind"],
        "needsUser"
    );
}

#[test]
fn a_refused_secret_during_a_lookup_is_renewed_once_then_waits() {
    let mut m = machine(email(FakeInbox::default(), None));
    let now = to_lookup(&mut m);
    assert!(is_ask(&m.resume(response(401, ""), at(now)), true));
    m.resume(token(), at(now));
    let step = m.resume(response(401, ""), at(now));
    assert!(wait_until(&step) >= now);
    assert_eq!(state(&m)["kind"], "unknown");
    assert_eq!(state(&m)["lookups"], 1);
}

#[test]
fn a_worker_stopped_while_sending_looks_up_instead_of_resending() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    // The worker stops: the persisted entry says sending.
    let mut again = reload(&m);
    assert_eq!(state(&again)["kind"], "sending");
    let step = again.start(at(T0 + 5_000));
    assert_eq!(wait_until(&step), T0 + LOOKUP_GRACE_MS);
    assert_eq!(state(&again)["kind"], "unknown");
    assert!(is_ask(
        &again.resume(Input::Timer, at(T0 + LOOKUP_GRACE_MS)),
        false
    ));
    let step = again.resume(token(), at(T0 + LOOKUP_GRACE_MS));
    assert_eq!(call(&step).1, OutboxPurpose::Lookup);
    // Stopped again while checking: the lookup starts over.
    let mut third = reload(&again);
    assert!(is_ask(&third.start(at(T0 + LOOKUP_GRACE_MS + 1)), false));
    assert_eq!(
        call(&third.resume(token(), at(T0 + LOOKUP_GRACE_MS + 1))).1,
        OutboxPurpose::Lookup
    );
}

#[test]
fn a_stopped_handover_is_looked_up_only_after_its_deferred_time() {
    let inbox = FakeInbox {
        defers: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, Some(T0 + 3_600_000)));
    to_delivering_call(&mut m, T0);
    let mut again = reload(&m);
    let after = T0 + 3_600_000 + LOOKUP_GRACE_MS;
    assert_eq!(wait_until(&again.start(at(T0 + 1))), after);
    // The lookup is told the send was deferred (Graph and EWS look where
    // a held email waits too).
    again.resume(Input::Timer, at(after));
    assert_eq!(
        call(&again.resume(token(), at(after))).0,
        format!("https://fake.example/lookup?deferred={}", T0 + 3_600_000)
    );
    // A past-due send on the same inbox is not deferred.
    let inbox = FakeInbox {
        defers: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, Some(T0 - 1)));
    to_delivering_call(&mut m, T0);
    let until = wait_until(&m.resume(response(500, ""), at(T0)));
    assert_eq!(until, T0 + LOOKUP_GRACE_MS);
    m.resume(Input::Timer, at(until));
    assert_eq!(
        call(&m.resume(token(), at(until))).0,
        "https://fake.example/lookup"
    );
}

#[test]
fn no_secret_fails_an_unsent_email_and_pauses_the_lookup_of_a_possibly_sent_one() {
    let mut m = machine(email(FakeInbox::default(), None));
    m.start(at(T0));
    let step = m.resume(
        answer(json!({"kind": "unavailable", "reason": "reauthenticate", "message": "Sign in to ann@acme.example again."})),
        at(T0),
    );
    assert_eq!(failed_code(&step), "reauthenticate");
    assert!(
        state(&m)["message"]
            .as_str()
            .unwrap()
            .ends_with("The email was not sent.")
    );

    let mut m = machine(email(FakeInbox::default(), None));
    let now = to_lookup(&mut m);
    let mut again = reload(&m);
    again.start(at(now));
    let step = again.resume(
        answer(json!({"kind": "unavailable", "reason": "disconnected", "message": "The inbox was disconnected."})),
        at(now),
    );
    // Not an end with a lookup due at once (the worker would wake at once
    // and get the same answer): a pause, as after a failed search.
    assert!(wait_until(&step) > now);
    assert_eq!(state(&again)["kind"], "unknown");
    assert_eq!(state(&again)["lookups"], 1);
    assert_eq!(state(&again)["notBeforeMs"], wait_until(&step));
    assert_eq!(again.entry().deliveries, 1);

    // Between the calls of a plan, after its delivering call: unknown.
    let inbox = FakeInbox {
        deliver_twice: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, None));
    to_delivering_call(&mut m, T0);
    assert!(is_ask(&m.resume(response(200, ""), at(T0)), false));
    let step = m.resume(
        answer(json!({"kind": "unavailable", "reason": "disconnected", "message": "Gone."})),
        at(T0),
    );
    assert_eq!(wait_until(&step), T0 + LOOKUP_GRACE_MS);
    assert_eq!(state(&m)["kind"], "unknown");
}

#[test]
fn unknown_before_anything_delivering_left_is_a_retry() {
    let mut m = machine(email(
        FakeInbox {
            prepare: 1,
            ..Default::default()
        },
        None,
    ));
    let step = to_delivering_call(&mut m, T0);
    assert_eq!(call(&step).1, OutboxPurpose::Prepare);
    let step = m.resume(response(500, ""), at(T0));
    assert!(wait_until(&step) <= T0 + OUTBOX_BACKOFF.ceiling(0));
    assert_eq!(state(&m)["kind"], "retryWait");
    assert_eq!(m.entry().deliveries, 0);
}

#[test]
fn not_found_after_the_last_allowed_delivery_fails_instead() {
    let mut m = machine(email(FakeInbox::default(), None));
    let mut now = to_lookup(&mut m);
    for _ in 1..MAX_DELIVERIES {
        m.resume(response(200, "notFound"), at(now));
        assert_eq!(call(&m.resume(token(), at(now))).1, OutboxPurpose::Deliver);
        now = wait_until(&m.resume(response(500, ""), at(now)));
        m.resume(Input::Timer, at(now));
        m.resume(token(), at(now));
    }
    assert_eq!(m.entry().deliveries, MAX_DELIVERIES);
    assert_eq!(
        failed_code(&m.resume(response(200, "notFound"), at(now))),
        "notDelivered"
    );
}

#[test]
fn a_plan_asking_to_deliver_twice_in_a_run_is_treated_as_unknown() {
    let inbox = FakeInbox {
        deliver_twice: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, None));
    to_delivering_call(&mut m, T0);
    assert!(is_ask(&m.resume(response(200, ""), at(T0)), false));
    let step = m.resume(token(), at(T0));
    assert_eq!(wait_until(&step), T0 + LOOKUP_GRACE_MS);
    assert_eq!(state(&m)["kind"], "unknown");
    assert_eq!(m.entry().deliveries, 1);
}

#[test]
fn helper_calls_are_planned_and_read_like_requests() {
    let inbox = FakeInbox {
        helper: true,
        ..Default::default()
    };
    let mut m = machine(email(inbox, None));
    m.start(at(T0));
    let step = m.resume(
        answer(json!({"kind": "password", "username": "ann", "password": PASSWORD})),
        at(T0),
    );
    assert!(matches!(
        step,
        OutboxStep::Helper {
            purpose: OutboxPurpose::Deliver,
            ..
        }
    ));
    let step = m.resume(
        Input::HelperFailed {
            code: "timeout".into(),
            message: "no answer".into(),
            certificate: None,
        },
        at(T0),
    );
    assert_eq!(state(&m)["kind"], "unknown");
    let until = wait_until(&step);
    m.resume(Input::Timer, at(until));
    m.resume(token(), at(until));
    let step = m.resume(
        Input::HelperReply {
            reply: json!({"body": "found"}),
        },
        at(until),
    );
    assert_eq!(done_state(&step)["kind"], "sent");
}

#[test]
fn settled_states_end_at_start() {
    for (state_json, kind) in [
        (
            json!({"kind": "sent", "atMs": 1, "providerId": null, "threadId": null}),
            "done",
        ),
        (
            json!({"kind": "handedOver", "deliverAtMs": 1, "providerId": null}),
            "done",
        ),
        (json!({"kind": "needsUser", "message": "m"}), "done"),
        (json!({"kind": "cancelled", "atMs": 1}), "done"),
        (json!({"kind": "held", "atMs": 1, "lateByMs": 5}), "done"),
        (
            json!({"kind": "failed", "code": "tooLarge", "message": "m"}),
            "failed",
        ),
    ] {
        let mut entry = email(FakeInbox::default(), None);
        entry.state = serde_json::from_value(state_json.clone()).unwrap();
        let mut m = machine(entry);
        let step = serde_json::to_value(m.start(at(T0))).unwrap();
        assert_eq!(step["kind"], kind, "{state_json}");
        assert_eq!(
            m.entry().state,
            serde_json::from_value::<OutboxState>(state_json).unwrap()
        );
    }
}

#[test]
fn an_input_out_of_order_stops_the_run_and_keeps_the_state() {
    let mut m = machine(email(FakeInbox::default(), None));
    to_delivering_call(&mut m, T0);
    // A timer while the delivering call is out.
    let step = m.resume(Input::Timer, at(T0));
    assert_eq!(failed_code(&step), "unexpectedInput");
    assert_eq!(state(&m)["kind"], "sending");
    // Resumed without a start: nothing to do.
    let mut fresh = reload(&m);
    assert_eq!(
        failed_code(&fresh.resume(token(), at(T0))),
        "unexpectedInput"
    );
}

#[test]
fn the_persisted_entry_never_holds_a_secret() {
    // Through a full path with a token, a password and a refused secret.
    let mut m = machine(email(
        FakeInbox {
            prepare: 1,
            ..Default::default()
        },
        None,
    ));
    let mut saved = vec![];
    let mut keep = |m: &M| saved.push(serde_json::to_string(m.entry()).unwrap());
    let step = to_delivering_call(&mut m, T0);
    // The call carries it, as it must...
    assert!(serde_json::to_string(&step).unwrap().contains(TOKEN));
    keep(&m);
    m.resume(response(200, ""), at(T0));
    keep(&m);
    m.resume(
        answer(json!({"kind": "password", "username": "ann", "password": PASSWORD})),
        at(T0),
    );
    keep(&m);
    m.resume(response(401, ""), at(T0));
    keep(&m);
    m.resume(token(), at(T0));
    keep(&m);
    m.resume(response(504, ""), at(T0));
    keep(&m);
    // ...the entry never does.
    for json in &saved {
        assert!(!json.contains("SECRET"), "{json}");
    }
    assert_eq!(
        format!(
            "{:?}",
            serde_json::from_value::<inlay_core::outbox::SecretAnswer>(
                json!({"kind": "bearer", "token": TOKEN})
            )
            .unwrap()
        ),
        "Bearer(<secret>)"
    );
}
