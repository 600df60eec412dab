//! Bindings for what Exchange and IMAP share as password inboxes
//! (`inlay_core::connect` password helpers). Conversion only.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::to_js;

use inlay_core::connect::{NO_PASSWORD, cancelled_connect, sign_in_name};

#[derive(Serialize)]
struct Failure {
    code: &'static str,
    message: String,
}

/// `passwordUsername(username, address) -> string`: the username to sign in
/// with: the one typed (null or blank: none), else the address.
#[wasm_bindgen(js_name = passwordUsername)]
pub fn password_username(username: Option<String>, address: &str) -> String {
    sign_in_name(username.as_deref(), address)
}

/// `passwordMissing() -> {code: "noPassword", message}`: a check of an inbox
/// whose stored password is gone.
#[wasm_bindgen(js_name = passwordMissing)]
pub fn password_missing() -> Result<JsValue, JsValue> {
    to_js(&Failure {
        code: "noPassword",
        message: NO_PASSWORD.into(),
    })
}

/// `passwordCancelled(address) -> {code: "cancelled", message}`: the user
/// cancelled a password connect; nothing was saved.
#[wasm_bindgen(js_name = passwordCancelled)]
pub fn password_cancelled(address: &str) -> Result<JsValue, JsValue> {
    to_js(&Failure {
        code: "cancelled",
        message: cancelled_connect(address),
    })
}
