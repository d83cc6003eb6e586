//! One local world of accounts × Regions: handles bound to one account, Region and principal,
//! siblings sharing the world, and AWS's identifier rules across Regions and accounts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kms_core::{
    DecryptRequest, DescribeKeyRequest, EncryptRequest, EncryptionContext, Error, KeyId, Kms,
    KmsExt, SecretBytes,
};
use kms_local::LocalKms;
use kms_local::audit::MemoryAuditLog;

fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap()
}

const CIPHERTEXT_ELSEWHERE: &str = "The ciphertext refers to a customer master key that does not \
                                    exist, does not exist in this region, or you are not allowed \
                                    to access.";

#[tokio::test]
async fn siblings_are_bound_to_their_own_region_and_account() {
    let kms = LocalKms::builder()
        .principal("arn:aws:iam::111122223333:role/app")
        .build()
        .unwrap();
    let west = kms.for_region("us-west-2").unwrap();
    let other = kms.for_account("444455556666").unwrap();
    assert_eq!(
        (west.region(), west.account_id()),
        ("us-west-2", "111122223333")
    );
    assert_eq!(west.principal(), "arn:aws:iam::111122223333:role/app");
    assert_eq!(
        (other.region(), other.account_id()),
        ("us-east-1", "444455556666")
    );
    assert_eq!(other.principal(), "arn:aws:iam::444455556666:root");

    kms.create_symmetric_key("east").await.unwrap();
    let key = west.create_symmetric_key("west").await.unwrap();
    west.create_symmetric_key("west, again").await.unwrap();
    assert_eq!(
        (kms.key_count(), west.key_count(), other.key_count()),
        (1, 2, 0)
    );
    assert_eq!(west.to_string(), "LocalKms(us-west-2, 2 keys)");
    assert!(
        key.arn
            .unwrap()
            .starts_with("arn:aws:kms:us-west-2:111122223333:key/")
    );

    // A sibling of a sibling, and a clone, share the same store.
    let again = other
        .for_account("111122223333")
        .unwrap()
        .for_region("us-west-2")
        .unwrap();
    assert_eq!(again.key_count(), 2);
    assert_eq!(west.clone().key_count(), 2);
}

#[tokio::test]
async fn a_sibling_checks_its_region_and_account_by_name() {
    let kms = LocalKms::new();
    let err = kms.for_region("Mars-1").unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err}");
    assert!(err.message().contains("region 'Mars-1'"), "{err}");
    let err = kms.for_account("12").unwrap_err();
    assert!(err.message().contains("account '12'"), "{err}");
}

#[tokio::test]
async fn the_partition_follows_the_region() {
    let kms = LocalKms::new();
    for (region, partition) in [
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("eu-west-1", "aws"),
    ] {
        let sibling = kms.for_region(region).unwrap();
        let key = sibling.create_symmetric_key("partition").await.unwrap();
        let arn = key.arn.unwrap();
        assert!(
            arn.starts_with(&format!("arn:{partition}:kms:{region}:")),
            "{arn}"
        );
        assert_eq!(
            sibling.principal(),
            format!("arn:{partition}:iam::111122223333:root")
        );
    }
}

#[tokio::test]
async fn a_bare_key_id_resolves_in_the_handles_own_region() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = east.create_symmetric_key("east only").await.unwrap();
    let err = west
        .describe_key(DescribeKeyRequest::new(key_id(&key.key_id)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(
        err.message(),
        format!(
            "Key 'arn:aws:kms:us-west-2:111122223333:key/{}' does not exist",
            key.key_id
        )
    );
}

#[tokio::test]
async fn an_arn_of_another_region_is_an_invalid_arn() {
    let east = LocalKms::new();
    let west = east.for_region("us-west-2").unwrap();
    let key = east.create_symmetric_key("east").await.unwrap();
    let arn = key_id(key.arn.as_deref().unwrap());
    let err = west
        .describe_key(DescribeKeyRequest::new(&arn))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.message(), "Invalid arn us-east-1");
    let err = west
        .encrypt(EncryptRequest::new(&arn, b"x"))
        .await
        .unwrap_err();
    assert_eq!(err.message(), "Invalid arn us-east-1");
}

#[tokio::test]
async fn an_arn_of_another_account_is_access_denied() {
    let mine = LocalKms::new();
    let theirs = mine.for_account("444455556666").unwrap();
    let key = theirs.create_symmetric_key("theirs").await.unwrap();
    let arn = key.arn.unwrap();
    let err = mine
        .describe_key(DescribeKeyRequest::new(key_id(&arn)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
    assert_eq!(err.code(), "AccessDeniedException");
    assert!(err.message().contains(&arn), "{err}");
    assert!(
        err.message().contains("arn:aws:iam::111122223333:root"),
        "{err}"
    );
    let err = mine
        .encrypt(EncryptRequest::new(key_id(&arn), b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
    // The owner uses it by ARN.
    theirs
        .encrypt(EncryptRequest::new(key_id(&arn), b"x"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_ciphertext_of_a_single_region_key_does_not_decrypt_elsewhere() {
    let east = LocalKms::new();
    let key = east.create_symmetric_key("east").await.unwrap();
    let context = EncryptionContext::new();
    let blob = east
        .encrypt_bytes(&key.key_id, b"data", &context)
        .await
        .unwrap();
    for elsewhere in [
        east.for_region("us-west-2").unwrap(),
        east.for_account("444455556666").unwrap(),
    ] {
        let err = elsewhere
            .decrypt(DecryptRequest::new(blob.clone()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
        assert_eq!(err.message(), CIPHERTEXT_ELSEWHERE);
    }
    let plaintext = east.decrypt_bytes(&blob, &context).await.unwrap();
    assert_eq!(plaintext.expose_secret(), b"data");
}

#[tokio::test]
async fn siblings_share_the_audit_log_each_naming_its_region() {
    let log = MemoryAuditLog::new();
    let kms = LocalKms::builder().audit(log.clone()).build().unwrap();
    let west = kms.for_region("us-west-2").unwrap();
    kms.create_symmetric_key("east").await.unwrap();
    west.create_symmetric_key("west").await.unwrap();
    let regions: Vec<String> = log
        .events()
        .iter()
        .map(|event| event.aws_region.clone())
        .collect();
    assert_eq!(regions, ["us-east-1", "us-west-2"]);
}

#[tokio::test]
async fn a_durable_world_keeps_every_region_and_account_in_its_own_directory() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("world");
    let root_key = || SecretBytes::from(&[9u8; 32]);
    let open = || {
        LocalKms::builder()
            .path(&dir)
            .root_key(root_key())
            .region("eu-west-1")
            .build()
            .unwrap()
    };
    let places = [
        ("111122223333", "eu-west-1", 1),
        ("111122223333", "us-east-1", 2),
        ("111122223333", "ap-south-1", 3),
        ("444455556666", "eu-west-1", 1),
        ("444455556666", "us-west-2", 2),
    ];
    {
        let kms = open();
        for (account, region, count) in places {
            let handle = kms
                .for_account(account)
                .unwrap()
                .for_region(region)
                .unwrap();
            for n in 0..count {
                handle
                    .create_symmetric_key(&format!("{account} {region} {n}"))
                    .await
                    .unwrap();
            }
        }
    }
    let kms = open();
    for (account, region, count) in places {
        let handle = kms
            .for_account(account)
            .unwrap()
            .for_region(region)
            .unwrap();
        assert_eq!(handle.key_count(), count, "{account} {region}");
    }
    // The layout of `kms serve`: each directory opens alone.
    for (path, account, region) in [
        ("regions/us-east-1", "111122223333", "us-east-1"),
        (
            "accounts/444455556666/us-west-2",
            "444455556666",
            "us-west-2",
        ),
    ] {
        let alone = LocalKms::builder()
            .path(dir.join(path))
            .root_key(root_key())
            .account_id(account)
            .region(region)
            .build()
            .unwrap();
        assert_eq!(alone.key_count(), 2, "{path}");
    }
}
