//! Importing contacts from a CSV file (a HubSpot export, or any CSV through
//! a column mapping): a preview to map the columns, then one write set for
//! every good row, and each bad row listed with its line number in the file
//! (the header is line 1; a quoted value with line breaks spans lines) and
//! the reason. The worker applies the whole set in one transaction, so an
//! import is all there or not at all. The `csv` crate reads the file.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::address::parse_contact_address;
use super::apply::{CompanyHint, Ctx, WriteSet, build_contact, with_contact_keys};
use super::command::{ContactInput, Found};
use super::csv_columns::{CsvField, column_name, suggest_mapping};
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::fold::fold;
use super::ids::{RecordRef, clip};
use super::model::{Company, Contact, DataValue, contact_title};
use super::settings::CrmSettings;

/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 200;
/// Most data rows one import may have.
pub const MAX_ROWS: usize = 100_000;
/// Rows shown in the preview.
pub const SAMPLE_ROWS: usize = 5;

/// How long a staged (chunked, not yet run) import is kept.
pub const STAGED_IMPORT_DAYS: u64 = 7;

/// Staged imports made before this time (ms) are discarded.
pub fn import_cutoff(now_ms: u64) -> u64 {
    now_ms.saturating_sub(STAGED_IMPORT_DAYS * 86_400_000)
}

/// The refusal of an import id the store does not have.
pub fn import_not_found() -> CrmError {
    CrmError::new(
        CrmErrorCode::ImportNotFound,
        format!(
            "This import is no longer staged: it was run or discarded, or it was chosen more than {STAGED_IMPORT_DAYS} days ago. Choose the file again."
        ),
    )
}

/// What the mapping screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CsvPreview {
    pub columns: Vec<String>,
    /// One entry per column: the field it fills, or null (ignored).
    pub suggested_mapping: Vec<Option<CsvField>>,
    pub sample_rows: Vec<Vec<String>>,
    /// Data rows (the header not counted).
    pub row_count: u32,
}

/// A company already in the store (the import links contacts to it by
/// domain or by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ExistingCompany {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
}

/// What the store already holds that an import must not duplicate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", default)]
pub struct ImportExisting {
    /// Every contact's `emailKeys`.
    pub email_keys: Vec<String>,
    pub companies: Vec<ExistingCompany>,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SkippedRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// An import's writes and its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CsvImport {
    pub writes: WriteSet,
    pub imported: u32,
    pub skipped: Vec<SkippedRow>,
}

/// A row as read: its line and values.
struct Row {
    line: u64,
    values: Vec<String>,
}

/// The header and the rows of a file, or a refusal of the whole file.
fn read(text: &str) -> CrmResult<(Vec<String>, Vec<Row>)> {
    if text.contains('\0') {
        return Err(CrmError::new(
            CrmErrorCode::CsvNotCsv,
            "This file is not CSV text: it holds binary data. Export the list as a CSV file (comma-separated values) and choose that file.",
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = vec![];
    let mut record = csv::StringRecord::new();
    // Lines counted from the records' byte offsets (the header is line 1; a
    // quoted value's line breaks count).
    let (mut counted_to, mut line) = (0usize, 1u64);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                return Err(CrmError::new(
                    CrmErrorCode::CsvNotCsv,
                    format!(
                        "This file could not be read as CSV (line {line}: {e}). Export it again as a CSV file."
                    ),
                ));
            }
        }
        let start = record.position().map_or(counted_to, |p| p.byte() as usize);
        // The reader's offset can sit on the line break before the record
        // (after a CRLF, after blank lines): no record starts with one.
        let start = start
            + text.as_bytes()[start..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = start;
        let values: Vec<String> = record.iter().map(str::to_string).collect();
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        match header {
            None => {
                if values.len() > MAX_COLUMNS {
                    return Err(CrmError::new(
                        CrmErrorCode::CsvTooManyColumns,
                        format!(
                            "This file has {} columns; Inlay imports at most {MAX_COLUMNS}. Remove the columns you don't need and try again.",
                            values.len()
                        ),
                    ));
                }
                header = Some(values.into_iter().map(|v| v.trim().to_string()).collect());
            }
            Some(_) => {
                if rows.len() == MAX_ROWS {
                    return Err(CrmError::new(
                        CrmErrorCode::CsvTooManyRows,
                        format!(
                            "This file has more than {MAX_ROWS} rows; Inlay imports at most {MAX_ROWS} at once. Split it into smaller files and import each."
                        ),
                    ));
                }
                rows.push(Row { line, values });
            }
        }
    }
    let header = header.ok_or_else(|| {
        CrmError::new(
            CrmErrorCode::CsvEmpty,
            "This file is empty. Choose a CSV file with a header row and one row per contact.",
        )
    })?;
    Ok((header, rows))
}

/// The preview of a file: its columns, the mapping Inlay suggests (HubSpot's
/// names map by themselves), a few rows, how many rows.
pub fn preview(text: &str) -> CrmResult<CsvPreview> {
    let (columns, rows) = read(text)?;
    if rows.is_empty() {
        return Err(CrmError::new(
            CrmErrorCode::CsvEmpty,
            "This file has a header row but no contacts under it.",
        ));
    }
    Ok(CsvPreview {
        suggested_mapping: suggest_mapping(&columns),
        sample_rows: rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(|r| r.values.clone())
            .collect(),
        row_count: rows.len() as u32,
        columns,
    })
}

fn mapping_error(message: String) -> CrmError {
    CrmError::new(CrmErrorCode::CsvMapping, message)
}

/// Checks a mapping against the file's columns.
fn check_mapping(columns: &[String], mapping: &[Option<CsvField>]) -> CrmResult<()> {
    if mapping.len() != columns.len() {
        return Err(mapping_error(format!(
            "The mapping has {} entries but the file has {} columns. Map the file again.",
            mapping.len(),
            columns.len()
        )));
    }
    let mut seen: Vec<&CsvField> = vec![];
    for (i, field) in mapping.iter().enumerate() {
        let Some(field) = field else { continue };
        if seen.contains(&field) {
            return Err(mapping_error(format!(
                "Two columns are mapped to {}; the second is \"{}\". Map each property once.",
                column_name(field),
                clip(&columns[i])
            )));
        }
        seen.push(field);
    }
    if !seen.iter().any(|f| {
        matches!(
            f,
            CsvField::Email | CsvField::FirstName | CsvField::LastName
        )
    }) {
        return Err(mapping_error(
            "Map a column to Email, First Name or Last Name: a contact needs an address or a name."
                .into(),
        ));
    }
    Ok(())
}

/// A value written by Inlay's export with a guard against spreadsheet
/// formulas (`'=…`): the guard is removed.
pub(crate) fn unguard(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(super::csv_export::GUARDED) => rest,
        _ => value,
    }
}

/// An owner named in a file: its id, name or address (any case).
fn owner_id(settings: &CrmSettings, text: &str) -> Option<String> {
    let key = fold(text);
    settings
        .owners
        .iter()
        .find(|o| {
            fold(&o.id) == key
                || fold(&o.name) == key
                || o.email.as_deref().is_some_and(|e| fold(e) == key)
        })
        .map(|o| o.id.clone())
}

/// One row as a contact's input and its company hints.
struct RowInput {
    input: ContactInput,
    company_name: Option<String>,
    company_domain: Option<String>,
}

fn row_input(
    settings: &CrmSettings,
    mapping: &[Option<CsvField>],
    values: &[String],
) -> Result<RowInput, String> {
    let mut row = RowInput {
        input: ContactInput::default(),
        company_name: None,
        company_domain: None,
    };
    let mut emails = vec![];
    let mut more = vec![];
    for (field, value) in mapping.iter().zip(values) {
        let value = unguard(value.trim()).trim();
        let Some(field) = field else { continue };
        if value.is_empty() {
            continue;
        }
        let input = &mut row.input;
        match field {
            CsvField::Email => emails.push(value.to_string()),
            CsvField::AdditionalEmails => more.extend(
                value
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string),
            ),
            CsvField::FirstName => input.first_name = value.into(),
            CsvField::LastName => input.last_name = value.into(),
            CsvField::JobTitle => input.job_title = value.into(),
            CsvField::Phone => input.phone = value.into(),
            CsvField::CompanyName => row.company_name = Some(value.into()),
            CsvField::CompanyDomain => row.company_domain = Some(value.into()),
            CsvField::Owner => match owner_id(settings, value) {
                Some(id) => input.owner = Some(id),
                None => {
                    return Err(format!(
                        "the owner \"{}\" is not one of the owners in Settings › Pipelines & owners (add them there, or leave the column unmapped)",
                        clip(value)
                    ));
                }
            },
            CsvField::LifecycleStage => input.lifecycle_stage = Some(value.into()),
            CsvField::LeadStatus => input.lead_status = Some(value.into()),
            CsvField::Custom(name) => {
                input.custom.insert(name.clone(), value.into());
            }
        }
    }
    emails.extend(more);
    row.input.emails = emails;
    Ok(row)
}

/// Most contacts one `imported` timeline entry names.
pub const CONTACTS_PER_IMPORTED_ENTRY: usize = 100;

/// The import's `imported` timeline entries: one per company (and one for
/// the contacts without a company), each naming at most
/// [`CONTACTS_PER_IMPORTED_ENTRY`] contacts and their company. Each entry
/// is a put of its own and the database's time in a large import is mostly
/// per put: one entry per contact was ~40 % of a 50,000-row import's writes,
/// one per ten contacts of a company a tenth of that. Every contact still
/// has an entry in the same write; the entry shows on each record it names.
#[derive(Default)]
struct EntryGroups {
    /// By company id (None: no company), in the file's order.
    groups: Vec<EntryGroup>,
    index: BTreeMap<Option<String>, usize>,
}

struct EntryGroup {
    company: Option<(RecordRef, String)>,
    /// Each contact, its title and its line in the file.
    contacts: Vec<(RecordRef, String, u64)>,
}

impl EntryGroups {
    fn add(&mut self, contact: &Contact, company: Option<String>, line: u64) {
        let key = contact.company_id.clone();
        let at = *self.index.entry(key.clone()).or_insert_with(|| {
            self.groups.push(EntryGroup {
                company: key
                    .as_deref()
                    .and_then(RecordRef::to)
                    .map(|r| (r, company.unwrap_or_default())),
                contacts: vec![],
            });
            self.groups.len() - 1
        });
        let r = RecordRef::to(&contact.id).expect("a contact id");
        self.groups[at]
            .contacts
            .push((r, contact_title(contact), line));
    }

    fn write(self, ctx: &mut Ctx) {
        for group in self.groups {
            for part in group.contacts.chunks(CONTACTS_PER_IMPORTED_ENTRY) {
                let mut records: Vec<RecordRef> = part.iter().map(|(r, _, _)| r.clone()).collect();
                records.extend(group.company.as_ref().map(|(r, _)| r.clone()));
                let (summary, data) = match (part, &group.company) {
                    ([(_, title, line)], _) => (
                        format!("Imported from a CSV file: {title}"),
                        [("line".to_string(), DataValue::Number(*line as f64))].into(),
                    ),
                    (_, company) => (
                        match company {
                            Some((_, name)) if !name.is_empty() => format!(
                                "Imported from a CSV file: {} contacts at {name}",
                                part.len()
                            ),
                            _ => format!("Imported from a CSV file: {} contacts", part.len()),
                        },
                        [
                            ("contacts".to_string(), DataValue::Number(part.len() as f64)),
                            ("line".to_string(), DataValue::Number(part[0].2 as f64)),
                        ]
                        .into(),
                    ),
                };
                ctx.entry(records, "imported", summary, data);
            }
        }
    }
}

/// Imports the file with `mapping` (one entry per column). Rows whose
/// address is already a contact's, or is on an earlier row, are skipped
/// and listed, as is every row a save would refuse; the rest are in one
/// write set, each contact on an `imported` timeline entry ([`EntryGroups`]).
pub fn import(
    text: &str,
    mapping: &[Option<CsvField>],
    existing: &ImportExisting,
    settings: &CrmSettings,
    now_ms: u64,
    random: &[u8],
) -> CrmResult<CsvImport> {
    let (columns, rows) = read(text)?;
    check_mapping(&columns, mapping)?;
    let found = Found {
        companies_by_domain: existing
            .companies
            .iter()
            .map(|c| Company {
                id: c.id.clone(),
                name: c.name.clone(),
                domains: c.domains.clone(),
                owner: None,
                created_at: 0,
                updated_at: 0,
                last_activity_at: None,
                search_keys: vec![],
                sort_name: fold(&c.name),
            })
            .collect(),
        ..Found::default()
    };
    let mut ctx = Ctx::new(&found, settings, now_ms, random)?;
    let known: BTreeSet<&str> = existing.email_keys.iter().map(String::as_str).collect();
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    let mut skipped = vec![];
    let mut imported = 0u32;
    let mut groups = EntryGroups::default();
    for row in &rows {
        let mut skip = |reason: String| {
            skipped.push(SkippedRow {
                line: row.line,
                reason,
            })
        };
        if row.values.len() > columns.len() {
            skip(format!(
                "it has {} values but the header has {} columns (a comma inside a value needs quotes)",
                row.values.len(),
                columns.len()
            ));
            continue;
        }
        let parsed = match row_input(settings, mapping, &row.values) {
            Ok(parsed) => parsed,
            Err(reason) => {
                skip(reason);
                continue;
            }
        };
        let mut duplicate = None;
        for text in &parsed.input.emails {
            let Ok(a) = parse_contact_address(text) else {
                continue;
            };
            if known.contains(a.key.as_str()) {
                duplicate = Some(format!("{} is already a contact in Inlay", a.typed));
            } else if let Some(first) = lines.get(&a.key) {
                duplicate = Some(format!(
                    "{} is already on line {first} of this file",
                    a.typed
                ));
            }
            if duplicate.is_some() {
                break;
            }
        }
        if let Some(reason) = duplicate {
            skip(reason);
            continue;
        }
        // A refused row leaves nothing behind: build_contact checks every
        // property before it makes a company.
        let hint = CompanyHint {
            name: parsed.company_name.as_deref(),
            domain: parsed.company_domain.as_deref(),
        };
        match build_contact(&mut ctx, &parsed.input, None, hint) {
            Ok((contact, company)) => {
                let contact = with_contact_keys(contact, company.as_deref());
                for key in &contact.email_keys {
                    lines.insert(key.clone(), row.line);
                }
                groups.add(&contact, company, row.line);
                ctx.writes.put.contacts.push(contact);
                imported += 1;
            }
            Err(e) => {
                skip(e.message.trim_end_matches('.').to_string());
            }
        }
    }
    groups.write(&mut ctx);
    let message = match (imported, skipped.len()) {
        (n, 0) => format!("Imported {n} contacts."),
        (n, s) => format!("Imported {n} contacts; {s} rows were skipped (listed below)."),
    };
    ctx.writes.result.message = message;
    Ok(CsvImport {
        writes: ctx.writes,
        imported,
        skipped,
    })
}
