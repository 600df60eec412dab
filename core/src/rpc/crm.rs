//! The CRM's page requests: their arguments, checked before the worker acts
//! (closed schema, lengths and limits bounded). What the commands mean is
//! `crate::crm`'s.
//!
//! The nested values a write carries (a save's command, the settings, a
//! list's filter, an import's mapping) are held here as JSON objects and
//! read with their closed schema by the crm module, which the worker asks
//! (`crmLookups`, `crmValidateSettings`, `crmMatches`, `crmCsvImport`)
//! before it reads or writes anything: an off-schema command is refused
//! there as `invalidArgument`, in words. Typing them here too would put
//! every CRM type's reading into the start module the worker reads on each
//! wake-up: measured +46 KB gzip (80 -> 126 KB), against +16 KB this way.
//! The TypeScript types still name the CRM types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crm::ids::{IdKind, RecordRef, is_id};

/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most rows in one page of a list or timeline.
pub const MAX_PAGE_ROWS: u32 = 200;
/// Largest staged CSV chunk, in bytes (the page's message limit is 1 MiB).
pub const MAX_CHUNK_BYTES: usize = 512 * 1024;
/// Most chunks in one import (a 100 MB file).
pub const MAX_CHUNKS: u32 = 200;
/// Most columns a mapping names (the CSV limit, `crm::csv_import`).
pub const MAX_MAPPING: usize = 200;

/// What the user typed in the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct Query(String);

impl Query {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Query {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.chars().count() > MAX_QUERY_CHARS {
            return Err(format!(
                "the search is longer than {MAX_QUERY_CHARS} characters"
            ));
        }
        Ok(Query(value))
    }
}

impl From<Query> for String {
    fn from(value: Query) -> String {
        value.0
    }
}

/// A page size: 1 to [`MAX_PAGE_ROWS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "u32", into = "u32")]
pub struct PageSize(u32);

impl PageSize {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for PageSize {
    type Error = String;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        if value == 0 || value > MAX_PAGE_ROWS {
            return Err(format!("a page has 1 to {MAX_PAGE_ROWS} rows"));
        }
        Ok(PageSize(value))
    }
}

impl From<PageSize> for u32 {
    fn from(value: PageSize) -> u32 {
        value.0
    }
}

/// An import's id (`im_…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct ImportId(String);

impl ImportId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ImportId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !is_id(IdKind::Import, &value) {
            return Err("the import id is not an id of an import".into());
        }
        Ok(ImportId(value))
    }
}

impl From<ImportId> for String {
    fn from(value: ImportId) -> String {
        value.0
    }
}

/// A short id of the settings (a pipeline's, a stage's): 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct SettingsId(String);

impl SettingsId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SettingsId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.is_empty() || value.len() > 64 || value.chars().any(char::is_control) {
            return Err("a pipeline id has 1 to 64 characters".into());
        }
        Ok(SettingsId(value))
    }
}

impl From<SettingsId> for String {
    fn from(value: SettingsId) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmSearchArg {
    pub query: Query,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub limit: Option<PageSize>,
}

/// Which records a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum ListKind {
    Contacts,
    Companies,
    Deals,
}

/// What a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    Name,
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
    Amount,
    CloseDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmListArg {
    pub kind: ListKind,
    pub sort: SortField,
    pub dir: SortDir,
    #[serde(default)]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<crate::crm::filter::CrmFilter>", optional)
    )]
    pub filter: Map<String, Value>,
    pub offset: u32,
    pub limit: PageSize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmRecordArg {
    pub record: RecordRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmTimelineArg {
    pub record: RecordRef,
    /// Entries before this time (ms); none: the newest.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub before: Option<u64>,
    pub limit: PageSize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmSaveArg {
    /// A `CrmCommand`, read by the crm module (see the module comment).
    #[cfg_attr(feature = "ts", ts(as = "crate::crm::command::CrmCommand"))]
    pub command: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmBoardArg {
    pub pipeline: SettingsId,
}

/// Which tasks the task list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum TaskFilter {
    Open,
    Overdue,
    Today,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmTasksArg {
    pub filter: TaskFilter,
    pub offset: u32,
    pub limit: PageSize,
}

/// A CSV chunk of at most [`MAX_CHUNK_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(try_from = "String", into = "String")]
pub struct Chunk(String);

impl Chunk {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Chunk {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() > MAX_CHUNK_BYTES {
            return Err(format!(
                "a chunk of the file is over {} KiB",
                MAX_CHUNK_BYTES / 1024
            ));
        }
        Ok(Chunk(value))
    }
}

impl From<Chunk> for String {
    fn from(value: Chunk) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CrmImportChunkArg {
    /// None for the first chunk (the worker makes the import).
    pub import_id: Option<ImportId>,
    pub index: u32,
    pub text: Chunk,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CrmImportArg {
    pub import_id: ImportId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CrmImportRunArg {
    pub import_id: ImportId,
    /// One entry per column: the field it fills, or null to ignore it.
    #[cfg_attr(
        feature = "ts",
        ts(as = "Vec<Option<crate::crm::csv_columns::CsvField>>")
    )]
    pub mapping: Vec<Value>,
}

/// Which records an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    Contacts,
    Companies,
    Deals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmExportArg {
    pub kind: ExportKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct CrmSaveSettingsArg {
    /// `CrmSettings`, checked whole by the crm module (`crmValidateSettings`).
    #[cfg_attr(feature = "ts", ts(as = "crate::crm::settings::CrmSettings"))]
    pub settings: Map<String, Value>,
}

/// Checks the parts of CRM requests serde's shapes cannot: a chunk index
/// beyond [`MAX_CHUNKS`], a mapping longer than [`MAX_MAPPING`], a command
/// without its `op`.
pub(crate) fn check(request: &super::PageRequest) -> Result<(), String> {
    use super::PageRequest;
    match request {
        PageRequest::CrmImportChunk(a) if a.index >= MAX_CHUNKS => {
            Err(format!("an import has at most {MAX_CHUNKS} chunks"))
        }
        PageRequest::CrmImportChunk(a) if a.index > 0 && a.import_id.is_none() => {
            Err("a chunk after the first needs the import id".into())
        }
        PageRequest::CrmImportRun(a) if a.mapping.len() > MAX_MAPPING => {
            Err(format!("a mapping has at most {MAX_MAPPING} columns"))
        }
        PageRequest::CrmSave(a) if !a.command.get("op").is_some_and(Value::is_string) => {
            Err("a CRM command needs its \"op\"".into())
        }
        _ => Ok(()),
    }
}
