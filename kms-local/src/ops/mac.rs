//! `GenerateMac` and `VerifyMac`.

use kms_core::ops::*;
use kms_core::{KeyId, MacAlgorithmSpec, Result, SecretBytes};

use super::{check_dry_run, check_dry_run_of_verification};
use crate::hmac::HmacKey;
use crate::limits::{self, CIPHERTEXT_LEN, MESSAGE_LEN};
use crate::state::{Key, Keyring};
use crate::store::Store;

/// A MAC request's checks that need no key, in AWS's order: message length, grant tokens,
/// the algorithm.
fn check_request(
    message: &SecretBytes,
    algorithm: &MacAlgorithmSpec,
    grant_tokens: &[String],
) -> Result<()> {
    limits::check_len("message", None, message.len(), MESSAGE_LEN)?;
    limits::check_grant_tokens(grant_tokens)?;
    algorithm.check_known("macAlgorithm")
}

impl Store {
    pub(crate) fn generate_mac(&self, request: GenerateMacRequest) -> Result<GenerateMacResponse> {
        check_request(
            &request.message,
            &request.mac_algorithm,
            &request.grant_tokens,
        )?;
        let keyring = self.read()?;
        let (key, hmac_key) = self.mac_key(
            &keyring,
            &request.key_id,
            &request.mac_algorithm,
            "GenerateMac",
        )?;
        let mac = hmac_key.generate_mac(&request.mac_algorithm, request.message.expose_secret())?;
        check_dry_run(request.dry_run)?;
        Ok(
            GenerateMacResponse::new(mac, key.arn.clone())
                .with_mac_algorithm(request.mac_algorithm),
        )
    }

    pub(crate) fn verify_mac(&self, request: VerifyMacRequest) -> Result<VerifyMacResponse> {
        check_request(
            &request.message,
            &request.mac_algorithm,
            &request.grant_tokens,
        )?;
        limits::check_len("mac", None, request.mac.len(), CIPHERTEXT_LEN)?;
        let keyring = self.read()?;
        let (key, hmac_key) = self.mac_key(
            &keyring,
            &request.key_id,
            &request.mac_algorithm,
            "VerifyMac",
        )?;
        let verified = hmac_key.verify_mac(
            &request.mac_algorithm,
            request.message.expose_secret(),
            &request.mac,
        );
        check_dry_run_of_verification(verified, request.dry_run)?;
        Ok(VerifyMacResponse::new(key.arn.clone(), true).with_mac_algorithm(request.mac_algorithm))
    }

    /// The HMAC key `key_id` names, for `operation` with `algorithm`.
    fn mac_key<'k>(
        &self,
        keyring: &'k Keyring,
        key_id: &KeyId,
        algorithm: &MacAlgorithmSpec,
        operation: &str,
    ) -> Result<(&'k Key, &'k HmacKey)> {
        let key = keyring.resolve(&self.identity, key_id, || self.now())?;
        let hmac_key = key.hmac_key_for(operation)?;
        key.check_algorithm(algorithm, key.spec.mac_algorithms())?;
        Ok((key, hmac_key))
    }
}
