//! The core's Exchange sync planner (`inlay_core::provider::ews::EwsSync`) run through
//! the core's SyncMachine against the EWS fake in process: SyncFolderItems on Inbox and
//! Sent Items, GetItem for the header properties, an increment, an expired SyncState
//! recovered, a kept message's body. Every request and answer validates against
//! `messages.xsd`.

#[path = "support/ews_schema.rs"]
mod ews_schema;

use inlay_core::http::HttpResponse;
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::ews::{EwsBody, EwsSync};
use inlay_core::sync::cursor::{SyncCursor, SyncWindow};
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{Batch, SecretAnswer, SyncMachine, SyncResult, SyncState};
use inlay_core::sync::provider::SyncSteps;
use inlay_sandbox::hosts::dispatch;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::http::Request;
use inlay_sandbox::sandbox::Sandbox;
use inlay_sandbox::state::Provider;
use serde_json::json;

const ANA: &str = "ana@contoso-exchange.example";
const URL: &str = "https://mail.contoso-exchange.example/EWS/Exchange.asmx";
const NOW: u64 = 1_765_000_000_000;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new(IspDb::default());
    sb.state()
        .seed(
            serde_json::from_value(json!({"accounts":[
                {"provider":"exchange","address":ANA,"password":"pw","exchangeVersion":"Exchange2016"}]}))
            .unwrap(),
        )
        .unwrap();
    sb
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: \"Bob Buyer\" <bob@acme.test>\r\nTo: Ana <{ANA}>, cy@acme.test\r\nSubject: Re: Proposal {n}\r\nMessage-ID: <r{n}@acme.test>\r\nList-Id: <deals.acme.test>\r\nDate: Fri, 05 Dec 2025 03:00:00 +0000\r\n\r\nYes, let's talk.\r\n"
    )
    .into_bytes()
}

struct Run {
    batches: Vec<Batch>,
    end: inlay_core::sync::machine::SyncStep,
}

/// Runs `machine` against the fake; every request and answer kept in `docs`.
fn drive<P: SyncSteps + serde::Serialize>(
    sb: &Sandbox,
    machine: &mut SyncMachine<P>,
    docs: &mut Vec<(String, String)>,
) -> Run {
    let mut now = NOW;
    let random = [0x80u8, 0, 0, 0, 1, 2, 3, 4];
    let mut batches = vec![];
    let mut step = machine.start(Moment {
        now_ms: now,
        random: &random,
    });
    for _ in 0..200 {
        let input = match &step {
            Step::Ask { .. } => Input::Answer {
                answer: SecretAnswer::Password {
                    username: ANA.into(),
                    password: "pw".into(),
                },
            },
            Step::Http { request, .. } => {
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
                let response = dispatch(&req, sb);
                let text = String::from_utf8(response.body.clone()).unwrap();
                let n = docs.len();
                docs.push((format!("{n:03}-request"), body));
                docs.push((format!("{n:03}-response"), text.clone()));
                Input::Response {
                    response: HttpResponse {
                        status: response.status,
                        headers: response.headers.clone(),
                        body: text,
                    },
                }
            }
            Step::Wait { until_ms, .. } => {
                now = now.max(*until_ms);
                Input::Timer
            }
            Step::Done { .. } | Step::Failed { .. } => {
                return Run {
                    batches,
                    end: step.clone(),
                };
            }
            other => panic!("unexpected step {other:?}"),
        };
        step = machine.resume(
            input,
            Moment {
                now_ms: now,
                random: &random,
            },
        );
        let batch = machine.take_batch();
        if !batch.is_empty() {
            batches.push(batch);
        }
    }
    panic!("did not end: {step:?}")
}

fn sync(
    sb: &Sandbox,
    cursor: Option<&SyncCursor>,
    docs: &mut Vec<(String, String)>,
) -> (Vec<inlay_core::sync::Incoming>, SyncCursor) {
    let mut m = SyncMachine::new(SyncState::new(EwsSync::new(
        ANA,
        URL,
        cursor,
        SyncWindow::default(),
        NOW,
    )));
    let run = drive(sb, &mut m, docs);
    let Step::Done {
        result: SyncResult::Synced { cursor, .. },
    } = run.end
    else {
        panic!("{:?}", run.end)
    };
    (
        run.batches.into_iter().flat_map(|b| b.incoming).collect(),
        cursor,
    )
}

#[test]
fn the_core_syncs_an_exchange_mailbox_through_the_fake_and_every_call_validates() {
    let sb = sandbox();
    for n in 1..=3 {
        sb.state()
            .add_message(Provider::Exchange, ANA, message(n), "INBOX")
            .unwrap();
    }
    sb.state()
        .add_message(Provider::Exchange, ANA, message(9), "SENT")
        .unwrap();
    let mut docs = vec![];

    // First pass: every message with its headers.
    let (first, cursor) = sync(&sb, None, &mut docs);
    let subjects: Vec<_> = first
        .iter()
        .map(|i| (i.folder, i.headers.subject.clone().unwrap()))
        .collect();
    assert_eq!(
        subjects,
        [
            (FolderRole::Inbox, "Re: Proposal 1".to_string()),
            (FolderRole::Inbox, "Re: Proposal 2".into()),
            (FolderRole::Inbox, "Re: Proposal 3".into()),
            (FolderRole::Sent, "Re: Proposal 9".into()),
        ]
    );
    let one = &first[0].headers;
    assert_eq!(one.from[0].address, "bob@acme.test");
    assert_eq!(one.from[0].name.as_deref(), Some("Bob Buyer"));
    assert_eq!(one.to.len(), 2);
    assert_eq!(one.message_id.as_deref(), Some("r1@acme.test"));
    assert_eq!(one.list_id.as_deref(), Some("<deals.acme.test>"));

    // An increment: only what arrived since.
    sb.state()
        .add_message(Provider::Exchange, ANA, message(4), "INBOX")
        .unwrap();
    let (next, cursor2) = sync(&sb, Some(&cursor), &mut docs);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].headers.message_id.as_deref(), Some("r4@acme.test"));
    assert_ne!(cursor, cursor2);

    // An expired state: the folder read again from the window, nothing lost.
    let stale = SyncCursor::from_json(&cursor2.to_json().replacen(
        &cursor2_token(&cursor2),
        "bm90LW91cnM=",
        1,
    ))
    .unwrap();
    let (again, _) = sync(&sb, Some(&stale), &mut docs);
    let ids: Vec<_> = again
        .iter()
        .map(|i| i.headers.message_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "r1@acme.test",
            "r2@acme.test",
            "r3@acme.test",
            "r4@acme.test"
        ]
    );

    // A kept message's body.
    let mut body = SyncMachine::new(SyncState::new(EwsBody::new(URL, &first[1].provider_id)));
    match drive(&sb, &mut body, &mut docs).end {
        Step::Done {
            result: SyncResult::Body { raw },
        } => assert_eq!(raw, message(2)),
        other => panic!("{other:?}"),
    }

    ews_schema::validate("core-sync-ews", &docs);
}

fn cursor2_token(c: &SyncCursor) -> String {
    c.folder_token("inbox").unwrap().to_owned()
}
