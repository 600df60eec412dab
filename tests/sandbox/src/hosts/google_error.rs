//! Google's error responses: the JSON envelope its APIs share (`{"error":{code, message,
//! errors[], status}}`) and the HTML page its front end serves for unknown URLs.

use serde_json::json;

use crate::http::{Response, html_escape};

/// A Google API JSON error. `status` is the canonical gRPC name (`NOT_FOUND` …).
pub fn api_error(code: u16, status: &str, reason: &str, message: &str) -> Response {
    Response::json(
        code,
        &json!({
            "error": {
                "code": code,
                "message": message,
                "errors": [{ "message": message, "domain": "global", "reason": reason }],
                "status": status,
            }
        }),
    )
}

/// 401 for a request without a usable token. Google tells a missing credential
/// (`reason: required`) from a bad one (`reason: authError`); clients should key on the
/// 401 / `UNAUTHENTICATED`, not on the reason.
pub fn unauthenticated(missing: bool) -> Response {
    let (reason, short, message) = if missing {
        (
            "required",
            "Login Required.",
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        )
    } else {
        (
            "authError",
            "Invalid Credentials",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        )
    };
    Response::json(
        401,
        &json!({
            "error": {
                "code": 401,
                "message": message,
                "errors": [{
                    "message": short,
                    "domain": "global",
                    "reason": reason,
                    "location": "Authorization",
                    "locationType": "header",
                }],
                "status": "UNAUTHENTICATED",
            }
        }),
    )
    .with_header(
        "www-authenticate",
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
    )
}

/// 403 for a token without any scope the method accepts: Google's
/// `insufficientPermissions` body with its `ErrorInfo` detail, and a `WWW-Authenticate`
/// listing the scopes that would do.
pub fn insufficient_scopes(service: &str, method: &str, accepted: &[impl AsRef<str>]) -> Response {
    let scope = accepted
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(" ");
    Response::json(
        403,
        &json!({
            "error": {
                "code": 403,
                "message": "Request had insufficient authentication scopes.",
                "errors": [{
                    "message": "Insufficient Permission",
                    "domain": "global",
                    "reason": "insufficientPermissions",
                }],
                "status": "PERMISSION_DENIED",
                "details": [{
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": { "service": service, "method": method },
                }],
            }
        }),
    )
    .with_header(
        "www-authenticate",
        &format!(
            "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"{scope}\""
        ),
    )
}

pub fn not_found() -> Response {
    api_error(
        404,
        "NOT_FOUND",
        "notFound",
        "Requested entity was not found.",
    )
}

pub fn permission_denied(message: &str) -> Response {
    api_error(403, "PERMISSION_DENIED", "forbidden", message)
}

/// The plain HTML 404 Google's front end gives for a URL no service handles.
pub fn not_found_page(path: &str) -> Response {
    Response::html(
        404,
        format!(
            "<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1</title>\
             <p><b>404.</b> <ins>That\u{2019}s an error.</ins><p>The requested URL <code>{}</code> was not found on this server. \
             <ins>That\u{2019}s all we know.</ins>\n",
            html_escape(path)
        ),
    )
}
