//! SigV4 verification against real `aws-sdk-kms` requests: the right credential is served
//! in its own account, and each kind of bad request gets AWS's exception.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::time::{Duration, SystemTime};

use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_smithy_async::time::StaticTimeSource;
use kms::KmsConfig;
use kms_server::auth::{Authentication, Credential, Credentials};
use kms_server::{Backends, Server, ServerError, TestServer, UrlBackends};

use common::{ACCESS_KEY_ID, ACCOUNT, SECRET};

async fn verifying_server() -> TestServer {
    let credentials = Credentials::new()
        .with(Credential::new(ACCESS_KEY_ID, SECRET, ACCOUNT).unwrap())
        .unwrap();
    let backends = Backends::per_region(UrlBackends::new(KmsConfig::from_url("local:").unwrap()));
    TestServer::start_with(
        Server::builder(backends)
            .listen(([127, 0, 0, 1], 0).into())
            .authentication(Authentication::Verify(credentials)),
    )
    .await
    .unwrap()
}

/// The code and message of a failed `ListKeys` with `config`.
async fn refusal(config: aws_sdk_kms::config::Builder) -> (String, String) {
    let client = aws_sdk_kms::Client::from_conf(config.build());
    let err = client
        .list_keys()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you \
    provided. Check your AWS Secret Access Key and signing method. Consult the service \
    documentation for details.";

#[tokio::test]
async fn a_signed_request_is_served_in_the_credentials_account() {
    let server = verifying_server().await;
    let client = aws_sdk_kms::Client::from_conf(
        common::config(server.endpoint_url(), "eu-central-1", ACCESS_KEY_ID, SECRET).build(),
    );
    let key = client.create_key().send().await.unwrap();
    let arn = key.key_metadata().unwrap().arn().unwrap();
    assert!(
        arn.starts_with("arn:aws:kms:eu-central-1:444455556666:key/"),
        "{arn}"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_signature() {
    let server = verifying_server().await;
    let config = common::config(server.endpoint_url(), "us-east-1", ACCESS_KEY_ID, "wrong");
    assert_eq!(
        refusal(config).await,
        ("InvalidSignatureException".to_owned(), MISMATCH.to_owned())
    );
}

#[tokio::test]
async fn an_unknown_access_key_is_an_unrecognized_client() {
    let server = verifying_server().await;
    let config = common::config(server.endpoint_url(), "us-east-1", "AKIDUNKNOWN", SECRET);
    assert_eq!(
        refusal(config).await,
        (
            "UnrecognizedClientException".to_owned(),
            "The security token included in the request is invalid.".to_owned()
        )
    );
}

#[tokio::test]
async fn a_clock_ten_minutes_behind_has_an_expired_signature() {
    let server = verifying_server().await;
    let config = common::config(server.endpoint_url(), "us-east-1", ACCESS_KEY_ID, SECRET)
        .time_source(StaticTimeSource::new(
            SystemTime::now() - Duration::from_secs(600),
        ));
    let (code, message) = refusal(config).await;
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.ends_with(" - 5 min.)"), "{message}");
    let config = common::config(server.endpoint_url(), "us-east-1", ACCESS_KEY_ID, SECRET)
        .time_source(StaticTimeSource::new(
            SystemTime::now() + Duration::from_secs(600),
        ));
    let (_, message) = refusal(config).await;
    assert!(
        message.starts_with("Signature not yet current: "),
        "{message}"
    );
}

/// Changes the request after the SDK signed it.
#[derive(Debug)]
enum Tamper {
    /// The body, same length, one byte changed.
    Body,
    /// A signed header's value.
    SignedHeader,
    /// A header that is not signed, added.
    UnsignedHeader,
}

impl Intercept for Tamper {
    fn name(&self) -> &'static str {
        "Tamper"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_kms::error::BoxError> {
        let request = context.request_mut();
        match self {
            Self::Body => {
                let mut body = request.body().bytes().unwrap().to_vec();
                let last = body.len() - 2;
                body[last] = if body[last] == b'1' { b'2' } else { b'1' };
                *request.body_mut() = body.into();
            }
            Self::SignedHeader => {
                request
                    .headers_mut()
                    .insert("content-type", "application/json");
            }
            Self::UnsignedHeader => {
                request.headers_mut().insert("x-added-after-signing", "1");
            }
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_body_or_signed_header_changed_after_signing_is_an_invalid_signature() {
    let server = verifying_server().await;
    for tamper in [Tamper::Body, Tamper::SignedHeader] {
        let client = aws_sdk_kms::Client::from_conf(
            common::config(server.endpoint_url(), "us-east-1", ACCESS_KEY_ID, SECRET)
                .interceptor(tamper)
                .build(),
        );
        let err = client
            .list_keys()
            .limit(10)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(err.code(), Some("InvalidSignatureException"));
        assert_eq!(err.message(), Some(MISMATCH));
    }
}

/// As on AWS, only the headers a signature lists are covered by it.
#[tokio::test]
async fn a_header_added_after_signing_but_not_signed_changes_nothing() {
    let server = verifying_server().await;
    let client = aws_sdk_kms::Client::from_conf(
        common::config(server.endpoint_url(), "us-east-1", ACCESS_KEY_ID, SECRET)
            .interceptor(Tamper::UnsignedHeader)
            .build(),
    );
    client.list_keys().limit(10).send().await.unwrap();
}

#[tokio::test]
async fn an_unsigned_request_is_missing_its_token() {
    let server = verifying_server().await;
    let response = common::exchange(
        server.local_addr(),
        &common::kms_request("TrentService.ListKeys", "{}"),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        serde_json::json!({
            "__type": "MissingAuthenticationTokenException",
            "message": "Missing Authentication Token"
        })
    );
}

#[tokio::test]
async fn a_public_address_needs_credentials_or_an_explicit_opt_out() {
    let kms: std::sync::Arc<kms::DynKms> = std::sync::Arc::new(kms::LocalKms::new());
    let err = Server::builder(Backends::single(kms.clone()))
        .listen(([0, 0, 0, 0], 0).into())
        .bind()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServerError::Unauthenticated { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("--allow-unauthenticated"), "{err}");
    let server = Server::builder(Backends::single(kms))
        .listen(([0, 0, 0, 0], 0).into())
        .allow_unauthenticated(true)
        .bind()
        .await
        .unwrap();
    assert!(server.local_addr().port() > 0);
}
