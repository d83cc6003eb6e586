//! The operations of the `Kms` trait, as methods of the store, grouped as the trait groups
//! them.
//!
//! Error messages are AWS's, as `reference/kms-api.md` records them from live AWS or its
//! documentation, except where a comment says "Our wording": no reference confirms AWS's
//! message there, so the conformance suite asserts only the exception of such errors.

mod aliases;
mod crypto;
mod import;
mod key_pairs;
mod keys;
mod mac;
mod multi_region;
mod rotation;
mod shared_secrets;
mod signing;
mod tags;

pub(crate) use keys::{check_offered_in_region, key_usage_for};

use kms_core::{AwsEnum, Error, Result};

/// The answer to a request with `DryRun` set that would have succeeded.
fn check_dry_run(dry_run: Option<bool>) -> Result<()> {
    if dry_run == Some(true) {
        return Err(Error::DryRunOperation {
            message: "The request would have succeeded, but the DryRun option is set.".to_owned(),
        });
    }
    Ok(())
}

/// The end of a verification (`Verify`, `VerifyMac`) that gave `verified`. A dry run checks
/// the request, not the signature or MAC: it answers `DryRunOperationException` whether or not
/// they verify. Otherwise, the verification's result.
fn check_dry_run_of_verification(verified: Result<()>, dry_run: Option<bool>) -> Result<()> {
    match verified {
        Err(Error::InvalidSignature | Error::InvalidMac) if dry_run == Some(true) => {
            check_dry_run(dry_run)
        }
        Ok(()) => check_dry_run(dry_run),
        Err(err) => Err(err),
    }
}

/// Days as a duration.
fn days(count: u32) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(count) * 24 * 60 * 60)
}

/// An optional enum member of a request, refused as AWS refuses a value outside the enum
/// (before any key is looked up) when this version does not know it.
fn known<T: AwsEnum>(value: Option<T>, member: &str) -> Result<Option<T>> {
    if let Some(value) = &value {
        value.check_known(member)?;
    }
    Ok(value)
}
