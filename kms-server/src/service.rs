//! One request, from its headers to its response: routing, body limits, authentication,
//! the `X-Amz-Target` operation, the backend's answer, metrics and the log line.
//!
//! | Request | Response |
//! |---|---|
//! | `POST /` with `X-Amz-Target: TrentService.<Operation>` | the operation's JSON, or AWS's error |
//! | `GET /health` | `{"status":"ok"}` |
//! | `GET /metrics` | Prometheus text ([`Metrics`](crate::metrics::Metrics)) |
//! | any other method on these paths | 405 with `Allow` |
//! | any other path | 404 |
//!
//! Every response carries `x-amzn-RequestId` (a UUID), also the ones of malformed requests.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use crate::auth::{Authentication, SignedRequest};
use crate::backends::Backends;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::response::{self, AMZ_JSON, Body, REQUEST_ID};

/// The budget of buffered body bytes is counted in units of this many bytes.
const BUDGET_UNIT: usize = 1024;

/// What every request of a server shares.
#[derive(Debug)]
pub(crate) struct Service {
    pub(crate) backends: Backends,
    pub(crate) auth: Authentication,
    pub(crate) limits: Limits,
    pub(crate) metrics: Arc<Metrics>,
    /// Units of [`BUDGET_UNIT`] bytes of request bodies that may be buffered at once.
    body_budget: Semaphore,
}

/// What the log line and the metrics say of a KMS API request.
#[derive(Debug, Default)]
struct Outcome {
    operation: Option<&'static str>,
    key_arn: Option<String>,
    error_code: Option<String>,
    region: Option<String>,
    principal: Option<String>,
}

impl Service {
    /// A service over `backends`.
    pub(crate) fn new(backends: Backends, auth: Authentication, limits: Limits) -> Self {
        let units = (limits.max_buffered_body_bytes / BUDGET_UNIT)
            .max(limits.max_body_bytes.div_ceil(BUDGET_UNIT))
            .min(Semaphore::MAX_PERMITS);
        Self {
            backends,
            auth,
            limits,
            metrics: Arc::new(Metrics::new(kms_wire::operation_names())),
            body_budget: Semaphore::new(units),
        }
    }

    /// Answers a request; never fails and never panics (a panic of the backend is answered
    /// with 500 `KMSInternalException`).
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let started = Instant::now();
        let mut request_id = [0; uuid::fmt::Hyphenated::LENGTH];
        let request_id: &str = new_request_id().hyphenated().encode_lower(&mut request_id);
        let (parts, body) = request.into_parts();
        let mut outcome = Outcome::default();
        let routed = AssertUnwindSafe(self.route(&parts, body, &mut outcome))
            .catch_unwind()
            .await;
        let mut response = routed.unwrap_or_else(|_| {
            outcome.error_code = Some("KMSInternalException".to_owned());
            response::error(
                500,
                "KMSInternalException",
                Some("The server failed to process the request."),
            )
        });
        if let Ok(value) = HeaderValue::from_str(request_id) {
            response.headers_mut().insert(REQUEST_ID, value);
        }
        let latency = started.elapsed();
        let status = response.status().as_u16();
        if let Some(operation) = outcome.operation {
            self.metrics
                .record(operation, latency, outcome.error_code.as_deref());
        }
        tracing::info!(
            target: "kms_server::request",
            request_id = %request_id,
            method = %parts.method,
            path = truncated(parts.uri.path()),
            operation = outcome.operation.unwrap_or("-"),
            region = outcome.region.as_deref().unwrap_or("-"),
            principal = outcome.principal.as_deref().unwrap_or("-"),
            key_arn = outcome.key_arn.as_deref().unwrap_or("-"),
            status,
            error_code = outcome.error_code.as_deref().unwrap_or("-"),
            latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            "request"
        );
        response
    }

    /// Routes on path and method.
    async fn route(&self, parts: &Parts, body: Incoming, outcome: &mut Outcome) -> Response<Body> {
        let path = parts.uri.path();
        let method = &parts.method;
        match path {
            "/" if method == Method::POST => self.api(parts, body, outcome).await,
            "/" => response::method_not_allowed(method.as_str(), path, "POST"),
            "/health" if method == Method::GET || method == Method::HEAD => {
                response::with_body(200, "application/json", &b"{\"status\":\"ok\"}"[..])
            }
            "/metrics" if method == Method::GET || method == Method::HEAD => response::with_body(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                self.metrics.render(),
            ),
            "/health" | "/metrics" => response::method_not_allowed(method.as_str(), path, "GET"),
            _ => response::error(
                404,
                "UnknownOperationException",
                Some(&format!(
                    "No resource at {}: the AWS KMS API is served with POST /",
                    truncated(path)
                )),
            ),
        }
    }

    /// A request of the KMS API.
    async fn api(&self, parts: &Parts, body: Incoming, outcome: &mut Outcome) -> Response<Body> {
        let declared = match self.accept_headers(parts, outcome) {
            Ok(declared) => declared,
            Err(refusal) => return refuse(outcome, refusal),
        };
        let body = match self.read_body(declared, body).await {
            Ok(body) => body,
            Err(refusal) => return refuse(outcome, refusal),
        };
        self.answer(parts, &body, outcome).await
    }

    /// A request of the KMS API whose body is already read: what [`Service::api`] does once
    /// the body has arrived. For the fuzz target and its corpus replay, which cannot make a
    /// hyper body.
    pub(crate) async fn api_buffered(&self, parts: &Parts, body: &[u8]) -> Response<Body> {
        let mut outcome = Outcome::default();
        match self.accept_headers(parts, &mut outcome) {
            Ok(_) => self.answer(parts, body, &mut outcome).await,
            Err(refusal) => refuse(&mut outcome, refusal),
        }
    }

    /// Checks the headers read before the body: an accepted `Content-Type`, and a
    /// `Content-Length` (returned) that is a number within the limit.
    fn accept_headers(&self, parts: &Parts, outcome: &mut Outcome) -> Result<Option<u64>, Refusal> {
        let operation =
            target(parts).and_then(|target| target.strip_prefix(kms_wire::TARGET_PREFIX));
        outcome.operation = Some(self.metrics.label(operation.unwrap_or_default()));
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !accepted_content_type(content_type) {
            return Err((
                415,
                "UnsupportedMediaTypeException",
                format!(
                    "Content-Type '{}' is not accepted: use {AMZ_JSON} (or application/json)",
                    truncated(content_type)
                ),
            ));
        }
        self.declared_length(parts)
    }

    /// Authenticates a request whose headers were accepted, and runs it on its backend.
    async fn answer(&self, parts: &Parts, body: &[u8], outcome: &mut Outcome) -> Response<Body> {
        let target = target(parts);
        let operation = target.and_then(|target| target.strip_prefix(kms_wire::TARGET_PREFIX));
        let fail = |outcome: &mut Outcome, status: u16, code: &str, message: Option<&str>| {
            outcome.error_code = Some(code.to_owned());
            response::error(status, code, message)
        };
        let request = SignedRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            authority: parts.uri.authority().map(http::uri::Authority::as_str),
            body,
        };
        let caller = match self.auth.authenticate(&request, OffsetDateTime::now_utc()) {
            Ok(caller) => caller,
            Err(err) => return fail(outcome, err.http_status(), err.code(), Some(err.message())),
        };
        outcome.region = caller
            .region
            .clone()
            .or_else(|| self.backends.default_region().map(str::to_owned));
        let account = caller
            .identity
            .as_ref()
            .map(|identity| identity.account.as_str());
        outcome.principal = caller
            .identity
            .as_ref()
            .map(|identity| identity.principal.clone());

        let Some(operation) = operation else {
            let error = kms_wire::WireError::UnknownOperation {
                operation: target.unwrap_or_default().to_owned(),
            };
            return fail(outcome, error.http_status(), error.code(), error.message());
        };
        let kms = match self.backends.get(caller.region.as_deref(), account).await {
            Ok(kms) => kms,
            Err(err) => {
                tracing::warn!(target: "kms_server::backend", region = ?caller.region, "{err}");
                let error = kms_wire::WireError::Kms(err);
                return fail(outcome, error.http_status(), error.code(), error.message());
            }
        };
        match kms_wire::dispatch(kms.as_ref(), operation, body).await {
            Ok(answer) => {
                outcome.key_arn = answer.key_arn;
                response::with_body(200, AMZ_JSON, response::wiped_on_drop(answer.body))
            }
            Err(error) => {
                outcome.error_code = Some(error.code().to_owned());
                response::with_body(error.http_status(), AMZ_JSON, error.to_json())
            }
        }
    }

    /// The request's `Content-Length`, if it has one, refused when it is not a number or is
    /// past the body limit.
    fn declared_length(&self, parts: &Parts) -> Result<Option<u64>, Refusal> {
        let declared = match parts.headers.get(CONTENT_LENGTH) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    .and_then(|text| text.parse::<u64>().ok())
                    .ok_or_else(|| {
                        (
                            400,
                            "SerializationException",
                            "Content-Length is not a number".to_owned(),
                        )
                    })?,
            ),
        };
        if declared.is_some_and(|size| size > self.limits.max_body_bytes as u64) {
            return Err(self.too_large(declared));
        }
        Ok(declared)
    }

    /// 413 for a body past the limit, of `size` bytes if known.
    fn too_large(&self, size: Option<u64>) -> Refusal {
        let size = size
            .map(|size| format!(" of {size} bytes"))
            .unwrap_or_default();
        (
            413,
            "RequestEntityTooLargeException",
            format!(
                "Request body{size} is larger than the limit of {} bytes",
                self.limits.max_body_bytes
            ),
        )
    }

    /// Reads the body within the size limit, the byte budget and the body timeout;
    /// `declared` is its accepted `Content-Length`.
    async fn read_body(&self, declared: Option<u64>, body: Incoming) -> Result<Bytes, Refusal> {
        let limit = self.limits.max_body_bytes;
        let timed_out = || {
            (
                408,
                "RequestTimeoutException",
                format!(
                    "The request body was not received within {} seconds",
                    self.limits.body_timeout.as_secs_f64()
                ),
            )
        };
        let reserve = declared.map_or(limit, |size| usize::try_from(size).unwrap_or(limit));
        let units = u32::try_from(reserve.div_ceil(BUDGET_UNIT).max(1)).unwrap_or(u32::MAX);
        let read = async {
            let _budget = self.body_budget.acquire_many(units).await;
            Limited::new(body, limit).collect().await
        };
        match tokio::time::timeout(self.limits.body_timeout, read).await {
            Err(_) => Err(timed_out()),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => {
                Err(self.too_large(None))
            }
            Ok(Err(err)) => Err((
                400,
                "SerializationException",
                format!("The request body could not be read: {err}"),
            )),
        }
    }
}

/// A random (version 4) UUID for a request ID, from a userspace generator seeded once per
/// thread: request IDs need uniqueness, not secrecy, and a system call per request costs.
fn new_request_id() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// Why a request is refused before it reaches authentication: HTTP status, AWS error code
/// and message.
type Refusal = (u16, &'static str, String);

/// The error response of a refusal, noted in the outcome.
fn refuse(outcome: &mut Outcome, (status, code, message): Refusal) -> Response<Body> {
    outcome.error_code = Some(code.to_owned());
    response::error(status, code, Some(&message))
}

/// The request's `X-Amz-Target`, if it is text.
fn target(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
}

/// Whether a `Content-Type` is one of the KMS JSON protocol: `application/x-amz-json-1.1`
/// or `application/json`, with any parameters.
fn accepted_content_type(value: &str) -> bool {
    let media_type = value.split(';').next().unwrap_or_default().trim();
    media_type.eq_ignore_ascii_case(AMZ_JSON) || media_type.eq_ignore_ascii_case("application/json")
}

/// At most 100 characters of a value quoted in a message.
fn truncated(value: &str) -> &str {
    match value.char_indices().nth(100) {
        Some((end, _)) => &value[..end],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_accepted_with_parameters() {
        assert!(accepted_content_type("application/x-amz-json-1.1"));
        assert!(accepted_content_type("application/json; charset=utf-8"));
        assert!(accepted_content_type("Application/X-Amz-Json-1.1"));
        assert!(!accepted_content_type(""));
        assert!(!accepted_content_type("text/plain"));
        assert!(!accepted_content_type("application/x-amz-json-1.0"));
    }

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<uuid::Uuid> =
            (0..1000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids {
            assert_eq!(id.get_version(), Some(uuid::Version::Random));
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn quoted_values_are_cut_at_100_characters() {
        assert_eq!(truncated("abc"), "abc");
        assert_eq!(truncated(&"é".repeat(150)).chars().count(), 100);
    }
}
