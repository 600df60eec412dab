//! Exchange's sync planner against recorded SOAP pages
//! (`fixtures/sync/ews/`): the bounded first pass over Inbox and Sent
//! Items (SyncFolderItems, then GetItem for headers), paging on
//! `IncludesLastItemInRange`, increments from the stored SyncStates,
//! deletions, an expired SyncState (`ErrorInvalidSyncStateData`),
//! `ErrorServerBusy`'s `BackOffMilliseconds`, a body.

#[path = "support/ews_schema.rs"]
mod ews_schema_support;
mod sync_fake;

use inlay_core::http::HttpRequest;
use inlay_core::machine::Step;
use inlay_core::message::MessageKind;
use inlay_core::provider::ews::{EWS_SYNC_PAGE, EwsBody, EwsSync};
use inlay_core::sync::cursor::{FolderCursor, SyncCursor, SyncWindow};
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{SecretAnswer, SyncMachine, SyncResult, SyncState};
use inlay_core::sync::provider::SyncSteps;
use sync_fake::*;

const NOW: u64 = 1_765_000_000_000; // 2025-12-06T05:46:40Z
const URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

fn machine(cursor: Option<&SyncCursor>) -> SyncMachine<EwsSync> {
    SyncMachine::new(SyncState::new(EwsSync::new(
        "bo@contoso.com",
        URL,
        cursor,
        SyncWindow::default(),
        NOW,
    )))
}

fn cursor(inbox: &str, sent: &str) -> SyncCursor {
    SyncCursor::Ews {
        folders: vec![
            FolderCursor {
                folder: "inbox".into(),
                token: inbox.into(),
            },
            FolderCursor {
                folder: "sentitems".into(),
                token: sent.into(),
            },
        ],
    }
}

/// `drive` of `sync_fake` with Exchange's secret: a username and password.
fn drive_ews<P: SyncSteps + serde::Serialize>(
    machine: &mut SyncMachine<P>,
    now: u64,
    max_steps: usize,
    respond: impl FnMut(&HttpRequest) -> Reply,
) -> Run {
    let password = |_rejected: bool| SecretAnswer::Password {
        username: "bo@contoso.com".into(),
        password: "pw".into(),
    };
    drive_with(machine, now, max_steps, password, respond)
}

/// What a request asks, in short: `sync inbox <state>` or `get A1 A2`.
fn what(req: &HttpRequest) -> String {
    let body = req.body.as_deref().unwrap_or("");
    let between = |a: &str, b: &str| {
        body.split_once(a)
            .and_then(|(_, rest)| rest.split_once(b))
            .map(|(v, _)| v.to_string())
    };
    if body.contains("<m:SyncFolderItems>") {
        let folder = between("DistinguishedFolderId Id=\"", "\"").unwrap();
        let state = between("<m:SyncState>", "</m:SyncState>").unwrap_or("-".into());
        return format!("sync {folder} {state}");
    }
    if body.contains("<m:GetItem>") {
        let ids: Vec<&str> = body
            .split("<t:ItemId Id=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        return format!("get {}", ids.join(" "));
    }
    panic!("unexpected {body}")
}

/// The recorded mailbox.
fn mailbox(req: &HttpRequest) -> Reply {
    let page = match what(req).as_str() {
        "sync inbox -" => "ews/inbox_1.xml",
        "sync inbox inbox-1" => "ews/inbox_2.xml",
        "sync inbox inbox-2" => "ews/inbox_3.xml",
        "sync sentitems -" => "ews/sent_1.xml",
        "sync sentitems sent-1" => "ews/sent_2.xml",
        "get A1 A2" => "ews/get_A1_A2.xml",
        "get A3" => "ews/get_A3.xml",
        "get S1" => "ews/get_S1.xml",
        "get A4" => "ews/get_A4.xml",
        other => panic!("unexpected {other}"),
    };
    ok(page)
}

fn calls(run: &Run) -> Vec<String> {
    run.requests.iter().map(|(_, r)| what(r)).collect()
}

#[test]
fn a_first_pass_lists_then_reads_headers_bounded_and_paged() {
    let mut m = machine(None);
    let run = drive_ews(&mut m, NOW, 200, mailbox);
    assert_eq!(
        calls(&run),
        [
            "sync inbox -",
            "get A1 A2",
            "sync inbox inbox-1",
            "get A3",
            "sync sentitems -",
            "get S1"
        ]
    );
    // Every request is a SOAP POST with the password as Basic auth and the
    // page size asked.
    let (_, first) = &run.requests[0];
    assert_eq!(first.url, URL);
    assert!(
        first
            .headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v.starts_with("Basic "))
    );
    let body = first.body.as_deref().unwrap();
    assert!(
        body.contains(&format!("<m:MaxChangesReturned>{EWS_SYNC_PAGE}<")),
        "{body}"
    );
    assert!(body.contains("item:DateTimeReceived"), "{body}");
    // A0 (2020) is outside the 30-day window; A3 was gone when read.
    assert_eq!(run.incoming_ids(), ["A1", "A2", "S1"]);
    assert_eq!(run.removed(), ["A3"]);
    let all: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    let a1 = &all[0];
    assert_eq!(a1.folder, FolderRole::Inbox);
    assert_eq!(a1.thread_id.as_deref(), Some("CONV-1"));
    assert_eq!(a1.size, Some(4210));
    assert_eq!(a1.received_at_ms, Some(1_764_925_200_000));
    assert_eq!(a1.headers.subject.as_deref(), Some("Quote & terms"));
    assert_eq!(
        a1.headers.from[0].address, "ana@fabrikam.com",
        "the field, not the header copy"
    );
    assert_eq!(a1.headers.from.len(), 1);
    assert_eq!(a1.headers.to[0].address, "bo@contoso.com");
    assert_eq!(a1.headers.message_id.as_deref(), Some("a1@fabrikam.com"));
    assert_eq!(a1.headers.list_id.as_deref(), Some("<news.fabrikam.com>"));
    assert!(
        matches!(all[1].headers.kind, MessageKind::AutoReply { .. }),
        "{:?}",
        all[1].headers
    );
    let s1 = &all[2];
    assert_eq!(s1.folder, FolderRole::Sent);
    assert_eq!(s1.headers.in_reply_to, ["a1@fabrikam.com"]);
    assert_eq!(run.synced(), cursor("inbox-2", "sent-1"));
}

#[test]
fn an_increment_goes_on_from_the_stored_states() {
    let c = cursor("inbox-2", "sent-1");
    let mut m = machine(Some(&c));
    let run = drive_ews(&mut m, NOW, 200, mailbox);
    assert_eq!(
        calls(&run),
        ["sync inbox inbox-2", "get A4", "sync sentitems sent-1"]
    );
    // A1 deleted; A2's read flag and update are no new email.
    assert_eq!(run.removed(), ["A1"]);
    assert_eq!(run.incoming_ids(), ["A4"]);
    assert_eq!(run.synced(), cursor("inbox-3", "sent-2"));
    // Stored as the shell keeps it, and read back.
    let json = run.synced().to_json();
    assert!(
        json.starts_with(r#"{"kind":"ews","folders":[{"folder":"inbox","token":"inbox-3"}"#),
        "{json}"
    );
}

#[test]
fn an_expired_sync_state_restarts_that_folder_bounded() {
    let c = cursor("stale", "sent-1");
    let mut m = machine(Some(&c));
    let run = drive_ews(&mut m, NOW, 200, |req| match what(req).as_str() {
        "sync inbox stale" => ok("ews/invalid_sync_state.xml"),
        _ => mailbox(req),
    });
    assert_eq!(
        calls(&run),
        [
            "sync inbox stale",
            "sync inbox -",
            "get A1 A2",
            "sync inbox inbox-1",
            "get A3",
            "sync sentitems sent-1"
        ]
    );
    assert_eq!(
        run.incoming_ids(),
        ["A1", "A2"],
        "A0 is outside the window again"
    );
    assert_eq!(run.synced(), cursor("inbox-2", "sent-2"));
}

#[test]
fn an_always_expired_state_ends_in_words_after_bounded_restarts() {
    let mut m = machine(None);
    let run = drive_ews(&mut m, NOW, 200, |_| ok("ews/invalid_sync_state.xml"));
    assert!(run.requests.len() <= 3, "{:?}", calls(&run));
    match &run.end {
        Some(Step::Failed { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_busy_server_is_waited_out_for_its_back_off_and_the_same_call_made_again() {
    let mut m = machine(None);
    let mut busy = true;
    let run = drive_ews(&mut m, NOW, 200, |req| {
        if std::mem::take(&mut busy) {
            return status(500, "ews/server_busy.xml");
        }
        mailbox(req)
    });
    assert_eq!(calls(&run)[..2], ["sync inbox -", "sync inbox -"]);
    // Then only the pacer's steady waits.
    assert_eq!(run.waits[0].0, NOW + 297_749, "{:?}", run.waits);
    assert!(run.requests[1].0 >= NOW + 297_749);
    assert!(run.waits[0].1.contains("busy"), "{:?}", run.waits);
    assert_eq!(run.synced(), cursor("inbox-2", "sent-1"));
}

#[test]
fn a_stopped_worker_resumes_from_the_committed_state_reading_each_message_once() {
    let mut seen = vec![];
    for stop in 1..12 {
        let mut m = machine(None);
        let first = drive_ews(&mut m, NOW, stop, mailbox);
        let mut again: SyncMachine<EwsSync> = reload(&first);
        let second = drive_ews(&mut again, NOW, 200, mailbox);
        let mut ids = first.incoming_ids();
        ids.extend(second.incoming_ids());
        assert_eq!(ids, ["A1", "A2", "S1"], "stopped after {stop} steps");
        assert_eq!(second.synced(), cursor("inbox-2", "sent-1"));
        seen.push(first.requests.len());
    }
    assert!(
        seen.contains(&0) && seen.iter().any(|n| *n >= 3),
        "{seen:?}"
    );
}

#[test]
fn a_body_is_the_message_mime() {
    let mut m = SyncMachine::new(SyncState::new(EwsBody::new(URL, "AAMkItem1=")));
    let run = drive_ews(&mut m, NOW, 20, |req| {
        assert!(
            req.body
                .as_deref()
                .unwrap()
                .contains("<t:IncludeMimeContent>true<")
        );
        assert_eq!(what(req), "get AAMkItem1=");
        ok("ews/get_mime.xml")
    });
    match &run.end {
        Some(Step::Done {
            result: SyncResult::Body { raw },
        }) => {
            let text = String::from_utf8(raw.clone()).unwrap();
            assert!(text.starts_with("From: Ana <ana@contoso.com>"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_recorded_page_validates_against_messages_xsd() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = ews_schema_support::schema_dir(&repo, "sync-pages");
    let pages = repo.join("core/tests/fixtures/sync/ews");
    let mut files: Vec<_> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 16, "{files:?}");
    ews_schema_support::validate_files(&dir, &files);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_busy_answer_inside_a_read_retries_the_batch_and_a_refused_item_is_unreadable() {
    let mut m = machine(None);
    let mut reads = 0;
    let run = drive_ews(&mut m, NOW, 200, |req| match what(req).as_str() {
        "get A1 A2" => {
            reads += 1;
            ok(if reads == 1 {
                "ews/get_A1_A2_busy.xml"
            } else {
                "ews/get_A1_A2_denied.xml"
            })
        }
        _ => mailbox(req),
    });
    assert_eq!(reads, 2);
    let busy = run
        .requests
        .iter()
        .position(|(_, r)| what(r) == "get A1 A2")
        .unwrap();
    assert_eq!(what(&run.requests[busy + 1].1), "get A1 A2");
    assert!(run.requests[busy + 1].0 >= run.requests[busy].0 + 2_000);
    // A1 read once (the busy answer's copy was not kept); A2 "couldn't read".
    assert_eq!(run.incoming_ids(), ["A1", "S1"]);
    let unreadable: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.unreadable.clone())
        .collect();
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].provider_id, "A2");
    assert!(
        unreadable[0].reason.contains("ErrorAccessDenied"),
        "{unreadable:?}"
    );
    assert_eq!(run.synced(), cursor("inbox-2", "sent-1"));
}

#[test]
fn a_refused_password_is_asked_again_once_then_the_user_signs_in_again() {
    let mut m = machine(None);
    let run = drive_ews(&mut m, NOW, 50, |_| Reply::Http(401, vec![], String::new()));
    assert_eq!(run.asks, [false, true]);
    assert_eq!(run.requests.len(), 2);
    assert!(!matches!(run.end, Some(Step::Done { .. })), "{:?}", run.end);
}

#[test]
fn a_bearer_token_is_refused_in_words() {
    let plan = EwsSync::new("bo@contoso.com", URL, None, SyncWindow::default(), NOW);
    match plan.call(&inlay_core::sync::provider::Secret::Bearer("t")) {
        Err(inlay_core::sync::provider::Fault::Permanent { code, message }) => {
            assert_eq!(code, "wrongSecret");
            assert!(message.contains("password"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_listing_without_received_dates_is_still_kept_to_the_window_when_read() {
    let mut m = machine(None);
    let run = drive_ews(&mut m, NOW, 200, |req| match what(req).as_str() {
        "sync inbox -" => ok("ews/inbox_1_no_dates.xml"),
        "get A1 A0 A2" => ok("ews/get_A1_A0_A2.xml"),
        _ => mailbox(req),
    });
    assert!(calls(&run).contains(&"get A1 A0 A2".to_string()));
    assert_eq!(run.incoming_ids(), ["A1", "A2", "S1"]);
    assert_eq!(run.synced(), cursor("inbox-2", "sent-1"));
}

#[test]
fn a_body_no_longer_in_the_mailbox_ends_as_gone_in_words() {
    let mut m = SyncMachine::new(SyncState::new(EwsBody::new(URL, "A3")));
    let run = drive_ews(&mut m, NOW, 20, |_| ok("ews/get_A3.xml"));
    assert_eq!(run.requests.len(), 1, "not retried");
    let end = format!("{:?}", run.end);
    assert!(
        end.contains("gone") && end.contains("no longer in the Exchange mailbox"),
        "{end}"
    );
}
