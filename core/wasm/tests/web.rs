//! Tests at the WASM boundary: what JS gets back from the binding.

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).expect("object field")
}

#[wasm_bindgen_test]
fn version_matches_the_core() {
    assert_eq!(inlay_wasm::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn valid_request_comes_back_as_a_plain_object() {
    let req = inlay_wasm::parse_request("contentScript", r#"{"type":"ping"}"#).unwrap();
    assert_eq!(
        field(&req, "caller").as_string().as_deref(),
        Some("contentScript")
    );
    let inner = field(&req, "request");
    assert_eq!(field(&inner, "type").as_string().as_deref(), Some("ping"));
}

#[wasm_bindgen_test]
fn refused_request_is_an_error_object_with_code_and_message() {
    let err = inlay_wasm::parse_request("contentScript", r#"{"type":"readTokens"}"#).unwrap_err();
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("invalidMessage")
    );
    assert!(
        field(&err, "message")
            .as_string()
            .unwrap()
            .contains("readTokens")
    );
}

#[wasm_bindgen_test]
fn unknown_caller_kind_is_refused_with_code_and_message() {
    for err in [
        inlay_wasm::parse_request("webPage", r#"{"type":"ping"}"#).unwrap_err(),
        inlay_wasm::message_limit("webPage").unwrap_err(),
    ] {
        assert_eq!(
            field(&err, "code").as_string().as_deref(),
            Some("invalidArgument")
        );
        let message = field(&err, "message").as_string().unwrap();
        assert!(message.contains("webPage"), "{message}");
    }
}
