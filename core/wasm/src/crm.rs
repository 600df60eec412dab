//! Bindings for the CRM's rules (`inlay_core::crm`). Conversion only.
//!
//! Records, commands and write sets cross as JSON text (the worker's
//! `JSON.stringify` / `JSON.parse`): one serde_json reading per call instead
//! of a serde-wasm-bindgen deserializer per type, which keeps this module
//! small (docs/ARCHITECTURE.md, "Size plan", lever 2). Refusals are thrown as
//! `{code, message}` objects, like every binding's.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::convert::thrown;

use inlay_core::crm::{
    self, apply, command, csv_columns, csv_export, csv_import, decimal, filter, fold, ids, search,
    sent_email, settings, trash, validate, wire,
};

#[wasm_bindgen]
extern "C" {
    /// A JS string, to call `String.prototype.normalize` on it: the browser
    /// has the Unicode decompositions the core leaves out of the module.
    #[wasm_bindgen(js_name = String)]
    type JsText;
    #[wasm_bindgen(method, js_class = "String", js_name = normalize)]
    fn normalize(this: &JsText, form: &str) -> String;
}

fn nfd(text: &str) -> String {
    JsValue::from_str(text)
        .unchecked_ref::<JsText>()
        .normalize("NFD")
}

/// Every binding that folds text calls this first (the first call sets it).
pub(crate) fn install_decomposer() {
    fold::set_decomposer(nfd);
}

/// Reads JSON argument `name`; a wrong shape is thrown as `invalidArgument`.
fn read<T: DeserializeOwned>(json: &str, name: &str) -> Result<T, JsValue> {
    wire::read(json, name).map_err(thrown)
}

/// A value as JSON text.
fn json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    wire::write(value).map_err(thrown)
}

/// A time from JS (ms since the epoch) as the core's integer.
fn millis(now_ms: f64) -> u64 {
    if now_ms.is_finite() && now_ms > 0.0 {
        now_ms as u64
    } else {
        0
    }
}

/// `crmDefaultSettings() -> CrmSettings (JSON)`: HubSpot's default pipeline.
#[wasm_bindgen(js_name = crmDefaultSettings)]
pub fn crm_default_settings() -> Result<String, JsValue> {
    json(&crm::default_settings())
}

/// `crmValidateSettings(settings) -> CrmSettings (JSON)`; throws `{code, message}`.
#[wasm_bindgen(js_name = crmValidateSettings)]
pub fn crm_validate_settings(settings_json: &str) -> Result<String, JsValue> {
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    json(&settings::validate_settings(settings).map_err(thrown)?)
}

/// `crmReadSettings(saved | null, policy) -> CrmSettingsReading (JSON)`: the
/// user's settings (or the defaults) with the admin policy's `crmOwners`
/// and `crmPipelines`, and what of those was ignored.
#[wasm_bindgen(js_name = crmReadSettings)]
pub fn crm_read_settings(saved_json: Option<String>, policy_json: &str) -> Result<String, JsValue> {
    let saved = match saved_json {
        Some(text) => Some(read(&text, "saved")?),
        None => None,
    };
    let policy: settings::PolicyJson = read(policy_json, "policy")?;
    json(&settings::read_settings(saved, &policy))
}

/// `crmChoices() -> {lifecycleStages, leadStatuses, currencies} (JSON)`.
#[wasm_bindgen(js_name = crmChoices)]
pub fn crm_choices() -> Result<String, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Choices {
        lifecycle_stages: &'static [validate::Choice],
        lead_statuses: &'static [validate::Choice],
        currencies: Vec<&'static str>,
    }
    json(&Choices {
        lifecycle_stages: &validate::LIFECYCLE_STAGES,
        lead_statuses: &validate::LEAD_STATUSES,
        currencies: validate::currencies(),
    })
}

/// `crmLookups(command) -> Lookups (JSON)`: what to read before `crmApply`.
#[wasm_bindgen(js_name = crmLookups)]
pub fn crm_lookups(command_json: &str) -> Result<String, JsValue> {
    install_decomposer();
    let command: command::CrmCommand = read(command_json, "command")?;
    json(&command::lookups(&command))
}

/// `crmApply(command, found, settings, nowMs, random) -> WriteSet (JSON)`;
/// throws `{code, message}` when the command is refused.
#[wasm_bindgen(js_name = crmApply)]
pub fn crm_apply(
    command_json: &str,
    found_json: &str,
    settings_json: &str,
    now_ms: f64,
    random: &[u8],
) -> Result<String, JsValue> {
    install_decomposer();
    let command: command::CrmCommand = read(command_json, "command")?;
    let found: command::Found = read(found_json, "found")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    let writes = crm::apply(&command, &found, &settings, millis(now_ms), random).map_err(thrown)?;
    json(&writes)
}

/// `crmSentEmailLookups(email, settings, found | null) -> Lookups (JSON)`:
/// what to read before `crmLogSentEmail`, first without `found`, then again
/// with what the first read found (see `crm::sent_email`).
#[wasm_bindgen(js_name = crmSentEmailLookups)]
pub fn crm_sent_email_lookups(
    email_json: &str,
    settings_json: &str,
    found_json: Option<String>,
) -> Result<String, JsValue> {
    let email: sent_email::SentEmail = read(email_json, "email")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    let found: Option<command::Found> = match found_json {
        Some(text) => Some(read(&text, "found")?),
        None => None,
    };
    json(&sent_email::sent_email_lookups(&email, &settings, found.as_ref()))
}

/// `crmLogSentEmail(email, found, settings, nowMs, random) -> WriteSet (JSON)`:
/// the `emailSent` entry on the recipients' records (nothing when it is
/// already there); throws `{code, message}` for an email without a usable
/// Message-ID.
#[wasm_bindgen(js_name = crmLogSentEmail)]
pub fn crm_log_sent_email(
    email_json: &str,
    found_json: &str,
    settings_json: &str,
    now_ms: f64,
    random: &[u8],
) -> Result<String, JsValue> {
    install_decomposer();
    let email: sent_email::SentEmail = read(email_json, "email")?;
    let found: command::Found = read(found_json, "found")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    let writes = sent_email::log_sent_email(&email, &found, &settings, millis(now_ms), random)
        .map_err(thrown)?;
    json(&writes)
}

/// `crmQueryKeys(query) -> string[] (JSON)`: the folded tokens of a search.
#[wasm_bindgen(js_name = crmQueryKeys)]
pub fn crm_query_keys(query: &str) -> Result<String, JsValue> {
    install_decomposer();
    json(&search::query_keys(query))
}

/// `crmRank(query, candidates, limit) -> SearchHit[] (JSON)`: candidates are
/// records or the fields of them ranking reads (`search::Candidate`).
#[wasm_bindgen(js_name = crmRank)]
pub fn crm_rank(query: &str, candidates_json: &str, limit: u32) -> Result<String, JsValue> {
    install_decomposer();
    let candidates = search::read_candidates(candidates_json).map_err(thrown)?;
    json(&search::rank_candidates(query, &candidates, limit as usize))
}

/// `crmTimeline(entries) -> TimelineEntry[] (JSON)`, newest first.
#[wasm_bindgen(js_name = crmTimeline)]
pub fn crm_timeline(entries_json: &str) -> Result<String, JsValue> {
    let mut entries: Vec<crm::TimelineEntry> = read(entries_json, "entries")?;
    crm::timeline::newest_first(&mut entries);
    json(&entries)
}

/// `crmMatches(filter, records, settings, nowMs) -> boolean[] (JSON)`: for
/// each record, whether it is in the filtered list.
#[wasm_bindgen(js_name = crmMatches)]
pub fn crm_matches(
    filter_json: &str,
    records_json: &str,
    settings_json: &str,
    now_ms: f64,
) -> Result<String, JsValue> {
    let filter: filter::CrmFilter = read(filter_json, "filter")?;
    let records: Vec<crm::AnyRecord> = read(records_json, "records")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    let now = millis(now_ms);
    let kept: Vec<bool> = records
        .iter()
        .map(|r| filter::matches(&filter, r, &settings, now))
        .collect();
    json(&kept)
}

/// `crmSumAmounts(amounts: string[]) -> string`: the exact sum, canonical.
#[wasm_bindgen(js_name = crmSumAmounts)]
pub fn crm_sum_amounts(amounts_json: &str) -> Result<String, JsValue> {
    let amounts: Vec<String> = read(amounts_json, "amounts")?;
    Ok(decimal::sum_amounts(amounts.iter().map(String::as_str)))
}

/// `crmCsvPreview(text) -> CsvPreview (JSON)`; throws `{code, message}` for
/// a file Inlay does not import (too many columns or rows, not CSV, empty).
#[wasm_bindgen(js_name = crmCsvPreview)]
pub fn crm_csv_preview(text: &str) -> Result<String, JsValue> {
    install_decomposer();
    json(&csv_import::preview(text).map_err(thrown)?)
}

/// `crmCsvImport(text, mapping, existing, settings, nowMs, random) ->
/// CsvImport (JSON)`: the write set of the good rows and the skipped ones.
#[wasm_bindgen(js_name = crmCsvImport)]
pub fn crm_csv_import(
    text: &str,
    mapping_json: &str,
    existing_json: &str,
    settings_json: &str,
    now_ms: f64,
    random: &[u8],
) -> Result<String, JsValue> {
    install_decomposer();
    let mapping: Vec<Option<csv_columns::CsvField>> = read(mapping_json, "mapping")?;
    let existing: csv_import::ImportExisting = read(existing_json, "existing")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    let result = csv_import::import(text, &mapping, &existing, &settings, millis(now_ms), random)
        .map_err(thrown)?;
    json(&result)
}

/// `crmCsvExport(kind, records, settings, nowMs) -> {filename, text} (JSON)`.
#[wasm_bindgen(js_name = crmCsvExport)]
pub fn crm_csv_export(
    kind: &str,
    records_json: &str,
    settings_json: &str,
    now_ms: f64,
) -> Result<String, JsValue> {
    let kind: csv_export::ExportKind = read(&format!("\"{kind}\""), "kind")?;
    let records: Vec<crm::AnyRecord> = read(records_json, "records")?;
    let settings: crm::CrmSettings = read(settings_json, "settings")?;
    json(&csv_export::export(kind, &records, &settings, millis(now_ms)).map_err(thrown)?)
}

/// `crmNewImportId(random) -> "im_…"`: a staged import's id.
#[wasm_bindgen(js_name = crmNewImportId)]
pub fn crm_new_import_id(random: &[u8]) -> Result<String, JsValue> {
    ids::new_import_id(random).map_err(thrown)
}

/// `crmImportNotFound(importId) -> {code: "importNotFound", message} (JSON)`.
#[wasm_bindgen(js_name = crmImportNotFound)]
pub fn crm_import_not_found(_import_id: &str) -> Result<String, JsValue> {
    json(&csv_import::import_not_found())
}

/// `crmNotFound(record) -> {code: "notFound" | "invalidId", message} (JSON)`:
/// the worker's answer for a record it does not have.
#[wasm_bindgen(js_name = crmNotFound)]
pub fn crm_not_found(record: &str) -> Result<String, JsValue> {
    let error = match ids::RecordRef::try_from(record.to_string()) {
        Ok(r) => apply::not_found(r.kind()),
        Err(why) => crm::CrmError::new(crm::CrmErrorCode::InvalidId, format!("{why}.")),
    };
    json(&error)
}

/// `crmTrashCutoff(nowMs) -> ms`: trash entries deleted before it are purged.
#[wasm_bindgen(js_name = crmTrashCutoff)]
pub fn crm_trash_cutoff(now_ms: f64) -> f64 {
    trash::trash_cutoff(millis(now_ms)) as f64
}

/// `crmImportCutoff(nowMs) -> ms`: staged imports made before it are discarded.
#[wasm_bindgen(js_name = crmImportCutoff)]
pub fn crm_import_cutoff(now_ms: f64) -> f64 {
    csv_import::import_cutoff(millis(now_ms)) as f64
}
