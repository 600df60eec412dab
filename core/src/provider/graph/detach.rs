//! An email too large for one Graph request (4 MB, the MIME base64 inside):
//! which attachments leave its MIME to be added to the draft afterwards, and
//! the MIME without them. Attachments of 3 MB or more go through an upload
//! session (Graph takes 3–150 MB that way, and refuses smaller ones); if the
//! rest is still too large, smaller ones leave too, largest first, each in
//! one `POST …/attachments` (features-research §2.2). The message is read
//! with mail-parser; a part is cut out between its multipart delimiters, so
//! every other byte stays as compose built it.

use mail_parser::{MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

/// Graph's smallest attachment for an upload session.
pub const UPLOAD_SESSION_MIN_BYTES: u64 = 3 * 1024 * 1024;
/// Graph's largest attachment (an upload session).
pub const MAX_ATTACHMENT_BYTES: u64 = 150 * 1024 * 1024;

/// An attachment that leaves the MIME, as Graph's `attachmentItem` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detached {
    /// mail-parser's index of the part (its bytes are read from the MIME
    /// again at each call: the plan holds no bytes).
    pub part: u32,
    pub name: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub is_inline: bool,
    /// Decoded bytes.
    pub size: u64,
    /// Through an upload session (else one POST with its bytes).
    pub session: bool,
    /// The part's bytes in the MIME, from its delimiter line to the next.
    cut: (usize, usize),
}

/// Why the email can't go through Graph even in pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooLarge {
    /// One attachment over 150 MB.
    Attachment { name: String, size: u64 },
    /// Without every attachment it is still over one request.
    Message,
}

/// Base64's length for `n` bytes.
pub fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// The attachments to take out so that the MIME's base64 fits in
/// `max_request` bytes; empty when it fits as it is.
pub fn plan(mime: &[u8], max_request: usize) -> Result<Vec<Detached>, TooLarge> {
    if base64_len(mime.len()) <= max_request {
        return Ok(Vec::new());
    }
    let mut candidates = attachments(mime);
    if let Some(huge) = candidates.iter().find(|a| a.size > MAX_ATTACHMENT_BYTES) {
        return Err(TooLarge::Attachment {
            name: huge.name.clone(),
            size: huge.size,
        });
    }
    // Largest first: the sessions, then as few single POSTs as needed.
    candidates.sort_by(|a, b| b.size.cmp(&a.size).then(a.part.cmp(&b.part)));
    let mut left = mime.len();
    let mut out = Vec::new();
    for mut a in candidates {
        a.session = a.size >= UPLOAD_SESSION_MIN_BYTES;
        if !a.session && base64_len(left) <= max_request {
            break;
        }
        left -= a.cut.1 - a.cut.0;
        out.push(a);
    }
    if base64_len(left) > max_request {
        return Err(TooLarge::Message);
    }
    // Attached in the order they had in the message.
    out.sort_by_key(|a| a.part);
    Ok(out)
}

/// The MIME without the detached parts.
pub fn without(mime: &[u8], detached: &[Detached]) -> Vec<u8> {
    let mut cuts: Vec<(usize, usize)> = detached.iter().map(|d| d.cut).collect();
    cuts.sort_unstable();
    let mut out = Vec::with_capacity(mime.len());
    let mut at = 0;
    for (start, end) in cuts {
        if start < at || end > mime.len() {
            continue;
        }
        out.extend_from_slice(&mime[at..start]);
        at = end;
    }
    out.extend_from_slice(&mime[at..]);
    out
}

/// The decoded bytes of part `part`.
pub fn contents(mime: &[u8], part: u32) -> Option<Vec<u8>> {
    let message = MessageParser::default().parse(mime)?;
    Some(message.part(part)?.contents().to_vec())
}

/// Every attachment that is a leaf of a top-level multipart, with its cut.
fn attachments(mime: &[u8]) -> Vec<Detached> {
    let Some(message) = MessageParser::default().parse(mime) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for parent in &message.parts {
        let PartType::Multipart(children) = &parent.body else {
            continue;
        };
        let Some(boundary) = parent.content_type().and_then(|c| c.attribute("boundary")) else {
            continue;
        };
        for &id in children {
            if !message.attachments.contains(&id) {
                continue;
            }
            let Some(part) = message.part(id) else {
                continue;
            };
            if matches!(part.body, PartType::Message(_) | PartType::Multipart(_)) {
                continue;
            }
            let Some(cut) = cut_of(
                mime,
                boundary,
                part.offset_header as usize,
                part.offset_body as usize,
            ) else {
                continue;
            };
            let content_type = part
                .content_type()
                .map(|c| match c.subtype() {
                    Some(sub) => format!("{}/{sub}", c.ctype()),
                    None => c.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            found.push(Detached {
                part: id,
                name: part.attachment_name().unwrap_or("attachment").to_string(),
                content_type,
                content_id: part
                    .content_id()
                    .map(|c| c.trim_matches(['<', '>']).to_string()),
                is_inline: part.content_disposition().is_some_and(|d| d.is_inline()),
                size: part.contents().len() as u64,
                session: false,
                cut,
            });
        }
    }
    found
}

/// From the start of the delimiter line before the part's headers to the
/// start of the next delimiter line (RFC 2046 §5.1.1: the boundary appears
/// nowhere inside a part).
fn cut_of(mime: &[u8], boundary: &str, header: usize, body: usize) -> Option<(usize, usize)> {
    let delimiter = format!("--{boundary}");
    let start = rfind(mime.get(..header)?, delimiter.as_bytes())?;
    if start > 0 && mime[start - 1] != b'\n' {
        return None;
    }
    let next = format!("\n--{boundary}");
    let end = body + find(mime.get(body..)?, next.as_bytes())? + 1;
    Some((start, end))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIME: &str = "From: a@x.example\r\nTo: b@y.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n--BB\r\nContent-Type: text/plain\r\n\r\nHello\r\n--BB\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n--BB\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"i.png\"\r\nContent-ID: <img1@x>\r\nContent-Transfer-Encoding: base64\r\n\r\nBgcI\r\n--BB--\r\n";

    #[test]
    fn parts_are_cut_between_their_delimiters() {
        let mime = MIME.as_bytes();
        let found = attachments(mime);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "a.pdf");
        assert_eq!(found[0].content_type, "application/pdf");
        assert_eq!(found[0].size, 6);
        assert!(!found[0].is_inline);
        assert_eq!(found[1].content_id.as_deref(), Some("img1@x"));
        assert!(found[1].is_inline);
        assert_eq!(contents(mime, found[0].part).unwrap(), [0, 1, 2, 3, 4, 5]);
        let rest = String::from_utf8(without(mime, &found[..1])).unwrap();
        assert_eq!(
            rest,
            MIME.replace("--BB\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n", "")
        );
        let both = String::from_utf8(without(mime, &found)).unwrap();
        assert!(both.ends_with("Hello\r\n--BB--\r\n"), "{both}");
        let parsed = MessageParser::default().parse(both.as_bytes()).unwrap();
        assert_eq!(parsed.attachments.len(), 0);
        assert_eq!(parsed.body_text(0).unwrap().trim(), "Hello");
    }

    #[test]
    fn nothing_leaves_a_message_that_fits() {
        assert_eq!(plan(MIME.as_bytes(), 4 * 1024 * 1024), Ok(Vec::new()));
        // Too large: the larger one leaves first, by a POST (it is small).
        let out = plan(MIME.as_bytes(), base64_len(MIME.len()) - 4).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].name, "a.pdf");
        assert!(!out[0].session);
        assert_eq!(plan(MIME.as_bytes(), 100), Err(TooLarge::Message));
    }
}
