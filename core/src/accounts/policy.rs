//! The worker's settings: the build's `config.json` overridden, key by key,
//! by the admin's managed policy (`chrome.storage.managed`, schema
//! `extension/static/policy-schema.json`). A policy value of the wrong shape
//! is not trusted: it is ignored as if absent (the build's value, else the
//! default, applies), and the reading says which keys were ignored and why,
//! in words an admin can act on.

use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Seat;
use crate::detect::{ConnectionKind, parse_address};
use crate::outbox::OutboxSettings;

/// Build config or policy as read (any JSON: its shape is checked here).
pub type Json = Value;

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub google_client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub google_client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microsoft_client_id: Option<String>,
    pub seat: Seat,
    pub team_inboxes: Vec<String>,
    /// `None` allows every kind.
    pub allowed_providers: Option<Vec<ConnectionKind>>,
    /// Admin IMAP/SMTP settings per domain (`{domain, settings}`); the mail
    /// settings rules check each `settings` when it is used.
    pub mail_settings: Vec<Value>,
    /// The outbox's lookup grace: the build's `outbox` key only.
    pub outbox: OutboxSettings,
}

impl Default for Settings {
    /// Without build config or policy: a full seat, no team inboxes, every
    /// provider allowed, no OAuth clients.
    fn default() -> Self {
        Settings {
            google_client_id: None,
            google_client_secret: None,
            microsoft_client_id: None,
            seat: Seat::Full,
            team_inboxes: vec![],
            allowed_providers: None,
            mail_settings: vec![],
            outbox: OutboxSettings::default(),
        }
    }
}

/// A policy key (or part of one) that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct IgnoredSetting {
    /// The policy key, e.g. `seat`.
    pub key: String,
    /// What was wrong and what applies instead, for the admin.
    pub message: String,
}

/// The settings, and what of the policy was ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsReading {
    pub settings: Settings,
    pub ignored: Vec<IgnoredSetting>,
}

/// A value read under one key: what applies, and the parts of it dropped.
struct Read<T> {
    value: T,
    dropped: Vec<String>,
}

fn whole<T>(value: T) -> Result<Read<T>, String> {
    Ok(Read {
        value,
        dropped: vec![],
    })
}

/// How a JSON value is described to an admin.
fn shape(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn text(value: &Value) -> Result<Read<String>, String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => whole(s.trim().to_string()),
        Value::String(_) => Err("it is empty".into()),
        other => Err(format!("it must be text, not {}", shape(other))),
    }
}

fn seat(value: &Value) -> Result<Read<Seat>, String> {
    match value.as_str() {
        Some("full") => whole(Seat::Full),
        Some("viewOnly") => whole(Seat::ViewOnly),
        _ => Err(format!(
            "it must be \"full\" or \"viewOnly\", not {}",
            shape(value)
        )),
    }
}

/// A list of text, or nothing: one entry of another shape and the list is
/// not the list the admin meant.
fn strings(value: &Value) -> Result<Vec<&str>, String> {
    let Value::Array(items) = value else {
        return Err(format!("it must be a list, not {}", shape(value)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str().ok_or_else(|| {
                format!(
                    "entry {} is {}, and every entry must be text",
                    i + 1,
                    shape(item)
                )
            })
        })
        .collect()
}

fn team_inboxes(value: &Value) -> Result<Read<Vec<String>>, String> {
    let mut kept = vec![];
    let mut dropped = vec![];
    for (i, entry) in strings(value)?.into_iter().enumerate() {
        match parse_address(entry) {
            Ok(_) => kept.push(entry.trim().to_string()),
            Err(e) => dropped.push(format!(
                "entry {} is not an address: {}",
                i + 1,
                e.message().trim_end_matches('.')
            )),
        }
    }
    Ok(Read {
        value: kept,
        dropped,
    })
}

fn allowed_providers(value: &Value) -> Result<Read<Option<Vec<ConnectionKind>>>, String> {
    let mut kinds = vec![];
    let mut dropped = vec![];
    for name in strings(value)? {
        // Read by serde from the name alone (no JSON value to build).
        let kind: Result<ConnectionKind, serde::de::value::Error> =
            ConnectionKind::deserialize(name.into_deserializer());
        match kind {
            Ok(kind) => kinds.push(kind),
            Err(_) => dropped.push(format!(
                "\"{name}\" is not a kind of account Inlay connects (google, microsoft, exchange, imap), so it allows nothing"
            )),
        }
    }
    Ok(Read {
        value: Some(kinds),
        dropped,
    })
}

fn mail_settings(value: &Value) -> Result<Read<Vec<Value>>, String> {
    let Value::Array(items) = value else {
        return Err(format!("it must be a list, not {}", shape(value)));
    };
    let mut kept = vec![];
    let mut dropped = vec![];
    for (i, item) in items.iter().enumerate() {
        let domain = item.get("domain").and_then(Value::as_str);
        let settings = item.get("settings").is_some_and(Value::is_object);
        match (domain, settings) {
            (Some(_), true) => kept.push(item.clone()),
            (None, _) => dropped.push(format!(
                "entry {} has no \"domain\" (text), so no address matches it",
                i + 1
            )),
            (Some(domain), false) => dropped.push(format!(
                "entry {} ({domain}) has no \"settings\" object",
                i + 1
            )),
        }
    }
    Ok(Read {
        value: kept,
        dropped,
    })
}

/// One key's value as read, ready for its field.
enum Setting {
    GoogleClientId(String),
    GoogleClientSecret(String),
    MicrosoftClientId(String),
    Seat(Seat),
    TeamInboxes(Vec<String>),
    AllowedProviders(Option<Vec<ConnectionKind>>),
    MailSettings(Vec<Value>),
}

impl Setting {
    fn apply(self, settings: &mut Settings) {
        match self {
            Setting::GoogleClientId(v) => settings.google_client_id = Some(v),
            Setting::GoogleClientSecret(v) => settings.google_client_secret = Some(v),
            Setting::MicrosoftClientId(v) => settings.microsoft_client_id = Some(v),
            Setting::Seat(v) => settings.seat = v,
            Setting::TeamInboxes(v) => settings.team_inboxes = v,
            Setting::AllowedProviders(v) => settings.allowed_providers = v,
            Setting::MailSettings(v) => settings.mail_settings = v,
        }
    }
}

impl<T> Read<T> {
    fn map(self, field: fn(T) -> Setting) -> Read<Setting> {
        Read {
            value: field(self.value),
            dropped: self.dropped,
        }
    }
}

type Reader = fn(&Value) -> Result<Read<Setting>, String>;

/// Every key the policy schema has, in its order, with its reading; one
/// loop applies them all (the same steps written out per key were 5 KB more
/// code in the module).
const KEYS: [(&str, Reader); 7] = [
    ("googleClientId", |v| {
        Ok(text(v)?.map(Setting::GoogleClientId))
    }),
    ("googleClientSecret", |v| {
        Ok(text(v)?.map(Setting::GoogleClientSecret))
    }),
    ("microsoftClientId", |v| {
        Ok(text(v)?.map(Setting::MicrosoftClientId))
    }),
    ("seat", |v| Ok(seat(v)?.map(Setting::Seat))),
    ("teamInboxes", |v| {
        Ok(team_inboxes(v)?.map(Setting::TeamInboxes))
    }),
    ("allowedProviders", |v| {
        Ok(allowed_providers(v)?.map(Setting::AllowedProviders))
    }),
    ("mailSettings", |v| {
        Ok(mail_settings(v)?.map(Setting::MailSettings))
    }),
];

/// Reads the build config and the admin's policy (both JSON objects; a
/// missing one is `{}`): the policy's value wins key by key where it has the
/// right shape, otherwise the build's, otherwise the default. Everything of
/// the policy that was ignored is listed, in the schema's order.
pub fn read_settings(build: &Value, policy: &Value) -> SettingsReading {
    let empty = Map::new();
    let build = build.as_object().unwrap_or(&empty);
    let mut ignored = vec![];
    let policy = match policy {
        Value::Object(map) => map,
        Value::Null => &empty,
        other => {
            ignored.push(IgnoredSetting {
                key: String::new(),
                message: format!(
                    "Inlay ignored the whole admin policy: it must be an object of settings, not {}.",
                    shape(other)
                ),
            });
            &empty
        }
    };
    let mut settings = Settings::default();
    for (key, reader) in KEYS {
        match policy.get(key).map(reader) {
            Some(Ok(read)) => {
                for why in read.dropped {
                    ignored.push(note(
                        key,
                        &format!("part of it is ignored: {why}. The rest of it applies."),
                    ));
                }
                read.value.apply(&mut settings);
            }
            other => {
                if let Some(Err(why)) = other {
                    ignored.push(note(key, &format!("it is ignored: {why}. {INSTEAD}")));
                }
                if let Some(Ok(read)) = build.get(key).map(reader) {
                    read.value.apply(&mut settings);
                }
            }
        }
    }
    // Build-only (the policy's is an unknown key below): an e2e build
    // shortens the outbox's wait before it searches Sent.
    if let Some(value) = build.get(BUILD_OUTBOX) {
        match OutboxSettings::read(value) {
            Ok(outbox) => settings.outbox = outbox,
            Err(why) => ignored.push(IgnoredSetting {
                key: BUILD_OUTBOX.into(),
                message: format!(
                    "The build's config.json \"{BUILD_OUTBOX}\": it is ignored: {why}. Inlay waits its built-in 2 minutes before it searches Sent instead."
                ),
            }),
        }
    }
    let known = KEYS.map(|(key, _)| key);
    // The CRM's keys are read by crm::settings, which names their faults.
    let crm = crate::crm::settings::POLICY_KEYS;
    for key in policy
        .keys()
        .filter(|k| !known.contains(&k.as_str()) && !crm.contains(&k.as_str()))
    {
        ignored.push(note(
            key,
            &format!(
                "it is ignored: it is not one of Inlay's settings ({}). Check its spelling.",
                known.join(", ")
            ),
        ));
    }
    SettingsReading { settings, ignored }
}

/// The build config's key of the outbox settings (never the policy's).
const BUILD_OUTBOX: &str = "outbox";

/// What applies in place of an ignored key.
const INSTEAD: &str = "Inlay uses its built-in setting instead until the policy is corrected.";

fn note(key: &str, what: &str) -> IgnoredSetting {
    IgnoredSetting {
        key: key.into(),
        message: format!("The admin policy's \"{key}\": {what}"),
    }
}
