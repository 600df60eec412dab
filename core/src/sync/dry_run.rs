//! "Before turning it on": what inbox automation would have logged over the
//! last days, from the same rules ([`super::rules::decide`]) the log uses.
//!
//! The worker reads the window's headers as a sync would, decides on each
//! email with nothing written, and shows the sentence and the list.
//! Copies of one email (two inboxes, To and Bcc) are counted once: later
//! copies are listed as duplicates.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::dedupe::first_copies;
use super::incoming::Incoming;
use super::rules::{LogKind, SkipReason, Verdict};

/// One email of the dry run's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct DryRunItem {
    pub inbox: String,
    pub provider_id: String,
    pub from: String,
    pub subject: String,
    pub received_at_ms: Option<i64>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    pub days: u32,
    pub logged: usize,
    /// Different contacts (and new correspondents) logged to.
    pub contacts: usize,
    pub skipped: usize,
    /// Skipped emails by reason, most first in [`DryRun::sentence`].
    pub skipped_by: BTreeMap<SkipReason, usize>,
    pub items: Vec<DryRunItem>,
}

/// The dry run of `decided` (each email with its [`Verdict`], in the order
/// read) over the last `days` days.
pub fn dry_run(decided: &[(Incoming, Verdict)], days: u32) -> DryRun {
    let emails: Vec<Incoming> = decided.iter().map(|(i, _)| i.clone()).collect();
    let first = first_copies(&emails);
    let mut run = DryRun {
        days,
        logged: 0,
        contacts: 0,
        skipped: 0,
        skipped_by: BTreeMap::new(),
        items: vec![],
    };
    let mut contacts: BTreeSet<String> = BTreeSet::new();
    for ((incoming, verdict), first) in decided.iter().zip(first) {
        let verdict = if first {
            verdict.clone()
        } else {
            Verdict::Skip {
                reason: SkipReason::Duplicate,
            }
        };
        match &verdict {
            Verdict::Log {
                contacts: ids,
                new_contacts,
                ..
            } => {
                run.logged += 1;
                contacts.extend(ids.iter().cloned());
                contacts.extend(new_contacts.iter().cloned());
            }
            Verdict::Skip { reason } => {
                run.skipped += 1;
                *run.skipped_by.entry(*reason).or_default() += 1;
            }
        }
        let h = &incoming.headers;
        run.items.push(DryRunItem {
            inbox: incoming.inbox.clone(),
            provider_id: incoming.provider_id.clone(),
            from: h
                .from
                .first()
                .map(|p| p.address.clone())
                .unwrap_or_default(),
            subject: h.subject.clone().unwrap_or_default(),
            received_at_ms: incoming.received_at_ms,
            verdict,
        });
    }
    run.contacts = contacts.len();
    run
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl DryRun {
    /// "In the last 7 days, Inlay would have logged 42 emails to 17
    /// contacts, skipped 230 (mailing lists 180, never-log 50)."
    pub fn sentence(&self) -> String {
        let mut reasons: Vec<(&SkipReason, &usize)> = self.skipped_by.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let why = reasons
            .iter()
            .map(|(r, n)| format!("{} {n}", r.words()))
            .collect::<Vec<_>>()
            .join(", ");
        let days = plural(self.days as usize, "day", "days");
        let logged = format!(
            "logged {} to {}",
            plural(self.logged, "email", "emails"),
            plural(self.contacts, "contact", "contacts")
        );
        match self.skipped {
            0 => format!("In the last {days}, Inlay would have {logged}."),
            n => format!("In the last {days}, Inlay would have {logged}, skipped {n} ({why})."),
        }
    }

    /// Emails that would be logged of `kind`.
    pub fn count_of(&self, kind: LogKind) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(&i.verdict, Verdict::Log { kind: k, .. } if *k == kind))
            .count()
    }
}
