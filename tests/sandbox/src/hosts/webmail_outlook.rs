//! outlook.office.com / outlook.live.com (Outlook on the web) and outlook.office365.com.
//!
//! There is no public capture of OWA's DOM, so pages/outlook-mail.html is hand-written from
//! well-known OWA attributes; see the comment at its top. OWA is a single-page app: every
//! path under `/mail` serves the same page. outlook.office365.com redirects its webmail
//! paths to outlook.office.com like the real one; later issues add EWS/Autodiscover there.

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::Provider;

use super::webmail;

const MAIL: &str = include_str!("../../pages/outlook-mail.html");

const PLACEHOLDER: (&str, &str) = ("sandbox.user@outlook.com", "Sandbox User");

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    // Graph's upload sessions take their PUTs on this host.
    if super::graph_upload::is_upload(req) {
        return super::graph_upload::put(req, sandbox);
    }
    if let Some(response) = webmail::common(req) {
        return response;
    }
    let is_webmail_path = req.path == "/mail"
        || req.path.starts_with("/mail/")
        || req.path == "/owa"
        || req.path.starts_with("/owa/");
    if req.method != "GET" && req.method != "HEAD" || !(is_webmail_path || req.path == "/") {
        return not_found();
    }
    if req.host == "outlook.office365.com" {
        return Response::redirect(&format!(
            "https://outlook.office.com{}",
            if req.path == "/" { "/mail/" } else { &req.path }
        ));
    }
    if req.path == "/" || req.path == "/mail" || req.path.starts_with("/owa") {
        return Response::redirect(&format!("https://{}/mail/", req.host));
    }
    let state = sandbox.state();
    let (email, name) = state
        .nth_account(Provider::Microsoft, 0)
        .map_or(PLACEHOLDER, |a| {
            (a.address.as_str(), a.display_name.as_str())
        });
    let name = if name.is_empty() { email } else { name };
    webmail::page(MAIL, &[("EMAIL", email), ("NAME", name)])
}

fn not_found() -> Response {
    Response::html(
        404,
        "<!DOCTYPE html><html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    #[test]
    fn serves_the_spa_under_mail() {
        let sb = Sandbox::new(IspDb::default());
        for path in ["/mail/", "/mail/inbox", "/mail/inbox/id/AAQkADAw"] {
            let r = handle(&Request::new("GET", "outlook.office.com", path), &sb);
            assert_eq!(r.status, 200, "{path}");
            assert!(r.header("content-security-policy").is_some());
        }
        let live = handle(&Request::new("GET", "outlook.live.com", "/"), &sb);
        assert_eq!(
            live.header("location"),
            Some("https://outlook.live.com/mail/")
        );
        let o365 = handle(
            &Request::new("GET", "outlook.office365.com", "/mail/inbox"),
            &sb,
        );
        assert_eq!(
            o365.header("location"),
            Some("https://outlook.office.com/mail/inbox")
        );
        assert_eq!(
            handle(
                &Request::new("GET", "outlook.office.com", "/EWS/Exchange.asmx"),
                &sb
            )
            .status,
            404
        );
    }
}
