//! Moving values across the boundary: plain JSON-compatible JS objects in and
//! out, errors thrown as `{code, message, …}` objects. Shared by every binding.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use inlay_core::connect::FlowError;
use inlay_core::machine::{Input, Machine, Moment, StepOf};

/// A value as a plain JS object; a value JS can't hold exactly (a time
/// beyond 2^53) is thrown as `{code: "internal", message}`.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            thrown(FlowError::new(
                "internal",
                format!("Inlay couldn't hand a result to the extension ({e}). Please report this to Inlay's support."),
            ))
        })
}

/// An error (any core error type with `code` and `message`) as the thrown
/// object; one that cannot be handed over is thrown as `{code: "internal",
/// message}` (two strings, which always serialise).
pub(crate) fn thrown<E: Serialize>(error: E) -> JsValue {
    let plain = serde_wasm_bindgen::Serializer::json_compatible();
    error.serialize(&plain).unwrap_or_else(|e| {
        FlowError::new(
            "internal",
            format!("Inlay couldn't hand an error to the extension ({e}). Please report this to Inlay's support."),
        )
        .serialize(&plain)
        .unwrap_or(JsValue::NULL)
    })
}

/// Reads argument `name`; a wrong shape is thrown as `invalidArgument`.
pub(crate) fn arg<T: DeserializeOwned>(value: JsValue, name: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        thrown(FlowError::new(
            "invalidArgument",
            format!("The argument {name} doesn't have the expected shape: {e}"),
        ))
    })
}

/// A machine handle's first step, handed with the machine to `reply`.
pub(crate) fn start_step<M: Machine>(
    machine: &mut M,
    now_ms: f64,
    random: &[u8],
    reply: impl FnOnce(&M, &StepOf<M>) -> Result<JsValue, JsValue>,
) -> Result<JsValue, JsValue> {
    let step = machine.start(Moment::from_shell(now_ms, random));
    reply(machine, &step)
}

/// A machine handle's next step after `input`, handed with the machine to
/// `reply` (a misshapen input is thrown as `invalidArgument`).
pub(crate) fn resume_step<M: Machine>(
    machine: &mut M,
    input: JsValue,
    now_ms: f64,
    random: &[u8],
    reply: impl FnOnce(&M, &StepOf<M>) -> Result<JsValue, JsValue>,
) -> Result<JsValue, JsValue>
where
    Input<M::Answer>: DeserializeOwned,
{
    let input: Input<M::Answer> = arg(input, "input")?;
    let step = machine.resume(input, Moment::from_shell(now_ms, random));
    reply(machine, &step)
}

/// What most handles return: the step alone, as a plain JS object.
pub(crate) fn step_only<M, S: Serialize>(_machine: &M, step: &S) -> Result<JsValue, JsValue> {
    to_js(step)
}
