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
    /// Decrypt with a `KeyId`, or ReEncrypt with a `SourceKeyId`, naming another key than
    /// the one that encrypted fails with `IncorrectKeyException`. moto answers
    /// `AccessDeniedException`.
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
}
