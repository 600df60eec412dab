//! Bindings for IMAP/SMTP settings discovery and the Advanced options
//! check. Conversion only: every decision is made by `inlay-core`
//! (`inlay_core::provider::imap`).
//!
//! Same conventions as `connect.rs`: plain JSON-compatible objects
//! (camelCase, tagged unions under `kind`), errors thrown as objects with a
//! `code` and a `message`, a wrong argument shape thrown as `invalidArgument`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, resume_step, start_step, thrown, to_js};

use inlay_core::provider::imap::{
    self as core_imap, AdminPolicy, CertificateReport, CertificateTrust, Discovery, MailServerKind,
    MailSettings, SettingsError,
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

    pub fn start(&mut self, now_ms: f64, random: &[u8]) -> Result<JsValue, JsValue> {
        start_step(&mut self.0, now_ms, random)
    }

    pub fn resume(
        &mut self,
        input: JsValue,
        now_ms: f64,
        random: &[u8],
    ) -> Result<JsValue, JsValue> {
        resume_step(&mut self.0, input, now_ms, random)
    }

    pub fn origins(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.domain_origins())
    }
}

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

/// `mailSentCopyNeeded(settings) -> boolean`: whether the helper must append
/// the sent copy to the Sent folder (false where the provider files it itself).
#[wasm_bindgen(js_name = mailSentCopyNeeded)]
pub fn mail_sent_copy_needed(settings: JsValue) -> Result<JsValue, JsValue> {
    let settings: MailSettings = arg(settings, "settings")?;
    Ok(JsValue::from_bool(core_imap::sent_copy_needed(&settings)))
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

/// `mailCertificateMigration(settings, trust, imap, smtp) -> trust | null`:
/// for a record from before pins (`trust` is `{pinnedCertificates?,
/// trustAnyCertificate?, notice?}`), the trust to store after a successful
/// trust-any check, from each server's check reply (`{certificatePin,
/// certificateVerified}`; `smtp` null when its check failed); null when
/// nothing changes.
#[wasm_bindgen(js_name = mailCertificateMigration)]
pub fn mail_certificate_migration(
    settings: JsValue,
    trust: JsValue,
    imap: JsValue,
    smtp: JsValue,
) -> Result<JsValue, JsValue> {
    let settings: MailSettings = arg(settings, "settings")?;
    let trust: CertificateTrust = arg(trust, "trust")?;
    let imap: CertificateReport = arg(imap, "imap")?;
    let smtp: Option<CertificateReport> = arg(smtp, "smtp")?;
    to_js(&core_imap::migrate_trust_any(
        &settings,
        &trust,
        &imap,
        smtp.as_ref(),
    ))
}

/// `mailCertificateAcceptedElsewhere(which, code, spkiSha256, pins) -> string | null`:
/// the pin to use for the `imap` or `smtp` server instead of a review, when
/// the helper refused its certificate (`code`) and it is the key the user
/// accepted for the account's other server; null: the user reviews it.
#[wasm_bindgen(js_name = mailCertificateAcceptedElsewhere)]
pub fn mail_certificate_accepted_elsewhere(
    which: JsValue,
    code: &str,
    spki_sha256: &str,
    pins: JsValue,
) -> Result<JsValue, JsValue> {
    let which: MailServerKind = arg(which, "which")?;
    let pins: PinnedCertificates = arg(pins, "pins")?;
    to_js(&core_imap::accepted_for_other_server(
        which,
        code,
        spki_sha256,
        &pins,
    ))
}
