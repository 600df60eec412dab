//! Whether a sent message must be copied to the Sent folder over IMAP.
//!
//! Some providers file every message submitted over SMTP in the Sent folder
//! themselves (Gmail; Outlook.com and Microsoft 365). Appending there too
//! would show each message twice; everywhere else, without the append the
//! user's own Sent folder would miss what Inlay sent.

use super::MailSettings;
use crate::hostname;

/// SMTP hosts whose provider keeps the sent copy itself (matched on the host
/// or any subdomain of it, case-insensitively).
const SAVES_SENT: &[&str] = &[
    "smtp.gmail.com",
    "smtp.googlemail.com",
    "smtp.office365.com",
    "smtp-mail.outlook.com",
    "outlook.office365.com",
];

fn saved_by_provider(smtp_host: &str) -> bool {
    let host = hostname::normalise(smtp_host);
    SAVES_SENT
        .iter()
        .any(|known| hostname::in_domain(&host, known))
}

/// True when the bridge should append the sent copy to the Sent folder.
pub fn sent_copy_needed(settings: &MailSettings) -> bool {
    !saved_by_provider(&settings.smtp.host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_smtp(host: &str) -> MailSettings {
        MailSettings::implicit_tls("imap.example.org", host)
    }

    #[test]
    fn providers_that_file_sent_mail_themselves_get_no_second_copy() {
        for host in [
            "smtp.gmail.com",
            "SMTP.Gmail.com.",
            "smtp.office365.com",
            "smtp-mail.outlook.com",
        ] {
            assert!(!sent_copy_needed(&with_smtp(host)), "{host}");
        }
    }

    #[test]
    fn everyone_else_gets_the_copy_appended() {
        for host in [
            "smtp.fastmail.com",
            "mail.example.org",
            "localhost",
            "smtp.gmail.com.evil.example",
            "notsmtp.gmail.co",
        ] {
            assert!(sent_copy_needed(&with_smtp(host)), "{host}");
        }
    }
}
