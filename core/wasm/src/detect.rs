//! Bindings for detection (`inlay_core::detect::Detector`), a machine of the
//! one calling convention. Conversion only.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, to_js};

use inlay_core::detect::Detector;
use inlay_core::machine::{Input, Machine, Moment, NoQuestion, StepOf};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetectorAndStep {
    detector: Detector,
    step: StepOf<Detector>,
}

/// `detectionStart(address, now) -> {detector, step}`: step is
/// `{kind: "done", result: Detection}` (a consumer domain),
/// `{kind: "http", request, purpose: "mxLookup"}` or, for an invalid address,
/// `{kind: "failed", error: {code, message}}`.
#[wasm_bindgen(js_name = detectionStart)]
pub fn detection_start(address: &str, now: f64) -> Result<JsValue, JsValue> {
    let mut detector = Detector::new(address);
    let step = detector.start(Moment::from_shell(now, &[]));
    to_js(&DetectorAndStep { detector, step })
}

/// `detectionResume(detector, input, now) -> {detector, step}` with the MX
/// request's outcome (`{kind: "response", response}` or `{kind: "transport",
/// failure}`); step is `done` or `failed`.
#[wasm_bindgen(js_name = detectionResume)]
pub fn detection_resume(detector: JsValue, input: JsValue, now: f64) -> Result<JsValue, JsValue> {
    let mut detector: Detector = arg(detector, "detector")?;
    let input: Input<NoQuestion> = arg(input, "input")?;
    let step = detector.resume(input, Moment::from_shell(now, &[]));
    to_js(&DetectorAndStep { detector, step })
}
