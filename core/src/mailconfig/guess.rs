//! The last resort: the names most providers use, for the user to confirm.

use super::{MailSettings, Security, Server};
use crate::detect::EmailAddress;

/// Guessed settings, most common first: `imap.`/`mail.` on 993 (implicit
/// TLS), `smtp.`/`mail.` on 465 (implicit TLS) or 587 (STARTTLS). The
/// username guess is the whole address, which most hosts expect.
pub fn guesses(address: &EmailAddress) -> Vec<MailSettings> {
    let domain = &address.domain;
    let server = |prefix: &str, port, security| Server {
        host: format!("{prefix}.{domain}"),
        port,
        security,
        username: address.to_address(),
        authentication: Vec::new(),
    };
    let mut out = Vec::new();
    for imap in ["imap", "mail"] {
        for (smtp, port, security) in [
            ("smtp", 465, Security::ImplicitTls),
            ("smtp", 587, Security::StartTls),
            ("mail", 465, Security::ImplicitTls),
            ("mail", 587, Security::StartTls),
        ] {
            out.push(MailSettings::new(
                server(imap, 993, Security::ImplicitTls),
                server(smtp, port, security),
            ));
        }
    }
    out
}
