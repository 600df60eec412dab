//! The stored records, as the worker keeps them in IndexedDB (camelCase).
//!
//! Ids, address keys, search keys, sort names and timestamps are the
//! core's: inputs carry only the editable fields (see [`super::command`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::{RecordKind, RecordRef};

/// A person, reached at one or more addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    /// As typed, trimmed; the first is the primary address.
    pub emails: Vec<String>,
    /// The canonical key of each address (unique across contacts).
    pub email_keys: Vec<String>,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub phone: String,
    pub company_id: Option<String>,
    pub owner: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub lead_status: Option<String>,
    pub custom: BTreeMap<String, String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub last_activity_at: Option<u64>,
    pub search_keys: Vec<String>,
    pub sort_name: String,
}

/// An organisation, known by its name and the domains of its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: String,
    pub name: String,
    /// Lower-case ASCII, unique across companies.
    pub domains: Vec<String>,
    pub owner: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub last_activity_at: Option<u64>,
    pub search_keys: Vec<String>,
    pub sort_name: String,
}

/// A sale in progress, in one stage of one pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub id: String,
    pub name: String,
    pub pipeline: String,
    pub stage: String,
    /// Canonical decimal (`"1250.00"`).
    pub amount: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub close_date: Option<String>,
    pub contact_ids: Vec<String>,
    pub company_id: Option<String>,
    pub owner: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub last_activity_at: Option<u64>,
    pub search_keys: Vec<String>,
    pub sort_name: String,
}

/// What kind of task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum TaskKind {
    #[default]
    Todo,
    Call,
    Email,
}

/// Something to do, by a date, about some records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub kind: TaskKind,
    pub done: bool,
    pub related: Vec<RecordRef>,
    pub owner: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
}

/// Free text about some records (at most [`super::validate::MAX_NOTE_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    pub body: String,
    pub related: Vec<RecordRef>,
    pub created_at: u64,
    pub updated_at: u64,
}

/// One value in a timeline entry's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(untagged)]
pub enum DataValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
}

impl From<&str> for DataValue {
    fn from(value: &str) -> Self {
        DataValue::Text(value.to_string())
    }
}

impl From<String> for DataValue {
    fn from(value: String) -> Self {
        DataValue::Text(value)
    }
}

/// Something that happened, shown on the timeline of every record it names.
/// `kind` is open (`created`, `updated`, `note`, `task`, `emailSent`,
/// `emailReceived`, `merged`, `imported`, later `opened`, `clicked`, …): a
/// reader that does not know a kind shows `summary`, so new kinds need no
/// migration of stored entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub id: String,
    pub records: Vec<RecordRef>,
    pub at: u64,
    pub kind: String,
    pub summary: String,
    pub data: BTreeMap<String, DataValue>,
}

/// Any stored record; read by its id's prefix (records are stored without a
/// kind field), written as the record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(untagged)]
pub enum AnyRecord {
    Contact(Contact),
    Company(Company),
    Deal(Deal),
    Task(Task),
    Note(Note),
}

impl<'de> Deserialize<'de> for AnyRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        let id = value.get("id").and_then(Value::as_str).unwrap_or("");
        let kind = RecordKind::of_id(id)
            .ok_or_else(|| D::Error::custom(format!("a record with id {id:?} of no kind")))?;
        let record = match kind {
            RecordKind::Contact => serde_json::from_value(value).map(AnyRecord::Contact),
            RecordKind::Company => serde_json::from_value(value).map(AnyRecord::Company),
            RecordKind::Deal => serde_json::from_value(value).map(AnyRecord::Deal),
            RecordKind::Task => serde_json::from_value(value).map(AnyRecord::Task),
            RecordKind::Note => serde_json::from_value(value).map(AnyRecord::Note),
        };
        record.map_err(D::Error::custom)
    }
}

impl AnyRecord {
    pub fn id(&self) -> &str {
        match self {
            AnyRecord::Contact(r) => &r.id,
            AnyRecord::Company(r) => &r.id,
            AnyRecord::Deal(r) => &r.id,
            AnyRecord::Task(r) => &r.id,
            AnyRecord::Note(r) => &r.id,
        }
    }

    pub fn kind(&self) -> RecordKind {
        match self {
            AnyRecord::Contact(_) => RecordKind::Contact,
            AnyRecord::Company(_) => RecordKind::Company,
            AnyRecord::Deal(_) => RecordKind::Deal,
            AnyRecord::Task(_) => RecordKind::Task,
            AnyRecord::Note(_) => RecordKind::Note,
        }
    }

    pub fn reference(&self) -> RecordRef {
        RecordRef::to(self.id()).expect("a stored record's id has its kind")
    }

    /// How the record is named to the user.
    pub fn title(&self) -> String {
        match self {
            AnyRecord::Contact(c) => contact_title(c),
            AnyRecord::Company(c) => c.name.clone(),
            AnyRecord::Deal(d) => d.name.clone(),
            AnyRecord::Task(t) => t.title.clone(),
            AnyRecord::Note(n) => note_title(&n.body),
        }
    }

    pub fn last_activity_at(&self) -> Option<u64> {
        match self {
            AnyRecord::Contact(c) => c.last_activity_at,
            AnyRecord::Company(c) => c.last_activity_at,
            AnyRecord::Deal(d) => d.last_activity_at,
            AnyRecord::Task(_) | AnyRecord::Note(_) => None,
        }
    }

    pub fn sort_name(&self) -> String {
        match self {
            AnyRecord::Contact(c) => c.sort_name.clone(),
            AnyRecord::Company(c) => c.sort_name.clone(),
            AnyRecord::Deal(d) => d.sort_name.clone(),
            AnyRecord::Task(t) => super::fold::fold(&t.title),
            AnyRecord::Note(n) => super::fold::fold(&note_title(&n.body)),
        }
    }

    pub fn search_keys(&self) -> &[String] {
        match self {
            AnyRecord::Contact(c) => &c.search_keys,
            AnyRecord::Company(c) => &c.search_keys,
            AnyRecord::Deal(d) => &d.search_keys,
            AnyRecord::Task(_) | AnyRecord::Note(_) => &[],
        }
    }
}

/// A contact's name, else its primary address, else "Unnamed contact".
pub fn contact_title(c: &Contact) -> String {
    person_title(&c.first_name, &c.last_name, &c.emails)
}

/// [`contact_title`] from the fields it reads.
pub fn person_title(first_name: &str, last_name: &str, emails: &[String]) -> String {
    let name = format!("{first_name} {last_name}");
    let name = name.trim();
    if !name.is_empty() {
        name.to_string()
    } else if let Some(first) = emails.first() {
        first.clone()
    } else {
        "Unnamed contact".into()
    }
}

/// A note's first line, at most 60 characters.
pub fn note_title(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None if line.is_empty() => "Note".into(),
        None => line.to_string(),
    }
}

/// A deleted record and what went with it, kept so the delete can be undone
/// (for 30 days; the worker purges older entries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct TrashEntry {
    pub id: String,
    /// When it was deleted (ms).
    pub at: u64,
    /// The record the user deleted.
    pub record: RecordRef,
    /// Its title when deleted, for the "Recently deleted" list.
    pub title: String,
    /// The record, and the notes and tasks that were only about it.
    pub records: Vec<AnyRecord>,
    /// The timeline entries that were only on those records.
    pub timeline: Vec<TimelineEntry>,
}
