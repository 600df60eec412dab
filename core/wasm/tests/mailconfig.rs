//! The mail settings bindings as JS sees them: field names, kinds, numbers
//! that are numbers, `invalidSettings` thrown with its field, and a
//! discovery handle driven with JS values.

use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

mod support;
use inlay_wasm::MailDiscoveryMachine;
use support::{get, js, json_of, number, stepped, stringify, text};

/// `Date.now()` as the shell passes it.
const NOW: f64 = 1_800_000_000_000.0;

const SSL_CONFIG: &str = include_str!("../../tests/fixtures/mailconfig/example-ssl.xml");

fn settings(imap_host: &str, imap_port: u16) -> Value {
    json!({
        "imap": {"host": imap_host, "port": imap_port, "security": "implicitTls", "username": "%EMAILADDRESS%"},
        "smtp": {"host": "smtp.example.com", "port": 465, "security": "implicitTls", "username": "%EMAILADDRESS%"},
        "sameCredentials": true
    })
}

/// A discovery handle and its first step (as `{step}`).
fn start(address: &str, admin: Value) -> (MailDiscoveryMachine, JsValue) {
    let mut discovery = MailDiscoveryMachine::new(address, js(admin)).unwrap();
    let step = discovery.start(NOW, &[7; 128]).unwrap();
    (discovery, stepped(step))
}

fn resume(discovery: &mut MailDiscoveryMachine, outcome: Value) -> JsValue {
    stepped(discovery.resume(js(outcome), NOW, &[7; 128]).unwrap())
}

fn not_found() -> Value {
    json!({"kind": "response", "response": {"status": 404, "headers": [], "body": ""}})
}

#[wasm_bindgen_test]
fn admin_settings_are_found_at_once() {
    let admin = json!([{"domain": "Example.com", "settings": settings("imap.%EMAILDOMAIN%", 993)}]);
    let (_, r) = start("jo@example.com", admin);
    assert_eq!(text(&r, "step.kind"), "done", "{}", stringify(&r));
    assert_eq!(text(&r, "step.result.source"), "admin");
    assert_eq!(text(&r, "step.result.confidence"), "high");
    assert_eq!(
        text(&r, "step.result.settings.imap.host"),
        "imap.example.com"
    );
    assert_eq!(number(&r, "step.result.settings.imap.port"), 993.0);
    assert_eq!(
        text(&r, "step.result.settings.imap.security"),
        "implicitTls"
    );
    assert_eq!(
        text(&r, "step.result.settings.smtp.username"),
        "jo@example.com"
    );
    assert_eq!(
        get(&r, "step.result.settings.sameCredentials").as_bool(),
        Some(true)
    );
    assert!(js_sys::Array::is_array(&get(
        &r,
        "step.result.alternatives"
    )));
    assert!(!text(&r, "step.result.evidence.0").is_empty());
}

#[wasm_bindgen_test]
fn discovery_driven_from_js_values() {
    let (mut d, r) = start("jo@example.com", json!([]));
    assert_eq!(text(&r, "step.kind"), "http");
    assert_eq!(text(&r, "step.purpose"), "domainAutoconfig");
    assert_eq!(text(&r, "step.request.method"), "GET");
    assert!(text(&r, "step.request.url").starts_with("https://autoconfig.example.com/"));

    let r = resume(&mut d, json!({"kind": "transport", "failure": "network"}));
    assert_eq!(text(&r, "step.kind"), "http");
    assert_eq!(text(&r, "step.purpose"), "domainWellKnown");

    let r = resume(&mut d, not_found());
    assert_eq!(text(&r, "step.purpose"), "ispdb");
    assert!(text(&r, "step.request.url").starts_with("https://autoconfig.thunderbird.net/"));

    let r = resume(
        &mut d,
        json!({"kind": "response", "response": {"status": 200,
            "headers": [["content-type", "text/xml"]], "body": SSL_CONFIG}}),
    );
    assert_eq!(text(&r, "step.kind"), "done", "{}", stringify(&r));
    assert_eq!(text(&r, "step.result.source"), "ispdb");
    assert_eq!(
        json_of(&get(&r, "step.result.settings.imap")),
        json!({"host": "imap.example.com", "port": 993, "security": "implicitTls",
            "username": "jo", "authentication": ["passwordCleartext"]})
    );
    assert_eq!(text(&r, "step.result.settings.smtp.security"), "startTls");
    assert_eq!(number(&r, "step.result.settings.smtp.port"), 587.0);
    // The two failed sources are explained to the user.
    assert!(
        json_of(&get(&r, "step.result.evidence"))
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
}

#[wasm_bindgen_test]
fn an_invalid_address_is_a_failed_step() {
    let (_, r) = start("no-at-sign", json!([]));
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "missingAt");
    assert!(!text(&r, "step.error.message").is_empty());
}

#[wasm_bindgen_test]
fn wrong_shapes_are_invalid_argument() {
    let err = inlay_wasm::mail_settings_validate(js(json!({"imap": {}}))).unwrap_err();
    assert_eq!(text(&err, "code"), "invalidArgument", "{}", stringify(&err));
    assert!(!text(&err, "message").is_empty());
    let (mut d, _) = start("jo@example.com", json!([]));
    let err = d
        .resume(js(json!({"kind": "confirmed"})), NOW, &[])
        .unwrap_err();
    assert_eq!(text(&err, "code"), "invalidArgument");
    assert!(text(&err, "message").contains("input"));
}

// A policy that is not a list used to be thrown back as invalidArgument; the
// policy is now read leniently by design (issue 10): discovery goes on, and
// its evidence names what could not be used.
#[wasm_bindgen_test]
fn an_admin_policy_that_is_not_a_list_is_named_not_thrown() {
    let (mut d, mut r) = start("jo@example.com", json!({"domain": "x"}));
    assert_eq!(text(&r, "step.kind"), "http", "{}", stringify(&r));
    assert_eq!(text(&r, "step.purpose"), "domainAutoconfig");
    // The state stays in the handle: the evidence the user reads says it.
    while text(&r, "step.kind") == "http" {
        r = resume(&mut d, not_found());
    }
    assert!(
        stringify(&get(&r, "step.result.evidence")).contains("policy is not a list of domains"),
        "{}",
        stringify(&r)
    );
}

#[wasm_bindgen_test]
fn validate_returns_null_or_throws_invalid_settings_with_the_field() {
    let ok = inlay_wasm::mail_settings_validate(js(settings("imap.example.com", 993))).unwrap();
    assert!(ok.is_null());

    let err = inlay_wasm::mail_settings_validate(js(settings("imaps://imap.example.com", 993)))
        .unwrap_err();
    assert_eq!(text(&err, "code"), "invalidSettings");
    assert_eq!(text(&err, "field"), "imap.host");
    assert!(text(&err, "message").starts_with("Incoming (IMAP) server name"));

    let err = inlay_wasm::mail_settings_validate(js(settings("imap.example.com", 0))).unwrap_err();
    assert_eq!(
        json_of(&err),
        json!({"code": "invalidSettings", "field": "imap.port",
            "message": "Incoming (IMAP) server port: must be a number from 1 to 65535."})
    );
}

/// Drives an `ImapLoginMachine` over `settings` whose helper accepts both logins.
fn logins_verified(settings: Value) -> JsValue {
    let pins = json!({"imap": null, "smtp": null});
    let mut check = inlay_wasm::ImapLoginMachine::new(js(settings), "pw", None, js(pins)).unwrap();
    let imap = check.start(NOW, &[7; 128]).unwrap();
    assert_eq!(text(&imap, "kind"), "helper", "{}", stringify(&imap));
    assert_eq!(text(&imap, "call.op"), "imapCheck");
    assert_eq!(text(&imap, "call.args.password"), "pw");
    assert_eq!(text(&imap, "purpose"), "imap");
    let reply = json!({"kind": "helperReply", "reply": null});
    let smtp = check.resume(js(reply.clone()), NOW, &[7; 128]).unwrap();
    assert_eq!(text(&smtp, "call.op"), "smtpCheck");
    let done = check.resume(js(reply), NOW, &[7; 128]).unwrap();
    assert_eq!(text(&done, "kind"), "done", "{}", stringify(&done));
    done
}

#[wasm_bindgen_test]
fn the_sent_copy_is_decided_by_smtp_host_with_the_logins() {
    let other = logins_verified(settings("imap.example.com", 993));
    assert_eq!(get(&other, "result.appendToSent").as_bool(), Some(true));
    let mut gmail = settings("imap.gmail.com", 993);
    gmail["smtp"]["host"] = json!("smtp.gmail.com");
    assert_eq!(
        get(&logins_verified(gmail), "result.appendToSent").as_bool(),
        Some(false)
    );
}

#[wasm_bindgen_test]
fn a_refused_certificate_crosses_for_review_and_a_check_failure_with_its_outcome() {
    let pins = json!({"imap": null, "smtp": null});
    let mut check = inlay_wasm::ImapLoginMachine::new(
        js(settings("imap.example.com", 993)),
        "pw",
        None,
        js(pins),
    )
    .unwrap();
    check.start(NOW, &[]).unwrap();
    let certificate = json!({"subject": "CN=imap.example.com", "issuer": "CN=ca", "notBefore": "a",
        "notAfter": "b", "spkiSha256": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="});
    let failed = json!({"kind": "helperFailed", "code": "untrustedCertificate",
        "message": "UnknownIssuer", "certificate": certificate});
    let end = check.resume(js(failed), NOW, &[]).unwrap();
    assert_eq!(text(&end, "error.code"), "reviewCertificate");
    assert_eq!(text(&end, "error.review.server"), "imap");
    assert_eq!(json_of(&get(&end, "error.review.certificate")), certificate);
    let err = check
        .resume(js(json!({"kind": "helperFailed"})), NOW, &[])
        .unwrap_err();
    assert_eq!(text(&err, "code"), "invalidArgument");

    let trust = json!({"trustAnyCertificate": false});
    let mut check = inlay_wasm::ImapCheckMachine::new(
        js(settings("imap.example.com", 993)),
        js(trust),
        "pw",
        None,
    )
    .unwrap();
    check.start(NOW, &[]).unwrap();
    let failed = json!({"kind": "helperFailed", "code": "wrongPassword", "message": "", "certificate": null});
    let end = check.resume(js(failed), NOW, &[]).unwrap();
    assert_eq!(text(&end, "error.outcome"), "needsReauthentication");
    assert!(inlay_wasm::ImapCheckMachine::new(js(json!({})), js(json!({})), "pw", None).is_err());
}

#[wasm_bindgen_test]
fn discovery_origins_helper_errors_and_host_patterns_as_js_sees_them() {
    let (d, _) = start("ann@corp.example", json!([]));
    let origins = d.origins().unwrap();
    assert_eq!(
        json_of(&origins),
        json!([
            "https://autoconfig.corp.example/*",
            "https://corp.example/*"
        ])
    );
    let failure =
        inlay_wasm::mail_helper_error(js(json!("smtp")), "h", 587, "wrongPassword", "").unwrap();
    assert_eq!(text(&failure, "code"), "wrongPassword");
    assert_eq!(text(&failure, "disposition"), "reauthenticate");
    assert!(inlay_wasm::mail_helper_error(js(json!("pop3")), "h", 1, "x", "").is_err());
    assert_eq!(
        inlay_wasm::host_pattern("https://a.example:1/x?y").as_deref(),
        Some("https://a.example/*")
    );
    assert_eq!(inlay_wasm::host_pattern("ftp://a.example/"), None);
}

#[wasm_bindgen_test]
fn usual_settings_shape() {
    let usual = inlay_wasm::mail_usual_settings("ann@corp.example").unwrap();
    assert_eq!(text(&usual, "imap.host"), "imap.corp.example");
    assert_eq!(number(&usual, "smtp.port"), 465.0);
    assert!(inlay_wasm::mail_usual_settings("nope").unwrap().is_null());
}
