//! Merging two records of one kind (contacts, or companies): the kept one
//! gains the other's addresses or domains and fills its empty properties
//! from it; every timeline entry of the absorbed record is re-pointed to the
//! kept one (none is dropped); deals, tasks, notes and contacts that
//! referred to the absorbed record refer to the kept one; the absorbed
//! record is deleted, and a `merged` entry says what happened.

use std::collections::BTreeMap;

use super::apply::{Ctx, not_found, with_contact_keys};
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::fold::fold;
use super::ids::{RecordKind, RecordRef};
use super::model::{AnyRecord, Company, Contact, DataValue, contact_title};
use super::search::{company_keys, company_words, deal_keys};

fn fill(keep: &str, absorb: &str) -> String {
    if keep.trim().is_empty() {
        absorb.to_string()
    } else {
        keep.to_string()
    }
}

fn fill_opt(keep: &Option<String>, absorb: &Option<String>) -> Option<String> {
    keep.clone().or_else(|| absorb.clone())
}

fn merged_contact(keep: &Contact, absorb: &Contact, now: u64) -> Contact {
    let mut emails = keep.emails.clone();
    let mut keys = keep.email_keys.clone();
    for (email, key) in absorb.emails.iter().zip(&absorb.email_keys) {
        if !keys.contains(key) {
            emails.push(email.clone());
            keys.push(key.clone());
        }
    }
    let mut custom = absorb.custom.clone();
    custom.extend(keep.custom.clone());
    Contact {
        id: keep.id.clone(),
        emails,
        email_keys: keys,
        first_name: fill(&keep.first_name, &absorb.first_name),
        last_name: fill(&keep.last_name, &absorb.last_name),
        job_title: fill(&keep.job_title, &absorb.job_title),
        phone: fill(&keep.phone, &absorb.phone),
        company_id: fill_opt(&keep.company_id, &absorb.company_id),
        owner: fill_opt(&keep.owner, &absorb.owner),
        lifecycle_stage: fill_opt(&keep.lifecycle_stage, &absorb.lifecycle_stage),
        lead_status: fill_opt(&keep.lead_status, &absorb.lead_status),
        custom,
        created_at: keep.created_at.min(absorb.created_at),
        updated_at: now,
        last_activity_at: keep.last_activity_at.max(absorb.last_activity_at),
        search_keys: vec![],
        sort_name: String::new(),
    }
}

fn merged_company(keep: &Company, absorb: &Company, now: u64) -> Company {
    let mut domains = keep.domains.clone();
    domains.extend(
        absorb
            .domains
            .iter()
            .filter(|d| !keep.domains.contains(d))
            .cloned(),
    );
    let name = fill(&keep.name, &absorb.name);
    let mut company = Company {
        id: keep.id.clone(),
        sort_name: fold(&name),
        name,
        domains,
        owner: fill_opt(&keep.owner, &absorb.owner),
        created_at: keep.created_at.min(absorb.created_at),
        updated_at: now,
        last_activity_at: keep.last_activity_at.max(absorb.last_activity_at),
        search_keys: vec![],
    };
    company.search_keys = company_keys(&company);
    company
}

/// `list` with `from` replaced by `to`, once.
fn repoint<T: PartialEq + Clone>(list: &[T], from: &T, to: &T) -> Vec<T> {
    let mut out: Vec<T> = vec![];
    for item in list {
        let item = if item == from {
            to.clone()
        } else {
            item.clone()
        };
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Merges; the kept record as it now is, and the page's sentence.
pub(crate) fn merge(
    ctx: &mut Ctx,
    keep: &RecordRef,
    absorb: &RecordRef,
) -> CrmResult<(AnyRecord, String)> {
    if keep == absorb {
        return Err(CrmError::new(
            CrmErrorCode::InvalidMerge,
            "A record cannot be merged with itself. Choose two different records.",
        ));
    }
    if keep.kind() != absorb.kind()
        || !matches!(keep.kind(), RecordKind::Contact | RecordKind::Company)
    {
        return Err(CrmError::new(
            CrmErrorCode::InvalidMerge,
            "Only two contacts, or two companies, can be merged.",
        ));
    }
    let kept = ctx
        .record(keep.id())
        .filter(|r| r.kind() == keep.kind())
        .ok_or_else(|| not_found(keep.kind()))?;
    let gone = ctx
        .record(absorb.id())
        .filter(|r| r.kind() == absorb.kind())
        .ok_or_else(|| not_found(absorb.kind()))?;
    let now = ctx.now;
    let mut data = BTreeMap::new();
    let (record, absorbed_title) = match (kept, gone) {
        (AnyRecord::Contact(k), AnyRecord::Contact(a)) => {
            // The company's record is not read for a merge: its words come
            // from the contact whose company the merged one keeps.
            let words = if k.company_id.is_some() {
                company_words(k)
            } else {
                company_words(a)
            };
            let mut merged = with_contact_keys(merged_contact(k, a, now), None);
            for word in words {
                if !merged.search_keys.contains(&word) {
                    merged.search_keys.push(word);
                }
            }
            data.insert(
                "absorbedEmails".to_string(),
                DataValue::Text(a.emails.join(", ")),
            );
            (AnyRecord::Contact(merged), contact_title(a))
        }
        (AnyRecord::Company(k), AnyRecord::Company(a)) => {
            data.insert(
                "absorbedDomains".to_string(),
                DataValue::Text(a.domains.join(", ")),
            );
            (
                AnyRecord::Company(merged_company(k, a, now)),
                a.name.clone(),
            )
        }
        _ => unreachable!("kinds checked above"),
    };
    data.insert(
        "absorbedId".into(),
        DataValue::Text(absorb.id().to_string()),
    );
    data.insert(
        "absorbedTitle".into(),
        DataValue::Text(absorbed_title.clone()),
    );
    // Every entry of the absorbed record now shows on the kept one.
    for entry in &ctx.found.timeline {
        if entry.records.contains(absorb) {
            let mut moved = entry.clone();
            moved.records = repoint(&entry.records, absorb, keep);
            ctx.writes.put.timeline.push(moved);
        }
    }
    // Records that referred to the absorbed one refer to the kept one (and,
    // for a company, hold its name in their search keys).
    let kept_name = record.title();
    let mut reassociated = vec![];
    for other in &ctx.found.records {
        if other.id() == keep.id() || other.id() == absorb.id() {
            continue;
        }
        let moved = match other.clone() {
            AnyRecord::Deal(mut d) => {
                let before = d.clone();
                d.contact_ids = repoint(
                    &d.contact_ids,
                    &absorb.id().to_string(),
                    &keep.id().to_string(),
                );
                if d.company_id.as_deref() == Some(absorb.id()) {
                    d.company_id = Some(keep.id().to_string());
                    d.search_keys = deal_keys(&d, Some(&kept_name));
                }
                (d != before).then_some(AnyRecord::Deal(d))
            }
            AnyRecord::Contact(mut c) if c.company_id.as_deref() == Some(absorb.id()) => {
                c.company_id = Some(keep.id().to_string());
                Some(AnyRecord::Contact(with_contact_keys(c, Some(&kept_name))))
            }
            AnyRecord::Task(mut t) if t.related.contains(absorb) => {
                t.related = repoint(&t.related, absorb, keep);
                Some(AnyRecord::Task(t))
            }
            AnyRecord::Note(mut n) if n.related.contains(absorb) => {
                n.related = repoint(&n.related, absorb, keep);
                Some(AnyRecord::Note(n))
            }
            _ => None,
        };
        if let Some(moved) = moved {
            reassociated.push(moved.reference());
            ctx.writes.put_record(moved);
        }
    }
    ctx.writes.delete_record(absorb);
    let mut records = vec![keep.clone()];
    records.extend(reassociated);
    ctx.entry(
        records,
        "merged",
        format!("Merged {absorbed_title} into {}", record.title()),
        data,
    );
    ctx.writes.put_record(record.clone());
    let message = format!("Merged {absorbed_title} into {}.", record.title());
    Ok((record, message))
}
