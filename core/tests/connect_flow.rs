//! The connect flow driven end to end with canned provider answers, shaped
//! as Google's and Microsoft's documentation shows them.

mod support;

use inlay_core::accounts::{ConnectionState, Seat};
use inlay_core::auth::{AccountType, OAuthClient};
use inlay_core::connect::*;
use inlay_core::detect::ConnectionKind;
use inlay_core::http::{HttpRequest, Method, TransportFailure};
use inlay_core::machine::{Input, Machine, Moment, NoQuestion};
use serde_json::{Value, json};
use support::{GOOGLE_ID, MS_ID, WORK_TENANT, connect_input, form, http_response, query};
use url::Url;

const EXT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";
const T0: u64 = 1_800_000_000_000;
const PERSONAL_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

type FlowInput = Input<NoQuestion>;

/// The connect machine started at `now` with `random`; a refusal is the
/// error, and it changes nothing.
fn start(inp: &ConnectInput, random: &[u8], now: u64) -> Result<Advance, FlowError> {
    let mut flow = ConnectFlow::new(inp.clone());
    match flow.start(Moment {
        now_ms: now,
        random,
    }) {
        Step::Failed { error } => {
            assert_eq!(flow.account_state(), &inp.previous_state);
            Err(error)
        }
        step => Ok(flow.advance(step)),
    }
}

/// One resume; `jitter` becomes the moment's first random bytes.
fn resume(mut flow: ConnectFlow, input: FlowInput, now: u64, jitter: u32) -> Advance {
    let random = jitter.to_le_bytes();
    let step = flow.resume(
        input,
        Moment {
            now_ms: now,
            random: &random,
        },
    );
    flow.advance(step)
}

fn cancel(mut flow: ConnectFlow) -> Advance {
    let step = flow.cancel();
    flow.advance(step)
}

/// The flow inside a started machine.
fn run(a: &Advance) -> &Flow {
    a.flow.running().expect("a started flow")
}

fn random() -> Vec<u8> {
    (0..96u8)
        .map(|i| i.wrapping_mul(7).wrapping_add(3))
        .collect()
}

fn input(provider: ConnectionKind, address: &str) -> ConnectInput {
    connect_input(provider, address, EXT)
}

fn jwt(claims: Value) -> String {
    support::jwt_with_header(r#"{"alg":"RS256","kid":"1e9gdk7","typ":"JWT"}"#, &claims)
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> FlowInput {
    FlowInput::Response {
        response: http_response(status, headers, body),
    }
}

fn ok(body: Value) -> FlowInput {
    response(
        200,
        &[("content-type", "application/json; charset=utf-8")],
        &body.to_string(),
    )
}

/// Where the sign-in window lands; `extra` as the provider appends them.
fn redirect(launch: &Step, extra: &[(&str, &str)]) -> FlowInput {
    let Step::AuthFlow { url, .. } = launch else {
        panic!("expected launchAuthFlow, got {launch:?}")
    };
    let q = query(url);
    let mut back = Url::parse(&q["redirect_uri"]).unwrap();
    {
        let mut pairs = back.query_pairs_mut();
        if !extra.iter().any(|(k, _)| *k == "state") {
            pairs.append_pair("state", &q["state"]);
        }
        for (k, v) in extra {
            pairs.append_pair(k, v);
        }
    }
    FlowInput::Redirect { url: back.into() }
}

fn nonce(launch: &Step) -> String {
    let Step::AuthFlow { url, .. } = launch else {
        panic!("expected launchAuthFlow")
    };
    query(url)["nonce"].clone()
}

/// Google's redirect after consent (RFC 9207 `iss`, granted `scope`).
fn google_redirect(launch: &Step) -> FlowInput {
    redirect(
        launch,
        &[
            ("iss", "https://accounts.google.com"),
            ("code", "4/0AVG7fiQ-canned-code"),
            (
                "scope",
                "email profile https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
            ),
            ("authuser", "0"),
            ("prompt", "consent"),
        ],
    )
}

fn ms_redirect(launch: &Step) -> FlowInput {
    redirect(
        launch,
        &[
            ("code", "1.AXkA-canned-code"),
            ("session_state", "b1e3a7c4-5d9a-4f2e-9b1a-0c3d2e1f0a9b"),
        ],
    )
}

fn google_token_body(nonce: &str, email: &str) -> Value {
    json!({
        "access_token": "ya29.a0AfB_canned",
        "expires_in": 3599,
        "refresh_token": "1//0gCanned-refresh",
        "scope": "https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.settings.basic openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "token_type": "Bearer",
        "id_token": jwt(json!({
            "iss": "https://accounts.google.com", "azp": GOOGLE_ID, "aud": GOOGLE_ID,
            "sub": "110169484474386276334", "email": email, "email_verified": true,
            "at_hash": "X_B3Z3Fi4udZ2mf75RWo3w", "nonce": nonce, "name": "Ada Lovelace",
            "given_name": "Ada", "family_name": "Lovelace", "iat": 1_800_000_000, "exp": 1_800_003_600
        }))
    })
}

fn ms_token_body(nonce: &str, tid: &str, preferred_username: &str, email: Option<&str>) -> Value {
    let mut claims = json!({
        "ver": "2.0", "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "aud": MS_ID,
        "exp": 1_800_003_600, "iat": 1_800_000_000, "nbf": 1_800_000_000,
        "name": "Ada Lovelace", "preferred_username": preferred_username,
        "oid": "00000000-0000-0000-66f3-3332eca7ea81", "tid": tid, "nonce": nonce,
        "aio": "Df2UVXL1ix!lMCWMSOJBcFatzcGfvFGhjKv8q5g0x732dR5MB5BisvGQO7YWByjd8iQDLq!eGbIDakyp5mnOrcdqHeYSnltepQmRp6AIZ8jY"
    });
    if let Some(e) = email {
        claims["email"] = json!(e);
    }
    json!({
        "token_type": "Bearer",
        "scope": "openid profile email https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/MailboxSettings.Read https://graph.microsoft.com/User.Read",
        "expires_in": 4336,
        "ext_expires_in": 4336,
        "access_token": "eyJ0eXAiOiJKV1QiLCJub25jZSI6ImNhbm5lZCJ9.canned.sig",
        "refresh_token": "1.AXkAcanned-ms-refresh",
        "id_token": jwt(claims)
    })
}

fn send_as_body() -> Value {
    json!({
        "sendAs": [
            {"sendAsEmail": "ada.lovelace@gmail.com", "displayName": "Ada L.", "replyToAddress": "",
             "signature": "", "isPrimary": true, "isDefault": true},
            {"sendAsEmail": "ada@analytical.example", "displayName": "Ada (Analytical)", "replyToAddress": "",
             "signature": "", "isDefault": false, "treatAsAlias": true, "verificationStatus": "accepted"},
            {"sendAsEmail": "countess@lovelace.example", "displayName": "", "replyToAddress": "",
             "signature": "", "isDefault": false, "treatAsAlias": false, "verificationStatus": "pending"}
        ]
    })
}

fn me_work() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail,userPrincipalName,proxyAddresses)/$entity",
        "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        "displayName": "Ada Lovelace",
        "mail": "Ada@contoso.com",
        "userPrincipalName": "ada.l@contoso.onmicrosoft.com",
        "proxyAddresses": ["SMTP:Ada@contoso.com", "smtp:ada.lovelace@contoso.com", "smtp:ada.l@contoso.onmicrosoft.com", "SIP:ada@contoso.com"]
    })
}

fn mailbox_settings(purpose: &str) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('87d349ed-44d7-43e1-9a83-5f2406dee5bd')/mailboxSettings",
        "archiveFolder": "AQMkADAwATM0MDAAMS0yMDkyLWVjMzYtMDACLTAwCgAuAAADfjM3yAAAAA==",
        "timeZone": "Pacific Standard Time",
        "automaticRepliesSetting": {"status": "disabled", "externalAudience": "all",
            "internalReplyMessage": "", "externalReplyMessage": ""},
        "dateFormat": "M/d/yyyy", "timeFormat": "h:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateAndInformationToPrincipal",
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
            "timeZone": {"name": "Pacific Standard Time"}},
        "userPurpose": purpose
    })
}

fn graph_error(status: u16, code: &str, message: &str) -> FlowInput {
    response(
        status,
        &[("content-type", "application/json")],
        &json!({"error": {"code": code, "message": message,
            "innerError": {"date": "2027-01-15T10:00:00", "request-id": "9f0a1b2c-0000-4000-8000-000000000001",
            "client-request-id": "9f0a1b2c-0000-4000-8000-000000000001"}}})
        .to_string(),
    )
}

fn step_http(a: &Advance) -> (&HttpRequest, Purpose) {
    match &a.step {
        Step::Http { request, purpose } => (request, *purpose),
        other => panic!("expected http, got {other:?}"),
    }
}

fn failed(a: &Advance) -> &FlowError {
    match &a.step {
        Step::Failed { error } => error,
        other => panic!("expected failed, got {other:?}"),
    }
}

fn connected(a: &Advance) -> &ConnectedAccount {
    match &a.step {
        Step::Done { result } => &result.account,
        other => panic!("expected connected, got {other:?}"),
    }
}

fn go(a: &Advance, input: FlowInput, now: u64) -> Advance {
    resume(a.flow.clone(), input, now, 0x8000_0000)
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Google up to the token exchange; returns (launch advance, exchange advance).
fn google_to_exchange(inp: &ConnectInput) -> (Advance, Advance) {
    let a = begin(inp);
    let b = go(&a, google_redirect(&a.step), T0 + 20_000);
    (a, b)
}

/// Google through the token exchange, answered with Ada's tokens;
/// returns (launch, exchange, send-as advances).
fn google_to_send_as(inp: &ConnectInput) -> (Advance, Advance, Advance) {
    let (a, b) = google_to_exchange(inp);
    let c = go(
        &b,
        ok(google_token_body(&nonce(&a.step), "ada.lovelace@gmail.com")),
        T0 + 21_000,
    );
    (a, b, c)
}

/// Answers the send-as request with Ada's aliases.
fn answer_send_as(c: &Advance) -> Advance {
    go(c, ok(send_as_body()), T0 + 22_000)
}

/// Starts the flow at T0 with the canned random bytes.
fn begin(inp: &ConnectInput) -> Advance {
    start(inp, &random(), T0).unwrap()
}

/// A fresh Google connect of Ada's Gmail address, waiting for the redirect.
fn begin_gmail() -> Advance {
    begin(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"))
}

/// Microsoft through sign-in and the token exchange, the ID token naming
/// `preferred_username` (and `email`); returns the profile-request advance.
fn ms_signed_in(
    inp: &ConnectInput,
    tid: &str,
    preferred_username: &str,
    email: Option<&str>,
) -> Advance {
    let a = begin(inp);
    let b = go(&a, ms_redirect(&a.step), T0 + 1);
    go(
        &b,
        ok(ms_token_body(
            &nonce(&a.step),
            tid,
            preferred_username,
            email,
        )),
        T0 + 2,
    )
}

/// The sign-in window reports `message` instead of landing on the redirect.
fn window_failed(a: &Advance, message: &str, now: u64) -> Advance {
    go(
        a,
        FlowInput::AuthFlowFailed {
            message: message.into(),
        },
        now,
    )
}

#[test]
fn google_happy_path_with_aliases() {
    let inp = input(ConnectionKind::Google, " Ada.Lovelace@gmail.com ");
    let a = begin(&inp);
    let Step::AuthFlow { url, interactive } = &a.step else {
        panic!()
    };
    assert!(interactive);
    let q = query(url);
    assert!(url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
    assert_eq!(q["redirect_uri"], format!("{EXT}google"));
    assert_eq!(q["login_hint"], "Ada.Lovelace@gmail.com");
    assert_eq!(q["prompt"], "consent");
    let scopes: Vec<&str> = q["scope"].split(' ').collect();
    assert!(scopes.contains(&"https://www.googleapis.com/auth/gmail.send"));
    assert!(scopes.contains(&"https://www.googleapis.com/auth/gmail.settings.basic"));
    assert!(matches!(
        a.account_state,
        ConnectionState::Authorizing {
            started_at_ms: T0,
            ..
        }
    ));

    let b = go(&a, google_redirect(&a.step), T0 + 20_000);
    let (req, purpose) = step_http(&b);
    assert_eq!(purpose, Purpose::TokenExchange);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://oauth2.googleapis.com/token");
    let f = form(req);
    assert_eq!(f["code"], "4/0AVG7fiQ-canned-code");
    assert_eq!(f["client_secret"], "GOCSPX-public");
    assert_eq!(f["code_verifier"], run(&a).pending.verifier);
    assert!(matches!(
        b.account_state,
        ConnectionState::Authorizing { .. }
    ));

    let c = go(
        &b,
        ok(google_token_body(&nonce(&a.step), "ada.lovelace@gmail.com")),
        T0 + 21_000,
    );
    let (req, purpose) = step_http(&c);
    assert_eq!(purpose, Purpose::SendAs);
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "https://gmail.googleapis.com/gmail/v1/users/me/settings/sendAs"
    );
    assert_eq!(
        header(req, "Authorization"),
        Some("Bearer ya29.a0AfB_canned")
    );
    assert!(matches!(c.account_state, ConnectionState::Verifying { .. }));

    let d = answer_send_as(&c);
    let account = connected(&d);
    assert_eq!(account.address, "ada.lovelace@gmail.com");
    assert_eq!(account.connect, ConnectionKind::Google);
    assert_eq!(account.aliases, vec!["ada@analytical.example".to_string()]);
    assert_eq!(account.display_name.as_deref(), Some("Ada L."));
    assert_eq!(account.account_type, AccountType::Personal);
    let Step::Done {
        result: Connected { tokens, .. },
    } = &d.step
    else {
        panic!()
    };
    assert_eq!(tokens.access_token, "ya29.a0AfB_canned");
    assert_eq!(tokens.refresh_token.as_deref(), Some("1//0gCanned-refresh"));
    assert_eq!(tokens.expires_at_ms, T0 + 21_000 + 3_599_000);
    assert_eq!(
        d.account_state,
        ConnectionState::Connected {
            address: "Ada.Lovelace@gmail.com".into(),
            connect: ConnectionKind::Google,
            aliases: vec!["ada@analytical.example".into()],
            connected_at_ms: T0 + 22_000,
        }
    );
    // The flow no longer holds the tokens outside its final step.
    assert!(run(&d).tokens.is_none());
}

#[test]
fn google_asks_to_send_with_or_without_automation() {
    let mut inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    inp.automation = false;
    let a = begin(&inp);
    let Step::AuthFlow { url, .. } = &a.step else {
        panic!()
    };
    let scope = &query(url)["scope"];
    // One-to-one sending is why an inbox is connected; automation adds to it later.
    assert!(scope.contains("gmail.send"));
    assert!(scope.contains("gmail.settings.basic"));
    assert!(!scope.contains("gmail.readonly") && !scope.contains("mail.google.com"));
    // The disclosure shows exactly what the flow requests.
    let d = disclosure(ConnectionKind::Google).unwrap();
    let listed: Vec<&str> = d.scopes.iter().map(|s| s.scope.as_str()).collect();
    assert_eq!(listed.join(" "), *scope);
    assert_eq!(d.provider_name, "Google");
}

#[test]
fn microsoft_work_account_happy_path() {
    let inp = input(ConnectionKind::Microsoft, "ada@contoso.com");
    let a = begin(&inp);
    let Step::AuthFlow { url, interactive } = &a.step else {
        panic!()
    };
    assert!(interactive);
    let q = query(url);
    assert!(url.starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"));
    assert_eq!(q["prompt"], "select_account");
    assert!(q["scope"].contains("Mail.Send"));
    assert!(q["scope"].contains("MailboxSettings.Read"));
    assert_eq!(q["redirect_uri"], format!("{EXT}microsoft"));

    let b = go(&a, ms_redirect(&a.step), T0 + 10_000);
    let (req, purpose) = step_http(&b);
    assert_eq!(purpose, Purpose::TokenExchange);
    assert_eq!(
        req.url,
        "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    );
    let f = form(req);
    assert!(!f.contains_key("client_secret"));
    assert!(f["scope"].contains("Mail.Send"));
    // No Origin header: the worker's fetch adds it itself.
    assert!(header(req, "Origin").is_none());

    // Work accounts: the sign-in name (UPN) is not the mail address, and
    // the ID token has no email claim. The profile settles it.
    let c = go(
        &b,
        ok(ms_token_body(
            &nonce(&a.step),
            WORK_TENANT,
            "ada.l@contoso.onmicrosoft.com",
            None,
        )),
        T0 + 11_000,
    );
    let (req, purpose) = step_http(&c);
    assert_eq!(purpose, Purpose::Profile);
    assert_eq!(
        req.url,
        "https://graph.microsoft.com/v1.0/me?$select=id,displayName,mail,userPrincipalName,proxyAddresses"
    );
    assert!(
        header(req, "Authorization")
            .unwrap()
            .starts_with("Bearer eyJ0")
    );
    assert!(matches!(c.account_state, ConnectionState::Verifying { .. }));

    let d = go(&c, ok(me_work()), T0 + 12_000);
    let (req, purpose) = step_http(&d);
    assert_eq!(purpose, Purpose::MailboxSettings);
    assert_eq!(
        req.url,
        "https://graph.microsoft.com/v1.0/me/mailboxSettings"
    );

    let e = go(&d, ok(mailbox_settings("user")), T0 + 13_000);
    let account = connected(&e);
    assert_eq!(account.address, "Ada@contoso.com");
    assert_eq!(
        account.aliases,
        vec![
            "ada.lovelace@contoso.com".to_string(),
            "ada.l@contoso.onmicrosoft.com".to_string()
        ]
    );
    assert_eq!(account.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(account.account_type, AccountType::WorkOrSchool);
    assert!(account.notes.is_empty());
    let Step::Done {
        result: Connected { tokens, .. },
    } = &e.step
    else {
        panic!()
    };
    // Microsoft SPA refresh tokens die 24 h after the sign-in.
    assert_eq!(
        tokens.refresh_token_expires_at_ms,
        Some(T0 + 11_000 + 24 * 3_600_000)
    );
    assert!(matches!(e.account_state, ConnectionState::Connected { .. }));
}

#[test]
fn microsoft_personal_account_connects_without_the_settings_check() {
    let inp = input(ConnectionKind::Microsoft, "ada@outlook.com");
    let c = ms_signed_in(
        &inp,
        PERSONAL_TENANT,
        "ada@outlook.com",
        Some("ada@outlook.com"),
    );
    // Personal accounts: mail may be null; no proxyAddresses.
    let me = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail,userPrincipalName,proxyAddresses)/$entity",
        "id": "3f7d2c1b0a998877", "displayName": "Ada Lovelace", "mail": null,
        "userPrincipalName": "ada@outlook.com"
    });
    let d = go(&c, ok(me), T0 + 3);
    assert_eq!(step_http(&d).1, Purpose::MailboxSettings);
    let e = go(
        &d,
        graph_error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        ),
        T0 + 4,
    );
    let account = connected(&e);
    assert_eq!(account.address, "ada@outlook.com");
    assert!(account.aliases.is_empty());
    assert_eq!(account.account_type, AccountType::Personal);
    assert_eq!(account.notes.len(), 1);
    assert!(account.notes[0].contains("shared mailbox"));
}

#[test]
fn consent_denied_restores_the_previous_state() {
    let a = begin_gmail();
    let b = go(
        &a,
        redirect(&a.step, &[("error", "access_denied")]),
        T0 + 5_000,
    );
    let e = failed(&b);
    assert_eq!(e.code, "userDenied");
    assert!(e.message.contains("didn't give Inlay access"));
    assert_eq!(b.account_state, ConnectionState::NotConnected);

    let a = begin(&input(ConnectionKind::Microsoft, "ada@contoso.com"));
    let b = go(
        &a,
        redirect(
            &a.step,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
            ],
        ),
        T0 + 5_000,
    );
    assert_eq!(failed(&b).code, "userDenied");
    assert_eq!(b.account_state, ConnectionState::NotConnected);
}

#[test]
fn state_mismatch_never_plans_a_token_request() {
    let a = begin_gmail();
    let forged = redirect(
        &a.step,
        &[("state", "attacker-state"), ("code", "4/0stolen")],
    );
    let b = go(&a, forged, T0 + 1_000);
    assert_eq!(failed(&b).code, "stateMismatch");
    assert_eq!(b.account_state, ConnectionState::NotConnected);
    // The flow is over: even the genuine redirect now plans nothing.
    let c = go(&b, google_redirect(&a.step), T0 + 2_000);
    assert_eq!(failed(&c).code, "stateMismatch");
    assert!(!matches!(c.step, Step::Http { .. }));
}

#[test]
fn google_wrong_account_is_revoked_then_refused() {
    let inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    let (a, b) = google_to_exchange(&inp);
    let c = go(
        &b,
        ok(google_token_body(
            &nonce(&a.step),
            "charles.babbage@gmail.com",
        )),
        T0 + 21_000,
    );
    let (req, purpose) = step_http(&c);
    assert_eq!(purpose, Purpose::Revoke);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://oauth2.googleapis.com/revoke");
    // The refresh token (whole grant) travels in the body, never the URL.
    assert_eq!(form(req)["token"], "1//0gCanned-refresh");
    assert!(!req.url.contains("token="));
    assert!(run(&c).tokens.is_none());

    for answer in [
        ok(json!({})),
        response(
            400,
            &[],
            r#"{"error":"invalid_token","error_description":"Token expired or revoked"}"#,
        ),
        FlowInput::Transport {
            failure: TransportFailure::Network,
        },
    ] {
        let d = go(&c, answer, T0 + 22_000);
        let e = failed(&d);
        assert_eq!(e.code, "wrongAccount");
        assert!(e.message.contains("charles.babbage@gmail.com"));
        assert!(e.message.contains("withdrawn"));
        assert_eq!(d.account_state, ConnectionState::NotConnected);
    }
}

#[test]
fn microsoft_wrong_account_is_discarded() {
    let inp = input(ConnectionKind::Microsoft, "ada@contoso.com");
    let c = ms_signed_in(
        &inp,
        WORK_TENANT,
        "bob@fabrikam.com",
        Some("bob@fabrikam.com"),
    );
    let me = json!({"id": "1", "displayName": "Bob", "mail": "bob@fabrikam.com",
        "userPrincipalName": "bob@fabrikam.com", "proxyAddresses": ["SMTP:bob@fabrikam.com"]});
    let d = go(&c, ok(me), T0 + 3);
    let e = failed(&d);
    assert_eq!(e.code, "wrongAccount");
    assert!(e.message.contains("bob@fabrikam.com"));
    assert!(e.message.contains("discarded"));
    assert_eq!(d.account_state, ConnectionState::NotConnected);
}

#[test]
fn token_endpoint_invalid_grant_fails_with_a_plain_sentence() {
    let (_, b) = google_to_exchange(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let c = go(
        &b,
        response(
            400,
            &[("content-type", "application/json")],
            r#"{"error":"invalid_grant","error_description":"Bad Request"}"#,
        ),
        T0 + 21_000,
    );
    let e = failed(&c);
    assert_eq!(e.code, "grantInvalid");
    assert!(
        e.message.contains("expired or been used already"),
        "{}",
        e.message
    );
    assert_eq!(c.account_state, ConnectionState::NotConnected);
}

#[test]
fn token_endpoint_500_waits_then_retries_the_same_request() {
    let (a, b) = google_to_exchange(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let (exchange, _) = step_http(&b);
    let exchange = exchange.clone();
    let now = T0 + 21_000;
    let c = go(
        &b,
        response(
            500,
            &[("content-type", "text/html")],
            "<html><body>Internal Server Error</body></html>",
        ),
        now,
    );
    let Step::Wait { until_ms, reason } = &c.step else {
        panic!("{:?}", c.step)
    };
    assert!(*until_ms > now && *until_ms <= now + 1_000, "{until_ms}");
    assert!(reason.contains("HTTP 500"));
    assert!(matches!(
        c.account_state,
        ConnectionState::Authorizing { .. }
    ));
    // An early timer keeps waiting.
    let early = go(&c, FlowInput::Timer, until_ms - 1);
    assert_eq!(early.step, c.step);
    let d = go(&c, FlowInput::Timer, *until_ms);
    let (req, purpose) = step_http(&d);
    assert_eq!(purpose, Purpose::TokenExchange);
    assert_eq!(*req, exchange);
    let e = go(
        &d,
        ok(google_token_body(&nonce(&a.step), "ada.lovelace@gmail.com")),
        until_ms + 500,
    );
    assert_eq!(step_http(&e).1, Purpose::SendAs);
}

#[test]
fn retries_are_bounded() {
    let (_, b) = google_to_exchange(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let mut cur = b;
    let mut now = T0 + 21_000;
    let mut waits = 0;
    loop {
        let next = go(
            &cur,
            FlowInput::Transport {
                failure: TransportFailure::Timeout,
            },
            now,
        );
        match &next.step {
            Step::Wait { until_ms, .. } => {
                waits += 1;
                now = *until_ms;
                cur = go(&next, FlowInput::Timer, now);
            }
            Step::Failed { error } => {
                assert_eq!(error.code, "retriesExhausted");
                assert_eq!(next.account_state, ConnectionState::NotConnected);
                break;
            }
            other => panic!("{other:?}"),
        }
        assert!(waits <= 10);
    }
    assert_eq!(waits, 4);
}

#[test]
fn gmail_429_retry_after_is_honoured() {
    let (_, _, c) = google_to_send_as(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let now = T0 + 22_000;
    let body = json!({"error": {"code": 429, "message": "Too many concurrent requests for user",
        "errors": [{"message": "Too many concurrent requests for user", "domain": "global", "reason": "rateLimitExceeded"}],
        "status": "RESOURCE_EXHAUSTED"}});
    let d = go(
        &c,
        response(429, &[("retry-after", "7")], &body.to_string()),
        now,
    );
    let Step::Wait { until_ms, .. } = d.step else {
        panic!("{:?}", d.step)
    };
    assert!(until_ms >= now + 7_000);
    assert!(matches!(d.account_state, ConnectionState::Verifying { .. }));
    let e = go(&d, FlowInput::Timer, until_ms);
    assert_eq!(step_http(&e).1, Purpose::SendAs);
    let f = go(&e, ok(send_as_body()), until_ms + 100);
    assert_eq!(connected(&f).aliases.len(), 1);
}

#[test]
fn a_retry_after_of_hours_ends_the_flow() {
    let (_, _, c) = google_to_send_as(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let d = go(
        &c,
        response(429, &[("retry-after", "3600")], "{}"),
        T0 + 22_000,
    );
    // Tokens were issued: Google's are revoked first.
    assert_eq!(step_http(&d).1, Purpose::Revoke);
    let e = go(&d, ok(json!({})), T0 + 23_000);
    let err = failed(&e);
    assert_eq!(err.code, "providerBusy");
    assert!(err.message.contains("60 minutes"), "{}", err.message);
    assert_eq!(e.account_state, ConnectionState::NotConnected);
}

#[test]
fn shared_mailbox_is_refused() {
    let inp = input(ConnectionKind::Microsoft, "support@contoso.com");
    let c = ms_signed_in(
        &inp,
        WORK_TENANT,
        "support@contoso.com",
        Some("support@contoso.com"),
    );
    let me = json!({"id": "2", "displayName": "Support", "mail": "support@contoso.com",
        "userPrincipalName": "support@contoso.com", "proxyAddresses": ["SMTP:support@contoso.com"]});
    let d = go(&c, ok(me), T0 + 3);
    let e = go(&d, ok(mailbox_settings("shared")), T0 + 4);
    let err = failed(&e);
    assert_eq!(err.code, "sharedMailbox");
    assert!(
        err.message
            .starts_with("support@contoso.com is a Microsoft 365 shared mailbox.")
    );
    assert!(err.message.contains("team inbox"));
    assert_eq!(e.account_state, ConnectionState::NotConnected);
}

#[test]
fn refusals_before_any_sign_in() {
    let mut view_only = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    view_only.policy.seat = Seat::ViewOnly;
    assert_eq!(
        start(&view_only, &random(), T0).unwrap_err().code,
        "viewOnlySeat"
    );

    let mut team = input(ConnectionKind::Microsoft, "Sales@Contoso.com");
    team.registry.team_inboxes = vec!["sales@contoso.com".into()];
    let e = start(&team, &random(), T0).unwrap_err();
    assert_eq!(e.code, "isTeamInbox");
    assert!(e.message.contains("team inbox"));

    let mut kinds = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    kinds.policy.allowed_kinds = Some(vec![ConnectionKind::Microsoft]);
    assert_eq!(
        start(&kinds, &random(), T0).unwrap_err().code,
        "kindNotAllowed"
    );

    for kind in [ConnectionKind::Exchange, ConnectionKind::Imap] {
        let e = start(&input(kind, "ada@corp.example"), &random(), T0).unwrap_err();
        assert_eq!(e.code, "notAvailable");
        assert!(e.message.contains("connect with a password, not a sign-in"));
        assert_eq!(disclosure(kind).unwrap_err().code, "notAvailable");
    }

    let mut no_client = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    no_client.clients.google = None;
    let e = start(&no_client, &random(), T0).unwrap_err();
    assert_eq!(e.code, "clientNotConfigured");
    assert_eq!(
        e.message,
        "This build of Inlay has no Google client ID. An admin can set one by policy (googleClientId), or set INLAY_GOOGLE_CLIENT_ID when building."
    );
    let mut empty = input(ConnectionKind::Microsoft, "ada@contoso.com");
    empty.clients.microsoft = Some(OAuthClient {
        client_id: " ".into(),
        client_secret: None,
    });
    assert!(
        start(&empty, &random(), T0)
            .unwrap_err()
            .message
            .contains("microsoftClientId")
    );

    let mut no_secret = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    no_secret.clients.google.as_mut().unwrap().client_secret = None;
    assert_eq!(
        start(&no_secret, &random(), T0).unwrap_err().code,
        "clientMisconfigured"
    );

    assert_eq!(
        start(&input(ConnectionKind::Google, "ada@"), &random(), T0)
            .unwrap_err()
            .code,
        "missingDomain"
    );
    assert_eq!(
        start(
            &input(ConnectionKind::Google, "ada.lovelace@gmail.com"),
            &random()[..95],
            T0
        )
        .unwrap_err()
        .code,
        "notEnoughRandom"
    );
}

#[test]
fn already_connected_is_refused_but_reconnect_is_not() {
    let mut inp = input(ConnectionKind::Google, "adalovelace@gmail.com");
    inp.registry.personal_inboxes = vec!["Ada.Lovelace@gmail.com".into()];
    let e = start(&inp, &random(), T0).unwrap_err();
    assert_eq!(e.code, "alreadyConnected");

    inp.mode = ConnectMode::Reconnect;
    inp.previous_state = ConnectionState::Connected {
        address: "Ada.Lovelace@gmail.com".into(),
        connect: ConnectionKind::Google,
        aliases: vec![],
        connected_at_ms: 1_000,
    };
    assert!(start(&inp, &random(), T0).is_ok());

    // Reconnect of another address, or of something never connected.
    inp.address = "someone.else@gmail.com".into();
    assert_eq!(
        start(&inp, &random(), T0).unwrap_err().code,
        "addressMismatch"
    );
    inp.previous_state = ConnectionState::NotConnected;
    assert_eq!(start(&inp, &random(), T0).unwrap_err().code, "notConnected");
}

fn needs_reauth(address: &str, connect: ConnectionKind) -> ConnectionState {
    ConnectionState::NeedsReauthentication {
        address: address.into(),
        connect,
        aliases: vec!["old@analytical.example".into()],
        connected_at_ms: 1_700_000_000_000,
        code: "tokenRevoked".into(),
        reason: "Google ended Inlay's access.".into(),
    }
}

#[test]
fn reconnect_returns_to_connected_keeping_the_connection_date() {
    let mut inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    inp.mode = ConnectMode::Reconnect;
    inp.previous_state = needs_reauth("ada.lovelace@gmail.com", ConnectionKind::Google);
    inp.registry.personal_inboxes = vec!["ada.lovelace@gmail.com".into()];
    let (a, _, c) = google_to_send_as(&inp);
    assert!(matches!(
        a.account_state,
        ConnectionState::Authorizing { .. }
    ));
    let d = answer_send_as(&c);
    connected(&d);
    assert_eq!(
        d.account_state,
        ConnectionState::Connected {
            address: "ada.lovelace@gmail.com".into(),
            connect: ConnectionKind::Google,
            aliases: vec!["ada@analytical.example".into()],
            connected_at_ms: 1_700_000_000_000,
        }
    );
}

#[test]
fn cancel_mid_flow_restores_the_previous_state_exactly() {
    let previous = needs_reauth("ada.lovelace@gmail.com", ConnectionKind::Google);
    let mut inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    inp.mode = ConnectMode::Reconnect;
    inp.previous_state = previous.clone();
    let (a, b, c) = google_to_send_as(&inp);
    for at in [&a, &b, &c] {
        let x = cancel(at.flow.clone());
        let e = failed(&x);
        assert_eq!(e.code, "cancelled");
        assert_eq!(x.account_state, previous);
        assert!(run(&x).tokens.is_none());
        // Cancelling again, or anything after, changes nothing.
        assert_eq!(cancel(x.flow.clone()).step, x.step);
        assert_eq!(
            go(&x, FlowInput::Timer, T0 + 30_000).account_state,
            previous
        );
    }
    // A finished flow is not undone by a late cancel.
    let done = answer_send_as(&c);
    let late = cancel(done.flow.clone());
    assert_eq!(late.step, done.step);
    assert!(matches!(
        late.account_state,
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn closing_the_window_is_a_cancel() {
    let a = begin_gmail();
    let b = window_failed(&a, "The user did not approve access.", T0 + 9_000);
    assert_eq!(failed(&b).code, "cancelled");
    assert_eq!(b.account_state, ConnectionState::NotConnected);
    let c = window_failed(&a, "Authorization page could not be loaded.", T0 + 9_000);
    assert_eq!(failed(&c).code, "signInUnavailable");
}

/// The pages stay quiet on a cancel because the core says so (`cancelled`,
/// sent only when true), not because they compare codes.
#[test]
fn a_cancel_is_marked_for_the_pages_and_nothing_else_is() {
    let a = begin_gmail();
    let closed = window_failed(&a, "The user did not approve access.", T0 + 9_000);
    assert_eq!(failed(&closed).code, ErrorCode::Cancelled);
    assert!(failed(&closed).cancelled);
    let clicked = cancel(a.flow.clone());
    assert!(failed(&clicked).cancelled);
    let refused = window_failed(&a, "Authorization page could not be loaded.", T0 + 9_000);
    assert!(!failed(&refused).cancelled);
    let json = serde_json::to_value(failed(&refused)).unwrap();
    assert_eq!(json.get("cancelled"), None);
    assert_eq!(json["code"], "signInUnavailable");
    let closed_json = serde_json::to_value(failed(&closed)).unwrap();
    assert_eq!(closed_json["cancelled"], true);
    // Read back as written (a missing flag is false).
    let back: FlowError = serde_json::from_value(json).unwrap();
    assert_eq!(&back, failed(&refused));
}

#[test]
fn silent_mode_failure_is_interaction_required() {
    let previous = ConnectionState::Connected {
        address: "ada@contoso.com".into(),
        connect: ConnectionKind::Microsoft,
        aliases: vec![],
        connected_at_ms: 1_700_000_000_000,
    };
    let mut inp = input(ConnectionKind::Microsoft, "ada@contoso.com");
    inp.mode = ConnectMode::Silent;
    inp.previous_state = previous.clone();
    inp.registry.personal_inboxes = vec!["ada@contoso.com".into()];
    let a = begin(&inp);
    let Step::AuthFlow { url, interactive } = &a.step else {
        panic!()
    };
    assert!(!interactive);
    assert_eq!(query(url)["prompt"], "none");
    assert_eq!(query(url)["login_hint"], "ada@contoso.com");

    let b = window_failed(&a, "User interaction required.", T0 + 1_000);
    assert_eq!(failed(&b).code, "interactionRequired");
    assert_eq!(b.account_state, previous);

    // Microsoft may instead redirect back with the error.
    let c = go(
        &a,
        redirect(
            &a.step,
            &[
                ("error", "login_required"),
                (
                    "error_description",
                    "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
                ),
            ],
        ),
        T0 + 1_000,
    );
    assert_eq!(failed(&c).code, "interactionRequired");
    assert_eq!(c.account_state, previous);
}

#[test]
fn silent_mode_success_keeps_the_account_connected() {
    let previous = ConnectionState::Connected {
        address: "ada@contoso.com".into(),
        connect: ConnectionKind::Microsoft,
        aliases: vec!["ada.lovelace@contoso.com".into()],
        connected_at_ms: 1_700_000_000_000,
    };
    let mut inp = input(ConnectionKind::Microsoft, "ada@contoso.com");
    inp.mode = ConnectMode::Silent;
    inp.previous_state = previous;
    let c = ms_signed_in(&inp, WORK_TENANT, "ada@contoso.com", None);
    let d = go(&c, ok(me_work()), T0 + 3);
    let e = go(&d, ok(mailbox_settings("user")), T0 + 4);
    connected(&e);
    assert!(matches!(
        e.account_state,
        ConnectionState::Connected {
            connected_at_ms: 1_700_000_000_000,
            ..
        }
    ));
}

#[test]
fn unexpected_inputs_end_the_flow_safely() {
    let a = begin_gmail();
    let b = go(&a, ok(json!({"access_token": "x"})), T0 + 1);
    assert_eq!(failed(&b).code, "unexpectedInput");
    assert_eq!(b.account_state, ConnectionState::NotConnected);
    let (_, c) = google_to_exchange(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let d = go(&c, google_redirect(&a.step), T0 + 2);
    assert_eq!(failed(&d).code, "unexpectedInput");
}

#[test]
fn flows_survive_json_at_every_step() {
    // Drive a Microsoft flow with a 503 in the middle; at every step,
    // round-trip the flow through JSON and check both copies agree.
    let inp = input(ConnectionKind::Microsoft, "ada@contoso.com");
    let a = begin(&inp);
    let n = nonce(&a.step);
    let script: Vec<(FlowInput, u64)> = vec![
        (ms_redirect(&a.step), T0 + 1_000),
        (
            ok(ms_token_body(&n, WORK_TENANT, "ada@contoso.com", None)),
            T0 + 2_000,
        ),
        (
            graph_error(503, "serviceNotAvailable", "Service unavailable"),
            T0 + 3_000,
        ),
        (FlowInput::Timer, T0 + 60_000),
        (ok(me_work()), T0 + 61_000),
        (ok(mailbox_settings("user")), T0 + 62_000),
    ];
    let mut cur = a;
    for (input, now) in script {
        let json = serde_json::to_string(&cur.flow).unwrap();
        let revived: ConnectFlow = serde_json::from_str(&json).unwrap();
        assert_eq!(revived, cur.flow);
        let direct = resume(cur.flow.clone(), input.clone(), now, 12345);
        let via_json = resume(revived, input, now, 12345);
        assert_eq!(direct, via_json);
        cur = direct;
    }
    connected(&cur);
    // The whole result is JSON too, in the shape the worker reads.
    let v = serde_json::to_value(&cur).unwrap();
    assert_eq!(v["step"]["kind"], "done");
    assert_eq!(v["step"]["result"]["account"]["address"], "Ada@contoso.com");
    assert_eq!(v["flow"]["kind"], "running");
    assert_eq!(v["accountState"]["kind"], "connected");
    assert!(v["flow"]["phase"]["kind"] == "done");
}

#[test]
fn step_json_shapes() {
    let inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    let a = begin(&inp);
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["step"]["kind"], "authFlow");
    assert_eq!(v["step"]["interactive"], true);
    assert!(v["step"]["url"].is_string());
    assert_eq!(v["accountState"]["kind"], "authorizing");
    assert_eq!(v["accountState"]["startedAtMs"], T0);
    assert_eq!(v["flow"]["phase"]["kind"], "awaitingRedirect");

    let b = go(&a, google_redirect(&a.step), T0 + 1);
    let v = serde_json::to_value(&b.step).unwrap();
    assert_eq!(v["kind"], "http");
    assert_eq!(v["purpose"], "tokenExchange");
    assert_eq!(v["request"]["method"], "POST");
    assert_eq!(v["request"]["headers"][0][0], "Content-Type");

    let c = go(&b, response(503, &[("retry-after", "2")], ""), T0 + 2);
    let v = serde_json::to_value(&c.step).unwrap();
    assert_eq!(v["kind"], "wait");
    assert!(v["untilMs"].as_u64().unwrap() >= T0 + 2_002);
    assert!(v["reason"].is_string());

    let d = cancel(c.flow);
    let v = serde_json::to_value(&d.step).unwrap();
    assert_eq!(
        v,
        json!({"kind": "failed", "error": {"code": "cancelled", "message": "You cancelled connecting ada.lovelace@gmail.com. Nothing was changed.", "cancelled": true}})
    );

    let input_json: ConnectInput = serde_json::from_value(json!({
        "address": "ada@contoso.com", "connect": "microsoft", "automation": true,
        "clients": {"microsoft": {"clientId": MS_ID, "clientSecret": null}},
        "redirectBase": EXT, "policy": {"seat": "full", "allowedKinds": null},
        "registry": {"personalInboxes": [], "teamInboxes": []},
        "mode": "connect", "previousState": {"kind": "notConnected"}
    }))
    .unwrap();
    assert_eq!(input_json.clients.google, None);
    assert!(start(&input_json, &random(), T0).is_ok());

    let inputs: Vec<FlowInput> = serde_json::from_value(json!([
        {"kind": "redirect", "url": "https://x.chromiumapp.org/google?code=1"},
        {"kind": "authFlowFailed", "message": "User interaction required."},
        {"kind": "response", "response": {"status": 200, "headers": [["retry-after", "1"]], "body": ""}},
        {"kind": "transport", "failure": "timeout"},
        {"kind": "timer"}
    ]))
    .unwrap();
    assert_eq!(inputs.len(), 5);
}

#[test]
fn connected_json_shape() {
    let (_, _, c) = google_to_send_as(&input(ConnectionKind::Google, "ada.lovelace@gmail.com"));
    let d = answer_send_as(&c);
    let v = serde_json::to_value(&d.step).unwrap();
    assert_eq!(v["kind"], "done");
    let v = &v["result"];
    assert_eq!(v["account"]["address"], "ada.lovelace@gmail.com");
    assert_eq!(v["account"]["displayName"], "Ada L.");
    assert_eq!(v["account"]["accountType"], "personal");
    assert_eq!(v["account"]["connect"], "google");
    assert_eq!(v["tokens"]["provider"], "google");
    assert_eq!(v["tokens"]["accessToken"], "ya29.a0AfB_canned");
    assert!(v["tokens"]["expiresAtMs"].is_u64());
}

/// The flow as a `Machine`: nothing runs before `start`, a second `start`
/// doesn't restart it, and a cancel before the start changes nothing.
#[test]
fn the_machine_refuses_to_run_out_of_order() {
    let inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    let moment = Moment {
        now_ms: T0,
        random: &random(),
    };

    let mut early = ConnectFlow::new(inp.clone());
    let Step::Failed { error } = early.resume(Input::Timer, moment) else {
        panic!()
    };
    assert_eq!(error.code, "unexpectedInput");
    assert_eq!(early.account_state(), &ConnectionState::NotConnected);
    // Refused stays refused, even if started now.
    assert_eq!(early.start(moment), Step::Failed { error });

    let mut twice = ConnectFlow::new(inp.clone());
    assert!(matches!(twice.start(moment), Step::AuthFlow { .. }));
    let Step::Failed { error } = twice.start(moment) else {
        panic!()
    };
    assert_eq!(error.code, "unexpectedInput");
    assert_eq!(twice.account_state(), &ConnectionState::NotConnected);

    let mut cancelled = ConnectFlow::new(inp);
    let Step::Failed { error } = cancelled.cancel() else {
        panic!()
    };
    assert_eq!(error.code, "cancelled");
    assert_eq!(cancelled.account_state(), &ConnectionState::NotConnected);
}

/// A refusal at the start is a failed step with the account left as it was
/// (it used to be thrown): e.g. a view-only seat.
#[test]
fn a_refused_start_is_a_failed_step_that_changes_nothing() {
    let mut inp = input(ConnectionKind::Google, "ada.lovelace@gmail.com");
    inp.policy.seat = Seat::ViewOnly;
    let mut flow = ConnectFlow::new(inp);
    let step = flow.start(Moment {
        now_ms: T0,
        random: &random(),
    });
    let advance = flow.advance(step);
    assert_eq!(failed(&advance).code, "viewOnlySeat");
    assert_eq!(advance.account_state, ConnectionState::NotConnected);
    assert!(advance.flow.running().is_none());
}
