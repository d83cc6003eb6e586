//! The command line: the subcommands and flags of `aws kms`, plus `--url`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kms_envelope::AlgorithmSuite;

/// The AWS KMS operations, with the flags and output of `aws kms`, on the backend `--url`
/// names.
#[derive(Debug, Parser)]
#[command(name = "kms", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The backend: `local:` (in memory), `local:///DIR` (a persistent local store),
    /// `aws:`, `aws://REGION`, `aws+http://HOST:PORT`...
    #[arg(long, env = "KMS_URL", global = true, default_value_t = default_url(), hide_env_values = true)]
    pub(crate) url: String,
    /// The AWS Region to send requests to, as the AWS CLI's `--region`: it overrides the
    /// Region of the URL (`aws://REGION`, `?region=`), which overrides the environment's
    /// (`AWS_REGION`, then `AWS_DEFAULT_REGION`), which overrides the profile's `region`.
    /// The local backend plays `us-east-1` when nothing names a Region.
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// The output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Json)]
    pub(crate) output: OutputFormat,
    /// A JMESPath query that selects what to print, as in the AWS CLI (`KeyMetadata.KeyId`,
    /// `Keys[*].KeyId`, `Aliases[?TargetKeyId=='ID'].AliasName`, `length(Keys)`).
    #[arg(long, global = true)]
    pub(crate) query: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// How the output is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// JSON, as `aws` prints it.
    Json,
    /// Plain values, tab-separated.
    Text,
}

/// The persistent local store in the user's data directory: `%LOCALAPPDATA%\kms` on Windows
/// (local, not roaming: the store holds its root key), `$XDG_DATA_HOME/kms` or
/// `~/.local/share/kms` elsewhere; `local:` (in memory) when there is no such directory.
pub(crate) fn default_url() -> String {
    data_home()
        .and_then(|dir| kms::local_store_url(dir.join("kms")).ok())
        .unwrap_or_else(|| "local:".to_owned())
}

/// The user's data directory, from the environment.
fn data_home() -> Option<std::path::PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(std::path::PathBuf::from)
    };
    if cfg!(windows) {
        var("LOCALAPPDATA")
    } else {
        var("XDG_DATA_HOME").or_else(|| var("HOME").map(|home| home.join(".local/share")))
    }
}

/// A subcommand: an operation of `aws kms`, or one that only local backends have.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// An operation of `aws kms`.
    #[command(flatten)]
    Kms(Operation),
    /// A command of local backends.
    #[command(flatten)]
    Local(LocalCommand),
    /// Envelope encryption of files.
    #[command(flatten)]
    File(FileCommand),
    /// Serves the backend as an AWS KMS endpoint (for the AWS CLI and SDKs) until SIGINT or
    /// SIGTERM.
    Serve(crate::serve::Serve),
}

/// An operation of `aws kms`.
#[derive(Debug, Subcommand)]
pub(crate) enum Operation {
    /// Creates a key (symmetric by default).
    CreateKey(CreateKey),
    /// Describes a key.
    DescribeKey(KeyArg),
    /// Lists the keys.
    ListKeys(Paging),
    /// Replaces a key's description.
    UpdateKeyDescription(UpdateKeyDescription),
    /// Enables a key.
    EnableKey(KeyArg),
    /// Disables a key.
    DisableKey(KeyArg),
    /// Schedules the deletion of a key.
    ScheduleKeyDeletion(ScheduleKeyDeletion),
    /// Cancels the deletion of a key, which comes back disabled.
    CancelKeyDeletion(KeyArg),
    /// Turns on automatic rotation.
    EnableKeyRotation(EnableKeyRotation),
    /// Turns off automatic rotation.
    DisableKeyRotation(KeyArg),
    /// Whether automatic rotation is on.
    GetKeyRotationStatus(KeyArg),
    /// Rotates a key's material now.
    RotateKeyOnDemand(KeyArg),
    /// Lists a key's materials.
    ListKeyRotations(ListKeyRotations),
    /// A wrapping public key and an import token to import key material into a key of
    /// origin EXTERNAL.
    GetParametersForImport(GetParametersForImport),
    /// Imports key material wrapped under the public key of get-parameters-for-import.
    ImportKeyMaterial(ImportKeyMaterial),
    /// Deletes imported key material; the key waits, pending import, for the same material.
    DeleteImportedKeyMaterial(DeleteImportedKeyMaterial),
    /// Names a key.
    CreateAlias(AliasTarget),
    /// Points an alias at another key.
    UpdateAlias(AliasTarget),
    /// Removes an alias.
    DeleteAlias(AliasName),
    /// Lists the aliases, or those of one key.
    ListAliases(ListAliases),
    /// Tags a key.
    TagResource(TagResource),
    /// Removes tags from a key.
    UntagResource(UntagResource),
    /// Lists a key's tags.
    ListResourceTags(KeyArg),
    /// Encrypts up to 4096 bytes.
    Encrypt(Encrypt),
    /// Decrypts a ciphertext.
    Decrypt(Decrypt),
    /// Moves a ciphertext to another key or context.
    ReEncrypt(ReEncrypt),
    /// A data key, in plaintext and encrypted.
    GenerateDataKey(DataKey),
    /// A data key, only encrypted.
    GenerateDataKeyWithoutPlaintext(DataKey),
    /// Random bytes.
    GenerateRandom(GenerateRandom),
    /// An asymmetric data key pair: the private key in plaintext and encrypted.
    GenerateDataKeyPair(DataKeyPair),
    /// An asymmetric data key pair: the private key only encrypted.
    GenerateDataKeyPairWithoutPlaintext(DataKeyPair),
    /// The public key of an asymmetric key (DER SubjectPublicKeyInfo).
    GetPublicKey(GetPublicKey),
    /// Signs a message or its digest with an asymmetric key.
    Sign(Sign),
    /// Verifies a signature (a bad one is the error KMSInvalidSignatureException).
    Verify(Verify),
    /// The HMAC of a message.
    GenerateMac(GenerateMac),
    /// Verifies an HMAC (a bad one is the error KMSInvalidMacException).
    VerifyMac(VerifyMac),
    /// The ECDH shared secret of a key agreement key and a peer's public key.
    DeriveSharedSecret(DeriveSharedSecret),
    /// A shared secret and its encapsulation under an ML-KEM key.
    Encapsulate(Encapsulate),
    /// The shared secret of an ML-KEM encapsulation.
    Decapsulate(Decapsulate),
    /// Copies a multi-Region primary key into another Region.
    ReplicateKey(ReplicateKey),
    /// Makes the replica of a multi-Region key in another Region its primary key.
    UpdatePrimaryRegion(UpdatePrimaryRegion),
}

/// A command that only local backends have.
#[derive(Debug, Subcommand)]
pub(crate) enum LocalCommand {
    /// Adds the keys of a seed file to a local backend (keys it holds already stay).
    Seed(Seed),
    /// Prints keys of a local backend as a seed file, key material in the clear.
    ExportKey(ExportKey),
}

impl Operation {
    /// The AWS operation it calls, for messages.
    pub(crate) fn operation(&self) -> &'static str {
        match self {
            Self::CreateKey(_) => "CreateKey",
            Self::DescribeKey(_) => "DescribeKey",
            Self::ListKeys(_) => "ListKeys",
            Self::UpdateKeyDescription(_) => "UpdateKeyDescription",
            Self::EnableKey(_) => "EnableKey",
            Self::DisableKey(_) => "DisableKey",
            Self::ScheduleKeyDeletion(_) => "ScheduleKeyDeletion",
            Self::CancelKeyDeletion(_) => "CancelKeyDeletion",
            Self::EnableKeyRotation(_) => "EnableKeyRotation",
            Self::DisableKeyRotation(_) => "DisableKeyRotation",
            Self::GetKeyRotationStatus(_) => "GetKeyRotationStatus",
            Self::RotateKeyOnDemand(_) => "RotateKeyOnDemand",
            Self::ListKeyRotations(_) => "ListKeyRotations",
            Self::GetParametersForImport(_) => "GetParametersForImport",
            Self::ImportKeyMaterial(_) => "ImportKeyMaterial",
            Self::DeleteImportedKeyMaterial(_) => "DeleteImportedKeyMaterial",
            Self::CreateAlias(_) => "CreateAlias",
            Self::UpdateAlias(_) => "UpdateAlias",
            Self::DeleteAlias(_) => "DeleteAlias",
            Self::ListAliases(_) => "ListAliases",
            Self::TagResource(_) => "TagResource",
            Self::UntagResource(_) => "UntagResource",
            Self::ListResourceTags(_) => "ListResourceTags",
            Self::Encrypt(_) => "Encrypt",
            Self::Decrypt(_) => "Decrypt",
            Self::ReEncrypt(_) => "ReEncrypt",
            Self::GenerateDataKey(_) => "GenerateDataKey",
            Self::GenerateDataKeyWithoutPlaintext(_) => "GenerateDataKeyWithoutPlaintext",
            Self::GenerateRandom(_) => "GenerateRandom",
            Self::GenerateDataKeyPair(_) => "GenerateDataKeyPair",
            Self::GenerateDataKeyPairWithoutPlaintext(_) => "GenerateDataKeyPairWithoutPlaintext",
            Self::GetPublicKey(_) => "GetPublicKey",
            Self::Sign(_) => "Sign",
            Self::Verify(_) => "Verify",
            Self::GenerateMac(_) => "GenerateMac",
            Self::VerifyMac(_) => "VerifyMac",
            Self::DeriveSharedSecret(_) => "DeriveSharedSecret",
            Self::Encapsulate(_) => "Encapsulate",
            Self::Decapsulate(_) => "Decapsulate",
            Self::ReplicateKey(_) => "ReplicateKey",
            Self::UpdatePrimaryRegion(_) => "UpdatePrimaryRegion",
        }
    }
}

/// `--key-id`.
#[derive(Debug, Args)]
pub(crate) struct KeyArg {
    /// The key: key ID, key ARN, alias name or alias ARN.
    #[arg(long)]
    pub(crate) key_id: String,
}

/// `--limit` and `--marker`; without `--limit`, every page is fetched.
#[derive(Debug, Args)]
pub(crate) struct Paging {
    /// One page of at most this many items, with its `NextMarker`.
    #[arg(long)]
    pub(crate) limit: Option<u32>,
    /// Where the page starts: the `NextMarker` of the previous one.
    #[arg(long)]
    pub(crate) marker: Option<String>,
}

/// The flags of `create-key`.
#[derive(Debug, Args)]
pub(crate) struct CreateKey {
    /// A description.
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT or
    /// ENCAPSULATE_DECAPSULATE.
    #[arg(long)]
    pub(crate) key_usage: Option<String>,
    /// SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ML_DSA_65, ML_KEM_768...
    #[arg(long)]
    pub(crate) key_spec: Option<String>,
    /// AWS_KMS (the default) or EXTERNAL: a key that waits, pending import, for key
    /// material imported with import-key-material.
    #[arg(long)]
    pub(crate) origin: Option<String>,
    /// The key policy (JSON).
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Tags: `TagKey=k,TagValue=v` (repeatable) or a JSON list.
    #[arg(long, num_args = 1..)]
    pub(crate) tags: Vec<String>,
    /// Creates a multi-Region primary key (`--no-multi-region`: a single-Region key, the
    /// default).
    #[arg(long, overrides_with = "no_multi_region")]
    pub(crate) multi_region: bool,
    /// A single-Region key (the default).
    #[arg(long)]
    pub(crate) no_multi_region: bool,
}

/// The flags of `replicate-key`.
#[derive(Debug, Args)]
pub(crate) struct ReplicateKey {
    /// The multi-Region primary key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The Region of the replica, such as `us-west-2`.
    #[arg(long)]
    pub(crate) replica_region: String,
    /// The replica's description (the primary's is not copied).
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// The replica's key policy (JSON); the default policy otherwise.
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Skips the check that the policy does not lock the caller out.
    #[arg(long)]
    pub(crate) bypass_policy_lockout_safety_check: bool,
    /// The replica's tags: `TagKey=k,TagValue=v` (repeatable) or a JSON list.
    #[arg(long, num_args = 1..)]
    pub(crate) tags: Vec<String>,
}

/// The flags of `update-primary-region`.
#[derive(Debug, Args)]
pub(crate) struct UpdatePrimaryRegion {
    /// The current primary key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The Region of the replica that becomes the primary key.
    #[arg(long)]
    pub(crate) primary_region: String,
}

/// The flags of `get-parameters-for-import`.
#[derive(Debug, Args)]
pub(crate) struct GetParametersForImport {
    /// The key (key ID or key ARN), of origin EXTERNAL.
    #[arg(long)]
    pub(crate) key_id: String,
    /// RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1 or
    /// RSA_AES_KEY_WRAP_SHA_256.
    #[arg(long)]
    pub(crate) wrapping_algorithm: String,
    /// RSA_2048, RSA_3072 or RSA_4096.
    #[arg(long)]
    pub(crate) wrapping_key_spec: String,
}

/// The flags of `import-key-material`.
#[derive(Debug, Args)]
pub(crate) struct ImportKeyMaterial {
    /// The key (key ID or key ARN) the import token was issued for.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The import token: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) import_token: String,
    /// The wrapped key material: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) encrypted_key_material: String,
    /// KEY_MATERIAL_EXPIRES (the default: --valid-to is then required) or
    /// KEY_MATERIAL_DOES_NOT_EXPIRE.
    #[arg(long)]
    pub(crate) expiration_model: Option<String>,
    /// When the material expires: seconds since the epoch or an ISO 8601 UTC timestamp
    /// (2026-12-31T23:59:59Z), at most 365 days ahead.
    #[arg(long)]
    pub(crate) valid_to: Option<String>,
    /// NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL (symmetric keys).
    #[arg(long)]
    pub(crate) import_type: Option<String>,
    /// A description of the material (symmetric keys).
    #[arg(long)]
    pub(crate) key_material_description: Option<String>,
    /// The ID of the material imported again (symmetric keys).
    #[arg(long)]
    pub(crate) key_material_id: Option<String>,
}

/// The flags of `delete-imported-key-material`.
#[derive(Debug, Args)]
pub(crate) struct DeleteImportedKeyMaterial {
    /// The key (key ID or key ARN), of origin EXTERNAL.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The material to delete; the current material by default.
    #[arg(long)]
    pub(crate) key_material_id: Option<String>,
}

/// The flags of `update-key-description`.
#[derive(Debug, Args)]
pub(crate) struct UpdateKeyDescription {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The new description.
    #[arg(long)]
    pub(crate) description: String,
}

/// The flags of `schedule-key-deletion`.
#[derive(Debug, Args)]
pub(crate) struct ScheduleKeyDeletion {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The waiting period, 7 to 30 days (30 by default).
    #[arg(long)]
    pub(crate) pending_window_in_days: Option<u32>,
}

/// The flags of `enable-key-rotation`.
#[derive(Debug, Args)]
pub(crate) struct EnableKeyRotation {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The rotation period, 90 to 2560 days (365 by default).
    #[arg(long)]
    pub(crate) rotation_period_in_days: Option<u32>,
}

/// The flags of `list-key-rotations`.
#[derive(Debug, Args)]
pub(crate) struct ListKeyRotations {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// ALL_KEY_MATERIAL or ROTATIONS_ONLY.
    #[arg(long)]
    pub(crate) include_key_material: Option<String>,
    #[command(flatten)]
    pub(crate) paging: Paging,
}

/// `--alias-name` and `--target-key-id`.
#[derive(Debug, Args)]
pub(crate) struct AliasTarget {
    /// The alias name, `alias/…`.
    #[arg(long)]
    pub(crate) alias_name: String,
    /// The key it names.
    #[arg(long)]
    pub(crate) target_key_id: String,
}

/// `--alias-name`.
#[derive(Debug, Args)]
pub(crate) struct AliasName {
    /// The alias name, `alias/…`.
    #[arg(long)]
    pub(crate) alias_name: String,
}

/// The flags of `list-aliases`.
#[derive(Debug, Args)]
pub(crate) struct ListAliases {
    /// Only the aliases of this key.
    #[arg(long)]
    pub(crate) key_id: Option<String>,
    #[command(flatten)]
    pub(crate) paging: Paging,
}

/// The flags of `tag-resource`.
#[derive(Debug, Args)]
pub(crate) struct TagResource {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// Tags: `TagKey=k,TagValue=v` (repeatable) or a JSON list.
    #[arg(long, num_args = 1.., required = true)]
    pub(crate) tags: Vec<String>,
}

/// The flags of `untag-resource`.
#[derive(Debug, Args)]
pub(crate) struct UntagResource {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The tag keys to remove.
    #[arg(long, num_args = 1.., required = true)]
    pub(crate) tag_keys: Vec<String>,
}

/// The flags of `encrypt`.
#[derive(Debug, Args)]
pub(crate) struct Encrypt {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The data: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) plaintext: String,
    /// `k1=v1,k2=v2` or a JSON object.
    #[arg(long)]
    pub(crate) encryption_context: Option<String>,
    /// SYMMETRIC_DEFAULT by default; RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (required) for RSA
    /// keys.
    #[arg(long)]
    pub(crate) encryption_algorithm: Option<String>,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `decrypt`.
#[derive(Debug, Args)]
pub(crate) struct Decrypt {
    /// The ciphertext: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) ciphertext_blob: String,
    /// The key that must have encrypted it; required for RSA keys.
    #[arg(long)]
    pub(crate) key_id: Option<String>,
    /// The context it was encrypted with.
    #[arg(long)]
    pub(crate) encryption_context: Option<String>,
    /// SYMMETRIC_DEFAULT by default; RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (required) for RSA
    /// keys.
    #[arg(long)]
    pub(crate) encryption_algorithm: Option<String>,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `re-encrypt`.
#[derive(Debug, Args)]
pub(crate) struct ReEncrypt {
    /// The ciphertext: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) ciphertext_blob: String,
    /// The key to encrypt under.
    #[arg(long)]
    pub(crate) destination_key_id: String,
    /// The key that must have encrypted it.
    #[arg(long)]
    pub(crate) source_key_id: Option<String>,
    /// The context it was encrypted with.
    #[arg(long)]
    pub(crate) source_encryption_context: Option<String>,
    /// The context of the new ciphertext.
    #[arg(long)]
    pub(crate) destination_encryption_context: Option<String>,
    /// The algorithm that encrypted it: SYMMETRIC_DEFAULT by default; required for RSA keys.
    #[arg(long)]
    pub(crate) source_encryption_algorithm: Option<String>,
    /// The algorithm of the new ciphertext: SYMMETRIC_DEFAULT by default; required for RSA
    /// keys.
    #[arg(long)]
    pub(crate) destination_encryption_algorithm: Option<String>,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `generate-data-key` and `generate-data-key-without-plaintext`.
#[derive(Debug, Args)]
pub(crate) struct DataKey {
    /// The key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// AES_128 or AES_256.
    #[arg(long)]
    pub(crate) key_spec: Option<String>,
    /// A length of 1 to 1024 bytes.
    #[arg(long)]
    pub(crate) number_of_bytes: Option<u32>,
    /// `k1=v1,k2=v2` or a JSON object.
    #[arg(long)]
    pub(crate) encryption_context: Option<String>,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `generate-random`.
#[derive(Debug, Args)]
pub(crate) struct GenerateRandom {
    /// How many bytes, 1 to 1024.
    #[arg(long)]
    pub(crate) number_of_bytes: Option<u32>,
}

/// `--grant-tokens`, and `--dry-run` or `--no-dry-run`.
#[derive(Debug, Args)]
pub(crate) struct GrantsAndDryRun {
    /// Grant tokens (space-separated or repeatable).
    #[arg(long, num_args = 1..)]
    pub(crate) grant_tokens: Vec<String>,
    /// Checks the request without doing it: success is the error DryRunOperationException.
    #[arg(long, overrides_with = "no_dry_run")]
    pub(crate) dry_run: bool,
    /// Does the request (the default).
    #[arg(long, overrides_with = "dry_run")]
    pub(crate) no_dry_run: bool,
}

impl GrantsAndDryRun {
    /// The grant tokens, and `DryRun` as the request sends it: absent unless a flag gave it.
    pub(crate) fn into_parts(self) -> (Vec<String>, Option<bool>) {
        let dry_run = match (self.dry_run, self.no_dry_run) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        (self.grant_tokens, dry_run)
    }
}

/// The flags of `generate-data-key-pair` and `generate-data-key-pair-without-plaintext`.
#[derive(Debug, Args)]
pub(crate) struct DataKeyPair {
    /// The symmetric encryption key that encrypts the private key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// RSA_2048, ECC_NIST_P256, ECC_NIST_EDWARDS25519, ML_KEM_768...
    #[arg(long)]
    pub(crate) key_pair_spec: String,
    /// `k1=v1,k2=v2` or a JSON object: decrypting the private key needs it again.
    #[arg(long)]
    pub(crate) encryption_context: Option<String>,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `get-public-key`.
#[derive(Debug, Args)]
pub(crate) struct GetPublicKey {
    /// The asymmetric key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// Grant tokens (space-separated or repeatable).
    #[arg(long, num_args = 1..)]
    pub(crate) grant_tokens: Vec<String>,
}

/// The flags of `sign`.
#[derive(Debug, Args)]
pub(crate) struct Sign {
    /// The asymmetric SIGN_VERIFY key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The message (up to 4096 bytes) or its digest: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) message: String,
    /// RAW (the default), DIGEST or EXTERNAL_MU.
    #[arg(long)]
    pub(crate) message_type: Option<String>,
    /// ECDSA_SHA_256, RSASSA_PSS_SHA_256, RSASSA_PKCS1_V1_5_SHA_256, ED25519_SHA_512,
    /// ML_DSA_SHAKE_256...
    #[arg(long)]
    pub(crate) signing_algorithm: String,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `verify`.
#[derive(Debug, Args)]
pub(crate) struct Verify {
    #[command(flatten)]
    pub(crate) signed: Sign,
    /// The signature: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) signature: String,
}

/// The flags of `generate-mac`.
#[derive(Debug, Args)]
pub(crate) struct GenerateMac {
    /// The HMAC key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// The message (up to 4096 bytes): `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) message: String,
    /// HMAC_SHA_224, HMAC_SHA_256, HMAC_SHA_384 or HMAC_SHA_512: the one of the key's spec.
    #[arg(long)]
    pub(crate) mac_algorithm: String,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `verify-mac`.
#[derive(Debug, Args)]
pub(crate) struct VerifyMac {
    #[command(flatten)]
    pub(crate) generated: GenerateMac,
    /// The MAC: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) mac: String,
}

/// The flags of `derive-shared-secret`.
#[derive(Debug, Args)]
pub(crate) struct DeriveSharedSecret {
    /// The KEY_AGREEMENT key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// ECDH.
    #[arg(long)]
    pub(crate) key_agreement_algorithm: String,
    /// The peer's public key, DER SubjectPublicKeyInfo: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) public_key: String,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `encapsulate`.
#[derive(Debug, Args)]
pub(crate) struct Encapsulate {
    /// The ENCAPSULATE_DECAPSULATE (ML-KEM) key.
    #[arg(long)]
    pub(crate) key_id: String,
    /// ML_KEM.
    #[arg(long)]
    pub(crate) encapsulation_algorithm: String,
    #[command(flatten)]
    pub(crate) grants: GrantsAndDryRun,
}

/// The flags of `decapsulate`.
#[derive(Debug, Args)]
pub(crate) struct Decapsulate {
    #[command(flatten)]
    pub(crate) encapsulated: Encapsulate,
    /// The encapsulated secret of `encapsulate`: `fileb://PATH` or base64.
    #[arg(long)]
    pub(crate) shared_secret_ciphertext_blob: String,
}

/// The arguments of `seed`.
#[derive(Debug, Args)]
pub(crate) struct Seed {
    /// The seed file (TOML).
    pub(crate) file: std::path::PathBuf,
}

/// The flags of `export-key`.
#[derive(Debug, Args)]
pub(crate) struct ExportKey {
    /// A key to export (repeatable): key ID, key ARN, alias name or alias ARN.
    #[arg(long = "key-id", required = true)]
    pub(crate) key_ids: Vec<String>,
    /// Confirms that the key material may be printed in the clear: whoever reads it can
    /// decrypt everything these keys ever encrypted.
    #[arg(long)]
    pub(crate) insecure: bool,
}

/// Envelope encryption of files of any size, in the AWS Encryption SDK message format.
#[derive(Debug, Subcommand)]
pub(crate) enum FileCommand {
    /// Encrypts INPUT into OUTPUT, an AWS Encryption SDK message (any size, constant memory).
    ///
    /// Each message gets a fresh data key: from the KMS keys of `--key-id` (the first
    /// generates it, every other one wraps it too) on the backend `--url` names, or from the
    /// raw AES key of `--raw-aes-key-file` for offline use. The official AWS Encryption SDKs
    /// decrypt the output with the same keys.
    ///
    /// OUTPUT is written to a temporary file next to it and renamed over it only once the
    /// whole message is written and synced; on any error it is removed. `-` reads standard
    /// input or writes standard output; with `-` as OUTPUT a failure leaves an incomplete
    /// message on standard output.
    #[command(after_help = FILE_AFTER_HELP)]
    EncryptFile(Box<EncryptFile>),
    /// Decrypts the AWS Encryption SDK message INPUT into OUTPUT.
    ///
    /// The message must have been encrypted with one of the keys given here (`--key-id` on
    /// the backend `--url` names, or the raw AES key of `--raw-aes-key-file` with the same
    /// namespace and name), with key commitment (suites 0x0478 and 0x0578, what the SDKs
    /// write by default). `--mrk-key-id` and `--mrk-discovery` also decrypt what a related
    /// multi-Region key of another Region wrapped, calling KMS in the Region of the key.
    ///
    /// OUTPUT is written to a temporary file next to it and renamed over it only once the
    /// whole message has been authenticated; on any error it is removed, so no unauthenticated
    /// plaintext is ever left behind. `-` reads standard input or writes standard output; with
    /// `-` as OUTPUT, plaintext is written frame by frame as each frame verifies, so a failure
    /// (an altered or truncated message) can leave already-verified frames on standard output:
    /// check the exit status before using it.
    #[command(after_help = FILE_AFTER_HELP)]
    DecryptFile(Box<DecryptFile>),
}

/// The exit codes of `encrypt-file` and `decrypt-file`.
const FILE_AFTER_HELP: &str = "\
Exit status: 0 on success; 1 when the message cannot be decrypted (altered, truncated, not \
encrypted under these keys, or without the required context); 252 for a wrong argument \
(including a key file of the wrong length and an INPUT that cannot be opened); 254 when the \
KMS refused a request; 255 when the backend could not be reached or a file could not be \
read or written; 130 when interrupted (the output file is removed).";

impl FileCommand {
    /// The command's name, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::EncryptFile(_) => "encrypt-file",
            Self::DecryptFile(_) => "decrypt-file",
        }
    }
}

/// The keys of a file command: KMS keys, or a raw AES key.
#[derive(Debug, Args)]
pub(crate) struct KeyringArgs {
    /// A KMS key (repeatable): key ID, key ARN, alias name or alias ARN. On encrypt the first
    /// generates the data key and the others wrap it too; on decrypt any of them may unwrap it.
    #[arg(
        long = "key-id",
        value_name = "KEY",
        conflicts_with = "raw_aes_key_file"
    )]
    pub(crate) key_ids: Vec<String>,
    /// A file holding a raw AES wrapping key: exactly 16, 24 or 32 bytes (not hex or base64
    /// text), used without any KMS. Needs `--key-namespace` and `--key-name`.
    #[arg(long, value_name = "FILE", requires_all = ["key_namespace", "key_name"])]
    pub(crate) raw_aes_key_file: Option<PathBuf>,
    /// The key namespace of the raw AES key (its provider ID in the message); must match on
    /// both sides.
    #[arg(long, value_name = "NAMESPACE", requires = "raw_aes_key_file")]
    pub(crate) key_namespace: Option<String>,
    /// The key name of the raw AES key; must match on both sides.
    #[arg(long, value_name = "NAME", requires = "raw_aes_key_file")]
    pub(crate) key_name: Option<String>,
    /// An asymmetric keyring of the AWS Encryption SDK instead of the KMS keyring of
    /// `--key-id` (or the raw AES keyring): see the values.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        conflicts_with = "raw_aes_key_file"
    )]
    pub(crate) keyring: Option<KeyringKind>,
    /// With `--keyring kms-rsa`: the RSA padding, RSAES_OAEP_SHA_256 (the default) or
    /// RSAES_OAEP_SHA_1.
    #[arg(long, value_name = "ALGORITHM", requires = "keyring")]
    pub(crate) encryption_algorithm: Option<String>,
    /// With the ECDH keyrings: the curve of every key, ECC_NIST_P256, ECC_NIST_P384 or
    /// ECC_NIST_P521.
    #[arg(long, value_name = "KEY_SPEC", requires = "keyring")]
    pub(crate) curve: Option<String>,
    /// A public key file, DER SubjectPublicKeyInfo or PEM (`-----BEGIN PUBLIC KEY-----`):
    /// the KMS RSA key's (`kms-rsa`; fetched with GetPublicKey when absent), or the
    /// recipient's (`kms-ecdh`, `raw-ecdh`, `raw-ecdh-ephemeral`).
    #[arg(long, value_name = "FILE", requires = "keyring")]
    pub(crate) public_key_file: Option<PathBuf>,
    /// A private key file, PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`): the sender's
    /// (`raw-ecdh`) or the recipient's (`raw-ecdh-discovery`).
    #[arg(long, value_name = "FILE", requires = "keyring")]
    pub(crate) private_key_file: Option<PathBuf>,
}

/// The asymmetric keyrings of `--keyring`, as the AWS Encryption SDK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyringKind {
    /// AWS KMS RSA keyring: encrypts offline with the public key of the RSA key `--key-id`
    /// (a key ARN), decrypts with KMS Decrypt. Suite 0x0478 only.
    KmsRsa,
    /// AWS KMS ECDH keyring: ECDH between the KMS KEY_AGREEMENT key `--key-id` (the sender)
    /// and the recipient's `--public-key-file`; encrypts and decrypts.
    KmsEcdh,
    /// AWS KMS ECDH keyring, public key discovery: decrypts any message to the KMS
    /// KEY_AGREEMENT key `--key-id` (the recipient).
    KmsEcdhDiscovery,
    /// Raw ECDH keyring: the sender's `--private-key-file` and the recipient's
    /// `--public-key-file`; encrypts and decrypts.
    RawEcdh,
    /// Raw ECDH keyring with a fresh sender key per message, to the recipient's
    /// `--public-key-file`; encrypts only.
    RawEcdhEphemeral,
    /// Raw ECDH keyring, public key discovery: decrypts any message to the recipient's
    /// `--private-key-file`.
    RawEcdhDiscovery,
}

/// The flags of `encrypt-file`.
#[derive(Debug, Args)]
pub(crate) struct EncryptFile {
    #[command(flatten)]
    pub(crate) keys: KeyringArgs,
    /// An encryption context pair (repeatable), stored in the clear in the message and
    /// authenticated with it. Keys starting with `aws-crypto-` are reserved.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub(crate) context: Vec<String>,
    /// The plaintext bytes per frame, 1 to 2147483647 (65536 by default).
    #[arg(long, value_name = "BYTES")]
    pub(crate) frame_length: Option<u32>,
    /// The algorithm suite: 0x0478 (AES-256-GCM with key commitment, the default) or 0x0578
    /// (the same with an ECDSA P-384 signature).
    #[arg(long, value_name = "ID", value_parser = parse_suite)]
    pub(crate) suite: Option<AlgorithmSuite>,
    /// `--context` keys whose pairs are authenticated but not stored in the message
    /// (comma-separated or repeatable): decrypting needs them again with `--context`, as
    /// with the AWS Encryption SDK's required encryption context CMM.
    #[arg(
        long = "required-encryption-context-keys",
        value_name = "KEY",
        value_delimiter = ','
    )]
    pub(crate) required_context_keys: Vec<String>,
    #[command(flatten)]
    pub(crate) threads: ThreadsArg,
    /// The file to encrypt, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input_path: PathBuf,
    /// Where to write the message, or `-` for standard output.
    #[arg(value_name = "OUTPUT")]
    pub(crate) output_path: PathBuf,
}

/// How many threads seal or open the frames of a file.
#[derive(Debug, Args)]
pub(crate) struct ThreadsArg {
    /// The threads that seal or open frames, 1 to 65535 (default: the machine's available
    /// parallelism); reading and writing run on threads of their own besides.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
}

/// Decryption with whichever KMS key wrapped the data key.
#[derive(Debug, Args)]
pub(crate) struct DiscoveryArgs {
    /// Decrypt with whichever KMS key the message names, on the backend `--url` names,
    /// instead of the keys of `--key-id` (for messages from many producers); limit it with
    /// `--discovery-account`.
    #[arg(long, conflicts_with_all = ["key_ids", "raw_aes_key_file", "keyring"])]
    pub(crate) discovery: bool,
    /// With `--discovery` or `--mrk-discovery`: use only keys of this AWS account
    /// (repeatable).
    #[arg(long = "discovery-account", value_name = "ACCOUNT")]
    pub(crate) accounts: Vec<String>,
    /// The partition of the `--discovery-account` accounts.
    #[arg(
        long = "discovery-partition",
        value_name = "PARTITION",
        default_value = "aws",
        requires = "accounts"
    )]
    pub(crate) partition: String,
}

/// Decryption with the multi-Region-aware keyrings of the AWS Encryption SDK.
#[derive(Debug, Args)]
pub(crate) struct MrkArgs {
    /// A KMS key ARN (repeatable), for the AWS KMS MRK keyring: it decrypts what this key,
    /// or a related multi-Region key of another Region, wrapped, by calling this key in its
    /// own Region. At most one key of each set of related multi-Region keys.
    #[arg(
        id = "mrk_key_ids",
        long = "mrk-key-id",
        value_name = "KEY_ARN",
        conflicts_with_all = ["key_ids", "raw_aes_key_file", "keyring", "discovery"]
    )]
    pub(crate) key_ids: Vec<String>,
    /// Decrypt with whichever KMS key the message names, as the AWS KMS MRK discovery
    /// keyring: a data key of a multi-Region key is decrypted with its related key in this
    /// command's Region (`--region`), one of a single-Region key only in that Region. Limit
    /// it with `--discovery-account`.
    #[arg(
        id = "mrk_discovery",
        long = "mrk-discovery",
        conflicts_with_all = ["key_ids", "raw_aes_key_file", "keyring", "discovery", "mrk_key_ids"]
    )]
    pub(crate) discovery: bool,
    /// With `--mrk-discovery`: a Region to decrypt in (repeatable, tried in order) instead
    /// of the command's Region.
    #[arg(
        long = "discovery-region",
        value_name = "REGION",
        requires = "mrk_discovery"
    )]
    pub(crate) regions: Vec<String>,
}

/// The flags of `decrypt-file`.
#[derive(Debug, Args)]
pub(crate) struct DecryptFile {
    #[command(flatten)]
    pub(crate) keys: KeyringArgs,
    #[command(flatten)]
    pub(crate) discovery: DiscoveryArgs,
    #[command(flatten)]
    pub(crate) mrk: MrkArgs,
    /// An encryption context pair the message must hold (repeatable); decryption fails,
    /// writing nothing, when one is missing or has another value.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub(crate) context: Vec<String>,
    /// Keys that `--context` must supply (comma-separated or repeatable), as with the AWS
    /// Encryption SDK's required encryption context CMM: decryption fails, writing nothing,
    /// without them.
    #[arg(
        long = "required-encryption-context-keys",
        value_name = "KEY",
        value_delimiter = ','
    )]
    pub(crate) required_context_keys: Vec<String>,
    #[command(flatten)]
    pub(crate) threads: ThreadsArg,
    /// The message to decrypt, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input_path: PathBuf,
    /// Where to write the plaintext, or `-` for standard output.
    #[arg(value_name = "OUTPUT")]
    pub(crate) output_path: PathBuf,
}

/// The suites `encrypt-file` writes: `0x0478` or `0x0578` (`0x` optional, any case).
fn parse_suite(text: &str) -> Result<AlgorithmSuite, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let suite = u16::from_str_radix(digits, 16)
        .ok()
        .and_then(AlgorithmSuite::from_id);
    match suite {
        Some(suite) if suite.is_committing() && suite.message_version() == 2 => Ok(suite),
        _ => Err(format!("expected 0x0478 or 0x0578, got '{text}'")),
    }
}
