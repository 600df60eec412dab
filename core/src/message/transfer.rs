//! Undoing a part's transfer encoding leniently, for parts mail-parser gave
//! up on.
//!
//! mail-parser's quoted-printable decoder rejects the whole part at the
//! first `=` not followed by two hex digits, so one unencoded `a == b` or
//! `==== Totals` line leaves every `=C3=A9` of the part as it was sent.
//! Here such an `=` is kept as it is (RFC 2045 6.7 allows this reading), and
//! line ends are kept as sent. Where mail-parser does not give up it can still
//! misread: `=8` at a line end loses the `=8` and takes the next line's first
//! letter as its second digit; [`irregular_qp`] finds such parts so they are
//! decoded here. A `=` ending the part (its line break belongs to the next
//! boundary) is a soft line break, as in other parsers.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode_char;
use std::borrow::Cow;
use std::io::BufRead;

/// `bytes` with the transfer encoding named by `encoding` undone; as sent
/// for 7bit, 8bit, binary, unknown encodings and base64 that is not.
pub(crate) fn decode<'a>(bytes: &'a [u8], encoding: Option<&str>) -> Cow<'a, [u8]> {
    match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        Some("base64") => base64_decode(bytes).map_or(Cow::Borrowed(bytes), Cow::Owned),
        Some("quoted-printable") => Cow::Owned(quoted_printable(bytes)),
        _ => Cow::Borrowed(bytes),
    }
}

pub(crate) fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            // A soft line break: `=`, optional trailing blanks, a line end.
            let blanks = rest
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            match &rest[blanks..] {
                [b'\n', ..] => {
                    i += 2 + blanks;
                    continue;
                }
                [b'\r', b'\n', ..] => {
                    i += 3 + blanks;
                    continue;
                }
                // The part ends in a soft line break.
                [] => break,
                [hi, lo, ..] if blanks == 0 => {
                    if let Some(byte) = quoted_printable_decode_char(*hi, *lo) {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Holds an `=` that is neither `=XX` (two hex digits) nor a soft line break:
/// mail-parser's decoder may misread the part.
pub(crate) fn irregular_qp(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    // Through each `=` (std's `memchr`, a word at a time, via `skip_until`).
    while let Ok(read @ 1..) = { rest }.skip_until(b'=')
        && rest[read - 1] == b'='
    {
        rest = &rest[read..];
        let blanks = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let regular = match &rest[blanks..] {
            [] | [b'\n', ..] | [b'\r', b'\n', ..] => true,
            [hi, lo, ..] => blanks == 0 && quoted_printable_decode_char(*hi, *lo).is_some(),
            _ => false,
        };
        if !regular {
            return true;
        }
    }
    false
}
