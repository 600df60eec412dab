//! The date an automatic reply says its sender is back.
//!
//! An out-of-office reply is recognised by `message::classify` (headers and
//! subject); here only its text is read for the return date, which the
//! timeline keeps ("back on 14 December"). The forms are the ones
//! out-of-office templates use: a marker ("back on", "returning", "until",
//! "zurück am", "de retour le", "hasta el", …) followed within a few words
//! by a date written as `2026-12-14`, `14.12.2026`, `14 December`,
//! `December 14th, 2026` or `14. Dezember`. Slashed dates (`12/11`) are left
//! out: day and month order differ by country and a wrong date is worse than
//! none. A date without a year is the first one on or after the day the
//! reply came. Hand-written: the core has no calendar library (`httpdate`
//! reads only HTTP dates) and these few forms do not justify adding one to
//! the wasm module.

/// Markers before a return date, lower case.
const MARKERS: &[&str] = &[
    "back on",
    "back in the office on",
    "back in office on",
    "return on",
    "returning on",
    "return to the office on",
    "returning to the office on",
    "back",
    "returning",
    "until",
    "till",
    "through",
    "zurück am",
    "zurück ab",
    "wieder am",
    "wieder ab",
    "ab dem",
    "bis zum",
    "bis",
    "de retour le",
    "de retour à partir du",
    "jusqu'au",
    "hasta el",
    "regreso el",
    "fino al",
    "tot en met",
];

/// Month names and abbreviations (English, German, French, Spanish,
/// Italian, Dutch), lower case, with their number.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("januari", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("februari", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("maart", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("mei", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("augustus", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
];

/// Words read after a marker for its date.
const WINDOW: usize = 8;
/// Text read from the start of the reply: the template's first lines.
const MAX_TEXT: usize = 4000;

/// The return date (`YYYY-MM-DD`) the reply's subject or text states, if
/// any; `received_at_ms` dates a reply that gives no year.
pub fn return_date(subject: &str, text: &str, received_at_ms: i64) -> Option<String> {
    let text: String = text.chars().take(MAX_TEXT).collect();
    let today = crate::utc::civil_from_days(received_at_ms.div_euclid(86_400_000));
    [subject, &text]
        .iter()
        .find_map(|t| find(&t.to_lowercase(), today))
        .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// Words of `text`: letters and digits (a `.` or `-` inside a number kept).
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-' || c == '\''))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect()
}

fn find(text: &str, today: (i64, u32, u32)) -> Option<(i64, u32, u32)> {
    // Every occurrence of every marker, earliest in the text first.
    let mut at: Vec<usize> = MARKERS
        .iter()
        .flat_map(|m| {
            text.match_indices(m)
                .filter(|(i, _)| {
                    // Whole words only: "bis" is not "basis".
                    let before = text[..*i].chars().next_back();
                    let after = text[i + m.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                })
                .map(move |(i, _)| i + m.len())
        })
        .collect();
    at.sort_unstable();
    at.dedup();
    at.into_iter().find_map(|i| {
        // The raw text keeps "14.12.2026" whole; words() drops edge dots.
        let window: Vec<&str> = words(&text[i..]).into_iter().take(WINDOW).collect();
        date_in(&window, &text[i..], today)
    })
}

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    MONTHS.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

/// A day number: `14`, `14th`, `1st`, `2nd`, `3rd`, `14.`, `1er`.
fn day(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let rest = &word[digits.len()..];
    if digits.is_empty()
        || digits.len() > 2
        || !["", "st", "nd", "rd", "th", "er", "."].contains(&rest)
    {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year(word: &str) -> Option<i64> {
    (word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| (1970..=2200).contains(y))
}

/// The first date among the words after a marker.
fn date_in(window: &[&str], raw: &str, today: (i64, u32, u32)) -> Option<(i64, u32, u32)> {
    // Numeric forms, from the raw text (their dots and dashes matter).
    let first_raw = raw
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .take(WINDOW);
    for w in first_raw {
        let w = w.trim_end_matches(['.', ';', ':', '!']);
        let parts: Vec<&str> = w.split(['-', '.']).collect();
        let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
        let Some(nums) = nums else { continue };
        match (w.contains('-'), nums.as_slice()) {
            (true, [y, m, d]) if parts[0].len() == 4 => return valid(*y as i64, *m, *d),
            (false, [d, m, y]) if parts[2].len() == 4 => return valid(*y as i64, *m, *d),
            (false, [d, m]) if w.contains('.') => return next(today, *m, *d),
            _ => {}
        }
    }
    // Named months: "14 December [2026]", "December 14[th][,] [2026]",
    // "14th of December", "14. Dezember".
    for (i, w) in window.iter().enumerate() {
        let Some(m) = month(w) else { continue };
        let after = window.get(i + 1).copied();
        let yr = |k: usize| window.get(k).and_then(|w| year(w));
        let before = (i >= 1).then(|| window[i - 1]);
        let before2 = (i >= 2).then(|| window[i - 2]);
        let d_before = before.and_then(day).or_else(|| {
            // "14th of December", "le 14 de diciembre".
            before
                .filter(|w| ["of", "de", "del"].contains(w))
                .and(before2.and_then(day))
        });
        if let Some(d) = d_before {
            return match yr(i + 1) {
                Some(y) => valid(y, m, d),
                None => next(today, m, d),
            };
        }
        if let Some(d) = after.and_then(day) {
            return match yr(i + 2) {
                Some(y) => valid(y, m, d),
                None => next(today, m, d),
            };
        }
    }
    None
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn valid(y: i64, m: u32, d: u32) -> Option<(i64, u32, u32)> {
    let len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=len).contains(&d).then_some((y, m, d))
}

/// The first `m`/`d` on or after `today`.
fn next(today: (i64, u32, u32), m: u32, d: u32) -> Option<(i64, u32, u32)> {
    let (y, tm, td) = today;
    let this_year = (m, d) >= (tm, td);
    let y = if this_year { y } else { y + 1 };
    valid(y, m, d).or_else(|| valid(y + 1, m, d))
}

