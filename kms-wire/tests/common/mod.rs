//! An `aws_sdk_kms::Client` whose HTTP client hands every request to `kms_wire::dispatch`
//! over a backend in the same process: the SDK's own serializers and deserializers against
//! the crate's shapes, with no network.

#![allow(dead_code, reason = "each test file uses part of the helpers")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use kms_aws::AwsKms;
use kms_core::Kms;

/// The prefix of `X-Amz-Target` for KMS.
const TARGET_PREFIX: &str = "TrentService.";

/// Answers each request by running it through `kms_wire::dispatch` on `kms`.
#[derive(Debug, Clone)]
pub(crate) struct InProcess {
    kms: Arc<dyn Kms>,
    requests: Arc<AtomicU64>,
}

impl InProcess {
    pub(crate) fn new(kms: Arc<dyn Kms>) -> Self {
        Self {
            kms,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// One request: the operation from `X-Amz-Target`, the body as is; the answer with the
    /// status, `x-amzn-RequestId` and JSON body a server sends.
    async fn answer(self, request: HttpRequest) -> HttpResponse {
        let number = self.requests.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("00000000-0000-4000-8000-{number:012}");
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let body = request.body().bytes().unwrap_or_default();
        let (status, body) = match target.strip_prefix(TARGET_PREFIX) {
            Some(operation) => match kms_wire::dispatch(self.kms.as_ref(), operation, body).await {
                Ok(response) => (200, response.body),
                Err(error) => (error.http_status(), error.to_json()),
            },
            None => {
                let error = kms_wire::WireError::UnknownOperation {
                    operation: target.to_owned(),
                };
                (error.http_status(), error.to_json())
            }
        };
        let status = StatusCode::try_from(status).expect("a valid HTTP status");
        let mut response = HttpResponse::new(status, SdkBody::from(body));
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        response
            .headers_mut()
            .insert("x-amzn-RequestId", request_id);
        response
    }
}

impl HttpConnector for InProcess {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::new(Box::pin({
            let this = self.clone();
            async move { Ok(this.answer(request).await) }
        }))
    }
}

impl HttpClient for InProcess {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// An SDK client whose requests run on `kms` in process, retries off (so a 5xx answer
/// comes back at once).
pub(crate) fn sdk_client(kms: Arc<dyn Kms>) -> aws_sdk_kms::Client {
    let config = aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url("http://kms.in-process.invalid")
        .retry_config(RetryConfig::disabled())
        .http_client(SharedHttpClient::new(InProcess::new(kms)))
        .build();
    aws_sdk_kms::Client::from_conf(config)
}

/// `AwsKms` over [`sdk_client`].
pub(crate) async fn aws_kms(kms: Arc<dyn Kms>) -> AwsKms {
    AwsKms::builder()
        .with_client(sdk_client(kms))
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .expect("an AwsKms over the in-process client")
}
