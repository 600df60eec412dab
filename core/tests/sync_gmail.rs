//! Gmail's sync planner against recorded pages (`fixtures/sync/gmail/`):
//! the bounded first pass, increments from `historyId`, an expired cursor,
//! deletions, paging, drafts, hostile and unreadable headers, a body.

mod sync_fake;

use inlay_core::machine::Step;
use inlay_core::message::MessageKind;
use inlay_core::provider::gmail::{GMAIL_SYNC_HEADERS, GmailBody, GmailSync};
use inlay_core::sync::cursor::{SyncCursor, SyncWindow};
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{SyncMachine, SyncResult, SyncState};
use sync_fake::*;

const NOW: u64 = 1_765_000_000_000;
const DAY: u64 = 86_400_000;

fn machine(cursor: Option<&SyncCursor>) -> SyncMachine<GmailSync> {
    SyncMachine::new(SyncState::new(GmailSync::new(
        "ann@example.com",
        cursor,
        SyncWindow::default(),
        NOW,
    )))
}

/// The recorded mailbox: pages by what the URL asks.
fn mailbox(req: &inlay_core::http::HttpRequest) -> Reply {
    let url = &req.url;
    let path = url.split('?').next().unwrap();
    if path.ends_with("/profile") {
        return ok("gmail/profile.json");
    }
    if path.ends_with("/history") {
        return match query(url, "pageToken").as_deref() {
            None => ok("gmail/history_1.json"),
            Some("h2") => ok("gmail/history_2.json"),
            Some(other) => panic!("page token {other}"),
        };
    }
    if path.ends_with("/messages") {
        return match query(url, "pageToken").as_deref() {
            None => ok("gmail/list_1.json"),
            Some("09876543210") => ok("gmail/list_2.json"),
            Some(other) => panic!("page token {other}"),
        };
    }
    let id = path.rsplit('/').next().unwrap();
    let suffix = &id[id.len() - 4..];
    match query(url, "format").as_deref() {
        Some("metadata") => {
            let file = format!("gmail/get_{suffix}.json");
            if std::path::Path::new(&format!(
                "{}/tests/fixtures/sync/{file}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .exists()
            {
                ok(&file)
            } else {
                status(404, "gmail/error_404.json")
            }
        }
        Some("raw") => ok(&format!("gmail/raw_{suffix}.json")),
        other => panic!("format {other:?}"),
    }
}

#[test]
fn a_first_pass_reads_the_profile_then_lists_the_window_and_reads_headers() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 500, mailbox);
    let urls = run.urls();
    assert_eq!(urls.len(), 6, "{urls:#?}");
    assert_eq!(
        urls[0],
        "https://gmail.googleapis.com/gmail/v1/users/me/profile"
    );
    // The window is fixed when the pass began: 30 days back, in seconds.
    let after = format!("after:{}", (NOW - 30 * DAY) / 1000);
    assert_eq!(query(&urls[1], "q").as_deref(), Some(after.as_str()));
    assert_eq!(query(&urls[4], "q").as_deref(), Some(after.as_str()));
    assert_eq!(query(&urls[4], "pageToken").as_deref(), Some("09876543210"));
    // Headers only, and exactly those the summary reads.
    let get = url::Url::parse(&urls[2]).unwrap();
    assert!(get.path().ends_with("/messages/18c1a0000000a001"));
    let asked: Vec<String> = get
        .query_pairs()
        .filter(|(k, _)| k == "metadataHeaders")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(asked, GMAIL_SYNC_HEADERS);
    assert_eq!(query(&urls[2], "format").as_deref(), Some("metadata"));
    let auth = &run.requests[0].1.headers;
    assert!(auth.contains(&("Authorization".into(), "Bearer token".into())));

    assert_eq!(
        run.incoming_ids(),
        ["18c1a0000000a001", "18c1a0000000a002", "18c1a0000000a003"]
    );
    let all: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    assert_eq!(all[0].folder, FolderRole::Sent);
    assert_eq!(all[1].folder, FolderRole::Inbox);
    assert_eq!(all[0].inbox, "ann@example.com");
    let reply = &all[1];
    assert_eq!(reply.thread_id.as_deref(), Some("18c1a0000000a001"));
    assert_eq!(reply.received_at_ms, Some(1_764_903_600_000));
    assert_eq!(reply.size, Some(3105));
    assert_eq!(reply.headers.from[0].name.as_deref(), Some("Bob Büyer"));
    assert_eq!(reply.headers.cc.len(), 2);
    assert_eq!(reply.headers.in_reply_to, ["p1@example.com"]);
    assert_eq!(
        reply.headers.references,
        ["p0@example.com", "p1@example.com"]
    );
    assert_eq!(reply.headers.message_id.as_deref(), Some("r1@acme.test"));
    assert!(!reply.headers.bulk);
    let list = &all[2];
    assert!(list.headers.bulk);
    assert_eq!(
        list.headers.list_id.as_deref(),
        Some("Dev list <dev.lists.example.org>")
    );

    // The cursor is the historyId read before listing: nothing arriving
    // during the pass is missed.
    assert_eq!(
        run.synced(),
        SyncCursor::Gmail {
            history_id: "5000".into()
        }
    );
    let Some(Step::Done {
        result: SyncResult::Synced { progress, .. },
    }) = &run.end
    else {
        unreachable!()
    };
    assert_eq!(
        (progress.read, progress.expected, progress.calls),
        (3, Some(3), 6)
    );
}

#[test]
fn an_increment_reads_history_pages_skips_drafts_and_reports_deletions() {
    let cursor = SyncCursor::Gmail {
        history_id: "5000".into(),
    };
    let mut m = machine(Some(&cursor));
    let run = drive(&mut m, NOW, 500, mailbox);
    let urls = run.urls();
    assert_eq!(urls.len(), 4, "{urls:#?}");
    assert!(urls[0].starts_with("https://gmail.googleapis.com/gmail/v1/users/me/history?startHistoryId=5000&historyTypes=messageAdded&historyTypes=messageDeleted&maxResults=500"));
    assert!(urls[1].contains("/messages/18c1a0000000a004?format=metadata"));
    assert_eq!(query(&urls[2], "pageToken").as_deref(), Some("h2"));
    assert_eq!(query(&urls[2], "startHistoryId").as_deref(), Some("5000"));
    assert!(urls[3].contains("/messages/18c1a0000000a006?"));
    // The draft is never read; a005, added and deleted within the page, neither.
    assert_eq!(run.incoming_ids(), ["18c1a0000000a004", "18c1a0000000a006"]);
    assert_eq!(run.removed(), ["18c1a0000000a002", "18c1a0000000a005"]);
    let all: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    assert!(matches!(all[0].headers.kind, MessageKind::AutoReply { .. }));
    // A value with a line break stays one field: no Bcc smuggled in.
    assert!(all[1].headers.bcc.is_empty());
    assert_eq!(
        all[1].headers.subject.as_deref(),
        Some("hi  Bcc: everyone@example.com")
    );
    // The last page's historyId.
    assert_eq!(
        run.synced(),
        SyncCursor::Gmail {
            history_id: "5012".into()
        }
    );
}

#[test]
fn an_increment_with_no_changes_is_one_call() {
    let cursor = SyncCursor::Gmail {
        history_id: "5012".into(),
    };
    let mut m = machine(Some(&cursor));
    let run = drive(&mut m, NOW, 50, |_| ok("gmail/history_empty.json"));
    assert_eq!(run.requests.len(), 1);
    assert!(run.batches.is_empty());
    assert_eq!(run.synced(), cursor);
}

#[test]
fn an_expired_history_id_restarts_the_bounded_first_pass_once() {
    let cursor = SyncCursor::Gmail {
        history_id: "17".into(),
    };
    let mut m = machine(Some(&cursor));
    let later = NOW + 10 * DAY;
    let run = drive(&mut m, later, 500, |req| {
        if req.url.contains("/history?") {
            status(404, "gmail/error_404.json")
        } else {
            mailbox(req)
        }
    });
    let urls = run.urls();
    assert!(urls[0].contains("startHistoryId=17"));
    assert!(urls[1].ends_with("/profile"));
    // The window counted back from the restart, not from when the plan was made.
    let after = format!("after:{}", (later - 30 * DAY) / 1000);
    assert_eq!(query(&urls[2], "q").as_deref(), Some(after.as_str()));
    assert_eq!(run.incoming_ids().len(), 3);
    assert_eq!(
        run.synced(),
        SyncCursor::Gmail {
            history_id: "5000".into()
        }
    );
    let Some(Step::Done {
        result: SyncResult::Synced { progress, .. },
    }) = &run.end
    else {
        unreachable!()
    };
    assert_eq!(progress.restarts, 1);
}

#[test]
fn a_message_deleted_after_its_listing_is_removed_and_the_pass_goes_on() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 500, |req| {
        if req.url.contains("/messages/18c1a0000000a002?") {
            status(404, "gmail/error_404.json")
        } else {
            mailbox(req)
        }
    });
    assert_eq!(run.incoming_ids(), ["18c1a0000000a001", "18c1a0000000a003"]);
    assert_eq!(run.removed(), ["18c1a0000000a002"]);
    assert!(matches!(run.end, Some(Step::Done { .. })));
}

#[test]
fn unreadable_headers_are_reported_and_never_stop_the_pass() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 500, |req| {
        if req.url.contains("/messages/18c1a0000000a001?") {
            ok("gmail/get_bad.json")
        } else {
            mailbox(req)
        }
    });
    let unreadable: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.unreadable.clone())
        .collect();
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].provider_id, "18c1a0000000a001");
    assert!(
        unreadable[0]
            .reason
            .starts_with("Its headers could not be read"),
        "{}",
        unreadable[0].reason
    );
    assert_eq!(run.incoming_ids(), ["18c1a0000000a002", "18c1a0000000a003"]);
    assert!(matches!(run.end, Some(Step::Done { .. })));
}

#[test]
fn without_the_read_permission_the_sync_stops_in_words() {
    let mut m = machine(None);
    let run = drive(&mut m, NOW, 50, |_| {
        status(403, "gmail/error_403_scope.json")
    });
    let Some(Step::Failed { error }) = &run.end else {
        panic!("{:?}", run.end)
    };
    assert_eq!(error.code, "readNotAllowed");
    assert!(error.message.contains("may not read"), "{}", error.message);
    assert_eq!(run.requests.len(), 1, "a permanent refusal is not retried");
}

#[test]
fn a_kept_message_body_is_read_raw() {
    let mut m = SyncMachine::new(SyncState::new(GmailBody::new("18c1a0000000a002")));
    let run = drive(&mut m, NOW, 50, mailbox);
    assert_eq!(
        run.urls(),
        ["https://gmail.googleapis.com/gmail/v1/users/me/messages/18c1a0000000a002?format=raw"]
    );
    let Some(Step::Done {
        result: SyncResult::Body { raw },
    }) = &run.end
    else {
        panic!("{:?}", run.end)
    };
    assert_eq!(
        raw,
        b"From: bob@acme.test\r\nSubject: Re: Proposal\r\n\r\nHello Ann\r\n"
    );
    let mut gone = SyncMachine::new(SyncState::new(GmailBody::new("x")));
    let run = drive(&mut gone, NOW, 50, |_| status(404, "gmail/error_404.json"));
    assert!(matches!(&run.end, Some(Step::Failed { error }) if error.code == "gone"));
}
