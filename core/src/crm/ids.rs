//! Record ids and references.
//!
//! An id is a kind prefix and 16 lower-case base32 characters (80 bits):
//! `ct_…` contact, `co_…` company, `dl_…` deal, `tk_…` task, `nt_…` note,
//! `tl_…` timeline entry, `im_…` import, `tr_…` trash entry. The bits come
//! from the shell's random bytes, stretched with SHA-256 and a counter so
//! that one call can make as many ids as a 50,000-row import needs from one
//! short random seed. A [`RecordRef`] is `"<kind>:<id>"` (`contact:ct_…`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{CrmError, CrmErrorCode, CrmResult};

/// The random bytes a write needs at least (the seed of its ids).
pub const MIN_RANDOM_BYTES: usize = 32;

/// What an id names; its two-letter prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Contact,
    Company,
    Deal,
    Task,
    Note,
    Timeline,
    Import,
    Trash,
}

impl IdKind {
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Contact => "ct_",
            IdKind::Company => "co_",
            IdKind::Deal => "dl_",
            IdKind::Task => "tk_",
            IdKind::Note => "nt_",
            IdKind::Timeline => "tl_",
            IdKind::Import => "im_",
            IdKind::Trash => "tr_",
        }
    }
}

/// Whether `id` is a well-formed id of `kind`.
pub fn is_id(kind: IdKind, id: &str) -> bool {
    id.strip_prefix(kind.prefix()).is_some_and(|rest| {
        rest.len() == 16
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
    })
}

/// Checks an id given in a command or a file.
pub fn check_id(kind: IdKind, id: &str) -> CrmResult<()> {
    if is_id(kind, id) {
        Ok(())
    } else {
        Err(CrmError::new(
            CrmErrorCode::InvalidId,
            format!(
                "\"{}\" is not an id of a {}.",
                clip(id),
                RecordKind::of(kind).map_or("record", RecordKind::noun)
            ),
        ))
    }
}

/// At most 40 characters of a value quoted in a sentence.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The records a reference can name (each has a timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    Contact,
    Company,
    Deal,
    Task,
    Note,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Contact,
        RecordKind::Company,
        RecordKind::Deal,
        RecordKind::Task,
        RecordKind::Note,
    ];

    pub fn id_kind(self) -> IdKind {
        match self {
            RecordKind::Contact => IdKind::Contact,
            RecordKind::Company => IdKind::Company,
            RecordKind::Deal => IdKind::Deal,
            RecordKind::Task => IdKind::Task,
            RecordKind::Note => IdKind::Note,
        }
    }

    fn of(kind: IdKind) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.id_kind() == kind)
    }

    /// The kind of record an id names, from its prefix.
    pub fn of_id(id: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| is_id(k.id_kind(), id))
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Company => "company",
            RecordKind::Deal => "deal",
            RecordKind::Task => "task",
            RecordKind::Note => "note",
        }
    }

    /// The word in a sentence.
    pub fn noun(self) -> &'static str {
        self.name()
    }
}

/// `"contact:ct_…"`: which record, of which kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct RecordRef {
    kind: RecordKind,
    id: String,
}

impl RecordRef {
    /// A reference to a record id; `None` if the id has no record kind.
    pub fn to(id: &str) -> Option<RecordRef> {
        RecordKind::of_id(id).map(|kind| RecordRef {
            kind,
            id: id.to_string(),
        })
    }

    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.id)
    }
}

impl TryFrom<String> for RecordRef {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let bad = || format!("\"{}\" is not a record reference (kind:id)", clip(&value));
        let (kind, id) = value.split_once(':').ok_or_else(bad)?;
        let kind = RecordKind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .ok_or_else(bad)?;
        if !is_id(kind.id_kind(), id) {
            return Err(bad());
        }
        Ok(RecordRef {
            kind,
            id: id.to_string(),
        })
    }
}

impl From<RecordRef> for String {
    fn from(value: RecordRef) -> String {
        value.to_string()
    }
}

/// Makes ids from the shell's random bytes.
pub struct IdSource {
    seed: [u8; 32],
    counter: u64,
}

impl IdSource {
    /// A source seeded with `random`; too few bytes is the shell's bug,
    /// refused in words.
    pub fn new(random: &[u8]) -> CrmResult<IdSource> {
        if random.len() < MIN_RANDOM_BYTES {
            return Err(CrmError::new(
                CrmErrorCode::NeedRandom,
                format!(
                    "Inlay needs at least {MIN_RANDOM_BYTES} random bytes to make record ids and got {}. Please report this to Inlay's support.",
                    random.len()
                ),
            ));
        }
        Ok(IdSource {
            seed: Sha256::digest(random).into(),
            counter: 0,
        })
    }

    /// A new id of `kind`.
    pub fn next(&mut self, kind: IdKind) -> String {
        let mut hash = Sha256::new();
        hash.update(self.seed);
        hash.update(self.counter.to_le_bytes());
        self.counter += 1;
        let bytes = hash.finalize();
        format!("{}{}", kind.prefix(), base32(&bytes[..10]))
    }
}

/// An id of `kind` from at least 10 bytes of a hash: the same bytes, the same
/// id (a logged email's entry, from its Message-ID).
pub(crate) fn id_from_hash(kind: IdKind, hash: &[u8]) -> String {
    format!("{}{}", kind.prefix(), base32(&hash[..10]))
}

/// A new import's id (`im_…`), from the shell's random bytes.
pub fn new_import_id(random: &[u8]) -> CrmResult<String> {
    Ok(IdSource::new(random)?.next(IdKind::Import))
}

/// RFC 4648 base32, lower-case, of 10 bytes (16 characters, no padding).
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(16);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_16_base32_characters() {
        let mut ids = IdSource::new(&[7; 32]).unwrap();
        let a = ids.next(IdKind::Contact);
        let b = ids.next(IdKind::Contact);
        assert!(is_id(IdKind::Contact, &a), "{a}");
        assert_ne!(a, b);
        assert!(!is_id(IdKind::Company, &a));
        assert_eq!(
            RecordRef::to(&a).unwrap().to_string(),
            format!("contact:{a}")
        );
        assert!(IdSource::new(&[0; 31]).is_err());
    }
}
