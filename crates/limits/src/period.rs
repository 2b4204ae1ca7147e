//! Quota period boundaries: fixed minutes, hours, days, Monday-based weeks and calendar
//! months in UTC, each shifted by an offset.

use time::{Date, Month, OffsetDateTime, Time};

use crate::config::QuotaPeriod;

const NANOS_PER_SEC: u64 = 1_000_000_000;
const MINUTE: u64 = 60 * NANOS_PER_SEC;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// 1970-01-01 was a Thursday: the first Monday 00:00 UTC is four days later.
const FIRST_MONDAY: u64 = 4 * DAY;

/// One period of a quota: `[start, end)` in nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant of the period.
    pub start: u64,
    /// First instant after the period.
    pub end: u64,
}

/// The period containing `now`, with boundaries shifted forward by `offset` nanoseconds.
pub fn window_at(period: QuotaPeriod, offset: u64, now: u64) -> Window {
    match period {
        QuotaPeriod::Minute => fixed(MINUTE, offset, now),
        QuotaPeriod::Hour => fixed(HOUR, offset, now),
        QuotaPeriod::Day => fixed(DAY, offset, now),
        QuotaPeriod::Week => fixed(WEEK, offset.saturating_add(FIRST_MONDAY) % WEEK, now),
        QuotaPeriod::Month => month(offset, now),
    }
}

/// The largest offset a period accepts (exclusive), in nanoseconds.
pub fn max_offset(period: QuotaPeriod) -> u64 {
    match period {
        QuotaPeriod::Minute => MINUTE,
        QuotaPeriod::Hour => HOUR,
        QuotaPeriod::Day => DAY,
        QuotaPeriod::Week => WEEK,
        QuotaPeriod::Month => 28 * DAY,
    }
}

/// A period of constant `len`, aligned to `phase` after the epoch.
fn fixed(len: u64, phase: u64, now: u64) -> Window {
    let start = (now.saturating_sub(phase) / len) * len + phase;
    Window { start, end: start + len }
}

/// The calendar month (UTC) containing `now - offset`, shifted by `offset`.
fn month(offset: u64, now: u64) -> Window {
    let local = now.saturating_sub(offset);
    let (year, month) = year_month(local);
    let start = month_start(year, month).saturating_add(offset);
    let (next_year, next_month) =
        if month == Month::December { (year + 1, Month::January) } else { (year, month.next()) };
    let end = month_start(next_year, next_month).saturating_add(offset);
    Window { start, end }
}

/// The UTC year and month of an instant.
fn year_month(nanos: u64) -> (i32, Month) {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    (at.year(), at.month())
}

/// Nanoseconds since the epoch of the first instant of a UTC month.
fn month_start(year: i32, month: Month) -> u64 {
    let Ok(date) = Date::from_calendar_date(year, month, 1) else {
        return u64::MAX;
    };
    let nanos = date.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp_nanos();
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at(dt: OffsetDateTime) -> u64 {
        u64::try_from(dt.unix_timestamp_nanos()).unwrap()
    }

    #[test]
    fn day_with_offset_starts_at_six() {
        let w = window_at(QuotaPeriod::Day, 6 * HOUR, at(datetime!(2026-03-10 05:59:59 UTC)));
        assert_eq!(w.start, at(datetime!(2026-03-09 06:00 UTC)));
        assert_eq!(w.end, at(datetime!(2026-03-10 06:00 UTC)));
        let w = window_at(QuotaPeriod::Day, 6 * HOUR, at(datetime!(2026-03-10 06:00 UTC)));
        assert_eq!(w.start, at(datetime!(2026-03-10 06:00 UTC)));
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-12 is a Thursday; its week starts Monday 2026-03-09.
        let w = window_at(QuotaPeriod::Week, 0, at(datetime!(2026-03-12 10:00 UTC)));
        assert_eq!(w.start, at(datetime!(2026-03-09 00:00 UTC)));
        assert_eq!(w.end, at(datetime!(2026-03-16 00:00 UTC)));
    }

    #[test]
    fn months_follow_the_calendar() {
        let w = window_at(QuotaPeriod::Month, 0, at(datetime!(2028-02-29 23:59:59 UTC)));
        assert_eq!(w.start, at(datetime!(2028-02-01 00:00 UTC)));
        assert_eq!(w.end, at(datetime!(2028-03-01 00:00 UTC)));
        let w = window_at(QuotaPeriod::Month, 0, at(datetime!(2026-12-31 12:00 UTC)));
        assert_eq!(w.end, at(datetime!(2027-01-01 00:00 UTC)));
    }

    #[test]
    fn month_offset_moves_the_start_day() {
        let offset = 14 * DAY;
        let w = window_at(QuotaPeriod::Month, offset, at(datetime!(2026-03-14 23:00 UTC)));
        assert_eq!(w.start, at(datetime!(2026-02-15 00:00 UTC)));
        assert_eq!(w.end, at(datetime!(2026-03-15 00:00 UTC)));
    }
}
