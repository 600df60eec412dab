//! Sending one email, whatever the inbox: the generic parts above the
//! providers. [`provider`] is the one interface every provider's send and
//! Sent lookup implements (`provider/{gmail,graph,ews,imap}/send.rs` and
//! `sent_lookup.rs`); the outbox (`crate::outbox`) drives it, so retries,
//! the "may have been sent" rule and exactly-once are decided once.

pub mod compose;
pub mod limits;
pub mod message_id;
pub mod outgoing;
pub mod provider;
pub mod reply;
pub mod sanitize;
pub mod target;
pub mod template;
pub mod text;

pub use compose::{ComposeError, ComposeInput, Composed, compose};
pub use outgoing::Outgoing;
pub use target::{SendTarget, delivers_while_closed};
