//! Google's sign-in fakes in process: the authorization endpoint's checks and scenarios,
//! the token endpoint's checks, refresh, revocation, userinfo and the ID token.

#[path = "support/inproc.rs"]
mod inproc;

use inlay_sandbox::oauth::clients::{GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URI};
use inlay_sandbox::oauth::jwt;
use inlay_sandbox::oauth::script::{Pkce, form, google_authorize_path, google_sign_in};
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

use inproc::{
    bearer, body_text, control, get, get_with_access_token, p, post_form, redirected, sandbox,
};

const ANN: &str = "ann@acme.test";
const GMAIL_USER: &str = "gus@gmail.com";
const SCOPES: &str = "openid email profile https://www.googleapis.com/auth/gmail.readonly";
const PROFILE: &str = "/gmail/v1/users/me/profile";

fn seeded() -> Sandbox {
    sandbox(json!({"accounts":[
        {"provider":"google","address":ANN,"displayName":"Ann Example"},
        {"provider":"google","address":GMAIL_USER,"displayName":"Gus"}]}))
}

fn authorize(sb: &Sandbox, path: &str) -> inlay_sandbox::http::Response {
    get(sb, "accounts.google.com", path, &[])
}

fn token(sb: &Sandbox, pairs: &[(&str, &str)]) -> inlay_sandbox::http::Response {
    post_form(sb, "oauth2.googleapis.com", "/token", &form(pairs), &[])
}

fn redeem(sb: &Sandbox, code: &str, pkce: &Pkce) -> inlay_sandbox::http::Response {
    token(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", GOOGLE_CLIENT_ID),
            ("client_secret", GOOGLE_CLIENT_SECRET),
            ("redirect_uri", GOOGLE_REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ],
    )
}

fn refresh(sb: &Sandbox, refresh_token: &str) -> inlay_sandbox::http::Response {
    token(
        sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", GOOGLE_CLIENT_ID),
            ("client_secret", GOOGLE_CLIENT_SECRET),
        ],
    )
}

fn scenario(sb: &Sandbox, s: Value) {
    let (status, body) = control(
        sb,
        "POST",
        "/oauth/scenario",
        json!({"provider":"google","scenario":s}),
    );
    assert_eq!(status, 200, "{body}");
}

/// An authorization path with one parameter replaced (or removed when `value` is None).
fn tweak(name: &str, value: Option<&str>) -> String {
    let base = google_authorize_path(SCOPES, ANN, "st-1", &Pkce::new());
    let (path, query) = base.split_once('?').unwrap();
    let mut pairs: Vec<(String, String)> = inlay_sandbox::http::query_pairs(query)
        .filter(|(k, _)| k != name)
        .collect();
    if let Some(v) = value {
        pairs.push((name.to_owned(), v.to_owned()));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    format!("{path}?{}", form(&refs))
}

#[test]
fn request_errors_are_pages_not_redirects() {
    let sb = seeded();
    let cases = [
        (
            tweak("client_id", Some("nobody.apps.googleusercontent.com")),
            401,
            "Error 401: invalid_client",
        ),
        (tweak("client_id", None), 400, "Error 400: invalid_request"),
        (
            tweak("redirect_uri", Some(&format!("{GOOGLE_REDIRECT_URI}/"))),
            400,
            "Error 400: redirect_uri_mismatch",
        ),
        (
            tweak(
                "redirect_uri",
                Some("https://bbimpbbieljienmnelgcbakbkgaiinfn.chromiumapp.org/microsoft"),
            ),
            400,
            "redirect_uri_mismatch",
        ),
        (
            tweak("response_type", Some("token")),
            400,
            "invalid_request",
        ),
        (tweak("response_type", None), 400, "invalid_request"),
        (tweak("scope", None), 400, "invalid_request"),
        (tweak("code_challenge", None), 400, "requires PKCE"),
        (
            tweak("code_challenge_method", None),
            400,
            "plain is refused",
        ),
        (
            tweak("code_challenge_method", Some("plain")),
            400,
            "plain is refused",
        ),
        (
            tweak("code_challenge", Some("short")),
            400,
            "Invalid code_challenge",
        ),
    ];
    for (path, status, text) in &cases {
        let r = authorize(&sb, path);
        assert_eq!(r.status, *status, "{path}");
        assert!(r.header("location").is_none(), "{path} must not redirect");
        assert!(body_text(&r).contains(text), "{path}: {}", body_text(&r));
    }
    let log = control(
        &sb,
        "GET",
        "/oauth/log?provider=google&endpoint=authorize",
        Value::Null,
    )
    .1;
    assert_eq!(log.as_array().unwrap().len(), cases.len());
    assert_eq!(log[0]["outcome"], "page:invalid_client");
    assert_eq!(
        log[8]["pkceMethod"], "plain",
        "a challenge without a method is plain"
    );
    assert_eq!(log[9]["pkceMethod"], "plain");
    assert_eq!(log[7]["pkceMethod"], Value::Null);
}

#[test]
fn unknown_scopes_redirect_with_invalid_scope() {
    let sb = seeded();
    let path = google_authorize_path(
        "openid https://www.googleapis.com/auth/drive",
        ANN,
        "s1",
        &Pkce::new(),
    );
    let params = redirected(&authorize(&sb, &path));
    assert_eq!(p(&params, "error"), Some("invalid_scope"));
    assert_eq!(p(&params, "state"), Some("s1"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .contains("auth/drive")
    );
    assert!(p(&params, "code").is_none());
}

#[test]
fn consent_redirects_with_googles_parameters() {
    let sb = seeded();
    let pkce = Pkce::new();
    let r = authorize(&sb, &google_authorize_path(SCOPES, ANN, "st-9", &pkce));
    let location = r.header("location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{GOOGLE_REDIRECT_URI}?state=st-9&iss=")),
        "{location}"
    );
    assert!(
        location.contains("&code=4%2F0A"),
        "codes carry a slash, encoded: {location}"
    );
    let params = redirected(&r);
    let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["state", "iss", "code", "scope", "authuser", "hd", "prompt"]
    );
    assert_eq!(p(&params, "iss"), Some("https://accounts.google.com"));
    assert_eq!(p(&params, "authuser"), Some("0"));
    assert_eq!(p(&params, "hd"), Some("acme.test"));
    assert_eq!(p(&params, "prompt"), Some("consent"));
    assert_eq!(
        p(&params, "scope"),
        Some(
            "email profile openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/gmail.readonly"
        )
    );

    // The second Google account is authuser=1, a consumer account (no hd).
    let other = redirected(&authorize(
        &sb,
        &google_authorize_path("openid", GMAIL_USER, "x", &Pkce::new()),
    ));
    assert_eq!(p(&other, "authuser"), Some("1"));
    assert_eq!(p(&other, "hd"), None);

    let log = control(&sb, "GET", "/oauth/log?endpoint=authorize", Value::Null).1;
    assert_eq!(log[0]["outcome"], "code");
    assert_eq!(log[0]["pkceMethod"], "S256");
    assert_eq!(log[0]["codeChallengeLength"], 43);
    assert_eq!(log[0]["challengeSeenBefore"], false);
    assert_eq!(log[0]["noncePresent"], true);
    assert_eq!(log[0]["status"], 302);
}

#[test]
fn token_response_and_a_verifiable_id_token() {
    let sb = seeded();
    let pkce = Pkce::new();
    let params = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "s", &pkce),
    ));
    let r = redeem(&sb, p(&params, "code").unwrap(), &pkce);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    assert!(r.header("cache-control").unwrap().contains("no-store"));
    let t = r.json_body().unwrap();
    let mut keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "id_token",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert!(
        t["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ya29.sandbox.")
    );
    assert!(
        t["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("1//sandbox.")
    );
    assert_eq!(t["expires_in"], 3599);
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(
        t["scope"],
        "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/gmail.readonly"
    );

    let jwks = get(&sb, "www.googleapis.com", "/oauth2/v3/certs", &[])
        .json_body()
        .unwrap();
    let claims = jwt::verify(t["id_token"].as_str().unwrap(), &jwks).expect("signature verifies");
    assert_eq!(claims["iss"], "https://accounts.google.com");
    assert_eq!(claims["aud"], GOOGLE_CLIENT_ID);
    assert_eq!(claims["azp"], GOOGLE_CLIENT_ID);
    assert_eq!(claims["email"], ANN);
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Ann Example");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["hd"], "acme.test");
    assert_eq!(
        claims["at_hash"],
        jwt::at_hash(t["access_token"].as_str().unwrap())
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    let sub = claims["sub"].as_str().unwrap();
    assert!(sub.len() == 21 && sub.bytes().all(|b| b.is_ascii_digit()));

    // The same account signs in again: same sub. A gmail.com account: no hd.
    let again = google_sign_in(&sb, ANN, "openid").unwrap();
    assert_eq!(
        jwt::claims(again["id_token"].as_str().unwrap()).unwrap()["sub"],
        sub
    );
    let gus = google_sign_in(&sb, GMAIL_USER, "openid email").unwrap();
    let gus_claims = jwt::claims(gus["id_token"].as_str().unwrap()).unwrap();
    assert!(gus_claims.get("hd").is_none());
    assert!(
        gus_claims.get("name").is_none(),
        "no profile scope, no name"
    );
}

#[test]
fn token_endpoint_checks_client_code_redirect_and_verifier() {
    let sb = seeded();
    let pkce = Pkce::new();
    let params = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "s", &pkce),
    ));
    let code = p(&params, "code").unwrap().to_owned();
    let base = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", GOOGLE_CLIENT_ID),
        ("client_secret", GOOGLE_CLIENT_SECRET),
        ("redirect_uri", GOOGLE_REDIRECT_URI),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let with = |name: &str, value: Option<&str>| {
        let mut v: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != name).collect();
        if let Some(value) = value {
            v.push((name, value));
        }
        token(&sb, &v)
    };
    let expect = |r: inlay_sandbox::http::Response, status: u16, error: &str, description: &str| {
        assert_eq!(r.status, status, "{}", body_text(&r));
        assert_eq!(
            r.json_body().unwrap(),
            json!({"error": error, "error_description": description})
        );
    };
    expect(
        with("client_secret", None),
        400,
        "invalid_request",
        "client_secret is missing.",
    );
    expect(
        with("client_secret", Some("guess")),
        401,
        "invalid_client",
        "Unauthorized",
    );
    expect(
        with("client_id", Some("x.apps.googleusercontent.com")),
        401,
        "invalid_client",
        "The OAuth client was not found.",
    );
    expect(
        with("grant_type", Some("password")),
        400,
        "unsupported_grant_type",
        "Invalid grant_type: password",
    );
    expect(
        with("redirect_uri", Some("https://evil.test/")),
        400,
        "redirect_uri_mismatch",
        "Bad Request",
    );
    expect(
        with("redirect_uri", None),
        400,
        "redirect_uri_mismatch",
        "Bad Request",
    );
    expect(
        with("code_verifier", None),
        400,
        "invalid_grant",
        "Missing code verifier.",
    );
    expect(
        with("code_verifier", Some(&Pkce::new().verifier)),
        400,
        "invalid_grant",
        "Invalid code verifier.",
    );
    expect(
        with("code", Some("4/0Aforged")),
        400,
        "invalid_grant",
        "Bad Request",
    );

    // client_secret_basic works too; then the code is spent.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{GOOGLE_CLIENT_ID}:{GOOGLE_CLIENT_SECRET}"));
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", GOOGLE_REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
    ]);
    let ok = post_form(
        &sb,
        "oauth2.googleapis.com",
        "/token",
        &body,
        &[("authorization", &format!("Basic {basic}"))],
    );
    assert_eq!(ok.status, 200, "{}", body_text(&ok));
    expect(
        with("code", None),
        400,
        "invalid_request",
        "Missing required parameter: code",
    );
    expect(
        redeem(&sb, &code, &pkce),
        400,
        "invalid_grant",
        "Bad Request",
    );

    let log = control(&sb, "GET", "/oauth/log?endpoint=token", Value::Null).1;
    let log = log.as_array().unwrap();
    assert_eq!(log[0]["clientSecretPresent"], false);
    assert_eq!(log[1]["clientAuth"], "post");
    assert_eq!(log[log.len() - 3]["clientAuth"], "basic");
    assert_eq!(log.last().unwrap()["codeError"], "Used");
    assert_eq!(
        log[0].get("codeVerifierLength"),
        None,
        "refused before the code was looked at"
    );
    assert_eq!(log[4]["codeVerifierLength"], 64);
}

#[test]
fn codes_expire_after_ten_minutes_of_sandbox_time() {
    let sb = seeded();
    let pkce = Pkce::new();
    let params = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "s", &pkce),
    ));
    control(&sb, "POST", "/clock", json!({"advanceSeconds": 600}));
    let r = redeem(&sb, p(&params, "code").unwrap(), &pkce);
    assert_eq!(r.status, 400);
    assert_eq!(r.json_body().unwrap()["error"], "invalid_grant");
}

#[test]
fn refresh_then_revoke() {
    let sb = seeded();
    let t = google_sign_in(&sb, ANN, SCOPES).unwrap();
    let access = t["access_token"].as_str().unwrap();
    let refresh_token = t["refresh_token"].as_str().unwrap();
    let profile = |token: &str| {
        get(
            &sb,
            "gmail.googleapis.com",
            PROFILE,
            &[("authorization", &bearer(token))],
        )
    };
    assert_eq!(profile(access).status, 200);

    control(&sb, "POST", "/clock", json!({"advanceSeconds": 3600}));
    let expired = profile(access);
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.json_body().unwrap()["error"]["errors"][0]["reason"],
        "authError"
    );

    let r = refresh(&sb, refresh_token);
    assert_eq!(r.status, 200, "{}", body_text(&r));
    let fresh = r.json_body().unwrap();
    assert!(
        fresh.get("refresh_token").is_none(),
        "Google keeps the refresh token"
    );
    assert!(fresh.get("id_token").is_some());
    assert_eq!(fresh["scope"], t["scope"]);
    let new_access = fresh["access_token"].as_str().unwrap();
    assert_eq!(profile(new_access).status, 200);

    // A narrower scope on refresh; a wider one is refused.
    let narrow = token(
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", GOOGLE_CLIENT_ID),
            ("client_secret", GOOGLE_CLIENT_SECRET),
            ("scope", "openid"),
        ],
    );
    assert_eq!(narrow.json_body().unwrap()["scope"], "openid");
    let wide = token(
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", GOOGLE_CLIENT_ID),
            ("client_secret", GOOGLE_CLIENT_SECRET),
            ("scope", "https://mail.google.com/"),
        ],
    );
    assert_eq!(wide.status, 400);

    let revoked = post_form(
        &sb,
        "oauth2.googleapis.com",
        "/revoke",
        &form(&[("token", refresh_token)]),
        &[],
    );
    assert_eq!(
        (revoked.status, revoked.json_body()),
        (200, Some(json!({})))
    );
    assert_eq!(
        profile(new_access).status,
        401,
        "the grant's access tokens die with it"
    );
    let dead = refresh(&sb, refresh_token);
    assert_eq!(dead.status, 400);
    assert_eq!(
        dead.json_body().unwrap(),
        json!({"error":"invalid_grant","error_description":"Token has been expired or revoked."})
    );
    let again = post_form(
        &sb,
        "oauth2.googleapis.com",
        "/revoke",
        &form(&[("token", refresh_token)]),
        &[],
    );
    assert_eq!(again.status, 400);
    assert_eq!(
        again.json_body().unwrap(),
        json!({"error":"invalid_token","error_description":"Token expired or revoked"})
    );

    // Revoking through the query works at Google, and the log says so.
    let other = google_sign_in(&sb, ANN, SCOPES).unwrap();
    let path = format!(
        "/revoke?token={}",
        inlay_sandbox::http::form_encode(other["access_token"].as_str().unwrap())
    );
    assert_eq!(
        post_form(&sb, "oauth2.googleapis.com", &path, "", &[]).status,
        200
    );
    assert_eq!(
        refresh(&sb, other["refresh_token"].as_str().unwrap()).status,
        400,
        "revoking the access token ends the refresh token too"
    );
    let log = control(&sb, "GET", "/oauth/log?endpoint=revoke", Value::Null).1;
    assert_eq!(log[0]["tokenInQuery"], false);
    assert_eq!(log[0]["tokenInBody"], true);
    assert_eq!(log[0]["tokenKind"], "refresh");
    assert_eq!(log[2]["tokenInQuery"], true);
    assert_eq!(log[2]["tokenKind"], "access");
}

#[test]
fn refresh_tokens_come_with_the_first_offline_consent_or_prompt_consent() {
    let sb = seeded();
    let first = google_sign_in(&sb, ANN, "openid").unwrap();
    assert!(first.get("refresh_token").is_some());
    let pkce = Pkce::new();
    let without_prompt =
        google_authorize_path("openid", ANN, "s", &pkce).replace("&prompt=consent", "");
    let params = redirected(&authorize(&sb, &without_prompt));
    let second = redeem(&sb, p(&params, "code").unwrap(), &pkce)
        .json_body()
        .unwrap();
    assert!(
        second.get("refresh_token").is_none(),
        "already consented, no prompt=consent"
    );
    let online =
        google_authorize_path("openid", ANN, "s", &pkce).replace("&access_type=offline", "");
    let params = redirected(&authorize(&sb, &online));
    assert!(
        redeem(&sb, p(&params, "code").unwrap(), &pkce)
            .json_body()
            .unwrap()
            .get("refresh_token")
            .is_none()
    );
}

#[test]
fn user_removing_the_app_ends_refresh_and_access() {
    let sb = seeded();
    let t = google_sign_in(&sb, ANN, SCOPES).unwrap();
    let (status, body) = control(
        &sb,
        "POST",
        "/oauth/revoke-consent",
        json!({"provider":"google","address":ANN}),
    );
    assert_eq!((status, body["revokedGrants"].as_u64()), (200, Some(1)));
    assert_eq!(
        refresh(&sb, t["refresh_token"].as_str().unwrap())
            .json_body()
            .unwrap()["error"],
        "invalid_grant"
    );
    let r = get_with_access_token(&sb, "gmail.googleapis.com", PROFILE, &t);
    assert_eq!(r.status, 401);
}

#[test]
fn userinfo_on_both_hosts() {
    let sb = seeded();
    let t = google_sign_in(&sb, ANN, "openid email profile").unwrap();
    let auth = bearer(t["access_token"].as_str().unwrap());
    for (host, path) in [
        ("openidconnect.googleapis.com", "/v1/userinfo"),
        ("www.googleapis.com", "/oauth2/v3/userinfo"),
    ] {
        let info = get(&sb, host, path, &[("authorization", &auth)])
            .json_body()
            .unwrap();
        assert_eq!(info["email"], ANN);
        assert_eq!(info["email_verified"], true);
        assert_eq!(info["name"], "Ann Example");
        assert_eq!(info["given_name"], "Ann");
        assert_eq!(info["hd"], "acme.test");
        assert!(info["picture"].as_str().unwrap().starts_with("https://"));
        assert_eq!(
            info["sub"],
            jwt::claims(t["id_token"].as_str().unwrap()).unwrap()["sub"]
        );
    }
    let none = get(&sb, "openidconnect.googleapis.com", "/v1/userinfo", &[]);
    assert_eq!(none.status, 401);
    let gmail_only =
        google_sign_in(&sb, ANN, "https://www.googleapis.com/auth/gmail.send").unwrap();
    let r = get_with_access_token(
        &sb,
        "openidconnect.googleapis.com",
        "/v1/userinfo",
        &gmail_only,
    );
    assert_eq!(r.status, 403);
}

#[test]
fn user_decisions_and_policies() {
    let sb = seeded();
    let cases = [
        (json!("deny"), "access_denied"),
        (json!("adminBlocked"), "admin_policy_enforced"),
        (json!("orgInternal"), "org_internal"),
        (json!("advancedProtection"), "policy_enforced"),
    ];
    for (s, error) in cases {
        scenario(&sb, s);
        let params = redirected(&authorize(
            &sb,
            &google_authorize_path(SCOPES, ANN, "st", &Pkce::new()),
        ));
        assert_eq!(p(&params, "error"), Some(error));
        assert_eq!(p(&params, "state"), Some("st"));
        assert!(p(&params, "code").is_none());
    }
    scenario(
        &sb,
        json!({"outcome":"advancedProtection","errorPage":true}),
    );
    let page = authorize(&sb, &google_authorize_path(SCOPES, ANN, "st", &Pkce::new()));
    assert_eq!(page.status, 400);
    assert!(page.header("location").is_none());
    assert!(body_text(&page).contains("Error 400: policy_enforced"));
    // Back to the default.
    assert!(
        p(
            &redirected(&authorize(
                &sb,
                &google_authorize_path(SCOPES, ANN, "st", &Pkce::new())
            )),
            "code"
        )
        .is_some()
    );
}

#[test]
fn scenarios_bind_to_the_account_when_asked() {
    let sb = seeded();
    control(
        &sb,
        "POST",
        "/oauth/scenario",
        json!({"provider":"google","address":GMAIL_USER,"scenario":"deny"}),
    );
    let ann = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "st", &Pkce::new()),
    ));
    assert!(p(&ann, "code").is_some());
    let gus = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, GMAIL_USER, "st", &Pkce::new()),
    ));
    assert_eq!(p(&gus, "error"), Some("access_denied"));
}

#[test]
fn state_override_drop_scopes_and_wrong_account() {
    let sb = seeded();
    scenario(&sb, json!({"stateOverride":"forged"}));
    let params = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "mine", &Pkce::new()),
    ));
    assert_eq!(p(&params, "state"), Some("forged"));
    scenario(&sb, json!({"omitState":true,"omitIss":true}));
    let params = redirected(&authorize(
        &sb,
        &google_authorize_path(SCOPES, ANN, "mine", &Pkce::new()),
    ));
    assert_eq!((p(&params, "state"), p(&params, "iss")), (None, None));

    scenario(
        &sb,
        json!({"dropScopes":["https://www.googleapis.com/auth/gmail.readonly"]}),
    );
    let t = google_sign_in(&sb, ANN, SCOPES).unwrap();
    assert!(!t["scope"].as_str().unwrap().contains("gmail.readonly"));
    let r = get_with_access_token(&sb, "gmail.googleapis.com", PROFILE, &t);
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json_body().unwrap()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );

    scenario(&sb, json!({"signInAs":GMAIL_USER}));
    let t = google_sign_in(&sb, ANN, SCOPES).unwrap();
    assert_eq!(
        jwt::claims(t["id_token"].as_str().unwrap()).unwrap()["email"],
        GMAIL_USER
    );
    let r = get_with_access_token(&sb, "gmail.googleapis.com", PROFILE, &t);
    assert_eq!(r.json_body().unwrap()["emailAddress"], GMAIL_USER);
}

#[test]
fn require_click_serves_a_consent_page_with_real_buttons() {
    let sb = seeded();
    for (action, outcome) in [("allow", "code"), ("cancel", "error")] {
        scenario(&sb, json!({"requireClick":true}));
        let pkce = Pkce::new();
        let page = authorize(&sb, &google_authorize_path(SCOPES, ANN, "st", &pkce));
        assert_eq!(page.status, 200);
        let html = body_text(&page);
        assert!(html.contains("<form method=post action=\"/signin/oauth/consent\">"));
        assert!(html.contains("id=allow") && html.contains("id=cancel"));
        assert!(
            html.contains("View your email messages and settings"),
            "the discovery document's wording"
        );
        let txn = html
            .split("name=transaction value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let r = post_form(
            &sb,
            "accounts.google.com",
            "/signin/oauth/consent",
            &form(&[("transaction", &txn), ("action", action)]),
            &[],
        );
        let params = redirected(&r);
        assert!(p(&params, outcome).is_some(), "{action}: {params:?}");
        assert_eq!(p(&params, "state"), Some("st"));
        let replay = post_form(
            &sb,
            "accounts.google.com",
            "/signin/oauth/consent",
            &form(&[("transaction", &txn), ("action", "allow")]),
            &[],
        );
        assert_eq!(replay.status, 400, "a consent page answers once");
    }
}

#[test]
fn prompt_none_needs_a_session_and_an_earlier_consent() {
    let sb = seeded();
    let silent = |sb: &Sandbox| {
        let path = google_authorize_path("openid", ANN, "s", &Pkce::new())
            .replace("prompt=consent", "prompt=none");
        redirected(&authorize(sb, &path))
    };
    assert_eq!(p(&silent(&sb), "error"), Some("login_required"));
    google_sign_in(&sb, ANN, "openid").unwrap();
    let ok = silent(&sb);
    assert!(p(&ok, "code").is_some());
    assert_eq!(p(&ok, "prompt"), Some("none"));
    let wider = google_authorize_path("openid email", ANN, "s", &Pkce::new())
        .replace("prompt=consent", "prompt=none");
    assert_eq!(
        p(&redirected(&authorize(&sb, &wider)), "error"),
        Some("consent_required")
    );
    control(&sb, "POST", "/reset", Value::Null);
    sb.state()
        .seed(
            serde_json::from_value(json!({"accounts":[{"provider":"google","address":ANN}]}))
                .unwrap(),
        )
        .unwrap();
    assert_eq!(
        p(&silent(&sb), "error"),
        Some("login_required"),
        "reset ends sessions"
    );
}

#[test]
fn unknown_login_hint_shows_googles_account_page() {
    let sb = seeded();
    let r = authorize(
        &sb,
        &google_authorize_path(SCOPES, "nobody@acme.test", "s", &Pkce::new()),
    );
    assert_eq!(r.status, 200);
    assert!(r.header("location").is_none());
    assert!(body_text(&r).contains("find your Google Account"));
}
