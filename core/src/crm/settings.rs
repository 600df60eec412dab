//! The CRM's settings: owners, pipelines with their stages, the default
//! currency. The defaults are HubSpot's default sales pipeline, so a team
//! coming from HubSpot finds its stages (and a HubSpot export's stage ids)
//! where it expects them. An admin may preset owners and pipelines by
//! policy (`crmOwners`, `crmPipelines`), read like the rest of the policy
//! (`crate::accounts::policy`): a part of the wrong shape is ignored and
//! named in words, the rest applies.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::clip;
use super::validate::is_currency;
use crate::accounts::IgnoredSetting;

/// Someone records can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Owner {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// How a closed stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Closed {
    Won,
    Lost,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub name: String,
    /// The chance a deal in this stage closes won, 0 to 1.
    pub probability: f64,
    #[serde(default)]
    pub closed: Option<Closed>,
}

// JSON has no NaN and validation holds probability to 0..=1, so equality is
// an equivalence (the page's request types are `Eq`).
impl Eq for Stage {}

/// A sequence of stages a deal moves through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub stages: Vec<Stage>,
}

/// Owners, pipelines, the default currency and how sent email is logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrmSettings {
    pub owners: Vec<Owner>,
    pub pipelines: Vec<Pipeline>,
    /// ISO 4217, for deals entered without one.
    pub currency: String,
    /// Settings saved before it existed read as the defaults.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<EmailLogSettings>", optional))]
    pub email_log: EmailLogSettings,
}

/// Which sent emails go on the timeline ([`super::sent_email`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EmailLogSettings {
    /// Addresses (`ann@acme.com`) and domains (`acme.com`, which also covers
    /// `eu.acme.com`) whose emails are never logged.
    pub never_log: Vec<String>,
    /// Never log emails to the sending inbox's own company domain (the
    /// user's colleagues); never a free-mail domain. On by default.
    pub never_log_own_domain: bool,
    /// A recipient who is no contact becomes one. Off by default.
    pub create_contacts: bool,
}

impl Default for EmailLogSettings {
    fn default() -> Self {
        EmailLogSettings {
            never_log: vec![],
            never_log_own_domain: true,
            create_contacts: false,
        }
    }
}

impl CrmSettings {
    pub fn pipeline(&self, id: &str) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.id == id)
    }

    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }
}

impl Pipeline {
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }
}

impl Default for CrmSettings {
    fn default() -> Self {
        default_settings()
    }
}

fn stage(id: &str, name: &str, probability: f64, closed: Option<Closed>) -> Stage {
    Stage {
        id: id.into(),
        name: name.into(),
        probability,
        closed,
    }
}

/// HubSpot's default sales pipeline (its stage ids, names and win
/// probabilities), no owners, US dollars.
pub fn default_settings() -> CrmSettings {
    CrmSettings {
        owners: vec![],
        pipelines: vec![Pipeline {
            id: "default".into(),
            name: "Sales Pipeline".into(),
            stages: vec![
                stage("appointmentscheduled", "Appointment scheduled", 0.2, None),
                stage("qualifiedtobuy", "Qualified to buy", 0.4, None),
                stage("presentationscheduled", "Presentation scheduled", 0.6, None),
                stage(
                    "decisionmakerboughtin",
                    "Decision maker bought-in",
                    0.8,
                    None,
                ),
                stage("contractsent", "Contract sent", 0.9, None),
                stage("closedwon", "Closed won", 1.0, Some(Closed::Won)),
                stage("closedlost", "Closed lost", 0.0, Some(Closed::Lost)),
            ],
        }],
        currency: "USD".into(),
        email_log: EmailLogSettings::default(),
    }
}

const MAX_OWNERS: usize = 500;
const MAX_PIPELINES: usize = 50;
const MAX_STAGES: usize = 50;
const MAX_NAME: usize = 100;
const MAX_ID: usize = 64;

fn invalid(message: String) -> CrmError {
    CrmError::new(CrmErrorCode::InvalidSettings, message)
}

/// An id of settings: 1-64 of a-z, 0-9, `_`, `-`, `.`, `@`, `+`.
fn check_id(what: &str, id: &str) -> CrmResult<()> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.@+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "The {what} id \"{}\" must be 1 to {MAX_ID} lower-case letters, digits or _ - . @ +.",
            clip(id)
        )))
    }
}

fn check_name(what: &str, name: &str) -> CrmResult<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(format!("A {what} has no name. Give it one.")));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(invalid(format!(
            "The {what} name \"{}\" must be one line of at most {MAX_NAME} characters.",
            clip(name)
        )));
    }
    Ok(())
}

fn check_pipeline(p: &Pipeline) -> CrmResult<()> {
    check_id("pipeline", &p.id)?;
    check_name("pipeline", &p.name)?;
    if p.stages.is_empty() || p.stages.len() > MAX_STAGES {
        return Err(invalid(format!(
            "The pipeline \"{}\" must have 1 to {MAX_STAGES} stages.",
            clip(&p.name)
        )));
    }
    for (i, s) in p.stages.iter().enumerate() {
        check_id("stage", &s.id)?;
        check_name("stage", &s.name)?;
        if p.stages[..i].iter().any(|o| o.id == s.id) {
            return Err(invalid(format!(
                "The pipeline \"{}\" has the stage id \"{}\" twice.",
                clip(&p.name),
                s.id
            )));
        }
        if !(0.0..=1.0).contains(&s.probability) {
            return Err(invalid(format!(
                "The stage \"{}\" has a probability of {}; it must be between 0 and 1.",
                clip(&s.name),
                s.probability
            )));
        }
    }
    Ok(())
}

fn check_owner(o: &Owner) -> CrmResult<()> {
    check_id("owner", &o.id)?;
    check_name("owner", &o.name)?;
    if let Some(email) = &o.email {
        super::address::parse_contact_address(email)?;
    }
    Ok(())
}

/// Settings as saved from the app: checked whole, names trimmed.
pub fn validate_settings(mut settings: CrmSettings) -> CrmResult<CrmSettings> {
    if settings.pipelines.is_empty() || settings.pipelines.len() > MAX_PIPELINES {
        return Err(invalid(format!(
            "There must be 1 to {MAX_PIPELINES} pipelines."
        )));
    }
    if settings.owners.len() > MAX_OWNERS {
        return Err(invalid(format!(
            "There can be at most {MAX_OWNERS} owners."
        )));
    }
    for (i, p) in settings.pipelines.iter().enumerate() {
        check_pipeline(p)?;
        if settings.pipelines[..i].iter().any(|o| o.id == p.id) {
            return Err(invalid(format!(
                "The pipeline id \"{}\" is used twice.",
                p.id
            )));
        }
    }
    for (i, o) in settings.owners.iter().enumerate() {
        check_owner(o)?;
        if settings.owners[..i].iter().any(|x| x.id == o.id) {
            return Err(invalid(format!("The owner id \"{}\" is used twice.", o.id)));
        }
    }
    let currency = settings.currency.trim().to_ascii_uppercase();
    if !is_currency(&currency) {
        return Err(CrmError::new(
            CrmErrorCode::CurrencyNotIso,
            format!(
                "\"{}\" is not a currency code. Use a three-letter ISO 4217 code, like USD or EUR.",
                clip(&settings.currency)
            ),
        ));
    }
    settings.currency = currency;
    settings.email_log.never_log =
        super::sent_email::never_log_list(&settings.email_log.never_log)?;
    for p in &mut settings.pipelines {
        p.name = p.name.trim().into();
        for s in &mut p.stages {
            s.name = s.name.trim().into();
        }
    }
    for o in &mut settings.owners {
        o.name = o.name.trim().into();
        o.email = o.email.as_ref().map(|e| e.trim().to_string());
    }
    Ok(settings)
}

/// The settings in force, and what of the policy's CRM keys was ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CrmSettingsReading {
    pub settings: CrmSettings,
    /// Owners and pipelines preset by the admin cannot be edited in the app.
    pub owners_from_policy: bool,
    pub pipelines_from_policy: bool,
    pub ignored: Vec<IgnoredSetting>,
}

/// The admin policy as read (any JSON: its shape is checked here).
pub type PolicyJson = Value;

/// The policy keys read here (the rest of the policy is
/// `crate::accounts::policy`'s).
pub const POLICY_KEYS: [&str; 2] = ["crmOwners", "crmPipelines"];

fn note(key: &str, what: String) -> IgnoredSetting {
    IgnoredSetting {
        key: key.into(),
        message: format!("The admin policy's \"{key}\": {what}"),
    }
}

/// The settings the user saved (or the defaults), with the admin policy's
/// `crmOwners` and `crmPipelines` in place of the user's where the policy
/// has them. An entry of the wrong shape is dropped and named; a key with no
/// usable entry is ignored whole.
pub fn read_settings(saved: Option<CrmSettings>, policy: &Value) -> CrmSettingsReading {
    let mut settings = saved.unwrap_or_else(default_settings);
    let mut ignored = vec![];
    let mut owners_from_policy = false;
    let mut pipelines_from_policy = false;
    if let Some(value) = policy.get("crmOwners")
        && let Some(owners) = read_list(value, "crmOwners", "owner", &mut ignored, |v| {
            let owner: Owner = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
            let owner = Owner {
                id: owner.id.trim().to_lowercase(),
                ..owner
            };
            check_owner(&owner).map_err(|e| e.message)?;
            Ok(owner)
        })
    {
        settings.owners = dedupe(owners, |o| o.id.clone());
        owners_from_policy = true;
    }
    if let Some(value) = policy.get("crmPipelines")
        && let Some(pipelines) = read_list(value, "crmPipelines", "pipeline", &mut ignored, |v| {
            let pipeline: Pipeline =
                serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
            check_pipeline(&pipeline).map_err(|e| e.message)?;
            Ok(pipeline)
        })
    {
        settings.pipelines = dedupe(pipelines, |p| p.id.clone());
        pipelines_from_policy = true;
    }
    CrmSettingsReading {
        settings,
        owners_from_policy,
        pipelines_from_policy,
        ignored,
    }
}

fn dedupe<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut out: Vec<T> = vec![];
    for item in items {
        if !out.iter().any(|o| key(o) == key(&item)) {
            out.push(item);
        }
    }
    out
}

/// Reads a policy list entry by entry; `None` (and a note) when nothing of
/// it can be used.
fn read_list<T>(
    value: &Value,
    key: &str,
    noun: &str,
    ignored: &mut Vec<IgnoredSetting>,
    read: impl Fn(&Value) -> Result<T, String>,
) -> Option<Vec<T>> {
    let Value::Array(items) = value else {
        ignored.push(note(
            key,
            format!("it is ignored: it must be a list of {noun}s. The app's own settings apply."),
        ));
        return None;
    };
    let mut kept = vec![];
    for (i, item) in items.iter().enumerate() {
        match read(item) {
            Ok(t) => kept.push(t),
            Err(why) => ignored.push(note(
                key,
                format!(
                    "entry {} is ignored ({}). The rest of the list applies.",
                    i + 1,
                    why.trim_end_matches('.')
                ),
            )),
        }
    }
    if kept.is_empty() {
        ignored.push(note(
            key,
            format!("it is ignored: it has no usable {noun}. The app's own settings apply."),
        ));
        return None;
    }
    Some(kept)
}
