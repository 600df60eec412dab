//! The outbox binding: the entry as JSON text the worker stores, the
//! machine as a handle whose every turn is `{step, state, view}`, the
//! user's choices and the due check; refusals thrown as `{code, message}`.

mod support;

use support::{get, js, json_of, text};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const T0: f64 = 1.78e12;
const T0_MS: u64 = 1_780_000_000_000;
const RANDOM: [u8; 32] = [7; 32];
const TOKEN: &str = "ya29.SECRET-token";
const MIME: &[u8] = b"Message-ID: <m1@acme.example>\r\nFrom: ann@acme.example\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";

fn create(scheduled: Option<f64>) -> String {
    inlay_wasm::outbox_create(js(serde_json::json!({
        "id": "ob-1",
        "target": {"kind": "google", "grantedScopes": ["https://www.googleapis.com/auth/gmail.modify"]},
        "messageId": "<m1@acme.example>",
        "envelopeFrom": "ann@acme.example",
        "recipients": ["bob@example.com"],
        "threadId": null,
        "subject": "Hi",
        "scheduledAtMs": scheduled,
        "createdAtMs": T0,
    })))
    .unwrap()
}

fn state_kind(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json).unwrap()["state"]["kind"]
        .as_str()
        .unwrap()
        .to_string()
}

#[wasm_bindgen_test]
fn an_email_is_sent_through_the_machine_handle_and_its_state_is_stored_before_the_call() {
    let json = create(None);
    assert_eq!(
        text(&inlay_wasm::outbox_view(&json).unwrap(), "state.kind"),
        "queued"
    );
    let mut machine = inlay_wasm::OutboxMachine::new(&json, MIME.to_vec(), None, None).unwrap();
    let turn = machine.start(T0, &RANDOM).unwrap();
    assert_eq!(
        json_of(&get(&turn, "step")),
        serde_json::json!({"kind": "ask", "question": {"secret": {"rejected": false}}})
    );
    let answer =
        js(serde_json::json!({"kind": "answer", "answer": {"kind": "bearer", "token": TOKEN}}));
    let turn = machine.resume(answer, T0, &RANDOM).unwrap();
    assert_eq!(text(&turn, "step.kind"), "http");
    assert_eq!(text(&turn, "step.purpose"), "deliver");
    assert!(text(&turn, "step.request.url").contains("messages/send"));
    assert_eq!(get(&turn, "view.sending"), JsValue::TRUE);
    let stored = text(&turn, "state");
    assert_eq!(state_kind(&stored), "sending");
    assert!(!stored.contains("SECRET"), "{stored}");

    // The worker stops here: a new handle on the stored state looks it up
    // after the grace instead of sending again.
    let mut again = inlay_wasm::OutboxMachine::new(&stored, MIME.to_vec(), None, None).unwrap();
    let turn = again.start(T0 + 1_000.0, &RANDOM).unwrap();
    assert_eq!(text(&turn, "step.kind"), "wait");
    assert_eq!(text(&turn, "view.state.kind"), "unknown");

    // The first handle gets Gmail's answer.
    let response = js(serde_json::json!({"kind": "response", "response": {
        "status": 200, "headers": [["content-type", "application/json"]],
        "body": "{\"id\":\"gm-1\",\"threadId\":\"th-1\"}"}}));
    let turn = machine.resume(response, T0 + 500.0, &RANDOM).unwrap();
    assert_eq!(text(&turn, "step.kind"), "done");
    assert_eq!(text(&turn, "step.result.kind"), "sent");
    assert_eq!(text(&turn, "step.result.providerId"), "gm-1");
    assert_eq!(text(&turn, "view.words"), "Sent.");
}

#[wasm_bindgen_test]
fn choices_return_the_new_entry_or_throw_in_words() {
    let json = create(Some(T0 + 60_000.0));
    let moved = inlay_wasm::outbox_reschedule(&json, T0 + 120_000.0).unwrap();
    assert_eq!(
        json_of(&get(&inlay_wasm::outbox_view(&moved).unwrap(), "state")),
        serde_json::json!({"kind": "scheduled", "atMs": T0_MS + 120_000})
    );
    let cancelled = inlay_wasm::outbox_cancel(&moved, T0).unwrap();
    assert_eq!(state_kind(&cancelled), "cancelled");
    let err = inlay_wasm::outbox_mark_sent(&cancelled).unwrap_err();
    assert_eq!(text(&err, "code"), "notInDoubt");
    let err = inlay_wasm::outbox_send_again(&cancelled).unwrap_err();
    assert_eq!(text(&err, "code"), "cancelled");
    assert!(text(&err, "message").contains("wasn't sent"));
    let err = inlay_wasm::outbox_view("{\"id\": 1}").unwrap_err();
    assert_eq!(text(&err, "code"), "invalidArgument");
}

#[wasm_bindgen_test]
fn the_due_check_returns_what_to_do_and_the_entry_afterwards() {
    let json = create(Some(T0));
    let policy = js(serde_json::json!({"late": "holdForReview", "sentAtMs": []}));
    let checked = inlay_wasm::outbox_due(&json, T0 + 3_600_000.0, policy).unwrap();
    assert_eq!(
        json_of(&get(&checked, "due")),
        serde_json::json!({"kind": "hold", "lateByMs": 3_600_000})
    );
    assert_eq!(state_kind(&text(&checked, "json")), "held");
    let policy = js(serde_json::json!({"late": "sendLate", "sentAtMs": [T0 - 1_000.0]}));
    let checked = inlay_wasm::outbox_due(&json, T0 + 1_000.0, policy).unwrap();
    // The inbox sent a second ago: a scheduled email waits its 30 s stagger.
    assert_eq!(
        json_of(&get(&checked, "due"))["atMs"],
        serde_json::json!(T0_MS + 29_000)
    );
}
