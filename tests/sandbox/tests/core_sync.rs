//! The core's sync planners (inlay_core::provider::{gmail, graph} sync) run through the
//! core's SyncMachine against the fakes in process: Gmail's profile, `messages.list`,
//! `messages.get` (metadata, raw) and `history.list`; Graph's delta query on Inbox and
//! Sent Items and `$value`. Both sides were written from the published contracts; this
//! shows they meet: a first pass, an increment with an arrival and a deletion, an
//! expired cursor recovered with nothing lost, a kept message's body.

use inlay_core::http::{HttpRequest, HttpResponse, Method};
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::gmail::{GmailBody, GmailSync};
use inlay_core::provider::graph::{GraphBody, GraphSync};
use inlay_core::sync::cursor::{SyncCursor, SyncWindow};
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{Batch, SecretAnswer, SyncMachine, SyncResult, SyncState};
use inlay_core::sync::provider::SyncSteps;
use inlay_sandbox::hosts::ispdb::IspDb;
use inlay_sandbox::hosts::{gmail, graph};
use inlay_sandbox::http::Request;
use inlay_sandbox::sandbox::Sandbox;
use serde_json::{Value, json};

const ANN: &str = "ann@example.com";
const BO: &str = "bo@contoso.com";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new(IspDb::default());
    let seed = json!({"accounts": [
        {"provider": "google", "address": ANN, "messages": ["From: old@acme.test\r\nSubject: long ago\r\n\r\nx"]},
        {"provider": "microsoft", "address": BO, "displayName": "Bo Berg"},
    ]});
    sb.state()
        .seed(serde_json::from_value(seed).unwrap())
        .unwrap();
    sb
}

fn mailbox(sb: &Sandbox, provider: &str, address: &str, body: Value) -> Value {
    let mut body = body;
    body["provider"] = json!(provider);
    body["address"] = json!(address);
    let req = Request::new("POST", "", "/mailbox").with_body(body.to_string());
    let r = inlay_sandbox::control::handle(&req, sb);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json_body().unwrap()
}

fn receive(sb: &Sandbox, provider: &str, address: &str, raw: &str, label: &str) -> String {
    let r = mailbox(
        sb,
        provider,
        address,
        json!({"action": "receive", "raw": raw, "label": label}),
    );
    r["id"].as_str().unwrap().to_owned()
}

fn message(n: usize, to: &str) -> String {
    format!(
        "From: \"Bob Buyer\" <bob@acme.test>\r\nTo: {to}\r\nSubject: Re: Proposal {n}\r\nMessage-ID: <r{n}@acme.test>\r\nIn-Reply-To: <p1@example.com>\r\nDate: Fri, 05 Dec 2025 03:00:00 +0000\r\n\r\nYes, let's talk.\r\n"
    )
}

/// The request as the shell's fetch sends it, answered by the fake of its host.
fn exchange(sb: &Sandbox, req: &HttpRequest) -> HttpResponse {
    let url = url::Url::parse(&req.url).unwrap();
    let host = url.host_str().unwrap();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    assert_eq!(req.method, Method::Get, "sync only reads");
    let mut r = Request::new("GET", host, &path);
    for (k, v) in &req.headers {
        r = r.with_header(&k.to_ascii_lowercase(), v);
    }
    let resp = match host {
        "gmail.googleapis.com" => gmail::handle(&r, sb),
        "graph.microsoft.com" => graph::handle(&r, sb),
        other => panic!("no fake for {other}"),
    };
    HttpResponse {
        status: resp.status,
        headers: resp.headers.clone(),
        body: String::from_utf8(resp.body).unwrap(),
    }
}

struct Run {
    batch: Batch,
    end: Step<
        inlay_core::sync::machine::SyncPurpose,
        inlay_core::sync::machine::SyncQuestion,
        SyncResult,
        inlay_core::sync::machine::SyncError,
    >,
    statuses: Vec<u16>,
}

/// Runs a sync to its end as the shell would: test tokens, timers fired at once.
fn run<P: SyncSteps>(sb: &Sandbox, plan: P, token: &str) -> Run {
    let mut m = SyncMachine::new(SyncState::new(plan));
    let random = [7u8; 8];
    let mut now = inlay_sandbox::delivery::now_ms();
    let mut step = m.start(Moment {
        now_ms: now,
        random: &random,
    });
    let mut batch = Batch::default();
    let mut statuses = Vec::new();
    for _ in 0..10_000 {
        let b = m.take_batch();
        batch.incoming.extend(b.incoming);
        batch.removed.extend(b.removed);
        batch.unreadable.extend(b.unreadable);
        let input = match &step {
            Step::Ask { .. } => Input::Answer {
                answer: SecretAnswer::Bearer {
                    token: token.into(),
                },
            },
            Step::Http { request, .. } => {
                let response = exchange(sb, request);
                statuses.push(response.status);
                Input::Response { response }
            }
            Step::Wait { until_ms, .. } => {
                now = now.max(*until_ms);
                Input::Timer
            }
            Step::Done { .. } | Step::Failed { .. } => {
                return Run {
                    batch,
                    end: step,
                    statuses,
                };
            }
            other => panic!("{other:?}"),
        };
        step = m.resume(
            input,
            Moment {
                now_ms: now,
                random: &random,
            },
        );
    }
    panic!("the sync did not end")
}

fn cursor(run: &Run) -> SyncCursor {
    match &run.end {
        Step::Done {
            result: SyncResult::Synced { cursor, .. },
        } => cursor.clone(),
        other => panic!("{other:?}"),
    }
}

fn ids(run: &Run) -> Vec<String> {
    let mut ids: Vec<String> = run
        .batch
        .incoming
        .iter()
        .map(|i| i.provider_id.clone())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn gmail_first_pass_increment_expiry_and_body() {
    let sb = sandbox();
    let token = format!("sandbox-token:{ANN}");
    let now = inlay_sandbox::delivery::now_ms();
    let first: Vec<String> = (0..3)
        .map(|n| receive(&sb, "google", ANN, &message(n, ANN), "INBOX"))
        .collect();
    let pass = |cursor: Option<&SyncCursor>| {
        run(
            &sb,
            GmailSync::new(ANN, cursor, SyncWindow::default(), now),
            &token,
        )
    };

    // The seeded message from 1970 is outside the 30-day window.
    let one = pass(None);
    assert_eq!(ids(&one), sorted(first.clone()));
    let reply = &one.batch.incoming[0];
    assert_eq!(reply.folder, FolderRole::Inbox);
    assert_eq!(reply.headers.in_reply_to, ["p1@example.com"]);
    assert_eq!(reply.headers.from[0].name.as_deref(), Some("Bob Buyer"));
    let c1 = cursor(&one);

    // An arrival and a deletion.
    let new = receive(&sb, "google", ANN, &message(9, ANN), "INBOX");
    mailbox(
        &sb,
        "google",
        ANN,
        json!({"action": "delete", "id": first[0]}),
    );
    let two = pass(Some(&c1));
    assert_eq!(ids(&two), std::slice::from_ref(&new));
    assert_eq!(two.batch.removed, [first[0].clone()]);
    assert_eq!(two.statuses, [200, 200], "one history page, one read");
    let c2 = cursor(&two);
    assert_ne!(c1, c2);

    // Nothing new: one call.
    let idle = pass(Some(&c2));
    assert!(idle.batch.incoming.is_empty());
    assert_eq!(idle.statuses, [200]);

    // The history id expires: 404, then the bounded first pass again.
    mailbox(&sb, "google", ANN, json!({"action": "expireCursors"}));
    let three = pass(Some(&c2));
    assert_eq!(three.statuses[0], 404);
    assert_eq!(
        ids(&three),
        sorted(vec![first[1].clone(), first[2].clone(), new.clone()])
    );
    let c3 = cursor(&three);
    // And the fresh cursor works.
    assert_eq!(pass(Some(&c3)).statuses, [200]);

    let body = run(&sb, GmailBody::new(&new), &token);
    let Step::Done {
        result: SyncResult::Body { raw },
    } = &body.end
    else {
        panic!("{:?}", body.end)
    };
    assert_eq!(String::from_utf8_lossy(raw), message(9, ANN));
}

#[test]
fn graph_first_pass_paged_increment_expiry_and_body() {
    let sb = sandbox();
    let token = format!("sandbox-token:{BO}");
    let now = inlay_sandbox::delivery::now_ms();
    // More than one delta page (the core asks for 50).
    let inbox: Vec<String> = (0..60)
        .map(|n| receive(&sb, "microsoft", BO, &message(n, BO), "INBOX"))
        .collect();
    let sent = receive(
        &sb,
        "microsoft",
        BO,
        "From: bo@contoso.com\r\nTo: bob@acme.test\r\nSubject: Proposal\r\nMessage-ID: <p1@contoso.com>\r\n\r\nHi\r\n",
        "SENTITEMS",
    );
    let graph_id = |id: &str| format!("AAMkAG{id}AAA=");
    let pass = |cursor: Option<&SyncCursor>| {
        run(
            &sb,
            GraphSync::new(BO, cursor, SyncWindow::default(), now),
            &token,
        )
    };

    let one = pass(None);
    assert_eq!(
        one.statuses,
        [200, 200, 200],
        "inbox in two pages, then sent items"
    );
    let mut expected: Vec<String> = inbox.iter().map(|i| graph_id(i)).collect();
    expected.push(graph_id(&sent));
    assert_eq!(ids(&one), sorted(expected));
    let reply = one
        .batch
        .incoming
        .iter()
        .find(|i| i.provider_id == graph_id(&inbox[0]))
        .unwrap();
    // Read from internetMessageHeaders, as Gmail's are.
    assert_eq!(reply.headers.in_reply_to, ["p1@example.com"]);
    assert_eq!(reply.folder, FolderRole::Inbox);
    let sent_one = one.batch.incoming.last().unwrap();
    assert_eq!(sent_one.folder, FolderRole::Sent);
    let c1 = cursor(&one);

    let new = receive(&sb, "microsoft", BO, &message(99, BO), "INBOX");
    mailbox(
        &sb,
        "microsoft",
        BO,
        json!({"action": "delete", "id": inbox[0]}),
    );
    let two = pass(Some(&c1));
    assert_eq!(ids(&two), [graph_id(&new)]);
    assert_eq!(two.batch.removed, [graph_id(&inbox[0])]);
    assert_eq!(two.statuses, [200, 200]);
    let c2 = cursor(&two);

    mailbox(&sb, "microsoft", BO, json!({"action": "expireCursors"}));
    let three = pass(Some(&c2));
    assert_eq!(three.statuses[0], 410);
    assert!(matches!(three.end, Step::Done { .. }), "{:?}", three.end);
    assert_eq!(
        three.batch.incoming.len(),
        60 + 1,
        "inbox again, then sent items"
    );
    assert_eq!(pass(Some(&cursor(&three))).statuses, [200, 200]);

    let body = run(&sb, GraphBody::new(&graph_id(&new)), &token);
    let Step::Done {
        result: SyncResult::Body { raw },
    } = &body.end
    else {
        panic!("{:?}", body.end)
    };
    assert_eq!(String::from_utf8_lossy(raw), message(99, BO));
}
