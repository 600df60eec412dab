//! Inbox automation (issue 13): what the connected inboxes received and sent,
//! logged to the CRM exactly once.
//!
//! Sans-IO like the rest of the core. Providers' sync planners (Gmail
//! history, Graph delta, EWS SyncFolderItems, IMAP UIDs) read what changed
//! into [`Incoming`] values, one per email seen; the rules here decide on
//! them and never look at the provider again. The CRM write is
//! [`crate::crm::received_email`].
//!
//! One concept per file: [`incoming`] (the email as the rules see it, and a
//! summary from a provider's structured fields), [`rules`] (log or skip, and
//! why), [`dedupe`] (one email, one entry), [`reply`] (the sent email a
//! reply answers), [`auto_reply`] (an out-of-office reply's return date),
//! [`body`] (the stored body), [`dry_run`] (what would be logged). The
//! providers' side: [`provider`] (`SyncSteps`, what a provider's plan reads
//! an answer as), [`cursor`] (where an inbox's last sync ended, persisted by
//! the shell), [`pacing`] (no bursts: each provider's rate, planned by the
//! core) and [`machine`] (`SyncMachine`: secrets, retries, restarts,
//! progress).

pub mod auto_reply;
pub mod body;
pub mod cursor;
pub mod dedupe;
pub mod dry_run;
pub mod incoming;
pub mod machine;
pub mod pacing;
pub mod provider;
pub mod reply;
pub mod rules;

pub use incoming::{FolderRole, Incoming, SummaryFields, summary_from_fields};
pub use rules::{Exclusion, LogKind, LogRules, SkipReason, Verdict, decide};
