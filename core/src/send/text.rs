//! The text/plain alternative of the (sanitised) HTML body, by html2text:
//! paragraphs apart by a blank line, line breaks kept, list items as `- `
//! and `1. ` (a list follows its paragraph without a blank line), quotes as `> `, links as `text (url)`, images as their alt
//! text. Lines are not wrapped: a paragraph stays one line, as Gmail's own
//! alternative does (the builder's quoted-printable keeps the lines short
//! on the wire, and readers wrap).

use html2text::render::TextDecorator;

/// Wide enough that no paragraph is wrapped.
const WIDTH: usize = 100_000;

/// The text alternative of `html`.
pub fn html_to_text(html: &str) -> String {
    let mut text = html2text::config::with_decorator(Plain::default())
        .link_footnotes(false)
        .string_from_read(html.as_bytes(), WIDTH)
        .unwrap_or_default();
    // A link whose text is its address needs it only once.
    for url in links(html) {
        let shown = url.strip_prefix("mailto:").unwrap_or(&url);
        text = text.replace(&format!("{shown} ({url})"), shown);
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut out = lines.join("\n").trim_matches('\n').to_owned();
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Every link target in `html` (already sanitised: plain `href="…"`).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(" href=\"") {
        rest = &rest[at + 7..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

/// No markup: emphasis is dropped, a link's address follows its text.
#[derive(Clone, Debug, Default)]
struct Plain {
    /// Targets of the links open around the current text.
    links: Vec<String>,
}

impl TextDecorator for Plain {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, ()) {
        self.links.push(url.to_owned());
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        match self.links.pop() {
            Some(url) if !url.is_empty() => format!(" ({url})"),
            _ => String::new(),
        }
    }

    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) {}

    fn decorate_preformat_cont(&self) {}

    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        let alt = title.trim();
        (
            if alt.is_empty() {
                String::new()
            } else {
                format!("[{alt}]")
            },
            (),
        )
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".into()
    }

    fn unordered_item_prefix(&self) -> String {
        "- ".into()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Self::default()
    }

    fn finalise(&mut self, _urls: Vec<String>) -> Vec<html2text::render::TaggedLine<()>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_breaks_lists_quotes_and_links() {
        let html = "<p>Hi <b>Ada</b>,</p><p>line one<br>line two</p>\
                    <ul><li>first</li><li>second</li></ul><ol start=\"3\"><li>third</li></ol>\
                    <blockquote>quoted</blockquote>\
                    <p>See <a href=\"https://example.com/p?a=1&amp;b=2\">the plan</a> or \
                    <a href=\"https://example.com/\">https://example.com/</a> or \
                    <a href=\"mailto:ada@example.com\">ada@example.com</a>.</p>\
                    <p><img src=\"cid:logo\" alt=\"Logo\"> &lt;not a tag&gt; &amp;</p>";
        assert_eq!(
            html_to_text(html),
            "Hi Ada,\n\nline one\nline two\n- first\n- second\n3. third\n\n> quoted\n\n\
             See the plan (https://example.com/p?a=1&b=2) or https://example.com/ or \
             ada@example.com.\n\n[Logo] <not a tag> &\n"
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
        assert_eq!(html_to_text("<p></p>"), "");
    }
}
