//! Deciding when the writer tells the log that events were lost, without flooding it.

use std::time::{Duration, Instant};

/// Least time between two log lines about the same kind of loss.
const REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// Tracks a running loss count and says when a new warning is due.
#[derive(Debug, Default)]
pub(crate) struct LossReporter {
    reported: u64,
    last: Option<Instant>,
}

impl LossReporter {
    /// How many losses to report now, given the running `total`, or `None` to stay quiet.
    ///
    /// Quiet when nothing new was lost, or when the last report is under 10 seconds old;
    /// the losses then wait for the next report.
    pub(crate) fn due(&mut self, total: u64, now: Instant) -> Option<u64> {
        if total <= self.reported {
            return None;
        }
        if self.last.is_some_and(|last| now.saturating_duration_since(last) < REPORT_INTERVAL) {
            return None;
        }
        let new = total - self.reported;
        self.reported = total;
        self.last = Some(now);
        Some(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_new_losses_at_most_once_per_interval() {
        let start = Instant::now();
        let mut reporter = LossReporter::default();

        assert_eq!(reporter.due(0, start), None);
        assert_eq!(reporter.due(5, start), Some(5));
        assert_eq!(reporter.due(9, start + Duration::from_secs(9)), None);
        assert_eq!(reporter.due(12, start + Duration::from_secs(10)), Some(7));
        assert_eq!(reporter.due(12, start + Duration::from_secs(60)), None);
        assert_eq!(reporter.due(13, start + Duration::from_secs(61)), Some(1));
    }
}
