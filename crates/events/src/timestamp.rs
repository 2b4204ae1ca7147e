//! RFC 3339 UTC timestamps with milliseconds, formatted only when an event is written.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{ser::Error as _, Serialize, Serializer};
use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};

/// `2026-12-03T13:45:01.123Z`: always UTC, always three fractional digits.
const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// The moment an event happened; capturing it costs one clock read, formatting is deferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(pub(crate) SystemTime);

impl Timestamp {
    /// Formats the instant as RFC 3339 UTC with millisecond precision.
    ///
    /// Instants before 1970 are written as the epoch; instants past year 9999 cannot be
    /// written and yield an error.
    pub(crate) fn to_rfc3339(self) -> Result<String, time::error::Format> {
        let nanos = self.0.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let nanos = i128::try_from(nanos).unwrap_or(i128::MAX);
        let utc = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .map_err(|_| time::error::Format::InvalidComponent("year"))?;
        utc.format(FORMAT)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.to_rfc3339().map_err(S::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64, nanos: u32) -> Timestamp {
        Timestamp(UNIX_EPOCH + Duration::new(secs, nanos))
    }

    #[test]
    fn formats_utc_with_milliseconds() {
        // 2026-12-03T13:45:01Z is 1796305501 seconds after the epoch.
        assert_eq!(
            at(1_796_305_501, 123_456_789).to_rfc3339().unwrap(),
            "2026-12-03T13:45:01.123Z"
        );
        assert_eq!(at(0, 0).to_rfc3339().unwrap(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn clamps_before_epoch_and_rejects_far_future() {
        let before = Timestamp(UNIX_EPOCH - Duration::from_secs(10));
        assert_eq!(before.to_rfc3339().unwrap(), "1970-01-01T00:00:00.000Z");
        let far = Timestamp(UNIX_EPOCH + Duration::from_secs(400_000_000_000));
        assert!(far.to_rfc3339().is_err());
    }
}
