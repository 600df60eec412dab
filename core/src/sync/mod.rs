//! Inbox automation (issue 13): what the connected inboxes received and sent,
//! logged to the CRM exactly once.
//!
//! Sans-IO like the rest of the core. Providers' sync planners (Gmail
//! history, Graph delta, EWS SyncFolderItems, IMAP UIDs) read what changed
//! into [`Incoming`] values, one per email seen; the rules here decide on
//! them and never look at the provider again.
//!
//! One concept per file: [`incoming`] (the email as the rules see it, and a
//! summary from a provider's structured fields).

pub mod incoming;

pub use incoming::{FolderRole, Incoming, SummaryFields, summary_from_fields};
