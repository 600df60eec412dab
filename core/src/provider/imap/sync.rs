//! The IMAP sync planner (issue 13): what arrived in an IMAP inbox's INBOX
//! and Sent folder since the last pass, through the native helper's
//! `imapSync` (bridge/README.md), one folder after the other.
//!
//! - Each call is `imapSync {folder, uidValidity, sinceUid, maxMessages,
//!   headersOnly}`: the helper EXAMINEs the folder (read-only: nothing
//!   becomes \Seen) and returns the header blocks (`BODY.PEEK[HEADER]`) of
//!   the messages with a UID above `sinceUid`, in UID order, `more`
//!   when a page was cut. The next page starts after the last UID returned;
//!   a folder is done when `more` is false, and its cursor is
//!   `{uidValidity, uidNext}` = the highest UID seen + 1.
//! - First pass of a folder (no cursor for it): `sinceDate` (the day before
//!   the window, `SEARCH SINCE`) keeps the helper to the window, and a
//!   message whose INTERNALDATE is still before it is passed over.
//! - A changed `UIDVALIDITY` (the helper's `reset`) means the folder's UIDs
//!   mean nothing any more: [`SyncRead::CursorExpired`], and the restart
//!   reads only that folder's window again. Emails seen twice keep one
//!   timeline entry: its id comes from the Message-ID (`sync::dedupe`),
//!   never from the UID.
//! - Headers first: each header block is read by
//!   `message::summarize_message`, as for any raw message; a body plan
//!   ([`ImapBody`]) reads one kept message whole by its UID. A helper from
//!   before `headersOnly` refuses the call: "too old", in words.
//! - Expunged messages: where the server has CONDSTORE the cursor keeps the
//!   folder's HIGHESTMODSEQ; the next pass's first call hands it back as
//!   `modSeq`, and with QRESYNC the helper's `vanished` UIDs are `removed`.
//!   Without QRESYNC an expunge is not reported.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::MailServerKind;
use super::helper::{HelperCall, HelperOp, server_args};
use super::helper_error::describe_helper_error;
use super::send::ImapTarget;
use crate::provider::api_reply::rfc3339_ms;
use crate::sync::cursor::{ImapFolderCursor, SyncCursor, SyncWindow};
use crate::sync::incoming::{FolderRole, Incoming};
use crate::sync::pacing::Pace;
use crate::sync::provider::{Answer, Call, Fault, Page, Secret, SyncRead, SyncSteps, Unreadable};

/// Messages per `imapSync` page.
pub const IMAP_SYNC_PAGE: u32 = 50;
/// Bytes of header blocks per page (the helper's default).
pub const IMAP_SYNC_PAGE_BYTES: u64 = 8 * 1024 * 1024;
/// The largest message a body plan reads (the helper's maximum is 64 MiB).
pub const IMAP_BODY_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// One folder's part of a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FolderPass {
    /// The folder's name as the helper takes it (`INBOX`, the Sent folder's).
    folder: String,
    role: FolderRole,
    /// `None` until the folder's `UIDVALIDITY` is known (a first pass).
    uid_validity: Option<u32>,
    /// The highest UID read so far under `uid_validity`.
    since_uid: u32,
    /// A first pass: messages older than the window are passed over.
    windowed: bool,
    /// The cursor's HIGHESTMODSEQ: asked with the folder's first call of
    /// the pass, so the helper (QRESYNC) says which UIDs were expunged.
    #[serde(default)]
    mod_seq: Option<u64>,
    /// The folder's HIGHESTMODSEQ as this pass's first page found it: the
    /// next cursor's (a later change is then reported again, harmlessly).
    #[serde(default)]
    next_mod_seq: Option<u64>,
    /// The first page of this folder was read.
    #[serde(default)]
    started: bool,
}

impl FolderPass {
    fn first(folder: &str, role: FolderRole) -> FolderPass {
        FolderPass {
            folder: folder.into(),
            role,
            uid_validity: None,
            since_uid: 0,
            windowed: true,
            mod_seq: None,
            next_mod_seq: None,
            started: false,
        }
    }
}

/// One pass over an IMAP inbox's folders. Serialised between calls without
/// the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapSync {
    inbox: String,
    target: ImapTarget,
    window: SyncWindow,
    /// Unix ms: a first pass logs messages received since.
    window_start_ms: u64,
    folders: Vec<FolderPass>,
    /// The folder being read (`folders.len()`: the pass is done).
    at: usize,
    /// The folder whose `UIDVALIDITY` changed, for [`SyncSteps::restart`].
    #[serde(default)]
    expired: Option<usize>,
    /// Messages read in this pass before the current page, for "of N".
    #[serde(default)]
    read: u64,
}

impl ImapSync {
    /// A pass for `inbox` over INBOX and `sent_folder` (its name as the
    /// helper's `sentLookup` or `send` reported it; `None`: INBOX only),
    /// from `cursor` (`None`, another provider's, or no entry for a folder:
    /// that folder's bounded first pass over `window`, counted back from
    /// `now_ms`).
    pub fn new(
        inbox: &str,
        target: &ImapTarget,
        sent_folder: Option<&str>,
        cursor: Option<&SyncCursor>,
        window: SyncWindow,
        now_ms: u64,
    ) -> ImapSync {
        let saved: &[ImapFolderCursor] = match cursor {
            Some(SyncCursor::Imap { folders }) => folders,
            _ => &[],
        };
        let mut names = vec![("INBOX", FolderRole::Inbox)];
        if let Some(sent) = sent_folder.filter(|s| !s.is_empty() && !is_inbox(s)) {
            names.push((sent, FolderRole::Sent));
        }
        let folders = names
            .into_iter()
            .map(|(name, role)| {
                match saved
                    .iter()
                    .find(|c| same_folder(&c.folder, name) && c.uid_validity > 0)
                {
                    Some(c) => FolderPass {
                        folder: name.into(),
                        role,
                        uid_validity: Some(c.uid_validity),
                        since_uid: c.uid_next.saturating_sub(1),
                        windowed: false,
                        mod_seq: c.highest_mod_seq,
                        next_mod_seq: None,
                        started: false,
                    },
                    None => FolderPass::first(name, role),
                }
            })
            .collect();
        ImapSync {
            inbox: inbox.into(),
            target: target.clone(),
            window,
            window_start_ms: window.start_ms(now_ms),
            folders,
            at: 0,
            expired: None,
            read: 0,
        }
    }

    fn read_reply(&mut self, reply: &Value) -> SyncRead {
        let Some(answer) = SyncAnswer::of(reply) else {
            return SyncRead::Fault(Fault::Retry {
                retry_after_ms: None,
                message: "Inlay's mail helper gave an answer Inlay couldn't read.".into(),
            });
        };
        let Some(pass) = self.folders.get(self.at).cloned() else {
            // Done already: a repeated read changes nothing.
            return SyncRead::Page(Page {
                done: Some(self.cursor()),
                ..Page::default()
            });
        };
        if answer.reset && pass.uid_validity.is_some() {
            self.expired = Some(self.at);
            return SyncRead::CursorExpired {
                message: format!(
                    "The mail server renumbered the emails in {} (its UIDVALIDITY changed).",
                    pass.folder
                ),
            };
        }
        let last_uid = answer.messages.iter().map(|m| m.uid).max();
        if answer.more && last_uid.is_none() {
            // Every message of the page was expunged while it was read: the
            // same call finds the ones after them.
            return SyncRead::Fault(Fault::Retry {
                retry_after_ms: None,
                message: format!("The folder {} changed while Inlay read it.", pass.folder),
            });
        }
        let mut page = Page {
            // What was read, and what the helper says is left in this folder
            // (a later folder adds its own when it starts).
            expected: answer.remaining.map(|r| self.read + r),
            ..Page::default()
        };
        for m in &answer.messages {
            self.read_message(&pass, answer.uid_validity, m, &mut page);
        }
        self.read += (page.incoming.len() + page.unreadable.len()) as u64;
        page.removed.extend(
            answer
                .vanished
                .iter()
                .map(|&uid| provider_id(&pass.folder, answer.uid_validity, uid)),
        );
        let f = &mut self.folders[self.at];
        if !f.started {
            f.started = true;
            f.next_mod_seq = answer.highest_mod_seq;
        }
        f.uid_validity = Some(answer.uid_validity);
        f.since_uid = f.since_uid.max(last_uid.unwrap_or(0));
        if !answer.more {
            f.since_uid = f.since_uid.max(answer.highest_uid);
            self.at += 1;
            if self.at == self.folders.len() {
                page.done = Some(self.cursor());
            }
        }
        SyncRead::Page(page)
    }

    fn read_message(&self, pass: &FolderPass, uid_validity: u32, m: &Message, page: &mut Page) {
        let received_at_ms = m.internal_date.as_deref().and_then(offset_date_ms);
        if pass.windowed && received_at_ms.is_some_and(|t| t < self.window_start_ms) {
            return;
        }
        let provider_id = provider_id(&pass.folder, uid_validity, m.uid);
        let unreadable = |reason: String| Unreadable {
            provider_id: provider_id.clone(),
            reason,
        };
        let Some(mime) = &m.mime else {
            page.unreadable.push(unreadable(format!(
                "It is larger than {} MB, more than Inlay reads while syncing.",
                IMAP_SYNC_PAGE_BYTES / (1024 * 1024)
            )));
            return;
        };
        let Ok(raw) = STANDARD.decode(mime) else {
            page.unreadable.push(unreadable(
                "Inlay's mail helper sent it in a form Inlay couldn't read.".into(),
            ));
            return;
        };
        match crate::message::summarize_message(&raw) {
            Ok(headers) => page.incoming.push(Incoming {
                inbox: self.inbox.clone(),
                provider_id,
                thread_id: None,
                folder: pass.role,
                received_at_ms: received_at_ms.and_then(|t| i64::try_from(t).ok()),
                headers,
                size: m.size,
            }),
            Err(e) => page
                .unreadable
                .push(unreadable(format!("Its headers could not be read: {e}."))),
        }
    }

    /// The helper's `sinceDate` for a first pass: the UTC day before the
    /// window opens, since `SEARCH SINCE` counts days in the server's time
    /// zone; the INTERNALDATE check trims the rest.
    fn since_date(&self) -> String {
        let day_before = self.window_start_ms.saturating_sub(24 * 60 * 60 * 1000);
        crate::utc::date(day_before)
    }

    /// The cursor of the folders as read so far.
    fn cursor(&self) -> SyncCursor {
        SyncCursor::Imap {
            folders: self
                .folders
                .iter()
                .filter_map(|f| {
                    Some(ImapFolderCursor {
                        folder: f.folder.clone(),
                        uid_validity: f.uid_validity?,
                        uid_next: f.since_uid.saturating_add(1),
                        highest_mod_seq: f.next_mod_seq.or(f.mod_seq),
                    })
                })
                .collect(),
        }
    }
}

/// `folder:uidvalidity:uid`: unique across the inbox's folders, read back
/// by [`ImapBody::new`] from the right (a folder name may hold `:`).
pub fn provider_id(folder: &str, uid_validity: u32, uid: u32) -> String {
    format!("{folder}:{uid_validity}:{uid}")
}

fn is_inbox(name: &str) -> bool {
    name.eq_ignore_ascii_case("INBOX")
}

/// INBOX is case-insensitive (RFC 9051 §5.1); other names are not.
fn same_folder(a: &str, b: &str) -> bool {
    a == b || (is_inbox(a) && is_inbox(b))
}

/// The helper's `imapSync` answer.
struct SyncAnswer {
    uid_validity: u32,
    highest_uid: u32,
    reset: bool,
    more: bool,
    highest_mod_seq: Option<u64>,
    /// UIDs expunged since the `modSeq` asked with (QRESYNC).
    vanished: Vec<u32>,
    /// This page's messages and those after it (a helper from before it: none).
    remaining: Option<u64>,
    messages: Vec<Message>,
}

struct Message {
    uid: u32,
    internal_date: Option<String>,
    size: Option<u64>,
    mime: Option<String>,
}

impl SyncAnswer {
    fn of(v: &Value) -> Option<SyncAnswer> {
        let u32_of = |v: Option<&Value>| {
            v.and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
        };
        let messages = v
            .get("messages")?
            .as_array()?
            .iter()
            .map(|m| {
                Some(Message {
                    uid: u32_of(m.get("uid")).filter(|&u| u > 0)?,
                    internal_date: m
                        .get("internalDate")
                        .and_then(Value::as_str)
                        .map(Into::into),
                    size: m.get("size").and_then(Value::as_u64),
                    mime: m.get("mime").and_then(Value::as_str).map(Into::into),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(SyncAnswer {
            uid_validity: u32_of(v.get("uidValidity")).filter(|&u| u > 0)?,
            highest_uid: u32_of(v.get("highestUid")).unwrap_or(0),
            reset: v.get("reset").and_then(Value::as_bool).unwrap_or(false),
            more: v.get("more").and_then(Value::as_bool).unwrap_or(false),
            remaining: v.get("remaining").and_then(Value::as_u64),
            highest_mod_seq: v.get("highestModSeq").and_then(Value::as_u64),
            vanished: v
                .get("vanished")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(|u| u32_of(Some(u))).collect())
                .unwrap_or_default(),
            messages,
        })
    }
}

/// The helper's `2024-07-07T09:05:01+02:00` (INTERNALDATE with its zone) →
/// Unix ms.
fn offset_date_ms(text: &str) -> Option<u64> {
    if text.ends_with('Z') {
        return rfc3339_ms(text);
    }
    let (local, zone) = text.split_at(text.len().checked_sub(6)?);
    let sign: i64 = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = zone[1..].split_once(':')?;
    let offset_ms = sign * (h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?) * 60_000;
    let utc = i64::try_from(rfc3339_ms(&format!("{local}Z"))?).ok()? - offset_ms;
    u64::try_from(utc).ok()
}

/// The `imapSync` call for `folder` after `since` (under `uid_validity`).
fn sync_call(
    target: &ImapTarget,
    secret: &Secret<'_>,
    folder: &str,
    position: Option<(u32, u32)>,
    max_messages: u32,
    max_bytes: u64,
    headers_only: bool,
    since_date: Option<String>,
    mod_seq: Option<u64>,
) -> Result<Call, Fault> {
    let password = target
        .password(secret)
        .map_err(|message| Fault::Permanent {
            code: "wrongSecret".into(),
            message,
        })?;
    let (uid_validity, since_uid) = match position {
        Some((v, since)) => (json!(v), json!(since)),
        None => (Value::Null, Value::Null),
    };
    Ok(Call::Helper(HelperCall {
        op: HelperOp::ImapSync,
        args: json!({
            "imap": server_args(&target.settings.imap, password, &target.trust(MailServerKind::Imap)),
            "folder": folder,
            "uidValidity": uid_validity,
            "sinceUid": since_uid,
            "maxMessages": max_messages,
            "maxBytes": max_bytes,
            "headersOnly": headers_only,
            "sinceDate": since_date,
            "modSeq": mod_seq,
        }),
    }))
}

/// A failed helper call as a sync reads it.
fn helper_fault(target: &ImapTarget, code: &str, detail: &str, folder: &str) -> Fault {
    let imap = &target.settings.imap;
    // A helper from before `headersOnly` and `sinceDate` refuses them.
    let code = if code == "badRequest" && detail.contains("unknown field") {
        "unknownOp"
    } else {
        code
    };
    let described =
        describe_helper_error(MailServerKind::Imap, &imap.host, imap.port, code, detail);
    match described.code.as_str() {
        "wrongPassword" => Fault::SecretRejected,
        // The server or the helper's port, for now: the same read again.
        "connectFailed" | "timeout" | "hostNotFound" | "temporaryFailure" | "bridgeTimeout"
        | "bridgeFailed" => Fault::Retry {
            retry_after_ms: None,
            message: described.message,
        },
        "folderNotFound" => Fault::Permanent {
            code: "folderNotFound".into(),
            message: format!(
                "Inlay couldn't open the folder \"{folder}\" on {} ({detail}). If it was \
                 renamed, reconnect the inbox in Settings › Email.",
                imap.host
            ),
        },
        // A certificate to review, no helper, an old helper, a server that
        // speaks nonsense: the user must act.
        _ => Fault::Permanent {
            code: described.code,
            message: described.message,
        },
    }
}

fn unexpected() -> SyncRead {
    SyncRead::Fault(Fault::Permanent {
        code: "wrongAnswer".into(),
        message: "Inlay got a web answer where its mail helper should have answered; please \
                  report this problem."
            .into(),
    })
}

impl SyncSteps for ImapSync {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        // Done: a repeated call reads the last folder again, harmlessly.
        let pass = self
            .folders
            .get(self.at)
            .or(self.folders.last())
            .ok_or_else(|| Fault::Permanent {
                code: "noFolder".into(),
                message: "Inlay has no folder to read in this inbox.".into(),
            })?;
        let position = pass.uid_validity.map(|v| (v, pass.since_uid));
        sync_call(
            &self.target,
            secret,
            &pass.folder,
            position,
            IMAP_SYNC_PAGE,
            IMAP_SYNC_PAGE_BYTES,
            true,
            pass.windowed.then(|| self.since_date()),
            // Only with a UIDVALIDITY (the helper's rule) and once a pass.
            pass.mod_seq
                .filter(|_| !pass.started && pass.uid_validity.is_some()),
        )
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::IMAP
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        match answer {
            Answer::HelperReply(reply) => self.read_reply(reply),
            Answer::HelperFailed { code, message } => {
                let folder = self.folders.get(self.at).map_or("", |f| f.folder.as_str());
                SyncRead::Fault(helper_fault(&self.target, code, message, folder))
            }
            Answer::Response(_) | Answer::Transport(_) => unexpected(),
        }
    }

    fn restart(&mut self, now_ms: u64) -> bool {
        self.window_start_ms = self.window.start_ms(now_ms);
        match self.expired.take() {
            // Only the renumbered folder is read again; the others keep
            // their place.
            Some(i) if i < self.folders.len() => {
                let f = &self.folders[i];
                self.folders[i] = FolderPass::first(&f.folder.clone(), f.role);
                self.at = i;
            }
            _ => {
                for f in &mut self.folders {
                    *f = FolderPass::first(&f.folder.clone(), f.role);
                }
                self.at = 0;
            }
        }
        true
    }
}

/// One kept message's bytes, read again by its UID: `imapSync` from the UID
/// before it, one message, under the `UIDVALIDITY` it was seen with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImapBody {
    target: ImapTarget,
    folder: String,
    uid_validity: u32,
    uid: u32,
}

impl ImapBody {
    /// The body of `provider_id` (as [`ImapSync`] wrote it); `None` for an
    /// id that is not one.
    pub fn new(target: &ImapTarget, provider_id: &str) -> Option<ImapBody> {
        let mut parts = provider_id.rsplitn(3, ':');
        let uid = parts.next()?.parse().ok().filter(|&u| u > 0)?;
        let uid_validity = parts.next()?.parse().ok().filter(|&v| v > 0)?;
        let folder = parts.next().filter(|f| !f.is_empty())?;
        Some(ImapBody {
            target: target.clone(),
            folder: folder.into(),
            uid_validity,
            uid,
        })
    }

    fn gone(&self) -> SyncRead {
        SyncRead::Fault(Fault::Permanent {
            code: "gone".into(),
            message: format!("This email is no longer in the folder \"{}\".", self.folder),
        })
    }
}

impl SyncSteps for ImapBody {
    fn call(&self, secret: &Secret<'_>) -> Result<Call, Fault> {
        sync_call(
            &self.target,
            secret,
            &self.folder,
            Some((self.uid_validity, self.uid - 1)),
            1,
            IMAP_BODY_MAX_BYTES,
            false,
            None,
            None,
        )
    }

    fn cost(&self) -> u32 {
        1
    }

    fn pace(&self) -> Pace {
        Pace::IMAP
    }

    fn read(&mut self, answer: Answer<'_>) -> SyncRead {
        let reply = match answer {
            Answer::HelperReply(reply) => reply,
            Answer::HelperFailed { code, message } => {
                return SyncRead::Fault(helper_fault(&self.target, code, message, &self.folder));
            }
            Answer::Response(_) | Answer::Transport(_) => return unexpected(),
        };
        let Some(answer) = SyncAnswer::of(reply) else {
            return SyncRead::Fault(Fault::Retry {
                retry_after_ms: None,
                message: "Inlay's mail helper gave an answer Inlay couldn't read.".into(),
            });
        };
        // Renumbered, or expunged (the next message came instead).
        let Some(m) = answer
            .messages
            .first()
            .filter(|m| m.uid == self.uid && !answer.reset)
        else {
            return self.gone();
        };
        match m.mime.as_deref().map(|b| STANDARD.decode(b)) {
            Some(Ok(raw)) => SyncRead::Body { raw },
            Some(Err(_)) => SyncRead::Fault(Fault::Retry {
                retry_after_ms: None,
                message: "Inlay's mail helper sent the email in a form Inlay couldn't read.".into(),
            }),
            None => SyncRead::Fault(Fault::Permanent {
                code: "tooLarge".into(),
                message: format!(
                    "This email is larger than {} MB; Inlay doesn't store it.",
                    IMAP_BODY_MAX_BYTES / (1024 * 1024)
                ),
            }),
        }
    }

    fn restart(&mut self, _now_ms: u64) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_dates_with_their_zone() {
        assert_eq!(offset_date_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(offset_date_ms("1970-01-01T00:00:00-00:30"), Some(1_800_000));
        assert_eq!(offset_date_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(offset_date_ms("yesterday"), None);
    }

    #[test]
    fn provider_ids_read_back_from_the_right() {
        let id = provider_id("Archive:2026", 7, 42);
        assert_eq!(id, "Archive:2026:7:42");
        let mut parts = id.rsplitn(3, ':');
        assert_eq!(parts.next(), Some("42"));
        assert_eq!(parts.next(), Some("7"));
        assert_eq!(parts.next(), Some("Archive:2026"));
    }
}
