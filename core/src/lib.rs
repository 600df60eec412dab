//! Inlay's core: everything that decides, nothing that does I/O.
//!
//! Sans-IO: no sockets, no clock, no randomness. Time and random bytes are
//! arguments; provider calls are planned as plain request values
//! ([`http::HttpRequest`]) and their responses interpreted here. The
//! extension's service worker executes them.
//!
//! Layout: [`accounts`] (each account's state and the rules on which may be
//! connected), [`auth`] (OAuth and the token lifecycle), [`connect`] (the
//! connect flows), [`detect`] (which kind of inbox an address needs),
//! [`provider`] (one folder per provider: Gmail, Graph, EWS, IMAP),
//! [`message`] (building and reading RFC 5322 messages) and [`rpc`] (the
//! schema of messages the service worker accepts); [`http`] and [`backoff`]
//! are shared plumbing.

pub mod accounts;
pub mod auth;
pub mod backoff;
pub mod connect;
pub mod crm;
pub mod detect;
mod doh;
mod hostname;
pub mod idn;
pub mod http;
pub mod machine;
pub mod message;
pub mod outbox;
pub mod provider;
pub mod rpc;
pub mod send;
pub mod sync;
pub mod utc;

/// The core's version, reported to the extension (e.g. in answer to a ping).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
