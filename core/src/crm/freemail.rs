//! Free-mail domains: an address there says nothing about the person's
//! company, so no company is made or linked from it.
//!
//! The list is data (`freemail.txt`, one domain a line, its sources in its
//! header), compiled for Inlay from the providers' own public pages.

use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The list as shipped: `#` comments and blank lines ignored.
const LIST: &str = include_str!("freemail.txt");

/// Whether `domain` (lower-case ASCII) is a free-mail domain. The list is
/// read once into a set: an import asks for every row.
pub fn is_free_mail(domain: &str) -> bool {
    static SET: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| domains().collect());
    set.contains(domain.trim_end_matches('.'))
}

/// Every free-mail domain in the list.
pub fn domains() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_lower_case_domains_each_once() {
        let all: Vec<&str> = domains().collect();
        assert!(all.len() > 50);
        for d in &all {
            assert!(
                d.contains('.')
                    && d.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'.'
                        || b == b'-'),
                "{d}"
            );
            assert_eq!(all.iter().filter(|x| *x == d).count(), 1, "{d} twice");
        }
        assert!(is_free_mail("gmail.com") && is_free_mail("proton.me"));
        assert!(!is_free_mail("example.com"));
    }
}
