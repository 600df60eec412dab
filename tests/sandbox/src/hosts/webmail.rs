//! What the fake webmail pages share: template filling and a strict, nonce-based CSP.
//!
//! The CSP is as strict as the real Gmail's in what matters to us: only scripts carrying
//! the per-response nonce run, there is no `'unsafe-eval'` / `'wasm-unsafe-eval'` (so no
//! WebAssembly can be compiled in the page), and Trusted Types are required. Content
//! scripts are exempt from the page's CSP, so the extension must work regardless; every
//! violation is reported to `POST /cspreport`, which is recorded like any request, so a
//! test can assert that the extension never tripped the page's CSP.

use crate::http::{Request, Response, html_escape};
use crate::ids;

pub const CSP_REPORT_PATH: &str = "/cspreport";

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "script-src 'self' 'nonce-{nonce}' 'report-sample'; object-src 'none'; base-uri 'self'; \
         require-trusted-types-for 'script'; report-uri {CSP_REPORT_PATH}"
    )
}

/// Fills `{{NONCE}}` and each `{{KEY}}` of `vars` (HTML-escaped) and attaches the CSP.
pub fn page(template: &str, vars: &[(&str, &str)]) -> Response {
    let nonce = ids::nonce();
    let mut html = template.replace("{{NONCE}}", &nonce);
    for (key, value) in vars {
        html = html.replace(&format!("{{{{{key}}}}}"), &html_escape(value));
    }
    Response::html(200, html)
        .with_header("content-security-policy", &content_security_policy(&nonce))
        .with_header(
            "cache-control",
            "no-cache, no-store, max-age=0, must-revalidate",
        )
        .with_header("x-content-type-options", "nosniff")
        .with_header("x-frame-options", "SAMEORIGIN")
}

/// The requests every webmail host answers the same way, if `req` is one of them:
/// `POST /cspreport` (accepted and dropped; the request recording keeps the report) and
/// `GET /favicon.ico` (empty, so the browser logs no 404 that tests would trip over).
pub fn common(req: &Request) -> Option<Response> {
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", CSP_REPORT_PATH) | ("GET", "/favicon.ico") => Some(Response::empty(204)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_template_and_nonce_matches_csp() {
        let r = page(
            "<script nonce=\"{{NONCE}}\"></script><p>{{EMAIL}}</p>",
            &[("EMAIL", "a<b@x.com")],
        );
        let html = String::from_utf8(r.body.clone()).unwrap();
        let nonce = html.split('"').nth(1).unwrap();
        assert!(
            r.header("content-security-policy")
                .unwrap()
                .contains(&format!("'nonce-{nonce}'"))
        );
        assert!(html.contains("a&lt;b@x.com"));
        assert!(
            !r.header("content-security-policy")
                .unwrap()
                .contains("eval")
        );
    }
}
