//! The outbox's build setting: how long after a delivering call left the
//! machine waits before it searches Sent ([`LOOKUP_GRACE_MS`] by default).
//! Set only by the build's `config.json` (`"outbox": {"lookupGraceMs": …}`:
//! the sandbox's e2e and demo builds shorten it, since their fakes file the
//! Sent copy at once), never by the admin's policy; read and bounded here,
//! a value out of range refused in words.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::machine::LOOKUP_GRACE_MS;

/// The shortest grace a build may set: a lookup sooner reads "not found"
/// for an email a real provider is still processing.
pub const MIN_LOOKUP_GRACE_MS: u64 = 1_000;
/// The longest: an email that may have left waits no more than this to be
/// checked.
pub const MAX_LOOKUP_GRACE_MS: u64 = 60 * 60_000;

/// The outbox settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxSettings {
    pub lookup_grace_ms: u64,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            lookup_grace_ms: LOOKUP_GRACE_MS,
        }
    }
}

impl OutboxSettings {
    /// Reads the build's `outbox` object; what is wrong with it, in words.
    pub fn read(value: &Value) -> Result<Self, String> {
        let Value::Object(map) = value else {
            return Err("it must be an object such as {\"lookupGraceMs\": 120000}".into());
        };
        let mut settings = OutboxSettings::default();
        for (key, v) in map {
            match key.as_str() {
                "lookupGraceMs" => settings.lookup_grace_ms = grace(v)?,
                other => {
                    return Err(format!(
                        "\"{other}\" is not one of its settings (lookupGraceMs)"
                    ));
                }
            }
        }
        Ok(settings)
    }

    /// `ms` held within the bounds (the reader refused values outside them
    /// in words; this keeps any other caller from a grace of zero).
    pub fn bounded(ms: u64) -> u64 {
        ms.clamp(MIN_LOOKUP_GRACE_MS, MAX_LOOKUP_GRACE_MS)
    }
}

fn grace(value: &Value) -> Result<u64, String> {
    let range = format!(
        "a whole number of milliseconds from {MIN_LOOKUP_GRACE_MS} (1 second) to {MAX_LOOKUP_GRACE_MS} (1 hour)"
    );
    match value.as_u64() {
        Some(ms) if (MIN_LOOKUP_GRACE_MS..=MAX_LOOKUP_GRACE_MS).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "\"lookupGraceMs\" is {value}, and it must be {range}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_grace_within_bounds() {
        let read = OutboxSettings::read(&json!({"lookupGraceMs": 3000})).unwrap();
        assert_eq!(read.lookup_grace_ms, 3000);
        assert_eq!(
            OutboxSettings::read(&json!({})).unwrap(),
            OutboxSettings::default()
        );
    }

    #[test]
    fn refuses_out_of_range_and_other_shapes_in_words() {
        for bad in [
            json!({"lookupGraceMs": 0}),
            json!({"lookupGraceMs": 999}),
            json!({"lookupGraceMs": 3_600_001}),
            json!({"lookupGraceMs": -5}),
            json!({"lookupGraceMs": 2.5}),
            json!({"lookupGraceMs": "3000"}),
        ] {
            let why = OutboxSettings::read(&bad).unwrap_err();
            assert!(
                why.contains("from 1000 (1 second) to 3600000 (1 hour)"),
                "{why}"
            );
        }
        assert!(
            OutboxSettings::read(&json!({"grace": 1}))
                .unwrap_err()
                .contains("\"grace\"")
        );
        assert!(
            OutboxSettings::read(&json!(3000))
                .unwrap_err()
                .contains("an object")
        );
    }

    #[test]
    fn bounded_keeps_a_grace_above_zero() {
        assert_eq!(OutboxSettings::bounded(0), MIN_LOOKUP_GRACE_MS);
        assert_eq!(OutboxSettings::bounded(u64::MAX), MAX_LOOKUP_GRACE_MS);
        assert_eq!(OutboxSettings::bounded(5_000), 5_000);
    }
}
