//! The CRM's rules: contacts, companies, deals, tasks, notes and each
//! record's timeline, decided here and stored by the worker.
//!
//! Sans-IO like the rest of the core: the worker reads what a command needs
//! ([`lookups`]), hands it back with the time and random bytes ([`apply`]),
//! and writes the [`WriteSet`] it gets in the same IndexedDB transaction.
//! Every record write carries its timeline entry, so a record never exists
//! without the entry that says how it came to be. Search keys, sort names
//! and canonical address keys are computed here on every write, so the
//! store's indexes mean what the core means.
//!
//! One concept per file: [`ids`] (record ids and references), [`model`]
//! (the stored records), [`address`] (contact addresses and their keys),
//! [`freemail`] (the free-mail domains that never make a company),
//! [`company`] (a company from a domain), [`validate`] (property rules),
//! [`decimal`] (amounts), [`settings`] (owners, pipelines, policy),
//! [`fold`] and [`search`] (search keys and ranking), [`filter`] (list
//! filters), [`command`] and [`apply`] (the two-phase writes), [`merge`] and
//! [`trash`] (merging contacts; delete and undo), [`csv_import`] and
//! [`csv_export`] (HubSpot-compatible CSV), [`sent_email`] (a sent email on
//! its recipients' timelines), [`received_email`] (a received email, reply,
//! automatic reply or bounce on the timeline, issue 13).

pub mod address;
pub mod apply;
pub mod command;
pub mod company;
pub mod csv_columns;
pub mod csv_export;
pub mod csv_import;
pub mod decimal;
pub mod error;
pub mod filter;
pub mod fold;
pub mod freemail;
pub mod ids;
mod merge;
pub mod model;
pub mod received_email;
pub mod search;
pub mod sent_email;
pub mod settings;
pub mod timeline;
pub mod trash;
pub mod validate;
pub mod wire;

pub use apply::apply;
pub use command::{CrmCommand, Found, Lookups, lookups};
pub use error::{CrmError, CrmErrorCode};
pub use model::*;
pub use search::{SearchHit, query_keys, rank};
pub use settings::{CrmSettings, default_settings};
