//! Which kind of account an address needs, decided before any sign-in.
//!
//! Consumer domains (gmail.com, outlook.com, …) are decided immediately.
//! Any other domain needs its MX records: [`detect_from_address`] plans a
//! DNS-over-HTTPS query, the service worker runs it, and [`detect_from_mx`]
//! reads the answer; [`Detector`] is the two as a [`crate::machine::Machine`].
//! Nothing here does I/O.

mod address;
mod detector;
mod services;

use serde::{Deserialize, Serialize};

use crate::doh::DohResponse;
use crate::http::{HttpRequest, HttpResponse, Method};

pub use address::{AddressError, EmailAddress, mailbox_id, parse_address, same_mailbox};
pub use detector::{DetectError, Detector, Purpose as DetectPurpose};
use services::ServiceRole;
pub use services::{MailService, consumer_service, service_for_mx_host};

/// The kind of account Inlay connects: decides the sign-in and the API used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// Google sign-in, Gmail API.
    Google,
    /// Microsoft sign-in, Microsoft Graph.
    Microsoft,
    /// Exchange Web Services on an organisation's own Exchange server.
    Exchange,
    /// IMAP/SMTP (through the native helper).
    Imap,
}

impl ConnectionKind {
    /// Every kind, in the order a manual picker lists them.
    pub const ALL: [ConnectionKind; 4] = [
        ConnectionKind::Google,
        ConnectionKind::Microsoft,
        ConnectionKind::Exchange,
        ConnectionKind::Imap,
    ];

    /// The name shown to users.
    pub fn display_name(self) -> &'static str {
        match self {
            ConnectionKind::Google => "Google (Gmail or Google Workspace)",
            ConnectionKind::Microsoft => "Microsoft (Outlook.com or Microsoft 365)",
            ConnectionKind::Exchange => "Exchange server",
            ConnectionKind::Imap => "Other (IMAP)",
        }
    }

    /// The short name the pages show beside an inbox and sentences use
    /// ("a Gmail account"); the pages get it as the generated `KIND_NAMES`.
    pub fn short_name(self) -> &'static str {
        match self {
            ConnectionKind::Google => "Gmail",
            ConnectionKind::Microsoft => "Microsoft",
            ConnectionKind::Exchange => "Exchange",
            ConnectionKind::Imap => "IMAP",
        }
    }
}

/// How sure detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// A guess: let the user confirm or choose.
    Low,
    /// Probably right, with conflicting or indirect evidence.
    Medium,
    /// A consumer domain, or every MX record agrees.
    High,
}

/// What the user can do with the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Verdict {
    /// Connect with this kind of account.
    Supported { connect: ConnectionKind },
    /// Inlay can't connect this mailbox; say why before any sign-in.
    Unsupported { reason: String, suggestion: String },
    /// Detection couldn't tell; the user picks from `Detection::choices`.
    ChooseManually { reason: String },
}

/// The result of detection, with the evidence the UI can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Detection {
    /// The address, with its domain normalised.
    pub address: String,
    /// The domain that was looked at.
    pub domain: String,
    /// The service that receives the mail (a gateway when that's all we saw).
    pub service: MailService,
    /// `service`'s display name, for the UI.
    pub service_name: String,
    /// How sure detection is.
    pub confidence: Confidence,
    /// Human-readable reasons, e.g. "MX aspmx.l.google.com is Google Workspace".
    pub evidence: Vec<String>,
    /// What to do.
    pub verdict: Verdict,
    /// Kinds a manual picker offers (empty when confidence is high).
    pub choices: Vec<ConnectionKind>,
}

impl Detection {
    /// The mailbox is hosted by Microsoft (Microsoft 365 or Outlook.com),
    /// where passwords no longer work for apps: Exchange Autodiscover steers
    /// such an address to the Microsoft connection before sending anything.
    pub fn hosted_by_microsoft(&self) -> bool {
        self.verdict
            == Verdict::Supported {
                connect: ConnectionKind::Microsoft,
            }
    }
}

/// The next step of detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DetectStep {
    /// Decided without DNS.
    Done { detection: Detection },
    /// Run this DNS-over-HTTPS MX query and pass the response to [`detect_from_mx`].
    NeedsDns {
        domain: String,
        request: HttpRequest,
    },
}

/// The DNS-over-HTTPS JSON endpoint queried for MX records.
pub const DOH_ENDPOINT: &str = "https://dns.google/resolve";

/// Starts detection: a consumer domain is decided at once, any other domain
/// needs an MX lookup. An invalid address is refused with what's wrong.
pub fn detect_from_address(address: &str) -> Result<DetectStep, AddressError> {
    let parsed = parse_address(address)?;
    if let Some(service) = consumer_service(&parsed.domain) {
        let evidence = vec![format!(
            "{} is a {} address.",
            parsed.domain,
            service.display_name()
        )];
        let detection = from_service(&parsed, service, Confidence::High, evidence);
        return Ok(DetectStep::Done { detection });
    }
    Ok(DetectStep::NeedsDns {
        request: mx_query(&parsed.domain),
        domain: parsed.domain,
    })
}

/// The DoH request for a domain's MX records (JSON API).
pub fn mx_query(domain: &str) -> HttpRequest {
    let url = url::Url::parse_with_params(DOH_ENDPOINT, &[("name", domain), ("type", "MX")])
        .expect("the DoH endpoint is a valid URL");
    HttpRequest {
        body_base64: None,
        method: Method::Get,
        url: url.into(),
        headers: vec![("Accept".into(), "application/dns-json".into())],
        body: None,
    }
}

/// One MX record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mx {
    preference: u16,
    /// Lower-case, no trailing dot; empty for a null MX (RFC 7505).
    host: String,
    service: MailService,
}

const MX_TYPE: u16 = 15;

/// Reads the DoH answer planned by [`detect_from_address`]. DNS failures give
/// a low-confidence detection that asks the user to choose.
pub fn detect_from_mx(address: &str, response: &HttpResponse) -> Result<Detection, AddressError> {
    let parsed = parse_address(address)?;
    let domain = parsed.domain.clone();
    let failed = |why: String| lookup_failed(&parsed, why);

    if !(200..300).contains(&response.status) {
        return Ok(failed(format!(
            "the DNS service answered with HTTP status {}",
            response.status
        )));
    }
    let doh: DohResponse = match serde_json::from_str(&response.body) {
        Ok(doh) => doh,
        Err(_) => return Ok(failed("the DNS service's answer was unreadable".into())),
    };
    match doh.status {
        0 => {}
        2 => {
            return Ok(failed(
                "the domain's DNS servers failed to answer (SERVFAIL)".into(),
            ));
        }
        3 => {
            return Ok(with_reason(
                &parsed,
                format!("{domain} doesn't exist in DNS. Check the address for typos."),
                format!("DNS says {domain} does not exist (NXDOMAIN)."),
            ));
        }
        other => return Ok(failed(format!("the DNS lookup failed (status {other})"))),
    }
    let mut records: Vec<Mx> = doh
        .answer
        .iter()
        .filter(|a| a.record_type == MX_TYPE)
        .filter_map(|a| parse_mx_data(&a.data))
        .collect();
    if records.is_empty() {
        return Ok(with_reason(
            &parsed,
            format!(
                "{domain} has no mail servers (MX records) listed, so we can't tell who hosts its mail. Choose the kind of account yourself."
            ),
            format!("DNS lists no MX records for {domain}."),
        ));
    }
    records.sort_by(|a, b| (a.preference, &a.host).cmp(&(b.preference, &b.host)));
    if records.iter().all(|mx| mx.host.is_empty()) {
        let evidence = vec![format!(
            "{domain} publishes a null MX record (RFC 7505): it accepts no email."
        )];
        return Ok(Detection {
            address: parsed.to_address(),
            domain: domain.clone(),
            service: MailService::Unknown,
            service_name: MailService::Unknown.display_name().into(),
            confidence: Confidence::High,
            evidence,
            verdict: Verdict::Unsupported {
                reason: format!("{domain} says it doesn't receive email, so there's no inbox to connect."),
                suggestion: "Check the address for typos, or connect the address you actually receive mail at.".into(),
            },
            choices: Vec::new(),
        });
    }
    records.retain(|mx| !mx.host.is_empty());
    Ok(interpret_mx(&parsed, &records))
}

/// "10 aspmx.l.google.com." → Mx.
fn parse_mx_data(data: &str) -> Option<Mx> {
    let mut parts = data.split_whitespace();
    let preference = parts.next()?.parse().ok()?;
    let host = parts.next()?.trim_end_matches('.').to_ascii_lowercase();
    let service = service_for_mx_host(&host);
    Some(Mx {
        preference,
        host,
        service,
    })
}

fn describe(mx: &Mx) -> String {
    format!("MX {} is {}", mx.host, mx.service.display_name())
}

/// Lowest preference wins; the rest are mentioned. A gateway at the top
/// defers to a mailbox provider listed behind it (medium confidence).
fn interpret_mx(address: &EmailAddress, records: &[Mx]) -> Detection {
    let first = &records[0];
    let mut evidence = Vec::new();
    let (winner, mut confidence) = if first.service.hides_provider() {
        let what = if first.service.is_forwarder() {
            "a forwarding service that passes mail on to another inbox"
        } else {
            "a security gateway that hides which service holds the mailboxes"
        };
        evidence.push(format!("{} ({what}).", describe(first)));
        match records
            .iter()
            .find(|mx| !mx.service.hides_provider() && mx.service != MailService::Unknown)
        {
            Some(behind) => {
                evidence.push(format!(
                    "{} (preference {}), so the mailboxes are probably there.",
                    describe(behind),
                    behind.preference
                ));
                mention_others(&mut evidence, records, &[first.service, behind.service]);
                (behind, Confidence::Medium)
            }
            None => {
                let reason = format!(
                    "{}'s mail passes through {}, which hides who hosts the mailbox. Choose the kind of account yourself, or ask your IT team.",
                    address.domain,
                    first.service.display_name()
                );
                mention_others(&mut evidence, records, &[first.service]);
                return Detection {
                    address: address.to_address(),
                    domain: address.domain.clone(),
                    service: first.service,
                    service_name: first.service.display_name().into(),
                    confidence: Confidence::Low,
                    evidence,
                    verdict: Verdict::ChooseManually { reason },
                    choices: ConnectionKind::ALL.to_vec(),
                };
            }
        }
    } else {
        evidence.push(format!("{}.", describe(first)));
        let agree = records.iter().all(|mx| mx.service == first.service);
        let confidence = if first.service == MailService::Unknown {
            Confidence::Low
        } else if agree {
            Confidence::High
        } else {
            Confidence::Medium
        };
        mention_others(&mut evidence, records, &[first.service]);
        (first, confidence)
    };
    if winner.service == MailService::Unknown {
        confidence = Confidence::Low;
        evidence.push(
            "An unrecognised mail server is usually reached over IMAP; if your organisation runs its own Exchange server, choose Exchange instead."
                .into(),
        );
    }
    from_service(address, winner.service, confidence, evidence)
}

/// Adds "Also listed: …" for every record of a service not yet described.
fn mention_others(evidence: &mut Vec<String>, records: &[Mx], described: &[MailService]) {
    let others: Vec<String> = records
        .iter()
        .filter(|mx| !described.contains(&mx.service))
        .map(|mx| {
            format!(
                "{} ({}, preference {})",
                mx.host,
                mx.service.display_name(),
                mx.preference
            )
        })
        .collect();
    if !others.is_empty() {
        evidence.push(format!("Also listed: {}.", others.join("; ")));
    }
}

/// Builds a detection from the service found, applying its role.
fn from_service(
    address: &EmailAddress,
    service: MailService,
    confidence: Confidence,
    mut evidence: Vec<String>,
) -> Detection {
    let domain = address.domain.clone();
    let (verdict, confidence) = match service.role() {
        ServiceRole::Mailbox(connect) => {
            if let Some(note) = service.note() {
                evidence.push(note.into());
            }
            (Verdict::Supported { connect }, confidence)
        }
        ServiceRole::Unsupported => (unsupported(service, &domain), confidence),
        ServiceRole::Hides => unreachable_hides(&domain, service),
    };
    let choices = match (&verdict, confidence) {
        (Verdict::Unsupported { .. }, _) | (_, Confidence::High) => Vec::new(),
        (Verdict::Supported { connect }, _) => {
            let mut list = vec![*connect];
            list.extend(ConnectionKind::ALL.iter().filter(|k| *k != connect));
            list
        }
        (Verdict::ChooseManually { .. }, _) => ConnectionKind::ALL.to_vec(),
    };
    Detection {
        address: address.to_address(),
        domain,
        service,
        service_name: service.display_name().into(),
        confidence,
        evidence,
        verdict,
        choices,
    }
}

/// Gateways never reach `from_service` (handled in `interpret_mx`); kept
/// total so a table change can't panic.
fn unreachable_hides(domain: &str, service: MailService) -> (Verdict, Confidence) {
    (
        Verdict::ChooseManually {
            reason: format!(
                "{domain}'s mail passes through {}, which hides who hosts the mailbox. Choose the kind of account yourself.",
                service.display_name()
            ),
        },
        Confidence::Low,
    )
}

fn unsupported(service: MailService, domain: &str) -> Verdict {
    match service {
        MailService::AmazonSesWorkMail => Verdict::Unsupported {
            reason: format!(
                "{domain} receives mail through Amazon (SES or WorkMail), which Inlay can't connect to."
            ),
            suggestion: "Connect a Gmail / Google Workspace or Microsoft 365 address instead, or ask your IT team where your mail is delivered.".into(),
        },
        MailService::Tuta => Verdict::Unsupported {
            reason: "Tuta doesn't let other apps connect to its mailboxes (it has no IMAP or API access).".into(),
            suggestion: "Connect another inbox, such as Gmail or Microsoft 365.".into(),
        },
        _ => Verdict::Unsupported {
            reason: format!("Inlay can't connect to {} mailboxes.", service.display_name()),
            suggestion: "Connect another inbox, such as Gmail or Microsoft 365.".into(),
        },
    }
}

/// A lookup that didn't produce MX records: low confidence, manual choice.
fn lookup_failed(address: &EmailAddress, why: String) -> Detection {
    let domain = &address.domain;
    with_reason(
        address,
        format!(
            "We couldn't look up {domain}'s mail servers, so we can't tell who hosts this inbox. Choose the kind of account yourself, or try again later."
        ),
        format!("DNS lookup for {domain} failed: {why}."),
    )
}

fn with_reason(address: &EmailAddress, reason: String, evidence: String) -> Detection {
    Detection {
        address: address.to_address(),
        domain: address.domain.clone(),
        service: MailService::Unknown,
        service_name: MailService::Unknown.display_name().into(),
        confidence: Confidence::Low,
        evidence: vec![evidence],
        verdict: Verdict::ChooseManually { reason },
        choices: ConnectionKind::ALL.to_vec(),
    }
}

/// Finishes detection with whatever the DoH request produced: the response
/// goes to [`detect_from_mx`]; no response at all (offline, timeout) gives
/// the same low-confidence "couldn't look up" detection as a DNS error.
pub fn detect_from_outcome(
    address: &str,
    outcome: &crate::provider::Outcome,
) -> Result<Detection, AddressError> {
    use crate::http::TransportFailure;
    use crate::provider::Outcome;
    match outcome {
        Outcome::Response { response } => detect_from_mx(address, response),
        Outcome::Transport { failure } => {
            let parsed = parse_address(address)?;
            let why = match failure {
                TransportFailure::Network => "the DNS service couldn't be reached",
                TransportFailure::Timeout => "the DNS service didn't answer in time",
            };
            Ok(lookup_failed(&parsed, why.into()))
        }
    }
}

/// The verdict when Exchange Autodiscover finds only Exchange ActiveSync
/// (no EWS URL): Inlay can't use ActiveSync, so say so before any sign-in.
pub fn activesync_only(address: &str) -> Result<Detection, AddressError> {
    let parsed = parse_address(address)?;
    let domain = parsed.domain.clone();
    Ok(Detection {
        address: parsed.to_address(),
        domain: domain.clone(),
        service: MailService::Unknown,
        service_name: "an Exchange server".into(),
        confidence: Confidence::High,
        evidence: vec![format!(
            "{domain}'s Exchange server offers only Exchange ActiveSync, not Exchange Web Services."
        )],
        verdict: Verdict::Unsupported {
            reason: "Your mail server only offers Exchange ActiveSync, which Inlay can't use.".into(),
            suggestion: "Ask your IT team to turn on Exchange Web Services (EWS), then choose the Exchange connection.".into(),
        },
        choices: Vec::new(),
    })
}
