//! login.microsoftonline.com: the Microsoft identity platform (Entra ID and personal
//! Microsoft accounts), v2.0 endpoints.
//!
//! | request | does |
//! |---|---|
//! | `GET /{tenant}/oauth2/v2.0/authorize` | authorization endpoint: checks, sessions (`prompt=none`), scenarios |
//! | `POST /{tenant}/oauth2/v2.0/consent` | the sandbox consent page's form (scenario `requireClick`) |
//! | `POST`/`OPTIONS /{tenant}/oauth2/v2.0/token` | token endpoint (`microsoft_token`) |
//! | `GET /{tenant}/oauth2/v2.0/logout` | ends the session, then `post_logout_redirect_uri` or a signed-out page |
//! | `GET /{tenant}/discovery/v2.0/keys` | the JWKS for ID tokens |
//! | `GET /{tenant}/v2.0/.well-known/openid-configuration` | discovery document |
//!
//! `{tenant}`: `common`, `organizations`, `consumers`, a tenant GUID or a seeded domain.
//! Errors before the redirect URI is trusted, and sign-ins the account itself cannot do
//! (unknown, disabled = shared mailbox, wrong tenant), are error pages; the rest redirect.

use serde_json::json;

use crate::http::{Request, Response, query_pairs};
use crate::ids;
use crate::oauth::authz::{AuthzRequest, Redirect, param, words};
use crate::oauth::clients::Platform;
use crate::oauth::codes::Code;
use crate::oauth::identity::{CONSUMER_TENANT, object_id, tenant_id};
use crate::oauth::log::Entry;
use crate::oauth::pending::PendingAuthz;
use crate::oauth::pkce::valid_s256_challenge;
use crate::oauth::scenario::{Outcome, Scenario};
use crate::oauth::scopes::microsoft_canonical;
use crate::route::{self, Lookup, Route};
use crate::sandbox::Sandbox;
use crate::state::{Account, Provider, State};

use super::microsoft_error::aadsts;
use super::oauth_pages;

const M: Provider = Provider::Microsoft;
pub const HOST: &str = "https://login.microsoftonline.com";

type Handler = fn(&Request, &Sandbox, &str) -> Response;

const ROUTES: &[Route<Handler>] = &[
    Route {
        method: "GET",
        template: "/{tenant}/oauth2/v2.0/authorize",
        handler: authorize,
    },
    Route {
        method: "POST",
        template: "/{tenant}/oauth2/v2.0/consent",
        handler: consent,
    },
    Route {
        method: "POST",
        template: "/{tenant}/oauth2/v2.0/token",
        handler: super::microsoft_token::token,
    },
    Route {
        method: "OPTIONS",
        template: "/{tenant}/oauth2/v2.0/token",
        handler: super::microsoft_token::preflight,
    },
    Route {
        method: "GET",
        template: "/{tenant}/oauth2/v2.0/logout",
        handler: logout,
    },
    Route {
        method: "GET",
        template: "/{tenant}/discovery/v2.0/keys",
        handler: keys,
    },
    Route {
        method: "GET",
        template: "/{tenant}/v2.0/.well-known/openid-configuration",
        handler: discovery,
    },
];

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    match route::lookup(ROUTES, &req.method, &req.path) {
        Lookup::Found(route, params) => {
            (route.handler)(req, sandbox, params.get("tenant").unwrap_or_default())
        }
        _ => Response::html(
            404,
            "<!DOCTYPE html><html><head><title>Not Found</title></head><body><h2>Not Found</h2></body></html>\n",
        ),
    }
}

/// Whether `{tenant}` names an authority: the three audiences, the consumer tenant, or the
/// tenant (GUID or domain) of a seeded work account.
pub fn known_tenant(tenant: &str, state: &State) -> bool {
    let t = tenant.to_ascii_lowercase();
    matches!(t.as_str(), "common" | "organizations" | "consumers")
        || t == CONSUMER_TENANT
        || state
            .accounts
            .iter()
            .filter(|a| a.provider == M && !a.personal)
            .any(|a| tenant_id(a) == t || a.address.ends_with(&format!("@{t}")))
}

/// Whether an account may sign in through this authority.
fn tenant_admits(tenant: &str, account: &Account) -> bool {
    let t = tenant.to_ascii_lowercase();
    match t.as_str() {
        "common" => true,
        "organizations" => !account.personal,
        "consumers" => account.personal,
        _ => {
            tenant_id(account) == t
                || (!account.personal && account.address.ends_with(&format!("@{t}")))
        }
    }
}

fn page(entry: &mut Entry, code: u32, message: &str, now: u64) -> Response {
    entry.set("outcome", format!("page:AADSTS{code}"));
    oauth_pages::microsoft_error(400, &aadsts(code, message, now).description)
}

fn authorize(req: &Request, sandbox: &Sandbox, tenant: &str) -> Response {
    let params: Vec<(String, String)> = query_pairs(&req.query).collect();
    let mut entry = Entry::new(req, "microsoft", "authorize", &params);
    entry.set("tenant", tenant);
    let mut state = sandbox.state();
    entry.authorize_facts(&mut state.oauth.log);
    let response = check_and_decide(&params, tenant, &mut state, &mut entry);
    let now = state.oauth.now();
    state.oauth.log.push_response(entry, &response, now);
    response
}

fn check_and_decide(
    params: &[(String, String)],
    tenant: &str,
    state: &mut State,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    if !known_tenant(tenant, state) {
        let message = format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        );
        return page(entry, 90002, &message, now);
    }
    let Some(client_id) = param(params, "client_id") else {
        return page(
            entry,
            900144,
            "The request body must contain the following parameter: 'client_id'.",
            now,
        );
    };
    let Some(client) = state.oauth.clients.find(M, client_id).cloned() else {
        let message = format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the \
             application has not been installed by the administrator of the tenant or consented to by any user in the tenant. \
             You may have sent your authentication request to the wrong tenant."
        );
        return page(entry, 700016, &message, now);
    };
    let redirect_uri = param(params, "redirect_uri").unwrap_or_default();
    if !client.allows_redirect(redirect_uri) {
        let message = format!(
            "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the \
             application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application \
             in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
        );
        return page(entry, 50011, &message, now);
    }
    let request_state = param(params, "state");
    let fragment = match param(params, "response_mode") {
        None | Some("query") => false,
        Some("fragment") => true,
        Some(other) => {
            let message =
                format!("inlay-sandbox serves response_mode query and fragment, not '{other}'.");
            return error_redirect(
                entry,
                redirect_uri,
                false,
                request_state,
                "invalid_request",
                900144,
                &message,
                now,
            );
        }
    };
    let fail = |entry: &mut Entry, error: &str, code: u32, message: &str| {
        error_redirect(
            entry,
            redirect_uri,
            fragment,
            request_state,
            error,
            code,
            message,
            now,
        )
    };
    match param(params, "response_type") {
        Some("code") => {}
        None => {
            return fail(
                entry,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'response_type'.",
            );
        }
        Some(other) => {
            let message = format!("response_type '{other}' is not enabled for the application.");
            return fail(entry, "unsupported_response_type", 700054, &message);
        }
    }
    let Some(scope) = param(params, "scope") else {
        return fail(
            entry,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let requested = words(scope);
    let mut canonical = Vec::new();
    for s in &requested {
        let Some(c) = microsoft_canonical(s) else {
            let message = format!(
                "The provided value for the input parameter 'scope' is not valid. The scope '{s}' is not valid."
            );
            return fail(entry, "invalid_scope", 70011, &message);
        };
        if !canonical.contains(&c) {
            canonical.push(c);
        }
    }
    let challenge = match (
        param(params, "code_challenge"),
        param(params, "code_challenge_method"),
    ) {
        (None, _) if client.platform() == Platform::Spa => {
            let message = "Proof Key for Code Exchange is required for cross-origin authorization code redemption.";
            return fail(entry, "invalid_request", 9002325, message);
        }
        (None, _) => None,
        (Some(_), None | Some("plain")) => {
            let message = "inlay-sandbox refuses code_challenge_method=plain: use S256.";
            return fail(entry, "invalid_request", 501491, message);
        }
        (Some(_), Some(m)) if m != "S256" => {
            let message = format!("Invalid value for code_challenge_method: '{m}'.");
            return fail(entry, "invalid_request", 501491, &message);
        }
        (Some(c), _) if !valid_s256_challenge(c) => {
            return fail(
                entry,
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter.",
            );
        }
        (Some(c), _) => Some(c.to_owned()),
    };
    let request = AuthzRequest {
        provider: M,
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        fragment,
        state: request_state.map(str::to_owned),
        nonce: param(params, "nonce").map(str::to_owned),
        offline: canonical.iter().any(|s| s == "offline_access"),
        scopes: requested,
        canonical_scopes: canonical,
        challenge,
        prompt: param(params, "prompt")
            .map(|p| vec![p.to_owned()])
            .unwrap_or_default(),
        login_hint: param(params, "login_hint").map(str::to_ascii_lowercase),
        include_granted_scopes: false,
        tenant: tenant.to_owned(),
        client_info: param(params, "client_info") == Some("1"),
    };

    if request.prompts("none") {
        let session = match request.login_hint.as_deref() {
            Some(hint) => state.oauth.sessions.find(M, hint),
            None => state.oauth.sessions.latest(M),
        };
        let Some(account) = session.map(|s| s.address.clone()) else {
            return fail(
                entry,
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            );
        };
        entry.set("account", account.as_str());
        let scenario = state.oauth.scenarios.take(M, Some(&account), true);
        entry.set(
            "scenario",
            serde_json::to_value(&scenario).unwrap_or_default(),
        );
        if scenario.outcome == Outcome::InteractionRequired {
            let message = "Due to a configuration change made by your administrator, or because you moved to a new location, \
                           you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.";
            return fail(entry, "interaction_required", 50076, message);
        }
        let consented =
            state
                .oauth
                .consents
                .covers(M, client_id, &account, &request.canonical_scopes);
        if scenario.outcome == Outcome::AdminConsentRequired || !consented {
            return fail(
                entry,
                "consent_required",
                65001,
                &no_consent(client_id, client.name()),
            );
        }
        return decide(state, &request, &account, &scenario, true, true, entry);
    }

    let hinted = match request.login_hint.as_deref() {
        Some(hint) => state.account(M, hint),
        None => state.nth_account(M, 0),
    };
    let Some(account) = hinted.map(|a| a.address.clone()) else {
        let message = format!(
            "The user account {{EmailHidden}} does not exist in the '{tenant}' directory. To sign into this application, \
             the account must be added to the directory."
        );
        return page(entry, 50034, &message, now);
    };
    entry.set("account", account.as_str());
    let scenario = state.oauth.scenarios.take(M, Some(&account), false);
    entry.set(
        "scenario",
        serde_json::to_value(&scenario).unwrap_or_default(),
    );
    if scenario.require_click {
        let scopes = request
            .canonical_scopes
            .iter()
            .map(|s| (s.clone(), String::new()))
            .collect();
        return oauth_pages::ask_consent(
            &mut state.oauth.pending,
            entry,
            PendingAuthz::new(request, account, scenario, now),
            "Microsoft",
            client.name(),
            scopes,
            &format!("/{tenant}/oauth2/v2.0/consent"),
        );
    }
    decide(state, &request, &account, &scenario, true, false, entry)
}

pub fn no_consent(client_id: &str, name: &str) -> String {
    format!(
        "The user or administrator has not consented to use the application with ID '{client_id}' named '{name}'. \
         Send an interactive authorization request for this user and resource."
    )
}

#[allow(clippy::too_many_arguments)]
fn error_redirect(
    entry: &mut Entry,
    redirect_uri: &str,
    fragment: bool,
    state: Option<&str>,
    error: &str,
    code: u32,
    message: &str,
    now: u64,
) -> Response {
    entry.set("outcome", format!("redirect:{error}"));
    Redirect::to(redirect_uri, fragment)
        .param("error", error)
        .param("error_description", &aadsts(code, message, now).description)
        .param_opt("state", state)
        .response()
}

/// The user's decision and the scenario → the redirect (or a page the account causes).
fn decide(
    state: &mut State,
    request: &AuthzRequest,
    account: &str,
    scenario: &Scenario,
    allowed: bool,
    silent: bool,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    let outgoing = request.outgoing_state(scenario);
    let redirect = || Redirect::to(&request.redirect_uri, request.fragment);
    if !allowed || scenario.outcome == Outcome::Deny {
        entry.set("outcome", "redirect:access_denied");
        return redirect()
            .param("error", "access_denied")
            .param("error_subcode", "cancel")
            .param(
                "error_description",
                &aadsts(65004, "User declined to consent to access the app.", now).description,
            )
            .param_opt("state", outgoing)
            .response();
    }
    if scenario.outcome == Outcome::AdminConsentRequired {
        let message = "The grant requires admin permission.";
        if scenario.error_page {
            return page(entry, 90094, message, now);
        }
        return error_redirect(
            entry,
            &request.redirect_uri,
            request.fragment,
            outgoing,
            "consent_required",
            90094,
            message,
            now,
        );
    }
    let address = scenario.sign_in_as.as_deref().unwrap_or(account);
    let Some(acc) = state.account(M, address).cloned() else {
        let message = format!(
            "The user account {{EmailHidden}} does not exist in the '{}' directory.",
            request.tenant
        );
        return page(entry, 50034, &message, now);
    };
    if !acc.sign_in_enabled {
        return page(entry, 50057, "The user account is disabled.", now);
    }
    if !tenant_admits(&request.tenant, &acc) {
        let idp = if acc.personal {
            "live.com"
        } else {
            "https://sts.windows.net/"
        };
        let message = format!(
            "User account '{{EmailHidden}}' from identity provider '{idp}' does not exist in tenant '{}' and cannot access \
             the application '{}' in that tenant.",
            request.tenant, request.client_id
        );
        return page(entry, 50020, &message, now);
    }
    let dropped: Vec<String> = scenario
        .drop_scopes
        .iter()
        .map(|s| microsoft_canonical(s).unwrap_or_else(|| s.clone()))
        .collect();
    let granted: Vec<String> = request
        .canonical_scopes
        .iter()
        .filter(|s| !dropped.contains(s))
        .cloned()
        .collect();
    let oauth = &mut state.oauth;
    oauth
        .consents
        .record(M, &request.client_id, &acc.address, &granted);
    let session = match (silent, oauth.sessions.find(M, &acc.address)) {
        (true, Some(s)) => s.id.clone(),
        _ => oauth.sessions.start(M, &acc.address, now),
    };
    let code = format!("0.A{}", ids::secret(96));
    let offline = granted.iter().any(|s| s == "offline_access");
    oauth.codes.issue(Code::for_request(
        code.clone(),
        request,
        &acc.address,
        granted.clone(),
        offline,
        now,
    ));
    entry.set("outcome", "code");
    entry.set("signedInAs", acc.address.as_str());
    entry.set("grantedScopes", granted);
    let client_info = request.client_info.then(|| client_info(&acc));
    redirect()
        .param("code", &code)
        .param_opt("client_info", client_info.as_deref())
        .param_opt("state", outgoing)
        .param("session_state", &session)
        .response()
}

/// MSAL's `client_info`: base64url of `{"uid": oid, "utid": tid}`.
pub fn client_info(account: &Account) -> String {
    use base64::Engine;
    let value = json!({ "uid": object_id(account), "utid": tenant_id(account) });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

fn consent(req: &Request, sandbox: &Sandbox, _tenant: &str) -> Response {
    oauth_pages::answer_consent(
        req,
        sandbox,
        M,
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
        |entry, _form, now| {
            page(
                entry,
                90014,
                "The consent page expired or was already answered.",
                now,
            )
        },
    )
}

/// Ends the session of `logout_hint`'s account, or every Microsoft session; then sends the
/// user to `post_logout_redirect_uri` if an app registered it, else shows a page.
fn logout(req: &Request, sandbox: &Sandbox, tenant: &str) -> Response {
    let params: Vec<(String, String)> = query_pairs(&req.query).collect();
    let mut entry = Entry::new(req, "microsoft", "logout", &params);
    entry.set("tenant", tenant);
    let mut state = sandbox.state();
    let now = state.oauth.now();
    let ended = state.oauth.sessions.end(M, param(&params, "logout_hint"));
    entry.set("sessionsEnded", ended);
    let response = match param(&params, "post_logout_redirect_uri") {
        Some(uri) if state.oauth.clients.registered_anywhere(M, uri) => {
            entry.set("outcome", "redirect");
            Redirect::to(uri, false)
                .param_opt("state", param(&params, "state"))
                .response()
        }
        _ => {
            entry.set("outcome", "page:signed_out");
            oauth_pages::microsoft_signed_out()
        }
    };
    state.oauth.log.push_response(entry, &response, now);
    response
}

fn keys(_req: &Request, sandbox: &Sandbox, _tenant: &str) -> Response {
    Response::json(200, &sandbox.signer.jwks())
}

fn discovery(_req: &Request, _sandbox: &Sandbox, tenant: &str) -> Response {
    let issuer_tenant = match tenant {
        "common" | "organizations" => "{tenantid}",
        "consumers" => CONSUMER_TENANT,
        t => t,
    };
    Response::json(
        200,
        &json!({
            "issuer": format!("{HOST}/{issuer_tenant}/v2.0"),
            "authorization_endpoint": format!("{HOST}/{tenant}/oauth2/v2.0/authorize"),
            "token_endpoint": format!("{HOST}/{tenant}/oauth2/v2.0/token"),
            "end_session_endpoint": format!("{HOST}/{tenant}/oauth2/v2.0/logout"),
            "jwks_uri": format!("{HOST}/{tenant}/discovery/v2.0/keys"),
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid",
                "preferred_username", "email", "tid", "ver"],
        }),
    )
}
