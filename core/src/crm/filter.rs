//! What a list filter means ("owned by", "in stage", "active in the last 30
//! days", "open deals"). The store picks its indexes; whether a record
//! belongs in a filtered list is decided here.

use serde::{Deserialize, Serialize};

use super::model::AnyRecord;
use super::settings::{Closed, CrmSettings};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Whether a deal's stage is open or closed (won or lost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum StageStatus {
    Open,
    Won,
    Lost,
}

/// A list filter; every field given must hold (none given: everything).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CrmFilter {
    /// An owner id; `""` means "no owner".
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub owner: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub lifecycle_stage: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub lead_status: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub company_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub pipeline: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub stage: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub stage_status: Option<StageStatus>,
    /// Some activity within this many days before now.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub active_within_days: Option<u32>,
    /// No activity within this many days before now (or never).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub inactive_for_days: Option<u32>,
}

fn is(want: &Option<String>, have: Option<&str>) -> bool {
    match want.as_deref() {
        None => true,
        Some("") => have.is_none(),
        Some(w) => have == Some(w),
    }
}

/// Whether `record` is in the list `filter` describes at `now_ms`. A filter
/// on a field the record's kind does not have excludes it.
pub fn matches(
    filter: &CrmFilter,
    record: &AnyRecord,
    settings: &CrmSettings,
    now_ms: u64,
) -> bool {
    let (owner, lifecycle, lead, company, deal) = match record {
        AnyRecord::Contact(c) => (
            c.owner.as_deref(),
            c.lifecycle_stage.as_deref(),
            c.lead_status.as_deref(),
            c.company_id.as_deref(),
            None,
        ),
        AnyRecord::Company(c) => (c.owner.as_deref(), None, None, None, None),
        AnyRecord::Deal(d) => (
            d.owner.as_deref(),
            None,
            None,
            d.company_id.as_deref(),
            Some(d),
        ),
        AnyRecord::Task(t) => (t.owner.as_deref(), None, None, None, None),
        AnyRecord::Note(_) => (None, None, None, None, None),
    };
    let deal_field = |want: bool| !want || deal.is_some();
    if !is(&filter.owner, owner)
        || !is(&filter.lifecycle_stage, lifecycle)
        || !is(&filter.lead_status, lead)
        || !is(&filter.company_id, company)
        || !deal_field(
            filter.pipeline.is_some() || filter.stage.is_some() || filter.stage_status.is_some(),
        )
    {
        return false;
    }
    if let Some(d) = deal {
        if !is(&filter.pipeline, Some(&d.pipeline)) || !is(&filter.stage, Some(&d.stage)) {
            return false;
        }
        if let Some(status) = filter.stage_status {
            let closed = settings
                .pipeline(&d.pipeline)
                .and_then(|p| p.stage(&d.stage))
                .and_then(|s| s.closed);
            let have = match closed {
                None => StageStatus::Open,
                Some(Closed::Won) => StageStatus::Won,
                Some(Closed::Lost) => StageStatus::Lost,
            };
            if have != status {
                return false;
            }
        }
    }
    let last = record.last_activity_at();
    if let Some(days) = filter.active_within_days {
        let since = now_ms.saturating_sub(u64::from(days) * DAY_MS);
        if last.is_none_or(|at| at < since) {
            return false;
        }
    }
    if let Some(days) = filter.inactive_for_days {
        let since = now_ms.saturating_sub(u64::from(days) * DAY_MS);
        if last.is_some_and(|at| at >= since) {
            return false;
        }
    }
    true
}
