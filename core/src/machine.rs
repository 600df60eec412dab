//! The one calling convention of the core's sans-IO machines.
//!
//! Everything that needs the outside world to finish — detecting an inbox's
//! kind, the connect flow, Autodiscover, mail-settings discovery, renewing a
//! token, checking a connection, and later sending and syncing — is a
//! [`Machine`], after quinn-proto and str0m: the shell builds it from its
//! arguments, calls [`Machine::start`] once and [`Machine::resume`] with what
//! happened to the last step, every call with the current [`Moment`] (time and
//! random bytes, never read by the core itself). Every call returns the next
//! [`Step`]: a request to run, an operation of the native mail helper, a
//! sign-in window to open, a time to wait until, a question for the user, or
//! the end (a result or a failure in words).
//!
//! Where a machine's state is kept depends on how long it must last. A machine
//! whose state lives only as long as the service worker stays inside the wasm
//! module as a handle the shell drives and frees (detection, the connect flow,
//! Autodiscover, mail-settings discovery, the connection checks). A machine
//! whose state must survive a stopped worker (later: the outbox, sync) is a
//! serde value the shell persists after every call, so it resumes from
//! committed state.
//! Attempt counters and retry decisions live in the machine, never in the
//! shell; the shell's driver only executes steps.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::http::{HttpRequest, HttpResponse, TransportFailure};
use crate::provider::imap::{HelperCall, ServerCertificate};

/// Random bytes the shell passes with every call (`crypto.getRandomValues`),
/// whether or not this step needs them: enough for PKCE's verifier, `state`,
/// `nonce` and a backoff jitter.
pub const RANDOM_BYTES: usize = 128;

/// The shell's clock and randomness for one call.
#[derive(Debug, Clone, Copy)]
pub struct Moment<'a> {
    /// Unix time in milliseconds.
    pub now_ms: u64,
    /// [`RANDOM_BYTES`] fresh random bytes (fewer only in tests).
    pub random: &'a [u8],
}

impl<'a> Moment<'a> {
    /// A moment from the shell's `Date.now()` (a float; `NaN`, negative or
    /// infinite readings count as the epoch, so a broken clock can only make
    /// things expire early, never late).
    pub fn from_shell(now: f64, random: &'a [u8]) -> Self {
        let now_ms = if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        };
        Moment { now_ms, random }
    }

    /// A uniform `u32` for backoff jitter, from the first four random bytes
    /// (0 when the caller passed fewer).
    pub fn jitter(&self) -> u32 {
        self.random
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    }
}

/// What the shell does next. `P` says why a request is made (for progress
/// and for the executor's options), `Q` is the machine's question for the
/// user, `R` its result, `E` its error (a Rust enum crossing as `{code,
/// message}`, the message in words for the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
// Read back by `StepFields` (below), not derived.
pub enum Step<P, Q, R, E> {
    /// `fetch` this request; resume with [`Input::Response`] or
    /// [`Input::Transport`].
    Http { request: HttpRequest, purpose: P },
    /// Send this operation to Inlay's native mail helper; resume with
    /// [`Input::HelperReply`] or [`Input::HelperFailed`].
    Helper { call: HelperCall, purpose: P },
    /// Open the provider's sign-in window (`launchWebAuthFlow`); resume with
    /// [`Input::Redirect`] or [`Input::AuthFlowFailed`].
    AuthFlow { url: String, interactive: bool },
    /// Resume with [`Input::Timer`] at `until_ms`; `reason` is shown meanwhile.
    Wait { until_ms: u64, reason: String },
    /// Ask the user; resume with [`Input::Answer`].
    Ask { question: Q },
    /// Finished with a result.
    Done { result: R },
    /// Finished without one; nothing was left half-made.
    Failed { error: E },
}

impl<P, Q, R, E> Step<P, Q, R, E> {
    /// Whether the machine has finished (no further `resume`).
    pub fn is_final(&self) -> bool {
        matches!(self, Step::Done { .. } | Step::Failed { .. })
    }
}

/// What happened to the last step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
// Read by `InputFields` (below), not derived.
pub enum Input<A> {
    /// The request got an HTTP response (any status).
    Response { response: HttpResponse },
    /// The request got no response.
    Transport { failure: TransportFailure },
    /// The sign-in window ended on this redirect URL.
    Redirect { url: String },
    /// The sign-in window failed with the browser's message (the core sorts it).
    AuthFlowFailed { message: String },
    /// The wait is over.
    Timer,
    /// The user's answer to [`Step::Ask`].
    Answer { answer: A },
    /// The helper's value for the operation (bridge/README.md).
    HelperReply {
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        reply: serde_json::Value,
    },
    /// The helper (or the worker's port to it) failed: its code, its own
    /// detail (the core words it), and the certificate it refused, if any.
    HelperFailed {
        code: String,
        message: String,
        certificate: Option<ServerCertificate>,
    },
}

// Reading a step or an input back. serde's derived reading of an internally
// tagged enum first buffers the whole object (its private `Content` value),
// then reads each variant from the buffer: code instantiated once per
// variant and per machine (40 KB raw, 2 KB gzip of the module with five
// machines, more with each new one). Both are read instead as one flat struct
// of every variant's fields, straight from the deserializer, and `kind` picks
// the variant; what they write is unchanged (the derives above). A field name
// two variants share must have one type in both (`purpose` of `http` and
// `helper`, `message` of `authFlowFailed` and `helperFailed`); a new variant
// names its other fields apart.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum StepKind {
    Http,
    Helper,
    AuthFlow,
    Wait,
    Ask,
    Done,
    Failed,
}

/// A [`Step`] as read: `kind` and every variant's fields.
#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    bound(
        deserialize = "P: Deserialize<'de>, Q: Deserialize<'de>, R: Deserialize<'de>, E: Deserialize<'de>"
    )
)]
struct StepFields<P, Q, R, E> {
    kind: StepKind,
    request: Option<HttpRequest>,
    call: Option<HelperCall>,
    #[serde(default, deserialize_with = "present")]
    purpose: Option<P>,
    url: Option<String>,
    interactive: Option<bool>,
    until_ms: Option<u64>,
    reason: Option<String>,
    #[serde(default, deserialize_with = "present")]
    question: Option<Q>,
    #[serde(default, deserialize_with = "present")]
    result: Option<R>,
    #[serde(default, deserialize_with = "present")]
    error: Option<E>,
}

/// A field of a generic type read as the type reads it (a `null` is that
/// type's `null`, not an absent field).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `value`, or serde's "missing field" error for `name`.
fn field<T, Er: de::Error>(value: Option<T>, name: &'static str) -> Result<T, Er> {
    value.ok_or_else(|| Er::missing_field(name))
}

impl<'de, P, Q, R, E> Deserialize<'de> for Step<P, Q, R, E>
where
    P: Deserialize<'de>,
    Q: Deserialize<'de>,
    R: Deserialize<'de>,
    E: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = StepFields::<P, Q, R, E>::deserialize(d)?;
        Ok(match f.kind {
            StepKind::Http => Step::Http {
                request: field(f.request, "request")?,
                purpose: field(f.purpose, "purpose")?,
            },
            StepKind::Helper => Step::Helper {
                call: field(f.call, "call")?,
                purpose: field(f.purpose, "purpose")?,
            },
            StepKind::AuthFlow => Step::AuthFlow {
                url: field(f.url, "url")?,
                interactive: field(f.interactive, "interactive")?,
            },
            StepKind::Wait => Step::Wait {
                until_ms: field(f.until_ms, "untilMs")?,
                reason: field(f.reason, "reason")?,
            },
            StepKind::Ask => Step::Ask {
                question: field(f.question, "question")?,
            },
            StepKind::Done => Step::Done {
                result: field(f.result, "result")?,
            },
            StepKind::Failed => Step::Failed {
                error: field(f.error, "error")?,
            },
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum InputKind {
    Response,
    Transport,
    Redirect,
    AuthFlowFailed,
    Timer,
    Answer,
    HelperReply,
    HelperFailed,
}

/// An [`Input`] as read: `kind` and every variant's fields.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "A: Deserialize<'de>"))]
struct InputFields<A> {
    kind: InputKind,
    response: Option<HttpResponse>,
    failure: Option<TransportFailure>,
    url: Option<String>,
    message: Option<String>,
    #[serde(default, deserialize_with = "present")]
    answer: Option<A>,
    // A `null` reply is the helper's value, not a missing field.
    #[serde(default, deserialize_with = "present")]
    reply: Option<serde_json::Value>,
    code: Option<String>,
    certificate: Option<ServerCertificate>,
}

impl<'de, A: Deserialize<'de>> Deserialize<'de> for Input<A> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = InputFields::<A>::deserialize(d)?;
        Ok(match f.kind {
            InputKind::Response => Input::Response {
                response: field(f.response, "response")?,
            },
            InputKind::Transport => Input::Transport {
                failure: field(f.failure, "failure")?,
            },
            InputKind::Redirect => Input::Redirect {
                url: field(f.url, "url")?,
            },
            InputKind::AuthFlowFailed => Input::AuthFlowFailed {
                message: field(f.message, "message")?,
            },
            InputKind::Timer => Input::Timer,
            InputKind::Answer => Input::Answer {
                answer: field(f.answer, "answer")?,
            },
            InputKind::HelperReply => Input::HelperReply {
                reply: field(f.reply, "reply")?,
            },
            InputKind::HelperFailed => Input::HelperFailed {
                code: field(f.code, "code")?,
                message: field(f.message, "message")?,
                certificate: f.certificate,
            },
        })
    }
}

/// For machines that never ask the user anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum NoQuestion {}

/// A resumable, serialisable decision process.
pub trait Machine {
    /// Why a request is made.
    type Purpose;
    /// What the machine may ask the user.
    type Question;
    /// What the user answers.
    type Answer;
    /// The result when it ends well.
    type Result;
    /// The error when it does not.
    type Error;

    /// The first step.
    fn start(&mut self, at: Moment<'_>) -> StepOf<Self>;

    /// The next step, given what happened to the last one. Called after a
    /// final step, it repeats that step.
    fn resume(&mut self, input: Input<Self::Answer>, at: Moment<'_>) -> StepOf<Self>;
}

/// The step type of machine `M`.
pub type StepOf<M> = Step<
    <M as Machine>::Purpose,
    <M as Machine>::Question,
    <M as Machine>::Result,
    <M as Machine>::Error,
>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_clock_reads_as_the_epoch() {
        for now in [f64::NAN, -5.0, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Moment::from_shell(now, &[]).now_ms, 0, "{now}");
        }
        assert_eq!(
            Moment::from_shell(1_700_000_000_123.9, &[]).now_ms,
            1_700_000_000_123
        );
    }

    #[test]
    fn jitter_comes_from_the_random_bytes() {
        assert_eq!(Moment::from_shell(1.0, &[1, 0, 0, 0, 9]).jitter(), 1);
        assert_eq!(Moment::from_shell(1.0, &[0xff; 4]).jitter(), u32::MAX);
        assert_eq!(Moment::from_shell(1.0, &[7, 7]).jitter(), 0);
    }

    #[test]
    fn every_step_and_input_reads_back_as_written() {
        type S = Step<String, bool, u8, String>;
        let request = HttpRequest {
            body_base64: None,
            method: crate::http::Method::Get,
            url: "https://example.com/".into(),
            headers: vec![],
            body: None,
        };
        let steps: Vec<S> = vec![
            Step::Http {
                request: request.clone(),
                purpose: "p".into(),
            },
            Step::Helper {
                call: HelperCall {
                    op: crate::provider::imap::HelperOp::SmtpCheck,
                    args: serde_json::json!({"host": "h", "port": 465}),
                },
                purpose: "q".into(),
            },
            Step::AuthFlow {
                url: "https://a/".into(),
                interactive: true,
            },
            Step::Wait {
                until_ms: 7,
                reason: "r".into(),
            },
            Step::Ask { question: false },
            Step::Done { result: 3 },
            Step::Failed { error: "e".into() },
        ];
        for step in steps {
            let json = serde_json::to_value(&step).unwrap();
            assert_eq!(serde_json::from_value::<S>(json).unwrap(), step);
        }
        let inputs: Vec<Input<bool>> = vec![
            Input::Response {
                response: HttpResponse {
                    status: 200,
                    headers: vec![],
                    body: "b".into(),
                },
            },
            Input::Transport {
                failure: TransportFailure::Timeout,
            },
            Input::Redirect {
                url: "https://r/".into(),
            },
            Input::AuthFlowFailed {
                message: "m".into(),
            },
            Input::Timer,
            Input::Answer { answer: false },
            Input::HelperReply {
                reply: serde_json::json!({"certificatePin": null}),
            },
            Input::HelperReply {
                reply: serde_json::Value::Null,
            },
            Input::HelperFailed {
                code: "untrustedCertificate".into(),
                message: "UnknownIssuer".into(),
                certificate: Some(ServerCertificate {
                    subject: "CN=h".into(),
                    issuer: "CN=ca".into(),
                    not_before: "a".into(),
                    not_after: "b".into(),
                    spki_sha256: "k".into(),
                }),
            },
            Input::HelperFailed {
                code: "timeout".into(),
                message: String::new(),
                certificate: None,
            },
        ];
        for input in inputs {
            let json = serde_json::to_value(&input).unwrap();
            assert_eq!(serde_json::from_value::<Input<bool>>(json).unwrap(), input);
        }
        let missing =
            serde_json::from_value::<Input<bool>>(serde_json::json!({"kind": "redirect"}));
        assert_eq!(missing.unwrap_err().to_string(), "missing field `url`");
        let no_reply =
            serde_json::from_value::<Input<bool>>(serde_json::json!({"kind": "helperReply"}));
        assert_eq!(no_reply.unwrap_err().to_string(), "missing field `reply`");
        let unknown = serde_json::from_value::<Input<bool>>(serde_json::json!({"kind": "nap"}));
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .starts_with("unknown variant `nap`")
        );
    }

    #[test]
    fn steps_cross_as_tagged_camel_case_objects() {
        let step: Step<String, NoQuestion, u8, String> = Step::Wait {
            until_ms: 5,
            reason: "Gmail asked Inlay to slow down.".into(),
        };
        assert_eq!(
            serde_json::to_value(&step).unwrap(),
            serde_json::json!({"kind": "wait", "untilMs": 5, "reason": "Gmail asked Inlay to slow down."})
        );
        assert!(!step.is_final());
        let input: Input<bool> =
            serde_json::from_value(serde_json::json!({"kind": "answer", "answer": true})).unwrap();
        assert_eq!(input, Input::Answer { answer: true });
    }
}
