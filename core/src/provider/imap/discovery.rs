//! The discovery state machine: plans one request at a time and reads its
//! outcome. Any failure of a source (transport, HTTP status, redirect off
//! https, HTML or malformed XML, unusable settings) moves on to the next
//! source and is recorded as evidence for the user.

use serde::{Deserialize, Serialize};

use super::clientconfig::{fill, parse_client_config};
use super::guess::guesses;
use super::validate::validate_settings;
use super::{Confidence, DomainSettings, MailSettings, Purpose, Source, Step};
use crate::detect::{EmailAddress, MailService, mx_query, parse_address, service_for_mx_host};
use crate::doh::DohResponse;
use crate::http::{HttpRequest, HttpResponse, Method, TransportFailure, host_patterns};
use crate::idn;
use crate::provider::Outcome;

/// Thunderbird's ISPDB, one document per domain.
pub const ISPDB_BASE: &str = "https://autoconfig.thunderbird.net/v1.1/";
/// Enough for a host moving its autoconfig once or twice; more is a loop.
const MAX_REDIRECTS: u8 = 3;

/// Where discovery stands; serialise it between steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discovery {
    /// `None` only when the address was invalid.
    address: Option<EmailAddress>,
    stage: Stage,
    /// The URL of the request in flight (redirects resolve against it).
    url: String,
    redirects: u8,
    evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Stage {
    DomainAutoconfig,
    DomainWellKnown,
    Ispdb,
    MxLookup,
    MxIspdb { mx_domain: String },
    Done,
}

impl Discovery {
    /// What was tried so far and why it was passed over.
    pub fn evidence(&self) -> &[String] {
        &self.evidence
    }
    pub fn address(&self) -> Option<&EmailAddress> {
        self.address.as_ref()
    }

    /// Host-permission patterns of the domain's own documents still to be read
    /// (`autoconfig.<domain>`, `<domain>/.well-known`): the hosts the browser
    /// must allow at run time. The ISPDB and DNS-over-HTTPS are fixed hosts.
    pub fn domain_origins(&self) -> Vec<String> {
        let Some(address) = &self.address else {
            return Vec::new();
        };
        let urls = match self.stage {
            Stage::DomainAutoconfig => vec![
                domain_autoconfig_url(address),
                well_known_url(&address.domain),
            ],
            Stage::DomainWellKnown => vec![well_known_url(&address.domain)],
            _ => Vec::new(),
        };
        host_patterns(urls.iter().map(String::as_str))
    }
}

/// `https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<addr>`.
pub fn domain_autoconfig_url(address: &EmailAddress) -> String {
    let mut url = url::Url::parse(&format!(
        "https://autoconfig.{}/mail/config-v1.1.xml",
        address.domain
    ))
    .expect("a parsed address's domain makes a valid host");
    url.query_pairs_mut()
        .append_pair("emailaddress", &address.to_address());
    url.into()
}

/// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
pub fn well_known_url(domain: &str) -> String {
    format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml")
}

/// `https://autoconfig.thunderbird.net/v1.1/<domain>`.
pub fn ispdb_url(domain: &str) -> String {
    format!("{ISPDB_BASE}{domain}")
}

/// Two-label public suffixes common among mail hosts. A small subset of the
/// Public Suffix List, to keep the WASM small: a miss only costs one ISPDB
/// 404 before guessing.
const TWO_LEVEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk", "com.au", "net.au",
    "org.au", "edu.au", "co.nz", "net.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "ad.jp",
    "gr.jp", "com.br", "net.br", "org.br", "co.za", "com.cn", "net.cn", "org.cn", "com.mx",
    "com.ar", "com.tr", "co.in", "net.in", "co.kr", "co.il", "com.sg", "com.hk", "com.tw", "co.id",
    "com.my", "com.ua", "com.pl", "co.at",
];

/// The registrable-ish base of a host: `mx1.mail.ovh.net` → `ovh.net`,
/// `mx.example.co.uk` → `example.co.uk` (see [`TWO_LEVEL_SUFFIXES`]).
pub fn base_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3 && TWO_LEVEL_SUFFIXES.contains(&labels[n - 2..].join(".").as_str()) {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

/// Starts discovery. Settings an admin configured for the domain win at
/// once; otherwise the first request is planned. Only an invalid address
/// gives [`Step::Failed`].
pub fn start(address: &str, admin: &[DomainSettings]) -> (Discovery, Step) {
    let parsed = match parse_address(address) {
        Ok(parsed) => parsed,
        Err(e) => {
            let code = serde_json::to_value(&e)
                .ok()
                .and_then(|v| v.get("kind")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| "invalidAddress".into());
            let discovery = Discovery {
                address: None,
                stage: Stage::Done,
                url: String::new(),
                redirects: 0,
                evidence: Vec::new(),
            };
            let message = e.message().to_owned();
            return (discovery, Step::Failed { code, message });
        }
    };
    let mut d = Discovery {
        address: Some(parsed.clone()),
        stage: Stage::DomainAutoconfig,
        url: String::new(),
        redirects: 0,
        evidence: Vec::new(),
    };
    let domain = &parsed.domain;
    if let Some(configured) = admin.iter().find(|a| same_domain(&a.domain, domain)) {
        let mut settings = configured.settings.clone();
        for server in [&mut settings.imap, &mut settings.smtp] {
            server.host = fill(&server.host, &parsed);
            server.username = fill(&server.username, &parsed);
        }
        match validate_settings(&settings) {
            Ok(()) => {
                d.evidence.push(format!(
                    "Your administrator set up the mail settings for {domain}."
                ));
                return finish(d, settings, Vec::new(), Source::Admin, Confidence::High);
            }
            Err(e) => d.evidence.push(format!(
                "Your administrator's settings for {domain} were ignored: {}",
                e.message
            )),
        }
    }
    plan(d)
}

/// Continues discovery with the outcome of the request last planned.
pub fn resume(mut d: Discovery, input: Outcome) -> (Discovery, Step) {
    let Some(address) = d.address.clone() else {
        return already_done(d);
    };
    let (label, source, confidence) = match &d.stage {
        Stage::Done => return already_done(d),
        Stage::MxLookup => return after_mx(d, &address, input),
        Stage::DomainAutoconfig => (
            format!("autoconfig.{}", address.domain),
            Source::DomainAutoconfig,
            Confidence::High,
        ),
        Stage::DomainWellKnown => (
            format!("{}'s .well-known autoconfig", address.domain),
            Source::DomainAutoconfig,
            Confidence::High,
        ),
        Stage::Ispdb => (
            format!("Thunderbird's database entry for {}", address.domain),
            Source::Ispdb,
            Confidence::High,
        ),
        Stage::MxIspdb { mx_domain } => (
            format!("Thunderbird's database entry for {mx_domain}"),
            Source::MxIspdb,
            Confidence::Medium,
        ),
    };
    let response = match input {
        Outcome::Transport { failure } => {
            d.evidence.push(format!("{label}: {}.", transport(failure)));
            return advance(d);
        }
        Outcome::Response { response } => response,
    };
    if (300..400).contains(&response.status) {
        return redirect(d, &label, &response);
    }
    if !(200..300).contains(&response.status) {
        let why = match response.status {
            404 | 410 => "no settings published (HTTP 404)".to_owned(),
            s => format!("answered with HTTP status {s}"),
        };
        d.evidence.push(format!("{label}: {why}."));
        return advance(d);
    }
    match parse_client_config(&response.body, &address) {
        Ok(config) => {
            let name = config
                .display_name
                .as_deref()
                .unwrap_or(&config.provider_id);
            d.evidence.push(format!("{label}: settings for {name}."));
            d.evidence.extend(config.notes);
            finish(d, config.settings, config.alternatives, source, confidence)
        }
        Err(e) => {
            d.evidence.push(format!("{label}: {}.", e.message()));
            advance(d)
        }
    }
}

fn same_domain(configured: &str, domain: &str) -> bool {
    let configured = configured.trim().trim_end_matches('.').to_lowercase();
    let ascii = idn::domain_to_ascii(&configured).unwrap_or(configured);
    ascii == domain
}

fn already_done(d: Discovery) -> (Discovery, Step) {
    let step = Step::Failed {
        code: "finished".into(),
        message: "Discovery has already finished; start again with the address.".into(),
    };
    (d, step)
}

fn transport(failure: TransportFailure) -> &'static str {
    match failure {
        TransportFailure::Network => "couldn't be reached",
        TransportFailure::Timeout => "didn't answer in time",
    }
}

/// Follows an https redirect; anything else ends this source.
fn redirect(mut d: Discovery, label: &str, response: &HttpResponse) -> (Discovery, Step) {
    let target = response
        .header("location")
        .and_then(|l| idn::join_url(&idn::parse_url(&d.url).ok()?, l.trim()).ok());
    match target {
        Some(url) if url.scheme() != "https" => d.evidence.push(format!(
            "{label}: redirected to {url}, which isn't https; settings are only accepted over https."
        )),
        Some(_) if d.redirects >= MAX_REDIRECTS => {
            d.evidence.push(format!("{label}: too many redirects."))
        }
        Some(url) => {
            d.redirects += 1;
            d.url = url.into();
            let purpose = purpose(&d.stage).expect("a redirect comes from a planned request");
            let request = get(&d.url);
            return (d, Step::Http { request, purpose });
        }
        None => d.evidence.push(format!(
            "{label}: redirected (HTTP {}) without a usable address.",
            response.status
        )),
    }
    advance(d)
}

fn after_mx(mut d: Discovery, address: &EmailAddress, input: Outcome) -> (Discovery, Step) {
    let domain = &address.domain;
    let host = match input {
        Outcome::Transport { failure } => Err(format!("the DNS service {}", transport(failure))),
        Outcome::Response { response } => lowest_mx(&response),
    };
    match host {
        Err(why) => d.evidence.push(format!("MX lookup for {domain}: {why}.")),
        Ok(host) => {
            let base = base_domain(&host);
            let service = service_for_mx_host(&host);
            let what = if service == MailService::Unknown {
                String::new()
            } else {
                format!(" ({})", service.display_name())
            };
            if &base == domain {
                d.evidence.push(format!(
                    "{domain}'s mail server is {host}, on the domain itself."
                ));
            } else {
                d.evidence.push(format!(
                    "{domain}'s mail server is {host}{what}; looking up {base}."
                ));
                d.stage = Stage::MxIspdb { mx_domain: base };
                return plan(d);
            }
        }
    }
    guess(d)
}

/// The lowest-preference MX host, from a DNS-over-HTTPS JSON answer.
fn lowest_mx(response: &HttpResponse) -> Result<String, String> {
    if !(200..300).contains(&response.status) {
        return Err(format!(
            "the DNS service answered with HTTP status {}",
            response.status
        ));
    }
    let doh: DohResponse = serde_json::from_str(&response.body)
        .map_err(|_| "the DNS service's answer was unreadable".to_owned())?;
    match doh.status {
        0 => {}
        3 => return Err("the domain doesn't exist in DNS".into()),
        s => return Err(format!("the DNS lookup failed (status {s})")),
    }
    doh.answer
        .iter()
        .filter(|a| a.record_type == 15)
        .filter_map(|a| {
            let mut parts = a.data.split_whitespace();
            let preference: u16 = parts.next()?.parse().ok()?;
            let host = parts.next()?.trim_end_matches('.').to_ascii_lowercase();
            // A null MX (RFC 7505) has an empty host: no mail server.
            (!host.is_empty()).then_some((preference, host))
        })
        .min()
        .map(|(_, host)| host)
        .ok_or_else(|| "no mail servers (MX records) are listed".into())
}

fn advance(mut d: Discovery) -> (Discovery, Step) {
    d.stage = match d.stage {
        Stage::DomainAutoconfig => Stage::DomainWellKnown,
        Stage::DomainWellKnown => Stage::Ispdb,
        Stage::Ispdb => Stage::MxLookup,
        Stage::MxLookup | Stage::MxIspdb { .. } | Stage::Done => return guess(d),
    };
    plan(d)
}

fn purpose(stage: &Stage) -> Option<Purpose> {
    Some(match stage {
        Stage::DomainAutoconfig => Purpose::DomainAutoconfig,
        Stage::DomainWellKnown => Purpose::DomainWellKnown,
        Stage::Ispdb => Purpose::Ispdb,
        Stage::MxLookup => Purpose::MxLookup,
        Stage::MxIspdb { .. } => Purpose::MxIspdb,
        Stage::Done => return None,
    })
}

/// Plans the request for the current stage.
fn plan(mut d: Discovery) -> (Discovery, Step) {
    let address = d
        .address
        .clone()
        .expect("only valid addresses are planned for");
    let request = match &d.stage {
        Stage::DomainAutoconfig => get(&domain_autoconfig_url(&address)),
        Stage::DomainWellKnown => get(&well_known_url(&address.domain)),
        Stage::Ispdb => get(&ispdb_url(&address.domain)),
        Stage::MxLookup => mx_query(&address.domain),
        Stage::MxIspdb { mx_domain } => get(&ispdb_url(mx_domain)),
        Stage::Done => return guess(d),
    };
    let purpose = purpose(&d.stage).expect("not done");
    d.url = request.url.clone();
    d.redirects = 0;
    (d, Step::Http { request, purpose })
}

fn get(url: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: url.into(),
        headers: vec![("Accept".into(), "application/xml, text/xml".into())],
        body: None,
    }
}

fn guess(mut d: Discovery) -> (Discovery, Step) {
    let address = d
        .address
        .clone()
        .expect("only valid addresses are guessed for");
    d.evidence.push(format!(
        "No published settings were found for {}, so these are the usual server names: please check them.",
        address.domain
    ));
    let mut all = guesses(&address);
    let settings = all.remove(0);
    finish(d, settings, all, Source::Guess, Confidence::Low)
}

fn finish(
    mut d: Discovery,
    settings: MailSettings,
    alternatives: Vec<MailSettings>,
    source: Source,
    confidence: Confidence,
) -> (Discovery, Step) {
    d.stage = Stage::Done;
    let evidence = d.evidence.clone();
    let step = Step::Found {
        settings,
        alternatives,
        source,
        confidence,
        evidence,
    };
    (d, step)
}
