//! Google's OAuth/OpenID API hosts.
//!
//! | host | request | module |
//! |---|---|---|
//! | oauth2.googleapis.com | `POST /token` (authorization_code, refresh_token) | here |
//! | oauth2.googleapis.com | `POST /revoke` | `google_revoke` |
//! | www.googleapis.com | `GET /oauth2/v3/certs` (JWKS), `GET /oauth2/v3/userinfo` | `google_userinfo` |
//! | openidconnect.googleapis.com | `GET /v1/userinfo` | `google_userinfo` |
//!
//! Everything else is Google's HTML 404.

use serde_json::{Map, Value, json};

use crate::http::{Request, Response};
use crate::ids;
use crate::oauth::authz::param;
use crate::oauth::codes::RedeemError;
use crate::oauth::log::Entry;
use crate::oauth::scopes::{OPENID, google_canonical};
use crate::oauth::tokens::RefreshCheck;
use crate::sandbox::Sandbox;
use crate::state::{Provider, State};

use super::google_error::not_found_page;
use super::{google_revoke, google_userinfo};

/// Google's access tokens live an hour; `expires_in` says 3599.
pub const ACCESS_LIFETIME: u64 = 3600;
const G: Provider = Provider::Google;

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    match (req.host.as_str(), req.method.as_str(), req.path.as_str()) {
        ("oauth2.googleapis.com", "POST", "/token") => token(req, sandbox),
        ("oauth2.googleapis.com", "POST", "/revoke") => google_revoke::revoke(req, sandbox),
        ("oauth2.googleapis.com", _, "/token" | "/revoke") => method_not_allowed(),
        ("www.googleapis.com", "GET", "/oauth2/v3/certs") => google_userinfo::certs(sandbox),
        ("www.googleapis.com", "GET" | "POST", "/oauth2/v3/userinfo")
        | ("openidconnect.googleapis.com", "GET" | "POST", "/v1/userinfo") => {
            google_userinfo::userinfo(req, sandbox)
        }
        _ => not_found_page(&req.path),
    }
}

fn method_not_allowed() -> Response {
    Response::html(
        405,
        "<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 405 (Method Not Allowed)!!1</title>\
         <p><b>405.</b> <ins>That\u{2019}s an error.</ins><p>The request method is inappropriate for the URL. \
         <ins>That\u{2019}s all we know.</ins>\n",
    )
}

/// An OAuth error body as Google's token endpoint writes it.
pub fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    no_store(Response::json(
        status,
        &json!({ "error": error, "error_description": description }),
    ))
}

pub fn no_store(r: Response) -> Response {
    r.with_header(
        "cache-control",
        "no-cache, no-store, max-age=0, must-revalidate",
    )
    .with_header("pragma", "no-cache")
}

/// The token request's parameters: a form body, or a JSON object (Google takes both).
pub fn body_params(req: &Request) -> Vec<(String, String)> {
    if req
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
    {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&req.body) else {
            return Vec::new();
        };
        return map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
    }
    req.form_pairs()
}

/// `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic).
fn basic_credentials(req: &Request) -> Option<(String, String)> {
    use base64::Engine;
    let value = req.header("authorization")?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((
        crate::http::form_decode(id),
        crate::http::form_decode(secret),
    ))
}

fn token(req: &Request, sandbox: &Sandbox) -> Response {
    let params = body_params(req);
    let mut entry = Entry::new(req, "google", "token", &params);
    entry.token_request_headers(req);
    let mut state = sandbox.state();
    let response = token_inner(req, &params, sandbox, &mut state, &mut entry);
    let now = state.oauth.now();
    state.oauth.log.push_response(entry, &response, now);
    response
}

fn token_inner(
    req: &Request,
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    entry: &mut Entry,
) -> Response {
    let basic = basic_credentials(req);
    let (client_id, secret, auth) = match &basic {
        Some((id, secret)) => (Some(id.as_str()), Some(secret.as_str()), "basic"),
        None => {
            let secret = param(params, "client_secret");
            let how = if secret.is_some() { "post" } else { "none" };
            (param(params, "client_id"), secret, how)
        }
    };
    entry.set("clientId", client_id.map_or(Value::Null, Value::from));
    entry.set("clientSecretPresent", secret.is_some());
    entry.set("clientAuth", auth);
    let grant_type = param(params, "grant_type");
    entry.set("grantType", grant_type.map_or(Value::Null, Value::from));
    if entry.get("repeatedParams").is_some() {
        return oauth_error(
            400,
            "invalid_request",
            "Duplicate parameter in the request.",
        );
    }
    let grant_type = match grant_type {
        Some(g @ ("authorization_code" | "refresh_token")) => g,
        other => {
            let message = format!("Invalid grant_type: {}", other.unwrap_or_default());
            return oauth_error(400, "unsupported_grant_type", &message);
        }
    };
    let Some(client_id) = client_id else {
        return oauth_error(
            400,
            "invalid_request",
            "Could not determine client ID from request.",
        );
    };
    let Some(client) = state.oauth.clients.find(G, client_id).cloned() else {
        return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    };
    let Some(secret) = secret else {
        return oauth_error(400, "invalid_request", "client_secret is missing.");
    };
    if client.client_secret.as_deref() != Some(secret) {
        return oauth_error(401, "invalid_client", "Unauthorized");
    }
    let now = state.oauth.now();
    if grant_type == "refresh_token" {
        return refresh(params, sandbox, state, client_id, entry);
    }
    let Some(code) = param(params, "code") else {
        return oauth_error(400, "invalid_request", "Missing required parameter: code");
    };
    let redeemed = match state
        .oauth
        .codes
        .redeem_request(code, client_id, params, now, entry)
    {
        Ok(code) => code,
        Err(e) => {
            return match e {
                RedeemError::WrongRedirect => {
                    oauth_error(400, "redirect_uri_mismatch", "Bad Request")
                }
                RedeemError::VerifierMissing => {
                    oauth_error(400, "invalid_grant", "Missing code verifier.")
                }
                RedeemError::VerifierMismatch => {
                    oauth_error(400, "invalid_grant", "Invalid code verifier.")
                }
                _ => oauth_error(400, "invalid_grant", "Bad Request"),
            };
        }
    };
    let oauth = &mut state.oauth;
    let grant = oauth.tokens.new_grant(
        G,
        client_id,
        &redeemed.address,
        &redeemed.scopes,
        redeemed.auth_time,
    );
    let access = format!("ya29.sandbox.{}", ids::secret(48));
    oauth.tokens.add_access(
        grant,
        access.clone(),
        &redeemed.scopes,
        now + ACCESS_LIFETIME,
    );
    let mut body = access_body(&access, &redeemed.scopes);
    if redeemed.offline {
        let refresh = format!("1//sandbox.{}", ids::secret(48));
        let lifetime = client.refresh_token_lifetime_seconds;
        oauth
            .tokens
            .add_refresh(grant, refresh.clone(), now, lifetime.map(|l| now + l));
        body.insert("refresh_token".into(), json!(refresh));
        if let Some(l) = lifetime {
            body.insert("refresh_token_expires_in".into(), json!(l));
        }
    }
    if redeemed.scopes.iter().any(|s| s == OPENID) {
        let id_token = id_token(
            sandbox,
            state,
            &redeemed.address,
            client_id,
            redeemed.nonce.as_deref(),
            &access,
            &redeemed.scopes,
            now,
        );
        body.insert("id_token".into(), json!(id_token));
    }
    entry.set("outcome", "tokens");
    entry.set("account", redeemed.address.as_str());
    no_store(Response::json(200, &Value::Object(body)))
}

fn access_body(access: &str, scopes: &[String]) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "access_token": access,
        "expires_in": ACCESS_LIFETIME - 1,
        "scope": scopes.join(" "),
        "token_type": "Bearer",
    }) else {
        unreachable!()
    };
    map
}

/// `grant_type=refresh_token`: a new access token, no new refresh token (as Google does).
fn refresh(
    params: &[(String, String)],
    sandbox: &Sandbox,
    state: &mut State,
    client_id: &str,
    entry: &mut Entry,
) -> Response {
    let Some(token) = param(params, "refresh_token") else {
        return oauth_error(
            400,
            "invalid_request",
            "Missing required parameter: refresh_token",
        );
    };
    let now = state.oauth.now();
    let grant = match state.oauth.tokens.check_refresh(token, now) {
        RefreshCheck::Valid(grant, _) if grant.provider == G => grant.clone(),
        other => {
            entry.set(
                "refreshError",
                format!("{:?}", std::mem::discriminant(&other)),
            );
            return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
        }
    };
    if grant.client_id != client_id {
        return oauth_error(400, "unauthorized_client", "Unauthorized");
    }
    let scopes: Vec<String> = match param(params, "scope") {
        Some(s) => {
            let wanted: Vec<String> = s
                .split(' ')
                .filter(|x| !x.is_empty())
                .map(google_canonical)
                .collect();
            if wanted.iter().any(|w| !grant.scopes.contains(w)) {
                return oauth_error(400, "invalid_scope", "Bad Request");
            }
            wanted
        }
        None => grant.scopes.clone(),
    };
    let access = format!("ya29.sandbox.{}", ids::secret(48));
    state
        .oauth
        .tokens
        .add_access(grant.id, access.clone(), &scopes, now + ACCESS_LIFETIME);
    let mut body = access_body(&access, &scopes);
    if scopes.iter().any(|s| s == OPENID) {
        let id_token = id_token(
            sandbox,
            state,
            &grant.address,
            client_id,
            None,
            &access,
            &scopes,
            now,
        );
        body.insert("id_token".into(), json!(id_token));
    }
    entry.set("outcome", "tokens");
    entry.set("account", grant.address.as_str());
    no_store(Response::json(200, &Value::Object(body)))
}

/// Google's ID token: the userinfo claims the scopes allow, plus the JWT claims.
#[allow(clippy::too_many_arguments)]
fn id_token(
    sandbox: &Sandbox,
    state: &State,
    address: &str,
    client_id: &str,
    nonce: Option<&str>,
    access: &str,
    scopes: &[String],
    now: u64,
) -> String {
    let mut claims = match state.account(G, address) {
        Some(account) => google_userinfo::claims(account, Some(scopes)),
        None => Map::new(),
    };
    claims.insert("iss".into(), json!(super::google_accounts::ISSUER));
    claims.insert("azp".into(), json!(client_id));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("at_hash".into(), json!(crate::oauth::jwt::at_hash(access)));
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + 3600));
    sandbox.signer.sign(&Value::Object(claims))
}
