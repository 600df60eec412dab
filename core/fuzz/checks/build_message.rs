//! The checks the `build_message` fuzz target runs on each input, shared with
//! the replay test (core/tests/fuzz_regressions.rs): build_message on
//! arbitrary drafts either refuses the draft or produces bytes that keep the
//! line rules and parse back to the same subject, addresses and header set.

use arbitrary::{Arbitrary, Unstructured};
use inlay_core::message::{
    Attachment, Draft, HeaderField, InlineImage, Mailbox, build_message, parse_message,
};

/// An address: mostly well-formed (so builds get past validation), sometimes raw.
#[derive(Arbitrary, Debug)]
pub enum Address {
    Parts {
        local: u8,
        domain: u8,
        unicode: bool,
    },
    Raw(String),
}

impl Address {
    fn render(&self) -> String {
        const LOCALS: [&str; 4] = ["ann", "b.c+tag", "x_y-z", "o'brien"];
        const DOMAINS: [&str; 4] = [
            "example.com",
            "mail.example.org",
            "xn--bcher-kva.example",
            "a.b.c.example",
        ];
        match self {
            Address::Parts {
                local,
                domain,
                unicode: true,
            } => {
                format!(
                    "{}@bücher{}.example",
                    LOCALS[*local as usize % 4],
                    domain % 10
                )
            }
            Address::Parts { local, domain, .. } => {
                format!(
                    "{}@{}",
                    LOCALS[*local as usize % 4],
                    DOMAINS[*domain as usize % 4]
                )
            }
            Address::Raw(raw) => raw.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
pub struct Input {
    from: (Option<String>, Address),
    to: Vec<(Option<String>, Address)>,
    cc: Vec<(Option<String>, Address)>,
    subject: String,
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<(String, bool, Vec<u8>)>,
    inline_images: Vec<(String, String, Vec<u8>)>,
    in_reply_to: Option<String>,
    references: Vec<String>,
    headers: Vec<(String, String)>,
    date: u32,
}

fn mailbox((name, address): &(Option<String>, Address)) -> Mailbox {
    Mailbox {
        name: name.clone(),
        address: address.render(),
    }
}

/// Decodes the draft from raw fuzzer bytes as libfuzzer-sys does for a typed
/// target (`arbitrary_take_rest`), so a saved input replays the same draft.
pub fn check(data: &[u8]) {
    if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) {
        check_draft(input);
    }
}

fn check_draft(input: Input) {
    let draft = Draft {
        from: mailbox(&input.from),
        to: input.to.iter().map(mailbox).collect(),
        cc: input.cc.iter().map(mailbox).collect(),
        subject: input.subject,
        text: input.text,
        html: input.html,
        attachments: input
            .attachments
            .into_iter()
            .map(|(filename, text, bytes)| Attachment {
                filename,
                content_type: if text {
                    "text/plain"
                } else {
                    "application/octet-stream"
                }
                .into(),
                bytes,
            })
            .collect(),
        inline_images: input
            .inline_images
            .into_iter()
            .map(|(filename, content_id, bytes)| InlineImage {
                filename,
                content_type: "image/png".into(),
                content_id,
                bytes,
            })
            .collect(),
        in_reply_to: input.in_reply_to,
        references: input.references,
        headers: input
            .headers
            .into_iter()
            .map(|(name, value)| HeaderField { name, value })
            .collect(),
        bcc: Vec::new(),
        reply_to: Vec::new(),
        message_id: "<fuzz@inlay.example>".into(),
        date: i64::from(input.date),
    };
    let Ok(bytes) = build_message(&draft) else {
        return;
    };

    for line in bytes.split_inclusive(|&b| b == b'\n') {
        assert!(line.ends_with(b"\r\n"));
        assert!(line.len() - 2 <= 998);
        assert!(!line[..line.len() - 2].contains(&b'\r'));
    }
    let parsed = parse_message(&bytes).expect("built message parses");
    assert_eq!(
        parsed.subject.as_deref().unwrap_or(""),
        draft.subject.trim()
    );
    assert_eq!(parsed.to.len(), draft.to.len());
    assert_eq!(parsed.cc.len(), draft.cc.len());
    assert_eq!(parsed.date, Some(draft.date));
    // Nothing beyond what the builder writes and the custom headers.
    let builder = [
        "From",
        "To",
        "Cc",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
    ];
    let written = parsed
        .headers
        .iter()
        .filter(|h| builder.iter().any(|b| b.eq_ignore_ascii_case(&h.name)))
        .count();
    assert_eq!(written + draft.headers.len(), parsed.headers.len());
}
