//! IMAP: `imapCheck` (connect, secure, LOGIN, LOGOUT), `imapSync` (read a
//! folder incrementally by UID), the APPEND of `send`'s Sent copy and
//! `sentLookup` (a Message-ID searched in Sent).
//! Blocking I/O with timeouts; one operation at a time.
//!
//! One file per concern: `session` (connect, secure, log in, run a command),
//! the operations `check`, `sync`, `sent` (the Sent copy) and `lookup`, `wire`
//! (reading responses, writing commands), `parse` (what responses contain)
//! and `folders` (which folder, and how its name is spelt).

mod check;
mod folders;
mod lookup;
mod parse;
mod sent;
mod session;
mod sync;
mod wire;

pub use check::{check, check_with_roots};
pub use folders::{from_mutf7, mutf7};
pub use lookup::{sent_lookup, sent_lookup_public};
pub use session::Session;
pub use sync::{sync, sync_public};
