//! The IMAP sync planner (`ImapSync`, `ImapBody`) through the sync machine
//! against a scripted native helper that answers `imapSync` as
//! bridge/README.md documents it (and bridge/src/imap/sync.rs does: UIDs
//! above `sinceUid`, `reset` on another UIDVALIDITY, pages of `maxMessages`
//! with `more`, `highestUid`). The helper's own side is tested against
//! Dovecot in bridge/tests/. First pass bounded to the window, increments,
//! a UIDVALIDITY change, expunged messages, paging, helper errors, a body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::imap::{
    HelperCall, HelperOp, ImapBody, ImapSync, ImapTarget, MailSettings, Security, Server,
};
use inlay_core::rpc::imap::PinnedCertificates;
use inlay_core::sync::cursor::{ImapFolderCursor, SyncCursor, SyncWindow};
use inlay_core::sync::dedupe::received_entry_id;
use inlay_core::sync::incoming::FolderRole;
use inlay_core::sync::machine::{
    Batch, SecretAnswer, SyncMachine, SyncQuestion, SyncResult, SyncState, SyncStep,
};
use inlay_core::sync::provider::SyncSteps;
use serde_json::{Value, json};

const NOW: u64 = 1_765_000_000_000;
const DAY: u64 = 86_400_000;
const RANDOM: [u8; 8] = [0x80, 0, 0, 0, 1, 2, 3, 4];

fn target() -> ImapTarget {
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
        pinned_certificates: PinnedCertificates::default(),
        append_to_sent: true,
    }
}

/// `2025-12-06T05:46:40+01:00`-style INTERNALDATE of Unix ms `t`, in +01:00.
fn internal_date(t: u64) -> String {
    let secs = (t / 1000 + 3600) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+01:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn mime(n: u32, from: &str, to: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Message {n}\r\nDate: Fri, 5 Dec 2025 10:00:00 +0000\r\n\
         Message-ID: <m{n}@example.net>\r\n\r\nBody {n}\r\n"
    )
    .into_bytes()
}

#[derive(Clone)]
struct Stored {
    uid: u32,
    at_ms: u64,
    /// `None`: larger than the page's byte limit (the helper sends no bytes).
    mime: Option<Vec<u8>>,
}

#[derive(Clone)]
struct Folder {
    uid_validity: u32,
    messages: Vec<Stored>,
    /// HIGHESTMODSEQ: one more for each delivery and expunge (CONDSTORE).
    mod_seq: u64,
    /// (modseq, uid) of every expunge, for QRESYNC's VANISHED (EARLIER).
    expunged: Vec<(u64, u32)>,
}

/// The mail server behind the helper: folders by name.
#[derive(Clone)]
struct Server_ {
    folders: Vec<(String, Folder)>,
    /// Helper failures to give before answering, one per call.
    failures: Vec<(String, String)>,
    /// Every `imapSync` call's args (password removed).
    calls: Vec<Value>,
}

impl Server_ {
    fn new() -> Self {
        Server_ {
            folders: vec![],
            failures: vec![],
            calls: vec![],
        }
    }
    fn folder(&mut self, name: &str) -> &mut Folder {
        if !self.folders.iter().any(|(n, _)| n == name) {
            self.folders.push((
                name.into(),
                Folder {
                    uid_validity: 100 + self.folders.len() as u32,
                    messages: vec![],
                    mod_seq: 0,
                    expunged: vec![],
                },
            ));
        }
        &mut self.folders.iter_mut().find(|(n, _)| n == name).unwrap().1
    }
    /// Delivers message `n` into `folder` at `at_ms`.
    fn deliver(&mut self, folder: &str, n: u32, at_ms: u64) -> u32 {
        let sent = folder != "INBOX";
        let f = self.folder(folder);
        let uid = f.messages.iter().map(|m| m.uid).max().unwrap_or(0) + 1;
        let (from, to) = if sent {
            ("ann@example.org", "bo@example.net")
        } else {
            ("bo@example.net", "ann@example.org")
        };
        f.messages.push(Stored {
            uid,
            at_ms,
            mime: Some(mime(n, from, to)),
        });
        f.mod_seq += 1;
        uid
    }
    /// Expunges `uids` from `folder`.
    fn expunge(&mut self, folder: &str, uids: &[u32]) {
        let f = self.folder(folder);
        for &uid in uids {
            f.messages.retain(|m| m.uid != uid);
            f.mod_seq += 1;
            f.expunged.push((f.mod_seq, uid));
        }
    }

    /// The helper's `imapSync`, as bridge/src/imap/sync.rs answers it.
    fn answer(&mut self, call: &HelperCall) -> Result<Value, (String, String)> {
        assert_eq!(call.op, HelperOp::ImapSync);
        let mut args = call.args.clone();
        assert_eq!(args["imap"]["password"], "s3cret");
        args["imap"].as_object_mut().unwrap().remove("password");
        self.calls.push(args.clone());
        if !self.failures.is_empty() {
            return Err(self.failures.remove(0));
        }
        let name = args["folder"].as_str().unwrap().to_string();
        let Some((_, f)) = self.folders.iter().find(|(n, _)| *n == name) else {
            return Err((
                "folderNotFound".into(),
                format!("cannot open folder {name:?}: NO"),
            ));
        };
        let asked = args["uidValidity"].as_u64();
        if args["sinceUid"].is_u64() {
            assert!(asked.is_some(), "sinceUid without uidValidity");
        }
        let reset = asked.is_some_and(|v| v != u64::from(f.uid_validity));
        let since = if reset {
            0
        } else {
            args["sinceUid"].as_u64().unwrap_or(0) as u32
        };
        let max = args["maxMessages"].as_u64().unwrap() as usize;
        let headers_only = args["headersOnly"] == json!(true);
        // Headers only: the block up to and including the blank line, for
        // every message whatever its size.
        let bytes = |m: &Stored| -> Option<Vec<u8>> {
            let b = m
                .mime
                .clone()
                .unwrap_or_else(|| b"Subject: huge\r\n\r\n".to_vec());
            if headers_only {
                let end = b
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(b.len(), |i| i + 4);
                Some(b[..end].to_vec())
            } else {
                m.mime.clone()
            }
        };
        // SINCE: on or after the day (lexically, both `YYYY-MM-DD…`).
        let day = args["sinceDate"].as_str().unwrap_or("").to_string();
        let mut uids: Vec<&Stored> = f
            .messages
            .iter()
            .filter(|m| m.uid > since && internal_date(m.at_ms)[..10] >= *day)
            .collect();
        uids.sort_by_key(|m| m.uid);
        let page: Vec<Value> = uids
            .iter()
            .take(max)
            .map(|m| {
                json!({
                    "uid": m.uid, "flags": [], "internalDate": internal_date(m.at_ms),
                    "size": m.mime.as_ref().map_or(99_999_999, Vec::len),
                    "mime": bytes(m).map(|b| STANDARD.encode(b)),
                })
            })
            .collect();
        let highest = f.messages.iter().map(|m| m.uid).max().unwrap_or(0);
        Ok(json!({
            "uidValidity": f.uid_validity,
            "uidNext": highest + 1,
            "highestUid": highest,
            "highestModSeq": f.mod_seq,
            "vanished": match args["modSeq"].as_u64() {
                Some(m) if !reset => f
                    .expunged
                    .iter()
                    .filter(|(s, _)| *s > m)
                    .map(|(_, u)| *u)
                    .collect::<Vec<_>>(),
                _ => vec![],
            },
            "reset": reset,
            "messages": page,
            "more": uids.len() > max,
            "remaining": uids.len(),
        }))
    }
}

#[derive(Default, Debug)]
struct Run {
    batches: Vec<Batch>,
    asks: Vec<bool>,
    waits: Vec<(u64, String)>,
    end: Option<SyncStep>,
    committed: String,
    now: u64,
}

impl Run {
    fn ids(&self) -> Vec<String> {
        self.batches
            .iter()
            .flat_map(|b| b.incoming.iter().map(|i| i.provider_id.clone()))
            .collect()
    }
    fn cursor(&self) -> SyncCursor {
        match &self.end {
            Some(Step::Done {
                result: SyncResult::Synced { cursor, .. },
            }) => cursor.clone(),
            other => panic!("not done: {other:?}"),
        }
    }
    fn failed(&self) -> (String, String) {
        match &self.end {
            Some(Step::Failed { error }) => (error.code.clone(), error.message.clone()),
            other => panic!("not failed: {other:?}"),
        }
    }
}

/// Drives `m` for at most `max_steps`, the helper answered by `server`,
/// committing the batch and state after every step as the worker must.
fn drive<P: SyncSteps + serde::Serialize>(
    m: &mut SyncMachine<P>,
    server: &mut Server_,
    max_steps: usize,
) -> Run {
    drive_at(m, server, max_steps, NOW)
}

/// [`drive`] with the clock at `now`; the run's `now` is where it ended.
fn drive_at<P: SyncSteps + serde::Serialize>(
    m: &mut SyncMachine<P>,
    server: &mut Server_,
    max_steps: usize,
    mut now: u64,
) -> Run {
    let mut run = Run::default();
    let mut step = m.start(Moment {
        now_ms: now,
        random: &RANDOM,
    });
    run.committed = serde_json::to_string(m.state()).unwrap();
    for _ in 0..max_steps {
        let input = match &step {
            Step::Ask {
                question: SyncQuestion::Secret { rejected },
            } => {
                run.asks.push(*rejected);
                Input::Answer {
                    answer: SecretAnswer::Password {
                        username: "ann".into(),
                        password: "s3cret".into(),
                    },
                }
            }
            Step::Helper { call, .. } => match server.answer(call) {
                Ok(reply) => Input::HelperReply { reply },
                Err((code, message)) => Input::HelperFailed {
                    code,
                    message,
                    certificate: None,
                },
            },
            Step::Wait { until_ms, reason } => {
                run.waits.push((*until_ms, reason.clone()));
                now = now.max(*until_ms);
                Input::Timer
            }
            Step::Done { .. } | Step::Failed { .. } => {
                run.end = Some(step.clone());
                run.now = now;
                return run;
            }
            other => panic!("unexpected step {other:?}"),
        };
        step = m.resume(
            input,
            Moment {
                now_ms: now,
                random: &RANDOM,
            },
        );
        let batch = m.take_batch();
        if !batch.is_empty() {
            run.batches.push(batch);
        }
        run.committed = serde_json::to_string(m.state()).unwrap();
    }
    if step.is_final() {
        run.end = Some(step);
    }
    run.now = now + 1000;
    run
}

fn sync(cursor: Option<&SyncCursor>) -> SyncMachine<ImapSync> {
    SyncMachine::new(SyncState::new(ImapSync::new(
        "ann@example.org",
        &target(),
        Some("Sent"),
        cursor,
        SyncWindow::days(30),
        NOW,
    )))
}

/// INBOX: 3 old (40 days) and 2 recent; Sent: 1 recent.
fn mailbox() -> Server_ {
    let mut s = Server_::new();
    for n in 1..=3 {
        s.deliver("INBOX", n, NOW - 40 * DAY);
    }
    s.deliver("INBOX", 4, NOW - 2 * DAY);
    s.deliver("INBOX", 5, NOW - DAY);
    s.deliver("Sent", 6, NOW - DAY);
    s
}

#[test]
fn a_first_pass_reads_both_folders_logs_only_the_window_and_ends_with_their_uids() {
    let mut server = mailbox();
    // On the helper's SINCE day (the day before the window) but an hour
    // before the window opens: the helper sends it, the core passes over it.
    server.deliver("INBOX", 99, NOW - 30 * DAY - 3_600_000);
    let run = drive(&mut sync(None), &mut server, 50);
    assert_eq!(run.ids(), ["INBOX:100:4", "INBOX:100:5", "Sent:101:1"]);
    let all: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    assert_eq!(all[0].folder, FolderRole::Inbox);
    assert_eq!(all[2].folder, FolderRole::Sent);
    assert_eq!(all[0].headers.message_id.as_deref(), Some("m4@example.net"));
    assert_eq!(
        all[0].received_at_ms,
        Some((NOW - 2 * DAY) as i64 / 1000 * 1000)
    );
    assert_eq!(
        run.cursor(),
        SyncCursor::Imap {
            folders: vec![
                ImapFolderCursor {
                    folder: "INBOX".into(),
                    uid_validity: 100,
                    uid_next: 7,
                    highest_mod_seq: Some(6)
                },
                ImapFolderCursor {
                    folder: "Sent".into(),
                    uid_validity: 101,
                    uid_next: 2,
                    highest_mod_seq: Some(1)
                },
            ]
        }
    );
    // A first pass knows no UIDVALIDITY: it asks from the start, read-only.
    assert_eq!(server.calls[0]["folder"], "INBOX");
    assert_eq!(server.calls[0]["uidValidity"], Value::Null);
    assert_eq!(server.calls[0]["sinceUid"], Value::Null);
    // The window (NOW is 2025-12-06T05:46:40Z, 30 days) from the day before.
    assert_eq!(server.calls[0]["sinceDate"], "2025-11-05");
    assert_eq!(server.calls[1]["sinceDate"], "2025-11-05");
    assert_eq!(server.calls[0]["imap"]["host"], "imap.example.org");
    assert_eq!(server.calls[1]["folder"], "Sent");
    assert_eq!(server.calls.len(), 2);
    assert_eq!(run.asks, [false, false]);
}

#[test]
fn an_increment_reads_only_what_arrived_after_the_cursor() {
    let mut server = mailbox();
    let first = drive(&mut sync(None), &mut server, 50).cursor();
    // Old mail arriving now (an INTERNALDATE before the window) is still new.
    server.deliver("INBOX", 7, NOW - 90 * DAY);
    server.deliver("Sent", 8, NOW);
    let run = drive(&mut sync(Some(&first)), &mut server, 50);
    assert_eq!(run.ids(), ["INBOX:100:6", "Sent:101:2"]);
    assert_eq!(server.calls[2]["uidValidity"], 100);
    assert_eq!(server.calls[2]["sinceDate"], Value::Null);
    assert_eq!(server.calls[2]["sinceUid"], 5);
    assert_eq!(server.calls[3]["sinceUid"], 1);
    // Nothing new: one call per folder, nothing logged, the cursor unchanged.
    let again = run.cursor();
    let quiet = drive(&mut sync(Some(&again)), &mut server, 50);
    assert!(quiet.batches.is_empty());
    assert_eq!(quiet.cursor(), again);
    assert_eq!(server.calls.len(), 6);
}

#[test]
fn a_changed_uidvalidity_rereads_that_folders_window_with_the_same_entry_ids() {
    let mut server = mailbox();
    let first_run = drive(&mut sync(None), &mut server, 50);
    let first = first_run.cursor();
    let before: Vec<String> = first_run
        .batches
        .iter()
        .flat_map(|b| b.incoming.iter().filter(|i| i.folder == FolderRole::Inbox))
        .map(received_entry_id)
        .collect();
    // The server rebuilt INBOX: same emails, new UIDs, new UIDVALIDITY.
    let inbox = server.folder("INBOX");
    inbox.uid_validity = 555;
    for (i, m) in inbox.messages.iter_mut().enumerate() {
        m.uid = 10 + i as u32;
    }
    server.deliver("Sent", 9, NOW);
    let run = drive(&mut sync(Some(&first)), &mut server, 50);
    // Only the window again (not the 40-day-old three), then Sent from its cursor.
    assert_eq!(run.ids(), ["INBOX:555:13", "INBOX:555:14", "Sent:101:2"]);
    let after: Vec<String> = run.batches[0]
        .incoming
        .iter()
        .chain(run.batches.get(1).map_or(&[][..], |b| &b.incoming[..]))
        .filter(|i| i.folder == FolderRole::Inbox)
        .map(received_entry_id)
        .collect();
    assert_eq!(after, before, "a re-read email keeps its timeline entry");
    let Some(Step::Done {
        result: SyncResult::Synced { cursor, progress },
    }) = &run.end
    else {
        panic!("{:?}", run.end)
    };
    assert_eq!(progress.restarts, 1);
    let SyncCursor::Imap { folders } = cursor else {
        panic!()
    };
    assert_eq!((folders[0].uid_validity, folders[0].uid_next), (555, 15));
    assert_eq!((folders[1].uid_validity, folders[1].uid_next), (101, 3));
    // The expired call, then the windowed re-read from scratch, then Sent.
    let inbox_calls: Vec<_> = server.calls[2..]
        .iter()
        .map(|c| {
            (
                c["folder"].clone(),
                c["uidValidity"].clone(),
                c["sinceDate"].clone(),
            )
        })
        .collect();
    assert_eq!(
        inbox_calls,
        [
            (json!("INBOX"), json!(100), Value::Null),
            (json!("INBOX"), Value::Null, json!("2025-11-05")),
            (json!("Sent"), json!(101), Value::Null)
        ]
    );
}

#[test]
fn expunged_messages_leave_no_gap_and_the_cursor_passes_them() {
    let mut server = mailbox();
    let first = drive(&mut sync(None), &mut server, 50).cursor();
    for n in 10..=14 {
        server.deliver("INBOX", n, NOW);
    }
    // 4 (logged by the first pass) expunged, 6 and 7 before this pass read
    // them, then the highest too (10): the cursor still moves past every
    // UID, and the helper's VANISHED (QRESYNC, from the cursor's modseq)
    // are removed.
    server.expunge("INBOX", &[4, 6, 7, 10]);
    let calls_before = server.calls.len();
    let run = drive(&mut sync(Some(&first)), &mut server, 50);
    assert_eq!(run.ids(), ["INBOX:100:8", "INBOX:100:9"]);
    let removed: Vec<String> = run.batches.iter().flat_map(|b| b.removed.clone()).collect();
    assert_eq!(
        removed,
        ["INBOX:100:4", "INBOX:100:6", "INBOX:100:7", "INBOX:100:10"]
    );
    let asked: Vec<_> = server.calls[calls_before..]
        .iter()
        .map(|c| c["modSeq"].clone())
        .collect();
    assert_eq!(
        asked,
        [json!(5), json!(1)],
        "the cursor's modseq, per folder"
    );
    let SyncCursor::Imap { folders } = run.cursor() else {
        panic!()
    };
    assert_eq!(folders[0].uid_next, 10);
    assert_eq!(folders[0].highest_mod_seq, Some(14));
    // Reported once: the next pass asks from the new modseq.
    let again = drive(&mut sync(Some(&run.cursor())), &mut server, 50);
    assert!(again.batches.is_empty());
}

#[test]
fn pages_follow_the_last_uid_and_a_stopped_worker_reads_each_message_once() {
    let mut server = Server_::new();
    for n in 1..=120 {
        server.deliver("INBOX", n, NOW - DAY);
    }
    server.deliver("Sent", 500, NOW);
    let whole = drive(&mut sync(None), &mut server, 100);
    assert_eq!(whole.ids().len(), 121);
    // "121 of 121": what was read plus what the helper says is left.
    let Some(Step::Done {
        result: SyncResult::Synced { progress, .. },
    }) = &whole.end
    else {
        panic!("{:?}", whole.end)
    };
    assert_eq!((progress.read, progress.expected), (121, Some(121)));
    let since: Vec<_> = server.calls.iter().map(|c| c["sinceUid"].clone()).collect();
    assert_eq!(since, [Value::Null, json!(50), json!(100), Value::Null]);
    assert_eq!(server.calls[1]["uidValidity"], 100);

    // Stopped after every 2 steps and reloaded from what was committed.
    let mut server = server.clone();
    server.calls.clear();
    let mut m = sync(None);
    let mut seen = vec![];
    let mut done = false;
    let mut now = NOW;
    for _ in 0..200 {
        let run = drive_at(&mut m, &mut server, 2, now);
        now = run.now;
        seen.extend(run.ids());
        if run.end.is_some() {
            assert_eq!(run.cursor(), whole.cursor());
            done = true;
            break;
        }
        m = SyncMachine::new(serde_json::from_str::<SyncState<ImapSync>>(&run.committed).unwrap());
    }
    assert!(done);
    assert_eq!(seen, whole.ids());
}

#[test]
fn headers_first_a_huge_message_is_read_by_its_headers_and_a_hostile_one_never_stops_the_pass() {
    let mut server = Server_::new();
    server.deliver("INBOX", 1, NOW);
    server.folder("Sent");
    let f = server.folder("INBOX");
    // Larger than any body the helper returns (`mime` null without headersOnly).
    f.messages.push(Stored {
        uid: 2,
        at_ms: NOW,
        mime: None,
    });
    f.messages.push(Stored {
        uid: 3,
        at_ms: NOW,
        mime: Some(b"\xff\xfe not a header \0\0\r\n\r\n".to_vec()),
    });
    let run = drive(&mut sync(None), &mut server, 50);
    run.cursor();
    assert!(server.calls.iter().all(|c| c["headersOnly"] == json!(true)));
    let incoming: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.incoming.clone())
        .collect();
    assert_eq!(
        incoming[0].headers.message_id.as_deref(),
        Some("m1@example.net")
    );
    assert_eq!(incoming[1].provider_id, "INBOX:100:2");
    assert_eq!(incoming[1].headers.subject.as_deref(), Some("huge"));
    let unreadable: Vec<_> = run
        .batches
        .iter()
        .flat_map(|b| b.unreadable.clone())
        .collect();
    // The hostile block is either read or "couldn't read", never a stop.
    assert_eq!(incoming.len() + unreadable.len(), 3);

    // Its body is more than Inlay reads: stopped in words.
    let mut m = SyncMachine::new(SyncState::new(
        ImapBody::new(&target(), "INBOX:100:2").unwrap(),
    ));
    let (code, message) = drive(&mut m, &mut server, 20).failed();
    assert_eq!(code, "tooLarge");
    assert!(message.contains("32 MB"), "{message}");
    assert_eq!(server.calls.last().unwrap()["headersOnly"], json!(false));
}

#[test]
fn helper_errors_become_retries_a_fresh_password_or_words() {
    // A timeout: the same read again after a pause.
    let mut server = mailbox();
    server
        .failures
        .push(("timeout".into(), "read timed out".into()));
    let run = drive(&mut sync(None), &mut server, 50);
    assert_eq!(run.waits.len(), 1);
    assert_eq!(server.calls[0], server.calls[1]);
    run.cursor();

    // A refused password: one fresh secret, then sign in again.
    let mut server = mailbox();
    for _ in 0..3 {
        server
            .failures
            .push(("wrongPassword".into(), "LOGIN failed".into()));
    }
    let run = drive(&mut sync(None), &mut server, 50);
    assert_eq!(run.asks, [false, true]);
    assert!(run.end.as_ref().unwrap().is_final());
    assert_eq!(server.calls.len(), 2);

    // No Sent folder by that name: stops in words, INBOX's page kept.
    let mut server = Server_::new();
    server.deliver("INBOX", 1, NOW);
    let run = drive(&mut sync(None), &mut server, 50);
    let (code, message) = run.failed();
    assert_eq!(code, "folderNotFound");
    assert!(message.contains("\"Sent\""), "{message}");
    assert_eq!(run.ids(), ["INBOX:100:1"]);

    // A helper from before headersOnly refuses the argument: too old, in words.
    let mut server = mailbox();
    server.failures.push((
        "badRequest".into(),
        "unknown field `headersOnly`, expected one of `imap`, `folder`".into(),
    ));
    let (code, message) = drive(&mut sync(None), &mut server, 50).failed();
    assert_eq!(code, "bridgeOutdated");
    assert!(message.contains("too old"), "{message}");

    // No helper installed.
    let mut server = mailbox();
    server
        .failures
        .push(("bridgeMissing".into(), String::new()));
    let (code, message) = drive(&mut sync(None), &mut server, 50).failed();
    assert_eq!(code, "bridgeMissing");
    assert!(message.contains("inlay-bridge install"), "{message}");
}

#[test]
fn a_body_is_one_uid_read_again_and_gone_when_expunged_or_renumbered() {
    let mut server = mailbox();
    let body = |server: &mut Server_, id: &str| {
        let mut m = SyncMachine::new(SyncState::new(ImapBody::new(&target(), id).unwrap()));
        drive(&mut m, server, 20)
    };
    let run = body(&mut server, "INBOX:100:4");
    match &run.end {
        Some(Step::Done {
            result: SyncResult::Body { raw },
        }) => assert_eq!(raw, &mime(4, "bo@example.net", "ann@example.org")),
        other => panic!("{other:?}"),
    }
    let call = server.calls.last().unwrap();
    assert_eq!(
        (call["sinceUid"].clone(), call["maxMessages"].clone()),
        (json!(3), json!(1))
    );
    server.folder("INBOX").messages.retain(|m| m.uid != 4);
    assert_eq!(body(&mut server, "INBOX:100:4").failed().0, "gone");
    server.folder("INBOX").uid_validity = 7;
    assert_eq!(body(&mut server, "INBOX:100:5").failed().0, "gone");
    assert!(ImapBody::new(&target(), "INBOX:0:5").is_none());
    assert!(ImapBody::new(&target(), "5").is_none());
}
