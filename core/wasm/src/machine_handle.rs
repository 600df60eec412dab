//! The one calling convention's `start` and `resume`, written once for every
//! machine handle.

/// `machine_handle!(Handle)` declares `start(nowMs, random)` and
/// `resume(input, nowMs, random)` for a `#[wasm_bindgen] pub struct Handle(M)`
/// whose `M` is a core `Machine`, each returning the step as a plain JS
/// object. `machine_handle!(Handle, reply)` returns `reply(&machine, &step)`
/// instead, a `fn(&M, &StepOf<M>) -> Result<JsValue, JsValue>` (the connect
/// flow's `{step, accountState}`).
///
/// A macro, not a trait or a generic impl: wasm-bindgen exports only methods
/// written out in a `#[wasm_bindgen] impl` block of the exported type itself,
/// so every handle would otherwise repeat the same two methods. It expands to
/// an `impl` block of its own beside the handle's (constructor and other
/// methods); wasm-bindgen takes several.
macro_rules! machine_handle {
    ($handle:ident) => {
        $crate::machine_handle::machine_handle!($handle, $crate::convert::step_only);
    };
    ($handle:ident, $reply:path) => {
        #[::wasm_bindgen::prelude::wasm_bindgen]
        impl $handle {
            pub fn start(
                &mut self,
                now_ms: f64,
                random: &[u8],
            ) -> Result<::wasm_bindgen::JsValue, ::wasm_bindgen::JsValue> {
                $crate::convert::start_step(&mut self.0, now_ms, random, $reply)
            }

            pub fn resume(
                &mut self,
                input: ::wasm_bindgen::JsValue,
                now_ms: f64,
                random: &[u8],
            ) -> Result<::wasm_bindgen::JsValue, ::wasm_bindgen::JsValue> {
                $crate::convert::resume_step(&mut self.0, input, now_ms, random, $reply)
            }
        }
    };
}

pub(crate) use machine_handle;
