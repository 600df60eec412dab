//! Property: parse(build(draft)) gives back what the draft said, and the
//! built bytes keep RFC 5322's line rules.

use inlay_core::message::{BuildError, Draft, HeaderField, Mailbox, build_message, parse_message};
use proptest::prelude::*;

/// What the builder is documented to do to body text.
fn crlf(text: &str) -> String {
    let mut out = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    if !out.is_empty() && !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

fn expected_domain(domain: &str) -> String {
    if domain.is_ascii() {
        domain.to_owned()
    } else {
        idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::STD3)
            .unwrap()
            .into_owned()
    }
}

/// Text that would look like an RFC 2047 encoded word to a reader; the
/// builder refuses such values instead of letting them change meaning.
fn looks_encoded(s: &str) -> bool {
    s.find("=?").is_some_and(|i| s[i + 2..].contains("?="))
}

/// Any characters, weighted towards the ones encoders and folders get
/// wrong: spaces and tabs (leading, trailing, in runs), quotes, backslashes,
/// `=?`, controls, non-ASCII of every width.
fn tricky(max: usize, excluded: &'static [char]) -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        ' ', ' ', '\t', '"', '\\', '=', '?', '_', ',', ';', ':', '(', ')', '@', '.', 'a', 'Z', '0',
        'é', 'ß', 'Ж', '漢', '😀', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}',
        '\u{feff}',
    ]);
    prop::collection::vec(prop_oneof![2 => any::<char>(), 5 => special], 0..=max).prop_map(
        move |chars| {
            chars
                .into_iter()
                .filter(|c| !excluded.contains(c))
                .collect()
        },
    )
}

const HEADER_BREAKS: &[char] = &['\r', '\n', '\0'];

fn name() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        tricky(40, &['\r', '\n', '\0', '<', '>']).prop_map(Some),
        // ASCII with the characters quoting has to get right.
        "[a-zA-Z \"\\\\,.;:()@'\t]{0,30}".prop_map(Some),
    ]
}

fn local_part() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}"
        .prop_filter("no =?", |s| !s.contains("=?"))
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,12}(\\.[a-z0-9]{1,10}){0,2}\\.[a-z]{2,6}",
        // Unicode labels: IDN, written as punycode.
        "[a-zäöüéñçåøжд]{1,10}\\.[a-z]{2,4}".prop_filter("valid IDN", |d| {
            idna::domain_to_ascii_cow(d.as_bytes(), idna::AsciiDenyList::STD3)
                .is_ok_and(|a| a.len() < 60)
        }),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    (name(), local_part(), domain()).prop_map(|(name, local, domain)| Mailbox {
        name,
        address: format!("{local}@{domain}"),
    })
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        mailbox(),
        prop::collection::vec(mailbox(), 1..4),
        prop::collection::vec(mailbox(), 0..3),
        prop_oneof!["[^\r\n\0]{0,120}", tricky(120, HEADER_BREAKS)],
        prop::option::of(prop_oneof!["[^\0]{0,300}", tricky(300, &['\0'])]),
        prop::option::of(prop_oneof!["[^\0]{0,300}", tricky(300, &['\0'])]),
        prop::collection::vec(
            (
                "X-[A-Za-z]{1,10}",
                prop_oneof!["[^\r\n\0]{0,60}", tricky(120, HEADER_BREAKS)],
            ),
            0..3,
        ),
        0i64..4_102_444_800,
    )
        .prop_map(|(from, to, cc, subject, text, html, headers, date)| Draft {
            from,
            to,
            cc,
            subject,
            text,
            html,
            headers: headers
                .into_iter()
                .map(|(name, value)| HeaderField { name, value })
                .collect(),
            message_id: "<prop.1@inlay.example>".into(),
            date,
            ..Draft::default()
        })
}

fn expected_name(name: &Option<String>) -> Option<String> {
    name.as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn build_then_parse_gives_the_draft_back(draft in draft()) {
        let bytes = match build_message(&draft) {
            Ok(bytes) => bytes,
            Err(BuildError::NotRepresentable { field }) => {
                // Only text a reader would decode differently may be refused.
                let suspicious = looks_encoded(&draft.subject)
                    || draft.headers.iter().any(|h| looks_encoded(&h.value))
                    || std::iter::once(&draft.from).chain(&draft.to).chain(&draft.cc)
                        .any(|m| m.name.as_deref().is_some_and(looks_encoded));
                prop_assert!(suspicious, "refused {field} without reason: {draft:?}");
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e:?} for {draft:?}"))),
        };

        // Every line ends in CRLF, none is longer than 78 octets (addresses
        // and ids here are short, so nothing needs the 998 allowance).
        prop_assert!(bytes.ends_with(b"\r\n"));
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            prop_assert!(line.ends_with(b"\r\n"), "bare LF: {:?}", String::from_utf8_lossy(line));
            let content = &line[..line.len() - 2];
            prop_assert!(!content.contains(&b'\r'), "bare CR");
            prop_assert!(content.len() <= 78, "{} octets: {:?}", content.len(), String::from_utf8_lossy(content));
        }

        let parsed = parse_message(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let subject = Some(draft.subject.trim().to_owned()).filter(|s| !s.is_empty());
        prop_assert_eq!(&parsed.subject, &subject);
        prop_assert_eq!(parsed.date, Some(draft.date));
        prop_assert_eq!(parsed.message_id.as_deref(), Some("prop.1@inlay.example"));
        prop_assert_eq!(&parsed.text_body, &draft.text.as_deref().map(crlf).or_else(|| draft.html.is_none().then(String::new)));
        prop_assert_eq!(&parsed.html_body, &draft.html.as_deref().map(crlf));
        prop_assert!(parsed.attachments.is_empty());

        for (got, want) in [(&parsed.from, std::slice::from_ref(&draft.from)), (&parsed.to, &draft.to[..]), (&parsed.cc, &draft.cc[..])] {
            prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                prop_assert_eq!(&g.name, &expected_name(&w.name));
                let (local, domain) = w.address.rsplit_once('@').unwrap();
                prop_assert_eq!(&g.address, &format!("{local}@{}", expected_domain(domain)));
            }
        }

        // The header set is exactly what was built: no extra header appears.
        let mut expected = vec!["From", "To"];
        if !draft.cc.is_empty() { expected.push("Cc"); }
        if subject.is_some() { expected.push("Subject"); }
        expected.extend(["Date", "Message-ID"]);
        expected.extend(draft.headers.iter().map(|h| h.name.as_str()));
        expected.push("MIME-Version");
        expected.push("Content-Type");
        if draft.text.is_none() || draft.html.is_none() {
            expected.push("Content-Transfer-Encoding");
        }
        let names: Vec<&str> = parsed.headers.iter().map(|h| h.name.as_str()).collect();
        prop_assert_eq!(names, expected);
        for (got, want) in parsed.headers.iter().filter(|h| h.name.starts_with("X-")).zip(&draft.headers) {
            let collapsed = want.value.split([' ', '\t']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(&got.value, &collapsed);
        }
        prop_assert_eq!(parsed.kind, inlay_core::message::MessageKind::Normal);
    }
}
