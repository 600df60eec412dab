//! Property rules: what a name, phone, date, amount, currency, note or
//! custom property may be. Every refusal names the field and says what to
//! enter instead.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::clip;

/// Largest note, in bytes of UTF-8 text.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Longest one-line property (a name, a title, a phone number).
pub const MAX_LINE_CHARS: usize = 256;
/// Most custom properties on one record.
pub const MAX_CUSTOM: usize = 100;
/// Longest custom property name / value.
pub const MAX_CUSTOM_NAME_CHARS: usize = 64;
pub const MAX_CUSTOM_VALUE_CHARS: usize = 4096;
/// Most records one task, note or deal is about.
pub const MAX_RELATED: usize = 100;

/// A one-line text property, trimmed: at most [`MAX_LINE_CHARS`], no line
/// breaks or other control characters. `field` names it in the refusal.
pub fn line(field: &str, text: &str) -> CrmResult<String> {
    let t = text.trim();
    if t.chars().count() > MAX_LINE_CHARS {
        return Err(CrmError::new(
            CrmErrorCode::TooLong,
            format!("The {field} is longer than {MAX_LINE_CHARS} characters. Shorten it."),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(CrmError::new(
            CrmErrorCode::ControlCharacter,
            format!(
                "The {field} has a line break or another control character. Keep it on one line."
            ),
        ));
    }
    Ok(t.to_string())
}

/// A one-line property that must not be empty.
pub fn required_line(field: &str, text: &str) -> CrmResult<String> {
    let t = line(field, text)?;
    if t.is_empty() {
        return Err(CrmError::new(
            CrmErrorCode::Required,
            format!("The {field} is empty. Enter one."),
        ));
    }
    Ok(t)
}

/// A phone number as typed: digits and the signs people write around them
/// (`+ ( ) - . /`, spaces, an extension's `x` or `ext`).
pub fn phone(text: &str) -> CrmResult<String> {
    let t = line("phone number", text)?;
    let lower = t.to_ascii_lowercase();
    let rest = lower.replace("ext", "");
    let ok = rest
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./x#".contains(c));
    if !ok || (!t.is_empty() && !t.chars().any(|c| c.is_ascii_digit())) {
        return Err(CrmError::new(
            CrmErrorCode::InvalidPhone,
            format!(
                "\"{}\" is not a phone number. Use digits, with + ( ) - . or spaces, like +1 555 0100.",
                clip(&t)
            ),
        ));
    }
    Ok(t)
}

/// Whether `y-m-d` is a real calendar day.
fn real_day(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A date as `YYYY-MM-DD` that is a real day (years 1000-9999).
pub fn date(field: &str, text: &str) -> CrmResult<String> {
    let t = text.trim();
    let b = t.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let number = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(0);
    if shape && number(0..4) >= 1000 && real_day(number(0..4), number(5..7), number(8..10)) {
        return Ok(t.to_string());
    }
    Err(CrmError::new(
        CrmErrorCode::DateNotDate,
        format!(
            "The {field} \"{}\" is not a date. Enter a real day as YYYY-MM-DD, like 2026-03-31.",
            clip(t)
        ),
    ))
}

/// ISO 4217 codes of currencies in use (precious metals, test and fund
/// codes left out: a deal is not priced in them).
const CURRENCIES: &str = "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD \
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD \
HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD \
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG \
QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD \
TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

/// Whether `code` (upper-case) is an ISO 4217 currency.
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && CURRENCIES.split_ascii_whitespace().any(|c| c == code)
}

/// Every currency code, for the app's picker.
pub fn currencies() -> Vec<&'static str> {
    CURRENCIES.split_ascii_whitespace().collect()
}

/// A currency code as typed (`eur` → `EUR`).
pub fn currency(text: &str) -> CrmResult<String> {
    let code = text.trim().to_ascii_uppercase();
    if is_currency(&code) {
        return Ok(code);
    }
    Err(CrmError::new(
        CrmErrorCode::CurrencyNotIso,
        format!(
            "\"{}\" is not a currency code. Use a three-letter ISO 4217 code, like USD or EUR.",
            clip(text.trim())
        ),
    ))
}

/// A note's body: at most [`MAX_NOTE_BYTES`], not empty. Its line breaks
/// are kept; other control characters (but tabs) are refused.
pub fn note_body(text: &str) -> CrmResult<String> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(CrmError::new(
            CrmErrorCode::NoteTooLarge,
            format!(
                "This note is {} KiB; a note can hold at most {} KiB. Shorten it, or split it into several notes.",
                text.len().div_ceil(1024),
                MAX_NOTE_BYTES / 1024
            ),
        ));
    }
    let body = text.trim();
    if body.is_empty() {
        return Err(CrmError::new(
            CrmErrorCode::Required,
            "The note is empty. Write something in it.",
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CrmError::new(
            CrmErrorCode::ControlCharacter,
            "The note has a control character that is not text. Remove it.",
        ));
    }
    Ok(body.replace("\r\n", "\n"))
}

/// Custom properties: at most [`MAX_CUSTOM`]; names one line of at most
/// [`MAX_CUSTOM_NAME_CHARS`], values at most [`MAX_CUSTOM_VALUE_CHARS`];
/// empty values dropped.
pub fn custom(props: &BTreeMap<String, String>) -> CrmResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (name, value) in props {
        let name = line("property name", name)?;
        if name.is_empty() || name.chars().count() > MAX_CUSTOM_NAME_CHARS {
            return Err(CrmError::new(
                CrmErrorCode::TooLong,
                format!("A property name must have 1 to {MAX_CUSTOM_NAME_CHARS} characters."),
            ));
        }
        let value = value.trim();
        if value.chars().count() > MAX_CUSTOM_VALUE_CHARS {
            return Err(CrmError::new(
                CrmErrorCode::TooLong,
                format!(
                    "The property \"{}\" is longer than {MAX_CUSTOM_VALUE_CHARS} characters.",
                    clip(&name)
                ),
            ));
        }
        if !value.is_empty() {
            out.insert(name, value.to_string());
        }
    }
    if out.len() > MAX_CUSTOM {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            format!(
                "A record can have at most {MAX_CUSTOM} custom properties; this one has {}.",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// One of a fixed set of values: its id and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Choice {
    pub id: &'static str,
    pub label: &'static str,
}

const fn choice(id: &'static str, label: &'static str) -> Choice {
    Choice { id, label }
}

/// HubSpot's lifecycle stages (its internal values and labels).
pub const LIFECYCLE_STAGES: [Choice; 8] = [
    choice("subscriber", "Subscriber"),
    choice("lead", "Lead"),
    choice("marketingqualifiedlead", "Marketing Qualified Lead"),
    choice("salesqualifiedlead", "Sales Qualified Lead"),
    choice("opportunity", "Opportunity"),
    choice("customer", "Customer"),
    choice("evangelist", "Evangelist"),
    choice("other", "Other"),
];

/// HubSpot's lead statuses (its internal values and labels).
pub const LEAD_STATUSES: [Choice; 8] = [
    choice("NEW", "New"),
    choice("OPEN", "Open"),
    choice("IN_PROGRESS", "In Progress"),
    choice("OPEN_DEAL", "Open Deal"),
    choice("UNQUALIFIED", "Unqualified"),
    choice("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    choice("CONNECTED", "Connected"),
    choice("BAD_TIMING", "Bad Timing"),
];

/// Letters and digits only, lower-case: `In Progress`, `IN_PROGRESS` and
/// `in-progress` compare equal.
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A value of `choices` given by its id or its label (any case, spaces or
/// underscores); empty means none.
pub fn choose(field: &str, choices: &[Choice], text: &str) -> CrmResult<Option<String>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let key = squash(t);
    if let Some(c) = choices
        .iter()
        .find(|c| squash(c.id) == key || squash(c.label) == key)
    {
        return Ok(Some(c.id.to_string()));
    }
    let names: Vec<&str> = choices.iter().map(|c| c.label).collect();
    Err(CrmError::new(
        CrmErrorCode::UnknownValue,
        format!(
            "\"{}\" is not a {field}. Choose one of: {}.",
            clip(t),
            names.join(", ")
        ),
    ))
}

/// The label of a stored choice id (the id itself if unknown).
pub fn label_of<'a>(choices: &[Choice], id: &'a str) -> &'a str
where
    'static: 'a,
{
    choices.iter().find(|c| c.id == id).map_or(id, |c| c.label)
}
