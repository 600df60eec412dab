//! UTC calendar arithmetic: a day count since 1970-01-01 to its civil date
//! and back (Howard Hinnant's algorithms, proleptic Gregorian), and the
//! `2026-12-05T09:30:00Z` form that Graph, EWS and the IMAP helper take.
//!
//! Written here, once, rather than taken from a date library: these three
//! functions are all the core needs (no time zones, no parsing of local
//! times), and jiff, time or chrono would add tens of KB to every wasm module
//! that formats a date.

/// The civil date `(year, month 1–12, day 1–31)` of a day count since
/// 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The day count since 1970-01-01 of a civil date (month 1–12; the day is
/// not checked against the month's length).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a Unix time in ms.
pub fn date(unix_ms: u64) -> String {
    let (y, m, d) = civil_from_days((unix_ms / 86_400_000) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time in ms (the fraction dropped).
pub fn date_time(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let rest = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(unix_ms),
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_become_utc_dates() {
        assert_eq!(date_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(date_time(951_782_400_999), "2000-02-29T00:00:00Z");
        assert_eq!(date_time(951_825_600_123), "2000-02-29T12:00:00Z");
        assert_eq!(date_time(1_796_463_018_000), "2026-12-05T09:30:18Z");
        assert_eq!(date_time(4_102_444_799_000), "2099-12-31T23:59:59Z");
        assert_eq!(date(1_796_511_600_500), "2026-12-05");
    }

    #[test]
    fn days_and_civil_dates_round_trip() {
        // 1600-03-01 .. 2400-02-28: every leap-year rule, both directions.
        for days in -135_080..157_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_from_civil(2026, 12, 6), 20_793);
    }
}
