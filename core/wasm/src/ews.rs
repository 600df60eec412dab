//! Bindings for Exchange over EWS: the Autodiscover plan, verifying a
//! connection and sending a message. Conversion only: every decision is
//! made by `inlay-core` (`inlay_core::provider::ews`).
//!
//! Same conventions as `connect.rs`: plain JSON-compatible objects
//! (camelCase, tagged unions under `kind`), every error thrown as
//! `{code, message}`, a wrong argument shape thrown as `invalidArgument`.
//!
//! Credentials are arguments and go only into the planned request's
//! `Authorization` header. The Autodiscover plan and the connection check
//! keep them between steps inside the module: both are handles
//! (`AutodiscoverMachine`, `EwsCheckMachine`) whose state JS never reads.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};
use crate::machine_handle::machine_handle;

use inlay_core::backoff::Backoff;
use inlay_core::connect::FlowError;
use inlay_core::detect::Detection;
use inlay_core::provider::ews::{self as core_ews, AutodiscoverPlan, Credentials, EwsCheck};
use inlay_core::provider::{Attempt, Disposition, Outcome};

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

/// `new AutodiscoverMachine(email, username, password, microsoft365Mx)`:
/// the Autodiscover plan (`provider::ews::AutodiscoverPlan`) as a handle; its
/// state (with the credentials) stays inside the module and JS never reads it.
/// An invalid address is thrown as `{code, message}` (code = what's wrong,
/// e.g. `missingAt`). `start(nowMs, random)` once, then `resume(input, nowMs, random)`; each
/// returns the step: `{kind: "http", request, purpose}` (purpose
/// `autodiscover`, `redirectProbe` or `srvLookup`; an `autodiscover` POST
/// carries an `Authorization` header only after its host's Basic challenge),
/// `{kind: "ask", question: {host, url}}` (may the password go to `host`: the
/// probe's target, or a host outside the address's domain),
/// `{kind: "done", result: {ewsUrl, email, displayName, serverVersion}}` or
/// `{kind: "failed", error: {code, message}}` (code `autodiscoverFailed`,
/// `unauthorized`, `basicAuthUnavailable` or `exchangeOnline`). `input` is
/// `{kind: "response", response}`, `{kind: "transport", failure}`, or an
/// answer: `{kind: "answer", answer: {kind: "confirmed", accepted}}` to the
/// question, `{kind: "answer", answer: {kind: "notAllowed", origins}}` when the
/// user did not allow the browser to reach those origins (the planned request
/// was not made). `origins()`: host-permission patterns (`https://host/*`)
/// for the awaited request and every queued candidate. The shell calls
/// `free()` when discovery ends or is cancelled.
#[wasm_bindgen]
pub struct AutodiscoverMachine(AutodiscoverPlan);

#[wasm_bindgen]
impl AutodiscoverMachine {
    #[wasm_bindgen(constructor)]
    pub fn new(
        email: &str,
        username: &str,
        password: &str,
        microsoft365_mx: bool,
    ) -> Result<AutodiscoverMachine, JsValue> {
        let credentials = Credentials::new(username, password);
        AutodiscoverPlan::new(email, credentials, microsoft365_mx)
            .map(AutodiscoverMachine)
            .map_err(|e| thrown(FlowError::from(e)))
    }

    pub fn origins(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.origins())
    }
}

machine_handle!(AutodiscoverMachine);

/// `detectionHostedByMicrosoft(detection) -> boolean`: the value for
/// `AutodiscoverMachine`'s `microsoft365Mx` (Microsoft 365 or Outlook.com).
#[wasm_bindgen(js_name = detectionHostedByMicrosoft)]
pub fn detection_hosted_by_microsoft(detection: JsValue) -> Result<bool, JsValue> {
    let detection: Detection = arg(detection, "detection")?;
    Ok(detection.hosted_by_microsoft())
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

/// `new EwsCheckMachine(ewsUrl, username, password)`: the connection check
/// (GetFolder on the inbox, `provider::ews::EwsCheck`) as a handle whose
/// state (with the credentials) stays inside the module. `start(nowMs,
/// random)` once, then `resume(input, nowMs, random)` with the request's
/// outcome or `{kind: "timer"}` after a wait; each returns the step:
/// `{kind: "http", request, purpose: "getFolder"}`, `{kind: "wait", untilMs,
/// reason}`, `{kind: "done", result: {inbox, server, build}}` or `{kind:
/// "failed", error: {code, message, outcome}}` (`outcome`:
/// `needsReauthentication`, `later` or `failed`). The shell calls `free()`
/// once the check has ended.
#[wasm_bindgen]
pub struct EwsCheckMachine(EwsCheck);

#[wasm_bindgen]
impl EwsCheckMachine {
    #[wasm_bindgen(constructor)]
    pub fn new(ews_url: &str, username: &str, password: &str) -> EwsCheckMachine {
        EwsCheckMachine(EwsCheck::new(ews_url, Credentials::new(username, password)))
    }
}

machine_handle!(EwsCheckMachine);

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
