//! `GetPublicKey`, `Sign` and `Verify`.
//!
//! The checks that need the key are made here (state, key usage, the algorithm among the key
//! spec's); those of the message type and a digest's length are the cryptography's.

use kms_core::ops::*;
use kms_core::{Error, KeyUsage, MessageType, Result, SecretBytes, SigningAlgorithmSpec};

use super::{check_dry_run, check_dry_run_of_verification, known};
use crate::asymmetric::PrivateKey;
use crate::limits::{self, CIPHERTEXT_LEN, MESSAGE_LEN};
use crate::state::{Key, Keyring};
use crate::store::Store;

/// A `Sign` or `Verify` request's checks that need no key, in AWS's order: message length,
/// grant tokens, the enums. Returns the message type (`RAW` by default).
fn check_request(
    message: &SecretBytes,
    algorithm: &SigningAlgorithmSpec,
    message_type: Option<MessageType>,
    grant_tokens: &[String],
) -> Result<MessageType> {
    limits::check_len("message", None, message.len(), MESSAGE_LEN)?;
    limits::check_grant_tokens(grant_tokens)?;
    algorithm.check_known("signingAlgorithm")?;
    Ok(known(message_type, "messageType")?.unwrap_or(MessageType::Raw))
}

impl Store {
    pub(crate) fn get_public_key(
        &self,
        request: GetPublicKeyRequest,
    ) -> Result<GetPublicKeyResponse> {
        limits::check_grant_tokens(&request.grant_tokens)?;
        let keyring = self.read()?;
        let key = keyring.resolve(&self.identity, &request.key_id, || self.now())?;
        key.check_usable()?;
        let Some(private_key) = key.material.private_key()? else {
            return Err(Error::Unsupported {
                // Our wording (unverified): AWS refuses GetPublicKey on symmetric and HMAC
                // keys with this exception; no reference gives its message.
                message: format!(
                    "{} key spec is {} which is not valid for GetPublicKey.",
                    key.arn, key.spec
                ),
            });
        };
        let metadata = key.metadata(&self.identity);
        let mut response = GetPublicKeyResponse::new(key.arn.clone(), private_key.public_key()?)
            .with_customer_master_key_spec(key.spec.clone())
            .with_key_spec(key.spec.clone())
            .with_key_usage(key.usage.clone());
        response.encryption_algorithms = metadata.encryption_algorithms;
        response.signing_algorithms = metadata.signing_algorithms;
        response.key_agreement_algorithms = metadata.key_agreement_algorithms;
        response.encapsulation_algorithms = metadata.encapsulation_algorithms;
        Ok(response)
    }

    pub(crate) fn sign(&self, request: SignRequest) -> Result<SignResponse> {
        let message_type = check_request(
            &request.message,
            &request.signing_algorithm,
            request.message_type,
            &request.grant_tokens,
        )?;
        let keyring = self.read()?;
        let (key, private_key) = self.signing_key(
            &keyring,
            &request.key_id,
            &request.signing_algorithm,
            "Sign",
        )?;
        let signature = private_key.sign(
            &request.signing_algorithm,
            &message_type,
            request.message.expose_secret(),
        )?;
        check_dry_run(request.dry_run)?;
        Ok(SignResponse::new(key.arn.clone(), signature)
            .with_signing_algorithm(request.signing_algorithm))
    }

    pub(crate) fn verify(&self, request: VerifyRequest) -> Result<VerifyResponse> {
        let message_type = check_request(
            &request.message,
            &request.signing_algorithm,
            request.message_type,
            &request.grant_tokens,
        )?;
        limits::check_len("signature", None, request.signature.len(), CIPHERTEXT_LEN)?;
        let keyring = self.read()?;
        let (key, private_key) = self.signing_key(
            &keyring,
            &request.key_id,
            &request.signing_algorithm,
            "Verify",
        )?;
        let verified = private_key.verify(
            &request.signing_algorithm,
            &message_type,
            request.message.expose_secret(),
            &request.signature,
        );
        check_dry_run_of_verification(verified, request.dry_run)?;
        Ok(VerifyResponse::new(key.arn.clone(), true)
            .with_signing_algorithm(request.signing_algorithm))
    }

    /// The `SIGN_VERIFY` key `key_id` names, for `operation` with `algorithm`.
    fn signing_key<'k>(
        &self,
        keyring: &'k Keyring,
        key_id: &kms_core::KeyId,
        algorithm: &SigningAlgorithmSpec,
        operation: &str,
    ) -> Result<(&'k Key, &'k PrivateKey)> {
        let key = keyring.resolve(&self.identity, key_id, || self.now())?;
        let private_key = key.private_key_for(&KeyUsage::SignVerify, operation)?;
        key.check_algorithm(algorithm, key.spec.signing_algorithms())?;
        Ok((key, private_key))
    }
}
