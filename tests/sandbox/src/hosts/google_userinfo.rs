//! Google's OpenID userinfo (`openidconnect.googleapis.com/v1/userinfo`, also
//! `www.googleapis.com/oauth2/v3/userinfo`) and the JWKS that verifies its ID tokens
//! (`www.googleapis.com/oauth2/v3/certs`).

use serde_json::{Map, Value, json};

use crate::http::{Request, Response};
use crate::oauth::identity::{display_name, google_hosted_domain, google_sub, name_parts};
use crate::oauth::log::Entry;
use crate::oauth::scopes::{GOOGLE_EMAIL, GOOGLE_PROFILE, OPENID};
use crate::sandbox::Sandbox;
use crate::state::{Account, Provider};
use crate::tokens::{self, AuthError};

/// The OpenID claims about an account that `scopes` allow (`None`: all of them).
pub fn claims(account: &Account, scopes: Option<&[String]>) -> Map<String, Value> {
    let has = |s: &str| scopes.is_none_or(|g| g.iter().any(|x| x == s));
    let mut out = Map::new();
    out.insert("sub".into(), json!(google_sub(&account.address)));
    if has(GOOGLE_PROFILE) {
        let (given, family) = name_parts(account);
        out.insert("name".into(), json!(display_name(account)));
        out.insert(
            "picture".into(),
            json!(format!(
                "https://lh3.googleusercontent.com/a/sandbox-{}=s96-c",
                google_sub(&account.address)
            )),
        );
        out.insert("given_name".into(), json!(given));
        if let Some(family) = family {
            out.insert("family_name".into(), json!(family));
        }
    }
    if has(GOOGLE_EMAIL) {
        out.insert("email".into(), json!(account.address));
        out.insert("email_verified".into(), json!(true));
    }
    if let Some(hd) = google_hosted_domain(&account.address) {
        out.insert("hd".into(), json!(hd));
    }
    out
}

pub fn certs(sandbox: &Sandbox) -> Response {
    Response::json(200, &sandbox.signer.jwks()).with_header(
        "cache-control",
        "public, max-age=21600, must-revalidate, no-transform",
    )
}

pub fn userinfo(req: &Request, sandbox: &Sandbox) -> Response {
    let mut entry = Entry::new(req, "google", "userinfo", &[]);
    let mut state = sandbox.state();
    let response = match tokens::authorize(req, &mut state, Provider::Google) {
        Ok(auth) if auth.has_any(&[OPENID, GOOGLE_EMAIL, GOOGLE_PROFILE]) => {
            entry.set("account", auth.account.address.as_str());
            Response::json(
                200,
                &Value::Object(claims(auth.account, auth.scopes.as_deref())),
            )
        }
        Ok(_) => super::google_error::insufficient_scopes(
            "openidconnect.googleapis.com",
            "userinfo",
            &[OPENID, GOOGLE_EMAIL, GOOGLE_PROFILE],
        ),
        Err(e) => Response::json(
            401,
            &json!({"error": "invalid_request", "error_description": "Invalid Credentials"}),
        )
        .with_header(
            "www-authenticate",
            &format!(
                "Bearer realm=\"https://accounts.google.com/\"{}",
                if e == AuthError::Missing {
                    ""
                } else {
                    ", error=\"invalid_token\""
                }
            ),
        ),
    };
    let now = state.oauth.now();
    state.oauth.log.push_response(entry, &response, now);
    response
}
