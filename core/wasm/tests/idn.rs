//! International domain names in the module, which has no UTS 46 tables: the
//! binding installs the JS `URL` parser (Node's is WHATWG, as the browser's),
//! and every answer matches the native one (core/tests/idn.rs, same table).
//! The module's start installs it in the extension; tests run no start
//! function, so each installs it first.

mod support;

use support::{get, js};
use wasm_bindgen_test::wasm_bindgen_test;

include!("../../tests/idn/cases.rs");

#[wasm_bindgen_test]
fn an_address_domain_comes_back_in_ascii_or_is_refused() {
    inlay_wasm::install_url_parser();
    for (domain, want) in ADDRESS_DOMAINS {
        // The domain detection looks up (its MX query's `name`), if any.
        let mut detect = inlay_wasm::DetectMachine::new(&format!("jo@{domain}"));
        let got = detect
            .start(0.0, &[])
            .ok()
            .and_then(|step| get(&step, "request.url").as_string())
            .and_then(|url| {
                let name = url.split_once("name=")?.1;
                Some(name.split('&').next()?.to_string())
            });
        assert_eq!(got.as_deref(), *want, "{domain}");
    }
}

#[wasm_bindgen_test]
fn a_url_host_comes_back_in_ascii_or_is_refused() {
    inlay_wasm::install_url_parser();
    for (url, want) in HOST_PATTERNS {
        assert_eq!(inlay_wasm::host_pattern(url).as_deref(), *want, "{url}");
    }
}

#[wasm_bindgen_test]
fn a_recipient_domain_is_built_in_ascii_or_refused() {
    inlay_wasm::install_url_parser();
    for (to, want) in RECIPIENTS {
        let got = inlay_wasm::build_message(js(draft_to(to))).map(|b| to_header_address(&b));
        assert_eq!(got.as_ref().ok().map(String::as_str), *want, "{to}");
    }
}
