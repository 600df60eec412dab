//! The second phase of a write: from the command, what the worker found, the
//! settings, the time and random bytes, the [`WriteSet`] to apply in the
//! same transaction, or a refusal in words.
//!
//! Every record put carries a timeline entry in the same set (created,
//! updated, note, task, merged, …). The worker applies `delete` before
//! `put`: a merge moves addresses from the deleted contact to the kept one,
//! and the unique `emailKeys` index must not see both at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::address::{parse_contact_addresses, quoted};
use super::command::{
    CompanyInput, ContactInput, CrmCommand, DealInput, Found, NoteInput, TaskInput,
};
use super::company::{company_domain, name_from_domain, registrable_domain};
use super::decimal::canonical_amount;
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::fold::fold;
use super::freemail::is_free_mail;
use super::ids::{IdKind, IdSource, RecordKind, RecordRef, check_id, clip};
use super::model::{
    AnyRecord, Company, Contact, DataValue, Deal, Note, Task, TimelineEntry, TrashEntry,
    contact_title, note_title,
};
use super::search::{company_keys, contact_keys, contact_sort_name, deal_keys};
use super::settings::CrmSettings;
use super::validate::{
    self, LEAD_STATUSES, LIFECYCLE_STAGES, MAX_RELATED, choose, line, phone, required_line,
};

/// Records and entries to put, by store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Puts {
    pub contacts: Vec<Contact>,
    pub companies: Vec<Company>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    pub timeline: Vec<TimelineEntry>,
    pub trash: Vec<TrashEntry>,
}

/// Ids to delete, by store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Deletes {
    pub contacts: Vec<String>,
    pub companies: Vec<String>,
    pub deals: Vec<String>,
    pub tasks: Vec<String>,
    pub notes: Vec<String>,
    pub timeline: Vec<String>,
    pub trash: Vec<String>,
}

/// What the page is answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CrmOutcome {
    /// The record saved, moved, merged into or restored.
    pub record: Option<AnyRecord>,
    /// Whether the command made a new record.
    pub created: bool,
    /// A delete's trash entry: `undoDelete` with it brings everything back.
    pub trash_id: Option<String>,
    /// The record a merge absorbed (deleted).
    pub absorbed: Option<RecordRef>,
    /// One sentence for the page's notice ("Deleted Ann Lee.").
    pub message: String,
}

/// The writes of one command, applied in one transaction (deletes first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct WriteSet {
    pub put: Puts,
    pub delete: Deletes,
    pub result: CrmOutcome,
}

impl WriteSet {
    /// Puts a record, replacing an earlier put of the same id.
    pub fn put_record(&mut self, record: AnyRecord) {
        fn upsert<T>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> &str) {
            match list.iter().position(|x| id(x) == id(&item)) {
                Some(i) => list[i] = item,
                None => list.push(item),
            }
        }
        match record {
            AnyRecord::Contact(r) => upsert(&mut self.put.contacts, r, |x| &x.id),
            AnyRecord::Company(r) => upsert(&mut self.put.companies, r, |x| &x.id),
            AnyRecord::Deal(r) => upsert(&mut self.put.deals, r, |x| &x.id),
            AnyRecord::Task(r) => upsert(&mut self.put.tasks, r, |x| &x.id),
            AnyRecord::Note(r) => upsert(&mut self.put.notes, r, |x| &x.id),
        }
    }

    /// Deletes a record by reference.
    pub fn delete_record(&mut self, r: &RecordRef) {
        let id = r.id().to_string();
        match r.kind() {
            RecordKind::Contact => self.delete.contacts.push(id),
            RecordKind::Company => self.delete.companies.push(id),
            RecordKind::Deal => self.delete.deals.push(id),
            RecordKind::Task => self.delete.tasks.push(id),
            RecordKind::Note => self.delete.notes.push(id),
        }
    }

    /// Every record put, as references (for checks and tests).
    pub fn put_refs(&self) -> Vec<RecordRef> {
        let p = &self.put;
        p.contacts
            .iter()
            .map(|r| r.id.as_str())
            .chain(p.companies.iter().map(|r| r.id.as_str()))
            .chain(p.deals.iter().map(|r| r.id.as_str()))
            .chain(p.tasks.iter().map(|r| r.id.as_str()))
            .chain(p.notes.iter().map(|r| r.id.as_str()))
            .filter_map(RecordRef::to)
            .collect()
    }
}

/// One command's working state.
pub(crate) struct Ctx<'a> {
    pub found: &'a Found,
    pub settings: &'a CrmSettings,
    pub now: u64,
    pub ids: IdSource,
    pub writes: WriteSet,
    /// Companies by `d:<domain>` and `n:<folded name>` (id, name): the
    /// found ones and those made by this command, so an import of 50,000
    /// rows finds each row's company without scanning.
    companies: Option<BTreeMap<String, (String, String)>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        found: &'a Found,
        settings: &'a CrmSettings,
        now: u64,
        random: &[u8],
    ) -> CrmResult<Self> {
        Ok(Ctx {
            found,
            settings,
            now,
            ids: IdSource::new(random)?,
            writes: WriteSet::default(),
            companies: None,
        })
    }

    /// The company index (see the field), built on first use.
    fn company_index(&mut self) -> &mut BTreeMap<String, (String, String)> {
        let found = self.found;
        self.companies.get_or_insert_with(|| {
            let mut index = BTreeMap::new();
            for c in &found.companies_by_domain {
                let value = (c.id.clone(), c.name.clone());
                for d in &c.domains {
                    index
                        .entry(format!("d:{d}"))
                        .or_insert_with(|| value.clone());
                }
                index.entry(format!("n:{}", fold(&c.name))).or_insert(value);
            }
            index
        })
    }

    /// Puts a company this command made, and indexes it.
    fn new_company(&mut self, company: Company) {
        let value = (company.id.clone(), company.name.clone());
        let index = self.company_index();
        for d in &company.domains {
            index.insert(format!("d:{d}"), value.clone());
        }
        index
            .entry(format!("n:{}", company.sort_name))
            .or_insert(value);
        self.writes.put.companies.push(company);
    }

    /// A found record by id.
    pub fn record(&self, id: &str) -> Option<&'a AnyRecord> {
        self.found.records.iter().find(|r| r.id() == id)
    }

    /// A found record of `kind` by id, or a refusal naming what is missing.
    pub fn require(&self, kind: RecordKind, id: &str) -> CrmResult<&'a AnyRecord> {
        check_id(kind.id_kind(), id)?;
        self.record(id)
            .filter(|r| r.kind() == kind)
            .ok_or_else(|| not_found(kind))
    }

    /// Adds a timeline entry on `records`.
    pub fn entry(
        &mut self,
        records: Vec<RecordRef>,
        kind: &str,
        summary: String,
        data: BTreeMap<String, DataValue>,
    ) {
        let mut unique: Vec<RecordRef> = vec![];
        for r in records {
            if !unique.contains(&r) {
                unique.push(r);
            }
        }
        let id = self.ids.next(IdKind::Timeline);
        self.writes.put.timeline.push(TimelineEntry {
            id,
            records: unique,
            at: self.now,
            kind: kind.into(),
            summary,
            data,
        });
    }

    pub fn finish(mut self, record: Option<AnyRecord>, created: bool, message: String) -> WriteSet {
        self.writes.result.record = record;
        self.writes.result.created = created;
        self.writes.result.message = message;
        self.writes
    }
}

pub fn not_found(kind: RecordKind) -> CrmError {
    CrmError::new(
        CrmErrorCode::NotFound,
        format!(
            "This {} is no longer in Inlay (it may have been deleted or merged). Reload and try again.",
            kind.noun()
        ),
    )
}

/// Applies `command` (see the module comment). `now_ms` is the time of the
/// write; `random` seeds the ids of new records (at least 32 bytes).
pub fn apply(
    command: &CrmCommand,
    found: &Found,
    settings: &CrmSettings,
    now_ms: u64,
    random: &[u8],
) -> CrmResult<WriteSet> {
    let mut ctx = Ctx::new(found, settings, now_ms, random)?;
    match command {
        CrmCommand::SaveContact { contact } => save_contact(ctx, contact),
        CrmCommand::SaveCompany { company } => save_company(ctx, company),
        CrmCommand::SaveDeal { deal } => save_deal(ctx, deal),
        CrmCommand::SaveTask { task } => save_task(ctx, task),
        CrmCommand::SaveNote { note } => save_note(ctx, note),
        CrmCommand::MoveDeal { deal, stage } => move_deal(ctx, deal, stage),
        CrmCommand::CompleteTask { task, done } => complete_task(ctx, task, *done),
        CrmCommand::Delete { record } => super::trash::delete(ctx, record),
        CrmCommand::UndoDelete { trash_id } => super::trash::undo(ctx, trash_id),
        CrmCommand::Merge { keep, absorb } => {
            let result = super::merge::merge(&mut ctx, keep, absorb);
            result.map(|(record, message)| {
                ctx.writes.result.absorbed = Some(absorb.clone());
                ctx.finish(Some(record), false, message)
            })
        }
    }
}

fn owner(settings: &CrmSettings, owner: &Option<String>) -> CrmResult<Option<String>> {
    match owner.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(id) if settings.owner(id).is_some() => Ok(Some(id.to_string())),
        Some(id) => Err(CrmError::new(
            CrmErrorCode::UnknownOwner,
            format!(
                "\"{}\" is not one of the owners in Settings › Pipelines & owners. Choose an owner from the list.",
                clip(id)
            ),
        )),
    }
}

fn text(value: &str) -> DataValue {
    DataValue::Text(value.to_string())
}

fn data(pairs: &[(&str, DataValue)]) -> BTreeMap<String, DataValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// The names of the fields that differ, for an "updated" entry.
fn changed<'a>(pairs: &[(&'a str, bool)]) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| *name)
        .collect()
}

fn updated_summary(fields: &[&str]) -> String {
    format!("Updated {}", fields.join(", "))
}

/// A company for `domain` (found or new), the company's id and name.
fn company_for_domain(
    ctx: &mut Ctx,
    domain: &str,
    name: Option<&str>,
    because: &str,
) -> (String, String) {
    if let Some(found) = ctx.company_index().get(&format!("d:{domain}")) {
        return found.clone();
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| name_from_domain(domain), str::to_string);
    let mut company = Company {
        id: ctx.ids.next(IdKind::Company),
        name: name.clone(),
        domains: vec![domain.to_string()],
        owner: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        last_activity_at: None,
        search_keys: vec![],
        sort_name: fold(&name),
    };
    company.search_keys = company_keys(&company);
    let r = RecordRef::to(&company.id).expect("a new company id");
    let id = company.id.clone();
    ctx.new_company(company);
    ctx.entry(
        vec![r],
        "created",
        format!("Company created from {because}'s domain, {domain}"),
        data(&[("domain", text(domain))]),
    );
    (id, name)
}

/// Where a contact's company may come from besides its addresses (a CSV
/// row's Company Name and Company Domain Name columns).
#[derive(Default, Clone, Copy)]
pub(crate) struct CompanyHint<'h> {
    pub name: Option<&'h str>,
    pub domain: Option<&'h str>,
}

/// Checks a contact's input against the settings and the found records;
/// the contact (without keys) and its company's name. Every property is
/// checked before a company is made, so a refused contact makes nothing.
pub(crate) fn build_contact(
    ctx: &mut Ctx,
    input: &ContactInput,
    existing: Option<&Contact>,
    hint: CompanyHint,
) -> CrmResult<(Contact, Option<String>)> {
    let addresses = parse_contact_addresses(&input.emails)?;
    let id = existing.map(|c| c.id.clone());
    for a in &addresses {
        let other = ctx
            .found
            .contacts_by_email_key
            .iter()
            .find(|c| c.email_keys.contains(&a.key) && Some(&c.id) != id.as_ref());
        if let Some(other) = other {
            return Err(CrmError::new(
                CrmErrorCode::DuplicateAddress,
                format!(
                    "{} is already the address of {}. Open that contact to add to it, or merge the two contacts.",
                    quoted(&a.typed),
                    contact_title(other)
                ),
            ));
        }
    }
    let first_name = line("first name", &input.first_name)?;
    let last_name = line("last name", &input.last_name)?;
    if addresses.is_empty() && first_name.is_empty() && last_name.is_empty() {
        return Err(CrmError::new(
            CrmErrorCode::Required,
            "A contact needs a name or an email address. Enter at least one.",
        ));
    }
    let mut contact = Contact {
        id: String::new(),
        emails: addresses.iter().map(|a| a.typed.clone()).collect(),
        email_keys: addresses.iter().map(|a| a.key.clone()).collect(),
        first_name,
        last_name,
        job_title: line("job title", &input.job_title)?,
        phone: phone(&input.phone)?,
        company_id: None,
        owner: owner(ctx.settings, &input.owner)?,
        lifecycle_stage: choose(
            "lifecycle stage",
            &LIFECYCLE_STAGES,
            input.lifecycle_stage.as_deref().unwrap_or(""),
        )?,
        lead_status: choose(
            "lead status",
            &LEAD_STATUSES,
            input.lead_status.as_deref().unwrap_or(""),
        )?,
        custom: validate::custom(&input.custom)?,
        created_at: existing.map_or(ctx.now, |c| c.created_at),
        updated_at: ctx.now,
        last_activity_at: existing.and_then(|c| c.last_activity_at),
        search_keys: vec![],
        sort_name: String::new(),
    };
    let hint_name = match hint.name.map(|n| line("company name", n)).transpose()? {
        Some(n) if !n.is_empty() => Some(n),
        _ => None,
    };
    let mut company_name = None;
    match input
        .company_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(cid) => {
            let AnyRecord::Company(c) = ctx.require(RecordKind::Company, cid)? else {
                unreachable!("require checks the kind")
            };
            contact.company_id = Some(c.id.clone());
            company_name = Some(c.name.clone());
        }
        None if existing.is_none() => {
            let from_address = addresses
                .iter()
                .find_map(|a| company_domain(&a.domain).map(|d| (d, a.typed.clone())));
            let from_hint = match hint.domain.map(str::trim).filter(|d| !d.is_empty()) {
                Some(d) => company_domains(&[d.to_string()])?
                    .into_iter()
                    .next()
                    .map(|d| (d, "the company domain".to_string())),
                None => None,
            };
            if let Some((domain, because)) = from_address.or(from_hint) {
                let (cid, name) = company_for_domain(ctx, &domain, hint_name.as_deref(), &because);
                contact.company_id = Some(cid);
                company_name = Some(name);
            } else if let Some(name) = hint_name {
                let (cid, name) = company_for_name(ctx, &name);
                contact.company_id = Some(cid);
                company_name = Some(name);
            }
        }
        None => {}
    }
    contact.id = id.unwrap_or_else(|| ctx.ids.next(IdKind::Contact));
    Ok((contact, company_name))
}

/// The company of this name (folded) among the found and new ones, or a new
/// one without a domain.
fn company_for_name(ctx: &mut Ctx, name: &str) -> (String, String) {
    let key = fold(name);
    if let Some(found) = ctx.company_index().get(&format!("n:{key}")) {
        return found.clone();
    }
    let mut company = Company {
        id: ctx.ids.next(IdKind::Company),
        name: name.to_string(),
        domains: vec![],
        owner: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        last_activity_at: None,
        search_keys: vec![],
        sort_name: key,
    };
    company.search_keys = company_keys(&company);
    let r = RecordRef::to(&company.id).expect("a new company id");
    let id = company.id.clone();
    ctx.new_company(company);
    ctx.entry(
        vec![r],
        "created",
        format!("Company created: {name}"),
        BTreeMap::new(),
    );
    (id, name.to_string())
}

pub(crate) fn with_contact_keys(mut c: Contact, company: Option<&str>) -> Contact {
    c.search_keys = contact_keys(&c, company);
    c.sort_name = contact_sort_name(&c);
    c
}

fn save_contact(mut ctx: Ctx, input: &ContactInput) -> CrmResult<WriteSet> {
    let existing = match &input.id {
        Some(id) => match ctx.require(RecordKind::Contact, id)? {
            AnyRecord::Contact(c) => Some(c),
            _ => unreachable!("require checks the kind"),
        },
        None => None,
    };
    let (contact, company) = build_contact(&mut ctx, input, existing, CompanyHint::default())?;
    let contact = with_contact_keys(contact, company.as_deref());
    let r = RecordRef::to(&contact.id).expect("a contact id");
    let title = contact_title(&contact);
    match existing {
        None => {
            let mut records = vec![r];
            records.extend(contact.company_id.as_deref().and_then(RecordRef::to));
            ctx.entry(
                records,
                "created",
                format!("Contact created: {title}"),
                BTreeMap::new(),
            );
            ctx.writes.put_record(AnyRecord::Contact(contact.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Contact(contact)),
                true,
                format!("Created {title}."),
            ))
        }
        Some(old) => {
            let fields = changed(&[
                ("email addresses", old.emails != contact.emails),
                ("first name", old.first_name != contact.first_name),
                ("last name", old.last_name != contact.last_name),
                ("job title", old.job_title != contact.job_title),
                ("phone number", old.phone != contact.phone),
                ("company", old.company_id != contact.company_id),
                ("owner", old.owner != contact.owner),
                (
                    "lifecycle stage",
                    old.lifecycle_stage != contact.lifecycle_stage,
                ),
                ("lead status", old.lead_status != contact.lead_status),
                ("custom properties", old.custom != contact.custom),
            ]);
            if fields.is_empty() {
                return Ok(ctx.finish(
                    Some(AnyRecord::Contact(old.clone())),
                    false,
                    "No changes to save.".into(),
                ));
            }
            let mut records = vec![r];
            records.extend(contact.company_id.as_deref().and_then(RecordRef::to));
            let list = fields.join(",");
            ctx.entry(
                records,
                "updated",
                updated_summary(&fields),
                data(&[("fields", text(&list))]),
            );
            ctx.writes.put_record(AnyRecord::Contact(contact.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Contact(contact)),
                false,
                format!("Saved {title}."),
            ))
        }
    }
}

/// A company's domains from what was typed: each a domain name (the same
/// check as an address's domain), reduced to its registrable domain, never
/// a free-mail domain.
pub(crate) fn company_domains(typed: &[String]) -> CrmResult<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for d in typed.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        let bare = d
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/');
        let domain = super::address::parse_contact_address(&format!("x@{bare}"))
            .map_err(|_| {
                CrmError::new(
                    CrmErrorCode::InvalidDomain,
                    format!(
                        "{} is not a domain name. Enter it like acme.com.",
                        quoted(d)
                    ),
                )
            })?
            .domain;
        let domain = registrable_domain(&domain);
        if is_free_mail(&domain) {
            return Err(CrmError::new(
                CrmErrorCode::InvalidDomain,
                format!(
                    "{domain} is a free email service, not a company's domain: anyone can have an address there. Leave it out."
                ),
            ));
        }
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    if out.len() > 20 {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            "A company can have at most 20 domains.",
        ));
    }
    Ok(out)
}

fn save_company(mut ctx: Ctx, input: &CompanyInput) -> CrmResult<WriteSet> {
    let existing = match &input.id {
        Some(id) => match ctx.require(RecordKind::Company, id)? {
            AnyRecord::Company(c) => Some(c),
            _ => unreachable!("require checks the kind"),
        },
        None => None,
    };
    let domains = company_domains(&input.domains)?;
    for d in &domains {
        if let Some(other) = ctx
            .found
            .companies_by_domain
            .iter()
            .find(|c| c.domains.contains(d) && Some(&c.id) != existing.map(|e| &e.id))
        {
            return Err(CrmError::new(
                CrmErrorCode::DuplicateDomain,
                format!(
                    "{d} is already the domain of {}. Open that company, or merge the two companies.",
                    other.name
                ),
            ));
        }
    }
    let mut name = line("company name", &input.name)?;
    if name.is_empty() {
        name = domains
            .first()
            .map(|d| name_from_domain(d))
            .unwrap_or_default();
    }
    if name.is_empty() {
        return Err(CrmError::new(
            CrmErrorCode::Required,
            "A company needs a name or a domain. Enter at least one.",
        ));
    }
    let mut company = Company {
        id: existing.map_or_else(|| ctx.ids.next(IdKind::Company), |c| c.id.clone()),
        sort_name: fold(&name),
        name,
        domains,
        owner: owner(ctx.settings, &input.owner)?,
        created_at: existing.map_or(ctx.now, |c| c.created_at),
        updated_at: ctx.now,
        last_activity_at: existing.and_then(|c| c.last_activity_at),
        search_keys: vec![],
    };
    company.search_keys = company_keys(&company);
    let r = RecordRef::to(&company.id).expect("a company id");
    let title = company.name.clone();
    match existing {
        None => {
            ctx.entry(
                vec![r],
                "created",
                format!("Company created: {title}"),
                BTreeMap::new(),
            );
            ctx.writes.put_record(AnyRecord::Company(company.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Company(company)),
                true,
                format!("Created {title}."),
            ))
        }
        Some(old) => {
            let fields = changed(&[
                ("name", old.name != company.name),
                ("domains", old.domains != company.domains),
                ("owner", old.owner != company.owner),
            ]);
            if fields.is_empty() {
                return Ok(ctx.finish(
                    Some(AnyRecord::Company(old.clone())),
                    false,
                    "No changes to save.".into(),
                ));
            }
            let list = fields.join(",");
            let mut records = vec![r];
            if old.name != company.name {
                records.extend(rekey_for_company(&mut ctx, &company));
            }
            ctx.entry(
                records,
                "updated",
                updated_summary(&fields),
                data(&[("fields", text(&list))]),
            );
            ctx.writes.put_record(AnyRecord::Company(company.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Company(company)),
                false,
                format!("Saved {title}."),
            ))
        }
    }
}

/// A renamed company's contacts and deals with their search keys made again
/// (they hold the company's name): put, and returned to be named by the
/// rename's timeline entry.
fn rekey_for_company(ctx: &mut Ctx, company: &Company) -> Vec<RecordRef> {
    let mut rekeyed = vec![];
    for record in &ctx.found.records {
        let updated = match record {
            AnyRecord::Contact(c) if c.company_id.as_deref() == Some(company.id.as_str()) => {
                AnyRecord::Contact(with_contact_keys(c.clone(), Some(&company.name)))
            }
            AnyRecord::Deal(d) if d.company_id.as_deref() == Some(company.id.as_str()) => {
                let mut d = d.clone();
                d.search_keys = deal_keys(&d, Some(&company.name));
                AnyRecord::Deal(d)
            }
            _ => continue,
        };
        if updated != *record {
            rekeyed.push(updated.reference());
            ctx.writes.put_record(updated);
        }
    }
    rekeyed
}

/// The stage id `stage` of `pipeline`, or a refusal naming the stages.
pub(crate) fn stage_in(settings: &CrmSettings, pipeline: &str, stage: &str) -> CrmResult<()> {
    let p = settings.pipeline(pipeline).ok_or_else(|| {
        CrmError::new(
            CrmErrorCode::UnknownPipeline,
            format!(
                "\"{}\" is not one of the pipelines in Settings › Pipelines & owners. Choose a pipeline from the list.",
                clip(pipeline)
            ),
        )
    })?;
    if p.stage(stage).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
    Err(CrmError::new(
        CrmErrorCode::StageNotInPipeline,
        format!(
            "\"{}\" is not a stage of the pipeline \"{}\". Choose one of: {}.",
            clip(stage),
            p.name,
            names.join(", ")
        ),
    ))
}

fn stage_name(settings: &CrmSettings, pipeline: &str, stage: &str) -> String {
    settings
        .pipeline(pipeline)
        .and_then(|p| p.stage(stage))
        .map_or_else(|| stage.to_string(), |s| s.name.clone())
}

fn save_deal(mut ctx: Ctx, input: &DealInput) -> CrmResult<WriteSet> {
    let existing = match &input.id {
        Some(id) => match ctx.require(RecordKind::Deal, id)? {
            AnyRecord::Deal(d) => Some(d),
            _ => unreachable!("require checks the kind"),
        },
        None => None,
    };
    let name = required_line("deal name", &input.name)?;
    let first = ctx.settings.pipelines.first();
    let pipeline = match input
        .pipeline
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(p) => p.to_string(),
        None => existing.map_or_else(
            || first.map(|p| p.id.clone()).unwrap_or_default(),
            |d| d.pipeline.clone(),
        ),
    };
    let stage = match input
        .stage
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => s.to_string(),
        None => ctx
            .settings
            .pipeline(&pipeline)
            .and_then(|p| p.stages.first())
            .map(|s| s.id.clone())
            .unwrap_or_default(),
    };
    stage_in(ctx.settings, &pipeline, &stage)?;
    let amount = match input
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(a) => Some(canonical_amount(a)?),
        None => None,
    };
    let currency = match input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => Some(validate::currency(c)?),
        None if amount.is_some() => Some(ctx.settings.currency.clone()),
        None => None,
    };
    let close_date = match input
        .close_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some(validate::date("close date", d)?),
        None => None,
    };
    if input.contact_ids.len() > MAX_RELATED {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            format!("A deal can have at most {MAX_RELATED} contacts."),
        ));
    }
    let mut contact_ids: Vec<String> = vec![];
    for id in &input.contact_ids {
        ctx.require(RecordKind::Contact, id)?;
        if !contact_ids.contains(id) {
            contact_ids.push(id.clone());
        }
    }
    let (company_id, company_name) = match input
        .company_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(cid) => match ctx.require(RecordKind::Company, cid)? {
            AnyRecord::Company(c) => (Some(c.id.clone()), Some(c.name.clone())),
            _ => unreachable!("require checks the kind"),
        },
        None => (None, None),
    };
    let mut deal = Deal {
        id: existing.map_or_else(|| ctx.ids.next(IdKind::Deal), |d| d.id.clone()),
        sort_name: fold(&name),
        name,
        pipeline,
        stage,
        amount,
        currency,
        close_date,
        contact_ids,
        company_id,
        owner: owner(ctx.settings, &input.owner)?,
        created_at: existing.map_or(ctx.now, |d| d.created_at),
        updated_at: ctx.now,
        last_activity_at: existing.and_then(|d| d.last_activity_at),
        search_keys: vec![],
    };
    deal.search_keys = deal_keys(&deal, company_name.as_deref());
    let mut records = vec![RecordRef::to(&deal.id).expect("a deal id")];
    records.extend(deal.contact_ids.iter().filter_map(|id| RecordRef::to(id)));
    records.extend(deal.company_id.as_deref().and_then(RecordRef::to));
    let title = deal.name.clone();
    match existing {
        None => {
            let stage = stage_name(ctx.settings, &deal.pipeline, &deal.stage);
            ctx.entry(
                records,
                "created",
                format!("Deal created: {title} ({stage})"),
                data(&[("stage", text(&deal.stage))]),
            );
            ctx.writes.put_record(AnyRecord::Deal(deal.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Deal(deal)),
                true,
                format!("Created {title}."),
            ))
        }
        Some(old) => {
            let fields = changed(&[
                ("name", old.name != deal.name),
                ("pipeline", old.pipeline != deal.pipeline),
                ("stage", old.stage != deal.stage),
                ("amount", old.amount != deal.amount),
                ("currency", old.currency != deal.currency),
                ("close date", old.close_date != deal.close_date),
                ("contacts", old.contact_ids != deal.contact_ids),
                ("company", old.company_id != deal.company_id),
                ("owner", old.owner != deal.owner),
            ]);
            if fields.is_empty() {
                return Ok(ctx.finish(
                    Some(AnyRecord::Deal(old.clone())),
                    false,
                    "No changes to save.".into(),
                ));
            }
            let list = fields.join(",");
            ctx.entry(
                records,
                "updated",
                updated_summary(&fields),
                data(&[("fields", text(&list))]),
            );
            ctx.writes.put_record(AnyRecord::Deal(deal.clone()));
            Ok(ctx.finish(
                Some(AnyRecord::Deal(deal)),
                false,
                format!("Saved {title}."),
            ))
        }
    }
}

fn move_deal(mut ctx: Ctx, id: &str, stage: &str) -> CrmResult<WriteSet> {
    let AnyRecord::Deal(old) = ctx.require(RecordKind::Deal, id)? else {
        unreachable!("require checks the kind")
    };
    stage_in(ctx.settings, &old.pipeline, stage)?;
    if old.stage == stage {
        return Ok(ctx.finish(
            Some(AnyRecord::Deal(old.clone())),
            false,
            "The deal is already in that stage.".into(),
        ));
    }
    let from = stage_name(ctx.settings, &old.pipeline, &old.stage);
    let to = stage_name(ctx.settings, &old.pipeline, stage);
    let deal = Deal {
        stage: stage.to_string(),
        updated_at: ctx.now,
        ..old.clone()
    };
    let mut records = vec![RecordRef::to(&deal.id).expect("a deal id")];
    records.extend(deal.contact_ids.iter().filter_map(|id| RecordRef::to(id)));
    records.extend(deal.company_id.as_deref().and_then(RecordRef::to));
    ctx.entry(
        records,
        "stageChanged",
        format!("{}: {from} → {to}", deal.name),
        data(&[("from", text(&old.stage)), ("to", text(stage))]),
    );
    let message = format!("Moved {} to {to}.", deal.name);
    ctx.writes.put_record(AnyRecord::Deal(deal.clone()));
    Ok(ctx.finish(Some(AnyRecord::Deal(deal)), false, message))
}

/// Checks `related` against the found records (each must exist).
fn related(ctx: &Ctx, related: &[RecordRef], what: &str) -> CrmResult<Vec<RecordRef>> {
    if related.len() > MAX_RELATED {
        return Err(CrmError::new(
            CrmErrorCode::TooMany,
            format!("A {what} can be about at most {MAX_RELATED} records."),
        ));
    }
    let mut out: Vec<RecordRef> = vec![];
    for r in related {
        if matches!(r.kind(), RecordKind::Task | RecordKind::Note) {
            return Err(CrmError::new(
                CrmErrorCode::InvalidId,
                format!(
                    "A {what} is about contacts, companies and deals, not about a {}.",
                    r.kind().noun()
                ),
            ));
        }
        ctx.require(r.kind(), r.id())?;
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// The found records in `refs` with their last activity set to now.
fn touch(ctx: &mut Ctx, refs: &[RecordRef]) {
    let now = ctx.now;
    for r in refs {
        let Some(record) = ctx.record(r.id()) else {
            continue;
        };
        let touched = match record.clone() {
            AnyRecord::Contact(c) => AnyRecord::Contact(Contact {
                last_activity_at: Some(now),
                ..c
            }),
            AnyRecord::Company(c) => AnyRecord::Company(Company {
                last_activity_at: Some(now),
                ..c
            }),
            AnyRecord::Deal(d) => AnyRecord::Deal(Deal {
                last_activity_at: Some(now),
                ..d
            }),
            _ => continue,
        };
        ctx.writes.put_record(touched);
    }
}

fn save_task(mut ctx: Ctx, input: &TaskInput) -> CrmResult<WriteSet> {
    let existing = match &input.id {
        Some(id) => match ctx.require(RecordKind::Task, id)? {
            AnyRecord::Task(t) => Some(t),
            _ => unreachable!("require checks the kind"),
        },
        None => None,
    };
    let title = required_line("task title", &input.title)?;
    let due = match input
        .due
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some(validate::date("due date", d)?),
        None => None,
    };
    let related = related(&ctx, &input.related, "task")?;
    let task = Task {
        id: existing.map_or_else(|| ctx.ids.next(IdKind::Task), |t| t.id.clone()),
        title,
        due,
        kind: input.kind,
        done: input.done,
        related,
        owner: owner(ctx.settings, &input.owner)?,
        created_at: existing.map_or(ctx.now, |t| t.created_at),
        updated_at: ctx.now,
    };
    let mut records = vec![RecordRef::to(&task.id).expect("a task id")];
    records.extend(task.related.iter().cloned());
    let title = task.title.clone();
    let (kind, summary, created) = match existing {
        None => ("task", format!("Task: {title}"), true),
        Some(old) if old.done != task.done => (
            if task.done {
                "taskCompleted"
            } else {
                "taskReopened"
            },
            format!(
                "Task {}: {title}",
                if task.done { "done" } else { "reopened" }
            ),
            false,
        ),
        Some(old) => {
            let fields = changed(&[
                ("title", old.title != task.title),
                ("due date", old.due != task.due),
                ("type", old.kind != task.kind),
                ("records", old.related != task.related),
                ("owner", old.owner != task.owner),
            ]);
            if fields.is_empty() {
                return Ok(ctx.finish(
                    Some(AnyRecord::Task(old.clone())),
                    false,
                    "No changes to save.".into(),
                ));
            }
            (
                "updated",
                format!("Task {}", updated_summary(&fields).to_lowercase()),
                false,
            )
        }
    };
    if kind == "taskCompleted" {
        let related = task.related.clone();
        touch(&mut ctx, &related);
    }
    ctx.entry(records, kind, summary, data(&[("taskId", text(&task.id))]));
    ctx.writes.put_record(AnyRecord::Task(task.clone()));
    let message = if created {
        format!("Created the task {title}.")
    } else {
        format!("Saved the task {title}.")
    };
    Ok(ctx.finish(Some(AnyRecord::Task(task)), created, message))
}

fn complete_task(mut ctx: Ctx, id: &str, done: bool) -> CrmResult<WriteSet> {
    let AnyRecord::Task(old) = ctx.require(RecordKind::Task, id)? else {
        unreachable!("require checks the kind")
    };
    if old.done == done {
        return Ok(ctx.finish(
            Some(AnyRecord::Task(old.clone())),
            false,
            "No changes to save.".into(),
        ));
    }
    let task = Task {
        done,
        updated_at: ctx.now,
        ..old.clone()
    };
    let mut records = vec![RecordRef::to(&task.id).expect("a task id")];
    records.extend(task.related.iter().cloned());
    let (kind, word) = if done {
        ("taskCompleted", "done")
    } else {
        ("taskReopened", "reopened")
    };
    ctx.entry(
        records,
        kind,
        format!("Task {word}: {}", task.title),
        data(&[("taskId", text(&task.id))]),
    );
    let message = format!("Marked {} {word}.", task.title);
    ctx.writes.put_record(AnyRecord::Task(task.clone()));
    Ok(ctx.finish(Some(AnyRecord::Task(task)), false, message))
}

fn save_note(mut ctx: Ctx, input: &NoteInput) -> CrmResult<WriteSet> {
    let body = validate::note_body(&input.body)?;
    let existing = match &input.id {
        Some(id) => match ctx.require(RecordKind::Note, id)? {
            AnyRecord::Note(n) => Some(n),
            _ => unreachable!("require checks the kind"),
        },
        None => None,
    };
    let related = related(&ctx, &input.related, "note")?;
    let note = Note {
        id: existing.map_or_else(|| ctx.ids.next(IdKind::Note), |n| n.id.clone()),
        body,
        related,
        created_at: existing.map_or(ctx.now, |n| n.created_at),
        updated_at: ctx.now,
    };
    if existing.is_some_and(|old| old.body == note.body && old.related == note.related) {
        return Ok(ctx.finish(
            Some(AnyRecord::Note(note)),
            false,
            "No changes to save.".into(),
        ));
    }
    let mut records = vec![RecordRef::to(&note.id).expect("a note id")];
    records.extend(note.related.iter().cloned());
    let title = note_title(&note.body);
    if existing.is_none() {
        let related = note.related.clone();
        touch(&mut ctx, &related);
        ctx.entry(records, "note", title, data(&[("noteId", text(&note.id))]));
    } else {
        ctx.entry(
            records,
            "updated",
            format!("Note edited: {title}"),
            data(&[("noteId", text(&note.id))]),
        );
    }
    ctx.writes.put_record(AnyRecord::Note(note.clone()));
    let created = existing.is_none();
    let message = if created {
        "Note added.".to_string()
    } else {
        "Note saved.".to_string()
    };
    Ok(ctx.finish(Some(AnyRecord::Note(note)), created, message))
}
