//! `Date:` values mail-parser 0.11 misreads, rewritten before the parse.
//!
//! Its date reader takes a letter zone as three letters: a zone of one or two
//! letters at the end of the value (`UT`, `Z`, or the `PM` of `3:36:25 PM`)
//! swallows the line break, and the next header (often From or Message-ID)
//! is read as part of the date and lost. And it has no AM/PM.
//!
//! - A one- or two-letter zone ending the value becomes numeric: `UT` and
//!   `Z` are `+0000`, the military letters `-0000` (RFC 5322 4.3: unknown).
//! - `AM`/`PM` after the time is applied to the hour and removed, so
//!   `10:05:15 PM` reads as `22:05:15` (without a zone that date is left out,
//!   as every date without a zone is).
//!
//! Only the top-level header block is read; each edit adds at most 3 bytes.
//! The parse reads the bytes first and repairs only when one of the Date
//! values it found needs it ([`misread_dates`]): most mail has none, and the
//! header block is then not scanned a second time.

use mail_parser::{Header, HeaderName};

const NAMES: [&str; 2] = ["date:", "resent-date:"];

/// Whether a top-level Date or Resent-Date header mail-parser read in
/// `bytes` needs [`repaired_dates`]: one that starts a line, named as
/// [`repaired_dates`] looks for it, whose value it would change. A header
/// the misread swallowed follows one that is checked here, so a message
/// with nothing to repair is never read twice.
pub(crate) fn misread_dates(headers: &[Header<'_>], bytes: &[u8]) -> bool {
    headers.iter().any(|h| {
        let at = h.offset_field as usize;
        matches!(h.name, HeaderName::Date | HeaderName::ResentDate)
            && (at == 0 || bytes.get(at - 1) == Some(&b'\n'))
            && bytes.get(at..).is_some_and(|line| {
                name_len(line).is_some_and(|len| fixed_value(value(bytes, at + len)).is_some())
            })
    })
}

/// `bytes` with its Date and Resent-Date values repaired, or `None` when
/// none needs it.
pub(crate) fn repaired_dates(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &bytes[at..end];
        if matches!(line, b"\n" | b"\r\n") {
            break; // the end of the header block
        }
        let value_end = value_end(bytes, end);
        if let Some(len) = name_len(line) {
            let start = at + len;
            let trimmed = trim_line_end(&bytes[start..value_end]);
            if let Some(fixed) = fixed_value(trimmed) {
                edits.push((start, start + trimmed.len(), fixed));
            }
        }
        at = value_end;
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + 3 * edits.len());
    let mut from = 0;
    for (start, end, fixed) in edits {
        out.extend_from_slice(&bytes[from..start]);
        out.extend_from_slice(&fixed);
        from = end;
    }
    out.extend_from_slice(&bytes[from..]);
    Some(out)
}

/// The length of the name and colon a line starts with, if it is a Date
/// or Resent-Date.
fn name_len(line: &[u8]) -> Option<usize> {
    NAMES
        .iter()
        .find(|n| line.len() >= n.len() && line[..n.len()].eq_ignore_ascii_case(n.as_bytes()))
        .map(|n| n.len())
}

/// The value starting at `start`, through its continuation lines, without
/// its final line break.
fn value(bytes: &[u8], start: usize) -> &[u8] {
    let end = value_end(bytes, line_end(bytes, start));
    trim_line_end(&bytes[start..end])
}

/// Offset after the continuation lines from `end`, the end of a header's
/// first line.
fn value_end(bytes: &[u8], mut end: usize) -> usize {
    while matches!(bytes.get(end), Some(b' ' | b'\t')) {
        end = line_end(bytes, end);
    }
    end
}

/// Offset after the line starting at `at` (its `\n` included).
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i + 1)
}

fn trim_line_end(value: &[u8]) -> &[u8] {
    let value = value.strip_suffix(b"\n").unwrap_or(value);
    value.strip_suffix(b"\r").unwrap_or(value)
}

/// The value with AM/PM applied and a short letter zone made numeric.
fn fixed_value(value: &[u8]) -> Option<Vec<u8>> {
    // Whitespace-separated tokens as ranges of `value`.
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < value.len() {
        if value[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < value.len() && !value[i].is_ascii_whitespace() {
            i += 1;
        }
        tokens.push((start, i));
    }
    let text = |&(s, e): &(usize, usize)| &value[s..e];
    let meridiem = tokens.windows(2).find_map(|pair| {
        let hour_len = text(&pair[0]).iter().position(|&b| b == b':')?;
        let hour: u32 = std::str::from_utf8(&text(&pair[0])[..hour_len])
            .ok()?
            .parse()
            .ok()?;
        let pm = match text(&pair[1]).to_ascii_uppercase().as_slice() {
            b"AM" => false,
            b"PM" => true,
            _ => return None,
        };
        let hour = match (hour, pm) {
            (1..=11, true) => hour + 12,
            (12, false) => 0,
            (0..=12, _) => hour,
            _ => return None,
        };
        Some((pair[0].0, pair[0].0 + hour_len, pair[0].1, pair[1].1, hour))
    });
    let last = *tokens.last()?;
    let short_zone = (1..=2).contains(&(last.1 - last.0))
        && text(&last).iter().all(u8::is_ascii_alphabetic)
        && meridiem.is_none_or(|m| m.3 != last.1);
    if meridiem.is_none() && !short_zone {
        return None;
    }
    let mut out = Vec::with_capacity(value.len() + 3);
    let mut from = 0;
    if let Some((hour_start, hour_end, time_end, token_end, hour)) = meridiem {
        out.extend_from_slice(&value[..hour_start]);
        out.extend_from_slice(format!("{hour:02}").as_bytes());
        out.extend_from_slice(&value[hour_end..time_end]);
        from = token_end; // the blanks and the AM/PM token go
    }
    if short_zone {
        out.extend_from_slice(&value[from..last.0]);
        let utc = matches!(text(&last).to_ascii_uppercase().as_slice(), b"UT" | b"Z");
        out.extend_from_slice(if utc { b"+0000" } else { b"-0000" });
        from = last.1;
    }
    out.extend_from_slice(&value[from..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::repaired_dates;

    fn fixed(message: &str) -> String {
        String::from_utf8(repaired_dates(message.as_bytes()).unwrap_or_default()).unwrap()
    }

    #[test]
    fn short_zones_and_meridiem() {
        assert_eq!(
            fixed("Date: Sun, 25 Aug 2002 16:50:54 UT\nFrom: a@b.example\n\nUT\n"),
            "Date: Sun, 25 Aug 2002 16:50:54 +0000\nFrom: a@b.example\n\nUT\n"
        );
        assert_eq!(
            fixed("Date: 28 Jun 01 10:05:15 PM\r\nFrom: a@b.example\r\n"),
            "Date: 28 Jun 01 22:05:15\r\nFrom: a@b.example\r\n"
        );
        assert_eq!(
            fixed("Subject: x\nDATE: 1 Jul 2001 12:01:02 am +0200\n"),
            "Subject: x\nDATE: 1 Jul 2001 00:01:02 +0200\n"
        );
        assert_eq!(
            fixed("Resent-Date: 1 Jul 2001 9:00:00\n  A\n"),
            "Resent-Date: 1 Jul 2001 9:00:00\n  -0000\n"
        );
        // Nothing to do: no copy.
        assert_eq!(
            repaired_dates(b"Date: 1 Jul 2001 09:00:00 GMT\n\nPM\n"),
            None
        );
        assert_eq!(repaired_dates(b"Subject: 10:00 PM\n"), None);
    }
}
