//! The Graph fake against Microsoft's published OpenAPI description
//! (shared/contracts/graph/Users.yml). The description spells `/me/X` as
//! `/users/{user-id}/X` (Graph treats `/me` as an alias of the signed-in user), so `/me`
//! routes are checked against those paths.

#[path = "support/schema.rs"]
mod schema;

use inlay_sandbox::hosts::graph;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::http::Request;
use inlay_sandbox::oauth::identity::graph_id;
use inlay_sandbox::oauth::script::microsoft_sign_in;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

use schema::{Checker, Dialect, contracts_dir};

/// Users.yml, Mail.yml and Users.Actions.yml as one description: their paths and
/// components together (each file repeats the shared components identically).
fn users_openapi() -> Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut merged = json!({"paths": {}, "components": {}});
        for file in [
            "Users.yml",
            "Mail.yml",
            "Users.Actions.yml",
            "Users.Functions.yml",
        ] {
            let text = std::fs::read_to_string(contracts_dir().join("graph").join(file)).unwrap();
            let doc: Value = serde_yaml::from_str(&text).unwrap();
            for (k, v) in doc["paths"].as_object().unwrap() {
                merged["paths"][k] = v.clone();
            }
            for (section, entries) in doc["components"].as_object().unwrap() {
                if merged["components"].get(section).is_none() {
                    merged["components"][section] = json!({});
                }
                for (k, v) in entries.as_object().unwrap() {
                    if merged["components"][section].get(k).is_none() {
                        merged["components"][section][k] = v.clone();
                    }
                }
            }
        }
        merged
    })
    .clone()
}

/// `/v1.0/me/mailboxSettings` → `/users/{user-id}/mailboxSettings`; actions carry their
/// namespace in the description (`/me/sendMail` → `…/microsoft.graph.sendMail`).
fn contract_path(template: &str) -> String {
    let path = template
        .strip_prefix("/v1.0")
        .expect("Graph routes start with /v1.0");
    let path = match path.strip_prefix("/me") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            format!("/users/{{user-id}}{rest}")
        }
        _ => path.to_owned(),
    };
    match path.rsplit_once('/') {
        Some((head, action @ ("sendMail" | "send" | "createUploadSession"))) => {
            format!("{head}/microsoft.graph.{action}")
        }
        // Functions are spelled with their parentheses.
        Some((head, "delta")) => format!("{head}/microsoft.graph.delta()"),
        _ => path,
    }
}

fn operation<'d>(doc: &'d Value, method: &str, template: &str) -> Option<&'d Value> {
    doc["paths"]
        .get(contract_path(template))?
        .get(method.to_ascii_lowercase())
}

/// The JSON schema of an operation's response for `status` ("2XX" or "default").
fn response_schema<'d>(doc: &'d Value, op: &'d Value, status: &str) -> &'d Value {
    let mut response = &op["responses"][status];
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        response = doc.pointer(reference.strip_prefix('#').unwrap()).unwrap();
    }
    &response["content"]["application/json"]["schema"]
}

const ADDRESS: &str = "bo@contoso.com";

fn seeded_sandbox() -> Sandbox {
    let sandbox = Sandbox::new(IspDb::default());
    let seed =
        json!({"accounts":[{"provider":"microsoft","address":ADDRESS,"displayName":"Bo Berg"}]});
    sandbox
        .state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    sandbox
}

fn fill(template: &str, sandbox: &Sandbox) -> String {
    let id = sandbox.state().accounts[0].object_id();
    template
        .split('/')
        .map(|seg| match seg {
            "{user-id}" => id.clone(),
            "{message-id}" => draft_id(sandbox, ADDRESS),
            "{mailFolder-id}" => "sentitems".to_owned(),
            seg if seg.starts_with('{') => {
                panic!("teach contract_graph.rs a sample value for {seg}")
            }
            seg => seg.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// No From: Exchange fills in the mailbox (every seeded account sends it).
const MESSAGE: &str = "To: ann@example.com\r\nBcc: carl@example.net\r\nMessage-ID: <c1@contoso.com>\r\nSubject: Hi\r\n\r\nHello\r\n";

/// A fresh draft of `address` (through its test token), percent-encoded for a path.
fn draft_id(sandbox: &Sandbox, address: &str) -> String {
    use base64::Engine;
    let r = graph::handle(
        &Request::new("POST", "graph.microsoft.com", "/v1.0/me/messages")
            .with_header("authorization", &format!("Bearer sandbox-token:{address}"))
            .with_header("content-type", "text/plain")
            .with_body(base64::engine::general_purpose::STANDARD.encode(MESSAGE)),
        sandbox,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json_body().unwrap()["id"].as_str().unwrap().to_owned();
    inlay_sandbox::http::form_encode(&id)
}

/// A valid call of `method` on `path`: MIME for sends and drafts, the deferred time for a
/// PATCH, an `internetMessageId` filter for lists.
fn request_for(method: &str, path: &str) -> Request {
    use base64::Engine;
    let req = |p: &str| Request::new(method, "graph.microsoft.com", p);
    match method {
        "POST" if path.ends_with("/sendMail") || path.ends_with("/messages") => req(path)
            .with_header("content-type", "text/plain")
            .with_body(base64::engine::general_purpose::STANDARD.encode(MESSAGE)),
        "PATCH" => req(path).with_header("content-type", "application/json").with_body(
            json!({"singleValueExtendedProperties": [{"id": "SystemTime 0x3FEF", "value": "2030-01-01T08:00:00Z"}]})
                .to_string(),
        ),
        "POST" if path.ends_with("/attachments") => req(path)
            .with_header("content-type", "application/json")
            .with_body(
                json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt",
                    "contentType": "text/plain", "contentBytes": "aGk="})
                .to_string(),
            ),
        "POST" if path.ends_with("/createUploadSession") => req(path)
            .with_header("content-type", "application/json")
            .with_body(
                json!({"AttachmentItem": {"attachmentType": "file", "name": "big.bin", "size": 4_194_304}})
                    .to_string(),
            ),
        "GET" if path.ends_with("/messages") => req(&format!(
            "{path}?$filter=internetMessageId%20eq%20%27%3Cc1%40contoso.com%3E%27&$select=id,conversationId,isDraft"
        )),
        _ => req(path),
    }
}

/// What a route answers when it works.
fn success(method: &str, template: &str) -> u16 {
    match method {
        "POST"
            if template.ends_with("/messages")
                || template.ends_with("/attachments")
                || template.ends_with("/createUploadSession") =>
        {
            201
        }
        "POST" => 202,
        "DELETE" => 204,
        _ => 200,
    }
}

#[test]
fn me_is_checked_as_users_user_id() {
    assert_eq!(contract_path("/v1.0/me"), "/users/{user-id}");
    assert_eq!(
        contract_path("/v1.0/me/mailboxSettings"),
        "/users/{user-id}/mailboxSettings"
    );
    assert_eq!(contract_path("/v1.0/users/{user-id}"), "/users/{user-id}");
    assert_eq!(contract_path("/v1.0/messages"), "/messages");
    assert_eq!(
        contract_path("/v1.0/me/sendMail"),
        "/users/{user-id}/microsoft.graph.sendMail"
    );
    assert_eq!(
        contract_path("/v1.0/me/messages/{message-id}/send"),
        "/users/{user-id}/messages/{message-id}/microsoft.graph.send"
    );
}

#[test]
fn every_route_is_in_the_openapi_description_and_answers_with_its_schema() {
    let doc = users_openapi();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::OpenApi,
    };
    let sandbox = seeded_sandbox();
    for route in graph::ROUTES {
        let op = operation(&doc, route.method, route.template).unwrap_or_else(|| {
            panic!(
                "{} {} ({}) is not in Users.yml",
                route.method,
                route.template,
                contract_path(route.template)
            )
        });
        let path = fill(route.template, &sandbox);
        let auth = format!("Bearer sandbox-token:{ADDRESS}");

        let ok = graph::handle(
            &request_for(route.method, &path).with_header("authorization", &auth),
            &sandbox,
        );
        assert_eq!(
            ok.status,
            success(route.method, route.template),
            "{} {path}: {}",
            route.method,
            String::from_utf8_lossy(&ok.body)
        );
        let schema = response_schema(&doc, op, "2XX");
        if op
            .pointer("/responses/2XX/content/application~1octet-stream")
            .is_some()
        {
            // Media content ($value): the bytes, not JSON.
            assert!(!ok.body.is_empty(), "{} {path} has content", route.method);
        } else if schema.is_null() {
            assert!(
                ok.body.is_empty(),
                "{} {path} has no response body",
                route.method
            );
        } else {
            let errors = checker.check(&ok.json_body().unwrap(), schema);
            assert!(
                errors.is_empty(),
                "{} {path}:\n{}",
                route.method,
                errors.join("\n")
            );
        }

        let denied = graph::handle(
            &Request::new(route.method, "graph.microsoft.com", &path),
            &sandbox,
        );
        assert_eq!(denied.status, 401);
        let errors = checker.check(
            &denied.json_body().unwrap(),
            response_schema(&doc, op, "default"),
        );
        assert!(
            errors.is_empty(),
            "401 of {} {path}:\n{}",
            route.method,
            errors.join("\n")
        );
    }
}

#[test]
fn the_checker_catches_undeclared_and_mistyped_properties() {
    let doc = users_openapi();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::OpenApi,
    };
    let user = doc
        .pointer("/components/schemas/microsoft.graph.user")
        .unwrap();
    // `id` comes from microsoft.graph.entity through two allOf levels; nulls are allowed where nullable.
    assert!(
        checker
            .check(
                &json!({"@odata.context":"x","id":"1","mail":null,"businessPhones":[]}),
                user
            )
            .is_empty()
    );
    assert_eq!(
        checker
            .check(&json!({"id":1,"nickname":"x","businessPhones":[1]}), user)
            .len(),
        3
    );
    let settings = doc
        .pointer("/components/schemas/microsoft.graph.mailboxSettings")
        .unwrap();
    assert_eq!(
        checker
            .check(&json!({"userPurpose":"robot"}), settings)
            .len(),
        1
    );
    let error = doc
        .pointer("/components/schemas/microsoft.graph.ODataErrors.ODataError")
        .unwrap();
    assert_eq!(
        checker.check(&json!({"error":{"code":"x"}}), error).len(),
        1,
        "message is required"
    );
}

/// `template` with `{user-id}` filled with `id`.
fn fill_with(template: &str, id: &str) -> String {
    template.replace("{user-id}", id)
}

#[test]
fn minted_tokens_get_the_same_schemas_for_every_kind_of_account() {
    let doc = users_openapi();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::OpenApi,
    };
    let sandbox = Sandbox::new(IspDb::default());
    let seed = json!({"accounts":[
        {"provider":"microsoft","address":ADDRESS,"displayName":"Bo Berg"},
        {"provider":"microsoft","address":"meg@outlook.com","displayName":"Meg"},
        {"provider":"microsoft","address":"sales@contoso.com","displayName":"Sales","mailboxType":"shared"}]});
    sandbox
        .state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    let scopes = "openid profile email offline_access User.Read MailboxSettings.Read Mail.Send Mail.ReadWrite";
    let tokens = [
        (
            ADDRESS,
            microsoft_sign_in(&sandbox, ADDRESS, scopes).unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        (
            "meg@outlook.com",
            microsoft_sign_in(&sandbox, "meg@outlook.com", scopes).unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        // A shared mailbox cannot sign in; a test token reads it.
        (
            "sales@contoso.com",
            "sandbox-token:sales@contoso.com".to_owned(),
        ),
    ];
    for (address, token) in &tokens {
        let id = graph_id(
            sandbox
                .state()
                .account(inlay_sandbox::state::Provider::Microsoft, address)
                .unwrap(),
        );
        for route in graph::ROUTES {
            let op = operation(&doc, route.method, route.template).unwrap();
            let path = fill_with(route.template, &id)
                .replace("{message-id}", &draft_id(&sandbox, address))
                .replace("{mailFolder-id}", "sentitems");
            let r = graph::handle(
                &request_for(route.method, &path)
                    .with_header("authorization", &format!("Bearer {token}")),
                &sandbox,
            );
            assert_eq!(
                r.status,
                success(route.method, route.template),
                "{address} {path}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let schema = response_schema(&doc, op, "2XX");
            if schema.is_null() {
                continue;
            }
            let body = r.json_body().unwrap();
            let errors = checker.check(&body, schema);
            assert!(
                errors.is_empty(),
                "{address} {path}:\n{}",
                errors.join("\n")
            );
            if path.ends_with("mailboxSettings") {
                let purpose = if address.starts_with("sales@") {
                    "shared"
                } else {
                    "user"
                };
                assert_eq!(body["userPurpose"], purpose);
            }
        }
    }

    // Refusals for missing permissions are ODataErrors too.
    let openid_only = microsoft_sign_in(&sandbox, ADDRESS, "openid").unwrap();
    for route in graph::ROUTES {
        let op = operation(&doc, route.method, route.template).unwrap();
        let path = fill(route.template, &sandbox);
        let r = graph::handle(
            &request_for(route.method, &path).with_header(
                "authorization",
                &format!("Bearer {}", openid_only["access_token"].as_str().unwrap()),
            ),
            &sandbox,
        );
        assert_eq!(r.status, 403, "{path}");
        let errors = checker.check(
            &r.json_body().unwrap(),
            response_schema(&doc, op, "default"),
        );
        assert!(errors.is_empty(), "403 of {path}:\n{}", errors.join("\n"));
    }
}

/// The profile the core asks for at connect (`$select` with `proxyAddresses`, "Returned only
/// on $select"): the aliases as Exchange proxies, valid against the user schema.
#[test]
fn selected_proxy_addresses_list_the_aliases_within_the_user_schema() {
    let doc = users_openapi();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::OpenApi,
    };
    let sandbox = Sandbox::new(IspDb::default());
    let seed = json!({"accounts":[{"provider":"microsoft","address":ADDRESS,"displayName":"Bo Berg",
        "aliases":["sales@contoso.com"]}]});
    sandbox
        .state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    let token = microsoft_sign_in(&sandbox, ADDRESS, "openid profile email User.Read").unwrap()
        ["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = graph::handle(
        &Request::new(
            "GET",
            "graph.microsoft.com",
            "/v1.0/me?$select=id,displayName,mail,userPrincipalName,proxyAddresses",
        )
        .with_header("authorization", &format!("Bearer {token}")),
        &sandbox,
    );
    assert_eq!(r.status, 200);
    let body = r.json_body().unwrap();
    let op = operation(&doc, "GET", "/v1.0/me").unwrap();
    let errors = checker.check(&body, response_schema(&doc, op, "2XX"));
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(
        body["proxyAddresses"],
        json!(["SMTP:bo@contoso.com", "smtp:sales@contoso.com"])
    );
}

/// The delta query's pages (a listing with `internetMessageHeaders`, a next link, a
/// delta link, a change with `@removed`) and its 410 against `Users.Functions.yml`.
#[test]
fn delta_pages_fit_the_delta_function_schema() {
    let doc = users_openapi();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::OpenApi,
    };
    let template = "/v1.0/me/mailFolders/{mailFolder-id}/messages/delta";
    let op = operation(&doc, "GET", template).unwrap();
    let sandbox = seeded_sandbox();
    let mut ids = Vec::new();
    for n in 0..2 {
        let raw = format!(
            "From: \"Bob, B.\" <bob@acme.test>\r\nTo: {ADDRESS}\r\nCc: carl@acme.test\r\nSubject: n{n}\r\nMessage-ID: <n{n}@acme.test>\r\n\r\nx"
        );
        ids.push(
            sandbox
                .state()
                .add_message(
                    inlay_sandbox::state::Provider::Microsoft,
                    ADDRESS,
                    raw.into_bytes(),
                    "INBOX",
                )
                .unwrap(),
        );
    }
    let auth = format!("Bearer sandbox-token:{ADDRESS}");
    let get = |path: &str| {
        graph::handle(
            &Request::new("GET", "graph.microsoft.com", path)
                .with_header("authorization", &auth)
                .with_header("prefer", "odata.maxpagesize=1"),
            &sandbox,
        )
    };
    let relative = |link: &Value| {
        link.as_str()
            .unwrap()
            .strip_prefix("https://graph.microsoft.com")
            .unwrap()
            .to_owned()
    };
    let check = |r: &inlay_sandbox::http::Response| {
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json_body().unwrap();
        let errors = checker.check(&body, response_schema(&doc, op, "2XX"));
        assert!(errors.is_empty(), "{body}\n{}", errors.join("\n"));
        body
    };
    let first = check(&get(
        "/v1.0/me/mailFolders/inbox/messages/delta?$select=id,subject,from,sender,toRecipients,ccRecipients,internetMessageId,internetMessageHeaders,conversationId,receivedDateTime,isDraft",
    ));
    assert_eq!(
        first["value"][0]["ccRecipients"][0]["emailAddress"]["address"],
        "carl@acme.test"
    );
    assert!(
        first["value"][0]["internetMessageHeaders"]
            .as_array()
            .unwrap()
            .len()
            >= 4
    );
    let second = check(&get(&relative(&first["@odata.nextLink"])));
    let delta = relative(&second["@odata.deltaLink"]);
    sandbox.state().accounts[0]
        .mailbox
        .messages
        .retain(|m| m.id != ids[0]);
    let changes = check(&get(&delta));
    assert_eq!(changes["value"][0]["@removed"]["reason"], "deleted");

    let control = Request::new("POST", "", "/mailbox").with_body(
        json!({"provider": "microsoft", "address": ADDRESS, "action": "expireCursors"}).to_string(),
    );
    assert_eq!(
        inlay_sandbox::control::handle(&control, &sandbox).status,
        200
    );
    let gone = get(&delta);
    assert_eq!(gone.status, 410);
    let errors = checker.check(
        &gone.json_body().unwrap(),
        response_schema(&doc, op, "default"),
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(gone.header("location").unwrap().contains("$deltatoken="));
}
