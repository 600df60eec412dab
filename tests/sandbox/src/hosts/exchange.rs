//! An on-premises Exchange organisation: its domain's web server, `autodiscover.<domain>`
//! and the mail server `mail.<domain>`, serving POX Autodiscover and EWS (`ews.rs`).
//!
//! Written from Microsoft's POX Autodiscover reference pages and the EWS schemas in
//! `shared/contracts/ews`. The organisations are data (`DOMAINS`): each domain adds
//! three host names to the certificate, the ready line and routing.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::{Account, AutodiscoverMode, Provider, State};
use crate::xml::{self, escape};

/// Domains of the fake Exchange organisations.
pub const DOMAINS: &[&str] = &["contoso-exchange.example", "fabrikam-exchange.example"];

/// Organisations whose `autodiscover.<domain>` is a plain-HTTP server (no TLS): it is
/// served on the sandbox's HTTP port, and only redirects (the Autodiscover HTTP probe).
pub const PROBE_DOMAINS: &[&str] = &["fabrikam-exchange.example"];

pub const AUTODISCOVER_PATH: &str = "/autodiscover/autodiscover.xml";
pub const EWS_PATH: &str = "/EWS/Exchange.asmx";
const REQUEST_NS: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_NS: &str = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
const RESPONSE_NS_A: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// Which of an organisation's hosts a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `<domain>`: the organisation's web site.
    Domain,
    /// `autodiscover.<domain>`.
    Autodiscover,
    /// `mail.<domain>`: the Exchange server (EWS, and Autodiscover as an SRV target).
    Mail,
}

/// Every HTTPS host name of every organisation.
pub fn host_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let http = http_host_names();
        DOMAINS
            .iter()
            .flat_map(|d| {
                [
                    d.to_string(),
                    format!("autodiscover.{d}"),
                    format!("mail.{d}"),
                ]
            })
            .filter(|name| !http.contains(name))
            .collect()
    })
}

/// Host names served over plain HTTP only (`autodiscover.<domain>` of `PROBE_DOMAINS`).
pub fn http_host_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        PROBE_DOMAINS
            .iter()
            .map(|d| format!("autodiscover.{d}"))
            .collect()
    })
}

/// The role and organisation domain of a host name we serve.
pub fn role_of(host: &str) -> Option<(Role, &'static str)> {
    DOMAINS.iter().find_map(|&d| {
        if host == d {
            Some((Role::Domain, d))
        } else if host.strip_prefix("autodiscover.") == Some(d) {
            Some((Role::Autodiscover, d))
        } else if host.strip_prefix("mail.") == Some(d) {
            Some((Role::Mail, d))
        } else {
            None
        }
    })
}

pub fn ews_url(domain: &str) -> String {
    format!("https://mail.{domain}{EWS_PATH}")
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let Some((role, domain)) = role_of(&req.host) else {
        return super::misdirected(&req.host);
    };
    let path = req.path.to_ascii_lowercase();
    if role == Role::Autodiscover && PROBE_DOMAINS.contains(&domain) {
        return probe(sandbox, domain, &path);
    }
    if path == AUTODISCOVER_PATH {
        return autodiscover(req, sandbox, role, domain);
    }
    if role == Role::Mail && path == EWS_PATH.to_ascii_lowercase() {
        return super::ews::handle(req, sandbox, domain);
    }
    not_found()
}

/// The organisation's public web site: like many a CMS, it answers any path, the
/// Autodiscover one included, with a page (200). Such a host must never get a password.
fn web_site(domain: &str) -> Response {
    Response::html(
        200,
        format!(
            "<!doctype html><html><head><title>{domain}</title></head><body><h1>Welcome to {domain}</h1><p>Our products and services.</p></body></html>"
        ),
    )
}

fn not_found() -> Response {
    Response::html(
        404,
        "<html><head><title>404 - File or directory not found.</title></head><body><h2>404 - File or directory not found.</h2></body></html>",
    )
}

/// The plain-HTTP `autodiscover.<domain>`: any request for the Autodiscover path is
/// redirected (302, no authentication asked) to the mail server's https Autodiscover
/// URL when some account of the domain is in `redirectProbe` mode; else the 404 page.
fn probe(sandbox: &Sandbox, domain: &str, path: &str) -> Response {
    let suffix = format!("@{domain}");
    let probed = sandbox.state().accounts.iter().any(|a| {
        a.address.ends_with(&suffix)
            && a.exchange
                .as_ref()
                .is_some_and(|x| x.autodiscover == AutodiscoverMode::RedirectProbe)
    });
    if !probed || path != AUTODISCOVER_PATH {
        return not_found();
    }
    Response::html(302, "<html><body>Object moved</body></html>").with_header(
        "location",
        &format!("https://mail.{domain}{AUTODISCOVER_PATH}"),
    )
}

/// Whether this host answers Autodiscover for the account, by its seeded mode.
fn reachable(mode: AutodiscoverMode, role: Role) -> bool {
    matches!(
        (mode, role),
        (
            AutodiscoverMode::Direct | AutodiscoverMode::ForeignEws,
            Role::Domain
        ) | (
            AutodiscoverMode::Subdomain | AutodiscoverMode::WindowsOnly,
            Role::Autodiscover
        ) | (
            AutodiscoverMode::Direct
                | AutodiscoverMode::Subdomain
                | AutodiscoverMode::Srv
                | AutodiscoverMode::RedirectProbe,
            Role::Mail
        )
    )
}

/// The exchange account the request's `Authorization: Basic` names (user name or
/// address, case-insensitive) with the right password.
pub fn basic_auth<'a>(req: &Request, state: &'a State) -> Option<&'a Account> {
    let value = req.header("authorization")?;
    let (scheme, b64) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(b64.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    state.accounts.iter().find(|a| {
        a.provider == Provider::Exchange
            && a.exchange.as_ref().is_some_and(|x| {
                (x.username.eq_ignore_ascii_case(user) || a.address.eq_ignore_ascii_case(user))
                    && x.password == password
            })
    })
}

const UNAUTHORIZED_PAGE: &str = "<html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head><body><h2>401 - Unauthorized</h2></body></html>";

pub fn unauthorized(realm: &str) -> Response {
    Response::html(401, UNAUTHORIZED_PAGE)
        .with_header("www-authenticate", &format!("Basic realm=\"{realm}\""))
}

fn xml_response(body: String) -> Response {
    Response::new(200, "text/xml; charset=utf-8", body)
}

/// A 401 offering only Windows sign-in, one header per scheme as IIS sends them.
fn windows_sign_in() -> Response {
    let mut r = Response::html(401, UNAUTHORIZED_PAGE);
    for scheme in ["Negotiate", "NTLM"] {
        r.headers.push(("www-authenticate".into(), scheme.into()));
    }
    r
}

/// `POST /autodiscover/autodiscover.xml` (POX). The host answers at all only when a
/// seeded account of its domain has a mode that reaches it (else the domain's web
/// site page, or elsewhere a 404); then Basic auth (only Windows sign-in in
/// `windowsOnly` mode; none asked in `foreignEws` mode, whose answer names another
/// organisation's EWS server), then the request's `EMailAddress`.
fn autodiscover(req: &Request, sandbox: &Sandbox, role: Role, domain: &str) -> Response {
    let state = sandbox.state();
    let suffix = format!("@{domain}");
    let modes: Vec<AutodiscoverMode> = state
        .accounts
        .iter()
        .filter(|a| a.address.ends_with(&suffix))
        .filter_map(|a| a.exchange.as_ref().map(|x| x.autodiscover))
        .filter(|&mode| reachable(mode, role))
        .collect();
    if modes.is_empty() {
        return match role {
            Role::Domain => web_site(domain),
            _ => not_found(),
        };
    }
    if role == Role::Autodiscover && modes.contains(&AutodiscoverMode::WindowsOnly) {
        return windows_sign_in();
    }
    if req.method != "POST" {
        // Exchange answers a GET with the 600 error once authenticated; keep it simple.
        if basic_auth(req, &state).is_none() {
            return unauthorized(&req.host);
        }
        return xml_response(pox_error(600, "Invalid Request"));
    }
    let foreign = role == Role::Domain && modes.contains(&AutodiscoverMode::ForeignEws);
    if !foreign && basic_auth(req, &state).is_none() {
        return unauthorized(&req.host);
    }
    let Ok(root) = xml::parse(&req.body) else {
        return xml_response(pox_error(600, "Invalid Request"));
    };
    let (Some(request), true) = (
        root.child(REQUEST_NS, "Request"),
        root.is(REQUEST_NS, "Autodiscover"),
    ) else {
        return xml_response(pox_error(600, "Invalid Request"));
    };
    let schema = request
        .child(REQUEST_NS, "AcceptableResponseSchema")
        .map(|e| e.text.trim())
        .unwrap_or_default();
    if schema != RESPONSE_NS_A {
        return xml_response(pox_error(601, "The requested schema is not available."));
    }
    let address = request
        .child(REQUEST_NS, "EMailAddress")
        .map(|e| e.text.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let account = state
        .account(Provider::Exchange, &address)
        .filter(|a| a.exchange.is_some());
    match account {
        Some(account) => {
            let ews = if foreign {
                ews_url(other_domain(domain))
            } else {
                ews_url(domain)
            };
            xml_response(settings(account, &ews))
        }
        None => xml_response(pox_error(500, "The e-mail address cannot be found.")),
    }
}

/// Autodiscover's `ServerVersion`: 4 bits 0111, 6 bits major, 6 bits minor, a 1 bit and a
/// 15-bit build number, in hex.
pub fn server_version_hex(major: u32, minor: u32, build: u32) -> String {
    format!(
        "{:08X}",
        (0b0111u32 << 28) | (major << 22) | (minor << 16) | (1 << 15) | (build & 0x7fff)
    )
}

/// Another organisation than `domain`'s.
fn other_domain(domain: &str) -> &'static str {
    DOMAINS
        .iter()
        .find(|&&d| d != domain)
        .expect("two organisations")
}

/// The POX settings answer for `account`, naming `ews` as its EWS URL.
fn settings(account: &Account, ews: &str) -> String {
    let domain = account.address.rsplit('@').next().unwrap_or_default();
    let x = account.exchange.as_ref().expect("exchange account");
    let (major, minor, build, _, _) = x.version.server_version_info();
    let local = account.address.split('@').next().unwrap_or_default();
    let display = if account.display_name.is_empty() {
        &account.address
    } else {
        &account.display_name
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{RESPONSE_NS}">
  <Response xmlns="{RESPONSE_NS_A}">
    <User>
      <DisplayName>{display}</DisplayName>
      <LegacyDN>/o={org}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={local}</LegacyDN>
      <AutoDiscoverSMTPAddress>{address}</AutoDiscoverSMTPAddress>
      <DeploymentId>{deployment}</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <MicrosoftOnline>False</MicrosoftOnline>
      <Protocol>
        <Type>EXCH</Type>
        <Server>mail.{domain}</Server>
        <ServerVersion>{version}</ServerVersion>
        <ASUrl>{ews}</ASUrl>
        <EwsUrl>{ews}</EwsUrl>
        <OOFUrl>{ews}</OOFUrl>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
"#,
        display = escape(display),
        org = escape(domain.split('.').next().unwrap_or_default()),
        local = escape(local),
        address = escape(&account.address),
        deployment = crate::ids::guid_from(&format!("exchange-deployment:{domain}")),
        version = server_version_hex(major, minor, build),
    )
}

/// The POX error response (`ErrorCode` 500: unknown address, 600: invalid request,
/// 601: schema not available).
pub fn pox_error(code: u32, message: &str) -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{RESPONSE_NS}">
  <Response>
    <Error Time="{h:02}:{m:02}:{s:02}.{ns:07}" Id="{id}">
      <ErrorCode>{code}</ErrorCode>
      <Message>{message}</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
"#,
        h = now.hour(),
        m = now.minute(),
        s = now.second(),
        ns = now.nanosecond() / 100,
        id = now.unix_timestamp() as u32,
        message = escape(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::{dispatch, ispdb::IspDb};
    use serde_json::json;

    const ANA: &str = "ana@contoso-exchange.example";

    fn sandbox(accounts: serde_json::Value) -> Sandbox {
        let sb = Sandbox::new(IspDb::default());
        sb.state()
            .seed(serde_json::from_value(json!({ "accounts": accounts })).unwrap())
            .unwrap();
        sb
    }

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    fn pox(address: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="{REQUEST_NS}"><Request><EMailAddress>{address}</EMailAddress><AcceptableResponseSchema>{RESPONSE_NS_A}</AcceptableResponseSchema></Request></Autodiscover>"#
        )
    }

    fn post(sb: &Sandbox, host: &str, auth: Option<&str>, body: &str) -> Response {
        let mut req = Request::new("POST", host, AUTODISCOVER_PATH)
            .with_header("content-type", "text/xml")
            .with_body(body.to_owned());
        if let Some(auth) = auth {
            req = req.with_header("authorization", auth);
        }
        dispatch(&req, sb)
    }

    fn text(r: &Response) -> String {
        String::from_utf8_lossy(&r.body).into_owned()
    }

    #[test]
    fn hosts_and_roles() {
        assert_eq!(
            host_names(),
            [
                "contoso-exchange.example",
                "autodiscover.contoso-exchange.example",
                "mail.contoso-exchange.example",
                "fabrikam-exchange.example",
                "mail.fabrikam-exchange.example"
            ]
        );
        // The probe organisation's autodiscover host has no TLS name.
        assert_eq!(
            http_host_names(),
            ["autodiscover.fabrikam-exchange.example"]
        );
        assert_eq!(
            role_of("mail.contoso-exchange.example"),
            Some((Role::Mail, "contoso-exchange.example"))
        );
        assert_eq!(role_of("www.contoso-exchange.example"), None);
        assert_eq!(server_version_hex(15, 1, 2176), "73C18880");
    }

    #[test]
    fn autodiscover_needs_basic_auth_of_a_seeded_account() {
        let sb = sandbox(
            json!([{"provider":"exchange","address":ANA,"password":"pw","username":"CONTOSO\\ana"}]),
        );
        let host = "contoso-exchange.example";
        for auth in [None, Some(basic(ANA, "wrong")), Some("Bearer x".into())] {
            let r = post(&sb, host, auth.as_deref(), &pox(ANA));
            assert_eq!(r.status, 401);
            assert_eq!(
                r.header("www-authenticate"),
                Some("Basic realm=\"contoso-exchange.example\"")
            );
        }
        for user in ["contoso\\ana", ANA] {
            let r = post(&sb, host, Some(&basic(user, "pw")), &pox(ANA));
            assert_eq!(r.status, 200, "{user}");
            let body = text(&r);
            assert!(body.contains("<Type>EXCH</Type>"), "{body}");
            assert!(
                body.contains(
                    "<EwsUrl>https://mail.contoso-exchange.example/EWS/Exchange.asmx</EwsUrl>"
                ),
                "{body}"
            );
            assert!(body.contains("<ServerVersion>73C189CB</ServerVersion>"));
        }
    }

    #[test]
    fn autodiscover_errors() {
        let sb = sandbox(json!([{"provider":"exchange","address":ANA,"password":"pw"}]));
        let auth = basic(ANA, "pw");
        let host = "contoso-exchange.example";
        let r = post(
            &sb,
            host,
            Some(&auth),
            &pox("nobody@contoso-exchange.example"),
        );
        assert_eq!(r.status, 200);
        assert!(text(&r).contains("<ErrorCode>500</ErrorCode>"));
        assert!(text(&r).contains("<Message>The e-mail address cannot be found.</Message>"));
        let r = post(&sb, host, Some(&auth), "<not xml");
        assert!(text(&r).contains("<ErrorCode>600</ErrorCode>"));
        let r = post(
            &sb,
            host,
            Some(&auth),
            &pox(ANA).replace("responseschema/2006a", "responseschema/2006"),
        );
        assert!(text(&r).contains("<ErrorCode>601</ErrorCode>"));
        let r = dispatch(
            &Request::new("GET", host, "/").with_header("authorization", &auth),
            &sb,
        );
        assert_eq!(r.status, 404);
    }

    #[test]
    fn autodiscover_modes_pick_the_answering_hosts() {
        let d = "contoso-exchange.example";
        for (mode, answering) in [
            ("direct", [true, false, true]),
            ("subdomain", [false, true, true]),
            ("srv", [false, false, true]),
            ("none", [false, false, false]),
        ] {
            let sb = sandbox(
                json!([{"provider":"exchange","address":ANA,"password":"pw","autodiscover":mode}]),
            );
            for ((host, expect), is_domain) in [
                d.to_string(),
                format!("autodiscover.{d}"),
                format!("mail.{d}"),
            ]
            .iter()
            .zip(answering)
            .zip([true, false, false])
            {
                let r = post(&sb, host, Some(&basic(ANA, "pw")), &pox(ANA));
                let answered = text(&r).contains("<Type>EXCH</Type>");
                assert_eq!(answered, expect, "{mode} at {host}: {}", r.status);
                if !expect && is_domain {
                    // The domain's web site: a page for any path, no challenge.
                    assert_eq!(r.status, 200, "{mode} at {host}");
                    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
                    assert!(text(&r).contains("Welcome to contoso-exchange.example"));
                    assert_eq!(r.header("www-authenticate"), None);
                } else if !expect {
                    assert_eq!(r.status, 404, "{mode} at {host}");
                }
            }
        }
    }

    #[test]
    fn windows_only_autodiscover_never_offers_basic() {
        let sb = sandbox(json!([{"provider":"exchange","address":ANA,"password":"pw",
            "autodiscover":"windowsOnly"}]));
        let host = "autodiscover.contoso-exchange.example";
        for auth in [None, Some(basic(ANA, "pw"))] {
            let r = post(&sb, host, auth.as_deref(), &pox(ANA));
            assert_eq!(r.status, 401);
            let offered: Vec<&str> = r
                .headers
                .iter()
                .filter(|(n, _)| n == "www-authenticate")
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(offered, ["Negotiate", "NTLM"]);
        }
        // Nobody else answers Autodiscover for it.
        let r = post(
            &sb,
            "mail.contoso-exchange.example",
            Some(&basic(ANA, "pw")),
            &pox(ANA),
        );
        assert_eq!(r.status, 404);
    }

    #[test]
    fn foreign_ews_web_site_names_another_organisations_server_unasked() {
        let sb = sandbox(json!([{"provider":"exchange","address":ANA,"password":"pw",
            "autodiscover":"foreignEws"}]));
        let r = post(&sb, "contoso-exchange.example", None, &pox(ANA));
        assert_eq!(r.status, 200);
        let body = text(&r);
        assert!(
            body.contains(
                "<EwsUrl>https://mail.fabrikam-exchange.example/EWS/Exchange.asmx</EwsUrl>"
            ),
            "{body}"
        );
        assert!(
            !body.contains("mail.contoso-exchange.example/EWS"),
            "{body}"
        );
        // Nobody else answers Autodiscover for it.
        for host in [
            "autodiscover.contoso-exchange.example",
            "mail.contoso-exchange.example",
        ] {
            let r = post(&sb, host, Some(&basic(ANA, "pw")), &pox(ANA));
            assert_eq!(r.status, 404, "{host}");
        }
    }

    #[test]
    fn seeding_exchange_fields() {
        let sb = Sandbox::new(IspDb::default());
        let mut st = sb.state();
        let bad = |st: &mut State, v: serde_json::Value| {
            st.seed(serde_json::from_value(json!({ "accounts": [v] })).unwrap())
                .unwrap_err()
        };
        assert!(bad(&mut st, json!({"provider":"exchange","address":ANA})).contains("password"));
        assert!(
            bad(
                &mut st,
                json!({"provider":"google","address":"a@b.com","password":"x"})
            )
            .contains("exchange")
        );
        assert!(
            serde_json::from_value::<crate::state::Seed>(json!({"accounts":[{"provider":"exchange","address":ANA,"password":"p","exchangeVersion":"Exchange1999"}]}))
                .is_err()
        );
        st.seed(serde_json::from_value(json!({"accounts":[{"provider":"exchange","address":ANA,"password":"p","exchangeVersion":"Exchange2010","autodiscover":"srv"}]})).unwrap()).unwrap();
        let x = st.accounts[0].exchange.clone().unwrap();
        assert_eq!(x.username, ANA);
        assert_eq!(x.version.server_version_info().0, 14);
        assert_eq!(x.version.server_version_info().1, 1);
        assert_eq!(x.autodiscover, AutodiscoverMode::Srv);
        assert_eq!(st.dump()["accounts"][0]["exchange"]["autodiscover"], "srv");
    }
}
