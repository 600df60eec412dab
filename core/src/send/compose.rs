//! One email composed from the compose dialog's input: From checked against
//! the inbox's addresses, tokens filled in, the HTML sanitised and signed,
//! its text alternative, a Message-ID, limits, and the MIME built by
//! [`build_message`] — once with Bcc (what Gmail, Graph and EWS take, and
//! the copy kept in Sent) and once without (what an SMTP server transmits).
//!
//! Sans-IO: the time and the random bytes are arguments, so the same input
//! composes the same bytes. Every refusal is a [`ComposeError`] in words,
//! before anything is uploaded.

use serde::{Deserialize, Serialize};

use crate::detect::ConnectionKind;
use crate::message::{
    Attachment, BuildError, Draft, HeaderField, InlineImage, Mailbox, build_message,
};

use super::Outgoing;
use super::limits::{self, LimitError};
use super::message_id::{ID_BYTES, message_id, opaque_id};
use super::sanitize::sanitize_html;
use super::template::{self, Target, TemplateError, TokenContext};
use super::text::html_to_text;

/// The header carrying the send's own opaque id, beside the Message-ID: a
/// Sent lookup can fall back on it where a provider rewrites Message-ID
/// (features-research §7). Random, so it says nothing about the email.
pub const SEND_ID_HEADER: &str = "X-Inlay-Send-Id";

/// Random bytes [`compose`] needs: the Message-ID's and the send id's.
pub const COMPOSE_RANDOM_BYTES: usize = 2 * ID_BYTES;

/// What the compose dialog (or a scheduled send's draft) hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComposeInput {
    /// The sending inbox's address or one of its aliases, with a name.
    pub from: Mailbox,
    /// The addresses this inbox may send as (its own and its verified
    /// aliases), as the worker knows them now.
    pub allowed_from: Vec<String>,
    #[serde(default)]
    pub to: Vec<Mailbox>,
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    #[serde(default)]
    pub bcc: Vec<Mailbox>,
    /// May hold tokens (`{{contact.firstName}}`).
    #[serde(default)]
    pub subject: String,
    /// The rich-text editor's HTML; may hold tokens.
    #[serde(default)]
    pub html: String,
    /// The inbox's signature (HTML), appended below the body.
    #[serde(default)]
    pub signature_html: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub inline_images: Vec<InlineImage>,
    /// The Message-ID answered, for a reply.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// The provider's thread of a reply (Gmail's `threadId`).
    #[serde(default)]
    pub thread_id: Option<String>,
    /// The kind of the sending inbox, for its limits.
    pub inbox_kind: ConnectionKind,
    /// IMAP/SMTP: the server's EHLO `SIZE`, when known.
    #[serde(default)]
    pub smtp_max_size: Option<u64>,
    #[serde(default)]
    pub tokens: TokenContext,
}

/// The composed email: what the outbox keeps and the compose dialog shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Composed {
    /// `<hex@sending-domain>`.
    pub message_id: String,
    /// The value of the `X-Inlay-Send-Id` header.
    pub send_id: String,
    /// The whole message with its Bcc header.
    #[serde(serialize_with = "bytes")]
    #[cfg_attr(feature = "ts", ts(type = "Uint8Array"))]
    pub mime: Vec<u8>,
    /// The message without Bcc, when there is a Bcc.
    #[serde(serialize_with = "optional_bytes")]
    #[cfg_attr(feature = "ts", ts(type = "Uint8Array | null"))]
    pub transmitted: Option<Vec<u8>>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Every To, Cc and Bcc address (ASCII domains), once each.
    pub recipients: Vec<String>,
    pub envelope_from: String,
    pub thread_id: Option<String>,
    /// `mime`'s length.
    pub size_bytes: u64,
}

/// Bytes as bytes (a `Uint8Array` through serde-wasm-bindgen), not a list
/// of numbers.
fn bytes<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(bytes)
}

fn optional_bytes<S: serde::Serializer>(
    bytes: &Option<Vec<u8>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(bytes) => serializer.serialize_bytes(bytes),
        None => serializer.serialize_none(),
    }
}

impl Composed {
    /// What the outbox hands to a provider.
    pub fn outgoing(&self, deliver_at_ms: Option<u64>) -> Outgoing {
        Outgoing {
            message_id: self.message_id.clone(),
            mime: self.mime.clone(),
            transmitted: self.transmitted.clone(),
            envelope_from: self.envelope_from.clone(),
            recipients: self.recipients.clone(),
            thread_id: self.thread_id.clone(),
            deliver_at_ms,
        }
    }
}

/// Why an email can't be composed: `code` is stable, `message` is for the
/// user; `token` names the template token at fault, `field` the input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ComposeError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
}

impl ComposeError {
    fn new(code: &str, message: String) -> Self {
        Self {
            code: code.to_owned(),
            message,
            token: None,
            field: None,
        }
    }
}

impl From<LimitError> for ComposeError {
    fn from(e: LimitError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<BuildError> for ComposeError {
    fn from(e: BuildError) -> Self {
        Self {
            field: e.field().map(str::to_owned),
            ..Self::new(e.code(), e.to_string())
        }
    }
}

impl ComposeError {
    /// A template's error, naming its token and the input field it is in.
    pub fn template(e: TemplateError, field: &str) -> Self {
        Self {
            token: Some(e.token().to_owned()),
            field: Some(field.to_owned()),
            ..Self::new(e.code(), e.to_string())
        }
    }
}

fn template_error(e: TemplateError, field: &str) -> ComposeError {
    ComposeError::template(e, field)
}

/// Composes one email. `now_ms` is its Date; `random` gives the Message-ID
/// and the send id ([`COMPOSE_RANDOM_BYTES`] at least).
pub fn compose(input: &ComposeInput, now_ms: u64, random: &[u8]) -> Result<Composed, ComposeError> {
    let limits = limits::limits(input.inbox_kind, input.smtp_max_size);
    check_from(input, limits.provider)?;
    limits.check_recipients(input.to.len() + input.cc.len() + input.bcc.len())?;
    for file in &input.attachments {
        limits.check_attachment(&file.filename, file.bytes.len() as u64)?;
    }
    for file in &input.inline_images {
        limits.check_attachment(&file.filename, file.bytes.len() as u64)?;
    }
    if let Some(thread) = &input.thread_id
        && thread.chars().any(char::is_control)
    {
        return Err(BuildError::HeaderInjection {
            field: "threadId".into(),
        }
        .into());
    }

    let tokens = &input.tokens;
    let subject = template::render(&input.subject, tokens, Target::Text)
        .map_err(|e| template_error(e, "subject"))?;
    let body = template::render(&input.html, tokens, Target::Html)
        .map_err(|e| template_error(e, "html"))?;
    let signature = input
        .signature_html
        .as_deref()
        .map(|s| template::render(s, tokens, Target::Html))
        .transpose()
        .map_err(|e| template_error(e, "signatureHtml"))?;

    // Each part sanitised on its own, so an unclosed tag in the body can't
    // take the signature in (a link around it).
    let mut html = sanitize_html(&body);
    if let Some(signature) = signature
        .map(|s| sanitize_html(&s))
        .filter(|s| !s.trim().is_empty())
    {
        html.push_str("<br><div>");
        html.push_str(&signature);
        html.push_str("</div>");
    }
    let text = html_to_text(&html);

    let missing_random = || {
        ComposeError::new(
            "internal",
            "Inlay could not make the email's id (too few random bytes). Try again.".into(),
        )
    };
    let message_id = message_id(random, &input.from.address).ok_or_else(|| {
        // The address is checked by the builder; with a valid one only the
        // bytes can be short.
        if random.len() < ID_BYTES {
            missing_random()
        } else {
            BuildError::InvalidAddress {
                field: "from.address".into(),
                reason: "the domain is not a valid host name",
            }
            .into()
        }
    })?;
    let send_id =
        opaque_id(random.get(ID_BYTES..).unwrap_or_default()).ok_or_else(missing_random)?;

    let references = if input.references.is_empty() {
        input.in_reply_to.iter().cloned().collect()
    } else {
        input.references.clone()
    };
    let draft = Draft {
        from: input.from.clone(),
        to: input.to.clone(),
        cc: input.cc.clone(),
        bcc: input.bcc.clone(),
        reply_to: Vec::new(),
        subject: subject.clone(),
        text: Some(text.clone()),
        html: (!html.trim().is_empty()).then(|| html.clone()),
        attachments: input.attachments.clone(),
        inline_images: input.inline_images.clone(),
        in_reply_to: input.in_reply_to.clone(),
        references,
        headers: vec![HeaderField {
            name: SEND_ID_HEADER.into(),
            value: send_id.clone(),
        }],
        message_id: message_id.clone(),
        date: i64::try_from(now_ms / 1000).unwrap_or(i64::MAX),
    };
    let prepared = crate::message::validate::prepare(&draft)?;
    let mime = build_message(&draft)?;
    limits.check_message(mime.len() as u64)?;
    let transmitted = (!draft.bcc.is_empty()).then(|| without_bcc(&mime));

    let mut recipients: Vec<String> = Vec::new();
    for addr in prepared.to.iter().chain(&prepared.cc).chain(&prepared.bcc) {
        if !recipients
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&addr.address))
        {
            recipients.push(addr.address.clone());
        }
    }
    Ok(Composed {
        message_id,
        send_id,
        size_bytes: mime.len() as u64,
        mime,
        transmitted,
        subject: subject.trim().to_owned(),
        text,
        html,
        recipients,
        envelope_from: prepared.from.address,
        thread_id: input.thread_id.clone(),
    })
}

/// From must be the inbox's address or a verified alias, compared as
/// addresses are (no case, the domain's ASCII form).
fn check_from(input: &ComposeInput, provider: &str) -> Result<(), ComposeError> {
    let from = comparable(&input.from.address);
    if input.allowed_from.iter().any(|a| comparable(a) == from) {
        return Ok(());
    }
    Err(ComposeError {
        field: Some("from.address".into()),
        ..ComposeError::new(
            "fromNotAllowed",
            format!(
                "{} is not this inbox's address or one of its verified aliases. Choose \
                 another From address, or add and verify the alias in {provider} first.",
                input.from.address.trim()
            ),
        )
    })
}

fn comparable(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) if !domain.is_ascii() => {
            let domain =
                crate::idn::address_domain_to_ascii(domain).unwrap_or_else(|| domain.to_owned());
            format!("{local}@{domain}").to_lowercase()
        }
        _ => address.to_lowercase(),
    }
}

/// The built message without its `Bcc` header (and that header's folded
/// lines): everything else, boundaries included, stays byte for byte. The
/// builder writes the header block, so its lines are known to be CRLF.
fn without_bcc(mime: &[u8]) -> Vec<u8> {
    let header_end = mime
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(mime.len(), |i| i + 2);
    let mut out = Vec::with_capacity(mime.len());
    let mut skipping = false;
    for line in mime[..header_end].split_inclusive(|&b| b == b'\n') {
        let folded = line.first().is_some_and(|&b| b == b' ' || b == b'\t');
        if !folded {
            skipping = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"bcc:");
        }
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&mime[header_end..]);
    out
}
