//! The outbox through the real providers' plans (`send::SendTarget`):
//! Gmail, Microsoft Graph (now, and deferred through a draft) and EWS, from
//! the entry the shell stores to the calls the worker makes.

use inlay_core::http::{HttpResponse, Method};
use inlay_core::machine::{Input, Machine, Moment};
use inlay_core::outbox::{
    LOOKUP_GRACE_MS, NewEmail, OutboxEntry, OutboxMachine, OutboxPurpose, OutboxStep, SecretAnswer,
};
use inlay_core::send::SendTarget;
use serde_json::{Value, json};

const T0: u64 = 1_780_000_000_000;
const RANDOM: [u8; 4] = [0; 4];

fn at(now_ms: u64) -> Moment<'static> {
    Moment {
        now_ms,
        random: &RANDOM,
    }
}

fn entry(target: Value, scheduled_at_ms: Option<u64>) -> OutboxEntry<SendTarget> {
    OutboxEntry::new(NewEmail {
        id: "ob-1".into(),
        target: serde_json::from_value(target).unwrap(),
        message_id: "<m1@acme.example>".into(),
        envelope_from: "ann@acme.example".into(),
        recipients: vec!["bob@example.com".into()],
        thread_id: None,
        subject: "Hi".into(),
        scheduled_at_ms,
        created_at_ms: T0,
    })
}

fn machine(entry: OutboxEntry<SendTarget>) -> OutboxMachine<SendTarget> {
    let mime = b"Message-ID: <m1@acme.example>\r\nFrom: ann@acme.example\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\nHello\r\n".to_vec();
    OutboxMachine::new(entry, mime, None)
}

fn secret(json: Value) -> Input<SecretAnswer> {
    Input::Answer {
        answer: serde_json::from_value(json).unwrap(),
    }
}

fn bearer() -> Input<SecretAnswer> {
    secret(json!({"kind": "bearer", "token": "tok"}))
}

fn reply(status: u16, body: Value) -> Input<SecretAnswer> {
    Input::Response {
        response: HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: if body.is_null() {
                String::new()
            } else {
                body.to_string()
            },
        },
    }
}

/// The call's method, URL and purpose.
fn call(step: &OutboxStep) -> (Method, String, OutboxPurpose) {
    match step {
        OutboxStep::Http { request, purpose } => (request.method, request.url.clone(), *purpose),
        other => panic!("not a request: {other:?}"),
    }
}

fn state_kind(m: &OutboxMachine<SendTarget>) -> String {
    m.entry().state.kind().into()
}

#[test]
fn gmail_sends_in_one_delivering_call_and_keeps_its_ids() {
    let mut m = machine(entry(
        json!({"kind": "google", "grantedScopes": ["https://www.googleapis.com/auth/gmail.send"]}),
        None,
    ));
    m.start(at(T0));
    let step = m.resume(bearer(), at(T0));
    let (method, url, purpose) = call(&step);
    assert_eq!((method, purpose), (Method::Post, OutboxPurpose::Deliver));
    assert!(
        url.contains("gmail.googleapis.com") && url.contains("messages/send"),
        "{url}"
    );
    assert_eq!(state_kind(&m), "sending");
    let step = m.resume(
        reply(
            200,
            json!({"id": "gm-1", "threadId": "th-1", "labelIds": ["SENT"]}),
        ),
        at(T0),
    );
    let OutboxStep::Done { result } = step else {
        panic!("{step:?}")
    };
    assert_eq!(
        serde_json::to_value(result).unwrap(),
        json!({"kind": "sent", "atMs": T0, "providerId": "gm-1", "threadId": "th-1", "byUser": false})
    );
}

#[test]
fn a_send_only_gmail_inbox_in_doubt_is_left_to_the_user() {
    let mut m = machine(entry(
        json!({"kind": "google", "grantedScopes": ["gmail.send"]}),
        None,
    ));
    m.start(at(T0));
    m.resume(bearer(), at(T0));
    let step = m.resume(
        reply(
            503,
            json!({"error": {"code": 503, "message": "Backend Error"}}),
        ),
        at(T0),
    );
    assert!(
        matches!(step, OutboxStep::Wait { until_ms, .. } if until_ms == T0 + LOOKUP_GRACE_MS),
        "{step:?}"
    );
    m.resume(Input::Timer, at(T0 + LOOKUP_GRACE_MS));
    let step = m.resume(bearer(), at(T0 + LOOKUP_GRACE_MS));
    assert!(matches!(step, OutboxStep::Done { .. }), "{step:?}");
    assert_eq!(state_kind(&m), "needsUser");
}

#[test]
fn microsoft_defers_a_scheduled_email_through_a_draft_never_send_mail() {
    let target = json!({"kind": "microsoft", "grantedScopes": ["Mail.Send", "Mail.ReadWrite"]});
    let deliver_at = T0 + 3_600_000;
    let mut m = machine(entry(target, Some(deliver_at)));
    assert!(matches!(m.start(at(T0)), OutboxStep::Ask { .. }));
    let mut purposes = vec![];
    let mut step = m.resume(bearer(), at(T0));
    let answers = [
        reply(201, json!({"id": "draft-1", "isDraft": true})),
        reply(200, json!({"id": "draft-1"})),
        reply(202, Value::Null),
    ];
    for answer in answers {
        let (method, url, purpose) = call(&step);
        assert!(!url.ends_with("/sendMail"), "{url}");
        purposes.push((method, purpose));
        assert_eq!(
            state_kind(&m),
            if purpose == OutboxPurpose::Deliver {
                "sending"
            } else {
                "queued"
            }
        );
        step = m.resume(answer, at(T0));
        if let OutboxStep::Ask { .. } = step {
            step = m.resume(bearer(), at(T0));
        }
    }
    assert_eq!(
        purposes,
        [
            (Method::Post, OutboxPurpose::Prepare),
            (Method::Patch, OutboxPurpose::Prepare),
            (Method::Post, OutboxPurpose::Deliver)
        ]
    );
    let OutboxStep::Done { result } = step else {
        panic!("{step:?}")
    };
    assert_eq!(serde_json::to_value(result).unwrap()["kind"], "handedOver");
    assert_eq!(
        serde_json::to_value(&m.entry().state).unwrap()["deliverAtMs"],
        deliver_at
    );
}

#[test]
fn microsoft_now_is_one_send_mail_and_a_lost_answer_is_looked_up() {
    let mut m = machine(entry(
        json!({"kind": "microsoft", "grantedScopes": ["Mail.Send", "Mail.Read"]}),
        None,
    ));
    m.start(at(T0));
    let (_, url, purpose) = call(&m.resume(bearer(), at(T0)));
    assert!(url.ends_with("/me/sendMail"), "{url}");
    assert_eq!(purpose, OutboxPurpose::Deliver);
    // The worker stops: on restart, a lookup in Sent Items, not a resend.
    let json = serde_json::to_string(m.entry()).unwrap();
    let mut again = machine(serde_json::from_str(&json).unwrap());
    let now = T0 + LOOKUP_GRACE_MS;
    assert!(matches!(again.start(at(now)), OutboxStep::Ask { .. }));
    let (method, url, purpose) = call(&again.resume(bearer(), at(now)));
    assert_eq!((method, purpose), (Method::Get, OutboxPurpose::Lookup));
    assert!(
        url.contains("sentitems") && url.contains("internetMessageId"),
        "{url}"
    );
    let step = again.resume(
        reply(
            200,
            json!({"value": [{"id": "s-1", "conversationId": "c-1"}]}),
        ),
        at(now),
    );
    assert!(matches!(step, OutboxStep::Done { .. }), "{step:?}");
    assert_eq!(state_kind(&again), "sent");
}

#[test]
fn exchange_saves_a_draft_with_its_deferred_time_then_sends_it_by_id() {
    let target =
        json!({"kind": "exchange", "ewsUrl": "https://mail.acme.example/EWS/Exchange.asmx"});
    let mut m = machine(entry(target, Some(T0 + 60_000)));
    m.start(at(T0));
    let password = || secret(json!({"kind": "password", "username": "ann", "password": "pw"}));
    let step = m.resume(password(), at(T0));
    let OutboxStep::Http { request, purpose } = &step else {
        panic!("{step:?}")
    };
    // The draft delivers nothing (a browser's re-send of it leaves a stray draft).
    assert_eq!(*purpose, OutboxPurpose::Prepare);
    assert_eq!(request.url, "https://mail.acme.example/EWS/Exchange.asmx");
    let body = request.body.as_deref().unwrap_or_default();
    assert!(body.contains(r#"MessageDisposition="SaveOnly""#), "{body}");
    // PidTagDeferredSendTime (0x3FEF) on the draft, at the scheduled time.
    assert!(body.contains("PropertyTag=\"16367\""), "{body}");
    let saved = Input::Response {
        response: HttpResponse {
            status: 200,
            headers: vec![],
            body: std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/ews/create-item-save-only-response.xml"
            ))
            .unwrap(),
        },
    };
    let mut step = m.resume(saved, at(T0));
    if let OutboxStep::Ask { .. } = step {
        step = m.resume(password(), at(T0));
    }
    let OutboxStep::Http { request, purpose } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*purpose, OutboxPurpose::Deliver);
    let body = request.body.as_deref().unwrap_or_default();
    assert!(body.contains(r#"<t:ItemId Id="AAMkDraft1=""#), "{body}");
    assert!(body.contains("<m:SendItem "), "{body}");
    // The entry names no password.
    assert!(!serde_json::to_string(m.entry()).unwrap().contains("pw\""));
}

#[test]
fn targets_cross_as_tagged_camel_case_objects() {
    for target in [
        json!({"kind": "google", "grantedScopes": []}),
        json!({"kind": "microsoft", "grantedScopes": ["Mail.Send"]}),
        json!({"kind": "exchange", "ewsUrl": "https://x.example/EWS/Exchange.asmx"}),
    ] {
        let read: SendTarget = serde_json::from_value(target.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), target);
    }
    let imap: SendTarget = serde_json::from_value(imap_target()).unwrap();
    assert_eq!(serde_json::to_value(imap).unwrap()["appendToSent"], true);
    assert!(serde_json::from_value::<SendTarget>(json!({"kind": "imap"})).is_err());
    assert!(serde_json::from_value::<SendTarget>(json!({"kind": "pop3"})).is_err());
}

fn imap_target() -> Value {
    json!({"kind": "imap", "settings": {
        "imap": {"host": "imap.acme.example", "port": 993, "security": "implicitTls", "username": "ann"},
        "smtp": {"host": "smtp.acme.example", "port": 465, "security": "implicitTls", "username": "ann"},
        "sameCredentials": true,
    }, "appendToSent": true})
}

#[test]
fn imap_sends_through_the_helper_and_looks_in_sent_through_it() {
    let mut m = machine(entry(imap_target(), None));
    m.start(at(T0));
    let password = json!({"kind": "password", "username": "ann", "password": "SECRET-pw"});
    let step = m.resume(secret(password.clone()), at(T0));
    let OutboxStep::Helper { call, purpose } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*purpose, OutboxPurpose::Deliver);
    assert_eq!(serde_json::to_value(call).unwrap()["op"], "send");
    assert!(!serde_json::to_string(m.entry()).unwrap().contains("SECRET"));
    // The server took the message but never confirmed it: unknown, then a
    // sentLookup.
    let step = m.resume(
        Input::HelperFailed {
            code: "sendUnconfirmed".into(),
            message: String::new(),
            certificate: None,
        },
        at(T0),
    );
    let OutboxStep::Wait { until_ms, .. } = step else {
        panic!("{step:?}")
    };
    m.resume(Input::Timer, at(until_ms));
    let step = m.resume(secret(password), at(until_ms));
    let OutboxStep::Helper { call, purpose } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*purpose, OutboxPurpose::Lookup);
    assert_eq!(serde_json::to_value(call).unwrap()["op"], "sentLookup");
}

#[test]
fn an_imap_inbox_whose_smtp_server_has_its_own_password_gets_both() {
    let mut target = imap_target();
    target["settings"]["smtp"]["username"] = json!("ann-smtp");
    target["settings"]["sameCredentials"] = json!(false);
    let mut m = machine(entry(target, None));
    m.start(at(T0));
    let both = json!({"kind": "mailPasswords", "imap": "SECRET-imap", "smtp": "SECRET-smtp"});
    let step = m.resume(secret(both), at(T0));
    let OutboxStep::Helper { call, purpose } = &step else {
        panic!("{step:?}")
    };
    assert_eq!(*purpose, OutboxPurpose::Deliver);
    let call = serde_json::to_value(call).unwrap();
    assert_eq!(call["args"]["smtp"]["password"], "SECRET-smtp");
    assert_eq!(call["args"]["imap"]["password"], "SECRET-imap");
    assert!(!serde_json::to_string(m.entry()).unwrap().contains("SECRET"));
    assert_eq!(
        format!(
            "{:?}",
            serde_json::from_value::<SecretAnswer>(
                json!({"kind": "mailPasswords", "imap": "SECRET-imap", "smtp": "SECRET-smtp"})
            )
            .unwrap()
        ),
        "MailPasswords(<secret>, <secret>)"
    );
}

#[test]
fn a_gmail_email_in_doubt_is_found_by_its_send_id_when_gmail_replaced_its_message_id() {
    let mime = b"Message-ID: <m1@acme.example>\r\nX-Inlay-Send-Id: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\r\nFrom: ann@acme.example\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\nHello\r\n".to_vec();
    let mut m = OutboxMachine::new(
        entry(
            json!({"kind": "google", "grantedScopes": ["gmail.send", "gmail.readonly"]}),
            None,
        ),
        mime,
        None,
    );
    m.start(at(T0));
    m.resume(bearer(), at(T0));
    // The answer to the send is lost: a lookup, after the grace.
    m.resume(
        Input::Transport {
            failure: inlay_core::http::TransportFailure::Timeout,
        },
        at(T0),
    );
    m.resume(Input::Timer, at(T0 + LOOKUP_GRACE_MS));
    let step = m.resume(bearer(), at(T0 + LOOKUP_GRACE_MS));
    assert!(call(&step).1.contains("rfc822msgid"), "{step:?}");
    // Gmail gave the message its own Message-ID: the search by ours is empty.
    let step = answer(&mut m, reply(200, json!({"resultSizeEstimate": 0})));
    assert!(call(&step).1.contains("in%3Asent"), "{step:?}");
    let step = answer(
        &mut m,
        reply(200, json!({"messages": [{"id": "g1", "threadId": "t1"}]})),
    );
    assert!(call(&step).1.contains("/g1?format=metadata"), "{step:?}");
    let step = answer(
        &mut m,
        reply(
            200,
            json!({"id": "g1", "threadId": "t1", "internalDate": (T0 + 1).to_string(),
                   "payload": {"headers": [
                       {"name": "Message-ID", "value": "<CAgmail-own@mail.gmail.com>"},
                       {"name": "X-Inlay-Send-Id", "value": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}]}}),
        ),
    );
    assert!(matches!(step, OutboxStep::Done { .. }), "{step:?}");
    assert_eq!(state_kind(&m), "sent");
}

/// Resumes with `input`, handing a token when the machine asks for one.
fn answer(m: &mut OutboxMachine<SendTarget>, input: Input<SecretAnswer>) -> OutboxStep {
    let now = at(T0 + LOOKUP_GRACE_MS);
    match m.resume(input, now) {
        OutboxStep::Ask { .. } => m.resume(bearer(), now),
        step => step,
    }
}
