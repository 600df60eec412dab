//! Bindings for the outbox (`inlay_core::outbox` over `send::SendTarget`).
//! Conversion only.
//!
//! The entry crosses as JSON text the worker stores and hands back without
//! reading it; what the worker reads is the view (`outboxView`, and `view`
//! in every machine turn). Refusals are thrown as `{code, message}`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};

use inlay_core::machine::{Input, Machine, Moment};
use inlay_core::outbox::{
    self, Due, DuePolicy, NewEmail, OutboxEntry, OutboxError, OutboxSettings, OutboxStep, OutboxView,
    SecretAnswer,
};
use inlay_core::send::SendTarget;

type Entry = OutboxEntry<SendTarget>;

/// Reads a stored entry; anything else is thrown as `invalidArgument`.
fn read(json: &str) -> Result<Entry, JsValue> {
    serde_json::from_str(json).map_err(|e| {
        thrown(OutboxError::new(
            "invalidArgument",
            format!("The outbox entry isn't one Inlay wrote: {e}"),
        ))
    })
}

fn write(entry: &Entry) -> Result<String, JsValue> {
    serde_json::to_string(entry).map_err(|e| {
        thrown(OutboxError::new(
            "internal",
            format!(
                "Inlay couldn't store an outbox entry ({e}). Please report this to Inlay's support."
            ),
        ))
    })
}

/// A time from JS (ms since the epoch) as the core's integer.
fn millis(ms: f64) -> u64 {
    Moment::from_shell(ms, &[]).now_ms
}

/// An entry after a user's choice, or the refusal thrown.
fn chosen(
    json: &str,
    choice: impl FnOnce(&mut Entry) -> Result<(), OutboxError>,
) -> Result<String, JsValue> {
    let mut entry = read(json)?;
    choice(&mut entry).map_err(thrown)?;
    write(&entry)
}

/// `outboxCreate(request: NewEmail<SendTarget>) -> entry JSON`: scheduled
/// when `scheduledAtMs` is set, else queued.
#[wasm_bindgen(js_name = outboxCreate)]
pub fn outbox_create(request: JsValue) -> Result<String, JsValue> {
    let email: NewEmail<SendTarget> = arg(request, "request")?;
    write(&OutboxEntry::new(email))
}

/// `outboxView(json) -> OutboxView`.
#[wasm_bindgen(js_name = outboxView)]
pub fn outbox_view(json: &str) -> Result<JsValue, JsValue> {
    to_js(&outbox::view(&read(json)?))
}

/// `outboxCancel(json, nowMs) -> json`; throws `{code, message}` once it
/// may have left.
#[wasm_bindgen(js_name = outboxCancel)]
pub fn outbox_cancel(json: &str, now_ms: f64) -> Result<String, JsValue> {
    chosen(json, |e| outbox::cancel(e, millis(now_ms)))
}

/// `outboxReschedule(json, atMs) -> json`.
#[wasm_bindgen(js_name = outboxReschedule)]
pub fn outbox_reschedule(json: &str, at_ms: f64) -> Result<String, JsValue> {
    chosen(json, |e| outbox::reschedule(e, millis(at_ms)))
}

/// `outboxMarkSent(json) -> json`: the user found it in Sent.
#[wasm_bindgen(js_name = outboxMarkSent)]
pub fn outbox_mark_sent(json: &str) -> Result<String, JsValue> {
    chosen(json, outbox::mark_sent)
}

/// `outboxSendAgain(json) -> json`: the user's explicit "send it again".
#[wasm_bindgen(js_name = outboxSendAgain)]
pub fn outbox_send_again(json: &str) -> Result<String, JsValue> {
    chosen(json, outbox::send_again)
}

/// `outboxDue(json, nowMs, policy) -> {due, json}`: what to do now, and the
/// entry afterwards (marked late, or held: store it when it changed).
#[wasm_bindgen(js_name = outboxDue)]
pub fn outbox_due(json: &str, now_ms: f64, policy: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Checked {
        due: Due,
        json: String,
    }
    let policy: DuePolicy = arg(policy, "policy")?;
    let mut entry = read(json)?;
    let due = outbox::due(&mut entry, millis(now_ms), &policy);
    to_js(&Checked {
        due,
        json: write(&entry)?,
    })
}

/// One turn of the machine: the step, the entry to store before running
/// it, and its view.
#[derive(Serialize)]
struct Turn {
    step: OutboxStep,
    state: String,
    view: OutboxView,
}

/// `new OutboxMachine(json, mime, transmitted?, lookupGraceMs?)`: one
/// email's outbox machine as a handle, with the bytes the worker stored
/// beside the entry and the build's lookup grace (the settings' `outbox`,
/// read by `readSettings`; the built-in 2 minutes without it).
/// `start(nowMs, random)` goes on from the stored state (a stored `sending`
/// is looked up, never resent); `resume(input, nowMs, random)` with what
/// happened to the step. Each returns `{step, state, view}`: store `state`
/// before running `step`. The worker calls `free()` when done with it.
#[wasm_bindgen]
pub struct OutboxMachine(outbox::OutboxMachine<SendTarget>);

#[wasm_bindgen]
impl OutboxMachine {
    #[wasm_bindgen(constructor)]
    pub fn new(
        json: &str,
        mime: Vec<u8>,
        transmitted: Option<Vec<u8>>,
        lookup_grace_ms: Option<f64>,
    ) -> Result<OutboxMachine, JsValue> {
        let mut settings = OutboxSettings::default();
        if let Some(ms) = lookup_grace_ms {
            settings.lookup_grace_ms = millis(ms);
        }
        Ok(OutboxMachine(
            outbox::OutboxMachine::new(read(json)?, mime, transmitted).with_settings(&settings),
        ))
    }

    pub fn start(&mut self, now_ms: f64, random: &[u8]) -> Result<JsValue, JsValue> {
        let step = self.0.start(Moment::from_shell(now_ms, random));
        self.turn(step)
    }

    pub fn resume(
        &mut self,
        input: JsValue,
        now_ms: f64,
        random: &[u8],
    ) -> Result<JsValue, JsValue> {
        let input: Input<SecretAnswer> = arg(input, "input")?;
        let step = self.0.resume(input, Moment::from_shell(now_ms, random));
        self.turn(step)
    }

    fn turn(&self, step: OutboxStep) -> Result<JsValue, JsValue> {
        let entry = self.0.entry();
        to_js(&Turn {
            step,
            state: write(entry)?,
            view: outbox::view(entry),
        })
    }
}
