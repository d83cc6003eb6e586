//! Calendar dates of `SystemTime`s in UTC, for the timestamps AWS prints.

use std::time::{SystemTime, UNIX_EPOCH};

/// A `SystemTime` as a UTC calendar date and time of day.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let utc = kms_core::UtcDateTime::from(UNIX_EPOCH + Duration::new(951_786_123, 5_000));
/// assert_eq!(utc.rfc3339(), "2000-02-29T01:02:03Z");
/// assert_eq!(utc.iso8601_micros(), "2000-02-29T01:02:03.000005+00:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcDateTime {
    /// The year.
    pub year: u64,
    /// The month, 1 to 12.
    pub month: u64,
    /// The day of the month, 1 to 31.
    pub day: u64,
    /// The hour, 0 to 23.
    pub hour: u64,
    /// The minute, 0 to 59.
    pub minute: u64,
    /// The second, 0 to 59.
    pub second: u64,
    /// The microseconds, 0 to 999999.
    pub micros: u32,
}

impl UtcDateTime {
    /// `2024-05-01T12:34:56Z`, as CloudTrail writes times.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2024-05-01T12:34:56.789012+00:00`, as the AWS CLI prints times.
    pub fn iso8601_micros(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micros
        )
    }
}

impl From<SystemTime> for UtcDateTime {
    /// Times before 1970 become the epoch.
    fn from(time: SystemTime) -> Self {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs();
        let (year, month, day) = civil_from_days(secs / 86_400);
        let rest = secs % 86_400;
        Self {
            year,
            month,
            day,
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
            micros: since.subsec_micros(),
        }
    }
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(
            UtcDateTime::from(UNIX_EPOCH).rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        let end_of_2026 = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(
            UtcDateTime::from(end_of_2026).rfc3339(),
            "2026-12-31T23:59:59Z"
        );
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(UtcDateTime::from(before).rfc3339(), "1970-01-01T00:00:00Z");
    }
}
