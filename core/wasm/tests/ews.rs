//! The EWS bindings as JS sees them: field names, kinds, numbers that are
//! numbers, errors thrown as `{code, message}`, the password only inside
//! the planned request's `Authorization` header (the plan and the check keep
//! theirs inside their handles), and a whole Autodiscover run driven with the
//! core's canned answers.

use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

mod support;
use inlay_wasm::{AutodiscoverMachine, EwsCheckMachine};
use support::{get, js, json_of, number, stepped, stringify, text};

const USER: &str = "CONTOSO\\ana";
const PASSWORD: &str = "Zq7-pa55word-xyzzy";
const EWS: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const AD: &str = "/autodiscover/autodiscover.xml";
const T0: u64 = 1_800_000_000_000;
/// `Date.now()` as the shell passes it.
const NOW: f64 = T0 as f64;

const ERROR_600: &str = include_str!("../../tests/fixtures/ews/autodiscover/error-600.xml");
const REDIRECT_ADDR: &str = include_str!("../../tests/fixtures/ews/autodiscover/redirect-addr.xml");
const REDIRECT_URL: &str = include_str!("../../tests/fixtures/ews/autodiscover/redirect-url.xml");
const SETTINGS: &str = include_str!("../../tests/fixtures/ews/autodiscover/settings.xml");
const SETTINGS_O365: &str =
    include_str!("../../tests/fixtures/ews/autodiscover/settings-office365.xml");
const GET_FOLDER: &str = include_str!("../../tests/fixtures/ews/get-folder-response.xml");
const MAILBOX_NOT_FOUND: &str =
    include_str!("../../tests/fixtures/ews/get-folder-error-nonexistent-mailbox.xml");
const CREATE_ITEM: &str = include_str!("../../tests/fixtures/ews/create-item-response.xml");
const SERVER_BUSY: &str =
    include_str!("../../tests/fixtures/ews/create-item-error-server-busy.xml");

fn assert_error(err: &JsValue, code: &str) {
    assert_eq!(text(err, "code"), code, "{}", stringify(err));
    assert!(!text(err, "message").is_empty());
    assert_no_password(err);
}

/// The value's JSON with the one allowed place of the password emptied: the
/// values of `Authorization` headers.
fn without_allowed_secrets(value: &JsValue) -> String {
    fn blank_auth(v: &mut Value) {
        match v {
            Value::Array(items) => {
                let is_auth = items.len() == 2
                    && items[0]
                        .as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case("authorization"));
                if is_auth {
                    items[1] = Value::String(String::new());
                } else {
                    items.iter_mut().for_each(blank_auth);
                }
            }
            Value::Object(map) => map.values_mut().for_each(blank_auth),
            _ => {}
        }
    }
    let mut v = json_of(value);
    blank_auth(&mut v);
    v.to_string()
}

fn assert_no_password(value: &JsValue) {
    let shown = without_allowed_secrets(value);
    assert!(!shown.contains(PASSWORD), "password leaked: {shown}");
}

/// The `Authorization` header of a planned request, decoded.
fn basic_auth(request: &JsValue) -> String {
    use base64::Engine;
    let headers = json_of(&get(request, "headers"));
    let value = headers
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "Authorization")
        .and_then(|h| h[1].as_str())
        .unwrap_or_else(|| panic!("no Authorization in {headers}"))
        .to_string();
    let encoded = value.strip_prefix("Basic ").expect("Basic scheme");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    String::from_utf8(raw).unwrap()
}

fn response(status: u16, headers: Value, body: &str) -> JsValue {
    js(
        json!({"kind": "response", "response": {"status": status, "headers": headers, "body": body}}),
    )
}

/// A `401` asking for Basic credentials.
fn basic_challenge() -> JsValue {
    response(
        401,
        json!([["www-authenticate", "Basic realm=\"exchange\""]]),
        "",
    )
}

fn has_authorization(r: &JsValue) -> bool {
    json_of(&get(r, "step.request.headers"))
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "Authorization")
}

fn xml(body: &str) -> JsValue {
    response(
        200,
        json!([["content-type", "text/xml; charset=utf-8"]]),
        body,
    )
}

/// The user's answer to the redirect question.
fn confirmed(accepted: bool) -> JsValue {
    js(json!({"kind": "answer", "answer": {"kind": "confirmed", "accepted": accepted}}))
}

fn attempt(number: u32) -> JsValue {
    js(json!({"number": number, "afterRefresh": false, "nowMs": T0, "jitter": 0}))
}

/// The plan's handle and its first step (as `{step}`).
fn start_for(email: &str, microsoft365_mx: bool) -> (AutodiscoverMachine, JsValue) {
    let mut plan = AutodiscoverMachine::new(email, USER, PASSWORD, microsoft365_mx).unwrap();
    let step = stepped(plan.start(NOW, &[7; 128]).unwrap());
    (plan, step)
}

fn start() -> (AutodiscoverMachine, JsValue) {
    start_for("Ana@Contoso.com", false)
}

fn resume(plan: &mut AutodiscoverMachine, input: JsValue) -> JsValue {
    let next = stepped(plan.resume(input, NOW, &[7; 128]).unwrap());
    assert_no_password(&next);
    next
}

fn assert_http(r: &JsValue, method: &str, url: &str, purpose: &str) {
    assert_eq!(text(r, "step.kind"), "http", "{}", stringify(r));
    assert_eq!(text(r, "step.request.method"), method);
    assert_eq!(text(r, "step.request.url"), url);
    assert_eq!(text(r, "step.purpose"), purpose);
}

// The first POST used to carry the password unasked (the leak issue 8 §1
// closes): it now goes without, and the same POST with Basic credentials
// follows the host's Basic challenge.
#[wasm_bindgen_test]
fn autodiscover_start_plans_a_pox_post_with_credentials_only_when_challenged() {
    let (mut plan, r) = start();
    assert_http(
        &r,
        "POST",
        &format!("https://contoso.com{AD}"),
        "autodiscover",
    );
    assert_eq!(text(&r, "step.request.headers.0.0"), "Content-Type");
    assert!(!has_authorization(&r), "{}", stringify(&r));
    let challenged = resume(&mut plan, basic_challenge());
    assert_http(
        &challenged,
        "POST",
        &format!("https://contoso.com{AD}"),
        "autodiscover",
    );
    assert_eq!(
        basic_auth(&get(&challenged, "step.request")),
        format!("{USER}:{PASSWORD}")
    );
    // Local part kept, domain lower-cased.
    assert!(text(&r, "step.request.body").contains("<EMailAddress>Ana@contoso.com</EMailAddress>"));
    // The plan (with the credentials) stays in its handle: JS sees only the
    // step, and the password only in the challenged POST's Authorization.
    assert_eq!(
        json_of(&r).as_object().unwrap().len(),
        1,
        "{}",
        stringify(&r)
    );
    assert_no_password(&r);
}

#[wasm_bindgen_test]
fn autodiscover_start_throws_the_address_error() {
    let err = AutodiscoverMachine::new("no-at-sign", USER, PASSWORD, false)
        .err()
        .unwrap();
    assert_error(&err, "missingAt");
}

#[wasm_bindgen_test]
fn microsoft_365_mx_fails_at_once() {
    let (_, r) = start_for("ana@contoso.com", true);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "exchangeOnline");
    assert!(text(&r, "step.error.message").contains("Microsoft 365"));
    assert_no_password(&r);

    // An answer naming Exchange Online ends discovery the same way.
    let r = resume(&mut start().0, xml(SETTINGS_O365));
    assert_eq!(text(&r, "step.error.code"), "exchangeOnline");
}

#[wasm_bindgen_test]
fn whole_autodiscover_run_from_js_values() {
    // 1. https://contoso.com answers with an Autodiscover error.
    let (mut plan, _) = start();
    let r = resume(&mut plan, xml(ERROR_600));
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.contoso.com{AD}"),
        "autodiscover",
    );

    // 2. autodiscover.contoso.com redirects to another address.
    let r = resume(&mut plan, xml(REDIRECT_ADDR));
    assert_http(
        &r,
        "POST",
        &format!("https://corp.contoso.com{AD}"),
        "autodiscover",
    );
    assert!(
        text(&r, "step.request.body")
            .contains("<EMailAddress>ana.lima@corp.contoso.com</EMailAddress>")
    );

    // 3. A network failure, then a 404, move on to the HTTP redirect probe.
    let r = resume(
        &mut plan,
        js(json!({"kind": "transport", "failure": "network"})),
    );
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.corp.contoso.com{AD}"),
        "autodiscover",
    );
    let r = resume(&mut plan, response(404, json!([]), ""));
    assert_http(
        &r,
        "GET",
        &format!("http://autodiscover.corp.contoso.com{AD}"),
        "redirectProbe",
    );
    assert_eq!(
        json_of(&get(&r, "step.request.headers")),
        json!([]),
        "the probe carries no credentials"
    );

    // 4. The probe's redirect is confirmed by the user.
    let target = format!("https://mail.corp.contoso.com{AD}");
    let r = resume(&mut plan, response(302, json!([["location", target]]), ""));
    assert_eq!(text(&r, "step.kind"), "ask");
    assert_eq!(text(&r, "step.question.host"), "mail.corp.contoso.com");
    assert_eq!(text(&r, "step.question.url"), target);
    let r = resume(&mut plan, confirmed(true));
    assert_http(&r, "POST", &target, "autodiscover");
    assert!(!has_authorization(&r), "confirmed, but not yet asked");
    let r = resume(&mut plan, basic_challenge());
    assert_http(&r, "POST", &target, "autodiscover");
    assert_eq!(
        basic_auth(&get(&r, "step.request")),
        format!("{USER}:{PASSWORD}")
    );

    // 5. That server redirects to a URL, which has the settings.
    let r = resume(&mut plan, xml(REDIRECT_URL));
    assert_http(
        &r,
        "POST",
        &format!("https://ad.contoso.com{AD}"),
        "autodiscover",
    );
    let r = resume(&mut plan, xml(SETTINGS));
    assert_eq!(text(&r, "step.kind"), "done", "{}", stringify(&r));
    assert_eq!(text(&r, "step.result.ewsUrl"), EWS);
    assert_eq!(text(&r, "step.result.email"), "ana.lima@corp.contoso.com");
    assert_eq!(text(&r, "step.result.displayName"), "Ana Lima");
    // ServerVersion 73C18880 decodes to 15.1.2176, as JS numbers.
    assert_eq!(number(&r, "step.result.serverVersion.major"), 15.0);
    assert_eq!(number(&r, "step.result.serverVersion.minor"), 1.0);
    assert_eq!(number(&r, "step.result.serverVersion.build"), 2176.0);
}

#[wasm_bindgen_test]
fn declined_redirect_and_exhausted_candidates_fail_with_a_sentence() {
    let (mut plan, _) = start();
    // Both hosts ask for the password and refuse it.
    for _ in 0..4 {
        resume(&mut plan, basic_challenge());
    }
    let r = resume(
        &mut plan,
        response(
            301,
            json!([["location", format!("https://elsewhere.example{AD}")]]),
            "",
        ),
    );
    assert_eq!(text(&r, "step.kind"), "ask");
    let r = resume(&mut plan, confirmed(false));
    assert_http(
        &r,
        "GET",
        "https://dns.google/resolve?name=_autodiscover._tcp.contoso.com&type=SRV",
        "srvLookup",
    );
    let r = resume(&mut plan, response(200, json!([]), r#"{"Status":3}"#));
    assert_eq!(text(&r, "step.kind"), "failed");
    // A server refused the credentials: the failure says so.
    assert_eq!(text(&r, "step.error.code"), "unauthorized");
    assert!(text(&r, "step.error.message").contains("contoso.com"));
}

#[wasm_bindgen_test]
fn an_ews_url_outside_the_domain_is_asked_about_through_the_binding() {
    // The domain's web site answers the credential-free POST naming an EWS
    // server elsewhere: the plan, holding that answer, stays in its handle.
    let elsewhere = "https://mail.hoster.example/EWS/Exchange.asmx";
    let answer = SETTINGS
        .replace(EWS, elsewhere)
        .replace("https://external.contoso.com/EWS/Exchange.asmx", elsewhere);
    let (mut plan, _) = start();
    let asked = resume(&mut plan, xml(&answer));
    assert_eq!(text(&asked, "step.kind"), "ask");
    assert_eq!(text(&asked, "step.question.host"), "mail.hoster.example");
    assert_eq!(text(&asked, "step.question.url"), elsewhere);
    assert_no_password(&get(&asked, "step"));

    let r = resume(&mut plan, confirmed(true));
    assert_eq!(text(&r, "step.kind"), "done", "{}", stringify(&r));
    assert_eq!(text(&r, "step.result.ewsUrl"), elsewhere);
    assert_eq!(text(&r, "step.result.displayName"), "Ana Lima");
    assert_eq!(number(&r, "step.result.serverVersion.build"), 2176.0);

    // The same question declined (a second plan brought to it).
    let (mut plan, _) = start();
    assert_eq!(text(&resume(&mut plan, xml(&answer)), "step.kind"), "ask");
    let r = resume(&mut plan, confirmed(false));
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.contoso.com{AD}"),
        "autodiscover",
    );
}

#[wasm_bindgen_test]
fn wrong_shapes_are_invalid_argument_without_the_password() {
    let err = start()
        .0
        .resume(js(json!({"kind": "nope"})), NOW, &[])
        .unwrap_err();
    assert_error(&err, "invalidArgument");
    assert!(text(&err, "message").contains("input"));
    // (A misshapen plan or check, which the message once had to describe
    // without quoting its password, can no longer be passed: both are handles.)

    // The check machine (which replaced ewsVerifyResult) refuses a misshapen input.
    let err = check_start()
        .0
        .resume(js(json!({"kind": "response"})), NOW, &[])
        .unwrap_err();
    assert_error(&err, "invalidArgument");
    let err =
        inlay_wasm::ews_send_result(EWS, js(json!({"kind": "response"})), attempt(0)).unwrap_err();
    assert_error(&err, "invalidArgument");
}

/// The check's handle and its first step (as `{step}`).
fn check_start() -> (EwsCheckMachine, JsValue) {
    let mut check = EwsCheckMachine::new(EWS, USER, PASSWORD);
    let step = stepped(check.start(NOW, &[]).unwrap());
    (check, step)
}

/// Resume the check with `input` at `now`, the jitter drawn from `random`.
fn check_resume(check: &mut EwsCheckMachine, input: JsValue, now: f64, random: &[u8]) -> JsValue {
    let next = stepped(check.resume(input, now, random).unwrap());
    assert_no_password(&next);
    next
}

/// The check's first step (was `ewsVerifyPlan`) is the same SOAP request.
#[wasm_bindgen_test]
fn check_starts_with_a_soap_post_with_basic_auth() {
    let (_, r) = check_start();
    assert_eq!(text(&r, "step.kind"), "http", "{}", stringify(&r));
    assert_eq!(text(&r, "step.purpose"), "getFolder");
    let req = get(&r, "step.request");
    assert_eq!(text(&req, "method"), "POST");
    assert_eq!(text(&req, "url"), EWS);
    assert!(get(&req, "headers.0.0").is_string() && get(&req, "headers.0.1").is_string());
    assert_eq!(basic_auth(&req), format!("{USER}:{PASSWORD}"));
    assert!(text(&req, "body").contains("GetFolder"));
    assert_no_password(&r);
}

/// What `ewsVerifyResult` answered, now the check machine's steps: done,
/// failed with the outcome "Check connection" reports, or a wait the machine
/// plans itself (the retry decision moved into the core).
#[wasm_bindgen_test]
fn check_is_done_failed_or_waits() {
    let r = check_resume(&mut check_start().0, xml(GET_FOLDER), NOW, &[]);
    assert_eq!(
        json_of(&get(&r, "step")),
        json!({"kind": "done", "result": {
            "inbox": {"id": "AAMkAGInbox=", "changeKey": "AQAAABYAAAInbox"},
            "server": {"majorVersion": 15, "minorVersion": 1, "majorBuildNumber": 2507, "version": "V2017_07_11"},
            "build": "15.1.2507"}})
    );
    assert_eq!(number(&r, "step.result.server.majorVersion"), 15.0);

    let r = check_resume(&mut check_start().0, response(401, json!([]), ""), NOW, &[]);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "wrongPassword");
    assert_eq!(text(&r, "step.error.outcome"), "needsReauthentication");
    assert!(!text(&r, "step.error.message").is_empty());

    let r = check_resume(&mut check_start().0, xml(MAILBOX_NOT_FOUND), NOW, &[]);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "mailboxNotFound");
    assert_eq!(text(&r, "step.error.outcome"), "failed");

    // The highest jitter lands on the ceiling of the first retry: the short
    // interactive one (Backoff::INTERACTIVE, 500 ms), not the provider's.
    let timeout = || js(json!({"kind": "transport", "failure": "timeout"}));
    let (mut check, _) = check_start();
    let r = check_resume(&mut check, timeout(), NOW, &[0xff; 4]);
    assert_eq!(text(&r, "step.kind"), "wait", "{}", stringify(&r));
    assert_eq!(number(&r, "step.untilMs"), NOW + 500.0);
    assert!(!text(&r, "step.reason").is_empty());
    // After the wait, the same request again.
    let r = check_resume(&mut check, js(json!({"kind": "timer"})), NOW + 500.0, &[]);
    assert_eq!(text(&r, "step.kind"), "http");
    assert_eq!(text(&r, "step.purpose"), "getFolder");

    // Someone is waiting: after a few quick retries the check fails in words.
    let network = || js(json!({"kind": "transport", "failure": "network"}));
    let (mut check, _) = check_start();
    for _ in 0..3 {
        let r = check_resume(&mut check, network(), NOW, &[]);
        assert_eq!(text(&r, "step.kind"), "wait", "{}", stringify(&r));
        check_resume(&mut check, js(json!({"kind": "timer"})), NOW, &[]);
    }
    let r = check_resume(&mut check, network(), NOW, &[]);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "retriesExhausted");
    assert!(
        text(&r, "step.error.message").contains("could not be reached"),
        "{}",
        stringify(&r)
    );
}

#[wasm_bindgen_test]
fn send_plan_carries_the_mime_and_send_result_is_sent_or_a_disposition() {
    let mime = b"From: Ana <ana@contoso.com>\r\nTo: bo@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";
    let req = inlay_wasm::ews_send_plan(EWS, USER, PASSWORD, mime).unwrap();
    assert_eq!(text(&req, "method"), "POST");
    assert_eq!(text(&req, "url"), EWS);
    assert_eq!(basic_auth(&req), format!("{USER}:{PASSWORD}"));
    let body = text(&req, "body");
    assert!(
        body.contains("SendAndSaveCopy") && body.contains("MimeContent"),
        "{body}"
    );
    assert_no_password(&req);

    let r = inlay_wasm::ews_send_result(EWS, xml(CREATE_ITEM), attempt(0)).unwrap();
    assert_eq!(json_of(&r), json!({"kind": "sent"}));

    let r = inlay_wasm::ews_send_result(EWS, xml(SERVER_BUSY), attempt(0)).unwrap();
    assert_eq!(text(&r, "kind"), "retryAfter");
    assert_eq!(number(&r, "afterMs"), 5_000.0);

    let r = inlay_wasm::ews_send_result(EWS, response(401, json!([]), ""), attempt(0)).unwrap();
    assert_eq!(text(&r, "kind"), "reauthenticate");
    assert_no_password(&r);
}

#[wasm_bindgen_test]
fn origins_and_url_check_shapes() {
    let origins = start().0.origins().unwrap();
    assert_eq!(
        json_of(&origins),
        json!([
            "https://contoso.com/*",
            "https://autodiscover.contoso.com/*",
            "http://autodiscover.contoso.com/*"
        ])
    );
    let ok = inlay_wasm::ews_url_check(EWS).unwrap();
    assert_eq!(text(&ok, "url"), EWS);
    assert_eq!(text(&ok, "origin"), "https://mail.contoso.com/*");
    assert_error(
        &inlay_wasm::ews_url_check("http://mail.contoso.com/EWS/Exchange.asmx").unwrap_err(),
        "invalidEwsUrl",
    );
}

#[wasm_bindgen_test]
fn detection_hosted_by_microsoft_is_a_boolean() {
    let outlook = inlay_wasm::DetectMachine::new("ada@outlook.com")
        .start(0.0, &[])
        .unwrap();
    assert_eq!(
        inlay_wasm::detection_hosted_by_microsoft(get(&outlook, "result")),
        Ok(true)
    );
    let gmail = inlay_wasm::DetectMachine::new("ada@gmail.com")
        .start(0.0, &[])
        .unwrap();
    assert_eq!(
        inlay_wasm::detection_hosted_by_microsoft(get(&gmail, "result")),
        Ok(false)
    );
}
