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
        .filter(|h| named(&h.name, &name))
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
        .filter(|h| matches!(h.name, HeaderName::Date))
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
        .filter(move |h| named(&h.name, &name))
        .map(|h| {
            let text = raw
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            mailboxes(h.value.as_address(), text)
        })
}

/// `name == wanted`, for a registered `wanted` by the variant alone:
/// mail-parser's `==` looks up both names' ids, a call per header per field
/// (issue 9 speed).
fn named(name: &HeaderName<'_>, wanted: &HeaderName<'_>) -> bool {
    match wanted {
        HeaderName::Other(_) => name == wanted,
        _ => std::mem::discriminant(name) == std::mem::discriminant(wanted),
    }
}

/// The mailboxes of one header value; `raw` is its text as sent.
pub(crate) fn mailboxes(address: Option<&Address<'_>>, raw: &[u8]) -> Vec<Participant> {
    let Some(address) = address else {
        return Vec::new();
    };
    // With encoded words about, the address must be there as sent.
    let mut sent = encoded(raw).then_some(Sent { raw, from: 0 });
    address
        .iter()
        .filter_map(|addr| {
            let address = addr.address.as_deref()?;
            let valid = !address.is_empty()
                && address
                    .rsplit_once('@')
                    .is_none_or(|(local, _)| !local.is_empty())
                && !group_syntax(address)
                && sent.as_mut().is_none_or(|s| s.holds(address.as_bytes()));
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

/// The header text as sent, searched for each address in turn (ASCII case
/// ignored). Addresses come in the order written, so each search starts
/// where the previous address was found and a list is read in one pass (a
/// search of the whole text per address was quadratic in the list's
/// length); only an address not found from there is looked for before it.
struct Sent<'a> {
    raw: &'a [u8],
    from: usize,
}

impl Sent<'_> {
    fn holds(&mut self, needle: &[u8]) -> bool {
        if let Some(at) = find_ci(&self.raw[self.from..], needle) {
            self.from += at;
            return true;
        }
        let before = (self.from + needle.len())
            .saturating_sub(1)
            .min(self.raw.len());
        find_ci(&self.raw[..before], needle).is_some()
    }
}

/// An encoded word starts somewhere (`=?`), compared byte by byte: a slice
/// compare per window is a `memcmp` call per byte. Most values hold no `?`:
/// `contains` (a word at a time) rules them out first.
fn encoded(raw: &[u8]) -> bool {
    raw.contains(&b'?') && raw.windows(2).any(|w| w[0] == b'=' && w[1] == b'?')
}

/// Offset of the first occurrence of a non-empty `needle`, ASCII case
/// ignored: candidates by their first byte, then the rest compared.
fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last = haystack.len().checked_sub(needle.len())?;
    let mut at = 0;
    while at <= last {
        at += haystack[at..=last]
            .iter()
            .position(|b| b.eq_ignore_ascii_case(&first))?;
        if haystack[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Sent;

    /// Each answer is whether the address occurs anywhere, whatever the
    /// order the addresses are looked for in.
    #[test]
    fn sent_text_holds_what_it_contains_in_any_order() {
        let raw = b" =?utf-8?q?B=C3=B6?= <bo@x.test>, \"ANA@Y.TEST\" <ana@y.test>, cy@z.test";
        let contains = |needle: &str| {
            raw.windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        };
        let lists: [&[&str]; 4] = [
            &["bo@x.test", "ana@y.test", "cy@z.test"],
            &["cy@z.test", "bo@x.test", "ana@y.test"],
            &["ana@y.test", "ana@y.test", "missing@x.test", "bo@x.test"],
            &["Cy@Z.test", "@x.test", "x", "t", "cy@z.test "],
        ];
        for list in lists {
            let mut sent = Sent { raw, from: 0 };
            for address in list {
                assert_eq!(
                    sent.holds(address.as_bytes()),
                    contains(address),
                    "{address} in {list:?}"
                );
            }
        }
    }
}
