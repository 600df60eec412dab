//! graph.microsoft.com: Microsoft Graph v1.0, per shared/contracts/graph.
//!
//! Graph serves `/me/...` as an alias of `/users/{user-id}/...` for the signed-in user; the
//! table lists both spellings so either works, and the contract tests check the `/me` rows
//! against the `/users/{user-id}` paths of the OpenAPI description.
//!
//! The user profile, mailbox settings, and mail (`graph_mail.rs`): sendMail, drafts with
//! deferred delivery and their send, messages by `internetMessageId`; attachments added to a
//! draft, also through an upload session (`graph_upload.rs`). Later issues add
//! reply on top of `state::Mailbox`. The delta query on a mail folder and a message's
//! `$value` (the core's sync) are in `graph_delta.rs`.
//!
//! Tokens minted by login.microsoftonline.com must hold one of the route's delegated
//! permissions (Microsoft Graph permissions reference; the OpenAPI description carries
//! none), else 403 with the error the backing service gives: `Authorization_RequestDenied`
//! from the directory (`/me`), `ErrorAccessDenied` from Exchange (`mailboxSettings`).
//! Personal accounts have a 16-hex-digit id and may have `mail: null`; a shared mailbox's
//! `userPurpose` is `shared`.

use serde_json::{Map, Value, json};

use crate::http::{Request, Response};
use crate::ids;
use crate::oauth::identity::graph_id;
use crate::route::{self, Lookup, Route};
use crate::sandbox::Sandbox;
use crate::state::{Account, Provider};
use crate::tokens::{self, AuthError};

use super::{graph_delta, graph_mail, graph_upload};

pub const BASE: &str = "https://graph.microsoft.com/v1.0";

/// A Graph request handler: runs after the token and any `{user-id}` were checked.
pub type GraphHandler = fn(&Request, &mut Account) -> Response;

/// A route's handler and the delegated permissions that open it.
pub struct GraphOp {
    pub handler: GraphHandler,
    /// Any one of these will do.
    pub scopes: &'static [&'static str],
    /// Which service refuses a token without them (they word it differently).
    pub refused_by: Service,
}

#[derive(Clone, Copy)]
pub enum Service {
    Directory,
    Exchange,
}

/// `GET /users/{id}`, delegated: least privileged first.
const USER_READ: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const MAILBOX_SETTINGS_READ: &[&str] = &["MailboxSettings.Read", "MailboxSettings.ReadWrite"];

const USER: GraphOp = GraphOp {
    handler: get_user,
    scopes: USER_READ,
    refused_by: Service::Directory,
};
const MAILBOX_SETTINGS: GraphOp = GraphOp {
    handler: get_mailbox_settings,
    scopes: MAILBOX_SETTINGS_READ,
    refused_by: Service::Exchange,
};

const MAIL_SEND: &[&str] = &["Mail.Send"];
const MAIL_READ: &[&str] = &["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];
const MAIL_WRITE: &[&str] = &["Mail.ReadWrite"];

const SEND_MAIL: GraphOp = GraphOp {
    handler: graph_mail::send_mail,
    scopes: MAIL_SEND,
    refused_by: Service::Exchange,
};
const CREATE_DRAFT: GraphOp = GraphOp {
    handler: graph_mail::create_draft,
    scopes: MAIL_WRITE,
    refused_by: Service::Exchange,
};
const UPDATE_MESSAGE: GraphOp = GraphOp {
    handler: graph_mail::update,
    scopes: MAIL_WRITE,
    refused_by: Service::Exchange,
};
const SEND_DRAFT: GraphOp = GraphOp {
    handler: graph_mail::send_draft,
    scopes: MAIL_SEND,
    refused_by: Service::Exchange,
};
const DELETE_MESSAGE: GraphOp = GraphOp {
    handler: graph_upload::delete,
    scopes: MAIL_WRITE,
    refused_by: Service::Exchange,
};
const ADD_ATTACHMENT: GraphOp = GraphOp {
    handler: graph_upload::add,
    scopes: MAIL_WRITE,
    refused_by: Service::Exchange,
};
const CREATE_UPLOAD_SESSION: GraphOp = GraphOp {
    handler: graph_upload::create_session,
    scopes: MAIL_WRITE,
    refused_by: Service::Exchange,
};
const MESSAGES_DELTA: GraphOp = GraphOp {
    handler: graph_delta::delta,
    scopes: MAIL_READ,
    refused_by: Service::Exchange,
};
const MESSAGE_VALUE: GraphOp = GraphOp {
    handler: graph_delta::value,
    scopes: MAIL_READ,
    refused_by: Service::Exchange,
};
const LIST_MESSAGES: GraphOp = GraphOp {
    handler: graph_mail::list,
    scopes: MAIL_READ,
    refused_by: Service::Exchange,
};

/// Every route; `/me` is the signed-in user (sendMail also under `/users/{user-id}`).
pub const ROUTES: &[Route<GraphOp>] = &[
    Route {
        method: "POST",
        template: "/v1.0/me/sendMail",
        handler: SEND_MAIL,
    },
    Route {
        method: "POST",
        template: "/v1.0/users/{user-id}/sendMail",
        handler: SEND_MAIL,
    },
    Route {
        method: "POST",
        template: "/v1.0/me/messages",
        handler: CREATE_DRAFT,
    },
    Route {
        method: "GET",
        template: "/v1.0/me/messages",
        handler: LIST_MESSAGES,
    },
    Route {
        method: "PATCH",
        template: "/v1.0/me/messages/{message-id}",
        handler: UPDATE_MESSAGE,
    },
    Route {
        method: "POST",
        template: "/v1.0/me/messages/{message-id}/send",
        handler: SEND_DRAFT,
    },
    Route {
        method: "DELETE",
        template: "/v1.0/me/messages/{message-id}",
        handler: DELETE_MESSAGE,
    },
    Route {
        method: "POST",
        template: "/v1.0/me/messages/{message-id}/attachments",
        handler: ADD_ATTACHMENT,
    },
    Route {
        method: "POST",
        template: "/v1.0/me/messages/{message-id}/attachments/createUploadSession",
        handler: CREATE_UPLOAD_SESSION,
    },
    Route {
        method: "GET",
        template: "/v1.0/me/mailFolders/{mailFolder-id}/messages",
        handler: LIST_MESSAGES,
    },
    Route {
        method: "GET",
        template: "/v1.0/me/mailFolders/{mailFolder-id}/messages/delta",
        handler: MESSAGES_DELTA,
    },
    Route {
        method: "GET",
        template: "/v1.0/me/messages/{message-id}/$value",
        handler: MESSAGE_VALUE,
    },
    Route {
        method: "GET",
        template: "/v1.0/me",
        handler: USER,
    },
    Route {
        method: "GET",
        template: "/v1.0/me/mailboxSettings",
        handler: MAILBOX_SETTINGS,
    },
    Route {
        method: "GET",
        template: "/v1.0/users/{user-id}",
        handler: USER,
    },
    Route {
        method: "GET",
        template: "/v1.0/users/{user-id}/mailboxSettings",
        handler: MAILBOX_SETTINGS,
    },
];

pub fn handle(req: &Request, sandbox: &Sandbox) -> Response {
    let response = route_request(req, sandbox);
    // Graph stamps every answer with ids that support tickets quote; echo the client's own.
    let request_id = ids::guid();
    let client_request_id = req
        .header("client-request-id")
        .map_or_else(|| request_id.clone(), str::to_owned);
    response
        .with_header("request-id", &request_id)
        .with_header("client-request-id", &client_request_id)
}

fn route_request(req: &Request, sandbox: &Sandbox) -> Response {
    let (route, params) = match route::lookup(ROUTES, &req.method, &req.path) {
        Lookup::Found(route, params) => (route, params),
        Lookup::MethodNotAllowed => {
            return error(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            );
        }
        Lookup::NotFound => {
            let segment = req.path.rsplit('/').next().unwrap_or_default();
            return error(
                400,
                "BadRequest",
                &format!("Resource not found for the segment '{segment}'."),
            );
        }
    };
    let mut state = sandbox.state();
    crate::delivery::deliver_due(&mut state);
    let auth = match tokens::authorize(req, &mut state, Provider::Microsoft) {
        Ok(auth) => auth,
        Err(AuthError::Missing) => return unauthenticated("Access token is empty."),
        Err(AuthError::Expired) => {
            return unauthenticated("Lifetime validation failed, the token is expired.");
        }
        Err(AuthError::Invalid) => {
            return unauthenticated(
                "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
            );
        }
    };
    let op = &route.handler;
    if !auth.has_any(op.scopes) {
        return match op.refused_by {
            Service::Directory => error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Service::Exchange => error(
                403,
                "ErrorAccessDenied",
                "Access is denied. Check credentials and try again.",
            ),
        };
    }
    let account = auth.account;
    if let Some(user) = params.get("user-id")
        && !user.eq_ignore_ascii_case(&graph_id(account))
        && !user.eq_ignore_ascii_case(&account.address)
    {
        return error(
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{user}' does not exist or one of its queried reference-property objects are not present."
            ),
        );
    }
    (op.handler)(req, account)
}

/// Graph's OData JSON content type.
fn odata(status: u16, value: &Value) -> Response {
    Response::json(status, value)
        .with_header("content-type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
}

/// Graph's error envelope (`ODataError`): `{"error":{code, message, innerError}}`.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    let now = time::OffsetDateTime::now_utc();
    let date = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let id = ids::guid();
    odata(
        status,
        &json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": { "date": date, "request-id": id, "client-request-id": id },
            }
        }),
    )
}

fn unauthenticated(message: &str) -> Response {
    error(401, "InvalidAuthenticationToken", message).with_header(
        "www-authenticate",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
    )
}

/// `GET /me` → `microsoft.graph.user` with Graph's default property set; `$select` narrows it.
fn get_user(req: &Request, account: &mut Account) -> Response {
    let mut names = account.display_name.splitn(2, ' ');
    let given = names.next().filter(|s| !s.is_empty());
    let surname = names.next();
    let user = json!({
        "businessPhones": [],
        "displayName": account.display_name,
        "givenName": given,
        "jobTitle": null,
        // Personal accounts may have no Exchange address: `mail` is null, the UPN is it.
        "mail": if account.personal { Value::Null } else { json!(account.address) },
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
        "surname": surname,
        "userPrincipalName": account.address,
        "id": graph_id(account),
    });
    let Value::Object(mut user) = user else {
        unreachable!()
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{BASE}/$metadata#users/$entity")),
    );
    match req.query_param("$select") {
        Some(select) => {
            let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
            // "Returned only on $select" (Users.yml): not in the default set.
            user.insert("proxyAddresses".into(), proxy_addresses(account));
            body.extend(
                user.into_iter()
                    .filter(|(k, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(k))),
            );
        }
        None => body.extend(user),
    }
    odata(200, &Value::Object(body))
}

/// The mailbox's addresses as Exchange lists them: `SMTP:` the primary, `smtp:` each seeded
/// alias (Users.yml's example). A personal account has no Exchange proxies: empty.
fn proxy_addresses(account: &Account) -> Value {
    if account.personal {
        return json!([]);
    }
    let aliases = account.aliases.iter().map(|a| format!("smtp:{a}"));
    json!(
        std::iter::once(format!("SMTP:{}", account.address))
            .chain(aliases)
            .collect::<Vec<_>>()
    )
}

/// `GET /me/mailboxSettings` → `microsoft.graph.mailboxSettings` with the defaults a new
/// mailbox has.
fn get_mailbox_settings(_req: &Request, account: &mut Account) -> Response {
    odata(
        200,
        &json!({
            "@odata.context": format!("{BASE}/$metadata#users('{}')/mailboxSettings", graph_id(account)),
            "archiveFolder": "",
            "timeZone": "UTC",
            "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
            "dateFormat": "yyyy-MM-dd",
            "timeFormat": "HH:mm",
            "userPurpose": if account.shared { "shared" } else { "user" },
            "automaticRepliesSetting": {
                "status": "disabled",
                "externalAudience": "all",
                "internalReplyMessage": "",
                "externalReplyMessage": "",
                "scheduledStartDateTime": { "dateTime": "2026-01-01T00:00:00.0000000", "timeZone": "UTC" },
                "scheduledEndDateTime": { "dateTime": "2026-01-02T00:00:00.0000000", "timeZone": "UTC" },
            },
            "language": { "locale": "en-US", "displayName": "English (United States)" },
            "workingHours": {
                "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "startTime": "08:00:00.0000000",
                "endTime": "17:00:00.0000000",
                "timeZone": { "name": "UTC" },
            },
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::ispdb::IspDb;

    fn sandbox() -> Sandbox {
        let sb = Sandbox::new(IspDb::default());
        let seed = json!({"accounts":[{"provider":"microsoft","address":"bo@contoso.com","displayName":"Bo Berg"}]});
        sb.state()
            .seed(serde_json::from_value(seed).unwrap())
            .unwrap();
        sb
    }

    fn get(sb: &Sandbox, path: &str, token: Option<&str>) -> Response {
        let mut req = Request::new("GET", "graph.microsoft.com", path)
            .with_header("client-request-id", "abc");
        if let Some(t) = token {
            req = req.with_header("authorization", &format!("Bearer {t}"));
        }
        handle(&req, sb)
    }

    #[test]
    fn me_for_a_valid_token() {
        let sb = sandbox();
        let r = get(&sb, "/v1.0/me", Some("sandbox-token:bo@contoso.com"));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("client-request-id"), Some("abc"));
        let me = r.json_body().unwrap();
        assert_eq!(me["mail"], "bo@contoso.com");
        assert_eq!(me["givenName"], "Bo");
        assert_eq!(me["surname"], "Berg");
        let by_id = get(
            &sb,
            &format!("/v1.0/users/{}", me["id"].as_str().unwrap()),
            Some("sandbox-token:bo@contoso.com"),
        );
        assert_eq!(by_id.json_body().unwrap()["id"], me["id"]);
        assert_eq!(
            get(
                &sb,
                "/v1.0/users/other@contoso.com",
                Some("sandbox-token:bo@contoso.com")
            )
            .status,
            404
        );
    }

    #[test]
    fn select_narrows_the_user() {
        let sb = sandbox();
        let me = get(
            &sb,
            "/v1.0/me?$select=mail,userPrincipalName",
            Some("sandbox-token:bo@contoso.com"),
        )
        .json_body()
        .unwrap();
        let keys: Vec<&String> = me.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["@odata.context", "mail", "userPrincipalName"]);
    }

    #[test]
    fn proxy_addresses_only_on_select() {
        let sb = Sandbox::new(IspDb::default());
        let seed = json!({"accounts":[
            {"provider":"microsoft","address":"bo@contoso.com","displayName":"Bo","aliases":["sales@contoso.com"]},
            {"provider":"microsoft","address":"meg@outlook.com","displayName":"Meg"}]});
        sb.state()
            .seed(serde_json::from_value(seed).unwrap())
            .unwrap();
        let me = |who: &str, q: &str| {
            get(
                &sb,
                &format!("/v1.0/me{q}"),
                Some(&format!("sandbox-token:{who}")),
            )
            .json_body()
            .unwrap()
        };
        assert!(me("bo@contoso.com", "").get("proxyAddresses").is_none());
        assert_eq!(
            me("bo@contoso.com", "?$select=mail,proxyAddresses")["proxyAddresses"],
            json!(["SMTP:bo@contoso.com", "smtp:sales@contoso.com"])
        );
        assert_eq!(
            me("meg@outlook.com", "?$select=proxyAddresses")["proxyAddresses"],
            json!([])
        );
    }

    #[test]
    fn errors_use_the_odata_envelope() {
        let sb = sandbox();
        let r = get(&sb, "/v1.0/me", None);
        assert_eq!(r.status, 401);
        let e = r.json_body().unwrap();
        assert_eq!(e["error"]["code"], "InvalidAuthenticationToken");
        assert!(e["error"]["innerError"]["request-id"].is_string());
        assert_eq!(
            get(&sb, "/v1.0/me", Some("sandbox-token:nobody@x.com")).status,
            401
        );
        assert_eq!(
            get(&sb, "/v1.0/nope", Some("sandbox-token:bo@contoso.com")).status,
            400
        );
    }
}
