//! A scripted inbox for the outbox tests: a send plan of `prepare` calls
//! then one delivering call, and a Sent lookup, both reading plain HTTP
//! statuses the way a real provider reads its answers:
//!
//! | status | preparing call | delivering call | lookup |
//! |---|---|---|---|
//! | 200 | next | sent (body = provider id) | body `found` / `notFound` |
//! | 401 | secretRejected | secretRejected | secretRejected |
//! | 400 | permanent | permanent | — |
//! | 403 | — | — | cannotLook |
//! | 429 | retry (Retry-After s) | retry | failed (Retry-After) |
//! | 5xx, transport | retry | unknown | failed |
//!
//! With `helper`, calls are helper operations and a helper reply reads as
//! 200 with its `body`, a helper failure as a transport failure.
#![allow(dead_code)]

use inlay_core::detect::ConnectionKind;
use inlay_core::http::{HttpRequest, HttpResponse, Method};
use inlay_core::machine::{Input, Moment};
use inlay_core::outbox::{NewEmail, OutboxEntry, Plans, SecretAnswer};
use inlay_core::provider::imap::{HelperCall, HelperOp};
use inlay_core::send::Outgoing;
use inlay_core::send::provider::{
    Answer, Call, CancelRead, CancelSteps, LookupRead, LookupSteps, Read, Secret, SendRead,
    SendSteps,
};
use serde::{Deserialize, Serialize};

pub const TOKEN: &str = "ya29.SECRET-token-never-persisted";
pub const PASSWORD: &str = "hunter2-SECRET-password";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeInbox {
    pub prepare: u32,
    pub searchable: bool,
    pub defers: bool,
    pub helper: bool,
    /// Asks to deliver twice in one run (a broken plan).
    pub deliver_twice: bool,
}

impl Default for FakeInbox {
    fn default() -> Self {
        FakeInbox {
            prepare: 0,
            searchable: true,
            defers: false,
            helper: false,
            deliver_twice: false,
        }
    }
}

pub struct FakeSend {
    inbox: FakeInbox,
    call: u32,
}

impl FakeSend {
    fn delivering(&self) -> bool {
        self.call >= self.inbox.prepare
    }
}

fn secret_text(secret: &Secret<'_>) -> String {
    match secret {
        Secret::Bearer(token) => format!("Bearer {token}"),
        Secret::Password { username, password } => format!("{username}:{password}"),
        Secret::MailPasswords { imap, smtp } => format!("{imap}/{smtp}"),
    }
}

fn call(inbox: &FakeInbox, url: String, secret: &Secret<'_>) -> Call {
    if inbox.helper {
        Call::Helper(HelperCall {
            op: HelperOp::SmtpCheck,
            args: serde_json::json!({"url": url, "auth": secret_text(secret)}),
        })
    } else {
        Call::Http(HttpRequest {
            body_base64: None,
            method: Method::Post,
            url,
            headers: vec![("authorization".into(), secret_text(secret))],
            body: None,
        })
    }
}

/// An answer as (status, body, Retry-After seconds); a transport failure
/// is status 0.
fn status_of(answer: &Answer<'_>) -> (u16, String, Option<u64>) {
    match answer {
        Answer::Response(r) => (
            r.status,
            r.body.clone(),
            r.header("retry-after").and_then(|v| v.parse().ok()),
        ),
        Answer::Transport(_) => (0, String::new(), None),
        Answer::HelperReply(v) => (200, v["body"].as_str().unwrap_or("").to_string(), None),
        Answer::HelperFailed { .. } => (0, String::new(), None),
    }
}

impl SendSteps for FakeSend {
    fn call(&self, secret: &Secret<'_>, out: &Outgoing) -> Result<Call, SendRead> {
        let what = if self.delivering() {
            "deliver"
        } else {
            "prepare"
        };
        let at = out
            .deliver_at_ms
            .map(|t| format!("?at={t}"))
            .unwrap_or_default();
        Ok(call(
            &self.inbox,
            format!("https://fake.example/{what}/{}{at}", self.call),
            secret,
        ))
    }

    fn delivers(&self) -> bool {
        self.delivering()
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<SendRead> {
        let (status, body, retry_after) = status_of(&answer);
        let delivering = self.delivering();
        self.call += 1;
        Read::End(match status {
            200 if delivering
                && self.inbox.deliver_twice
                && self.call <= self.inbox.prepare + 1 =>
            {
                return Read::Next;
            }
            200 if delivering => SendRead::Sent {
                provider_id: Some(body).filter(|b| !b.is_empty()),
                thread_id: Some("thread-1".into()),
            },
            200 => return Read::Next,
            401 => {
                self.call -= 1;
                SendRead::SecretRejected
            }
            400 => SendRead::Permanent {
                code: "tooLarge".into(),
                message: "The email is larger than this inbox accepts.".into(),
            },
            429 => {
                self.call -= 1;
                SendRead::Retry {
                    retry_after_ms: retry_after.map(|s| s * 1000),
                    message: "The inbox asked Inlay to slow down.".into(),
                }
            }
            _ if delivering => SendRead::Unknown {
                message: "The inbox didn't answer".into(),
            },
            _ => SendRead::Retry {
                retry_after_ms: None,
                message: "The inbox had a problem.".into(),
            },
        })
    }
}

pub struct FakeLookup {
    inbox: FakeInbox,
    /// The deferred time the send carried, as the outbox tells the lookup.
    deferred: Option<u64>,
}

impl LookupSteps for FakeLookup {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, LookupRead> {
        let at = self
            .deferred
            .map(|t| format!("?deferred={t}"))
            .unwrap_or_default();
        Ok(call(
            &self.inbox,
            format!("https://fake.example/lookup{at}"),
            secret,
        ))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<LookupRead> {
        let (status, body, retry_after) = status_of(&answer);
        Read::End(match status {
            200 if body == "found" => LookupRead::Found {
                provider_id: Some("sent-1".into()),
                thread_id: None,
            },
            200 => LookupRead::NotFound,
            401 => LookupRead::SecretRejected,
            403 => LookupRead::CannotLook {
                message: "Inlay may not read this inbox.".into(),
            },
            _ => LookupRead::Failed {
                retry_after_ms: retry_after.map(|s| s * 1000),
                message: "The search of Sent failed.".into(),
            },
        })
    }
}

/// The cancel of a deferred email: 200/204 cancelled, 404 not waiting,
/// 401 secretRejected, anything else failed.
pub struct FakeCancel;

impl CancelSteps for FakeCancel {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, CancelRead> {
        Ok(Call::Http(HttpRequest {
            method: Method::Delete,
            url: "https://fake.example/cancel".into(),
            headers: vec![("authorization".into(), secret_text(secret))],
            body: None,
            body_base64: None,
        }))
    }

    fn read(&mut self, answer: Answer<'_>) -> Read<CancelRead> {
        let (status, _, retry_after) = status_of(&answer);
        Read::End(match status {
            200 | 204 => CancelRead::Cancelled,
            404 => CancelRead::NotWaiting,
            401 => CancelRead::SecretRejected,
            _ => CancelRead::Failed {
                retry_after_ms: retry_after.map(|s| s * 1000),
                message: "The provider didn't answer.".into(),
            },
        })
    }
}

impl Plans for FakeInbox {
    type Send = FakeSend;
    type Lookup = FakeLookup;
    type Cancel = FakeCancel;

    fn cancel(&self, _out: &Outgoing) -> Option<FakeCancel> {
        self.defers.then_some(FakeCancel)
    }

    fn send(&self, _out: &Outgoing) -> FakeSend {
        FakeSend {
            inbox: self.clone(),
            call: 0,
        }
    }

    fn lookup(&self, out: &Outgoing, _left_at_ms: Option<u64>) -> Option<FakeLookup> {
        self.searchable.then(|| FakeLookup {
            inbox: self.clone(),
            deferred: out.deliver_at_ms,
        })
    }

    fn defers(&self) -> bool {
        self.defers
    }

    fn kind(&self) -> ConnectionKind {
        ConnectionKind::Google
    }
}

pub const T0: u64 = 1_780_000_000_000;

pub fn email(inbox: FakeInbox, scheduled_at_ms: Option<u64>) -> OutboxEntry<FakeInbox> {
    OutboxEntry::new(NewEmail {
        id: "ob-1".into(),
        target: inbox,
        message_id: "<m1@acme.example>".into(),
        envelope_from: "ann@acme.example".into(),
        recipients: vec!["bob@example.com".into(), "eve@example.com".into()],
        thread_id: None,
        subject: "Our proposal".into(),
        scheduled_at_ms,
        created_at_ms: T0,
    })
}

pub const RANDOM: [u8; 8] = [0x80, 0, 0, 0x80, 1, 2, 3, 4];

pub fn at(now_ms: u64) -> Moment<'static> {
    Moment {
        now_ms,
        random: &RANDOM,
    }
}

pub fn response(status: u16, body: &str) -> Input<SecretAnswer> {
    Input::Response {
        response: HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        },
    }
}

pub fn retry_after(seconds: u64) -> Input<SecretAnswer> {
    Input::Response {
        response: HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), seconds.to_string())],
            body: String::new(),
        },
    }
}

pub fn token() -> Input<SecretAnswer> {
    answer(serde_json::json!({"kind": "bearer", "token": TOKEN}))
}

pub fn answer(json: serde_json::Value) -> Input<SecretAnswer> {
    Input::Answer {
        answer: serde_json::from_value(json).unwrap(),
    }
}
