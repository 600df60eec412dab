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
use inlay_core::provider::ews::{
    self as core_ews, AutodiscoverPlan, Credentials, Input, Step, Verified,
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

/// `ewsVerifyResult`'s answer: `{kind: "verified", inbox, server}` or the
/// core's disposition as is (`retryAfter`, `reauthenticate`, `fail`).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum VerifyResult {
    Verified(Verified),
    #[serde(untagged)]
    Other(Disposition),
}

/// `ewsSendResult`'s answer: `{kind: "sent"}` or the core's disposition.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum SendResult {
    Sent,
    #[serde(untagged)]
    Other(Disposition),
}

/// `autodiscoverStart(email, username, password, microsoft365Mx) -> {plan, step}`.
/// `step` is `{kind: "http", request, purpose}` (purpose `autodiscover`,
/// `redirectProbe` or `srvLookup`; an `autodiscover` POST carries an
/// `Authorization` header only after its host's Basic challenge),
/// `{kind: "confirmRedirect", host, url}` (ask the user before the password
/// may go to `host`: the probe's target, or a host outside the address's domain),
/// `{kind: "found", ewsUrl, email, displayName, serverVersion}` or
/// `{kind: "failed", code, message}` (code `autodiscoverFailed`, `unauthorized`,
/// `basicAuthUnavailable` or `exchangeOnline`). An invalid address is thrown as
/// `{code, message}` (code = what's wrong, e.g. `missingAt`).
#[wasm_bindgen(js_name = autodiscoverStart)]
pub fn autodiscover_start(
    email: &str,
    username: &str,
    password: &str,
    microsoft365_mx: bool,
) -> Result<JsValue, JsValue> {
    let credentials = Credentials::new(username, password);
    let mut plan = AutodiscoverPlan::new(email, credentials, microsoft365_mx)
        .map_err(|e| thrown(FlowError::from(e)))?;
    let step = plan.start();
    to_js(&PlanAndStep { plan: &plan, step })
}

/// `detectionHostedByMicrosoft(detection) -> boolean`: the value for
/// `autodiscoverStart`'s `microsoft365Mx` (Microsoft 365 or Outlook.com).
#[wasm_bindgen(js_name = detectionHostedByMicrosoft)]
pub fn detection_hosted_by_microsoft(detection: JsValue) -> Result<bool, JsValue> {
    let detection: Detection = arg(detection, "detection")?;
    Ok(detection.hosted_by_microsoft())
}

/// `autodiscoverResume(plan, input) -> {plan, step}`; input is
/// `{kind: "response", response}`, `{kind: "transport", failure}` or, after
/// `confirmRedirect`, `{kind: "confirmed", accepted}`.
#[wasm_bindgen(js_name = autodiscoverResume)]
pub fn autodiscover_resume(plan: JsValue, input: JsValue) -> Result<JsValue, JsValue> {
    let mut plan: AutodiscoverPlan = secret_arg(plan, "plan")?;
    let input: Input = arg(input, "input")?;
    let step = plan.resume(input);
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

/// `ewsVerifyPlan(ewsUrl, username, password) -> HttpRequest`: `GetFolder`
/// on the inbox.
#[wasm_bindgen(js_name = ewsVerifyPlan)]
pub fn ews_verify_plan(ews_url: &str, username: &str, password: &str) -> Result<JsValue, JsValue> {
    to_js(&core_ews::verify_connection(
        ews_url,
        &Credentials::new(username, password),
    ))
}

/// `ewsVerifyResult(ewsUrl, outcome, attempt) -> VerifyResult`:
/// `{kind: "verified", inbox: {id, changeKey}, server, build}` (server is null or
/// `{majorVersion, minorVersion, majorBuildNumber, version}`; build is e.g. "15.1.2507" or null),
/// `{kind: "retryAfter", afterMs, reason}`, `{kind: "reauthenticate", code, message}`
/// or `{kind: "fail", code, message}`. attempt is `{number, afterRefresh, nowMs, jitter}`.
/// Someone waits for this check, so retries are few and short
/// (`Backoff::INTERACTIVE`); when they run out, `fail` says why.
#[wasm_bindgen(js_name = ewsVerifyResult)]
pub fn ews_verify_result(
    ews_url: &str,
    outcome: JsValue,
    attempt: JsValue,
) -> Result<JsValue, JsValue> {
    read_answer(
        outcome,
        attempt,
        Backoff::INTERACTIVE,
        |outcome, attempt, backoff| match core_ews::read_verify(ews_url, outcome, attempt, backoff)
        {
            Ok(verified) => VerifyResult::Verified(verified),
            Err(disposition) => VerifyResult::Other(disposition),
        },
    )
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
/// or a disposition as for `ewsVerifyResult`.
#[wasm_bindgen(js_name = ewsSendResult)]
pub fn ews_send_result(
    ews_url: &str,
    outcome: JsValue,
    attempt: JsValue,
) -> Result<JsValue, JsValue> {
    read_answer(
        outcome,
        attempt,
        Backoff::PROVIDER,
        |outcome, attempt, backoff| match core_ews::read_send(ews_url, outcome, attempt, backoff) {
            Ok(()) => SendResult::Sent,
            Err(disposition) => SendResult::Other(disposition),
        },
    )
}
