//! "Does this password work?": a real EWS call (`GetFolder` on the inbox) as
//! a [`Machine`], for the connect (before anything is saved) and for "Check
//! connection". Someone waits for it, so retries are few and short
//! ([`Backoff::INTERACTIVE`], chosen here and nowhere else); the machine
//! counts them and plans each pause as a wait step.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::errors::too_long;
use super::operations::verify_connection;
use super::results::{Verified, read_verify};
use crate::accounts::CheckResult;
use crate::backoff::Backoff;
use crate::machine::{Input, Machine, Moment, NoQuestion, StepOf};
use crate::provider::{Attempt, Disposition, Outcome};

/// The retries of a check someone is watching.
pub const CHECK_BACKOFF: Backoff = Backoff::INTERACTIVE;

/// The same curve without the wait limit: the answer is read with it, and
/// the machine itself tells a pause to wait out from one that is too long.
const UNLIMITED: Backoff = Backoff {
    max_wait_ms: None,
    ..CHECK_BACKOFF
};

/// One check of an EWS URL with a username and password. It holds the
/// password: keep it in memory only, as the Autodiscover plan.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EwsCheck {
    ews_url: String,
    credentials: Credentials,
    /// Retries already made (0 for the first try).
    retries: u32,
}

impl fmt::Debug for EwsCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EwsCheck")
            .field("ews_url", &self.ews_url)
            .field("credentials", &self.credentials)
            .field("retries", &self.retries)
            .finish()
    }
}

/// Why the check's request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// `GetFolder` on the inbox.
    GetFolder,
}

/// Why the password could not be confirmed (crosses as `{code, message}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// Exchange refused the username or password: the user must act.
    Refused { code: String, message: String },
    /// Exchange asked for a pause longer than anyone should wait for
    /// (`providerBusy`): try later.
    Busy { message: String },
    /// Anything else, with what to do.
    Failed { code: String, message: String },
}

impl CheckError {
    pub fn code(&self) -> &str {
        match self {
            CheckError::Refused { code, .. } | CheckError::Failed { code, .. } => code,
            CheckError::Busy { .. } => "providerBusy",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CheckError::Refused { message, .. }
            | CheckError::Busy { message }
            | CheckError::Failed { message, .. } => message,
        }
    }

    /// What "Check connection" reports for it.
    pub fn check_result(&self) -> CheckResult {
        let message = self.message().to_owned();
        match self {
            CheckError::Refused { code, .. } => CheckResult::NeedsReauthentication {
                code: code.clone(),
                message,
            },
            CheckError::Busy { .. } => CheckResult::Later { message },
            CheckError::Failed { code, .. } => CheckResult::Failed {
                code: code.clone(),
                message,
            },
        }
    }
}

/// Crosses as `{code, message, outcome}`: `outcome` is what "Check
/// connection" reports (`needsReauthentication`, `later` or `failed`).
impl Serialize for CheckError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let outcome = match self {
            CheckError::Refused { .. } => "needsReauthentication",
            CheckError::Busy { .. } => "later",
            CheckError::Failed { .. } => "failed",
        };
        let mut s = serializer.serialize_struct("CheckError", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", self.message())?;
        s.serialize_field("outcome", outcome)?;
        s.end()
    }
}

/// A step of the check.
pub type Step = StepOf<EwsCheck>;

impl EwsCheck {
    pub fn new(ews_url: &str, credentials: Credentials) -> Self {
        EwsCheck {
            ews_url: ews_url.to_owned(),
            credentials,
            retries: 0,
        }
    }

    fn request(&self) -> Step {
        Step::Http {
            request: verify_connection(&self.ews_url, &self.credentials),
            purpose: Purpose::GetFolder,
        }
    }
}

impl Machine for EwsCheck {
    type Purpose = Purpose;
    type Question = NoQuestion;
    type Answer = NoQuestion;
    type Result = Verified;
    type Error = CheckError;

    fn start(&mut self, _at: Moment<'_>) -> Step {
        self.retries = 0;
        self.request()
    }

    fn resume(&mut self, input: Input<NoQuestion>, at: Moment<'_>) -> Step {
        let outcome = match input {
            Input::Response { response } => Outcome::Response { response },
            Input::Transport { failure } => Outcome::Transport { failure },
            // The pause is over: the same request again.
            Input::Timer => return self.request(),
            Input::Redirect { .. }
            | Input::AuthFlowFailed { .. }
            | Input::Answer { .. }
            | Input::HelperReply { .. }
            | Input::HelperFailed { .. } => {
                return self.request();
            }
        };
        let attempt = Attempt {
            number: self.retries,
            after_refresh: false,
            now_ms: at.now_ms,
            jitter: at.jitter(),
        };
        match read_verify(&self.ews_url, &outcome, &attempt, &UNLIMITED) {
            Ok(verified) => Step::Done { result: verified },
            Err(Disposition::RetryAfter { after_ms, reason })
                if CHECK_BACKOFF
                    .max_wait_ms
                    .is_some_and(|most| after_ms > most) =>
            {
                Step::Failed {
                    error: CheckError::Busy {
                        message: too_long(after_ms, &reason),
                    },
                }
            }
            Err(Disposition::RetryAfter { after_ms, reason }) => {
                self.retries += 1;
                Step::Wait {
                    until_ms: at.now_ms.saturating_add(after_ms),
                    reason: format!("{reason}; Inlay tries again shortly."),
                }
            }
            Err(Disposition::Reauthenticate { code, message }) => Step::Failed {
                error: CheckError::Refused { code, message },
            },
            Err(Disposition::Fail { code, message }) => Step::Failed {
                error: CheckError::Failed { code, message },
            },
            // EWS has no tokens to refresh, and reads settle their retries above.
            Err(other) => Step::Failed {
                error: CheckError::Failed {
                    code: "unexpectedResponse".into(),
                    message: format!(
                        "Exchange answered in a way Inlay didn't expect ({other:?}). Try again."
                    ),
                },
            },
        }
    }
}
