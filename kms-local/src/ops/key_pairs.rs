//! `GenerateDataKeyPair` and `GenerateDataKeyPairWithoutPlaintext`.
//!
//! The private key (PKCS#8 DER) is encrypted exactly as `Encrypt` encrypts a plaintext under
//! the symmetric key, with the request's encryption context: `Decrypt` of the
//! `PrivateKeyCiphertextBlob` with that context returns it.

use kms_core::ops::*;
use kms_core::{DataKeyPairSpec, Result, SecretBytes};

use super::check_offered_in_region;
use super::crypto::{Destination, Sealed};
use crate::asymmetric::{self, PrivateKey};
use crate::limits;
use crate::store::Store;

impl Store {
    pub(crate) fn generate_data_key_pair(
        &self,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        let (private_key, sealed) = self.new_data_key_pair(
            &request.key_pair_spec,
            &request.grant_tokens,
            Destination {
                key_id: &request.key_id,
                algorithm: None,
                context: &request.encryption_context,
                dry_run: request.dry_run,
                operation: "GenerateDataKeyPair",
            },
        )?;
        let mut response = GenerateDataKeyPairResponse::new(
            sealed.blob,
            SecretBytes::copy_from_slice(private_key.pkcs8().expose_secret()),
            private_key.public_key()?,
            sealed.arn,
            request.key_pair_spec,
        );
        response.key_material_id = sealed.material_id;
        Ok(response)
    }

    pub(crate) fn generate_data_key_pair_without_plaintext(
        &self,
        request: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        let (private_key, sealed) = self.new_data_key_pair(
            &request.key_pair_spec,
            &request.grant_tokens,
            Destination {
                key_id: &request.key_id,
                algorithm: None,
                context: &request.encryption_context,
                dry_run: request.dry_run,
                operation: "GenerateDataKeyPairWithoutPlaintext",
            },
        )?;
        let mut response = GenerateDataKeyPairWithoutPlaintextResponse::new(
            sealed.blob,
            private_key.public_key()?,
            sealed.arn,
            request.key_pair_spec,
        );
        response.key_material_id = sealed.material_id;
        Ok(response)
    }

    /// A fresh key pair of `spec`, its private key sealed under the destination key (which
    /// must be a symmetric encryption key: any other refuses the default algorithm).
    fn new_data_key_pair(
        &self,
        spec: &DataKeyPairSpec,
        grant_tokens: &[String],
        to: Destination<'_>,
    ) -> Result<(PrivateKey, Sealed)> {
        spec.check_known("keyPairSpec")?;
        limits::check_grant_tokens(grant_tokens)?;
        check_offered_in_region(&spec.key_spec(), &self.identity.region)?;
        // Every check of the key, and the dry run, before the pair is made: an RSA-4096 pair
        // takes about a second.
        self.check_destination(&to)?;
        let private_key = asymmetric::generate_data_key_pair(spec)?;
        let sealed = self.seal(to, private_key.pkcs8().expose_secret())?;
        Ok((private_key, sealed))
    }
}
