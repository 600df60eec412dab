//! The core's Exchange send and Sent lookup against the EWS fake over real TLS, with the
//! faults an outbox must survive: accept-then-drop (the answer lost after delivery), a
//! 5xx after accepting, and `ErrorServerBusy` with `BackOffMilliseconds` before anything
//! is delivered. What was delivered is counted at `GET /deliveries`.

#[path = "support/client.rs"]
mod client;

use client::SandboxProcess;
use inlay_core::http::{HttpResponse, TransportFailure};
use inlay_core::provider::ews::{EwsCancel, EwsLookup, EwsSend, EwsTarget};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};
use serde_json::{Value, json};

const ANA: &str = "ana@contoso-exchange.example";
const HOST: &str = "mail.contoso-exchange.example";
const PATH: &str = "/EWS/Exchange.asmx";
const SECRET: Secret<'static> = Secret::Password {
    username: ANA,
    password: "pw",
};

fn seeded() -> SandboxProcess {
    let sandbox = SandboxProcess::start();
    let seed = json!({"accounts":[{"provider":"exchange","address":ANA,"password":"pw"}]});
    assert_eq!(sandbox.control("POST", "/seed", Some(&seed)).0, 200);
    sandbox
}

fn target() -> EwsTarget {
    EwsTarget {
        ews_url: format!("https://{HOST}{PATH}"),
    }
}

fn outgoing(n: u32, deliver_at_ms: Option<u64>) -> Outgoing {
    let message_id = format!("<s{n}.inlay@contoso-exchange.example>");
    let mime = format!(
        "From: Ana <{ANA}>\r\nTo: Ben <ben@fabrikam.example>\r\nBcc: cy@fabrikam.example\r\n\
         Message-ID: {message_id}\r\nSubject: Hello {n}\r\n\r\nHi Ben\r\n"
    );
    Outgoing {
        message_id,
        mime: mime.into_bytes(),
        transmitted: None,
        envelope_from: ANA.into(),
        recipients: vec!["ben@fabrikam.example".into(), "cy@fabrikam.example".into()],
        thread_id: None,
        deliver_at_ms,
    }
}

/// Makes the call as the worker would; a connection closed without an answer is a
/// transport failure.
fn run(sandbox: &SandboxProcess, call: Call) -> Result<HttpResponse, TransportFailure> {
    let Call::Http(request) = call else {
        panic!("EWS calls are HTTP")
    };
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match sandbox.https(
        HOST,
        "POST",
        PATH,
        &headers,
        request.body.unwrap().as_bytes(),
    ) {
        Ok(r) if r.raw_len > 0 => Ok(HttpResponse {
            status: r.status,
            headers: r.headers.clone(),
            body: String::from_utf8(r.body).unwrap(),
        }),
        _ => Err(TransportFailure::Network),
    }
}

/// Saves the draft, then sends it; `fault` is set just before the delivering SendItem.
fn send_faulted(sandbox: &SandboxProcess, out: &Outgoing, fault_spec: Option<Value>) -> SendRead {
    let mut steps = EwsSend::new(&target(), out);
    loop {
        if let Some(spec) = fault_spec.clone().filter(|_| steps.delivers()) {
            fault(sandbox, spec);
        }
        let answer = run(sandbox, steps.call(&SECRET, out).unwrap());
        let read = match &answer {
            Ok(response) => steps.read(Answer::Response(response)),
            Err(failure) => steps.read(Answer::Transport(*failure)),
        };
        match read {
            Read::End(read) => return read,
            Read::Next => assert!(steps.delivers(), "a draft, then SendItem"),
        }
    }
}

fn send(sandbox: &SandboxProcess, out: &Outgoing) -> SendRead {
    send_faulted(sandbox, out, None)
}

fn lookup(sandbox: &SandboxProcess, out: &Outgoing) -> LookupRead {
    let mut steps = EwsLookup::new(&target(), &out.message_id);
    let response = run(sandbox, steps.call(&SECRET).unwrap()).expect("the lookup is answered");
    match steps.read(Answer::Response(&response)) {
        Read::End(read) => read,
        Read::Next => panic!("one call"),
    }
}

fn deliveries(sandbox: &SandboxProcess) -> Vec<Value> {
    let (status, list) = sandbox.control(
        "GET",
        &format!("/deliveries?provider=exchange&address={ANA}"),
        None,
    );
    assert_eq!(status, 200);
    list.as_array().unwrap().clone()
}

fn fault(sandbox: &SandboxProcess, fault: Value) {
    let (status, body) = sandbox.control("POST", "/faults", Some(&fault));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_send_is_delivered_once_without_bcc_and_found_in_sent_items() {
    let sandbox = seeded();
    let out = outgoing(1, None);
    assert_eq!(lookup(&sandbox, &out), LookupRead::NotFound);
    assert!(matches!(send(&sandbox, &out), SendRead::Sent { .. }));
    let list = deliveries(&sandbox);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["via"], "ews SendItem");
    assert_eq!(list[0]["messageId"], out.message_id);
    assert_eq!(list[0]["raw"], String::from_utf8(out.mime.clone()).unwrap());
    assert!(!list[0]["transmitted"].as_str().unwrap().contains("cy@"));
    assert_eq!(list[0]["deliverAt"], Value::Null);
    assert!(matches!(lookup(&sandbox, &out), LookupRead::Found { .. }));
}

#[test]
fn a_lost_answer_is_unknown_and_the_lookup_finds_the_delivered_email() {
    let sandbox = seeded();
    // Accepted, then the connection closes without a byte of answer.
    // SendItem accepted, then the connection closes without a byte of answer.
    let first = outgoing(1, None);
    let reset = json!({"host":HOST,"pathPrefix":PATH,"times":1,"afterAccept":true,"reset":true});
    assert!(matches!(
        send_faulted(&sandbox, &first, Some(reset.clone())),
        SendRead::Unknown { .. }
    ));
    assert_eq!(deliveries(&sandbox).len(), 1);
    assert!(matches!(lookup(&sandbox, &first), LookupRead::Found { .. }));
    // SendItem accepted, then a 503 instead of the answer.
    let second = outgoing(2, None);
    assert!(matches!(
        send_faulted(
            &sandbox,
            &second,
            Some(json!({"host":HOST,"pathPrefix":PATH,"times":1,"afterAccept":true,"status":503}))
        ),
        SendRead::Unknown { .. }
    ));
    assert_eq!(deliveries(&sandbox).len(), 2);
    assert!(matches!(
        lookup(&sandbox, &second),
        LookupRead::Found { .. }
    ));
    // The draft's answer lost: nothing delivered, safe to make again.
    fault(&sandbox, reset);
    let third = outgoing(3, None);
    assert!(matches!(send(&sandbox, &third), SendRead::Retry { .. }));
    assert_eq!(deliveries(&sandbox).len(), 2);
    assert!(matches!(send(&sandbox, &third), SendRead::Sent { .. }));
    assert_eq!(deliveries(&sandbox).len(), 3);
}

#[test]
fn a_busy_server_delivers_nothing_and_names_its_pause() {
    let sandbox = seeded();
    fault(
        &sandbox,
        json!({"host":HOST,"pathPrefix":PATH,"times":1,"ewsServerBusyMs":5000}),
    );
    let out = outgoing(1, None);
    assert_eq!(
        send(&sandbox, &out),
        SendRead::Retry {
            retry_after_ms: Some(5000),
            message: "Exchange is busy; the email was not sent yet".into()
        }
    );
    assert!(deliveries(&sandbox).is_empty());
    assert_eq!(lookup(&sandbox, &out), LookupRead::NotFound);
    // The fault was used up: the same call now sends.
    assert!(matches!(send(&sandbox, &out), SendRead::Sent { .. }));
    assert_eq!(deliveries(&sandbox).len(), 1);
}

#[test]
fn a_scheduled_send_waits_in_the_outbox_and_is_found_there() {
    let sandbox = seeded();
    let later = 4_102_444_799_000; // 2099-12-31T23:59:59Z
    let out = outgoing(1, Some(later));
    assert!(matches!(send(&sandbox, &out), SendRead::Sent { .. }));
    assert!(deliveries(&sandbox).is_empty(), "held until its time");
    // Not in Sent Items yet, but the lookup sees it waiting: never "not found".
    assert!(matches!(lookup(&sandbox, &out), LookupRead::Found { .. }));
    // A time already past goes at once, to Sent Items.
    let past = outgoing(2, Some(1_000));
    assert!(matches!(send(&sandbox, &past), SendRead::Sent { .. }));
    assert_eq!(deliveries(&sandbox)[0]["deliverAt"], "1970-01-01T00:00:01Z");
    assert!(matches!(lookup(&sandbox, &past), LookupRead::Found { .. }));
}

/// The core's cancel of a deferred email, call by call, as the worker makes it.
fn cancel(sandbox: &SandboxProcess, out: &Outgoing) -> CancelRead {
    let mut steps = EwsCancel::new(&target().ews_url, &out.message_id);
    loop {
        let response = run(sandbox, steps.call(&SECRET).unwrap()).expect("answered");
        match steps.read(Answer::Response(&response)) {
            Read::End(read) => return read,
            Read::Next => {}
        }
    }
}

#[test]
fn a_deferred_email_deleted_from_the_outbox_before_its_time_is_never_delivered() {
    let sandbox = seeded();
    let later = 4_102_444_799_000; // 2099-12-31T23:59:59Z
    let (kept, cancelled) = (outgoing(1, Some(later)), outgoing(2, Some(later)));
    assert!(matches!(send(&sandbox, &kept), SendRead::Sent { .. }));
    assert!(matches!(send(&sandbox, &cancelled), SendRead::Sent { .. }));
    assert_eq!(cancel(&sandbox, &cancelled), CancelRead::Cancelled);
    // Gone from the Outbox: a second cancel finds nothing to delete.
    assert_eq!(cancel(&sandbox, &cancelled), CancelRead::NotWaiting);
    // The sandbox clock passes their time: only the one kept is delivered, once.
    let (status, _) = sandbox.control("POST", "/clock", Some(&json!({"advanceSeconds": 2_500_000_000u64})));
    assert_eq!(status, 200);
    let list = deliveries(&sandbox);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["messageId"], kept.message_id.as_str());
    assert_eq!(list[0]["via"], "ews SendItem (deferred)");
    // Delivered: no longer in the Outbox, so too late to cancel.
    assert_eq!(cancel(&sandbox, &kept), CancelRead::NotWaiting);
    assert_eq!(deliveries(&sandbox).len(), 1);
}
