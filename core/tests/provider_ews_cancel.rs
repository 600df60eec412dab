//! Taking back a scheduled email Exchange holds for its time (`EwsCancel`):
//! `FindItem` of its Message-ID in the Outbox, then `DeleteItem` `HardDelete`
//! of what was found; only `NoError` of the delete is "cancelled". The
//! bodies are validated against the XSDs in provider_ews_schema.rs.

use inlay_core::http::{HttpResponse, Method, TransportFailure};
use inlay_core::provider::ews::EwsCancel;
use inlay_core::send::provider::{Answer, Call, CancelRead, CancelSteps, Read, Secret};

const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";
const SECRET: Secret<'static> = Secret::Password {
    username: "CONTOSO\\ana",
    password: "pw é",
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ews/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.into(),
    }
}

fn body_of(call: Call) -> String {
    match call {
        Call::Http(request) => {
            assert_eq!((request.method, request.url.as_str()), (Method::Post, URL));
            request.body.unwrap()
        }
        other => panic!("not an HTTP call: {other:?}"),
    }
}

/// Found in the Outbox: the next call deletes it.
fn at_delete() -> EwsCancel {
    let mut cancel = EwsCancel::new(URL, "<x1@contoso.com>");
    let found = ok(&fixture("find-item-outbox-waiting.xml"));
    assert_eq!(cancel.read(Answer::Response(&found)), Read::Next);
    cancel
}

fn end(read: Read<CancelRead>) -> CancelRead {
    match read {
        Read::End(read) => read,
        Read::Next => panic!("expected the end"),
    }
}

#[test]
fn it_finds_the_email_in_the_outbox_by_message_id_then_hard_deletes_that_item() {
    let cancel = EwsCancel::new(URL, "<x1@contoso.com>");
    let find = body_of(cancel.call(&SECRET).unwrap());
    assert!(find.contains("<m:FindItem "), "{find}");
    assert!(
        find.contains(r#"<t:FieldURI FieldURI="message:InternetMessageId"/>"#),
        "{find}"
    );
    assert!(
        find.contains(r#"<t:Constant Value="&lt;x1@contoso.com&gt;"/>"#),
        "{find}"
    );
    assert!(
        find.contains(
            r#"<m:ParentFolderIds><t:DistinguishedFolderId Id="outbox"/></m:ParentFolderIds>"#
        ),
        "only the Outbox, where it waits: {find}"
    );

    let mut cancel = at_delete();
    let delete = body_of(cancel.call(&SECRET).unwrap());
    assert!(
        delete.contains(r#"<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="AAMkOutbox1=" ChangeKey="CQAAAB0"/></m:ItemIds></m:DeleteItem>"#),
        "{delete}"
    );
    let saved = serde_json::to_string(&cancel).unwrap();
    assert!(!saved.contains("pw"), "no password in the plan: {saved}");
    let deleted = ok(&fixture("delete-item-response.xml"));
    assert_eq!(
        end(cancel.read(Answer::Response(&deleted))),
        CancelRead::Cancelled
    );
}

#[test]
fn not_in_the_outbox_or_gone_before_the_delete_is_not_waiting() {
    let mut cancel = EwsCancel::new(URL, "<x1@contoso.com>");
    let empty = ok(&fixture("find-item-outbox-empty.xml"));
    assert_eq!(
        end(cancel.read(Answer::Response(&empty))),
        CancelRead::NotWaiting
    );

    let mut cancel = at_delete();
    let gone = ok(&fixture("delete-item-error-item-not-found.xml"));
    assert_eq!(
        end(cancel.read(Answer::Response(&gone))),
        CancelRead::NotWaiting
    );
}

#[test]
fn no_answer_a_busy_server_or_a_refused_password_never_reads_as_cancelled() {
    let mut cancel = at_delete();
    assert!(matches!(
        end(cancel.read(Answer::Transport(TransportFailure::Timeout))),
        CancelRead::Failed { .. }
    ));
    let mut cancel = at_delete();
    let busy = ok(&fixture("send-item-error-server-busy.xml").replace("SendItem", "DeleteItem"));
    assert!(matches!(
        end(cancel.read(Answer::Response(&busy))),
        CancelRead::Failed { .. }
    ));
    let mut cancel = EwsCancel::new(URL, "<x1@contoso.com>");
    let refused = HttpResponse {
        status: 401,
        headers: vec![],
        body: String::new(),
    };
    assert_eq!(
        end(cancel.read(Answer::Response(&refused))),
        CancelRead::SecretRejected
    );
    // A bearer token is not an Exchange password.
    let cancel = EwsCancel::new(URL, "<x1@contoso.com>");
    assert!(matches!(
        cancel.call(&Secret::Bearer("t")),
        Err(CancelRead::Failed { .. })
    ));
}
