//! The sync as a [`Machine`]: one pass over an inbox (or one message's
//! body) through a provider's plan ([`SyncSteps`]). The provider plans and
//! reads; every decision is here, as in the outbox's machine:
//!
//! - a secret is asked for each call and handed straight to the plan, never
//!   kept in the state;
//! - 401 → one fresh secret, then the inbox needs signing in again;
//! - 429 / 503 (their `Retry-After` honoured), other 5xx and calls without
//!   an answer (reset, timeout) → the same read again after
//!   [`SYNC_BACKOFF`]: reads are idempotent, and the plan moves on only
//!   after a page was read;
//! - an expired cursor → the plan's bounded restart, at most
//!   [`MAX_RESTARTS`] times a run; an email seen again after a restart is
//!   written under the same timeline entry id (`sync::dedupe`: its
//!   Message-ID, else a fingerprint; never the provider id, which differs
//!   between inboxes), so the store's put keeps one;
//! - pacing: every call is admitted by the persisted [`Pacer`] at the
//!   provider's [`Pace`](super::pacing::Pace), so a first sync never bursts.
//!
//! The shell persists [`SyncMachine::state`] together with
//! [`SyncMachine::take_batch`] (the entries the last read produced) in one
//! transaction after every step: a worker stopped mid-pass resumes from the
//! last committed state, re-making at most the one call whose page was not
//! committed, and logs nothing twice.
//!
//! ```text
//! start ─→ (pace) ─→ ask secret ─→ call ─→ page ─more→ (pace) ─→ ask secret …
//!                                           └─done→ done {cursor, progress}
//!   retry ─→ wait (SYNC_BACKOFF) ─→ …      401 (once) ─→ ask secret{rejected}
//!   cursor expired ─→ restart (≤ MAX_RESTARTS) ─→ …     permanent ─→ failed
//! ```

use serde::{Deserialize, Serialize};

use super::cursor::SyncCursor;
use super::incoming::Incoming;
use super::pacing::{Admit, Pacer};
use super::provider::{Answer, Call, Fault, Page, Secret, SyncRead, SyncSteps, Unreadable};
use crate::backoff::{Backoff, Pause, pause_in_words};
use crate::machine::{self, Input, Machine, Moment};
pub use crate::outbox::{SecretAnswer, Unavailable};

/// Retries of a failed read: the sync runs in the background, so patient
/// (2 s doubling to 5 min, eight tries); a `Retry-After` is always honoured.
/// When they are used up the run fails and the next alarm goes on from the
/// same state.
pub const SYNC_BACKOFF: Backoff = Backoff {
    base_ms: 2_000,
    max_ms: 5 * 60_000,
    max_attempts: 8,
    max_wait_ms: None,
};

/// Bounded restarts after an expired cursor in one run: a provider that
/// expires the fresh cursor too needs a person, not a loop.
pub const MAX_RESTARTS: u32 = 2;

/// What the sync asks its caller: the inbox's secret for the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SyncQuestion {
    /// `rejected`: the last one was refused, so renew it first.
    Secret { rejected: bool },
}

/// Why a call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncPurpose {
    /// Reading what changed, or a body: never changes the mailbox.
    Read,
}

/// How far the pass is, for "Reading the last 30 days: 1,240 of 3,100".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Messages read (headers), unreadable ones included.
    pub read: u64,
    /// What the provider expects in all, when it says.
    pub expected: Option<u64>,
    /// Calls made in this pass.
    pub calls: u64,
    /// Restarts after an expired cursor.
    pub restarts: u32,
}

/// How a run ended well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncResult {
    /// A pass is complete: commit `cursor` with the last batch.
    Synced {
        cursor: SyncCursor,
        progress: Progress,
    },
    /// A body plan's message (base64 when it crosses as JSON).
    Body {
        #[serde(serialize_with = "base64_bytes")]
        raw: Vec<u8>,
    },
}

fn base64_bytes<S: serde::Serializer>(raw: &[u8], s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(raw))
}

/// A run that stopped, in words; the state is kept and the next run goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncError {
    pub code: String,
    pub message: String,
}

pub type SyncStep = machine::Step<SyncPurpose, SyncQuestion, SyncResult, SyncError>;

/// A pause the state remembers, so a restarted worker honours it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiting {
    pub until_ms: u64,
    pub reason: String,
}

/// What the shell persists after every step (with the batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState<P> {
    pub plan: P,
    #[serde(default)]
    pub pacer: Pacer,
    /// Retries since the last page read.
    #[serde(default)]
    pub attempt: u32,
    #[serde(default)]
    pub progress: Progress,
    #[serde(default)]
    pub waiting: Option<Waiting>,
}

impl<P> SyncState<P> {
    pub fn new(plan: P) -> Self {
        SyncState {
            plan,
            pacer: Pacer::default(),
            attempt: 0,
            progress: Progress::default(),
            waiting: None,
        }
    }
}

/// The entries the last read produced, to commit with the state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub incoming: Vec<Incoming>,
    pub removed: Vec<String>,
    pub unreadable: Vec<Unreadable>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.incoming.is_empty() && self.removed.is_empty() && self.unreadable.is_empty()
    }
}

#[derive(Debug, Clone)]
enum Phase {
    Idle,
    /// Asked for a secret.
    Asking,
    /// Made a call.
    Calling,
    Waiting,
    Ended(Box<SyncStep>),
}

/// One sync run over a provider's plan.
pub struct SyncMachine<P: SyncSteps> {
    state: SyncState<P>,
    phase: Phase,
    /// A secret was refused in this run.
    rejected: bool,
    restarts: u32,
    batch: Batch,
}

impl<P: SyncSteps> SyncMachine<P> {
    /// A run from a persisted (or new) state.
    pub fn new(state: SyncState<P>) -> Self {
        SyncMachine {
            state,
            phase: Phase::Idle,
            rejected: false,
            restarts: 0,
            batch: Batch::default(),
        }
    }

    /// What the shell persists after every step.
    pub fn state(&self) -> &SyncState<P> {
        &self.state
    }

    /// The entries read since the last take: commit them with [`Self::state`].
    pub fn take_batch(&mut self) -> Batch {
        std::mem::take(&mut self.batch)
    }

    /// The next call, when pacing and any pause allow it.
    fn go(&mut self, at: Moment<'_>) -> SyncStep {
        if let Some(w) = &self.state.waiting {
            if w.until_ms > at.now_ms {
                self.phase = Phase::Waiting;
                return SyncStep::Wait {
                    until_ms: w.until_ms,
                    reason: w.reason.clone(),
                };
            }
            self.state.waiting = None;
        }
        let (pace, cost) = (self.state.plan.pace(), self.state.plan.cost());
        match self.state.pacer.admit(pace, cost, at.now_ms) {
            Admit::Go => {
                self.phase = Phase::Asking;
                SyncStep::Ask {
                    question: SyncQuestion::Secret {
                        rejected: self.rejected,
                    },
                }
            }
            Admit::WaitUntil(until_ms) => {
                // Not persisted: the pacer is, and says the same again.
                self.phase = Phase::Waiting;
                SyncStep::Wait {
                    until_ms,
                    reason: "Inlay reads at a steady pace to stay within the provider's limits."
                        .into(),
                }
            }
        }
    }

    fn on_secret(&mut self, answer: SecretAnswer, at: Moment<'_>) -> SyncStep {
        let secret = match &answer {
            SecretAnswer::Bearer { token } => Secret::Bearer(token),
            SecretAnswer::Password { username, password } => {
                Secret::Password { username, password }
            }
            SecretAnswer::MailPasswords { imap, smtp } => Secret::MailPasswords { imap, smtp },
            SecretAnswer::Unavailable { reason, message } => {
                let code = match reason {
                    Unavailable::Reauthenticate => "reauthenticate",
                    Unavailable::Disconnected => "disconnected",
                };
                return self.fail(code, format!("{message} Inlay stopped reading this inbox."));
            }
        };
        match self.state.plan.call(&secret) {
            Ok(call) => {
                self.phase = Phase::Calling;
                self.state.progress.calls += 1;
                match call {
                    Call::Http(request) => SyncStep::Http {
                        request,
                        purpose: SyncPurpose::Read,
                    },
                    Call::Helper(call) => SyncStep::Helper {
                        call,
                        purpose: SyncPurpose::Read,
                    },
                }
            }
            Err(fault) => self.on_fault(fault, at),
        }
    }

    fn on_answer(&mut self, answer: Answer<'_>, at: Moment<'_>) -> SyncStep {
        match self.state.plan.read(answer) {
            SyncRead::Page(page) => self.on_page(page, at),
            SyncRead::Body { raw } => self.end(SyncStep::Done {
                result: SyncResult::Body { raw },
            }),
            SyncRead::CursorExpired { message } => {
                if self.restarts < MAX_RESTARTS && self.state.plan.restart(at.now_ms) {
                    self.restarts += 1;
                    self.state.attempt = 0;
                    self.state.progress.restarts += 1;
                    self.state.progress.expected = None;
                    self.go(at)
                } else {
                    self.fail(
                        "cursorExpired",
                        format!("{message} Inlay started over and the provider refused again, so it stopped; it tries again at the next sync."),
                    )
                }
            }
            SyncRead::Fault(fault) => self.on_fault(fault, at),
        }
    }

    fn on_page(&mut self, page: Page, at: Moment<'_>) -> SyncStep {
        self.state.attempt = 0;
        self.rejected = false;
        let progress = &mut self.state.progress;
        progress.read += (page.incoming.len() + page.unreadable.len()) as u64;
        if page.expected.is_some() {
            progress.expected = page.expected;
        }
        self.batch.incoming.extend(page.incoming);
        self.batch.removed.extend(page.removed);
        self.batch.unreadable.extend(page.unreadable);
        match page.done {
            Some(cursor) => self.end(SyncStep::Done {
                result: SyncResult::Synced {
                    cursor,
                    progress: self.state.progress.clone(),
                },
            }),
            None => self.go(at),
        }
    }

    fn on_fault(&mut self, fault: Fault, at: Moment<'_>) -> SyncStep {
        match fault {
            Fault::Retry {
                retry_after_ms,
                message,
            } => match SYNC_BACKOFF.next(self.state.attempt, retry_after_ms, at) {
                Pause::Wait { until_ms, after_ms } => {
                    self.state.attempt += 1;
                    let reason = format!("{message} Inlay reads again in {}.", pause_in_words(after_ms));
                    self.state.waiting = Some(Waiting {
                        until_ms,
                        reason: reason.clone(),
                    });
                    self.phase = Phase::Waiting;
                    SyncStep::Wait { until_ms, reason }
                }
                Pause::GiveUp { .. } => self.fail(
                    "gaveUp",
                    format!("{message} Inlay tried {} times, so it stopped for now; it goes on from where it was at the next sync.", self.state.attempt + 1),
                ),
            },
            Fault::SecretRejected if !self.rejected => {
                self.rejected = true;
                self.phase = Phase::Asking;
                SyncStep::Ask {
                    question: SyncQuestion::Secret { rejected: true },
                }
            }
            Fault::SecretRejected => self.fail(
                "reauthenticate",
                "The inbox refused Inlay's sign-in twice, so it stopped reading. Reconnect the inbox.",
            ),
            Fault::Permanent { code, message } => self.fail(&code, message),
        }
    }

    fn fail(&mut self, code: &str, message: impl Into<String>) -> SyncStep {
        self.end(SyncStep::Failed {
            error: SyncError {
                code: code.into(),
                message: message.into(),
            },
        })
    }

    fn end(&mut self, step: SyncStep) -> SyncStep {
        self.phase = Phase::Ended(Box::new(step.clone()));
        step
    }

    fn out_of_order(&mut self, what: &str) -> SyncStep {
        if let Phase::Ended(step) = &self.phase {
            return (**step).clone();
        }
        self.fail(
            "unexpectedInput",
            format!("Inlay's sync got {what} it wasn't waiting for, so it stopped. It goes on from where it was at the next sync."),
        )
    }
}

impl<P: SyncSteps> Machine for SyncMachine<P> {
    type Purpose = SyncPurpose;
    type Question = SyncQuestion;
    type Answer = SecretAnswer;
    type Result = SyncResult;
    type Error = SyncError;

    fn start(&mut self, at: Moment<'_>) -> SyncStep {
        self.phase = Phase::Idle;
        self.go(at)
    }

    fn resume(&mut self, input: Input<SecretAnswer>, at: Moment<'_>) -> SyncStep {
        match (&self.phase, input) {
            (Phase::Asking, Input::Answer { answer }) => self.on_secret(answer, at),
            (Phase::Calling, Input::Response { response }) => {
                self.on_answer(Answer::Response(&response), at)
            }
            (Phase::Calling, Input::Transport { failure }) => {
                self.on_answer(Answer::Transport(failure), at)
            }
            (Phase::Calling, Input::HelperReply { reply }) => {
                self.on_answer(Answer::HelperReply(&reply), at)
            }
            (Phase::Calling, Input::HelperFailed { code, message, .. }) => self.on_answer(
                Answer::HelperFailed {
                    code: &code,
                    message: &message,
                },
                at,
            ),
            (Phase::Waiting, Input::Timer) => self.go(at),
            _ => self.out_of_order("an input"),
        }
    }
}
