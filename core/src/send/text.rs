//! The text/plain alternative of the (sanitised) HTML body, read from
//! html5ever's tokens (the parser ammonia brings; the input is ammonia's
//! output, so every element is closed):
//! paragraphs apart by a blank line, line breaks kept, list items as `- `
//! and `1. ` (nested ones indented), quotes as `> `, a table row a line
//! with its cells apart by ` | `, links as `text (url)`, images as their
//! `[alt]`. Lines are not wrapped: a paragraph stays one line, as Gmail's
//! own alternative does (the builder's quoted-printable keeps lines short on
//! the wire, and readers wrap).
//!
//! Not html2text, which did the same job on the sanitiser's small set of
//! tags for 66 KB gzip more in the `send` module (docs/ARCHITECTURE.md,
//! "Performance and size").

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};

/// The text alternative of `html`.
pub fn html_to_text(html: &str) -> String {
    let tokens = Tokens::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(tokens, Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut text = Text::default();
    for token in tokenizer.sink.0.take() {
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => text.start(&tag),
            Token::TagToken(tag) => text.end(&tag.name),
            Token::CharacterTokens(chars) if text.skipping == 0 => text.words(&chars),
            _ => {}
        }
    }
    while !text.open.is_empty() {
        text.close();
    }
    let lines: Vec<&str> = text.out.lines().map(str::trim_end).collect();
    let mut out = lines.join("\n").trim_end().to_owned();
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// html5ever's tokens, kept for the walk (its tokenizer hands them one at a
/// time to a sink it owns).
#[derive(Default)]
struct Tokens(RefCell<Vec<Token>>);

impl TokenSink for Tokens {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        self.0.borrow_mut().push(token);
        TokenSinkResult::Continue
    }
}

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// What an open element does when it ends.
enum Open {
    Inline,
    /// Line breaks after it.
    Block(usize),
    Row {
        cells: usize,
    },
    Quote,
    List {
        ordered: bool,
        next: i64,
    },
    /// Where its text began in `out`, and its address.
    Link {
        start: usize,
        url: Option<String>,
    },
    /// Content not shown (script, style).
    Skip,
}

#[derive(Default)]
struct Text {
    out: String,
    /// Line breaks owed before the next text (2: a blank line).
    owed: usize,
    /// Whether the current line has text.
    started: bool,
    /// Whitespace seen since the last text on this line.
    space: bool,
    quotes: usize,
    lists: usize,
    skipping: usize,
    open: Vec<(String, Open)>,
}

impl Text {
    fn start(&mut self, tag: &Tag) {
        let name = &*tag.name;
        let attr = |wanted: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == wanted)
                .map(|a| a.value.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let open = match name {
            "br" => {
                self.owed = (self.owed + 1).min(2);
                return;
            }
            "img" => {
                if let Some(alt) = attr("alt") {
                    self.literal(&format!("[{alt}]"));
                }
                return;
            }
            "hr" => {
                self.owe(2);
                self.literal("----");
                self.owe(2);
                return;
            }
            _ if VOID.contains(&name) => return,
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" => {
                self.owe(2);
                Open::Block(2)
            }
            "div" => {
                self.owe(1);
                Open::Block(1)
            }
            "tr" => {
                self.owe(1);
                Open::Row { cells: 0 }
            }
            "td" | "th" => {
                if let Some((_, Open::Row { cells })) = self.open.last_mut() {
                    *cells += 1;
                    if *cells > 1 {
                        self.literal(" | ");
                    }
                }
                Open::Inline
            }
            "blockquote" => {
                self.owe(2);
                self.quotes += 1;
                Open::Quote
            }
            "ul" | "ol" => {
                self.owe(if self.lists == 0 { 2 } else { 1 });
                self.lists += 1;
                let next = attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
                Open::List {
                    ordered: name == "ol",
                    next,
                }
            }
            "li" => {
                self.owe(1);
                let indent = "  ".repeat(self.lists.saturating_sub(1));
                let list = self.open.iter_mut().rev().find_map(|(_, open)| match open {
                    Open::List { ordered, next } => Some((ordered, next)),
                    _ => None,
                });
                let marker = match list {
                    Some((true, next)) => {
                        *next += 1;
                        format!("{indent}{}. ", *next - 1)
                    }
                    _ => format!("{indent}- "),
                };
                self.literal(&marker);
                Open::Block(1)
            }
            "a" => Open::Link {
                start: self.out.len(),
                url: attr("href"),
            },
            "head" | "script" | "style" | "title" | "template" | "noscript" => {
                self.skipping += 1;
                Open::Skip
            }
            _ => Open::Inline,
        };
        self.open.push((name.to_owned(), open));
    }

    /// Closes elements up to the last one named `name` (none if it is not
    /// open: a stray end tag).
    fn end(&mut self, name: &str) {
        if let Some(at) = self.open.iter().rposition(|(open, _)| open == name) {
            while self.open.len() > at {
                self.close();
            }
        }
    }

    fn close(&mut self) {
        let Some((_, open)) = self.open.pop() else {
            return;
        };
        match open {
            Open::Inline => {}
            Open::Block(n) => self.owe(n),
            Open::Row { .. } => self.owe(1),
            Open::Quote => {
                self.owe(2);
                self.quotes -= 1;
            }
            Open::List { .. } => {
                self.lists -= 1;
                self.owe(if self.lists == 0 { 2 } else { 1 });
            }
            Open::Link { start, url } => {
                let Some(url) = url else {
                    return;
                };
                let shown = self.out.get(start..).unwrap_or_default().trim().to_owned();
                let bare = url.strip_prefix("mailto:").unwrap_or(&url).to_owned();
                if shown.is_empty() {
                    self.literal(&bare);
                } else if shown != bare && shown != url {
                    self.literal(&format!(" ({url})"));
                }
            }
            Open::Skip => self.skipping -= 1,
        }
    }

    /// At least `n` line breaks before the next text (none before the first).
    fn owe(&mut self, n: usize) {
        if self.started || self.owed > 0 {
            self.owed = self.owed.max(n);
        }
    }

    /// Text as HTML shows it: a run of whitespace is one space, none at a
    /// line's start or end.
    fn words(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.space = true;
            } else {
                self.push(c);
            }
        }
    }

    /// Text written as it is (a list marker, a link's address).
    fn literal(&mut self, text: &str) {
        for c in text.chars() {
            if c == ' ' {
                self.line();
                self.out.push(' ');
            } else {
                self.push(c);
            }
        }
    }

    fn push(&mut self, c: char) {
        let continuing = self.started && self.owed == 0;
        self.line();
        if continuing && self.space {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push(c);
    }

    /// Starts a line if one is owed or none is started: the owed breaks,
    /// then the quote marks.
    fn line(&mut self) {
        if self.owed > 0 {
            if !self.out.is_empty() {
                for _ in 0..self.owed {
                    self.out.push('\n');
                }
            }
            self.owed = 0;
            self.started = false;
        }
        if !self.started {
            self.out.push_str(&"> ".repeat(self.quotes));
            self.started = true;
            self.space = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_breaks_lists_quotes_and_links() {
        let html = "<p>Hi <b>Ada</b>,</p><p>line one<br>line two</p>\
                    <ul><li>first</li><li>second<ul><li>inner</li></ul></li></ul><ol start=\"3\"><li>third</li></ol>\
                    <blockquote>quoted<blockquote>twice</blockquote></blockquote>\
                    <p>See <a href=\"https://example.com/p?a=1&amp;b=2\">the plan</a> or \
                    <a href=\"https://example.com/\">https://example.com/</a> or \
                    <a href=\"mailto:ada@example.com\">ada@example.com</a> or \
                    <a href=\"https://example.com/x\"></a>.</p>\
                    <p><img src=\"cid:logo\" alt=\"Logo\"> &lt;not a tag&gt; &amp;</p>";
        assert_eq!(
            html_to_text(html),
            "Hi Ada,\n\nline one\nline two\n\n- first\n- second\n  - inner\n\n3. third\n\n\
             > quoted\n\n> > twice\n\n\
             See the plan (https://example.com/p?a=1&b=2) or https://example.com/ or \
             ada@example.com or https://example.com/x.\n\n[Logo] <not a tag> &\n"
        );
    }

    #[test]
    fn whitespace_reads_as_html_shows_it() {
        assert_eq!(
            html_to_text("<p>  a \n\t b  </p>\n\n<p>c</p>  "),
            "a b\n\nc\n"
        );
        assert_eq!(html_to_text("a<b> b</b> <i>c</i>"), "a b c\n");
    }

    #[test]
    fn editor_lines_and_empty_lines() {
        // Editors write a line as a div and an empty line as <div><br></div>.
        assert_eq!(
            html_to_text("<div>one</div><div><br></div><div>two</div><div>three</div>"),
            "one\n\ntwo\nthree\n"
        );
        assert_eq!(html_to_text("<p>a<br></p><p>b</p>"), "a\n\nb\n");
        assert_eq!(html_to_text("a<br><br><br><br>b"), "a\n\nb\n");
    }

    #[test]
    fn tables_a_row_a_line() {
        assert_eq!(
            html_to_text(
                "<p>Prices:</p><table><tr><th>Plan</th><th>Price</th></tr>\
                          <tr><td>Team</td><td>10</td></tr></table><p>Thanks</p>"
            ),
            "Prices:\n\nPlan | Price\nTeam | 10\n\nThanks\n"
        );
    }

    #[test]
    fn a_long_paragraph_stays_one_line() {
        let words = "word ".repeat(100);
        let text = html_to_text(&format!("<p>{words}</p>"));
        assert_eq!(text, format!("{}\n", words.trim_end()));
    }

    #[test]
    fn empty_html_is_empty_text() {
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<p></p><br>"), "");
    }
}
