//! The outbox as a [`Machine`]: one email, from its persisted state, through
//! a provider's send plan and, when the delivering call may have delivered
//! without saying so, its Sent lookup. Exactly once is decided here, not by
//! the providers and not by the shell:
//!
//! - the state returned with a delivering call is `sending`, and the shell
//!   persists it before making the call; [`Machine::start`] reads a
//!   persisted `sending` (or `checking`) as `unknown`;
//! - `unknown` leads only to a lookup of the Message-ID in Sent; only a
//!   successful `NotFound` (or the user's explicit choice) queues it again;
//! - a secret is asked for each call and handed straight to the plan: it is
//!   never in the entry the shell persists.
//!
//! ```text
//! start ─→ (wait for its time) ─→ ask secret ─→ call ─… delivering call (state sending)
//!   sent ─→ done sent | handedOver        retry ─→ wait (OUTBOX_BACKOFF) ─→ ask secret
//!   401 (once) ─→ ask secret{rejected}    permanent ─→ failed
//!   unknown ─→ wait the lookup grace ─→ ask secret ─→ lookup ─found→ done sent
//!        ─notFound→ ask secret ─→ send again   ─failed→ wait (OUTBOX_BACKOFF) ─→ lookup
//!        ─cannotLook / lookups used up→ done needsUser
//!   cancelling ─→ ask secret ─→ find where it waits ─→ delete ─confirmed→ done cancelled
//!        ─not there: after its time→ done sent, before→ done needsUser
//!        ─failed→ handedOver (failed: "try Cancel again")
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::entry::{OutboxEntry, OutboxState};
use super::plans::Plans;
use super::settings::OutboxSettings;
use crate::backoff::{Backoff, Pause, pause_in_words};
use crate::machine::{self, Input, Machine, Moment};
use crate::send::Outgoing;
use crate::send::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};

/// Retries of a send that certainly did not deliver, and of a failed Sent
/// lookup: no one is watching, so patient (30 s doubling to 30 min, eight
/// tries, about two hours in all), and a server's `Retry-After` is always
/// honoured (up to a day: Gmail stops an inbox over its daily limit for up
/// to 24 h).
pub const OUTBOX_BACKOFF: Backoff = Backoff {
    base_ms: 30_000,
    max_ms: 30 * 60_000,
    max_attempts: 8,
    max_wait_ms: None,
};

/// How long after a delivering call left its Sent copy can be expected:
/// Graph's `sendMail` answers 202 before the message is processed, and a
/// search index lags. A lookup sooner could read "not found" for an email
/// on its way, and send it twice. The product's default; a build may set
/// another within bounds ([`super::OutboxSettings`], the sandbox's e2e).
pub const LOOKUP_GRACE_MS: u64 = 2 * 60_000;

/// Delivering calls one email may make before a `NotFound` no longer sends
/// it again: a provider that keeps losing its answers and its Sent copies
/// needs a person.
pub const MAX_DELIVERIES: u32 = 3;

const CHECK_SENT: &str = "It may have been sent: please look in your Sent folder. Inlay won't send it again unless you choose to.";

/// What the outbox asks its caller: the inbox's secret for the next call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum OutboxQuestion {
    /// A bearer token or password for the inbox; `rejected`: the last one
    /// was refused, so the keeper should renew it first.
    Secret { rejected: bool },
}

/// The token keeper's answer. Read only, never written: the entry has no
/// place for it, and its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SecretAnswer {
    /// Google or Microsoft: an OAuth access token.
    Bearer { token: String },
    /// Exchange or IMAP/SMTP.
    Password { username: String, password: String },
    /// IMAP/SMTP whose outgoing server has its own password.
    MailPasswords { imap: String, smtp: String },
    /// No secret: the user must sign in again, or the inbox is gone.
    Unavailable {
        reason: Unavailable,
        message: String,
    },
}

impl fmt::Debug for SecretAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretAnswer::Bearer { .. } => f.write_str("Bearer(<secret>)"),
            SecretAnswer::Password { username, .. } => write!(f, "Password({username}, <secret>)"),
            SecretAnswer::MailPasswords { .. } => f.write_str("MailPasswords(<secret>, <secret>)"),
            SecretAnswer::Unavailable { reason, message } => {
                write!(f, "Unavailable({reason:?}, {message})")
            }
        }
    }
}

/// Why there is no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Unavailable {
    Reauthenticate,
    Disconnected,
}

/// Why a call is made. `deliver`: it may hand the email over; the state
/// returned with it (`sending`) must be persisted before the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum OutboxPurpose {
    /// A call before delivery (a Graph draft, an upload).
    Prepare,
    /// The call that may deliver.
    Deliver,
    /// A search of Sent.
    Lookup,
    /// Finding or deleting an email the provider holds for its time (the
    /// user cancelled it); never delivers.
    Cancel,
}

/// A permanent failure or a refused choice, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct OutboxError {
    pub code: String,
    pub message: String,
}

impl OutboxError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        OutboxError {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The outbox's steps: `done` carries the state it ended in.
pub type OutboxStep = machine::Step<OutboxPurpose, OutboxQuestion, OutboxState, OutboxError>;

/// One run of a provider's plan.
struct Run<P> {
    plan: P,
    /// A secret was refused in this run (one fresh one is asked, once).
    rejected: bool,
    /// Waiting for the call's answer (else for the secret).
    calling: bool,
    /// A delivering call left in this run.
    delivered: bool,
}

impl<P> Run<P> {
    fn new(plan: P) -> Self {
        Run {
            plan,
            rejected: false,
            calling: false,
            delivered: false,
        }
    }
}

enum Phase<S, L, C> {
    Idle,
    Send(Run<S>),
    Lookup(Run<L>),
    Cancel(Run<C>),
    Waiting { until_ms: u64, reason: String },
    Ended(Box<OutboxStep>),
}

/// One email being sent: its entry, its bytes and what it waits for. Only
/// the entry is persisted ([`OutboxMachine::entry`]); a machine rebuilt
/// from it starts again with [`Machine::start`].
pub struct OutboxMachine<T: Plans> {
    entry: OutboxEntry<T>,
    out: Outgoing,
    phase: Phase<T::Send, T::Lookup, T::Cancel>,
    /// The wait before a lookup ([`LOOKUP_GRACE_MS`] unless the build set one).
    lookup_grace_ms: u64,
}

impl<T: Plans> OutboxMachine<T> {
    /// The machine of `entry`, with the bytes the shell kept beside it.
    pub fn new(entry: OutboxEntry<T>, mime: Vec<u8>, transmitted: Option<Vec<u8>>) -> Self {
        let out = entry.outgoing(mime, transmitted, None);
        OutboxMachine {
            entry,
            out,
            phase: Phase::Idle,
            lookup_grace_ms: LOOKUP_GRACE_MS,
        }
    }

    /// With the build's settings (its lookup grace, held within bounds).
    pub fn with_settings(mut self, settings: &OutboxSettings) -> Self {
        self.lookup_grace_ms = OutboxSettings::bounded(settings.lookup_grace_ms);
        self
    }

    /// What the shell persists after every call.
    pub fn entry(&self) -> &OutboxEntry<T> {
        &self.entry
    }

    /// Goes on from the persisted state.
    fn go(&mut self, at: Moment<'_>) -> OutboxStep {
        let now = at.now_ms;
        match self.entry.state.clone() {
            OutboxState::Scheduled { at_ms } if at_ms > now && !self.entry.target.defers() => {
                self.wait(at_ms, "Scheduled: it goes at the time you chose.".into())
            }
            OutboxState::Scheduled { .. } | OutboxState::Queued => self.begin_send(at),
            OutboxState::RetryWait {
                until_ms, reason, ..
            } => {
                if until_ms > now {
                    self.wait(until_ms, reason)
                } else {
                    self.begin_send(at)
                }
            }
            OutboxState::Sending { since_ms } => {
                self.entry.state = OutboxState::Unknown {
                    message: "Inlay stopped while the email was being handed over.".into(),
                    lookups: 0,
                    not_before_ms: self.lookup_not_before(since_ms),
                };
                self.go(at)
            }
            OutboxState::Unknown {
                lookups,
                not_before_ms,
                ..
            } => {
                if not_before_ms > now {
                    self.wait(
                        not_before_ms,
                        "It may have been sent: Inlay looks in your Sent folder before anything else."
                            .into(),
                    )
                } else {
                    self.begin_lookup(lookups)
                }
            }
            OutboxState::Checking { lookups } => self.begin_lookup(lookups),
            OutboxState::Cancelling { .. } => self.begin_cancel(),
            OutboxState::Failed { code, message } => self.end(OutboxStep::Failed {
                error: OutboxError { code, message },
            }),
            OutboxState::Held { .. }
            | OutboxState::Sent { .. }
            | OutboxState::HandedOver { .. }
            | OutboxState::NeedsUser { .. }
            | OutboxState::Cancelled { .. } => self.done(),
        }
    }

    /// When a lookup may start after a delivering call left at `left_ms`:
    /// after the grace, and after the deferred time of a handed-over email
    /// (it is in Sent only once the provider delivered it).
    fn lookup_not_before(&self, left_ms: u64) -> u64 {
        let at = left_ms.saturating_add(self.lookup_grace_ms);
        match self.deferred_when_left() {
            Some(deliver_at) => at.max(deliver_at.saturating_add(self.lookup_grace_ms)),
            None => at,
        }
    }

    /// The scheduled time, when the provider holds the email until then.
    fn deferred_time(&self) -> Option<u64> {
        self.entry
            .scheduled_at_ms
            .filter(|_| self.entry.target.defers())
    }

    /// The deferred time the last delivering call carried (its time was
    /// still ahead when it left).
    fn deferred_when_left(&self) -> Option<u64> {
        let left = self.entry.left_at_ms?;
        self.deferred_time().filter(|&t| t > left)
    }

    fn begin_send(&mut self, at: Moment<'_>) -> OutboxStep {
        self.entry.state = OutboxState::Queued;
        self.out.deliver_at_ms = self.deferred_time().filter(|&t| t > at.now_ms);
        let plan = self.entry.target.send(&self.out);
        self.phase = Phase::Send(Run::new(plan));
        ask(false)
    }

    fn begin_lookup(&mut self, lookups: u32) -> OutboxStep {
        // The provider searches for a deferred email where it waits too.
        self.out.deliver_at_ms = self.deferred_when_left();
        match self.entry.target.lookup(&self.out, self.entry.left_at_ms) {
            None => {
                self.entry.state = OutboxState::NeedsUser {
                    message: format!("Inlay can't search this inbox's Sent folder. {CHECK_SENT}"),
                };
                self.done()
            }
            Some(plan) => {
                self.entry.state = OutboxState::Checking { lookups };
                self.phase = Phase::Lookup(Run::new(plan));
                ask(false)
            }
        }
    }

    /// The user cancelled a handed-over email: find it where the provider
    /// holds it and delete it there (a stopped worker starts it again: both
    /// calls may be repeated).
    fn begin_cancel(&mut self) -> OutboxStep {
        match self.entry.target.cancel(&self.out) {
            Some(plan) => {
                self.phase = Phase::Cancel(Run::new(plan));
                ask(false)
            }
            None => self.cancel_failed("This inbox can't take back an email it holds.".into()),
        }
    }

    /// The cancel didn't go through: the email is handed over still, and
    /// goes at its time unless the user tries again.
    fn cancel_failed(&mut self, message: String) -> OutboxStep {
        if let OutboxState::Cancelling {
            deliver_at_ms,
            provider_id,
        } = self.entry.state.clone()
        {
            self.entry.state = OutboxState::HandedOver {
                deliver_at_ms,
                provider_id,
            };
        }
        self.end(OutboxStep::Failed {
            error: OutboxError::new(
                "cancelFailed",
                format!(
                    "{} The email was not cancelled: Microsoft still sends it at its time. Try Cancel again.",
                    message.trim()
                ),
            ),
        })
    }

    fn on_cancel_read(
        &mut self,
        mut run: Run<T::Cancel>,
        read: CancelRead,
        at: Moment<'_>,
    ) -> OutboxStep {
        let OutboxState::Cancelling { deliver_at_ms, .. } = self.entry.state else {
            return self.out_of_order("a cancel's answer");
        };
        match read {
            CancelRead::Cancelled => {
                self.entry.state = OutboxState::Cancelled { at_ms: at.now_ms };
                self.done()
            }
            // Gone from where it waited after its time: Microsoft sent it.
            CancelRead::NotWaiting if at.now_ms >= deliver_at_ms => {
                self.entry.state = OutboxState::Sent {
                    at_ms: deliver_at_ms,
                    provider_id: None,
                    thread_id: None,
                    by_user: false,
                };
                self.done()
            }
            CancelRead::NotWaiting => {
                self.entry.state = OutboxState::NeedsUser {
                    message: format!(
                        "Microsoft no longer holds this email for its time: it was deleted or sent outside Inlay, or an earlier cancel already removed it. {CHECK_SENT}"
                    ),
                };
                self.done()
            }
            CancelRead::SecretRejected if !run.rejected => {
                run.rejected = true;
                run.calling = false;
                self.phase = Phase::Cancel(run);
                ask(true)
            }
            CancelRead::SecretRejected => self.cancel_failed(
                "The inbox refused Inlay's sign-in twice. Reconnect the inbox.".into(),
            ),
            CancelRead::Failed { message, .. } => self.cancel_failed(message),
        }
    }

    fn on_secret(&mut self, answer: SecretAnswer, at: Moment<'_>) -> OutboxStep {
        let secret = match &answer {
            SecretAnswer::Bearer { token } => Secret::Bearer(token),
            SecretAnswer::Password { username, password } => {
                Secret::Password { username, password }
            }
            SecretAnswer::MailPasswords { imap, smtp } => Secret::MailPasswords { imap, smtp },
            SecretAnswer::Unavailable { reason, message } => {
                return self.no_secret(*reason, message.clone(), at);
            }
        };
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Send(mut run) => match run.plan.call(&secret, &self.out) {
                Ok(call) => {
                    let purpose = if run.plan.delivers() {
                        if run.delivered {
                            // A plan asking to deliver twice in one run:
                            // the first may have delivered.
                            return self.unknown(
                                "Inlay's plan for this inbox asked to send the email a second time."
                                    .into(),
                                at,
                            );
                        }
                        run.delivered = true;
                        self.entry.state = OutboxState::Sending {
                            since_ms: at.now_ms,
                        };
                        self.entry.deliveries = self.entry.deliveries.saturating_add(1);
                        self.entry.left_at_ms = Some(at.now_ms);
                        OutboxPurpose::Deliver
                    } else {
                        OutboxPurpose::Prepare
                    };
                    run.calling = true;
                    self.phase = Phase::Send(run);
                    step(call, purpose)
                }
                Err(read) => self.on_send_read(run, read, at),
            },
            Phase::Lookup(mut run) => match run.plan.call(&secret) {
                Ok(call) => {
                    run.calling = true;
                    self.phase = Phase::Lookup(run);
                    step(call, OutboxPurpose::Lookup)
                }
                Err(read) => self.on_lookup_read(run, read, at),
            },
            Phase::Cancel(mut run) => match run.plan.call(&secret) {
                Ok(call) => {
                    run.calling = true;
                    self.phase = Phase::Cancel(run);
                    step(call, OutboxPurpose::Cancel)
                }
                Err(read) => self.on_cancel_read(run, read, at),
            },
            other => {
                self.phase = other;
                self.out_of_order("a secret")
            }
        }
    }

    /// No secret: an email not yet handed over fails (the user reconnects
    /// and sends it again); one that may have left stays `unknown` and is
    /// looked up again after a pause, like after a failed search (never a
    /// lookup at once: the keeper would answer the same).
    fn no_secret(&mut self, reason: Unavailable, message: String, at: Moment<'_>) -> OutboxStep {
        match self.entry.state {
            OutboxState::Sending { .. } => self.unknown(message, at),
            OutboxState::Checking { lookups } | OutboxState::Unknown { lookups, .. } => {
                self.lookup_later(lookups, None, message, at)
            }
            OutboxState::Cancelling { .. } => self.cancel_failed(message),
            _ => {
                let code = match reason {
                    Unavailable::Reauthenticate => "reauthenticate",
                    Unavailable::Disconnected => "disconnected",
                };
                self.fail(code, format!("{message} The email was not sent."))
            }
        }
    }

    fn on_answer(&mut self, answer: Answer<'_>, at: Moment<'_>) -> OutboxStep {
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Send(mut run) => match run.plan.read(answer) {
                Read::Next => {
                    run.calling = false;
                    self.phase = Phase::Send(run);
                    ask(false)
                }
                Read::End(read) => self.on_send_read(run, read, at),
            },
            Phase::Lookup(mut run) => match run.plan.read(answer) {
                Read::Next => {
                    run.calling = false;
                    self.phase = Phase::Lookup(run);
                    ask(false)
                }
                Read::End(read) => self.on_lookup_read(run, read, at),
            },
            Phase::Cancel(mut run) => match run.plan.read(answer) {
                Read::Next => {
                    run.calling = false;
                    self.phase = Phase::Cancel(run);
                    ask(false)
                }
                Read::End(read) => self.on_cancel_read(run, read, at),
            },
            other => {
                self.phase = other;
                self.out_of_order("an answer")
            }
        }
    }

    fn on_send_read(
        &mut self,
        mut run: Run<T::Send>,
        read: SendRead,
        at: Moment<'_>,
    ) -> OutboxStep {
        match read {
            SendRead::Sent {
                provider_id,
                thread_id,
            } => {
                self.entry.state = match self.out.deliver_at_ms {
                    Some(deliver_at_ms) => OutboxState::HandedOver {
                        deliver_at_ms,
                        provider_id,
                    },
                    None => OutboxState::Sent {
                        at_ms: at.now_ms,
                        provider_id,
                        thread_id,
                        by_user: false,
                    },
                };
                self.done()
            }
            SendRead::Retry {
                retry_after_ms,
                message,
            } => self.retry_send(retry_after_ms, message, at),
            SendRead::SecretRejected if !run.rejected => {
                // Refused before it was read: not delivered.
                run.rejected = true;
                run.calling = false;
                run.delivered = false;
                self.entry.state = OutboxState::Queued;
                self.phase = Phase::Send(run);
                ask(true)
            }
            SendRead::SecretRejected => self.fail(
                "reauthenticate",
                "The inbox refused Inlay's sign-in twice, so the email was not sent. Reconnect the inbox, then send it again.",
            ),
            SendRead::Permanent { code, message } => self.fail(&code, message),
            SendRead::Unknown { message } if run.delivered => self.unknown(message, at),
            // Nothing that delivers has left: whatever happened, it was not sent.
            SendRead::Unknown { message } => self.retry_send(None, message, at),
        }
    }

    fn unknown(&mut self, message: String, at: Moment<'_>) -> OutboxStep {
        let left = self.entry.left_at_ms.unwrap_or(at.now_ms);
        self.entry.state = OutboxState::Unknown {
            message,
            lookups: 0,
            not_before_ms: self.lookup_not_before(left),
        };
        self.go(at)
    }

    /// Certainly not delivered: the one rule for waiting, or give up.
    fn retry_send(
        &mut self,
        retry_after_ms: Option<u64>,
        reason: String,
        at: Moment<'_>,
    ) -> OutboxStep {
        match OUTBOX_BACKOFF.next(self.entry.attempt, retry_after_ms, at) {
            Pause::Wait { until_ms, after_ms } => {
                self.entry.attempt = self.entry.attempt.saturating_add(1);
                let reason = format!(
                    "{reason} It wasn't sent; Inlay tries again in {}.",
                    pause_in_words(after_ms)
                );
                self.entry.state = OutboxState::RetryWait {
                    until_ms,
                    attempt: self.entry.attempt,
                    reason: reason.clone(),
                };
                self.wait(until_ms, reason)
            }
            Pause::GiveUp { .. } => self.fail(
                "gaveUp",
                format!(
                    "{reason} Inlay tried {} times, so it stopped: the email was not sent. You can send it again.",
                    self.entry.attempt.saturating_add(1)
                ),
            ),
        }
    }

    fn on_lookup_read(
        &mut self,
        mut run: Run<T::Lookup>,
        read: LookupRead,
        at: Moment<'_>,
    ) -> OutboxStep {
        let lookups = match self.entry.state {
            OutboxState::Checking { lookups } => lookups,
            _ => 0,
        };
        match read {
            LookupRead::Found {
                provider_id,
                thread_id,
            } => {
                self.entry.state = OutboxState::Sent {
                    at_ms: self.entry.left_at_ms.unwrap_or(at.now_ms),
                    provider_id,
                    thread_id,
                    by_user: false,
                };
                self.done()
            }
            LookupRead::NotFound if self.entry.deliveries >= MAX_DELIVERIES => self.fail(
                "notDelivered",
                format!(
                    "Inlay handed the email over {} times without an answer and it never reached your Sent folder, so it stopped. Check your Sent folder, then send it again if it isn't there.",
                    self.entry.deliveries
                ),
            ),
            LookupRead::NotFound => self.begin_send(at),
            LookupRead::Failed {
                retry_after_ms,
                message,
            } => self.lookup_later(lookups, retry_after_ms, message, at),
            LookupRead::SecretRejected if !run.rejected => {
                run.rejected = true;
                run.calling = false;
                self.phase = Phase::Lookup(run);
                ask(true)
            }
            LookupRead::SecretRejected => self.lookup_later(
                lookups,
                None,
                "The inbox refused Inlay's sign-in while it looked in Sent.".into(),
                at,
            ),
            LookupRead::CannotLook { message } => {
                self.entry.state = OutboxState::NeedsUser {
                    message: format!("{message} {CHECK_SENT}"),
                };
                self.done()
            }
        }
    }

    /// A failed search is not "not found": stay unknown and search again
    /// after a pause; when the tries are used up, the user decides.
    fn lookup_later(
        &mut self,
        lookups: u32,
        retry_after_ms: Option<u64>,
        message: String,
        at: Moment<'_>,
    ) -> OutboxStep {
        match OUTBOX_BACKOFF.next(lookups, retry_after_ms, at) {
            Pause::Wait { until_ms, after_ms } => {
                let reason = format!(
                    "{message} Inlay looks in your Sent folder again in {} before anything else.",
                    pause_in_words(after_ms)
                );
                self.entry.state = OutboxState::Unknown {
                    message,
                    lookups: lookups.saturating_add(1),
                    not_before_ms: until_ms,
                };
                self.wait(until_ms, reason)
            }
            Pause::GiveUp { .. } => {
                self.entry.state = OutboxState::NeedsUser {
                    message: format!(
                        "Inlay couldn't search your Sent folder ({message}), so it can't tell whether the email left. {CHECK_SENT}"
                    ),
                };
                self.done()
            }
        }
    }

    fn wait(&mut self, until_ms: u64, reason: String) -> OutboxStep {
        self.phase = Phase::Waiting {
            until_ms,
            reason: reason.clone(),
        };
        OutboxStep::Wait { until_ms, reason }
    }

    fn fail(&mut self, code: &str, message: impl Into<String>) -> OutboxStep {
        let error = OutboxError::new(code, message);
        self.entry.state = OutboxState::Failed {
            code: error.code.clone(),
            message: error.message.clone(),
        };
        self.end(OutboxStep::Failed { error })
    }

    fn done(&mut self) -> OutboxStep {
        self.end(OutboxStep::Done {
            result: self.entry.state.clone(),
        })
    }

    fn end(&mut self, step: OutboxStep) -> OutboxStep {
        self.phase = Phase::Ended(Box::new(step.clone()));
        step
    }

    /// An input the machine wasn't waiting for: it stops, and the entry
    /// keeps its state (a `sending` one is looked up on the next start).
    fn out_of_order(&mut self, what: &str) -> OutboxStep {
        if let Phase::Ended(step) = &self.phase {
            return (**step).clone();
        }
        self.end(OutboxStep::Failed {
            error: OutboxError::new(
                "unexpectedInput",
                format!("Inlay's outbox got {what} it wasn't waiting for, so it stopped. It goes on from where it was at the next start."),
            ),
        })
    }
}

fn ask(rejected: bool) -> OutboxStep {
    OutboxStep::Ask {
        question: OutboxQuestion::Secret { rejected },
    }
}

fn step(call: Call, purpose: OutboxPurpose) -> OutboxStep {
    match call {
        Call::Http(request) => OutboxStep::Http { request, purpose },
        Call::Helper(call) => OutboxStep::Helper { call, purpose },
    }
}

impl<T: Plans> Machine for OutboxMachine<T> {
    type Purpose = OutboxPurpose;
    type Question = OutboxQuestion;
    type Answer = SecretAnswer;
    type Result = OutboxState;
    type Error = OutboxError;

    /// Goes on from the persisted state, whatever this machine did before:
    /// a `sending` entry is read as `unknown` (looked up, never resent).
    fn start(&mut self, at: Moment<'_>) -> OutboxStep {
        self.phase = Phase::Idle;
        self.go(at)
    }

    fn resume(&mut self, input: Input<SecretAnswer>, at: Moment<'_>) -> OutboxStep {
        let calling = match &self.phase {
            Phase::Send(run) => Some(run.calling),
            Phase::Lookup(run) => Some(run.calling),
            Phase::Cancel(run) => Some(run.calling),
            _ => None,
        };
        match (calling, input) {
            (Some(false), Input::Answer { answer }) => self.on_secret(answer, at),
            (Some(true), Input::Response { response }) => {
                self.on_answer(Answer::Response(&response), at)
            }
            (Some(true), Input::Transport { failure }) => {
                self.on_answer(Answer::Transport(failure), at)
            }
            (Some(true), Input::HelperReply { reply }) => {
                self.on_answer(Answer::HelperReply(&reply), at)
            }
            (Some(true), Input::HelperFailed { code, message, .. }) => self.on_answer(
                Answer::HelperFailed {
                    code: &code,
                    message: &message,
                },
                at,
            ),
            (None, Input::Timer) => match &self.phase {
                Phase::Waiting { until_ms, reason } if at.now_ms < *until_ms => OutboxStep::Wait {
                    until_ms: *until_ms,
                    reason: reason.clone(),
                },
                Phase::Waiting { .. } => {
                    self.phase = Phase::Idle;
                    self.go(at)
                }
                _ => self.out_of_order("a timer"),
            },
            _ => self.out_of_order("an input"),
        }
    }
}
