//! What `AwsKms` sends for `ReplicateKey` and `UpdatePrimaryRegion` and makes of AWS's answers,
//! through the SDK's own serializers and deserializers (`aws-smithy-mocks`): the shapes of
//! AWS's documentation examples, since no peer we can run replicates keys as AWS does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use aws_sdk_kms::Client;
use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::operation::replicate_key::ReplicateKeyOutput;
use aws_sdk_kms::operation::update_primary_region::UpdatePrimaryRegionOutput;
use aws_sdk_kms::types as sdk;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use kms_aws::AwsKms;
use kms_core::{
    KeyId, KeyState, Kms, MultiRegionKeyType, ReplicateKeyRequest, Tag, UpdatePrimaryRegionRequest,
};

const PRIMARY_ARN: &str =
    "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const REPLICA_ARN: &str =
    "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const KEY_ID: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

async fn mocked(rules: &[&Rule]) -> AwsKms {
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, rules, |config| config
        .retry_config(RetryConfig::disabled()));
    AwsKms::builder().with_client(client).build().await.unwrap()
}

fn related(arn: &str, region: &str) -> sdk::MultiRegionKey {
    sdk::MultiRegionKey::builder()
        .arn(arn)
        .region(region)
        .build()
}

#[tokio::test]
async fn replicate_key_sends_the_request_and_reads_the_replica() {
    let rule = mock!(Client::replicate_key)
        .match_requests(|input| {
            input.key_id() == Some(KEY_ID)
                && input.replica_region() == Some("us-west-2")
                && input.description() == Some("west")
                && input.tags().len() == 1
        })
        .then_output(|| {
            let configuration = sdk::MultiRegionConfiguration::builder()
                .multi_region_key_type(sdk::MultiRegionKeyType::Replica)
                .primary_key(related(PRIMARY_ARN, "us-east-1"))
                .build();
            let metadata = sdk::KeyMetadata::builder()
                .key_id(KEY_ID)
                .arn(REPLICA_ARN)
                .enabled(false)
                .key_state(sdk::KeyState::Creating)
                .description("west")
                .multi_region(true)
                .multi_region_configuration(configuration)
                .build()
                .unwrap();
            ReplicateKeyOutput::builder()
                .replica_key_metadata(metadata)
                .replica_policy("{\"Version\":\"2012-10-17\"}")
                .replica_tags(
                    sdk::Tag::builder()
                        .tag_key("team")
                        .tag_value("blue")
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = ReplicateKeyRequest::new(KeyId::parse(KEY_ID).unwrap(), "us-west-2")
        .with_description("west")
        .with_tags(vec![Tag::new("team", "blue")]);
    let response = kms.replicate_key(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1, "the request did not match");

    let replica = response.replica_key_metadata.unwrap();
    assert_eq!(replica.arn.as_deref(), Some(REPLICA_ARN));
    assert_eq!(replica.key_state, Some(KeyState::Creating));
    assert!(!replica.enabled);
    let configuration = replica.multi_region_configuration.unwrap();
    assert_eq!(
        configuration.multi_region_key_type,
        Some(MultiRegionKeyType::Replica)
    );
    let primary = configuration.primary_key.unwrap();
    assert_eq!(primary.arn.as_deref(), Some(PRIMARY_ARN));
    assert_eq!(primary.region.as_deref(), Some("us-east-1"));
    assert!(configuration.replica_keys.is_empty());
    assert_eq!(
        response.replica_policy.as_deref(),
        Some("{\"Version\":\"2012-10-17\"}")
    );
    assert_eq!(response.replica_tags, vec![Tag::new("team", "blue")]);
}

#[tokio::test]
async fn update_primary_region_sends_the_key_and_the_region() {
    let rule = mock!(Client::update_primary_region)
        .match_requests(|input| {
            input.key_id() == Some(PRIMARY_ARN) && input.primary_region() == Some("us-west-2")
        })
        .then_output(|| UpdatePrimaryRegionOutput::builder().build());
    let kms = mocked(&[&rule]).await;
    let request = UpdatePrimaryRegionRequest::new(KeyId::parse(PRIMARY_ARN).unwrap(), "us-west-2");
    kms.update_primary_region(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1, "the request did not match");
}
