//! The connect bindings as JS sees them: field names, numbers that are
//! numbers, errors thrown as `{code, message}`, and a whole Google flow
//! driven from JS values through the machine handles the worker keeps.

use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

mod support;
use support::{get, js, number, stringify, text};

const T0: f64 = 1_800_000_000_000.0;
const GOOGLE_ID: &str = "123-abc.apps.googleusercontent.com";
const EXT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";

fn assert_error(err: &JsValue, code: &str) {
    assert_eq!(text(err, "code"), code, "{}", stringify(err));
    assert!(!text(err, "message").is_empty());
}

fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"));
    js_sys::decode_uri_component(raw).unwrap().into()
}

fn jwt(claims: serde_json::Value) -> String {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

fn google_input() -> serde_json::Value {
    json!({
        "address": "ada.lovelace@gmail.com", "connect": "google", "automation": true,
        "clients": {"google": {"clientId": GOOGLE_ID, "clientSecret": "GOCSPX-public"}, "microsoft": null},
        "redirectBase": EXT,
        "policy": {"seat": "full", "allowedKinds": null},
        "registry": {"personalInboxes": [], "teamInboxes": []},
        "mode": "connect",
        "previousState": {"kind": "notConnected"}
    })
}

fn random() -> Vec<u8> {
    (0..128u8).collect()
}

/// A moment's random bytes whose jitter is `n`.
fn jitter(n: u32) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

fn ok_response(body: serde_json::Value) -> serde_json::Value {
    json!({"kind": "response", "response": {"status": 200,
        "headers": [["content-type", "application/json"]], "body": body.to_string()}})
}

fn tokens_json(access: &str, expires_at_ms: u64, refresh: Option<&str>) -> serde_json::Value {
    json!({
        "provider": "google", "accessToken": access, "expiresAtMs": expires_at_ms,
        "refreshToken": refresh, "refreshTokenExpiresAtMs": null,
        "scopes": ["openid", "email", "profile", "https://www.googleapis.com/auth/gmail.send",
            "https://www.googleapis.com/auth/gmail.settings.basic"],
        "renewal": null, "failures": 0, "retryNotBeforeMs": null, "lastError": null,
        "problem": null, "nextId": 1
    })
}

fn google_client() -> JsValue {
    js(json!({"clientId": GOOGLE_ID, "clientSecret": "GOCSPX-public"}))
}

#[wasm_bindgen_test]
fn whole_google_flow_from_js_values() {
    let mut flow = inlay_wasm::ConnectMachine::new(js(google_input())).unwrap();
    let r = flow.start(T0, &random()).unwrap();
    // Awaiting the redirect: the sign-in window is the step, the inbox authorizing.
    assert_eq!(text(&r, "step.kind"), "authFlow");
    assert_eq!(get(&r, "step.interactive").as_bool(), Some(true));
    assert_eq!(text(&r, "accountState.kind"), "authorizing");
    assert_eq!(number(&r, "accountState.startedAtMs"), T0);
    // The handle returns only the step and the state, never the flow (its PKCE verifier).
    assert!(get(&r, "flow").is_undefined());
    let url = text(&r, "step.url");
    let state = query_param(&url, "state");
    let nonce = query_param(&url, "nonce");
    let redirect_uri = query_param(&url, "redirect_uri");
    assert_eq!(redirect_uri, format!("{EXT}google"));

    let back = format!(
        "{redirect_uri}?state={state}&iss=https%3A%2F%2Faccounts.google.com&code=4%2F0AVG7-canned&scope=openid"
    );
    let r = flow
        .resume(
            js(json!({"kind": "redirect", "url": back})),
            T0 + 5_000.0,
            &jitter(7),
        )
        .unwrap();
    assert_eq!(text(&r, "step.kind"), "http");
    assert_eq!(text(&r, "step.purpose"), "tokenExchange");
    assert_eq!(text(&r, "step.request.method"), "POST");
    assert_eq!(
        text(&r, "step.request.url"),
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(text(&r, "step.request.headers.0.0"), "Content-Type");
    assert!(text(&r, "step.request.body").contains("code_verifier="));

    let token_body = json!({
        "access_token": "ya29.canned", "expires_in": 3599, "refresh_token": "1//0g-canned",
        "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "id_token": jwt(json!({"iss": "https://accounts.google.com", "aud": GOOGLE_ID, "sub": "1101",
            "email": "ada.lovelace@gmail.com", "email_verified": true, "nonce": nonce, "name": "Ada Lovelace"}))
    });
    let r = flow
        .resume(js(ok_response(token_body)), T0 + 6_000.0, &jitter(7))
        .unwrap();
    assert_eq!(text(&r, "step.purpose"), "sendAs");
    assert_eq!(text(&r, "step.request.method"), "GET");
    assert_eq!(text(&r, "accountState.kind"), "verifying");

    // A 429 with Retry-After on the way: wait, then the timer.
    let r = flow
        .resume(
            js(json!({"kind": "response", "response": {"status": 429,
            "headers": [["retry-after", "7"]], "body": "{}"}})),
            T0 + 7_000.0,
            &jitter(7),
        )
        .unwrap();
    assert_eq!(text(&r, "step.kind"), "wait");
    let until = number(&r, "step.untilMs");
    assert!(until >= T0 + 14_000.0);
    let r = flow
        .resume(js(json!({"kind": "timer"})), until, &jitter(7))
        .unwrap();
    assert_eq!(text(&r, "step.purpose"), "sendAs");

    let send_as = json!({"sendAs": [
        {"sendAsEmail": "ada.lovelace@gmail.com", "displayName": "", "isPrimary": true, "isDefault": true},
        {"sendAsEmail": "ada@analytical.example", "displayName": "Ada", "verificationStatus": "accepted"}
    ]});
    let r = flow
        .resume(js(ok_response(send_as)), until + 500.0, &jitter(7))
        .unwrap();
    assert_eq!(text(&r, "step.kind"), "done");
    assert_eq!(
        text(&r, "step.result.account.address"),
        "ada.lovelace@gmail.com"
    );
    assert_eq!(text(&r, "step.result.account.displayName"), "Ada Lovelace");
    assert_eq!(
        text(&r, "step.result.account.aliases.0"),
        "ada@analytical.example"
    );
    assert_eq!(text(&r, "step.result.account.accountType"), "personal");
    assert_eq!(text(&r, "step.result.tokens.accessToken"), "ya29.canned");
    assert_eq!(
        number(&r, "step.result.tokens.expiresAtMs"),
        T0 + 6_000.0 + 3_599_000.0
    );
    assert!(get(&r, "step.result.tokens.refreshTokenExpiresAtMs").is_null());
    assert_eq!(text(&r, "accountState.kind"), "connected");
    assert_eq!(number(&r, "accountState.connectedAtMs"), until + 500.0);

    // The tokens the flow produced work with the token functions as-is.
    let t = inlay_wasm::token_access(
        get(&r, "step.result.tokens"),
        google_client(),
        until + 1_000.0,
        0,
    )
    .unwrap();
    assert_eq!(text(&t, "access.kind"), "use");
    assert_eq!(text(&t, "access.accessToken"), "ya29.canned");
    assert!(get(&t, "access.background").is_null());
}

/// A refusal at the start is a `failed` step that changed nothing; only an
/// argument the binding can't read is thrown.
#[wasm_bindgen_test]
fn connect_start_refusals_are_failed_steps_with_code_and_message() {
    let refused = |input: serde_json::Value, random: &[u8], code: &str| -> JsValue {
        let mut flow = inlay_wasm::ConnectMachine::new(js(input)).unwrap();
        let r = flow.start(T0, random).unwrap();
        assert_eq!(text(&r, "step.kind"), "failed");
        assert_error(&get(&r, "step.error"), code);
        assert_eq!(text(&r, "accountState.kind"), "notConnected");
        get(&r, "step.error")
    };
    let mut view_only = google_input();
    view_only["policy"]["seat"] = json!("viewOnly");
    refused(view_only, &random(), "viewOnlySeat");

    let mut no_client = google_input();
    no_client["clients"]["google"] = json!(null);
    let err = refused(no_client, &random(), "clientNotConfigured");
    assert!(text(&err, "message").contains("INLAY_GOOGLE_CLIENT_ID"));

    let mut exchange = google_input();
    exchange["connect"] = json!("exchange");
    refused(exchange, &random(), "notAvailable");
    refused(google_input(), &random()[..10], "notEnoughRandom");

    let err = inlay_wasm::ConnectMachine::new(js(json!({"address": 1})))
        .err()
        .unwrap();
    assert_error(&err, "invalidArgument");
}

#[wasm_bindgen_test]
fn cancel_and_failures_restore_the_previous_state() {
    let mut reconnect = google_input();
    reconnect["mode"] = json!("reconnect");
    reconnect["previousState"] = json!({"kind": "connected", "address": "ada.lovelace@gmail.com",
        "connect": "google", "aliases": [], "connectedAtMs": 1_700_000_000_000u64});
    // Two flows from the same start: one cancelled, one whose sign-in window failed.
    let mut cancelled = inlay_wasm::ConnectMachine::new(js(reconnect.clone())).unwrap();
    cancelled.start(T0, &random()).unwrap();
    let c = cancelled.cancel().unwrap();
    assert_eq!(text(&c, "step.kind"), "failed");
    assert_error(&get(&c, "step.error"), "cancelled");
    assert_eq!(text(&c, "accountState.kind"), "connected");
    assert_eq!(
        number(&c, "accountState.connectedAtMs"),
        1_700_000_000_000.0
    );

    let mut failed = inlay_wasm::ConnectMachine::new(js(reconnect)).unwrap();
    failed.start(T0, &random()).unwrap();
    let f = failed
        .resume(
            js(json!({"kind": "authFlowFailed", "message": "The user did not approve access."})),
            T0 + 1.0,
            &[],
        )
        .unwrap();
    assert_error(&get(&f, "step.error"), "cancelled");
    assert_eq!(text(&f, "accountState.kind"), "connected");
    let err = failed
        .resume(js(json!({"kind": "nonsense"})), T0, &[])
        .unwrap_err();
    assert_error(&err, "invalidArgument");
}

/// What detectStart / detectFinish answered, through the DetectMachine that
/// replaced them.
#[wasm_bindgen_test]
fn detection_shapes() {
    let mut d = inlay_wasm::DetectMachine::new("ada@gmail.com");
    let step = d.start(0.0, &random()).unwrap();
    assert_eq!(text(&step, "kind"), "done");
    assert_eq!(text(&step, "result.confidence"), "high");
    assert_eq!(text(&step, "result.verdict.kind"), "supported");
    assert_eq!(text(&step, "result.verdict.connect"), "google");
    assert_eq!(text(&step, "result.serviceName"), "Gmail");

    let mut d = inlay_wasm::DetectMachine::new("ada@corp.example");
    let step = d.start(0.0, &random()).unwrap();
    assert_eq!(text(&step, "kind"), "http");
    assert!(text(&step, "request.url").contains("name=corp.example"));
    assert_eq!(text(&step, "request.method"), "GET");
    let step = d
        .resume(
            js(json!({"kind": "transport", "failure": "network"})),
            1.0,
            &random(),
        )
        .unwrap();
    assert_eq!(text(&step, "result.confidence"), "low");
    assert_eq!(text(&step, "result.verdict.kind"), "chooseManually");
}

#[wasm_bindgen_test]
fn detect_machine_is_a_handle_driven_to_its_end() {
    let mut d = inlay_wasm::DetectMachine::new("ada@gmail.com");
    let step = d.start(0.0, &random()).unwrap();
    assert_eq!(text(&step, "kind"), "done");
    assert_eq!(text(&step, "result.verdict.connect"), "google");

    let mut d = inlay_wasm::DetectMachine::new("ada@corp.example");
    let step = d.start(0.0, &random()).unwrap();
    assert_eq!(text(&step, "kind"), "http");
    assert_eq!(text(&step, "purpose"), "mxLookup");
    let mx = json!({"Status": 0, "Answer": [{"name": "corp.example.", "type": 15, "TTL": 3600,
        "data": "0 corp-example.mail.protection.outlook.com."}]});
    let step = d
        .resume(
            js(json!({"kind": "response", "response": {"status": 200, "headers": [], "body": mx.to_string()}})),
            1.0,
            &random(),
        )
        .unwrap();
    assert_eq!(text(&step, "kind"), "done");
    assert_eq!(text(&step, "result.verdict.connect"), "microsoft");
    let err = d
        .resume(js(json!({"kind": "nonsense"})), 2.0, &random())
        .unwrap_err();
    assert_error(&err, "invalidArgument");

    let mut d = inlay_wasm::DetectMachine::new("ada.example.com");
    let step = d.start(0.0, &random()).unwrap();
    assert_eq!(text(&step, "kind"), "failed");
    assert_eq!(text(&step, "error.code"), "missingAt");
}

#[wasm_bindgen_test]
fn disclosure_shape() {
    let d = inlay_wasm::disclosure(JsValue::from_str("microsoft")).unwrap();
    assert_eq!(text(&d, "providerName"), "Microsoft");
    let scopes = js_sys::Array::from(&get(&d, "scopes"));
    assert!(scopes.length() >= 6);
    assert!(get(&d, "scopes.0.requiredForFeature").as_bool().is_some());
    assert!(!text(&d, "scopes.0.explanation").is_empty());
    let err = inlay_wasm::disclosure(JsValue::from_str("imap")).unwrap_err();
    assert_error(&err, "notAvailable");
    let err = inlay_wasm::disclosure(JsValue::from_str("yahoo")).unwrap_err();
    assert_error(&err, "invalidArgument");
}

#[wasm_bindgen_test]
fn token_functions_shapes() {
    let expired = js(tokens_json("at1", 1_000, Some("rt1")));
    let r = inlay_wasm::token_access(expired, google_client(), T0, 0).unwrap();
    assert_eq!(text(&r, "access.kind"), "refresh");
    let id = number(&r, "access.id") as u32;
    assert_eq!(
        text(&r, "access.request.url"),
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(number(&r, "tokens.renewal.id"), id as f64);
    assert_eq!(number(&r, "tokens.renewal.startedAtMs"), T0);

    let refreshed = json!({"access_token": "at2", "expires_in": 3599, "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid"});
    let r = inlay_wasm::token_refreshed(
        get(&r, "tokens"),
        id,
        js(ok_response(refreshed)),
        google_client(),
        T0 + 100.0,
        5,
    )
    .unwrap();
    assert_eq!(text(&r, "tokens.accessToken"), "at2");
    assert_eq!(number(&r, "tokens.expiresAtMs"), T0 + 100.0 + 3_599_000.0);
    assert!(get(&r, "tokens.renewal").is_null());
    assert_eq!(text(&r, "result.kind"), "keep");

    // After tokenDisconnect a late refresh is discarded, and Google's new token revoked.
    let late = inlay_wasm::token_access(
        js(tokens_json("at1", 1_000, Some("rt1"))),
        google_client(),
        T0,
        0,
    )
    .unwrap();
    let late_id = number(&late, "access.id") as u32;
    let marker = inlay_wasm::token_disconnect(get(&late, "tokens")).unwrap();
    assert_eq!(text(&marker, "tokens.accessToken"), "");
    assert!(get(&marker, "tokens.refreshToken").is_null());
    let d = inlay_wasm::token_refreshed(
        get(&marker, "tokens"),
        late_id,
        js(ok_response(json!({"access_token": "at9", "expires_in": 3599, "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid"}))),
        google_client(),
        T0 + 100.0,
        5,
    )
    .unwrap();
    assert_eq!(text(&d, "result.kind"), "discard");
    assert_eq!(
        text(&d, "result.revoke.url"),
        "https://oauth2.googleapis.com/revoke"
    );
    assert_eq!(text(&d, "tokens.accessToken"), "");

    // A 401 for an older token changes nothing; for the current one it forces a refresh.
    let r = inlay_wasm::token_invalidate(get(&r, "tokens"), "at1").unwrap();
    assert_eq!(number(&r, "tokens.expiresAtMs"), T0 + 100.0 + 3_599_000.0);
    let r = inlay_wasm::token_invalidate(get(&r, "tokens"), "at2").unwrap();
    assert_eq!(number(&r, "tokens.expiresAtMs"), 0.0);

    // Silent result (Microsoft's daily renewal) failing.
    let mut ms = tokens_json("at1", 1_800_000_000_000 + 3_600_000, Some("rt1"));
    ms["provider"] = json!("microsoft");
    ms["refreshTokenExpiresAtMs"] = json!(1_800_000_000_000u64 + 1_800_000);
    let r = inlay_wasm::token_access(js(ms), google_client(), T0, 0).unwrap();
    assert_eq!(text(&r, "access.kind"), "use");
    assert_eq!(text(&r, "access.background.kind"), "silentReauthorize");
    let id = number(&r, "access.background.id") as u32;
    let r = inlay_wasm::token_silent_result(
        get(&r, "tokens"),
        id,
        js(json!({"kind": "failed", "message": "User interaction required."})),
    )
    .unwrap();
    assert_eq!(text(&r, "tokens.problem.kind"), "reauthenticate");
    assert_eq!(text(&r, "tokens.problem.code"), "silentRenewalFailed");

    let err = inlay_wasm::token_invalidate(js(json!({"provider": "google"})), "at1").unwrap_err();
    assert_error(&err, "invalidArgument");

    // The core ends a caller's rounds.
    let r = inlay_wasm::token_access(
        js(tokens_json("at1", 1_000, Some("rt1"))),
        google_client(),
        T0,
        10,
    )
    .unwrap();
    assert_eq!(text(&r, "access.kind"), "retryAt");
    assert_eq!(number(&r, "access.atMs"), T0 + 60_000.0);
}

#[wasm_bindgen_test]
fn account_check_and_classify_shapes() {
    // The check machine: a token question, then the call, then the result.
    let mut check = inlay_wasm::CheckMachine::new(JsValue::from_str("microsoft")).unwrap();
    let r = check.start(T0, &random()).unwrap();
    assert_eq!(text(&r, "kind"), "ask");
    assert!(get(&r, "question.rejected").is_null());
    let r = check
        .resume(
            js(json!({"kind": "answer", "answer": {"kind": "token", "accessToken": "eyJ0"}})),
            T0,
            &random(),
        )
        .unwrap();
    assert_eq!(text(&r, "kind"), "http");
    assert_eq!(text(&r, "purpose"), "accountCheck");
    assert_eq!(text(&r, "request.headers.0.1"), "Bearer eyJ0");
    let r = check
        .resume(
        js(json!({"kind": "response", "response": {"status": 429, "headers": [["retry-after", "7"]],
            "body": "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests\"}}"}})),
        T0,
        &random(),
    )
    .unwrap();
    assert_eq!(text(&r, "kind"), "wait");
    let until = number(&r, "untilMs");
    assert!(until >= T0 + 7_000.0);
    let r = check
        .resume(js(json!({"kind": "timer"})), until, &random())
        .unwrap();
    assert_eq!(text(&r, "purpose"), "accountCheck");
    let me = json!({"id": "1", "displayName": "Bob", "mail": "bob@contoso.com",
        "userPrincipalName": "bob@contoso.com", "proxyAddresses": ["SMTP:bob@contoso.com", "smtp:b@contoso.com"]});
    let r = check.resume(js(ok_response(me)), until, &random()).unwrap();
    assert_eq!(text(&r, "kind"), "done");
    assert_eq!(text(&r, "result.outcome"), "ok");
    assert_eq!(text(&r, "result.displayName"), "Bob");
    assert_eq!(text(&r, "result.aliases.0"), "b@contoso.com");
    // The answer is the step alone: nothing of the machine crosses.
    assert!(get(&r, "check").is_undefined());
    let err = inlay_wasm::CheckMachine::new(JsValue::from_str("yahoo"))
        .err()
        .unwrap();
    assert_error(&err, "invalidArgument");
    let err = check
        .resume(js(json!({"kind": "bogus"})), until, &random())
        .unwrap_err();
    assert_error(&err, "invalidArgument");

    // A 401 asks for a new token (the rejected one named); a second 401
    // after that refresh means signing in again (what classifyOutcome,
    // gone with the check machine, answered as refreshToken / reauthenticate).
    let unauthorized = || {
        js(
            json!({"kind": "response", "response": {"status": 401, "headers": [],
            "body": "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\"}}"}}),
        )
    };
    let token =
        |t: &str| js(json!({"kind": "answer", "answer": {"kind": "token", "accessToken": t}}));
    let mut check = inlay_wasm::CheckMachine::new(JsValue::from_str("google")).unwrap();
    check.start(T0, &random()).unwrap();
    check.resume(token("ya29.old"), T0, &random()).unwrap();
    let r = check.resume(unauthorized(), T0, &random()).unwrap();
    assert_eq!(text(&r, "kind"), "ask");
    assert_eq!(text(&r, "question.rejected"), "ya29.old");
    let r = check.resume(token("ya29.new"), T0, &random()).unwrap();
    assert_eq!(text(&r, "request.headers.0.1"), "Bearer ya29.new");
    let r = check.resume(unauthorized(), T0, &random()).unwrap();
    assert_eq!(text(&r, "result.outcome"), "needsReauthentication");
    assert_eq!(text(&r, "result.code"), "tokenRejected");
}

#[wasm_bindgen_test]
fn revoke_plan_shape() {
    let p = inlay_wasm::revoke_plan(
        JsValue::from_str("google"),
        js(tokens_json("at1", 1, Some("rt1"))),
        JsValue::from_str("personal"),
    )
    .unwrap();
    assert_eq!(text(&p, "kind"), "request");
    assert_eq!(
        text(&p, "request.url"),
        "https://oauth2.googleapis.com/revoke"
    );
    assert_eq!(text(&p, "request.body"), "token=rt1");
    let mut ms = tokens_json("at1", 1, Some("rt1"));
    ms["provider"] = json!("microsoft");
    let p = inlay_wasm::revoke_plan(
        JsValue::from_str("microsoft"),
        js(ms),
        JsValue::from_str("workOrSchool"),
    )
    .unwrap();
    assert_eq!(text(&p, "kind"), "localOnly");
    assert!(text(&p, "logoutUrl").starts_with("https://login.microsoftonline.com/"));
    assert_eq!(text(&p, "consentUrl"), "https://myapps.microsoft.com");
}

#[wasm_bindgen_test]
fn times_cross_as_exact_numbers() {
    // 2^53 - 1 is the largest time JS holds exactly; it survives the trip.
    let max = 9_007_199_254_740_991u64;
    let r = inlay_wasm::token_invalidate(js(tokens_json("a", 5, None)), "a").unwrap();
    assert!(get(&r, "tokens.expiresAtMs").as_f64().is_some());
    let mut t = tokens_json("a", max, None);
    t["retryNotBeforeMs"] = json!(max);
    let r = inlay_wasm::token_access(js(t), google_client(), T0, 0).unwrap();
    assert_eq!(number(&r, "tokens.expiresAtMs"), max as f64);
    assert_eq!(number(&r, "tokens.retryNotBeforeMs"), max as f64);
}

#[wasm_bindgen_test]
fn connection_transition_shape() {
    let connected = json!({"kind": "connected", "address": "ada@contoso.com", "connect": "microsoft",
        "aliases": [], "connectedAtMs": 1_700_000_000_000u64});
    let s = inlay_wasm::connection_transition(
        js(connected.clone()),
        js(json!({"kind": "tokenRejected", "code": "tokenRejected", "reason": "Sign in again."})),
        T0,
    )
    .unwrap();
    assert_eq!(text(&s, "kind"), "needsReauthentication");
    assert_eq!(number(&s, "connectedAtMs"), 1_700_000_000_000.0);
    let s = inlay_wasm::connection_transition(js(connected), js(json!({"kind": "disconnect"})), T0)
        .unwrap();
    assert_eq!(text(&s, "kind"), "disconnected");
    assert_eq!(number(&s, "disconnectedAtMs"), T0);
    let err = inlay_wasm::connection_transition(
        js(json!({"kind": "notConnected"})),
        js(json!({"kind": "disconnect"})),
        T0,
    )
    .unwrap_err();
    assert_error(&err, "invalidTransition");
}

#[wasm_bindgen_test]
fn team_inbox_check_returns_the_problem_or_null() {
    let registry = js(json!({"personalInboxes": ["ann@example.com"], "teamInboxes": []}));
    let problem = inlay_wasm::check_team_inbox(registry, "ANN@example.com").unwrap();
    assert_eq!(text(&problem, "code"), "isPersonalInbox");
    assert!(text(&problem, "message").contains("Disconnect it first"));
    let registry = js(json!({"personalInboxes": ["ann@example.com"], "teamInboxes": []}));
    assert!(
        inlay_wasm::check_team_inbox(registry, "support@example.com")
            .unwrap()
            .is_null()
    );
}

#[wasm_bindgen_test]
fn password_connect_start_shape() {
    let input = json!({"address": "ann@contoso-exchange.example", "connect": "exchange",
        "policy": {"seat": "full", "allowedKinds": null},
        "registry": {"personalInboxes": [], "teamInboxes": []},
        "previousState": {"kind": "notConnected"}});
    let s = inlay_wasm::password_connect_start(js(input.clone()), T0).unwrap();
    assert_eq!(text(&s, "kind"), "verifying");
    assert_eq!(text(&s, "connect"), "exchange");
    let mut google = input.clone();
    google["connect"] = json!("google");
    assert_error(
        &inlay_wasm::password_connect_start(js(google), T0).unwrap_err(),
        "signInRequired",
    );
    let mut twice = input;
    twice["registry"]["personalInboxes"] = json!(["ANN@contoso-exchange.example"]);
    assert_error(
        &inlay_wasm::password_connect_start(js(twice), T0).unwrap_err(),
        "alreadyConnected",
    );
}

#[wasm_bindgen_test]
fn settings_are_read_from_json_text() {
    let reading = inlay_wasm::read_settings(
        r#"{"googleClientId": "g", "seat": "viewOnly"}"#,
        r#"{"seat": "admin", "teamInboxes": ["sales@corp.example"]}"#,
    )
    .unwrap();
    assert_eq!(text(&reading, "settings.googleClientId"), "g");
    assert_eq!(text(&reading, "settings.seat"), "viewOnly");
    assert_eq!(
        text(&reading, "settings.teamInboxes.0"),
        "sales@corp.example"
    );
    assert_eq!(text(&reading, "ignored.0.key"), "seat");
    // JSON.stringify(undefined ?? null): no policy at all.
    let none = inlay_wasm::read_settings("{}", "null").unwrap();
    assert_eq!(text(&none, "settings.seat"), "full");
    let err = inlay_wasm::read_settings("{}", "{seat: full}").unwrap_err();
    assert_error(&err, "invalidArgument");
}

#[wasm_bindgen_test]
fn holds_credentials_is_the_cores_rule() {
    let connected = json!({"kind": "connected", "address": "ada@example.com",
        "connect": "google", "aliases": [], "connectedAtMs": 1_700_000_000_000u64});
    assert!(inlay_wasm::holds_credentials(js(connected.clone())).unwrap());
    let reconnecting = js(json!({"kind": "authorizing", "address": "ada@example.com",
        "connect": "google", "startedAtMs": 1, "previous": connected}));
    assert!(!inlay_wasm::holds_credentials(reconnecting).unwrap());
    assert!(!inlay_wasm::holds_credentials(js(json!({"kind": "notConnected"}))).unwrap());
    let err = inlay_wasm::holds_credentials(js(json!({"kind": "nonsense"}))).unwrap_err();
    assert_error(&err, "invalidArgument");
}
