//! The HTML the sign-in hosts show a person: the providers' error pages (no redirect: the
//! window stays until the user closes it), the consent page a test clicks through, and
//! Microsoft's signed-out page. No scripts; buttons are real `<button>`s in a form.
//! Also the consent page's round trip both sign-in hosts share: holding the request while
//! the page shows (`ask_consent`) and taking the form's answer (`answer_consent`).

use crate::http::{Request, Response, html_escape};
use crate::oauth::authz::param;
use crate::oauth::log::Entry;
use crate::oauth::pending::{Pending, PendingAuthz};
use crate::sandbox::Sandbox;
use crate::state::{Provider, State};

const STYLE: &str = "body{font-family:sans-serif;max-width:34em;margin:3em auto;padding:0 1em}\
    button{font-size:1em;padding:.5em 1.5em;margin-right:1em}code{word-break:break-all}";

fn page(status: u16, title: &str, body: &str) -> Response {
    Response::html(
        status,
        format!(
            "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>{}</title>\
             <style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
            html_escape(title)
        ),
    )
    .with_header(
        "cache-control",
        "no-cache, no-store, max-age=0, must-revalidate",
    )
}

/// Google's "Access blocked" page: `Error <status>: <code>` plus the request details.
pub fn google_error(
    status: u16,
    code: &str,
    message: &str,
    details: &[(String, String)],
) -> Response {
    let rows: String = details
        .iter()
        .map(|(k, v)| {
            format!(
                "<li><code>{}={}</code></li>",
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();
    page(
        status,
        "Sign in - Google Accounts",
        &format!(
            "<h1>Access blocked: Authorization Error</h1>\n<p id=message>{}</p>\n\
             <p id=error-code><b>Error {status}: {}</b></p>\n<details><summary>Request details</summary><ul>{rows}</ul></details>",
            html_escape(message),
            html_escape(code)
        ),
    )
}

/// Google's sign-in page for a `login_hint` that names no account.
pub fn google_no_account(hint: Option<&str>) -> Response {
    page(
        200,
        "Sign in - Google Accounts",
        &format!(
            "<h1>Sign in</h1>\n<p id=error-code>Couldn\u{2019}t find your Google Account</p>\n<p>{}</p>",
            html_escape(hint.unwrap_or("(no account is seeded in the sandbox)"))
        ),
    )
}

/// Microsoft's sign-in error page: `AADSTSnnnn: message` with trace and correlation ids.
pub fn microsoft_error(status: u16, description: &str) -> Response {
    let (code, _) = description.split_once(':').unwrap_or((description, ""));
    page(
        status,
        "Sign in to your account",
        &format!(
            "<h1>Sign in</h1>\n<p>Sorry, but we\u{2019}re having trouble signing you in.</p>\n\
             <p id=error-code>{}</p>\n<pre id=error-description>{}</pre>",
            html_escape(code),
            html_escape(description)
        ),
    )
}

/// Microsoft's page after logout when there is nowhere registered to send the user.
pub fn microsoft_signed_out() -> Response {
    page(
        200,
        "Sign out",
        "<h1>You signed out of your account</h1>\n<p>It\u{2019}s a good idea to close all browser windows.</p>",
    )
}

pub struct ConsentPage<'a> {
    /// "Google" or "Microsoft".
    pub provider: &'a str,
    pub app: &'a str,
    pub account: &'a str,
    /// (scope, description).
    pub scopes: Vec<(String, String)>,
    /// Where the form posts: same host.
    pub action: &'a str,
    pub transaction: &'a str,
}

/// A consent page with the requested scopes and two real buttons. The form posts
/// `transaction` and `action=allow|cancel`; the answer is the redirect to the client.
pub fn consent(c: &ConsentPage<'_>) -> Response {
    let items: String = c
        .scopes
        .iter()
        .map(|(scope, text)| {
            format!(
                "<li data-scope=\"{}\">{}<br><code>{}</code></li>",
                html_escape(scope),
                html_escape(if text.is_empty() { scope } else { text }),
                html_escape(scope)
            )
        })
        .collect();
    page(
        200,
        &format!("Sign in - {}", c.provider),
        &format!(
            "<h1>{app} wants access to your {provider} Account</h1>\n<p id=account>{account}</p>\n\
             <p>This will allow {app} to:</p>\n<ul id=scopes>{items}</ul>\n\
             <form method=post action=\"{action}\">\n<input type=hidden name=transaction value=\"{txn}\">\n\
             <button type=submit name=action value=cancel id=cancel>Cancel</button>\n\
             <button type=submit name=action value=allow id=allow autofocus>Allow</button>\n</form>",
            app = html_escape(c.app),
            provider = html_escape(c.provider),
            account = html_escape(c.account),
            action = html_escape(c.action),
            txn = html_escape(c.transaction),
        ),
    )
}

/// Scenario `requireClick`: keeps `held` waiting for the consent page's form and shows
/// that page (`provider`'s name, the app, the scopes with their descriptions, the form's
/// `action` path on the same host).
pub fn ask_consent(
    pending: &mut Pending,
    entry: &mut Entry,
    held: PendingAuthz,
    provider: &str,
    app: &str,
    scopes: Vec<(String, String)>,
    action: &str,
) -> Response {
    entry.set("outcome", "page:consent");
    let page = consent(&ConsentPage {
        provider,
        app,
        account: held.shown_account(),
        scopes,
        action,
        transaction: &held.id,
    });
    pending.add(held);
    page
}

/// What a sign-in host does with a held request once the form answers: `decide(state,
/// held, allowed, entry)`.
pub type Decide = fn(&mut State, &PendingAuthz, bool, &mut Entry) -> Response;
/// The page for an unknown, answered or expired transaction: `expired(entry, form, now)`.
pub type Expired = fn(&mut Entry, &[(String, String)], u64) -> Response;

/// The consent page's form (`transaction`, `action=allow|cancel`) posted to `provider`'s
/// sign-in host, logged as its `consent` endpoint.
pub fn answer_consent(
    req: &Request,
    sandbox: &Sandbox,
    provider: Provider,
    decide: Decide,
    expired: Expired,
) -> Response {
    let form = req.form_pairs();
    let mut entry = Entry::new(req, provider.as_str(), "consent", &form);
    let mut state = sandbox.state();
    let now = state.oauth.now();
    let action = param(&form, "action");
    let pending = match (param(&form, "transaction"), action) {
        (Some(id), Some("allow" | "cancel")) => state.oauth.pending.take(id, now),
        _ => None,
    };
    let response = match pending {
        Some(p) if p.request.provider == provider => {
            entry.set("account", p.account.as_str());
            decide(&mut state, &p, action == Some("allow"), &mut entry)
        }
        _ => expired(&mut entry, &form, now),
    };
    state.oauth.log.push_response(entry, &response, now);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_page_has_real_buttons_and_escapes() {
        let r = consent(&ConsentPage {
            provider: "Google",
            app: "In<lay>",
            account: "ann@example.com",
            scopes: vec![("openid".into(), String::new())],
            action: "/signin/oauth/consent",
            transaction: "t\"1",
        });
        let html = String::from_utf8(r.body).unwrap();
        assert!(html.contains("<button type=submit name=action value=allow id=allow"));
        assert!(html.contains("<button type=submit name=action value=cancel id=cancel"));
        assert!(html.contains("In&lt;lay&gt;"));
        assert!(html.contains("value=\"t&quot;1\""));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn error_pages() {
        let g = google_error(
            400,
            "redirect_uri_mismatch",
            "m",
            &[("redirect_uri".into(), "x".into())],
        );
        assert_eq!(g.status, 400);
        assert!(
            String::from_utf8(g.body)
                .unwrap()
                .contains("Error 400: redirect_uri_mismatch")
        );
        let m = microsoft_error(400, "AADSTS50011: The redirect URI");
        assert!(
            String::from_utf8(m.body)
                .unwrap()
                .contains("<p id=error-code>AADSTS50011</p>")
        );
    }
}
