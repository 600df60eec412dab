//! What each kind of inbox accepts, checked before anything is uploaded:
//! the number of recipients, the size of one attachment and of the whole
//! message (the MIME bytes, base64 included). Each refusal says which limit
//! and what to do.
//!
//! Figures (features-research §2 and the vendors' documented defaults):
//! - Gmail API: `messages.send` uploads up to 35 MB; Gmail takes 25 MB of
//!   attachments; 100 recipients per message through the API.
//! - Microsoft Graph: one request is at most 4 MB, and the MIME goes in it
//!   base64-encoded ([`graph_send_mail_fits`]), so 3 MB of MIME; a larger
//!   email goes as a draft with its attachments uploaded (150 MB each,
//!   `provider/graph/detach.rs`), up to Exchange Online's default send size,
//!   35 MB. Exchange Online's 500 recipients per message.
//! - Exchange on-premises (EWS): the server's default send size, 10 MB, and
//!   its default 500 recipients per message.
//! - IMAP/SMTP: the size the server announces (EHLO `SIZE`), else 25 MB;
//!   100 recipients, what RFC 5321 §4.5.3.1.8 obliges a server to take.

use crate::detect::ConnectionKind;

const MB: u64 = 1024 * 1024;
/// Graph's largest request body.
const GRAPH_REQUEST: u64 = 4 * MB;

/// The limits of one inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The provider's name in sentences ("Gmail").
    pub provider: &'static str,
    pub max_recipients: usize,
    /// One attachment's bytes.
    pub max_attachment: u64,
    /// The whole message's MIME bytes.
    pub max_message: u64,
}

/// The limits of an inbox of this kind; `smtp_size` is the IMAP/SMTP
/// server's EHLO `SIZE` when known (0 means "no limit announced").
pub fn limits(kind: ConnectionKind, smtp_size: Option<u64>) -> Limits {
    match kind {
        ConnectionKind::Google => Limits {
            provider: "Gmail",
            max_recipients: 100,
            max_attachment: 25 * MB,
            max_message: 35 * MB,
        },
        ConnectionKind::Microsoft => Limits {
            provider: "Microsoft 365",
            max_recipients: 500,
            max_attachment: 35 * MB,
            max_message: 35 * MB,
        },
        ConnectionKind::Exchange => Limits {
            provider: "Exchange",
            max_recipients: 500,
            max_attachment: 10 * MB,
            max_message: 10 * MB,
        },
        ConnectionKind::Imap => {
            let size = smtp_size.filter(|&s| s > 0).unwrap_or(25 * MB);
            Limits {
                provider: "your mail server",
                max_recipients: 100,
                max_attachment: size,
                max_message: size,
            }
        }
    }
}

/// Whether Graph's `sendMail` takes this message in one request (the MIME
/// goes base64-encoded in a body of at most 4 MB); if not, the send goes
/// through a draft and an upload session.
pub fn graph_send_mail_fits(mime_len: u64) -> bool {
    mime_len.div_ceil(3) * 4 <= GRAPH_REQUEST
}

/// A limit the email is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitError {
    NoRecipient,
    TooManyRecipients {
        count: usize,
        max: usize,
        provider: &'static str,
    },
    AttachmentTooLarge {
        filename: String,
        size: u64,
        max: u64,
        provider: &'static str,
    },
    MessageTooLarge {
        size: u64,
        max: u64,
        provider: &'static str,
    },
}

impl LimitError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoRecipient => "noRecipient",
            Self::TooManyRecipients { .. } => "tooManyRecipients",
            Self::AttachmentTooLarge { .. } => "attachmentTooLarge",
            Self::MessageTooLarge { .. } => "messageTooLarge",
        }
    }
}

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoRecipient => f.write_str(
                "The email has no recipient. Add at least one address in To, Cc or Bcc.",
            ),
            Self::TooManyRecipients {
                count,
                max,
                provider,
            } => write!(
                f,
                "The email has {count} recipients; {provider} sends one email to at most {max}. \
                 Remove some, or send it as several emails."
            ),
            Self::AttachmentTooLarge {
                filename,
                size,
                max,
                provider,
            } => write!(
                f,
                "The attachment {filename} ({}) is too large for {provider}, which takes \
                 attachments up to {}. Share it as a link instead.",
                megabytes(*size),
                megabytes(*max)
            ),
            Self::MessageTooLarge {
                size,
                max,
                provider,
            } => write!(
                f,
                "The email is too large to send ({} with its attachments encoded; {provider} \
                 takes up to {}). Remove an attachment or share it as a link.",
                megabytes(*size),
                megabytes(*max)
            ),
        }
    }
}

/// `12.3 MB` (MiB, as mail providers count them).
fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(MB);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

impl Limits {
    pub fn check_recipients(&self, count: usize) -> Result<(), LimitError> {
        if count == 0 {
            return Err(LimitError::NoRecipient);
        }
        if count > self.max_recipients {
            return Err(LimitError::TooManyRecipients {
                count,
                max: self.max_recipients,
                provider: self.provider,
            });
        }
        Ok(())
    }

    pub fn check_attachment(&self, filename: &str, size: u64) -> Result<(), LimitError> {
        if size > self.max_attachment {
            return Err(LimitError::AttachmentTooLarge {
                filename: filename.to_owned(),
                size,
                max: self.max_attachment,
                provider: self.provider,
            });
        }
        Ok(())
    }

    pub fn check_message(&self, size: u64) -> Result<(), LimitError> {
        if size > self.max_message {
            return Err(LimitError::MessageTooLarge {
                size,
                max: self.max_message,
                provider: self.provider,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_limits() {
        let gmail = limits(ConnectionKind::Google, None);
        assert_eq!(
            (
                gmail.max_recipients,
                gmail.max_attachment,
                gmail.max_message
            ),
            (100, 25 * MB, 35 * MB)
        );
        let graph = limits(ConnectionKind::Microsoft, None);
        assert_eq!(graph.max_message, 35 * MB);
        assert!(
            !graph_send_mail_fits(graph.max_message),
            "a draft + uploads"
        );
        let ews = limits(ConnectionKind::Exchange, None);
        assert_eq!(ews.max_message, 10 * MB);
        assert_eq!(limits(ConnectionKind::Imap, None).max_message, 25 * MB);
        assert_eq!(limits(ConnectionKind::Imap, Some(0)).max_message, 25 * MB);
        assert_eq!(
            limits(ConnectionKind::Imap, Some(52_428_800)).max_message,
            50 * MB
        );
    }

    #[test]
    fn graph_send_mail_takes_3_mb_of_mime() {
        assert!(graph_send_mail_fits(3 * MB));
        assert!(!graph_send_mail_fits(3 * MB + 2));
    }

    #[test]
    fn refusals_in_words() {
        let l = limits(ConnectionKind::Google, None);
        assert_eq!(l.check_recipients(0), Err(LimitError::NoRecipient));
        assert!(l.check_recipients(100).is_ok());
        let many = l.check_recipients(101).unwrap_err();
        assert_eq!(many.code(), "tooManyRecipients");
        assert!(
            many.to_string()
                .contains("101 recipients; Gmail sends one email to at most 100")
        );
        assert!(l.check_attachment("a.pdf", 25 * MB).is_ok());
        let big = l.check_attachment("a.pdf", 25 * MB + 1).unwrap_err();
        assert_eq!(big.code(), "attachmentTooLarge");
        assert!(
            big.to_string()
                .contains("a.pdf (25.1 MB) is too large for Gmail"),
            "{big}"
        );
        assert!(big.to_string().contains("up to 25 MB"), "{big}");
        let huge = l.check_message(36 * MB).unwrap_err();
        assert_eq!(huge.code(), "messageTooLarge");
        assert!(
            huge.to_string()
                .contains("(36 MB with its attachments encoded; Gmail takes up to 35 MB)"),
            "{huge}"
        );
    }
}
