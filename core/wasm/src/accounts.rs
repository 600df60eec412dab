//! Bindings for the stored inboxes outside a connect: their identity, what an
//! interrupted one returns to, and which record survives a merge. Conversion
//! only: every rule is `inlay_core`'s.

use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};

use inlay_core::accounts::{self, ConnectionState, policy};
use inlay_core::connect::FlowError;
use inlay_core::detect;

/// `mailboxId(address) -> string`: the id the store keys an inbox by, one
/// per mailbox (`a.da@gmail.com` and `ada@gmail.com` give `ada@gmail.com`).
#[wasm_bindgen(js_name = mailboxId)]
pub fn mailbox_id(address: &str) -> String {
    detect::mailbox_id(address)
}

/// `inboxAfterInterruption(state) -> ConnectionState | null`: the state an
/// inbox found mid-flow at the worker's start returns to; null when it is
/// not mid-flow.
#[wasm_bindgen(js_name = inboxAfterInterruption)]
pub fn inbox_after_interruption(state: JsValue) -> Result<JsValue, JsValue> {
    let state: ConnectionState = arg(state, "state")?;
    match accounts::after_interruption(&state) {
        Some(next) => to_js(&next),
        None => Ok(JsValue::NULL),
    }
}

/// `holdsCredentials(state) -> boolean`: the inbox holds tokens or a
/// password and no flow is under way (connected or needing the user).
#[wasm_bindgen(js_name = holdsCredentials)]
pub fn holds_credentials(state: JsValue) -> Result<bool, JsValue> {
    let state: ConnectionState = arg(state, "state")?;
    Ok(state.holds_credentials())
}

/// `survivingRecord(states) -> number | undefined`: of several stored records
/// of one mailbox, the index of the one to keep; undefined for an empty list.
#[wasm_bindgen(js_name = survivingRecord)]
pub fn surviving_record(states: JsValue) -> Result<Option<u32>, JsValue> {
    let states: Vec<ConnectionState> = arg(states, "states")?;
    Ok(accounts::surviving_record(&states).map(|i| i as u32))
}

/// `readSettings(build, policy) -> {settings, ignored: [{key, message}]}`:
/// the build's config.json overridden by the admin's managed policy, and what
/// of the policy was ignored for its shape, in words. Both arrive as JSON
/// text (`JSON.stringify`), read by the serde_json the module has anyway:
/// any JS value read as a `serde_json::Value` cost the module 1.5 KB gzip.
#[wasm_bindgen(js_name = readSettings)]
pub fn read_settings(build: &str, policy: &str) -> Result<JsValue, JsValue> {
    let build = json(build, "build")?;
    let policy = json(policy, "policy")?;
    to_js(&accounts::read_settings(&build, &policy))
}

/// Argument `name` as JSON text; unreadable text is thrown as
/// `invalidArgument`.
fn json(text: &str, name: &str) -> Result<policy::Json, JsValue> {
    serde_json::from_str(text).map_err(|e| {
        thrown(FlowError::new(
            "invalidArgument",
            format!("The argument {name} isn't JSON text: {e}"),
        ))
    })
}
