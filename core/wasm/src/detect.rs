//! Bindings for detection (`inlay_core::detect::Detector`), a machine of the
//! one calling convention, as a handle. Conversion only.

use wasm_bindgen::prelude::*;

use crate::convert::{resume_step, start_step};

use inlay_core::detect::Detector;

/// `new DetectMachine(address)`: detection as a handle whose state stays
/// inside the module for as long as the worker drives it (JS never reads it
/// back). `start(nowMs, random)` once, then `resume(input, nowMs, random)` with the MX
/// request's outcome (`{kind: "response", response}` or `{kind: "transport",
/// failure}`); each returns the step: `{kind: "done", result: Detection}` (a
/// consumer domain), `{kind: "http", request, purpose: "mxLookup"}` or, for an
/// invalid address, `{kind: "failed", error: {code, message}}`. The shell
/// calls `free()` once detection has ended.
#[wasm_bindgen]
pub struct DetectMachine(Detector);

#[wasm_bindgen]
impl DetectMachine {
    #[wasm_bindgen(constructor)]
    pub fn new(address: &str) -> DetectMachine {
        DetectMachine(Detector::new(address))
    }

    pub fn start(&mut self, now_ms: f64, random: &[u8]) -> Result<JsValue, JsValue> {
        start_step(&mut self.0, now_ms, random)
    }

    pub fn resume(
        &mut self,
        input: JsValue,
        now_ms: f64,
        random: &[u8],
    ) -> Result<JsValue, JsValue> {
        resume_step(&mut self.0, input, now_ms, random)
    }
}
