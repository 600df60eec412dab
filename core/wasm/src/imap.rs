//! Bindings for IMAP/SMTP settings discovery, the Advanced options check and
//! the login checks through the native helper. Conversion only: every decision is made by `inlay-core`
//! (`inlay_core::provider::imap`).
//!
//! Same conventions as `connect.rs`: plain JSON-compatible objects
//! (camelCase, tagged unions under `kind`), errors thrown as objects with a
//! `code` and a `message`, a wrong argument shape thrown as `invalidArgument`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, thrown, to_js};
use crate::machine_handle::machine_handle;

use inlay_core::provider::imap::{
    self as core_imap, AccountCheck, AdminPolicy, CertificateTrust, Discovery, LoginCheck,
    MailServerKind, MailSettings, SettingsError,
};
use inlay_core::rpc::imap::PinnedCertificates;

/// `mailSettingsValidate`'s thrown error: `{code: "invalidSettings", field, message}`.
#[derive(Serialize)]
#[serde(tag = "code", rename_all = "camelCase")]
enum ValidateError {
    InvalidSettings(SettingsError),
}

/// `new MailDiscoveryMachine(address, admin)`: settings discovery
/// (`provider::imap::Discovery`) as a handle whose state stays inside the
/// module. `admin` is the managed policy's `mailSettings` as read (any value:
/// the core names what it can't use in the evidence). `start(nowMs, random)`
/// once, then `resume(input, nowMs, random)` with what happened to the planned request:
/// `{kind: "response", response}`, `{kind: "transport", failure}` or `{kind:
/// "answer", answer: "notAllowed"}` (the user did not allow its host, so it
/// was not made). Each returns the step: `{kind: "http", request, purpose}`
/// (purpose `domainAutoconfig`, `domainWellKnown`, `ispdb`, `mxLookup` or
/// `mxIspdb`), `{kind: "done", result: {settings, alternatives, source,
/// confidence, evidence}}` or `{kind: "failed", error: {code, message}}` (an
/// invalid address). `origins()`: host-permission patterns of the domain's
/// own documents still to be read (`autoconfig.<domain>`, `<domain>`), which
/// the browser must allow first. The shell calls `free()` once it has ended.
#[wasm_bindgen]
pub struct MailDiscoveryMachine(Discovery);

#[wasm_bindgen]
impl MailDiscoveryMachine {
    /// Throws `{code: "invalidArgument", message}` for an unreadable `admin`.
    #[wasm_bindgen(constructor)]
    pub fn new(address: &str, admin: JsValue) -> Result<MailDiscoveryMachine, JsValue> {
        let admin: AdminPolicy = arg(admin, "admin")?;
        Ok(MailDiscoveryMachine(Discovery::new(address, &admin)))
    }

    pub fn origins(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.domain_origins())
    }
}

machine_handle!(MailDiscoveryMachine);

/// `mailSettingsValidate(settings) -> null`, or throws
/// `{code: "invalidSettings", field, message}` for the first problem
/// (`field` is the form field, e.g. `imap.host` or `smtp.port`).
#[wasm_bindgen(js_name = mailSettingsValidate)]
pub fn mail_settings_validate(settings: JsValue) -> Result<JsValue, JsValue> {
    let settings: MailSettings = arg(settings, "settings")?;
    match core_imap::validate_settings(&settings) {
        Ok(()) => Ok(JsValue::NULL),
        Err(error) => Err(thrown(ValidateError::InvalidSettings(error))),
    }
}

/// `mailHelperError(which, host, port, code, detail) -> {code, message, disposition}`:
/// the mail helper's failure for the `imap` or `smtp` server in words, and
/// whether a check should `reauthenticate`, try `later` or `fail`.
#[wasm_bindgen(js_name = mailHelperError)]
pub fn mail_helper_error(
    which: JsValue,
    host: &str,
    port: u16,
    code: &str,
    detail: &str,
) -> Result<JsValue, JsValue> {
    let which: MailServerKind = arg(which, "which")?;
    to_js(&core_imap::describe_helper_error(
        which, host, port, code, detail,
    ))
}

/// `mailUsualSettings(address) -> MailSettings | null`: the most common
/// servers for the address (`imap.<domain>` 993, `smtp.<domain>` 465), to
/// start the form a user fills in by hand; null for an invalid address.
#[wasm_bindgen(js_name = mailUsualSettings)]
pub fn mail_usual_settings(address: &str) -> Result<JsValue, JsValue> {
    to_js(&core_imap::usual_settings(address))
}

/// `new ImapLoginMachine(settings, password, smtpPassword, pins)`: the
/// connect's check of both logins (`provider::imap::LoginCheck`) as a handle
/// whose state (with the passwords) stays inside the module. `smtpPassword`
/// is SMTP's own (null when it shares IMAP's); `pins` the certificates the
/// user accepted (`{imap, smtp}`). `start(nowMs, random)` once, then
/// `resume(input, nowMs, random)` with the helper's `{kind: "helperReply",
/// reply}` or `{kind: "helperFailed", code, message, certificate}`; each
/// returns the step: `{kind: "helper", call: {op, args}, purpose: "imap" |
/// "smtp"}`, `{kind: "done", result: {pinnedCertificates, appendToSent}}` or
/// `{kind: "failed", error: {code, message, review?: {server, host,
/// certificate}}}` (code `reviewCertificate` with a `review`). The shell
/// calls `free()` once it has ended.
#[wasm_bindgen]
pub struct ImapLoginMachine(LoginCheck);

#[wasm_bindgen]
impl ImapLoginMachine {
    /// Throws `{code: "invalidArgument", message}` for unreadable settings or pins.
    #[wasm_bindgen(constructor)]
    pub fn new(
        settings: JsValue,
        password: &str,
        smtp_password: Option<String>,
        pins: JsValue,
    ) -> Result<ImapLoginMachine, JsValue> {
        let settings: MailSettings = arg(settings, "settings")?;
        let pins: PinnedCertificates = arg(pins, "pins")?;
        Ok(ImapLoginMachine(LoginCheck::new(
            settings,
            password,
            smtp_password.as_deref(),
            pins,
        )))
    }
}

machine_handle!(ImapLoginMachine);

/// `new ImapCheckMachine(settings, trust, password, smtpPassword)`: "Check
/// connection" of an IMAP inbox (`provider::imap::AccountCheck`) as a handle,
/// like `ImapLoginMachine`. `trust` is the record's `{pinnedCertificates?,
/// trustAnyCertificate?, notice?}`; `smtpPassword` SMTP's own, or null. Each
/// call returns the step: `{kind: "helper", call, purpose}`, `{kind: "done",
/// result: {trust}}` (`trust`: what to store instead of the record's, with
/// its `notice` for the user, or null) or `{kind: "failed", error: {code,
/// message, outcome}}` (`outcome`: `needsReauthentication`, `later` or
/// `failed`).
#[wasm_bindgen]
pub struct ImapCheckMachine(AccountCheck);

#[wasm_bindgen]
impl ImapCheckMachine {
    /// Throws `{code: "invalidArgument", message}` for unreadable settings or trust.
    #[wasm_bindgen(constructor)]
    pub fn new(
        settings: JsValue,
        trust: JsValue,
        password: &str,
        smtp_password: Option<String>,
    ) -> Result<ImapCheckMachine, JsValue> {
        let settings: MailSettings = arg(settings, "settings")?;
        let trust: CertificateTrust = arg(trust, "trust")?;
        Ok(ImapCheckMachine(AccountCheck::new(
            settings,
            trust,
            password,
            smtp_password.as_deref(),
        )))
    }
}

machine_handle!(ImapCheckMachine);
