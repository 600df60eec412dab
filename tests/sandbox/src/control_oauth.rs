//! The control API's sign-in part.
//!
//! | endpoint | does |
//! |---|---|
//! | `GET /clock`, `POST /clock {"advanceSeconds":N}` | the sandbox clock every expiry uses → `{"now","offsetSeconds"}` |
//! | `GET /oauth/clients`, `POST /oauth/clients {client}`, `DELETE /oauth/clients` | app registrations (see `oauth::clients::Client`); DELETE restores the defaults |
//! | `GET /oauth/scenario`, `POST /oauth/scenario {…}`, `DELETE /oauth/scenario` | queued sign-in scenarios (see `oauth::scenario`) |
//! | `POST /oauth/revoke-consent {"provider","address"}` | the user removed the app: refresh tokens die |
//! | `GET /oauth/tokens` | every minted access and refresh token (canaries for leak tests) |
//! | `GET /oauth/sessions`, `DELETE /oauth/sessions` | sign-in sessions (DELETE = the browser lost its cookies) |
//! | `GET /oauth/log?provider=&endpoint=`, `DELETE /oauth/log` | decoded OAuth calls (see `oauth::log`) |

use serde::Deserialize;
use serde_json::json;

use crate::control::{bad_request, no_endpoint, not_allowed, ok, parse};
use crate::http::Request;
use crate::http::Response;
use crate::oauth::clients::{Client, Clients};
use crate::oauth::scenario::QueueRequest;
use crate::sandbox::Sandbox;
use crate::state::Provider;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Advance {
    advance_seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeConsent {
    provider: Provider,
    address: String,
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let mut state = sandbox.state();
    let oauth = &mut state.oauth;
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/clock") => clock(oauth.now(), oauth.clock_offset),
        ("POST", "/clock") => match parse::<Advance>(req) {
            Ok(a) => {
                oauth.advance(a.advance_seconds);
                clock(oauth.now(), oauth.clock_offset)
            }
            Err(e) => bad_request(&e),
        },
        ("GET", "/oauth/clients") => clients(&oauth.clients),
        ("POST", "/oauth/clients") => {
            match parse::<Client>(req).and_then(|c| oauth.clients.upsert(c)) {
                Ok(()) => clients(&oauth.clients),
                Err(e) => bad_request(&e),
            }
        }
        ("DELETE", "/oauth/clients") => {
            oauth.clients = Clients::default();
            clients(&oauth.clients)
        }
        ("GET", "/oauth/scenario") => Response::json(200, &json!(oauth.scenarios.list())),
        ("POST", "/oauth/scenario") => {
            match parse::<QueueRequest>(req).and_then(|q| oauth.scenarios.push(q)) {
                Ok(n) => Response::json(200, &json!({ "queued": n })),
                Err(e) => bad_request(&e),
            }
        }
        ("DELETE", "/oauth/scenario") => {
            oauth.scenarios.clear();
            ok()
        }
        ("POST", "/oauth/revoke-consent") => match parse::<RevokeConsent>(req) {
            Ok(r) => {
                let address = r.address.trim().to_ascii_lowercase();
                // Google's access tokens stop with the grant; Microsoft's are JWTs and live on.
                let with_access = r.provider == Provider::Google;
                let n = oauth
                    .tokens
                    .revoke_consent(r.provider, &address, with_access);
                oauth.consents.remove(r.provider, &address);
                Response::json(200, &json!({ "revokedGrants": n }))
            }
            Err(e) => bad_request(&e),
        },
        ("GET", "/oauth/tokens") => Response::json(200, &json!(oauth.tokens.describe())),
        ("GET", "/oauth/sessions") => Response::json(200, &json!(oauth.sessions.list())),
        ("DELETE", "/oauth/sessions") => {
            let n = oauth.sessions.list().len();
            oauth.sessions.clear();
            Response::json(200, &json!({ "ended": n }))
        }
        ("GET", "/oauth/log") => {
            let provider = req.query_param("provider").filter(|p| !p.is_empty());
            let endpoint = req.query_param("endpoint").filter(|p| !p.is_empty());
            Response::json(
                200,
                &json!(oauth.log.select(provider.as_deref(), endpoint.as_deref())),
            )
        }
        ("DELETE", "/oauth/log") => {
            oauth.log.clear();
            ok()
        }
        (
            _,
            "/clock"
            | "/oauth/clients"
            | "/oauth/scenario"
            | "/oauth/revoke-consent"
            | "/oauth/sessions"
            | "/oauth/log",
        ) => not_allowed(req),
        _ => no_endpoint(req),
    }
}

fn clock(now: u64, offset: u64) -> Response {
    Response::json(200, &json!({ "now": now, "offsetSeconds": offset }))
}

fn clients(c: &Clients) -> Response {
    Response::json(200, &json!({ "clients": c.list() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::tests::call;
    use crate::hosts::ispdb::IspDb;
    use serde_json::Value;

    #[test]
    fn clock_clients_scenarios_and_reset() {
        let sb = Sandbox::new(IspDb::default());
        let (_, before) = call(&sb, "GET", "/clock", Value::Null);
        let (status, after) = call(&sb, "POST", "/clock", json!({"advanceSeconds": 3600}));
        assert_eq!(status, 200);
        assert_eq!(after["offsetSeconds"], 3600);
        assert!(after["now"].as_u64() >= Some(before["now"].as_u64().unwrap() + 3600));
        assert_eq!(
            call(&sb, "POST", "/clock", json!({"advanceSeconds": -1})).0,
            400
        );

        let (status, clients) = call(&sb, "GET", "/oauth/clients", Value::Null);
        assert_eq!(status, 200);
        assert_eq!(clients["clients"].as_array().unwrap().len(), 2);
        assert_eq!(
            clients["clients"][0]["clientSecret"],
            "sandbox-public-client-secret"
        );
        let (status, _) = call(
            &sb,
            "POST",
            "/oauth/clients",
            json!({"provider":"microsoft",
            "clientId":"x","redirectUris":["https://x/"],"platform":"mobile"}),
        );
        assert_eq!(status, 200);
        assert_eq!(
            call(
                &sb,
                "POST",
                "/oauth/clients",
                json!({"provider":"google","clientId":"y","redirectUris":["https://y/"]})
            )
            .0,
            400
        );

        let (status, q) = call(
            &sb,
            "POST",
            "/oauth/scenario",
            json!({"provider":"google","scenario":"deny","times":2}),
        );
        assert_eq!((status, q["queued"].as_u64()), (200, Some(1)));
        assert_eq!(
            call(&sb, "GET", "/oauth/scenario", Value::Null).1[0]["remaining"],
            2
        );
        assert_eq!(
            call(
                &sb,
                "POST",
                "/oauth/scenario",
                json!({"provider":"google","scenario":"nope"})
            )
            .0,
            400
        );

        assert_eq!(
            call(
                &sb,
                "POST",
                "/oauth/revoke-consent",
                json!({"provider":"google","address":"a@b.c"})
            )
            .1["revokedGrants"],
            0
        );
        assert_eq!(call(&sb, "PUT", "/oauth/log", Value::Null).0, 405);
        assert_eq!(call(&sb, "GET", "/oauth/nope", Value::Null).0, 404);

        assert_eq!(call(&sb, "POST", "/reset", Value::Null).0, 200);
        assert_eq!(
            call(&sb, "GET", "/clock", Value::Null).1["offsetSeconds"],
            0
        );
        assert_eq!(
            call(&sb, "GET", "/oauth/clients", Value::Null).1["clients"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            call(&sb, "GET", "/oauth/scenario", Value::Null).1,
            json!([])
        );
    }
}
