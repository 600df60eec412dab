//! Text in a declared charset → UTF-8, with the labels real mail uses that
//! mail-parser's table lacks, and the CJK multi-byte charsets.
//!
//! mail-parser knows the WHATWG labels; senders also write `win-1257`,
//! `cp-1252`, `ms-1251` and the like. [`alias`] maps those to a label the
//! table has, so headers can be rewritten before the parse (see `repair`)
//! and bodies decoded after it.
//!
//! Japanese, Chinese and Korean charsets (Shift_JIS/cp932, EUC-JP,
//! ISO-2022-JP, GBK/GB2312, GB18030, Big5, EUC-KR) need large tables:
//! mail-parser's `full_encoding` (encoding_rs) adds about 130 KB gzip to the
//! wasm module, a quarter of the core's budget. The browser already has
//! these tables in `TextDecoder`, so the core names the charset
//! ([`multi_byte`]) and a [`MultiByteDecoder`] decodes: the binding installs
//! the browser's with [`set_multi_byte_decoder`]; native builds (tests, the
//! bridge) use encoding_rs unless another is installed.

use mail_parser::decoders::charsets::map::charset_decoder;
use std::sync::OnceLock;

/// Decodes `bytes` in the charset with this WHATWG name (one of
/// [`multi_byte`]'s answers); `None` if it cannot.
pub type MultiByteDecoder = fn(name: &str, bytes: &[u8]) -> Option<String>;

static MULTI_BYTE: OnceLock<MultiByteDecoder> = OnceLock::new();

/// Installs the decoder for the CJK charsets; the first call wins.
pub fn set_multi_byte_decoder(decoder: MultiByteDecoder) {
    let _ = MULTI_BYTE.set(decoder);
}

fn multi_byte_decoder() -> Option<MultiByteDecoder> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(*MULTI_BYTE.get_or_init(|| encoding_rs_decoder))
    }
    #[cfg(target_arch = "wasm32")]
    {
        MULTI_BYTE.get().copied()
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn encoding_rs_decoder(name: &str, bytes: &[u8]) -> Option<String> {
    let encoding = encoding_rs::Encoding::for_label(name.as_bytes())?;
    Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

/// The WHATWG name of a CJK multi-byte charset, for any label senders use
/// for it (`cp932`, `x-sjis`, `gb2312`, `ks_c_5601-1987`, …).
pub(crate) fn multi_byte(label: &str) -> Option<&'static str> {
    let label = label.trim();
    MULTI_BYTE_LABELS
        .iter()
        .find(|(names, _)| {
            names.split(' ').any(|name| {
                name.len() == label.len()
                    && name
                        .bytes()
                        .zip(label.bytes())
                        .all(|(n, l)| n == l.to_ascii_lowercase() || (n == b'-' && l == b'_'))
            })
        })
        .map(|(_, name)| *name)
}

/// Labels (lower case, `_` read as `-`) and the WHATWG name they stand for.
/// A table rather than a `match`: it compiles to data, not code.
const MULTI_BYTE_LABELS: [(&str, &str); 7] = [
    (
        "shift-jis sjis x-sjis ms-kanji csshiftjis windows-31j ms932 cp932 x-ms-cp932",
        "shift_jis",
    ),
    ("euc-jp x-euc-jp eucjp cseucpkdfmtjapanese", "euc-jp"),
    ("iso-2022-jp csiso2022jp", "iso-2022-jp"),
    (
        "gb2312 gbk x-gbk cp936 ms936 chinese csgb2312 csiso58gb231280 gb-2312 gb-2312-80 \
         iso-ir-58 euc-cn x-euc-cn",
        "gbk",
    ),
    ("gb18030", "gb18030"),
    (
        "big5 big5-hkscs cn-big5 csbig5 x-x-big5 cp950 ms950",
        "big5",
    ),
    (
        "euc-kr cseuckr csksc56011987 iso-ir-149 korean ks-c-5601-1987 ks-c-5601-1989 ksc5601 \
         ksc-5601 windows-949 cp949 ms949",
        "euc-kr",
    ),
];

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
    if let Some(text) = label
        .and_then(multi_byte)
        .and_then(|name| multi_byte_decoder()?(name, bytes))
    {
        return text;
    }
    let label = label.map(|l| alias(l).unwrap_or_else(|| l.trim().to_owned()));
    match label.and_then(|l| charset_decoder(l.as_bytes())) {
        Some(decoder) => decoder(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{alias, multi_byte};

    #[test]
    fn labels_senders_use() {
        for (label, name) in [
            ("Shift_JIS", "shift_jis"),
            ("CP932", "shift_jis"),
            ("x-sjis", "shift_jis"),
            ("ISO-2022-JP", "iso-2022-jp"),
            ("EUC-JP", "euc-jp"),
            ("GB2312", "gbk"),
            ("iso-ir-58", "gbk"),
            ("GB18030", "gb18030"),
            ("Big5", "big5"),
            ("ks_c_5601-1987", "euc-kr"),
            ("ksc5601", "euc-kr"),
        ] {
            assert_eq!(multi_byte(label), Some(name), "{label}");
        }
        for label in ["utf-8", "iso-8859-1", "windows-1252", "gb", "sjis2"] {
            assert_eq!(multi_byte(label), None, "{label}");
        }
        assert_eq!(alias("win-1257").as_deref(), Some("cp1257"));
        assert_eq!(alias("WIN_1252").as_deref(), Some("cp1252"));
        assert_eq!(alias("x-ms-1251").as_deref(), Some("cp1251"));
        assert_eq!(alias("windows-1257"), None, "already known");
        assert_eq!(alias("win-9999"), None);
    }
}
