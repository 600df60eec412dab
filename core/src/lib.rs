//! Inlay's core: everything that decides, nothing that does I/O.
//!
//! Sans-IO: no sockets, no clock, no randomness. Time and random bytes are
//! arguments; provider calls are planned as plain request values
//! ([`http::HttpRequest`]) and their responses interpreted here. The
//! extension's service worker executes them.

pub mod account_check;
pub mod backoff;
pub mod connect;
pub mod connection;
pub mod detect;
mod doh;
pub mod ews;
mod hostname;
pub mod http;
pub mod mailconfig;
pub mod message;
pub mod oauth;
pub mod provider_error;
pub mod rpc;
pub mod rpc_imap;
pub mod token;

/// The core's version, reported to the extension (e.g. in answer to a ping).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
