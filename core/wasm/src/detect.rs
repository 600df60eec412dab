//! Bindings for detection (`inlay_core::detect::Detector`), a machine of the
//! one calling convention, as a handle. Conversion only.

use wasm_bindgen::prelude::*;

use crate::machine_handle::machine_handle;

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
}

machine_handle!(DetectMachine);
