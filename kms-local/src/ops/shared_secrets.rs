//! `DeriveSharedSecret` (ECDH), `Encapsulate` and `Decapsulate` (ML-KEM).

use kms_core::ops::*;
use kms_core::{KeyUsage, Result};

use super::check_dry_run;
use crate::limits::{self, CIPHERTEXT_LEN, PUBLIC_KEY_LEN};
use crate::store::Store;

impl Store {
    pub(crate) fn derive_shared_secret(
        &self,
        request: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let algorithm = &request.key_agreement_algorithm;
        algorithm.check_known("keyAgreementAlgorithm")?;
        limits::check_len("publicKey", None, request.public_key.len(), PUBLIC_KEY_LEN)?;
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, &request.key_id, || self.now())?;
        let private_key = key.private_key_for(&KeyUsage::KeyAgreement, "DeriveSharedSecret")?;
        key.check_algorithm(algorithm, key.spec.key_agreement_algorithms())?;
        let shared_secret = private_key.derive_shared_secret(&request.public_key)?;
        check_dry_run(request.dry_run)?;
        Ok(
            DeriveSharedSecretResponse::new(key.arn.clone(), shared_secret)
                .with_key_agreement_algorithm(request.key_agreement_algorithm)
                .with_key_origin(key.origin.clone()),
        )
    }

    pub(crate) fn encapsulate(&self, request: EncapsulateRequest) -> Result<EncapsulateResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let algorithm = &request.encapsulation_algorithm;
        algorithm.check_known("encapsulationAlgorithm")?;
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, &request.key_id, || self.now())?;
        let private_key = key.private_key_for(&KeyUsage::EncapsulateDecapsulate, "Encapsulate")?;
        key.check_algorithm(algorithm, key.spec.encapsulation_algorithms())?;
        let (ciphertext, shared_secret) = private_key.encapsulate()?;
        check_dry_run(request.dry_run)?;
        Ok(
            EncapsulateResponse::new(key.arn.clone(), shared_secret, ciphertext)
                .with_encapsulation_algorithm(request.encapsulation_algorithm),
        )
    }

    pub(crate) fn decapsulate(&self, request: DecapsulateRequest) -> Result<DecapsulateResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let algorithm = &request.encapsulation_algorithm;
        algorithm.check_known("encapsulationAlgorithm")?;
        let ciphertext = &request.shared_secret_ciphertext_blob;
        limits::check_len(
            "sharedSecretCiphertextBlob",
            None,
            ciphertext.len(),
            CIPHERTEXT_LEN,
        )?;
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, &request.key_id, || self.now())?;
        let private_key = key.private_key_for(&KeyUsage::EncapsulateDecapsulate, "Decapsulate")?;
        key.check_algorithm(algorithm, key.spec.encapsulation_algorithms())?;
        let shared_secret = private_key.decapsulate(ciphertext)?;
        check_dry_run(request.dry_run)?;
        Ok(DecapsulateResponse::new(key.arn.clone(), shared_secret)
            .with_encapsulation_algorithm(request.encapsulation_algorithm))
    }
}
