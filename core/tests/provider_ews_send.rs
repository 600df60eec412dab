//! Exchange's send and Sent lookup for the outbox (`EwsSend`, `EwsLookup`):
//! the planned `CreateItem SaveOnly` (deferred time on the draft) then
//! `SendItem`, and `FindItem` on Message-ID, and every answer of each call
//! read into what the outbox decides on. The bodies themselves are validated against the XSDs in
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

/// The send after its draft was saved: the next call is `SendItem`.
fn at_send_item(out: &Outgoing) -> EwsSend {
    let mut send = EwsSend::new(&target(), out);
    let saved = response(200, &[], &fixture("create-item-save-only-response.xml"));
    assert_eq!(send.read(Answer::Response(&saved)), Read::Next);
    send
}

/// How `SendItem`'s answer ends the send.
fn send_read(answer: Answer<'_>) -> SendRead {
    let mut send = at_send_item(&outgoing(None));
    match send.read(answer) {
        Read::End(read) => read,
        Read::Next => panic!("SendItem is the last call"),
    }
}

fn send_read_body(status: u16, body: &str) -> SendRead {
    send_read(Answer::Response(&response(status, &[], body)))
}

/// How the draft's answer ends the send (when it does).
fn draft_read(answer: Answer<'_>) -> Read<SendRead> {
    EwsSend::new(&target(), &outgoing(None)).read(answer)
}

fn draft_read_body(status: u16, body: &str) -> Read<SendRead> {
    draft_read(Answer::Response(&response(status, &[], body)))
}

#[test]
fn a_draft_is_saved_first_without_delivering_then_sent_by_id() {
    let out = outgoing(None);
    let mut send = EwsSend::new(&target(), &out);
    assert!(!send.delivers(), "saving a draft delivers nothing");
    let (body, headers) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(
        body.contains(r#"<m:CreateItem MessageDisposition="SaveOnly">"#),
        "{body}"
    );
    assert!(body.contains(
        r#"<m:SavedItemFolderId><t:DistinguishedFolderId Id="drafts"/></m:SavedItemFolderId>"#
    ));
    assert!(!body.contains("SendAndSaveCopy") && !body.contains("SendItem"));
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

    let saved = response(200, &[], &fixture("create-item-save-only-response.xml"));
    assert_eq!(send.read(Answer::Response(&saved)), Read::Next);
    assert!(send.delivers(), "SendItem is the delivering call");
    assert_eq!(send.draft().map(|d| d.id.as_str()), Some("AAMkDraft1="));
    let (body, _) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains(
        r#"<m:SendItem SaveItemToFolder="true"><m:ItemIds><t:ItemId Id="AAMkDraft1=" ChangeKey="CQAAABYAAAD1"/></m:ItemIds><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId></m:SendItem>"#
    ), "{body}");
    assert!(!body.contains("MimeContent"), "{body}");
    // Persisted between calls with the draft's id: not the password nor the message.
    let saved = serde_json::to_string(&send).unwrap();
    assert!(!saved.contains("pw") && !saved.contains("hello"), "{saved}");
    assert!(saved.contains("AAMkDraft1="), "{saved}");
    assert_eq!(serde_json::from_str::<EwsSend>(&saved).unwrap(), send);
    let sent = response(200, &[], &fixture("send-item-response.xml"));
    assert_eq!(
        send.read(Answer::Response(&sent)),
        Read::End(SendRead::Sent {
            provider_id: None,
            thread_id: None
        })
    );
}

#[test]
fn a_send_persisted_before_drafts_reads_as_saving_one() {
    let old: EwsSend = serde_json::from_str(&format!(r#"{{"ewsUrl":"{URL}"}}"#)).unwrap();
    assert_eq!(old, EwsSend::new(&target(), &outgoing(None)));
    assert!(!old.delivers());
}

#[test]
fn a_scheduled_email_carries_its_deferred_send_time_on_the_draft() {
    let out = outgoing(Some(1_796_463_018_500));
    let send = EwsSend::new(&target(), &out);
    let (body, _) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains(
        r#"<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="16367" PropertyType="SystemTime"/><t:Value>2026-12-05T09:30:18Z</t:Value></t:ExtendedProperty></t:Message>"#
    ), "{body}");
    assert!(body.contains(r#"MessageDisposition="SaveOnly""#));
    // SendItem then hands that draft over; Exchange holds it until its time.
    let send = at_send_item(&out);
    let (body, _) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains("<m:SendItem "), "{body}");
}

#[test]
fn an_oauth_token_is_not_an_exchange_password() {
    let out = outgoing(None);
    for send in [EwsSend::new(&target(), &out), at_send_item(&out)] {
        match send.call(&Secret::Bearer("ya29"), &out) {
            Err(SendRead::Permanent { code, message }) => {
                assert_eq!(code, "wrongSecret");
                assert!(message.contains("Reconnect"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn no_answer_to_the_draft_is_retried_never_unknown() {
    // Nothing was delivered whatever happened: at worst a stray draft.
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
        match draft_read(answer) {
            Read::End(SendRead::Retry {
                retry_after_ms: None,
                message,
            }) => {
                assert!(message.contains("mail.contoso.com"), "{message}");
                assert!(message.contains("draft"), "{message}");
            }
            other => panic!("{shown}: {other:?}"),
        }
    }
    for file in [
        "create-item-error-internal-server.xml",
        // Success naming no draft: nothing to send; save another.
        "create-item-response.xml",
    ] {
        assert!(
            matches!(
                draft_read_body(200, &fixture(file)),
                Read::End(SendRead::Retry { .. })
            ),
            "{file}"
        );
    }
    // A retried draft starts over with a new draft (never SendItem of nothing).
    let out = outgoing(None);
    let mut send = EwsSend::new(&target(), &out);
    let _ = send.read(Answer::Transport(TransportFailure::Network));
    assert!(!send.delivers());
    let (body, _) = body_of(send.call(&SECRET, &out).unwrap());
    assert!(body.contains(r#"MessageDisposition="SaveOnly""#));
}

#[test]
fn refusals_of_the_draft_are_said() {
    assert_eq!(
        draft_read_body(200, &fixture("create-item-error-server-busy.xml")),
        Read::End(SendRead::Retry {
            retry_after_ms: Some(5_000),
            message: "Exchange is busy; the email was not sent yet".into()
        })
    );
    match draft_read_body(500, &fixture("fault-server-busy.xml")) {
        Read::End(SendRead::Retry { retry_after_ms, .. }) => {
            assert_eq!(retry_after_ms, Some(297_749))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        draft_read_body(401, ""),
        Read::End(SendRead::SecretRejected)
    );
    for (file, code) in [
        (
            "create-item-error-message-size-exceeded.xml",
            "messageTooLarge",
        ),
        ("create-item-error-send-as-denied.xml", "sendAsDenied"),
    ] {
        match draft_read_body(200, &fixture(file)) {
            Read::End(SendRead::Permanent { code: got, .. }) => assert_eq!(got, code, "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn no_error_from_send_item_is_sent() {
    assert_eq!(
        send_read_body(200, &fixture("send-item-response.xml")),
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
        send_read_body(200, &fixture("send-item-error-server-busy.xml")),
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
fn no_answer_or_a_server_error_after_send_item_left_is_unknown() {
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
        send_read_body(200, &fixture("send-item-error-internal-server-error.xml")),
        SendRead::Unknown { .. }
    ));
}

#[test]
fn a_draft_already_gone_is_unknown_never_a_reason_to_send_again() {
    // A browser's own re-send of SendItem: the first copy sent the draft,
    // the second finds none. Most likely sent: the Sent lookup decides.
    match send_read_body(200, &fixture("send-item-error-item-not-found.xml")) {
        SendRead::Unknown { message } => {
            assert!(message.contains("ErrorItemNotFound"), "{message}");
            assert!(message.contains("Sent Items"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let malformed = fixture("send-item-error-item-not-found.xml")
        .replace("ErrorItemNotFound", "ErrorInvalidIdMalformed");
    assert!(matches!(
        send_read_body(200, &malformed),
        SendRead::Unknown { .. }
    ));
    // For the draft itself the same code is no delivery: a plain refusal.
    let on_draft = fixture("send-item-error-item-not-found.xml").replace("SendItem", "CreateItem");
    assert!(matches!(
        draft_read_body(200, &on_draft),
        Read::End(SendRead::Permanent { .. })
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
        // Exchange may refuse at SendItem (Send As is checked on submission).
        let body = fixture(file).replace("CreateItem", "SendItem");
        match send_read_body(if file.starts_with("fault") { 500 } else { 200 }, &body) {
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
