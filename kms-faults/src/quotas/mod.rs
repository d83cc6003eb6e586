//! AWS KMS's request quotas, emulated: [`QuotaKms`] over any backend answers the calls over
//! a per-second quota with AWS's `ThrottlingException`, as [`QuotaPlan`] describes them
//! (`quotas=aws` in a backend URL, `kms serve --quotas aws`, or a quota of your choosing
//! for a load test, such as `quotas=cryptographic:100` or `quotas=all:500,CreateKey:5`).
//!
//! ```
//! use std::sync::Arc;
//! use kms_core::{Error, GenerateRandomRequest, Kms};
//! use kms_faults::{QuotaKms, QuotaPlan};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let plan: QuotaPlan = "cryptographic:2".parse()?;
//! let kms = QuotaKms::wrap(Arc::new(kms_local::LocalKms::new()), plan);
//! let random = || GenerateRandomRequest::new().with_number_of_bytes(16u32);
//! kms.generate_random(random()).await?;
//! kms.generate_random(random()).await?;
//! let err = kms.generate_random(random()).await.unwrap_err();
//! assert!(matches!(err, Error::Throttling { .. }));
//! tokio::time::sleep(std::time::Duration::from_millis(500)).await;
//! kms.generate_random(random()).await?; // refilled at 2 per second
//! # Ok::<(), Error>(()) }).unwrap();
//! ```
//!
//! # AWS's quotas (`aws`)
//!
//! The figures of AWS's default quotas, in us-east-1 (AWS's quotas differ by Region, and an
//! account may have raised its own; this layer has one figure per quota).
//!
//! Source: the "Request quotas" page of the AWS KMS Developer Guide,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html>. The
//! figures without a note are in the table of its December 2022 edition
//! (<https://github.com/awsdocs/aws-kms-developer-guide/blob/38281913dc98580974493b2f5194abcd5125d1e0/doc_source/requests-per-second.md>)
//! and the same in the current page as far as it could be read; "live page" marks a figure
//! read from the current page only. **\[unverified\]** marks an operation neither lists:
//! its figure follows the nearest documented row.
//!
//! | Quota (text name) | Requests per second | Note |
//! |---|---|---|
//! | `cryptographic` (symmetric encryption and HMAC keys) | 50,000 | us-east-1 (the 2022 edition: "up to 50,000 requests per second on symmetric encryption KMS keys in US East (N. Virginia)"); the current page gives other Regions 10,000 or 20,000; today's us-east-1 figure could not be read and may be higher \[unverified\]: the value for an account and Region is in its Service Quotas console |
//! | `cryptographic-rsa` | 1,000 | live page ("1,000 (shared) for RSA KMS keys"; 500 in 2022) |
//! | `cryptographic-ecc` (ECC, Ed25519 and SM2 keys) | 1,000 | live page ("1,000 (shared) for elliptic curve (ECC) and SM2 KMS keys"; 300 in 2022) |
//! | `cryptographic-ml-dsa` | 1,000 | live page ("1,000 (shared) for ML-DSA KMS keys") |
//! | `cryptographic-ml-kem` | 1,000 | \[unverified\]: as ML-DSA |
//! | `GenerateDataKeyPair.RSA_2048` | 1 | |
//! | `GenerateDataKeyPair.RSA_3072` | 0.5 | one in each 2 seconds |
//! | `GenerateDataKeyPair.RSA_4096` | 0.1 | one in each 10 seconds |
//! | `GenerateDataKeyPair.ECC_NIST_P256` | 25 | |
//! | `GenerateDataKeyPair.ECC_NIST_P384` | 10 | |
//! | `GenerateDataKeyPair.ECC_NIST_P521` | 5 | |
//! | `GenerateDataKeyPair.ECC_SECG_P256K1` | 25 | |
//! | `GenerateDataKeyPair.SM2` | 25 | China Regions only on AWS |
//! | `GenerateDataKeyPair.ECC_NIST_EDWARDS25519` | 25 | \[unverified\]: as ECC_NIST_P256 |
//! | `GenerateDataKeyPair.ML_KEM_512`, `_768`, `_1024` | 25, 10, 5 | \[unverified\]: as the three NIST curves |
//! | `CancelKeyDeletion` | 5 | |
//! | `CreateAlias` | 5 | |
//! | `CreateKey` | 5 | |
//! | `DeleteAlias` | 15 | |
//! | `DeleteImportedKeyMaterial` | 5 | |
//! | `DescribeKey` | 2,000 | |
//! | `DisableKey` | 5 | |
//! | `DisableKeyRotation` | 5 | |
//! | `EnableKey` | 5 | |
//! | `EnableKeyRotation` | 15 | |
//! | `GetKeyRotationStatus` | 1,000 | |
//! | `GetParametersForImport` | 0.25 | one in each 4 seconds |
//! | `GetPublicKey` | 2,000 | |
//! | `ImportKeyMaterial` | 5 | |
//! | `ListAliases` | 500 | |
//! | `ListKeyRotations` | 100 | \[unverified\]: as ListGrants and ListKeyPolicies |
//! | `ListKeys` | 500 | |
//! | `ListResourceTags` | 2,000 | |
//! | `ReplicateKey` | 5 | AWS also counts two `CreateKey` requests in the replica's Region |
//! | `RotateKeyOnDemand` | 5 | \[unverified\]: as the other key management writes |
//! | `ScheduleKeyDeletion` | 15 | |
//! | `TagResource` | 10 | |
//! | `UntagResource` | 5 | |
//! | `UpdateAlias` | 5 | |
//! | `UpdateKeyDescription` | 5 | |
//! | `UpdatePrimaryRegion` | 5 | AWS counts one request in each of the two Regions |
//!
//! How AWS applies them (same page): each quota is per account and Region and calculated
//! independently of the others; the cryptographic operations (Decrypt, Encrypt,
//! GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateMac, GenerateRandom, ReEncrypt,
//! VerifyMac, and Sign, Verify, DeriveSharedSecret... on asymmetric keys) share one quota per
//! type of key, except GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext, which
//! share a quota per type of data key pair.

mod bucket;
mod layer;
mod plan;
mod table;

pub use layer::QuotaKms;
pub use plan::{KeyClass, QuotaPlan};
