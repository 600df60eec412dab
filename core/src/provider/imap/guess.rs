//! The last resort: the names most providers use, for the user to confirm.

use super::{MailSettings, Security, Server};
use crate::detect::{EmailAddress, parse_address};

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

/// The most common guess for an address, to start the form a user fills in
/// by hand; `None` for an invalid address.
pub fn usual_settings(address: &str) -> Option<MailSettings> {
    guesses(&parse_address(address).ok()?).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_settings_are_the_first_guess() {
        let usual = usual_settings("Ann@Corp.example").unwrap();
        assert_eq!(
            (usual.imap.host.as_str(), usual.imap.port),
            ("imap.corp.example", 993)
        );
        assert_eq!(
            (usual.smtp.host.as_str(), usual.smtp.port),
            ("smtp.corp.example", 465)
        );
        assert_eq!(usual.imap.security, Security::ImplicitTls);
        assert!(usual.same_credentials);
        assert_eq!(usual_settings("not an address"), None);
    }
}
