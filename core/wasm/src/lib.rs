//! JS bindings for `inlay-core`. Conversion only: no logic lives here.
//!
//! Values cross as plain JS objects through serde-wasm-bindgen; errors cross
//! as `{code, message}` objects so the shell can show the core's own words.

use wasm_bindgen::prelude::*;

use convert::to_js;

use inlay_core::rpc;

mod connect;
mod convert;
mod ews;
mod mailconfig;
mod message;
pub use connect::*;
pub use ews::*;
pub use mailconfig::*;
pub use message::*;

/// The core's version string.
#[wasm_bindgen]
pub fn version() -> String {
    inlay_core::VERSION.to_string()
}

/// Validates a message sent to the worker. `caller` is "contentScript" or
/// "extensionPage"; `json` is the message as the sender produced it.
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(caller: &str, json: &str) -> Result<JsValue, JsValue> {
    let caller = match caller {
        "contentScript" => rpc::Caller::ContentScript,
        "extensionPage" => rpc::Caller::ExtensionPage,
        other => return Err(JsValue::from_str(&format!("unknown caller kind {other:?}"))),
    };
    match rpc::parse_request(caller, json) {
        Ok(request) => to_js(&request),
        Err(error) => Err(to_js(&error)?),
    }
}

/// `hostPattern(url) -> string | null`: the browser's host-permission pattern
/// (`scheme://host/*`) for an http(s) URL, null for anything else.
#[wasm_bindgen(js_name = hostPattern)]
pub fn host_pattern(url: &str) -> Option<String> {
    inlay_core::http::host_pattern(url)
}
