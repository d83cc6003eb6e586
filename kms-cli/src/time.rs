//! Timestamps as the AWS CLI prints them.

use std::time::{SystemTime, UNIX_EPOCH};

use ::time::OffsetDateTime;
use ::time::format_description::BorrowedFormatItem;
use ::time::macros::format_description;

/// ISO 8601 in UTC with microseconds, as Python's `isoformat` writes it.
const ISO8601_MICROS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00");

/// `2024-05-01T12:34:56.789012+00:00`: ISO 8601 in UTC with microseconds. A time outside
/// the years -9999 to 9999, which no KMS sends, prints as its Unix seconds.
pub(crate) fn iso8601(time: SystemTime) -> String {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
}
