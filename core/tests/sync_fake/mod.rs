//! Runs a sync machine against a scripted provider: recorded pages served
//! by URL, the token keeper's answers, timers fired at their time. What each
//! run did is kept for the tests to check (requests and when, batches,
//! questions, waits, the end).
#![allow(dead_code)] // each test file uses part of it

use inlay_core::http::{HttpRequest, HttpResponse, TransportFailure};
use inlay_core::machine::{Input, Machine, Moment, Step};
use inlay_core::sync::cursor::SyncCursor;
use inlay_core::sync::machine::{
    Batch, SecretAnswer, SyncMachine, SyncResult, SyncState, SyncStep,
};
use inlay_core::sync::provider::SyncSteps;

/// A recorded page.
pub fn page(path: &str) -> String {
    let file = format!("{}/tests/fixtures/sync/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

pub fn ok(path: &str) -> Reply {
    Reply::Http(200, vec![], page(path))
}

pub fn status(status: u16, path: &str) -> Reply {
    Reply::Http(status, vec![], page(path))
}

/// What the fake provider does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    Http(u16, Vec<(String, String)>, String),
    Transport(TransportFailure),
}

impl Reply {
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Http(s, mut h, b) => {
                h.push((name.into(), value.into()));
                Reply::Http(s, h, b)
            }
            other => other,
        }
    }
}

#[derive(Debug, Default)]
pub struct Run {
    /// (time, request) of every call made.
    pub requests: Vec<(u64, HttpRequest)>,
    /// Every batch taken after a step, empty ones left out.
    pub batches: Vec<Batch>,
    /// `rejected` of every secret asked.
    pub asks: Vec<bool>,
    /// (until, reason) of every wait.
    pub waits: Vec<(u64, String)>,
    pub end: Option<SyncStep>,
    /// The clock when the run ended.
    pub now: u64,
    /// The state as last committed with a batch (after every step, as the
    /// shell does): what a restarted worker reads.
    pub committed: String,
}

impl Run {
    /// The cursor a run that ended synced leaves; panics otherwise.
    pub fn synced(&self) -> SyncCursor {
        match &self.end {
            Some(Step::Done {
                result: SyncResult::Synced { cursor, .. },
            }) => cursor.clone(),
            other => panic!("not done: {other:?}"),
        }
    }

    pub fn urls(&self) -> Vec<String> {
        self.requests.iter().map(|(_, r)| r.url.clone()).collect()
    }
    pub fn incoming_ids(&self) -> Vec<String> {
        self.batches
            .iter()
            .flat_map(|b| b.incoming.iter().map(|i| i.provider_id.clone()))
            .collect()
    }
    pub fn removed(&self) -> Vec<String> {
        self.batches
            .iter()
            .flat_map(|b| b.removed.clone())
            .collect()
    }
}

pub const RANDOM: [u8; 8] = [0x80, 0, 0, 0, 1, 2, 3, 4];

/// Drives `machine` from `now` until it ends or `max_steps` steps were taken
/// (`end` is then `None`: a stopped worker). `respond` answers each request;
/// the secret is an OAuth token (`fresh-token` once one was refused).
pub fn drive<P: SyncSteps + serde::Serialize>(
    machine: &mut SyncMachine<P>,
    now: u64,
    max_steps: usize,
    respond: impl FnMut(&HttpRequest) -> Reply,
) -> Run {
    let bearer = |rejected: bool| SecretAnswer::Bearer {
        token: if rejected { "fresh-token" } else { "token" }.into(),
    };
    drive_with(machine, now, max_steps, bearer, respond)
}

/// [`drive`] with the secret `secret(rejected)` answers (a password for
/// Exchange).
pub fn drive_with<P: SyncSteps + serde::Serialize>(
    machine: &mut SyncMachine<P>,
    now: u64,
    max_steps: usize,
    secret: impl Fn(bool) -> SecretAnswer,
    mut respond: impl FnMut(&HttpRequest) -> Reply,
) -> Run {
    let mut run = Run {
        now,
        ..Run::default()
    };
    let mut step = machine.start(Moment {
        now_ms: run.now,
        random: &RANDOM,
    });
    run.committed = serde_json::to_string(machine.state()).unwrap();
    for _ in 0..max_steps {
        let input = match &step {
            Step::Ask { question } => {
                let inlay_core::sync::machine::SyncQuestion::Secret { rejected } = question;
                run.asks.push(*rejected);
                Input::Answer {
                    answer: secret(*rejected),
                }
            }
            Step::Http { request, .. } => {
                run.requests.push((run.now, request.clone()));
                match respond(request) {
                    Reply::Http(status, headers, body) => Input::Response {
                        response: HttpResponse {
                            status,
                            headers,
                            body,
                        },
                    },
                    Reply::Transport(failure) => Input::Transport { failure },
                }
            }
            Step::Wait { until_ms, reason } => {
                run.waits.push((*until_ms, reason.clone()));
                run.now = run.now.max(*until_ms);
                Input::Timer
            }
            Step::Done { .. } | Step::Failed { .. } => {
                run.end = Some(step.clone());
                return run;
            }
            other => panic!("unexpected step {other:?}"),
        };
        step = machine.resume(
            input,
            Moment {
                now_ms: run.now,
                random: &RANDOM,
            },
        );
        // One transaction: the batch and the state it leaves.
        let batch = machine.take_batch();
        if !batch.is_empty() {
            run.batches.push(batch);
        }
        run.committed = serde_json::to_string(machine.state()).unwrap();
    }
    if step.is_final() {
        run.end = Some(step);
    }
    run
}

/// The machine rebuilt from the state a run last committed, as after a
/// stopped worker.
pub fn reload<P>(run: &Run) -> SyncMachine<P>
where
    P: SyncSteps + serde::de::DeserializeOwned,
{
    SyncMachine::new(serde_json::from_str::<SyncState<P>>(&run.committed).unwrap())
}

/// The query value of `name` in `url`, decoded (the first).
pub fn query(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
