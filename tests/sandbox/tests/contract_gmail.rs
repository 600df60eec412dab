//! The Gmail fake against Google's published discovery document
//! (shared/contracts/gmail/gmail-v1-discovery.json): every route must be a real method,
//! and every body it returns must fit that method's response schema.

#[path = "support/schema.rs"]
mod schema;

use inlay_sandbox::hosts::gmail;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::http::{Request, Response};
use inlay_sandbox::oauth::scopes::GmailContract;
use inlay_sandbox::oauth::script::google_sign_in;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

use schema::{Checker, Dialect, contracts_dir};

fn discovery() -> Value {
    let text =
        std::fs::read_to_string(contracts_dir().join("gmail/gmail-v1-discovery.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// (HTTP method, "/" + servicePath + path or flatPath, method) for every method in the document.
fn methods(doc: &Value) -> Vec<(String, String, &Value)> {
    fn walk<'a>(
        resources: &'a Value,
        service_path: &str,
        out: &mut Vec<(String, String, &'a Value)>,
    ) {
        for resource in resources.as_object().into_iter().flat_map(|o| o.values()) {
            for method in resource
                .get("methods")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|o| o.values())
            {
                let http = method["httpMethod"].as_str().unwrap().to_owned();
                for key in ["path", "flatPath"] {
                    if let Some(path) = method.get(key).and_then(Value::as_str) {
                        out.push((http.clone(), format!("/{service_path}{path}"), method));
                    }
                }
                // The media upload of the same method (`/upload/gmail/v1/…`).
                if let Some(path) = method
                    .pointer("/mediaUpload/protocols/simple/path")
                    .and_then(Value::as_str)
                {
                    out.push((http.clone(), path.to_owned(), method));
                }
            }
            if let Some(children) = resource.get("resources") {
                walk(children, service_path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &doc["resources"],
        doc["servicePath"].as_str().unwrap_or_default(),
        &mut out,
    );
    out
}

fn method_for<'d>(
    methods: &'d [(String, String, &'d Value)],
    http: &str,
    template: &str,
) -> Option<&'d Value> {
    methods
        .iter()
        .find(|(m, p, _)| m == http && p == template)
        .map(|(_, _, method)| *method)
}

const ADDRESS: &str = "ann@example.com";

fn seeded_sandbox() -> Sandbox {
    let sandbox = Sandbox::new(IspDb::default());
    let seed = json!({"accounts":[{"provider":"google","address":ADDRESS,"displayName":"Ann Example",
        "aliases":["sales@example.com","ann@example.org"],
        "messages":["From: bob@acme.test\r\nTo: ann@example.com\r\nSubject: Hi\r\n\r\nHello\r\n"]}]});
    sandbox
        .state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    sandbox
}

/// A concrete value for each path parameter the Gmail routes use. A new route with a new
/// parameter fails here until the test learns a sample for it.
fn sample(param: &str, sandbox: &Sandbox) -> String {
    let state = sandbox.state();
    let account = &state.accounts[0];
    match param {
        "userId" => "me".into(),
        "id" | "messageId" => account.mailbox.messages[0].id.clone(),
        "sendAsEmail" => account.aliases[0].clone(),
        other => panic!("teach contract_gmail.rs a sample value for {{{other}}}"),
    }
}

fn fill(template: &str, sandbox: &Sandbox) -> String {
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => sample(param, sandbox),
                None => seg.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// A valid call of the route: a message to send for the send routes, the metadata form
/// of messages.get (the one every reading scope may ask for).
fn request_for(method: &str, template: &str, sandbox: &Sandbox) -> Request {
    const MESSAGE: &str = "From: ann@example.com\r\nTo: bob@acme.test\r\nMessage-ID: <c1@example.com>\r\nSubject: Hi\r\n\r\nHello\r\n";
    let path = fill(template, sandbox);
    let req = Request::new(method, "gmail.googleapis.com", &path);
    if template.starts_with("/upload/") {
        let mut req = Request::new(
            method,
            "gmail.googleapis.com",
            &format!("{path}?uploadType=media"),
        );
        req = req
            .with_header("content-type", "message/rfc822")
            .with_body(MESSAGE);
        return req;
    }
    if template.ends_with("/messages/send") {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(MESSAGE);
        return req
            .with_header("content-type", "application/json")
            .with_body(json!({ "raw": raw }).to_string());
    }
    if template.ends_with("/history") {
        // A history id the mailbox knows: changes after it are listed.
        let start = sandbox.state().accounts[0].mailbox.history_id;
        return Request::new(
            method,
            "gmail.googleapis.com",
            &format!("{path}?startHistoryId={start}&historyTypes=messageAdded"),
        );
    }
    if template.ends_with("/messages/{id}") {
        return Request::new(
            method,
            "gmail.googleapis.com",
            &format!("{path}?format=metadata"),
        );
    }
    req
}

#[test]
fn every_route_is_a_method_of_the_discovery_document() {
    let doc = discovery();
    let methods = methods(&doc);
    assert!(
        methods.len() > 70,
        "discovery document parsed ({} methods)",
        methods.len()
    );
    for route in gmail::ROUTES {
        assert!(
            method_for(&methods, route.method, route.template).is_some(),
            "{} {} is not in the Gmail discovery document",
            route.method,
            route.template
        );
    }
}

#[test]
fn every_route_answers_with_its_response_schema() {
    let doc = discovery();
    let methods = methods(&doc);
    let checker = Checker {
        root: &doc,
        dialect: Dialect::Discovery,
    };
    let sandbox = seeded_sandbox();
    for route in gmail::ROUTES {
        let method = method_for(&methods, route.method, route.template).unwrap();
        let path = fill(route.template, &sandbox);
        let req = request_for(route.method, route.template, &sandbox)
            .with_header("authorization", &format!("Bearer sandbox-token:{ADDRESS}"));
        let resp = gmail::handle(&req, &sandbox);
        assert_eq!(
            resp.status,
            200,
            "{} {path}: {}",
            route.method,
            String::from_utf8_lossy(&resp.body)
        );
        let Some(response_ref) = method.pointer("/response/$ref") else {
            assert!(
                resp.body.is_empty(),
                "{} {path} has no response schema but returned a body",
                route.method
            );
            continue;
        };
        assert!(
            resp.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let body = resp
            .json_body()
            .unwrap_or_else(|| panic!("{} {path}: body is not JSON", route.method));
        let errors = checker.check(&body, response_ref_schema(&doc, response_ref));
        assert!(
            errors.is_empty(),
            "{} {path} vs {response_ref}:\n{}",
            route.method,
            errors.join("\n")
        );
    }
}

fn response_ref_schema<'d>(doc: &'d Value, reference: &Value) -> &'d Value {
    &doc["schemas"][reference.as_str().unwrap()]
}

#[test]
fn the_checker_catches_undeclared_and_mistyped_properties() {
    let doc = discovery();
    let checker = Checker {
        root: &doc,
        dialect: Dialect::Discovery,
    };
    let profile = &doc["schemas"]["Profile"];
    assert!(
        checker
            .check(&json!({"emailAddress":"a@b.c","historyId":"12"}), profile)
            .is_empty()
    );
    let errors = checker.check(
        &json!({"emailAddress":"a@b.c","historyId":12,"bogus":true,"messagesTotal":"1"}),
        profile,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    let send_as = &doc["schemas"]["ListSendAsResponse"];
    assert_eq!(
        checker
            .check(&json!({"sendAs":[{"verificationStatus":"maybe"}]}), send_as)
            .len(),
        1
    );
}

/// The seeded sandbox with the scope rules of `doc` (normally the real document).
fn sandbox_ruled_by(doc: &Value) -> Sandbox {
    seeded_sandbox().with_gmail(GmailContract::from_discovery(doc))
}

/// Signs in with exactly `scope` through the OAuth fakes and calls the route.
fn call_with_scope(sandbox: &Sandbox, method: &str, template: &str, scope: &str) -> Response {
    let tokens = google_sign_in(sandbox, ADDRESS, scope).unwrap();
    let auth = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    gmail::handle(
        &request_for(method, template, sandbox).with_header("authorization", &auth),
        sandbox,
    )
}

const SEND: &str = "https://www.googleapis.com/auth/gmail.send";
const SEND_AS_LIST: &str = "/gmail/v1/users/{userId}/settings/sendAs";

#[test]
fn every_route_admits_exactly_the_scopes_its_method_lists() {
    let doc = discovery();
    let methods = methods(&doc);
    let sandbox = sandbox_ruled_by(&doc);
    let all: Vec<&String> = doc["auth"]["oauth2"]["scopes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(all.len() >= 10, "{all:?}");
    for route in gmail::ROUTES {
        let method = method_for(&methods, route.method, route.template).unwrap();
        let listed: Vec<&str> = method["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        for scope in &all {
            let r = call_with_scope(&sandbox, route.method, route.template, scope);
            if listed.contains(&scope.as_str()) {
                assert_eq!(r.status, 200, "{} with {scope}", route.template);
                continue;
            }
            assert_eq!(r.status, 403, "{} with {scope}", route.template);
            assert_eq!(
                r.json_body().unwrap(),
                json!({"error": {
                    "code": 403,
                    "message": "Request had insufficient authentication scopes.",
                    "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
                    "status": "PERMISSION_DENIED",
                    "details": [{
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                        "domain": "googleapis.com",
                        "metadata": {"service": "gmail.googleapis.com", "method": method["id"]},
                    }],
                }})
            );
            let challenge = r.header("www-authenticate").unwrap();
            assert!(
                challenge.contains("error=\"insufficient_scope\""),
                "{challenge}"
            );
            assert!(challenge.contains(listed[0]), "{challenge}");
        }
    }
}

#[test]
fn the_discovery_document_decides() {
    let doc = discovery();
    let sandbox = sandbox_ruled_by(&doc);
    for ok in [
        "https://www.googleapis.com/auth/gmail.settings.basic",
        "https://www.googleapis.com/auth/gmail.readonly",
    ] {
        assert_eq!(
            call_with_scope(&sandbox, "GET", SEND_AS_LIST, ok).status,
            200,
            "{ok}"
        );
    }
    assert_eq!(
        call_with_scope(&sandbox, "GET", SEND_AS_LIST, SEND).status,
        403
    );
    assert_eq!(
        call_with_scope(&sandbox, "GET", "/gmail/v1/users/{userId}/profile", SEND).status,
        403,
        "gmail.send cannot read the profile (provider-apis.md)"
    );

    // Had the document listed gmail.send for sendAs.list, the fake would follow it.
    let mut edited = doc.clone();
    edited
        .pointer_mut("/resources/users/resources/settings/resources/sendAs/methods/list/scopes")
        .unwrap()
        .as_array_mut()
        .unwrap()
        .push(json!(SEND));
    let lenient = sandbox_ruled_by(&edited);
    assert_eq!(
        call_with_scope(&lenient, "GET", SEND_AS_LIST, SEND).status,
        200
    );

    // Without a document, minted tokens open nothing (test tokens still do).
    let blind = seeded_sandbox();
    let send_only = google_sign_in(&sandbox, ADDRESS, SEND).unwrap();
    let r = gmail::handle(
        &Request::new(
            "GET",
            "gmail.googleapis.com",
            "/gmail/v1/users/me/settings/sendAs",
        )
        .with_header(
            "authorization",
            &format!("Bearer {}", send_only["access_token"].as_str().unwrap()),
        ),
        &blind,
    );
    assert_eq!(r.status, 401, "another sandbox never minted that token");
}
