//! Autodiscover planning: candidate order, POX answers, redirects, the
//! confirmed HTTP probe, SRV, hop limit and failure messages; and where the
//! password goes: only to a host that asks for it with a Basic challenge,
//! and outside the user's domain only to a host the user confirmed, EWS
//! servers named by an answer included.

use inlay_core::http::{HttpResponse, Method, TransportFailure};
use inlay_core::machine::Moment;
use inlay_core::provider::ews::pox::PoxServerVersion;
use inlay_core::provider::ews::{
    Answer, AutodiscoverPlan, Credentials, Found, MAX_HOPS, Purpose, Redirect, Step,
};

type Input = inlay_core::machine::Input<Answer>;

/// Autodiscover uses neither time nor randomness.
const AT: Moment<'static> = Moment {
    now_ms: 0,
    random: &[],
};

/// The machine's calls without the moment it ignores.
trait Drive {
    fn start(&mut self) -> Step;
    fn resume(&mut self, input: Input) -> Step;
}

impl Drive for AutodiscoverPlan {
    fn start(&mut self) -> Step {
        inlay_core::machine::Machine::start(self, AT)
    }
    fn resume(&mut self, input: Input) -> Step {
        inlay_core::machine::Machine::resume(self, input, AT)
    }
}

/// The user's answer to a redirect question.
fn confirmed(accepted: bool) -> Input {
    Input::Answer {
        answer: Answer::Confirmed { accepted },
    }
}

/// The failure's message for the user.
#[track_caller]
fn failed_message(step: &Step) -> &str {
    match step {
        Step::Failed { error } => error.message(),
        other => panic!("expected failure, got {other:?}"),
    }
}

const AD: &str = "/autodiscover/autodiscover.xml";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/ews/autodiscover/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn creds() -> Credentials {
    Credentials::new("CONTOSO\\ana", "s3cret-p@ss")
}

fn plan() -> AutodiscoverPlan {
    AutodiscoverPlan::new("Ana@Contoso.com", creds(), false).unwrap()
}

fn resp(status: u16, body: &str) -> Input {
    Input::Response {
        response: HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        },
    }
}

/// A `401` with these `WWW-Authenticate` values.
fn challenge(schemes: &[&str]) -> Input {
    Input::Response {
        response: HttpResponse {
            status: 401,
            headers: schemes
                .iter()
                .map(|s| ("www-authenticate".to_string(), s.to_string()))
                .collect(),
            body: String::new(),
        },
    }
}

fn basic_challenge() -> Input {
    challenge(&["Basic realm=\"exchange\""])
}

fn has_credentials(step: &Step) -> bool {
    match step {
        Step::Http { request, .. } => request.headers.iter().any(|(k, _)| k == "Authorization"),
        _ => false,
    }
}

fn redirect(status: u16, location: &str) -> Input {
    Input::Response {
        response: HttpResponse {
            status,
            headers: vec![("location".into(), location.into())],
            body: String::new(),
        },
    }
}

fn url_of(step: &Step) -> (&str, Purpose) {
    match step {
        Step::Http { request, purpose } => (request.url.as_str(), *purpose),
        other => panic!("expected an HTTP step, got {other:?}"),
    }
}

fn failed_code(step: &Step) -> &str {
    match step {
        Step::Failed { error } => error.code(),
        other => panic!("expected failure, got {other:?}"),
    }
}

fn srv_answer(data: &[&str]) -> Input {
    let answers: Vec<String> = data
        .iter()
        .map(|d| {
            format!(
                r#"{{"name":"_autodiscover._tcp.contoso.com.","type":33,"TTL":300,"data":"{d}"}}"#
            )
        })
        .collect();
    resp(
        200,
        &format!(r#"{{"Status":0,"Answer":[{}]}}"#, answers.join(",")),
    )
}

#[test]
fn candidates_come_in_the_documented_order() {
    let mut p = plan();
    let mut step = p.start();
    let mut seen = vec![];
    loop {
        match &step {
            Step::Http { request, purpose } => {
                seen.push((request.method, request.url.clone(), *purpose));
                step = p.resume(resp(404, ""));
            }
            Step::Failed { error } => {
                let (code, message) = (error.code(), error.message());
                assert_eq!(code, "autodiscoverFailed");
                assert_eq!(
                    message,
                    "We couldn't find the Exchange server for contoso.com. Enter its EWS URL; it \
                     usually looks like https://mail.contoso.com/EWS/Exchange.asmx"
                );
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        seen,
        vec![
            (
                Method::Post,
                format!("https://contoso.com{AD}"),
                Purpose::Autodiscover
            ),
            (
                Method::Post,
                format!("https://autodiscover.contoso.com{AD}"),
                Purpose::Autodiscover
            ),
            (
                Method::Get,
                format!("http://autodiscover.contoso.com{AD}"),
                Purpose::RedirectProbe
            ),
            (
                Method::Get,
                "https://dns.google/resolve?name=_autodiscover._tcp.contoso.com&type=SRV".into(),
                Purpose::SrvLookup
            ),
        ]
    );
}

// The first POST used to carry the password to https://<domain>/ unasked
// (usually the public web site); now it goes without, and the same POST is
// repeated with Basic credentials only after the host's Basic challenge.
#[test]
fn post_carries_pox_body_and_basic_auth_only_when_challenged_and_the_probe_never() {
    let mut p = plan();
    let first = p.start();
    assert!(!has_credentials(&first), "{first:?}");
    let Step::Http { request, .. } = p.resume(basic_challenge()) else {
        panic!()
    };
    let Step::Http {
        request: unasked, ..
    } = first
    else {
        panic!()
    };
    assert_eq!(
        (&request.url, &request.body),
        (&unasked.url, &unasked.body),
        "the same POST, now with credentials"
    );
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("Content-Type").as_deref(),
        Some("text/xml; charset=utf-8")
    );
    // base64("CONTOSO\ana:s3cret-p@ss")
    assert_eq!(
        header("Authorization").as_deref(),
        Some("Basic Q09OVE9TT1xhbmE6czNjcmV0LXBAc3M=")
    );
    let body = request.body.as_deref().unwrap();
    assert!(
        body.contains("<EMailAddress>Ana@contoso.com</EMailAddress>"),
        "{body}"
    );
    assert!(body.contains(
        "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>"
    ));
    assert!(body.contains(
        "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\""
    ));
    p.resume(resp(500, ""));
    let Step::Http {
        request: probe,
        purpose,
    } = p.resume(Input::Transport {
        failure: TransportFailure::Network,
    })
    else {
        panic!()
    };
    assert_eq!(purpose, Purpose::RedirectProbe);
    assert!(probe.headers.iter().all(|(k, _)| k != "Authorization"));
    assert_eq!(probe.body, None);
}

#[test]
fn email_is_xml_escaped_in_the_body() {
    let mut p = AutodiscoverPlan::new("o'neil&co@contoso.com", creds(), false).unwrap();
    let Step::Http { request, .. } = p.start() else {
        panic!()
    };
    assert!(
        request
            .body
            .unwrap()
            .contains("<EMailAddress>o&apos;neil&amp;co@contoso.com</EMailAddress>")
    );
}

#[test]
fn settings_answer_finds_the_ews_url_and_version() {
    let mut p = plan();
    p.start();
    let step = p.resume(resp(200, &fixture("settings.xml")));
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "done", "result": {
            "ewsUrl": "https://mail.contoso.com/EWS/Exchange.asmx",
            "email": "Ana@contoso.com",
            "displayName": "Ana Lima",
            "serverVersion": {"major": 15, "minor": 1, "build": 2176}
        }})
    );
}

#[test]
fn pox_answers_table() {
    // (fixture, expected: Ok(ews url) | Err(next url or failure code))
    let cases: &[(&str, Result<&str, &str>)] = &[
        (
            "settings-expr-only.xml",
            Ok("https://external.contoso.com/EWS/Exchange.asmx"),
        ),
        ("settings-office365.xml", Err("exchangeOnline")),
        (
            "error-600.xml",
            Err("https://autodiscover.contoso.com/autodiscover/autodiscover.xml"),
        ),
        (
            "redirect-url.xml",
            Err("https://ad.contoso.com/autodiscover/autodiscover.xml"),
        ),
        (
            "redirect-addr.xml",
            Err("https://corp.contoso.com/autodiscover/autodiscover.xml"),
        ),
    ];
    for (name, expected) in cases {
        let mut p = plan();
        p.start();
        let step = p.resume(resp(200, &fixture(name)));
        match (expected, &step) {
            (
                Ok(url),
                Step::Done {
                    result: Found { ews_url, .. },
                },
            ) => assert_eq!(ews_url, url, "{name}"),
            (Err(url), Step::Http { request, .. }) => assert_eq!(&request.url, url, "{name}"),
            (Err(code), Step::Failed { error }) => assert_eq!(error.code(), *code, "{name}"),
            _ => panic!("{name}: unexpected {step:?}"),
        }
    }
}

#[test]
fn redirect_addr_restarts_with_the_new_address() {
    let mut p = plan();
    p.start();
    let Step::Http { request, .. } = p.resume(resp(200, &fixture("redirect-addr.xml"))) else {
        panic!()
    };
    assert!(
        request
            .body
            .unwrap()
            .contains("<EMailAddress>ana.lima@corp.contoso.com</EMailAddress>")
    );
    let Step::Done {
        result: Found { email, .. },
    } = p.resume(resp(200, &fixture("settings.xml")))
    else {
        panic!()
    };
    assert_eq!(email, "ana.lima@corp.contoso.com");
}

#[test]
fn garbage_and_http_errors_move_on() {
    for input in [
        resp(200, "<html><body>Welcome</body></html>"),
        resp(200, "not xml at all"),
        resp(302, ""),
        resp(503, ""),
        Input::Transport {
            failure: TransportFailure::Timeout,
        },
    ] {
        let mut p = plan();
        p.start();
        let step = p.resume(input);
        assert_eq!(
            url_of(&step).0,
            format!("https://autodiscover.contoso.com{AD}")
        );
    }
}

#[test]
fn a_busy_autodiscover_host_is_named_when_nothing_is_found() {
    let mut p = plan();
    let mut step = p.start();
    let mut first = true;
    while let Step::Http { .. } = step {
        // The domain's own host is overloaded; nothing else answers.
        step = p.resume(if first { resp(503, "") } else { resp(404, "") });
        first = false;
    }
    assert_eq!(failed_code(&step), "autodiscoverFailed");
    let message = failed_message(&step);
    assert!(
        message.contains("(contoso.com answered HTTP 503: the server may be busy or down")
            && message.contains("https://mail.contoso.com/EWS/Exchange.asmx"),
        "{message}"
    );
}

#[test]
fn redirect_url_must_be_https() {
    let mut p = plan();
    p.start();
    let body = fixture("redirect-url.xml").replace("https://ad.", "http://ad.");
    let step = p.resume(resp(200, &body));
    assert_eq!(
        url_of(&step).0,
        format!("https://autodiscover.contoso.com{AD}")
    );
}

// The refusal is now a 401 to the POST that carried the credentials (a 401
// to the first, credential-free POST is a challenge, not a refusal).
#[test]
fn a_401_everywhere_reports_the_credentials() {
    let mut p = plan();
    p.start();
    p.resume(basic_challenge());
    p.resume(basic_challenge());
    p.resume(basic_challenge());
    p.resume(basic_challenge());
    p.resume(resp(404, ""));
    let step = p.resume(resp(200, r#"{"Status":3}"#));
    assert_eq!(failed_code(&step), "unauthorized");
    let message = failed_message(&step);
    assert!(message.contains("app password"), "{message}");
}

fn to_probe(p: &mut AutodiscoverPlan) {
    p.start();
    p.resume(resp(404, ""));
    let step = p.resume(resp(404, ""));
    assert_eq!(url_of(&step).1, Purpose::RedirectProbe);
}

#[test]
fn probe_redirect_needs_confirmation() {
    let mut p = plan();
    to_probe(&mut p);
    let step = p.resume(redirect(
        302,
        "https://mail.contoso-hosting.net/Autodiscover/Autodiscover.xml",
    ));
    assert_eq!(
        serde_json::to_value(&step).unwrap(),
        serde_json::json!({"kind": "ask", "question": {
            "host": "mail.contoso-hosting.net",
            "url": "https://mail.contoso-hosting.net/Autodiscover/Autodiscover.xml"
        }})
    );
    let step = p.resume(confirmed(true));
    let Step::Http { request, purpose } = &step else {
        panic!()
    };
    assert_eq!(*purpose, Purpose::Autodiscover);
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url,
        "https://mail.contoso-hosting.net/Autodiscover/Autodiscover.xml"
    );
    // Confirmed, the host still gets the password only when it asks.
    assert!(!has_credentials(&step));
    let step = p.resume(basic_challenge());
    assert!(has_credentials(&step), "{step:?}");
    assert_eq!(
        url_of(&step).0,
        "https://mail.contoso-hosting.net/Autodiscover/Autodiscover.xml"
    );
}

#[test]
fn declined_or_unsafe_probe_redirects_skip_to_srv() {
    let mut p = plan();
    to_probe(&mut p);
    p.resume(redirect(
        301,
        "https://mail.contoso-hosting.net/autodiscover/autodiscover.xml",
    ));
    assert_eq!(url_of(&p.resume(confirmed(false))).1, Purpose::SrvLookup);
    for (status, location) in [
        (
            302,
            "http://mail.contoso-hosting.net/autodiscover/autodiscover.xml",
        ),
        (302, "https://mail.contoso-hosting.net/owa/"),
        (
            307,
            "https://mail.contoso-hosting.net/autodiscover/autodiscover.xml",
        ),
        (
            200,
            "https://mail.contoso-hosting.net/autodiscover/autodiscover.xml",
        ),
        (302, "not a url"),
    ] {
        let mut p = plan();
        to_probe(&mut p);
        assert_eq!(
            url_of(&p.resume(redirect(status, location))).1,
            Purpose::SrvLookup,
            "{status} {location}"
        );
    }
    let mut p = plan();
    to_probe(&mut p);
    let step = p.resume(redirect(
        302,
        "https://autodiscover-s.outlook.com/autodiscover/autodiscover.xml",
    ));
    assert_eq!(failed_code(&step), "exchangeOnline");
}

#[test]
fn srv_targets_are_tried_by_priority_then_weight() {
    let mut p = plan();
    to_probe(&mut p);
    p.resume(resp(404, ""));
    let step = p.resume(srv_answer(&[
        "10 5 443 b.contoso.com.",
        "0 1 443 c.contoso.com.",
        "0 9 8443 a.contoso.com.",
    ]));
    assert_eq!(url_of(&step).0, format!("https://a.contoso.com:8443{AD}"));
    assert_eq!(
        url_of(&p.resume(resp(404, ""))).0,
        format!("https://c.contoso.com{AD}")
    );
    assert_eq!(
        url_of(&p.resume(resp(404, ""))).0,
        format!("https://b.contoso.com{AD}")
    );
    assert_eq!(failed_code(&p.resume(resp(404, ""))), "autodiscoverFailed");
}

#[test]
fn unusable_srv_answers_end_discovery() {
    for input in [
        resp(200, r#"{"Status":3}"#),
        resp(200, "{oops"),
        resp(500, ""),
        srv_answer(&["0 0 0 ."]),
        Input::Transport {
            failure: TransportFailure::Network,
        },
    ] {
        let mut p = plan();
        to_probe(&mut p);
        p.resume(resp(404, ""));
        assert_eq!(failed_code(&p.resume(input)), "autodiscoverFailed");
    }
}

#[test]
fn redirect_loops_stop_at_the_hop_limit() {
    let mut p = plan();
    p.start();
    let redirect = fixture("redirect-url.xml");
    let mut requests = 0;
    let code = loop {
        match p.resume(resp(200, &redirect)) {
            Step::Http { .. } => requests += 1,
            Step::Failed { error } => break error.code(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(requests, MAX_HOPS);
    assert_eq!(code, "autodiscoverFailed");
}

#[test]
fn microsoft_365_signals_steer_to_the_microsoft_connection() {
    let mut p = AutodiscoverPlan::new("ana@contoso.com", creds(), true).unwrap();
    let step = p.start();
    assert_eq!(failed_code(&step), "exchangeOnline");
    let message = failed_message(&step);
    assert!(
        message.contains("Microsoft") && message.contains("Basic"),
        "{message}"
    );

    let mut p = plan();
    p.start();
    let body = fixture("redirect-addr.xml").replace("corp.contoso.com", "contoso.onmicrosoft.com");
    assert_eq!(failed_code(&p.resume(resp(200, &body))), "exchangeOnline");
}

#[test]
fn invalid_address_is_refused() {
    assert!(AutodiscoverPlan::new("ana@", creds(), false).is_err());
}

#[test]
fn plan_round_trips_through_json_and_debug_hides_the_password() {
    let mut p = plan();
    let step = p.start();
    let json = serde_json::to_string(&p).unwrap();
    let mut back: AutodiscoverPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    assert_eq!(
        url_of(&back.resume(resp(404, ""))).0,
        format!("https://autodiscover.contoso.com{AD}")
    );
    for debug in [
        format!("{p:?}"),
        format!("{step:?}"),
        format!("{:?}", creds()),
    ] {
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            !debug.contains("Q09OVE9TT1xhbmE6czNjcmV0LXBAc3M"),
            "{debug}"
        );
    }
    let Step::Http { request, .. } = step else {
        panic!()
    };
    assert!(!request.url.contains("s3cret"));
}

#[test]
fn origins_cover_the_awaited_request_and_every_queued_candidate() {
    let mut p = plan();
    let step = p.start();
    assert_eq!(url_of(&step).0, format!("https://contoso.com{AD}"));
    assert_eq!(
        p.origins(),
        [
            "https://contoso.com/*",
            "https://autodiscover.contoso.com/*",
            "http://autodiscover.contoso.com/*"
        ]
    );
    // After the first candidate fails it is no longer asked for.
    p.resume(Input::Transport {
        failure: TransportFailure::Network,
    });
    assert_eq!(
        p.origins(),
        [
            "https://autodiscover.contoso.com/*",
            "http://autodiscover.contoso.com/*"
        ]
    );
}

/// Feeds `inputs` one after the other; the last step.
fn drive(p: &mut AutodiscoverPlan, inputs: Vec<Input>) -> Step {
    let mut step = p.start();
    for input in inputs {
        step = p.resume(input);
    }
    step
}

fn srv_to(targets: &[&str]) -> Vec<Input> {
    // Both Autodiscover hosts and the probe find nothing, then the SRV answer.
    vec![
        resp(404, ""),
        resp(404, ""),
        resp(404, ""),
        srv_answer(targets),
    ]
}

#[test]
fn the_password_goes_only_to_a_basic_challenge_over_https() {
    let to_next = format!("https://autodiscover.contoso.com{AD}");
    let same = format!("https://contoso.com{AD}");
    // (answer to the first, credential-free POST; next URL; credentials on it)
    let cases: Vec<(&str, Input, &str, bool)> = vec![
        (
            "web site",
            resp(200, "<html><body>Welcome</body></html>"),
            &to_next,
            false,
        ),
        (
            "no page",
            resp(404, "<html>Not found</html>"),
            &to_next,
            false,
        ),
        ("Basic", basic_challenge(), &same, true),
        (
            "basic, lower case",
            challenge(&["basic realm=\"x\""]),
            &same,
            true,
        ),
        (
            "Basic among others",
            challenge(&["Negotiate", "NTLM", "Basic realm=\"x\""]),
            &same,
            true,
        ),
        (
            "joined by fetch",
            challenge(&["Negotiate, NTLM, Basic realm=\"x\""]),
            &same,
            true,
        ),
        (
            "NTLM only",
            challenge(&["Negotiate", "NTLM"]),
            &to_next,
            false,
        ),
        ("no challenge", resp(401, ""), &to_next, false),
        (
            "Bearer",
            challenge(&["Bearer realm=\"x\""]),
            &to_next,
            false,
        ),
        (
            "Basic in a quoted realm",
            challenge(&["Bearer realm=\"Basic\""]),
            &to_next,
            false,
        ),
    ];
    for (name, input, url, credentials) in cases {
        let mut p = plan();
        let step = drive(&mut p, vec![input]);
        assert_eq!(url_of(&step).0, url, "{name}");
        assert_eq!(has_credentials(&step), credentials, "{name}");
    }
    // A host that answers without asking for credentials never gets them.
    let mut p = plan();
    let step = drive(&mut p, vec![resp(200, &fixture("settings.xml"))]);
    assert!(matches!(step, Step::Done { .. }), "{step:?}");
}

#[test]
fn a_host_gets_the_credentials_once() {
    let mut p = plan();
    // contoso.com asks, refuses them; autodiscover.contoso.com sends Inlay
    // back to contoso.com, which asks again: it is not sent them again.
    let back = fixture("redirect-url.xml").replace("https://ad.contoso.com", "https://contoso.com");
    let mut step = p.start();
    let mut sent = vec![];
    for input in [
        basic_challenge(),
        basic_challenge(),
        resp(200, &back),
        basic_challenge(),
        resp(404, ""),
        srv_answer(&[]),
    ] {
        if has_credentials(&step) {
            sent.push(url_of(&step).0.to_string());
        }
        step = p.resume(input);
    }
    assert_eq!(sent, [format!("https://contoso.com{AD}")]);
    assert_eq!(failed_code(&step), "unauthorized");
}

#[test]
fn windows_only_sign_in_is_explained() {
    let ntlm = || challenge(&["Negotiate", "NTLM"]);
    let mut p = plan();
    let step = drive(
        &mut p,
        vec![resp(404, ""), ntlm(), resp(404, ""), srv_answer(&[])],
    );
    assert_eq!(failed_code(&step), "basicAuthUnavailable");
    let message = failed_message(&step);
    assert_eq!(
        message,
        "The Exchange server at autodiscover.contoso.com accepts only Windows sign-in (NTLM or \
         Kerberos), and Inlay can sign in only with a password (Basic authentication). Ask your \
         administrator to allow Basic authentication over HTTPS for Autodiscover and EWS; if EWS \
         already allows it, enter its EWS URL, which usually looks like \
         https://mail.contoso.com/EWS/Exchange.asmx"
    );
    // Another host that offers Basic still finds the server...
    let mut p = plan();
    let step = drive(
        &mut p,
        vec![
            ntlm(),
            basic_challenge(),
            resp(200, &fixture("settings.xml")),
        ],
    );
    assert!(matches!(step, Step::Done { .. }), "{step:?}");
    // ...and a refused password is the likelier story.
    let mut p = plan();
    let step = drive(
        &mut p,
        vec![
            ntlm(),
            basic_challenge(),
            basic_challenge(),
            resp(404, ""),
            srv_answer(&[]),
        ],
    );
    assert_eq!(failed_code(&step), "unauthorized");
}

/// (name; answers that reach the host; Some(the host asked about) or None:
/// contacted as is; the next request after declining, None: no request)
type OutsideCase = (
    &'static str,
    Vec<Input>,
    Option<&'static str>,
    Option<String>,
);

#[test]
fn hosts_outside_the_domain_are_confirmed_before_they_are_contacted() {
    let redirect_url = |host: &str| {
        resp(
            200,
            &fixture("redirect-url.xml").replace("ad.contoso.com", host),
        )
    };
    let redirect_addr = |domain: &str| {
        resp(
            200,
            &fixture("redirect-addr.xml").replace("corp.contoso.com", domain),
        )
    };
    let srv_end = "https://dns.google/resolve?name=_autodiscover._tcp.contoso.com&type=SRV";
    let cases: Vec<OutsideCase> = vec![
        (
            "SRV",
            srv_to(&["0 0 443 mail.hoster.example."]),
            Some("mail.hoster.example"),
            None,
        ),
        (
            "SRV, a look-alike",
            srv_to(&["0 0 443 mail.badcontoso.com."]),
            Some("mail.badcontoso.com"),
            None,
        ),
        (
            "SRV, own domain",
            srv_to(&["0 0 443 mail.contoso.com."]),
            None,
            None,
        ),
        (
            "redirectUrl",
            vec![redirect_url("ad.hoster.example")],
            Some("ad.hoster.example"),
            Some(format!("https://autodiscover.contoso.com{AD}")),
        ),
        (
            "redirectUrl, own subdomain",
            vec![redirect_url("ad.eu.contoso.com")],
            None,
            None,
        ),
        (
            "redirectAddr",
            vec![redirect_addr("hoster.example")],
            Some("hoster.example"),
            // The next candidate of the new domain is outside too: asked, not contacted.
            None,
        ),
        (
            "redirectAddr, own subdomain",
            vec![redirect_addr("corp.contoso.com")],
            None,
            None,
        ),
    ];
    for (name, inputs, asked, after_no) in cases {
        let mut p = plan();
        let step = drive(&mut p, inputs);
        let Some(host) = asked else {
            assert_eq!(url_of(&step).1, Purpose::Autodiscover, "{name}");
            assert!(!has_credentials(&step), "{name}");
            continue;
        };
        let Step::Ask {
            question: Redirect { host: named, url },
        } = &step
        else {
            panic!("{name}: expected a question, got {step:?}")
        };
        assert_eq!(named, host, "{name}");
        // Not in the browser's permission prompt before the user said yes.
        let pattern = format!("https://{host}/*");
        assert!(!p.origins().contains(&pattern), "{name}: {:?}", p.origins());

        // Yes: the host is contacted, without credentials until it asks.
        let mut yes = p.clone();
        let step = yes.resume(confirmed(true));
        assert_eq!(url_of(&step).0, url, "{name}");
        assert!(!has_credentials(&step), "{name}");
        assert!(yes.origins().contains(&pattern), "{name}");
        let step = yes.resume(basic_challenge());
        assert!(
            has_credentials(&step) && url_of(&step).0 == url,
            "{name}: {step:?}"
        );

        // No: the host is sent nothing; the plan moves on.
        let step = p.resume(confirmed(false));
        match (&after_no, &step) {
            (Some(next), Step::Http { request, .. }) => assert_eq!(&request.url, next, "{name}"),
            (None, Step::Failed { error }) => {
                assert_eq!(error.code(), "autodiscoverFailed", "{name}")
            }
            (
                None,
                Step::Ask {
                    question: Redirect { host: other, .. },
                },
            ) => assert_ne!(other, host, "{name}"),
            _ => panic!("{name}: after no, {step:?}"),
        }
        assert!(
            !matches!(&step, Step::Http { request, .. } if request.url.contains(host)),
            "{name}"
        );
    }
    // The SRV end of the plan is a DoH lookup, not a question.
    let mut p = plan();
    assert_eq!(url_of(&drive(&mut p, srv_to(&[])[..3].to_vec())).0, srv_end);
}

#[test]
fn a_declined_host_is_not_asked_about_again() {
    let mut p = plan();
    let step = drive(
        &mut p,
        srv_to(&[
            "0 0 443 mail.hoster.example.",
            "1 0 8443 mail.hoster.example.",
        ]),
    );
    assert!(matches!(step, Step::Ask { .. }), "{step:?}");
    let step = p.resume(confirmed(false));
    assert_eq!(failed_code(&step), "autodiscoverFailed");

    // A confirmed host is not asked about again either.
    let mut p = plan();
    drive(
        &mut p,
        srv_to(&[
            "0 0 443 mail.hoster.example.",
            "1 0 8443 mail.hoster.example.",
        ]),
    );
    p.resume(confirmed(true));
    let step = p.resume(resp(404, ""));
    assert_eq!(
        url_of(&step).0,
        format!("https://mail.hoster.example:8443{AD}")
    );
}

/// A settings answer whose EWS URL (both protocols) is `ews_url`.
fn settings_naming(ews_url: &str) -> Input {
    let body = fixture("settings.xml")
        .replace("https://mail.contoso.com/EWS/Exchange.asmx", ews_url)
        .replace("https://external.contoso.com/EWS/Exchange.asmx", ews_url);
    resp(200, &body)
}

/// (name; answers before the one naming the EWS URL; that URL; Some(the
/// host asked about) or None: found as is; the next request after
/// declining, None: discovery fails)
type EwsCase = (
    &'static str,
    Vec<Input>,
    &'static str,
    Option<&'static str>,
    Option<String>,
);

// An answer, even an unauthenticated 200 from the public web site, used to end
// discovery `found` with an EWS URL on any host, and the EWS check sent the
// password there. Outside the user's domain the user now confirms it first.
#[test]
fn an_ews_url_outside_the_domain_is_confirmed_before_it_is_found() {
    let next_post = Some(format!("https://autodiscover.contoso.com{AD}"));
    let confirmed_srv = |answers: &[Input]| {
        let mut inputs = srv_to(&["0 0 443 mail.hoster.example."]);
        inputs.push(confirmed(true));
        inputs.extend(answers.iter().cloned());
        inputs
    };
    let cases: Vec<EwsCase> = vec![
        (
            "own domain, unauthenticated answer",
            vec![],
            "https://mail.contoso.com/EWS/Exchange.asmx",
            None,
            None,
        ),
        (
            "own subdomain, after the challenge",
            vec![basic_challenge()],
            "https://ews.eu.contoso.com/EWS/Exchange.asmx",
            None,
            None,
        ),
        (
            "outside, unauthenticated answer (the web site)",
            vec![],
            "https://mail.hoster.example/EWS/Exchange.asmx",
            Some("mail.hoster.example"),
            next_post.clone(),
        ),
        (
            "outside, after the challenge",
            vec![basic_challenge()],
            "https://mail.hoster.example/EWS/Exchange.asmx",
            Some("mail.hoster.example"),
            next_post.clone(),
        ),
        (
            "a look-alike",
            vec![],
            "https://mail.badcontoso.com/EWS/Exchange.asmx",
            Some("mail.badcontoso.com"),
            next_post.clone(),
        ),
        (
            "an IP address",
            vec![],
            "https://203.0.113.7/EWS/Exchange.asmx",
            Some("203.0.113.7"),
            next_post,
        ),
        (
            "the confirmed Autodiscover host names itself",
            confirmed_srv(&[basic_challenge()]),
            "https://MAIL.hoster.example./EWS/Exchange.asmx",
            None,
            None,
        ),
        (
            "the confirmed Autodiscover host names another outside host",
            confirmed_srv(&[basic_challenge()]),
            "https://ews.hoster.example/EWS/Exchange.asmx",
            Some("ews.hoster.example"),
            None,
        ),
    ];
    for (name, mut inputs, ews, asked, after_no) in cases {
        inputs.push(settings_naming(ews));
        let mut p = plan();
        let step = drive(&mut p, inputs);
        let Some(host) = asked else {
            let Step::Done {
                result: Found { ews_url, .. },
            } = &step
            else {
                panic!("{name}: expected found, got {step:?}")
            };
            assert_eq!(ews_url, ews, "{name}");
            continue;
        };
        assert_eq!(
            step,
            Step::Ask {
                question: Redirect {
                    host: host.into(),
                    url: ews.into()
                }
            },
            "{name}"
        );
        // The question survives the plan's trip through JSON (the binding's).
        let json = serde_json::to_string(&p).unwrap();
        let mut yes: AutodiscoverPlan = serde_json::from_str(&json).unwrap();
        let step = yes.resume(confirmed(true));
        let expected = Step::Done {
            result: Found {
                ews_url: ews.into(),
                email: "Ana@contoso.com".into(),
                display_name: Some("Ana Lima".into()),
                server_version: Some(PoxServerVersion {
                    major: 15,
                    minor: 1,
                    build: 2176,
                }),
            },
        };
        assert_eq!(step, expected, "{name}");

        // No: the plan moves on, and the host is sent nothing.
        let step = p.resume(confirmed(false));
        match (&after_no, &step) {
            (Some(next), Step::Http { request, .. }) => {
                assert_eq!(&request.url, next, "{name}");
                assert!(!has_credentials(&step), "{name}");
            }
            (None, Step::Failed { error }) => {
                assert_eq!(error.code(), "autodiscoverFailed", "{name}")
            }
            _ => panic!("{name}: after no, {step:?}"),
        }
    }
}

#[test]
fn a_declined_ews_host_is_not_asked_about_again() {
    let elsewhere = "https://mail.hoster.example/EWS/Exchange.asmx";
    let mut p = plan();
    let step = drive(&mut p, vec![settings_naming(elsewhere)]);
    assert!(matches!(step, Step::Ask { .. }), "{step:?}");
    p.resume(confirmed(false));
    // autodiscover.<domain> names the same server: skipped without a question.
    let step = p.resume(settings_naming(elsewhere));
    assert_eq!(
        url_of(&step),
        (
            format!("http://autodiscover.contoso.com{AD}").as_str(),
            Purpose::RedirectProbe
        )
    );

    // A host confirmed through the HTTP probe is not asked about twice.
    let mut p = plan();
    let step = drive(
        &mut p,
        vec![
            resp(404, ""),
            resp(404, ""),
            redirect(302, &format!("https://mail.hoster.example{AD}")),
        ],
    );
    assert!(matches!(step, Step::Ask { .. }), "{step:?}");
    p.resume(confirmed(true));
    p.resume(basic_challenge());
    let step = p.resume(settings_naming(elsewhere));
    assert!(
        matches!(&step, Step::Done { result: Found { ews_url, .. } } if ews_url == elsewhere),
        "{step:?}"
    );
}

#[test]
fn hosts_the_user_did_not_allow_are_passed_over_and_named() {
    let mut p = plan();
    p.start();
    // The browser may not reach the domain's own host, nor autodiscover.<domain>.
    let origins = p.origins();
    assert_eq!(
        origins,
        [
            "https://contoso.com/*",
            "https://autodiscover.contoso.com/*",
            "http://autodiscover.contoso.com/*"
        ]
    );
    let step = p.resume(Input::Answer {
        answer: Answer::NotAllowed {
            origins: origins[..2].to_vec(),
        },
    });
    // Neither is planned again, nor asked for; the probe still is.
    assert_eq!(
        url_of(&step),
        (
            format!("http://autodiscover.contoso.com{AD}").as_str(),
            Purpose::RedirectProbe
        )
    );
    assert_eq!(p.origins(), ["http://autodiscover.contoso.com/*"]);
    let step = p.resume(Input::Answer {
        answer: Answer::NotAllowed {
            origins: vec!["http://autodiscover.contoso.com/*".into()],
        },
    });
    assert_eq!(url_of(&step).1, Purpose::SrvLookup);
    let step = p.resume(resp(200, r#"{"Status":3}"#));
    assert_eq!(
        failed_message(&step),
        "We couldn't find the Exchange server for contoso.com. Inlay didn't contact \
         contoso.com, autodiscover.contoso.com, as you didn't allow it to. Enter its EWS URL; \
         it usually looks like https://mail.contoso.com/EWS/Exchange.asmx"
    );
    // It crosses from the shell as an answer.
    let input: Input = serde_json::from_value(serde_json::json!(
        {"kind": "answer", "answer": {"kind": "notAllowed", "origins": ["https://contoso.com/*"]}}
    ))
    .unwrap();
    assert!(matches!(
        input,
        Input::Answer {
            answer: Answer::NotAllowed { .. }
        }
    ));
}

#[test]
fn failures_cross_as_code_and_message() {
    let mut p = AutodiscoverPlan::new("ana@contoso.com", creds(), true).unwrap();
    let json = serde_json::to_value(p.start()).unwrap();
    assert_eq!(json["kind"], "failed");
    assert_eq!(json["error"]["code"], "exchangeOnline");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Microsoft")
    );
}

#[test]
fn a_step_carrying_the_password_hides_it_in_debug() {
    let mut p = plan();
    p.start();
    let step = p.resume(basic_challenge());
    assert!(has_credentials(&step), "{step:?}");
    let debug = format!("{step:?}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert!(
        !debug.contains("Q09OVE9TT1xhbmE6czNjcmV0LXBAc3M"),
        "{debug}"
    );
}

#[test]
fn a_failure_suggests_the_usual_ews_url_except_for_exchange_online() {
    let mut p = AutodiscoverPlan::new("ana@contoso.com", creds(), true).unwrap();
    let json = serde_json::to_value(p.start()).unwrap();
    assert_eq!(json["error"]["code"], "exchangeOnline");
    assert_eq!(json["error"]["suggestedUrl"], serde_json::Value::Null);
    let mut p = plan();
    let mut step = p.start();
    while let Step::Http { .. } = step {
        step = p.resume(resp(404, ""));
    }
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(json["error"]["code"], "autodiscoverFailed");
    assert_eq!(
        json["error"]["suggestedUrl"],
        "https://mail.contoso.com/EWS/Exchange.asmx"
    );
    let Step::Failed { error } = &step else {
        panic!("{step:?}")
    };
    assert!(error.message().ends_with(error.suggested_url().unwrap()));
}
