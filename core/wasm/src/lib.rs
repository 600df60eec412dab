//! JS bindings for `inlay-core`. Conversion only: no logic lives here.

use wasm_bindgen::prelude::*;

/// The core's version string.
#[wasm_bindgen]
pub fn version() -> String {
    inlay_core::VERSION.to_string()
}
