//! Finding the EWS URL for an address: the resumable Autodiscover plan.
//!
//! Candidates are tried in the documented order (provider-apis.md §4), SCP
//! skipped: POST to `https://<domain>/…`, POST to `https://autodiscover.<domain>/…`,
//! the unauthenticated `http://autodiscover.<domain>/…` redirect probe (an
//! https target is used only after the user confirms its host), then the
//! `_autodiscover._tcp` SRV record over DNS-over-HTTPS. Answers may redirect
//! to another address or URL; hops are capped so a loop ends.
//!
//! The password goes only where Exchange asks for it: every POST is first
//! made without credentials (`https://<domain>/` is usually the company's
//! public web site, run by someone else), and repeated once with them only
//! when the host answers `401` with a Basic challenge over https. A host
//! outside the user's domain (named by a redirect, an SRV record or another
//! address) is contacted only after the user confirms it by name, and so is
//! an EWS URL outside that domain, whichever answer named it: the password
//! goes there next, and an answer may come from a host that never asked for
//! credentials (the public web site). Inside the domain an answer is taken
//! as it is: any host there could have asked for the password by a challenge.

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::challenge::{self, Challenge};
use super::credentials::Credentials;
use super::pox::{self, PoxAnswer, PoxServerVersion};
use super::url::suggested_ews_url;
use crate::detect::{AddressError, DOH_ENDPOINT, parse_address};
use crate::doh::DohResponse;
use crate::http::{HttpRequest, HttpResponse, Method, host_patterns};
use crate::machine::{Input, Machine, Moment, StepOf};
use crate::{hostname, idn};

/// Redirects (address, URL or confirmed HTTP probe) followed before giving up.
pub const MAX_HOPS: u32 = 10;
const PATH: &str = "/autodiscover/autodiscover.xml";
const SRV_TYPE: u16 = 33;

/// Why a request is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// A POX Autodiscover POST: without credentials, or with them in
    /// answer to the host's Basic challenge.
    Autodiscover,
    /// The unauthenticated GET whose 301/302 names the real server. The
    /// executor must not follow redirects for it (`redirect: "manual"`) and
    /// must report the `location` header.
    RedirectProbe,
    /// The DoH SRV lookup of `_autodiscover._tcp.<domain>`.
    SrvLookup,
}

/// The question the plan asks: may the password go to `host`? Asked for the
/// HTTP probe's target, for any host outside the user's domain (named by
/// `redirectAddr`, `redirectUrl` or an SRV record) before it is contacted at
/// all, and for an EWS URL outside that domain before discovery ends with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    pub host: String,
    pub url: String,
}

/// The user's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Answer {
    /// To a [`Redirect`] question.
    Confirmed { accepted: bool },
    /// Instead of the planned request: the user did not allow the browser to
    /// reach these host patterns (`https://host/*`, as [`AutodiscoverPlan::origins`]
    /// named them). The request is passed over, and so is every candidate
    /// at those hosts; the failure, if nothing is found, says so.
    NotAllowed { origins: Vec<String> },
}

/// Discovery succeeded. `email` is the address Autodiscover settled on (it
/// differs from the typed one after a `redirectAddr`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub ews_url: String,
    pub email: String,
    pub display_name: Option<String>,
    pub server_version: Option<PoxServerVersion>,
}

/// Why discovery ended without a usable server (crosses as `{code, message}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutodiscoverError {
    /// A server refused the username or password (`unauthorized`); the
    /// form opens its URL field too, as it always did.
    Unauthorized {
        message: String,
        suggested_url: String,
    },
    /// The server offers only Windows sign-in (`basicAuthUnavailable`);
    /// an EWS URL typed by hand may still work.
    BasicAuthUnavailable {
        message: String,
        suggested_url: String,
    },
    /// Nothing answered usefully (`autodiscoverFailed`): the user types the
    /// EWS URL, starting from `suggested_url`.
    NotFound {
        message: String,
        suggested_url: String,
    },
    /// The mailbox is on Exchange Online (`exchangeOnline`).
    ExchangeOnline,
}

impl AutodiscoverError {
    pub fn code(&self) -> &'static str {
        match self {
            AutodiscoverError::Unauthorized { .. } => "unauthorized",
            AutodiscoverError::BasicAuthUnavailable { .. } => "basicAuthUnavailable",
            AutodiscoverError::NotFound { .. } => "autodiscoverFailed",
            AutodiscoverError::ExchangeOnline => "exchangeOnline",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AutodiscoverError::Unauthorized { message, .. }
            | AutodiscoverError::BasicAuthUnavailable { message, .. }
            | AutodiscoverError::NotFound { message, .. } => message,
            AutodiscoverError::ExchangeOnline => EXCHANGE_ONLINE,
        }
    }

    /// The EWS URL the form suggests typing instead; `None` for Exchange
    /// Online, where no URL helps.
    pub fn suggested_url(&self) -> Option<&str> {
        match self {
            AutodiscoverError::Unauthorized { suggested_url, .. }
            | AutodiscoverError::BasicAuthUnavailable { suggested_url, .. }
            | AutodiscoverError::NotFound { suggested_url, .. } => Some(suggested_url),
            AutodiscoverError::ExchangeOnline => None,
        }
    }
}

/// Crosses as `{code, message, suggestedUrl}` (`suggestedUrl` null when
/// typing a URL can't help).
impl Serialize for AutodiscoverError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("AutodiscoverError", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", self.message())?;
        s.serialize_field("suggestedUrl", &self.suggested_url())?;
        s.end()
    }
}

/// A step of Autodiscover.
pub type Step = StepOf<AutodiscoverPlan>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Candidate {
    /// `credentials`: the host answered the same POST without them with a
    /// Basic challenge.
    Post {
        url: String,
        credentials: bool,
    },
    Probe {
        url: String,
    },
    Srv,
}

/// What a `confirmRedirect` step waits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Pending {
    /// An https Autodiscover URL, POSTed to once the user agrees.
    Autodiscover { url: String },
    /// An answer's EWS URL outside the user's domain: found once the user
    /// agrees, else the next candidate is tried.
    Ews {
        ews_url: String,
        display_name: Option<String>,
        server_version: Option<PoxServerVersion>,
    },
}

/// The discovery state; round-trips through JSON between steps.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutodiscoverPlan {
    /// The address being discovered (changes on `redirectAddr`).
    email: String,
    /// The typed address's domain, named in the failure message.
    domain: String,
    credentials: Credentials,
    microsoft365_mx: bool,
    queue: VecDeque<Candidate>,
    /// The candidate whose answer is awaited.
    current: Option<Candidate>,
    /// The URL waiting for the user's confirmation.
    pending: Option<Pending>,
    /// Hosts the user agreed to send the password to, and refused to.
    confirmed_hosts: Vec<String>,
    declined_hosts: Vec<String>,
    /// Host patterns the user did not allow the browser to reach: nothing
    /// is planned there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    not_allowed: Vec<String>,
    /// Hosts that refused the credentials: they are not sent there again.
    refused_hosts: Vec<String>,
    /// The first host that offered only Windows sign-in (NTLM, Negotiate).
    windows_only: Option<String>,
    hops: u32,
    /// Some server refused the credentials (401 to a request with them).
    refused: bool,
    /// The last Autodiscover host that was busy or broken (429, 5xx), to
    /// say so if nothing is found: it may be the right server on a bad day.
    trouble: Option<String>,
}

impl fmt::Debug for AutodiscoverPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutodiscoverPlan")
            .field("email", &self.email)
            .field("credentials", &self.credentials)
            .field("queue", &self.queue)
            .field("current", &self.current)
            .field("pending", &self.pending)
            .field("hops", &self.hops)
            .finish_non_exhaustive()
    }
}

impl Machine for AutodiscoverPlan {
    type Purpose = Purpose;
    type Question = Redirect;
    type Answer = Answer;
    type Result = Found;
    type Error = AutodiscoverError;

    /// The first step (Autodiscover uses neither time nor randomness).
    fn start(&mut self, _at: Moment<'_>) -> Step {
        if self.microsoft365_mx {
            return exchange_online();
        }
        self.next()
    }

    /// Feeds back what happened to the last step.
    fn resume(&mut self, input: Input<Answer>, _at: Moment<'_>) -> Step {
        match input {
            Input::Answer {
                answer: Answer::Confirmed { accepted },
            } => match self.pending.take() {
                Some(Pending::Autodiscover { url }) => {
                    let host = host_of(&url);
                    if accepted {
                        self.confirmed_hosts.push(host);
                        self.queue.push_front(Candidate::Post {
                            url,
                            credentials: false,
                        });
                    } else {
                        self.declined_hosts.push(host);
                    }
                    self.next()
                }
                Some(Pending::Ews {
                    ews_url,
                    display_name,
                    server_version,
                }) => {
                    let host = host_of(&ews_url);
                    if !accepted {
                        self.declined_hosts.push(host);
                        return self.next();
                    }
                    self.confirmed_hosts.push(host);
                    self.found(ews_url, display_name, server_version)
                }
                None => self.next(),
            },
            Input::Answer {
                answer: Answer::NotAllowed { origins },
            } => {
                for pattern in origins {
                    if !self.not_allowed.contains(&pattern) {
                        self.not_allowed.push(pattern);
                    }
                }
                self.next()
            }
            Input::Response { response } => match self.current.take() {
                Some(Candidate::Post { url, credentials }) => {
                    self.autodiscover_answer(&url, credentials, &response)
                }
                Some(Candidate::Probe { .. }) => self.probe_answer(&response),
                Some(Candidate::Srv) => {
                    let found = srv_targets(&response);
                    for (i, url) in found.into_iter().enumerate() {
                        let credentials = false;
                        self.queue.insert(i, Candidate::Post { url, credentials });
                    }
                    self.next()
                }
                None => self.next(),
            },
            // No answer (or none an http step can get): the next way.
            Input::Transport { .. }
            | Input::Redirect { .. }
            | Input::AuthFlowFailed { .. }
            | Input::HelperReply { .. }
            | Input::HelperFailed { .. }
            | Input::Timer => self.next(),
        }
    }
}

impl AutodiscoverPlan {
    /// A plan for `email`. `microsoft365_mx` is the detection verdict that
    /// the domain's MX is Microsoft 365, which ends discovery at once.
    pub fn new(
        email: &str,
        credentials: Credentials,
        microsoft365_mx: bool,
    ) -> Result<Self, AddressError> {
        let address = parse_address(email)?;
        Ok(AutodiscoverPlan {
            queue: candidates(&address.domain),
            email: address.to_address(),
            domain: address.domain,
            credentials,
            microsoft365_mx,
            current: None,
            pending: None,
            confirmed_hosts: vec![],
            declined_hosts: vec![],
            not_allowed: vec![],
            refused_hosts: vec![],
            windows_only: None,
            hops: 0,
            refused: false,
            trouble: None,
        })
    }

    /// Host-permission patterns (`https://host/*`) for the request awaited
    /// and every candidate still queued, so the shell can ask the browser for
    /// them in one prompt. The DoH lookup goes to a fixed host and is left
    /// out, and so are hosts the user has yet to confirm or has declined:
    /// they are asked for, if at all, once the user said yes.
    pub fn origins(&self) -> Vec<String> {
        host_patterns(
            self.current
                .iter()
                .chain(self.queue.iter())
                .filter_map(|c| match c {
                    Candidate::Post { url, .. } => {
                        let host = host_of(url);
                        let skipped = self.declined_hosts.contains(&host)
                            || self.not_allowed(url)
                            || self.needs_confirmation(&host);
                        (!skipped).then_some(url.as_str())
                    }
                    Candidate::Probe { url } => (!self.not_allowed(url)).then_some(url.as_str()),
                    Candidate::Srv => None,
                }),
        )
    }

    fn next(&mut self) -> Step {
        self.current = None;
        while let Some(candidate) = self.queue.pop_front() {
            let (request, purpose) = match &candidate {
                Candidate::Post { url, credentials } => {
                    let host = host_of(url);
                    if self.declined_hosts.contains(&host) || self.not_allowed(url) {
                        continue;
                    }
                    if !credentials && self.needs_confirmation(&host) {
                        self.pending = Some(Pending::Autodiscover { url: url.clone() });
                        return ask(host, url.clone());
                    }
                    (self.post(url, *credentials), Purpose::Autodiscover)
                }
                Candidate::Probe { url } if self.not_allowed(url) => continue,
                Candidate::Probe { url } => (get(url, vec![]), Purpose::RedirectProbe),
                Candidate::Srv => (srv_query(&self.domain_of_email()), Purpose::SrvLookup),
            };
            self.current = Some(candidate);
            return Step::Http { request, purpose };
        }
        self.failed()
    }

    /// Whether the user did not allow the browser to reach `url`.
    fn not_allowed(&self, url: &str) -> bool {
        host_patterns([url])
            .first()
            .is_some_and(|p| self.not_allowed.contains(p))
    }

    /// A host outside the typed address's domain that the user has not
    /// agreed to send the password to.
    fn needs_confirmation(&self, host: &str) -> bool {
        !hostname::in_domain(host, &self.domain) && !self.confirmed_hosts.iter().any(|h| h == host)
    }

    fn hop(&mut self, candidate: Candidate) -> Step {
        if !self.count_hop() {
            return self.failed();
        }
        self.queue.push_front(candidate);
        self.next()
    }

    /// Counts a redirect; past the limit, drops every candidate and says no.
    fn count_hop(&mut self) -> bool {
        self.hops += 1;
        if self.hops > MAX_HOPS {
            self.queue.clear();
            return false;
        }
        true
    }

    fn autodiscover_answer(
        &mut self,
        url: &str,
        credentials: bool,
        response: &HttpResponse,
    ) -> Step {
        if response.status == 401 {
            return self.challenged(url, credentials, response);
        }
        if response.status == 429 || response.status >= 500 {
            let host = host_of(url);
            self.trouble = Some(format!("{host} answered HTTP {}", response.status));
            return self.next();
        }
        if !(200..300).contains(&response.status) {
            return self.next();
        }
        match pox::read_answer(&response.body) {
            PoxAnswer::Settings {
                ews_url,
                display_name,
                server_version,
            } => {
                if is_exchange_online(&ews_url) {
                    return exchange_online();
                }
                if !is_https(&ews_url) {
                    return self.next();
                }
                let host = host_of(&ews_url);
                if self.declined_hosts.contains(&host) {
                    return self.next();
                }
                if self.needs_confirmation(&host) {
                    let url = ews_url.clone();
                    self.pending = Some(Pending::Ews {
                        ews_url,
                        display_name,
                        server_version,
                    });
                    return ask(host, url);
                }
                self.found(ews_url, display_name, server_version)
            }
            PoxAnswer::RedirectAddr(address) => {
                let Ok(address) = parse_address(&address) else {
                    return self.next();
                };
                if address.domain.ends_with(".onmicrosoft.com") {
                    return exchange_online();
                }
                if !self.count_hop() {
                    return self.failed();
                }
                // A new address starts discovery over on its own domain.
                self.email = address.to_address();
                self.queue = candidates(&address.domain);
                self.next()
            }
            PoxAnswer::RedirectUrl(url) if is_exchange_online(&url) => exchange_online(),
            PoxAnswer::RedirectUrl(url) if is_https(&url) => self.hop(Candidate::Post {
                url,
                credentials: false,
            }),
            PoxAnswer::RedirectUrl(_)
            | PoxAnswer::NoEwsUrl
            | PoxAnswer::Error { .. }
            | PoxAnswer::Unreadable => self.next(),
        }
    }

    /// A `401`: to the POST without credentials, a Basic challenge over
    /// https earns the same POST with them, once; to the POST with them, the
    /// credentials are wrong.
    fn challenged(&mut self, url: &str, credentials: bool, response: &HttpResponse) -> Step {
        let host = host_of(url);
        if credentials {
            self.refused = true;
            self.refused_hosts.push(host);
            return self.next();
        }
        match challenge::read(response) {
            Challenge::Basic if self.refused_hosts.contains(&host) => self.refused = true,
            Challenge::Basic if is_https(url) => {
                self.queue.push_front(Candidate::Post {
                    url: url.to_string(),
                    credentials: true,
                });
            }
            Challenge::WindowsOnly => {
                self.windows_only.get_or_insert(host);
            }
            Challenge::Basic | Challenge::Other => {}
        }
        self.next()
    }

    fn probe_answer(&mut self, response: &HttpResponse) -> Step {
        let target = matches!(response.status, 301 | 302)
            .then(|| response.header("location"))
            .flatten()
            .and_then(|l| idn::parse_url(l).ok())
            .filter(|u| u.scheme() == "https" && u.path().eq_ignore_ascii_case(PATH));
        match target {
            Some(url) if is_exchange_online(url.as_str()) => exchange_online(),
            Some(url) => {
                if !self.count_hop() {
                    return self.failed();
                }
                let host = host_of(url.as_str());
                if self.declined_hosts.contains(&host) {
                    return self.next();
                }
                if self.confirmed_hosts.contains(&host) {
                    let (url, credentials) = (url.into(), false);
                    self.queue.push_front(Candidate::Post { url, credentials });
                    return self.next();
                }
                // Asked even inside the user's domain: plain HTTP chose this host.
                self.pending = Some(Pending::Autodiscover {
                    url: url.to_string(),
                });
                ask(host, url.into())
            }
            None => self.next(),
        }
    }

    fn found(
        &self,
        ews_url: String,
        display_name: Option<String>,
        server_version: Option<PoxServerVersion>,
    ) -> Step {
        Step::Done {
            result: Found {
                ews_url,
                email: self.email.clone(),
                display_name,
                server_version,
            },
        }
    }

    fn post(&self, url: &str, credentials: bool) -> HttpRequest {
        let mut headers = vec![("Content-Type".into(), "text/xml; charset=utf-8".into())];
        if credentials {
            headers.push(("Authorization".into(), self.credentials.basic_auth()));
        }
        HttpRequest {
            body_base64: None,
            method: Method::Post,
            url: url.to_string(),
            headers,
            body: Some(pox::request_body(&self.email)),
        }
    }

    fn domain_of_email(&self) -> String {
        self.email
            .rsplit_once('@')
            .map_or_else(|| self.domain.clone(), |(_, d)| d.to_string())
    }

    fn failed(&self) -> Step {
        if self.refused {
            return failed(AutodiscoverError::Unauthorized {
                message: format!(
                    "The Exchange server for {} refused your username or password. Check both; \
                     if your account uses two-factor authentication, use an app password.",
                    self.domain
                ),
                suggested_url: suggested_ews_url(&self.domain),
            });
        }
        if let Some(host) = &self.windows_only {
            return failed(AutodiscoverError::BasicAuthUnavailable {
                message: format!(
                    "The Exchange server at {host} accepts only Windows sign-in (NTLM or \
                     Kerberos), and Inlay can sign in only with a password (Basic \
                     authentication). Ask your administrator to allow Basic authentication over \
                     HTTPS for Autodiscover and EWS; if EWS already allows it, enter its EWS URL, \
                     which usually looks like {url}",
                    url = suggested_ews_url(&self.domain)
                ),
                suggested_url: suggested_ews_url(&self.domain),
            });
        }
        let trouble = self.trouble.as_ref().map_or_else(String::new, |t| {
            format!(" ({t}: the server may be busy or down, so trying again later may work)")
        });
        let mut hosts: Vec<String> = self.not_allowed.iter().map(|p| host_of(p)).collect();
        hosts.dedup();
        let not_allowed = match hosts.as_slice() {
            [] => String::new(),
            hosts => format!(
                " Inlay didn't contact {}, as you didn't allow it to.",
                hosts.join(", ")
            ),
        };
        failed(AutodiscoverError::NotFound {
            message: format!(
                "We couldn't find the Exchange server for {d}{trouble}.{not_allowed} Enter its \
                 EWS URL; it usually looks like {url}",
                d = self.domain,
                url = suggested_ews_url(&self.domain)
            ),
            suggested_url: suggested_ews_url(&self.domain),
        })
    }
}

fn candidates(domain: &str) -> VecDeque<Candidate> {
    VecDeque::from([
        Candidate::Post {
            url: format!("https://{domain}{PATH}"),
            credentials: false,
        },
        Candidate::Post {
            url: format!("https://autodiscover.{domain}{PATH}"),
            credentials: false,
        },
        Candidate::Probe {
            url: format!("http://autodiscover.{domain}{PATH}"),
        },
        Candidate::Srv,
    ])
}

fn get(url: &str, headers: Vec<(String, String)>) -> HttpRequest {
    HttpRequest {
        body_base64: None,
        method: Method::Get,
        url: url.to_string(),
        headers,
        body: None,
    }
}

fn srv_query(domain: &str) -> HttpRequest {
    let name = format!("_autodiscover._tcp.{domain}");
    let url =
        url::Url::parse_with_params(DOH_ENDPOINT, &[("name", name.as_str()), ("type", "SRV")])
            .expect("the DoH endpoint is a valid URL");
    get(
        url.as_str(),
        vec![("Accept".into(), "application/dns-json".into())],
    )
}

/// Autodiscover URLs from SRV records (`priority weight port target.`),
/// lowest priority first, then highest weight (RFC 2782 order without the
/// random draw, which would need randomness).
fn srv_targets(response: &HttpResponse) -> Vec<String> {
    if !(200..300).contains(&response.status) {
        return vec![];
    }
    let Ok(doh) = serde_json::from_str::<DohResponse>(&response.body) else {
        return vec![];
    };
    if doh.status != 0 {
        return vec![];
    }
    let mut records: Vec<(u16, u16, u16, String)> = doh
        .answer
        .iter()
        .filter(|a| a.record_type == SRV_TYPE)
        .filter_map(|a| {
            let mut parts = a.data.split_whitespace();
            let priority = parts.next()?.parse().ok()?;
            let weight = parts.next()?.parse().ok()?;
            let port = parts.next()?.parse().ok()?;
            let target = parts.next()?.trim_end_matches('.').to_ascii_lowercase();
            // "." means the service is decidedly not available (RFC 2782).
            (!target.is_empty()).then_some((priority, weight, port, target))
        })
        .collect();
    records.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    records
        .into_iter()
        .filter_map(|(_, _, port, target)| {
            let authority = if port == 443 {
                target
            } else {
                format!("{target}:{port}")
            };
            let url = idn::parse_url(&format!("https://{authority}{PATH}")).ok()?;
            Some(url.into())
        })
        .collect()
}

/// The URL's host as DNS compares it (empty if it has none).
fn host_of(url: &str) -> String {
    idn::parse_url(url)
        .ok()
        .and_then(|u| u.host_str().map(hostname::normalise))
        .unwrap_or_default()
}

fn is_https(url: &str) -> bool {
    idn::parse_url(url).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
}

/// Exchange Online's Autodiscover and EWS live under these hosts (a
/// trailing dot names the same host).
pub(super) fn is_exchange_online(url: &str) -> bool {
    let Some(host) = idn::parse_url(url)
        .ok()
        .and_then(|u| u.host_str().map(hostname::normalise))
    else {
        return false;
    };
    [
        "outlook.office365.com",
        "outlook.office.com",
        "autodiscover-s.outlook.com",
    ]
    .iter()
    .any(|h| hostname::in_domain(&host, h))
}

/// Why an Exchange Online mailbox is steered to the Microsoft connection.
pub(super) const EXCHANGE_ONLINE: &str = "This mailbox is on Microsoft 365 (Exchange Online). \
     Connect it with the Microsoft option instead: Microsoft has retired password (Basic) \
     sign-in for Exchange Online.";

fn exchange_online() -> Step {
    failed(AutodiscoverError::ExchangeOnline)
}

fn failed(error: AutodiscoverError) -> Step {
    Step::Failed { error }
}

fn ask(host: String, url: String) -> Step {
    Step::Ask {
        question: Redirect { host, url },
    }
}
