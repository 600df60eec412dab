//! Which server certificates an IMAP account trusts, from what the mail
//! helper reported. Two decisions live here so the worker only executes:
//! - the one-time move of an account from before pins ("trust any
//!   certificate"): a certificate that verifies anyway gets no pin, one that
//!   doesn't is pinned, and the user is told only when something was pinned;
//! - a certificate the helper can't verify at one server that the user
//!   already accepted for the account's other server (one host serving IMAP
//!   and SMTP with one key) is accepted without a second review.
//!
//! The notice stored with the record is cleared when the user dismisses it
//! (`imapDismissNotice`) or connects the inbox again (a fresh record).

use serde::{Deserialize, Serialize};

use super::{MailServerKind, MailSettings};
use crate::rpc::imap::{PinnedCertificates, SpkiPin};

/// What an `imapCheck`/`smtpCheck` reported about the certificate the server
/// presented (bridge/README.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateReport {
    /// The accepted leaf's SPKI SHA-256.
    #[serde(default)]
    pub certificate_pin: Option<SpkiPin>,
    /// It chains to a trusted root for the host name (None: a pin decided).
    #[serde(default)]
    pub certificate_verified: Option<bool>,
}

/// The certificate trust an IMAP account record holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CertificateTrust {
    /// Records from before pins have none.
    #[serde(default)]
    pub pinned_certificates: PinnedCertificates,
    /// Records from before pins: any certificate was accepted.
    #[serde(default)]
    pub trust_any_certificate: bool,
    /// Words for the user about a change they should hear about once.
    #[serde(default)]
    pub notice: Option<String>,
}

/// The trust to store after a successful trust-any check of both servers of
/// an account from before pins, or None when nothing changes: the account
/// already uses pins, the SMTP check did not succeed (`smtp` None), or a
/// server reported no certificate.
pub fn migrate_trust_any(
    settings: &MailSettings,
    trust: &CertificateTrust,
    imap: &CertificateReport,
    smtp: Option<&CertificateReport>,
) -> Option<CertificateTrust> {
    if !trust.trust_any_certificate {
        return None;
    }
    let smtp = smtp?;
    // A certificate that verifies anyway changes nothing for the user: no pin.
    let keep = |report: &CertificateReport| -> Option<Option<SpkiPin>> {
        let pin = report.certificate_pin.clone()?;
        Some((report.certificate_verified != Some(true)).then_some(pin))
    };
    let pins = PinnedCertificates {
        imap: keep(imap)?,
        smtp: keep(smtp)?,
    };
    let notice = pinned_notice(settings, &pins);
    Some(CertificateTrust {
        pinned_certificates: pins,
        trust_any_certificate: false,
        notice,
    })
}

/// The notice that the account now accepts only the certificates it saw;
/// None when nothing was pinned.
fn pinned_notice(settings: &MailSettings, pins: &PinnedCertificates) -> Option<String> {
    let name = |which: MailServerKind| {
        let server = match which {
            MailServerKind::Imap => &settings.imap,
            MailServerKind::Smtp => &settings.smtp,
        };
        format!(
            "the {} at {} on port {}",
            server_name(which),
            server.host,
            server.port
        )
    };
    let (servers, certificates) = match (&pins.imap, &pins.smtp) {
        (None, None) => return None,
        (Some(pin), None) => (
            name(MailServerKind::Imap),
            format!(
                "the certificate it saw there when it last checked the connection (fingerprint {})",
                pin.as_str()
            ),
        ),
        (None, Some(pin)) => (
            name(MailServerKind::Smtp),
            format!(
                "the certificate it saw there when it last checked the connection (fingerprint {})",
                pin.as_str()
            ),
        ),
        (Some(imap), Some(smtp)) if imap == smtp => (
            format!(
                "{} and {}",
                name(MailServerKind::Imap),
                name(MailServerKind::Smtp)
            ),
            format!(
                "the certificate it saw there when it last checked the connection (fingerprint {})",
                imap.as_str()
            ),
        ),
        (Some(imap), Some(smtp)) => (
            format!(
                "{} and {}",
                name(MailServerKind::Imap),
                name(MailServerKind::Smtp)
            ),
            format!(
                "the certificates it saw there when it last checked the connection (fingerprints {} and {})",
                imap.as_str(),
                smtp.as_str()
            ),
        ),
    };
    Some(format!(
        "Inlay no longer accepts any certificate from {servers}: it now accepts only {certificates}. If a certificate changes, Inlay will stop and ask you to review the new one."
    ))
}

fn server_name(which: MailServerKind) -> &'static str {
    match which {
        MailServerKind::Imap => "incoming mail (IMAP) server",
        MailServerKind::Smtp => "outgoing mail (SMTP) server",
    }
}

/// The pin to use for `which` server instead of a review, when the helper
/// refused its certificate as unverifiable (`untrustedCertificate`) and it is
/// exactly the key the user accepted for the account's other server. A
/// changed certificate (`certificateChanged`) or another key is reviewed.
pub fn accepted_for_other_server(
    which: MailServerKind,
    code: &str,
    spki_sha256: &str,
    pins: &PinnedCertificates,
) -> Option<SpkiPin> {
    let (own, other) = match which {
        MailServerKind::Imap => (&pins.imap, &pins.smtp),
        MailServerKind::Smtp => (&pins.smtp, &pins.imap),
    };
    match (code, own, other) {
        ("untrustedCertificate", None, Some(other)) if other.as_str() == spki_sha256 => {
            Some(other.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MailServerKind::{Imap, Smtp};

    const A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";

    fn pin(text: &str) -> SpkiPin {
        SpkiPin::try_from(text.to_string()).unwrap()
    }

    fn pins(imap: Option<&str>, smtp: Option<&str>) -> PinnedCertificates {
        PinnedCertificates {
            imap: imap.map(pin),
            smtp: smtp.map(pin),
        }
    }

    fn settings() -> MailSettings {
        MailSettings::implicit_tls("mail.example", "smtp.example")
    }

    fn report(pin_text: Option<&str>, verified: Option<bool>) -> CertificateReport {
        CertificateReport {
            certificate_pin: pin_text.map(pin),
            certificate_verified: verified,
        }
    }

    const LEGACY: CertificateTrust = CertificateTrust {
        pinned_certificates: PinnedCertificates {
            imap: None,
            smtp: None,
        },
        trust_any_certificate: true,
        notice: None,
    };

    #[test]
    fn a_trust_any_account_is_pinned_only_where_its_certificate_does_not_verify() {
        // (imap report, smtp report) -> (pins, the notice names)
        let cases: Vec<(
            CertificateReport,
            CertificateReport,
            PinnedCertificates,
            Vec<&str>,
        )> = vec![
            // Neither verifies, one key: both pinned, one fingerprint, both servers named.
            (
                report(Some(A), Some(false)),
                report(Some(A), Some(false)),
                pins(Some(A), Some(A)),
                vec![
                    "from the incoming mail (IMAP) server at mail.example on port 993 and the outgoing mail (SMTP) server at smtp.example on port 465",
                    "(fingerprint AAAA",
                ],
            ),
            // Two keys: both fingerprints.
            (
                report(Some(A), Some(false)),
                report(Some(B), None),
                pins(Some(A), Some(B)),
                vec!["fingerprints AAAA", "and BBBB"],
            ),
            // SMTP verifies: only IMAP is pinned and named.
            (
                report(Some(A), Some(false)),
                report(Some(B), Some(true)),
                pins(Some(A), None),
                vec![
                    "from the incoming mail (IMAP) server at mail.example on port 993:",
                    "fingerprint AAAA",
                ],
            ),
            // IMAP verifies: only SMTP is pinned and named.
            (
                report(Some(A), Some(true)),
                report(Some(B), Some(false)),
                pins(None, Some(B)),
                vec![
                    "from the outgoing mail (SMTP) server at smtp.example on port 465:",
                    "fingerprint BBBB",
                ],
            ),
        ];
        for (i, (imap, smtp, want, words)) in cases.into_iter().enumerate() {
            let trust = migrate_trust_any(&settings(), &LEGACY, &imap, Some(&smtp)).unwrap();
            assert_eq!(trust.pinned_certificates, want, "case {i}");
            assert!(!trust.trust_any_certificate, "case {i}");
            let notice = trust.notice.unwrap();
            assert!(
                notice.starts_with("Inlay no longer accepts any certificate from"),
                "{notice}"
            );
            for w in words {
                assert!(notice.contains(w), "case {i}: {w:?} in {notice}");
            }
        }
    }

    #[test]
    fn certificates_that_verify_anyway_are_not_pinned_and_the_user_is_not_told() {
        let trust = migrate_trust_any(
            &settings(),
            &LEGACY,
            &report(Some(A), Some(true)),
            Some(&report(Some(B), Some(true))),
        );
        assert_eq!(
            trust,
            Some(CertificateTrust {
                pinned_certificates: pins(None, None),
                trust_any_certificate: false,
                notice: None,
            })
        );
    }

    #[test]
    fn nothing_changes_unless_both_servers_answered_for_a_trust_any_account() {
        let ok = report(Some(A), Some(false));
        let pinned = CertificateTrust {
            pinned_certificates: pins(Some(A), None),
            ..Default::default()
        };
        let cases: Vec<(
            &CertificateTrust,
            CertificateReport,
            Option<CertificateReport>,
        )> = vec![
            (&pinned, ok.clone(), Some(ok.clone())),
            (&LEGACY, ok.clone(), None),
            (&LEGACY, report(None, None), Some(ok.clone())),
            (&LEGACY, ok.clone(), Some(report(None, Some(true)))),
        ];
        for (i, (trust, imap, smtp)) in cases.into_iter().enumerate() {
            assert_eq!(
                migrate_trust_any(&settings(), trust, &imap, smtp.as_ref()),
                None,
                "case {i}"
            );
        }
    }

    #[test]
    fn a_key_accepted_for_the_other_server_is_not_reviewed_twice() {
        // (which, helper code, presented key, pins) -> pinned without review?
        let cases = [
            (
                Smtp,
                "untrustedCertificate",
                A,
                pins(Some(A), None),
                Some(A),
            ),
            (
                Imap,
                "untrustedCertificate",
                A,
                pins(None, Some(A)),
                Some(A),
            ),
            // Another key: reviewed.
            (Smtp, "untrustedCertificate", B, pins(Some(A), None), None),
            // Nothing accepted yet: reviewed.
            (Smtp, "untrustedCertificate", A, pins(None, None), None),
            // A changed certificate is always reviewed, even the other server's key.
            (Smtp, "certificateChanged", A, pins(Some(A), Some(B)), None),
            // Other failures are not certificates to accept.
            (Smtp, "tlsFailed", A, pins(Some(A), None), None),
        ];
        for (i, (which, code, key, pins, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                accepted_for_other_server(which, code, key, &pins),
                want.map(pin),
                "case {i}"
            );
        }
    }
}
