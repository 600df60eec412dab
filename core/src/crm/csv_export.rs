//! Exporting records as CSV with HubSpot's column names, so a file Inlay
//! writes imports into Inlay (or HubSpot) as the same records. Values that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are written
//! with a leading `'`, which the import removes (a value starting with `'`
//! gets one more, so it too comes back as it was).

use serde::{Deserialize, Serialize};

use super::csv_columns::{CsvField, column_name};
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::model::{AnyRecord, Company, Contact, Deal};
use super::settings::CrmSettings;
use super::validate::{LEAD_STATUSES, LIFECYCLE_STAGES, label_of};

/// A file to save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CsvFile {
    pub filename: String,
    pub text: String,
}

/// Which records to export.
pub use crate::rpc::crm::ExportKind;

/// The first characters a guard goes before: a spreadsheet's formula signs,
/// and the guard itself (so a value that starts with `'` comes back whole).
pub(crate) const GUARDED: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

fn guard(value: &str) -> String {
    if value.starts_with(GUARDED) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn write(rows: Vec<Vec<String>>) -> CrmResult<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![]);
    for row in rows {
        writer
            .write_record(row.iter().map(|v| guard(v)))
            .map_err(|e| {
                CrmError::new(
                    CrmErrorCode::Internal,
                    format!("Inlay couldn't write the CSV file ({e})."),
                )
            })?;
    }
    let bytes = writer.into_inner().map_err(|e| {
        CrmError::new(
            CrmErrorCode::Internal,
            format!("Inlay couldn't write the CSV file ({e})."),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| CrmError::new(CrmErrorCode::Internal, e.to_string()))
}

fn owner_name(settings: &CrmSettings, owner: &Option<String>) -> String {
    owner
        .as_deref()
        .map(|id| {
            settings
                .owner(id)
                .map_or(id, |o| o.name.as_str())
                .to_string()
        })
        .unwrap_or_default()
}


fn companies(records: &[AnyRecord]) -> Vec<&Company> {
    records
        .iter()
        .filter_map(|r| match r {
            AnyRecord::Company(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn contacts_csv(records: &[AnyRecord], settings: &CrmSettings) -> CrmResult<String> {
    let companies = companies(records);
    let contacts: Vec<&Contact> = records
        .iter()
        .filter_map(|r| match r {
            AnyRecord::Contact(c) => Some(c),
            _ => None,
        })
        .collect();
    let mut custom: Vec<&String> = contacts.iter().flat_map(|c| c.custom.keys()).collect();
    custom.sort();
    custom.dedup();
    let fields = [
        CsvField::FirstName,
        CsvField::LastName,
        CsvField::Email,
        CsvField::AdditionalEmails,
        CsvField::Phone,
        CsvField::JobTitle,
        CsvField::CompanyName,
        CsvField::CompanyDomain,
        CsvField::Owner,
        CsvField::LifecycleStage,
        CsvField::LeadStatus,
    ];
    let mut header: Vec<String> = fields.iter().map(column_name).collect();
    header.extend(custom.iter().map(|c| c.to_string()));
    let mut rows = vec![header];
    for c in contacts {
        let company = c
            .company_id
            .as_deref()
            .and_then(|id| companies.iter().find(|co| co.id == id));
        let mut row = vec![
            c.first_name.clone(),
            c.last_name.clone(),
            c.emails.first().cloned().unwrap_or_default(),
            c.emails
                .iter()
                .skip(1)
                .cloned()
                .collect::<Vec<_>>()
                .join(";"),
            c.phone.clone(),
            c.job_title.clone(),
            company.map(|co| co.name.clone()).unwrap_or_default(),
            company
                .and_then(|co| co.domains.first().cloned())
                .unwrap_or_default(),
            owner_name(settings, &c.owner),
            c.lifecycle_stage
                .as_deref()
                .map(|s| label_of(&LIFECYCLE_STAGES, s).to_string())
                .unwrap_or_default(),
            c.lead_status
                .as_deref()
                .map(|s| label_of(&LEAD_STATUSES, s).to_string())
                .unwrap_or_default(),
        ];
        row.extend(
            custom
                .iter()
                .map(|k| c.custom.get(*k).cloned().unwrap_or_default()),
        );
        rows.push(row);
    }
    write(rows)
}

fn companies_csv(records: &[AnyRecord], settings: &CrmSettings) -> CrmResult<String> {
    let mut rows = vec![vec![
        "Name".to_string(),
        "Company Domain Name".into(),
        "Additional Domains".into(),
        "Company owner".into(),
    ]];
    for c in companies(records) {
        rows.push(vec![
            c.name.clone(),
            c.domains.first().cloned().unwrap_or_default(),
            c.domains
                .iter()
                .skip(1)
                .cloned()
                .collect::<Vec<_>>()
                .join(";"),
            owner_name(settings, &c.owner),
        ]);
    }
    write(rows)
}

fn deals_csv(records: &[AnyRecord], settings: &CrmSettings) -> CrmResult<String> {
    let companies = companies(records);
    let contact_email = |id: &str| {
        records.iter().find_map(|r| match r {
            AnyRecord::Contact(c) if c.id == id => c.emails.first().cloned(),
            _ => None,
        })
    };
    let mut rows = vec![
        [
            "Deal Name",
            "Pipeline",
            "Deal Stage",
            "Amount",
            "Currency",
            "Close Date",
            "Deal owner",
            "Associated Company",
            "Associated Contacts",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for r in records {
        let AnyRecord::Deal(d) = r else { continue };
        let d: &Deal = d;
        let pipeline = settings.pipeline(&d.pipeline);
        rows.push(vec![
            d.name.clone(),
            pipeline.map_or_else(|| d.pipeline.clone(), |p| p.name.clone()),
            pipeline
                .and_then(|p| p.stage(&d.stage))
                .map_or_else(|| d.stage.clone(), |s| s.name.clone()),
            d.amount.clone().unwrap_or_default(),
            d.currency.clone().unwrap_or_default(),
            d.close_date.clone().unwrap_or_default(),
            owner_name(settings, &d.owner),
            d.company_id
                .as_deref()
                .and_then(|id| companies.iter().find(|c| c.id == id))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            d.contact_ids
                .iter()
                .filter_map(|id| contact_email(id))
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    write(rows)
}

/// Every record of `kind` in `records` as a CSV file (`records` also holds
/// the companies and contacts they name). `now_ms` dates the file's name.
pub fn export(
    kind: ExportKind,
    records: &[AnyRecord],
    settings: &CrmSettings,
    now_ms: u64,
) -> CrmResult<CsvFile> {
    let (name, text) = match kind {
        ExportKind::Contacts => ("contacts", contacts_csv(records, settings)?),
        ExportKind::Companies => ("companies", companies_csv(records, settings)?),
        ExportKind::Deals => ("deals", deals_csv(records, settings)?),
    };
    Ok(CsvFile {
        filename: format!("inlay-{name}-{}.csv", crate::utc::date(now_ms)),
        text,
    })
}
