//! Folder names: which folder takes the Sent copy, and how names are
//! spelt on the wire (modified UTF-7).

use base64::Engine;

pub(super) type Folder = (Vec<String>, Option<String>, Vec<u8>);

/// `\Sent` attribute first, then "Sent" (any case), then "<parent><delim>Sent".
pub(super) fn choose_sent(folders: &[Folder]) -> Option<Vec<u8>> {
    let selectable = |f: &&Folder| {
        !f.0.iter()
            .any(|a| a == "\\NOSELECT" || a == "\\NONEXISTENT")
    };
    if let Some(f) = folders
        .iter()
        .filter(selectable)
        .find(|f| f.0.iter().any(|a| a == "\\SENT"))
    {
        return Some(f.2.clone());
    }
    if let Some(f) = folders
        .iter()
        .filter(selectable)
        .find(|f| f.2.eq_ignore_ascii_case(b"Sent"))
    {
        return Some(f.2.clone());
    }
    folders
        .iter()
        .filter(selectable)
        .find(|f| {
            f.1.as_ref().is_some_and(|d| {
                let suffix = format!("{d}sent");
                f.2.len() > suffix.len()
                    && f.2[f.2.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
            })
        })
        .map(|f| f.2.clone())
}

/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3).
pub fn mutf7(name: &str) -> String {
    use base64::alphabet::IMAP_MUTF7;
    use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};
    let engine = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);
    let mut out = String::new();
    let mut wide: Vec<u16> = Vec::new();
    let flush = |wide: &mut Vec<u16>, out: &mut String| {
        if !wide.is_empty() {
            let bytes: Vec<u8> = wide.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&engine.encode(bytes));
            out.push('-');
            wide.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut wide, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            wide.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut wide, &mut out);
    out
}

/// A mailbox name as sent on the wire (modified UTF-7) read back as text,
/// the form `imapSync` takes; `None` when it is not valid modified UTF-7.
pub fn from_mutf7(wire: &[u8]) -> Option<String> {
    use base64::alphabet::IMAP_MUTF7;
    use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};
    let engine = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);
    let text = std::str::from_utf8(wire).ok()?;
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        if end == 0 {
            out.push('&');
        } else {
            let bytes = engine.decode(&after[..end]).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::parse::parse_list;
    use crate::imap::wire::tests::response;

    #[test]
    fn list_and_sent_folder_choice() {
        let folders = |lines: &[&str]| -> Vec<Folder> {
            lines
                .iter()
                .filter_map(|l| parse_list(&response(l.as_bytes(), 100).unwrap(), b"LIST"))
                .collect()
        };
        let special = folders(&[
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
            "* LIST (\\HasNoChildren) \"/\" \"Sent\"\r\n",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Gesendete Objekte\"\r\n",
        ]);
        assert_eq!(choose_sent(&special), Some(b"Gesendete Objekte".to_vec()));
        let named = folders(&[
            "* LIST () \".\" \"INBOX.sent\"\r\n",
            "* LIST () \".\" INBOX\r\n",
        ]);
        assert_eq!(choose_sent(&named), Some(b"INBOX.sent".to_vec()));
        let literal = folders(&["* LIST (\\Sent) \"/\" {4}\r\nSENT\r\n"]);
        assert_eq!(choose_sent(&literal), Some(b"SENT".to_vec()));
        let none = folders(&[
            "* LIST (\\Noselect \\Sent) \"/\" \"Sent\"\r\n",
            "* LIST () \"/\" \"Sent Items old\"\r\n",
        ]);
        assert_eq!(choose_sent(&none), None);
        // XLIST (Gmail's older form) has the same shape.
        let x = parse_list(
            &response(
                b"* XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n",
                0,
            )
            .unwrap(),
            b"XLIST",
        );
        assert_eq!(
            choose_sent(&[x.unwrap()]),
            Some(b"[Gmail]/Sent Mail".to_vec())
        );
    }

    #[test]
    fn small_pure_helpers() {
        assert_eq!(mutf7("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(mutf7("A&B"), "A&-B");
        assert_eq!(mutf7("日本語"), "&ZeVnLIqe-");
    }

    #[test]
    fn wire_names_read_back_as_the_text_imap_sync_takes() {
        for name in [
            "Sent",
            "Entwürfe",
            "A&B",
            "日本語",
            "Отправленные",
            "INBOX/Gesendete Objekte",
            "😀 mail",
        ] {
            assert_eq!(
                from_mutf7(mutf7(name).as_bytes()).as_deref(),
                Some(name),
                "{name}"
            );
        }
        for broken in ["&ZeVn", "&*-", "&AA-"] {
            assert_eq!(from_mutf7(broken.as_bytes()), None, "{broken}");
        }
    }
}
