//! Checks a [`Draft`] and normalises it into what the builder writes.
//!
//! Every value that ends up in a header is refused if it holds CR, LF or NUL
//! (header injection). Normalisation is small and documented: names,
//! addresses and the subject are trimmed; custom header values are trimmed and
//! their runs of spaces/tabs become one space; body line breaks become CRLF
//! and a body ends with one.

use super::draft::{Draft, HeaderField, Mailbox};
use super::error::BuildError;

/// Longest run without whitespace we put on a header line: with a field name
/// of at most [`MAX_HEADER_NAME`] this keeps every line under 998 octets.
pub(crate) const MAX_WORD: usize = 900;
pub(crate) const MAX_HEADER_NAME: usize = 76;
/// 3000-12-31T23:59:59Z: mail-parser reads dates up to the year 3000 only.
const MAX_DATE: i64 = 32_535_215_999;

/// Headers the builder writes itself, or that only servers add; a custom
/// header may not use these names (compared case-insensitively), nor any
/// `Content-*` or `Resent-*` name.
const RESERVED: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "return-path",
    "received",
];

pub(crate) struct Prepared {
    pub from: Addr,
    pub to: Vec<Addr>,
    pub cc: Vec<Addr>,
    pub bcc: Vec<Addr>,
    pub reply_to: Vec<Addr>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<Part>,
    pub inline_images: Vec<Part>,
    /// Message ids without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub date: i64,
}

/// A mailbox ready to write: trimmed name (None if empty), ASCII address.
pub(crate) struct Addr {
    pub name: Option<String>,
    pub address: String,
}

pub(crate) struct Part {
    pub filename: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub bytes: Vec<u8>,
}

pub(crate) fn prepare(draft: &Draft) -> Result<Prepared, BuildError> {
    let from = mailbox(&draft.from, "from")?;
    let to = mailboxes(&draft.to, "to")?;
    let cc = mailboxes(&draft.cc, "cc")?;
    let bcc = mailboxes(&draft.bcc, "bcc")?;
    let reply_to = mailboxes(&draft.reply_to, "replyTo")?;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err(BuildError::NoRecipients);
    }

    no_breaks(&draft.subject, "subject")?;
    // Readers drop leading whitespace; trailing is trimmed to match.
    let subject = draft.subject.trim();
    let subject = (!subject.is_empty()).then(|| subject.to_owned());

    let text = draft.text.as_deref().map(|t| body(t, "text")).transpose()?;
    let html = draft.html.as_deref().map(|t| body(t, "html")).transpose()?;

    let mut attachments = Vec::with_capacity(draft.attachments.len());
    for (i, a) in draft.attachments.iter().enumerate() {
        let at = format!("attachments[{i}]");
        attachments.push(Part {
            filename: filename(&a.filename, &at)?,
            content_type: content_type(&a.content_type, &at)?,
            content_id: None,
            bytes: a.bytes.clone(),
        });
    }
    let mut inline_images = Vec::with_capacity(draft.inline_images.len());
    for (i, a) in draft.inline_images.iter().enumerate() {
        let at = format!("inlineImages[{i}]");
        inline_images.push(Part {
            filename: filename(&a.filename, &at)?,
            content_type: content_type(&a.content_type, &at)?,
            content_id: Some(loose_id(&a.content_id, &format!("{at}.contentId"))?),
            bytes: a.bytes.clone(),
        });
    }
    if !inline_images.is_empty() && html.is_none() {
        return Err(BuildError::InlineImagesWithoutHtml);
    }

    let message_id = strict_id(&draft.message_id, "messageId")?;
    let in_reply_to = draft
        .in_reply_to
        .as_deref()
        .map(|id| loose_id(id, "inReplyTo"))
        .transpose()?;
    let references = draft
        .references
        .iter()
        .enumerate()
        .map(|(i, id)| loose_id(id, &format!("references[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;

    let headers = draft
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| custom_header(h, i))
        .collect::<Result<Vec<_>, _>>()?;

    if !(0..=MAX_DATE).contains(&draft.date) {
        return Err(BuildError::InvalidDate);
    }

    Ok(Prepared {
        from,
        to,
        cc,
        bcc,
        reply_to,
        subject,
        text,
        html,
        attachments,
        inline_images,
        message_id,
        in_reply_to,
        references,
        headers,
        date: draft.date,
    })
}

/// CR and LF end a header line; NUL ends C strings in some MTAs. Either can
/// smuggle a header, so any of them in a header value is an error.
fn no_breaks(value: &str, field: &str) -> Result<(), BuildError> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(BuildError::HeaderInjection {
            field: field.to_owned(),
        });
    }
    Ok(())
}

fn mailboxes(list: &[Mailbox], field: &str) -> Result<Vec<Addr>, BuildError> {
    list.iter()
        .enumerate()
        .map(|(i, m)| mailbox(m, &format!("{field}[{i}]")))
        .collect()
}

fn mailbox(m: &Mailbox, field: &str) -> Result<Addr, BuildError> {
    let name = match &m.name {
        Some(name) => {
            let at = format!("{field}.name");
            no_breaks(name, &at)?;
            if name.contains(['<', '>']) {
                return Err(BuildError::InvalidDisplayName { field: at });
            }
            let name = name.trim();
            (!name.is_empty()).then(|| name.to_owned())
        }
        None => None,
    };
    let address = address(&m.address, &format!("{field}.address"))?;
    Ok(Addr { name, address })
}

/// Validates `local@domain` and returns it with the domain in ASCII (IDNA
/// UTS 46, so `bücher.example` becomes `xn--bcher-kva.example`). The local
/// part must be an ASCII dot-atom: quoted local parts and SMTPUTF8 are not
/// supported (the provider APIs cannot ask for SMTPUTF8).
fn address(raw: &str, field: &str) -> Result<String, BuildError> {
    no_breaks(raw, field)?;
    let invalid = |reason| BuildError::InvalidAddress {
        field: field.to_owned(),
        reason,
    };
    let raw = raw.trim();
    let Some((local, domain)) = raw.rsplit_once('@') else {
        return Err(invalid("it has no @"));
    };
    if local.is_empty() {
        return Err(invalid("nothing before the @"));
    }
    if !local.is_ascii() {
        return Err(BuildError::NonAsciiLocalPart {
            field: field.to_owned(),
        });
    }
    if local.len() > 64 {
        return Err(invalid("more than 64 characters before the @"));
    }
    if !is_dot_atom(local) {
        return Err(invalid("characters before the @ that need quoting"));
    }
    // Parsers that decode RFC 2047 inside addresses would see another address.
    if local.contains("=?") {
        return Err(invalid("it contains =?"));
    }
    let domain = if domain.is_ascii() {
        domain.to_owned()
    } else {
        crate::idn::address_domain_to_ascii(domain)
            .ok_or_else(|| invalid("the domain is not a valid international domain name"))?
    };
    if !is_hostname(&domain) {
        return Err(invalid("the domain is not a valid host name"));
    }
    let address = format!("{local}@{domain}");
    if address.len() > 254 {
        return Err(invalid("longer than 254 characters"));
    }
    Ok(address)
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(is_atext))
}

fn is_hostname(domain: &str) -> bool {
    domain.len() <= 253
        && domain.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Our own Message-ID: `left@right`, both dot-atoms (RFC 5322 `msg-id`
/// without the obsolete and literal forms). Angle brackets are optional.
fn strict_id(raw: &str, field: &str) -> Result<String, BuildError> {
    no_breaks(raw, field)?;
    let id = unbracket(raw.trim());
    let valid = id
        .split_once('@')
        .is_some_and(|(left, right)| is_dot_atom(left) && is_dot_atom(right));
    if !valid {
        return Err(BuildError::InvalidMessageId {
            field: field.to_owned(),
        });
    }
    if id.len() > MAX_WORD {
        return Err(BuildError::TooLong {
            field: field.to_owned(),
            max: MAX_WORD,
        });
    }
    Ok(id.to_owned())
}

/// Ids we did not mint (In-Reply-To, References, Content-ID) come from other
/// mailers, some of them sloppy; refusing them would block a reply. Accept any
/// printable ASCII without spaces or angle brackets.
fn loose_id(raw: &str, field: &str) -> Result<String, BuildError> {
    no_breaks(raw, field)?;
    let id = unbracket(raw.trim());
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| (33..=126).contains(&b) && b != b'<' && b != b'>')
    {
        return Err(BuildError::InvalidMessageId {
            field: field.to_owned(),
        });
    }
    if id.len() > MAX_WORD {
        return Err(BuildError::TooLong {
            field: field.to_owned(),
            max: MAX_WORD,
        });
    }
    Ok(id.to_owned())
}

fn unbracket(id: &str) -> &str {
    id.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(id)
}

/// Body text: CRLF line breaks, ending in CRLF (RFC 5322 lines end in CRLF;
/// adding the last one here keeps build→parse exact), no NUL.
fn body(text: &str, field: &str) -> Result<String, BuildError> {
    if text.contains('\0') {
        return Err(BuildError::InvalidValue {
            field: field.to_owned(),
            reason: "it contains a NUL character",
        });
    }
    Ok(crlf(text))
}

/// Turns CRLF, lone LF and lone CR into CRLF, and ends non-empty text with CRLF.
/// Copied a line at a time (std finds each `\n` a word at a time), not a
/// character at a time (issue 9 speed).
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32 + 2);
    for line in text.split_inclusive('\n') {
        let (content, lf) = match line.strip_suffix('\n') {
            // The CR of a CRLF is part of the line break.
            Some(content) => (content.strip_suffix('\r').unwrap_or(content), true),
            None => (line, false),
        };
        // Any other CR is a line break of its own.
        for (i, piece) in content.split('\r').enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            out.push_str(piece);
        }
        if lf {
            out.push_str("\r\n");
        }
    }
    if !out.is_empty() && !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

fn filename(raw: &str, at: &str) -> Result<String, BuildError> {
    let field = format!("{at}.filename");
    no_breaks(raw, &field)?;
    let name = raw.trim();
    if name.is_empty() {
        return Err(BuildError::InvalidValue {
            field,
            reason: "the file name is empty",
        });
    }
    Ok(name.to_owned())
}

/// `type/subtype` with RFC 2045 tokens, no parameters.
fn content_type(raw: &str, at: &str) -> Result<String, BuildError> {
    let field = format!("{at}.contentType");
    no_breaks(raw, &field)?;
    let is_token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    let value = raw.trim();
    match value.split_once('/') {
        Some((t, s)) if is_token(t) && is_token(s) && value.len() <= 255 => {
            Ok(value.to_ascii_lowercase())
        }
        _ => Err(BuildError::InvalidContentType { field }),
    }
}

fn custom_header(h: &HeaderField, i: usize) -> Result<(String, String), BuildError> {
    let name_field = format!("headers[{i}].name");
    let value_field = format!("headers[{i}].value");
    no_breaks(&h.name, &name_field)?;
    no_breaks(&h.value, &value_field)?;
    let name = h.name.trim();
    let valid = !name.is_empty()
        && name.len() <= MAX_HEADER_NAME
        && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
    if !valid {
        return Err(BuildError::InvalidHeaderName { field: name_field });
    }
    let lower = name.to_ascii_lowercase();
    if RESERVED.contains(&lower.as_str())
        || lower.starts_with("content-")
        || lower.starts_with("resent-")
    {
        return Err(BuildError::ReservedHeader {
            field: name_field,
            name: name.to_owned(),
        });
    }
    // Folding does not keep runs of spaces or tabs (an unfolded line break
    // reads as one space), so they become one space here, visibly.
    let value = h
        .value
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>();
    if value.iter().any(|word| word.len() > MAX_WORD) {
        return Err(BuildError::TooLong {
            field: value_field,
            max: MAX_WORD,
        });
    }
    Ok((name.to_owned(), value.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::crlf;

    #[test]
    fn crlf_makes_every_line_break_crlf() {
        let cases = [
            ("", ""),
            ("a", "a\r\n"),
            ("a\nb", "a\r\nb\r\n"),
            ("a\r\nb\r\n", "a\r\nb\r\n"),
            ("a\rb", "a\r\nb\r\n"),
            ("a\r\r\nb", "a\r\n\r\nb\r\n"),
            ("a\n\r\n\rb\r", "a\r\n\r\n\r\nb\r\n"),
            ("\r", "\r\n"),
            ("\n\n", "\r\n\r\n"),
            ("Zürich €\r\n", "Zürich €\r\n"),
        ];
        for (text, expected) in cases {
            assert_eq!(crlf(text), expected, "{text:?}");
        }
    }
}
