//! Exactly once through the real providers' plans (Gmail, Graph now and
//! deferred, EWS, IMAP through the helper): whatever the answers, stops and
//! restarts, once a delivering call got an answer that leaves it in doubt
//! (no answer, a 5xx, the helper's `sendUnconfirmed`) or the worker stopped
//! while it was out, no delivering call follows while every Sent lookup
//! fails. This checks each provider's reading of its answers as much as the
//! machine: an ambiguous answer must read as unknown, never as a retry.

use inlay_core::http::{HttpResponse, TransportFailure};
use inlay_core::machine::{Input, Machine, Moment};
use inlay_core::outbox::{
    NewEmail, OutboxEntry, OutboxMachine, OutboxPurpose, OutboxStep, SecretAnswer,
};
use inlay_core::send::SendTarget;
use proptest::prelude::*;
use serde_json::json;

const T0: u64 = 1_780_000_000_000;
const RANDOM: [u8; 4] = [0x55; 4];

fn at(now_ms: u64) -> Moment<'static> {
    Moment {
        now_ms,
        random: &RANDOM,
    }
}

fn target(which: u8) -> SendTarget {
    serde_json::from_value(match which {
        0 => json!({"kind": "google", "grantedScopes": ["https://www.googleapis.com/auth/gmail.modify"]}),
        1 => json!({"kind": "microsoft", "grantedScopes": ["Mail.Send", "Mail.ReadWrite"]}),
        2 => json!({"kind": "exchange", "ewsUrl": "https://mail.acme.example/EWS/Exchange.asmx"}),
        _ => json!({"kind": "imap", "settings": {
            "imap": {"host": "imap.acme.example", "port": 993, "security": "implicitTls", "username": "ann"},
            "smtp": {"host": "smtp.acme.example", "port": 465, "security": "implicitTls", "username": "ann"},
            "sameCredentials": true}, "appendToSent": true}),
    })
    .unwrap()
}

#[derive(Debug, Clone)]
enum Event {
    Stop,
    /// An answer: 0 transport failure (HTTP) or the helper's `code` by index.
    Answer(u16),
    Later(u64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        1 => Just(Event::Stop),
        6 => prop::sample::select(vec![0u16, 401, 429, 500, 502, 503, 504]).prop_map(Event::Answer),
        1 => (0u64..3_600_000).prop_map(Event::Later),
    ]
}

const HELPER_CODES: [(u16, &str); 7] = [
    (0, "bridgeTimeout"),
    (401, "wrongPassword"),
    (429, "temporaryFailure"),
    (500, "sendUnconfirmed"),
    (502, "bridgeClosed"),
    (503, "connectFailed"),
    (504, "timeout"),
];

fn answer(status: u16, helper: bool) -> Input<SecretAnswer> {
    if helper {
        let code = HELPER_CODES.iter().find(|(s, _)| *s == status).unwrap().1;
        return Input::HelperFailed {
            code: code.into(),
            message: String::new(),
            certificate: None,
        };
    }
    match status {
        0 => Input::Transport {
            failure: TransportFailure::Timeout,
        },
        status => Input::Response {
            response: HttpResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: json!({"error": {"code": "ServerBusy", "message": "busy"}}).to_string(),
            },
        },
    }
}

/// What leaves a delivering call in doubt, as every provider must read it.
fn ambiguous(status: u16, helper: bool) -> bool {
    if helper {
        matches!(status, 0 | 500 | 502)
    } else {
        matches!(status, 0 | 500 | 502 | 503 | 504)
    }
}

fn secret(helper_or_ews: bool) -> Input<SecretAnswer> {
    let answer = if helper_or_ews {
        json!({"kind": "password", "username": "ann", "password": "pw"})
    } else {
        json!({"kind": "bearer", "token": "tok"})
    };
    Input::Answer {
        answer: serde_json::from_value(answer).unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn an_email_in_doubt_is_never_delivered_again_while_lookups_fail(
        which in 0u8..4,
        scheduled in prop::option::of(0u64..7_200_000),
        events in prop::collection::vec(event(), 0..60),
    ) {
        let helper = which == 3;
        let password = which >= 2;
        let entry = OutboxEntry::new(NewEmail {
            id: "ob-1".into(),
            target: target(which),
            message_id: "<m1@acme.example>".into(),
            envelope_from: "ann@acme.example".into(),
            recipients: vec!["bob@example.com".into()],
            thread_id: None,
            subject: "Hi".into(),
            scheduled_at_ms: scheduled.map(|s| T0 + s),
            created_at_ms: T0,
        });
        let mime = b"Message-ID: <m1@acme.example>\r\nFrom: ann@acme.example\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\nHello\r\n".to_vec();
        let mut now = T0;
        let mut m = OutboxMachine::new(entry, mime.clone(), None);
        let mut step = m.start(at(now));
        let mut persisted = serde_json::to_string(m.entry()).unwrap();
        let mut in_doubt = false;
        let mut pending: Option<OutboxPurpose> = None;
        for event in events.iter().chain(std::iter::repeat_n(&Event::Answer(503), 200)) {
            if step.is_final() && !matches!(event, Event::Stop) {
                continue;
            }
            step = match (event, &step) {
                (Event::Stop, _) => {
                    if pending == Some(OutboxPurpose::Deliver) {
                        in_doubt = true;
                    }
                    m = OutboxMachine::new(serde_json::from_str(&persisted).unwrap(), mime.clone(), None);
                    m.start(at(now))
                }
                (Event::Later(ms), _) => {
                    now += ms;
                    continue;
                }
                (_, OutboxStep::Ask { .. }) => m.resume(secret(password), at(now)),
                (_, OutboxStep::Wait { until_ms, .. }) => {
                    now = now.max(*until_ms);
                    m.resume(Input::Timer, at(now))
                }
                (Event::Answer(status), OutboxStep::Http { .. } | OutboxStep::Helper { .. }) => {
                    if pending == Some(OutboxPurpose::Deliver) && ambiguous(*status, helper) {
                        in_doubt = true;
                    }
                    m.resume(answer(*status, helper), at(now))
                }
                _ => continue,
            };
            now += 1;
            persisted = serde_json::to_string(m.entry()).unwrap();
            pending = match &step {
                OutboxStep::Http { purpose, .. } | OutboxStep::Helper { purpose, .. } => Some(*purpose),
                _ => None,
            };
            if pending == Some(OutboxPurpose::Deliver) {
                prop_assert!(!in_doubt, "delivered again while in doubt: {:?}", m.entry().state);
            }
            if let OutboxStep::Failed { error } = &step {
                prop_assert_ne!(&error.code, "unexpectedInput");
            }
        }
        prop_assert!(step.is_final(), "no end: {step:?}");
    }
}
