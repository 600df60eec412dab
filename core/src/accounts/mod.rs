//! Connected accounts, whatever their provider: where each account's
//! connection stands (`state.rs`), which addresses may be connected
//! ([`registry`]), and "check this connection now" (`check.rs`).

mod check;
mod oauth_check;
pub mod policy;
pub mod registry;
mod state;

pub use check::{
    CheckResult, CheckVerdict, MAX_RETRY_AFTER_MS, classify_outcome, interpret_account_check,
    plan_account_check,
};
pub use policy::{IgnoredSetting, Settings, SettingsReading, read_settings};
pub use oauth_check::{
    CHECK_BACKOFF, CheckAdvance, CheckPhase, CheckPurpose, CheckStep, OAuthCheck, TokenAnswer,
    TokenQuestion,
};
pub use registry::{AccountRegistry, ConnectPolicy, RegistryError, Seat};
pub use state::{
    ConnectionState, Event, InvalidTransition, after_interruption, surviving_record, transition,
};
