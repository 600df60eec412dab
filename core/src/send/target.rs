//! The inbox an email is sent through, as the outbox stores it: one variant
//! per provider, each with what its send and Sent lookup need, and
//! [`AnySend`] / [`AnyLookup`] wrapping the providers' plans so the outbox
//! machine (`outbox::OutboxMachine<SendTarget>`) is one type for the binding.
//! A provider's variant is added when its `send.rs` and `sent_lookup.rs`
//! exist (`provider/{gmail,graph,ews,imap}/`).

use serde::{Deserialize, Serialize};

use super::Outgoing;
use super::provider::{Answer, Call, LookupRead, LookupSteps, Read, Secret, SendRead, SendSteps};
use crate::detect::ConnectionKind;
use crate::outbox::Plans;

/// The inbox that sends an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SendTarget {}

/// A provider's send plan.
pub enum AnySend {}

/// A provider's Sent lookup.
pub enum AnyLookup {}

impl SendSteps for AnySend {
    fn call(&self, _secret: &Secret<'_>, _out: &Outgoing) -> Result<Call, SendRead> {
        match *self {}
    }

    fn delivers(&self) -> bool {
        match *self {}
    }

    fn read(&mut self, _answer: Answer<'_>) -> Read<SendRead> {
        match *self {}
    }
}

impl LookupSteps for AnyLookup {
    fn call(&self, _secret: &Secret<'_>) -> Result<Call, LookupRead> {
        match *self {}
    }

    fn read(&mut self, _answer: Answer<'_>) -> Read<LookupRead> {
        match *self {}
    }
}

impl Plans for SendTarget {
    type Send = AnySend;
    type Lookup = AnyLookup;

    fn send(&self, _out: &Outgoing) -> AnySend {
        match *self {}
    }

    fn lookup(&self, _out: &Outgoing, _left_at_ms: Option<u64>) -> Option<AnyLookup> {
        match *self {}
    }

    fn defers(&self) -> bool {
        match *self {}
    }

    fn kind(&self) -> ConnectionKind {
        match *self {}
    }
}
