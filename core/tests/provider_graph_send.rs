//! Microsoft Graph's send (`sendMail`; draft + deferred time + `send`) and
//! Sent lookup (`internetMessageId` filter): every class of answer, the
//! deferred-time property never on a request that sends by itself, and
//! every planned request held to Graph's OpenAPI in ../shared/contracts.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use inlay_core::http::{HttpRequest, HttpResponse, Method, TransportFailure};
use inlay_core::provider::graph::{GraphLookup, GraphSend, GraphTarget};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, LookupRead, LookupSteps, Read, Secret, SendRead, SendSteps,
};
use serde_json::{Value, json};
use support::{contracts, http_response, query};

const TOKEN: Secret<'static> = Secret::Bearer("eyJ0.token");
const MID: &str = "<k3j4h5.inlay@contoso.com>";
/// 2026-12-24T09:30:00Z.
const AT_MS: u64 = 1_798_104_600_000;
const MIME: &str = "From: Bo <bo@contoso.com>\r\nTo: ann@example.com\r\nBcc: carl@example.net\r\nMessage-ID: <k3j4h5.inlay@contoso.com>\r\nSubject: Hello\r\n\r\nHi Ann\r\n";

fn target(scopes: &[&str]) -> GraphTarget {
    GraphTarget {
        granted_scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

fn send_only() -> GraphTarget {
    target(&["openid", "offline_access", "User.Read", "Mail.Send"])
}

fn read_write() -> GraphTarget {
    target(&[
        "https://graph.microsoft.com/Mail.Send",
        "https://graph.microsoft.com/Mail.ReadWrite",
    ])
}

fn outgoing(mime: &[u8], deliver_at_ms: Option<u64>) -> Outgoing {
    Outgoing {
        message_id: MID.into(),
        mime: mime.to_vec(),
        transmitted: None,
        envelope_from: "bo@contoso.com".into(),
        recipients: vec!["ann@example.com".into(), "carl@example.net".into()],
        thread_id: None,
        deliver_at_ms,
    }
}

fn http(call: Call) -> HttpRequest {
    match call {
        Call::Http(r) => r,
        Call::Helper(h) => panic!("a helper call: {h:?}"),
    }
}

fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    http_response(status, headers, body)
}

fn graph_error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2026-12-05T10:00:00", "request-id": "r", "client-request-id": "c"}}})
    .to_string()
}

// ---- the OpenAPI description ----

struct Openapi {
    mail: Value,
    actions: Value,
}

fn openapi() -> &'static Openapi {
    static DOC: OnceLock<Openapi> = OnceLock::new();
    DOC.get_or_init(|| {
        let dir = contracts::require(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
        let read = |f: &str| -> Value {
            serde_yaml::from_str(&std::fs::read_to_string(dir.join("graph").join(f)).unwrap())
                .unwrap()
        };
        Openapi {
            mail: read("Mail.yml"),
            actions: read("Users.Actions.yml"),
        }
    })
}

/// `https://graph.microsoft.com/v1.0/me/messages/AAMk/send` →
/// `/users/{user-id}/messages/{message-id}/microsoft.graph.send`: Graph
/// takes `/me` for the signed-in user and actions without their namespace.
fn contract_path(url: &str) -> String {
    let path = url
        .split('?')
        .next()
        .unwrap()
        .strip_prefix("https://graph.microsoft.com/v1.0/me")
        .expect("a /me request");
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut out = String::from("/users/{user-id}");
    for (i, seg) in segs.iter().enumerate() {
        let previous = if i == 0 { "" } else { segs[i - 1] };
        let seg = match (previous, *seg) {
            ("messages", _) => "{message-id}".to_string(),
            ("mailFolders", _) => "{mailFolder-id}".to_string(),
            (_, "sendMail" | "send" | "createUploadSession") => format!("microsoft.graph.{seg}"),
            (_, seg) => seg.to_string(),
        };
        out.push('/');
        out.push_str(&seg);
    }
    out
}

/// The request is an operation of Graph's OpenAPI description: its path and
/// method, its query options, and a JSON body's properties on `message`.
fn check_contract(req: &HttpRequest) {
    let doc = openapi();
    let path = contract_path(&req.url);
    let method = serde_json::to_value(req.method)
        .unwrap()
        .as_str()
        .unwrap()
        .to_ascii_lowercase();
    let op = [&doc.mail, &doc.actions]
        .iter()
        .find_map(|d| d["paths"].get(&path).and_then(|p| p.get(&method)))
        .unwrap_or_else(|| panic!("{method} {path} is not in Graph's OpenAPI"));
    let params: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    let r = p.get("$ref")?.as_str()?;
                    let name = r.rsplit('/').next()?;
                    doc.mail["components"]["parameters"][name]["name"]
                        .as_str()
                        .map(str::to_string)
                })
        })
        .collect();
    if let Some((_, q)) = req.url.split_once('?') {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            assert!(
                params.iter().any(|p| *p == k),
                "{path}: no query option {k}"
            );
            if k == "$select" {
                for field in v.split(',') {
                    assert!(message_property(field), "message has no {field}");
                }
            }
        }
    }
    if method == "patch" {
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        for k in body.as_object().unwrap().keys() {
            assert!(message_property(k), "message has no {k}");
        }
    }
}

/// A property of `microsoft.graph.message` (or the items it builds on).
fn message_property(name: &str) -> bool {
    let schemas = &openapi().mail["components"]["schemas"];
    let mut schema = "microsoft.graph.message".to_string();
    loop {
        let all = schemas[&schema]["allOf"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if all
            .iter()
            .any(|part| part["properties"].get(name).is_some())
        {
            return true;
        }
        match all
            .iter()
            .find_map(|p| p.get("$ref").and_then(Value::as_str))
            .and_then(|r| r.rsplit('/').next())
        {
            Some(parent) => schema = parent.to_string(),
            None => return name == "id",
        }
    }
}

// ---- send ----

/// Runs a send with an answer per call, collecting the requests.
fn run(
    send: &mut GraphSend,
    out: &Outgoing,
    answers: &[HttpResponse],
) -> (Vec<HttpRequest>, SendRead) {
    let mut requests = Vec::new();
    for answer in answers {
        let req = http(send.call(&TOKEN, out).unwrap());
        check_contract(&req);
        requests.push(req);
        if let Read::End(read) = send.read(Answer::Response(answer)) {
            return (requests, read);
        }
    }
    panic!("the send wants more calls than {}", answers.len());
}

#[test]
fn now_is_one_sendmail_of_the_whole_mime_in_base64() {
    let out = outgoing(MIME.as_bytes(), None);
    let mut send = GraphSend::new(&send_only(), &out);
    assert!(send.delivers());
    let (reqs, read) = run(&mut send, &out, &[respond(202, &[], "")]);
    assert_eq!(
        read,
        SendRead::Sent {
            provider_id: None,
            thread_id: None
        }
    );
    let req = &reqs[0];
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://graph.microsoft.com/v1.0/me/sendMail");
    assert!(
        req.headers
            .contains(&("Content-Type".into(), "text/plain".into()))
    );
    assert!(
        req.headers
            .contains(&("Authorization".into(), "Bearer eyJ0.token".into()))
    );
    assert_eq!(
        STANDARD.decode(req.body.as_deref().unwrap()).unwrap(),
        MIME.as_bytes(),
        "the whole message, Bcc included"
    );
}

#[test]
fn later_is_a_draft_given_its_time_then_sent() {
    let out = outgoing(MIME.as_bytes(), Some(AT_MS));
    let mut send = GraphSend::new(&read_write(), &out);
    assert!(!send.delivers(), "creating the draft delivers nothing");
    let draft = json!({"id": "AAMkAD/x+y=", "isDraft": true, "internetMessageId": MID}).to_string();
    let mut seen_delivering = Vec::new();
    let mut requests = Vec::new();
    let answers = [
        respond(201, &[], &draft),
        respond(200, &[], &draft),
        respond(202, &[], ""),
    ];
    let mut read = None;
    for answer in &answers {
        seen_delivering.push(send.delivers());
        let req = http(send.call(&TOKEN, &out).unwrap());
        check_contract(&req);
        requests.push(req);
        if let Read::End(r) = send.read(Answer::Response(answer)) {
            read = Some(r);
        }
    }
    assert_eq!(seen_delivering, [false, false, true]);
    assert_eq!(
        read.unwrap(),
        SendRead::Sent {
            provider_id: Some("AAMkAD/x+y=".into()),
            thread_id: None
        }
    );
    let [create, patch, send_req] = &requests[..] else {
        unreachable!()
    };
    assert_eq!(
        (create.method, create.url.as_str()),
        (Method::Post, "https://graph.microsoft.com/v1.0/me/messages")
    );
    assert_eq!(
        STANDARD.decode(create.body.as_deref().unwrap()).unwrap(),
        MIME.as_bytes()
    );
    assert_eq!(patch.method, Method::Patch);
    assert_eq!(
        patch.url,
        "https://graph.microsoft.com/v1.0/me/messages/AAMkAD%2Fx%2By%3D"
    );
    assert_eq!(
        serde_json::from_str::<Value>(patch.body.as_deref().unwrap()).unwrap(),
        json!({"singleValueExtendedProperties": [{"id": "SystemTime 0x3FEF", "value": "2026-12-24T09:30:00Z"}]})
    );
    assert_eq!(send_req.method, Method::Post);
    assert_eq!(
        send_req.url,
        "https://graph.microsoft.com/v1.0/me/messages/AAMkAD%2Fx%2By%3D/send"
    );
    assert_eq!(send_req.body, None);
}

#[test]
fn the_deferred_time_never_rides_on_a_request_that_sends_by_itself() {
    // Every path through both plans, with every answer that moves it on.
    for deliver_at in [None, Some(AT_MS), Some(0)] {
        for t in [send_only(), read_write()] {
            let out = outgoing(MIME.as_bytes(), deliver_at);
            let mut send = GraphSend::new(&t, &out);
            let draft = json!({"id": "d1"}).to_string();
            for _ in 0..4 {
                let Ok(call) = send.call(&TOKEN, &out) else {
                    break;
                };
                let req = http(call);
                let carries = req.body.as_deref().is_some_and(|b| b.contains("0x3FEF"))
                    || req.url.contains("0x3FEF");
                let sends_alone = req.url.ends_with("/sendMail")
                    || req.url.ends_with("/reply")
                    || req.url.ends_with("/replyAll")
                    || req.url.ends_with("/forward");
                assert!(!(carries && sends_alone), "{req:?}");
                if carries {
                    assert_eq!(req.method, Method::Patch);
                    assert!(req.url.contains("/me/messages/"));
                }
                if deliver_at.is_some() {
                    assert!(
                        !req.url.ends_with("/sendMail"),
                        "a deferred email through sendMail"
                    );
                }
                let status = if req.method == Method::Post && req.url.ends_with("/messages") {
                    201
                } else {
                    202
                };
                if let Read::End(_) = send.read(Answer::Response(&respond(status, &[], &draft))) {
                    break;
                }
            }
        }
    }
}

#[test]
fn deferred_without_draft_permission_is_refused_before_any_call() {
    let out = outgoing(MIME.as_bytes(), Some(AT_MS));
    let err = GraphSend::new(&send_only(), &out)
        .call(&TOKEN, &out)
        .unwrap_err();
    assert!(
        matches!(&err, SendRead::Permanent { code, .. } if code == "needsDraftPermission"),
        "{err:?}"
    );
}

#[test]
fn over_the_4_mb_request_limit_is_refused_before_any_call() {
    // base64 of 3 MiB + 1 KiB is over 4 MiB.
    let out = outgoing(&vec![b'a'; 3 * 1024 * 1024 + 1024], None);
    let err = GraphSend::new(&send_only(), &out)
        .call(&TOKEN, &out)
        .unwrap_err();
    assert!(
        matches!(&err, SendRead::Permanent { code, .. } if code == "tooLarge"),
        "{err:?}"
    );
    let fits = outgoing(&vec![b'a'; 3 * 1024 * 1024 - 3], None);
    assert!(
        GraphSend::new(&send_only(), &fits)
            .call(&TOKEN, &fits)
            .is_ok()
    );
}

fn one(out: &Outgoing, t: &GraphTarget, r: HttpResponse) -> SendRead {
    let mut send = GraphSend::new(t, out);
    match send.read(Answer::Response(&r)) {
        Read::End(read) => read,
        Read::Next => panic!("sendMail is one call"),
    }
}

#[test]
fn sendmail_answers_each_read_as_the_outbox_needs() {
    let out = outgoing(MIME.as_bytes(), None);
    let t = send_only();
    assert_eq!(
        one(
            &out,
            &t,
            respond(
                401,
                &[],
                &graph_error(
                    "InvalidAuthenticationToken",
                    "Lifetime validation failed, the token is expired."
                )
            )
        ),
        SendRead::SecretRejected
    );
    assert!(matches!(
        one(
            &out,
            &t,
            respond(
                429,
                &[("retry-after", "9")],
                &graph_error(
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit."
                )
            )
        ),
        SendRead::Retry {
            retry_after_ms: Some(9_000),
            ..
        }
    ));
    for status in [500, 502, 503, 504] {
        assert!(
            matches!(
                one(&out, &t, respond(status, &[], "")),
                SendRead::Unknown { .. }
            ),
            "{status}"
        );
    }
    for (status, code, want) in [
        (400, "ErrorMimeContentInvalidBase64String", "rejected"),
        (400, "ErrorInvalidRecipients", "rejected"),
        (403, "ErrorAccessDenied", "accessDenied"),
        (403, "ErrorSendAsDenied", "aliasNotAllowed"),
        (413, "RequestEntityTooLarge", "tooLarge"),
        (400, "ErrorMessageSizeExceeded", "tooLarge"),
        (403, "ErrorQuotaExceeded", "mailboxFull"),
        (404, "MailboxNotEnabledForRESTAPI", "mailboxNotSupported"),
        (403, "ErrorSubmissionQuotaExceeded", "dailyLimit"),
    ] {
        let read = one(
            &out,
            &t,
            respond(status, &[], &graph_error(code, "The request failed.")),
        );
        let SendRead::Permanent { code: got, message } = &read else {
            panic!("{status} {code}: {read:?}")
        };
        assert_eq!(got, want, "{status} {code}");
        assert!(
            message.len() > 30 && message.ends_with(['.', '"']),
            "{message}"
        );
    }
    for failure in [TransportFailure::Timeout, TransportFailure::Network] {
        let mut send = GraphSend::new(&t, &out);
        assert!(matches!(
            send.read(Answer::Transport(failure)),
            Read::End(SendRead::Unknown { .. })
        ));
    }
}

#[test]
fn failures_before_the_send_of_a_draft_are_retried_and_after_it_unknown() {
    let out = outgoing(MIME.as_bytes(), Some(AT_MS));
    let draft = json!({"id": "d1"}).to_string();
    // Creating the draft or setting its time never delivers.
    for failure in [respond(503, &[], ""), respond(500, &[], "")] {
        let mut send = GraphSend::new(&read_write(), &out);
        assert!(matches!(
            send.read(Answer::Response(&failure)),
            Read::End(SendRead::Retry { .. })
        ));
        let mut send = GraphSend::new(&read_write(), &out);
        assert_eq!(
            send.read(Answer::Response(&respond(201, &[], &draft))),
            Read::Next
        );
        assert!(matches!(
            send.read(Answer::Response(&failure)),
            Read::End(SendRead::Retry { .. })
        ));
        // The same PATCH is planned again.
        assert_eq!(http(send.call(&TOKEN, &out).unwrap()).method, Method::Patch);
    }
    let mut send = GraphSend::new(&read_write(), &out);
    assert!(matches!(
        send.read(Answer::Transport(TransportFailure::Timeout)),
        Read::End(SendRead::Retry { .. })
    ));

    let at_send = || {
        let mut send = GraphSend::new(&read_write(), &out);
        assert_eq!(
            send.read(Answer::Response(&respond(201, &[], &draft))),
            Read::Next
        );
        assert_eq!(
            send.read(Answer::Response(&respond(200, &[], &draft))),
            Read::Next
        );
        assert!(send.delivers());
        send
    };
    assert!(matches!(
        at_send().read(Answer::Transport(TransportFailure::Timeout)),
        Read::End(SendRead::Unknown { .. })
    ));
    assert!(matches!(
        at_send().read(Answer::Response(&respond(502, &[], ""))),
        Read::End(SendRead::Unknown { .. })
    ));
    // The draft vanished under its send: most likely an earlier send took it.
    let gone = respond(
        404,
        &[],
        &graph_error(
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        ),
    );
    let read = at_send().read(Answer::Response(&gone));
    assert!(
        matches!(&read, Read::End(SendRead::Unknown { message }) if message.contains("already sent")),
        "{read:?}"
    );

    // Gone before its time was set: nothing left, a new draft next time.
    let mut send = GraphSend::new(&read_write(), &out);
    assert_eq!(
        send.read(Answer::Response(&respond(201, &[], &draft))),
        Read::Next
    );
    assert!(matches!(
        send.read(Answer::Response(&gone)),
        Read::End(SendRead::Retry { .. })
    ));
    let again = http(send.call(&TOKEN, &out).unwrap());
    assert_eq!(
        (again.method, again.url.as_str()),
        (Method::Post, "https://graph.microsoft.com/v1.0/me/messages")
    );
}

#[test]
fn the_plan_survives_a_round_trip_through_json() {
    let out = outgoing(MIME.as_bytes(), Some(AT_MS));
    let mut send = GraphSend::new(&read_write(), &out);
    assert_eq!(
        send.read(Answer::Response(&respond(201, &[], r#"{"id":"d1"}"#))),
        Read::Next
    );
    let back: GraphSend = serde_json::from_str(&serde_json::to_string(&send).unwrap()).unwrap();
    assert_eq!(back, send);
    assert_eq!(back.draft_id(), Some("d1"));
}

// ---- lookup ----

fn feed(look: &mut GraphLookup, status: u16, body: Value) -> Read<LookupRead> {
    look.read(Answer::Response(&respond(status, &[], &body.to_string())))
}

#[test]
fn found_in_sent_items_by_internet_message_id() {
    let mut look = GraphLookup::new(&read_write(), "k3j4h5.inlay@contoso.com", false);
    let req = http(look.call(&TOKEN).unwrap());
    check_contract(&req);
    assert!(
        req.url
            .starts_with("https://graph.microsoft.com/v1.0/me/mailFolders/sentitems/messages?")
    );
    let q = query(&req.url);
    assert_eq!(
        q["$filter"],
        "internetMessageId eq '<k3j4h5.inlay@contoso.com>'"
    );
    assert_eq!(q["$select"], "id,conversationId");
    assert!(
        !req.url.contains('+') && !req.url.contains(' '),
        "spaces as %20: {}",
        req.url
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"value":[{"id":"AAMk1","conversationId":"AAQk9"}]})
        ),
        Read::End(LookupRead::Found {
            provider_id: Some("AAMk1".into()),
            thread_id: Some("AAQk9".into())
        })
    );
}

#[test]
fn then_the_whole_mailbox_where_a_draft_alone_is_not_sent() {
    let mut look = GraphLookup::new(&read_write(), MID, false);
    assert_eq!(feed(&mut look, 200, json!({"value":[]})), Read::Next);
    let req = http(look.call(&TOKEN).unwrap());
    check_contract(&req);
    assert!(
        req.url
            .starts_with("https://graph.microsoft.com/v1.0/me/messages?")
    );
    assert_eq!(
        query(&req.url)["$select"],
        "id,conversationId,isDraft,parentFolderId"
    );
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"value":[{"id":"d1","conversationId":"c","isDraft":true,"parentFolderId":"drafts"}]})
        ),
        Read::End(LookupRead::NotFound)
    );
    // Moved out of Sent Items by a rule: found.
    let mut look = GraphLookup::new(&read_write(), MID, false);
    assert_eq!(feed(&mut look, 200, json!({"value":[]})), Read::Next);
    assert_eq!(
        feed(
            &mut look,
            200,
            json!({"value":[{"id":"d1","isDraft":true},{"id":"m2","conversationId":"c","isDraft":false}]})
        ),
        Read::End(LookupRead::Found {
            provider_id: Some("m2".into()),
            thread_id: Some("c".into())
        })
    );
}

#[test]
fn a_deferred_email_still_a_draft_asks_the_user() {
    let mut look = GraphLookup::new(&read_write(), MID, true);
    assert_eq!(feed(&mut look, 200, json!({"value":[]})), Read::Next);
    assert!(matches!(
        feed(
            &mut look,
            200,
            json!({"value":[{"id":"d1","isDraft":true}]})
        ),
        Read::End(LookupRead::CannotLook { .. })
    ));
    let mut look = GraphLookup::new(&read_write(), MID, true);
    assert_eq!(feed(&mut look, 200, json!({"value":[]})), Read::Next);
    assert_eq!(
        feed(&mut look, 200, json!({"value":[]})),
        Read::End(LookupRead::NotFound)
    );
}

#[test]
fn quotes_in_the_id_are_doubled() {
    let look = GraphLookup::new(&read_write(), "<o'neil@x.example>", false);
    let req = http(look.call(&TOKEN).unwrap());
    assert_eq!(
        query(&req.url)["$filter"],
        "internetMessageId eq '<o''neil@x.example>'"
    );
}

#[test]
fn lookup_failures_are_never_not_found() {
    let look = GraphLookup::new(&send_only(), MID, false);
    assert!(matches!(
        look.call(&TOKEN),
        Err(LookupRead::CannotLook { .. })
    ));
    let cases = [
        (
            respond(
                401,
                &[],
                &graph_error("InvalidAuthenticationToken", "expired"),
            ),
            "secret",
        ),
        (
            respond(
                403,
                &[],
                &graph_error("ErrorAccessDenied", "Access is denied."),
            ),
            "cannot",
        ),
        (
            respond(
                429,
                &[("retry-after", "3")],
                &graph_error("TooManyRequests", "x"),
            ),
            "failed",
        ),
        (respond(503, &[], ""), "failed"),
        (
            respond(
                400,
                &[],
                &graph_error("ErrorInvalidUrlQueryFilter", "bad filter"),
            ),
            "failed",
        ),
        (respond(200, &[], "not json"), "failed"),
    ];
    for (r, want) in cases {
        let mut look = GraphLookup::new(&read_write(), MID, false);
        let Read::End(read) = look.read(Answer::Response(&r)) else {
            panic!("{}", r.status)
        };
        let got = match read {
            LookupRead::SecretRejected => "secret",
            LookupRead::CannotLook { .. } => "cannot",
            LookupRead::Failed { .. } => "failed",
            other => panic!("{}: {other:?}", r.status),
        };
        assert_eq!(got, want, "{}", r.status);
    }
    let mut look = GraphLookup::new(&read_write(), MID, false);
    assert!(matches!(
        look.read(Answer::Transport(TransportFailure::Network)),
        Read::End(LookupRead::Failed { .. })
    ));
}

#[test]
fn contract_paths() {
    assert_eq!(
        contract_path("https://graph.microsoft.com/v1.0/me/sendMail"),
        "/users/{user-id}/microsoft.graph.sendMail"
    );
    assert_eq!(
        contract_path("https://graph.microsoft.com/v1.0/me/messages/a%2Fb/send"),
        "/users/{user-id}/messages/{message-id}/microsoft.graph.send"
    );
    assert_eq!(
        contract_path("https://graph.microsoft.com/v1.0/me/mailFolders/sentitems/messages?$x=1"),
        "/users/{user-id}/mailFolders/{mailFolder-id}/messages"
    );
    assert!(message_property("internetMessageId"));
    assert!(message_property("singleValueExtendedProperties"));
    assert!(message_property("id"));
    assert!(!message_property("deferredSendTime"));
}

// ---- over one request: draft + attachments uploaded ----

/// A multipart email: text, then each `(name, bytes)` attached in base64.
fn with_attachments(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = String::from(
        "From: Bo <bo@contoso.com>\r\nTo: ann@example.com\r\nBcc: carl@example.net\r\nMessage-ID: <k3j4h5.inlay@contoso.com>\r\nSubject: Files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b1\"\r\n\r\n--=_b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi Ann, the files.\r\n",
    );
    for (name, bytes) in files {
        m.push_str(&format!("--=_b1\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"));
        for line in STANDARD.encode(bytes).as_bytes().chunks(76) {
            m.push_str(std::str::from_utf8(line).unwrap());
            m.push_str("\r\n");
        }
    }
    m.push_str("--=_b1--\r\n");
    m.into_bytes()
}

/// Bytes that are not all alike, so a misplaced chunk shows.
fn file(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed)
        .collect()
}

const UPLOAD_URL: &str = "https://outlook.office.com/api/v2.0/Users('x')/Messages('d1')/AttachmentSessions('s1')?authtoken=eyJ";

/// Graph's answer to each call of a large send: draft, session, chunks
/// (200 with the next range, 201 at the end), POSTed attachment, send.
fn graph_answer(req: &HttpRequest) -> HttpResponse {
    if req.method == Method::Put {
        let range = header(req, "Content-Range").unwrap();
        let (span, total) = range
            .strip_prefix("bytes ")
            .unwrap()
            .split_once('/')
            .unwrap();
        let end: u64 = span.split_once('-').unwrap().1.parse().unwrap();
        let total: u64 = total.parse().unwrap();
        return if end + 1 == total {
            respond(201, &[("location", "https://outlook.office.com/x")], "")
        } else {
            respond(
                200,
                &[],
                &json!({"expirationDateTime": "2026-12-06T00:00:00Z", "nextExpectedRanges": [format!("{}", end + 1)]}).to_string(),
            )
        };
    }
    if req.url.ends_with("/createUploadSession") {
        return respond(
            201,
            &[],
            &json!({"uploadUrl": UPLOAD_URL, "expirationDateTime": "2026-12-06T00:00:00Z", "nextExpectedRanges": ["0-"]}).to_string(),
        );
    }
    if req.url.ends_with("/attachments") {
        return respond(201, &[], &json!({"id": "att1"}).to_string());
    }
    if req.url.ends_with("/messages") {
        return respond(201, &[], &json!({"id": "d1", "isDraft": true}).to_string());
    }
    if req.method == Method::Patch {
        return respond(200, &[], &json!({"id": "d1"}).to_string());
    }
    respond(202, &[], "")
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Runs a send against `graph_answer`, checking every Graph request against
/// the OpenAPI description; returns the requests and which delivered.
fn run_large(send: &mut GraphSend, out: &Outgoing) -> (Vec<(HttpRequest, bool)>, SendRead) {
    let mut requests = Vec::new();
    for _ in 0..64 {
        let delivers = send.delivers();
        let req = http(send.call(&TOKEN, out).unwrap());
        if req.url.starts_with("https://graph.microsoft.com/") {
            check_contract(&req);
            check_attachment_body(&req);
        }
        let answer = graph_answer(&req);
        requests.push((req, delivers));
        // Each step's plan survives the JSON the outbox keeps.
        let back: GraphSend = serde_json::from_str(&serde_json::to_string(send).unwrap()).unwrap();
        assert_eq!(&back, send);
        if let Read::End(read) = send.read(Answer::Response(&answer)) {
            return (requests, read);
        }
    }
    panic!("no end after 64 calls");
}

/// `createUploadSession`'s `AttachmentItem` and a POSTed attachment hold
/// only the properties Graph's description gives them.
fn check_attachment_body(req: &HttpRequest) {
    let schemas = &openapi().actions["components"]["schemas"];
    let attachment = &openapi().mail["components"]["schemas"]["microsoft.graph.attachment"]["allOf"]
        [1]["properties"];
    if req.url.ends_with("/createUploadSession") {
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        let item = body["AttachmentItem"].as_object().expect("AttachmentItem");
        for k in item.keys() {
            assert!(
                schemas["microsoft.graph.attachmentItem"]["properties"]
                    .get(k)
                    .is_some(),
                "attachmentItem has no {k}"
            );
        }
        assert_eq!(item["attachmentType"], "file");
    } else if req.url.ends_with("/attachments") {
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        for k in body.as_object().unwrap().keys() {
            // fileAttachment's own (Graph docs): @odata.type, contentBytes, contentId.
            assert!(
                attachment.get(k).is_some()
                    || ["@odata.type", "contentBytes", "contentId"].contains(&k.as_str()),
                "fileAttachment has no {k}"
            );
        }
    }
}

/// The bytes a series of PUTs delivered, in order, each range where the
/// previous one ended.
fn uploaded(puts: &[&HttpRequest]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for put in puts {
        let range = header(put, "Content-Range").unwrap();
        let start: usize = range[6..].split('-').next().unwrap().parse().unwrap();
        assert_eq!(start, bytes.len(), "{range}");
        let chunk = STANDARD
            .decode(put.body_base64.as_deref().unwrap())
            .unwrap();
        assert!(chunk.len() <= 4 * 1024 * 1024);
        bytes.extend(chunk);
    }
    bytes
}

#[test]
fn over_4_mb_the_large_attachment_goes_up_in_chunks_then_the_draft_is_sent() {
    let big = file(5 * 1024 * 1024 + 123, 7);
    let small = file(200_000, 9);
    let mime = with_attachments(&[("deck.pdf", &big), ("notes.txt", &small)]);
    let out = outgoing(&mime, None);
    let mut send = GraphSend::new(&read_write(), &out);
    assert!(!send.delivers(), "a draft first");
    let (reqs, read) = run_large(&mut send, &out);
    assert_eq!(
        read,
        SendRead::Sent {
            provider_id: Some("d1".into()),
            thread_id: None
        }
    );
    let urls: Vec<String> = reqs
        .iter()
        .map(|(r, _)| format!("{:?} {}", r.method, r.url))
        .collect();
    assert_eq!(
        urls,
        [
            "Post https://graph.microsoft.com/v1.0/me/messages",
            "Post https://graph.microsoft.com/v1.0/me/messages/d1/attachments/createUploadSession",
            &format!("Put {UPLOAD_URL}"),
            &format!("Put {UPLOAD_URL}"),
            "Post https://graph.microsoft.com/v1.0/me/messages/d1/send",
        ]
    );
    // Only /send delivers.
    assert_eq!(
        reqs.iter().map(|(_, d)| *d).collect::<Vec<_>>(),
        [false, false, false, false, true]
    );
    // The draft: the MIME without the large attachment, the small one kept.
    let draft = STANDARD.decode(reqs[0].0.body.as_deref().unwrap()).unwrap();
    assert!(draft.len() < 3 * 1024 * 1024);
    let parsed = mail_parser::MessageParser::default().parse(&draft).unwrap();
    let names: Vec<_> = parsed
        .attachments()
        .map(|a| {
            mail_parser::MimeHeaders::attachment_name(a)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert!(String::from_utf8_lossy(&draft).contains("Bcc: carl@example.net"));
    // The session: the attachment as Graph names it.
    let session: Value = serde_json::from_str(reqs[1].0.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        session,
        json!({"AttachmentItem": {"attachmentType": "file", "name": "deck.pdf", "size": big.len(),
            "contentType": "application/octet-stream", "isInline": false}})
    );
    // The chunks: multiples of 320 KiB but the last, no token, byte-identical.
    let puts: Vec<&HttpRequest> = reqs[2..4].iter().map(|(r, _)| r).collect();
    for put in &puts {
        assert_eq!(
            header(put, "Authorization"),
            None,
            "no token to the upload URL"
        );
        assert_eq!(put.body, None);
    }
    assert_eq!(
        header(puts[0], "Content-Range"),
        Some(format!("bytes 0-3932159/{}", big.len()).as_str())
    );
    assert_eq!(
        STANDARD
            .decode(puts[0].body_base64.as_deref().unwrap())
            .unwrap()
            .len()
            % (320 * 1024),
        0
    );
    assert_eq!(uploaded(&puts), big);
}

#[test]
fn small_attachments_leave_by_one_post_each_largest_first_until_the_rest_fits() {
    // Three of 1.4 MB: 4.2 MB of files, 5.7 MB in base64 MIME.
    let files: Vec<Vec<u8>> = (0..3).map(|i| file(1_400_000 + i * 10, i as u8)).collect();
    let mime = with_attachments(&[
        ("a.bin", &files[0]),
        ("b.bin", &files[1]),
        ("c.bin", &files[2]),
    ]);
    let out = outgoing(&mime, None);
    let mut send = GraphSend::new(&read_write(), &out);
    let (reqs, read) = run_large(&mut send, &out);
    assert!(matches!(read, SendRead::Sent { .. }), "{read:?}");
    let posted: Vec<Value> = reqs
        .iter()
        .filter(|(r, _)| r.url.ends_with("/attachments"))
        .map(|(r, _)| serde_json::from_str(r.body.as_deref().unwrap()).unwrap())
        .collect();
    // 4 MB of base64 holds 3 MB of MIME, 2.2 MB of files in base64: two
    // leave, the two largest, attached in the message's order.
    assert_eq!(posted.len(), 2);
    assert_eq!(posted[0]["name"], "b.bin");
    assert_eq!(posted[1]["name"], "c.bin");
    assert_eq!(posted[0]["@odata.type"], "#microsoft.graph.fileAttachment");
    assert_eq!(
        STANDARD
            .decode(posted[1]["contentBytes"].as_str().unwrap())
            .unwrap(),
        files[2]
    );
    assert!(
        !reqs.iter().any(|(r, _)| r.method == Method::Put),
        "no session under 3 MB"
    );
    let draft = STANDARD.decode(reqs[0].0.body.as_deref().unwrap()).unwrap();
    assert!(STANDARD.encode(&draft).len() <= 4 * 1024 * 1024);
}

#[test]
fn a_large_email_for_later_is_uploaded_before_its_time_is_set_and_sent() {
    let big = file(3 * 1024 * 1024 + 1, 3);
    let out = outgoing(&with_attachments(&[("big.bin", &big)]), Some(AT_MS));
    let mut send = GraphSend::new(&read_write(), &out);
    let (reqs, read) = run_large(&mut send, &out);
    assert!(matches!(read, SendRead::Sent { .. }), "{read:?}");
    let kinds: Vec<String> = reqs
        .iter()
        .map(|(r, _)| format!("{:?} {}", r.method, r.url.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            "Post messages",
            "Post createUploadSession",
            &format!("Put {}", UPLOAD_URL.rsplit('/').next().unwrap()),
            "Patch d1",
            "Post send"
        ]
    );
    let puts: Vec<&HttpRequest> = reqs
        .iter()
        .filter(|(r, _)| r.method == Method::Put)
        .map(|(r, _)| r)
        .collect();
    assert_eq!(uploaded(&puts), big);
}

#[test]
fn a_large_email_needs_draft_permission_and_says_so_before_any_call() {
    let out = outgoing(
        &with_attachments(&[("big.bin", &file(4 * 1024 * 1024, 1))]),
        None,
    );
    let err = GraphSend::new(&send_only(), &out)
        .call(&TOKEN, &out)
        .unwrap_err();
    match err {
        SendRead::Permanent { code, message } => {
            assert_eq!(code, "needsDraftPermission");
            assert!(message.contains("over 3 MB only as a draft"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// The DELETE of the half-built draft after a failed attachment, and how
/// the send then ends (whatever the delete answered).
fn discard(send: &mut GraphSend, out: &Outgoing) -> SendRead {
    assert!(!send.delivers());
    let req = http(send.call(&TOKEN, out).unwrap());
    check_contract(&req);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(req.url, "https://graph.microsoft.com/v1.0/me/messages/d1");
    let back: GraphSend = serde_json::from_str(&serde_json::to_string(send).unwrap()).unwrap();
    assert_eq!(&back, send);
    match send.read(Answer::Response(&respond(503, &[], ""))) {
        Read::End(read) => read,
        Read::Next => panic!("one DELETE"),
    }
}

#[test]
fn upload_failures_are_retried_never_unknown_and_the_server_says_where_to_go_on() {
    let big = file(4 * 1024 * 1024, 5);
    let out = outgoing(&with_attachments(&[("big.bin", &big)]), None);
    let start = |send: &mut GraphSend| {
        for answer in [
            respond(201, &[], r#"{"id":"d1"}"#),
            respond(201, &[], &json!({"uploadUrl": UPLOAD_URL}).to_string()),
        ] {
            send.call(&TOKEN, &out).unwrap();
            assert_eq!(send.read(Answer::Response(&answer)), Read::Next);
        }
    };
    for (answer, what) in [
        (respond(503, &[], ""), "5xx"),
        (
            respond(404, &[], &graph_error("ErrorItemNotFound", "gone")),
            "session gone",
        ),
        (respond(401, &[], ""), "upload URL refused"),
    ] {
        let mut send = GraphSend::new(&read_write(), &out);
        start(&mut send);
        assert!(!send.delivers());
        send.call(&TOKEN, &out).unwrap();
        assert_eq!(send.read(Answer::Response(&answer)), Read::Next, "{what}");
        assert!(
            matches!(discard(&mut send, &out), SendRead::Retry { .. }),
            "{what}"
        );
    }
    let mut send = GraphSend::new(&read_write(), &out);
    start(&mut send);
    send.call(&TOKEN, &out).unwrap();
    assert_eq!(
        send.read(Answer::Transport(TransportFailure::Timeout)),
        Read::Next
    );
    assert!(matches!(discard(&mut send, &out), SendRead::Retry { .. }));
    // A session refused as too large: the draft goes, the email fails.
    let mut send = GraphSend::new(&read_write(), &out);
    send.call(&TOKEN, &out).unwrap();
    send.read(Answer::Response(&respond(201, &[], r#"{"id":"d1"}"#)));
    send.call(&TOKEN, &out).unwrap();
    let too_large = respond(
        413,
        &[],
        &graph_error("ErrorAttachmentSizeExceeded", "too big"),
    );
    assert_eq!(send.read(Answer::Response(&too_large)), Read::Next);
    assert!(matches!(
        discard(&mut send, &out),
        SendRead::Permanent { code, .. } if code == "tooLarge"
    ));
    // The server took less than was sent: the next PUT starts where it says.
    let mut send = GraphSend::new(&read_write(), &out);
    start(&mut send);
    send.call(&TOKEN, &out).unwrap();
    let partial = respond(
        200,
        &[],
        &json!({"nextExpectedRanges": ["1000-"]}).to_string(),
    );
    assert_eq!(send.read(Answer::Response(&partial)), Read::Next);
    let next = http(send.call(&TOKEN, &out).unwrap());
    assert_eq!(
        header(&next, "Content-Range"),
        Some(format!("bytes 1000-{}/{}", 1000 + 3_932_160 - 1, big.len()).as_str())
    );
}
