//! The handle every part of the server shares: provider state, faults, recordings and the
//! read-only data loaded at start.

use std::sync::{Mutex, MutexGuard};

use crate::faults::Faults;
use crate::hosts::ispdb::IspDb;
use crate::oauth::jwt::Signer;
use crate::oauth::scopes::GmailContract;
use crate::record::Recorder;
use crate::state::State;

pub struct Sandbox {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    recorder: Mutex<Recorder>,
    pub ispdb: IspDb,
    /// Signs ID tokens; made at start and kept across resets (clients cache JWKS).
    pub signer: Signer,
    /// Scopes and per-method scope lists from the Gmail discovery document. Empty unless
    /// loaded: then only test tokens pass the Gmail fake, and Gmail scopes are unknown to
    /// Google's authorization endpoint.
    pub gmail: GmailContract,
}

/// A panic in one request must not wedge every later one, so poisoned locks are reused.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Sandbox {
    pub fn new(ispdb: IspDb) -> Self {
        Sandbox {
            state: Mutex::default(),
            faults: Mutex::default(),
            recorder: Mutex::default(),
            ispdb,
            signer: Signer::generate(),
            gmail: GmailContract::default(),
        }
    }

    pub fn with_gmail(mut self, gmail: GmailContract) -> Self {
        self.gmail = gmail;
        self
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    pub fn recorder(&self) -> MutexGuard<'_, Recorder> {
        lock(&self.recorder)
    }

    /// `POST /reset`: back to an empty sandbox (ISPDB data stays: it is read-only).
    pub fn reset(&self) {
        self.state().clear();
        self.faults().clear();
        self.recorder().clear();
    }
}
