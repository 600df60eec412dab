//! A company from an address's domain, and its name from the domain.
//!
//! A contact at `ann@eu.acme.co.uk` belongs to the company whose domains
//! hold `acme.co.uk`: the registrable domain (the label before the public
//! suffix), so a subsidiary's mail host and the head office's are one
//! company. The suffixes known here are the common two-label ones; an
//! unknown one only makes the company's domain one label longer.

use super::freemail::is_free_mail;

/// Second-level public suffixes under country codes (`co.uk`, `com.au`):
/// where the registrable domain has three labels, not two.
const TWO_LABEL_SUFFIXES: [&str; 10] = [
    "co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gen",
];

/// The registrable domain of a lower-case ASCII domain: `eu.acme.com` →
/// `acme.com`, `mail.acme.co.uk` → `acme.co.uk`.
pub fn registrable_domain(domain: &str) -> String {
    let domain = domain.trim_end_matches('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return domain.to_string();
    }
    let country_code = labels[n - 1].len() == 2;
    let keep = if country_code && TWO_LABEL_SUFFIXES.contains(&labels[n - 2]) {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

/// The company domain an address's domain gives, or `None` for a free-mail
/// domain (Gmail, Outlook.com, …), which says nothing about a company.
pub fn company_domain(address_domain: &str) -> Option<String> {
    if is_free_mail(address_domain) {
        return None;
    }
    let registrable = registrable_domain(address_domain);
    (!is_free_mail(&registrable)).then_some(registrable)
}

/// A company name from its domain: the registrable label, words at hyphens,
/// each capitalised (`big-river.co.uk` → `Big River`); an `xn--` label is
/// kept as is (its Unicode form is the browser's to show).
pub fn name_from_domain(domain: &str) -> String {
    let registrable = registrable_domain(domain);
    let label = registrable.split('.').next().unwrap_or(&registrable);
    if label.starts_with("xn--") {
        return registrable;
    }
    label
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
