//! Request/reply protocol: `dispatch` turns a request frame into a reply,
//! `args` holds the ops' arguments and their validation (`address` the SMTP
//! address syntax), `reply` builds replies, `caller` checks who started us.
//!
//! Request: `{"id": "<1..=64 chars>", "op": "<op>", ...op args}`; unknown keys
//! are refused. Replies: `{"id", "ok": true, "value"}` or
//! `{"id", "ok": false, "error": {"code", "message"}}`. `id` is `null` when the
//! request had no usable id (malformed JSON, missing or oversized id); such
//! errors never stop the host, which keeps reading the next frame.
//!
//! Error codes: `badJson`, `badRequest` (shape, unknown keys, limits),
//! `unknownOp`, the IMAP/SMTP failures listed in README.md, plus the framing
//! codes `emptyFrame`, `frameTooLarge`, `badFrame`.

mod address;
mod args;
mod caller;
mod dispatch;
mod reply;

pub use address::check_address;
pub use args::{
    CheckArgs, LookupArgs, MAX_RECIPIENTS, MAX_SEND_BYTES, MAX_SYNC_BYTES, Security, SendArgs,
    SyncArgs, crlf,
};
pub use caller::{CHROME_ORIGIN, Caller, FIREFOX_ADDON_ID, check_caller};
pub use dispatch::{MAX_ID_LEN, handle};
pub use reply::{error, ok};
