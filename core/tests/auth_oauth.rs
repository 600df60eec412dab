//! OAuth: PKCE, authorization URLs, redirect validation, token responses,
//! refresh, revoke and account verification.

mod support;

use inlay_core::auth::*;
use inlay_core::http::{HttpResponse, Method};
use inlay_core::provider::Disposition;
use inlay_core::provider::graph::{MICROSOFT_PERSONAL_TENANT, MICROSOFT_SPA_REFRESH_LIFETIME_MS};
use support::{
    GOOGLE_ID, MS_ID, WORK_TENANT, form, google_client, http_response, ms_client, query,
};
use url::Url;

const EXT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org";
const T0: u64 = 1_800_000_000_000;

fn client(p: OAuthProvider) -> OAuthClient {
    match p {
        OAuthProvider::Google => google_client(),
        OAuthProvider::Microsoft => ms_client(),
    }
}

fn redirect(p: OAuthProvider) -> String {
    format!(
        "{EXT}/{}",
        match p {
            OAuthProvider::Google => "google",
            OAuthProvider::Microsoft => "microsoft",
        }
    )
}

fn secrets() -> AuthorizationSecrets {
    AuthorizationSecrets::from_random(&[1; 32], &[2; 32], &[3; 32])
}

fn params(p: OAuthProvider, features: Features) -> AuthorizationParams {
    AuthorizationParams {
        provider: p,
        client: client(p),
        redirect_uri: redirect(p),
        login_hint: Some("ada@example.com".into()),
        features,
        interactive: true,
        already_granted: Vec::new(),
    }
}

fn plan(p: OAuthProvider) -> AuthorizationPlan {
    plan_authorization(&params(p, Features::default()), &secrets(), T0).unwrap()
}

/// The redirect the provider would send back, with extra/override params.
fn callback(pending: &PendingAuthorization, extra: &[(&str, &str)]) -> String {
    let mut url = Url::parse(&pending.redirect_uri).unwrap();
    {
        let mut q = url.query_pairs_mut();
        if !extra.iter().any(|(k, _)| *k == "state" || *k == "-state") {
            q.append_pair("state", &pending.state);
        }
        for (k, v) in extra {
            if !k.starts_with('-') {
                q.append_pair(k, v);
            }
        }
    }
    url.into()
}

fn jwt(claims: serde_json::Value) -> String {
    support::jwt_with_header(r#"{"alg":"RS256","kid":"k1"}"#, &claims)
}

fn google_claims(nonce: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": "https://accounts.google.com", "aud": GOOGLE_ID, "azp": GOOGLE_ID,
        "sub": "1098765", "email": "ada.lovelace@gmail.com", "email_verified": true,
        "nonce": nonce, "name": "Ada Lovelace", "iat": 1, "exp": 2
    })
}

fn ms_claims(nonce: &str, tid: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"), "aud": MS_ID,
        "sub": "AAAAA", "tid": tid, "nonce": nonce, "email": "ada@outlook.com",
        "preferred_username": "ada@outlook.com", "name": "Ada"
    })
}

fn ok(body: serde_json::Value) -> HttpResponse {
    http_response(200, &[], &body.to_string())
}

fn status(code: u16, body: &str) -> HttpResponse {
    http_response(code, &[], body)
}

// ---------------------------------------------------------------- PKCE

#[test]
fn pkce_matches_rfc7636_appendix_b() {
    let bytes: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let pkce = Pkce::from_random(&bytes);
    assert_eq!(pkce.verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        pkce.challenge,
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(Pkce::METHOD, "S256");
}

#[test]
fn verifier_state_and_nonce_are_43_unreserved_chars() {
    for seed in [0u8, 7, 255] {
        let bytes = [seed; 32];
        for value in [Pkce::from_random(&bytes).verifier, random_value(&bytes)] {
            assert_eq!(value.len(), 43);
            assert!(
                value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
                "{value}"
            );
        }
    }
    assert_ne!(random_value(&[1; 32]), random_value(&[2; 32]));
    let s = secrets();
    assert_ne!(s.state, s.nonce);
    assert_eq!(s.pkce.challenge, challenge_for(&s.pkce.verifier));
}

// ---------------------------------------------------------------- authorization URL

#[test]
fn google_authorization_url() {
    let plan = plan(OAuthProvider::Google);
    assert!(
        plan.url
            .starts_with("https://accounts.google.com/o/oauth2/v2/auth?")
    );
    let q = query(&plan.url);
    let s = secrets();
    assert_eq!(q["client_id"], GOOGLE_ID);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["redirect_uri"], format!("{EXT}/google"));
    assert_eq!(
        q["scope"],
        "openid email profile https://www.googleapis.com/auth/gmail.send"
    );
    assert_eq!(q["state"], s.state);
    assert_eq!(q["nonce"], s.nonce);
    assert_eq!(q["code_challenge"], s.pkce.challenge);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert_eq!(q["login_hint"], "ada@example.com");
    assert!(!q.contains_key("include_granted_scopes"));
    assert!(
        !q.contains_key("client_secret"),
        "the secret never goes in the URL"
    );
    assert!(
        !plan.url.contains(&s.pkce.verifier),
        "the verifier never leaves the pending state"
    );
    let p = &plan.pending;
    assert_eq!(p.provider, OAuthProvider::Google);
    assert_eq!(
        (p.state.as_str(), p.nonce.as_str(), p.verifier.as_str()),
        (s.state.as_str(), s.nonce.as_str(), s.pkce.verifier.as_str())
    );
    assert_eq!(p.started_at_ms, T0);
    assert_eq!(
        p.required_scopes,
        vec!["https://www.googleapis.com/auth/gmail.send"]
    );
}

#[test]
fn google_aliases_add_the_restricted_settings_scope() {
    let features = Features {
        send: true,
        send_as_aliases: true,
        mailbox_settings: true,
        ..Features::default()
    };
    let plan =
        plan_authorization(&params(OAuthProvider::Google, features), &secrets(), T0).unwrap();
    let scope = query(&plan.url)["scope"].clone();
    assert!(
        scope.ends_with("gmail.send https://www.googleapis.com/auth/gmail.settings.basic"),
        "{scope}"
    );
    assert!(
        !scope.contains("MailboxSettings"),
        "Microsoft-only feature adds nothing for Google"
    );
    let infos = scopes_for(OAuthProvider::Google, &features);
    let settings = infos
        .iter()
        .find(|s| s.scope.ends_with("gmail.settings.basic"))
        .unwrap();
    assert_eq!(settings.google_review, Some(GoogleReview::Restricted));
    let send = infos
        .iter()
        .find(|s| s.scope.ends_with("gmail.send"))
        .unwrap();
    assert_eq!(send.google_review, Some(GoogleReview::Sensitive));
}

#[test]
fn microsoft_authorization_url() {
    let plan = plan(OAuthProvider::Microsoft);
    assert!(
        plan.url
            .starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?")
    );
    let q = query(&plan.url);
    assert_eq!(
        q["scope"],
        "openid email profile offline_access User.Read Mail.Send"
    );
    assert_eq!(q["response_mode"], "query");
    assert_eq!(q["prompt"], "select_account");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], format!("{EXT}/microsoft"));
    assert!(!q.contains_key("access_type"));

    let features = Features {
        send: true,
        send_as_aliases: true,
        mailbox_settings: true,
        ..Features::default()
    };
    let plan =
        plan_authorization(&params(OAuthProvider::Microsoft, features), &secrets(), T0).unwrap();
    assert_eq!(
        query(&plan.url)["scope"],
        "openid email profile offline_access User.Read Mail.Send MailboxSettings.Read"
    );
    assert_eq!(
        plan.pending.required_scopes,
        vec!["Mail.Send", "MailboxSettings.Read"]
    );
}

#[test]
fn silent_authorization_uses_prompt_none() {
    let mut p = params(OAuthProvider::Microsoft, Features::default());
    p.interactive = false;
    let plan = plan_authorization(&p, &secrets(), T0).unwrap();
    assert_eq!(query(&plan.url)["prompt"], "none");
}

#[test]
fn every_scope_has_an_explanation() {
    let all = Features {
        send: true,
        send_as_aliases: true,
        mailbox_settings: true,
        ..Features::default()
    };
    for p in [OAuthProvider::Google, OAuthProvider::Microsoft] {
        for s in scopes_for(p, &all) {
            assert!(
                s.explanation.len() > 30,
                "{p:?} {}: {}",
                s.scope,
                s.explanation
            );
        }
    }
    let none = Features {
        send: false,
        send_as_aliases: false,
        mailbox_settings: false,
        ..Features::default()
    };
    assert!(
        scopes_for(OAuthProvider::Google, &none)
            .iter()
            .all(|s| !s.required_for_feature)
    );
}

#[test]
fn misconfigured_clients_are_refused_before_any_consent_screen() {
    let mut p = params(OAuthProvider::Google, Features::default());
    p.client.client_secret = None;
    assert_eq!(
        plan_authorization(&p, &secrets(), T0).unwrap_err().code(),
        "clientMisconfigured"
    );

    let mut p = params(OAuthProvider::Microsoft, Features::default());
    p.client.client_secret = Some("s3cret".into());
    assert_eq!(
        plan_authorization(&p, &secrets(), T0).unwrap_err().code(),
        "clientMisconfigured"
    );

    let mut p = params(OAuthProvider::Google, Features::default());
    p.client.client_id = " ".into();
    assert!(plan_authorization(&p, &secrets(), T0).is_err());

    for bad in [
        format!("{EXT}/microsoft"),
        format!("{EXT}/"),
        "http://evil.example/google".into(),
        "not a url".into(),
    ] {
        let mut p = params(OAuthProvider::Google, Features::default());
        p.redirect_uri = bad.clone();
        let err = plan_authorization(&p, &secrets(), T0).unwrap_err();
        assert_eq!(err.code(), "clientMisconfigured", "{bad}");
        assert!(!err.message().is_empty());
    }
}

// ---------------------------------------------------------------- redirect

#[test]
fn google_code_exchange_request() {
    let plan = plan(OAuthProvider::Google);
    // A code with characters that need encoding survives the round trip.
    let url = callback(
        &plan.pending,
        &[("code", "4/0Ab+c/d=="), ("scope", "email openid")],
    );
    let req = complete_authorization(&plan.pending, &google_client(), &url, T0 + 30_000).unwrap();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://oauth2.googleapis.com/token");
    assert!(
        req.headers
            .iter()
            .any(|(k, v)| k == "Content-Type" && v == "application/x-www-form-urlencoded")
    );
    let f = form(&req);
    assert_eq!(f["grant_type"], "authorization_code");
    assert_eq!(f["code"], "4/0Ab+c/d==");
    assert_eq!(f["redirect_uri"], format!("{EXT}/google"));
    assert_eq!(f["client_id"], GOOGLE_ID);
    assert_eq!(f["code_verifier"], plan.pending.verifier);
    assert_eq!(f["client_secret"], "GOCSPX-public");
    assert!(!req.url.contains("code"), "nothing secret in the URL");
}

#[test]
fn microsoft_code_exchange_request_has_no_secret() {
    let plan = plan(OAuthProvider::Microsoft);
    let url = callback(&plan.pending, &[("code", "M.C123_BAY.2.U.abc")]);
    let req = complete_authorization(&plan.pending, &ms_client(), &url, T0 + 1).unwrap();
    assert_eq!(
        req.url,
        "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    );
    let f = form(&req);
    assert!(!f.contains_key("client_secret"));
    assert_eq!(
        f["scope"],
        "openid email profile offline_access User.Read Mail.Send"
    );
    assert_eq!(f["code"], "M.C123_BAY.2.U.abc");
}

#[test]
fn mix_up_redirect_on_another_providers_path_is_refused() {
    let google = plan(OAuthProvider::Google);
    let ms = plan(OAuthProvider::Microsoft);
    // Microsoft's answer arriving while Google's sign-in is pending.
    let url = callback(&google.pending, &[("code", "x")]).replace("/google?", "/microsoft?");
    let err = complete_authorization(&google.pending, &google_client(), &url, T0).unwrap_err();
    assert!(
        matches!(&err, AuthError::RedirectMismatch { expected, actual, .. } if expected == "/google" && actual == "/microsoft"),
        "{err:?}"
    );
    // And another host entirely.
    let url = callback(&ms.pending, &[("code", "x")]).replace("chromiumapp.org", "evil.example");
    assert_eq!(
        complete_authorization(&ms.pending, &ms_client(), &url, T0)
            .unwrap_err()
            .code(),
        "redirectMismatch"
    );
}

#[test]
fn state_must_be_present_and_equal() {
    let plan = plan(OAuthProvider::Google);
    let missing = callback(&plan.pending, &[("-state", ""), ("code", "x")]);
    assert!(!missing.contains("state="));
    let wrong = callback(&plan.pending, &[("state", "forged"), ("code", "x")]);
    let doubled = format!(
        "{}&state={}",
        callback(&plan.pending, &[("code", "x")]),
        plan.pending.state
    );
    for (url, code) in [
        (missing, "stateMismatch"),
        (wrong, "stateMismatch"),
        (doubled, "invalidRedirect"),
    ] {
        let err = complete_authorization(&plan.pending, &google_client(), &url, T0).unwrap_err();
        assert_eq!(err.code(), code, "{url}");
    }
    // A forged error response is also refused on state, not shown as "denied".
    let forged = callback(
        &plan.pending,
        &[("state", "forged"), ("error", "access_denied")],
    );
    assert_eq!(
        complete_authorization(&plan.pending, &google_client(), &forged, T0)
            .unwrap_err()
            .code(),
        "stateMismatch"
    );
}

#[test]
fn stale_pending_authorization_expires() {
    let plan = plan(OAuthProvider::Google);
    let url = callback(&plan.pending, &[("code", "x")]);
    assert!(
        complete_authorization(
            &plan.pending,
            &google_client(),
            &url,
            T0 + AUTHORIZATION_TIMEOUT_MS
        )
        .is_ok()
    );
    let err = complete_authorization(
        &plan.pending,
        &google_client(),
        &url,
        T0 + AUTHORIZATION_TIMEOUT_MS + 1,
    )
    .unwrap_err();
    assert!(matches!(err, AuthError::Expired { .. }));
}

#[test]
fn rfc9207_issuer_is_checked_when_present() {
    let g = plan(OAuthProvider::Google);
    let good = callback(
        &g.pending,
        &[("code", "x"), ("iss", "https://accounts.google.com")],
    );
    assert!(complete_authorization(&g.pending, &google_client(), &good, T0).is_ok());
    let bad = callback(
        &g.pending,
        &[
            ("code", "x"),
            ("iss", "https://login.microsoftonline.com/common/v2.0"),
        ],
    );
    let err = complete_authorization(&g.pending, &google_client(), &bad, T0).unwrap_err();
    assert!(matches!(err, AuthError::IssuerMismatch { .. }), "{err:?}");

    let m = plan(OAuthProvider::Microsoft);
    let good = callback(
        &m.pending,
        &[
            ("code", "x"),
            (
                "iss",
                &format!("https://login.microsoftonline.com/{WORK_TENANT}/v2.0"),
            ),
        ],
    );
    assert!(complete_authorization(&m.pending, &ms_client(), &good, T0).is_ok());
    let bad = callback(
        &m.pending,
        &[("code", "x"), ("iss", "https://accounts.google.com")],
    );
    assert_eq!(
        complete_authorization(&m.pending, &ms_client(), &bad, T0)
            .unwrap_err()
            .code(),
        "issuerMismatch"
    );
}

#[test]
fn provider_errors_map_to_specific_messages() {
    let g = plan(OAuthProvider::Google);
    let m = plan(OAuthProvider::Microsoft);
    type Case<'a> = (
        &'a PendingAuthorization,
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a str,
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        (&g.pending, &[("error", "access_denied")], "userDenied", "didn't give Inlay access"),
        (&g.pending, &[("error", "admin_policy_enforced")], "adminBlocked", "Workspace administrator"),
        (&g.pending, &[("error", "policy_enforced")], "advancedProtection", "Advanced Protection"),
        (&g.pending, &[("error", "org_internal")], "orgInternal", "organisation"),
        (&g.pending, &[("error", "invalid_client")], "clientMisconfigured", "set up incorrectly"),
        (&g.pending, &[("error", "server_error")], "providerError", "try again"),
        (&m.pending, &[("error", "interaction_required")], "interactionRequired", "sign in again"),
        (&m.pending, &[("error", "login_required")], "interactionRequired", "sign in again"),
        (&m.pending, &[("error", "consent_required")], "consentRequired", "permission"),
        (&m.pending, &[("error", "invalid_request"), ("error_description", "AADSTS65001: The user or administrator has not consented to use the application.")], "consentRequired", "permission"),
        (&m.pending, &[("error", "access_denied"), ("error_description", "AADSTS65004: User declined to consent to access the app.")], "userDenied", "declined"),
        (&m.pending, &[("error", "access_denied"), ("error_description", "AADSTS90094: The grant requires admin permission.")], "adminConsentRequired", "administrator to approve"),
        (&m.pending, &[("error", "invalid_request"), ("error_description", "AADSTS50020: User account 'ada@outlook.com' from identity provider 'live.com' does not exist in tenant 'Contoso'.")], "accountNotAllowed", "can't sign in"),
        (&m.pending, &[("error", "access_denied"), ("error_description", "AADSTS53003: Access has been blocked by Conditional Access policies.")], "conditionalAccess", "Conditional Access"),
        (&m.pending, &[("error", "invalid_request"), ("error_description", "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.")], "notAssigned", "assign"),
        (&m.pending, &[("error", "interaction_required"), ("error_description", "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.")], "interactionRequired", "multi-factor"),
        (&m.pending, &[("error", "invalid_request"), ("error_description", "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.")], "clientMisconfigured", "administrator"),
        (&m.pending, &[("error", "temporarily_unavailable")], "providerError", "temporarily_unavailable"),
    ];
    for (pending, params, code, words) in cases {
        let url = callback(pending, params);
        let err = complete_authorization(pending, &client(pending.provider), &url, T0).unwrap_err();
        assert_eq!(err.code(), *code, "{params:?} → {err:?}");
        assert!(
            err.message().contains(words),
            "{params:?}: {:?} lacks {words:?}",
            err.message()
        );
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], err.code(), "code() matches the serde tag");
        assert_eq!(json["message"], err.message());
    }
}

#[test]
fn missing_code_and_garbage_redirects() {
    let g = plan(OAuthProvider::Google);
    let url = callback(&g.pending, &[]);
    assert!(matches!(
        complete_authorization(&g.pending, &google_client(), &url, T0),
        Err(AuthError::MissingCode { .. })
    ));
    let url = callback(&g.pending, &[("code", "")]);
    assert_eq!(
        complete_authorization(&g.pending, &google_client(), &url, T0)
            .unwrap_err()
            .code(),
        "missingCode"
    );
    let err =
        complete_authorization(&g.pending, &google_client(), "::not a url::", T0).unwrap_err();
    assert_eq!(err.code(), "invalidRedirect");
}

// ---------------------------------------------------------------- token responses

fn google_expect() -> TokenExpectations {
    TokenExpectations::for_code(&plan(OAuthProvider::Google).pending, &google_client())
}

fn ms_expect() -> TokenExpectations {
    TokenExpectations::for_code(&plan(OAuthProvider::Microsoft).pending, &ms_client())
}

fn google_body(nonce: &str) -> serde_json::Value {
    serde_json::json!({
        "access_token": "ya29.a0", "expires_in": 3599, "refresh_token": "1//0g",
        "scope": "https://www.googleapis.com/auth/gmail.send openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "token_type": "Bearer", "id_token": jwt(google_claims(nonce))
    })
}

#[test]
fn google_token_response() {
    let e = google_expect();
    let set =
        interpret_token_response(&e, &ok(google_body(e.nonce.as_deref().unwrap())), T0).unwrap();
    assert_eq!(set.access_token, "ya29.a0");
    assert_eq!(set.expires_at_ms, T0 + 3_599_000);
    assert_eq!(set.refresh_token.as_deref(), Some("1//0g"));
    assert_eq!(set.refresh_token_expires_at_ms, None);
    assert_eq!(set.obtained_at_ms, T0);
    let c = set.id_claims.unwrap();
    assert_eq!(c.email.as_deref(), Some("ada.lovelace@gmail.com"));
    assert_eq!(c.email_verified, Some(true));
    assert_eq!(c.subject, "1098765");
    assert_eq!(c.account_type(OAuthProvider::Google), AccountType::Personal);
}

#[test]
fn microsoft_token_response_sets_the_24h_refresh_expiry() {
    let e = ms_expect();
    let nonce = e.nonce.clone().unwrap();
    let body = serde_json::json!({
        "token_type": "Bearer", "scope": "openid profile email https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/User.Read",
        "expires_in": "3600", "ext_expires_in": 3600, "access_token": "eyJ0eXAi", "refresh_token": "0.AAAA",
        "id_token": jwt(ms_claims(&nonce, MICROSOFT_PERSONAL_TENANT))
    });
    let set = interpret_token_response(&e, &ok(body.clone()), T0).unwrap();
    assert_eq!(
        set.expires_at_ms,
        T0 + 3_600_000,
        "string expires_in is accepted"
    );
    assert_eq!(
        set.refresh_token_expires_at_ms,
        Some(T0 + MICROSOFT_SPA_REFRESH_LIFETIME_MS)
    );
    let c = set.id_claims.unwrap();
    assert_eq!(
        c.account_type(OAuthProvider::Microsoft),
        AccountType::Personal
    );

    // An explicit refresh_token_expires_in wins.
    let mut body = body;
    body["refresh_token_expires_in"] = serde_json::json!(86_399);
    body["id_token"] = serde_json::json!(jwt(ms_claims(&nonce, WORK_TENANT)));
    let set = interpret_token_response(&e, &ok(body), T0).unwrap();
    assert_eq!(set.refresh_token_expires_at_ms, Some(T0 + 86_399_000));
    assert_eq!(
        set.id_claims
            .unwrap()
            .account_type(OAuthProvider::Microsoft),
        AccountType::WorkOrSchool
    );
}

#[test]
fn unticked_scope_is_a_clear_error() {
    let e = google_expect();
    let mut body = google_body(e.nonce.as_deref().unwrap());
    body["scope"] = serde_json::json!("openid https://www.googleapis.com/auth/userinfo.email");
    let err = interpret_token_response(&e, &ok(body), T0).unwrap_err();
    let TokenError::ScopesNotGranted { missing, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        missing,
        &vec!["https://www.googleapis.com/auth/gmail.send".to_string()]
    );
    assert!(
        message.contains("Send email as you") && message.contains("tick"),
        "{message}"
    );

    let plan = plan_authorization(
        &params(
            OAuthProvider::Microsoft,
            Features {
                send: true,
                send_as_aliases: false,
                mailbox_settings: true,
                ..Features::default()
            },
        ),
        &secrets(),
        T0,
    )
    .unwrap();
    let e = TokenExpectations::for_code(&plan.pending, &ms_client());
    let body = serde_json::json!({
        "access_token": "a", "expires_in": 3600, "scope": "Mail.Send User.Read openid",
        "id_token": jwt(ms_claims(&plan.pending.nonce, WORK_TENANT))
    });
    let err = interpret_token_response(&e, &ok(body), T0).unwrap_err();
    assert!(
        matches!(&err, TokenError::ScopesNotGranted { missing, .. } if missing == &vec!["MailboxSettings.Read".to_string()]),
        "{err:?}"
    );
}

#[test]
fn id_token_checks() {
    let e = google_expect();
    let nonce = e.nonce.clone().unwrap();
    let with = |claims: serde_json::Value| {
        let mut body = google_body(&nonce);
        body["id_token"] = serde_json::json!(jwt(claims));
        interpret_token_response(&e, &ok(body), T0)
    };
    let mut c = google_claims("someone-elses-nonce");
    assert!(matches!(
        with(c.clone()),
        Err(TokenError::NonceMismatch { .. })
    ));
    c = google_claims(&nonce);
    c["aud"] = serde_json::json!(["other-client", "another"]);
    assert!(matches!(with(c), Err(TokenError::AudienceMismatch { .. })));
    c = google_claims(&nonce);
    c["aud"] = serde_json::json!([GOOGLE_ID, "another"]);
    assert!(with(c).is_ok(), "aud as a list containing us is fine");
    c = google_claims(&nonce);
    c["iss"] = serde_json::json!("https://login.microsoftonline.com/x/v2.0");
    assert!(matches!(with(c), Err(TokenError::IssuerMismatch { .. })));
    c = google_claims(&nonce);
    c["email_verified"] = serde_json::json!(false);
    let err = with(c).unwrap_err();
    assert!(matches!(err, TokenError::EmailNotVerified { .. }));
    assert!(err.message().contains("verified"));
    c = google_claims(&nonce);
    c.as_object_mut().unwrap().remove("sub");
    assert!(matches!(with(c), Err(TokenError::InvalidIdToken { .. })));

    // Microsoft: iss must carry the token's own tenant.
    let e = ms_expect();
    let mut c = ms_claims(e.nonce.as_deref().unwrap(), WORK_TENANT);
    c["iss"] = serde_json::json!(format!(
        "https://login.microsoftonline.com/{MICROSOFT_PERSONAL_TENANT}/v2.0"
    ));
    let body = serde_json::json!({"access_token": "a", "expires_in": 3600, "id_token": jwt(c)});
    assert!(matches!(
        interpret_token_response(&e, &ok(body), T0),
        Err(TokenError::IssuerMismatch { .. })
    ));
}

#[test]
fn malformed_token_responses() {
    let e = google_expect();
    let nonce = e.nonce.clone().unwrap();
    let cases = vec![
        ok(serde_json::json!({"expires_in": 3600})),
        ok(serde_json::json!({"access_token": "", "expires_in": 3600})),
        ok(serde_json::json!({"access_token": "a"})),
        status(200, "<html>"),
    ];
    for r in cases {
        let err = interpret_token_response(&e, &r, T0).unwrap_err();
        assert!(
            matches!(err, TokenError::Malformed { .. }),
            "{r:?} → {err:?}"
        );
    }
    let mut body = google_body(&nonce);
    body.as_object_mut().unwrap().remove("id_token");
    assert!(matches!(
        interpret_token_response(&e, &ok(body), T0),
        Err(TokenError::InvalidIdToken { .. })
    ));
    let mut body = google_body(&nonce);
    body["id_token"] = serde_json::json!("only.two");
    assert!(matches!(
        interpret_token_response(&e, &ok(body), T0),
        Err(TokenError::InvalidIdToken { .. })
    ));
    let mut body = google_body(&nonce);
    body["id_token"] = serde_json::json!("a.!!!.c");
    assert!(matches!(
        interpret_token_response(&e, &ok(body), T0),
        Err(TokenError::InvalidIdToken { .. })
    ));
}

#[test]
fn refresh_responses_need_no_id_token_or_nonce() {
    let e = TokenExpectations::for_refresh(
        OAuthProvider::Google,
        &google_client(),
        &Features::default(),
    );
    assert_eq!(e.grant, Grant::RefreshToken);
    let body = serde_json::json!({"access_token": "ya29.new", "expires_in": 3599, "scope": "https://www.googleapis.com/auth/gmail.send", "token_type": "Bearer"});
    let set = interpret_token_response(&e, &ok(body), T0).unwrap();
    assert_eq!(set.refresh_token, None);
    assert_eq!(set.id_claims, None);
    // An ID token on refresh has no nonce; still fine.
    let body = serde_json::json!({"access_token": "ya29.new", "expires_in": 3599, "id_token": jwt(google_claims(""))});
    assert!(interpret_token_response(&e, &ok(body), T0).is_ok());
}

#[test]
fn token_endpoint_errors_are_classified() {
    let e = TokenExpectations::for_refresh(
        OAuthProvider::Google,
        &google_client(),
        &Features::default(),
    );
    let err = interpret_token_response(
        &e,
        &status(
            400,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
        ),
        T0,
    )
    .unwrap_err();
    let TokenError::Endpoint {
        disposition: Disposition::Reauthenticate { code, .. },
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(code, "tokenRevoked");
    assert!(message.contains("Sign in again"));
    assert!(!err.is_transient());

    let e = TokenExpectations::for_refresh(
        OAuthProvider::Microsoft,
        &ms_client(),
        &Features::default(),
    );
    let err = interpret_token_response(&e, &status(400, r#"{"error":"invalid_grant","error_description":"AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.","error_codes":[700084]}"#), T0).unwrap_err();
    assert!(
        matches!(&err, TokenError::Endpoint { disposition: Disposition::Reauthenticate { code, .. }, .. } if code == "refreshTokenExpired"),
        "{err:?}"
    );

    let err = interpret_token_response(&e, &status(503, ""), T0).unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.message().contains("try again"));
}

#[test]
fn plan_refresh_shapes() {
    let r = plan_refresh(OAuthProvider::Google, &google_client(), "1//0g+x", &[]);
    assert_eq!(r.url, "https://oauth2.googleapis.com/token");
    let f = form(&r);
    assert_eq!(f["grant_type"], "refresh_token");
    assert_eq!(f["refresh_token"], "1//0g+x");
    assert_eq!(f["client_secret"], "GOCSPX-public");
    assert!(!r.url.contains("1//0g"));

    let scopes = vec![
        "openid".to_string(),
        "offline_access".into(),
        "Mail.Send".into(),
    ];
    let r = plan_refresh(OAuthProvider::Microsoft, &ms_client(), "0.AAAA", &scopes);
    let f = form(&r);
    assert_eq!(f["scope"], "openid offline_access Mail.Send");
    assert_eq!(f["client_id"], MS_ID);
    assert!(!f.contains_key("client_secret"));
}

#[test]
fn revocation_plans() {
    match plan_revoke(
        OAuthProvider::Google,
        "1//0g-refresh",
        AccountType::Personal,
    ) {
        RevocationPlan::Request { request } => {
            assert_eq!(request.method, Method::Post);
            assert_eq!(request.url, "https://oauth2.googleapis.com/revoke");
            assert_eq!(request.body.as_deref(), Some("token=1%2F%2F0g-refresh"));
            assert!(!request.url.contains("token"), "tokens never go in URLs");
        }
        other => panic!("{other:?}"),
    }
    match plan_revoke(OAuthProvider::Microsoft, "x", AccountType::Personal) {
        RevocationPlan::LocalOnly {
            logout_url,
            consent_url,
            instructions,
        } => {
            assert_eq!(
                logout_url,
                "https://login.microsoftonline.com/common/oauth2/v2.0/logout"
            );
            assert_eq!(consent_url, "https://account.live.com/consent/Manage");
            assert!(instructions.contains("account.live.com/consent/Manage"));
        }
        other => panic!("{other:?}"),
    }
    match plan_revoke(OAuthProvider::Microsoft, "x", AccountType::WorkOrSchool) {
        RevocationPlan::LocalOnly {
            consent_url,
            instructions,
            ..
        } => {
            assert_eq!(consent_url, "https://myapps.microsoft.com");
            assert!(instructions.contains("myapps.microsoft.com"));
        }
        other => panic!("{other:?}"),
    }
    let v = serde_json::to_value(plan_revoke(
        OAuthProvider::Microsoft,
        "x",
        AccountType::Unknown,
    ))
    .unwrap();
    assert_eq!(v["kind"], "localOnly");
    assert!(v["consentUrl"].is_string());
}

// ---------------------------------------------------------------- verification

fn ident(addresses: &[&str]) -> AccountIdentity {
    AccountIdentity {
        addresses: addresses.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn verify_account_rules() {
    assert!(verify_account("ada@example.com", &ident(&["ada@example.com"])).is_ok());
    assert!(verify_account(" Ada@Example.COM ", &ident(&["ada@example.com"])).is_ok());
    assert!(
        verify_account(
            "ada.lovelace@googlemail.com",
            &ident(&["adalovelace@gmail.com"])
        )
        .is_ok()
    );
    assert!(
        verify_account(
            "alias@example.com",
            &ident(&["ada@example.com", "alias@example.com"])
        )
        .is_ok()
    );

    let err = verify_account(
        "ada.lovelace@example.com",
        &ident(&["adalovelace@example.com"]),
    )
    .unwrap_err();
    match &err {
        AuthError::WrongAccount {
            expected,
            actual,
            message,
        } => {
            assert_eq!(expected, "ada.lovelace@example.com");
            assert_eq!(actual, "adalovelace@example.com");
            assert!(message.contains(expected) && message.contains(actual));
        }
        other => panic!("{other:?}"),
    }
    assert!(verify_account("ada+crm@gmail.com", &ident(&["ada@gmail.com"])).is_err());
    let err = verify_account("ada@example.com", &ident(&[])).unwrap_err();
    assert_eq!(err.code(), "wrongAccount");
}

#[test]
fn identity_from_claims() {
    let e = ms_expect();
    let mut c = ms_claims(e.nonce.as_deref().unwrap(), MICROSOFT_PERSONAL_TENANT);
    c.as_object_mut().unwrap().remove("email");
    c["preferred_username"] = serde_json::json!("ada@hotmail.com");
    let claims = decode_id_token(&jwt(c)).unwrap();
    let id = AccountIdentity::from_claims(&claims);
    assert_eq!(id.addresses, vec!["ada@hotmail.com"]);
    assert!(verify_account("ADA@hotmail.com", &id).is_ok());

    // Graph /me and Gmail's profile are read by the connect flow and the
    // account check (provider/graph/profile.rs; connect_flow.rs tests them).
}

// ---------------------------------------------------------------- serde

#[test]
fn serde_shapes() {
    let plan = plan(OAuthProvider::Google);
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["pending"]["provider"], "google");
    assert_eq!(v["pending"]["startedAtMs"], T0);
    assert!(v["pending"]["redirectUri"].is_string());
    assert!(v["pending"]["requiredScopes"].is_array());
    let back: AuthorizationPlan = serde_json::from_value(v).unwrap();
    assert_eq!(back, plan);

    let err = AuthError::wrong_account("a@x.com", "b@x.com");
    let v = serde_json::to_value(&err).unwrap();
    assert_eq!(v["kind"], "wrongAccount");
    assert_eq!(v["expected"], "a@x.com");

    let s = scopes_for(OAuthProvider::Google, &Features::default());
    let v = serde_json::to_value(&s[3]).unwrap();
    assert_eq!(v["requiredForFeature"], true);
    assert_eq!(v["googleReview"], "sensitive");
}

/// 100 sign-ins per provider, each started as the worker starts one (96
/// fresh random bytes): every verifier, state and nonce is new, no value is
/// reused across fields or sign-ins, and each challenge is S256 of its verifier.
#[test]
fn a_hundred_sign_ins_draw_a_hundred_fresh_verifiers_states_and_nonces() {
    use inlay_core::connect::{self, Step};
    use inlay_core::detect::ConnectionKind;
    use inlay_core::machine::{Machine, Moment};
    use sha2::{Digest, Sha256};
    use std::collections::HashSet;

    let mut seen = HashSet::new();
    for (kind, address) in [
        (ConnectionKind::Google, "ann@gmail.com"),
        (ConnectionKind::Microsoft, "bob@contoso.example"),
    ] {
        for i in 0..100u32 {
            // Stands in for crypto.getRandomValues: distinct bytes per sign-in.
            let random: Vec<u8> = (0..3u8)
                .flat_map(|part| {
                    Sha256::digest([&i.to_be_bytes()[..], &[part, kind as u8]].concat())
                })
                .collect();
            let input = support::connect_input(kind, address, &format!("{EXT}/"));
            let mut flow = connect::ConnectFlow::new(input);
            let step = flow.start(Moment {
                now_ms: T0,
                random: &random,
            });
            let Step::AuthFlow { url, .. } = &step else {
                panic!("{step:?}")
            };
            let q = query(url);
            let pending = &flow.running().expect("started").pending;
            assert_eq!(q["state"], pending.state);
            assert_eq!(q["nonce"], pending.nonce);
            assert_eq!(q["code_challenge_method"], "S256");
            assert_eq!(q["code_challenge"], challenge_for(&pending.verifier));
            for value in [&pending.verifier, &pending.state, &pending.nonce] {
                assert!(value.len() >= 43, "{value} is under 256 bits");
                assert!(seen.insert(value.clone()), "{value} was drawn twice");
            }
        }
    }
    assert_eq!(seen.len(), 2 * 100 * 3);
}
