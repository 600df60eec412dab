//! Driving the fakes in process: a sandbox with the Gmail discovery document loaded, and
//! one-line GET/POST helpers that return the response plus its redirect parameters.

#![allow(dead_code)] // each test file uses part of it

use inlay_sandbox::hosts::{self, ispdb::IspDb};
use inlay_sandbox::http::{Request, Response};
use inlay_sandbox::oauth::scopes::GmailContract;
use inlay_sandbox::oauth::script::redirect_params;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::Value;

pub fn contracts_dir() -> std::path::PathBuf {
    inlay_sandbox::contracts::require(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    )
}

pub fn sandbox(seed: Value) -> Sandbox {
    let gmail =
        GmailContract::load(&contracts_dir().join("gmail/gmail-v1-discovery.json")).unwrap();
    let sb = Sandbox::new(IspDb::default()).with_gmail(gmail);
    sb.state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    sb
}

pub fn control(sb: &Sandbox, method: &str, path: &str, body: Value) -> (u16, Value) {
    let req = Request::new(method, "", path).with_body(if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    });
    let r = inlay_sandbox::control::handle(&req, sb);
    (r.status, r.json_body().unwrap())
}

pub fn get(sb: &Sandbox, host: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut req = Request::new("GET", host, path);
    for (k, v) in headers {
        req = req.with_header(k, v);
    }
    hosts::dispatch(&req, sb)
}

/// `get` with `Authorization: Bearer` the `access_token` of a token response.
pub fn get_with_access_token(sb: &Sandbox, host: &str, path: &str, tokens: &Value) -> Response {
    let auth = bearer(tokens["access_token"].as_str().unwrap());
    get(sb, host, path, &[("authorization", &auth)])
}

pub fn post_form(
    sb: &Sandbox,
    host: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Response {
    let mut req = Request::new("POST", host, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body.to_owned());
    for (k, v) in headers {
        req = req.with_header(k, v);
    }
    hosts::dispatch(&req, sb)
}

/// The parameters of a 302's `Location` (panics on anything else).
pub fn redirected(r: &Response) -> Vec<(String, String)> {
    assert_eq!(
        r.status,
        302,
        "expected a redirect: {}",
        String::from_utf8_lossy(&r.body)
    );
    redirect_params(r.header("location").unwrap())
}

pub fn p<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    inlay_sandbox::oauth::script::get(params, name)
}

pub fn body_text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
