//! `imapSync`: read a folder incrementally by UID.

use super::Session;
use super::folders::mutf7;
use super::parse::{parse_fetch, response_code};
use super::session::refused;
use super::wire::{MAX_LINE, MAX_SMALL_LITERALS, quote};
use crate::net::{Fail, clip, fail, public_roots};
use crate::protocol::SyncArgs;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rustls::RootCertStore;
use serde_json::{Value, json};

/// `UID SEARCH` answers on one line: ~7 bytes per UID, so ~1M UIDs.
const MAX_SEARCH_LINE: usize = 8 * 1024 * 1024;

impl Session {
    /// `imapSync`, see [`sync`].
    fn sync(&mut self, a: &SyncArgs) -> Result<Value, Fail> {
        // EXAMINE: read-only, so reading never changes \Seen or \Recent.
        let mut cmd = b"EXAMINE ".to_vec();
        cmd.extend(quote(mutf7(&a.folder).as_bytes())?);
        // CONDSTORE (RFC 7162) for the folder's HIGHESTMODSEQ; with QRESYNC
        // and the caller's modSeq, the UIDs expunged since (VANISHED).
        self.refresh_capabilities()?;
        match (a.uid_validity, a.mod_seq) {
            (Some(v), Some(m)) if self.has("QRESYNC") => {
                let status = self.run(b"ENABLE QRESYNC", MAX_LINE, 0, |_| Ok(()))?;
                refused(status, "ENABLE QRESYNC")?;
                cmd.extend(format!(" (QRESYNC ({v} {m}))").as_bytes());
            }
            _ if self.has("CONDSTORE") => cmd.extend(b" (CONDSTORE)"),
            _ => {}
        }
        let (mut uid_validity, mut uid_next, mut exists) = (None, None, 0u64);
        let (mut highest_mod_seq, mut vanished) = (None, Vec::new());
        let status = self.run(&cmd, MAX_LINE, MAX_SMALL_LITERALS, |resp| {
            let t = resp.text_lossy();
            if let Some(set) = t.strip_prefix("* VANISHED (EARLIER) ") {
                expand_uid_set(set.trim(), &mut vanished);
            } else if let Some(v) = response_code(&t, "HIGHESTMODSEQ") {
                highest_mod_seq = v.trim().parse::<u64>().ok();
            } else if let Some(v) = response_code(&t, "UIDVALIDITY") {
                uid_validity = v.trim().parse::<u64>().ok();
            } else if let Some(v) = response_code(&t, "UIDNEXT") {
                uid_next = v.trim().parse::<u64>().ok();
            } else if let Some(n) = t.strip_prefix("* ").and_then(|r| r.strip_suffix(" EXISTS")) {
                exists = n.parse().unwrap_or(0);
            }
            Ok(())
        })?;
        if let Err(text) = status {
            return Err(fail(
                "folderNotFound",
                format!("cannot open folder {:?}: {}", a.folder, clip(&text)),
            ));
        }
        let uid_validity = uid_validity
            .ok_or_else(|| fail("protocolError", "server sent no UIDVALIDITY for the folder"))?;
        let reset = a.uid_validity.is_some_and(|v| v != uid_validity);
        let since = if reset { 0 } else { a.since_uid.unwrap_or(0) };

        let mut uids = Vec::new();
        if exists > 0 {
            let status = self.run(
                format!("UID SEARCH UID {}:*", since + 1).as_bytes(),
                MAX_SEARCH_LINE,
                0,
                |resp| {
                    let t = resp.text_lossy();
                    if let Some(rest) = t.strip_prefix("* SEARCH") {
                        uids.extend(
                            rest.split_ascii_whitespace()
                                .filter_map(|n| n.parse::<u64>().ok()),
                        );
                    }
                    Ok(())
                },
            )?;
            refused(status, "UID SEARCH")?;
        }
        uids.sort_unstable();
        uids.dedup();
        // With "n:*", "*" is the highest UID even when it is below n (RFC 9051
        // §6.4.8), so the last message always matches: it tells us the highest
        // UID, and it must not be returned again.
        let highest_uid = uids.last().copied().unwrap_or(0);
        uids.retain(|&u| u > since);
        // A first sync's window: the same UIDs, only those since the day.
        if let Some(day) = a.imap_since_date().filter(|_| !uids.is_empty()) {
            let mut dated = Vec::new();
            let status = self.run(
                format!("UID SEARCH UID {}:* SINCE {day}", since + 1).as_bytes(),
                MAX_SEARCH_LINE,
                0,
                |resp| {
                    let t = resp.text_lossy();
                    if let Some(rest) = t.strip_prefix("* SEARCH") {
                        dated.extend(
                            rest.split_ascii_whitespace()
                                .filter_map(|n| n.parse::<u64>().ok()),
                        );
                    }
                    Ok(())
                },
            )?;
            refused(status, "UID SEARCH SINCE")?;
            dated.sort_unstable();
            uids.retain(|u| dated.binary_search(u).is_ok());
        }

        let wanted: Vec<u64> = uids.iter().copied().take(a.max_messages as usize).collect();
        let mut metas = Vec::new();
        if !wanted.is_empty() {
            let cmd = format!(
                "UID FETCH {} (UID FLAGS INTERNALDATE RFC822.SIZE)",
                uid_set(&wanted)
            );
            let status = self.run(cmd.as_bytes(), MAX_LINE, MAX_SMALL_LITERALS, |resp| {
                if let Some(m) = parse_fetch(resp)?
                    && wanted.binary_search(&m.uid).is_ok()
                    && m.size.is_some()
                {
                    metas.push(m);
                }
                Ok(())
            })?;
            refused(status, "UID FETCH")?;
        }
        metas.sort_by_key(|m| m.uid);
        metas.dedup_by_key(|m| m.uid);

        // Bodies within maxBytes, in UID order (the caller advances sinceUid
        // to the last UID returned, so nothing may be skipped). A message
        // bigger than maxBytes on its own comes back without its body.
        let mut used = 0u64;
        let mut take = 0;
        let mut bodies_wanted = Vec::new();
        for m in &metas {
            // Headers only: each header block is small, so every message is
            // asked for; `max_bytes` bounds the answer's literals.
            let size = if a.headers_only {
                0
            } else {
                m.size.unwrap_or(0)
            };
            if size > a.max_bytes {
                take += 1;
                continue;
            }
            if used + size > a.max_bytes {
                break;
            }
            used += size;
            bodies_wanted.push(m.uid);
            take += 1;
        }
        metas.truncate(take);
        let mut bodies: Vec<(u64, Vec<u8>)> = Vec::new();
        if !bodies_wanted.is_empty() {
            let section = if a.headers_only { "HEADER" } else { "" };
            let cmd = format!(
                "UID FETCH {} (UID BODY.PEEK[{section}])",
                uid_set(&bodies_wanted)
            );
            // A little slack: RFC822.SIZE is the server's own figure.
            let budget = a.max_bytes + 64 * 1024;
            let status = self.run(cmd.as_bytes(), MAX_LINE, budget, |resp| {
                if let Some(m) = parse_fetch(resp)?
                    && let Some(body) = m.body
                    && bodies_wanted.binary_search(&m.uid).is_ok()
                {
                    bodies.push((m.uid, body));
                }
                Ok(())
            })?;
            refused(status, "UID FETCH")?;
        }
        let more = metas.len() < uids.len();
        let messages: Vec<Value> = metas
            .into_iter()
            .filter_map(|m| {
                let body = bodies
                    .iter()
                    .position(|(u, _)| *u == m.uid)
                    .map(|i| bodies.swap_remove(i).1);
                let too_large = !a.headers_only && m.size.unwrap_or(0) > a.max_bytes;
                // A body we asked for but did not get: the message was
                // expunged meanwhile, so it is gone.
                if body.is_none() && !too_large {
                    return None;
                }
                Some(json!({
                    "uid": m.uid,
                    "flags": m.flags,
                    "internalDate": m.internal_date,
                    "size": m.size,
                    "mime": body.map(|b| B64.encode(b)),
                }))
            })
            .collect();
        Ok(json!({
            "uidValidity": uid_validity,
            "uidNext": uid_next,
            "highestUid": highest_uid,
            "reset": reset,
            "messages": messages,
            "more": more,
            // This page's messages and those after it: "1,240 of 3,100".
            "remaining": uids.len(),
            "highestModSeq": highest_mod_seq,
            "vanished": vanished,
        }))
    }
}

/// `imapSync`: EXAMINE the folder, then the messages with UID > sinceUid
/// (all of them when uidValidity changed), up to maxMessages and maxBytes.
pub fn sync(a: &SyncArgs, roots: RootCertStore) -> Result<Value, Fail> {
    let mut s = Session::open(&a.imap, roots)?;
    let v = s.sync(a)?;
    s.logout();
    Ok(v)
}

/// Sync trusting Mozilla's roots and the system's store (or the pin).
pub fn sync_public(a: &SyncArgs) -> Result<Value, Fail> {
    sync(a, public_roots())
}

/// Most UIDs one answer reports expunged; the rest are left out.
const MAX_VANISHED: usize = 10_000;

/// `1:3,5` → 1, 2, 3, 5 appended to `out` (at most [`MAX_VANISHED`]).
fn expand_uid_set(set: &str, out: &mut Vec<u64>) {
    for part in set.split(',') {
        let (lo, hi) = part.split_once(':').unwrap_or((part, part));
        let (Ok(lo), Ok(hi)) = (lo.parse::<u64>(), hi.parse::<u64>()) else {
            continue;
        };
        for uid in lo.min(hi)..=lo.max(hi) {
            if out.len() >= MAX_VANISHED {
                return;
            }
            out.push(uid);
        }
    }
}

/// Sorted UIDs as a compact set: 1,3:5,9.
fn uid_set(uids: &[u64]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_pure_helpers() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[9]), "9");
        let mut v = vec![];
        expand_uid_set("1:3,7,9:8,x", &mut v);
        assert_eq!(v, [1, 2, 3, 7, 8, 9]);
        let mut v = vec![];
        expand_uid_set("1:4294967295", &mut v);
        assert_eq!(v.len(), MAX_VANISHED);
    }
}
