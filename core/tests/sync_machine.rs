//! The sync machine's decisions, through Gmail's planner against a fake
//! mailbox of any size: one fresh secret after a 401, `Retry-After` of 429
//! and 503, backoff on 5xx and on no answer (the same read again), giving up
//! in words with the position kept, pacing (no burst on a first sync), a
//! worker stopped anywhere resuming with nothing lost or read twice, and no
//! secret in the persisted state.

mod sync_fake;

use inlay_core::http::{HttpRequest, TransportFailure};
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::provider::gmail::GmailSync;
use inlay_core::sync::cursor::SyncWindow;
use inlay_core::sync::machine::{
    SYNC_BACKOFF, SecretAnswer, SyncMachine, SyncQuestion, SyncResult, SyncState, Unavailable,
};
use serde_json::json;
use sync_fake::*;

const NOW: u64 = 1_765_000_000_000;

fn machine() -> SyncMachine<GmailSync> {
    SyncMachine::new(SyncState::new(GmailSync::new(
        "ann@example.com",
        None,
        SyncWindow::default(),
        NOW,
    )))
}

/// A Gmail mailbox of `n` messages in the window, listed 100 a page.
fn mailbox(n: usize) -> impl Fn(&HttpRequest) -> Reply {
    move |req| {
        let url = &req.url;
        let path = url.split('?').next().unwrap();
        let body = if path.ends_with("/profile") {
            json!({"emailAddress": "ann@example.com", "historyId": "9000"})
        } else if path.ends_with("/messages") {
            let from: usize = query(url, "pageToken").map_or(0, |t| t.parse().unwrap());
            let to = (from + 100).min(n);
            let mut page = json!({
                "messages": (from..to).map(|i| json!({"id": format!("m{i:05}"), "threadId": format!("t{i}")})).collect::<Vec<_>>(),
                "resultSizeEstimate": n,
            });
            if to < n {
                page["nextPageToken"] = json!(to.to_string());
            }
            page
        } else {
            let id = path.rsplit('/').next().unwrap();
            json!({"id": id, "threadId": "t", "labelIds": ["INBOX"], "internalDate": "1764900000000", "sizeEstimate": 100,
            "payload": {"headers": [
                {"name": "From", "value": "bob@acme.test"},
                {"name": "To", "value": "ann@example.com"},
                {"name": "Subject", "value": format!("message {id}")},
                {"name": "Message-ID", "value": format!("<{id}@acme.test>")},
            ]}})
        };
        Reply::Http(200, vec![], body.to_string())
    }
}

fn error(status_code: u16) -> Reply {
    Reply::Http(
        status_code,
        vec![],
        json!({"error": {"code": status_code, "message": "x", "status": "X"}}).to_string(),
    )
}

/// The mailbox, with `fault` given instead of the answer to call number
/// `at` (0-based) and the `times - 1` calls after it.
fn faulty(n: usize, at: usize, times: usize, fault: Reply) -> impl FnMut(&HttpRequest) -> Reply {
    let good = mailbox(n);
    let mut calls = 0;
    move |req| {
        calls += 1;
        if (at..at + times).contains(&(calls - 1)) {
            fault.clone()
        } else {
            good(req)
        }
    }
}

fn ended_well(run: &Run) -> bool {
    matches!(
        run.end,
        Some(Step::Done {
            result: SyncResult::Synced { .. }
        })
    )
}

#[test]
fn a_refused_token_is_renewed_once_then_the_inbox_needs_signing_in() {
    let run = drive(&mut machine(), NOW, 500, faulty(3, 2, 1, error(401)));
    assert!(ended_well(&run));
    assert_eq!(run.asks[..4], [false, false, false, true]);
    // The refused call is made again with the fresh token.
    assert_eq!(run.requests[2].1.url, run.requests[3].1.url);
    assert!(
        run.requests[3]
            .1
            .headers
            .contains(&("Authorization".into(), "Bearer fresh-token".into()))
    );
    assert_eq!(run.incoming_ids().len(), 3);

    let run = drive(&mut machine(), NOW, 500, faulty(3, 2, 2, error(401)));
    let Some(Step::Failed { error }) = &run.end else {
        panic!("{:?}", run.end)
    };
    assert_eq!(error.code, "reauthenticate");
    assert_eq!(run.requests.len(), 4);
}

#[test]
fn retry_after_of_429_and_503_is_honoured_and_the_same_read_made_again() {
    for (code, secs) in [(429, 30), (503, 120)] {
        let fault = error(code).with_header("retry-after", &secs.to_string());
        let run = drive(&mut machine(), NOW, 500, faulty(3, 2, 1, fault));
        assert!(ended_well(&run), "{code}");
        let (failed_at, failed) = &run.requests[2];
        let (again_at, again) = &run.requests[3];
        assert_eq!(failed.url, again.url, "{code}");
        assert!(
            again_at - failed_at >= secs * 1000,
            "{code}: {again_at} - {failed_at}"
        );
        assert!(
            run.waits
                .iter()
                .any(|(_, r)| r.contains("slow down") || r.contains("temporary"))
        );
        assert_eq!(run.incoming_ids().len(), 3, "nothing lost or doubled");
    }
}

#[test]
fn server_errors_and_lost_answers_back_off_then_read_again() {
    for fault in [
        error(500),
        error(502),
        Reply::Transport(TransportFailure::Timeout),
        Reply::Transport(TransportFailure::Network),
    ] {
        let run = drive(&mut machine(), NOW, 500, faulty(3, 1, 3, fault.clone()));
        assert!(ended_well(&run), "{fault:?}");
        let urls = run.urls();
        assert_eq!(urls[1], urls[2]);
        assert_eq!(urls[2], urls[3]);
        assert_eq!(urls[3], urls[4]);
        // Each pause within the growing ceiling.
        for k in 0..3 {
            let gap = run.requests[k + 2].0 - run.requests[k + 1].0;
            assert!(
                gap <= SYNC_BACKOFF.ceiling(k as u32) + 1_000,
                "{fault:?} {k}: {gap}"
            );
        }
        assert_eq!(run.incoming_ids().len(), 3);
    }
}

#[test]
fn when_retries_are_used_up_it_stops_in_words_and_goes_on_from_there_next_time() {
    let run = drive(&mut machine(), NOW, 500, faulty(3, 3, 100, error(500)));
    let Some(Step::Failed { error }) = &run.end else {
        panic!("{:?}", run.end)
    };
    assert_eq!(error.code, "gaveUp");
    assert!(
        error.message.contains("goes on from where it was"),
        "{}",
        error.message
    );
    assert_eq!(
        run.requests.len(),
        3 + 1 + SYNC_BACKOFF.max_attempts as usize
    );
    let failing = run.requests[3].1.url.clone();
    // The next run (a later alarm) starts with the read that failed.
    let mut next = reload::<GmailSync>(&run);
    let later = drive(&mut next, run.now + 3_600_000, 500, mailbox(3));
    assert_eq!(later.requests[0].1.url, failing);
    assert!(ended_well(&later));
    let mut ids = run.incoming_ids();
    ids.extend(later.incoming_ids());
    assert_eq!(ids, ["m00000", "m00001", "m00002"]);
}

#[test]
fn a_first_sync_of_thousands_is_paced_not_burst() {
    let run = drive(&mut machine(), NOW, 100_000, mailbox(1_000));
    assert!(ended_well(&run));
    assert_eq!(run.incoming_ids().len(), 1_000);
    let times: Vec<u64> = run.requests.iter().map(|(t, _)| *t).collect();
    let most = times
        .iter()
        .map(|&t| times.iter().filter(|&&u| u >= t && u < t + 1_000).count())
        .max()
        .unwrap();
    // Gmail's pace: a burst of 100 units (20 reads) and 50 units a second.
    assert!(most <= 30, "{most} requests in one second");
    let seconds = (times.last().unwrap() - times[0]) / 1000;
    assert!((95..=110).contains(&seconds), "{seconds} s for 1,011 calls");
    let Some(Step::Done {
        result: SyncResult::Synced { progress, .. },
    }) = &run.end
    else {
        unreachable!()
    };
    assert_eq!((progress.read, progress.expected), (1_000, Some(1_000)));
}

#[test]
fn a_worker_stopped_anywhere_resumes_with_nothing_lost_or_read_twice() {
    // A worker must live at least two steps (an answered secret, a read) to
    // get anywhere.
    for stop_every in [3, 4, 5, 7, 11, 40] {
        let mut m = machine();
        let mut now = NOW;
        let mut ids = Vec::new();
        let mut rounds = 0;
        loop {
            let run = drive(&mut m, now, stop_every, mailbox(250));
            ids.extend(run.incoming_ids());
            now = run.now + 1;
            if run.end.is_some() {
                assert!(ended_well(&run));
                break;
            }
            m = reload::<GmailSync>(&run);
            rounds += 1;
            assert!(rounds < 2_000, "stopping every {stop_every} steps");
        }
        let expected: Vec<String> = (0..250).map(|i| format!("m{i:05}")).collect();
        assert_eq!(ids, expected, "stopping every {stop_every} steps");
    }
}

#[test]
fn a_pause_the_server_asked_for_outlives_a_restarted_worker() {
    let fault = error(429).with_header("retry-after", "600");
    let run = drive(&mut machine(), NOW, 6, faulty(3, 2, 1, fault));
    assert!(run.end.is_none());
    let committed: serde_json::Value = serde_json::from_str(&run.committed).unwrap();
    let until = committed["waiting"]["untilMs"].as_u64().unwrap();
    assert!(until >= NOW + 600_000, "{committed}");
    let mut again = reload::<GmailSync>(&run);
    let step = again.start(Moment {
        now_ms: NOW + 1_000,
        random: &RANDOM,
    });
    assert!(
        matches!(step, Step::Wait { until_ms, .. } if until_ms == until),
        "{step:?}"
    );
}

#[test]
fn no_secret_stops_the_run_and_none_is_ever_persisted() {
    let mut m = machine();
    let at = Moment {
        now_ms: NOW,
        random: &RANDOM,
    };
    assert_eq!(
        m.start(at),
        Step::Ask {
            question: SyncQuestion::Secret { rejected: false }
        }
    );
    let step = m.resume(
        Input::Answer {
            answer: SecretAnswer::Bearer {
                token: "ya29.secret-token".into(),
            },
        },
        at,
    );
    assert!(matches!(step, Step::Http { .. }));
    let persisted = serde_json::to_string(m.state()).unwrap();
    assert!(!persisted.contains("ya29"), "{persisted}");

    let mut m = machine();
    m.start(at);
    let step = m.resume(
        Input::Answer {
            answer: SecretAnswer::Unavailable {
                reason: Unavailable::Reauthenticate,
                message: "Google asks you to sign in again.".into(),
            },
        },
        at,
    );
    let Step::Failed { error } = step else {
        panic!("{step:?}")
    };
    assert_eq!(error.code, "reauthenticate");
    assert!(
        error
            .message
            .starts_with("Google asks you to sign in again.")
    );
}

#[test]
fn an_input_out_of_turn_stops_the_run_and_is_repeated_after() {
    let mut m = machine();
    let at = Moment {
        now_ms: NOW,
        random: &RANDOM,
    };
    m.start(at);
    let step = m.resume(Input::Timer, at);
    assert!(matches!(&step, Step::Failed { error } if error.code == "unexpectedInput"));
    assert_eq!(m.resume(Input::Timer, at), step);
}
