//! Checking an IMAP/SMTP account's logins through the native helper, as two
//! machines of the one calling convention (`crate::machine`): the shell sends
//! each planned [`HelperCall`](super::HelperCall) and hands back the helper's reply or error.
//! - [`LoginCheck`], while connecting: IMAP, then SMTP, each at its pin. A
//!   certificate the helper refused ends the check with the certificate for
//!   the user to review (no password was sent), unless it is the key the user
//!   already accepted for the other server: then that server is checked again
//!   pinned to it. Any other failure ends it in the core's words.
//! - [`AccountCheck`], "Check connection": an IMAP login at the pinned
//!   certificate. An account from before pins logs in trusting any
//!   certificate, then checks SMTP the same way, and the core decides from both
//!   reports what it pins from now on and what the user is told, once. A
//!   failure says whether the inbox needs the user, can wait, or failed.

use serde::{Deserialize, Serialize};

use super::certificates::{
    CertificateReport, CertificateTrust, accepted_for_other_server, migrate_trust_any,
};
use super::helper::{ServerCertificate, Trust, check_call};
use super::helper_error::{CheckDisposition, describe_helper_error};
use super::{MailServerKind, MailSettings, sent_copy_needed};
use crate::machine::{Input, Machine, Moment, NoQuestion, Step, StepOf};
use crate::rpc::imap::{PinnedCertificates, SpkiPin};

/// The helper refused the server's certificate: the user reviews it.
fn to_review(code: &str) -> bool {
    matches!(code, "untrustedCertificate" | "certificateChanged")
}

fn server(settings: &MailSettings, which: MailServerKind) -> (&str, u16) {
    let server = match which {
        MailServerKind::Imap => &settings.imap,
        MailServerKind::Smtp => &settings.smtp,
    };
    (&server.host, server.port)
}

fn pin(pins: &PinnedCertificates, which: MailServerKind) -> Option<&SpkiPin> {
    match which {
        MailServerKind::Imap => pins.imap.as_ref(),
        MailServerKind::Smtp => pins.smtp.as_ref(),
    }
}

fn pin_mut(pins: &mut PinnedCertificates, which: MailServerKind) -> &mut Option<SpkiPin> {
    match which {
        MailServerKind::Imap => &mut pins.imap,
        MailServerKind::Smtp => &mut pins.smtp,
    }
}

/// Words for a helper step answered with something else (a shell bug).
fn unexpected_input() -> String {
    "Inlay's mail check got an answer it didn't ask for. Please try again, and report this to \
     Inlay's support if it happens again."
        .to_string()
}

/// The connect's check of both logins.
#[derive(Debug, Clone)]
pub struct LoginCheck {
    settings: MailSettings,
    password: String,
    smtp_password: Option<String>,
    /// The pins so far: the user's, then any accepted for the other server.
    pins: PinnedCertificates,
    /// The server whose check was sent last.
    server: MailServerKind,
    end: Option<StepOf<LoginCheck>>,
}

/// Both logins worked: what the account record keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct LoginsVerified {
    /// The certificate accepted at each server (none where it verified).
    pub pinned_certificates: PinnedCertificates,
    /// Whether the helper appends the sent copy to the Sent folder.
    pub append_to_sent: bool,
}

/// A certificate for the user to review before any password goes there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CertificateReview {
    pub server: MailServerKind,
    pub host: String,
    pub certificate: ServerCertificate,
}

/// Why the logins were not verified (crosses as `{code, message, review?}`;
/// `code` is `reviewCertificate` with a `review`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct LoginFailure {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub review: Option<CertificateReview>,
}

impl LoginFailure {
    fn new(code: &str, message: String) -> Self {
        LoginFailure {
            code: code.to_string(),
            message,
            review: None,
        }
    }
}

impl LoginCheck {
    /// `smtp_password` is asked for only when the settings say SMTP has its
    /// own credentials; `pins` are the certificates the user accepted.
    pub fn new(
        settings: MailSettings,
        password: &str,
        smtp_password: Option<&str>,
        pins: PinnedCertificates,
    ) -> Self {
        LoginCheck {
            settings,
            password: password.to_string(),
            smtp_password: smtp_password.filter(|p| !p.is_empty()).map(str::to_string),
            pins,
            server: MailServerKind::Imap,
            end: None,
        }
    }

    fn check(&mut self, which: MailServerKind) -> StepOf<Self> {
        self.server = which;
        let password = match (which, &self.smtp_password) {
            (MailServerKind::Imap, _) => &self.password,
            _ if self.settings.same_credentials => &self.password,
            (MailServerKind::Smtp, Some(own)) => own,
            (MailServerKind::Smtp, None) => {
                return self.finish(Step::Failed {
                    error: LoginFailure::new(
                        "invalidSettings",
                        "Outgoing (SMTP) password: is required.".to_string(),
                    ),
                });
            }
        };
        let trust = Trust::from_pin(pin(&self.pins, which));
        Step::Helper {
            call: check_call(&self.settings, which, password, &trust),
            purpose: which,
        }
    }

    fn finish(&mut self, step: StepOf<Self>) -> StepOf<Self> {
        self.end = Some(step.clone());
        step
    }

    fn failed(
        &mut self,
        code: &str,
        detail: &str,
        certificate: Option<ServerCertificate>,
    ) -> StepOf<Self> {
        let which = self.server;
        let (host, port) = server(&self.settings, which);
        let described = describe_helper_error(which, host, port, code, detail);
        let error = match certificate {
            Some(certificate) if to_review(code) => {
                let accepted =
                    accepted_for_other_server(which, code, &certificate.spki_sha256, &self.pins);
                if let Some(pin) = accepted {
                    // One host serving both with the key just accepted: no second review.
                    *pin_mut(&mut self.pins, which) = Some(pin);
                    return self.check(which);
                }
                LoginFailure {
                    code: "reviewCertificate".to_string(),
                    message: described.message,
                    review: Some(CertificateReview {
                        server: which,
                        host: host.to_string(),
                        certificate,
                    }),
                }
            }
            _ => LoginFailure::new(&described.code, described.message),
        };
        self.finish(Step::Failed { error })
    }
}

impl Machine for LoginCheck {
    type Purpose = MailServerKind;
    type Question = NoQuestion;
    type Answer = NoQuestion;
    type Result = LoginsVerified;
    type Error = LoginFailure;

    fn start(&mut self, _at: Moment<'_>) -> StepOf<Self> {
        self.end = None;
        self.check(MailServerKind::Imap)
    }

    fn resume(&mut self, input: Input<NoQuestion>, _at: Moment<'_>) -> StepOf<Self> {
        if let Some(end) = &self.end {
            return end.clone();
        }
        match input {
            Input::HelperReply { .. } if self.server == MailServerKind::Imap => {
                self.check(MailServerKind::Smtp)
            }
            Input::HelperReply { .. } => {
                let result = LoginsVerified {
                    pinned_certificates: self.pins.clone(),
                    append_to_sent: sent_copy_needed(&self.settings),
                };
                self.finish(Step::Done { result })
            }
            Input::HelperFailed {
                code,
                message,
                certificate,
            } => self.failed(&code, &message, certificate),
            _ => self.finish(Step::Failed {
                error: LoginFailure::new("unexpectedInput", unexpected_input()),
            }),
        }
    }
}

/// "Check connection" of a connected IMAP inbox.
#[derive(Debug, Clone)]
pub struct AccountCheck {
    settings: MailSettings,
    trust: CertificateTrust,
    password: String,
    smtp_password: String,
    /// What the IMAP login reported, once it worked (a trust-any account).
    imap: Option<CertificateReport>,
    end: Option<StepOf<AccountCheck>>,
}

/// What the check found, when the login worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct AccountChecked {
    /// The trust to store instead of the record's (an account from before
    /// pins, at its first successful check); its `notice` is for the user.
    pub trust: Option<CertificateTrust>,
}

/// What "Check connection" reports for a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum CheckOutcome {
    /// The password (or the certificate) needs the user.
    NeedsReauthentication,
    /// Nothing says the settings are wrong: try later.
    Later,
    Failed,
}

/// Why the login failed (crosses as `{code, message, outcome}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct AccountCheckFailure {
    pub code: String,
    pub message: String,
    pub outcome: CheckOutcome,
}

impl AccountCheck {
    /// `trust` is the record's; `smtp_password` is SMTP's own, if it has one.
    pub fn new(
        settings: MailSettings,
        trust: CertificateTrust,
        password: &str,
        smtp_password: Option<&str>,
    ) -> Self {
        let smtp_password = smtp_password.filter(|p| !p.is_empty()).unwrap_or(password);
        AccountCheck {
            settings,
            trust,
            password: password.to_string(),
            smtp_password: smtp_password.to_string(),
            imap: None,
            end: None,
        }
    }

    fn finish(&mut self, step: StepOf<Self>) -> StepOf<Self> {
        self.end = Some(step.clone());
        step
    }

    fn done(&mut self, trust: Option<CertificateTrust>) -> StepOf<Self> {
        self.finish(Step::Done {
            result: AccountChecked { trust },
        })
    }

    fn failed(&mut self, code: &str, detail: &str) -> StepOf<Self> {
        let (host, port) = server(&self.settings, MailServerKind::Imap);
        let failure = describe_helper_error(MailServerKind::Imap, host, port, code, detail);
        let outcome = match failure.disposition {
            CheckDisposition::Reauthenticate => CheckOutcome::NeedsReauthentication,
            CheckDisposition::Later => CheckOutcome::Later,
            CheckDisposition::Fail => CheckOutcome::Failed,
        };
        self.finish(Step::Failed {
            error: AccountCheckFailure {
                code: failure.code,
                message: failure.message,
                outcome,
            },
        })
    }

    /// The helper's report of a check, or none where it sent none it can read.
    fn report(reply: serde_json::Value) -> CertificateReport {
        serde_json::from_value(reply).unwrap_or_default()
    }
}

impl Machine for AccountCheck {
    type Purpose = MailServerKind;
    type Question = NoQuestion;
    type Answer = NoQuestion;
    type Result = AccountChecked;
    type Error = AccountCheckFailure;

    fn start(&mut self, _at: Moment<'_>) -> StepOf<Self> {
        self.end = None;
        self.imap = None;
        let trust = if self.trust.trust_any_certificate {
            Trust::Any
        } else {
            Trust::from_pin(self.trust.pinned_certificates.imap.as_ref())
        };
        Step::Helper {
            call: check_call(&self.settings, MailServerKind::Imap, &self.password, &trust),
            purpose: MailServerKind::Imap,
        }
    }

    fn resume(&mut self, input: Input<NoQuestion>, _at: Moment<'_>) -> StepOf<Self> {
        if let Some(end) = &self.end {
            return end.clone();
        }
        let legacy = self.trust.trust_any_certificate;
        match (self.imap.take(), input) {
            (None, Input::HelperReply { .. }) if !legacy => self.done(None),
            // Before pins: SMTP once more trusting any certificate, to pin what it saw.
            (None, Input::HelperReply { reply }) => {
                self.imap = Some(Self::report(reply));
                let call = check_call(
                    &self.settings,
                    MailServerKind::Smtp,
                    &self.smtp_password,
                    &Trust::Any,
                );
                Step::Helper {
                    call,
                    purpose: MailServerKind::Smtp,
                }
            }
            (None, Input::HelperFailed { code, message, .. }) => self.failed(&code, &message),
            (Some(imap), Input::HelperReply { reply }) => {
                let smtp = Self::report(reply);
                let trust = migrate_trust_any(&self.settings, &self.trust, &imap, Some(&smtp));
                self.done(trust)
            }
            // The inbox works; the move to pins waits for a check where SMTP does too.
            (Some(_), Input::HelperFailed { .. }) => self.done(None),
            (_, _) => self.finish(Step::Failed {
                error: AccountCheckFailure {
                    code: "unexpectedInput".to_string(),
                    message: unexpected_input(),
                    outcome: CheckOutcome::Failed,
                },
            }),
        }
    }
}
