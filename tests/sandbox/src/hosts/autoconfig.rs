//! A mail domain's own autoconfig (Thunderbird's clientConfig format), for
//! IMAP/SMTP settings discovery: `https://autoconfig.<domain>/mail/config-v1.1.xml`
//! and `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
//!
//! The document is whatever a test seeds (`POST /seed` with
//! `"autoconfig": [{"domain", "xml"}]`), served as `text/xml` on both paths;
//! an unseeded domain answers 404, as a domain without autoconfig does. The
//! domains are data (`DOMAINS`): each adds two names to the certificate, the
//! ready line and routing.

use std::sync::OnceLock;

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;

/// Mail domains whose autoconfig hosts the sandbox plays.
pub const DOMAINS: &[&str] = &["imap-test.example"];

pub const AUTOCONFIG_PATH: &str = "/mail/config-v1.1.xml";
pub const WELL_KNOWN_PATH: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";

/// `autoconfig.<domain>` and `<domain>` for every domain.
pub fn host_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        DOMAINS
            .iter()
            .flat_map(|d| [format!("autoconfig.{d}"), d.to_string()])
            .collect()
    })
}

/// The mail domain a host name serves, and whether it is the `autoconfig.` host.
pub fn domain_of(host: &str) -> Option<(&'static str, bool)> {
    DOMAINS.iter().find_map(|&d| {
        if host == d {
            Some((d, false))
        } else if host.strip_prefix("autoconfig.") == Some(d) {
            Some((d, true))
        } else {
            None
        }
    })
}

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let Some((domain, autoconfig_host)) = domain_of(&req.host) else {
        return super::misdirected(&req.host);
    };
    let path_ok = if autoconfig_host {
        req.path == AUTOCONFIG_PATH
    } else {
        req.path == WELL_KNOWN_PATH
    };
    if !path_ok {
        return not_found();
    }
    if req.method != "GET" {
        return Response::text(405, "405 Method Not Allowed\n").with_header("allow", "GET");
    }
    match sandbox.state().autoconfig.get(domain) {
        Some(xml) => Response::new(200, "text/xml; charset=utf-8", xml.clone()),
        None => not_found(),
    }
}

fn not_found() -> Response {
    Response::new(
        404,
        "text/html; charset=utf-8",
        "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;
    use serde_json::json;

    #[test]
    fn serves_the_seeded_document_on_both_paths_and_404_otherwise() {
        let sb = Sandbox::new(IspDb::default());
        let get = |host: &str, path: &str| handle(&Request::new("GET", host, path), &sb);
        assert_eq!(
            get("autoconfig.imap-test.example", AUTOCONFIG_PATH).status,
            404
        );
        let seed = serde_json::from_value(json!({
            "autoconfig": [{"domain": "IMAP-test.example", "xml": "<clientConfig version=\"1.1\"/>"}]
        }))
        .unwrap();
        sb.state().seed(seed).unwrap();
        let query = format!("{AUTOCONFIG_PATH}?emailaddress=alice%40imap-test.example");
        let found = get("autoconfig.imap-test.example", &query);
        assert_eq!(found.status, 200);
        assert_eq!(found.body, b"<clientConfig version=\"1.1\"/>");
        assert_eq!(get("imap-test.example", WELL_KNOWN_PATH).status, 200);
        assert_eq!(get("imap-test.example", AUTOCONFIG_PATH).status, 404);
        assert_eq!(get("autoconfig.imap-test.example", "/").status, 404);
        assert_eq!(
            handle(
                &Request::new("POST", "autoconfig.imap-test.example", AUTOCONFIG_PATH),
                &sb
            )
            .status,
            405
        );
        sb.reset();
        assert_eq!(
            get("autoconfig.imap-test.example", AUTOCONFIG_PATH).status,
            404
        );
    }

    #[test]
    fn seeding_refuses_a_domain_the_sandbox_does_not_serve() {
        let sb = Sandbox::new(IspDb::default());
        let seed = serde_json::from_value(json!({
            "autoconfig": [{"domain": "elsewhere.example", "xml": "<clientConfig/>"}]
        }))
        .unwrap();
        assert!(
            sb.state()
                .seed(seed)
                .unwrap_err()
                .contains("imap-test.example")
        );
    }
}
