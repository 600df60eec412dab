//! Source order with canned responses: admin, domain autoconfig, ISPDB, MX →
//! ISPDB of the MX domain, guess.

mod support;

use inlay_core::http::TransportFailure;
use inlay_core::machine::{Input, Machine, Moment};
use inlay_core::provider::Outcome;
use inlay_core::provider::imap::{
    AdminPolicy, Answer, Confidence, Discovery, DomainSettings, Found, MAX_REQUESTS, MailSettings,
    Purpose, Security, Server, Source, Step, base_domain,
};
use support::http_response;

/// A domain autoconfig document: IMAP over SSL with placeholders, SMTP with STARTTLS.
const SSL_CONFIG: &str = include_str!("fixtures/mailconfig/example-ssl.xml");

fn ok(body: &str) -> Outcome {
    Outcome::Response {
        response: http_response(200, &[], body),
    }
}
fn status(status: u16, headers: &[(&str, &str)]) -> Outcome {
    Outcome::Response {
        response: http_response(status, headers, ""),
    }
}
fn not_found() -> Outcome {
    status(404, &[])
}

/// Discovery uses neither time nor randomness.
const AT: Moment<'static> = Moment {
    now_ms: 0,
    random: &[],
};

fn start(address: &str, admin: &[DomainSettings]) -> (Discovery, Step) {
    start_with(address, &AdminPolicy::from(admin.to_vec()))
}

fn start_with(address: &str, admin: &AdminPolicy) -> (Discovery, Step) {
    let mut d = Discovery::new(address, admin);
    let step = d.start(AT);
    (d, step)
}

fn resume(d: Discovery, outcome: Outcome) -> (Discovery, Step) {
    let input = match outcome {
        Outcome::Response { response } => Input::Response { response },
        Outcome::Transport { failure } => Input::Transport { failure },
    };
    resume_with(d, input)
}

fn resume_with(mut d: Discovery, input: Input<Answer>) -> (Discovery, Step) {
    let step = d.resume(input, AT);
    (d, step)
}

/// The settings discovery ended with.
#[track_caller]
fn found(step: Step) -> Found {
    match step {
        Step::Done { result } => result,
        other => panic!("{other:?}"),
    }
}

/// Feeds outcomes in order, checking each planned request, until a result.
fn run(
    address: &str,
    admin: &[DomainSettings],
    script: Vec<(Purpose, &str, Outcome)>,
) -> (Discovery, Step) {
    let (mut d, mut step) = start(address, admin);
    for (purpose, url, outcome) in script {
        match step {
            Step::Http {
                request,
                purpose: p,
            } => {
                assert_eq!(p, purpose);
                assert_eq!(request.url, url);
                // The state survives a round trip through the extension.
                let json = serde_json::to_string(&d).unwrap();
                d = serde_json::from_str(&json).unwrap();
            }
            other => panic!("expected {purpose:?}, got {other:?}"),
        }
        (d, step) = resume(d, outcome);
    }
    (d, step)
}

const AUTOCONFIG: &str =
    "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=jo%40example.com";
const WELL_KNOWN: &str = "https://example.com/.well-known/autoconfig/mail/config-v1.1.xml";
const ISPDB: &str = "https://autoconfig.thunderbird.net/v1.1/example.com";
const MX: &str = "https://dns.google/resolve?name=example.com&type=MX";

fn server(host: &str, port: u16, security: Security, username: &str) -> Server {
    Server {
        host: host.into(),
        port,
        security,
        username: username.into(),
        authentication: vec![],
    }
}

/// Discovery for jo@example.com whose domain autoconfig answers `body`.
fn domain_autoconfig_answers(body: &str) -> (Discovery, Step) {
    run(
        "jo@example.com",
        &[],
        vec![(Purpose::DomainAutoconfig, AUTOCONFIG, ok(body))],
    )
}

/// The script up to the MX lookup when the domain and the ISPDB publish
/// nothing, the DNS-over-HTTPS lookup answering `doh`.
fn nothing_published_then_mx(doh: &str) -> Vec<(Purpose, &'static str, Outcome)> {
    vec![
        (Purpose::DomainAutoconfig, AUTOCONFIG, not_found()),
        (Purpose::DomainWellKnown, WELL_KNOWN, not_found()),
        (Purpose::Ispdb, ISPDB, not_found()),
        (Purpose::MxLookup, MX, ok(doh)),
    ]
}

/// Whether discovery's next step is a request for `purpose`.
fn requests(step: &Step, purpose: Purpose) -> bool {
    matches!(step, Step::Http { purpose: p, .. } if *p == purpose)
}

/// The first piece of evidence mentions `text`.
fn assert_first_evidence(d: &Discovery, text: &str) {
    assert!(d.evidence()[0].contains(text), "{:?}", d.evidence());
}

#[test]
fn admin_settings_win_immediately_with_placeholders_filled() {
    let admin = vec![DomainSettings {
        domain: "EXAMPLE.com".into(),
        settings: MailSettings::new(
            server(
                "mail.corp.test",
                993,
                Security::ImplicitTls,
                "%EMAILLOCALPART%",
            ),
            server(
                "mail.corp.test",
                587,
                Security::StartTls,
                "%EMAILLOCALPART%",
            ),
        ),
    }];
    let (_, step) = start("jo@example.com", &admin);
    let Found {
        settings,
        source,
        confidence,
        ..
    } = found(step);
    assert_eq!((source, confidence), (Source::Admin, Confidence::High));
    assert_eq!(settings.imap.username, "jo");
    assert!(settings.same_credentials);
    // Another domain's settings don't apply.
    let (_, step) = start("jo@other.test", &admin);
    assert!(requests(&step, Purpose::DomainAutoconfig));
}

#[test]
fn invalid_admin_settings_are_ignored_with_a_reason() {
    let admin = vec![DomainSettings {
        domain: "example.com".into(),
        settings: MailSettings::new(
            server("https://mail.corp.test", 993, Security::ImplicitTls, "jo"),
            server("mail.corp.test", 587, Security::StartTls, "jo"),
        ),
    }];
    let (d, step) = start("jo@example.com", &admin);
    assert!(requests(&step, Purpose::DomainAutoconfig));
    assert_first_evidence(&d, "administrator");
}

#[test]
fn domain_autoconfig_beats_the_ispdb() {
    let (_, step) = domain_autoconfig_answers(SSL_CONFIG);
    let Found {
        settings,
        source,
        confidence,
        ..
    } = found(step);
    assert_eq!(
        (source, confidence),
        (Source::DomainAutoconfig, Confidence::High)
    );
    assert_eq!(
        settings.imap,
        Server {
            host: "imap.example.com".into(),
            port: 993,
            security: Security::ImplicitTls,
            username: "jo".into(),
            authentication: vec![inlay_core::provider::imap::Authentication::PasswordCleartext],
        }
    );
    assert_eq!(
        (settings.smtp.port, settings.smtp.security),
        (587, Security::StartTls)
    );
    assert_eq!(settings.smtp.username, "jo@example.com");
    assert!(!settings.same_credentials);
}

#[test]
fn well_known_then_ispdb_after_failures_recorded_as_evidence() {
    let html =
        "<!DOCTYPE html><html><head><title>Not here</title></head><body><p>Oops<br></body></html>";
    let (_, step) = run(
        "jo@example.com",
        &[],
        vec![
            (
                Purpose::DomainAutoconfig,
                AUTOCONFIG,
                Outcome::Transport {
                    failure: TransportFailure::Network,
                },
            ),
            (Purpose::DomainWellKnown, WELL_KNOWN, ok(html)),
            (Purpose::Ispdb, ISPDB, ok(SSL_CONFIG)),
        ],
    );
    let Found {
        source, evidence, ..
    } = found(step);
    assert_eq!(source, Source::Ispdb);
    assert!(evidence[0].contains("couldn't be reached"), "{evidence:?}");
    assert!(evidence[1].contains("readable settings"), "{evidence:?}");
}

#[test]
fn ispdb_404_then_mx_then_the_mx_domains_ispdb() {
    let doh = r#"{"Status":0,"Answer":[
        {"name":"example.com.","type":15,"TTL":300,"data":"20 mx2.mail.ovh.net."},
        {"name":"example.com.","type":15,"TTL":300,"data":"10 mx1.mail.ovh.net."}]}"#;
    let mut script = nothing_published_then_mx(doh);
    script.push((
        Purpose::MxIspdb,
        "https://autoconfig.thunderbird.net/v1.1/ovh.net",
        ok(SSL_CONFIG),
    ));
    let (_, step) = run("jo@example.com", &[], script);
    let Found {
        source,
        confidence,
        evidence,
        settings,
        ..
    } = found(step);
    assert_eq!((source, confidence), (Source::MxIspdb, Confidence::Medium));
    // Placeholders use the user's address, not the MX domain.
    assert_eq!(settings.imap.host, "imap.example.com");
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("mx1.mail.ovh.net") && e.contains("ovh.net")),
        "{evidence:?}"
    );
}

#[test]
fn everything_failing_ends_in_a_low_confidence_guess() {
    let (d, step) = run(
        "jo@example.com",
        &[],
        vec![
            (Purpose::DomainAutoconfig, AUTOCONFIG, status(500, &[])),
            (Purpose::DomainWellKnown, WELL_KNOWN, ok("not xml at all")),
            (
                Purpose::Ispdb,
                ISPDB,
                Outcome::Transport {
                    failure: TransportFailure::Timeout,
                },
            ),
            (Purpose::MxLookup, MX, ok(r#"{"Status":3}"#)),
        ],
    );
    let Found {
        settings,
        alternatives,
        source,
        confidence,
        evidence,
    } = found(step);
    assert_eq!((source, confidence), (Source::Guess, Confidence::Low));
    assert_eq!(
        (settings.imap.host.as_str(), settings.imap.port),
        ("imap.example.com", 993)
    );
    assert_eq!(
        (settings.smtp.host.as_str(), settings.smtp.port),
        ("smtp.example.com", 465)
    );
    assert_eq!(settings.imap.username, "jo@example.com");
    let hosts: Vec<_> = alternatives
        .iter()
        .map(|a| (a.imap.host.as_str(), a.smtp.host.as_str(), a.smtp.port))
        .collect();
    assert!(
        hosts.contains(&("mail.example.com", "mail.example.com", 587)),
        "{hosts:?}"
    );
    assert!(
        alternatives
            .iter()
            .all(|a| a.smtp.port != 587 || a.smtp.security == Security::StartTls)
    );
    assert_eq!(evidence.len(), 5, "{evidence:?}");
    assert_eq!(evidence, d.evidence());
}

#[test]
fn mx_on_the_domain_itself_goes_straight_to_the_guess() {
    let doh = r#"{"Status":0,"Answer":[{"type":15,"data":"10 mail.example.com."}]}"#;
    let (_, step) = run("jo@example.com", &[], nothing_published_then_mx(doh));
    assert!(
        matches!(
            step,
            Step::Done {
                result: Found {
                    source: Source::Guess,
                    ..
                }
            }
        ),
        "{step:?}"
    );
}

#[test]
fn https_redirects_are_followed_and_http_ones_refused() {
    let (d, step) = start("jo@example.com", &[]);
    let (d, step2) = resume(d, status(301, &[("location", "/v2/config.xml")]));
    assert!(matches!(step, Step::Http { .. }));
    let Step::Http { request, purpose } = step2 else {
        panic!("{step2:?}")
    };
    assert_eq!(
        (request.url.as_str(), purpose),
        (
            "https://autoconfig.example.com/v2/config.xml",
            Purpose::DomainAutoconfig
        )
    );
    let (d, step3) = resume(
        d,
        status(
            302,
            &[("location", "http://insecure.example.com/config.xml")],
        ),
    );
    assert!(
        matches!(
            step3,
            Step::Http {
                purpose: Purpose::DomainWellKnown,
                ..
            }
        ),
        "{step3:?}"
    );
    assert_first_evidence(&d, "isn't https");
}

#[test]
fn unusable_configs_move_on_with_the_reason() {
    let pop3_only = r#"<clientConfig version="1.1"><emailProvider id="p">
      <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
    </emailProvider></clientConfig>"#;
    let (d, step) = domain_autoconfig_answers(pop3_only);
    assert!(requests(&step, Purpose::DomainWellKnown));
    assert_first_evidence(&d, "only offers POP3");
}

#[test]
fn an_invalid_address_fails_with_its_code() {
    let (_, step) = start("not an address", &[]);
    let Step::Failed { error } = step else {
        panic!("{step:?}")
    };
    assert!(!error.code().is_empty() && !error.message().is_empty());
    let (_, step) = start("", &[]);
    assert!(
        matches!(step, Step::Failed { ref error } if error.code() == "empty"),
        "{step:?}"
    );
    // It crosses to the shell as {code, message}.
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(json["kind"], "failed");
    assert_eq!(json["error"]["code"], "empty");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Enter the email address")
    );
}

#[test]
fn steps_serialise_as_tagged_camel_case() {
    let (_, step) = start("jo@example.com", &[]);
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(json["kind"], "http");
    assert_eq!(json["purpose"], "domainAutoconfig");
    assert_eq!(json["request"]["method"], "GET");
    let (_, step) = domain_autoconfig_answers(SSL_CONFIG);
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(json["kind"], "done");
    let json = &json["result"];
    assert_eq!(json["source"], "domainAutoconfig");
    assert_eq!(json["confidence"], "high");
    assert_eq!(json["settings"]["imap"]["security"], "implicitTls");
    assert_eq!(json["settings"]["smtp"]["security"], "startTls");
    assert_eq!(json["settings"]["sameCredentials"], false);
}

#[test]
fn base_domains() {
    for (host, base) in [
        ("mx1.mail.ovh.net", "ovh.net"),
        ("aspmx.l.google.com.", "google.com"),
        ("mx.example.co.uk", "example.co.uk"),
        ("mail.provider.com.au", "provider.com.au"),
        ("ovh.net", "ovh.net"),
        ("co.uk", "co.uk"),
        ("localhost", "localhost"),
    ] {
        assert_eq!(base_domain(host), base, "{host}");
    }
}

#[test]
fn domain_origins_name_the_domains_own_hosts_still_to_be_read() {
    let (d, _) = start("ann@corp.example", &[]);
    assert_eq!(
        d.domain_origins(),
        [
            "https://autoconfig.corp.example/*",
            "https://corp.example/*"
        ]
    );
    let (d, _) = resume(d, not_found());
    assert_eq!(d.domain_origins(), ["https://corp.example/*"]);
    let (d, _) = resume(d, not_found());
    assert!(
        d.domain_origins().is_empty(),
        "the ISPDB and DNS are fixed hosts"
    );
}

#[test]
fn a_host_the_user_did_not_allow_is_passed_over_in_words() {
    let (d, _) = start("jo@example.com", &[]);
    let not_allowed = Input::Answer {
        answer: Answer::NotAllowed,
    };
    let (d, step) = resume_with(d, not_allowed.clone());
    assert!(requests(&step, Purpose::DomainWellKnown), "{step:?}");
    assert_eq!(
        d.evidence()[0],
        "autoconfig.example.com: not read, as you didn't allow Inlay to reach autoconfig.example.com."
    );
    let (d, step) = resume_with(d, not_allowed);
    assert!(requests(&step, Purpose::Ispdb), "{step:?}");
    assert!(
        d.evidence()[1].ends_with("you didn't allow Inlay to reach example.com."),
        "{:?}",
        d.evidence()
    );
    // It crosses from the shell as an answer.
    let input: Input<Answer> =
        serde_json::from_value(serde_json::json!({"kind": "answer", "answer": "notAllowed"}))
            .unwrap();
    assert_eq!(
        input,
        Input::Answer {
            answer: Answer::NotAllowed
        }
    );
}

/// A policy as the shell reads it from managed storage.
fn policy(json: serde_json::Value) -> AdminPolicy {
    serde_json::from_value(json).expect("any JSON value is a policy")
}

fn corp_settings(domain: &str) -> serde_json::Value {
    let server = |port| serde_json::json!({"host": "mail.corp.test", "port": port, "security": "implicitTls", "username": "%EMAILLOCALPART%"});
    serde_json::json!({"domain": domain, "settings": {"imap": server(993), "smtp": server(465), "sameCredentials": true}})
}

#[test]
fn a_misshapen_admin_entry_is_named_and_the_others_still_apply() {
    let admin = policy(serde_json::json!([
        {"domain": "example.com", "settings": {"imap": "mail.corp.test"}},
        42,
        corp_settings("other.test"),
    ]));
    // The domain's own entry is unusable: discovery goes on, and says why.
    let (d, step) = start_with("jo@example.com", &admin);
    assert!(requests(&step, Purpose::DomainAutoconfig), "{step:?}");
    let evidence = d.evidence().join("\n");
    assert!(
        evidence.contains("1 of your administrator's mail settings name no domain"),
        "{evidence}"
    );
    assert!(
        evidence.contains("Your administrator's settings for example.com were ignored: they are not in the expected shape"),
        "{evidence}"
    );
    // A well-shaped entry beside them still wins for its domain.
    let (_, step) = start_with("jo@other.test", &admin);
    let result = found(step);
    assert_eq!(result.source, Source::Admin);
    assert_eq!(result.settings.imap.username, "jo");
}

#[test]
fn an_admin_policy_that_is_not_a_list_is_named() {
    let (d, step) = start_with(
        "jo@example.com",
        &policy(serde_json::json!({"example.com": 1})),
    );
    assert!(requests(&step, Purpose::DomainAutoconfig), "{step:?}");
    assert!(
        d.evidence()[0].contains("policy is not a list of domains"),
        "{:?}",
        d.evidence()
    );
    let (d, _) = start_with("jo@example.com", &policy(serde_json::json!([])));
    assert!(d.evidence().is_empty());
}

#[test]
fn redirects_everywhere_still_end_within_the_request_cap() {
    let (mut d, mut step) = start("jo@example.com", &[]);
    let mut requests = 0;
    while let Step::Http { request, .. } = &step {
        requests += 1;
        assert!(requests <= MAX_REQUESTS, "{requests} requests");
        let next = format!("{}x", request.url.split('?').next().unwrap());
        let outcome = if request.url.contains("dns.google") {
            status(500, &[])
        } else {
            status(302, &[("location", next.as_str())])
        };
        (d, step) = resume(d, outcome);
    }
    assert_eq!(found(step).source, Source::Guess);
}
