//! The discovery state machine (a [`Machine`]): plans one request at a time
//! and reads its outcome. Any failure of a source (transport, HTTP status, redirect off
//! https, HTML or malformed XML, unusable settings) moves on to the next
//! source and is recorded as evidence for the user.

use serde::{Deserialize, Serialize};

use super::admin::AdminPolicy;
use super::clientconfig::{fill, parse_client_config};
use super::guess::guesses;
use super::validate::validate_settings;
use super::{Confidence, MailSettings, Purpose, Source};
use crate::detect::{
    AddressError, EmailAddress, MailService, mx_query, parse_address, service_for_mx_host,
};
use crate::doh::DohResponse;
use crate::http::{HttpRequest, HttpResponse, Method, TransportFailure, host_patterns};
use crate::idn;
use crate::machine::{Input, Machine, Moment, NoQuestion, StepOf};

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
    /// Why the address was refused; [`Machine::start`] fails with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invalid: Option<AddressError>,
    /// The administrator's settings for the address's domain, placeholders
    /// filled and checked: [`Machine::start`] ends with them at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admin: Option<MailSettings>,
    stage: Stage,
    /// The URL of the request in flight (redirects resolve against it).
    url: String,
    redirects: u8,
    /// Requests planned so far (see [`MAX_REQUESTS`]).
    #[serde(default)]
    requests: u8,
    evidence: Vec<String>,
}

/// The five stages with [`MAX_REDIRECTS`] each plan at most 20 requests; a
/// 21st would be a bug in the plan, and ends discovery rather than looping.
pub const MAX_REQUESTS: u8 = 20;

/// The user's answer for a planned request that was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
    /// The user did not allow the browser to reach the request's host: the
    /// source is passed over with that reason, and the next one tried.
    NotAllowed,
}

/// Settings discovery found, for the user to confirm (when `confidence` is low).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub settings: MailSettings,
    /// Other acceptable combinations, best first (e.g. port 587 when 465
    /// is blocked); the form's Advanced options can offer them.
    pub alternatives: Vec<MailSettings>,
    pub source: Source,
    pub confidence: Confidence,
    /// What was tried and why it was passed over, for the user.
    pub evidence: Vec<String>,
}

/// Why discovery ended without settings (crosses as `{code, message}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryError {
    /// The address is not one; the code is the address error's (`missingAt`, …).
    InvalidAddress(AddressError),
    /// More requests than the plan can make (`discoveryLoop`).
    TooManySteps,
    /// Resumed after it ended (`finished`).
    Finished,
}

impl DiscoveryError {
    pub fn code(&self) -> &'static str {
        match self {
            DiscoveryError::InvalidAddress(e) => e.code(),
            DiscoveryError::TooManySteps => "discoveryLoop",
            DiscoveryError::Finished => "finished",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            DiscoveryError::InvalidAddress(e) => e.message(),
            DiscoveryError::TooManySteps => {
                "Finding the mail settings took too many steps. Enter them under Advanced options."
            }
            DiscoveryError::Finished => {
                "Discovery has already finished; start again with the address."
            }
        }
    }
}

impl Serialize for DiscoveryError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("DiscoveryError", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", self.message())?;
        s.end()
    }
}

/// A step of discovery.
pub type Step = StepOf<Discovery>;

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

impl Discovery {
    /// Discovery for `address`, with the managed policy's mail settings
    /// (`admin`, read leniently: see [`AdminPolicy`]). Settings the
    /// administrator configured for the domain will win at once; entries
    /// Inlay can't use are named in the evidence instead of dropped silently.
    pub fn new(address: &str, admin: &AdminPolicy) -> Self {
        let mut d = Discovery {
            address: None,
            invalid: None,
            admin: None,
            stage: Stage::Done,
            url: String::new(),
            redirects: 0,
            requests: 0,
            evidence: Vec::new(),
        };
        let parsed = match parse_address(address) {
            Ok(parsed) => parsed,
            Err(e) => {
                d.invalid = Some(e);
                return d;
            }
        };
        d.stage = Stage::DomainAutoconfig;
        let domain = parsed.domain.clone();
        d.evidence.extend(admin.problems(&domain));
        if let Some(configured) = admin.settings_for(&domain) {
            let mut settings = configured.clone();
            for server in [&mut settings.imap, &mut settings.smtp] {
                server.host = fill(&server.host, &parsed);
                server.username = fill(&server.username, &parsed);
            }
            match validate_settings(&settings) {
                Ok(()) => {
                    d.evidence.push(format!(
                        "Your administrator set up the mail settings for {domain}."
                    ));
                    d.admin = Some(settings);
                }
                Err(e) => d.evidence.push(format!(
                    "Your administrator's settings for {domain} were ignored: {}",
                    e.message
                )),
            }
        }
        d.address = Some(parsed);
        d
    }
}

impl Machine for Discovery {
    type Purpose = Purpose;
    type Question = NoQuestion;
    type Answer = Answer;
    type Result = Found;
    type Error = DiscoveryError;

    /// Admin settings end discovery at once; otherwise the first request.
    fn start(&mut self, _at: Moment<'_>) -> Step {
        if let Some(e) = self.invalid.clone() {
            return Step::Failed {
                error: DiscoveryError::InvalidAddress(e),
            };
        }
        if let Some(settings) = self.admin.take() {
            return self.finish(settings, Vec::new(), Source::Admin, Confidence::High);
        }
        self.plan()
    }

    /// Continues with what happened to the request last planned.
    fn resume(&mut self, input: Input<Answer>, _at: Moment<'_>) -> Step {
        let Some(address) = self.address.clone() else {
            return already_done();
        };
        let (label, source, confidence) = match &self.stage {
            Stage::Done => return already_done(),
            Stage::MxLookup => return self.after_mx(&address, input),
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
            Input::Response { response } => response,
            other => {
                let why = self.not_answered(other);
                self.evidence.push(format!("{label}: {why}."));
                return self.advance();
            }
        };
        if (300..400).contains(&response.status) {
            return self.redirect(&label, &response);
        }
        if !(200..300).contains(&response.status) {
            let why = match response.status {
                404 | 410 => "no settings published (HTTP 404)".to_owned(),
                s => format!("answered with HTTP status {s}"),
            };
            self.evidence.push(format!("{label}: {why}."));
            return self.advance();
        }
        match parse_client_config(&response.body, &address) {
            Ok(config) => {
                let name = config
                    .display_name
                    .as_deref()
                    .unwrap_or(&config.provider_id);
                self.evidence.push(format!("{label}: settings for {name}."));
                self.evidence.extend(config.notes);
                self.finish(config.settings, config.alternatives, source, confidence)
            }
            Err(e) => {
                self.evidence.push(format!("{label}: {}.", e.message()));
                self.advance()
            }
        }
    }
}

impl Discovery {
    /// Why a planned request got no response, in words for the evidence.
    fn not_answered(&self, input: Input<Answer>) -> String {
        match input {
            Input::Transport { failure } => transport(failure).to_owned(),
            Input::Answer {
                answer: Answer::NotAllowed,
            } => {
                let host = idn::parse_url(&self.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| self.url.clone());
                format!("not read, as you didn't allow Inlay to reach {host}")
            }
            // Nothing else answers an http step; read it as no answer.
            _ => "got no answer".to_owned(),
        }
    }

    /// Follows an https redirect; anything else ends this source.
    fn redirect(&mut self, label: &str, response: &HttpResponse) -> Step {
        let target = response
            .header("location")
            .and_then(|l| idn::join_url(&idn::parse_url(&self.url).ok()?, l.trim()).ok());
        match target {
            Some(url) if url.scheme() != "https" => self.evidence.push(format!(
                "{label}: redirected to {url}, which isn't https; settings are only accepted over https."
            )),
            Some(_) if self.redirects >= MAX_REDIRECTS => {
                self.evidence.push(format!("{label}: too many redirects."))
            }
            Some(url) => {
                self.redirects += 1;
                self.url = url.into();
                let purpose = purpose(&self.stage).expect("a redirect comes from a planned request");
                let request = get(&self.url);
                return self.request(request, purpose);
            }
            None => self.evidence.push(format!(
                "{label}: redirected (HTTP {}) without a usable address.",
                response.status
            )),
        }
        self.advance()
    }

    fn after_mx(&mut self, address: &EmailAddress, input: Input<Answer>) -> Step {
        let domain = &address.domain;
        let host = match input {
            Input::Response { response } => lowest_mx(&response),
            Input::Transport { failure } => Err(format!("the DNS service {}", transport(failure))),
            other => Err(self.not_answered(other)),
        };
        match host {
            Err(why) => self
                .evidence
                .push(format!("MX lookup for {domain}: {why}.")),
            Ok(host) => {
                let base = base_domain(&host);
                let service = service_for_mx_host(&host);
                let what = if service == MailService::Unknown {
                    String::new()
                } else {
                    format!(" ({})", service.display_name())
                };
                if &base == domain {
                    self.evidence.push(format!(
                        "{domain}'s mail server is {host}, on the domain itself."
                    ));
                } else {
                    self.evidence.push(format!(
                        "{domain}'s mail server is {host}{what}; looking up {base}."
                    ));
                    self.stage = Stage::MxIspdb { mx_domain: base };
                    return self.plan();
                }
            }
        }
        self.guess()
    }

    fn advance(&mut self) -> Step {
        self.stage = match self.stage {
            Stage::DomainAutoconfig => Stage::DomainWellKnown,
            Stage::DomainWellKnown => Stage::Ispdb,
            Stage::Ispdb => Stage::MxLookup,
            Stage::MxLookup | Stage::MxIspdb { .. } | Stage::Done => return self.guess(),
        };
        self.plan()
    }

    /// Plans the request for the current stage.
    fn plan(&mut self) -> Step {
        let address = self
            .address
            .clone()
            .expect("only valid addresses are planned for");
        let request = match &self.stage {
            Stage::DomainAutoconfig => get(&domain_autoconfig_url(&address)),
            Stage::DomainWellKnown => get(&well_known_url(&address.domain)),
            Stage::Ispdb => get(&ispdb_url(&address.domain)),
            Stage::MxLookup => mx_query(&address.domain),
            Stage::MxIspdb { mx_domain } => get(&ispdb_url(mx_domain)),
            Stage::Done => return self.guess(),
        };
        let purpose = purpose(&self.stage).expect("not done");
        self.url = request.url.clone();
        self.redirects = 0;
        self.request(request, purpose)
    }

    /// Counts the request against [`MAX_REQUESTS`].
    fn request(&mut self, request: HttpRequest, purpose: Purpose) -> Step {
        if self.requests >= MAX_REQUESTS {
            self.stage = Stage::Done;
            return Step::Failed {
                error: DiscoveryError::TooManySteps,
            };
        }
        self.requests += 1;
        Step::Http { request, purpose }
    }

    fn guess(&mut self) -> Step {
        let address = self
            .address
            .clone()
            .expect("only valid addresses are guessed for");
        self.evidence.push(format!(
            "No published settings were found for {}, so these are the usual server names: please check them.",
            address.domain
        ));
        let mut all = guesses(&address);
        let settings = all.remove(0);
        self.finish(settings, all, Source::Guess, Confidence::Low)
    }

    fn finish(
        &mut self,
        settings: MailSettings,
        alternatives: Vec<MailSettings>,
        source: Source,
        confidence: Confidence,
    ) -> Step {
        self.stage = Stage::Done;
        Step::Done {
            result: Found {
                settings,
                alternatives,
                source,
                confidence,
                evidence: self.evidence.clone(),
            },
        }
    }
}

fn transport(failure: TransportFailure) -> &'static str {
    match failure {
        TransportFailure::Network => "couldn't be reached",
        TransportFailure::Timeout => "didn't answer in time",
    }
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

fn get(url: &str) -> HttpRequest {
    HttpRequest {
        body_base64: None,
        method: Method::Get,
        url: url.into(),
        headers: vec![("Accept".into(), "application/xml, text/xml".into())],
        body: None,
    }
}

fn already_done() -> Step {
    Step::Failed {
        error: DiscoveryError::Finished,
    }
}
