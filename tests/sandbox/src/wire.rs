//! Between hyper and the fakes' plain `Request`/`Response` types.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use crate::http::{Request, Response};

pub type Body = Full<Bytes>;

/// Largest request body accepted (Gmail allows 35 MiB uploads; base64 makes them bigger).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Reads the whole request. `host` is decided by the caller (Host header, SNI …).
pub async fn read_request(
    req: hyper::Request<Incoming>,
    host: String,
) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Err(Response::text(413, "request body too large\n"));
        }
        Err(e) => {
            return Err(Response::text(
                400,
                format!("could not read the request body: {e}\n"),
            ));
        }
    };
    Ok(Request {
        method: parts.method.as_str().to_owned(),
        host,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    })
}

/// The Host header without its port, lower-cased; for absolute-form requests, the URI's host.
pub fn host_of<B>(req: &hyper::Request<B>) -> Option<String> {
    let raw = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())?;
    let host = match raw.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => raw.split(':').next().unwrap_or_default(),
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase()).filter(|h| !h.is_empty())
}

pub fn to_hyper(resp: Response) -> hyper::Response<Body> {
    let mut out = hyper::Response::new(Full::new(Bytes::from(resp.body)));
    *out.status_mut() = hyper::StatusCode::from_u16(resp.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in resp.headers {
        match (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            (Ok(name), Ok(value)) => {
                out.headers_mut().append(name, value);
            }
            _ => eprintln!("inlay-sandbox: dropped invalid response header {name:?}"),
        }
    }
    out
}
