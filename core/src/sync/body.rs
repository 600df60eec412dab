//! The stored body of a logged email: what the timeline shows when it is
//! opened.
//!
//! The HTML goes through the same ammonia allow-list as a sent email's
//! (`send::sanitize`), with every image's `src` dropped: a remote image
//! would tell the sender when (and where) the email was looked at, and an
//! attached image's bytes are not stored. The text is kept as text (the app
//! renders it as text nodes). Each is capped; attachments keep their name,
//! type and size, never their bytes.

use serde::Serialize;

use crate::message::ParsedMessage;
use crate::send::sanitize::sanitize_received_html;

/// Longest stored text body, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Longest stored HTML body (after sanitising), in bytes.
pub const MAX_HTML: usize = 256 * 1024;
/// Most attachments listed.
pub const MAX_ATTACHMENTS: usize = 100;
/// Room left under [`MAX_HTML`] for the end tags a cut body gets back.
const CLOSING_ROOM: usize = 4096;
/// Longest attachment name kept, in characters.
const MAX_NAME: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct StoredAttachment {
    pub name: Option<String>,
    pub content_type: String,
    pub size: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct StoredBody {
    pub text: Option<String>,
    /// Sanitised; no image loads.
    pub html: Option<String>,
    /// Images whose source was dropped ("3 images not shown").
    pub images_blocked: usize,
    /// A body was cut at its cap, or attachments past the cap left out.
    pub truncated: bool,
    pub attachments: Vec<StoredAttachment>,
}

/// `text` cut to at most `max` bytes at a character boundary.
fn cap(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// The body kept for a logged email, from its full parse.
pub fn stored_body(parsed: &ParsedMessage) -> StoredBody {
    let mut truncated = false;
    let text = parsed.text_body.as_deref().map(|t| {
        let (t, cut) = cap(t, MAX_TEXT);
        truncated |= cut;
        t.to_owned()
    });
    let html = parsed.html_body.as_deref().map(|h| {
        let clean = sanitize_received_html(h);
        let cut = clean.len() > MAX_HTML;
        truncated |= cut;
        // Cut markup is cleaned again (html5ever closes what the cut left
        // open, which takes room); if closing it still grew past the cap,
        // only the text is kept.
        let (head, _) = cap(&clean, MAX_HTML - CLOSING_ROOM);
        let kept = if cut {
            sanitize_received_html(head)
        } else {
            clean
        };
        (kept.len() <= MAX_HTML).then_some(kept)
    });
    let html = html.flatten();
    let images_blocked = html.as_deref().map_or(0, |h| h.matches("<img").count());
    truncated |= parsed.attachments.len() > MAX_ATTACHMENTS;
    let attachments = parsed
        .attachments
        .iter()
        .take(MAX_ATTACHMENTS)
        .map(|a| StoredAttachment {
            name: a.filename.as_deref().map(|n| {
                n.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(MAX_NAME)
                    .collect()
            }),
            content_type: a.content_type.clone(),
            size: a.size,
        })
        .collect();
    StoredBody {
        text,
        html: html.filter(|h| !h.trim().is_empty()),
        images_blocked,
        truncated,
        attachments,
    }
}
