//! The handle every part of the server shares: provider state, faults, recordings and the
//! read-only data loaded at start.

use std::sync::{Mutex, MutexGuard};

use crate::faults::Faults;
use crate::hosts::ispdb::IspDb;
use crate::record::Recorder;
use crate::state::State;

pub struct Sandbox {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    recorder: Mutex<Recorder>,
    pub ispdb: IspDb,
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
        }
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
