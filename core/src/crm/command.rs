//! The CRM's write commands and their first phase: what the worker must
//! read before the core can decide ([`lookups`]).
//!
//! The worker reads what [`Lookups`] names, inside the transaction it will
//! write in, and hands it back as [`Found`] to [`super::apply`]: no other
//! await between, so what the core decided on is what is written over.
//! Inputs carry only the editable fields; ids, keys and timestamps are the
//! core's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::address::parse_contact_address;
use super::apply::company_domains;
use super::company::company_domain;
use super::ids::RecordRef;
use super::model::{AnyRecord, Company, Contact, TaskKind, TimelineEntry, TrashEntry};

/// A contact's editable fields; no `id` creates one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ContactInput {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<String>,
    pub emails: Vec<String>,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub phone: String,
    /// On a new contact, `null` links the company of its address's domain
    /// (made if needed; never for free-mail domains).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub company_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub owner: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub lifecycle_stage: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub lead_status: Option<String>,
    #[cfg_attr(feature = "ts", ts(as = "Option<BTreeMap<String, String>>", optional))]
    pub custom: BTreeMap<String, String>,
}

/// A company's editable fields; no `id` creates one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CompanyInput {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<String>,
    pub name: String,
    pub domains: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub owner: Option<String>,
}

/// A deal's editable fields; no `id` creates one. No pipeline: the first;
/// no stage: the pipeline's first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DealInput {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<String>,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub pipeline: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub stage: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub amount: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub currency: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub close_date: Option<String>,
    pub contact_ids: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub company_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub owner: Option<String>,
}

/// A task's editable fields; no `id` creates one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TaskInput {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<String>,
    pub title: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub due: Option<String>,
    pub kind: TaskKind,
    pub done: bool,
    pub related: Vec<RecordRef>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub owner: Option<String>,
}

/// A note's editable fields; no `id` creates one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NoteInput {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub id: Option<String>,
    pub body: String,
    pub related: Vec<RecordRef>,
}

/// A write to the CRM (tagged by `op`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(
    tag = "op",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum CrmCommand {
    SaveContact {
        contact: ContactInput,
    },
    SaveCompany {
        company: CompanyInput,
    },
    SaveDeal {
        deal: DealInput,
    },
    SaveTask {
        task: TaskInput,
    },
    SaveNote {
        note: NoteInput,
    },
    /// Moves the record (and the notes, tasks and timeline entries only
    /// about it) to a trash entry that [`CrmCommand::UndoDelete`] restores.
    Delete {
        record: RecordRef,
    },
    UndoDelete {
        trash_id: String,
    },
    /// Merges `absorb` into `keep` (two contacts, or two companies).
    Merge {
        keep: RecordRef,
        absorb: RecordRef,
    },
    /// Moves a deal (its id) to a stage of its pipeline.
    MoveDeal {
        deal: String,
        stage: String,
    },
    /// Marks a task (its id) done, or not done again.
    CompleteTask {
        task: String,
        #[serde(default = "yes")]
        #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
        done: bool,
    },
}

fn yes() -> bool {
    true
}

/// What the worker reads before [`super::apply`]: records by reference;
/// contacts holding these address keys; companies holding these domains;
/// every timeline entry on these records; every record that refers to these
/// records (deals by `contactIds`/`companyId`, contacts by `companyId`,
/// tasks and notes by `related`), into `Found.records`; these trash entries,
/// and then (a second read in the same transaction) the contacts holding
/// any of their contacts' address keys and the companies holding any of
/// their companies' domains, so an undo is refused in words rather than by
/// the unique index. Timeline entries by id (into `Found.timeline`): a
/// logged email's entry, whose id its Message-ID gives
/// ([`super::sent_email`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Lookups {
    pub ids: Vec<RecordRef>,
    pub email_keys: Vec<String>,
    pub domains: Vec<String>,
    pub timeline_of: Vec<RecordRef>,
    pub related_of: Vec<RecordRef>,
    pub trash: Vec<String>,
    pub timeline_ids: Vec<String>,
}

/// What the worker found for [`Lookups`] (missing records simply absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", default)]
pub struct Found {
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<AnyRecord>>", optional))]
    pub records: Vec<AnyRecord>,
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Contact>>", optional))]
    pub contacts_by_email_key: Vec<Contact>,
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Company>>", optional))]
    pub companies_by_domain: Vec<Company>,
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<TimelineEntry>>", optional))]
    pub timeline: Vec<TimelineEntry>,
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<TrashEntry>>", optional))]
    pub trash: Vec<TrashEntry>,
}

fn reference(id: &Option<String>) -> Option<RecordRef> {
    id.as_deref().and_then(RecordRef::to)
}

fn push(list: &mut Vec<RecordRef>, r: Option<RecordRef>) {
    if let Some(r) = r
        && !list.contains(&r)
    {
        list.push(r);
    }
}

/// The first phase: what `command` needs read. Malformed parts are left out
/// here; [`super::apply`] refuses them in words.
pub fn lookups(command: &CrmCommand) -> Lookups {
    let mut l = Lookups::default();
    match command {
        CrmCommand::SaveContact { contact } => {
            push(&mut l.ids, reference(&contact.id));
            push(&mut l.ids, reference(&contact.company_id));
            for text in &contact.emails {
                if let Ok(a) = parse_contact_address(text) {
                    if !l.email_keys.contains(&a.key) {
                        l.email_keys.push(a.key);
                    }
                    if let Some(domain) = company_domain(&a.domain)
                        && !l.domains.contains(&domain)
                    {
                        l.domains.push(domain);
                    }
                }
            }
        }
        CrmCommand::SaveCompany { company } => {
            push(&mut l.ids, reference(&company.id));
            // A rename makes its contacts' and deals' search keys again.
            if let Some(r) = reference(&company.id) {
                l.related_of.push(r);
            }
            // The domains as the save will hold them (registrable, no www).
            for typed in &company.domains {
                for d in company_domains(std::slice::from_ref(typed)).unwrap_or_default() {
                    if !l.domains.contains(&d) {
                        l.domains.push(d);
                    }
                }
            }
        }
        CrmCommand::SaveDeal { deal } => {
            push(&mut l.ids, reference(&deal.id));
            push(&mut l.ids, reference(&deal.company_id));
            for id in &deal.contact_ids {
                push(&mut l.ids, RecordRef::to(id));
            }
        }
        CrmCommand::SaveTask { task } => {
            push(&mut l.ids, reference(&task.id));
            for r in &task.related {
                push(&mut l.ids, Some(r.clone()));
            }
        }
        CrmCommand::SaveNote { note } => {
            push(&mut l.ids, reference(&note.id));
            for r in &note.related {
                push(&mut l.ids, Some(r.clone()));
            }
        }
        CrmCommand::Delete { record } => {
            l.ids.push(record.clone());
            l.related_of.push(record.clone());
            l.timeline_of.push(record.clone());
        }
        CrmCommand::UndoDelete { trash_id } => l.trash.push(trash_id.clone()),
        CrmCommand::Merge { keep, absorb } => {
            l.ids = vec![keep.clone(), absorb.clone()];
            l.related_of.push(absorb.clone());
            l.timeline_of.push(absorb.clone());
        }
        CrmCommand::MoveDeal { deal, .. } => push(&mut l.ids, RecordRef::to(deal)),
        CrmCommand::CompleteTask { task, .. } => push(&mut l.ids, RecordRef::to(task)),
    }
    l
}
