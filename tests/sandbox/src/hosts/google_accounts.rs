//! accounts.google.com: Google's sign-in host.
//!
//! | request | does |
//! |---|---|
//! | `GET /o/oauth2/v2/auth` | the authorization endpoint: checks the request as Google does, then plays the queued scenario (default: the user consents) |
//! | `POST /signin/oauth/consent` | the consent page's form (scenario `requireClick`) |
//! | `GET /.well-known/openid-configuration` | the discovery document |
//! | anything else | Google's 404 page (Chromium's start-up `POST /ListAccounts` gives up on it quietly) |
//!
//! Errors before the redirect URI is trusted (client, redirect URI, malformed request) are
//! Google's error *page*, never a redirect. Unknown scopes, the user's decision and the
//! policy outcomes redirect with `error=`; policy outcomes show the page instead when the
//! scenario says `errorPage`.

use serde_json::json;

use crate::http::{Request, Response, query_pairs};
use crate::ids;
use crate::oauth::authz::{AuthzRequest, Redirect, param, words};
use crate::oauth::codes::Code;
use crate::oauth::identity::google_hosted_domain;
use crate::oauth::log::Entry;
use crate::oauth::pending::PendingAuthz;
use crate::oauth::pkce::valid_s256_challenge;
use crate::oauth::scenario::{Outcome, Scenario};
use crate::oauth::scopes::{self, google_canonical, google_known, google_redirect_scope};
use crate::sandbox::Sandbox;
use crate::state::{Provider, State};

use super::google_error::not_found_page;
use super::oauth_pages;

pub const ISSUER: &str = "https://accounts.google.com";
pub const AUTHORIZE_PATH: &str = "/o/oauth2/v2/auth";
pub const CONSENT_PATH: &str = "/signin/oauth/consent";

const G: Provider = Provider::Google;

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", AUTHORIZE_PATH) => authorize(req, sandbox),
        ("POST", CONSENT_PATH) => consent(req, sandbox),
        ("GET", "/.well-known/openid-configuration") => discovery(),
        _ => not_found_page(&req.path),
    }
}

fn authorize(req: &Request, sandbox: &Sandbox) -> Response {
    let params: Vec<(String, String)> = query_pairs(&req.query).collect();
    let mut entry = Entry::new(req, "google", "authorize", &params);
    let mut state = sandbox.state();
    entry.authorize_facts(&mut state.oauth.log);
    let response = check_and_decide(&params, sandbox, &mut state, &mut entry);
    let now = state.oauth.now();
    state.oauth.log.push_response(entry, &response, now);
    response
}

/// Google's error page; the request details are the query parameters.
fn page(
    entry: &mut Entry,
    status: u16,
    code: &str,
    message: &str,
    params: &[(String, String)],
) -> Response {
    entry.set("outcome", format!("page:{code}"));
    oauth_pages::google_error(status, code, message, params)
}

fn check_and_decide(
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    entry: &mut Entry,
) -> Response {
    let Some(client_id) = param(params, "client_id") else {
        return page(
            entry,
            400,
            "invalid_request",
            "Missing required parameter: client_id",
            params,
        );
    };
    let Some(client) = state.oauth.clients.find(G, client_id).cloned() else {
        return page(
            entry,
            401,
            "invalid_client",
            "The OAuth client was not found.",
            params,
        );
    };
    let Some(redirect_uri) = param(params, "redirect_uri") else {
        return page(
            entry,
            400,
            "invalid_request",
            "Missing required parameter: redirect_uri",
            params,
        );
    };
    if !client.allows_redirect(redirect_uri) {
        return page(
            entry,
            400,
            "redirect_uri_mismatch",
            "You can\u{2019}t sign in to this app because it doesn\u{2019}t comply with Google\u{2019}s OAuth 2.0 policy. \
             If you\u{2019}re the app developer, register the redirect URI in the Google Cloud Console.",
            params,
        );
    }
    match param(params, "response_type") {
        Some("code") => {}
        None => {
            return page(
                entry,
                400,
                "invalid_request",
                "Required parameter is missing: response_type",
                params,
            );
        }
        Some(other) => {
            let message = format!(
                "Invalid response_type: {other} (inlay-sandbox serves the authorization code flow only)"
            );
            return page(entry, 400, "invalid_request", &message, params);
        }
    }
    let Some(scope) = param(params, "scope") else {
        return page(
            entry,
            400,
            "invalid_request",
            "Missing required parameter: scope",
            params,
        );
    };
    // PKCE: Google lets web clients skip it and accepts `plain`; this sandbox does neither.
    let challenge = match (
        param(params, "code_challenge"),
        param(params, "code_challenge_method"),
    ) {
        (None, _) => {
            let message = "Missing required parameter: code_challenge (inlay-sandbox requires PKCE with S256)";
            return page(entry, 400, "invalid_request", message, params);
        }
        (Some(_), None | Some("plain")) => {
            let message = "code_challenge_method=plain is refused by inlay-sandbox: use S256";
            return page(entry, 400, "invalid_request", message, params);
        }
        (Some(_), Some(method)) if method != "S256" => {
            let message = format!("Invalid code_challenge_method: {method}");
            return page(entry, 400, "invalid_request", &message, params);
        }
        (Some(c), _) if !valid_s256_challenge(c) => {
            let message = "Invalid code_challenge: an S256 challenge is 43 base64url characters";
            return page(entry, 400, "invalid_request", message, params);
        }
        (Some(c), _) => c.to_owned(),
    };
    let requested = words(scope);
    let mut canonical: Vec<String> = Vec::new();
    for s in requested.iter().map(|s| google_canonical(s)) {
        if !canonical.contains(&s) {
            canonical.push(s);
        }
    }
    let request = AuthzRequest {
        provider: G,
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        fragment: false,
        state: param(params, "state").map(str::to_owned),
        nonce: param(params, "nonce").map(str::to_owned),
        scopes: requested,
        canonical_scopes: canonical,
        challenge: Some(challenge),
        prompt: param(params, "prompt").map(words).unwrap_or_default(),
        login_hint: param(params, "login_hint").map(str::to_owned),
        offline: param(params, "access_type") == Some("offline"),
        include_granted_scopes: param(params, "include_granted_scopes") == Some("true"),
        tenant: String::new(),
        client_info: false,
    };
    let unknown: Vec<&str> = request
        .canonical_scopes
        .iter()
        .filter(|s| !google_known(s, &sandbox.gmail))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        entry.set("outcome", "redirect:invalid_scope");
        return Redirect::to(redirect_uri, false)
            .param("error", "invalid_scope")
            .param(
                "error_description",
                &format!(
                    "Some requested scopes were invalid. {{invalid=[{}]}}",
                    unknown.join(", ")
                ),
            )
            .param_opt("state", request.state.as_deref())
            .response();
    }

    let hinted = match request.login_hint.as_deref() {
        Some(hint) => state.account(G, hint),
        None => state.nth_account(G, 0),
    };
    let Some(account) = hinted.map(|a| a.address.clone()) else {
        entry.set("outcome", "page:no_account");
        return oauth_pages::google_no_account(request.login_hint.as_deref());
    };
    entry.set("account", account.as_str());
    let silent = request.prompts("none");
    let scenario = state.oauth.scenarios.take(G, Some(&account), silent);
    entry.set(
        "scenario",
        serde_json::to_value(&scenario).unwrap_or_default(),
    );

    if silent {
        // No page may show: Google needs a session and an earlier consent.
        let error = if state.oauth.sessions.find(G, &account).is_none() {
            Some("login_required")
        } else if !state
            .oauth
            .consents
            .covers(G, client_id, &account, &request.canonical_scopes)
        {
            Some("consent_required")
        } else if scenario.require_click {
            Some("interaction_required")
        } else {
            None
        };
        if let Some(error) = error {
            entry.set("outcome", format!("redirect:{error}"));
            return Redirect::to(redirect_uri, false)
                .param("error", error)
                .param_opt("state", request.outgoing_state(&scenario))
                .response();
        }
    } else if scenario.require_click {
        let now = state.oauth.now();
        let scope_list = request
            .canonical_scopes
            .iter()
            .map(|s| {
                let text = sandbox
                    .gmail
                    .descriptions
                    .iter()
                    .find(|(k, _)| k == s)
                    .map_or_else(|| describe_openid(s).to_owned(), |(_, d)| d.clone());
                (s.clone(), text)
            })
            .collect();
        return oauth_pages::ask_consent(
            &mut state.oauth.pending,
            entry,
            PendingAuthz::new(request, account, scenario, now),
            "Google",
            client.name(),
            scope_list,
            CONSENT_PATH,
        );
    }
    decide(state, &request, &account, &scenario, true, silent, entry)
}

fn describe_openid(scope: &str) -> &'static str {
    match scope {
        scopes::GOOGLE_EMAIL => "See your primary Google Account email address",
        scopes::GOOGLE_PROFILE => {
            "See your personal info, including any personal info you've made publicly available"
        }
        scopes::OPENID => "Associate you with your personal info on Google",
        _ => "",
    }
}

/// The user's decision (`allowed`) and the scenario's outcome → the redirect.
fn decide(
    state: &mut State,
    request: &AuthzRequest,
    account: &str,
    scenario: &Scenario,
    allowed: bool,
    silent: bool,
    entry: &mut Entry,
) -> Response {
    let outgoing = request.outgoing_state(scenario);
    let error = |entry: &mut Entry, error: &str, description: Option<&str>| {
        entry.set("outcome", format!("redirect:{error}"));
        Redirect::to(&request.redirect_uri, false)
            .param("error", error)
            .param_opt("error_description", description)
            .param_opt("state", outgoing)
            .response()
    };
    let policy = |entry: &mut Entry, status: u16, code: &str, message: &str| {
        if scenario.error_page {
            let details = vec![
                ("client_id".to_owned(), request.client_id.clone()),
                ("redirect_uri".to_owned(), request.redirect_uri.clone()),
                ("scope".to_owned(), request.scopes.join(" ")),
            ];
            page(entry, status, code, message, &details)
        } else {
            error(entry, code, Some(message))
        }
    };
    if !allowed {
        return error(entry, "access_denied", None);
    }
    match scenario.outcome {
        Outcome::Deny => return error(entry, "access_denied", None),
        Outcome::AdminBlocked => {
            return policy(
                entry,
                400,
                "admin_policy_enforced",
                "Access to your account data is restricted by policies within your organization. \
                 Please contact the administrator for more information.",
            );
        }
        Outcome::OrgInternal => {
            return policy(
                entry,
                403,
                "org_internal",
                "This client is restricted to users within its organization.",
            );
        }
        Outcome::AdvancedProtection => {
            return policy(
                entry,
                400,
                "policy_enforced",
                "Advanced Protection prevented your Google Account from being signed in. This security \
                 feature stops most non-Google apps and services from accessing your data to keep your account protected.",
            );
        }
        _ => {}
    }
    let address = match &scenario.sign_in_as {
        Some(other) => match state.account(G, other) {
            Some(a) => a.address.clone(),
            None => {
                entry.set("outcome", "page:no_account");
                return oauth_pages::google_no_account(Some(other));
            }
        },
        None => account.to_owned(),
    };
    let now = state.oauth.now();
    let oauth = &mut state.oauth;
    let earlier = oauth
        .consents
        .find(G, &request.client_id, &address)
        .cloned();
    let mut granted = request.canonical_scopes.clone();
    if request.include_granted_scopes
        && let Some(c) = &earlier
    {
        for s in &c.scopes {
            if !granted.contains(s) {
                granted.push(s.clone());
            }
        }
    }
    let dropped: Vec<String> = scenario
        .drop_scopes
        .iter()
        .map(|s| google_canonical(s))
        .collect();
    granted.retain(|s| !dropped.contains(s));
    // A refresh token comes with the first offline consent, later only with prompt=consent.
    let offline = request.offline && (earlier.is_none() || request.prompts("consent"));
    oauth
        .consents
        .record(G, &request.client_id, &address, &granted);
    if !silent {
        oauth.sessions.start(G, &address, now);
    }
    let code = format!("4/0A{}", ids::secret(54));
    oauth.codes.issue(Code::for_request(
        code.clone(),
        request,
        &address,
        granted.clone(),
        offline,
        now,
    ));
    let authuser = state
        .accounts
        .iter()
        .filter(|a| a.provider == G)
        .position(|a| a.address == address)
        .unwrap_or(0);
    entry.set("outcome", "code");
    entry.set("signedInAs", address.as_str());
    entry.set("grantedScopes", granted.clone());
    entry.set("refreshTokenPromised", offline);
    Redirect::to(&request.redirect_uri, false)
        .param_opt("state", outgoing)
        .param_opt("iss", (!scenario.omit_iss).then_some(ISSUER))
        .param("code", &code)
        .param("scope", &google_redirect_scope(&request.scopes, &granted))
        .param("authuser", &authuser.to_string())
        .param_opt("hd", google_hosted_domain(&address))
        .param("prompt", if silent { "none" } else { "consent" })
        .response()
}

/// The consent page's form: `transaction` and `action=allow|cancel`.
fn consent(req: &Request, sandbox: &Sandbox) -> Response {
    oauth_pages::answer_consent(
        req,
        sandbox,
        G,
        |state, p, allowed, entry| {
            decide(
                state,
                &p.request,
                &p.account,
                &p.scenario,
                allowed,
                false,
                entry,
            )
        },
        |entry, form, _now| {
            page(
                entry,
                400,
                "invalid_request",
                "This consent page expired or was already answered.",
                form,
            )
        },
    )
}

fn discovery() -> Response {
    Response::json(
        200,
        &json!({
            "issuer": ISSUER,
            "authorization_endpoint": format!("{ISSUER}{AUTHORIZE_PATH}"),
            "token_endpoint": "https://oauth2.googleapis.com/token",
            "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
            "revocation_endpoint": "https://oauth2.googleapis.com/revoke",
            "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name",
                "iat", "iss", "name", "picture", "sub", "hd", "nonce", "at_hash", "azp"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }),
    )
}
