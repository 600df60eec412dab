//! A record's timeline, in the order it is shown.

use super::model::TimelineEntry;

/// Newest first; entries of the same millisecond by id, so the order is
/// the same on every read.
pub fn newest_first(entries: &mut [TimelineEntry]) {
    entries.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
}
