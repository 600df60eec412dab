//! `POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` for public clients.
//!
//! A Single-page application (the default registration) redeems codes and refresh tokens
//! cross-origin only (an `Origin` header, which the browser adds), with PKCE and without a
//! secret; its refresh tokens expire 24 h after the sign-in, and each refresh hands out a
//! new refresh token with that same expiry. A "mobile" registration must not send `Origin`
//! and gets 90-day refresh tokens.

use base64::Engine;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::http::{Request, Response};
use crate::ids;
use crate::oauth::authz::param;
use crate::oauth::clients::{Client, PUBLIC_REFRESH_LIFETIME, Platform, SPA_REFRESH_LIFETIME};
use crate::oauth::codes::RedeemError;
use crate::oauth::identity::{display_name, object_id, tenant_id};
use crate::oauth::log::Entry;
use crate::oauth::scopes::{MS_OIDC, microsoft_canonical, microsoft_token_scope};
use crate::oauth::tokens::{Grant, RefreshCheck, Revocation};
use crate::sandbox::Sandbox;
use crate::state::{Account, Provider, State};

use super::microsoft_error::{iso_time, token_error};
use super::microsoft_login::{HOST, client_info, known_tenant, no_consent};

const M: Provider = Provider::Microsoft;
pub const ACCESS_LIFETIME: u64 = 3600;
/// Microsoft Graph's application id, the audience of Graph access tokens.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

fn cors(r: Response) -> Response {
    r.with_header("access-control-allow-origin", "*")
}

/// The CORS preflight a browser may send before a cross-origin token request.
pub fn preflight(_req: &Request, _sandbox: &Sandbox, _tenant: &str) -> Response {
    cors(Response::empty(200))
        .with_header("access-control-allow-methods", "POST, OPTIONS")
        .with_header("access-control-allow-headers", "content-type, client-request-id, x-client-sku, x-client-ver, x-client-os, x-ms-lib-capability, return-client-request-id")
        .with_header("access-control-max-age", "86400")
}

pub fn token(req: &Request, sandbox: &Sandbox, tenant: &str) -> Response {
    let params = req.form_pairs();
    let mut entry = Entry::new(req, "microsoft", "token", &params);
    entry.set("tenant", tenant);
    entry.token_request_headers(req);
    let mut state = sandbox.state();
    let response = cors(token_inner(
        req, &params, tenant, sandbox, &mut state, &mut entry,
    ));
    let now = state.oauth.now();
    state.oauth.log.push_response(entry, &response, now);
    response
}

fn token_inner(
    req: &Request,
    params: &[(String, String)],
    tenant: &str,
    sandbox: &Sandbox,
    state: &mut State,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    let grant_type = param(params, "grant_type");
    let client_id = param(params, "client_id");
    let secret = param(params, "client_secret").or(param(params, "client_assertion"));
    entry.set("grantType", grant_type.map_or(Value::Null, Value::from));
    entry.set("clientId", client_id.map_or(Value::Null, Value::from));
    entry.set("clientSecretPresent", secret.is_some());
    if !known_tenant(tenant, state) {
        let message = format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        );
        return token_error(400, "invalid_request", 90002, &message, now, None);
    }
    let Some(grant_type) = grant_type else {
        return missing("grant_type", now);
    };
    let Some(client_id) = client_id else {
        return missing("client_id", now);
    };
    let Some(client) = state.oauth.clients.find(M, client_id).cloned() else {
        let message = format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
        );
        return token_error(400, "unauthorized_client", 700016, &message, now, None);
    };
    if secret.is_some() {
        let message = "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.";
        return token_error(401, "invalid_client", 700025, message, now, None);
    }
    match (client.platform(), req.header("origin")) {
        (Platform::Spa, None) => {
            let message = "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.";
            return token_error(400, "invalid_request", 9002327, message, now, None);
        }
        (Platform::Mobile, Some(origin)) => {
            let message = format!(
                "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."
            );
            return token_error(400, "invalid_request", 9002326, &message, now, None);
        }
        _ => {}
    }
    match grant_type {
        "authorization_code" => redeem_code(params, sandbox, state, &client, entry),
        "refresh_token" => refresh(params, sandbox, state, &client, entry),
        other => {
            let message = format!("The app requested an unsupported grant type '{other}'.");
            token_error(400, "unsupported_grant_type", 70003, &message, now, None)
        }
    }
}

/// AADSTS900144: a required body parameter is missing.
fn missing(name: &str, now: u64) -> Response {
    let message = format!("The request body must contain the following parameter: '{name}'.");
    token_error(400, "invalid_request", 900144, &message, now, None)
}

/// AADSTS65001 with `suberror=consent_required`: the grant does not cover the request.
fn consent_required(client: &Client, now: u64) -> Response {
    token_error(
        400,
        "invalid_grant",
        65001,
        &no_consent(&client.client_id, client.name()),
        now,
        Some("consent_required"),
    )
}

fn redeem_code(
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    client: &Client,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    let Some(code) = param(params, "code") else {
        return missing("code", now);
    };
    let redeemed = match state.oauth.codes.redeem_request(
        code,
        &client.client_id,
        params,
        now,
        entry,
    ) {
        Ok(code) => code,
        Err(e) => {
            let (error, number, message) = match e {
                RedeemError::Used => (
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                ),
                RedeemError::Expired => (
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                ),
                RedeemError::VerifierMissing => (
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'code_verifier'.",
                ),
                RedeemError::VerifierMismatch => (
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ),
                RedeemError::WrongRedirect => (
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed. The redirect_uri does not match the one of the authorization request.",
                ),
                RedeemError::WrongClient => (
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed.",
                ),
                RedeemError::Unknown => (
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                ),
            };
            return token_error(400, error, number, message, now, None);
        }
    };
    let grant_id = state.oauth.tokens.new_grant(
        M,
        &client.client_id,
        &redeemed.address,
        &redeemed.scopes,
        redeemed.auth_time,
    );
    let grant = state
        .oauth
        .tokens
        .grant(grant_id)
        .cloned()
        .expect("just made");
    issue(
        params,
        sandbox,
        state,
        client,
        &grant,
        &redeemed.scopes,
        redeemed.nonce.as_deref(),
        entry,
    )
}

fn refresh(
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    client: &Client,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    let Some(token) = param(params, "refresh_token") else {
        return missing("refresh_token", now);
    };
    let grant = match state.oauth.tokens.check_refresh(token, now) {
        RefreshCheck::Valid(grant, _)
            if grant.provider == M && grant.client_id == client.client_id =>
        {
            grant.clone()
        }
        RefreshCheck::Expired(grant, rt) if grant.provider == M => {
            entry.set("refreshError", "expired");
            let message = match client.platform() {
                Platform::Spa => format!(
                    "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, \
                     which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. \
                     The token was issued on {}.",
                    iso_time(rt.issued_at)
                ),
                _ => format!(
                    "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                    iso_time(rt.issued_at)
                ),
            };
            let number = if client.platform() == Platform::Spa {
                700084
            } else {
                700082
            };
            return token_error(400, "invalid_grant", number, &message, now, None);
        }
        RefreshCheck::Revoked(grant, how) if grant.provider == M => {
            entry.set("refreshError", "revoked");
            return match how {
                Revocation::ConsentRemoved => consent_required(client, now),
                Revocation::ByClient => token_error(
                    400,
                    "invalid_grant",
                    50173,
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
                    now,
                    None,
                ),
            };
        }
        _ => {
            entry.set("refreshError", "unknown");
            return token_error(
                400,
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
                now,
                None,
            );
        }
    };
    // A refresh may narrow the scopes, never widen them.
    let scopes: Vec<String> = match param(params, "scope") {
        Some(s) => {
            let mut wanted = Vec::new();
            for requested in s.split(' ').filter(|x| !x.is_empty()) {
                match microsoft_canonical(requested) {
                    Some(c) if grant.scopes.contains(&c) => wanted.push(c),
                    _ => return consent_required(client, now),
                }
            }
            wanted
        }
        None => grant.scopes.clone(),
    };
    issue(params, sandbox, state, client, &grant, &scopes, None, entry)
}

/// Mints the access token (and a refresh token when `offline_access` was granted) and
/// writes the token response.
#[allow(clippy::too_many_arguments)]
fn issue(
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    client: &Client,
    grant: &Grant,
    scopes: &[String],
    nonce: Option<&str>,
    entry: &mut Entry,
) -> Response {
    let now = state.oauth.now();
    let Some(account) = state.account(M, &grant.address).cloned() else {
        return token_error(
            400,
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
            now,
            None,
        );
    };
    let access = access_token(sandbox, &account, client, scopes, now);
    state
        .oauth
        .tokens
        .add_access(grant.id, access.clone(), scopes, now + ACCESS_LIFETIME);
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("scope".into(), json!(microsoft_token_scope(scopes)));
    body.insert("expires_in".into(), json!(ACCESS_LIFETIME));
    body.insert("ext_expires_in".into(), json!(ACCESS_LIFETIME));
    body.insert("access_token".into(), json!(access));
    if grant.scopes.iter().any(|s| s == "offline_access") {
        let expiry = match client.platform() {
            // A registration may shorten the SPA lifetime (tests of the silent renewal).
            Platform::Spa => {
                grant.auth_time
                    + client
                        .refresh_token_lifetime_seconds
                        .unwrap_or(SPA_REFRESH_LIFETIME)
            }
            _ => now + PUBLIC_REFRESH_LIFETIME,
        };
        let refresh = format!("1.A{}", ids::secret(120));
        state
            .oauth
            .tokens
            .add_refresh(grant.id, refresh.clone(), now, Some(expiry));
        body.insert("refresh_token".into(), json!(refresh));
        if client.platform() == Platform::Spa {
            body.insert(
                "refresh_token_expires_in".into(),
                json!(expiry.saturating_sub(now)),
            );
        }
    }
    if scopes.iter().any(|s| s == "openid") {
        body.insert(
            "id_token".into(),
            json!(id_token(sandbox, &account, client, scopes, nonce, now)),
        );
    }
    if param(params, "client_info") == Some("1") {
        body.insert("client_info".into(), json!(client_info(&account)));
    }
    entry.set("outcome", "tokens");
    entry.set("account", account.address.as_str());
    Response::json(200, &Value::Object(body))
        .with_header("cache-control", "no-store, no-cache")
        .with_header("pragma", "no-cache")
}

/// Graph access tokens: a JWT for work accounts, an opaque blob for personal ones (clients
/// must not read either; MSA tokens are not even JWTs).
fn access_token(
    sandbox: &Sandbox,
    account: &Account,
    client: &Client,
    scopes: &[String],
    now: u64,
) -> String {
    if account.personal {
        return format!("EwB{}", ids::secret(180));
    }
    let graph: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !MS_OIDC.contains(s))
        .collect();
    let tid = tenant_id(account);
    sandbox.signer.sign(&json!({
        "aud": GRAPH_APP_ID,
        "iss": format!("https://sts.windows.net/{tid}/"),
        "iat": now, "nbf": now, "exp": now + ACCESS_LIFETIME,
        "appid": client.client_id,
        "name": display_name(account),
        "oid": object_id(account),
        "scp": graph.join(" "),
        "tid": tid,
        "upn": account.address,
        "uti": ids::secret(16),
        "ver": "1.0",
    }))
}

fn id_token(
    sandbox: &Sandbox,
    account: &Account,
    client: &Client,
    scopes: &[String],
    nonce: Option<&str>,
    now: u64,
) -> String {
    let tid = tenant_id(account);
    let oid = object_id(account);
    let sub = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(format!("{}:{oid}", client.client_id)));
    let mut claims = Map::new();
    claims.insert("ver".into(), json!("2.0"));
    claims.insert("iss".into(), json!(format!("{HOST}/{tid}/v2.0")));
    claims.insert("sub".into(), json!(sub));
    claims.insert("aud".into(), json!(client.client_id));
    claims.insert("exp".into(), json!(now + 3600));
    claims.insert("iat".into(), json!(now));
    claims.insert("nbf".into(), json!(now));
    claims.insert("tid".into(), json!(tid));
    claims.insert("oid".into(), json!(oid));
    if scopes.iter().any(|s| s == "profile") {
        claims.insert("name".into(), json!(display_name(account)));
        claims.insert("preferred_username".into(), json!(account.address));
    }
    if scopes.iter().any(|s| s == "email") {
        claims.insert("email".into(), json!(account.address));
    }
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    sandbox.signer.sign(&Value::Object(claims))
}
