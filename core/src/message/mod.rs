//! Building and parsing RFC 5322 messages.
//!
//! Sans-IO like the rest of the core: [`build_message`] takes the Message-ID
//! and Date as inputs, so a draft always builds the same bytes; the parser
//! takes bytes and [`Limits`]. MIME is left to mail-builder and mail-parser.
//!
//! - [`build_message`]: [`Draft`] → bytes, refusing header injection
//!   ([`BuildError`]); [`gmail_raw`], [`graph_mime`], [`ews_mime_content`]
//!   encode them for each provider.
//! - [`parse_message`] / [`parse_message_with`]: bytes → [`ParsedMessage`]
//!   with participants, bodies, attachment metadata, forwarded emails
//!   ([`ForwardedMessage`]) and a [`MessageKind`]
//!   (normal, automatic reply, bounce), or a [`ParseError`].

mod body;
mod build;
mod charset;
mod classify;
mod date_line;
mod draft;
mod encode;
mod error;
mod fields;
mod flowed;
mod forwarded;
mod limits;
mod parse;
mod prepare;
mod repair;
mod summary;
mod transfer;
pub(crate) mod validate;

pub use build::build_message;
pub use charset::{MultiByteDecoder, set_multi_byte_decoder};
pub use classify::{Confidence, MessageKind};
pub use draft::{Attachment, Draft, HeaderField, InlineImage, Mailbox};
pub use encode::{ews_mime_content, gmail_raw, gmail_raw_decode, graph_mime};
pub use error::{BuildError, Limit, ParseError};
pub use forwarded::{ForwardedMessage, MAX_LEVELS as MAX_FORWARD_LEVELS};
pub use limits::Limits;
pub use parse::{AttachmentInfo, ParsedMessage, Participant, parse_message, parse_message_with};
pub use summary::{MessageSummary, summarize_message, summarize_message_with};
