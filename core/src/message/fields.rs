//! Which occurrence of a repeated header counts, and which mailboxes are
//! addresses at all.
//!
//! mail-parser's accessors return the last occurrence. Other parsers (and
//! what a reader sees first) take the first Subject, From and Date; a
//! repeated To, Cc or Bcc adds recipients. For From, Sender and Reply-To the
//! first occurrence with an address counts, so an empty `From:` after the
//! real one does not erase the sender.
//!
//! A mailbox needs a local part, is not group syntax (`<undisclosed:;>`)
//! and must not come out of an encoded word:
//! `=?utf-8?q?=40attacker.com?=@microsoft.com` is read by mail-parser as the
//! name "@attacker.com" and the address "@microsoft.com", which is dropped.

use super::parse::Participant;
use mail_parser::{Address, HeaderName, HeaderValue, MessagePart};

pub(crate) fn first_text(root: &MessagePart<'_>, name: HeaderName<'_>) -> Option<String> {
    root.headers
        .iter()
        .filter(|h| h.name == name)
        .find_map(|h| match &h.value {
            HeaderValue::Text(text) => Some(text.to_string()),
            HeaderValue::TextList(list) => Some(list.join(" ")),
            _ => None,
        })
}

/// Unix seconds of the first valid Date.
pub(crate) fn first_date(root: &MessagePart<'_>) -> Option<i64> {
    root.headers
        .iter()
        .filter(|h| h.name == HeaderName::Date)
        .find_map(|h| h.value.as_datetime().filter(|d| d.is_valid()))
        .map(|d| d.to_timestamp())
}

/// The mailboxes of the first occurrence that has any.
pub(crate) fn first_mailboxes(
    root: &MessagePart<'_>,
    raw: &[u8],
    name: HeaderName<'_>,
) -> Vec<Participant> {
    occurrences(root, raw, name)
        .find(|list| !list.is_empty())
        .unwrap_or_default()
}

/// The mailboxes of every occurrence, in order.
pub(crate) fn all_mailboxes(
    root: &MessagePart<'_>,
    raw: &[u8],
    name: HeaderName<'_>,
) -> Vec<Participant> {
    occurrences(root, raw, name).flatten().collect()
}

fn occurrences<'a>(
    root: &'a MessagePart<'_>,
    raw: &'a [u8],
    name: HeaderName<'a>,
) -> impl Iterator<Item = Vec<Participant>> + 'a {
    root.headers
        .iter()
        .filter(move |h| h.name == name)
        .map(|h| {
            let text = raw
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            mailboxes(h.value.as_address(), text)
        })
}

/// The mailboxes of one header value; `raw` is its text as sent.
pub(crate) fn mailboxes(address: Option<&Address<'_>>, raw: &[u8]) -> Vec<Participant> {
    let Some(address) = address else {
        return Vec::new();
    };
    let encoded = contains(raw, b"=?");
    address
        .iter()
        .filter_map(|addr| {
            let address = addr.address.as_deref()?;
            let valid = !address.is_empty()
                && address
                    .rsplit_once('@')
                    .is_none_or(|(local, _)| !local.is_empty())
                && !group_syntax(address)
                // With encoded words about, the address must be there as sent.
                && (!encoded || contains_ci(raw, address.as_bytes()));
            valid.then(|| Participant {
                name: addr
                    .name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                address: address.to_owned(),
            })
        })
        .collect()
}

/// `<Undisclosed-Recipient:;>` is a group written inside angle brackets,
/// which mail-parser returns as an address: a domain (or an address without
/// `@`) holding `:`, `;`, `<`, `>` or `,` outside a `[literal]` is none.
fn group_syntax(address: &str) -> bool {
    let domain = address.rsplit_once('@').map_or(address, |(_, d)| d);
    !domain.starts_with('[') && domain.contains([':', ';', '<', '>', ','])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}
