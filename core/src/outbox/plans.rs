//! What the outbox needs of an inbox: a fresh plan to send, a plan to look
//! in Sent, whether the provider can hold an email until its time (and a
//! plan to take one back that it holds), and its
//! kind (for the rate limits). `send::SendTarget` is the real one; tests
//! script a fake.

use crate::detect::ConnectionKind;
use crate::send::Outgoing;
use crate::send::provider::{CancelSteps, LookupSteps, SendSteps};

/// An inbox the outbox sends through.
pub trait Plans {
    type Send: SendSteps;
    type Lookup: LookupSteps;
    type Cancel: CancelSteps;

    /// A new plan to send `out`, from its first call.
    fn send(&self, out: &Outgoing) -> Self::Send;

    /// A search of Sent for `out` (its delivering call left at `left_at_ms`),
    /// or `None` when this inbox can't be searched (no read permission):
    /// then only the user can tell whether it was sent.
    fn lookup(&self, out: &Outgoing, left_at_ms: Option<u64>) -> Option<Self::Lookup>;

    /// A plan to take back `out` while the provider holds it for its time
    /// (found where it waits, then deleted), or `None` when this inbox
    /// can't.
    fn cancel(&self, out: &Outgoing) -> Option<Self::Cancel>;

    /// The provider holds a deferred email and sends it at its time, browser
    /// closed or not (Microsoft Graph drafts and EWS with `0x3FEF`).
    fn defers(&self) -> bool;

    /// Which kind of inbox (rate limits per kind).
    fn kind(&self) -> ConnectionKind;
}
