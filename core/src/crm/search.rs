//! Search: the keys stored on each record, the keys of a query, and the
//! ranking of what the store found.
//!
//! Keys are folded tokens ([`super::fold`]): the words of names, the full
//! name, each address with its local part, its words and its domain, the
//! domain's labels, the company's name. The store indexes them (multiEntry)
//! and looks up the query's longest key as a prefix; [`rank`] then keeps the
//! records every query token prefix-matches and orders them: exact matches
//! before prefixes, a name before an address before a company, then the
//! most recent activity, then the name.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

use super::address::parse_contact_address;
use super::fold::fold;
use super::ids::{RecordKind, RecordRef};
use super::model::{AnyRecord, Company, Contact, Deal};

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

fn finish(keys: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for key in keys {
        let key = match key.char_indices().nth(MAX_KEY_CHARS) {
            Some((i, _)) => key[..i].to_string(),
            None => key,
        };
        if !key.is_empty() && !out.contains(&key) && out.len() < MAX_KEYS {
            out.push(key);
        }
    }
    out
}

fn full_name(first: &str, last: &str) -> String {
    fold(&format!("{first} {last}"))
}

/// A contact's keys; `company` is the name of its company, if any.
pub fn contact_keys(c: &Contact, company: Option<&str>) -> Vec<String> {
    let mut keys = words(&c.first_name);
    keys.extend(words(&c.last_name));
    let full = full_name(&c.first_name, &c.last_name);
    if full.contains(' ') {
        keys.push(full);
    }
    for address in &c.emails {
        keys.extend(address_words(address));
    }
    if let Some(company) = company {
        keys.extend(words(company));
    }
    finish(keys)
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
    let mut keys = vec![fold(&c.name)];
    keys.extend(words(&c.name));
    for domain in &c.domains {
        keys.push(domain.clone());
        let labels: Vec<&str> = domain.split('.').collect();
        keys.extend(
            labels[..labels.len().saturating_sub(1)]
                .iter()
                .map(|l| l.to_string()),
        );
    }
    finish(keys)
}

/// A deal's keys: its name, and its company's name if any.
pub fn deal_keys(d: &Deal, company: Option<&str>) -> Vec<String> {
    let mut keys = vec![fold(&d.name)];
    keys.extend(words(&d.name));
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

/// A record's keys by field, strongest first.
fn fields(record: &AnyRecord) -> Vec<(MatchedField, Vec<String>)> {
    let stored = record.search_keys();
    let (names, addresses) = match record {
        AnyRecord::Contact(c) => {
            let mut names = words(&c.first_name);
            names.extend(words(&c.last_name));
            let addresses = c.emails.iter().flat_map(|a| address_words(a)).collect();
            (names, addresses)
        }
        AnyRecord::Company(c) => {
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
        AnyRecord::Deal(d) => (words(&d.name), vec![]),
        AnyRecord::Task(t) => (words(&t.title), vec![]),
        AnyRecord::Note(_) => (vec![], vec![]),
    };
    let others = stored
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

fn subtitle(record: &AnyRecord) -> String {
    match record {
        AnyRecord::Contact(c) => c.emails.first().cloned().unwrap_or_default(),
        AnyRecord::Company(c) => c.domains.first().cloned().unwrap_or_default(),
        AnyRecord::Deal(d) => match (&d.amount, &d.currency) {
            (Some(a), Some(c)) => format!("{a} {c}"),
            (Some(a), None) => a.clone(),
            _ => String::new(),
        },
        AnyRecord::Task(t) => t.due.clone().unwrap_or_default(),
        AnyRecord::Note(_) => String::new(),
    }
}

/// The candidates every query token prefix-matches, best first, at most
/// `limit`. An empty query finds nothing.
pub fn rank(query: &str, candidates: &[AnyRecord], limit: usize) -> Vec<SearchHit> {
    let tokens = query_keys(query);
    if tokens.is_empty() {
        return vec![];
    }
    let mut scored = vec![];
    for record in candidates {
        let fields = fields(record);
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
            Reverse(record.last_activity_at()),
            record.sort_name(),
            record.id().to_string(),
        );
        scored.push((key, record, matched));
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, record, matched)| SearchHit {
            record: record.reference(),
            kind: record.kind(),
            title: record.title(),
            subtitle: subtitle(record),
            matched,
        })
        .collect()
}
