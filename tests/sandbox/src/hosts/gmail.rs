//! gmail.googleapis.com: the Gmail REST API (`gmail/v1`), per the discovery document in
//! shared/contracts/gmail. Routes are a table so the contract tests can check each one.
//!
//! `users.getProfile`, `users.settings.sendAs.list`, and messages (`gmail_messages.rs`):
//! `messages.send` (JSON and the media upload), `messages.list`, `messages.get`. Later
//! issues add threads and drafts on top of `state::Mailbox`; `users.history.list` for
//! the core's sync is in `gmail_sync.rs`.
//!
//! Tokens minted by the OAuth fakes must hold one of the scopes the discovery document
//! lists for the method (`Sandbox::gmail`), else 403 `insufficientPermissions`; test
//! tokens (`sandbox-token:<address>`) pass every scope check.

use std::collections::HashSet;

use serde_json::json;

use crate::http::{Request, Response};
use crate::route::{self, Lookup, Params, Route};
use crate::sandbox::Sandbox;
use crate::state::{Account, Provider};
use crate::tokens::{self, AuthError};

use super::{gmail_messages, gmail_sync, google_error};

/// A Gmail method: runs after the token and `userId` were checked.
pub type GmailHandler = fn(&Request, &Params, &mut Account) -> Response;

pub const ROUTES: &[Route<GmailHandler>] = &[
    Route {
        method: "GET",
        template: "/gmail/v1/users/{userId}/profile",
        handler: get_profile,
    },
    Route {
        method: "GET",
        template: "/gmail/v1/users/{userId}/settings/sendAs",
        handler: list_send_as,
    },
    Route {
        method: "POST",
        template: "/gmail/v1/users/{userId}/messages/send",
        handler: gmail_messages::send,
    },
    Route {
        method: "POST",
        template: "/upload/gmail/v1/users/{userId}/messages/send",
        handler: gmail_messages::send_upload,
    },
    Route {
        method: "GET",
        template: "/gmail/v1/users/{userId}/messages",
        handler: gmail_messages::list,
    },
    Route {
        method: "GET",
        template: "/gmail/v1/users/{userId}/messages/{id}",
        handler: gmail_messages::get,
    },
    Route {
        method: "GET",
        template: "/gmail/v1/users/{userId}/history",
        handler: gmail_sync::list,
    },
];

const METADATA_SCOPE: &str = "https://www.googleapis.com/auth/gmail.metadata";

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let (route, params) = match route::lookup(ROUTES, &req.method, &req.path) {
        Lookup::Found(route, params) => (route, params),
        Lookup::MethodNotAllowed | Lookup::NotFound => return google_error::not_found(),
    };
    let mut state = sandbox.state();
    let auth = match tokens::authorize(req, &mut state, Provider::Google) {
        Ok(auth) => auth,
        Err(e) => return google_error::unauthenticated(e == AuthError::Missing),
    };
    if auth.scopes.is_some() {
        // The discovery document decides; a route it does not describe admits no token.
        let method = sandbox.gmail.method(route.method, route.template);
        let accepted = method.map_or(&[][..], |m| m.scopes.as_slice());
        if !auth.has_any(accepted) {
            let id = method.map_or("(not in the discovery document)", |m| m.id.as_str());
            return google_error::insufficient_scopes("gmail.googleapis.com", id, accepted);
        }
    }
    // Google picks gmail.metadata when a token holds it, and it reads no search or body.
    if auth
        .scopes
        .as_ref()
        .is_some_and(|s| s.iter().any(|g| g == METADATA_SCOPE))
    {
        if route.template.ends_with("/messages") && req.query_param("q").is_some() {
            return google_error::permission_denied(
                "Metadata scope does not support 'q' parameter",
            );
        }
        let format = req.query_param("format");
        if route.template.ends_with("/messages/{id}")
            && matches!(format.as_deref(), None | Some("full" | "raw"))
        {
            return google_error::permission_denied(&format!(
                "Metadata scope doesn't allow format {}",
                format.as_deref().unwrap_or("full").to_ascii_uppercase()
            ));
        }
    }
    let account = auth.account;
    // `me` or the user's own address; anything else needs domain-wide delegation.
    let user_id = params.get("userId").unwrap_or("me");
    if user_id != "me" && !user_id.eq_ignore_ascii_case(&account.address) {
        return google_error::permission_denied(&format!(
            "Delegation denied for {}",
            account.address
        ));
    }
    // Every history id handed out (profile, messages, history) counts what
    // changed since the last call (`sync_log.rs`).
    crate::sync_log::catch_up(&mut account.mailbox);
    (route.handler)(req, &params, account)
}

/// `users.getProfile` → `Profile`. `historyId` is a uint64 and so travels as a string.
fn get_profile(_req: &Request, _params: &Params, account: &mut Account) -> Response {
    let mailbox = &account.mailbox;
    let threads: HashSet<&str> = mailbox
        .messages
        .iter()
        .map(|m| m.thread_id.as_str())
        .collect();
    Response::json(
        200,
        &json!({
            "emailAddress": account.address,
            "messagesTotal": mailbox.messages.len(),
            "threadsTotal": threads.len(),
            "historyId": mailbox.history_id.to_string(),
        }),
    )
}

/// `users.settings.sendAs.list` → `ListSendAsResponse`: the primary address first, then
/// every seeded alias as a verified "treat as alias" address.
fn list_send_as(_req: &Request, _params: &Params, account: &mut Account) -> Response {
    let primary = json!({
        "sendAsEmail": account.address,
        "displayName": account.display_name,
        "replyToAddress": "",
        "signature": "",
        "isPrimary": true,
        "isDefault": true,
    });
    let aliases = account.aliases.iter().map(|alias| {
        json!({
            "sendAsEmail": alias,
            "displayName": account.display_name,
            "replyToAddress": "",
            "signature": "",
            "isDefault": false,
            "treatAsAlias": true,
            "verificationStatus": "accepted",
        })
    });
    Response::json(
        200,
        &json!({ "sendAs": std::iter::once(primary).chain(aliases).collect::<Vec<_>>() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    fn sandbox() -> Sandbox {
        let sb = Sandbox::new(IspDb::default());
        let seed = json!({"accounts":[{"provider":"google","address":"ann@example.com","displayName":"Ann",
            "aliases":["sales@example.com"],"messages":["Subject: hi\r\n\r\nbody"]}]});
        sb.state()
            .seed(serde_json::from_value(seed).unwrap())
            .unwrap();
        sb
    }

    fn get(sb: &Sandbox, path: &str, token: Option<&str>) -> Response {
        let mut req = Request::new("GET", "gmail.googleapis.com", path);
        if let Some(t) = token {
            req = req.with_header("authorization", &format!("Bearer {t}"));
        }
        handle(&req, sb)
    }

    #[test]
    fn profile_needs_a_token_of_a_google_account() {
        let sb = sandbox();
        let ok = get(
            &sb,
            "/gmail/v1/users/me/profile",
            Some("sandbox-token:ann@example.com"),
        );
        assert_eq!(ok.status, 200);
        let body = ok.json_body().unwrap();
        assert_eq!(body["emailAddress"], "ann@example.com");
        assert_eq!(body["messagesTotal"], 1);
        assert_eq!(body["historyId"], "1001");

        let missing = get(&sb, "/gmail/v1/users/me/profile", None);
        assert_eq!(missing.status, 401);
        assert_eq!(
            missing.json_body().unwrap()["error"]["status"],
            "UNAUTHENTICATED"
        );
        let bad = get(
            &sb,
            "/gmail/v1/users/me/profile",
            Some("sandbox-token:bob@example.com"),
        );
        assert_eq!(
            bad.json_body().unwrap()["error"]["errors"][0]["reason"],
            "authError"
        );
    }

    #[test]
    fn user_id_may_be_the_own_address_only() {
        let sb = sandbox();
        let t = Some("sandbox-token:ann@example.com");
        assert_eq!(
            get(&sb, "/gmail/v1/users/ann%40example.com/profile", t).status,
            200
        );
        assert_eq!(
            get(&sb, "/gmail/v1/users/bob@example.com/profile", t).status,
            403
        );
    }

    #[test]
    fn send_as_lists_primary_then_aliases() {
        let sb = sandbox();
        let body = get(
            &sb,
            "/gmail/v1/users/me/settings/sendAs",
            Some("sandbox-token:ann@example.com"),
        )
        .json_body()
        .unwrap();
        let list = body["sendAs"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["isPrimary"], true);
        assert_eq!(list[1]["sendAsEmail"], "sales@example.com");
    }

    #[test]
    fn unknown_paths_get_googles_404_json() {
        let sb = sandbox();
        let r = get(
            &sb,
            "/gmail/v1/users/me/nope",
            Some("sandbox-token:ann@example.com"),
        );
        assert_eq!(r.status, 404);
        assert_eq!(r.json_body().unwrap()["error"]["status"], "NOT_FOUND");
    }
}
