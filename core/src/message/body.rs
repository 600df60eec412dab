//! Which parts are the text and HTML bodies, and which are attachments: a
//! walk of mail-parser's part tree by declared type, as other parsers do.
//!
//! mail-parser's own choice (its `text_body`/`html_body` lists) is the
//! reason for several misreadings: a multipart it could not split, or an
//! empty part, becomes an attachment; in `multipart/related` only the first
//! part can be the body; a part cut short (no closing boundary) or with a
//! quoted-printable error becomes an attachment; only one inline text part
//! per body is used. Here:
//! - `multipart/alternative`: the last alternative giving text, and the last
//!   giving HTML (RFC 2046: the preferred form comes last);
//! - `multipart/related`: the root is the part named by `start`, else the
//!   first of the `type` parameter's type, else the first; the rest are
//!   resources (attachments, usually inline);
//! - other multiparts: every inline `text/plain` part joins the text and
//!   every inline `text/html` part the HTML, in order, empty ones skipped;
//! - a multipart (split or not) and an empty unnamed part are neither body
//!   nor attachment; everything else, attached messages included, is an
//!   attachment.
//!
//! A body's text is mail-parser's where it decoded the part cleanly; else the
//! part (or one whose quoted-printable it may misread) is decoded here from
//! its bytes (transfer encoding read leniently, charset through
//! [`charset::decode`]), see `transfer`. `format=flowed` is undone.

use super::charset;
use super::flowed::unflow;
use super::transfer;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};
use std::borrow::Cow;

pub(crate) struct Bodies {
    pub text: Option<String>,
    pub html: Option<String>,
    /// Part ids of the attachments, in order.
    pub attachments: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Unreached,
    /// A body, a multipart container or an empty part.
    Read,
    Attachment,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Html,
}

pub(crate) fn bodies(tree: &Message<'_>, raw: &[u8]) -> Bodies {
    let mut walk = Walk {
        tree,
        raw,
        text: Vec::new(),
        html: Vec::new(),
        roles: vec![Role::Unreached; tree.parts.len()],
        boundaries: Vec::new(),
    };
    walk.part(0, true);
    let crlf = raw
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && raw[i - 1] == b'\r');
    let line_end = if crlf { "\r\n" } else { "\n" };
    Bodies {
        text: join(walk.text, line_end),
        html: join(walk.html, line_end),
        attachments: (0..tree.parts.len() as u32)
            .filter(|&i| walk.roles[i as usize] == Role::Attachment)
            .collect(),
    }
}

struct Walk<'a, 'x> {
    tree: &'a Message<'x>,
    raw: &'a [u8],
    text: Vec<String>,
    html: Vec<String>,
    roles: Vec<Role>,
    /// `--boundary` of each enclosing multipart, innermost last.
    boundaries: Vec<Vec<u8>>,
}

impl Walk<'_, '_> {
    fn part(&mut self, id: u32, as_body: bool) {
        let Some(part) = self.tree.parts.get(id as usize) else {
            return;
        };
        if self.roles[id as usize] != Role::Unreached {
            return;
        }
        let (ctype, subtype) = content_type(part);
        if ctype == "multipart" {
            self.roles[id as usize] = Role::Read;
            // Children always follow their parent; anything else is ignored.
            let children: Vec<u32> = match &part.body {
                PartType::Multipart(ids) => ids.iter().copied().filter(|&c| c > id).collect(),
                _ => Vec::new(), // no boundary, or one that never appears
            };
            let boundary = part.content_type().and_then(|ct| ct.attribute("boundary"));
            self.boundaries
                .push([b"--", boundary.unwrap_or_default().as_bytes()].concat());
            match subtype {
                _ if !as_body => children.iter().for_each(|&c| self.part(c, false)),
                "alternative" => self.alternative(&children),
                "related" => self.related(part, &children),
                _ => children.iter().for_each(|&c| self.part(c, true)),
            }
            self.boundaries.pop();
            return;
        }
        let kind = match (ctype, subtype) {
            _ if !as_body || !inline(part, id) => None,
            ("text", "plain") => Some(Kind::Text),
            ("text", "html") => Some(Kind::Html),
            _ => None,
        };
        self.roles[id as usize] = match kind {
            Some(kind) => {
                let text = self.text_of(part, kind);
                match kind {
                    Kind::Text => self.text.push(text),
                    Kind::Html => self.html.push(text),
                }
                Role::Read
            }
            None if empty(part, self.raw) => Role::Read,
            None => Role::Attachment,
        };
    }

    fn alternative(&mut self, children: &[u32]) {
        let (text_start, html_start) = (self.text.len(), self.html.len());
        let (mut text, mut html) = (None, None);
        for &child in children {
            let (t, h) = (self.text.len(), self.html.len());
            self.part(child, true);
            if self.text.len() > t {
                text = Some(self.text.split_off(t));
            }
            if self.html.len() > h {
                html = Some(self.html.split_off(h));
            }
        }
        self.text.truncate(text_start);
        self.html.truncate(html_start);
        self.text.extend(text.unwrap_or_default());
        self.html.extend(html.unwrap_or_default());
    }

    fn related(&mut self, part: &MessagePart<'_>, children: &[u32]) {
        let ct = part.content_type();
        let start = ct
            .and_then(|ct| ct.attribute("start"))
            .map(|s| s.trim().trim_start_matches('<').trim_end_matches('>'));
        let root_type = ct
            .and_then(|ct| ct.attribute("type"))
            .and_then(|t| t.trim().split_once('/'));
        let child = |id: &u32| self.tree.parts.get(*id as usize);
        let root = children
            .iter()
            .find(|id| start.is_some() && child(id).and_then(|p| p.content_id()) == start)
            .or_else(|| {
                children.iter().find(|id| {
                    root_type.is_some_and(|(t, s)| {
                        child(id).is_some_and(|p| {
                            let (c, d) = content_type(p);
                            c.eq_ignore_ascii_case(t) && d.eq_ignore_ascii_case(s)
                        })
                    })
                })
            })
            .or(children.first())
            .copied();
        for &id in children {
            self.part(id, Some(id) == root);
        }
    }

    fn text_of(&self, part: &MessagePart<'_>, kind: Kind) -> String {
        let ct = part.content_type();
        // mail-parser's text, unless it could not decode the part (a CJK
        // charset has no table in the wasm build: see `charset`).
        let multi_byte = ct
            .and_then(|c| c.attribute("charset"))
            .and_then(charset::multi_byte)
            .is_some();
        let irregular = || {
            part.encoding == Encoding::QuotedPrintable
                && transfer::irregular_qp(wire(part, self.raw))
        };
        let clean = match (&part.body, kind) {
            _ if part.is_encoding_problem || multi_byte || irregular() => None,
            (PartType::Text(text), Kind::Text) | (PartType::Html(text), Kind::Html) => {
                Some(text.as_ref())
            }
            _ => None,
        };
        let text = match clean {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(decode(part, self.cut(wire(part, self.raw)))),
        };
        let flowed = kind == Kind::Text
            && ct
                .and_then(|c| c.attribute("format"))
                .is_some_and(|f| f.eq_ignore_ascii_case("flowed"));
        if flowed {
            let delsp = ct
                .and_then(|c| c.attribute("delsp"))
                .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
            unflow(&text, delsp)
        } else {
            text.into_owned()
        }
    }
}

impl Walk<'_, '_> {
    /// A part mail-parser could not end (its own boundary never came) runs
    /// to the end of the message; it ends where an enclosing multipart's
    /// boundary line starts, as in other parsers.
    fn cut<'r>(&self, bytes: &'r [u8]) -> &'r [u8] {
        let end = self
            .boundaries
            .iter()
            .filter(|b| b.len() > 2)
            .filter_map(|b| find_line(bytes, b))
            .min();
        let Some(end) = end else { return bytes };
        let body = &bytes[..end];
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        body.strip_suffix(b"\r").unwrap_or(body)
    }
}

/// Offset of the first line of `bytes` that starts with `prefix`.
fn find_line(bytes: &[u8], prefix: &[u8]) -> Option<usize> {
    let mut start = 0;
    loop {
        if bytes[start..].starts_with(prefix) {
            return Some(start);
        }
        start += bytes[start..].iter().position(|&b| b == b'\n')? + 1;
    }
}

/// Type and subtype (mail-parser gives them in lower case); `text/plain`
/// when absent (RFC 2045).
fn content_type<'p>(part: &'p MessagePart<'_>) -> (&'p str, &'p str) {
    match part.content_type() {
        Some(ct) => (ct.ctype(), ct.subtype().unwrap_or_default()),
        None if matches!(part.body, PartType::Message(_)) => ("message", "rfc822"),
        None => ("text", "plain"),
    }
}

/// Shown as part of the message: not an attached message, not marked as an
/// attachment, and no file name (the top part may have one).
fn inline(part: &MessagePart<'_>, id: u32) -> bool {
    !matches!(part.body, PartType::Message(_))
        && !part
            .content_disposition()
            .is_some_and(|d| d.is_attachment())
        && (id == 0 || part.attachment_name().is_none())
}

/// No content and no name: a stray boundary, not a file.
fn empty(part: &MessagePart<'_>, raw: &[u8]) -> bool {
    part.attachment_name().is_none()
        && !matches!(part.body, PartType::Message(_))
        && wire(part, raw).iter().all(u8::is_ascii_whitespace)
}

fn wire<'r>(part: &MessagePart<'_>, raw: &'r [u8]) -> &'r [u8] {
    raw.get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default()
}

/// The part's bytes with its transfer encoding undone and charset decoded.
fn decode(part: &MessagePart<'_>, bytes: &[u8]) -> String {
    let bytes = transfer::decode(bytes, part.content_transfer_encoding());
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    charset::decode(&bytes, charset)
}

/// Body texts in order, separated by a line break (the message's own);
/// blank ones are skipped unless all are blank (an empty body is a body).
fn join(parts: Vec<String>, line_end: &str) -> Option<String> {
    if parts.iter().all(|t| t.trim().is_empty()) {
        return parts.into_iter().next();
    }
    let mut texts = parts.into_iter().filter(|t| !t.trim().is_empty());
    let mut out = texts.next()?;
    for next in texts {
        if !out.ends_with('\n') {
            out.push_str(line_end);
        }
        out.push_str(&next);
    }
    Some(out)
}
