//! What comes before the headers, and a header block cut short: fixed before
//! mail-parser sees the bytes, so it reads the message other parsers read.
//!
//! - A UTF-8 byte-order mark (some editors save `.eml` files with one) and
//!   an mbox `From ` separator line (`.mbox` exports, `.eml` files cut from
//!   them) are skipped: mail-parser would read either as a broken first
//!   header and the message as not a message.
//! - A message of headers only whose last header has no line break: mail-
//!   parser drops that header (often the Subject), so a line end is added.
//!
//! A Date ending in a short zone or AM/PM is repaired after a first read
//! (see [`date_line`](super::date_line)): only then is it known to need it.

use std::borrow::Cow;

pub(crate) fn prepare(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"From ")
        && let Some(end) = bytes.iter().position(|&b| b == b'\n')
    {
        bytes = &bytes[end + 1..];
    }
    if bytes.ends_with(b"\n") || bytes.is_empty() || has_body(bytes) {
        return Cow::Borrowed(bytes);
    }
    let crlf = bytes
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && bytes[i - 1] == b'\r');
    let mut owned = Vec::with_capacity(bytes.len() + 2);
    owned.extend_from_slice(bytes);
    owned.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    Cow::Owned(owned)
}

/// An empty line ends the header block somewhere.
fn has_body(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .enumerate()
        .any(|(i, w)| w == b"\n\n" || (w == b"\n\r" && bytes.get(i + 2) == Some(&b'\n')))
}
