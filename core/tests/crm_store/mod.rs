//! An in-memory stand-in for the worker's CRM store: it answers the core's
//! lookups as the IndexedDB indexes would and applies write sets as
//! `background/crm/apply.ts` does (deletes first, unique address keys and
//! domains enforced), so the tests run whole commands end to end.
#![allow(dead_code)]

use std::collections::BTreeMap;

use inlay_core::crm::apply::WriteSet;
use inlay_core::crm::ids::RecordRef;
use inlay_core::crm::{
    AnyRecord, Company, Contact, CrmCommand, CrmError, CrmSettings, Found, Lookups, TimelineEntry,
    TrashEntry, apply, default_settings, lookups,
};

pub const NOW: u64 = 1_780_000_000_000;

#[derive(Default, Clone)]
pub struct Store {
    pub records: BTreeMap<String, AnyRecord>,
    pub timeline: BTreeMap<String, TimelineEntry>,
    pub trash: BTreeMap<String, TrashEntry>,
    pub settings: Option<CrmSettings>,
    pub clock: u64,
    pub seed: u8,
}

fn refers_to(record: &AnyRecord, target: &RecordRef) -> bool {
    let id = target.id();
    match record {
        AnyRecord::Contact(c) => c.company_id.as_deref() == Some(id),
        AnyRecord::Deal(d) => {
            d.company_id.as_deref() == Some(id) || d.contact_ids.iter().any(|c| c == id)
        }
        AnyRecord::Task(t) => t.related.contains(target),
        AnyRecord::Note(n) => n.related.contains(target),
        AnyRecord::Company(_) => false,
    }
}

impl Store {
    pub fn new() -> Store {
        Store {
            clock: NOW,
            ..Store::default()
        }
    }

    pub fn settings(&self) -> CrmSettings {
        self.settings.clone().unwrap_or_else(default_settings)
    }

    /// What the worker reads for `command`.
    pub fn found(&self, command: &CrmCommand) -> Found {
        self.found_for(&lookups(command))
    }

    /// What the worker reads for these lookups.
    pub fn found_for(&self, l: &Lookups) -> Found {
        let mut found = Found::default();
        let add = |r: &AnyRecord, found: &mut Found| {
            if !found.records.iter().any(|x| x.id() == r.id()) {
                found.records.push(r.clone());
            }
        };
        for r in &l.ids {
            if let Some(rec) = self.records.get(r.id()) {
                add(rec, &mut found);
            }
        }
        for r in &l.related_of {
            for rec in self.records.values().filter(|rec| refers_to(rec, r)) {
                add(rec, &mut found);
            }
        }
        for key in &l.email_keys {
            for c in self
                .contacts()
                .into_iter()
                .filter(|c| c.email_keys.contains(key))
            {
                if !found.contacts_by_email_key.iter().any(|x| x.id == c.id) {
                    found.contacts_by_email_key.push(c);
                }
            }
        }
        for d in &l.domains {
            for c in self
                .companies()
                .into_iter()
                .filter(|c| c.domains.contains(d))
            {
                if !found.companies_by_domain.iter().any(|x| x.id == c.id) {
                    found.companies_by_domain.push(c);
                }
            }
        }
        for r in &l.timeline_of {
            for e in self.timeline.values().filter(|e| e.records.contains(r)) {
                if !found.timeline.iter().any(|x| x.id == e.id) {
                    found.timeline.push(e.clone());
                }
            }
        }
        for id in &l.timeline_ids {
            if !found.timeline.iter().any(|x| &x.id == id) {
                found.timeline.extend(self.timeline.get(id).cloned());
            }
        }
        for id in &l.trash {
            found.trash.extend(self.trash.get(id).cloned());
        }
        // An undo's second read: who holds the trashed records' addresses
        // and domains now.
        for entry in found.trash.clone() {
            for r in &entry.records {
                match r {
                    AnyRecord::Contact(c) => found.contacts_by_email_key.extend(
                        self.contacts()
                            .into_iter()
                            .filter(|o| o.email_keys.iter().any(|k| c.email_keys.contains(k))),
                    ),
                    AnyRecord::Company(c) => found.companies_by_domain.extend(
                        self.companies()
                            .into_iter()
                            .filter(|o| o.domains.iter().any(|d| c.domains.contains(d))),
                    ),
                    _ => {}
                }
            }
        }
        found
    }

    /// Runs a command; on success the writes are applied (deletes first,
    /// unique indexes checked) and returned.
    pub fn run(&mut self, command: CrmCommand) -> Result<WriteSet, CrmError> {
        let found = self.found(&command);
        self.seed = self.seed.wrapping_add(1);
        self.clock += 1000;
        let writes = apply(
            &command,
            &found,
            &self.settings(),
            self.clock,
            &[self.seed; 32],
        )?;
        self.write(&writes);
        Ok(writes)
    }

    pub fn write(&mut self, w: &WriteSet) {
        // No record without its timeline entry: every record put is named
        // by an entry of the same write.
        for r in w.put_refs() {
            assert!(
                w.put.timeline.iter().any(|e| e.records.contains(&r)),
                "{r} put without a timeline entry: {:?}",
                w.put.timeline
            );
        }
        let d = &w.delete;
        for id in d
            .contacts
            .iter()
            .chain(&d.companies)
            .chain(&d.deals)
            .chain(&d.tasks)
            .chain(&d.notes)
        {
            self.records.remove(id);
        }
        for id in &d.timeline {
            self.timeline.remove(id);
        }
        for id in &d.trash {
            self.trash.remove(id);
        }
        let p = &w.put;
        let puts: Vec<AnyRecord> = p
            .contacts
            .iter()
            .cloned()
            .map(AnyRecord::Contact)
            .chain(p.companies.iter().cloned().map(AnyRecord::Company))
            .chain(p.deals.iter().cloned().map(AnyRecord::Deal))
            .chain(p.tasks.iter().cloned().map(AnyRecord::Task))
            .chain(p.notes.iter().cloned().map(AnyRecord::Note))
            .collect();
        for r in puts {
            self.records.insert(r.id().to_string(), r);
        }
        for e in &p.timeline {
            self.timeline.insert(e.id.clone(), e.clone());
        }
        for t in &p.trash {
            self.trash.insert(t.id.clone(), t.clone());
        }
        self.check_unique();
    }

    /// The unique multiEntry indexes: one contact per address key, one
    /// company per domain.
    pub fn check_unique(&self) {
        let mut keys = BTreeMap::new();
        for c in self.contacts() {
            for k in &c.email_keys {
                assert!(
                    keys.insert(k.clone(), c.id.clone()).is_none(),
                    "address key {k} on two contacts"
                );
            }
        }
        let mut domains = BTreeMap::new();
        for c in self.companies() {
            for d in &c.domains {
                assert!(
                    domains.insert(d.clone(), c.id.clone()).is_none(),
                    "domain {d} on two companies"
                );
            }
        }
    }

    pub fn contacts(&self) -> Vec<Contact> {
        self.records
            .values()
            .filter_map(|r| match r {
                AnyRecord::Contact(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn companies(&self) -> Vec<Company> {
        self.records
            .values()
            .filter_map(|r| match r {
                AnyRecord::Company(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn contact(&self, id: &str) -> Contact {
        match self.records.get(id) {
            Some(AnyRecord::Contact(c)) => c.clone(),
            other => panic!("no contact {id}: {other:?}"),
        }
    }

    /// The timeline entries on a record.
    pub fn timeline_of(&self, id: &str) -> Vec<TimelineEntry> {
        let r = RecordRef::to(id).unwrap();
        self.timeline
            .values()
            .filter(|e| e.records.contains(&r))
            .cloned()
            .collect()
    }
}

/// A command from JSON, as the page sends it.
pub fn command(json: &str) -> CrmCommand {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The id of the record a write saved.
pub fn saved_id(w: &WriteSet) -> String {
    w.result
        .record
        .as_ref()
        .expect("a saved record")
        .id()
        .to_string()
}
