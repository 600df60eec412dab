//! Helpers shared by the integration tests: canned HTTP answers, the OAuth
//! clients the connect tests sign in with, URL / JWT mechanics, and the
//! message corpora the parser tests walk.
//!
//! Each test binary includes this with `mod support;` and uses only part of it.
#![allow(dead_code)]

pub mod contracts;
pub mod corpus;

use std::collections::HashMap;

use inlay_core::accounts::{AccountRegistry, ConnectPolicy, ConnectionState, Seat};
use inlay_core::auth::OAuthClient;
use inlay_core::connect::{Clients, ConnectInput, ConnectMode};
use inlay_core::detect::ConnectionKind;
use inlay_core::http::{HttpRequest, HttpResponse};
use url::Url;

pub const GOOGLE_ID: &str = "123-abc.apps.googleusercontent.com";
pub const MS_ID: &str = "00000000-1111-2222-3333-444444444444";
pub const WORK_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// Google's test client: a "secret" that Google treats as public.
pub fn google_client() -> OAuthClient {
    OAuthClient {
        client_id: GOOGLE_ID.into(),
        client_secret: Some("GOCSPX-public".into()),
    }
}

/// Microsoft's test client: a SPA registration, no secret.
pub fn ms_client() -> OAuthClient {
    OAuthClient {
        client_id: MS_ID.into(),
        client_secret: None,
    }
}

/// A full-seat connect of `address` with both test clients, redirecting to
/// `redirect_base`.
pub fn connect_input(connect: ConnectionKind, address: &str, redirect_base: &str) -> ConnectInput {
    ConnectInput {
        address: address.into(),
        connect,
        automation: true,
        clients: Clients {
            google: Some(google_client()),
            microsoft: Some(ms_client()),
        },
        redirect_base: redirect_base.into(),
        policy: ConnectPolicy {
            seat: Seat::Full,
            allowed_kinds: None,
        },
        registry: AccountRegistry::default(),
        mode: ConnectMode::Connect,
        previous_state: ConnectionState::NotConnected,
        optional_features: Default::default(),
        granted_scopes: Vec::new(),
    }
}

/// An HTTP answer with the given status, headers and body.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

/// The query parameters of `url`.
pub fn query(url: &str) -> HashMap<String, String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// The form-encoded fields of a request's body.
pub fn form(req: &HttpRequest) -> HashMap<String, String> {
    url::form_urlencoded::parse(req.body.as_deref().unwrap().as_bytes())
        .into_owned()
        .collect()
}

pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An unsigned-looking JWT: `header` and `claims` encoded, a dummy signature.
pub fn jwt_with_header(header: &str, claims: &serde_json::Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64url(header.as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}
