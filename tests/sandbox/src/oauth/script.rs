//! Scripted sign-ins through the fakes' own handlers, in process: how unit and contract
//! tests get real minted tokens without a browser. Every check of a browser flow applies;
//! nothing here reaches into the token store.

use serde_json::Value;

use crate::hosts;
use crate::http::{Request, form_encode, query_pairs};
use crate::ids;
use crate::sandbox::Sandbox;

use super::clients::{
    EXTENSION_ID, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REDIRECT_URI, MICROSOFT_CLIENT_ID,
    MICROSOFT_REDIRECT_URI,
};
use super::pkce::challenge_s256;

/// The `Origin` Chromium sends from the extension's service worker.
pub fn extension_origin() -> String {
    format!("chrome-extension://{EXTENSION_ID}")
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// A fresh 64-character verifier and its S256 challenge.
    pub fn new() -> Self {
        let verifier = ids::secret(48);
        let challenge = challenge_s256(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// The decoded parameters of a redirect's query or fragment.
pub fn redirect_params(location: &str) -> Vec<(String, String)> {
    let tail = location.split_once(['?', '#']).map_or("", |(_, t)| t);
    query_pairs(tail).collect()
}

pub fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `k=v&…` with form encoding.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Path and query of a Google authorization request from the default client.
pub fn google_authorize_path(scopes: &str, login_hint: &str, state: &str, pkce: &Pkce) -> String {
    let query = form(&[
        ("client_id", GOOGLE_CLIENT_ID),
        ("redirect_uri", GOOGLE_REDIRECT_URI),
        ("response_type", "code"),
        ("scope", scopes),
        ("state", state),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
        ("access_type", "offline"),
        ("prompt", "consent"),
        ("login_hint", login_hint),
    ]);
    format!("/o/oauth2/v2/auth?{query}")
}

/// Path and query of a Microsoft authorization request from the default SPA client.
pub fn microsoft_authorize_path(
    scopes: &str,
    login_hint: &str,
    state: &str,
    pkce: &Pkce,
) -> String {
    let query = form(&[
        ("client_id", MICROSOFT_CLIENT_ID),
        ("redirect_uri", MICROSOFT_REDIRECT_URI),
        ("response_type", "code"),
        ("response_mode", "query"),
        ("scope", scopes),
        ("state", state),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", login_hint),
    ]);
    format!("/common/oauth2/v2.0/authorize?{query}")
}

fn follow(sandbox: &Sandbox, host: &str, path: &str) -> Result<Vec<(String, String)>, String> {
    let r = hosts::dispatch(&Request::new("GET", host, path), sandbox);
    let location = r.header("location").ok_or_else(|| {
        format!(
            "{host} answered {} without a redirect: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        )
    })?;
    let params = redirect_params(location);
    if let Some(error) = get(&params, "error") {
        return Err(format!("{host} redirected with error={error}: {location}"));
    }
    Ok(params)
}

fn token(
    sandbox: &Sandbox,
    host: &str,
    path: &str,
    body: String,
    origin: Option<&str>,
) -> Result<Value, String> {
    let mut req = Request::new("POST", host, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body);
    if let Some(origin) = origin {
        req = req.with_header("origin", origin);
    }
    let r = hosts::dispatch(&req, sandbox);
    let json = r.json_body().ok_or("token endpoint answered no JSON")?;
    if r.status == 200 {
        Ok(json)
    } else {
        Err(format!("token endpoint {}: {json}", r.status))
    }
}

/// Signs `address` in at Google with `scopes` and redeems the code: the token response.
pub fn google_sign_in(sandbox: &Sandbox, address: &str, scopes: &str) -> Result<Value, String> {
    let pkce = Pkce::new();
    let params = follow(
        sandbox,
        "accounts.google.com",
        &google_authorize_path(scopes, address, "st", &pkce),
    )?;
    let code = get(&params, "code").ok_or("no code")?;
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", GOOGLE_CLIENT_ID),
        ("client_secret", GOOGLE_CLIENT_SECRET),
        ("redirect_uri", GOOGLE_REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
    ]);
    token(sandbox, "oauth2.googleapis.com", "/token", body, None)
}

/// Signs `address` in at Microsoft (`common`) with `scopes` and redeems the code
/// cross-origin, as the extension's service worker does: the token response.
pub fn microsoft_sign_in(sandbox: &Sandbox, address: &str, scopes: &str) -> Result<Value, String> {
    let pkce = Pkce::new();
    let params = follow(
        sandbox,
        "login.microsoftonline.com",
        &microsoft_authorize_path(scopes, address, "st", &pkce),
    )?;
    let code = get(&params, "code").ok_or("no code")?;
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", MICROSOFT_CLIENT_ID),
        ("redirect_uri", MICROSOFT_REDIRECT_URI),
        ("code_verifier", &pkce.verifier),
        ("scope", scopes),
    ]);
    token(
        sandbox,
        "login.microsoftonline.com",
        "/common/oauth2/v2.0/token",
        body,
        Some(&extension_origin()),
    )
}
