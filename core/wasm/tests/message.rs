//! The message functions as JavaScript sees them.

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).expect("object field")
}

fn draft(subject: &str) -> JsValue {
    let json = serde_json::json!({
        "from": { "name": "Ann Archer", "address": "ann@example.com" },
        "to": [{ "name": "Bob", "address": "bob@example.org" }],
        "subject": subject,
        "text": "Hello Bob",
        "html": "<p>Hello <b>Bob</b></p>",
        "messageId": "<m1@example.com>",
        "date": 1_764_288_000,
    });
    js_sys::JSON::parse(&json.to_string()).unwrap()
}

#[wasm_bindgen_test]
fn build_then_parse_round_trips_through_js_values() {
    let bytes = inlay_wasm::build_message(draft("Quote for 50 seats — déjà vu")).unwrap();
    let parsed = inlay_wasm::parse_message(&bytes).unwrap();
    assert_eq!(
        field(&parsed, "subject").as_string().as_deref(),
        Some("Quote for 50 seats — déjà vu")
    );
    let to = js_sys::Array::from(&field(&parsed, "to"));
    assert_eq!(
        field(&to.get(0), "address").as_string().as_deref(),
        Some("bob@example.org")
    );
    assert_eq!(
        field(&field(&parsed, "kind"), "type")
            .as_string()
            .as_deref(),
        Some("normal")
    );
    assert!(
        !inlay_wasm::gmail_raw(&bytes).contains('+'),
        "base64url for Gmail"
    );
}

#[wasm_bindgen_test]
fn header_injection_is_thrown_with_code_and_field() {
    let err = inlay_wasm::build_message(draft("Hi\r\nBcc: evil@example.net")).unwrap_err();
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("headerInjection")
    );
    assert_eq!(field(&err, "field").as_string().as_deref(), Some("subject"));
    assert!(field(&err, "message").as_string().unwrap().len() > 10);
}

#[wasm_bindgen_test]
fn a_draft_of_the_wrong_shape_is_refused_clearly() {
    let err = inlay_wasm::build_message(JsValue::from_str("not a draft")).unwrap_err();
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("invalidDraft")
    );
}

#[wasm_bindgen_test]
fn garbage_is_not_a_message() {
    let err = inlay_wasm::parse_message(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2]).unwrap_err();
    assert!(field(&err, "code").as_string().is_some());
}

/// Japanese and Chinese charsets are decoded by the browser's TextDecoder
/// (the module carries no CJK tables): a Shift_JIS subject, a GB2312
/// display name and an ISO-2022-JP body.
#[wasm_bindgen_test]
fn cjk_charsets_are_decoded_through_text_decoder() {
    let message = b"From: =?GB2312?B?zfXQocP3?= <wang@vendor.test>\r\n\
To: bo@buyer.test\r\n\
Subject: =?Shift_JIS?B?lFuVaZP6gsyCsphBl40=?=\r\n\
Content-Type: text/plain; charset=ISO-2022-JP\r\n\
\r\n\
\x1b$B8+@Q=q$rE:IU$$$?$7$^$9!#\x1b(B\r\n";
    let parsed = inlay_wasm::parse_message(message).unwrap();
    assert_eq!(
        field(&parsed, "subject").as_string().as_deref(),
        Some("納品日のご連絡")
    );
    let from = js_sys::Array::from(&field(&parsed, "from"));
    assert_eq!(
        field(&from.get(0), "name").as_string().as_deref(),
        Some("王小明")
    );
    assert_eq!(
        field(&parsed, "textBody").as_string().as_deref(),
        Some("見積書を添付いたします。\r\n")
    );
}

/// The header list crosses as one string cut in JS: names and values with
/// accents, CJK, an emoji (two UTF-16 units), an empty value and a folded
/// one come out as the native parse's, in order, with the object's keys in
/// the native order too.
#[wasm_bindgen_test]
fn the_header_list_crosses_as_the_native_parse_reads_it() {
    let message = "From: Zoë <zoe@example.test>\r\n\
To: bo@buyer.test\r\n\
Subject: =?UTF-8?B?8J+agCDlj5HotKcgZMOpasOg?=\r\n\
X-Empty:\r\n\
X-Folded: one\r\n two\r\n\
X-Émoji: 🚀 launch\r\n\
Comments: 納品日\r\n\
\r\n\
body\r\n";
    let parsed = inlay_wasm::parse_message(message.as_bytes()).unwrap();
    let native = inlay_core::message::parse_message(message.as_bytes()).unwrap();
    assert_eq!(native.headers.len(), 7);
    let js = js_sys::JSON::stringify(&parsed)
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(js, serde_json::to_string(&native).unwrap());
}
