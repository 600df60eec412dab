//! Both sign-in flows end to end over real TLS against the `inlay-sandbox` binary:
//! authorize → token → userinfo / API → refresh → revoke (Google) or consent removal and
//! logout (Microsoft, which has no revocation endpoint) → refresh fails.

#[path = "support/client.rs"]
mod client;

use inlay_sandbox::oauth::clients::{
    GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URI, MICROSOFT_CLIENT_ID,
    MICROSOFT_REDIRECT_URI,
};
use inlay_sandbox::oauth::jwt;
use inlay_sandbox::oauth::script::{
    Pkce, extension_origin, form, get, google_authorize_path, microsoft_authorize_path,
    redirect_params,
};
use serde_json::{Value, json};

use client::{HttpResponse, SandboxProcess};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn start(seed: Value) -> SandboxProcess {
    let sandbox = SandboxProcess::start();
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    sandbox
}

fn redirect(r: &HttpResponse) -> Vec<(String, String)> {
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    redirect_params(r.header("location").unwrap())
}

fn post(
    sandbox: &SandboxProcess,
    host: &str,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> HttpResponse {
    let mut headers = vec![FORM];
    headers.extend_from_slice(extra);
    sandbox
        .https(host, "POST", path, &headers, body.as_bytes())
        .unwrap()
}

fn bearer_get(sandbox: &SandboxProcess, host: &str, path: &str, token: &str) -> HttpResponse {
    let auth = format!("Bearer {token}");
    sandbox
        .https(host, "GET", path, &[("Authorization", &auth)], b"")
        .unwrap()
}

#[test]
fn google_authorize_token_userinfo_refresh_revoke() {
    const ANN: &str = "ann@acme.test";
    let sandbox = start(
        json!({"accounts":[{"provider":"google","address":ANN,"displayName":"Ann Example"}]}),
    );
    let scopes = "openid email profile https://www.googleapis.com/auth/gmail.readonly";
    let pkce = Pkce::new();
    let auth = sandbox
        .https(
            "accounts.google.com",
            "GET",
            &google_authorize_path(scopes, ANN, "state-1", &pkce),
            &[],
            b"",
        )
        .unwrap();
    let params = redirect(&auth);
    assert!(
        auth.header("location")
            .unwrap()
            .starts_with(GOOGLE_REDIRECT_URI)
    );
    assert_eq!(get(&params, "state"), Some("state-1"));

    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", get(&params, "code").unwrap()),
        ("client_id", GOOGLE_CLIENT_ID),
        ("client_secret", GOOGLE_CLIENT_SECRET),
        ("redirect_uri", GOOGLE_REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
    ]);
    let t = post(&sandbox, "oauth2.googleapis.com", "/token", &body, &[]);
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let t = t.json();
    let access = t["access_token"].as_str().unwrap();
    let refresh_token = t["refresh_token"].as_str().unwrap();

    let jwks = sandbox
        .https("www.googleapis.com", "GET", "/oauth2/v3/certs", &[], b"")
        .unwrap()
        .json();
    let claims = jwt::verify(t["id_token"].as_str().unwrap(), &jwks)
        .expect("the ID token verifies against the published JWKS");
    assert_eq!(
        (claims["email"].as_str(), claims["aud"].as_str()),
        (Some(ANN), Some(GOOGLE_CLIENT_ID))
    );

    let info = bearer_get(
        &sandbox,
        "openidconnect.googleapis.com",
        "/v1/userinfo",
        access,
    )
    .json();
    assert_eq!(info["email"], ANN);
    assert_eq!(info["sub"], claims["sub"]);
    let profile = bearer_get(
        &sandbox,
        "gmail.googleapis.com",
        "/gmail/v1/users/me/profile",
        access,
    );
    assert_eq!(profile.status, 200);
    assert_eq!(profile.json()["emailAddress"], ANN);

    // An hour later the access token is dead; the refresh token brings a new one.
    assert_eq!(
        sandbox
            .control("POST", "/clock", Some(&json!({"advanceSeconds": 3600})))
            .0,
        200
    );
    assert_eq!(
        bearer_get(
            &sandbox,
            "gmail.googleapis.com",
            "/gmail/v1/users/me/profile",
            access
        )
        .status,
        401
    );
    let refresh_body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", GOOGLE_CLIENT_ID),
        ("client_secret", GOOGLE_CLIENT_SECRET),
    ]);
    let refreshed = post(
        &sandbox,
        "oauth2.googleapis.com",
        "/token",
        &refresh_body,
        &[],
    );
    assert_eq!(refreshed.status, 200);
    let new_access = refreshed.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        bearer_get(
            &sandbox,
            "gmail.googleapis.com",
            "/gmail/v1/users/me/profile",
            &new_access
        )
        .status,
        200
    );

    let revoked = post(
        &sandbox,
        "oauth2.googleapis.com",
        "/revoke",
        &form(&[("token", refresh_token)]),
        &[],
    );
    assert_eq!((revoked.status, revoked.json()), (200, json!({})));
    let dead = post(
        &sandbox,
        "oauth2.googleapis.com",
        "/token",
        &refresh_body,
        &[],
    );
    assert_eq!(dead.status, 400);
    assert_eq!(dead.json()["error"], "invalid_grant");
    assert_eq!(
        bearer_get(
            &sandbox,
            "gmail.googleapis.com",
            "/gmail/v1/users/me/profile",
            &new_access
        )
        .status,
        401
    );

    let log = sandbox.control("GET", "/oauth/log?provider=google", None).1;
    let endpoints: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        ["authorize", "token", "userinfo", "token", "revoke", "token"]
    );
    assert_eq!(log[0]["pkceMethod"], "S256");
    assert_eq!(log[4]["tokenInQuery"], false);
    let raw = sandbox
        .control(
            "GET",
            "/requests?host=oauth2.googleapis.com&pathPrefix=/revoke",
            None,
        )
        .1;
    assert_eq!(raw[0]["query"], "", "the token travelled in the body");
}

#[test]
fn microsoft_authorize_token_graph_refresh_expiry_consent_and_logout() {
    const BO: &str = "bo@contoso.com";
    let sandbox =
        start(json!({"accounts":[{"provider":"microsoft","address":BO,"displayName":"Bo Berg"}]}));
    let scopes = "openid profile email offline_access User.Read MailboxSettings.Read";
    let origin = extension_origin();
    let sign_in = |sandbox: &SandboxProcess| {
        let pkce = Pkce::new();
        let auth = sandbox
            .https(
                "login.microsoftonline.com",
                "GET",
                &microsoft_authorize_path(scopes, BO, "state-2", &pkce),
                &[],
                b"",
            )
            .unwrap();
        let params = redirect(&auth);
        assert_eq!(get(&params, "state"), Some("state-2"));
        assert!(get(&params, "session_state").is_some());
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", get(&params, "code").unwrap()),
            ("client_id", MICROSOFT_CLIENT_ID),
            ("redirect_uri", MICROSOFT_REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
            ("scope", scopes),
        ]);
        let t = post(
            sandbox,
            "login.microsoftonline.com",
            "/common/oauth2/v2.0/token",
            &body,
            &[("Origin", &origin)],
        );
        assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
        assert_eq!(t.header("access-control-allow-origin"), Some("*"));
        t.json()
    };
    let refresh = |sandbox: &SandboxProcess, rt: &str| {
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", MICROSOFT_CLIENT_ID),
            ("scope", scopes),
        ]);
        post(
            sandbox,
            "login.microsoftonline.com",
            "/common/oauth2/v2.0/token",
            &body,
            &[("Origin", &origin)],
        )
    };

    let t = sign_in(&sandbox);
    let access = t["access_token"].as_str().unwrap();
    let jwks = sandbox
        .https(
            "login.microsoftonline.com",
            "GET",
            "/common/discovery/v2.0/keys",
            &[],
            b"",
        )
        .unwrap()
        .json();
    let claims = jwt::verify(t["id_token"].as_str().unwrap(), &jwks).expect("verifies");
    assert_eq!(claims["preferred_username"], BO);
    let me = bearer_get(&sandbox, "graph.microsoft.com", "/v1.0/me", access);
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["id"], claims["oid"]);
    assert_eq!(
        bearer_get(
            &sandbox,
            "graph.microsoft.com",
            "/v1.0/me/mailboxSettings",
            access
        )
        .status,
        200
    );

    let r = refresh(&sandbox, t["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 200);
    let rotated = r.json()["refresh_token"].as_str().unwrap().to_owned();
    sandbox.control(
        "POST",
        "/clock",
        Some(&json!({"advanceSeconds": 24 * 3600})),
    );
    let expired = refresh(&sandbox, &rotated);
    assert_eq!(expired.status, 400);
    assert_eq!(expired.json()["error_codes"], json!([700084]));
    assert_eq!(
        bearer_get(&sandbox, "graph.microsoft.com", "/v1.0/me", access).status,
        401
    );

    // A fresh sign-in, then the user removes the app: refresh fails with AADSTS65001.
    let again = sign_in(&sandbox);
    let (status, _) = sandbox.control(
        "POST",
        "/oauth/revoke-consent",
        Some(&json!({"provider":"microsoft","address":BO})),
    );
    assert_eq!(status, 200);
    let refused = refresh(&sandbox, again["refresh_token"].as_str().unwrap());
    assert_eq!(
        (refused.status, refused.json()["error_codes"].clone()),
        (400, json!([65001]))
    );

    // Silent renewal works while the session lives, and not after logout.
    let silent = |sandbox: &SandboxProcess| {
        let path = format!(
            "{}&prompt=none",
            microsoft_authorize_path("openid", BO, "s", &Pkce::new())
        );
        redirect(
            &sandbox
                .https("login.microsoftonline.com", "GET", &path, &[], b"")
                .unwrap(),
        )
    };
    assert_eq!(
        get(&silent(&sandbox), "error"),
        Some("consent_required"),
        "the app was removed"
    );
    sign_in(&sandbox);
    assert!(get(&silent(&sandbox), "code").is_some());
    let logout = sandbox
        .https(
            "login.microsoftonline.com",
            "GET",
            &format!(
                "/common/oauth2/v2.0/logout?{}",
                form(&[("post_logout_redirect_uri", MICROSOFT_REDIRECT_URI)])
            ),
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(logout.header("location"), Some(MICROSOFT_REDIRECT_URI));
    assert_eq!(get(&silent(&sandbox), "error"), Some("login_required"));

    // Reset forgets sessions and the clock.
    assert_eq!(sandbox.control("POST", "/reset", None).0, 200);
    assert_eq!(sandbox.control("GET", "/clock", None).1["offsetSeconds"], 0);
    assert_eq!(sandbox.control("GET", "/oauth/log", None).1, json!([]));
}
