//! `ReplicateKey` and `UpdatePrimaryRegion`. A local backend plays one Region and creates no
//! multi-Region keys (`CreateKey` refuses `MultiRegion`), so every key it holds is a
//! single-Region key, which both operations refuse as AWS refuses it.

use kms_core::{
    Error, ReplicateKeyRequest, ReplicateKeyResponse, Result, UpdatePrimaryRegionRequest,
    UpdatePrimaryRegionResponse,
};

use crate::state::KeyOnly;
use crate::store::Store;

impl Store {
    pub(crate) fn replicate_key(
        &self,
        request: ReplicateKeyRequest,
    ) -> Result<ReplicateKeyResponse> {
        check_region_member(&request.replica_region, "replicaRegion")?;
        Err(self.not_a_primary_key("ReplicateKey", &request.key_id)?)
    }

    pub(crate) fn update_primary_region(
        &self,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<UpdatePrimaryRegionResponse> {
        check_region_member(&request.primary_region, "primaryRegion")?;
        Err(self.not_a_primary_key("UpdatePrimaryRegion", &request.key_id)?)
    }

    /// The refusal of `operation` on the key `key_id` names, which is a single-Region key;
    /// `Err` when there is no such key.
    fn not_a_primary_key(
        &self,
        operation: &'static str,
        key_id: &kms_core::KeyId,
    ) -> Result<Error> {
        let keyring = self.read()?;
        let key =
            keyring.resolve_key(&self.identity, key_id, KeyOnly::key_id(operation), || {
                self.now()
            })?;
        // AWS's message for a replica (recorded by LocalStack's test suite); AWS's wording for
        // a single-Region key is not recorded, and this is the same statement.
        Ok(Error::Unsupported {
            message: format!("{} is not a multi-region primary key.", key.arn),
        })
    }
}

/// AWS's constraint on a Region member: 1 to 32 characters matching `^([a-z]+-){2,3}\d+$`.
fn check_region_member(region: &str, path: &str) -> Result<()> {
    const PATTERN: &str = r"^([a-z]+-){2,3}\d+$";
    if region.is_empty() || region.len() > 32 {
        return Err(Error::constraint(
            Some(&region),
            path,
            "have length less than or equal to 32 and greater than or equal to 1",
        ));
    }
    if !is_region_name(region) {
        return Err(Error::constraint(
            Some(&region),
            path,
            &format!("satisfy regular expression pattern: {PATTERN}"),
        ));
    }
    Ok(())
}

/// Whether `region` matches `^([a-z]+-){2,3}\d+$`: two or three words of lowercase letters,
/// each followed by a hyphen, then digits.
fn is_region_name(region: &str) -> bool {
    let mut parts: Vec<&str> = region.split('-').collect();
    let Some(number) = parts.pop() else {
        return false;
    };
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_follow_aws_pattern() {
        for good in [
            "us-east-1",
            "eu-west-2",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-10",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "us-east-1a",
            "US-east-1",
            "us--1",
            "-us-east-1",
            "a-b-c-d-1",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
