//! Delete and undo. A delete moves the record, the notes and tasks that
//! were only about it, and the timeline entries only on those records into
//! one trash entry; undo puts them all back. Other records' references to a
//! deleted record stay (a deal keeps a deleted contact's id): readers skip
//! references to records that are not there, and an undo needs no repair.
//! The worker purges trash entries older than 30 days.

use super::apply::{Ctx, WriteSet, not_found};

/// How long a delete can be undone.
pub const TRASH_DAYS: u64 = 30;

/// Trash entries deleted before this time (ms) are purged: older than
/// [`TRASH_DAYS`].
pub fn trash_cutoff(now_ms: u64) -> u64 {
    now_ms.saturating_sub(TRASH_DAYS * 86_400_000)
}
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::ids::{IdKind, RecordRef, check_id};
use super::model::{AnyRecord, TrashEntry, contact_title};

pub(crate) fn delete(mut ctx: Ctx, target: &RecordRef) -> CrmResult<WriteSet> {
    let record = ctx
        .record(target.id())
        .filter(|r| r.kind() == target.kind())
        .ok_or_else(|| not_found(target.kind()))?;
    let title = record.title();
    let mut records = vec![record.clone()];
    // Notes and tasks about this record alone would be unreachable.
    for other in &ctx.found.records {
        let related = match other {
            AnyRecord::Task(t) => &t.related,
            AnyRecord::Note(n) => &n.related,
            _ => continue,
        };
        if other.id() != target.id() && !related.is_empty() && related.iter().all(|r| r == target) {
            records.push(other.clone());
        }
    }
    let gone: Vec<RecordRef> = records.iter().map(AnyRecord::reference).collect();
    let timeline: Vec<_> = ctx
        .found
        .timeline
        .iter()
        .filter(|e| e.records.iter().all(|r| gone.contains(r)))
        .cloned()
        .collect();
    for r in &gone {
        ctx.writes.delete_record(r);
    }
    ctx.writes.delete.timeline = timeline.iter().map(|e| e.id.clone()).collect();
    let trash = TrashEntry {
        id: ctx.ids.next(IdKind::Trash),
        at: ctx.now,
        record: target.clone(),
        title: title.clone(),
        records,
        timeline,
    };
    ctx.writes.result.trash_id = Some(trash.id.clone());
    ctx.writes.put.trash.push(trash);
    Ok(ctx.finish(None, false, format!("Deleted {title}.")))
}

pub(crate) fn undo(mut ctx: Ctx, trash_id: &str) -> CrmResult<WriteSet> {
    check_id(IdKind::Trash, trash_id)?;
    let entry = ctx
        .found
        .trash
        .iter()
        .find(|t| t.id == trash_id)
        .ok_or_else(|| {
            CrmError::new(
                CrmErrorCode::TrashNotFound,
                "This delete can no longer be undone: it was undone already, or it is more than 30 days old.",
            )
        })?;
    // An address or domain taken since the delete would break the one
    // contact per address (and one company per domain) rule.
    for record in &entry.records {
        let clash = match record {
            AnyRecord::Contact(c) => ctx
                .found
                .contacts_by_email_key
                .iter()
                .filter(|o| o.id != c.id)
                .find_map(|o| {
                    c.emails
                        .iter()
                        .zip(&c.email_keys)
                        .find(|(_, k)| o.email_keys.contains(k))
                        .map(|(e, _)| (e.clone(), contact_title(o)))
                }),
            AnyRecord::Company(c) => ctx
                .found
                .companies_by_domain
                .iter()
                .filter(|o| o.id != c.id)
                .find_map(|o| {
                    c.domains
                        .iter()
                        .find(|d| o.domains.contains(d))
                        .map(|d| (d.clone(), o.name.clone()))
                }),
            _ => None,
        };
        if let Some((what, holder)) = clash {
            return Err(CrmError::new(
                if matches!(record, AnyRecord::Company(_)) {
                    CrmErrorCode::DuplicateDomain
                } else {
                    CrmErrorCode::DuplicateAddress
                },
                format!(
                    "{} can't be restored: {what} now belongs to {holder}. Remove it there (or merge the two) and undo again.",
                    entry.title
                ),
            ));
        }
    }
    for record in &entry.records {
        ctx.writes.put_record(record.clone());
    }
    ctx.writes.put.timeline = entry.timeline.clone();
    // The restore is on the timeline of what came back.
    let refs: Vec<RecordRef> = entry.records.iter().map(AnyRecord::reference).collect();
    ctx.entry(
        refs,
        "restored",
        format!("Restored after a delete: {}", entry.title),
        Default::default(),
    );
    ctx.writes.delete.trash.push(entry.id.clone());
    let restored = entry
        .records
        .iter()
        .find(|r| r.reference() == entry.record)
        .cloned();
    Ok(ctx.finish(restored, false, format!("Restored {}.", entry.title)))
}
