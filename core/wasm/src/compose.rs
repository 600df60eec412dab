//! Bindings for composing one email (`inlay_core::send::compose` and its
//! parts), in the `compose` module. Conversion only.

use wasm_bindgen::prelude::*;

use serde::Serialize;

use crate::convert::{arg, thrown};

use inlay_core::machine::Moment;
use inlay_core::send::template::{self, Target, TokenContext};
use inlay_core::send::{self, ComposeError, ComposeInput};

/// `composeEmail(input: ComposeInput, nowMs, random: Uint8Array) -> Composed`
/// (`mime` and `transmitted` as `Uint8Array`); throws `ComposeError`
/// `{code, message, token?, field?}`.
#[wasm_bindgen(js_name = composeEmail)]
pub fn compose_email(input: JsValue, now_ms: f64, random: &[u8]) -> Result<JsValue, JsValue> {
    let input: ComposeInput = arg(input, "input")?;
    let now_ms = Moment::from_shell(now_ms, random).now_ms;
    let composed = send::compose(&input, now_ms, random).map_err(thrown)?;
    // The bytes as Uint8Arrays (the JSON-compatible serialiser would write
    // arrays of numbers, megabytes of them for an attachment).
    let plain = serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false);
    composed.serialize(&plain).map_err(|e| {
        thrown(ComposeError {
            code: "internal".into(),
            message: format!("Inlay couldn't hand the email to the extension ({e}). Please report this to Inlay's support."),
            token: None,
            field: None,
        })
    })
}

/// `renderTemplate(template, context: TokenContext, html?: boolean) -> string`:
/// the compose dialog's preview; in HTML (`html` true) values are escaped.
/// Throws `ComposeError` naming the token.
#[wasm_bindgen(js_name = renderTemplate)]
pub fn render_template(
    template: &str,
    context: JsValue,
    html: Option<bool>,
) -> Result<String, JsValue> {
    let context: TokenContext = arg(context, "context")?;
    let target = if html.unwrap_or(false) {
        Target::Html
    } else {
        Target::Text
    };
    template::render(template, &context, target)
        .map_err(|e| thrown(ComposeError::template(e, "template")))
}

/// `sanitizeHtml(html) -> string`: what compose keeps of an HTML body, for
/// drafts, templates and signatures stored already sanitised.
#[wasm_bindgen(js_name = sanitizeHtml)]
pub fn sanitize_html(html: &str) -> String {
    send::sanitize::sanitize_html(html)
}

/// `replyOf(entry: TimelineEntry, own: string[]) -> ReplyDraft | null`: the
/// compose dialog's start for a reply to an email on a timeline (To, From,
/// `Re:` subject, In-Reply-To, References, thread); null for an entry with
/// no Message-ID. `own`: the addresses the inbox may send as now.
#[wasm_bindgen(js_name = replyOf)]
pub fn reply_of(entry: JsValue, own: Vec<String>) -> Result<JsValue, JsValue> {
    let entry: inlay_core::crm::TimelineEntry = arg(entry, "entry")?;
    let reply = send::reply::reply_to(&entry, &own);
    let plain = serde_wasm_bindgen::Serializer::json_compatible();
    reply.serialize(&plain).map_err(|e| {
        thrown(ComposeError {
            code: "internal".into(),
            message: format!("Inlay couldn't read this email's reply ({e}). Please report this to Inlay's support."),
            token: None,
            field: None,
        })
    })
}
