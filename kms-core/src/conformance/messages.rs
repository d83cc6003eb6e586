//! The one list of AWS KMS's exact error messages that a reference confirms. The suite
//! asserts a message only through this list; every other error is asserted by its exception
//! alone.

/// Declares [`AwsMessage`] from one list of `Variant: exception, pattern, source`.
macro_rules! aws_messages {
    ($( $(#[$doc:meta])* $message:ident: $code:literal, $pattern:literal, $source:literal; )+) => {
        /// An exact error message of AWS KMS that a reference confirms, with its exception
        /// and its source (as `reference/kms-api.md` cites it). Placeholders in angle
        /// brackets (`<key-arn>`) stand for the values of the request.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum AwsMessage {
            $( $(#[$doc])* $message, )+
        }

        impl AwsMessage {
            /// Every confirmed message.
            pub const ALL: &[AwsMessage] = &[$(AwsMessage::$message,)+];

            /// The AWS exception that carries the message.
            pub const fn exception(self) -> &'static str {
                match self {
                    $(AwsMessage::$message => $code,)+
                }
            }

            /// The message, with its placeholders.
            pub const fn pattern(self) -> &'static str {
                match self {
                    $(AwsMessage::$message => $pattern,)+
                }
            }

            /// Where the message was seen from AWS.
            pub const fn source(self) -> &'static str {
                match self {
                    $(AwsMessage::$message => $source,)+
                }
            }
        }
    };
}

aws_messages! {
    /// A key that does not exist, by ID or ARN (the ARN even when the ID was sent).
    KeyNotFound: "NotFoundException", "Key '<key-arn>' does not exist",
        "LocalStack AWS-validated snapshot test_get_key_does_not_exist [LSV]";
    /// Text that is none of the four key identifier forms.
    InvalidKeyId: "NotFoundException", "Invalid keyId '<text>'",
        "LocalStack AWS-validated snapshot test_get_key_invalid_uuid [LSV]";
    /// A key ARN of another region than the endpoint's.
    InvalidArnRegion: "NotFoundException", "Invalid arn <region>",
        "LocalStack AWS-validated snapshot test_get_key_in_different_region [LSV]";
    /// An alias that does not exist.
    AliasNotFound: "NotFoundException", "Alias <alias-arn> is not found.",
        "real AWS SDK log in cloudposse/docs#152 [ISS]";
    /// A Disabled key in an operation its state forbids.
    Disabled: "DisabledException", "<key-arn> is disabled.",
        "LocalStack AWS-validated snapshot \
         test_rotate_key_on_demand_raises_error_given_key_is_disabled [LSV]";
    /// A key pending deletion in an operation its state forbids.
    PendingDeletion: "KMSInvalidStateException", "<key-arn> is pending deletion.",
        "AWS developer guide, key-state.html footnotes [DOC]";
    /// A cryptographic operation on a key of origin EXTERNAL without its key material.
    PendingImport: "KMSInvalidStateException", "<key-arn> is pending import.",
        "LocalStack AWS-validated snapshot test_import_key_symmetric (kms-api.md section 1.3) \
         [LSV]";
    /// GetParametersForImport (or another import operation) on a key whose material KMS
    /// made.
    OriginNotExternal: "UnsupportedOperationException",
        "<key-arn> origin is AWS_KMS which is not valid for this operation.",
        "kms-api.md section 1.3, UnsupportedOperationException [LSV]";
    /// CancelKeyDeletion of a key that is not pending deletion.
    NotPendingDeletion: "KMSInvalidStateException", "<key-arn> is not pending deletion.",
        "AWS developer guide, key-state.html footnotes [DOC]";
    /// Decrypt or ReEncrypt naming another key than the one that encrypted.
    IncorrectKey: "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
        "LocalStack AWS-validated snapshots test_error_messaging_for_invalid_keys, \
         test_re_encrypt_incorrect_source_key [LSV]";
    /// A ciphertext that does not open: tampered, cut, or with another encryption context.
    /// AWS sends no message.
    InvalidCiphertext: "InvalidCiphertextException", "",
        "LocalStack AWS-validated snapshots test_encrypt_decrypt_encryption_context, \
         test_encryption_context_generate_data_key* [LSV]";
    /// CreateKey of a non-symmetric key spec without a key usage.
    KeyUsageRequired: "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption \
         keys.",
        "LocalStack AWS-validated snapshot test_hmac_create_key [LSV]";
    /// CreateAlias of a name without the `alias/` prefix.
    AliasPrefix: "ValidationException",
        "Alias must start with the prefix \"alias/\". Please see \
         https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        "LocalStack AWS-validated snapshots (kms-api.md section 1.3) [LSV]";
    /// A number above the maximum of its member.
    ValueAboveMax: "ValidationException",
        "1 validation error detected: Value '<value>' at '<member>' failed to satisfy \
         constraint: Member must have value less than or equal to <max>",
        "LocalStack AWS-validated snapshot, GenerateDataKey NumberOfBytes 1025 [LSV]";
    /// A number below the minimum of its member.
    ValueBelowMin: "ValidationException",
        "1 validation error detected: Value '<value>' at '<member>' failed to satisfy \
         constraint: Member must have value greater than or equal to <min>",
        "LocalStack AWS-validated snapshot, GenerateRandom NumberOfBytes 0 [LSV]";
    /// A sensitive member (its value left out) longer than its maximum.
    SensitiveTooLong: "ValidationException",
        "1 validation error detected: Value at '<member>' failed to satisfy constraint: \
         Member must have length less than or equal to <max>",
        "LocalStack AWS-validated snapshot, Encrypt of 4097 bytes [LSV]";
    /// GenerateRandom without NumberOfBytes.
    NumberOfBytesRequired: "ValidationException", "NumberOfBytes is required.",
        "LocalStack AWS-validated snapshot, GenerateRandom [LSV]";
    /// The on-demand rotation beyond the limit.
    OnDemandRotationLimit: "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. No more \
         on-demand rotations can be performed for this key: <key-arn>",
        "LocalStack AWS-validated snapshot, RotateKeyOnDemand [LSV]";
    /// More than 50 tags on a key.
    TooManyTags: "TagException", "Too many tags",
        "LocalStack AWS-validated snapshots (kms-api.md section 2.9) [LSV]";
    /// A tag key given twice in one request.
    DuplicateTagKeys: "TagException", "Duplicate tag keys",
        "LocalStack AWS-validated snapshots (kms-api.md section 2.9) [LSV]";
    /// A tag key beginning with `aws:`, in any case.
    ReservedTagKey: "TagException", "Tags beginning with aws: are reserved",
        "LocalStack AWS-validated snapshots (kms-api.md section 2.9) [LSV]";
    /// CreateKey of a key usage its key spec does not allow.
    KeyUsageIncompatible: "ValidationException",
        "KeyUsage <key-usage> is not compatible with KeySpec <key-spec>",
        "LocalStack AWS-validated snapshots, KEY_AGREEMENT with RSA_2048 (kms-api.md section \
         1.3) [LSV]";
    /// A key used for an operation its key usage does not allow.
    WrongKeyUsage: "InvalidKeyUsageException",
        "<key-arn> key usage is <key-usage> which is not valid for <operation>.",
        "LocalStack AWS-validated snapshots, Encrypt with a SIGN_VERIFY key and Sign with a \
         GENERATE_VERIFY_MAC key (kms-api.md section 1.3) [LSV]";
    /// An algorithm that the key's spec does not offer (also SYMMETRIC_DEFAULT, the default,
    /// for an RSA key).
    AlgorithmIncompatible: "InvalidKeyUsageException",
        "Algorithm <algorithm> is incompatible with key spec <key-spec>.",
        "LocalStack AWS-validated snapshot, HMAC_SHA_256 with HMAC_224 [LSV]; real AWS SDK \
         log of Encrypt with RSA_4096 in zalando/spring-cloud-config-aws-kms#82 [ISS]";
    /// A DIGEST message whose length is not the algorithm's hash length.
    DigestLength: "ValidationException", "Digest is invalid length for algorithm <algorithm>.",
        "LocalStack AWS-validated snapshots test_sign_verify (kms-api.md section 2.4) [LSV]";
    /// An RSA plaintext over the OAEP limit of the key size and algorithm.
    OaepPlaintextTooLarge: "ValidationException",
        "Algorithm <algorithm> and key spec <key-spec> cannot encrypt data larger than <max> \
         bytes.",
        "LocalStack AWS-validated snapshots (kms-api.md section 2.5) [LSV]";
    /// A signature that does not verify. AWS sends no message.
    InvalidSignature: "KMSInvalidSignatureException", "",
        "LocalStack AWS-validated snapshot test_sign_verify [LSV]";
    /// A MAC that does not verify. AWS sends no message.
    InvalidMac: "KMSInvalidMacException", "",
        "LocalStack AWS-validated snapshot test_invalid_verify_mac [LSV]";
}

impl AwsMessage {
    /// The message with its placeholders replaced, in order, by `values`.
    ///
    /// # Panics
    ///
    /// When `values` are more or fewer than the placeholders.
    pub fn render(self, values: &[&str]) -> String {
        let mut rest = self.pattern();
        let mut values = values.iter();
        let mut message = String::new();
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                break;
            };
            let Some(value) = values.next() else {
                panic!("{self:?}: too few values for {:?}", self.pattern());
            };
            message.push_str(&rest[..start]);
            message.push_str(value);
            rest = &rest[start + end + 1..];
        }
        assert!(
            values.next().is_none(),
            "{self:?}: too many values for {:?}",
            self.pattern()
        );
        message.push_str(rest);
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_in_order() {
        assert_eq!(
            AwsMessage::ValueAboveMax.render(&["1025", "numberOfBytes", "1024"]),
            "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy \
             constraint: Member must have value less than or equal to 1024"
        );
        assert_eq!(AwsMessage::TooManyTags.render(&[]), "Too many tags");
    }

    #[test]
    #[should_panic(expected = "too few values")]
    fn a_missing_value_is_an_error() {
        AwsMessage::KeyNotFound.render(&[]);
    }

    #[test]
    fn every_message_names_an_exception_and_a_source() {
        for message in AwsMessage::ALL {
            assert!(message.exception().ends_with("Exception"), "{message:?}");
            assert!(message.source().contains('['), "{message:?}");
        }
    }
}
