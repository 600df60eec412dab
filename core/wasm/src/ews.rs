//! Bindings for Exchange over EWS: the Autodiscover plan, verifying a
//! connection and sending a message. Conversion only: every decision is
//! made by `inlay-core` (`inlay_core::provider::ews`).
//!
//! Same conventions as `connect.rs`: plain JSON-compatible objects
//! (camelCase, tagged unions under `kind`), every error thrown as
//! `{code, message}`, a wrong argument shape thrown as `invalidArgument`.
//!
//! Credentials are arguments and go only into the planned request's
//! `Authorization` header, with one documented exception: the Autodiscover
//! `plan` carries `credentials: {username, password}` so that
//! `autodiscoverResume` can plan the next authenticated POST. Keep the plan in
//! memory (or encrypted session storage) only; never persist it as is.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};

use inlay_core::backoff::Backoff;
use inlay_core::connect::FlowError;
use inlay_core::detect::Detection;
use inlay_core::machine::NoQuestion;
use inlay_core::machine::{Input, Machine, Moment};
use inlay_core::provider::ews::{
    self as core_ews, Answer, AutodiscoverPlan, Credentials, EwsCheck, Step,
};
use inlay_core::provider::{Attempt, Disposition, Outcome};

/// Like [`arg`] for a value holding the password: serde's explanation can
/// quote the offending value, so it is left out of the message.
fn secret_arg<T: DeserializeOwned>(value: JsValue, name: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|_| {
        thrown(FlowError::new(
            "invalidArgument",
            format!("The argument {name} doesn't have the expected shape."),
        ))
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanAndStep<'a> {
    plan: &'a AutodiscoverPlan,
    step: Step,
}

/// Converts the JS outcome and attempt, reads them with `backoff`.
fn read_answer<T: Serialize>(
    outcome: JsValue,
    attempt: JsValue,
    backoff: Backoff,
    read: impl FnOnce(&Outcome, &Attempt, &Backoff) -> T,
) -> Result<JsValue, JsValue> {
    let outcome: Outcome = arg(outcome, "outcome")?;
    let attempt: Attempt = arg(attempt, "attempt")?;
    to_js(&read(&outcome, &attempt, &backoff))
}

/// `ewsSendResult`'s answer: `{kind: "sent"}` or the core's disposition.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum SendResult {
    Sent,
    #[serde(untagged)]
    Other(Disposition),
}

/// `autodiscoverStart(email, username, password, microsoft365Mx, now) -> {plan, step}`.
/// `step` is a machine step: `{kind: "http", request, purpose}` (purpose
/// `autodiscover`, `redirectProbe` or `srvLookup`; an `autodiscover` POST
/// carries an `Authorization` header only after its host's Basic challenge),
/// `{kind: "ask", question: {host, url}}` (may the password go to `host`: the
/// probe's target, or a host outside the address's domain),
/// `{kind: "done", result: {ewsUrl, email, displayName, serverVersion}}` or
/// `{kind: "failed", error: {code, message}}` (code `autodiscoverFailed`,
/// `unauthorized`, `basicAuthUnavailable` or `exchangeOnline`). An invalid
/// address is thrown as `{code, message}` (code = what's wrong, e.g. `missingAt`).
#[wasm_bindgen(js_name = autodiscoverStart)]
pub fn autodiscover_start(
    email: &str,
    username: &str,
    password: &str,
    microsoft365_mx: bool,
    now: f64,
) -> Result<JsValue, JsValue> {
    let credentials = Credentials::new(username, password);
    let mut plan = AutodiscoverPlan::new(email, credentials, microsoft365_mx)
        .map_err(|e| thrown(FlowError::from(e)))?;
    let step = plan.start(Moment::from_shell(now, &[]));
    to_js(&PlanAndStep { plan: &plan, step })
}

/// `detectionHostedByMicrosoft(detection) -> boolean`: the value for
/// `autodiscoverStart`'s `microsoft365Mx` (Microsoft 365 or Outlook.com).
#[wasm_bindgen(js_name = detectionHostedByMicrosoft)]
pub fn detection_hosted_by_microsoft(detection: JsValue) -> Result<bool, JsValue> {
    let detection: Detection = arg(detection, "detection")?;
    Ok(detection.hosted_by_microsoft())
}

/// `autodiscoverResume(plan, input, now) -> {plan, step}`; input is
/// `{kind: "response", response}`, `{kind: "transport", failure}`, or an
/// answer: `{kind: "answer", answer: {kind: "confirmed", accepted}}` to the
/// question, `{kind: "answer", answer: {kind: "notAllowed", origins}}` when the
/// user did not allow the browser to reach those origins (the planned request
/// was not made).
#[wasm_bindgen(js_name = autodiscoverResume)]
pub fn autodiscover_resume(plan: JsValue, input: JsValue, now: f64) -> Result<JsValue, JsValue> {
    let mut plan: AutodiscoverPlan = secret_arg(plan, "plan")?;
    let input: Input<Answer> = arg(input, "input")?;
    let step = plan.resume(input, Moment::from_shell(now, &[]));
    to_js(&PlanAndStep { plan: &plan, step })
}

/// `autodiscoverOrigins(plan) -> string[]`: host-permission patterns
/// (`https://host/*`) for the awaited request and every queued candidate.
#[wasm_bindgen(js_name = autodiscoverOrigins)]
pub fn autodiscover_origins(plan: JsValue) -> Result<JsValue, JsValue> {
    let plan: AutodiscoverPlan = secret_arg(plan, "plan")?;
    to_js(&plan.origins())
}

/// `ewsUrlCheck(url) -> {url, origin}`: a usable EWS URL (https, a host, no
/// credentials in it, not Exchange Online) and the host permission it needs;
/// otherwise throws `{code, message}` (`invalidEwsUrl`, `exchangeOnline`).
#[wasm_bindgen(js_name = ewsUrlCheck)]
pub fn ews_url_check(url: &str) -> Result<JsValue, JsValue> {
    core_ews::check_ews_url(url)
        .map_err(thrown)
        .and_then(|ok| to_js(&ok))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckAndStep<'a> {
    check: &'a EwsCheck,
    step: inlay_core::machine::StepOf<EwsCheck>,
}

/// `ewsCheckStart(ewsUrl, username, password, now, random) -> {check, step}`:
/// the connection check (GetFolder on the inbox) as a machine. Steps:
/// `{kind: "http", request, purpose: "getFolder"}`, `{kind: "wait", untilMs,
/// reason}` (resume with `{kind: "timer"}`), `{kind: "done", result: {inbox,
/// server, build}}` or `{kind: "failed", error: {code, message, outcome}}`
/// (`outcome`: `needsReauthentication`, `later` or `failed`). `check` holds
/// the password: worker memory only.
#[wasm_bindgen(js_name = ewsCheckStart)]
pub fn ews_check_start(
    ews_url: &str,
    username: &str,
    password: &str,
    now: f64,
    random: &[u8],
) -> Result<JsValue, JsValue> {
    let mut check = EwsCheck::new(ews_url, Credentials::new(username, password));
    let step = check.start(Moment::from_shell(now, random));
    to_js(&CheckAndStep {
        check: &check,
        step,
    })
}

/// `ewsCheckResume(check, input, now, random) -> {check, step}` with the
/// request's outcome or `{kind: "timer"}` after a wait.
#[wasm_bindgen(js_name = ewsCheckResume)]
pub fn ews_check_resume(
    check: JsValue,
    input: JsValue,
    now: f64,
    random: &[u8],
) -> Result<JsValue, JsValue> {
    let mut check: EwsCheck = secret_arg(check, "check")?;
    let input: Input<NoQuestion> = arg(input, "input")?;
    let step = check.resume(input, Moment::from_shell(now, random));
    to_js(&CheckAndStep {
        check: &check,
        step,
    })
}

/// `ewsSendPlan(ewsUrl, username, password, mime) -> HttpRequest`:
/// `CreateItem` (SendAndSaveCopy) of the RFC 5322 bytes `mime`.
#[wasm_bindgen(js_name = ewsSendPlan)]
pub fn ews_send_plan(
    ews_url: &str,
    username: &str,
    password: &str,
    mime: &[u8],
) -> Result<JsValue, JsValue> {
    to_js(&core_ews::send_mime(
        ews_url,
        &Credentials::new(username, password),
        mime,
    ))
}

/// `ewsSendResult(ewsUrl, outcome, attempt) -> SendResult`: `{kind: "sent"}`
/// or the core's disposition (`retryAfter`, `reauthenticate`, `fail`).
#[wasm_bindgen(js_name = ewsSendResult)]
pub fn ews_send_result(
    ews_url: &str,
    outcome: JsValue,
    attempt: JsValue,
) -> Result<JsValue, JsValue> {
    read_answer(
        outcome,
        attempt,
        core_ews::SEND_BACKOFF,
        |outcome, attempt, backoff| match core_ews::read_send(ews_url, outcome, attempt, backoff) {
            Ok(()) => SendResult::Sent,
            Err(disposition) => SendResult::Other(disposition),
        },
    )
}
