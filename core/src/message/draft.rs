//! What the extension hands to [`build_message`](super::build_message): a
//! plain object from JS (serde, camelCase). Optional lists may be omitted.

use serde::{Deserialize, Serialize};

/// A name and an address, as in `"Ada Lovelace" <ada@example.com>`.
///
/// `address` is `local@domain`; the domain may be Unicode (it is written in
/// its ASCII/punycode form), the local part must be ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mailbox {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    pub fn new(name: Option<&str>, address: &str) -> Self {
        Self {
            name: name.map(str::to_owned),
            address: address.to_owned(),
        }
    }
}

/// One header line `name: value`, in a draft's custom headers and in a
/// parsed message's header list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderField {
    pub name: String,
    pub value: String,
}

/// A file attached to the message.
///
/// `bytes` is the file's content. In JSON it is an array of numbers 0–255;
/// through serde-wasm-bindgen a `Uint8Array` (or a plain array) works too.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attachment {
    pub filename: String,
    /// `type/subtype`, e.g. `application/pdf`. Parameters are not accepted.
    pub content_type: String,
    #[serde(with = "bytes")]
    #[cfg_attr(feature = "ts", ts(type = "Uint8Array | Array<number>"))]
    pub bytes: Vec<u8>,
}

/// An image shown inside the HTML body through `<img src="cid:…">`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InlineImage {
    pub filename: String,
    pub content_type: String,
    /// The id the HTML refers to (`cid:<contentId>`), without angle brackets.
    pub content_id: String,
    #[serde(with = "bytes")]
    #[cfg_attr(feature = "ts", ts(type = "Uint8Array | Array<number>"))]
    pub bytes: Vec<u8>,
}

/// Everything needed to build one message. `message_id` and `date` are
/// inputs (sans-IO: no clock, no randomness), so the same draft always builds
/// the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Draft {
    pub from: Mailbox,
    #[serde(default)]
    pub to: Vec<Mailbox>,
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    /// Written into the message: Gmail, Graph and EWS take Bcc recipients
    /// from it and remove the header before delivery.
    #[serde(default)]
    pub bcc: Vec<Mailbox>,
    #[serde(default)]
    pub reply_to: Vec<Mailbox>,
    /// Trimmed; empty means no Subject header.
    #[serde(default)]
    pub subject: String,
    /// Plain-text body. Line breaks are written as CRLF and a last one is
    /// added if missing; with `html` the message is multipart/alternative.
    #[serde(default)]
    pub text: Option<String>,
    /// HTML body, normalised like `text`.
    #[serde(default)]
    pub html: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub inline_images: Vec<InlineImage>,
    /// The Message-ID being answered, with or without angle brackets.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Extra headers such as `X-Campaign`; they cannot replace the ones the
    /// builder writes. Values are trimmed and runs of spaces/tabs become one
    /// space; non-ASCII values are RFC 2047-encoded.
    #[serde(default)]
    pub headers: Vec<HeaderField>,
    /// `<left@right>` or `left@right`.
    pub message_id: String,
    /// Unix seconds, written in UTC (`+0000`).
    pub date: i64,
}

/// serde for `Vec<u8>` that accepts a sequence of numbers (JSON) or a byte
/// buffer (serde-wasm-bindgen's `Uint8Array`), and writes bytes.
mod bytes {
    use serde::Serializer;
    use serde::de::{Deserializer, Error, SeqAccess, Visitor};
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_any(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of bytes (numbers 0-255) or a Uint8Array")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(byte) = seq.next_element::<u8>()? {
                out.push(byte);
            }
            Ok(out)
        }
    }
}
