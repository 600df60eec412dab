//! Sending through the Gmail and Graph fakes over real sockets: what is delivered is
//! readable at `GET /deliveries`, and `afterAccept` faults lose the answer of a send that
//! was delivered (the cases an outbox must not resend blindly).

#[path = "support/client.rs"]
mod client;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use client::SandboxProcess;

const ANN: &str = "ann@example.com";
const BO: &str = "bo@contoso.com";
const MESSAGE: &str = "From: Ann <ann@example.com>\r\nTo: Bob <bob@example.org>\r\nBcc: carl@example.net\r\nMessage-ID: <s1.inlay@example.com>\r\nSubject: Hello\r\n\r\nHi Bob\r\n";

fn seeded() -> SandboxProcess {
    let sandbox = SandboxProcess::start();
    let seed = json!({"accounts":[
        {"provider":"google","address":ANN,"displayName":"Ann"},
        {"provider":"microsoft","address":BO,"displayName":"Bo"}]});
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    sandbox
}

fn fault(sandbox: &SandboxProcess, fault: Value) {
    let (status, body) = sandbox.control("POST", "/faults", Some(&fault));
    assert_eq!(status, 200, "{body}");
}

fn gmail_send(sandbox: &SandboxProcess) -> std::io::Result<client::HttpResponse> {
    let body = json!({"raw": URL_SAFE_NO_PAD.encode(MESSAGE)}).to_string();
    sandbox.https(
        "gmail.googleapis.com",
        "POST",
        "/gmail/v1/users/me/messages/send",
        &[
            ("Authorization", &format!("Bearer sandbox-token:{ANN}")),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

fn deliveries(sandbox: &SandboxProcess, address: &str) -> Vec<Value> {
    let (status, list) = sandbox.control("GET", &format!("/deliveries?address={address}"), None);
    assert_eq!(status, 200);
    list.as_array().unwrap().clone()
}

#[test]
fn a_gmail_send_is_delivered_once_and_found_by_its_message_id() {
    let sandbox = seeded();
    let r = gmail_send(&sandbox).unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let sent = r.json();
    let list = deliveries(&sandbox, ANN);
    assert_eq!(list.len(), 1);
    let d = &list[0];
    assert_eq!(d["via"], "gmail messages.send");
    assert_eq!(d["messageId"], "<s1.inlay@example.com>");
    assert_eq!(d["storedId"], sent["id"]);
    assert_eq!(
        d["recipients"],
        json!(["bob@example.org", "carl@example.net"])
    );
    assert_eq!(d["raw"], MESSAGE, "Sent keeps the message as handed over");
    assert!(
        !d["transmitted"].as_str().unwrap().contains("carl@"),
        "Bcc is not delivered"
    );

    let auth = format!("Bearer sandbox-token:{ANN}");
    let found = sandbox
        .https(
            "gmail.googleapis.com",
            "GET",
            "/gmail/v1/users/me/messages?q=rfc822msgid%3As1.inlay%40example.com&includeSpamTrash=true",
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(found["messages"][0]["id"], sent["id"]);
    let headers = sandbox
        .https(
            "gmail.googleapis.com",
            "GET",
            &format!(
                "/gmail/v1/users/me/messages/{}?format=metadata&metadataHeaders=Message-ID",
                sent["id"].as_str().unwrap()
            ),
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(
        headers["payload"]["headers"],
        json!([{"name": "Message-ID", "value": "<s1.inlay@example.com>"}])
    );

    assert_eq!(sandbox.control("DELETE", "/deliveries", None).0, 200);
    assert!(deliveries(&sandbox, ANN).is_empty());
}

#[test]
fn after_accept_faults_deliver_then_lose_the_answer() {
    let sandbox = seeded();
    let send_path = "/gmail/v1/users/me/messages/send";
    // Delivered, then the connection closes without a byte of answer.
    fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","pathPrefix":send_path,"times":1,"afterAccept":true,"reset":true}),
    );
    match gmail_send(&sandbox) {
        Err(_) => {}
        Ok(r) => assert_eq!(r.raw_len, 0, "an answer came: {}", r.status),
    }
    assert_eq!(deliveries(&sandbox, ANN).len(), 1);
    // Delivered, then a 503 instead of the answer.
    fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","pathPrefix":send_path,"times":1,"afterAccept":true,"status":503}),
    );
    assert_eq!(gmail_send(&sandbox).unwrap().status, 503);
    assert_eq!(deliveries(&sandbox, ANN).len(), 2);
    // Refused before reading: nothing delivered.
    fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","pathPrefix":send_path,"times":1,"status":429,"headers":{"Retry-After":"7"}}),
    );
    let r = gmail_send(&sandbox).unwrap();
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
    assert_eq!(deliveries(&sandbox, ANN).len(), 2);
    // Delivered, the answer held back past a client's patience.
    fault(
        &sandbox,
        json!({"host":"gmail.googleapis.com","pathPrefix":send_path,"times":1,"afterAccept":true,"delayMs":300}),
    );
    let started = std::time::Instant::now();
    assert_eq!(gmail_send(&sandbox).unwrap().status, 200);
    assert!(started.elapsed().as_millis() >= 300);
    assert_eq!(deliveries(&sandbox, BO).len(), 0);
    let list = deliveries(&sandbox, ANN);
    assert_eq!(list.len(), 3);
    // Each recorded request of a faulted send names its fault.
    let (_, recorded) = sandbox.control("GET", &format!("/requests?pathPrefix={send_path}"), None);
    assert_eq!(recorded.as_array().unwrap().len(), 4);
}

#[test]
fn graph_sendmail_and_a_deferred_draft() {
    let sandbox = seeded();
    let auth = format!("Bearer sandbox-token:{BO}");
    let mime = MESSAGE.replace("ann@example.com", BO);
    let post = |path: &str, content_type: &str, body: &[u8]| {
        sandbox
            .https(
                "graph.microsoft.com",
                "POST",
                path,
                &[("Authorization", &auth), ("Content-Type", content_type)],
                body,
            )
            .unwrap()
    };
    let r = post(
        "/v1.0/me/sendMail",
        "text/plain",
        STANDARD.encode(&mime).as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let bad = post("/v1.0/me/sendMail", "text/plain", b"not base64!");
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json()["error"]["code"],
        "ErrorMimeContentInvalidBase64String"
    );

    let found = sandbox
        .https(
            "graph.microsoft.com",
            "GET",
            "/v1.0/me/mailFolders/sentitems/messages?$filter=internetMessageId%20eq%20%27%3Cs1.inlay%40example.com%3E%27&$select=id,conversationId",
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap()
        .json();
    let hits = found["value"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["conversationId", "id"]
    );

    let draft = post(
        "/v1.0/me/messages",
        "text/plain",
        STANDARD.encode(&mime).as_bytes(),
    );
    assert_eq!(draft.status, 201);
    let id = draft.json()["id"].as_str().unwrap().to_owned();
    let encoded = inlay_sandbox::http::form_encode(&id);
    let patch = sandbox
        .https(
            "graph.microsoft.com",
            "PATCH",
            &format!("/v1.0/me/messages/{encoded}"),
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            json!({"singleValueExtendedProperties":[{"id":"SystemTime 0x3FEF","value":"2030-01-01T08:00:00Z"}]})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(patch.status, 200);
    assert_eq!(
        deliveries(&sandbox, BO).len(),
        1,
        "a draft is not a delivery"
    );
    let send = format!("/v1.0/me/messages/{encoded}/send");
    assert_eq!(post(&send, "application/json", b"").status, 202);
    // Sent drafts leave Drafts: a second send finds nothing.
    let again = post(&send, "application/json", b"");
    assert_eq!(
        (again.status, again.json()["error"]["code"].clone()),
        (404, json!("ErrorItemNotFound"))
    );
    // Held until its time: not delivered yet.
    let list = deliveries(&sandbox, BO);
    assert_eq!(list.len(), 1, "a deferred send waits for its time");
    assert_eq!(list[0]["deliverAt"], Value::Null);
    // The sandbox clock passes its time: delivered, once.
    let (status, _) = sandbox.control("POST", "/clock", Some(&json!({"advanceSeconds": 200_000_000})));
    assert_eq!(status, 200);
    let list = deliveries(&sandbox, BO);
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["via"], "graph send (deferred)");
    assert_eq!(list[1]["deliverAt"], "2030-01-01T08:00:00Z");
    assert_eq!(deliveries(&sandbox, BO).len(), 2, "delivered once");
}

#[test]
fn a_gmail_that_rewrites_the_message_id_keeps_other_headers() {
    let sandbox = SandboxProcess::start();
    let seed =
        json!({"accounts":[{"provider":"google","address":ANN,"gmailRewritesMessageId":true}]});
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    let message = MESSAGE.replace(
        "Subject:",
        "X-Inlay-Send-Id: <s1.inlay@example.com>\r\nSubject:",
    );
    let body = json!({"raw": URL_SAFE_NO_PAD.encode(&message)}).to_string();
    let auth = format!("Bearer sandbox-token:{ANN}");
    let r = sandbox
        .https(
            "gmail.googleapis.com",
            "POST",
            "/gmail/v1/users/me/messages/send",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    let d = &deliveries(&sandbox, ANN)[0];
    let id = d["messageId"].as_str().unwrap();
    assert!(id.ends_with("@mail.gmail.com>"), "{id}");
    assert!(
        d["raw"]
            .as_str()
            .unwrap()
            .contains("X-Inlay-Send-Id: <s1.inlay@example.com>\r\n")
    );
    let search = sandbox
        .https(
            "gmail.googleapis.com",
            "GET",
            "/gmail/v1/users/me/messages?q=rfc822msgid%3As1.inlay%40example.com",
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap()
        .json();
    assert_eq!(search["resultSizeEstimate"], 0);
    assert!(search.get("messages").is_none());
}

#[test]
fn from_must_be_the_account_or_an_alias() {
    let sandbox = SandboxProcess::start();
    let seed = json!({"accounts":[
        {"provider":"google","address":ANN,"aliases":["sales@example.com"]},
        {"provider":"microsoft","address":BO,"aliases":["team@contoso.com"]}]});
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    let gmail = |from: &str| {
        let raw = MESSAGE.replace("Ann <ann@example.com>", from);
        let body = json!({"raw": URL_SAFE_NO_PAD.encode(raw)}).to_string();
        let r = sandbox
            .https(
                "gmail.googleapis.com",
                "POST",
                "/gmail/v1/users/me/messages/send",
                &[
                    ("Authorization", &format!("Bearer sandbox-token:{ANN}")),
                    ("Content-Type", "application/json"),
                ],
                body.as_bytes(),
            )
            .unwrap();
        assert_eq!(r.status, 200);
        let list = deliveries(&sandbox, ANN);
        list.last().unwrap()["raw"].as_str().unwrap().to_owned()
    };
    assert!(gmail("Sales <sales@example.com>").starts_with("From: Sales <sales@example.com>\r\n"));
    // Not a send-as address: Gmail sends from the primary address.
    let raw = gmail("Mallory <boss@example.net>");
    assert!(
        raw.starts_with("From: ann@example.com\r\n") && !raw.contains("boss@"),
        "{raw}"
    );

    let graph = |from: &str| {
        let raw = MESSAGE.replace("Ann <ann@example.com>", from);
        sandbox
            .https(
                "graph.microsoft.com",
                "POST",
                "/v1.0/me/sendMail",
                &[
                    ("Authorization", &format!("Bearer sandbox-token:{BO}")),
                    ("Content-Type", "text/plain"),
                ],
                STANDARD.encode(raw).as_bytes(),
            )
            .unwrap()
    };
    assert_eq!(graph("Team <team@contoso.com>").status, 202);
    let refused = graph("boss@example.net");
    assert_eq!(
        (refused.status, refused.json()["error"]["code"].clone()),
        (403, json!("ErrorSendAsDenied"))
    );
    assert_eq!(deliveries(&sandbox, BO).len(), 1);
}
