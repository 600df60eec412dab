//! Which emails go on the CRM's timeline, and why the others do not.
//!
//! One decision per [`Incoming`], from its headers and what the store holds
//! (the correspondents' contacts): [`Verdict::Log`] names the contacts,
//! companies and open deals, [`Verdict::Skip`] says why in words. The dry run
//! ([`super::dry_run`]) and the log ([`crate::crm::received_email`]) both
//! call [`decide`]: there is no second rule set.
//!
//! In this order: a copy already logged ([`SkipReason::Duplicate`]); mailing
//! lists (`List-Id`) and bulk mail (`Precedence: bulk/list/junk`); the user's
//! own exclusion rules ([`LogRules`]); a sender on the never-log list (the
//! one sent email uses, [`EmailLogSettings`], with its own-domain default);
//! and last, no correspondent is a contact while "create contacts" is off.
//! A bounce is about its failed recipients, not its sender (a mail system,
//! maybe of the user's own domain), so only those are checked.

use serde::{Deserialize, Serialize};

use super::incoming::{FolderRole, Incoming};
use crate::crm::address::{ContactAddress, parse_contact_address};
use crate::crm::command::Found;
use crate::crm::ids::RecordRef;
use crate::crm::model::{AnyRecord, Contact};
use crate::crm::sent_email::{Rules, is_open};
use crate::crm::settings::{CrmSettings, EmailLogSettings};
use crate::message::MessageKind;

/// Most correspondents read from one email.
const MAX_CORRESPONDENTS: usize = 500;

/// One exclusion rule the user wrote: mail matching it is never logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum Exclusion {
    /// The sender's address (any case).
    Address(String),
    /// The sender's domain or a domain below it.
    Domain(String),
    /// Text the subject contains (any case).
    SubjectContains(String),
}

/// The user's rules for received email, beside [`EmailLogSettings`] (which
/// sent and received email share).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", default)]
pub struct LogRules {
    pub exclude: Vec<Exclusion>,
}

/// Why an email is not logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    NeverLog,
    MailingList,
    Bulk,
    ExcludedByRule,
    NotACorrespondent,
    Duplicate,
}

impl SkipReason {
    /// The reason in words, as the dry run lists it.
    pub fn words(self) -> &'static str {
        match self {
            SkipReason::NeverLog => "never-log",
            SkipReason::MailingList => "mailing lists",
            SkipReason::Bulk => "bulk mail",
            SkipReason::ExcludedByRule => "your exclusion rules",
            SkipReason::NotACorrespondent => "not from or to a contact",
            SkipReason::Duplicate => "already logged",
        }
    }
}

/// What an email is, for the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum LogKind {
    /// Received from (or copied to) a contact.
    Received,
    /// Sent by the user from the inbox itself (its Sent folder).
    Sent,
    /// An automatic reply (out of office): noted, not counted as a reply.
    AutoReply,
    /// A delivery failure: the contacts are the failed recipients.
    Bounce,
}

/// The rules' decision on one email (`LogVerdict` in TypeScript, apart from
/// `detect`'s `Verdict`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "LogVerdict"))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Verdict {
    Log {
        kind: LogKind,
        /// Ids of the contacts it goes on, sender first.
        contacts: Vec<String>,
        /// Correspondents who become contacts ("create contacts" on).
        new_contacts: Vec<String>,
        companies: Vec<String>,
        /// Open deals of those contacts.
        deals: Vec<String>,
    },
    Skip {
        reason: SkipReason,
    },
}

impl Verdict {
    fn skip(reason: SkipReason) -> Verdict {
        Verdict::Skip { reason }
    }
}

/// Written by the user: filed in Sent, or seen elsewhere with the inbox's
/// own address as From (a copy to themselves, a Cc): the same email as the
/// Sent copy, logged as sent.
fn by_the_user(incoming: &Incoming) -> bool {
    if incoming.folder == FolderRole::Sent {
        return true;
    }
    let key = |a: &str| parse_contact_address(a).ok().map(|a| a.key);
    let inbox = key(&incoming.inbox);
    inbox.is_some()
        && incoming
            .headers
            .from
            .first()
            .is_some_and(|p| key(&p.address) == inbox)
}

/// The kind of log an email would be, from who wrote it, its folder and its
/// [`MessageKind`].
pub fn log_kind(incoming: &Incoming) -> LogKind {
    if by_the_user(incoming) {
        return LogKind::Sent;
    }
    match &incoming.headers.kind {
        MessageKind::Bounce { .. } => LogKind::Bounce,
        MessageKind::AutoReply { .. } => LogKind::AutoReply,
        MessageKind::Normal => LogKind::Received,
    }
}

/// The user's own addresses for an email: the inbox it was seen in and, for
/// one it sent, its From.
fn own_addresses(incoming: &Incoming) -> Vec<&str> {
    let mut own = vec![incoming.inbox.as_str()];
    if by_the_user(incoming) {
        own.extend(incoming.headers.from.iter().map(|p| p.address.as_str()));
    }
    own
}

/// The never-log rules for this email (the inbox is the user's own).
pub(crate) fn never_log_rules(incoming: &Incoming, settings: &EmailLogSettings) -> Rules {
    Rules::for_own(&own_addresses(incoming), settings)
}

/// Everyone the email is between, as address and display name, each once,
/// in order: a received email's sender first, then its To and Cc; a sent
/// one's To, Cc and Bcc; a bounce's failed recipients.
pub fn correspondents(incoming: &Incoming) -> Vec<(ContactAddress, String)> {
    let h = &incoming.headers;
    let people: Vec<(String, String)> = match (log_kind(incoming), &h.kind) {
        (LogKind::Sent, _) => h.to.iter().chain(&h.cc).chain(&h.bcc).map(named).collect(),
        (
            _,
            MessageKind::Bounce {
                failed_recipients, ..
            },
        ) => failed_recipients
            .iter()
            .map(|a| (a.clone(), String::new()))
            .collect(),
        _ => h
            .from
            .iter()
            .take(1)
            .chain(&h.to)
            .chain(&h.cc)
            .map(named)
            .collect(),
    };
    let mut out: Vec<(ContactAddress, String)> = vec![];
    for (address, name) in people.into_iter().take(MAX_CORRESPONDENTS) {
        if let Ok(a) = parse_contact_address(&address)
            && !out.iter().any(|(o, _)| o.key == a.key)
        {
            out.push((a, name));
        }
    }
    out
}

fn named(p: &crate::message::Participant) -> (String, String) {
    (p.address.clone(), p.name.clone().unwrap_or_default())
}

/// The sender, for a received email that is not a bounce.
fn sender(incoming: &Incoming) -> Option<ContactAddress> {
    if matches!(log_kind(incoming), LogKind::Sent | LogKind::Bounce) {
        return None;
    }
    let from = incoming.headers.from.first()?;
    parse_contact_address(&from.address).ok()
}

fn excluded(incoming: &Incoming, rules: &LogRules) -> bool {
    let from = sender(incoming);
    let subject = incoming
        .headers
        .subject
        .as_deref()
        .unwrap_or("")
        .to_lowercase();
    rules.exclude.iter().any(|rule| match rule {
        Exclusion::Address(a) => from
            .as_ref()
            .is_some_and(|f| parse_contact_address(a).is_ok_and(|a| a.key == f.key)),
        Exclusion::Domain(d) => from.as_ref().is_some_and(|f| {
            let d = d
                .trim()
                .trim_start_matches('@')
                .trim_start_matches("*.")
                .to_lowercase();
            !d.is_empty()
                && (f.domain == d
                    || f.domain
                        .strip_suffix(&d)
                        .is_some_and(|rest| rest.ends_with('.')))
        }),
        Exclusion::SubjectContains(text) => {
            let text = text.trim().to_lowercase();
            !text.is_empty() && subject.contains(&text)
        }
    })
}

/// The found contact of an address.
pub(crate) fn contact_of<'f>(found: &'f Found, a: &ContactAddress) -> Option<&'f Contact> {
    found
        .contacts_by_email_key
        .iter()
        .find(|c| c.email_keys.contains(&a.key))
}

/// Decides on one email. `already_logged`: its entry (or, for one from the
/// Sent folder, the sent email's entry) is in the store or earlier in the
/// batch. `found` is what the lookups of
/// [`crate::crm::received_email::received_email_lookups`] read (the
/// correspondents' contacts, their companies and deals).
pub fn decide(
    incoming: &Incoming,
    found: &Found,
    settings: &CrmSettings,
    rules: &LogRules,
    already_logged: bool,
) -> Verdict {
    let kind = log_kind(incoming);
    if already_logged {
        return Verdict::skip(SkipReason::Duplicate);
    }
    if kind != LogKind::Sent && kind != LogKind::Bounce {
        if incoming.headers.list_id.is_some() {
            return Verdict::skip(SkipReason::MailingList);
        }
        if incoming.headers.bulk {
            return Verdict::skip(SkipReason::Bulk);
        }
    }
    if excluded(incoming, rules) {
        return Verdict::skip(SkipReason::ExcludedByRule);
    }
    let never = never_log_rules(incoming, &settings.email_log);
    if sender(incoming).is_some_and(|s| never.never_logged(&s)) {
        return Verdict::skip(SkipReason::NeverLog);
    }
    let all = correspondents(incoming);
    let loggable: Vec<&(ContactAddress, String)> =
        all.iter().filter(|(a, _)| never.logs(a)).collect();
    if loggable.is_empty() && all.iter().any(|(a, _)| never.never_logged(a)) {
        return Verdict::skip(SkipReason::NeverLog);
    }
    let mut contacts: Vec<&Contact> = vec![];
    let mut new_contacts = vec![];
    for (a, _) in &loggable {
        match contact_of(found, a) {
            Some(c) if !contacts.iter().any(|o| o.id == c.id) => contacts.push(c),
            Some(_) => {}
            // Only people who wrote or were written to become contacts: a
            // failed address or an automatic reply's sender do not.
            None if settings.email_log.create_contacts
                && matches!(kind, LogKind::Received | LogKind::Sent) =>
            {
                new_contacts.push(a.typed.clone())
            }
            None => {}
        }
    }
    if contacts.is_empty() && new_contacts.is_empty() {
        return Verdict::skip(SkipReason::NotACorrespondent);
    }
    let mut companies: Vec<String> = vec![];
    for c in &contacts {
        if let Some(id) = &c.company_id
            && !companies.contains(id)
        {
            companies.push(id.clone());
        }
    }
    let mut deals: Vec<String> = vec![];
    for r in &found.records {
        if let AnyRecord::Deal(d) = r
            && is_open(d, settings)
            && d.contact_ids
                .iter()
                .any(|id| contacts.iter().any(|c| &c.id == id))
            && !deals.contains(&d.id)
        {
            deals.push(d.id.clone());
        }
    }
    Verdict::Log {
        kind,
        contacts: contacts.iter().map(|c| c.id.clone()).collect(),
        new_contacts,
        companies,
        deals,
    }
}

/// The records a logged email goes on, contacts first.
pub fn records_of(verdict: &Verdict) -> Vec<RecordRef> {
    let Verdict::Log {
        contacts,
        companies,
        deals,
        ..
    } = verdict
    else {
        return vec![];
    };
    let mut out: Vec<RecordRef> = vec![];
    for id in contacts.iter().chain(companies).chain(deals) {
        if let Some(r) = RecordRef::to(id)
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    out
}
