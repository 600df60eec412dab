//! The outbox: every email Inlay sends, exactly once (ARCHITECTURE "The
//! outbox: exactly once"). [`entry`] is what the shell persists and its
//! states, [`machine`] drives a provider's send and Sent lookup
//! ([`plans::Plans`]), [`schedule`] says when an email is due (catch-up,
//! rate limits from [`rate`]), [`settings`] the build's lookup grace, [`choices`] are the user's, [`view`] is what
//! lists show.

pub mod choices;
pub mod entry;
pub mod machine;
pub mod plans;
pub mod rate;
pub mod schedule;
pub mod settings;
pub mod view;

pub use choices::{cancel, mark_sent, reschedule, send_again};
pub use entry::{NewEmail, OutboxEntry, OutboxState};
pub use machine::{
    LOOKUP_GRACE_MS, MAX_DELIVERIES, OUTBOX_BACKOFF, OutboxError, OutboxMachine, OutboxPurpose,
    OutboxQuestion, OutboxStep, SecretAnswer, Unavailable,
};
pub use plans::Plans;
pub use rate::RateLimit;
pub use schedule::{Due, DuePolicy, LatePolicy, due};
pub use settings::OutboxSettings;
pub use view::{OutboxView, view};
