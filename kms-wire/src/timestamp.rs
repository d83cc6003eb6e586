//! Timestamps as the wire carries them (epoch seconds) and as the AWS CLI prints them
//! (ISO 8601).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::time::OffsetDateTime;
use ::time::format_description::BorrowedFormatItem;
use ::time::macros::format_description;

/// How encoding writes timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Timestamps {
    /// Epoch seconds with a millisecond fraction, a plain JSON number (`1524160520.097`): the
    /// KMS JSON 1.1 protocol.
    EpochSeconds,
    /// ISO 8601 strings in UTC with microseconds (`2024-05-01T12:34:56.789012+00:00`): what the
    /// AWS CLI prints.
    Iso8601,
}

/// ISO 8601 in UTC with microseconds, as Python's `isoformat` writes it.
const ISO8601_MICROS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00");

/// `2024-05-01T12:34:56.789012+00:00`: ISO 8601 in UTC with microseconds, as the AWS CLI
/// prints timestamps. A time outside the years -9999 to 9999, which no KMS sends, prints as
/// its Unix seconds.
pub fn iso8601(time: SystemTime) -> String {
    let since_epoch = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => ::time::Duration::try_from(after).ok(),
        Err(before) => ::time::Duration::try_from(before.duration())
            .ok()
            .map(|d| -d),
    };
    since_epoch
        .and_then(|offset| OffsetDateTime::UNIX_EPOCH.checked_add(offset))
        .and_then(|utc| utc.format(ISO8601_MICROS).ok())
        .unwrap_or_else(|| match since_epoch {
            Some(offset) => offset.whole_seconds().to_string(),
            None => "out of range".to_owned(),
        })
}

/// The time `seconds` after the epoch (before it when negative), to the millisecond; `None`
/// when it is not finite or not representable.
pub(crate) fn from_epoch_seconds(seconds: f64) -> Option<SystemTime> {
    if !seconds.is_finite() {
        return None;
    }
    let millis = (seconds * 1000.0).round();
    // Beyond ±2^53 milliseconds an f64 no longer holds whole milliseconds.
    if millis.abs() > 9_007_199_254_740_992.0 {
        return None;
    }
    // In range and whole, so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let millis = millis as i64;
    let offset = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_the_aws_cli_does() {
        let leap_day = UNIX_EPOCH + Duration::new(951_786_123, 5_000);
        assert_eq!(iso8601(leap_day), "2000-02-29T01:02:03.000005+00:00");
        let before_epoch = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(iso8601(before_epoch), "1969-12-31T00:00:00.000000+00:00");
    }

    #[test]
    fn a_time_out_of_range_prints_its_seconds() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(iso8601(far), "400000000000");
    }

    #[test]
    fn epoch_seconds_read_to_the_millisecond() {
        assert_eq!(
            from_epoch_seconds(1_524_160_520.097),
            Some(UNIX_EPOCH + Duration::from_millis(1_524_160_520_097))
        );
        assert_eq!(
            from_epoch_seconds(1.5565824E9),
            Some(UNIX_EPOCH + Duration::from_secs(1_556_582_400))
        );
        assert_eq!(
            from_epoch_seconds(-0.25),
            Some(UNIX_EPOCH - Duration::from_millis(250))
        );
        assert_eq!(from_epoch_seconds(f64::NAN), None);
        assert_eq!(from_epoch_seconds(1e300), None);
    }
}
