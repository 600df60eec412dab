//! A sent email on the CRM's timeline (issue 12): after the outbox says
//! `sent`, every recipient who is a contact gets one `emailSent` entry, and
//! so do their companies and their open deals.
//!
//! - **Once per email.** The entry's id is derived from the Message-ID
//!   ([`sent_entry_id`]), so the worker reads it first and a second log of
//!   the same email (a retried call, a worker restarted after the send)
//!   writes nothing.
//! - **Never-log list** ([`EmailLogSettings`]): addresses and domains (a
//!   domain covers its subdomains) whose emails are never logged, and, on by
//!   default, the user's own company domain: the registrable domain of the
//!   inbox and the From address, unless it is a free-mail domain. A
//!   recipient on it is left out; the others are still logged. The sending
//!   address itself is never a recipient to log.
//! - **New recipients** become contacts only when the setting says so (off by
//!   default), named from the recipient's display name, with the company of
//!   their domain as any new contact.
//! - **Bcc.** Bcc recipients are logged like the others, and the entry keeps
//!   the Bcc line: the timeline is the user's own record of what they sent,
//!   like their Sent folder, which keeps it too. The entry is one record shown
//!   on each recipient's timeline, so a Bcc recipient's contact is among its
//!   records; nothing here is ever sent to anyone.
//! - Subject, snippet and names are text from an email: kept as text (the
//!   app renders them as text nodes), one line, clipped.
//!
//! Two reads, one transaction: [`sent_email_lookups`] names the recipients'
//! address keys, their company domains (for new contacts) and the entry's id;
//! called again with what was found, it names the found contacts' companies
//! and the records that refer to them (their deals). [`log_sent_email`] then
//! decides the writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::address::{ContactAddress, parse_contact_address};
use super::apply::{CompanyHint, Ctx, WriteSet, build_contact, with_contact_keys};
use super::command::{ContactInput, Found, Lookups};
use super::company::company_domain;
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::{IdKind, RecordKind, RecordRef};
use super::model::{AnyRecord, Company, Contact, DataValue, Deal, TimelineEntry, contact_title};
use super::settings::{CrmSettings, EmailLogSettings};

/// The kind of the timeline entry.
pub const EMAIL_SENT: &str = "emailSent";
/// Most entries in the never-log list.
pub const MAX_NEVER_LOG: usize = 1000;
/// Longest subject kept, in characters.
const MAX_SUBJECT: usize = 500;
/// Longest snippet kept, in characters.
const MAX_SNIPPET: usize = 300;
/// Most recipients read from one email (To, Cc and Bcc together).
const MAX_RECIPIENTS: usize = 500;
/// Longest Message-ID (RFC 5322's line limit).
const MAX_MESSAGE_ID: usize = 998;
/// Most References ids kept on the entry (a reply keeps the root and the
/// latest: `send::reply`).
const MAX_REFERENCES: usize = 20;

/// One recipient as the email addressed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recipient {
    pub address: String,
    /// The display name, if the email had one.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub name: String,
}

/// A sent email, as the send feature hands it over once the outbox says
/// `sent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentEmail {
    /// The Message-ID header's value, with or without its angle brackets.
    pub message_id: String,
    /// The connected inbox it went out through.
    pub inbox: String,
    /// The From address (the inbox or one of its aliases).
    pub from: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Recipient>>", optional))]
    pub to: Vec<Recipient>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Recipient>>", optional))]
    pub cc: Vec<Recipient>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Recipient>>", optional))]
    pub bcc: Vec<Recipient>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub subject: String,
    /// A short text of the body (the text/plain alternative's start).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub snippet: String,
    /// When it was sent (ms): the entry's time.
    pub sent_at: u64,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub provider_thread_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub outbox_id: Option<String>,
    /// The email's own References (for a reply: the thread's Message-IDs),
    /// kept so a reply to it continues the chain.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub references: Vec<String>,
}

/// The Message-ID without angle brackets and surrounding space.
pub(crate) fn bare_message_id(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id)
        .trim()
}

/// The timeline entry's id for an email: `tl_` and 80 bits of the SHA-256
/// of its bare Message-ID, so the same email always has the same entry.
pub fn sent_entry_id(message_id: &str) -> String {
    let hash = Sha256::new()
        .chain_update(b"inlay emailSent\n")
        .chain_update(bare_message_id(message_id).as_bytes())
        .finalize();
    super::ids::id_from_hash(IdKind::Timeline, &hash)
}

/// One never-log entry as stored: an address (lower-case, as typed) or a
/// registrable-or-longer domain (lower-case ASCII; a leading `@` or `*.`
/// dropped); `None` for an empty line.
fn never_log_entry(typed: &str) -> CrmResult<Option<String>> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let refused = || {
        CrmError::new(
            CrmErrorCode::InvalidSettings,
            format!(
                "\"{}\" in the never-log list is neither an email address nor a domain. Enter it like ann@acme.com or acme.com.",
                super::ids::clip(t)
            ),
        )
    };
    let domain = t.trim_start_matches("*.").trim_start_matches('@');
    if domain.contains('@') {
        let a = parse_contact_address(t).map_err(|_| refused())?;
        return Ok(Some(format!("{}@{}", a.local.to_lowercase(), a.domain)));
    }
    let a = parse_contact_address(&format!("x@{domain}")).map_err(|_| refused())?;
    Ok(Some(a.domain))
}

/// The never-log list as saved: each entry checked and normalised, empty
/// lines and repeats dropped, at most [`MAX_NEVER_LOG`].
pub fn never_log_list(typed: &[String]) -> CrmResult<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for t in typed {
        if let Some(entry) = never_log_entry(t)?
            && !out.contains(&entry)
        {
            out.push(entry);
        }
    }
    if out.len() > MAX_NEVER_LOG {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            format!(
                "The never-log list can hold at most {MAX_NEVER_LOG} addresses and domains; it has {}.",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// The address of `Name <address>`, or the text itself.
fn bare_address(text: &str) -> &str {
    match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    }
}

/// Whether `domain` is `parent` or below it.
fn within(domain: &str, parent: &str) -> bool {
    domain == parent
        || domain
            .strip_suffix(parent)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// What decides whether an address is logged: the never-log list and the
/// own domain, for sent email here and received email
/// ([`super::received_email`]).
pub(crate) struct Rules {
    /// The sender's own keys (the inbox, the From address).
    own_keys: Vec<String>,
    /// Never-log address keys and domains.
    keys: Vec<String>,
    domains: Vec<String>,
}

impl Rules {
    fn new(email: &SentEmail, settings: &EmailLogSettings) -> Rules {
        Rules::for_own(&[&email.inbox, &email.from], settings)
    }

    /// The rules for mail of the user's own addresses `own` (the inbox, the
    /// From address of a sent email).
    pub(crate) fn for_own(own: &[&str], settings: &EmailLogSettings) -> Rules {
        let own: Vec<ContactAddress> = own
            .iter()
            .filter_map(|a| parse_contact_address(bare_address(a)).ok())
            .collect();
        let mut rules = Rules {
            own_keys: own.iter().map(|a| a.key.clone()).collect(),
            keys: vec![],
            domains: vec![],
        };
        for entry in &settings.never_log {
            if entry.contains('@') {
                rules
                    .keys
                    .extend(parse_contact_address(entry).ok().map(|a| a.key));
            } else {
                rules.domains.push(entry.to_ascii_lowercase());
            }
        }
        if settings.never_log_own_domain {
            rules
                .domains
                .extend(own.iter().filter_map(|a| company_domain(&a.domain)));
        }
        rules
    }

    pub(crate) fn logs(&self, a: &ContactAddress) -> bool {
        !self.is_own(a) && !self.never_logged(a)
    }

    /// One of the user's own addresses.
    pub(crate) fn is_own(&self, a: &ContactAddress) -> bool {
        self.own_keys.contains(&a.key)
    }

    /// On the never-log list, or of the own domain when that is on.
    pub(crate) fn never_logged(&self, a: &ContactAddress) -> bool {
        self.keys.contains(&a.key) || self.domains.iter().any(|d| within(&a.domain, d))
    }
}

/// The recipients to log: To, Cc, then Bcc, each address once (by key),
/// unreadable ones and those the rules leave out dropped.
fn loggable(email: &SentEmail, settings: &EmailLogSettings) -> Vec<(ContactAddress, String)> {
    let rules = Rules::new(email, settings);
    let mut out: Vec<(ContactAddress, String)> = vec![];
    let all = email.to.iter().chain(&email.cc).chain(&email.bcc);
    for r in all.take(MAX_RECIPIENTS) {
        let Ok(a) = parse_contact_address(&r.address) else {
            continue;
        };
        if rules.logs(&a) && !out.iter().any(|(o, _)| o.key == a.key) {
            out.push((a, r.name.clone()));
        }
    }
    out
}

/// The first read for an email's correspondents (sent or received): their
/// contacts by address key, and their companies' domains when new
/// correspondents become contacts.
pub(crate) fn address_lookups(
    people: &[(ContactAddress, String)],
    create_contacts: bool,
) -> Lookups {
    let mut l = Lookups::default();
    for (a, _) in people {
        if !l.email_keys.contains(&a.key) {
            l.email_keys.push(a.key.clone());
        }
        if create_contacts
            && let Some(d) = company_domain(&a.domain)
            && !l.domains.contains(&d)
        {
            l.domains.push(d);
        }
    }
    l
}

/// What the worker reads for `email`: first (`found` = `None`) the
/// recipients' contacts by address key, their company domains when new
/// recipients become contacts, and the entry by its id; then, with what that
/// found, the contacts' companies and the records referring to the contacts
/// (their deals).
pub fn sent_email_lookups(
    email: &SentEmail,
    settings: &CrmSettings,
    found: Option<&Found>,
) -> Lookups {
    let recipients = loggable(email, &settings.email_log);
    let mut l = Lookups::default();
    match found {
        None => {
            l = address_lookups(&recipients, settings.email_log.create_contacts);
            l.timeline_ids.push(sent_entry_id(&email.message_id));
        }
        Some(found) => {
            for c in logged_contacts(&recipients, found) {
                l.related_of.extend(RecordRef::to(&c.id));
                if let Some(company) = c.company_id.as_deref().and_then(RecordRef::to)
                    && !l.ids.contains(&company)
                {
                    l.ids.push(company);
                }
            }
        }
    }
    l
}

/// The found contacts of the recipients, in the recipients' order, once each.
fn logged_contacts<'f>(
    recipients: &[(ContactAddress, String)],
    found: &'f Found,
) -> Vec<&'f Contact> {
    let mut out: Vec<&Contact> = vec![];
    for (a, _) in recipients {
        if let Some(c) = found
            .contacts_by_email_key
            .iter()
            .find(|c| c.email_keys.contains(&a.key))
            && !out.iter().any(|o| o.id == c.id)
        {
            out.push(c);
        }
    }
    out
}

/// `text` on one line (control characters and runs of space as one space),
/// at most `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    match line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

/// First and last name from a display name: `Lee, Ann` or `Ann Lee` (the
/// first word is the first name).
fn split_name(name: &str) -> (String, String) {
    let name = one_line(
        name.trim_matches(|c: char| c == '"' || c.is_whitespace()),
        200,
    );
    if name.contains('@') {
        return (String::new(), String::new());
    }
    if let Some((last, first)) = name.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    match name.split_once(' ') {
        Some((first, last)) => (first.to_string(), last.trim().to_string()),
        None => (name, String::new()),
    }
}

/// A recipient's line in the entry: `Ann Lee <ann@acme.com>` or the address.
fn recipients_line(list: &[Recipient]) -> String {
    let line = list
        .iter()
        .filter(|r| !r.address.trim().is_empty())
        .map(|r| {
            let name = one_line(&r.name, 100);
            let address = one_line(&r.address, 254);
            if name.is_empty() {
                address
            } else {
                format!("{name} <{address}>")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    one_line(&line, 4000)
}

/// The recipients' addresses apart by space (an address has none).
fn addresses_line(list: &[Recipient]) -> String {
    let line = list
        .iter()
        .map(|r| one_line(bare_address(&r.address), 254).replace(' ', ""))
        .filter(|a| a.contains('@'))
        .collect::<Vec<_>>()
        .join(" ");
    one_line(&line, 4000)
}

/// References as a header value, `<a> <b>`: well-formed ids only, the
/// first and the latest when there are many.
fn references_line(ids: &[String]) -> String {
    let mut ids: Vec<String> = ids
        .iter()
        .map(|id| bare_message_id(id))
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_MESSAGE_ID
                && !id.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        })
        .map(|id| format!("<{id}>"))
        .collect();
    if ids.len() > MAX_REFERENCES {
        ids.drain(1..ids.len() - (MAX_REFERENCES - 1));
    }
    ids.join(" ")
}

fn check(email: &SentEmail) -> CrmResult<()> {
    let id = bare_message_id(&email.message_id);
    if id.is_empty() || id.len() > MAX_MESSAGE_ID || id.chars().any(char::is_control) {
        return Err(CrmError::new(
            CrmErrorCode::InvalidArgument,
            "The sent email has no usable Message-ID, so it cannot be logged once. Please report this to Inlay's support.",
        ));
    }
    Ok(())
}

/// A deal is open while its stage is not a closed one (a stage the settings
/// no longer have counts as open).
pub(crate) fn is_open(deal: &Deal, settings: &CrmSettings) -> bool {
    settings
        .pipeline(&deal.pipeline)
        .and_then(|p| p.stage(&deal.stage))
        .is_none_or(|s| s.closed.is_none())
}

/// Decides the writes for `email` from what the worker found (both rounds of
/// [`sent_email_lookups`]): the entry on the recipients' contacts, their
/// companies and open deals, each touched (last activity); new contacts if
/// the settings say so. Nothing when the entry already exists or no
/// recipient is (or becomes) a contact.
pub fn log_sent_email(
    email: &SentEmail,
    found: &Found,
    settings: &CrmSettings,
    now_ms: u64,
    random: &[u8],
) -> CrmResult<WriteSet> {
    check(email)?;
    let mut ctx = Ctx::new(found, settings, now_ms, random)?;
    let entry_id = sent_entry_id(&email.message_id);
    if found.timeline.iter().any(|e| e.id == entry_id) {
        return Ok(ctx.finish(None, false, "This email is already on the timeline.".into()));
    }
    let recipients = loggable(email, &settings.email_log);
    let at = email.sent_at;
    let mut contacts: Vec<Contact> = logged_contacts(&recipients, found)
        .into_iter()
        .cloned()
        .collect();
    let mut created = vec![];
    if settings.email_log.create_contacts {
        for (a, name) in &recipients {
            if contacts.iter().any(|c| c.email_keys.contains(&a.key)) {
                continue;
            }
            let Some(contact) = new_contact(&mut ctx, a, name, "a sent email") else {
                continue;
            };
            created.push(contact.id.clone());
            contacts.push(contact);
        }
    }
    if contacts.is_empty() {
        return Ok(ctx.finish(
            None,
            false,
            "No recipient of this email is a contact, so it was not logged.".into(),
        ));
    }
    let mut records: Vec<RecordRef> = vec![];
    let add = |r: Option<RecordRef>, records: &mut Vec<RecordRef>| {
        if let Some(r) = r
            && !records.contains(&r)
        {
            records.push(r);
        }
    };
    for c in &contacts {
        add(RecordRef::to(&c.id), &mut records);
    }
    for c in &contacts {
        add(
            c.company_id.as_deref().and_then(RecordRef::to),
            &mut records,
        );
    }
    for r in &found.records {
        if let AnyRecord::Deal(d) = r
            && is_open(d, settings)
            && d.contact_ids
                .iter()
                .any(|id| contacts.iter().any(|c| &c.id == id))
        {
            add(RecordRef::to(&d.id), &mut records);
        }
    }
    for c in contacts {
        let touched = Contact {
            last_activity_at: c.last_activity_at.max(Some(at)),
            ..c
        };
        ctx.writes.put_record(AnyRecord::Contact(touched));
    }
    touch_found(&mut ctx, &records, at);
    let subject = one_line(&email.subject, MAX_SUBJECT);
    let summary = if subject.is_empty() {
        "Email sent (no subject)".to_string()
    } else {
        format!("Email sent: {subject}")
    };
    let mut data: BTreeMap<String, DataValue> = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            data.insert(k.to_string(), DataValue::Text(v));
        }
    };
    put(
        "messageId",
        one_line(bare_message_id(&email.message_id), MAX_MESSAGE_ID),
    );
    put("inbox", one_line(&email.inbox, 254));
    put("from", one_line(&email.from, 254));
    put("to", recipients_line(&email.to));
    // What a reply needs beside the display lines: the bare To addresses
    // and the thread's ids (`send::reply`).
    put("toAddresses", addresses_line(&email.to));
    put("references", references_line(&email.references));
    put("cc", recipients_line(&email.cc));
    put("bcc", recipients_line(&email.bcc));
    put("subject", subject);
    put("snippet", one_line(&email.snippet, MAX_SNIPPET));
    put(
        "providerThreadId",
        one_line(email.provider_thread_id.as_deref().unwrap_or(""), 200),
    );
    put(
        "outboxId",
        one_line(email.outbox_id.as_deref().unwrap_or(""), 200),
    );
    let logged = records
        .iter()
        .filter(|r| r.kind() == RecordKind::Contact)
        .count();
    ctx.writes.put.timeline.push(TimelineEntry {
        id: entry_id,
        records,
        at,
        kind: EMAIL_SENT.into(),
        summary,
        data,
    });
    let on = match logged {
        1 => "1 contact's timeline".to_string(),
        n => format!("{n} contacts' timelines"),
    };
    let message = match created.len() {
        0 => format!("Logged the email on {on}."),
        k => format!("Logged the email on {on} ({k} new)."),
    };
    Ok(ctx.finish(None, !created.is_empty(), message))
}

/// A new contact for a correspondent (its company from the domain, as any
/// new contact), with its `created` entry saying it came from `source`;
/// `None` if even the bare address cannot make one.
pub(crate) fn new_contact(
    ctx: &mut Ctx,
    a: &ContactAddress,
    name: &str,
    source: &str,
) -> Option<Contact> {
    let (first_name, last_name) = split_name(name);
    let input = ContactInput {
        emails: vec![a.typed.clone()],
        first_name,
        last_name,
        ..ContactInput::default()
    };
    let bare = ContactInput {
        emails: vec![a.typed.clone()],
        ..ContactInput::default()
    };
    let (contact, company) = build_contact(ctx, &input, None, CompanyHint::default())
        .or_else(|_| build_contact(ctx, &bare, None, CompanyHint::default()))
        .ok()?;
    let contact = with_contact_keys(contact, company.as_deref());
    let mut records = vec![RecordRef::to(&contact.id)?];
    records.extend(contact.company_id.as_deref().and_then(RecordRef::to));
    ctx.entry(
        records,
        "created",
        format!("Contact created from {source}: {}", contact_title(&contact)),
        BTreeMap::new(),
    );
    Some(contact)
}

/// Sets the last activity of the found companies and deals among `refs`
/// (contacts are put by the caller; new companies keep theirs).
pub(crate) fn touch_found(ctx: &mut Ctx, refs: &[RecordRef], at: u64) {
    for r in refs {
        let Some(record) = ctx.record(r.id()) else {
            continue;
        };
        let touched = match record.clone() {
            AnyRecord::Company(c) => AnyRecord::Company(Company {
                last_activity_at: c.last_activity_at.max(Some(at)),
                ..c
            }),
            AnyRecord::Deal(d) => AnyRecord::Deal(Deal {
                last_activity_at: d.last_activity_at.max(Some(at)),
                ..d
            }),
            _ => continue,
        };
        ctx.writes.put_record(touched);
    }
}
