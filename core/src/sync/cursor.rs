//! Where an inbox's sync left off: one value per inbox, per provider, that
//! the shell persists as JSON (never reading it) and hands back to the next
//! sync. It is committed in the same transaction as the entries the pass
//! produced, so a stopped worker resumes from the last committed cursor.
//!
//! Each cursor can expire on the provider's side (Gmail 404 on an old
//! `historyId`, Graph 410 / `syncStateNotFound`, EWS `ErrorInvalidSyncStateData`,
//! IMAP a changed `UIDVALIDITY`); the sync machine then restarts with a bounded
//! window ([`SyncWindow`]), never a whole mailbox.

use serde::{Deserialize, Serialize};

/// Days of mail a first sync (or a restart after an expired cursor) reads.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;
/// The longest window a setting may ask for: a first sync stays bounded.
pub const MAX_WINDOW_DAYS: u32 = 365;

/// How far back a first sync reads: the last N days (a setting, default 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncWindow {
    pub days: u32,
}

impl Default for SyncWindow {
    fn default() -> Self {
        SyncWindow {
            days: DEFAULT_WINDOW_DAYS,
        }
    }
}

impl SyncWindow {
    /// A window of `days`, held to 1..=[`MAX_WINDOW_DAYS`].
    pub fn days(days: u32) -> Self {
        SyncWindow {
            days: days.clamp(1, MAX_WINDOW_DAYS),
        }
    }

    /// Unix ms where the window opens, seen from `now_ms`. Computed once
    /// when a pass starts and kept in the plan, so the window does not slide
    /// while a long first sync pages through it.
    pub fn start_ms(self, now_ms: u64) -> u64 {
        let days = u64::from(self.days.clamp(1, MAX_WINDOW_DAYS));
        now_ms.saturating_sub(days * 24 * 60 * 60 * 1000)
    }
}

/// One folder's delta link (Graph) or sync state (EWS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderCursor {
    /// The provider's well-known folder name (`inbox`, `sentitems`).
    pub folder: String,
    /// Graph: the whole `@odata.deltaLink`; EWS: the `SyncState`.
    pub token: String,
}

/// Where the last committed sync of one inbox ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncCursor {
    /// Gmail: the mailbox's `historyId` (a uint64 Gmail sends as a string),
    /// read before the pass began, so nothing that arrived during it is
    /// missed (a message seen twice keeps one entry: `sync::dedupe`).
    Gmail { history_id: String },
    /// Graph: one delta link per tracked folder (Inbox, Sent Items).
    Graph { folders: Vec<FolderCursor> },
    /// EWS: one `SyncState` per folder.
    Ews { folders: Vec<FolderCursor> },
    /// IMAP: per folder, the mailbox's `UIDVALIDITY`, the next UID expected
    /// and (with CONDSTORE) the highest mod-sequence seen.
    Imap { folders: Vec<ImapFolderCursor> },
}

/// One IMAP folder's position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapFolderCursor {
    pub folder: String,
    pub uid_validity: u32,
    pub uid_next: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_mod_seq: Option<u64>,
}

impl SyncCursor {
    /// The cursor as the shell stores it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored cursor read back; `None` for a value this version can't read
    /// (the sync then starts over with its window, as after an expiry).
    pub fn from_json(json: &str) -> Option<SyncCursor> {
        serde_json::from_str(json).ok()
    }

    /// Graph / EWS: the token of `folder`, if the cursor has one.
    pub fn folder_token(&self, folder: &str) -> Option<&str> {
        match self {
            SyncCursor::Graph { folders } | SyncCursor::Ews { folders } => folders
                .iter()
                .find(|f| f.folder.eq_ignore_ascii_case(folder))
                .map(|f| f.token.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_cross_as_tagged_json_and_bad_ones_read_as_none() {
        let c = SyncCursor::Graph {
            folders: vec![FolderCursor {
                folder: "inbox".into(),
                token: "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=x".into(),
            }],
        };
        let json = c.to_json();
        assert!(
            json.starts_with(r#"{"kind":"graph","folders":[{"folder":"inbox""#),
            "{json}"
        );
        assert_eq!(SyncCursor::from_json(&json), Some(c.clone()));
        assert_eq!(
            c.folder_token("Inbox").map(|t| t.ends_with("=x")),
            Some(true)
        );
        assert_eq!(c.folder_token("sentitems"), None);
        assert_eq!(SyncCursor::from_json(r#"{"kind":"pop3"}"#), None);
        assert_eq!(
            SyncCursor::from_json(r#"{"kind":"gmail","historyId":"42"}"#),
            Some(SyncCursor::Gmail {
                history_id: "42".into()
            })
        );
    }

    #[test]
    fn the_window_is_bounded_and_counted_back_from_now() {
        assert_eq!(SyncWindow::default().days, 30);
        assert_eq!(SyncWindow::days(0).days, 1);
        assert_eq!(SyncWindow::days(10_000).days, MAX_WINDOW_DAYS);
        let day = 86_400_000;
        assert_eq!(SyncWindow::days(2).start_ms(10 * day), 8 * day);
        assert_eq!(SyncWindow::days(2).start_ms(day), 0);
    }
}
