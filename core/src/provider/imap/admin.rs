//! The managed policy's mail settings (`mailSettings`: `[{domain, settings}]`),
//! read leniently. An administrator's typo must not take the other domains'
//! settings down with it, nor vanish without a word: each entry is read on
//! its own, and one Inlay can't use is named in the discovery's evidence.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{DomainSettings, MailSettings};
use crate::idn;

/// The policy's list as the shell read it from managed storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "Lenient")]
pub struct AdminPolicy {
    entries: Vec<Entry>,
    /// The value was not a list at all.
    not_a_list: bool,
}

// A policy holds a handful of entries, read once per discovery: boxing the
// settings buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Settings(DomainSettings),
    /// Names a domain, but its settings are not in the expected shape.
    Misshapen {
        domain: String,
    },
    /// Not even a domain.
    Unreadable,
}

/// What serde reads before [`AdminPolicy`] sorts it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient {
    List(Vec<LenientEntry>),
    Other(IgnoredAny),
}

#[allow(clippy::large_enum_variant)]
#[derive(Deserialize)]
#[serde(untagged)]
enum LenientEntry {
    Settings(DomainSettings),
    Misshapen { domain: String },
    Unreadable(IgnoredAny),
}

impl From<Lenient> for AdminPolicy {
    fn from(value: Lenient) -> Self {
        match value {
            Lenient::List(entries) => AdminPolicy {
                entries: entries
                    .into_iter()
                    .map(|e| match e {
                        LenientEntry::Settings(s) => Entry::Settings(s),
                        LenientEntry::Misshapen { domain } => Entry::Misshapen { domain },
                        LenientEntry::Unreadable(_) => Entry::Unreadable,
                    })
                    .collect(),
                not_a_list: false,
            },
            Lenient::Other(_) => AdminPolicy {
                entries: Vec::new(),
                not_a_list: true,
            },
        }
    }
}

impl From<Vec<DomainSettings>> for AdminPolicy {
    fn from(settings: Vec<DomainSettings>) -> Self {
        AdminPolicy {
            entries: settings.into_iter().map(Entry::Settings).collect(),
            not_a_list: false,
        }
    }
}

impl AdminPolicy {
    /// The settings configured for `domain` (an ASCII, lower-case domain).
    pub fn settings_for(&self, domain: &str) -> Option<&MailSettings> {
        self.entries.iter().find_map(|e| match e {
            Entry::Settings(s) if same_domain(&s.domain, domain) => Some(&s.settings),
            _ => None,
        })
    }

    /// Sentences for the evidence about entries that could apply to
    /// `domain` but can't be used: the domain's own misshapen entry, and
    /// entries (or a whole policy) Inlay can't read at all.
    pub fn problems(&self, domain: &str) -> Vec<String> {
        const ASK: &str = "ask your administrator to correct the policy";
        let mut out = Vec::new();
        if self.not_a_list {
            out.push(format!(
                "Your administrator's mail settings policy is not a list of domains, so it was \
                 ignored; {ASK}."
            ));
        }
        let unreadable = self
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Unreadable))
            .count();
        if unreadable > 0 {
            out.push(format!(
                "{unreadable} of your administrator's mail settings name no domain, so they were \
                 ignored; {ASK}."
            ));
        }
        for entry in &self.entries {
            if let Entry::Misshapen { domain: d } = entry
                && same_domain(d, domain)
            {
                out.push(format!(
                    "Your administrator's settings for {domain} were ignored: they are not in the \
                     expected shape (an imap and an smtp server, each with host, port, security \
                     and username); {ASK}."
                ));
            }
        }
        out
    }
}

fn same_domain(configured: &str, domain: &str) -> bool {
    let configured = configured.trim().trim_end_matches('.').to_lowercase();
    let ascii = idn::domain_to_ascii(&configured).unwrap_or(configured);
    ascii == domain
}
