//! Host names as DNS compares them: without regard to case, and with a
//! trailing dot naming the same host (`mx.example.` is `mx.example`).

/// `host` trimmed, lower-cased and without its trailing dot.
pub(crate) fn normalise(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `host` (normalised) is `domain` itself or a name under it.
pub(crate) fn in_domain(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_covers_itself_and_the_names_under_it_only() {
        assert_eq!(normalise(" MX1.Example.COM. "), "mx1.example.com");
        assert!(in_domain("example.com", "example.com"));
        assert!(in_domain("eu.mx.example.com", "example.com"));
        assert!(!in_domain("badexample.com", "example.com"));
        assert!(!in_domain("example.com.evil", "example.com"));
    }
}
