//! Text in a declared charset → UTF-8, with the labels real mail uses that
//! mail-parser's table lacks.
//!
//! mail-parser knows the WHATWG labels; senders also write `win-1257`,
//! `cp-1252`, `ms-1251` and the like. [`alias`] maps those to a label the
//! table has, so headers can be rewritten before the parse (see `repair`)
//! and bodies decoded after it.

use mail_parser::decoders::charsets::map::charset_decoder;

/// A known label for an unknown one that names the same charset, if any.
/// `None` for labels mail-parser already knows (and for UTF-8, which it
/// reads without a table).
pub(crate) fn alias(label: &str) -> Option<String> {
    if known(label) {
        return None;
    }
    let lower = label.trim().to_ascii_lowercase();
    // Windows code pages: win-1257, win_1252, win1251, windows1250, ms-1252,
    // cp-1256, x-win-1253 → cp125x.
    let rest = lower.strip_prefix("x-").unwrap_or(&lower);
    let digits = ["windows", "win", "ms", "cp"]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
        .map(|d| d.trim_start_matches(['-', '_', ' ']))?;
    (digits.len() == 4 && digits.starts_with("125") && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("cp{digits}"))
}

/// mail-parser has a decoder for it, or it is UTF-8 (decoded without one).
pub(crate) fn known(label: &str) -> bool {
    let label = label.trim();
    charset_decoder(label.as_bytes()).is_some()
        || label.eq_ignore_ascii_case("utf-8")
        || label.eq_ignore_ascii_case("utf8")
}

/// `bytes` in charset `label` (or UTF-8 when absent or unknown) as text;
/// undecodable bytes become U+FFFD.
pub(crate) fn decode(bytes: &[u8], label: Option<&str>) -> String {
    let label = label.map(|l| alias(l).unwrap_or_else(|| l.trim().to_owned()));
    match label.and_then(|l| charset_decoder(l.as_bytes())) {
        Some(decoder) => decoder(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}
