//! The keys and aliases of one account and region, how requests name them, and which key
//! states allow which operations.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use kms_core::{
    Arn, EncryptionAlgorithmSpec, Error, ExpirationModelType, KeyId, KeyManagerType, KeyMetadata,
    KeySpec, KeyState, KeyUsage, OriginType, Result, RotationType,
};

use crate::asymmetric::PrivateKey;
use crate::blob::MATERIAL_ID_LEN;
use crate::hmac::HmacKey;
use crate::import::External;
use crate::material::{KeyMaterial, Kind, Material};
use crate::multi_region::MultiRegion;

/// The partition, region and account the backend plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) partition: String,
    pub(crate) region: String,
    pub(crate) account: String,
}

impl Identity {
    /// The identity of `account` in `region` (both checked), in the region's partition.
    pub(crate) fn new(account: &str, region: &str) -> Self {
        Self {
            partition: partition_of(region).to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
        }
    }

    /// The ARN of a key.
    pub(crate) fn key_arn(&self, key_id: &str) -> String {
        self.key_arn_in(&self.region, key_id)
    }

    /// The ARN of the key `key_id` of this account in `region` (a related multi-Region key).
    pub(crate) fn key_arn_in(&self, region: &str, key_id: &str) -> String {
        Arn::for_key(&self.partition, region, &self.account, key_id).to_string()
    }

    /// The ARN of an alias (`alias/…`).
    pub(crate) fn alias_arn(&self, alias_name: &str) -> String {
        Arn::for_alias(&self.partition, &self.region, &self.account, alias_name).to_string()
    }

    /// `NotFoundException` for a key that does not exist.
    pub(crate) fn key_not_found(&self, key_id: &str) -> Error {
        Error::NotFound {
            message: format!("Key '{}' does not exist", self.key_arn(key_id)),
        }
    }

    /// `NotFoundException` for an alias that does not exist.
    pub(crate) fn alias_not_found(&self, alias_name: &str) -> Error {
        Error::NotFound {
            message: format!("Alias {} is not found.", self.alias_arn(alias_name)),
        }
    }

    /// Checks that an ARN in a request belongs to this partition, region and account.
    ///
    /// An ARN of another Region names nothing here (`NotFoundException "Invalid arn
    /// <region>"`, as AWS answers). An ARN of another account is `AccessDeniedException`:
    /// AWS would evaluate that key's policy, which may allow this account; key policies are
    /// not evaluated by this backend yet (a later change), so no cross-account use is
    /// allowed.
    fn check_arn(&self, arn: &Arn) -> Result<()> {
        if arn.region() != self.region {
            return Err(Error::NotFound {
                message: format!("Invalid arn {}", arn.region()),
            });
        }
        if arn.partition() == self.partition && arn.account() != self.account {
            return Err(Error::AccessDenied {
                // Our wording (unverified), in the grammar of AWS's IAM denials ("User: <arn>
                // is not authorized to perform: <action> on resource: <arn> because no
                // resource-based policy allows the <action> action").
                message: format!(
                    "User: arn:{}:iam::{}:root is not authorized to use resource: {arn} \
                     because no resource-based policy allows it (the local backend does not \
                     evaluate key policies)",
                    self.partition, self.account
                ),
            });
        }
        if arn.partition() != self.partition {
            let message = match arn.resource_type() {
                "alias" => format!("Alias {arn} is not found."),
                _ => format!("Key '{arn}' does not exist"),
            };
            return Err(Error::NotFound { message });
        }
        Ok(())
    }
}

/// A request member that takes a key ID or key ARN only, never an alias (AWS's API reference
/// documents these members so; see `reference/kms-api.md` §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyOnly {
    operation: &'static str,
    member: &'static str,
}

impl KeyOnly {
    /// The `KeyId` of `operation`.
    pub(crate) const fn key_id(operation: &'static str) -> Self {
        Self {
            operation,
            member: "KeyId",
        }
    }

    /// The `TargetKeyId` of `operation` (CreateAlias, UpdateAlias).
    pub(crate) const fn target_key_id(operation: &'static str) -> Self {
        Self {
            operation,
            member: "TargetKeyId",
        }
    }

    /// `NotFoundException` for an alias given to this member. AWS's exception for this case
    /// is not confirmed by a reference; NotFoundException is the modeled error of these
    /// operations for an identifier that names no key, and what moto and local-kms answer.
    fn alias_refused(self, alias: &KeyId) -> Error {
        let Self { operation, member } = self;
        Error::NotFound {
            // Our wording (unverified): no reference confirms AWS's message.
            message: format!(
                "Invalid keyId '{alias}': the {member} of {operation} takes a key ID or key ARN, \
                 not an alias"
            ),
        }
    }
}

/// The identifier forms a request member takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forms {
    /// Key ID, key ARN, alias name or alias ARN.
    Any,
    /// Key ID or key ARN only.
    KeyOnly(KeyOnly),
}

/// Automatic rotation settings of a key, while rotation is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AutoRotation {
    pub(crate) period_days: u32,
    pub(crate) next: SystemTime,
}

/// A scheduled deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deletion {
    pub(crate) date: SystemTime,
    pub(crate) window_days: u32,
}

impl AutoRotation {
    /// The rotation period as a duration.
    pub(crate) fn period(&self) -> Duration {
        Duration::from_secs(u64::from(self.period_days) * 24 * 60 * 60)
    }
}

/// A KMS key.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) id: String,
    /// The 16 raw bytes of the key ID, as blobs carry them: the UUID's, or for a
    /// multi-Region key (`mrk-` and 32 hex digits) the bytes of its hex digits.
    pub(crate) uuid: [u8; 16],
    pub(crate) arn: String,
    pub(crate) created: SystemTime,
    pub(crate) description: String,
    pub(crate) spec: KeySpec,
    pub(crate) usage: KeyUsage,
    pub(crate) origin: OriginType,
    pub(crate) state: KeyState,
    pub(crate) deletion: Option<Deletion>,
    pub(crate) rotation: Option<AutoRotation>,
    /// Its secret material: AES materials, an HMAC key or a private key, as its spec says.
    pub(crate) material: KeyMaterial,
    pub(crate) tags: BTreeMap<String, String>,
    /// What a key of origin `EXTERNAL` keeps of its imports; `None` for other keys.
    pub(crate) external: Option<Box<External>>,
    /// What a multi-Region key knows of its set; `None` for a single-Region key.
    pub(crate) multi_region: Option<Box<MultiRegion>>,
}

impl Key {
    /// The AES material that encrypts, for a symmetric key.
    pub(crate) fn current(&self) -> Option<&Material> {
        self.material.versions().last()
    }

    /// Rotates the key material once for every automatic rotation date that has passed by
    /// `now`, each new material dated on its rotation date, as AWS KMS would have done. (Only
    /// symmetric keys ever have rotation on.)
    ///
    /// A multi-Region key rotates to material derived from its set's rotation secret, the
    /// same in every Region (see [`crate::multi_region`]).
    fn rotate_automatically(&mut self, now: SystemTime) -> Result<()> {
        let (Some(rotation), Some(versions)) =
            (self.rotation.as_mut(), self.material.versions_mut())
        else {
            return Ok(());
        };
        while rotation.next <= now {
            versions.push(match &self.multi_region {
                Some(set) => set.rotation_material(&self.id, rotation.next)?,
                None => Material::generate(rotation.next, Some(RotationType::Automatic))?,
            });
            rotation.next += rotation.period();
        }
        Ok(())
    }

    /// When the key is next due for automatic rotation: an enabled key, or any key of a
    /// multi-Region set, which rotates on the set's schedule whatever the state of one
    /// Region's key (its material is the set's; our choice, AWS does not document it).
    fn next_automatic_rotation(&self) -> Option<SystemTime> {
        self.rotation
            .filter(|_| self.state == KeyState::Enabled || self.multi_region.is_some())
            .map(|rotation| rotation.next)
    }

    /// Re-enabling a key whose rotation date passed while it was disabled rotates it at once
    /// and starts a new period from `now` (AWS KMS does not rotate disabled keys). A
    /// multi-Region key never falls behind its schedule.
    pub(crate) fn catch_up_rotation(&mut self, now: SystemTime) -> Result<()> {
        if self.multi_region.is_some() {
            return Ok(());
        }
        if let (Some(rotation), Some(versions)) =
            (self.rotation.as_mut(), self.material.versions_mut())
            && rotation.next <= now
        {
            versions.push(Material::generate(now, Some(RotationType::Automatic))?);
            rotation.next = now + rotation.period();
        }
        Ok(())
    }

    /// The AES material with `id`, current or old.
    pub(crate) fn material(&self, id: &[u8; MATERIAL_ID_LEN]) -> Option<&Material> {
        self.material
            .versions()
            .iter()
            .rev()
            .find(|material| &material.id == id)
    }

    /// Whether its deletion date has passed: it no longer exists. The clock is read only
    /// for keys pending deletion.
    pub(crate) fn is_gone(&self, now: impl FnOnce() -> SystemTime) -> bool {
        self.deletion.is_some_and(|deletion| deletion.date <= now())
    }

    /// The message AWS gives when the key's state forbids an operation.
    fn state_message(&self) -> String {
        let arn = &self.arn;
        match &self.state {
            KeyState::Disabled => format!("{arn} is disabled."),
            KeyState::PendingDeletion => format!("{arn} is pending deletion."),
            KeyState::PendingImport => format!("{arn} is pending import."),
            // Our wording (unverified) for the multi-Region states.
            KeyState::PendingReplicaDeletion => format!("{arn} is pending replica deletion."),
            // Our wording (unverified) for the states this backend never gives a key.
            other => format!("{arn} is {}.", other.as_str().to_lowercase()),
        }
    }

    fn invalid_state(&self) -> Error {
        Error::InvalidState {
            message: self.state_message(),
        }
    }

    /// The gate of cryptographic operations: only Enabled keys pass, and multi-Region keys
    /// while they are `Updating` (AWS keeps them usable then).
    pub(crate) fn check_usable(&self) -> Result<()> {
        match self.state {
            KeyState::Enabled | KeyState::Updating => Ok(()),
            KeyState::Disabled => Err(Error::Disabled {
                message: self.state_message(),
            }),
            _ => Err(self.invalid_state()),
        }
    }

    /// The gate of every cryptographic operation: usable, and made for `usage`.
    pub(crate) fn check_use(&self, usage: &KeyUsage, operation: &str) -> Result<()> {
        self.check_usable()?;
        if self.usage != *usage {
            return Err(Error::InvalidKeyUsage {
                message: format!(
                    "{} key usage is {} which is not valid for {operation}.",
                    self.arn, self.usage
                ),
            });
        }
        Ok(())
    }

    /// The private key of an asymmetric key made for `usage`, after the gate of
    /// [`Key::check_use`].
    pub(crate) fn private_key_for(&self, usage: &KeyUsage, operation: &str) -> Result<&PrivateKey> {
        self.check_use(usage, operation)?;
        // Every usage but ENCRYPT_DECRYPT and GENERATE_VERIFY_MAC belongs to asymmetric specs.
        self.material
            .private_key()?
            .ok_or_else(|| crate::random::internal("an asymmetric key without its private key"))
    }

    /// The HMAC key of a `GENERATE_VERIFY_MAC` key, after the gate of [`Key::check_use`].
    pub(crate) fn hmac_key_for(&self, operation: &str) -> Result<&HmacKey> {
        self.check_use(&KeyUsage::GenerateVerifyMac, operation)?;
        self.material
            .hmac()
            .ok_or_else(|| crate::random::internal("an HMAC key without its key"))
    }

    /// Checks that `algorithm` is one of the key spec's algorithms for its usage, `allowed`.
    pub(crate) fn check_algorithm<T: PartialEq + std::fmt::Display>(
        &self,
        algorithm: &T,
        allowed: &[T],
    ) -> Result<()> {
        if allowed.contains(algorithm) {
            return Ok(());
        }
        Err(crate::material::incompatible(algorithm, &self.spec))
    }

    /// The gate of `Encrypt`, `Decrypt` and friends: usable, for encryption, with one of the
    /// key spec's algorithms (`SYMMETRIC_DEFAULT` when none is given, which an RSA key
    /// refuses). Returns the algorithm.
    pub(crate) fn check_encryption(
        &self,
        operation: &str,
        algorithm: Option<EncryptionAlgorithmSpec>,
    ) -> Result<EncryptionAlgorithmSpec> {
        self.check_use(&KeyUsage::EncryptDecrypt, operation)?;
        let algorithm = algorithm.unwrap_or(EncryptionAlgorithmSpec::SymmetricDefault);
        self.check_algorithm(&algorithm, self.spec.encryption_algorithms())?;
        Ok(algorithm)
    }

    /// The gate of changes to a key's settings, aliases and tags: anything but pending
    /// deletion (of the key or of its replicas) and the transient states of multi-Region
    /// keys (`Creating`, `Updating`), in which AWS refuses management operations.
    pub(crate) fn check_changeable(&self) -> Result<()> {
        match self.state {
            KeyState::PendingDeletion
            | KeyState::PendingReplicaDeletion
            | KeyState::Creating
            | KeyState::Updating => Err(self.invalid_state()),
            _ => Ok(()),
        }
    }

    /// Refuses `operation`, which changes what a multi-Region key set shares, on a replica:
    /// AWS manages the shared properties (rotation) on the primary key only.
    pub(crate) fn check_not_replica(&self, identity: &Identity) -> Result<()> {
        match &self.multi_region {
            Some(set) if !set.is_primary_in(&identity.region) => Err(Error::Unsupported {
                // Our wording (unverified): AWS documents the rule, no reference gives the
                // message.
                message: format!(
                    "{} is a multi-Region replica key. Rotation is managed on its primary key, \
                     in {}.",
                    self.arn, set.primary
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The gate of `EnableKey` and `DisableKey`.
    pub(crate) fn check_can_toggle(&self) -> Result<()> {
        match self.state {
            KeyState::Enabled | KeyState::Disabled => Ok(()),
            _ => Err(self.invalid_state()),
        }
    }

    /// The gate of the rotation operations that change something, for `operation`.
    pub(crate) fn check_rotatable(&self, operation: &str) -> Result<()> {
        self.check_rotation_supported(operation)?;
        self.check_usable()
    }

    /// Rotation exists only for symmetric encryption keys: the `UnsupportedOperationException`
    /// of `operation` for any other key. Automatic rotation needs KMS-made material; a key of
    /// imported material rotates on demand only, to material imported for it
    /// (`RotateKeyOnDemand` and `ListKeyRotations`, as AWS documents since 2025).
    pub(crate) fn check_rotation_supported(&self, operation: &str) -> Result<()> {
        let on_demand = matches!(operation, "RotateKeyOnDemand" | "ListKeyRotations");
        let what = if Kind::of(&self.spec) != Kind::Symmetric {
            format!("key spec is {}", self.spec)
        } else if self.origin == OriginType::AwsKms
            || (self.origin == OriginType::External && on_demand)
        {
            return Ok(());
        } else {
            format!("origin is {}", self.origin)
        };
        let message = if operation == "RotateKeyOnDemand" {
            // AWS's empty message (kms-api §1.3).
            String::new()
        } else {
            // Our wording (unverified), in the grammar of AWS's "<arn> origin is AWS_KMS which
            // is not valid for this operation.": no reference gives the message of the other
            // rotation operations.
            format!("{} {what} which is not valid for this operation.", self.arn)
        };
        Err(Error::Unsupported { message })
    }

    /// The expiry of the current imported material, with `KEY_MATERIAL_EXPIRES`.
    fn current_valid_to(&self) -> Option<SystemTime> {
        let external = self.external.as_ref()?;
        let current = external.material(&external.current_id()?)?;
        current.valid_to.filter(|_| current.present)
    }

    /// Deletes every present imported material whose expiry has passed by `now`; a key whose
    /// current material expired goes back to `PendingImport`, as AWS does. Returns whether
    /// anything expired.
    pub(crate) fn expire_materials(&mut self, now: SystemTime) -> bool {
        let Some(external) = self.external.as_mut() else {
            return false;
        };
        let expired: Vec<[u8; MATERIAL_ID_LEN]> = external
            .materials
            .iter()
            .filter(|m| m.present && m.valid_to.is_some_and(|valid_to| valid_to <= now))
            .map(|m| m.id)
            .collect();
        for id in &expired {
            self.delete_imported(id);
        }
        !expired.is_empty()
    }

    /// Deletes the imported material `id`; when it is the current material, the key goes
    /// back to `PendingImport`.
    pub(crate) fn delete_imported(&mut self, id: &[u8; MATERIAL_ID_LEN]) {
        let was_current = self
            .external
            .as_ref()
            .is_none_or(|external| external.current_id() == Some(*id));
        if let Some(external) = self.external.as_mut() {
            if let Some(material) = external.material_mut(id) {
                material.present = false;
            }
            if external
                .pending_rotation
                .as_ref()
                .is_some_and(|pending| &pending.id == id)
            {
                external.pending_rotation = None;
            }
        }
        match &mut self.material {
            KeyMaterial::Symmetric(versions) => versions.retain(|m| &m.id != id),
            material => *material = KeyMaterial::Absent,
        }
        if was_current && self.state != KeyState::PendingDeletion {
            self.state = KeyState::PendingImport;
        }
    }

    /// When the key next changes state on its own: a multi-Region key's transient state
    /// ends, or one of its replicas is deleted.
    pub(crate) fn next_transition(&self) -> Option<SystemTime> {
        self.multi_region.as_ref()?.next_transition()
    }

    /// Makes the state changes due by `now`: the transient state ends; replicas whose
    /// deletion date passed leave the set, and a primary key waiting in
    /// `PendingReplicaDeletion` for its last one goes to `PendingDeletion`, its waiting period
    /// starting when that replica was deleted. Returns whether anything changed.
    fn make_transitions(&mut self, now: SystemTime) -> bool {
        let Some(set) = self.multi_region.as_mut() else {
            return false;
        };
        let mut changed = false;
        if let Some(settling) = set.settling.take_if(|settling| settling.at <= now) {
            self.state = settling.into;
            changed = true;
        }
        let gone_at = set.replicas_gone_at();
        let before = set.replicas.len();
        set.replicas
            .retain(|_, deletion| deletion.is_none_or(|date| date > now));
        changed |= set.replicas.len() != before;
        if set.replicas.is_empty()
            && let Some(window_days) = set.waiting_window.take()
        {
            let start = gone_at.unwrap_or(now);
            self.state = KeyState::PendingDeletion;
            self.deletion = Some(Deletion {
                date: start + Duration::from_secs(u64::from(window_days) * 24 * 60 * 60),
                window_days,
            });
            changed = true;
        }
        changed
    }

    /// When some present imported material of the key expires.
    pub(crate) fn next_expiry(&self) -> Option<SystemTime> {
        self.external
            .as_ref()
            .and_then(|external| external.next_expiry())
    }

    /// Its metadata, as `DescribeKey` gives it.
    pub(crate) fn metadata(&self, identity: &Identity) -> KeyMetadata {
        let mut metadata = KeyMetadata::new(self.id.clone(), self.state == KeyState::Enabled)
            .with_aws_account_id(identity.account.clone())
            .with_arn(self.arn.clone())
            .with_creation_date(self.created)
            .with_description(self.description.clone())
            .with_key_usage(self.usage.clone())
            .with_key_state(self.state.clone())
            .with_origin(self.origin.clone())
            .with_key_manager(KeyManagerType::Customer)
            .with_customer_master_key_spec(self.spec.clone())
            .with_key_spec(self.spec.clone())
            .with_multi_region(self.multi_region.is_some());
        if let Some(set) = &self.multi_region {
            metadata =
                metadata.with_multi_region_configuration(set.configuration(identity, &self.id));
        }
        if let Some(current) = self
            .current()
            .filter(|_| self.state != KeyState::PendingImport)
        {
            metadata = metadata.with_current_key_material_id(current.id_hex.clone());
        }
        let spec = &self.spec;
        metadata = match self.usage {
            KeyUsage::EncryptDecrypt => {
                metadata.with_encryption_algorithms(spec.encryption_algorithms().to_vec())
            }
            KeyUsage::SignVerify => {
                metadata.with_signing_algorithms(spec.signing_algorithms().to_vec())
            }
            KeyUsage::GenerateVerifyMac => {
                metadata.with_mac_algorithms(spec.mac_algorithms().to_vec())
            }
            KeyUsage::KeyAgreement => {
                metadata.with_key_agreement_algorithms(spec.key_agreement_algorithms().to_vec())
            }
            KeyUsage::EncapsulateDecapsulate => {
                metadata.with_encapsulation_algorithms(spec.encapsulation_algorithms().to_vec())
            }
            _ => metadata,
        };
        if let Some(deletion) = self.deletion {
            metadata = metadata
                .with_deletion_date(deletion.date)
                .with_pending_deletion_window_in_days(deletion.window_days);
        }
        if self.external.is_some() && self.state != KeyState::PendingImport {
            metadata = match self.current_valid_to() {
                Some(valid_to) => metadata
                    .with_expiration_model(ExpirationModelType::KeyMaterialExpires)
                    .with_valid_to(valid_to),
                None => {
                    metadata.with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire)
                }
            };
        }
        metadata
    }
}

/// An alias.
#[derive(Debug, Clone)]
pub(crate) struct Alias {
    /// The ID of the key it names.
    pub(crate) target: String,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
}

/// A key or alias that a change touched, so a durable store can write it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Touched {
    /// The key with this ID.
    Key(String),
    /// The alias with this name.
    Alias(String),
}

/// Every key and alias, behind the store's lock.
#[derive(Debug, Default)]
pub(crate) struct Keyring {
    /// Keys by key ID.
    pub(crate) keys: BTreeMap<String, Key>,
    /// Aliases by name (`alias/…`).
    pub(crate) aliases: BTreeMap<String, Alias>,
    /// No key is due for deletion before this date.
    next_deletion: Option<SystemTime>,
    /// No enabled key is due for automatic rotation before this date.
    next_rotation: Option<SystemTime>,
    /// No imported material expires before this date.
    next_expiry: Option<SystemTime>,
    /// No multi-Region key changes state (a transient state ends, a replica is deleted)
    /// before this date.
    next_transition: Option<SystemTime>,
    /// What changed since [`Keyring::take_touched`] was last called.
    touched: BTreeSet<Touched>,
}

impl Keyring {
    /// The ID of the key `key_id` names; aliases are followed where `forms` allows them.
    fn target_of<'a>(
        &'a self,
        identity: &Identity,
        key_id: &'a KeyId,
        forms: Forms,
    ) -> Result<&'a str> {
        if let Some(arn) = key_id.arn() {
            identity.check_arn(arn)?;
        }
        if let (Some(_), Forms::KeyOnly(member)) = (key_id.alias_name(), forms) {
            return Err(member.alias_refused(key_id));
        }
        match (key_id.alias_name(), key_id.key_id()) {
            (Some(alias), _) => self
                .aliases
                .get(alias)
                .map(|alias| alias.target.as_str())
                .ok_or_else(|| identity.alias_not_found(alias)),
            (None, Some(id)) => Ok(id),
            (None, None) => Err(identity.key_not_found(key_id.as_str())),
        }
    }

    /// The key `key_id` names, in any of the four forms.
    pub(crate) fn resolve(
        &self,
        identity: &Identity,
        key_id: &KeyId,
        now: impl FnOnce() -> SystemTime,
    ) -> Result<&Key> {
        self.lookup(identity, key_id, Forms::Any, now)
    }

    /// The key `key_id` names for `member`, which takes a key ID or key ARN only: an alias is
    /// refused.
    pub(crate) fn resolve_key(
        &self,
        identity: &Identity,
        key_id: &KeyId,
        member: KeyOnly,
        now: impl FnOnce() -> SystemTime,
    ) -> Result<&Key> {
        self.lookup(identity, key_id, Forms::KeyOnly(member), now)
    }

    /// The key `key_id` names in `forms`, unless its deletion date has passed.
    fn lookup(
        &self,
        identity: &Identity,
        key_id: &KeyId,
        forms: Forms,
        now: impl FnOnce() -> SystemTime,
    ) -> Result<&Key> {
        let id = self.target_of(identity, key_id, forms)?;
        self.keys
            .get(id)
            .filter(|key| !key.is_gone(now))
            .ok_or_else(|| identity.key_not_found(id))
    }

    /// The key `key_id` names for `member` (a key ID or key ARN: every operation that changes
    /// a key takes no alias), to change it (call [`Keyring::purge`] first). The key counts as
    /// changed.
    pub(crate) fn resolve_mut(
        &mut self,
        identity: &Identity,
        key_id: &KeyId,
        member: KeyOnly,
    ) -> Result<&mut Key> {
        let id = self
            .target_of(identity, key_id, Forms::KeyOnly(member))?
            .to_owned();
        let key = self
            .keys
            .get_mut(&id)
            .ok_or_else(|| identity.key_not_found(&id))?;
        self.touched.insert(Touched::Key(id));
        Ok(key)
    }

    /// Adds or replaces a key.
    pub(crate) fn insert_key(&mut self, key: Key) {
        let id = key.id.clone();
        self.touched.insert(Touched::Key(id.clone()));
        self.keys.insert(id.clone(), key);
        self.note_dates(&id);
    }

    /// Notes the dates on which the key `id` may change on its own (deletion, rotation,
    /// expiry, the state changes of a multi-Region key), after it changed.
    pub(crate) fn note_dates(&mut self, id: &str) {
        let Some(key) = self.keys.get(id) else {
            return;
        };
        let deletion = key.deletion.map(|deletion| deletion.date);
        let rotation = key.rotation.map(|rotation| rotation.next);
        let (expiry, transition) = (key.next_expiry(), key.next_transition());
        if let Some(date) = deletion {
            self.expect_deletion(date);
        }
        if let Some(date) = rotation {
            self.expect_rotation(date);
        }
        if let Some(date) = expiry {
            self.expect_expiry(date);
        }
        if let Some(date) = transition {
            self.expect_transition(date);
        }
    }

    /// The key with ID `id`, to change it; the key counts as changed.
    pub(crate) fn key_mut(&mut self, id: &str) -> Option<&mut Key> {
        let key = self.keys.get_mut(id)?;
        self.touched.insert(Touched::Key(id.to_owned()));
        Some(key)
    }

    /// Removes a key and its aliases.
    pub(crate) fn remove_key(&mut self, id: &str) {
        self.keys.remove(id);
        let aliases: Vec<String> = self
            .aliases
            .iter()
            .filter(|(_, alias)| alias.target == id)
            .map(|(name, _)| name.clone())
            .collect();
        for name in aliases {
            self.remove_alias(&name);
        }
        self.touched.insert(Touched::Key(id.to_owned()));
    }

    /// Adds or replaces an alias.
    pub(crate) fn put_alias(&mut self, name: String, alias: Alias) {
        self.touched.insert(Touched::Alias(name.clone()));
        self.aliases.insert(name, alias);
    }

    /// Removes an alias, returning it.
    pub(crate) fn remove_alias(&mut self, name: &str) -> Option<Alias> {
        self.touched.insert(Touched::Alias(name.to_owned()));
        self.aliases.remove(name)
    }

    /// What changed since the last call.
    pub(crate) fn take_touched(&mut self) -> BTreeSet<Touched> {
        std::mem::take(&mut self.touched)
    }

    /// Notes that a key is due for deletion on `date`, so [`Keyring::purge`] looks then.
    pub(crate) fn expect_deletion(&mut self, date: SystemTime) {
        self.next_deletion = Some(self.next_deletion.map_or(date, |next| next.min(date)));
    }

    /// Notes that a key may be due for automatic rotation on `date`, so
    /// [`Keyring::rotate_due`] looks then.
    pub(crate) fn expect_rotation(&mut self, date: SystemTime) {
        self.next_rotation = Some(self.next_rotation.map_or(date, |next| next.min(date)));
    }

    /// Notes that imported material may expire on `date`, so [`Keyring::expire_due`] looks
    /// then.
    pub(crate) fn expect_expiry(&mut self, date: SystemTime) {
        self.next_expiry = Some(self.next_expiry.map_or(date, |next| next.min(date)));
    }

    /// Notes that a multi-Region key may change state on `date`, so
    /// [`Keyring::transition_due_keys`] looks then.
    pub(crate) fn expect_transition(&mut self, date: SystemTime) {
        self.next_transition = Some(self.next_transition.map_or(date, |next| next.min(date)));
    }

    /// Whether some multi-Region key may be due to change state; the clock is read only when
    /// one will.
    pub(crate) fn transition_due(&self, now: impl FnOnce() -> SystemTime) -> bool {
        self.next_transition.is_some_and(|next| next <= now())
    }

    /// Makes the state changes of multi-Region keys that are due: transient states end, and
    /// deleted replicas leave their set (a primary waiting for them starts its own deletion).
    pub(crate) fn transition_due_keys(&mut self, now: SystemTime) {
        if !self.transition_due(|| now) {
            return;
        }
        let mut touched = Vec::new();
        let mut deletions = Vec::new();
        for key in self.keys.values_mut() {
            if key.make_transitions(now) {
                touched.push(Touched::Key(key.id.clone()));
                deletions.extend(key.deletion.map(|deletion| deletion.date));
            }
        }
        self.touched.extend(touched);
        for date in deletions {
            self.expect_deletion(date);
        }
        self.next_transition = self.keys.values().filter_map(Key::next_transition).min();
    }

    /// Whether some imported material may have expired; the clock is read only when some
    /// imported material expires.
    pub(crate) fn expiry_due(&self, now: impl FnOnce() -> SystemTime) -> bool {
        self.next_expiry.is_some_and(|next| next <= now())
    }

    /// Deletes every imported material whose expiry has passed, as AWS does.
    pub(crate) fn expire_due(&mut self, now: SystemTime) {
        if !self.expiry_due(|| now) {
            return;
        }
        let mut touched = Vec::new();
        for key in self.keys.values_mut() {
            if key.expire_materials(now) {
                touched.push(Touched::Key(key.id.clone()));
            }
        }
        self.touched.extend(touched);
        self.next_expiry = self.keys.values().filter_map(Key::next_expiry).min();
    }

    /// Whether some key may be due for automatic rotation; the clock is read only when a
    /// key has automatic rotation on.
    pub(crate) fn rotation_due(&self, now: impl FnOnce() -> SystemTime) -> bool {
        self.next_rotation.is_some_and(|next| next <= now())
    }

    /// Rotates every enabled key whose automatic rotation date has passed.
    pub(crate) fn rotate_due(&mut self, now: SystemTime) -> Result<()> {
        if !self.rotation_due(|| now) {
            return Ok(());
        }
        let due: Vec<String> = self
            .keys
            .values()
            .filter(|key| {
                key.next_automatic_rotation()
                    .is_some_and(|next| next <= now)
            })
            .map(|key| key.id.clone())
            .collect();
        for id in due {
            if let Some(key) = self.keys.get_mut(&id) {
                key.rotate_automatically(now)?;
                self.touched.insert(Touched::Key(id));
            }
        }
        self.next_rotation = self
            .keys
            .values()
            .filter_map(Key::next_automatic_rotation)
            .min();
        Ok(())
    }

    /// Deletes the keys whose deletion date has passed, with their aliases.
    pub(crate) fn purge(&mut self, now: SystemTime) {
        if self.next_deletion.is_none_or(|next| next > now) {
            return;
        }
        let gone: Vec<String> = self
            .keys
            .values()
            .filter(|key| key.is_gone(|| now))
            .map(|key| key.id.clone())
            .collect();
        for id in gone {
            self.remove_key(&id);
        }
        self.next_deletion = self
            .keys
            .values()
            .filter_map(|key| key.deletion.map(|deletion| deletion.date))
            .min();
    }
}

/// The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}
