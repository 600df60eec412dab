//! Folding text for search and sorting: lower-case, diacritics removed
//! (`Zoë Ørsted` → `zoe orsted`), whitespace collapsed.
//!
//! Removing diacritics needs Unicode's canonical decompositions (NFD), a
//! table of about 30 KB. The browser already has it (`String.prototype
//! .normalize`), so, as with IDNA ([`crate::idn`]) and the CJK charsets, the
//! wasm binding installs the browser's with [`set_decomposer`]; native
//! builds (tests, the bridge) use the `unicode-normalization` crate. ASCII
//! text, most of what a CRM holds, never crosses.

use std::sync::OnceLock;

/// Returns `text` in Unicode normalization form D.
pub type Decomposer = fn(text: &str) -> String;

static DECOMPOSER: OnceLock<Decomposer> = OnceLock::new();

/// Installs the NFD decomposer; the first call wins.
pub fn set_decomposer(decomposer: Decomposer) {
    let _ = DECOMPOSER.set(decomposer);
}

fn decompose(text: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let nfd = DECOMPOSER.get_or_init(|| {
            |text| unicode_normalization::UnicodeNormalization::nfd(text).collect()
        });
        nfd(text)
    }
    #[cfg(target_arch = "wasm32")]
    {
        // Without the browser's (a binding that forgot to install it) the
        // text is only lower-cased: accented letters then match only as typed.
        DECOMPOSER
            .get()
            .map_or_else(|| text.to_string(), |nfd| nfd(text))
    }
}

/// Combining marks left by NFD (accents, umlauts, cedillas, …).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Letters NFD does not split but people type without their stroke or as
/// two letters (`ø` as `o`, `ß` as `ss`).
fn plain_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        _ => return None,
    })
}

/// `text` folded: lower-case, without diacritics, whitespace runs as one
/// space, trimmed.
pub fn fold(text: &str) -> String {
    let lower = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        let decomposed = decompose(&text.to_lowercase());
        let mut out = String::with_capacity(decomposed.len());
        for c in decomposed.chars().filter(|&c| !is_combining_mark(c)) {
            match plain_letters(c) {
                Some(plain) => out.push_str(plain),
                None => out.push(c),
            }
        }
        out
    };
    let mut out = String::with_capacity(lower.len());
    for word in lower.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_diacritics_and_spaces() {
        for (text, folded) in [
            ("  Zoë   Ørsted ", "zoe orsted"),
            ("ÉLODIE Müller-Lüdenscheidt", "elodie muller-ludenscheidt"),
            ("Straße", "strasse"),
            ("Łukasz Żółć", "lukasz zolc"),
            ("François Hélène", "francois helene"),
            ("ANN@Example.COM", "ann@example.com"),
        ] {
            assert_eq!(fold(text), folded, "{text}");
        }
    }
}
