//! Bounds on what [`parse_message_with`](super::parse_message_with) accepts.
//!
//! mail-parser 0.11 (the version our toolchain can use) has no size, depth or
//! part limits of its own, and three behaviours a hostile message can exploit,
//! all measured here before this module existed:
//!
//! 1. Boundary searches restart from each part, so many multiparts whose
//!    boundary never appears, or one very long boundary over a run of dashes,
//!    cost time quadratic in the input (1.6 MB took 18 s).
//! 2. A base64 or quoted-printable `message/rfc822` part is decoded and parsed
//!    recursively, and its tree is then copied with `into_owned`, which
//!    recurses once per nested message and copies the whole decoded buffer for
//!    each: a 1.3 MB message overflowed an 8 MB stack.
//! 3. Dropping a parsed tree recurses once per nested message: 100,000
//!    nested `message/rfc822` headers (3 MB) overflowed the stack.
//!
//! So, before mail-parser sees the bytes, [`preflight`] bounds (1) with a work
//! estimate and (2) with a dry run that does not decode (so it does not
//! recurse) and checks each encoded message's content the same way. After the
//! parse, [`check_tree`] enforces depth, part and header limits exactly on the
//! real tree, and [`dismantle`] drops it without recursion (3).

use super::error::{Limit, ParseError};
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Limits for [`parse_message_with`](super::parse_message_with). Each one
/// exceeded gives [`ParseError::LimitExceeded`] naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Limits {
    /// Size of the raw message. Default 50 MiB (providers cap mail at 25–35 MB
    /// of attachments, which base64 makes about a third larger).
    pub max_bytes: usize,
    /// Nesting of multiparts and attached messages; the top part is depth 0.
    /// Default 20 (real mail rarely goes past 6).
    pub max_depth: usize,
    /// Parts in the whole tree, attached messages included. Default 1000.
    pub max_parts: usize,
    /// Size of any one header block. Default 1 MiB.
    pub max_header_bytes: usize,
    /// Estimated bytes mail-parser may scan or copy (see the module notes).
    /// Default 2 GiB: about a second of work; ordinary mail stays far below.
    pub max_work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 50 << 20,
            max_depth: 20,
            max_parts: 1000,
            max_header_bytes: 1 << 20,
            max_work: 2 << 30,
        }
    }
}

fn exceeded(limit: Limit, max: impl TryInto<u64>) -> ParseError {
    ParseError::LimitExceeded {
        limit,
        max: max.try_into().unwrap_or(u64::MAX),
    }
}

/// mail-parser decodes and parses encoded nested messages this many levels
/// deep (its `MAX_NESTED_ENCODED`).
const ENCODED_LEVELS: u8 = 3;

/// Checks the raw bytes before the real parse: size, first header block,
/// estimated work, and the content of every base64/QP-encoded message part.
pub(crate) fn preflight(bytes: &[u8], limits: &Limits) -> Result<(), ParseError> {
    if bytes.len() > limits.max_bytes {
        return Err(exceeded(Limit::MaxBytes, limits.max_bytes));
    }
    let mut work = Work {
        spent: 0,
        max: limits.max_work,
    };
    let stats = Stats::of(bytes);
    if stats.first_header_block > limits.max_header_bytes {
        return Err(exceeded(Limit::MaxHeaderBytes, limits.max_header_bytes));
    }
    check_content(bytes, stats, limits, &mut work, ENCODED_LEVELS, 0).map(|_| ())
}

struct Work {
    spent: u64,
    max: u64,
}

impl Work {
    fn spend(&mut self, amount: u64) -> Result<(), ParseError> {
        self.spent = self.spent.saturating_add(amount);
        if self.spent > self.max {
            return Err(exceeded(Limit::MaxWork, self.max));
        }
        Ok(())
    }
}

/// Counts over the bytes for the bounds below (see [`Stats::of`]).
#[derive(Clone, Copy, Default)]
struct Stats {
    len: u64,
    /// Occurrences of `multipart` (any case): each may start a boundary search.
    multipart: u64,
    /// Positions where `--` starts: each is a boundary comparison.
    dashes: u64,
    /// Longest unfolded line that contains `boundary`: a boundary parameter
    /// (with RFC 2231 continuations) lies within one such header line.
    boundary_line: u64,
    /// `rfc822`, `global` or `digest` occurs: a nested message is possible.
    nested: bool,
    /// Bytes before the first empty line (the top header block).
    first_header_block: usize,
}

impl Stats {
    /// Most bytes start none of the words: each word is looked for only
    /// where two of its letters stand side by side (`bounda(ry)`, `rfc(82)2`,
    /// `glo(ba)l`, `di(ge)st`, `multi(pa)rt`, `--`), eight positions compared
    /// at a time (see [`pair`]); `--` and `multipart`, which only matter
    /// once a boundary is declared, in a second pass that most mail (no
    /// `boundary` at all) skips.
    fn of(bytes: &[u8]) -> Self {
        let mut s = Stats {
            len: bytes.len() as u64,
            first_header_block: header_block(bytes),
            ..Stats::default()
        };
        // The end of the last logical line measured for `boundary`.
        let mut measured = 0;
        for at in (0..bytes.len()).step_by(8) {
            // Each byte of `x` and the byte after it in `next`.
            let (x, next) = (chunk(bytes, at), chunk(bytes, at + 1));
            let (folded, next_folded) = (x | CASE, next | CASE);
            // Most chunks hold none of the pairs: one quick test first.
            let mut maybe = maybe_pair(folded, next_folded, b"ry");
            if !s.nested {
                maybe |= maybe_pair(x, next, b"82") | maybe_pair(folded, next_folded, b"ba");
                maybe |= maybe_pair(folded, next_folded, b"ge");
            }
            if maybe == 0 {
                continue;
            }
            let mut pairs = pair(folded, next_folded, b"ry");
            if !s.nested {
                pairs |= pair(x, next, b"82") | pair(folded, next_folded, b"ba");
                pairs |= pair(folded, next_folded, b"ge");
            }
            for i in positions(pairs, at) {
                match bytes[i] | 0x20 {
                    b'r' if i + 1 >= measured && word_at(bytes, i, 6, b"boundary") => {
                        let (start, end) = logical_line(bytes, i);
                        s.boundary_line = s.boundary_line.max((end - start) as u64);
                        measured = end;
                    }
                    b'8' if !s.nested => s.nested = word_at(bytes, i, 3, b"rfc822"),
                    b'b' if !s.nested => s.nested = word_at(bytes, i, 3, b"global"),
                    b'g' if !s.nested => s.nested = word_at(bytes, i, 2, b"digest"),
                    _ => {}
                }
            }
        }
        if s.boundary_line > 0 {
            for at in (0..bytes.len()).step_by(8) {
                let (x, next) = (chunk(bytes, at), chunk(bytes, at + 1));
                let (dashes, pa) = (b"--", b"pa");
                if maybe_pair(x, next, dashes) | maybe_pair(x | CASE, next | CASE, pa) == 0 {
                    continue;
                }
                s.dashes += u64::from(pair(x, next, dashes).count_ones());
                for i in positions(pair(x | CASE, next | CASE, pa), at) {
                    s.multipart += u64::from(word_at(bytes, i, 5, b"multipart"));
                }
            }
        }
        s
    }

    /// Upper bound on the bytes mail-parser compares while looking for
    /// boundaries: each multipart may scan to the end, comparing its boundary
    /// (decoded: at most 3 bytes per raw byte) at every `--`.
    fn scan_work(&self) -> u64 {
        if self.boundary_line == 0 {
            return self.len;
        }
        let boundary = self.len.min(self.boundary_line.saturating_mul(3));
        let pass = self
            .len
            .saturating_add(self.dashes.saturating_mul(boundary));
        (self.multipart + 1).saturating_mul(pass)
    }
}

/// One in every byte: multiplied by a byte, that byte in all eight.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;
/// ASCII's case bit in every byte: or-ed in, a letter compares as lower
/// case and matches exactly its two cases (digits and `-` are compared as
/// they are).
const CASE: u64 = 0x20 * ONES;

/// The eight bytes at `at` as a word, the first in the low byte; past the
/// end, zeros (which match none of the letters or the dash looked for).
#[inline(always)]
fn chunk(bytes: &[u8], at: usize) -> u64 {
    if let Some(&[a, b, c, d, e, f, g, h]) = bytes.get(at..at + 8) {
        return u64::from_le_bytes([a, b, c, d, e, f, g, h]);
    }
    let mut last = [0u8; 8];
    let rest = bytes.get(at..).unwrap_or_default();
    last[..rest.len().min(8)].copy_from_slice(&rest[..rest.len().min(8)]);
    u64::from_le_bytes(last)
}

/// The high bit of each byte of `x` that is `two[0]` where the same byte of
/// `next` is `two[1]`, exactly: a byte of the or-ed differences is zero just
/// there, and adding 0x7f to its low seven bits never carries into the next.
#[inline(always)]
fn pair(x: u64, next: u64, two: &[u8; 2]) -> u64 {
    let v = (x ^ (ONES * u64::from(two[0]))) | (next ^ (ONES * u64::from(two[1])));
    !(((v & !HIGH) + !HIGH) | v) & HIGH
}

/// Non-zero if some byte of `x` is `two[0]` where the same byte of `next` is
/// `two[1]` (the classic test for a zero byte, whose borrow may mark bytes
/// above a real one: a filter before [`pair`]).
#[inline(always)]
fn maybe_pair(x: u64, next: u64, two: &[u8; 2]) -> u64 {
    let v = (x ^ (ONES * u64::from(two[0]))) | (next ^ (ONES * u64::from(two[1])));
    v.wrapping_sub(ONES) & !v & HIGH
}

/// The positions in the message of the bytes [`pair`] marked in the chunk
/// at `at`, in order.
#[inline(always)]
fn positions(mut marks: u64, at: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (marks != 0).then(|| {
            let i = at + (marks.trailing_zeros() / 8) as usize;
            marks &= marks - 1;
            i
        })
    })
}

/// `word` (lower case) starts `at` bytes before `i`, any case.
fn word_at(bytes: &[u8], i: usize, at: usize, word: &[u8]) -> bool {
    i.checked_sub(at)
        .and_then(|start| bytes.get(start..start + word.len()))
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// Bytes before the first empty line (all of them if there is none).
fn header_block(bytes: &[u8]) -> usize {
    let mut start = 0;
    while let Some(len) = bytes[start..].iter().position(|&b| b == b'\n') {
        if matches!(&bytes[start..start + len], b"" | b"\r") {
            return start;
        }
        start += len + 1;
    }
    bytes.len()
}

/// The unfolded line around `i`: from its first line's start through the
/// line end of its last (a line starting with a space or tab continues it).
fn logical_line(bytes: &[u8], i: usize) -> (usize, usize) {
    let starts_logical = |j: usize| !matches!(bytes.get(j + 1), Some(b' ' | b'\t'));
    let start = bytes[..i]
        .iter()
        .enumerate()
        .rev()
        .find(|&(j, &b)| b == b'\n' && starts_logical(j))
        .map_or(0, |(j, _)| j + 1);
    let end = bytes[i..]
        .iter()
        .enumerate()
        .find(|&(k, &b)| b == b'\n' && starts_logical(i + k))
        .map_or(bytes.len(), |(k, _)| i + k + 1);
    (start, end)
}

/// Spends the scan work of `bytes` and, if it may hold messages, dry-runs it
/// to find encoded message parts; their decoded content is checked the same
/// way, `levels` deep. Returns the number of nested messages found (each one
/// costs a copy of `bytes` when mail-parser parses it as decoded content).
fn check_content(
    bytes: &[u8],
    stats: Stats,
    limits: &Limits,
    work: &mut Work,
    levels: u8,
    depth: usize,
) -> Result<u64, ParseError> {
    work.spend(stats.scan_work())?;
    if !stats.nested {
        return Ok(0);
    }
    // Not decoding transfer encodings is what keeps mail-parser from recursing.
    static DRY: OnceLock<MessageParser> = OnceLock::new();
    let dry = DRY.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .ignore_header(HeaderName::ContentTransferEncoding)
    });
    let Some(tree) = dry.parse(bytes) else {
        return Ok(0);
    };
    let mut messages = 0u64;
    let result = walk(&tree, |visit| {
        // The dry run can place a part one level deeper than the real parse
        // (an encoded message swallows the next part's headers); the exact
        // check comes after the real parse, this one only bounds recursion.
        if depth + visit.depth > limits.max_depth.saturating_mul(2).saturating_add(2) {
            return Err(exceeded(Limit::MaxDepth, limits.max_depth));
        }
        if matches!(visit.part.body, PartType::Message(_)) {
            messages += 1;
        }
        if levels == 0 {
            return Ok(());
        }
        if let Some(content) = encoded_message_content(bytes, &visit) {
            let nested = check_content(
                &content,
                Stats::of(&content),
                limits,
                work,
                levels - 1,
                depth + visit.depth + 1,
            )?;
            work.spend((nested + 1).saturating_mul(content.len() as u64))?;
        }
        Ok(())
    });
    dismantle(tree);
    result.map(|()| messages)
}

/// If the real parse would decode this part and parse it as a message, the
/// bytes it would parse. Mirrors mail-parser: a message part is
/// `message/rfc822`, `message/global`, or a part without a type inside
/// `multipart/digest`; its transfer encoding is the last
/// Content-Transfer-Encoding, read as unstructured text.
fn encoded_message_content(raw: &[u8], visit: &Visit<'_, '_>) -> Option<Vec<u8>> {
    let part = visit.part;
    let is_message = match part.content_type() {
        Some(ct) => {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
                })
        }
        None => visit
            .parent
            .and_then(|p| p.content_type())
            .is_some_and(|ct| {
                ct.ctype().eq_ignore_ascii_case("multipart")
                    && ct
                        .subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("digest"))
            }),
    };
    if !is_message {
        return None;
    }
    let cte = part
        .headers
        .iter()
        .rev()
        .find(|h| h.name == HeaderName::ContentTransferEncoding)?;
    let cte =
        super::parse::unstructured(raw.get(cte.offset_start as usize..cte.offset_end as usize)?);
    let body = raw.get(part.offset_body as usize..)?;
    if cte.eq_ignore_ascii_case("base64") {
        // The decoder stops at the first "--" whatever the boundary, so the
        // content does not depend on which boundary the real parse has.
        let end = body
            .windows(2)
            .position(|w| w == b"--")
            .unwrap_or(body.len());
        let (end, decoded) = MessageStream::new(&body[..end]).decode_base64_mime(b"");
        (end != usize::MAX).then(|| decoded.into_owned())
    } else if cte.eq_ignore_ascii_case("quoted-printable") {
        let boundary = visit.boundary.unwrap_or_default();
        let (end, decoded) =
            MessageStream::new(body).decode_quoted_printable_mime(boundary.as_bytes());
        (end != usize::MAX).then(|| decoded.into_owned())
    } else {
        None
    }
}

/// Exact limits on the real tree: depth, number of parts, header block size.
pub(crate) fn check_tree(tree: &Message<'_>, limits: &Limits) -> Result<(), ParseError> {
    let mut parts = 0usize;
    walk(tree, |visit| {
        parts += 1;
        if parts > limits.max_parts {
            return Err(exceeded(Limit::MaxParts, limits.max_parts));
        }
        if visit.depth > limits.max_depth {
            return Err(exceeded(Limit::MaxDepth, limits.max_depth));
        }
        let header = visit
            .part
            .offset_body
            .saturating_sub(visit.part.offset_header) as usize;
        if header > limits.max_header_bytes {
            return Err(exceeded(Limit::MaxHeaderBytes, limits.max_header_bytes));
        }
        Ok(())
    })
}

/// A part met by [`walk`].
pub(crate) struct Visit<'a, 'x> {
    pub part: &'a MessagePart<'x>,
    /// 0 for the top part; +1 per multipart or attached message around it.
    pub depth: usize,
    /// The multipart containing it (or, for the top part of an attached
    /// message, the message part itself).
    pub parent: Option<&'a MessagePart<'x>>,
    /// The boundary in force where it sits (inherited into attached messages,
    /// as mail-parser does).
    pub boundary: Option<&'a str>,
}

/// Visits every part of the tree, attached messages included, without
/// recursion, stopping at the first error.
pub(crate) fn walk<'a, 'x>(
    tree: &'a Message<'x>,
    mut visit: impl FnMut(Visit<'a, 'x>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    type Frame<'a, 'x> = (
        &'a Message<'x>,
        usize,
        Option<&'a MessagePart<'x>>,
        Option<&'a str>,
    );
    let mut stack: Vec<Frame<'a, 'x>> = vec![(tree, 0, None, None)];
    let mut where_: Vec<(usize, Option<usize>)> = Vec::new();
    while let Some((message, base, holder, inherited)) = stack.pop() {
        // Children come after their multipart in `parts`, so one forward pass
        // knows each part's depth and parent.
        where_.clear();
        where_.resize(message.parts.len(), (base, None));
        for (i, part) in message.parts.iter().enumerate() {
            let (depth, parent_index) = where_[i];
            let parent = match parent_index {
                Some(p) => message.parts.get(p),
                None => holder,
            };
            let boundary = match parent_index {
                Some(p) => message
                    .parts
                    .get(p)
                    .and_then(|p| p.content_type())
                    .and_then(|ct| ct.attribute("boundary")),
                None => inherited,
            };
            visit(Visit {
                part,
                depth,
                parent,
                boundary,
            })?;
            match &part.body {
                PartType::Multipart(children) => {
                    for &child in children {
                        if let Some(slot) = where_.get_mut(child as usize)
                            && child as usize > i
                        {
                            *slot = (depth + 1, Some(i));
                        }
                    }
                }
                PartType::Message(inner) => stack.push((inner, depth + 1, Some(part), boundary)),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Drops a tree without recursing into attached messages (a deep chain of
/// them would overflow the stack in the derived `Drop`).
pub(crate) fn dismantle(tree: Message<'_>) {
    let mut pending = vec![tree];
    while let Some(mut message) = pending.pop() {
        for part in &mut message.parts {
            if let PartType::Message(_) = part.body
                && let PartType::Message(inner) = std::mem::take(&mut part.body)
            {
                pending.push(inner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    fn starts_ci(hay: &[u8], needle: &[u8]) -> bool {
        hay.get(..needle.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(needle))
    }

    /// The earlier one-pass count, every interesting byte checked: the
    /// faster [`Stats::of`] must give the same figures wherever they matter.
    fn reference(bytes: &[u8]) -> Stats {
        // Most bytes start none of the words below; one table lookup skips them.
        const INTERESTING: [bool; 256] = {
            let mut table = [false; 256];
            let mut i = 0;
            let set = b"\n-mMbBrRgGdD";
            while i < set.len() {
                table[set[i] as usize] = true;
                i += 1;
            }
            table
        };
        let mut s = Stats {
            len: bytes.len() as u64,
            first_header_block: bytes.len(),
            ..Stats::default()
        };
        let mut found_blank = false;
        let (mut line_start, mut logical_start, mut logical_has_boundary) = (0, 0, false);
        for (i, &b) in bytes.iter().enumerate() {
            if !INTERESTING[b as usize] {
                continue;
            }
            let rest = &bytes[i..];
            match b {
                b'\n' => {
                    let content = &bytes[line_start..i];
                    if !found_blank && (content.is_empty() || content == b"\r") {
                        found_blank = true;
                        s.first_header_block = line_start;
                    }
                    line_start = i + 1;
                    // A line starting with a space or tab continues the header line.
                    if !matches!(bytes.get(line_start), Some(b' ' | b'\t')) {
                        if logical_has_boundary {
                            s.boundary_line =
                                s.boundary_line.max((line_start - logical_start) as u64);
                        }
                        (logical_start, logical_has_boundary) = (line_start, false);
                    }
                }
                b'-' => s.dashes += u64::from(rest.get(1) == Some(&b'-')),
                // ASCII letters: `| 0x20` lower-cases them. The second letter
                // is checked first as most candidates fail there.
                _ => match (b | 0x20, rest.get(1).map_or(0, |n| n | 0x20)) {
                    (b'm', b'u') if starts_ci(rest, b"multipart") => s.multipart += 1,
                    (b'b', b'o') if starts_ci(rest, b"boundary") => logical_has_boundary = true,
                    (b'r', b'f') if starts_ci(rest, b"rfc822") => s.nested = true,
                    (b'g', b'l') if starts_ci(rest, b"global") => s.nested = true,
                    (b'd', b'i') if starts_ci(rest, b"digest") => s.nested = true,
                    _ => {}
                },
            }
        }
        if logical_has_boundary {
            s.boundary_line = s.boundary_line.max((bytes.len() - logical_start) as u64);
        }
        s
    }

    fn figures(s: Stats) -> (u64, u64, u64, u64, bool, usize) {
        // Dashes and multiparts only count once a boundary is declared.
        let (multipart, dashes) = if s.boundary_line > 0 {
            (s.multipart, s.dashes)
        } else {
            (0, 0)
        };
        (
            s.len,
            multipart,
            dashes,
            s.boundary_line,
            s.nested,
            s.first_header_block,
        )
    }

    #[test]
    fn counts_match_the_one_pass_reference() {
        let pieces: [&[u8]; 18] = [
            b"Content-Type: multipart/mixed;",
            b" BOUNDARY=\"x--y\"",
            b"\r\n",
            b"\n",
            b"\n\t",
            b"\r\n ",
            b"--",
            b"-",
            b"message/RFC822",
            b"Global",
            b"digest",
            b"DIGEST",
            b"GLOBAL",
            b"boundar",
            b"y",
            b"MultiPart",
            b"text ",
            b"\r\n\r\n",
        ];
        // A fixed pseudo-random walk over the pieces (xorshift).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for case in 0..3000 {
            let mut bytes = Vec::new();
            for _ in 0..(case % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
            }
            assert_eq!(
                figures(Stats::of(&bytes)),
                figures(reference(&bytes)),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/inlay");
        for entry in std::fs::read_dir(golden).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert_eq!(figures(Stats::of(&bytes)), figures(reference(&bytes)));
        }
    }
}
