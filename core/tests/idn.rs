//! International domain names natively (the idna crate's tables); the wasm
//! binding's tests (core/wasm/tests/idn.rs) hold the browser's parser to the
//! same table.

use inlay_core::detect::parse_address;
use inlay_core::http::host_pattern;

include!("idn/cases.rs");

#[test]
fn an_address_domain_comes_back_in_ascii_or_is_refused() {
    for (domain, want) in ADDRESS_DOMAINS {
        let got = parse_address(&format!("jo@{domain}")).map(|a| a.domain);
        assert_eq!(
            got.as_ref().ok().map(String::as_str),
            *want,
            "{domain}: {got:?}"
        );
    }
}

#[test]
fn a_url_host_comes_back_in_ascii_or_is_refused() {
    for (url, want) in HOST_PATTERNS {
        assert_eq!(host_pattern(url).as_deref(), *want, "{url}");
    }
}

#[test]
fn a_recipient_domain_is_built_in_ascii_or_refused() {
    for (to, want) in RECIPIENTS {
        let draft: inlay_core::message::Draft = serde_json::from_value(draft_to(to)).unwrap();
        let got = inlay_core::message::build_message(&draft).map(|b| to_header_address(&b));
        assert_eq!(
            got.as_ref().ok().map(String::as_str),
            *want,
            "{to}: {got:?}"
        );
    }
}
