//! Property tests of the outbox machine against a scripted inbox: whatever
//! the answers, stops and restarts,
//! - no delivering call is made while an earlier one may have delivered
//!   (only an answer that says it certainly did not — a retry, a refused
//!   secret, a refusal — or a successful `NotFound` lookup clears that),
//!   and none at all after one was known to be delivered;
//! - every delivering call is returned with the state `sending` (what the
//!   shell persists before making it);
//! - every path ends or waits: each step is one the shell can act on, an
//!   end leaves the entry settled (nothing to wake up for), and when the
//!   inputs get no better the machine ends within a bounded number of steps;
//! - the persisted entry never holds the secret.

mod outbox_fake;

use inlay_core::http::TransportFailure;
use inlay_core::machine::{Input, Machine};
use inlay_core::outbox::{OutboxMachine, OutboxPurpose, OutboxState, OutboxStep, SecretAnswer};
use outbox_fake::*;
use proptest::prelude::*;
use serde_json::json;

type M = OutboxMachine<FakeInbox>;

/// What happens next, from the outside.
#[derive(Debug, Clone)]
enum Event {
    /// The worker stops and starts again from the persisted entry.
    Stop,
    /// The answer to the pending call (HTTP status, 0 = transport failure;
    /// for a lookup, 200 is `found` or `notFound` by `found`).
    Status { status: u16, found: bool },
    /// The keeper's answer to a secret question.
    Secret { ok: bool },
    /// Time passes.
    Later(u64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        1 => Just(Event::Stop),
        6 => (prop::sample::select(vec![0u16, 200, 401, 400, 403, 429, 500, 503]), any::<bool>())
            .prop_map(|(status, found)| Event::Status { status, found }),
        3 => prop::bool::weighted(0.95).prop_map(|ok| Event::Secret { ok }),
        1 => (0u64..10_000_000).prop_map(Event::Later),
    ]
}

fn inbox() -> impl Strategy<Value = FakeInbox> {
    (
        0u32..3,
        prop::bool::weighted(0.8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(prepare, searchable, defers, helper)| FakeInbox {
            prepare,
            searchable,
            defers,
            helper,
            deliver_twice: false,
        })
}

fn reply(status: u16, found: bool, helper: bool) -> Input<SecretAnswer> {
    let body = if found { "found" } else { "notFound" };
    match (status, helper) {
        (0, false) => Input::Transport {
            failure: TransportFailure::Timeout,
        },
        (0, true) => Input::HelperFailed {
            code: "timeout".into(),
            message: String::new(),
            certificate: None,
        },
        (200, true) => Input::HelperReply {
            reply: json!({"body": body}),
        },
        (_, true) => Input::HelperFailed {
            code: "network".into(),
            message: String::new(),
            certificate: None,
        },
        (status, false) => response(status, body),
    }
}

fn secret(ok: bool) -> Input<SecretAnswer> {
    if ok {
        token()
    } else {
        answer(
            json!({"kind": "unavailable", "reason": "reauthenticate", "message": "Sign in again."}),
        )
    }
}

/// The model of what the inbox has: whether an earlier delivering call may
/// have delivered, and whether one certainly did.
#[derive(Default)]
struct World {
    maybe: bool,
    certainly: bool,
    deliveries: u32,
}

struct Run {
    inbox: FakeInbox,
    machine: M,
    persisted: String,
    step: OutboxStep,
    now: u64,
    world: World,
    /// What the pending call is.
    pending: Option<OutboxPurpose>,
}

impl Run {
    fn new(inbox: FakeInbox, scheduled: Option<u64>) -> Result<Run, TestCaseError> {
        let mut machine = OutboxMachine::new(email(inbox.clone(), scheduled), b"x".to_vec(), None);
        let step = machine.start(at(T0));
        let mut run = Run {
            inbox,
            persisted: String::new(),
            machine,
            step: step.clone(),
            now: T0,
            world: World::default(),
            pending: None,
        };
        run.observe(step)?;
        Ok(run)
    }

    /// Checks a step the machine returned and commits its state, as the
    /// shell does before running it.
    fn observe(&mut self, step: OutboxStep) -> Result<(), TestCaseError> {
        self.persisted = serde_json::to_string(self.machine.entry()).unwrap();
        prop_assert!(
            !self.persisted.contains("SECRET"),
            "secret persisted: {}",
            self.persisted
        );
        self.pending = None;
        match &step {
            OutboxStep::Http { purpose, .. } | OutboxStep::Helper { purpose, .. } => {
                if *purpose == OutboxPurpose::Deliver {
                    prop_assert!(
                        !self.world.certainly,
                        "delivered again after a certain delivery"
                    );
                    prop_assert!(
                        !self.world.maybe,
                        "delivered again while the last may have delivered"
                    );
                    prop_assert!(
                        matches!(self.machine.entry().state, OutboxState::Sending { .. }),
                        "a delivering call returned with {:?}",
                        self.machine.entry().state
                    );
                    self.world.maybe = true;
                    self.world.deliveries += 1;
                }
                self.pending = Some(*purpose);
            }
            OutboxStep::Wait { until_ms, .. } => prop_assert!(*until_ms >= self.now),
            OutboxStep::Failed { error } => {
                prop_assert_ne!(&error.code, "unexpectedInput");
            }
            OutboxStep::Ask { .. } | OutboxStep::Done { .. } => {}
            OutboxStep::AuthFlow { .. } => prop_assert!(false, "the outbox never opens a sign-in"),
        }
        // An end leaves nothing for the worker to wake up for at once: the
        // entry is settled (sent, handed over, failed, the user's).
        if step.is_final() {
            prop_assert!(
                self.machine.entry().state.is_settled(),
                "ended in {:?}",
                self.machine.entry().state
            );
        }
        prop_assert_eq!(self.machine.entry().deliveries, self.world.deliveries);
        self.step = step;
        Ok(())
    }

    fn apply(&mut self, event: &Event) -> Result<(), TestCaseError> {
        let helper = self.inbox.helper;
        let step = match (event, self.step.clone()) {
            (Event::Stop, _) => {
                self.machine = OutboxMachine::new(
                    serde_json::from_str(&self.persisted).unwrap(),
                    b"x".to_vec(),
                    None,
                );
                self.machine.start(at(self.now))
            }
            (Event::Later(ms), _) => {
                self.now += ms;
                return Ok(());
            }
            (Event::Secret { ok }, OutboxStep::Ask { .. }) => {
                self.machine.resume(secret(*ok), at(self.now))
            }
            (
                Event::Status { status, found },
                OutboxStep::Http { .. } | OutboxStep::Helper { .. },
            ) => {
                let (status, found) = (*status, *found);
                match self.pending {
                    Some(OutboxPurpose::Deliver) => match (status, helper) {
                        (200, _) => {
                            self.world.certainly = true;
                            self.world.maybe = false;
                        }
                        // Read as a retry, a refused secret or a refusal:
                        // certainly not delivered.
                        (401 | 400 | 429, false) => self.world.maybe = false,
                        _ => {}
                    },
                    Some(OutboxPurpose::Lookup) if status == 200 => {
                        if found {
                            prop_assert!(
                                self.world.maybe || self.world.certainly,
                                "found what was never sent"
                            );
                        } else {
                            // The lookup's word, which the model takes.
                            self.world.maybe = false;
                            self.world.certainly = false;
                        }
                    }
                    _ => {}
                }
                self.machine
                    .resume(reply(status, found, helper), at(self.now))
            }
            (_, OutboxStep::Wait { until_ms, .. }) => {
                self.now = self.now.max(until_ms);
                self.machine.resume(Input::Timer, at(self.now))
            }
            // Any other event while a step waits for something else is
            // not what the shell would do: skip it.
            _ => return Ok(()),
        };
        self.now += 1;
        self.observe(step)
    }

    /// After the events: the worst answers (no answer, failed searches)
    /// and timers until the machine ends, in a bounded number of steps.
    fn finish(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..400 {
            let event = match &self.step {
                OutboxStep::Done { .. } | OutboxStep::Failed { .. } => return Ok(()),
                OutboxStep::Ask { .. } => Event::Secret { ok: true },
                OutboxStep::Http { .. } | OutboxStep::Helper { .. } => Event::Status {
                    status: 500,
                    found: false,
                },
                OutboxStep::Wait { .. } => Event::Later(0),
                OutboxStep::AuthFlow { .. } => unreachable!(),
            };
            if let Event::Later(_) = event {
                // A wait is answered by its timer.
                let until = match self.step {
                    OutboxStep::Wait { until_ms, .. } => until_ms,
                    _ => unreachable!(),
                };
                self.now = self.now.max(until);
                let step = self.machine.resume(Input::Timer, at(self.now));
                self.observe(step)?;
            } else {
                self.apply(&event)?;
            }
        }
        prop_assert!(false, "no end after 400 steps: {:?}", self.step);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn no_path_delivers_twice_and_every_path_ends_or_waits(
        inbox in inbox(),
        scheduled in prop::option::of(0u64..7_200_000),
        events in prop::collection::vec(event(), 0..80),
    ) {
        let mut run = Run::new(inbox, scheduled.map(|s| T0 + s))?;
        for event in &events {
            run.apply(event)?;
        }
        run.finish()?;
    }
}
