//! RFC 3676 `format=flowed` text back to paragraphs.
//!
//! A line ending in a space continues on the next line of the same quote
//! depth; with `delsp=yes` that space was added by the sender's wrapping and
//! is removed. A space after the quote marks (space-stuffing) is removed
//! from continuation lines; the first line of a paragraph keeps its prefix
//! as sent. The signature separator `-- ` never flows.

pub(crate) fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    let mut joining = false;
    while let Some(raw) = lines.next() {
        let (line, cr) = match raw.strip_suffix('\r') {
            Some(line) => (line, true),
            None => (raw, false),
        };
        let depth = quote_depth(line);
        let content = &line[depth..];
        let unstuffed = content.strip_prefix(' ').unwrap_or(content);
        if joining {
            out.push_str(unstuffed);
        } else {
            out.push_str(line);
        }
        let flowed = unstuffed.ends_with(' ') && unstuffed != "-- ";
        joining = flowed
            && lines.peek().is_some_and(|next| {
                quote_depth(next) == depth && !next.trim_end_matches('\r').is_empty()
            });
        if joining {
            if delsp {
                out.pop();
            }
        } else if lines.peek().is_some() {
            out.push_str(if cr { "\r\n" } else { "\n" });
        }
    }
    out
}

fn quote_depth(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b'>').count()
}
