//! The contact properties a CSV column can fill, and HubSpot's names for
//! them: a HubSpot export's columns map without the user's help, and
//! Inlay's export uses the same names so that export → import round-trips.

use serde::{Deserialize, Serialize};

use super::fold::fold;

/// What a CSV column fills (`null` in a mapping: the column is ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum CsvField {
    Email,
    /// More addresses, separated by `;` (HubSpot's "Additional email addresses").
    AdditionalEmails,
    FirstName,
    LastName,
    JobTitle,
    Phone,
    /// The company's name (used when the address's domain makes a company).
    CompanyName,
    /// The company's domain, when no address gives one.
    CompanyDomain,
    /// An owner's id, name or address.
    Owner,
    LifecycleStage,
    LeadStatus,
    /// A custom property of this name.
    Custom(String),
}

/// HubSpot's column name for each field (its export's header), then other
/// names people give the column. Compared folded (case, accents, spaces).
const NAMES: [(CsvFieldName, &[&str]); 11] = [
    (
        CsvFieldName::Email,
        &["Email", "Email Address", "E-mail", "Email address"],
    ),
    (
        CsvFieldName::AdditionalEmails,
        &["Additional email addresses", "Other emails"],
    ),
    (
        CsvFieldName::FirstName,
        &["First Name", "Given Name", "Firstname"],
    ),
    (
        CsvFieldName::LastName,
        &["Last Name", "Surname", "Family Name", "Lastname"],
    ),
    (CsvFieldName::JobTitle, &["Job Title", "Title", "Position"]),
    (
        CsvFieldName::Phone,
        &["Phone Number", "Phone", "Mobile Phone Number", "Telephone"],
    ),
    (
        CsvFieldName::CompanyName,
        &["Company Name", "Company", "Organization", "Organisation"],
    ),
    (
        CsvFieldName::CompanyDomain,
        &["Company Domain Name", "Website URL", "Domain", "Website"],
    ),
    (
        CsvFieldName::Owner,
        &["Contact owner", "Owner", "HubSpot Owner"],
    ),
    (
        CsvFieldName::LifecycleStage,
        &["Lifecycle Stage", "Lifecycle"],
    ),
    (CsvFieldName::LeadStatus, &["Lead Status"]),
];

/// [`CsvField`] without the custom name, for the table above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvFieldName {
    Email,
    AdditionalEmails,
    FirstName,
    LastName,
    JobTitle,
    Phone,
    CompanyName,
    CompanyDomain,
    Owner,
    LifecycleStage,
    LeadStatus,
}

impl CsvFieldName {
    fn field(self) -> CsvField {
        match self {
            CsvFieldName::Email => CsvField::Email,
            CsvFieldName::AdditionalEmails => CsvField::AdditionalEmails,
            CsvFieldName::FirstName => CsvField::FirstName,
            CsvFieldName::LastName => CsvField::LastName,
            CsvFieldName::JobTitle => CsvField::JobTitle,
            CsvFieldName::Phone => CsvField::Phone,
            CsvFieldName::CompanyName => CsvField::CompanyName,
            CsvFieldName::CompanyDomain => CsvField::CompanyDomain,
            CsvFieldName::Owner => CsvField::Owner,
            CsvFieldName::LifecycleStage => CsvField::LifecycleStage,
            CsvFieldName::LeadStatus => CsvField::LeadStatus,
        }
    }
}

/// HubSpot's column name of a field (the export's header); a custom
/// property's column is its name.
pub fn column_name(field: &CsvField) -> String {
    match field {
        CsvField::Custom(name) => name.clone(),
        other => NAMES
            .iter()
            .find(|(f, _)| f.field() == *other)
            .map(|(_, names)| names[0].to_string())
            .unwrap_or_default(),
    }
}

/// Columns a HubSpot export has that are its own bookkeeping, not contact
/// properties: left unmapped rather than imported as custom properties.
const HUBSPOT_INTERNAL: [&str; 6] = [
    "Record ID",
    "Create Date",
    "Last Modified Date",
    "Last Activity Date",
    "Associated Company",
    "Associated Company IDs",
];

/// The field a column of this name fills: a known name maps to its field;
/// HubSpot's own bookkeeping columns to nothing; any other name to a custom
/// property of that name. Each field is suggested once (the first column).
pub fn suggest_mapping(columns: &[String]) -> Vec<Option<CsvField>> {
    let mut taken: Vec<CsvField> = vec![];
    columns
        .iter()
        .map(|column| {
            let key = fold(column);
            if key.is_empty() || HUBSPOT_INTERNAL.iter().any(|n| fold(n) == key) {
                return None;
            }
            let field = NAMES
                .iter()
                .find(|(_, names)| names.iter().any(|n| fold(n) == key))
                .map_or_else(
                    || CsvField::Custom(column.trim().to_string()),
                    |(f, _)| f.field(),
                );
            if taken.contains(&field) {
                return None;
            }
            taken.push(field.clone());
            Some(field)
        })
        .collect()
}
