//! Timestamps as the AWS CLI prints them.

use std::time::SystemTime;

/// `2024-05-01T12:34:56.789012+00:00`: ISO 8601 in UTC with microseconds.
pub(crate) fn iso8601(time: SystemTime) -> String {
    kms::UtcDateTime::from(time).iso8601_micros()
}
