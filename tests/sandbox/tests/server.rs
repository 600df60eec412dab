//! End to end over real sockets: the `inlay-sandbox` binary on ephemeral 127.0.0.1 ports,
//! driven through its control API and reached over HTTPS with the printed SPKI pin.

#[path = "support/client.rs"]
mod client;

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use client::SandboxProcess;

const ANN: &str = "ann@example.com";
const PROFILE: &str = "/gmail/v1/users/me/profile";

fn with_ann() -> SandboxProcess {
    let sandbox = SandboxProcess::start();
    let seed = json!({"accounts":[{"provider":"google","address":ANN,"displayName":"Ann","aliases":["sales@example.com"]}]});
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    sandbox
}

fn profile(sandbox: &SandboxProcess) -> std::io::Result<client::HttpResponse> {
    sandbox.https(
        "gmail.googleapis.com",
        "GET",
        PROFILE,
        &[("Authorization", &format!("Bearer sandbox-token:{ANN}"))],
        b"",
    )
}

fn add_fault(sandbox: &SandboxProcess, fault: Value) -> u64 {
    let (status, body) = sandbox.control("POST", "/faults", Some(&fault));
    assert_eq!(status, 200, "{body}");
    body["id"].as_u64().unwrap()
}

#[test]
fn ready_line_lists_every_host_and_the_pin_holds() {
    let sandbox = SandboxProcess::start();
    let ready = &sandbox.ready;
    assert_eq!(ready["event"], "ready");
    assert_eq!(ready["hosts"], json!(inlay_sandbox::hosts::names()));
    assert!(
        ready["controlUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let spki = base64::engine::general_purpose::STANDARD
        .decode(sandbox.spki.as_bytes())
        .unwrap();
    assert_eq!(spki.len(), 32, "base64 of a SHA-256");
    assert_eq!(
        sandbox.control("GET", "/health", None),
        (200, json!({"ok": true}))
    );

    // Every fake host completes a handshake whose certificate carries its name.
    for host in ready["hosts"].as_array().unwrap() {
        let host = host.as_str().unwrap();
        let r = sandbox
            .https(host, "GET", "/", &[], b"")
            .unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_ne!(r.status, 421, "{host}");
    }
    let wrong_pin = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
    assert!(
        sandbox
            .https_via(
                "dns.google",
                "dns.google",
                wrong_pin,
                true,
                "GET",
                "/",
                &[],
                b""
            )
            .is_err()
    );
}

#[test]
fn unknown_host_and_mismatched_sni_are_misdirected() {
    let sandbox = SandboxProcess::start();
    let pin = sandbox.spki.clone();
    let unknown = sandbox
        .https_via(
            "example.org",
            "example.org",
            pin.clone(),
            false,
            "GET",
            "/",
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(unknown.status, 421);
    let crossed = sandbox
        .https_via(
            "gmail.googleapis.com",
            "mail.google.com",
            pin,
            true,
            "GET",
            "/mail/u/0/",
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(crossed.status, 421);
}

#[test]
fn gmail_profile_with_and_without_a_token() {
    let sandbox = with_ann();
    let ok = profile(&sandbox).unwrap();
    assert_eq!(ok.status, 200);
    assert!(
        ok.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(ok.json()["emailAddress"], ANN);

    let denied = sandbox
        .https("gmail.googleapis.com", "GET", PROFILE, &[], b"")
        .unwrap();
    assert_eq!(denied.status, 401);
    assert_eq!(denied.json()["error"]["status"], "UNAUTHENTICATED");
    assert!(
        denied
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
}

#[test]
fn faults_then_recordings_then_reset() {
    let sandbox = with_ann();

    // 429 with Retry-After, once; the next request is served normally.
    let id = add_fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","method":"GET","pathPrefix":PROFILE,"times":1,"status":429,
               "headers":{"Retry-After":"7"},"body":"{\"error\":{\"code\":429}}"}),
    );
    let limited = profile(&sandbox).unwrap();
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("7"))
    );
    assert_eq!(limited.json()["error"]["code"], 429);
    assert_eq!(
        profile(&sandbox).unwrap().status,
        200,
        "times: 1 is used up"
    );

    // Connection closed without a byte of response.
    add_fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","times":1,"reset":true}),
    );
    let reset = profile(&sandbox);
    assert!(
        reset.as_ref().map_or(true, |r| r.raw_len == 0),
        "expected no response, got {reset:?}"
    );

    // A 200 whose JSON body is cut short.
    add_fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","times":1,"malformed":true}),
    );
    let malformed = profile(&sandbox).unwrap();
    assert_eq!(malformed.status, 200);
    assert!(
        malformed
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(serde_json::from_slice::<Value>(&malformed.body).is_err());

    // A delay, then normal service.
    add_fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","times":1,"delayMs":300}),
    );
    let started = Instant::now();
    assert_eq!(profile(&sandbox).unwrap().status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A POST body and a request to another host, for the filters.
    let posted = sandbox
        .https(
            "dns.google",
            "POST",
            "/resolve?name=x",
            &[("Content-Type", "text/plain")],
            "héllo".as_bytes(),
        )
        .unwrap();
    assert_eq!(posted.status, 405, "the DoH JSON API is GET only");

    let (status, recorded) = sandbox.control(
        "GET",
        &format!("/requests?host=gmail.googleapis.com&pathPrefix={PROFILE}"),
        None,
    );
    assert_eq!(status, 200);
    let recorded = recorded.as_array().unwrap();
    assert_eq!(recorded.len(), 5, "429, 200, reset, malformed, delayed");
    assert_eq!(recorded[0]["faultId"], id);
    assert!(recorded[1].get("faultId").is_none());
    assert!(
        recorded
            .windows(2)
            .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64())
    );
    let first = &recorded[0];
    assert_eq!(
        (
            first["host"].as_str(),
            first["method"].as_str(),
            first["path"].as_str()
        ),
        (Some("gmail.googleapis.com"), Some("GET"), Some(PROFILE))
    );
    assert!(first["headers"].as_array().unwrap().contains(&json!([
        "authorization",
        format!("Bearer sandbox-token:{ANN}")
    ])));

    let dns = sandbox.control("GET", "/requests?host=dns.google", None).1;
    assert_eq!(dns[0]["query"], "name=x");
    assert_eq!(
        (dns[0]["body"].as_str(), dns[0]["bodyBase64"].as_bool()),
        (Some("héllo"), Some(false))
    );
    assert_eq!(
        sandbox
            .control("GET", "/requests", None)
            .1
            .as_array()
            .unwrap()
            .len(),
        6
    );

    assert_eq!(sandbox.control("DELETE", "/requests", None).0, 200);
    assert_eq!(sandbox.control("GET", "/requests", None).1, json!([]));

    // Reset: accounts, faults and recordings are gone.
    add_fault(&sandbox, json!({"host":"dns.google","status":500}));
    assert_eq!(sandbox.control("POST", "/reset", None).0, 200);
    assert_eq!(sandbox.control("GET", "/faults", None).1, json!([]));
    assert_eq!(
        profile(&sandbox).unwrap().status,
        401,
        "the seeded account is gone"
    );
    assert_eq!(
        sandbox
            .control("GET", "/requests", None)
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn pages_and_lookups_over_the_wire() {
    let sandbox = with_ann();
    let gmail = sandbox
        .https("mail.google.com", "GET", "/mail/u/0/", &[], b"")
        .unwrap();
    assert_eq!(gmail.status, 200);
    let csp = gmail.header("content-security-policy").unwrap();
    let html = String::from_utf8(gmail.body.clone()).unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        html.contains(&format!("<script nonce=\"{nonce}\">")),
        "the page's own script carries the nonce"
    );
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("wasm"),
        "no WebAssembly in the page: {csp}"
    );
    assert!(html.contains(&format!("<title>Inbox - {ANN} - Gmail</title>")));

    let outlook = sandbox
        .https("outlook.office.com", "GET", "/mail/inbox", &[], b"")
        .unwrap();
    assert_eq!(outlook.status, 200);
    assert!(outlook.header("content-security-policy").is_some());

    let ispdb = sandbox
        .https(
            "autoconfig.thunderbird.net",
            "GET",
            "/v1.1/gmail.com",
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(ispdb.status, 200);
    assert!(String::from_utf8_lossy(&ispdb.body).contains("imap.gmail.com"));

    let seed = json!({"dns":[{"name":"example.com","type":"MX","data":"10 aspmx.l.google.com."}]});
    sandbox.control("POST", "/seed", Some(&seed));
    let mx = sandbox
        .https(
            "dns.google",
            "GET",
            "/resolve?name=example.com&type=MX",
            &[],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(mx["Answer"][0]["data"], "10 aspmx.l.google.com.");
    let nx = sandbox
        .https(
            "dns.google",
            "GET",
            "/resolve?name=nx.example&type=MX",
            &[],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(nx["Status"], 3);
}
