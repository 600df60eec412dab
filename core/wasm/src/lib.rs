//! JS bindings for `inlay-core`. Conversion only: no logic lives here.
//!
//! Values cross as plain JS objects through serde-wasm-bindgen; errors cross
//! as `{code, message}` objects so the shell can show the core's own words.
//!
//! Built once per family (Cargo features `start`, `connect`, `mail`, `crm`, `send`, `compose`;
//! build.sh):
//! each module exports only its family's functions.

use wasm_bindgen::prelude::*;

#[cfg(feature = "start")]
use convert::to_js;

#[cfg(feature = "start")]
use inlay_core::rpc;

#[cfg(feature = "connect")]
mod accounts;
#[cfg(feature = "compose")]
mod compose;
#[cfg(feature = "connect")]
mod connect;
#[cfg(feature = "crm")]
mod crm;
// Each family's build uses only part of the conversions.
#[cfg_attr(not(all(feature = "start", feature = "connect", feature = "mail")), allow(dead_code))]
mod convert;
#[cfg(feature = "connect")]
mod detect;
#[cfg(feature = "connect")]
mod ews;
#[cfg(feature = "connect")]
mod imap;
// The machine handles' start and resume (`machine_handle!`); a family with a
// handle of its own joins this cfg.
#[cfg(feature = "connect")]
mod machine_handle;
#[cfg(feature = "mail")]
mod message;
#[cfg(feature = "send")]
mod outbox;
#[cfg(feature = "connect")]
mod password;
#[cfg(feature = "connect")]
pub use accounts::*;
#[cfg(feature = "compose")]
pub use compose::*;
#[cfg(feature = "connect")]
pub use connect::*;
#[cfg(feature = "crm")]
pub use crm::*;
#[cfg(feature = "connect")]
pub use detect::*;
#[cfg(feature = "connect")]
pub use ews::*;
#[cfg(feature = "connect")]
pub use imap::*;
#[cfg(feature = "mail")]
pub use message::*;
#[cfg(feature = "send")]
pub use outbox::*;
#[cfg(feature = "connect")]
pub use password::*;

#[wasm_bindgen]
extern "C" {
    /// The browser's WHATWG URL parser: it has the IDNA tables the core leaves
    /// out of the module (see `inlay_core::idn`).
    #[wasm_bindgen(js_name = URL)]
    type BrowserUrl;
    #[wasm_bindgen(constructor, catch, js_class = "URL")]
    fn new(text: &str) -> Result<BrowserUrl, JsValue>;
    #[wasm_bindgen(constructor, catch, js_class = "URL")]
    fn new_with_base(text: &str, base: &str) -> Result<BrowserUrl, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn href(this: &BrowserUrl) -> String;
}

fn browser_url(text: &str, base: Option<&str>) -> Option<String> {
    let url = match base {
        Some(base) => BrowserUrl::new_with_base(text, base),
        None => BrowserUrl::new(text),
    };
    Some(url.ok()?.href())
}

/// Runs once when the module is instantiated, before any call into it.
#[wasm_bindgen(start)]
fn start() {
    install_url_parser();
}

/// Hands the core's international domain names to the browser's URL parser.
/// The module's start does this; wasm-bindgen-test runs no start function,
/// so the binding's tests call it themselves.
#[doc(hidden)]
pub fn install_url_parser() {
    inlay_core::idn::set_url_parser(browser_url);
}

/// The core's version string.
#[wasm_bindgen]
pub fn version() -> String {
    inlay_core::VERSION.to_string()
}

/// The core's `Caller` read by its serde names; anything else is thrown as
/// `{code: "invalidArgument", message}` like every other argument.
#[cfg(feature = "start")]
fn caller_kind(caller: &str) -> Result<rpc::Caller, JsValue> {
    convert::arg(JsValue::from_str(caller), "caller")
}

/// Validates a message sent to the worker. `caller` is "contentScript" or
/// "extensionPage"; `json` is the message as the sender produced it.
#[cfg(feature = "start")]
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(caller: &str, json: &str) -> Result<JsValue, JsValue> {
    let caller = caller_kind(caller)?;
    match rpc::parse_request(caller, json) {
        Ok(request) => to_js(&request),
        Err(error) => Err(to_js(&error)?),
    }
}

/// `messageLimit(caller) -> {maxBytes, refusal: {code, message}}`: the
/// caller's size limit, and the refusal for a message known to exceed it.
#[cfg(feature = "start")]
#[wasm_bindgen(js_name = messageLimit)]
pub fn message_limit(caller: &str) -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limit {
        max_bytes: usize,
        refusal: rpc::RpcError,
    }
    let caller = caller_kind(caller)?;
    to_js(&Limit {
        max_bytes: rpc::max_message_bytes(caller),
        refusal: rpc::too_large(caller),
    })
}

/// `hostPattern(url) -> string | null`: the browser's host-permission pattern
/// (`scheme://host/*`) for an http(s) URL, null for anything else.
#[cfg(feature = "connect")]
#[wasm_bindgen(js_name = hostPattern)]
pub fn host_pattern(url: &str) -> Option<String> {
    inlay_core::http::host_pattern(url)
}
