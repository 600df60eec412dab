//! Taking back a scheduled email Microsoft 365 holds for its time
//! (`GraphCancel`): found in the Outbox by `internetMessageId`, then
//! `DELETE /me/messages/{id}`; only the 204 is "cancelled".

use inlay_core::http::{HttpResponse, Method, TransportFailure};
use inlay_core::provider::graph::GraphCancel;
use inlay_core::send::provider::{Answer, Call, CancelRead, CancelSteps, Read, Secret};

const TOKEN: Secret<'static> = Secret::Bearer("tok-1");

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    }
}

fn request(call: Call) -> (Method, String) {
    match call {
        Call::Http(r) => {
            assert!(
                r.headers
                    .iter()
                    .any(|(k, v)| k == "Authorization" && v == "Bearer tok-1")
            );
            (r.method, r.url)
        }
        other => panic!("not HTTP: {other:?}"),
    }
}

fn end(read: Read<CancelRead>) -> CancelRead {
    match read {
        Read::End(read) => read,
        Read::Next => panic!("expected the end"),
    }
}

fn at_delete() -> GraphCancel {
    let mut cancel = GraphCancel::new("m1@acme.example");
    let found = response(200, r#"{"value":[{"id":"AAMk-out/1="}]}"#);
    assert_eq!(cancel.read(Answer::Response(&found)), Read::Next);
    cancel
}

#[test]
fn it_finds_the_email_in_the_outbox_by_internet_message_id_then_deletes_it() {
    let cancel = GraphCancel::new("m1@acme.example");
    let (method, url) = request(cancel.call(&TOKEN).unwrap());
    assert_eq!(method, Method::Get);
    assert_eq!(
        url,
        "https://graph.microsoft.com/v1.0/me/mailFolders/outbox/messages?$filter=internetMessageId%20eq%20%27%3Cm1%40acme.example%3E%27&$select=id"
    );
    let mut cancel = at_delete();
    let (method, url) = request(cancel.call(&TOKEN).unwrap());
    assert_eq!(method, Method::Delete);
    assert_eq!(
        url,
        "https://graph.microsoft.com/v1.0/me/messages/AAMk-out%2F1%3D"
    );
    assert!(!serde_json::to_string(&cancel).unwrap().contains("tok-1"));
    assert_eq!(
        end(cancel.read(Answer::Response(&response(204, "")))),
        CancelRead::Cancelled
    );
}

#[test]
fn not_in_the_outbox_or_a_404_of_the_delete_is_not_waiting() {
    let mut cancel = GraphCancel::new("<m1@acme.example>");
    let none = response(200, r#"{"value":[]}"#);
    assert_eq!(
        end(cancel.read(Answer::Response(&none))),
        CancelRead::NotWaiting
    );
    let mut cancel = at_delete();
    let gone = response(
        404,
        r#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}"#,
    );
    assert_eq!(
        end(cancel.read(Answer::Response(&gone))),
        CancelRead::NotWaiting
    );
}

#[test]
fn a_failure_is_never_cancelled_and_a_404_of_the_search_is_no_proof() {
    for answer in [
        Answer::Transport(TransportFailure::Timeout),
        Answer::Response(&response(503, "")),
    ] {
        let mut cancel = at_delete();
        assert!(matches!(
            end(cancel.read(answer)),
            CancelRead::Failed { .. }
        ));
    }
    let throttled = HttpResponse {
        status: 429,
        headers: vec![("Retry-After".into(), "7".into())],
        body: String::new(),
    };
    let mut cancel = at_delete();
    assert_eq!(
        end(cancel.read(Answer::Response(&throttled))),
        CancelRead::Failed {
            retry_after_ms: Some(7_000),
            message: "Microsoft 365 is limiting requests.".into()
        }
    );
    let mut cancel = GraphCancel::new("m1@acme.example");
    assert!(matches!(
        end(cancel.read(Answer::Response(&response(404, "{}")))),
        CancelRead::Failed { .. }
    ));
    let mut cancel = at_delete();
    assert_eq!(
        end(cancel.read(Answer::Response(&response(401, "")))),
        CancelRead::SecretRejected
    );
}
