//! Exchange's send and Sent lookup for the outbox (`EwsSend`, `EwsLookup`):
//! the planned `CreateItem` (deferred time on the item itself) and
//! `FindItem` on Message-ID, and every answer read into what the outbox
//! decides on. The bodies themselves are validated against the XSDs in
//! provider_ews_schema.rs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use inlay_core::http::{HttpResponse, Method, TransportFailure};
use inlay_core::provider::ews::{EwsLookup, EwsSend, EwsTarget};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, LookupRead, LookupSteps, Read, Secret, SendRead, SendSteps,
};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const SECRET: Secret<'static> = Secret::Password {
    username: "CONTOSO\\ana",
    password: "pw é",
};

fn target() -> EwsTarget {
    EwsTarget {
        ews_url: URL.into(),
    }
}

fn outgoing(deliver_at_ms: Option<u64>) -> Outgoing {
    Outgoing {
        message_id: "<x1@contoso.com>".into(),
        mime: b"Message-ID: <x1@contoso.com>\r\nBcc: hidden@example.org\r\nSubject: hi\r\n\r\nhello\r\n"
            .to_vec(),
        transmitted: Some(b"Message-ID: <x1@contoso.com>\r\nSubject: hi\r\n\r\nhello\r\n".to_vec()),
        envelope_from: "ana@contoso.com".into(),
        recipients: vec!["bo@example.org".into(), "hidden@example.org".into()],
        thread_id: None,
        deliver_at_ms,
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ews/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

fn body_of(call: Call) -> (String, Vec<(String, String)>) {
    match call {
        Call::Http(request) => {
            assert_eq!((request.method, request.url.as_str()), (Method::Post, URL));
            (request.body.unwrap(), request.headers)
        }
        other => panic!("not an HTTP call: {other:?}"),
    }
}

fn send_read(answer: Answer<'_>) -> SendRead {
    let mut send = EwsSend::new(&target(), &outgoing(None));
    match send.read(answer) {
        Read::End(read) => read,
        Read::Next => panic!("EWS sends in one call"),
    }
}

fn send_read_body(status: u16, body: &str) -> SendRead {
    send_read(Answer::Response(&response(status, &[], body)))
}

#[test]
fn the_one_call_sends_the_whole_mime_and_keeps_a_copy_in_sent_items() {
    let out = outgoing(None);
    let send = EwsSend::new(&target(), &out);
    assert!(send.delivers());
    let (body, headers) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains(r#"<m:CreateItem MessageDisposition="SendAndSaveCopy">"#));
    assert!(body.contains(
        r#"<m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId>"#
    ));
    // The Bcc travels to Exchange (it drops it before delivery and keeps it in Sent).
    let mime = STANDARD.encode(&out.mime);
    assert!(body.contains(&format!(">{mime}</t:MimeContent>")), "{body}");
    assert!(!body.contains("ExtendedProperty"), "{body}");
    let auth = headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(
        auth,
        format!("Basic {}", STANDARD.encode("CONTOSO\\ana:pw é"))
    );
    // Persisted between calls: the password and the message are not in it.
    let saved = serde_json::to_string(&send).unwrap();
    assert!(!saved.contains("pw") && !saved.contains("hello"), "{saved}");
    assert_eq!(serde_json::from_str::<EwsSend>(&saved).unwrap(), send);
}

#[test]
fn a_scheduled_email_carries_its_deferred_send_time_on_the_same_item() {
    let out = outgoing(Some(1_796_463_018_500));
    let send = EwsSend::new(&target(), &out);
    let (body, _) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains(
        r#"<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="16367" PropertyType="SystemTime"/><t:Value>2026-12-05T09:30:18Z</t:Value></t:ExtendedProperty></t:Message>"#
    ), "{body}");
    // Still the one SendAndSaveCopy: Exchange holds it, no second call.
    assert_eq!(body.matches("<m:CreateItem ").count(), 1);
    assert!(body.contains(r#"MessageDisposition="SendAndSaveCopy""#));
}

#[test]
fn an_oauth_token_is_not_an_exchange_password() {
    let out = outgoing(None);
    let send = EwsSend::new(&target(), &out);
    match send.call(&Secret::Bearer("ya29"), &out) {
        Err(SendRead::Permanent { code, message }) => {
            assert_eq!(code, "wrongSecret");
            assert!(message.contains("Reconnect"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_error_is_sent() {
    assert_eq!(
        send_read_body(200, &fixture("create-item-response.xml")),
        SendRead::Sent {
            provider_id: None,
            thread_id: None
        }
    );
}

#[test]
fn a_busy_server_refused_before_sending_retries_after_its_back_off() {
    // In the response message, with HTTP 200.
    assert_eq!(
        send_read_body(200, &fixture("create-item-error-server-busy.xml")),
        SendRead::Retry {
            retry_after_ms: Some(5_000),
            message: "Exchange is busy; the email was not sent yet".into()
        }
    );
    // As a SOAP fault with HTTP 500: still a refusal before any work.
    match send_read_body(500, &fixture("fault-server-busy.xml")) {
        SendRead::Retry { retry_after_ms, .. } => assert_eq!(retry_after_ms, Some(297_749)),
        other => panic!("{other:?}"),
    }
    // 429 with Retry-After in seconds.
    let limited = response(429, &[("retry-after", "7")], "");
    match send_read(Answer::Response(&limited)) {
        SendRead::Retry { retry_after_ms, .. } => assert_eq!(retry_after_ms, Some(7_000)),
        other => panic!("{other:?}"),
    }
    // As an HTTP-date: read against the answer's own Date (the server's
    // clock), 90 s; without a Date no time is guessed.
    let dated = response(
        429,
        &[
            ("date", "Sat, 05 Dec 2026 23:00:00 GMT"),
            ("retry-after", "Sat, 05 Dec 2026 23:01:30 GMT"),
        ],
        "",
    );
    match send_read(Answer::Response(&dated)) {
        SendRead::Retry { retry_after_ms, .. } => assert_eq!(retry_after_ms, Some(90_000)),
        other => panic!("{other:?}"),
    }
    let undated = response(429, &[("retry-after", "Sat, 05 Dec 2026 23:01:30 GMT")], "");
    match send_read(Answer::Response(&undated)) {
        SendRead::Retry { retry_after_ms, .. } => assert_eq!(retry_after_ms, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_password_asks_for_it_again() {
    assert_eq!(send_read_body(401, ""), SendRead::SecretRejected);
}

#[test]
fn no_answer_or_a_server_error_after_the_call_left_is_unknown() {
    let cases = [
        Answer::Transport(TransportFailure::Timeout),
        Answer::Transport(TransportFailure::Network),
        Answer::Response(&response(500, &[], "<html>Internal Server Error</html>")),
        Answer::Response(&response(503, &[], "")),
        Answer::Response(&response(200, &[], "<html>proxy login</html>")),
        Answer::Response(&response(200, &[], "")),
    ];
    for answer in cases {
        let shown = format!("{answer:?}");
        match send_read(answer) {
            SendRead::Unknown { message } => {
                assert!(message.contains("mail.contoso.com"), "{message}");
                assert!(message.contains("may have been sent"), "{message}");
            }
            other => panic!("{shown}: {other:?}"),
        }
    }
    // Exchange's own internal error may come after the hand-over too.
    assert!(matches!(
        send_read_body(200, &fixture("create-item-error-internal-server.xml")),
        SendRead::Unknown { .. }
    ));
}

#[test]
fn refusals_of_the_message_itself_are_permanent_in_words() {
    for (file, code, words) in [
        (
            "create-item-error-message-size-exceeded.xml",
            "messageTooLarge",
            "too large",
        ),
        (
            "create-item-error-send-as-denied.xml",
            "sendAsDenied",
            "Send As permission",
        ),
        (
            "fault-schema-validation.xml",
            "ewsError",
            "ErrorSchemaValidation",
        ),
    ] {
        match send_read_body(
            if file.starts_with("fault") { 500 } else { 200 },
            &fixture(file),
        ) {
            SendRead::Permanent { code: got, message } => {
                assert_eq!(got, code, "{file}");
                assert!(message.contains(words), "{file}: {message}");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
    match send_read_body(403, "") {
        SendRead::Permanent { code, .. } => assert_eq!(code, "forbidden"),
        other => panic!("{other:?}"),
    }
}

fn lookup_read(answer: Answer<'_>) -> LookupRead {
    let mut lookup = EwsLookup::new(&target(), "<x1@contoso.com>");
    match lookup.read(answer) {
        Read::End(read) => read,
        Read::Next => panic!("one FindItem"),
    }
}

fn lookup_body(status: u16, body: &str) -> LookupRead {
    lookup_read(Answer::Response(&response(status, &[], body)))
}

#[test]
fn the_lookup_searches_sent_items_and_the_outbox_for_the_message_id() {
    let lookup = EwsLookup::new(&target(), "<x1&\"@contoso.com>");
    let (body, _) = body_of(lookup.call(&SECRET).unwrap());
    assert!(body.contains(
        r#"<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="message:InternetMessageId"/><t:FieldURIOrConstant><t:Constant Value="&lt;x1&amp;&quot;@contoso.com&gt;"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>"#
    ), "{body}");
    assert!(body.contains(
        r#"<m:ParentFolderIds><t:DistinguishedFolderId Id="sentitems"/><t:DistinguishedFolderId Id="outbox"/></m:ParentFolderIds>"#
    ), "{body}");
    let saved = serde_json::to_string(&lookup).unwrap();
    assert!(!saved.contains("pw"), "{saved}");
}

#[test]
fn found_in_sent_items_or_waiting_in_the_outbox_is_found() {
    for (file, id) in [
        ("find-item-message-id-in-sent.xml", "AAMkSent1="),
        ("find-item-message-id-in-outbox.xml", "AAMkOutbox1="),
    ] {
        assert_eq!(
            lookup_body(200, &fixture(file)),
            LookupRead::Found {
                provider_id: Some(id.into()),
                thread_id: None
            },
            "{file}"
        );
    }
}

#[test]
fn only_a_search_of_every_folder_that_worked_is_not_found() {
    assert_eq!(
        lookup_body(200, &fixture("find-item-message-id-none.xml")),
        LookupRead::NotFound
    );
    // One folder's answer only: nothing is known.
    let half = fixture("find-item-message-id-none.xml");
    let cut =
        half.find("</m:FindItemResponseMessage>").unwrap() + "</m:FindItemResponseMessage>".len();
    let end =
        half.rfind("</m:FindItemResponseMessage>").unwrap() + "</m:FindItemResponseMessage>".len();
    let half = format!("{}{}", &half[..cut], &half[end..]);
    assert!(
        matches!(lookup_body(200, &half), LookupRead::Failed { .. }),
        "{half}"
    );
    for answer in [
        Answer::Transport(TransportFailure::Timeout),
        Answer::Transport(TransportFailure::Network),
        Answer::Response(&response(500, &[], "<html/>")),
        Answer::Response(&response(200, &[], "<html>proxy</html>")),
    ] {
        let shown = format!("{answer:?}");
        match lookup_read(answer) {
            LookupRead::Failed { message, .. } => {
                assert!(
                    message.starts_with("Inlay couldn't search Sent Items"),
                    "{message}"
                )
            }
            other => panic!("{shown}: {other:?}"),
        }
    }
    match lookup_body(500, &fixture("fault-server-busy.xml")) {
        LookupRead::Failed { retry_after_ms, .. } => assert_eq!(retry_after_ms, Some(297_749)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_password_or_folder_is_said() {
    assert_eq!(lookup_body(401, ""), LookupRead::SecretRejected);
    match lookup_body(200, &fixture("find-item-error-access-denied.xml")) {
        LookupRead::CannotLook { message } => {
            assert!(message.contains("check your Sent Items"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
