//! The checks the `rpc` fuzz target runs on each input, shared with the
//! replay test (core/tests/fuzz_regressions.rs): `parse_request` on any text,
//! from either caller, never panics, keeps its size limits, gives a content
//! script nothing a page could not ask for, and what it accepts survives a
//! round trip through its own JSON unchanged (so normalising, e.g. trimming
//! an address, is settled in one pass).

use inlay_core::rpc::{
    Caller, MAX_CONTENT_MESSAGE_BYTES, MAX_PAGE_MESSAGE_BYTES, Request, parse_request,
};

pub fn check(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let content = parse_request(Caller::ContentScript, json);
    let page = parse_request(Caller::ExtensionPage, json);
    for (result, limit) in [
        (&content, MAX_CONTENT_MESSAGE_BYTES),
        (&page, MAX_PAGE_MESSAGE_BYTES),
    ] {
        match result {
            Ok(_) => assert!(json.len() <= limit),
            Err(e) if e.code == "tooLarge" => assert!(json.len() > limit),
            Err(e) => assert_eq!(e.code, "invalidMessage", "{e}"),
        }
    }
    if content.is_ok() {
        // A content script's schema is a subset of a page's.
        assert!(
            page.is_ok(),
            "content script accepted what a page may not send: {json}"
        );
    }
    if let Ok(Request::ContentScript(request)) = &content {
        let again = serde_json::to_string(request).expect("a request serialises");
        assert_eq!(
            parse_request(Caller::ContentScript, &again).as_ref(),
            Ok(&Request::ContentScript(request.clone()))
        );
    }
    if let Ok(Request::ExtensionPage(request)) = &page {
        let again = serde_json::to_string(request).expect("a request serialises");
        assert_eq!(
            parse_request(Caller::ExtensionPage, &again).as_ref(),
            Ok(&Request::ExtensionPage(request.clone())),
            "{again}"
        );
    }
}
