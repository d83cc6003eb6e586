//! The capability flags: where a peer is known to deviate from AWS KMS.

/// Declares `Capabilities` with one flag per known deviation, `aws()` with every flag on,
/// and a `with_<flag>` setter per flag.
macro_rules! capabilities {
    ($( $(#[$doc:meta])* $flag:ident => $setter:ident, )+) => {
        /// What a backend does as AWS KMS does, one flag per behaviour that a peer (an
        /// emulator such as moto) is known to get wrong.
        ///
        /// Every flag is `true` in [`Capabilities::aws`], which real AWS and the local backend
        /// use. A backend tested against a deviating peer switches a flag off with its
        /// `with_*` setter, and says why in a comment naming the peer's version; the checks
        /// then skip only the assertions that flag gates.
        ///
        /// ```
        /// use kms_core::conformance::Capabilities;
        ///
        /// // The peer lets a disabled key encrypt.
        /// let caps = Capabilities::aws().with_enforces_key_state(false);
        /// assert!(!caps.enforces_key_state && caps.enforces_incorrect_key);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub struct Capabilities {
            $( $(#[$doc])* pub $flag: bool, )+
        }

        impl Capabilities {
            /// Everything as AWS KMS does it: every flag on.
            pub const fn aws() -> Self {
                Self { $( $flag: true, )+ }
            }

            $(
                #[doc = concat!("Sets `", stringify!($flag), "`.")]
                #[must_use]
                pub const fn $setter(mut self, value: bool) -> Self {
                    self.$flag = value;
                    self
                }
            )+
        }

        impl Default for Capabilities {
            /// [`Capabilities::aws`].
            fn default() -> Self {
                Self::aws()
            }
        }
    };
}

capabilities! {
    /// Key states gate operations: on a Disabled key the cryptographic and rotation
    /// operations fail with `DisabledException` (`<key-arn> is disabled.`); on a key pending
    /// deletion they, and the management operations (EnableKey, DisableKey,
    /// UpdateKeyDescription, CreateAlias, TagResource, UntagResource, a second
    /// ScheduleKeyDeletion), fail with `KMSInvalidStateException`
    /// (`<key-arn> is pending deletion.`). moto lets a disabled key encrypt.
    enforces_key_state => with_enforces_key_state,
    /// Encrypt, Decrypt and ReEncrypt responses carry the encryption algorithm
    /// (`SYMMETRIC_DEFAULT`).
    returns_encryption_algorithm => with_returns_encryption_algorithm,
    /// Key metadata carries `CurrentKeyMaterialId`, and Decrypt, ReEncrypt and the
    /// GenerateDataKey operations carry the 64-hex-digit ID of the key material they used.
    reports_key_material_ids => with_reports_key_material_ids,
    /// Decrypt with a `KeyId` naming another key than the one that encrypted fails with
    /// `IncorrectKeyException`. moto answers `AccessDeniedException`. (ReEncrypt with such a
    /// `SourceKeyId` is checked whatever this flag says.)
    enforces_incorrect_key => with_enforces_incorrect_key,
    /// ListKeys honours `Limit` and `Marker`. moto ignores `Limit` and never truncates.
    pages_list_keys => with_pages_list_keys,
    /// The `Limit` of ListKeys (1..1000), ListAliases (1..100), ListResourceTags (1..50) and
    /// ListKeyRotations (1..1000) is validated (`ValidationException`), and a marker that no
    /// listing handed out is refused (`InvalidMarkerException`).
    validates_list_limits => with_validates_list_limits,
    /// ScheduleKeyDeletion refuses a waiting period outside 7..30 days
    /// (`ValidationException`). moto silently returns nothing instead.
    validates_deletion_window => with_validates_deletion_window,
    /// RotateKeyOnDemand gives the key new key material: ListKeyRotations lists each
    /// rotation, `CurrentKeyMaterialId` changes, old ciphertexts decrypt with their old
    /// material and new ones use the new material. moto never changes the material.
    rotates_key_material => with_rotates_key_material,
    /// The 26th RotateKeyOnDemand of a key fails with `LimitExceededException` (at most 25
    /// on-demand rotations per key). The check rotates one key 26 times.
    enforces_on_demand_rotation_limit => with_enforces_on_demand_rotation_limit,
    /// ScheduleKeyDeletion, CancelKeyDeletion, RotateKeyOnDemand and GetKeyRotationStatus
    /// answer with the key ARN as `KeyId`, whatever form named the key. moto echoes the
    /// identifier it was sent, or sends none.
    returns_key_arns => with_returns_key_arns,
    /// Key metadata and the ScheduleKeyDeletion answer carry every field AWS sends: a new
    /// symmetric key states `KeyUsage` `ENCRYPT_DECRYPT` and `MultiRegion` false even when
    /// CreateKey left them out, and has no `SigningAlgorithms`; a key pending deletion states
    /// `PendingDeletionWindowInDays`; ScheduleKeyDeletion answers `KeyState` and
    /// `PendingWindowInDays`.
    complete_key_metadata => with_complete_key_metadata,
    /// EnableKeyRotation takes `RotationPeriodInDays` (90..2560, 365 by default) and
    /// GetKeyRotationStatus reports it with `NextRotationDate`.
    rotation_periods => with_rotation_periods,
    /// ListAliases gives each alias its `CreationDate` and `LastUpdatedDate`.
    reports_alias_dates => with_reports_alias_dates,
    /// ListResourceTags lists tags sorted by key, and honours `Limit` and `Marker`.
    pages_list_resource_tags => with_pages_list_resource_tags,
    /// ListAliases honours `Limit` and `Marker`.
    pages_list_aliases => with_pages_list_aliases,
    /// ScheduleKeyDeletion, like every operation that takes a key, accepts it by key ARN.
    accepts_key_arns => with_accepts_key_arns,
    /// A key ARN of another region is refused with `NotFoundException`
    /// (`Invalid arn <region>`), not taken for the key with that key ID here.
    checks_arn_region => with_checks_arn_region,
    /// Requests that break a constraint of the API model are refused with
    /// `ValidationException` and AWS's message: CreateKey of a non-symmetric key spec without
    /// `KeyUsage` or with a description over 8192 characters, CreateAlias of a name without
    /// `alias/` or longer than 256 characters, Decrypt of an empty or oversized ciphertext, GenerateRandom and the
    /// GenerateDataKey operations without or with a zero `NumberOfBytes`.
    validates_inputs => with_validates_inputs,
    /// TagResource and CreateKey refuse more than 50 tags on a key, a tag key given twice and
    /// tag keys beginning with `aws:` with AWS's `TagException` messages, and CreateAlias
    /// refuses names under `alias/aws/` with `InvalidAliasNameException`.
    validates_tags_and_alias_names => with_validates_tags_and_alias_names,
}
