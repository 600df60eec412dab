//! The email's HTML body (the app's rich-text editor's, or a template's)
//! reduced to what a sales email needs, with ammonia: an allow-list over
//! html5ever, which parses as a browser does, so what is kept is what a
//! reader's mail client will see.
//!
//! Kept: paragraphs and line breaks, bold/italic/underline/strike, headings,
//! lists, quotes, simple tables, links (http, https, mailto; ammonia adds
//! `rel="noopener noreferrer"`), images from `https:` or an attached `cid:`
//! image, and a few text styles on a span, div, paragraph or table cell.
//! Everything else goes: scripts and styles with their content, event
//! handlers, forms, frames, SVG and MathML, comments, relative and other
//! URLs (`javascript:`, `data:`), classes and ids.

use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};

const TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "span",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "h1",
    "h2",
    "h3",
    "hr",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Styles an editor sets on text; none of them can load anything (no
/// `url()`: no background, no list image) or move text out of its place.
const STYLES: &[&str] = &[
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-decoration",
    "text-align",
];

/// Tags a `style` attribute is kept on.
const STYLED: &[&str] = &["p", "div", "span", "td", "th"];

/// Schemes any URL attribute may have; which tag takes which is narrowed in
/// [`url_allowed`].
const SCHEMES: &[&str] = &["http", "https", "mailto", "cid"];

/// The HTML body, sanitised. A fixed point: sanitising the result again
/// gives the same text (held by the tests).
pub fn sanitize_html(html: &str) -> String {
    clean(html, true)
}

/// The same allow-list for a received email's stored body (issue 13), but
/// no image keeps its `src`: a remote image would tell the sender when the
/// email is looked at, and an attached one's bytes are not stored.
pub fn sanitize_received_html(html: &str) -> String {
    clean(html, false)
}

fn clean(html: &str, images: bool) -> String {
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", HashSet::from(["href", "title"]));
    attributes.insert("img", HashSet::from(["src", "alt", "width", "height"]));
    attributes.insert("ol", HashSet::from(["start"]));
    for cell in ["td", "th"] {
        attributes.insert(cell, HashSet::from(["colspan", "rowspan"]));
    }
    for tag in STYLED {
        attributes.entry(tag).or_default().insert("style");
    }
    let mut builder = Builder::default();
    builder
        .tags(TAGS.iter().copied().collect())
        .tag_attributes(attributes)
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::new())
        .clean_content_tags(HashSet::from([
            "script", "style", "title", "noscript", "template",
        ]))
        .url_schemes(SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .id_prefix(None)
        .filter_style_properties(STYLES.iter().copied().collect())
        .attribute_filter(move |element, attribute, value| {
            if matches!(attribute, "href" | "src")
                && (!url_allowed(element, value) || (element == "img" && !images))
            {
                return None;
            }
            if attribute == "style" && !style_plain(value) {
                return None;
            }
            Some(value.into())
        });
    // A tree the parser can build but not write back (`<p><select><p>`
    // leaves a paragraph inside a paragraph) reads differently when parsed
    // again, as a reader's mail client will (parser mutation, the mXSS
    // class): clean the written text again until it stays as it is.
    let mut out = builder.clean(html).to_string();
    for _ in 0..MAX_PASSES {
        let again = builder.clean(&out).to_string();
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// Cleaning passes after the first; a second one has sufficed for every
/// input the tests found.
const MAX_PASSES: usize = 4;

/// ammonia keeps an allowed property's value as it reads it; a value that
/// could hide a function or a property name (`expression()`, `url()`, a CSS
/// escape or a comment splitting a word) drops the whole style.
fn style_plain(style: &str) -> bool {
    let lower = style.to_ascii_lowercase();
    !["\\", "/*", "expression", "url"]
        .iter()
        .any(|s| lower.contains(s))
}

/// Links go to the web or to an address; images come from `https:` (a
/// plain-http image is mixed content in most clients) or from an image
/// attached to the email (`cid:`).
fn url_allowed(element: &str, url: &str) -> bool {
    let url = url.trim_start().to_ascii_lowercase();
    match element {
        "a" => ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| url.starts_with(s)),
        "img" => url.starts_with("https:") || url.starts_with("cid:"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    #[test]
    fn keeps_the_formatting_of_a_sales_email() {
        let html = "<p>Hi <b>Ada</b>, <i>see</i> <u>this</u>:</p><ul><li>one</li></ul>\
                    <ol start=\"3\"><li>two</li></ol><blockquote>quoted</blockquote>\
                    <p><a href=\"https://example.com/x?a=1&amp;b=2\" title=\"t\">link</a> \
                    <a href=\"mailto:ada@example.com\">mail</a><br><img src=\"cid:logo\" alt=\"Logo\">\
                    <img src=\"https://example.com/a.png\" width=\"10\"></p>\
                    <table><tbody><tr><td colspan=\"2\" style=\"color: red; position: fixed\">c</td></tr></tbody></table>\
                    <span style=\"font-weight:bold;background-image:url(https://x.example/a)\">s</span>";
        // The span's style names url(): all of it goes.
        assert_eq!(
            sanitize_html(html),
            "<p>Hi <b>Ada</b>, <i>see</i> <u>this</u>:</p><ul><li>one</li></ul>\
             <ol start=\"3\"><li>two</li></ol><blockquote>quoted</blockquote>\
             <p><a href=\"https://example.com/x?a=1&amp;b=2\" title=\"t\" rel=\"noopener noreferrer\">link</a> \
             <a href=\"mailto:ada@example.com\" rel=\"noopener noreferrer\">mail</a><br><img src=\"cid:logo\" alt=\"Logo\">\
             <img src=\"https://example.com/a.png\" width=\"10\"></p>\
             <table><tbody><tr><td colspan=\"2\" style=\"color:red\">c</td></tr></tbody></table>\
             <span>s</span>"
        );
    }

    #[test]
    fn links_and_images_only_from_allowed_places() {
        for (html, expected) in [
            (
                "<a href=\"cid:x\">a</a>",
                "<a rel=\"noopener noreferrer\">a</a>",
            ),
            (
                "<a href=\"/relative\">a</a>",
                "<a rel=\"noopener noreferrer\">a</a>",
            ),
            (
                "<a href=\"ftp://x.example/\">a</a>",
                "<a rel=\"noopener noreferrer\">a</a>",
            ),
            ("<img src=\"http://x.example/a.png\">", "<img>"),
            ("<img src=\"mailto:a@b.example\">", "<img>"),
            ("<img src=\"data:image/png;base64,AAAA\">", "<img>"),
            (
                "<img src=\"HTTPS://x.example/a.png\">",
                "<img src=\"HTTPS://x.example/a.png\">",
            ),
        ] {
            assert_eq!(sanitize_html(html), expected, "{html}");
        }
    }
}
