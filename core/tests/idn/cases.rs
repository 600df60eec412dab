// International domain names, and the answers both builds must give: natively
// the idna crate's UTS 46 tables convert them, in the wasm module the
// browser's URL parser does (inlay_core::idn). Included by core/tests/idn.rs
// and core/wasm/tests/idn.rs, so the two hold the same table.

/// The domain of a typed address → its ASCII form, or `None` if refused.
const ADDRESS_DOMAINS: &[(&str, Option<&str>)] = &[
    ("bücher.example", Some("xn--bcher-kva.example")),
    // Upper case and full-width forms fold to the same name.
    ("BÜCHER.Example", Some("xn--bcher-kva.example")),
    ("ｂüｃｈｅｒ．ｅｘａｍｐｌｅ", Some("xn--bcher-kva.example")),
    ("bücher.example.", Some("xn--bcher-kva.example")),
    // Percent-encoded UTF-8, as a host in a URL may carry it.
    ("b%C3%BCcher.example", Some("xn--bcher-kva.example")),
    // Normalised to NFC first (a + combining grave is à).
    ("a\u{300}b.example", Some("xn--b-rfa.example")),
    ("日本語.jp", Some("xn--wgv71a119e.jp")),
    ("straße.de", Some("xn--strae-oqa.de")),
    // Punycode labels, checked as if typed in Unicode.
    ("xn--bcher-kva.example", Some("xn--bcher-kva.example")),
    ("XN--BCHER-KVA.example", Some("xn--bcher-kva.example")),
    ("xn--ls8h.example", Some("xn--ls8h.example")),
    // Refused: a label that decodes to text not in NFC (a + combining grave),
    // punycode that does not decode, a character IDNA disallows (⒈).
    ("xn--ab-5tb.example", None),
    ("xn--a.example", None),
    ("bü⒈cher.example", None),
    // Plain ASCII names are untouched.
    ("Example.COM", Some("example.com")),
];

/// A URL → the browser's host-permission pattern for it, or `None`.
const HOST_PATTERNS: &[(&str, Option<&str>)] = &[
    (
        "https://bücher.example/EWS/Exchange.asmx",
        Some("https://xn--bcher-kva.example/*"),
    ),
    (
        "https://XN--BCHER-KVA.example:443/x?ü=ü#ü",
        Some("https://xn--bcher-kva.example/*"),
    ),
    (
        "https://user@Bücher.example/",
        Some("https://xn--bcher-kva.example/*"),
    ),
    (
        "https://b%C3%BCcher.example/",
        Some("https://xn--bcher-kva.example/*"),
    ),
    ("https://xn--ab-5tb.example/", None),
    ("https://bü⒈cher.example/", None),
    (
        "https://mail.example.com/EWS",
        Some("https://mail.example.com/*"),
    ),
];

/// A recipient of a message being built → the address in its `To:` header,
/// or `None` if the build refuses it.
const RECIPIENTS: &[(&str, Option<&str>)] = &[
    ("zoe@bücher.example", Some("zoe@xn--bcher-kva.example")),
    ("info@ÉXAMPLE.de", Some("info@xn--xample-9ua.de")),
    (
        "jo@ｂüｃｈｅｒ．ｅｘａｍｐｌｅ",
        Some("jo@xn--bcher-kva.example"),
    ),
    ("jo@bü⒈cher.example", None),
    // ⑴ maps to "(1)", which no host name may contain.
    ("jo@ü\u{2474}.example", None),
];

/// A draft to `to` (the JSON shape the worker sends to `buildMessage`).
fn draft_to(to: &str) -> serde_json::Value {
    serde_json::json!({
        "from": { "address": "ann@example.com" },
        "to": [{ "address": to }],
        "subject": "Hello",
        "text": "Hello",
        "messageId": "<m1@example.com>",
        "date": 1_764_288_000,
    })
}

/// The address in the `To:` header of built message bytes.
fn to_header_address(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .find(|l| l.starts_with("To:"))
        .expect("a To: header");
    line.trim_start_matches("To:")
        .trim()
        .trim_matches(['<', '>'])
        .to_owned()
}
