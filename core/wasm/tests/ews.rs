//! The EWS bindings as JS sees them: field names, kinds, numbers that are
//! numbers, errors thrown as `{code, message}`, the password only inside
//! the planned request's `Authorization` header (and the Autodiscover plan's
//! documented `credentials`), and a whole Autodiscover run driven with the
//! core's canned answers (the plan stored as JSON between steps).

use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

mod support;
use support::{get, js, json_of, number, stored, stringify, text};

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

/// The value's JSON with the allowed places of the password emptied: the
/// values of `Authorization` headers, `plan.credentials.password` and
/// `check.credentials.password` (both documented: worker memory only).
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
    for holder in ["/plan/credentials", "/check/credentials"] {
        if let Some(creds) = v.pointer_mut(holder).and_then(Value::as_object_mut) {
            creds.remove("password");
        }
    }
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

fn start() -> JsValue {
    inlay_wasm::autodiscover_start("Ana@Contoso.com", USER, PASSWORD, false, NOW).unwrap()
}

fn resume(r: &JsValue, input: JsValue) -> JsValue {
    let next = inlay_wasm::autodiscover_resume(stored(&get(r, "plan")), input, NOW).unwrap();
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
    let r = start();
    assert_http(
        &r,
        "POST",
        &format!("https://contoso.com{AD}"),
        "autodiscover",
    );
    assert_eq!(text(&r, "step.request.headers.0.0"), "Content-Type");
    assert!(!has_authorization(&r), "{}", stringify(&r));
    let challenged = resume(&r, basic_challenge());
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
    assert!(text(&r, "step.request.body").contains("<EMailAddress>Ana@contoso.com</EMailAddress>"));
    // The plan is a plain object in camelCase; its credentials are the one
    // documented place the password is kept between steps.
    assert_eq!(
        text(&r, "plan.email"),
        "Ana@contoso.com",
        "local part kept, domain lower-cased"
    );
    assert_eq!(get(&r, "plan.microsoft365Mx").as_bool(), Some(false));
    assert_eq!(number(&r, "plan.hops"), 0.0);
    assert_eq!(text(&r, "plan.credentials.username"), USER);
    assert_eq!(text(&r, "plan.credentials.password"), PASSWORD);
    assert_no_password(&r);
}

#[wasm_bindgen_test]
fn autodiscover_start_throws_the_address_error() {
    let err = inlay_wasm::autodiscover_start("no-at-sign", USER, PASSWORD, false, NOW).unwrap_err();
    assert_error(&err, "missingAt");
}

#[wasm_bindgen_test]
fn microsoft_365_mx_fails_at_once() {
    let r = inlay_wasm::autodiscover_start("ana@contoso.com", USER, PASSWORD, true, NOW).unwrap();
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "exchangeOnline");
    assert!(text(&r, "step.error.message").contains("Microsoft 365"));
    assert_no_password(&r);

    // An answer naming Exchange Online ends discovery the same way.
    let r = resume(&start(), xml(SETTINGS_O365));
    assert_eq!(text(&r, "step.error.code"), "exchangeOnline");
}

#[wasm_bindgen_test]
fn whole_autodiscover_run_from_js_values() {
    // 1. https://contoso.com answers with an Autodiscover error.
    let r = start();
    let r = resume(&r, xml(ERROR_600));
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.contoso.com{AD}"),
        "autodiscover",
    );

    // 2. autodiscover.contoso.com redirects to another address.
    let r = resume(&r, xml(REDIRECT_ADDR));
    assert_eq!(text(&r, "plan.email"), "ana.lima@corp.contoso.com");
    assert_http(
        &r,
        "POST",
        &format!("https://corp.contoso.com{AD}"),
        "autodiscover",
    );
    assert!(text(&r, "step.request.body").contains("ana.lima@corp.contoso.com"));

    // 3. A network failure, then a 404, move on to the HTTP redirect probe.
    let r = resume(&r, js(json!({"kind": "transport", "failure": "network"})));
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.corp.contoso.com{AD}"),
        "autodiscover",
    );
    let r = resume(&r, response(404, json!([]), ""));
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
    let r = resume(&r, response(302, json!([["location", target]]), ""));
    assert_eq!(text(&r, "step.kind"), "ask");
    assert_eq!(text(&r, "step.question.host"), "mail.corp.contoso.com");
    assert_eq!(text(&r, "step.question.url"), target);
    let r = resume(&r, confirmed(true));
    assert_http(&r, "POST", &target, "autodiscover");
    assert!(!has_authorization(&r), "confirmed, but not yet asked");
    let r = resume(&r, basic_challenge());
    assert_http(&r, "POST", &target, "autodiscover");
    assert_eq!(
        basic_auth(&get(&r, "step.request")),
        format!("{USER}:{PASSWORD}")
    );

    // 5. That server redirects to a URL, which has the settings.
    let r = resume(&r, xml(REDIRECT_URL));
    assert_http(
        &r,
        "POST",
        &format!("https://ad.contoso.com{AD}"),
        "autodiscover",
    );
    assert!(number(&r, "plan.hops") >= 2.0);
    let r = resume(&r, xml(SETTINGS));
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
    let mut r = start();
    // Both hosts ask for the password and refuse it.
    for _ in 0..4 {
        r = resume(&r, basic_challenge());
    }
    let r = resume(
        &r,
        response(
            301,
            json!([["location", format!("https://elsewhere.example{AD}")]]),
            "",
        ),
    );
    assert_eq!(text(&r, "step.kind"), "ask");
    let r = resume(&r, confirmed(false));
    assert_http(
        &r,
        "GET",
        "https://dns.google/resolve?name=_autodiscover._tcp.contoso.com&type=SRV",
        "srvLookup",
    );
    let r = resume(&r, response(200, json!([]), r#"{"Status":3}"#));
    assert_eq!(text(&r, "step.kind"), "failed");
    // A server refused the credentials: the failure says so.
    assert_eq!(text(&r, "step.error.code"), "unauthorized");
    assert!(text(&r, "step.error.message").contains("contoso.com"));
}

#[wasm_bindgen_test]
fn an_ews_url_outside_the_domain_is_asked_about_through_the_binding() {
    // The domain's web site answers the credential-free POST naming an EWS
    // server elsewhere: the plan, holding that answer, crosses the binding.
    let elsewhere = "https://mail.hoster.example/EWS/Exchange.asmx";
    let answer = SETTINGS
        .replace(EWS, elsewhere)
        .replace("https://external.contoso.com/EWS/Exchange.asmx", elsewhere);
    let asked = resume(&start(), xml(&answer));
    assert_eq!(text(&asked, "step.kind"), "ask");
    assert_eq!(text(&asked, "step.question.host"), "mail.hoster.example");
    assert_eq!(text(&asked, "step.question.url"), elsewhere);
    assert_no_password(&get(&asked, "step"));

    let r = resume(&asked, confirmed(true));
    assert_eq!(text(&r, "step.kind"), "done", "{}", stringify(&r));
    assert_eq!(text(&r, "step.result.ewsUrl"), elsewhere);
    assert_eq!(text(&r, "step.result.displayName"), "Ana Lima");
    assert_eq!(number(&r, "step.result.serverVersion.build"), 2176.0);

    let r = resume(&asked, confirmed(false));
    assert_http(
        &r,
        "POST",
        &format!("https://autodiscover.contoso.com{AD}"),
        "autodiscover",
    );
}

#[wasm_bindgen_test]
fn wrong_shapes_are_invalid_argument_without_the_password() {
    let err =
        inlay_wasm::autodiscover_resume(get(&start(), "plan"), js(json!({"kind": "nope"})), NOW)
            .unwrap_err();
    assert_error(&err, "invalidArgument");
    assert!(text(&err, "message").contains("input"));

    // serde would quote the offending value; for the plan it must not.
    let mut plan = json_of(&get(&start(), "plan"));
    plan["credentials"] = json!(PASSWORD);
    let err = inlay_wasm::autodiscover_resume(js(plan), confirmed(true), NOW).unwrap_err();
    assert_error(&err, "invalidArgument");
    assert!(text(&err, "message").contains("plan"));

    // The check machine (which replaced ewsVerifyResult) refuses a misshapen
    // input, and a misshapen check without quoting its password.
    let err = inlay_wasm::ews_check_resume(
        get(&check_start(), "check"),
        js(json!({"kind": "response"})),
        NOW,
        &[],
    )
    .unwrap_err();
    assert_error(&err, "invalidArgument");
    let mut check = json_of(&get(&check_start(), "check"));
    check["credentials"] = json!(PASSWORD);
    let err = inlay_wasm::ews_check_resume(js(check), xml(GET_FOLDER), NOW, &[]).unwrap_err();
    assert_error(&err, "invalidArgument");
    assert!(text(&err, "message").contains("check"));
    let err =
        inlay_wasm::ews_send_result(EWS, js(json!({"kind": "response"})), attempt(0)).unwrap_err();
    assert_error(&err, "invalidArgument");
}

fn check_start() -> JsValue {
    inlay_wasm::ews_check_start(EWS, USER, PASSWORD, NOW, &[]).unwrap()
}

/// Resume the check with `input` at `now`, the jitter drawn from `random`.
fn check_resume(r: &JsValue, input: JsValue, now: f64, random: &[u8]) -> JsValue {
    let next = inlay_wasm::ews_check_resume(stored(&get(r, "check")), input, now, random).unwrap();
    assert_no_password(&next);
    next
}

/// The check's first step (was `ewsVerifyPlan`) is the same SOAP request.
#[wasm_bindgen_test]
fn check_starts_with_a_soap_post_with_basic_auth() {
    let r = check_start();
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
    let r = check_resume(&check_start(), xml(GET_FOLDER), NOW, &[]);
    assert_eq!(
        json_of(&get(&r, "step")),
        json!({"kind": "done", "result": {
            "inbox": {"id": "AAMkAGInbox=", "changeKey": "AQAAABYAAAInbox"},
            "server": {"majorVersion": 15, "minorVersion": 1, "majorBuildNumber": 2507, "version": "V2017_07_11"},
            "build": "15.1.2507"}})
    );
    assert_eq!(number(&r, "step.result.server.majorVersion"), 15.0);

    let r = check_resume(&check_start(), response(401, json!([]), ""), NOW, &[]);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "wrongPassword");
    assert_eq!(text(&r, "step.error.outcome"), "needsReauthentication");
    assert!(!text(&r, "step.error.message").is_empty());

    let r = check_resume(&check_start(), xml(MAILBOX_NOT_FOUND), NOW, &[]);
    assert_eq!(text(&r, "step.kind"), "failed");
    assert_eq!(text(&r, "step.error.code"), "mailboxNotFound");
    assert_eq!(text(&r, "step.error.outcome"), "failed");

    // The highest jitter lands on the ceiling of the first retry: the short
    // interactive one (Backoff::INTERACTIVE, 500 ms), not the provider's.
    let timeout = || js(json!({"kind": "transport", "failure": "timeout"}));
    let r = check_resume(&check_start(), timeout(), NOW, &[0xff; 4]);
    assert_eq!(text(&r, "step.kind"), "wait", "{}", stringify(&r));
    assert_eq!(number(&r, "step.untilMs"), NOW + 500.0);
    assert!(!text(&r, "step.reason").is_empty());
    // After the wait, the same request again.
    let r = check_resume(&r, js(json!({"kind": "timer"})), NOW + 500.0, &[]);
    assert_eq!(text(&r, "step.kind"), "http");
    assert_eq!(text(&r, "step.purpose"), "getFolder");

    // Someone is waiting: after a few quick retries the check fails in words.
    let network = || js(json!({"kind": "transport", "failure": "network"}));
    let mut r = check_start();
    for _ in 0..3 {
        r = check_resume(&r, network(), NOW, &[]);
        assert_eq!(text(&r, "step.kind"), "wait", "{}", stringify(&r));
        r = check_resume(&r, js(json!({"kind": "timer"})), NOW, &[]);
    }
    let r = check_resume(&r, network(), NOW, &[]);
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
    let r = start();
    let origins = inlay_wasm::autodiscover_origins(stored(&get(&r, "plan"))).unwrap();
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
    let outlook = inlay_wasm::detect_start("ada@outlook.com").unwrap();
    assert_eq!(
        inlay_wasm::detection_hosted_by_microsoft(get(&outlook, "detection")),
        Ok(true)
    );
    let gmail = inlay_wasm::detect_start("ada@gmail.com").unwrap();
    assert_eq!(
        inlay_wasm::detection_hosted_by_microsoft(get(&gmail, "detection")),
        Ok(false)
    );
}
