//! What `send` transmits over SMTP: the message without its `Bcc` (and
//! `Resent-Bcc`) header fields. SMTP servers deliver the header as they get
//! it, so a Bcc left in would show every blind recipient to everyone; the
//! Sent copy keeps the message as it was given, Bcc included.

use std::borrow::Cow;

/// `message` (CRLF lines) without the top-level header's `Bcc` and
/// `Resent-Bcc` fields, folded continuation lines included. The body, and
/// any header of an attached message in it, are left as they are.
pub fn without_bcc(message: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut dropping = false;
    let mut at = 0;
    for line in message.split_inclusive(|&b| b == b'\n') {
        let start = at;
        at += line.len();
        if line == b"\r\n" || line == b"\n" {
            // The end of the header: the rest is the body.
            return match out {
                Some(mut kept) => {
                    kept.extend_from_slice(&message[start..]);
                    Cow::Owned(kept)
                }
                None => Cow::Borrowed(message),
            };
        }
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            dropping = is_bcc(line);
        }
        if dropping {
            out.get_or_insert_with(|| message[..start].to_vec());
        } else if let Some(kept) = &mut out {
            kept.extend_from_slice(line);
        }
    }
    out.map_or(Cow::Borrowed(message), Cow::Owned)
}

/// A field line named `Bcc` or `Resent-Bcc` (any case; RFC 5322's obsolete
/// syntax allows blanks before the colon).
fn is_bcc(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    name.eq_ignore_ascii_case(b"bcc") || name.eq_ignore_ascii_case(b"resent-bcc")
}

#[cfg(test)]
mod tests {
    use super::without_bcc;

    fn strip(s: &str) -> String {
        String::from_utf8(without_bcc(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn bcc_fields_leave_the_header_and_nothing_else_does() {
        let message = "From: a@x.org\r\nTo: b@x.org\r\nBcc: c@x.org,\r\n d@x.org\r\nBCC : e@x.org\r\n\
                       Resent-Bcc: f@x.org\r\nX-Bcc: kept\r\nSubject: Bcc: kept too\r\n\tfolded\r\n\r\n\
                       Bcc: g@x.org in the body\r\n";
        assert_eq!(
            strip(message),
            "From: a@x.org\r\nTo: b@x.org\r\nX-Bcc: kept\r\nSubject: Bcc: kept too\r\n\tfolded\r\n\r\n\
             Bcc: g@x.org in the body\r\n"
        );
    }

    #[test]
    fn a_message_without_bcc_is_not_copied() {
        let message = b"To: b@x.org\r\n\r\nBcc: body\r\n";
        assert!(matches!(
            without_bcc(message),
            std::borrow::Cow::Borrowed(m) if m == message
        ));
        // A header with no body at all, Bcc last.
        assert_eq!(strip("To: b@x.org\r\nBcc: c@x.org\r\n"), "To: b@x.org\r\n");
        assert_eq!(strip("Bcc: c@x.org\r\n\r\nhi\r\n"), "\r\nhi\r\n");
    }
}
