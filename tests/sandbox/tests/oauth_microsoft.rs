//! Microsoft's sign-in fakes in process: authorize checks and scenarios, SPA cross-origin
//! redemption, the fixed 24 h refresh-token lifetime, consent removal, sessions and logout,
//! and Graph behind minted tokens.

#[path = "support/inproc.rs"]
mod inproc;

use inlay_sandbox::oauth::clients::{MICROSOFT_CLIENT_ID, MICROSOFT_REDIRECT_URI};
use inlay_sandbox::oauth::identity::CONSUMER_TENANT;
use inlay_sandbox::oauth::jwt;
use inlay_sandbox::oauth::script::{
    Pkce, extension_origin, form, microsoft_authorize_path, microsoft_sign_in,
};
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

use inproc::{
    bearer, body_text, control, get, get_with_access_token, p, post_form, redirected, sandbox,
};

const BO: &str = "bo@contoso.com";
const MEG: &str = "meg@outlook.com";
const SHARED: &str = "sales@contoso.com";
const SCOPES: &str = "openid profile email offline_access User.Read MailboxSettings.Read";
const HOST: &str = "login.microsoftonline.com";

fn seeded() -> Sandbox {
    sandbox(json!({"accounts":[
        {"provider":"microsoft","address":BO,"displayName":"Bo Berg"},
        {"provider":"microsoft","address":MEG,"displayName":"Meg"},
        {"provider":"microsoft","address":SHARED,"displayName":"Sales","mailboxType":"shared"}]}))
}

fn authorize(sb: &Sandbox, path: &str) -> inlay_sandbox::http::Response {
    get(sb, HOST, path, &[])
}

fn token(
    sb: &Sandbox,
    pairs: &[(&str, &str)],
    origin: Option<&str>,
) -> inlay_sandbox::http::Response {
    let origin_header;
    let headers: &[(&str, &str)] = match origin {
        Some(o) => {
            origin_header = [("origin", o)];
            &origin_header
        }
        None => &[],
    };
    post_form(sb, HOST, "/common/oauth2/v2.0/token", &form(pairs), headers)
}

fn code_pairs<'a>(code: &'a str, pkce: &'a Pkce) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", MICROSOFT_CLIENT_ID),
        ("redirect_uri", MICROSOFT_REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
        ("scope", SCOPES),
    ]
}

fn refresh(sb: &Sandbox, rt: &str) -> inlay_sandbox::http::Response {
    token(
        sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", MICROSOFT_CLIENT_ID),
        ],
        Some(&extension_origin()),
    )
}

fn aadsts(r: &inlay_sandbox::http::Response) -> (String, u64) {
    let body = r.json_body().unwrap_or_else(|| panic!("{}", body_text(r)));
    (
        body["error"].as_str().unwrap().to_owned(),
        body["error_codes"][0].as_u64().unwrap(),
    )
}

fn scenario(sb: &Sandbox, s: Value) {
    let (status, body) = control(
        sb,
        "POST",
        "/oauth/scenario",
        json!({"provider":"microsoft","scenario":s}),
    );
    assert_eq!(status, 200, "{body}");
}

fn silent_path(hint: &str) -> String {
    format!(
        "{}&prompt=none",
        microsoft_authorize_path(SCOPES, hint, "s", &Pkce::new())
    )
}

#[test]
fn request_errors_before_the_redirect_are_pages() {
    let sb = seeded();
    let ok = microsoft_authorize_path(SCOPES, BO, "s", &Pkce::new());
    let cases = [
        (ok.replace("/common/", "/fabrikam.example/"), "AADSTS90002"),
        (
            ok.replace(MICROSOFT_CLIENT_ID, "00000000-0000-0000-0000-000000000001"),
            "AADSTS700016",
        ),
        (
            ok.replace("chromiumapp.org%2Fmicrosoft", "chromiumapp.org%2Fgoogle"),
            "AADSTS50011",
        ),
        (
            ok.replace(
                "chromiumapp.org%2Fmicrosoft",
                "chromiumapp.org%2Fmicrosoft%2F",
            ),
            "AADSTS50011",
        ),
    ];
    for (path, code) in cases {
        let r = authorize(&sb, &path);
        assert_eq!(r.status, 400, "{path}");
        assert!(r.header("location").is_none());
        assert!(
            body_text(&r).contains(&format!("<p id=error-code>{code}</p>")),
            "{}",
            body_text(&r)
        );
    }
}

#[test]
fn pkce_and_scope_errors_redirect() {
    let sb = seeded();
    let ok = microsoft_authorize_path(SCOPES, BO, "s", &Pkce::new());
    let no_pkce = ok.split("&code_challenge=").next().unwrap().to_owned() + "&login_hint=" + BO;
    let params = redirected(&authorize(&sb, &no_pkce));
    assert_eq!(p(&params, "error"), Some("invalid_request"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .starts_with("AADSTS9002325: Proof Key for Code Exchange is required")
    );
    assert_eq!(p(&params, "state"), Some("s"));
    let plain = ok.replace("code_challenge_method=S256", "code_challenge_method=plain");
    assert_eq!(
        p(&redirected(&authorize(&sb, &plain)), "error"),
        Some("invalid_request")
    );
    let bad_scope = microsoft_authorize_path("openid Mail.Teleport", BO, "s", &Pkce::new());
    let params = redirected(&authorize(&sb, &bad_scope));
    assert_eq!(p(&params, "error"), Some("invalid_scope"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .starts_with("AADSTS70011")
    );
    let implicit = ok.replace("response_type=code", "response_type=token");
    assert_eq!(
        p(&redirected(&authorize(&sb, &implicit)), "error"),
        Some("unsupported_response_type")
    );
}

#[test]
fn consent_redirect_and_fragment_mode() {
    let sb = seeded();
    let params = redirected(&authorize(
        &sb,
        &(microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new()) + "&client_info=1"),
    ));
    let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["code", "client_info", "state", "session_state"]);
    assert!(p(&params, "code").unwrap().starts_with("0.A"));
    let fragment = microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new())
        .replace("response_mode=query", "response_mode=fragment");
    let r = authorize(&sb, &fragment);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with(&format!("{MICROSOFT_REDIRECT_URI}#code="))
    );
}

#[test]
fn spa_redemption_is_cross_origin_public_and_pkce_bound() {
    let sb = seeded();
    let pkce = Pkce::new();
    let code_of = |sb: &Sandbox, pkce: &Pkce| {
        p(
            &redirected(&authorize(
                sb,
                &microsoft_authorize_path(SCOPES, BO, "s", pkce),
            )),
            "code",
        )
        .unwrap()
        .to_owned()
    };
    let code = code_of(&sb, &pkce);
    let origin = extension_origin();
    let r = token(&sb, &code_pairs(&code, &pkce), None);
    assert_eq!(aadsts(&r), ("invalid_request".into(), 9002327));
    let mut with_secret = code_pairs(&code, &pkce);
    with_secret.push(("client_secret", "s"));
    let r = token(&sb, &with_secret, Some(&origin));
    assert_eq!(
        (r.status, aadsts(&r)),
        (401, ("invalid_client".into(), 700025))
    );
    let wrong = Pkce::new();
    let r = token(&sb, &code_pairs(&code, &wrong), Some(&origin));
    assert_eq!(aadsts(&r), ("invalid_grant".into(), 501481));
    let ok = token(&sb, &code_pairs(&code, &pkce), Some(&origin));
    assert_eq!(ok.status, 200, "{}", body_text(&ok));
    assert_eq!(ok.header("access-control-allow-origin"), Some("*"));
    let r = token(&sb, &code_pairs(&code, &pkce), Some(&origin));
    assert_eq!(aadsts(&r), ("invalid_grant".into(), 54005));

    let late = code_of(&sb, &pkce);
    control(&sb, "POST", "/clock", json!({"advanceSeconds": 600}));
    assert_eq!(
        aadsts(&token(&sb, &code_pairs(&late, &pkce), Some(&origin))),
        ("invalid_grant".into(), 70008)
    );

    let log = control(
        &sb,
        "GET",
        "/oauth/log?provider=microsoft&endpoint=token",
        Value::Null,
    )
    .1;
    assert_eq!(log[0]["origin"], Value::Null);
    assert_eq!(log[1]["clientSecretPresent"], true);
    assert_eq!(log[3]["origin"], origin.as_str());
}

#[test]
fn token_response_and_id_token() {
    let sb = seeded();
    let t = microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    let mut keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "ext_expires_in",
            "id_token",
            "refresh_token",
            "refresh_token_expires_in",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["ext_expires_in"], 3600);
    assert_eq!(t["refresh_token_expires_in"], 86400);
    assert_eq!(
        t["scope"],
        "email openid profile https://graph.microsoft.com/User.Read https://graph.microsoft.com/MailboxSettings.Read"
    );
    let jwks = get(&sb, HOST, "/common/discovery/v2.0/keys", &[])
        .json_body()
        .unwrap();
    let claims = jwt::verify(t["id_token"].as_str().unwrap(), &jwks).expect("verifies");
    let tid = claims["tid"].as_str().unwrap();
    assert_ne!(tid, CONSUMER_TENANT);
    assert_eq!(
        claims["iss"],
        format!("https://login.microsoftonline.com/{tid}/v2.0")
    );
    assert_eq!(claims["aud"], MICROSOFT_CLIENT_ID);
    assert_eq!(claims["preferred_username"], BO);
    assert_eq!(claims["email"], BO);
    assert_eq!(claims["name"], "Bo Berg");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["ver"], "2.0");
    assert!(claims["oid"].as_str().unwrap().len() == 36);

    let msa = microsoft_sign_in(&sb, MEG, SCOPES).unwrap();
    let msa_claims = jwt::claims(msa["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(msa_claims["tid"], CONSUMER_TENANT);
    assert_eq!(
        msa_claims["iss"],
        format!("https://login.microsoftonline.com/{CONSUMER_TENANT}/v2.0")
    );
    assert!(
        msa_claims["oid"]
            .as_str()
            .unwrap()
            .starts_with("00000000-0000-0000-")
    );
    assert!(
        msa["access_token"].as_str().unwrap().starts_with("EwB"),
        "MSA access tokens are not JWTs"
    );
    assert_eq!(t["access_token"].as_str().unwrap().split('.').count(), 3);

    let no_offline = microsoft_sign_in(&sb, BO, "openid User.Read").unwrap();
    assert!(
        no_offline.get("refresh_token").is_none(),
        "refresh tokens need offline_access"
    );
}

#[test]
fn graph_behind_minted_tokens() {
    let sb = seeded();
    let t = microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    let auth = bearer(t["access_token"].as_str().unwrap());
    let me = get(
        &sb,
        "graph.microsoft.com",
        "/v1.0/me",
        &[("authorization", &auth)],
    );
    assert_eq!(me.status, 200);
    assert_eq!(me.json_body().unwrap()["mail"], BO);
    assert_eq!(
        get(
            &sb,
            "graph.microsoft.com",
            "/v1.0/me/mailboxSettings",
            &[("authorization", &auth)]
        )
        .status,
        200
    );

    let narrow = microsoft_sign_in(&sb, BO, "openid User.Read").unwrap();
    let r = get_with_access_token(
        &sb,
        "graph.microsoft.com",
        "/v1.0/me/mailboxSettings",
        &narrow,
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json_body().unwrap()["error"]["code"], "ErrorAccessDenied");
    let none = microsoft_sign_in(&sb, BO, "openid MailboxSettings.Read").unwrap();
    let r = get_with_access_token(&sb, "graph.microsoft.com", "/v1.0/me", &none);
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json_body().unwrap()["error"]["code"],
        "Authorization_RequestDenied"
    );

    let msa = microsoft_sign_in(&sb, MEG, SCOPES).unwrap();
    let me = get_with_access_token(&sb, "graph.microsoft.com", "/v1.0/me", &msa)
        .json_body()
        .unwrap();
    assert_eq!(me["mail"], Value::Null);
    assert_eq!(me["userPrincipalName"], MEG);
    assert_eq!(me["id"].as_str().unwrap().len(), 16);

    control(&sb, "POST", "/clock", json!({"advanceSeconds": 3600}));
    let r = get(
        &sb,
        "graph.microsoft.com",
        "/v1.0/me",
        &[("authorization", &auth)],
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json_body().unwrap()["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
}

#[test]
fn spa_refresh_tokens_die_24_hours_after_sign_in_however_often_refreshed() {
    let sb = seeded();
    let t = microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    let mut rt = t["refresh_token"].as_str().unwrap().to_owned();
    for hours in [6, 6, 6, 5] {
        control(
            &sb,
            "POST",
            "/clock",
            json!({"advanceSeconds": hours * 3600}),
        );
        let r = refresh(&sb, &rt);
        assert_eq!(r.status, 200, "{}", body_text(&r));
        let body = r.json_body().unwrap();
        let next = body["refresh_token"].as_str().unwrap();
        assert_ne!(next, rt, "each refresh hands out a new refresh token");
        rt = next.to_owned();
        assert!(body.get("id_token").is_some());
    }
    // 23 h in: the newest token has one hour left, like the first.
    let left = refresh(&sb, &rt).json_body().unwrap()["refresh_token_expires_in"]
        .as_u64()
        .unwrap();
    assert_eq!(left, 3600);
    control(&sb, "POST", "/clock", json!({"advanceSeconds": 3600}));
    let r = refresh(&sb, &rt);
    assert_eq!(aadsts(&r), ("invalid_grant".into(), 700084));
    assert!(r.json_body().unwrap()["error_description"].as_str().unwrap()
        .starts_with("AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00"));
    assert_eq!(
        aadsts(&refresh(&sb, t["refresh_token"].as_str().unwrap())).1,
        700084
    );
    assert_eq!(
        aadsts(&token(
            &sb,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", MICROSOFT_CLIENT_ID)
            ],
            None
        ))
        .1,
        9002327
    );
}

#[test]
fn consent_removal_fails_refresh_with_65001() {
    let sb = seeded();
    let t = microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    assert_eq!(
        control(
            &sb,
            "POST",
            "/oauth/revoke-consent",
            json!({"provider":"microsoft","address":BO})
        )
        .1["revokedGrants"],
        1
    );
    let r = refresh(&sb, t["refresh_token"].as_str().unwrap());
    assert_eq!(aadsts(&r), ("invalid_grant".into(), 65001));
    assert_eq!(r.json_body().unwrap()["suberror"], "consent_required");
    let me = get_with_access_token(&sb, "graph.microsoft.com", "/v1.0/me", &t);
    assert_eq!(
        me.status, 200,
        "an issued Graph access token lives until it expires"
    );
    assert_eq!(aadsts(&refresh(&sb, "1.Aforged")).1, 9002313);
}

#[test]
fn silent_sign_in_needs_a_session_and_logout_ends_it() {
    let sb = seeded();
    let params = redirected(&authorize(&sb, &silent_path(BO)));
    assert_eq!(p(&params, "error"), Some("login_required"));
    assert!(
        p(&params, "error_description").unwrap().starts_with(
            "AADSTS50058: A silent sign-in request was sent but no user is signed in."
        )
    );

    microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    let silent = redirected(&authorize(&sb, &silent_path(BO)));
    assert!(p(&silent, "code").is_some(), "{silent:?}");
    let wider = format!(
        "{}&prompt=none",
        microsoft_authorize_path("openid Mail.Send", BO, "s", &Pkce::new())
    );
    assert_eq!(
        p(&redirected(&authorize(&sb, &wider)), "error"),
        Some("consent_required")
    );

    scenario(&sb, json!("interactionRequired"));
    assert!(
        p(
            &redirected(&authorize(
                &sb,
                &microsoft_authorize_path(SCOPES, BO, "s", &Pkce::new())
            )),
            "code"
        )
        .is_some(),
        "interactive requests do not take the silent-only scenario"
    );
    let params = redirected(&authorize(&sb, &silent_path(BO)));
    assert_eq!(p(&params, "error"), Some("interaction_required"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .starts_with("AADSTS50076")
    );

    let out = get(
        &sb,
        HOST,
        &format!(
            "/common/oauth2/v2.0/logout?post_logout_redirect_uri={}",
            inlay_sandbox::http::form_encode(MICROSOFT_REDIRECT_URI)
        ),
        &[],
    );
    assert_eq!(out.header("location"), Some(MICROSOFT_REDIRECT_URI));
    assert_eq!(
        p(&redirected(&authorize(&sb, &silent_path(BO))), "error"),
        Some("login_required")
    );

    microsoft_sign_in(&sb, BO, SCOPES).unwrap();
    let page = get(
        &sb,
        HOST,
        "/common/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.test%2F",
        &[],
    );
    assert_eq!(page.status, 200);
    assert!(body_text(&page).contains("You signed out"));
    let log = control(&sb, "GET", "/oauth/log?endpoint=logout", Value::Null).1;
    assert_eq!(log[1]["sessionsEnded"], 1);
}

#[test]
fn decisions_and_account_kinds() {
    let sb = seeded();
    scenario(&sb, json!("deny"));
    let params = redirected(&authorize(
        &sb,
        &microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new()),
    ));
    assert_eq!(p(&params, "error"), Some("access_denied"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .starts_with("AADSTS65004: User declined to consent")
    );
    assert_eq!(p(&params, "state"), Some("st"));

    scenario(&sb, json!("adminConsentRequired"));
    let params = redirected(&authorize(
        &sb,
        &microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new()),
    ));
    assert_eq!(p(&params, "error"), Some("consent_required"));
    assert!(
        p(&params, "error_description")
            .unwrap()
            .starts_with("AADSTS90094")
    );

    let shared = authorize(
        &sb,
        &microsoft_authorize_path(SCOPES, SHARED, "st", &Pkce::new()),
    );
    assert_eq!(shared.status, 400);
    assert!(body_text(&shared).contains("AADSTS50057: The user account is disabled."));

    let work_at_consumers =
        microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new()).replace("/common/", "/consumers/");
    assert!(body_text(&authorize(&sb, &work_at_consumers)).contains("AADSTS50020"));
    let msa_at_orgs = microsoft_authorize_path(SCOPES, MEG, "st", &Pkce::new())
        .replace("/common/", "/organizations/");
    assert!(body_text(&authorize(&sb, &msa_at_orgs)).contains("AADSTS50020"));
    let unknown = authorize(
        &sb,
        &microsoft_authorize_path(SCOPES, "nobody@contoso.com", "st", &Pkce::new()),
    );
    assert!(body_text(&unknown).contains("AADSTS50034"));

    scenario(&sb, json!({"signInAs": MEG, "stateOverride": "other"}));
    let params = redirected(&authorize(
        &sb,
        &microsoft_authorize_path(SCOPES, BO, "st", &Pkce::new()),
    ));
    assert_eq!(p(&params, "state"), Some("other"));
    let log = control(&sb, "GET", "/oauth/log?endpoint=authorize", Value::Null).1;
    assert_eq!(log.as_array().unwrap().last().unwrap()["signedInAs"], MEG);
}

#[test]
fn tenant_guid_authority_admits_its_own_accounts() {
    let sb = seeded();
    let t = microsoft_sign_in(&sb, BO, "openid").unwrap();
    let tid = jwt::claims(t["id_token"].as_str().unwrap()).unwrap()["tid"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = microsoft_authorize_path(SCOPES, BO, "s", &Pkce::new())
        .replace("/common/", &format!("/{tid}/"));
    assert!(p(&redirected(&authorize(&sb, &ok)), "code").is_some());
    let msa = microsoft_authorize_path(SCOPES, MEG, "s", &Pkce::new())
        .replace("/common/", &format!("/{tid}/"));
    assert!(body_text(&authorize(&sb, &msa)).contains("AADSTS50020"));
    let by_domain = microsoft_authorize_path(SCOPES, BO, "s", &Pkce::new())
        .replace("/common/", "/contoso.com/");
    assert!(p(&redirected(&authorize(&sb, &by_domain)), "code").is_some());
}

#[test]
fn require_click_and_drop_scopes() {
    let sb = seeded();
    scenario(
        &sb,
        json!({"requireClick": true, "dropScopes": ["MailboxSettings.Read"]}),
    );
    let pkce = Pkce::new();
    let page = authorize(&sb, &microsoft_authorize_path(SCOPES, BO, "st", &pkce));
    assert_eq!(page.status, 200);
    let html = body_text(&page);
    assert!(html.contains("action=\"/common/oauth2/v2.0/consent\""));
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
        HOST,
        "/common/oauth2/v2.0/consent",
        &form(&[("transaction", &txn), ("action", "allow")]),
        &[],
    );
    let code = p(&redirected(&r), "code").unwrap().to_owned();
    let t = token(&sb, &code_pairs(&code, &pkce), Some(&extension_origin()))
        .json_body()
        .unwrap();
    assert!(!t["scope"].as_str().unwrap().contains("MailboxSettings"));
}

#[test]
fn mobile_registrations_refuse_cross_origin_redemption() {
    let sb = seeded();
    let (status, _) = control(
        &sb,
        "POST",
        "/oauth/clients",
        json!({"provider":"microsoft",
        "clientId":MICROSOFT_CLIENT_ID,"redirectUris":[MICROSOFT_REDIRECT_URI],"platform":"mobile"}),
    );
    assert_eq!(status, 200);
    let pkce = Pkce::new();
    let code = p(
        &redirected(&authorize(
            &sb,
            &microsoft_authorize_path(SCOPES, BO, "s", &pkce),
        )),
        "code",
    )
    .unwrap()
    .to_owned();
    assert_eq!(
        aadsts(&token(
            &sb,
            &code_pairs(&code, &pkce),
            Some(&extension_origin())
        ))
        .1,
        9002326
    );
    let ok = token(&sb, &code_pairs(&code, &pkce), None)
        .json_body()
        .unwrap();
    assert!(ok.get("refresh_token_expires_in").is_none());
}

#[test]
fn preflight_and_discovery() {
    let sb = seeded();
    let r = inlay_sandbox::hosts::dispatch(
        &inlay_sandbox::http::Request::new("OPTIONS", HOST, "/common/oauth2/v2.0/token"),
        &sb,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let d = get(
        &sb,
        HOST,
        "/common/v2.0/.well-known/openid-configuration",
        &[],
    )
    .json_body()
    .unwrap();
    assert_eq!(
        d["token_endpoint"],
        "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    );
    assert_eq!(get(&sb, HOST, "/common/oauth2/v2.0/nope", &[]).status, 404);
}
