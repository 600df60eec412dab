//! Was this email sent? ([`LookupSteps`]): the native helper's
//! `sentLookup` searches the Sent folder for its Message-ID (`UID SEARCH
//! HEADER Message-ID`). The copy is there because the helper appended it
//! after the server took the message, or because the provider files what
//! its SMTP server sends (Gmail, Microsoft). Only a search that ran is "not
//! found", and only where the provider files the copy itself.

use serde::{Deserialize, Serialize};

use super::MailServerKind;
use super::helper::{HelperCall, HelperOp, server_args};
use super::helper_error::describe_helper_error;
use super::send::ImapTarget;
use crate::send::provider::{Answer, Call, LookupRead, LookupSteps, Read, Secret};

/// The search for one Message-ID (`<left@right>`, as in the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapLookup {
    target: ImapTarget,
    message_id: String,
}

impl ImapLookup {
    pub fn new(target: &ImapTarget, message_id: &str) -> Self {
        ImapLookup {
            target: target.clone(),
            message_id: message_id.to_owned(),
        }
    }
}

impl LookupSteps for ImapLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        let t = &self.target;
        let password = t
            .password(secret)
            .map_err(|message| LookupRead::CannotLook { message })?;
        let args = serde_json::json!({
            "imap": server_args(&t.settings.imap, password, &t.trust(MailServerKind::Imap)),
            "messageId": self.message_id,
        });
        Ok(Call::Helper(HelperCall {
            op: HelperOp::SentLookup,
            args,
        }))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        Read::End(self.read_answer(answer))
    }
}

impl ImapLookup {
    fn read_answer(&self, answer: Answer<'_>) -> LookupRead {
        let failed = |message: String| LookupRead::Failed {
            retry_after_ms: None,
            message: format!("Inlay couldn't search your Sent folder: {message}"),
        };
        let (code, detail) = match answer {
            Answer::HelperReply(reply) => {
                return match reply.get("found") {
                    Some(serde_json::Value::Bool(true)) => LookupRead::Found {
                        provider_id: None,
                        thread_id: None,
                    },
                    // Where Inlay appends the copy itself, after the server
                    // took the message, an absent copy proves nothing: the
                    // answer (`sendUnconfirmed`) or the append may be what
                    // was lost. Only the user can tell.
                    Some(serde_json::Value::Bool(false)) if self.target.append_to_sent => {
                        LookupRead::CannotLook {
                            message: "Inlay saves the Sent copy of this inbox itself, after \
                                      the mail server takes the email, so a copy missing from \
                                      Sent doesn't prove it wasn't sent: check with a \
                                      recipient, or in the server's own sent log, before \
                                      sending it again."
                                .into(),
                        }
                    }
                    Some(serde_json::Value::Bool(false)) => LookupRead::NotFound,
                    _ => failed("Inlay's mail helper gave an answer Inlay couldn't read.".into()),
                };
            }
            Answer::Response(_) | Answer::Transport(_) => {
                return failed("an answer Inlay didn't expect.".into());
            }
            Answer::HelperFailed { code, message } => (code, message),
        };
        let imap = &self.target.settings.imap;
        let described =
            describe_helper_error(MailServerKind::Imap, &imap.host, imap.port, code, detail);
        // The helper's code as the core sorts it (a port that found no
        // helper is `bridgeMissing`, an old helper `bridgeOutdated`).
        match described.code.as_str() {
            "wrongPassword" => LookupRead::SecretRejected,
            "noSentFolder" => LookupRead::CannotLook {
                message: "Inlay found no Sent folder to search, so it can't tell whether the \
                          email was sent: check the folder where your sent mail goes."
                    .into(),
            },
            // A helper that can't search, or a certificate to review, needs the user.
            "bridgeOutdated" | "bridgeMissing" | "untrustedCertificate" | "certificateChanged" => {
                LookupRead::CannotLook {
                    message: format!(
                        "{} Until then Inlay can't tell whether the email was sent: check your \
                         Sent folder.",
                        described.message
                    ),
                }
            }
            _ => failed(described.message),
        }
    }
}
