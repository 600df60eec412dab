//! JSON text across the binding: the CRM's values cross as text the worker
//! `JSON.stringify`s and `JSON.parse`s (one serde_json reading per call, no
//! per-type conversion code in the module).

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{CrmError, CrmErrorCode, CrmResult};

/// Reads argument `name` from JSON text; a wrong shape is refused, named.
///
/// Read through a `serde_json::Value`: records arrive both alone and inside
/// `AnyRecord` (which must look at the id first), and reading every type from
/// a `Value` keeps one reader per type in the module instead of two.
pub fn read<T: DeserializeOwned>(json: &str, name: &str) -> CrmResult<T> {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            CrmError::new(
                CrmErrorCode::InvalidArgument,
                format!("The argument {name} doesn't have the expected shape: {e}"),
            )
        })
}

/// A value as JSON text.
pub fn write<T: Serialize>(value: &T) -> CrmResult<String> {
    serde_json::to_string(value).map_err(|e| {
        CrmError::new(
            CrmErrorCode::Internal,
            format!("Inlay couldn't hand a result to the extension ({e}). Please report this to Inlay's support."),
        )
    })
}
