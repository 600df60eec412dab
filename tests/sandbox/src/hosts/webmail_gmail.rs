//! mail.google.com: Gmail's web client, as a static page whose DOM follows real Gmail's
//! structure (see the comment at the top of pages/gmail-inbox.html for what comes from
//! which capture). Content scripts of the extension are tested against it.

use crate::http::{Request, Response};
use crate::sandbox::Sandbox;
use crate::state::Provider;

use super::webmail;

const INBOX: &str = include_str!("../../pages/gmail-inbox.html");

/// Shown when no Google account was seeded, so the page still renders.
const PLACEHOLDER: (&str, &str) = ("sandbox.user@gmail.com", "Sandbox User");

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    if let Some(response) = webmail::common(req) {
        return response;
    }
    if req.method != "GET" && req.method != "HEAD" {
        return super::google_error::not_found_page(&req.path);
    }
    match req.path.as_str() {
        "/" | "/mail" | "/mail/" | "/mail/u/0" => {
            Response::redirect("https://mail.google.com/mail/u/0/")
        }
        path => match session_index(path) {
            // The thread view (`#inbox/<id>`) is a fragment: the page itself switches to it.
            Some(index) => {
                let state = sandbox.state();
                let (email, name) = state
                    .nth_account(Provider::Google, index)
                    .map_or(PLACEHOLDER, |a| {
                        (a.address.as_str(), a.display_name.as_str())
                    });
                let name = if name.is_empty() { email } else { name };
                webmail::page(
                    INBOX,
                    &[
                        ("EMAIL", email),
                        ("NAME", name),
                        ("SESSION", &index.to_string()),
                    ],
                )
            }
            None => super::google_error::not_found_page(path),
        },
    }
}

/// `/mail/u/<n>/` → `n`, the signed-in session index.
fn session_index(path: &str) -> Option<usize> {
    path.strip_prefix("/mail/u/")?
        .strip_suffix('/')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    #[test]
    fn redirects_to_the_first_session_and_shows_the_seeded_account() {
        let sb = Sandbox::new(IspDb::default());
        let seed = serde_json::json!({"accounts":[{"provider":"google","address":"ann@example.com","displayName":"Ann"}]});
        sb.state()
            .seed(serde_json::from_value(seed).unwrap())
            .unwrap();
        let root = handle(&Request::new("GET", "mail.google.com", "/"), &sb);
        assert_eq!(
            (root.status, root.header("location")),
            (302, Some("https://mail.google.com/mail/u/0/"))
        );
        let page = handle(&Request::new("GET", "mail.google.com", "/mail/u/0/"), &sb);
        assert_eq!(page.status, 200);
        let html = String::from_utf8(page.body).unwrap();
        assert!(html.contains("<title>Inbox - ann@example.com - Gmail</title>"));
        assert!(!html.contains("{{"), "every placeholder is filled");
        assert_eq!(
            handle(&Request::new("GET", "mail.google.com", "/mail/u/x/"), &sb).status,
            404
        );
        assert_eq!(
            handle(&Request::new("POST", "mail.google.com", "/cspreport"), &sb).status,
            204
        );
    }
}
