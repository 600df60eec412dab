//! Amounts: exact decimals, never floats (0.1 + 0.2 is 0.30 here).
//!
//! An amount is at most 18 digits before the point and 6 after, held as an
//! integer count of millionths; its canonical text has at least two
//! decimals (`1250` → `1250.00`, `0.125` → `0.125`). A decimal crate
//! (rust_decimal) would bring 96-bit arithmetic, rounding modes and
//! formatting the CRM does not use: parsing, the canonical text and sums are
//! all it needs, and an `i128` does them exactly.

use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::clip;

const SCALE: u32 = 6;
const MAX_INTEGER_DIGITS: usize = 18;

/// An exact amount, in millionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(i128);

impl Amount {
    /// Reads a typed amount: digits, an optional `.` and up to 6 decimals,
    /// an optional leading `-`; spaces around it are ignored.
    pub fn parse(text: &str) -> CrmResult<Amount> {
        let t = text.trim();
        let refuse = |why: &str| {
            CrmError::new(
                CrmErrorCode::AmountNotDecimal,
                format!("The amount \"{}\" is not a number: {why}", clip(t)),
            )
        };
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        if digits.contains(',') {
            return Err(refuse(
                "write it with a point for decimals and no thousands separators, like 1250.50.",
            ));
        }
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(refuse("enter digits, like 1250.50."));
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("use only digits and one point, like 1250.50."));
        }
        let int = int.trim_start_matches('0');
        if int.len() > MAX_INTEGER_DIGITS {
            return Err(refuse(&format!(
                "it has more than {MAX_INTEGER_DIGITS} digits before the point."
            )));
        }
        if frac.len() > SCALE as usize {
            return Err(refuse(&format!("it has more than {SCALE} decimals.")));
        }
        let mut value: i128 = 0;
        for b in int.bytes() {
            value = value * 10 + i128::from(b - b'0');
        }
        for i in 0..SCALE as usize {
            let digit = frac.as_bytes().get(i).map_or(0, |b| b - b'0');
            value = value * 10 + i128::from(digit);
        }
        Ok(Amount(if negative { -value } else { value }))
    }

    /// The canonical text: at least two decimals, no trailing zeros beyond.
    pub fn canonical(self) -> String {
        let unit = 10i128.pow(SCALE);
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let int = abs / unit as u128;
        let frac = format!("{:06}", abs % unit as u128);
        let frac = frac.trim_end_matches('0');
        let frac = if frac.len() < 2 {
            format!("{frac:0<2}")
        } else {
            frac.to_string()
        };
        format!("{sign}{int}.{frac}")
    }

    /// The sum, exact (an amount has at most 24 digits; an `i128` holds 38).
    pub fn plus(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }
}

/// The canonical text of a typed amount (see [`Amount::canonical`]).
pub fn canonical_amount(text: &str) -> CrmResult<String> {
    Amount::parse(text).map(Amount::canonical)
}

/// The sum of stored amounts as canonical text; unreadable ones count as 0.
pub fn sum_amounts<'a>(amounts: impl IntoIterator<Item = &'a str>) -> String {
    amounts
        .into_iter()
        .filter_map(|a| Amount::parse(a).ok())
        .fold(Amount::default(), Amount::plus)
        .canonical()
}
