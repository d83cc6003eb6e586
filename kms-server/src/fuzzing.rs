//! The entry points the fuzz targets `server_request` and `sigv4` and their corpus replay
//! drive, with the properties they must hold. They exist for fuzzing and for the corpus
//! replay test, never for users: they may change or go at any time.
//!
//! Both read a request as text, as the SigV4 test suite writes them:
//!
//! ```text
//! POST / HTTP/1.1
//! Content-Type:application/x-amz-json-1.1
//! X-Amz-Target:TrentService.Encrypt
//!
//! {"KeyId":"alias/app","Plaintext":"aGk="}
//! ```
//!
//! a request line (method and target; the rest is ignored), header lines `name:value`, an
//! empty line and the body. A request that hyper would refuse before the service sees it (a
//! method, target, header name or value `http` does not accept) is skipped.

// A failed property is a panic: that is what the fuzzer reports.
#![allow(clippy::panic)]

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderName, HeaderValue, Request};
use http_body_util::BodyExt as _;
use kms_core::DynKms;
use serde_json::Value;
use time::OffsetDateTime;

use crate::auth::{self, Authentication, Credential, Credentials, SignedRequest};
use crate::backends::Backends;
use crate::limits::Limits;
use crate::response::AMZ_JSON;
use crate::service::Service;

/// A request read from text: its head, and its body.
#[derive(Debug)]
pub struct TextRequest<'a> {
    parts: Parts,
    body: &'a [u8],
}

impl<'a> TextRequest<'a> {
    /// Reads a request in the format of the module documentation; `None` for one hyper
    /// would refuse. Lines end with `\n` or `\r\n`.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let (head, body) = split_head(data);
        let head = std::str::from_utf8(head).ok()?;
        let mut lines = head.lines();
        let mut words = lines.next()?.split(' ');
        let mut request = Request::builder().method(words.next()?).uri(words.next()?);
        for line in lines {
            let (name, value) = line.split_once(':')?;
            request = request.header(
                HeaderName::from_bytes(name.as_bytes()).ok()?,
                HeaderValue::from_str(value).ok()?,
            );
        }
        let (parts, ()) = request.body(()).ok()?.into_parts();
        Some(Self { parts, body })
    }

    /// What SigV4 verifies of it.
    fn signed(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: self.parts.method.as_str(),
            path: self.parts.uri.path(),
            query: self.parts.uri.query(),
            headers: &self.parts.headers,
            authority: self.parts.uri.authority().map(http::uri::Authority::as_str),
            body: self.body,
        }
    }
}

/// The head (before the first empty line) and the body of a request's text.
fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    for separator in [&b"\r\n\r\n"[..], b"\n\n"] {
        if let Some(at) = data
            .windows(separator.len())
            .position(|window| window == separator)
        {
            return (&data[..at], &data[at + separator.len()..]);
        }
    }
    (data, &[])
}

/// The server's handling of KMS API requests, headers to answer, over a backend whose every
/// call fails with an injected `KMSInternalException` before reaching it: what the server
/// decodes is checked, never what a backend does with it.
#[derive(Debug)]
pub struct ServerHarness {
    service: Service,
}

/// The code of the error every call of the harness's backend fails with.
const BACKEND_FAULT: &str = "KMSInternalException";

impl ServerHarness {
    /// A server that accepts any signature, over `inner` behind the failing layer.
    ///
    /// # Panics
    ///
    /// Never: the fault plan is constant and valid.
    pub fn new(inner: Arc<DynKms>) -> Self {
        let plan = kms::faults::OperationFaults::new()
            .with_rate(kms::faults::FaultKind::Internal, 1.0)
            .and_then(|faults| kms::faults::FaultPlan::new().with_all(faults))
            .unwrap_or_else(|err| panic!("the harness's fault plan: {err}"));
        let kms = kms::faults::FaultyKms::wrap(inner, plan);
        Self {
            service: Service::new(
                Backends::single(kms),
                Authentication::AcceptAny,
                Limits::default(),
            ),
        }
    }

    /// Answers the request `data` describes (see the module documentation), as the server
    /// does once the body has arrived, and checks the answer:
    ///
    /// - never a success (the backend fails every call), always an error status with AWS's
    ///   content type and a JSON body `{"__type": <code>, ...}`;
    /// - the backend is reached only by a body that `kms-wire` decodes as the request of the
    ///   operation `X-Amz-Target` names.
    ///
    /// Returns the error code, `None` for a request hyper would refuse.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub async fn check(&self, data: &[u8]) -> Option<String> {
        let request = TextRequest::parse(data)?;
        let response = self
            .service
            .api_buffered(&request.parts, request.body)
            .await;
        let status = response.status().as_u16();
        assert!(
            (400..=599).contains(&status),
            "answered with status {status}, but the backend fails every call"
        );
        assert_eq!(
            response.headers().get(http::header::CONTENT_TYPE),
            Some(&HeaderValue::from_static(AMZ_JSON)),
            "an error without AWS's content type"
        );
        let body = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        let body: Value = serde_json::from_slice(&body)
            .unwrap_or_else(|err| panic!("an error body that is not JSON: {err}"));
        let code = body
            .get("__type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("an error body without __type: {body}"))
            .to_owned();
        if code == BACKEND_FAULT {
            let operation = request
                .parts
                .headers
                .get("x-amz-target")
                .and_then(|target| target.to_str().ok())
                .and_then(|target| target.strip_prefix(kms_wire::TARGET_PREFIX))
                .unwrap_or_else(|| panic!("the backend was reached without an operation"));
            if let Err(err) = kms_wire::fuzzing::check_request(operation, request.body) {
                panic!("the backend was reached by a {operation} request kms-wire refuses: {err}");
            }
        }
        Some(code)
    }
}

/// SigV4 verification of requests, against a credentials table holding the SigV4 test
/// suite's credential and at the suite's time (2015-08-30T12:36:00Z), so that the suite's
/// requests get as far as the signature.
#[derive(Debug)]
pub struct Sigv4Harness {
    verify: Authentication,
    now: OffsetDateTime,
}

/// The access key ID of the SigV4 test suite.
const SUITE_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// The secret of the SigV4 test suite (public: it is the suite's).
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The account the harness gives the suite's credential.
const ACCOUNT: &str = "111122223333";

impl Default for Sigv4Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Sigv4Harness {
    /// The harness.
    ///
    /// # Panics
    ///
    /// Never: its credential and time are constants and valid.
    pub fn new() -> Self {
        let credentials = Credential::new(SUITE_ACCESS_KEY_ID, SUITE_SECRET, ACCOUNT)
            .and_then(|credential| Credentials::new().with(credential))
            .unwrap_or_else(|err| panic!("the harness's credential: {err}"));
        let now = OffsetDateTime::from_unix_timestamp(1_440_938_160)
            .unwrap_or_else(|err| panic!("the harness's time: {err}"));
        Self {
            verify: Authentication::Verify(credentials),
            now,
        }
    }

    /// Authenticates the request `data` describes (see the module documentation), as the
    /// server does, with and without verification, and checks:
    ///
    /// - an `Authorization` header that parses, written again, parses to the same parts;
    /// - without verification, the region is the header's when it parses;
    /// - a verified request names the table's account and the header's region;
    /// - a refusal has an AWS code and a 4xx status.
    ///
    /// Returns whether the request verified, `None` for a request hyper would refuse.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub fn check(&self, data: &[u8]) -> Option<bool> {
        let request = TextRequest::parse(data)?;
        let signed = request.signed();
        let header = request
            .parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|header| header.to_str().ok());
        let parsed = header.and_then(|header| auth::parse_authorization(header).ok());
        if let Some(parsed) = &parsed {
            let written = parsed.to_string();
            let again = auth::parse_authorization(&written)
                .unwrap_or_else(|err| panic!("'{written}' does not parse again: {err}"));
            assert_eq!(&again, parsed, "'{written}' parses to other parts");
        }
        match Authentication::AcceptAny.authenticate(&signed, self.now) {
            Ok(caller) => assert_eq!(
                caller.region.as_deref(),
                parsed.as_ref().map(|parsed| parsed.region),
                "accepted without the header's region"
            ),
            Err(err) => check_refusal(&err),
        }
        match self.verify.authenticate(&signed, self.now) {
            Ok(caller) => {
                let parsed = parsed.unwrap_or_else(|| panic!("verified without a header"));
                assert_eq!(caller.region.as_deref(), Some(parsed.region));
                let identity = caller
                    .identity
                    .unwrap_or_else(|| panic!("verified without an identity"));
                assert_eq!(identity.account, ACCOUNT);
                assert_eq!(parsed.access_key_id, SUITE_ACCESS_KEY_ID);
                Some(true)
            }
            Err(err) => {
                check_refusal(&err);
                Some(false)
            }
        }
    }
}

/// Checks that an authentication error is a client error with an AWS code.
fn check_refusal(err: &auth::AuthError) {
    assert!(
        (400..500).contains(&err.http_status()),
        "{} has status {}",
        err.code(),
        err.http_status()
    );
    assert!(
        err.code().ends_with("Exception"),
        "'{}' is not an AWS error code",
        err.code()
    );
}
