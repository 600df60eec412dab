//! Reading JS values in binding tests: build them from JSON, walk them by a
//! dotted path, and store them as the worker does (JSON between steps).
#![allow(dead_code)] // each test file uses a different subset

use wasm_bindgen::JsValue;

pub fn js(value: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("valid JSON")
}

pub fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .map(String::from)
        .unwrap_or_default()
}

pub fn json_of(value: &JsValue) -> serde_json::Value {
    serde_json::from_str(&stringify(value)).expect("JSON-compatible value")
}

/// `a.b.0.c`: object fields and array indexes.
pub fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, name| {
        let key = match name.parse::<u32>() {
            Ok(i) => JsValue::from(i),
            Err(_) => JsValue::from_str(name),
        };
        js_sys::Reflect::get(&v, &key).unwrap_or(JsValue::UNDEFINED)
    })
}

pub fn text(value: &JsValue, path: &str) -> String {
    get(value, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string in {}", stringify(value)))
}

pub fn number(value: &JsValue, path: &str) -> f64 {
    get(value, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number in {}", stringify(value)))
}

/// What the worker does between steps: keep the state as JSON.
pub fn stored(value: &JsValue) -> JsValue {
    js_sys::JSON::parse(&stringify(value)).unwrap()
}

/// A handle's step as `{step}`, so a test reads it at the same paths
/// (`step.kind`, …) as the `{machine, step}` pairs the bindings returned.
pub fn stepped(step: JsValue) -> JsValue {
    let pair = js_sys::Object::new();
    js_sys::Reflect::set(&pair, &JsValue::from_str("step"), &step).unwrap();
    pair.into()
}
