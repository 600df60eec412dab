//! An IMAP/SMTP inbox's send and Sent lookup for the outbox (`ImapSend`,
//! `ImapLookup`): the helper calls planned (which bytes, Bcc, the Sent
//! copy, pins) and every helper answer read into what the outbox decides on.
//! The helper's side is tested in bridge/ (tests/mail.rs against Dovecot
//! and aiosmtpd).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use inlay_core::provider::imap::{
    HelperOp, ImapLookup, ImapSend, ImapTarget, MailSettings, Security, Server,
};
use inlay_core::rpc::imap::{PinnedCertificates, SpkiPin};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, LookupRead, LookupSteps, Read, Secret, SendRead, SendSteps,
};
use serde_json::{Value, json};

const SECRET: Secret<'static> = Secret::Password {
    username: "ann",
    password: "s3cret",
};
const PIN: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const MIME: &[u8] = b"From: ann@example.org\r\nTo: bo@example.net\r\nBcc: cy@example.net\r\n\
Message-ID: <m1@example.org>\r\nSubject: hi\r\n\r\nhello\r\n";
const TRANSMITTED: &[u8] = b"From: ann@example.org\r\nTo: bo@example.net\r\n\
Message-ID: <m1@example.org>\r\nSubject: hi\r\n\r\nhello\r\n";

fn target(append_to_sent: bool) -> ImapTarget {
    let server = |host: &str, port, security| Server {
        host: host.into(),
        port,
        security,
        username: "ann".into(),
        authentication: vec![],
    };
    ImapTarget {
        settings: MailSettings::new(
            server("imap.example.org", 993, Security::ImplicitTls),
            server("smtp.example.org", 587, Security::StartTls),
        ),
        pinned_certificates: PinnedCertificates {
            imap: None,
            smtp: Some(SpkiPin::try_from(PIN.to_string()).unwrap()),
        },
        append_to_sent,
    }
}

fn outgoing(transmitted: Option<&[u8]>) -> Outgoing {
    Outgoing {
        message_id: "<m1@example.org>".into(),
        mime: MIME.to_vec(),
        transmitted: transmitted.map(<[u8]>::to_vec),
        envelope_from: "ann@example.org".into(),
        recipients: vec!["bo@example.net".into(), "cy@example.net".into()],
        thread_id: None,
        deliver_at_ms: None,
    }
}

fn helper_call(call: Call) -> (HelperOp, Value) {
    match call {
        Call::Helper(call) => (call.op, call.args),
        other => panic!("not a helper call: {other:?}"),
    }
}

fn sent_bytes(args: &Value) -> Vec<u8> {
    STANDARD.decode(args["mime"].as_str().unwrap()).unwrap()
}

#[test]
fn with_a_sent_copy_the_helper_gets_the_message_with_bcc_and_both_servers() {
    let out = outgoing(Some(TRANSMITTED));
    let send = ImapSend::new(&target(true), &out);
    assert!(send.delivers());
    let (op, args) = helper_call(send.call(&SECRET, &out).unwrap());
    assert_eq!(op, HelperOp::Send);
    // The helper removes Bcc from what SMTP carries and appends this to Sent.
    assert_eq!(sent_bytes(&args), MIME);
    assert_eq!(args["appendToSent"], json!(true));
    assert_eq!(
        args["smtp"],
        json!({"host": "smtp.example.org", "port": 587, "security": "startTls",
               "username": "ann", "password": "s3cret", "pinnedSpki": PIN})
    );
    assert_eq!(
        args["imap"],
        json!({"host": "imap.example.org", "port": 993, "security": "implicitTls",
               "username": "ann", "password": "s3cret"})
    );
    assert_eq!(args["from"], json!("ann@example.org"));
    assert_eq!(
        args["recipients"],
        json!(["bo@example.net", "cy@example.net"])
    );
    assert_eq!(serde_json::to_value(HelperOp::Send).unwrap(), json!("send"));
    // Persisted between calls: no password, no message.
    let saved = serde_json::to_string(&send).unwrap();
    assert!(
        !saved.contains("s3cret") && !saved.contains("hello"),
        "{saved}"
    );
    assert_eq!(serde_json::from_str::<ImapSend>(&saved).unwrap(), send);
}

#[test]
fn without_a_sent_copy_only_the_message_without_bcc_leaves() {
    let out = outgoing(Some(TRANSMITTED));
    let send = ImapSend::new(&target(false), &out);
    let (_, args) = helper_call(send.call(&SECRET, &out).unwrap());
    assert_eq!(sent_bytes(&args), TRANSMITTED);
    assert_eq!(args["appendToSent"], json!(false));
    assert_eq!(args["imap"], Value::Null);
    // No Bcc at all: the one message.
    let plain = Outgoing {
        mime: TRANSMITTED.to_vec(),
        ..outgoing(None)
    };
    let (_, args) = helper_call(send.call(&SECRET, &plain).unwrap());
    assert_eq!(sent_bytes(&args), TRANSMITTED);
}

#[test]
fn a_send_that_needs_a_second_password_or_gets_a_token_is_refused_before_any_call() {
    let out = outgoing(None);
    let mut separate = target(true);
    separate.settings.smtp.username = "ann-smtp".into();
    separate.settings.same_credentials = false;
    match ImapSend::new(&separate, &out).call(&SECRET, &out) {
        Err(SendRead::Permanent { code, message }) => {
            assert_eq!(code, "separateSmtpPassword");
            assert!(message.contains("its own"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Both passwords: each server gets its own, with its own username.
    let both = Secret::MailPasswords {
        imap: "imap-pw",
        smtp: "smtp-pw",
    };
    let (_, args) = helper_call(ImapSend::new(&separate, &out).call(&both, &out).unwrap());
    assert_eq!(args["smtp"]["password"], json!("smtp-pw"));
    assert_eq!(args["smtp"]["username"], json!("ann-smtp"));
    assert_eq!(args["imap"]["password"], json!("imap-pw"));
    assert_ne!(args["imap"]["username"], json!("ann-smtp"));
    // The lookup logs in to IMAP with the IMAP one.
    let look = ImapLookup::new(&separate, "<m@x>");
    let Call::Helper(h) = look.call(&both).unwrap() else {
        panic!("a helper call")
    };
    assert_eq!(h.args["imap"]["password"], json!("imap-pw"));
    assert!(matches!(
        ImapSend::new(&target(true), &out).call(&Secret::Bearer("t"), &out),
        Err(SendRead::Permanent { .. })
    ));
}

fn send_read(answer: Answer<'_>) -> SendRead {
    let out = outgoing(None);
    match ImapSend::new(&target(true), &out).read(answer) {
        Read::End(read) => read,
        Read::Next => panic!("one helper call"),
    }
}

fn failed(code: &str, message: &str) -> SendRead {
    send_read(Answer::HelperFailed { code, message })
}

#[test]
fn the_helpers_reply_is_sent_even_when_the_sent_copy_or_a_recipient_failed() {
    for reply in [
        json!({"sent": true, "accepted": ["bo@example.net"], "rejected": [], "appended": true}),
        json!({"sent": true, "accepted": ["bo@example.net"], "appended": false,
               "rejected": [{"recipient": "cy@example.net", "code": 550}],
               "appendError": {"code": "noSentFolder", "message": "x"}}),
    ] {
        assert_eq!(
            send_read(Answer::HelperReply(&reply)),
            SendRead::Sent {
                provider_id: None,
                thread_id: None
            },
            "{reply}"
        );
    }
    assert!(matches!(
        send_read(Answer::HelperReply(&json!({"appended": true}))),
        SendRead::Unknown { .. }
    ));
}

#[test]
fn a_failure_before_the_server_took_the_message_is_retried_or_refused_by_its_code() {
    for code in [
        "temporaryFailure",
        "connectFailed",
        "timeout",
        "hostNotFound",
        "protocolError",
    ] {
        match failed(code, "421 4.7.0 try again later") {
            SendRead::Retry { message, .. } => {
                assert!(message.contains("smtp.example.org"), "{code}: {message}");
                assert!(message.contains("not sent yet"), "{code}: {message}");
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    assert_eq!(
        failed("wrongPassword", "535 5.7.8 no"),
        SendRead::SecretRejected
    );
    match failed(
        "allRecipientsRejected",
        "every recipient was refused, nothing was sent: bo@example.net: 550 5.1.1 no such user",
    ) {
        SendRead::Permanent { code, message } => {
            assert_eq!(code, "recipientsRefused");
            assert!(message.contains("bo@example.net: 550 5.1.1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    for (helper, core) in [
        ("messageTooLarge", "messageTooLarge"),
        ("senderRejected", "senderRefused"),
        ("messageRejected", "messageRefused"),
        ("smtputf8Unsupported", "internationalAddress"),
        ("untrustedCertificate", "untrustedCertificate"),
        ("certificateChanged", "certificateChanged"),
        ("starttlsUnavailable", "starttlsUnavailable"),
        ("unknownOp", "bridgeOutdated"),
        ("badRequest", "helperRefused"),
    ] {
        match failed(helper, "detail") {
            SendRead::Permanent { code, message } => {
                assert_eq!(code, core, "{helper}");
                assert!(!message.is_empty());
            }
            other => panic!("{helper}: {other:?}"),
        }
    }
    match failed(
        "bridgeDisconnected",
        "Specified native messaging host not found.",
    ) {
        SendRead::Permanent { code, message } => {
            assert_eq!(code, "bridgeMissing");
            assert!(message.contains("not installed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn after_the_final_dot_or_when_the_helper_went_quiet_it_is_unknown() {
    for (code, detail) in [
        (
            "sendUnconfirmed",
            "the message was transmitted but the server's answer was lost",
        ),
        ("bridgeTimeout", ""),
        ("bridgeClosed", ""),
        ("bridgeDisconnected", "Native host has exited."),
        ("somethingNew", "?"),
    ] {
        match failed(code, detail) {
            SendRead::Unknown { message } => {
                assert!(message.contains("may have been sent"), "{code}: {message}")
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

fn lookup_read(answer: Answer<'_>) -> LookupRead {
    lookup_read_at(false, answer)
}

fn lookup_read_at(append_to_sent: bool, answer: Answer<'_>) -> LookupRead {
    match ImapLookup::new(&target(append_to_sent), "<m1@example.org>").read(answer) {
        Read::End(read) => read,
        Read::Next => panic!("one helper call"),
    }
}

#[test]
fn the_lookup_asks_the_helper_to_search_sent_for_the_message_id() {
    let lookup = ImapLookup::new(&target(false), "<m1@example.org>");
    let (op, args) = helper_call(lookup.call(&SECRET).unwrap());
    assert_eq!(op, HelperOp::SentLookup);
    assert_eq!(serde_json::to_value(op).unwrap(), json!("sentLookup"));
    assert_eq!(
        args,
        json!({"imap": {"host": "imap.example.org", "port": 993, "security": "implicitTls",
                        "username": "ann", "password": "s3cret"},
               "messageId": "<m1@example.org>"})
    );
    assert!(!serde_json::to_string(&lookup).unwrap().contains("s3cret"));
}

#[test]
fn only_a_search_that_ran_is_not_found() {
    assert_eq!(
        lookup_read(Answer::HelperReply(
            &json!({"folder": "Sent", "found": true, "uids": [4]})
        )),
        LookupRead::Found {
            provider_id: None,
            thread_id: None
        }
    );
    assert_eq!(
        lookup_read(Answer::HelperReply(
            &json!({"folder": "Sent", "found": false, "uids": []})
        )),
        LookupRead::NotFound
    );
    for reply in [json!({}), json!({"found": "no"}), Value::Null] {
        assert!(
            matches!(
                lookup_read(Answer::HelperReply(&reply)),
                LookupRead::Failed { .. }
            ),
            "{reply}"
        );
    }
    for code in [
        "connectFailed",
        "timeout",
        "protocolError",
        "folderNotFound",
        "bridgeTimeout",
    ] {
        match lookup_read(Answer::HelperFailed { code, message: "x" }) {
            LookupRead::Failed { message, .. } => {
                assert!(
                    message.starts_with("Inlay couldn't search your Sent folder"),
                    "{message}"
                )
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    assert_eq!(
        lookup_read(Answer::HelperFailed {
            code: "wrongPassword",
            message: "NO"
        }),
        LookupRead::SecretRejected
    );
    for code in ["noSentFolder", "unknownOp", "certificateChanged"] {
        match lookup_read(Answer::HelperFailed { code, message: "x" }) {
            LookupRead::CannotLook { message } => {
                assert!(
                    message.contains("Sent folder") || message.contains("sent mail"),
                    "{code}: {message}"
                )
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn where_inlay_appends_the_sent_copy_a_missing_copy_is_not_proof_it_was_not_sent() {
    // The server may have taken the message and the answer (or the append
    // after it) been lost: a resend would deliver it twice.
    let missing = json!({"folder": "Sent", "found": false, "uids": []});
    match lookup_read_at(true, Answer::HelperReply(&missing)) {
        LookupRead::CannotLook { message } => {
            assert!(
                message.contains("doesn't prove it wasn't sent"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    let there = json!({"folder": "Sent", "found": true, "uids": [4]});
    assert!(matches!(
        lookup_read_at(true, Answer::HelperReply(&there)),
        LookupRead::Found { .. }
    ));
}
