//! Sending one email through an IMAP/SMTP inbox for the outbox
//! ([`SendSteps`]): one `send` of the native helper, which submits it over
//! SMTP and then appends the Sent copy over IMAP where the provider does not
//! file it itself (bridge/README.md).
//!
//! Bcc: with a Sent copy the helper gets `mime` (Bcc included) and removes
//! the Bcc fields from what it submits; without one it gets `transmitted`,
//! which has none. The helper's codes say whether the server accepted
//! anything: every failure before the final "." left nothing there, so it
//! is retried or refused by its code; `sendUnconfirmed`, or the port giving
//! up on the helper, is unknown.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::helper::{HelperCall, HelperOp, Trust, server_args};
use super::helper_error::describe_helper_error;
use super::{MailServerKind, MailSettings};
use crate::rpc::imap::PinnedCertificates;
use crate::send::Outgoing;
use crate::send::provider::{Answer, Call, Read, Secret, SendRead, SendSteps};

/// An IMAP/SMTP inbox as the outbox reaches it: its servers, the
/// certificates the user accepted and the record's `appendToSent`
/// ([`super::sent_copy_needed`]). The password comes with each call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapTarget {
    pub settings: MailSettings,
    #[serde(default)]
    pub pinned_certificates: PinnedCertificates,
    pub append_to_sent: bool,
}

impl ImapTarget {
    pub(crate) fn trust(&self, which: MailServerKind) -> Trust {
        Trust::from_pin(match which {
            MailServerKind::Imap => self.pinned_certificates.imap.as_ref(),
            MailServerKind::Smtp => self.pinned_certificates.smtp.as_ref(),
        })
    }

    /// The IMAP server's password from the secret (also SMTP's unless the
    /// settings say it has its own).
    pub(crate) fn password<'a>(&self, secret: &Secret<'a>) -> Result<&'a str, String> {
        match secret {
            Secret::Password { password, .. } => Ok(password),
            Secret::MailPasswords { imap, .. } => Ok(imap),
            Secret::Bearer(_) => Err(NO_PASSWORD.into()),
        }
    }

    /// The outgoing (SMTP) server's password: its own where the settings
    /// say so, which a single password can't be.
    pub(crate) fn smtp_password<'a>(&self, secret: &Secret<'a>) -> Result<&'a str, String> {
        match secret {
            Secret::MailPasswords { smtp, .. } => Ok(smtp),
            Secret::Password { password, .. } if self.settings.same_credentials => Ok(password),
            Secret::Password { .. } => Err("Inlay was handed one password for an inbox whose \
                 outgoing (SMTP) server has its own. Sign in to the inbox again in Settings › \
                 Email, then send again."
                .into()),
            Secret::Bearer(_) => Err(NO_PASSWORD.into()),
        }
    }
}

const NO_PASSWORD: &str =
    "Inlay was handed no password for this IMAP/SMTP inbox. Reconnect the inbox, then try again.";

/// The send of one email: a single delivering helper `send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapSend {
    target: ImapTarget,
}

impl ImapSend {
    pub fn new(target: &ImapTarget, _out: &Outgoing) -> Self {
        ImapSend {
            target: target.clone(),
        }
    }
}

impl SendSteps for ImapSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let t = &self.target;
        let refused = |code: &str| {
            let code = code.to_string();
            move |message| SendRead::Permanent { code, message }
        };
        let password = t.password(secret).map_err(refused("wrongSecret"))?;
        let smtp_password = t
            .smtp_password(secret)
            .map_err(refused("separateSmtpPassword"))?;
        let append = t.append_to_sent;
        let message = match (&out.transmitted, append) {
            (Some(transmitted), false) => transmitted,
            _ => &out.mime,
        };
        let imap = if append {
            server_args(&t.settings.imap, password, &t.trust(MailServerKind::Imap))
        } else {
            serde_json::Value::Null
        };
        let args = serde_json::json!({
            "smtp": server_args(&t.settings.smtp, smtp_password, &t.trust(MailServerKind::Smtp)),
            "imap": imap,
            "from": out.envelope_from,
            "recipients": out.recipients,
            "mime": STANDARD.encode(message),
            "appendToSent": append,
        });
        Ok(Call::Helper(HelperCall {
            op: HelperOp::Send,
            args,
        }))
    }

    fn delivers(&self) -> bool {
        true
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        Read::End(read_send_answer(&self.target.settings, answer))
    }
}

fn read_send_answer(settings: &MailSettings, answer: Answer<'_>) -> SendRead {
    let smtp = &settings.smtp;
    let may_have_left = |why: String| SendRead::Unknown {
        message: format!(
            "{why}, so the email may have been sent. Inlay looks in your Sent folder before \
             sending it again."
        ),
    };
    let (code, detail) = match answer {
        Answer::HelperReply(reply) if reply["sent"] == serde_json::Value::Bool(true) => {
            return SendRead::Sent {
                provider_id: None,
                thread_id: None,
            };
        }
        Answer::HelperReply(_) | Answer::Response(_) | Answer::Transport(_) => {
            return may_have_left("Inlay's mail helper gave an answer Inlay couldn't read".into());
        }
        Answer::HelperFailed { code, message } => (code, message),
    };
    let words = || describe_helper_error(MailServerKind::Smtp, &smtp.host, smtp.port, code, detail);
    let permanent = |code: &str, message: String| SendRead::Permanent {
        code: code.into(),
        message,
    };
    let server = format!(
        "The outgoing mail (SMTP) server at {} on port {}",
        smtp.host, smtp.port
    );
    match code {
        "wrongPassword" => SendRead::SecretRejected,
        // Refused or cut before the final ".": the server holds nothing. (A
        // protocolError here is a connection closed mid-transaction: the
        // account's check already proved the server speaks SMTP.)
        "temporaryFailure" | "connectFailed" | "timeout" | "hostNotFound" | "protocolError" => {
            SendRead::Retry {
                retry_after_ms: None,
                message: format!("{}; the email was not sent yet", words().message),
            }
        }
        "allRecipientsRejected" => permanent(
            "recipientsRefused",
            format!("{server} refused every recipient, so nothing was sent ({detail})."),
        ),
        "senderRejected" => permanent(
            "senderRefused",
            format!(
                "{server} refused to send from this address, so nothing was sent ({detail}). \
                 Choose another From address, or ask your provider whether it may be used."
            ),
        ),
        "messageTooLarge" => permanent(
            "messageTooLarge",
            format!("{server} refused the message as too large ({detail}). Nothing was sent."),
        ),
        "messageRejected" => permanent(
            "messageRefused",
            format!("{server} refused the message ({detail}). Nothing was sent."),
        ),
        "smtputf8Unsupported" => permanent(
            "internationalAddress",
            format!(
                "{server} can't send to or from an address with non-ASCII characters. Nothing \
                 was sent."
            ),
        ),
        "badRequest" | "badJson" => permanent(
            "helperRefused",
            format!("Inlay's mail helper refused the email ({detail}). Nothing was sent."),
        ),
        // The helper may have been mid-send when it stopped answering.
        "sendUnconfirmed" | "bridgeTimeout" | "bridgeClosed" => may_have_left(format!(
            "{server} or Inlay's mail helper did not confirm the send"
        )),
        "bridgeDisconnected" => match words() {
            missing if missing.code == "bridgeMissing" => permanent(&missing.code, missing.message),
            _ => may_have_left("Inlay's mail helper stopped".into()),
        },
        // Refused in the connection, before any message: words from the check.
        "tlsFailed"
        | "untrustedCertificate"
        | "certificateChanged"
        | "starttlsUnavailable"
        | "loginDisabled"
        | "authUnsupported"
        | "unknownOp"
        | "bridgeMissing" => {
            let described = words();
            permanent(&described.code, described.message)
        }
        _ => may_have_left(format!("Inlay's mail helper failed ({code}: {detail})")),
    }
}
