//! The core's IMAP sync planner (`inlay_core::provider::imap::ImapSync`,
//! `ImapBody`) run through the sync machine, each helper call answered by
//! this helper (`protocol::handle`, as the extension's port would) against a
//! real Dovecot that aiosmtpd delivers into (see `support/`): a first pass of
//! INBOX and Sent, an increment, an expunge (QRESYNC), a body.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use inlay_bridge::protocol::handle;
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::imap::{ImapBody, ImapSync, ImapTarget, MailSettings, Security, Server};
use inlay_core::rpc::imap::{PinnedCertificates, SpkiPin};
use inlay_core::sync::cursor::{SyncCursor, SyncWindow};
use inlay_core::sync::incoming::{FolderRole, Incoming};
use inlay_core::sync::machine::{
    SecretAnswer, SyncMachine, SyncQuestion, SyncResult, SyncState, SyncStep,
};
use inlay_core::sync::provider::SyncSteps;
use serde_json::{Value, json};
use support::dovecot::{self, Dovecot, PASSWORD, USER};
use support::smtp::{self, Options, Smtpd};

const ALICE: &str = "alice@dovecot.test";

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn target(d: &Dovecot) -> ImapTarget {
    let server = |port, security| Server {
        host: "127.0.0.1".into(),
        port,
        security,
        username: USER.into(),
        authentication: vec![],
    };
    ImapTarget {
        settings: MailSettings::new(
            server(d.tls_port, Security::ImplicitTls),
            server(587, Security::StartTls),
        ),
        pinned_certificates: PinnedCertificates {
            imap: Some(SpkiPin::try_from(support::pin(&d.cert)).unwrap()),
            smtp: None,
        },
        append_to_sent: true,
    }
}

fn send(d: &Dovecot, s: &Smtpd, n: u32, append: bool) -> Value {
    let mime = format!(
        "From: {ALICE}\r\nTo: {ALICE}\r\nSubject: s{n}\r\nMessage-ID: <s{n}@dovecot.test>\r\n\r\nbody {n}\r\n"
    );
    let imap = json!({"host": "127.0.0.1", "port": d.tls_port, "security": "implicitTls",
           "username": USER, "password": PASSWORD, "pinnedSpki": support::pin(&d.cert)});
    let smtp = json!({"host": "127.0.0.1", "port": s.starttls_port, "security": "startTls",
           "username": USER, "password": PASSWORD, "pinnedSpki": support::pin(&s.cert)});
    let r = handle(
        json!({"id": "s", "op": "send", "smtp": smtp, "imap": imap, "from": ALICE,
               "recipients": [ALICE], "mime": B64.encode(mime), "appendToSent": append})
        .to_string()
        .as_bytes(),
    );
    assert_eq!(r["ok"], json!(true), "{r}");
    r["value"].clone()
}

/// Runs `m` to its end, the helper answering; the incoming of every batch.
fn run<P: SyncSteps>(m: &mut SyncMachine<P>) -> (Vec<Incoming>, SyncStep) {
    let (seen, _, end) = run_removed(m);
    (seen, end)
}

/// [`run`], with the removed ids too.
fn run_removed<P: SyncSteps>(m: &mut SyncMachine<P>) -> (Vec<Incoming>, Vec<String>, SyncStep) {
    let mut removed = vec![];
    let random = [7u8; 16];
    let mut now = now_ms();
    let mut step = m.start(Moment {
        now_ms: now,
        random: &random,
    });
    let mut seen = vec![];
    for _ in 0..100 {
        let input = match &step {
            Step::Ask {
                question: SyncQuestion::Secret { .. },
            } => Input::Answer {
                answer: SecretAnswer::Password {
                    username: USER.into(),
                    password: PASSWORD.into(),
                },
            },
            Step::Helper { call, .. } => {
                let mut req = json!({"id": "c", "op": call.op});
                req.as_object_mut()
                    .unwrap()
                    .extend(call.args.as_object().unwrap().clone());
                let reply = handle(req.to_string().as_bytes());
                if reply["ok"] == json!(true) {
                    Input::HelperReply {
                        reply: reply["value"].clone(),
                    }
                } else {
                    Input::HelperFailed {
                        code: reply["error"]["code"].as_str().unwrap().into(),
                        message: reply["error"]["message"].as_str().unwrap_or("").into(),
                        certificate: None,
                    }
                }
            }
            Step::Wait { until_ms, .. } => {
                now = now.max(*until_ms);
                Input::Timer
            }
            _ => return (seen, removed, step),
        };
        step = m.resume(
            input,
            Moment {
                now_ms: now,
                random: &random,
            },
        );
        let batch = m.take_batch();
        seen.extend(batch.incoming);
        removed.extend(batch.removed);
    }
    panic!("no end: {step:?}")
}

#[test]
fn the_core_plans_a_first_pass_an_increment_and_a_body_through_the_helper() {
    let d = dovecot::start(dovecot::Mode::Tls);
    let s = smtp::start(Options {
        mode: smtp::Mode::Tls,
        dovecot: Some(&d),
        size_limit: None,
    });
    send(&d, &s, 1, false);
    send(&d, &s, 2, false);
    let sent = send(&d, &s, 3, true);
    let sent_folder = sent["appendFolder"].as_str().unwrap().to_string();

    let pass = |cursor: Option<&SyncCursor>| {
        SyncMachine::new(SyncState::new(ImapSync::new(
            ALICE,
            &target(&d),
            Some(&sent_folder),
            cursor,
            SyncWindow::days(30),
            now_ms(),
        )))
    };
    let (seen, end) = run(&mut pass(None));
    let ids = |seen: &[Incoming]| -> Vec<(FolderRole, String)> {
        seen.iter()
            .map(|i| (i.folder, i.headers.message_id.clone().unwrap_or_default()))
            .collect()
    };
    assert_eq!(
        ids(&seen),
        [
            (FolderRole::Inbox, "s1@dovecot.test".into()),
            (FolderRole::Inbox, "s2@dovecot.test".into()),
            (FolderRole::Inbox, "s3@dovecot.test".into()),
            (FolderRole::Sent, "s3@dovecot.test".into()),
        ],
        "{end:?}"
    );
    assert_eq!(seen[0].headers.subject.as_deref(), Some("s1"));
    assert!(seen[0].received_at_ms.unwrap() > now_ms() as i64 - 600_000);
    let Step::Done {
        result: SyncResult::Synced { cursor, .. },
    } = end
    else {
        panic!("{end:?}")
    };
    let SyncCursor::Imap { folders } = &cursor else {
        panic!()
    };
    assert_eq!(folders.len(), 2);
    assert!(folders.iter().all(|f| f.uid_validity > 0 && f.uid_next > 1));

    // One more arrives: the next pass reads only it.
    send(&d, &s, 4, false);
    let (more, end) = run(&mut pass(Some(&cursor)));
    assert_eq!(
        ids(&more),
        [(FolderRole::Inbox, "s4@dovecot.test".into())],
        "{end:?}"
    );
    let Step::Done {
        result: SyncResult::Synced { cursor, .. },
    } = end
    else {
        panic!("{end:?}")
    };
    let SyncCursor::Imap { folders } = &cursor else {
        panic!()
    };
    assert!(
        folders[0].highest_mod_seq.is_some(),
        "Dovecot has CONDSTORE"
    );

    // One expunged (its file gone from the maildir): the next pass removes
    // exactly that one, by the id the first pass logged it under.
    let inbox_ids: Vec<String> = seen
        .iter()
        .chain(&more)
        .filter(|i| i.folder == FolderRole::Inbox)
        .map(|i| i.provider_id.clone())
        .collect();
    let file = std::fs::read_dir(d.maildir().join("cur"))
        .unwrap()
        .chain(std::fs::read_dir(d.maildir().join("new")).unwrap())
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(file).unwrap();
    let (none, removed, end) = run_removed(&mut pass(Some(&cursor)));
    assert!(none.is_empty(), "{end:?}");
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(inbox_ids.contains(&removed[0]), "{removed:?} {inbox_ids:?}");

    // The body of a kept (not expunged) message, whole.
    let kept = seen
        .iter()
        .find(|i| i.folder == FolderRole::Inbox && i.provider_id != removed[0])
        .unwrap();
    let n = kept.headers.subject.clone().unwrap()[1..].to_string();
    let mut body = SyncMachine::new(SyncState::new(
        ImapBody::new(&target(&d), &kept.provider_id).unwrap(),
    ));
    match run(&mut body).1 {
        Step::Done {
            result: SyncResult::Body { raw },
        } => {
            let text = String::from_utf8(raw).unwrap();
            assert!(
                text.contains(&format!("Message-ID: <s{n}@dovecot.test>")),
                "{text}"
            );
            assert!(text.ends_with(&format!("body {n}\r\n")), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // The expunged one's body is gone, in words.
    let mut body = SyncMachine::new(SyncState::new(
        ImapBody::new(&target(&d), &removed[0]).unwrap(),
    ));
    match run(&mut body).1 {
        Step::Failed { error } => assert_eq!(error.code, "gone"),
        other => panic!("{other:?}"),
    }
}
