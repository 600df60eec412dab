//! The message bytes in the form each provider's send API takes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

/// Gmail API `Message.raw` (users.messages.send / insert, drafts.create).
/// The discovery document gives it `"format": "byte"`, which Google defines
/// as base64url *with* padding (RFC 4648 §5); Gmail also accepts it without.
pub fn gmail_raw(bytes: &[u8]) -> String {
    URL_SAFE.encode(bytes)
}

/// Reads a Gmail `raw` (or `MessagePartBody.data`) value: base64url, with or
/// without padding. `None` if it is not base64url.
pub fn gmail_raw_decode(raw: &str) -> Option<Vec<u8>> {
    let trimmed = raw.trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(trimmed).ok()
}

/// Microsoft Graph `POST /me/sendMail` (and `/me/messages`) with
/// `Content-Type: text/plain`: the MIME message in standard base64.
pub fn graph_mime(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// EWS `t:MimeContent` (`xs:base64Binary`): standard base64. Set its
/// `CharacterSet` attribute to `UTF-8`.
pub fn ews_mime_content(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
