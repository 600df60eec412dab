//! The core's Exchange send and Sent lookup (`inlay_core::provider::ews::{EwsSend,
//! EwsLookup}`) against the EWS fake, in process: the core plans each request, the fake
//! answers, the core reads the answer. Every body both sides wrote is validated against
//! messages.xsd.

#[path = "support/ews_schema.rs"]
mod ews_schema;

use inlay_core::http::HttpResponse;
use inlay_core::provider::ews::{EwsCancel, EwsLookup, EwsSend, EwsTarget};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};
use inlay_sandbox::hosts::dispatch;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::http::Request;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::json;

const ANA: &str = "ana@contoso-exchange.example";
const URL: &str = "https://mail.contoso-exchange.example/EWS/Exchange.asmx";
const SECRET: Secret<'static> = Secret::Password {
    username: ANA,
    password: "pw",
};

struct Harness {
    sb: Sandbox,
    docs: Vec<(String, String)>,
}

impl Harness {
    fn new() -> Self {
        let sb = Sandbox::new(IspDb::default());
        sb.state()
            .seed(
                serde_json::from_value(json!({"accounts":[
                    {"provider":"exchange","address":ANA,"password":"pw","exchangeVersion":"Exchange2016"}]}))
                .unwrap(),
            )
            .unwrap();
        Harness { sb, docs: vec![] }
    }

    /// Runs one planned call through the fake and returns the answer as the shell would.
    fn run(&mut self, name: &str, call: Call) -> HttpResponse {
        let Call::Http(request) = call else {
            panic!("EWS calls are HTTP")
        };
        assert_eq!(request.url, URL);
        let body = request.body.clone().unwrap();
        let mut req = Request::new(
            "POST",
            "mail.contoso-exchange.example",
            "/EWS/Exchange.asmx",
        )
        .with_body(body.clone());
        for (k, v) in &request.headers {
            req = req.with_header(k, v);
        }
        let response = dispatch(&req, &self.sb);
        let text = String::from_utf8(response.body.clone()).unwrap();
        let n = self.docs.len();
        self.docs.push((format!("{n:02}-request-{name}"), body));
        self.docs
            .push((format!("{n:02}-response-{name}"), text.clone()));
        HttpResponse {
            status: response.status,
            headers: response.headers.clone(),
            body: text,
        }
    }

    /// Saves the draft (CreateItem SaveOnly), then sends it (SendItem).
    fn send(&mut self, out: &Outgoing) -> SendRead {
        let mut send = EwsSend::new(&target(), out);
        let response = self.run("create-item", send.call(&SECRET, out).unwrap());
        assert!(!send.delivers());
        assert_eq!(send.read(Answer::Response(&response)), Read::Next);
        assert!(send.delivers());
        let response = self.run("send-item", send.call(&SECRET, out).unwrap());
        match send.read(Answer::Response(&response)) {
            Read::End(read) => read,
            Read::Next => panic!("SendItem is the last call"),
        }
    }

    fn delivered(&self) -> usize {
        let state = self.sb.state();
        let account = state
            .account(inlay_sandbox::state::Provider::Exchange, ANA)
            .unwrap();
        account.mailbox.deliveries.len()
    }

    /// The cancel of a deferred email: FindItem in the Outbox, then DeleteItem.
    fn cancel(&mut self, message_id: &str) -> CancelRead {
        let mut cancel = EwsCancel::new(URL, message_id);
        for name in ["find-item-outbox", "delete-item"] {
            let response = self.run(name, cancel.call(&SECRET).unwrap());
            if let Read::End(read) = cancel.read(Answer::Response(&response)) {
                return read;
            }
        }
        panic!("more than two calls")
    }

    fn lookup(&mut self, message_id: &str) -> LookupRead {
        let mut lookup = EwsLookup::new(&target(), message_id);
        let response = self.run("find-item", lookup.call(&SECRET).unwrap());
        match lookup.read(Answer::Response(&response)) {
            Read::End(read) => read,
            Read::Next => panic!("one call"),
        }
    }
}

fn target() -> EwsTarget {
    EwsTarget {
        ews_url: URL.into(),
    }
}

fn outgoing(message_id: &str) -> Outgoing {
    let mime = format!(
        "From: Ana <{ANA}>\r\nTo: ben@fabrikam.example\r\nBcc: cy@fabrikam.example\r\n\
         Subject: Caf\u{e9}\r\nMessage-ID: {message_id}\r\n\r\nhi\r\n"
    );
    Outgoing {
        message_id: message_id.into(),
        mime: mime.into_bytes(),
        transmitted: None,
        envelope_from: ANA.into(),
        recipients: vec!["ben@fabrikam.example".into(), "cy@fabrikam.example".into()],
        thread_id: None,
        deliver_at_ms: None,
    }
}

#[test]
fn a_send_is_found_by_its_message_id_and_nothing_else_is() {
    let mut h = Harness::new();
    // Before the send, a search that ran and found nothing in either folder.
    assert_eq!(
        h.lookup("<one@contoso-exchange.example>"),
        LookupRead::NotFound
    );
    assert_eq!(
        h.send(&outgoing("<one@contoso-exchange.example>")),
        SendRead::Sent {
            provider_id: None,
            thread_id: None
        }
    );
    match h.lookup("<one@contoso-exchange.example>") {
        LookupRead::Found {
            provider_id: Some(id),
            ..
        } => assert!(!id.is_empty()),
        other => panic!("{other:?}"),
    }
    for other in [
        "<two@contoso-exchange.example>",
        "<one@contoso-exchange.exampl>",
    ] {
        assert_eq!(h.lookup(other), LookupRead::NotFound, "{other}");
    }
    h.sb.state()
        .account(inlay_sandbox::state::Provider::Exchange, ANA)
        .map(|a| {
            let sent: Vec<_> = a
                .mailbox
                .messages
                .iter()
                .filter(|m| m.label_ids.iter().any(|l| l == "SENT"))
                .collect();
            assert_eq!(sent.len(), 1);
            // Sent keeps the Bcc.
            assert!(String::from_utf8_lossy(&sent[0].raw).contains("Bcc: cy@fabrikam.example"));
        })
        .unwrap();
    h.validate("ews-send-found");
}

#[test]
fn a_draft_delivers_nothing_and_a_repeated_send_item_finds_no_draft() {
    let mut h = Harness::new();
    let out = outgoing("<twice@contoso-exchange.example>");
    let mut send = EwsSend::new(&target(), &out);
    // The browser's own re-send of the draft's request: two drafts, no email.
    let draft_call = send.call(&SECRET, &out).unwrap();
    let _stray = h.run("create-item", draft_call.clone());
    let response = h.run("create-item-again", draft_call);
    assert_eq!(h.delivered(), 0);
    assert_eq!(h.lookup(&out.message_id), LookupRead::NotFound);
    assert_eq!(send.read(Answer::Response(&response)), Read::Next);
    // SendItem reaches Exchange twice (the first answer lost): delivered once.
    let send_call = send.call(&SECRET, &out).unwrap();
    let _lost = h.run("send-item", send_call.clone());
    let again = h.run("send-item-again", send_call);
    assert!(again.body.contains("ErrorItemNotFound"), "{}", again.body);
    assert_eq!(h.delivered(), 1);
    match send.read(Answer::Response(&again)) {
        Read::End(SendRead::Unknown { message }) => {
            assert!(message.contains("ErrorItemNotFound"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        h.lookup(&out.message_id),
        LookupRead::Found { .. }
    ));
    {
        let state = h.sb.state();
        let account = state
            .account(inlay_sandbox::state::Provider::Exchange, ANA)
            .unwrap();
        assert_eq!(account.mailbox.deliveries[0].via, "ews SendItem");
        let labels: Vec<_> = account
            .mailbox
            .messages
            .iter()
            .map(|m| m.label_ids[0].as_str())
            .collect();
        assert_eq!(
            labels,
            ["DRAFT", "SENT"],
            "the stray draft, and the one sent"
        );
    }
    h.validate("ews-send-twice");
}

#[test]
fn a_wrong_password_is_asked_again() {
    let h = Harness::new();
    let out = outgoing("<one@contoso-exchange.example>");
    let send = EwsSend::new(&target(), &out);
    let wrong = Secret::Password {
        username: ANA,
        password: "nope",
    };
    let Call::Http(request) = send.call(&wrong, &out).unwrap() else {
        panic!()
    };
    let mut req = Request::new(
        "POST",
        "mail.contoso-exchange.example",
        "/EWS/Exchange.asmx",
    )
    .with_body(request.body.unwrap());
    for (k, v) in &request.headers {
        req = req.with_header(k, v);
    }
    let response = dispatch(&req, &h.sb);
    let response = HttpResponse {
        status: response.status,
        headers: response.headers.clone(),
        body: String::from_utf8(response.body).unwrap(),
    };
    let mut send = send;
    assert_eq!(
        send.read(Answer::Response(&response)),
        Read::End(SendRead::SecretRejected)
    );
}

#[test]
fn a_deferred_send_waits_in_the_outbox_until_its_time_and_busy_faults_validate() {
    use inlay_sandbox::state::Provider;
    let mut h = Harness::new();
    let mut out = outgoing("<later@contoso-exchange.example>");
    out.deliver_at_ms = Some(4_102_444_799_000);
    assert!(matches!(h.send(&out), SendRead::Sent { .. }));
    let labels = |h: &Harness| {
        let state = h.sb.state();
        let m = &state
            .account(Provider::Exchange, ANA)
            .unwrap()
            .mailbox
            .messages[0];
        (m.label_ids.clone(), m.deferred_until.clone())
    };
    assert_eq!(
        labels(&h),
        (
            vec!["OUTBOX".to_string()],
            Some("2099-12-31T23:59:59Z".to_string())
        )
    );
    assert!(matches!(
        h.lookup(&out.message_id),
        LookupRead::Found { .. }
    ));
    // Its time comes: the next request finds it in Sent Items.
    h.sb.state()
        .account_mut(Provider::Exchange, ANA)
        .unwrap()
        .mailbox
        .messages[0]
        .deferred_until = Some("2000-01-01T00:00:00Z".into());
    assert!(matches!(
        h.lookup(&out.message_id),
        LookupRead::Found { .. }
    ));
    assert_eq!(labels(&h).0, vec!["SENT".to_string()]);
    let busy = inlay_sandbox::hosts::ews::server_busy(5000);
    assert_eq!(busy.status, 500);
    h.docs
        .push(("busy-fault".into(), String::from_utf8(busy.body).unwrap()));
    h.validate("ews-send-deferred");
}

impl Harness {
    /// `tag`: tests run in parallel, each validates in its own folder.
    fn validate(&self, tag: &str) {
        ews_schema::validate(tag, &self.docs);
    }
}

#[test]
fn a_deferred_send_cancelled_in_the_outbox_is_never_delivered_and_the_calls_validate() {
    use inlay_sandbox::state::Provider;
    let mut h = Harness::new();
    let mut out = outgoing("<cancel-me@contoso-exchange.example>");
    out.deliver_at_ms = Some(4_102_444_799_000);
    assert!(matches!(h.send(&out), SendRead::Sent { .. }));
    assert_eq!(h.delivered(), 0, "held until its time");
    assert_eq!(h.cancel(&out.message_id), CancelRead::Cancelled);
    // Nothing left to delete, and its time passing delivers nothing.
    assert_eq!(h.cancel(&out.message_id), CancelRead::NotWaiting);
    h.sb.state().oauth.advance(2_500_000_000);
    assert!(matches!(h.lookup(&out.message_id), LookupRead::NotFound));
    assert_eq!(h.delivered(), 0);
    assert!(
        h.sb.state()
            .account(Provider::Exchange, ANA)
            .unwrap()
            .mailbox
            .messages
            .is_empty()
    );
    h.validate("ews-send-cancel");
}
