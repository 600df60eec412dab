//! The control API tests drive the sandbox with: plain HTTP/1.1 + JSON on 127.0.0.1.
//!
//! | endpoint | does |
//! |---|---|
//! | `GET /health` | `{"ok":true}` |
//! | `POST /reset` | clears accounts, DNS records, faults and recordings |
//! | `POST /seed` | adds accounts / DNS records (see `state::Seed`) |
//! | `GET /requests?host=&pathPrefix=` | recorded HTTPS requests, in order (a JSON array) |
//! | `DELETE /requests` | forgets the recordings |
//! | `GET /faults`, `POST /faults`, `DELETE /faults`, `DELETE /faults/{id}` | fault injection (see `faults::FaultSpec`) |
//! | `GET /state` | debug dump of accounts and DNS records |
//! | `GET /deliveries?provider=&address=`, `DELETE /deliveries` | sends the fakes accepted (see `delivery`) |
//! | `POST /mailbox` | a message arrives, one is deleted, or sync cursors expire (see `sync_log`) |
//! | `/clock`, `/oauth/…` | sign-in state: see `control_oauth` |

use std::convert::Infallible;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::faults::FaultSpec;
use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::Seed;
use crate::wire;

pub async fn serve(listener: TcpListener, sandbox: Arc<Sandbox>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let sandbox = sandbox.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let sandbox = sandbox.clone();
                async move {
                    let response = match wire::read_request(req, String::new()).await {
                        Ok(request) => handle(&request, &sandbox),
                        Err(response) => response,
                    };
                    Ok::<_, Infallible>(wire::to_hyper(response))
                }
            });
            // Errors here are clients hanging up; nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/health") => ok(),
        ("POST", "/reset") => {
            sandbox.reset();
            ok()
        }
        ("POST", "/seed") => match parse::<Seed>(req).and_then(|seed| sandbox.state().seed(seed)) {
            Ok(summary) => Response::json(200, &summary),
            Err(e) => bad_request(&e),
        },
        ("GET", "/requests") => {
            let recorder = sandbox.recorder();
            let host = req.query_param("host").filter(|h| !h.is_empty());
            let prefix = req.query_param("pathPrefix").filter(|p| !p.is_empty());
            Response::json(
                200,
                &json!(recorder.select(host.as_deref(), prefix.as_deref())),
            )
        }
        ("DELETE", "/requests") => {
            sandbox.recorder().clear();
            ok()
        }
        ("GET", "/faults") => Response::json(
            200,
            &Value::Array(sandbox.faults().list().map(|f| f.describe()).collect()),
        ),
        ("POST", "/faults") => {
            match parse::<FaultSpec>(req).and_then(|spec| sandbox.faults().add(spec)) {
                Ok(id) => Response::json(200, &json!({ "id": id })),
                Err(e) => bad_request(&e),
            }
        }
        ("DELETE", "/faults") => {
            sandbox.faults().clear();
            ok()
        }
        ("DELETE", path) if path.starts_with("/faults/") => {
            match path["/faults/".len()..].parse::<u64>() {
                Ok(id) if sandbox.faults().remove(id) => ok(),
                _ => Response::json(
                    404,
                    &json!({ "error": format!("no fault {:?}", &path["/faults/".len()..]) }),
                ),
            }
        }
        ("GET", "/state") => Response::json(200, &sandbox.state().dump()),
        (_, "/deliveries") => crate::delivery::control(req, sandbox),
        (_, "/mailbox") => crate::sync_log::control(req, sandbox),
        (_, path) if path == "/clock" || path.starts_with("/oauth/") => {
            crate::control_oauth::handle(req, sandbox)
        }
        (_, "/health" | "/reset" | "/seed" | "/requests" | "/faults" | "/state") => {
            not_allowed(req)
        }
        (_, path) if path.starts_with("/faults/") => {
            Response::json(405, &json!({ "error": "only DELETE" }))
        }
        _ => no_endpoint(req),
    }
}

/// The control API's answers, shared with `control_oauth`.
pub(crate) fn ok() -> Response {
    Response::json(200, &json!({ "ok": true }))
}

pub(crate) fn bad_request(message: &str) -> Response {
    Response::json(400, &json!({ "error": message }))
}

/// 405 for a known endpoint asked with the wrong method.
pub(crate) fn not_allowed(req: &Request) -> Response {
    Response::json(
        405,
        &json!({ "error": format!("{} not allowed on {}", req.method, req.path) }),
    )
}

pub(crate) fn no_endpoint(req: &Request) -> Response {
    Response::json(
        404,
        &json!({ "error": format!("no control endpoint {}", req.path) }),
    )
}

pub(crate) fn parse<T: DeserializeOwned>(req: &Request) -> Result<T, String> {
    serde_json::from_slice(&req.body).map_err(|e| format!("bad JSON body: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    /// One control call → (status, JSON body); a null `body` sends none.
    pub(crate) fn call(sb: &Sandbox, method: &str, path: &str, body: Value) -> (u16, Value) {
        let req = Request::new(method, "", path).with_body(if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        });
        let r = handle(&req, sb);
        (r.status, r.json_body().unwrap())
    }

    #[test]
    fn faults_lifecycle() {
        let sb = Sandbox::new(IspDb::default());
        let (status, created) = call(
            &sb,
            "POST",
            "/faults",
            json!({"host":"dns.google","status":503}),
        );
        assert_eq!(status, 200);
        let id = created["id"].as_u64().unwrap();
        assert_eq!(call(&sb, "GET", "/faults", Value::Null).1[0]["id"], id);
        assert_eq!(
            call(&sb, "DELETE", &format!("/faults/{id}"), Value::Null).0,
            200
        );
        assert_eq!(
            call(&sb, "DELETE", &format!("/faults/{id}"), Value::Null).0,
            404
        );
        assert_eq!(call(&sb, "POST", "/faults", json!({"host":"x"})).0, 400);
        assert_eq!(
            call(&sb, "POST", "/faults", json!({"hots":"x","reset":true})).0,
            400
        );
    }

    #[test]
    fn seed_state_and_reset() {
        let sb = Sandbox::new(IspDb::default());
        let (status, summary) = call(
            &sb,
            "POST",
            "/seed",
            json!({"accounts":[{"provider":"google","address":"a@b.com"}]}),
        );
        assert_eq!(status, 200);
        assert_eq!(summary["accounts"][0]["token"], "sandbox-token:a@b.com");
        assert_eq!(
            call(&sb, "GET", "/state", Value::Null).1["accounts"][0]["address"],
            "a@b.com"
        );
        assert_eq!(
            call(
                &sb,
                "POST",
                "/seed",
                json!({"accounts":[{"provider":"yahoo","address":"a@b.com"}]})
            )
            .0,
            400
        );
        assert_eq!(call(&sb, "POST", "/reset", Value::Null).0, 200);
        assert_eq!(
            call(&sb, "GET", "/state", Value::Null).1["accounts"],
            json!([])
        );
    }

    #[test]
    fn unknown_and_wrong_method() {
        let sb = Sandbox::new(IspDb::default());
        assert_eq!(call(&sb, "GET", "/nope", Value::Null).0, 404);
        assert_eq!(call(&sb, "PUT", "/seed", Value::Null).0, 405);
    }
}
