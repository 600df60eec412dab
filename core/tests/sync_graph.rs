//! Graph's sync planner against recorded delta pages
//! (`fixtures/sync/graph/`): the bounded first pass over Inbox and Sent
//! Items, paging by nextLink, increments from the stored deltaLinks,
//! `@removed`, an expired delta (410, `syncStateNotFound`), a body.

mod sync_fake;

use inlay_core::http::HttpRequest;
use inlay_core::machine::Step;
use inlay_core::message::MessageKind;
use inlay_core::provider::graph::{GRAPH_SYNC_SELECT, GraphBody, GraphSync};
use inlay_core::sync::cursor::{FolderCursor, SyncCursor, SyncWindow};
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{SyncMachine, SyncResult, SyncState};
use sync_fake::*;

const NOW: u64 = 1_765_000_000_000; // 2025-12-06T05:46:40Z
const DELTA: &str = "https://graph.microsoft.com/v1.0/me/mailFolders";

fn machine(cursor: Option<&SyncCursor>) -> SyncMachine<GraphSync> {
    SyncMachine::new(SyncState::new(GraphSync::new(
        "bo@contoso.com",
        cursor,
        SyncWindow::default(),
        NOW,
    )))
}

fn cursor(inbox: &str, sent: &str) -> SyncCursor {
    SyncCursor::Graph {
        folders: vec![
            FolderCursor {
                folder: "inbox".into(),
                token: format!("{DELTA}/inbox/messages/delta?$deltatoken={inbox}"),
            },
            FolderCursor {
                folder: "sentitems".into(),
                token: format!("{DELTA}/sentitems/messages/delta?$deltatoken={sent}"),
            },
        ],
    }
}

/// The recorded mailbox, by link.
fn mailbox(req: &HttpRequest) -> Reply {
    let url = req.url.as_str();
    if url.contains("$skiptoken=inbox-skip-2") {
        return ok("graph/inbox_2.json");
    }
    if url.contains("$deltatoken=inbox-delta-1") {
        return ok("graph/inbox_delta_2.json");
    }
    if url.contains("$deltatoken=sent-delta-1") {
        return ok("graph/sent_delta_2.json");
    }
    if url.starts_with(&format!("{DELTA}/inbox/messages/delta?$select=")) {
        return ok("graph/inbox_1.json");
    }
    if url.starts_with(&format!("{DELTA}/sentitems/messages/delta?$select=")) {
        return ok("graph/sent_1.json");
    }
    panic!("unexpected {url}")
}

#[test]
fn a_first_pass_reads_inbox_then_sent_items_bounded_and_paged() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 200, mailbox);
    let urls = run.urls();
    assert_eq!(urls.len(), 3, "{urls:#?}");
    assert_eq!(
        query(&urls[0], "$select").as_deref(),
        Some(GRAPH_SYNC_SELECT)
    );
    assert_eq!(
        query(&urls[0], "$filter").as_deref(),
        Some("receivedDateTime ge 2025-11-06T05:46:40Z")
    );
    assert!(urls[0].starts_with(&format!("{DELTA}/inbox/messages/delta?")));
    // The next link is followed exactly as given.
    assert_eq!(
        urls[1],
        "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/delta?$skiptoken=inbox-skip-2"
    );
    assert!(urls[2].starts_with(&format!("{DELTA}/sentitems/messages/delta?$select=")));
    for (_, request) in &run.requests {
        assert!(
            request
                .headers
                .contains(&("Prefer".into(), "odata.maxpagesize=50".into())),
            "{request:?}"
        );
        assert!(
            request
                .headers
                .contains(&("Authorization".into(), "Bearer token".into()))
        );
    }
    // The draft is skipped.
    assert_eq!(
        run.incoming_ids(),
        ["AAMkAGI2TG93AAA=", "AAMkAGI2TList=", "AAMkAGI2TSent1="]
    );
    let all: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    // From internetMessageHeaders: the same reading as a raw header block.
    let reply = &all[0];
    assert_eq!(reply.folder, FolderRole::Inbox);
    assert_eq!(reply.thread_id.as_deref(), Some("AAQkAGI2TConv1="));
    assert_eq!(reply.headers.in_reply_to, ["p1@contoso.com"]);
    assert_eq!(reply.received_at_ms, Some(1_764_903_600_000));
    // From the structured fields when Graph gives no headers.
    let list = &all[1];
    assert_eq!(list.headers.from[0].address, "news@lists.example.org");
    assert_eq!(
        list.headers.message_id.as_deref(),
        Some("d1@lists.example.org")
    );
    assert_eq!(list.headers.date, Some(1_764_907_200));
    let sent = &all[2];
    assert_eq!(sent.folder, FolderRole::Sent);
    assert_eq!(sent.headers.to[0].address, "bob@acme.test");
    assert_eq!(sent.headers.cc[0].name.as_deref(), Some("Carl"));

    assert_eq!(run.synced(), cursor("inbox-delta-1", "sent-delta-1"));
}

#[test]
fn an_increment_follows_the_stored_delta_links_and_reports_removals() {
    let mut m = machine(Some(&cursor("inbox-delta-1", "sent-delta-1")));
    let run = drive(&mut m, NOW, 200, mailbox);
    assert_eq!(
        run.urls(),
        [
            format!("{DELTA}/inbox/messages/delta?$deltatoken=inbox-delta-1"),
            format!("{DELTA}/sentitems/messages/delta?$deltatoken=sent-delta-1"),
        ]
    );
    assert_eq!(run.removed(), ["AAMkAGI2TList="]);
    assert_eq!(run.incoming_ids(), ["AAMkAGI2TOof="]);
    let oof = &run.batches[0].incoming[0];
    assert!(
        matches!(oof.headers.kind, MessageKind::AutoReply { .. }),
        "{:?}",
        oof.headers.kind
    );
    assert_eq!(run.synced(), cursor("inbox-delta-2", "sent-delta-2"));
}

#[test]
fn an_expired_delta_restarts_only_that_folder_bounded() {
    for (status_code, page) in [
        (410, "graph/error_410.json"),
        (400, "graph/error_400_syncstate.json"),
    ] {
        let mut m = machine(Some(&cursor("gone", "sent-delta-1")));
        let run = drive(&mut m, NOW, 200, |req| {
            if req.url.contains("$deltatoken=gone") {
                status(status_code, page)
            } else {
                mailbox(req)
            }
        });
        let urls = run.urls();
        assert!(urls[0].ends_with("$deltatoken=gone"));
        // Inbox starts over from the window, Sent Items keeps its link.
        assert!(
            urls[1].contains("/inbox/messages/delta?$select="),
            "{urls:#?}"
        );
        assert!(urls[1].contains("$filter=receivedDateTime"));
        assert!(urls[2].ends_with("$skiptoken=inbox-skip-2"));
        assert!(urls[3].ends_with("$deltatoken=sent-delta-1"));
        assert_eq!(urls.len(), 4);
        assert_eq!(run.synced(), cursor("inbox-delta-1", "sent-delta-2"));
    }
}

#[test]
fn a_delta_that_keeps_expiring_stops_after_the_bounded_restarts() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 200, |_| status(410, "graph/error_410.json"));
    // The first try and two restarts.
    assert_eq!(run.requests.len(), 3);
    let Some(Step::Failed { error }) = &run.end else {
        panic!("{:?}", run.end)
    };
    assert_eq!(error.code, "cursorExpired");
    assert!(
        error.message.starts_with("Microsoft 365 no longer has"),
        "{}",
        error.message
    );
}

#[test]
fn without_the_read_permission_the_sync_stops_in_words() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 50, |_| status(403, "graph/error_403.json"));
    let Some(Step::Failed { error }) = &run.end else {
        panic!("{:?}", run.end)
    };
    assert_eq!(error.code, "readNotAllowed");
    assert_eq!(run.requests.len(), 1);
}

#[test]
fn a_kept_message_body_is_its_mime() {
    let mime = "From: bob@acme.test\r\nSubject: Re: Proposal\r\n\r\nHello Bo\r\n";
    let mut m = SyncMachine::new(SyncState::new(GraphBody::new("AAMkAG/x=")));
    let run = drive(&mut m, NOW, 50, |_| Reply::Http(200, vec![], mime.into()));
    assert_eq!(
        run.urls(),
        ["https://graph.microsoft.com/v1.0/me/messages/AAMkAG%2Fx%3D/$value"]
    );
    let Some(Step::Done {
        result: SyncResult::Body { raw },
    }) = &run.end
    else {
        panic!("{:?}", run.end)
    };
    assert_eq!(raw, mime.as_bytes());
}
