//! Connected accounts, whatever their provider: where each account's
//! connection stands (`state.rs`), which addresses may be connected
//! ([`registry`]), and "check this connection now" (`check.rs`).

mod check;
pub mod registry;
mod state;

pub use check::{
    CheckResult, GMAIL_SEND_AS_URL, GRAPH_MAILBOX_SETTINGS_URL, GRAPH_ME_URL, GraphProfile,
    MAX_RETRY_AFTER_MS, SendAsList, bearer_get, classify_outcome, interpret_account_check,
    parse_graph_me, parse_send_as, parse_user_purpose, plan_account_check,
};
pub use registry::{AccountRegistry, ConnectPolicy, RegistryError, Seat};
pub use state::{ConnectionState, Event, InvalidTransition, transition};
