//! Bindings for building and parsing messages. Conversion only: the rules
//! live in `inlay_core::message`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::thrown;

use inlay_core::message::{self, Draft};

/// A draft that could not be read at all (before the core's own checks).
#[derive(Serialize)]
struct ShapeError {
    code: &'static str,
    message: String,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[wasm_bindgen]
extern "C" {
    /// The browser's WHATWG decoder: it has the CJK tables the core leaves
    /// out of the module (see `inlay_core::message::set_multi_byte_decoder`).
    type TextDecoder;
    #[wasm_bindgen(constructor, catch)]
    fn new(label: &str) -> Result<TextDecoder, JsValue>;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &[u8]) -> String;
}

fn text_decoder(name: &str, bytes: &[u8]) -> Option<String> {
    Some(TextDecoder::new(name).ok()?.decode(bytes))
}

/// Every binding that parses mail calls this first (the first call sets it).
pub(crate) fn install_text_decoder() {
    message::set_multi_byte_decoder(text_decoder);
}

/// `parseMessage(bytes: Uint8Array) -> ParsedMessage`; throws `{code, message}`.
#[wasm_bindgen(js_name = parseMessage)]
pub fn parse_message(bytes: &[u8]) -> Result<JsValue, JsValue> {
    install_text_decoder();
    let mut parsed = message::parse_message(bytes).map_err(thrown)?;
    let headers = std::mem::take(&mut parsed.headers);
    let object = plain_object(&parsed)?;
    hand_headers(&object, &headers);
    Ok(object)
}

#[wasm_bindgen(inline_js = "export function setHeaders(message, text, ends) {
  const headers = new Array(ends.length >> 1);
  let at = 0;
  for (let i = 0; i < headers.length; i++) {
    const name = ends[2 * i], end = ends[2 * i + 1];
    headers[i] = { name: text.slice(at, name), value: text.slice(name, end) };
    at = end;
  }
  message.headers = headers;
}")]
extern "C" {
    /// Sets `message.headers` to `[{name, value}]` sliced out of `text` at
    /// `ends` (UTF-16 offsets: each name's end, then its value's end).
    #[wasm_bindgen(js_name = setHeaders)]
    fn set_headers(message: &JsValue, text: &str, ends: &[u32]);
}

/// The header list as one string and its cut points: a JS string per name
/// and value, each through `TextDecoder`, was a quarter of a parse (bench/:
/// p50 37.8 against 31 µs this way, 27.4 with no header list at all). The
/// key was serialised first (an empty list), so the object's keys keep their
/// order.
fn hand_headers(object: &JsValue, headers: &[message::HeaderField]) {
    let utf16 = |s: &str| {
        if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        }
    };
    let mut text =
        String::with_capacity(headers.iter().map(|h| h.name.len() + h.value.len()).sum());
    let mut ends = Vec::with_capacity(headers.len() * 2);
    let mut at = 0usize;
    for header in headers {
        for part in [&header.name, &header.value] {
            text.push_str(part);
            at += utf16(part);
            // A header block is at most 2 MiB (`Limits`, a repaired copy).
            ends.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
    }
    set_headers(object, &text, &ends);
}

/// `summarizeMessage(bytes: Uint8Array) -> MessageSummary`: the lean reading
/// for sync, from the top header block only (the body is not parsed);
/// throws `{code, message}` as `parseMessage` does.
#[wasm_bindgen(js_name = summarizeMessage)]
pub fn summarize_message(bytes: &[u8]) -> Result<JsValue, JsValue> {
    install_text_decoder();
    plain_object(&message::summarize_message(bytes).map_err(thrown)?)
}

/// serde-wasm-bindgen, measured against a JSON string for `JSON.parse`
/// (bench/): the direct build was faster for both results.
/// A result that cannot be handed over is thrown as `{code: "internal", message}`.
fn plain_object<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    crate::convert::to_js(value)
}

/// `buildMessage(draft) -> Uint8Array` (RFC 5322, CRLF); throws `{code, field, message}`.
#[wasm_bindgen(js_name = buildMessage)]
pub fn build_message(draft: JsValue) -> Result<Vec<u8>, JsValue> {
    let draft: Draft = serde_wasm_bindgen::from_value(draft).map_err(|e| {
        thrown(ShapeError {
            code: "invalidDraft",
            message: format!("The draft doesn't have the expected shape: {e}"),
        })
    })?;
    message::build_message(&draft).map_err(thrown)
}

/// `gmailRaw(bytes) -> string`: the `raw` field of Gmail's `messages.send`.
#[wasm_bindgen(js_name = gmailRaw)]
pub fn gmail_raw(bytes: &[u8]) -> String {
    message::gmail_raw(bytes)
}

/// `graphMime(bytes) -> string`: the body of Graph's MIME `sendMail`.
#[wasm_bindgen(js_name = graphMime)]
pub fn graph_mime(bytes: &[u8]) -> String {
    message::graph_mime(bytes)
}

/// `ewsMimeContent(bytes) -> string`: EWS `MimeContent`.
#[wasm_bindgen(js_name = ewsMimeContent)]
pub fn ews_mime_content(bytes: &[u8]) -> String {
    message::ews_mime_content(bytes)
}
