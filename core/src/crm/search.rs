//! Search: the keys stored on each record, the keys of a query, and the
//! ranking of what the store found.
//!
//! Keys are folded tokens ([`super::fold`]): the words of names, the full
//! name, each address with its local part, its words and its domain, the
//! domain's labels, the company's name. Only the keys a search needs are
//! stored: the full name only when its first word is no name word (a query
//! token has no space, so it can only prefix that first word), and no address
//! part that begins another key up to a separator (`acme` of `acme.example`:
//! the prefix range finds the longer one for every query the shorter would
//! match; ranking reads names and addresses from the record itself). The
//! store indexes them (multiEntry) and looks up the query's longest key as a
//! prefix; [`rank`] then keeps the
//! records every query token prefix-matches and orders them: exact matches
//! before prefixes, a name before an address before a company, then the
//! most recent activity, then the name.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

use super::address::parse_contact_address;
use super::error::{CrmError, CrmErrorCode, CrmResult};
use super::fold::fold;
use super::ids::{RecordKind, RecordRef};
use super::model::{AnyRecord, Company, Contact, Deal, person_title};

/// Longest key kept (longer words are cut; a prefix search still finds them).
const MAX_KEY_CHARS: usize = 64;
/// Most keys on one record.
const MAX_KEYS: usize = 64;

/// The words of a text, folded: split at spaces and punctuation, and a
/// hyphenated or dotted word also whole (`jean-luc` → `jean-luc`, `jean`,
/// `luc`).
pub fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = vec![];
    for word in folded.split(|c: char| c.is_whitespace() || ",;:/()[]{}\"'<>!?&|".contains(c)) {
        if word.is_empty() {
            continue;
        }
        out.push(word.to_string());
        if word.contains(['-', '.', '_', '+']) {
            out.extend(
                word.split(['-', '.', '_', '+'])
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            );
        }
    }
    out
}

/// The keys of an address: itself, its local part and that part's words,
/// its domain and the domain's labels but the last.
fn address_words(address: &str) -> Vec<String> {
    let folded = fold(address);
    let mut out = vec![folded.clone()];
    let (local, domain) = match parse_contact_address(address) {
        Ok(a) => (fold(&a.local), a.domain),
        Err(_) => match folded.split_once('@') {
            Some((l, d)) => (l.to_string(), d.to_string()),
            None => return out,
        },
    };
    out.extend(words(&local));
    out.push(domain.clone());
    let labels: Vec<&str> = domain.split('.').collect();
    out.extend(
        labels[..labels.len().saturating_sub(1)]
            .iter()
            .map(|l| l.to_string()),
    );
    out
}

fn cut(key: String) -> String {
    match key.char_indices().nth(MAX_KEY_CHARS) {
        Some((i, _)) => key[..i].to_string(),
        None => key,
    }
}

fn finish(keys: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for key in keys {
        let key = cut(key);
        if !key.is_empty() && !out.contains(&key) && out.len() < MAX_KEYS {
            out.push(key);
        }
    }
    out
}

/// Whether `key` is another key's beginning up to a separator (`acme` of
/// `acme.example`, `ann` of `ann@acme.example`): a prefix range finds the
/// longer key for every query the shorter would match, close to the range's
/// start (separators sort before letters and digits).
fn begins_another(key: &str, keys: &[String]) -> bool {
    keys.iter().any(|k| {
        k.len() > key.len()
            && k.starts_with(key)
            && k[key.len()..].starts_with(['.', '@', '-', '_', '+'])
    })
}

/// `keys` less the address parts (not also a name) that begin another key:
/// each is a stored key the index writes on every put and no search needs,
/// since ranking reads names and addresses from the record itself.
fn without_address_prefixes(
    keys: Vec<String>,
    names: &[String],
    address: &[String],
) -> Vec<String> {
    let cut_names: Vec<String> = names.iter().cloned().map(cut).collect();
    let keep: Vec<bool> = keys
        .iter()
        .map(|k| {
            !address.iter().any(|a| cut(a.clone()) == *k)
                || cut_names.contains(k)
                || !begins_another(k, &keys)
        })
        .collect();
    keys.into_iter()
        .zip(keep)
        .filter_map(|(k, keep)| keep.then_some(k))
        .collect()
}

/// The full name as a key, when a query could match it and no name word
/// (ranked higher) also: its first word is not a name word (`(jj) lee`). A
/// query token has no space, so it can only prefix the full name's first word.
fn full_name_key(first: &str, last: &str, names: &[String]) -> Option<String> {
    let full = full_name(first, last);
    let (head, _) = full.split_once(' ')?;
    (!head.is_empty() && !names.iter().any(|w| w == head)).then_some(full)
}

fn full_name(first: &str, last: &str) -> String {
    fold(&format!("{first} {last}"))
}

/// A contact's keys; `company` is the name of its company, if any.
pub fn contact_keys(c: &Contact, company: Option<&str>) -> Vec<String> {
    let mut names = words(&c.first_name);
    names.extend(words(&c.last_name));
    let mut keys = names.clone();
    keys.extend(full_name_key(&c.first_name, &c.last_name, &names));
    let addresses: Vec<String> = c.emails.iter().flat_map(|a| address_words(a)).collect();
    keys.extend(addresses.iter().cloned());
    if let Some(company) = company {
        keys.extend(words(company));
    }
    let company_words: Vec<String> = company.map(words).unwrap_or_default();
    let keys = finish(keys);
    // A company word is ranked from the stored keys: it always stays.
    let address_only: Vec<String> = addresses
        .into_iter()
        .filter(|a| !company_words.contains(a))
        .collect();
    without_address_prefixes(keys, &names, &address_only)
}

/// The keys a contact holds from its company's name (its keys less those of
/// its own names and addresses): kept when the company's record is not at
/// hand, as in a merge.
pub fn company_words(c: &Contact) -> Vec<String> {
    let own = contact_keys(c, None);
    c.search_keys
        .iter()
        .filter(|k| !own.contains(k))
        .cloned()
        .collect()
}

/// A contact's sort name: its folded name, else its primary address.
pub fn contact_sort_name(c: &Contact) -> String {
    let full = full_name(&c.first_name, &c.last_name);
    if full.is_empty() {
        c.emails.first().map(|e| fold(e)).unwrap_or_default()
    } else {
        full
    }
}

/// A company's keys: its name, whole and by word, and its domains.
pub fn company_keys(c: &Company) -> Vec<String> {
    let names = words(&c.name);
    let mut keys = whole_name_key(&c.name, &names)
        .into_iter()
        .collect::<Vec<_>>();
    keys.extend(names.iter().cloned());
    let mut domains = vec![];
    for domain in &c.domains {
        domains.push(domain.clone());
        let labels: Vec<&str> = domain.split('.').collect();
        domains.extend(
            labels[..labels.len().saturating_sub(1)]
                .iter()
                .map(|l| l.to_string()),
        );
    }
    keys.extend(domains.iter().cloned());
    without_address_prefixes(finish(keys), &names, &domains)
}

/// A name, whole, as a key when a query could match it and no word of it
/// (ranked higher) also: see [`full_name_key`].
fn whole_name_key(name: &str, words: &[String]) -> Option<String> {
    let whole = fold(name);
    match whole.split_once(' ') {
        Some((head, _)) if words.iter().any(|w| w == head) => None,
        _ => Some(whole),
    }
}

/// A deal's keys: its name, and its company's name if any.
pub fn deal_keys(d: &Deal, company: Option<&str>) -> Vec<String> {
    let names = words(&d.name);
    let mut keys = whole_name_key(&d.name, &names)
        .into_iter()
        .collect::<Vec<_>>();
    keys.extend(names);
    if let Some(company) = company {
        keys.extend(words(company));
    }
    finish(keys)
}

/// The keys of what the user typed (at most 8, each folded). The store looks
/// up the longest as a prefix of `searchKeys`.
pub fn query_keys(query: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for word in fold(query).split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        if !word.is_empty() && !out.iter().any(|w| w == word) && out.len() < 8 {
            out.push(word.to_string());
        }
    }
    out
}

/// Which of a record's fields a hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum MatchedField {
    Company,
    Address,
    Name,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub record: RecordRef,
    pub kind: RecordKind,
    pub title: String,
    /// The primary address, a domain, or a deal's amount.
    pub subtitle: String,
    pub matched: MatchedField,
}

/// What ranking reads of a record: the worker sends these fields of each
/// record it found, not the whole record (reading ~600 whole records was
/// most of a search's time). Fields a kind does not have stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Candidate {
    pub id: String,
    /// A contact's.
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    /// A company's or a deal's.
    pub name: String,
    /// A company's.
    pub domains: Vec<String>,
    /// A deal's.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// A task's.
    pub title: String,
    pub due: Option<String>,
    pub last_activity_at: Option<u64>,
    pub search_keys: Vec<String>,
    pub sort_name: String,
}

impl From<&AnyRecord> for Candidate {
    fn from(record: &AnyRecord) -> Candidate {
        let mut c = Candidate {
            id: record.id().to_string(),
            last_activity_at: record.last_activity_at(),
            search_keys: record.search_keys().to_vec(),
            sort_name: record.sort_name(),
            ..Candidate::default()
        };
        match record {
            AnyRecord::Contact(r) => {
                c.first_name = r.first_name.clone();
                c.last_name = r.last_name.clone();
                c.emails = r.emails.clone();
            }
            AnyRecord::Company(r) => {
                c.name = r.name.clone();
                c.domains = r.domains.clone();
            }
            AnyRecord::Deal(r) => {
                c.name = r.name.clone();
                c.amount = r.amount.clone();
                c.currency = r.currency.clone();
            }
            AnyRecord::Task(r) => {
                c.title = r.title.clone();
                c.due = r.due.clone();
            }
            // A note has no search keys: it never matches.
            AnyRecord::Note(_) => {}
        }
        c
    }
}

/// Reads the worker's candidates (JSON text) straight into [`Candidate`]s:
/// no intermediate `serde_json::Value`, fields it does not name skipped. A
/// candidate whose id names no kind of record is refused, named.
pub fn read_candidates(json: &str) -> CrmResult<Vec<Candidate>> {
    let refused = |why: String| {
        CrmError::new(
            CrmErrorCode::InvalidArgument,
            format!("The argument candidates doesn't have the expected shape: {why}"),
        )
    };
    let candidates: Vec<Candidate> =
        serde_json::from_str(json).map_err(|e| refused(e.to_string()))?;
    match candidates
        .iter()
        .find(|c| RecordKind::of_id(&c.id).is_none())
    {
        Some(c) => Err(refused(format!("a record with id {:?} of no kind", c.id))),
        None => Ok(candidates),
    }
}

/// A candidate's keys by field, strongest first.
fn fields(kind: RecordKind, c: &Candidate) -> Vec<(MatchedField, Vec<String>)> {
    let (names, addresses) = match kind {
        RecordKind::Contact => {
            let mut names = words(&c.first_name);
            names.extend(words(&c.last_name));
            let addresses = c.emails.iter().flat_map(|a| address_words(a)).collect();
            (names, addresses)
        }
        RecordKind::Company => {
            let domains = c
                .domains
                .iter()
                .flat_map(|d| {
                    let labels: Vec<String> = d.split('.').map(str::to_string).collect();
                    std::iter::once(d.clone()).chain(labels)
                })
                .collect();
            (words(&c.name), domains)
        }
        RecordKind::Deal => (words(&c.name), vec![]),
        RecordKind::Task => (words(&c.title), vec![]),
        RecordKind::Note => (vec![], vec![]),
    };
    let others = c
        .search_keys
        .iter()
        .filter(|k| !names.contains(k) && !addresses.contains(k))
        .cloned()
        .collect();
    vec![
        (MatchedField::Name, names),
        (MatchedField::Address, addresses),
        (MatchedField::Company, others),
    ]
}

/// How one query token matched: exact beats prefix, then the field.
fn best_match(token: &str, fields: &[(MatchedField, Vec<String>)]) -> Option<(bool, MatchedField)> {
    let mut best: Option<(bool, MatchedField)> = None;
    for (field, keys) in fields {
        for key in keys {
            let found = if key == token {
                Some((true, *field))
            } else if key.starts_with(token) {
                Some((false, *field))
            } else {
                None
            };
            if found > best {
                best = found;
            }
        }
    }
    best
}

fn title(kind: RecordKind, c: &Candidate) -> String {
    match kind {
        RecordKind::Contact => person_title(&c.first_name, &c.last_name, &c.emails),
        RecordKind::Company | RecordKind::Deal => c.name.clone(),
        RecordKind::Task => c.title.clone(),
        RecordKind::Note => "Note".into(),
    }
}

fn subtitle(kind: RecordKind, c: &Candidate) -> String {
    match kind {
        RecordKind::Contact => c.emails.first().cloned().unwrap_or_default(),
        RecordKind::Company => c.domains.first().cloned().unwrap_or_default(),
        RecordKind::Deal => match (&c.amount, &c.currency) {
            (Some(a), Some(c)) => format!("{a} {c}"),
            (Some(a), None) => a.clone(),
            _ => String::new(),
        },
        RecordKind::Task => c.due.clone().unwrap_or_default(),
        RecordKind::Note => String::new(),
    }
}

/// The records every query token prefix-matches, best first, at most
/// `limit`. An empty query finds nothing.
pub fn rank(query: &str, records: &[AnyRecord], limit: usize) -> Vec<SearchHit> {
    let candidates: Vec<Candidate> = records.iter().map(Candidate::from).collect();
    rank_candidates(query, &candidates, limit)
}

/// [`rank`] over what the worker sends; a candidate whose id names no kind
/// of record is left out.
pub fn rank_candidates(query: &str, candidates: &[Candidate], limit: usize) -> Vec<SearchHit> {
    let tokens = query_keys(query);
    if tokens.is_empty() {
        return vec![];
    }
    let mut scored = vec![];
    for candidate in candidates {
        let Some(record) = RecordRef::to(&candidate.id) else {
            continue;
        };
        let kind = record.kind();
        let fields = fields(kind, candidate);
        let mut exact = 0;
        let mut weight = 0;
        let mut matched = None;
        let mut all = true;
        for token in &tokens {
            match best_match(token, &fields) {
                Some((is_exact, field)) => {
                    exact += usize::from(is_exact);
                    weight += field as usize;
                    matched = matched.max(Some(field));
                }
                None => {
                    all = false;
                    break;
                }
            }
        }
        let Some(matched) = matched.filter(|_| all) else {
            continue;
        };
        let key = (
            Reverse(exact),
            Reverse(weight),
            Reverse(candidate.last_activity_at),
            &candidate.sort_name,
            &candidate.id,
        );
        scored.push((key, record, candidate, matched));
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, record, candidate, matched)| SearchHit {
            kind: record.kind(),
            title: title(record.kind(), candidate),
            subtitle: subtitle(record.kind(), candidate),
            record,
            matched,
        })
        .collect()
}
