//! `summarizeMessage` beside `parseMessage`, as JS sees them.

use wasm_bindgen_test::wasm_bindgen_test;

mod support;
use support::json_of;

const MESSAGE: &[u8] = b"From: Ana Ruiz <ana@vendor.test>\r\n\
To: bo@buyer.test\r\n\
Subject: =?utf-8?q?Angebot_f=C3=BCr_Q3?=\r\n\
Date: Tue, 14 Nov 2023 22:13:25 +0000\r\n\
Message-ID: <r2@vendor.test>\r\n\
Precedence: bulk\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Hallo</p>\r\n";

#[wasm_bindgen_test]
fn summary_is_a_plain_object_of_the_headers() {
    let lean = json_of(&inlay_wasm::summarize_message(MESSAGE).unwrap());
    assert_eq!(lean["subject"], "Angebot für Q3");
    assert_eq!(lean["date"], 1_700_000_005);
    assert_eq!(lean["from"][0]["address"], "ana@vendor.test");
    assert_eq!(lean["to"][0]["address"], "bo@buyer.test");
    assert_eq!(lean["messageId"], "r2@vendor.test");
    assert_eq!(lean["bulk"], true);
    assert_eq!(lean["listId"], serde_json::Value::Null);
    assert_eq!(lean["contentType"], "text/html");
    assert_eq!(lean["deliveryReport"], false);
    assert_eq!(lean["kind"]["type"], "normal");
    for absent in ["headers", "textBody", "htmlBody", "attachments"] {
        assert!(lean.get(absent).is_none(), "{absent} crossed the boundary");
    }
}

#[wasm_bindgen_test]
fn full_parse_and_summary_agree_on_the_headers() {
    let full = json_of(&inlay_wasm::parse_message(MESSAGE).unwrap());
    // JSON-compatible objects: absent values are null, numbers are numbers.
    assert_eq!(full["textBody"], serde_json::Value::Null);
    assert_eq!(full["htmlBody"], "<p>Hallo</p>\r\n");
    assert_eq!(full["headers"][2]["value"], "Angebot für Q3");
    assert_eq!(full["from"][0]["name"], "Ana Ruiz");
    let lean = json_of(&inlay_wasm::summarize_message(MESSAGE).unwrap());
    for shared in [
        "subject",
        "date",
        "from",
        "to",
        "cc",
        "messageId",
        "inReplyTo",
        "references",
        "kind",
    ] {
        assert_eq!(full[shared], lean[shared], "{shared}");
    }
}

#[wasm_bindgen_test]
fn summary_decodes_cjk_words_with_the_browser_decoder() {
    let message = b"From: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <taro@example.jp>\r\n\
Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n\r\n";
    let lean = json_of(&inlay_wasm::summarize_message(message).unwrap());
    assert_eq!(lean["subject"], "日本語");
    assert_eq!(lean["from"][0]["name"], "日本語");
}

#[wasm_bindgen_test]
fn summary_of_garbage_throws_the_core_error() {
    let err = inlay_wasm::summarize_message(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2]).unwrap_err();
    let err = json_of(&err);
    assert!(err["code"].is_string(), "{err}");
    assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
}
