//! Why the CRM refused something: a stable code the app can branch on and a
//! sentence it shows as is.

use serde::{Deserialize, Serialize};

/// The stable codes of the CRM's refusals (camelCase on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum CrmErrorCode {
    /// An address that is not an email address.
    InvalidAddress,
    /// An address already on another contact.
    DuplicateAddress,
    /// A domain already on another company.
    DuplicateDomain,
    /// A domain that is not a domain name.
    InvalidDomain,
    /// A required text (a name, a title, a body) is empty.
    Required,
    /// A text is longer than its limit.
    TooLong,
    /// A text has control characters (line breaks where none belong).
    ControlCharacter,
    /// Too many addresses, domains, properties or associations on one record.
    TooMany,
    /// A phone number with characters phone numbers do not have.
    InvalidPhone,
    /// An owner that is not one of the settings' owners.
    UnknownOwner,
    /// A lifecycle stage or lead status Inlay does not know.
    UnknownValue,
    /// A pipeline that is not one of the settings' pipelines.
    UnknownPipeline,
    /// A stage that is not in the deal's pipeline.
    StageNotInPipeline,
    /// An amount that is not a decimal number.
    AmountNotDecimal,
    /// A currency that is not an ISO 4217 code.
    CurrencyNotIso,
    /// A date that is not a real calendar date (YYYY-MM-DD).
    DateNotDate,
    /// A note over 64 KiB.
    NoteTooLarge,
    /// A record id or reference of the wrong form.
    InvalidId,
    /// A record the command names is not in the store.
    NotFound,
    /// A trash entry that is gone (undone, or purged after 30 days).
    TrashNotFound,
    /// A merge of a record with itself or with another kind of record.
    InvalidMerge,
    /// Fewer random bytes than the command needs (a shell bug).
    NeedRandom,
    /// Settings that cannot be used (no pipeline, duplicate ids, …).
    InvalidSettings,
    /// A CSV file with more columns than Inlay imports.
    CsvTooManyColumns,
    /// A CSV file with more rows than Inlay imports at once.
    CsvTooManyRows,
    /// A file that is not CSV text.
    CsvNotCsv,
    /// A CSV file without a header row or without data rows.
    CsvEmpty,
    /// A column mapping that does not fit the file.
    CsvMapping,
    /// A staged import that is gone (run, discarded, or older than a week).
    ImportNotFound,
    /// An argument of the wrong shape (a shell bug).
    InvalidArgument,
    /// A result that could not be handed over (a core bug).
    Internal,
}

/// A refusal: the code and the user-facing sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CrmError {
    pub code: CrmErrorCode,
    pub message: String,
}

impl CrmError {
    pub fn new(code: CrmErrorCode, message: impl Into<String>) -> Self {
        CrmError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CrmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CrmError {}

/// The CRM's results.
pub type CrmResult<T> = Result<T, CrmError>;
