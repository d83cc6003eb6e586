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

/// Answers each request by running it through `kms_wire::dispatch` on `kms`.
#[derive(Debug, Clone)]
pub(crate) struct InProcess {
    kms: Arc<dyn Kms>,
    requests: Arc<AtomicU64>,
    /// A target and body sent instead of the SDK's, to see how the SDK reads the answers to
    /// requests it would never send.
    replacement: Option<(String, Vec<u8>)>,
}

impl InProcess {
    pub(crate) fn new(kms: Arc<dyn Kms>) -> Self {
        Self {
            kms,
            requests: Arc::new(AtomicU64::new(0)),
            replacement: None,
        }
    }

    /// Sends `target` and `body` in place of every request's own.
    pub(crate) fn replacing(mut self, target: &str, body: &[u8]) -> Self {
        self.replacement = Some((target.to_owned(), body.to_vec()));
        self
    }

    /// One request: the operation from `X-Amz-Target`, the body as is; the answer with the
    /// status, `x-amzn-RequestId` and JSON body a server sends.
    async fn answer(self, request: HttpRequest) -> HttpResponse {
        let number = self.requests.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("00000000-0000-4000-8000-{number:012}");
        let (target, body) = match &self.replacement {
            Some((target, body)) => (target.as_str(), body.as_slice()),
            None => (
                request.headers().get("x-amz-target").unwrap_or_default(),
                request.body().bytes().unwrap_or_default(),
            ),
        };
        record_for_fuzzing(number, &request, target, body);
        let (status, body) = match target.strip_prefix(kms_wire::TARGET_PREFIX) {
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
            .insert("content-type", kms_wire::CONTENT_TYPE);
        response
            .headers_mut()
            .insert("x-amzn-RequestId", request_id);
        response
    }
}

/// With `KMS_FUZZ_RECORD=<dir>`, writes the request as inputs of the fuzz targets
/// `wire_request` (the operation's selector byte, then the body) and `server_request` (the
/// request as text), for `fuzz/seeds.sh` to seed their corpora from what the SDK sends.
fn record_for_fuzzing(number: u64, request: &HttpRequest, target: &str, body: &[u8]) {
    let Some(dir) = std::env::var_os("KMS_FUZZ_RECORD") else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    let operation = target
        .strip_prefix(kms_wire::TARGET_PREFIX)
        .unwrap_or(target);
    let name = format!("{}-{operation}-{number}", std::process::id());
    if let Some(selector) = kms_wire::fuzzing::selector_of(operation) {
        let mut input = vec![selector];
        input.extend_from_slice(body);
        write_input(&dir.join("wire_request"), &name, &input);
    }
    let mut text = b"POST / HTTP/1.1\n".to_vec();
    for (header, value) in request.headers() {
        text.extend_from_slice(format!("{header}:{value}\n").as_bytes());
    }
    text.push(b'\n');
    text.extend_from_slice(body);
    write_input(&dir.join("server_request"), &name, &text);
}

/// Writes one fuzzing input into `dir`.
fn write_input(dir: &std::path::Path, name: &str, input: &[u8]) {
    std::fs::create_dir_all(dir).expect("the fuzzing record directory");
    std::fs::write(dir.join(name), input).expect("a fuzzing input");
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
    sdk_client_over(InProcess::new(kms))
}

/// An SDK client over `connector`, retries off.
pub(crate) fn sdk_client_over(connector: InProcess) -> aws_sdk_kms::Client {
    let config = aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url("http://kms.in-process.invalid")
        .retry_config(RetryConfig::disabled())
        .http_client(SharedHttpClient::new(connector))
        .build();
    aws_sdk_kms::Client::from_conf(config)
}

/// `AwsKms` over [`sdk_client`].
pub(crate) async fn aws_kms(kms: Arc<dyn Kms>) -> AwsKms {
    aws_kms_over(InProcess::new(kms)).await
}

/// `AwsKms` over [`sdk_client_over`].
pub(crate) async fn aws_kms_over(connector: InProcess) -> AwsKms {
    AwsKms::builder()
        .with_client(sdk_client_over(connector))
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .expect("an AwsKms over the in-process client")
}
