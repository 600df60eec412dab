//! One email is logged once, however often it is seen: through two
//! connected inboxes, as To and as Bcc, in a first sync and again after a
//! cursor expired.
//!
//! The key is the normalised Message-ID; a message without one (some
//! automated senders) gets a fingerprint of what every copy shares: the
//! sender, the Date, the subject and the first recipients. The timeline
//! entry's id is derived from the key ([`received_entry_id`]), so the store
//! holds one entry per key and a second log finds the first and writes
//! nothing. Provider ids (Gmail message id, `uidvalidity:uid`, …) differ
//! between inboxes and are never part of the key.

use sha2::{Digest, Sha256};

use super::incoming::Incoming;
use crate::crm::ids::{IdKind, id_from_hash};
use crate::message::MessageSummary;

/// Longest Message-ID kept as a key (RFC 5322's line limit).
const MAX_ID: usize = 998;
/// Recipients the fingerprint reads: enough to tell two bulk messages of one
/// sender apart, few enough that a copy whose provider clipped the list
/// still matches.
const FINGERPRINT_RECIPIENTS: usize = 3;

/// The Message-ID as a key: without angle brackets and white space, its
/// domain part lower-case (RFC 5322 leaves the right side's case
/// meaningless; the left side is kept as sent). `None` if nothing usable.
pub fn message_id_key(id: &str) -> Option<String> {
    let id: String = id
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>'))
        .collect();
    if id.is_empty() || id.len() > MAX_ID {
        return None;
    }
    Some(match id.rsplit_once('@') {
        Some((left, right)) => format!("{left}@{}", right.to_lowercase()),
        None => id,
    })
}

/// A fingerprint of the headers every copy of a message shares, for one
/// without a Message-ID: hex of a SHA-256.
pub fn fingerprint(headers: &MessageSummary) -> String {
    let lower = |a: &str| a.trim().to_lowercase();
    let mut recipients: Vec<String> = headers
        .to
        .iter()
        .chain(&headers.cc)
        .take(FINGERPRINT_RECIPIENTS)
        .map(|p| lower(&p.address))
        .collect();
    recipients.sort();
    let subject = headers
        .subject
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut hash = Sha256::new();
    for part in [
        headers
            .from
            .first()
            .map(|p| lower(&p.address))
            .unwrap_or_default(),
        headers.date.map(|d| d.to_string()).unwrap_or_default(),
        subject,
        recipients.join(","),
    ] {
        // Length-prefixed: no two different field lists hash the same text.
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The domain of the Message-ID Inlay names an email without one by (its
/// fingerprint): `.invalid` (RFC 2606), so it can never be a real email's.
pub const MADE_UP_ID_DOMAIN: &str = "fingerprint.inlay.invalid";

/// Whether `id` (with or without brackets) is one Inlay made up: no
/// provider knows it, so no reply may point at it.
pub fn is_made_up_id(id: &str) -> bool {
    id.trim()
        .trim_end_matches('>')
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(MADE_UP_ID_DOMAIN))
}

/// What makes two copies the same email: `id:` and the Message-ID key, or
/// `fp:` and the fingerprint.
pub fn dedupe_key(incoming: &Incoming) -> String {
    match incoming
        .headers
        .message_id
        .as_deref()
        .and_then(message_id_key)
    {
        Some(id) => format!("id:{id}"),
        None => format!("fp:{}", fingerprint(&incoming.headers)),
    }
}

/// The id of the timeline entry a received email is logged as (whichever
/// kind: received, automatic reply, bounce): the same for every copy.
pub fn received_entry_id(incoming: &Incoming) -> String {
    let hash = Sha256::new()
        .chain_update(b"inlay emailReceived\n")
        .chain_update(dedupe_key(incoming).as_bytes())
        .finalize();
    id_from_hash(IdKind::Timeline, &hash)
}

/// For each email of a batch (a page, or pages of several inboxes), whether
/// it is the first copy of its key: later copies are duplicates.
pub fn first_copies(batch: &[Incoming]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    batch.iter().map(|i| seen.insert(dedupe_key(i))).collect()
}
