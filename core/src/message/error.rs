//! Errors of [`build_message`](super::build_message) and
//! [`parse_message`](super::parse_message).
//!
//! Both serialize as a flat object for the JS side:
//! `{ "code": "headerInjection", "field": "to[1].name", "message": "…" }`
//! (`field`, `limit` and `max` only where they apply). `code` is stable;
//! `message` is the user-facing sentence (what is wrong, what to do).

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

/// Why a draft could not be turned into a message. `field` is a path into the
/// draft as the JS side spells it, e.g. `subject`, `cc[2].address`,
/// `headers[0].name`, `attachments[1].filename`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// A CR, LF or NUL in a value that goes into a header: it could start a new
    /// header line (header injection), so nothing is built.
    HeaderInjection { field: String },
    /// No address in To, Cc or Bcc.
    NoRecipients,
    /// Not a usable `local@domain` address.
    InvalidAddress { field: String, reason: &'static str },
    /// The part before the `@` has non-ASCII characters. That needs SMTPUTF8
    /// end to end, which the provider APIs do not let us request.
    NonAsciiLocalPart { field: String },
    /// A display name with `<` or `>` reads like a second address.
    InvalidDisplayName { field: String },
    /// A custom header name that is not an RFC 5322 field name.
    InvalidHeaderName { field: String },
    /// A custom header would replace one the builder owns (From, Date,
    /// Content-Type, …).
    ReservedHeader { field: String, name: String },
    /// A Message-ID / In-Reply-To / References / Content-ID value of the wrong shape.
    InvalidMessageId { field: String },
    /// A content type that is not `type/subtype`.
    InvalidContentType { field: String },
    /// The date is before 1970 or after 3000.
    InvalidDate,
    /// Inline images are referenced from HTML, so they need an HTML body.
    InlineImagesWithoutHtml,
    /// A value has a run of text without spaces too long for one line
    /// (998 octets is the hard limit of RFC 5322).
    TooLong { field: String, max: usize },
    /// A value that is otherwise valid but would be read back differently by
    /// a mail reader (e.g. text that looks like an RFC 2047 encoded word).
    NotRepresentable { field: String },
    /// Any other invalid value (empty filename, …).
    InvalidValue { field: String, reason: &'static str },
}

impl BuildError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::HeaderInjection { .. } => "headerInjection",
            Self::NoRecipients => "noRecipients",
            Self::InvalidAddress { .. } => "invalidAddress",
            Self::NonAsciiLocalPart { .. } => "nonAsciiLocalPart",
            Self::InvalidDisplayName { .. } => "invalidDisplayName",
            Self::InvalidHeaderName { .. } => "invalidHeaderName",
            Self::ReservedHeader { .. } => "reservedHeader",
            Self::InvalidMessageId { .. } => "invalidMessageId",
            Self::InvalidContentType { .. } => "invalidContentType",
            Self::InvalidDate => "invalidDate",
            Self::InlineImagesWithoutHtml => "inlineImagesWithoutHtml",
            Self::TooLong { .. } => "tooLong",
            Self::NotRepresentable { .. } => "notRepresentable",
            Self::InvalidValue { .. } => "invalidValue",
        }
    }

    /// The draft field at fault, if the error is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::HeaderInjection { field }
            | Self::InvalidAddress { field, .. }
            | Self::NonAsciiLocalPart { field }
            | Self::InvalidDisplayName { field }
            | Self::InvalidHeaderName { field }
            | Self::ReservedHeader { field, .. }
            | Self::InvalidMessageId { field }
            | Self::InvalidContentType { field }
            | Self::TooLong { field, .. }
            | Self::NotRepresentable { field }
            | Self::InvalidValue { field, .. } => Some(field),
            Self::InvalidDate => Some("date"),
            Self::NoRecipients | Self::InlineImagesWithoutHtml => None,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeaderInjection { field } => write!(
                f,
                "{field} contains a line break or a NUL character, which could add hidden \
                 headers to the email. Remove line breaks from {field} and try again."
            ),
            Self::NoRecipients => f.write_str(
                "The email has no recipient. Add at least one address in To, Cc or Bcc.",
            ),
            Self::InvalidAddress { field, reason } => {
                write!(
                    f,
                    "{field} is not a valid email address ({reason}). Check it for typos."
                )
            }
            Self::NonAsciiLocalPart { field } => write!(
                f,
                "{field} has non-ASCII characters before the @, which most mail servers \
                 cannot deliver. Use an ASCII address for this contact."
            ),
            Self::InvalidDisplayName { field } => write!(
                f,
                "{field} contains < or >, so it would look like a second address. \
                 Remove the angle brackets from the name."
            ),
            Self::InvalidHeaderName { field } => write!(
                f,
                "{field} is not a valid header name. Use printable ASCII without spaces \
                 or colons, such as X-Campaign."
            ),
            Self::ReservedHeader { field, name } => write!(
                f,
                "{field} would replace the {name} header, which Inlay sets itself. \
                 Use the matching draft field or another header name."
            ),
            Self::InvalidMessageId { field } => write!(
                f,
                "{field} is not a valid message identifier. It should look like \
                 <unique-part@domain>."
            ),
            Self::InvalidContentType { field } => write!(
                f,
                "{field} is not a valid content type. Use the form type/subtype, \
                 such as application/pdf."
            ),
            Self::InvalidDate => f.write_str(
                "The date is out of range: it must be between 1970 and 3000. \
                 Check the clock value passed in.",
            ),
            Self::InlineImagesWithoutHtml => f.write_str(
                "The draft has inline images but no HTML body to show them in. \
                 Add an HTML body or send the images as attachments.",
            ),
            Self::TooLong { field, max } => write!(
                f,
                "{field} has a word longer than {max} characters, which does not fit on \
                 one line of an email. Shorten it or add spaces."
            ),
            Self::NotRepresentable { field } => write!(
                f,
                "{field} would be shown differently by mail programs (it may contain text \
                 such as =?…?= that they decode). Rephrase it."
            ),
            Self::InvalidValue { field, reason } => {
                write!(f, "{field} is not valid: {reason}.")
            }
        }
    }
}

impl std::error::Error for BuildError {}

impl Serialize for BuildError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        if let Some(field) = self.field() {
            map.serialize_entry("field", field)?;
        }
        match self {
            Self::ReservedHeader { name, .. } => map.serialize_entry("header", name)?,
            Self::TooLong { max, .. } => map.serialize_entry("max", max)?,
            _ => {}
        }
        map.serialize_entry("message", &self.to_string())?;
        map.end()
    }
}

/// Which [`Limits`](super::Limits) entry a message exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    MaxBytes,
    MaxDepth,
    MaxParts,
    MaxHeaderBytes,
    MaxWork,
}

impl Limit {
    /// The limit's name as the JS side spells the `Limits` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::MaxBytes => "maxBytes",
            Self::MaxDepth => "maxDepth",
            Self::MaxParts => "maxParts",
            Self::MaxHeaderBytes => "maxHeaderBytes",
            Self::MaxWork => "maxWork",
        }
    }
}

/// Why bytes could not be read as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Zero bytes.
    Empty,
    /// No header block: binary data, or text that is not an email.
    NotAMessage,
    /// A [`Limits`](super::Limits) bound was exceeded; nothing was returned.
    LimitExceeded { limit: Limit, max: u64 },
}

impl ParseError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NotAMessage => "notAMessage",
            Self::LimitExceeded { .. } => "limitExceeded",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("The email is empty (0 bytes), so there is nothing to show.")
            }
            Self::NotAMessage => f.write_str(
                "This data is not an email: it has no header lines such as From: or Subject:. \
                 Check that the raw message (RFC 822 / .eml) was passed, not an attachment.",
            ),
            Self::LimitExceeded { limit, max } => {
                let what = match limit {
                    Limit::MaxBytes => "is larger than the maximum size",
                    Limit::MaxDepth => "nests parts deeper than the maximum depth",
                    Limit::MaxParts => "has more parts than the maximum",
                    Limit::MaxHeaderBytes => "has a header block larger than the maximum",
                    Limit::MaxWork => {
                        "is structured so that reading it would take too long; the maximum work is"
                    }
                };
                write!(
                    f,
                    "This email {what} ({} = {max}), so Inlay did not open it. \
                     Open it in the mail provider instead.",
                    limit.name()
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}

impl Serialize for ParseError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        if let Self::LimitExceeded { limit, max } = self {
            map.serialize_entry("limit", limit.name())?;
            map.serialize_entry("max", max)?;
        }
        map.serialize_entry("message", &self.to_string())?;
        map.end()
    }
}
