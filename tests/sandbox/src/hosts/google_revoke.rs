//! `POST https://oauth2.googleapis.com/revoke`: revoking either token of a sign-in ends the
//! whole grant (Google: "If the token is an access token and it has a corresponding refresh
//! token, the refresh token will also be revoked"), and the app's access with it.
//!
//! Google also takes the token in the query string; the log's `tokenInQuery` tells a test
//! whether the client leaked it into the URL.

use serde_json::{Value, json};

use crate::http::{Request, Response, query_pairs};
use crate::oauth::authz::param;
use crate::oauth::log::Entry;
use crate::sandbox::Sandbox;
use crate::state::Provider;

use super::google_oauth::{body_params, no_store, oauth_error};

pub fn revoke(req: &Request, sandbox: &Sandbox) -> Response {
    let body = body_params(req);
    let query: Vec<(String, String)> = query_pairs(&req.query).collect();
    let mut entry = Entry::new(req, "google", "revoke", &body);
    entry.set(
        "contentType",
        req.header("content-type").unwrap_or_default(),
    );
    entry.set("tokenInQuery", param(&query, "token").is_some());
    entry.set("tokenInBody", param(&body, "token").is_some());
    let mut state = sandbox.state();
    let now = state.oauth.now();
    let token = param(&body, "token").or_else(|| param(&query, "token"));
    let response = match token {
        None => oauth_error(400, "invalid_request", "Bad Request"),
        Some(token) => {
            let grant = state
                .oauth
                .tokens
                .grant_of(token)
                .filter(|g| g.provider == Provider::Google)
                .cloned();
            match grant.and_then(|g| state.oauth.tokens.revoke(token).map(|kind| (g, kind))) {
                Some((grant, kind)) => {
                    entry.set("tokenKind", format!("{kind:?}").to_ascii_lowercase());
                    entry.set("account", grant.address.as_str());
                    entry.set("outcome", "revoked");
                    let oauth = &mut state.oauth;
                    oauth.consents.remove_client(
                        Provider::Google,
                        &grant.client_id,
                        &grant.address,
                    );
                    no_store(Response::json(200, &json!({})))
                }
                None => {
                    entry.set("tokenKind", Value::Null);
                    oauth_error(400, "invalid_token", "Token expired or revoked")
                }
            }
        }
    };
    state.oauth.log.push_response(entry, &response, now);
    response
}
