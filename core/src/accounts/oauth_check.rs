//! "Check this connection now" for a Google or Microsoft inbox, as a
//! [`Machine`]: get an access token from the worker's token keeper, make the
//! provider's check call, and read the answer. The attempt counter, the one
//! token refresh after a 401 and how long a throttled check may wait are
//! decided here ([`CHECK_BACKOFF`]), not in the worker.
//!
//! ```text
//! start ─→ ask token ─token→ http check ─ok→ done ok{aliases, name}
//!   401 (once) ─→ ask token (the rejected one replaced) ─→ http check
//!   429/5xx/network ─→ wait (Backoff::next) ─timer→ http check
//!   a wait longer than 20 s, or the tries used up ─→ done later
//!   grant gone / token refused ─→ done needsReauthentication
//! ```

use serde::{Deserialize, Serialize};

use super::check::{CheckResult, CheckVerdict, plan_account_check, read_account_check};
use crate::backoff::{Backoff, GiveUp, Pause};
use crate::connect::FlowError;
use crate::detect::ConnectionKind;
use crate::http::HttpRequest;
use crate::machine::{self, Input, Machine, Moment};
use crate::provider::{Attempt, Outcome};

/// Retries of a check: the provider curve, six tries, and no wait longer
/// than 20 s (the worker would hold on to a page's request meanwhile); a
/// longer pause is left to the next check.
pub const CHECK_BACKOFF: Backoff = Backoff {
    base_ms: 1_000,
    max_ms: 64_000,
    max_attempts: 6,
    max_wait_ms: Some(20_000),
};

/// What the check asks the worker: a usable access token for the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct TokenQuestion {
    /// The provider refused this token (a 401): tell the token keeper
    /// before asking for a new one, so it refreshes.
    pub rejected: Option<String>,
}

/// The worker's answer: a token, or why there is none (its token keeper's
/// words, from the core's token lifecycle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TokenAnswer {
    /// Use this token.
    Token { access_token: String },
    /// The user must sign in again.
    Reauthenticate { code: String, message: String },
    /// The provider can't renew the token now.
    Later { message: String },
    /// The inbox was disconnected meanwhile.
    Disconnected { message: String },
}

/// Why the check makes its one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum CheckPurpose {
    /// Gmail's send-as list or Graph's `/me`.
    AccountCheck,
}

/// The check's steps.
pub type CheckStep = machine::Step<CheckPurpose, TokenQuestion, CheckResult, FlowError>;

/// One check of a connected Google or Microsoft inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthCheck {
    /// The kind of inbox (Google or Microsoft).
    pub connect: ConnectionKind,
    /// Retries already made of the check call.
    pub attempt: u32,
    /// The token was refreshed after a 401 (a second 401 means the grant
    /// is gone).
    pub after_refresh: bool,
    /// The token in use.
    pub access_token: Option<String>,
    /// Where the check stands.
    pub phase: CheckPhase,
}

/// What the check waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CheckPhase {
    /// Not started.
    New,
    /// The worker's answer to [`TokenQuestion`].
    AwaitingToken,
    /// The check call's outcome.
    AwaitingResponse,
    /// The timer, then the check call again.
    Waiting { until_ms: u64, reason: String },
    /// Finished; repeats its last step.
    Done { step: Box<CheckStep> },
}

/// Every check call's answer: the machine to keep and the step to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckAdvance {
    /// Keep this and pass it to the next call.
    pub check: OAuthCheck,
    /// What to do now.
    pub step: CheckStep,
}

impl OAuthCheck {
    /// A check of a `connect` inbox, not started.
    pub fn new(connect: ConnectionKind) -> Self {
        OAuthCheck {
            connect,
            attempt: 0,
            after_refresh: false,
            access_token: None,
            phase: CheckPhase::New,
        }
    }

    /// This machine and `step` as one answer.
    pub fn advance(self, step: CheckStep) -> CheckAdvance {
        CheckAdvance { check: self, step }
    }

    fn finish(&mut self, result: CheckResult) -> CheckStep {
        let step = CheckStep::Done { result };
        self.phase = CheckPhase::Done {
            step: Box::new(step.clone()),
        };
        step
    }

    fn ask(&mut self, rejected: Option<String>) -> CheckStep {
        self.phase = CheckPhase::AwaitingToken;
        CheckStep::Ask {
            question: TokenQuestion { rejected },
        }
    }

    fn send(&mut self) -> CheckStep {
        let token = self.access_token.clone().unwrap_or_default();
        match plan_account_check(self.connect, &token) {
            Ok(request) => {
                self.phase = CheckPhase::AwaitingResponse;
                http(request)
            }
            Err(e) => self.finish(CheckResult::Failed {
                code: e.code.as_str().into(),
                message: e.message,
            }),
        }
    }

    fn on_outcome(&mut self, outcome: Outcome, at: Moment<'_>) -> CheckStep {
        let attempt = Attempt {
            number: self.attempt,
            after_refresh: self.after_refresh,
            now_ms: at.now_ms,
            jitter: at.jitter(),
        };
        match read_account_check(self.connect, &outcome, &attempt) {
            CheckVerdict::Ok {
                aliases,
                display_name,
            } => self.finish(CheckResult::Ok {
                aliases: Some(aliases),
                display_name,
            }),
            CheckVerdict::RefreshToken => {
                self.after_refresh = true;
                let rejected = self.access_token.take();
                self.ask(rejected)
            }
            CheckVerdict::Retry {
                retry_after_ms,
                reason,
            } => self.retry(retry_after_ms, reason, at),
            CheckVerdict::Reauthenticate { code, message } => {
                self.finish(CheckResult::NeedsReauthentication { code, message })
            }
            CheckVerdict::Fail { code, message } => {
                self.finish(CheckResult::Failed { code, message })
            }
        }
    }

    /// The one rule for waiting, with the check's backoff.
    fn retry(&mut self, retry_after_ms: Option<u64>, reason: String, at: Moment<'_>) -> CheckStep {
        match CHECK_BACKOFF.next(self.attempt, retry_after_ms, at) {
            Pause::Wait { until_ms, .. } => {
                self.attempt = self.attempt.saturating_add(1);
                self.phase = CheckPhase::Waiting {
                    until_ms,
                    reason: reason.clone(),
                };
                CheckStep::Wait { until_ms, reason }
            }
            Pause::GiveUp {
                reason: GiveUp::TooLong { .. },
            } => self.finish(CheckResult::Later { message: reason }),
            Pause::GiveUp {
                reason: GiveUp::Exhausted,
            } => self.finish(CheckResult::Later {
                message: format!(
                    "{reason}, so the check couldn't finish. Inlay will check again later."
                ),
            }),
        }
    }

    fn out_of_order(&mut self, what: &str) -> CheckStep {
        if let CheckPhase::Done { step } = &self.phase {
            return (**step).clone();
        }
        let step = CheckStep::Failed {
            error: FlowError::new(
                "unexpectedInput",
                format!(
                    "Inlay's connection check got {what} it wasn't waiting for, so it stopped. Please check again."
                ),
            ),
        };
        self.phase = CheckPhase::Done {
            step: Box::new(step.clone()),
        };
        step
    }
}

fn http(request: HttpRequest) -> CheckStep {
    CheckStep::Http {
        request,
        purpose: CheckPurpose::AccountCheck,
    }
}

impl Machine for OAuthCheck {
    type Purpose = CheckPurpose;
    type Question = TokenQuestion;
    type Answer = TokenAnswer;
    type Result = CheckResult;
    type Error = FlowError;

    /// Asks for a token first.
    fn start(&mut self, _at: Moment<'_>) -> CheckStep {
        match self.phase {
            CheckPhase::New => self.ask(None),
            _ => self.out_of_order("a second start"),
        }
    }

    fn resume(&mut self, input: Input<TokenAnswer>, at: Moment<'_>) -> CheckStep {
        match (&self.phase, input) {
            (CheckPhase::AwaitingToken, Input::Answer { answer }) => match answer {
                TokenAnswer::Token { access_token } => {
                    self.access_token = Some(access_token);
                    self.send()
                }
                TokenAnswer::Reauthenticate { code, message } => {
                    self.finish(CheckResult::NeedsReauthentication { code, message })
                }
                TokenAnswer::Later { message } => self.finish(CheckResult::Later { message }),
                TokenAnswer::Disconnected { message } => self.finish(CheckResult::Failed {
                    code: "disconnected".into(),
                    message,
                }),
            },
            (CheckPhase::AwaitingResponse, Input::Response { response }) => {
                self.on_outcome(Outcome::Response { response }, at)
            }
            (CheckPhase::AwaitingResponse, Input::Transport { failure }) => {
                self.on_outcome(Outcome::Transport { failure }, at)
            }
            (CheckPhase::Waiting { until_ms, reason }, Input::Timer) if at.now_ms < *until_ms => {
                CheckStep::Wait {
                    until_ms: *until_ms,
                    reason: reason.clone(),
                }
            }
            (CheckPhase::Waiting { .. }, Input::Timer) => self.send(),
            _ => self.out_of_order("an answer"),
        }
    }
}
