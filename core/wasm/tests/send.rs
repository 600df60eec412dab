//! Composing an email as JavaScript sees it (the `compose` module's exports).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).expect("object field")
}

fn js(json: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&json.to_string()).unwrap()
}

fn input(bcc: bool) -> JsValue {
    let mut input = serde_json::json!({
        "from": { "name": "Bob Seller", "address": "bob@inlay.example" },
        "allowedFrom": ["bob@inlay.example"],
        "to": [{ "name": "Ann", "address": "ann@example.com" }],
        "subject": "Hi {{contact.firstname | there}}",
        "html": "<p>Hello {{contact.firstName}}<script>alert(1)</script></p>",
        "inboxKind": "imap",
        "tokens": { "contact": { "firstName": "<Ann>" } },
    });
    if bcc {
        input["bcc"] = serde_json::json!([{ "address": "boss@inlay.example" }]);
    }
    let value = js(input);
    // A file as the worker hands it: a Uint8Array.
    let file = js(serde_json::json!({ "filename": "a.txt", "contentType": "text/plain" }));
    js_sys::Reflect::set(
        &file,
        &"bytes".into(),
        &js_sys::Uint8Array::from(&b"file body"[..]),
    )
    .unwrap();
    js_sys::Reflect::set(&value, &"attachments".into(), &js_sys::Array::of1(&file)).unwrap();
    value
}

#[wasm_bindgen_test]
fn compose_email_returns_bytes_and_the_parts() {
    let random: Vec<u8> = (0u8..128).collect();
    let composed = inlay_wasm::compose_email(input(true), 1_780_000_000_000.0, &random).unwrap();
    assert_eq!(
        field(&composed, "subject").as_string().as_deref(),
        Some("Hi <Ann>")
    );
    assert_eq!(
        field(&composed, "html").as_string().as_deref(),
        Some("<p>Hello &lt;Ann&gt;</p>")
    );
    assert_eq!(
        field(&composed, "messageId").as_string().as_deref(),
        Some("<000102030405060708090a0b0c0d0e0f@inlay.example>")
    );
    let mime = field(&composed, "mime");
    assert!(mime.is_instance_of::<js_sys::Uint8Array>());
    let transmitted = field(&composed, "transmitted");
    assert!(transmitted.is_instance_of::<js_sys::Uint8Array>());
    let mime = js_sys::Uint8Array::new(&mime).to_vec();
    let transmitted = js_sys::Uint8Array::new(&transmitted).to_vec();
    assert!(String::from_utf8_lossy(&mime).contains("Bcc: <boss@inlay.example>"));
    assert!(!String::from_utf8_lossy(&transmitted).contains("boss@"));
    assert_eq!(
        field(&composed, "sizeBytes").as_f64(),
        Some(mime.len() as f64)
    );
    let recipients = js_sys::Array::from(&field(&composed, "recipients"));
    assert_eq!(recipients.length(), 2);

    let plain = inlay_wasm::compose_email(input(false), 1_780_000_000_000.0, &random).unwrap();
    assert!(field(&plain, "transmitted").is_null());
}

#[wasm_bindgen_test]
fn compose_errors_are_thrown_with_code_token_and_field() {
    let value = input(false);
    js_sys::Reflect::set(&value, &"subject".into(), &"About {{deal.stage}}".into()).unwrap();
    let error = inlay_wasm::compose_email(value, 0.0, &[1; 32]).unwrap_err();
    assert_eq!(
        field(&error, "code").as_string().as_deref(),
        Some("missingTokenValue")
    );
    assert_eq!(
        field(&error, "token").as_string().as_deref(),
        Some("deal.stage")
    );
    assert_eq!(
        field(&error, "field").as_string().as_deref(),
        Some("subject")
    );
    assert!(
        field(&error, "message")
            .as_string()
            .unwrap()
            .contains("{{deal.stage}}")
    );

    let wrong =
        inlay_wasm::compose_email(js(serde_json::json!({ "from": 1 })), 0.0, &[1; 32]).unwrap_err();
    assert_eq!(
        field(&wrong, "code").as_string().as_deref(),
        Some("invalidArgument")
    );
}

#[wasm_bindgen_test]
fn render_template_and_sanitize_html() {
    let context = js(serde_json::json!({ "contact": { "firstName": "A&B" } }));
    assert_eq!(
        inlay_wasm::render_template("Hi {{contact.firstName}}", context.clone(), None).unwrap(),
        "Hi A&B"
    );
    assert_eq!(
        inlay_wasm::render_template("Hi {{contact.firstName}}", context.clone(), Some(true))
            .unwrap(),
        "Hi A&amp;B"
    );
    let error = inlay_wasm::render_template("{{contact.nickname}}", context, None).unwrap_err();
    assert_eq!(
        field(&error, "code").as_string().as_deref(),
        Some("unknownToken")
    );
    assert_eq!(
        inlay_wasm::sanitize_html("<p onclick=\"x\">ok<script>bad()</script></p>"),
        "<p>ok</p>"
    );
}
