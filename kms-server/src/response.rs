//! The responses of the server: JSON bodies with AWS's content type, errors in AWS's
//! `{"__type": ..., "message": ...}` shape.

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// The content type of the KMS JSON protocol.
pub(crate) const AMZ_JSON: &str = kms_wire::CONTENT_TYPE;

/// The header that carries each response's request ID.
pub(crate) const REQUEST_ID: &str = "x-amzn-requestid";

/// The body type of every response.
pub(crate) type Body = Full<Bytes>;

/// A response with `status`, `content_type` and `body`.
pub(crate) fn with_body(
    status: u16,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `body` as `Bytes` that wipe it when hyper drops the last reference, after sending: an
/// answer may hold a plaintext in base64 (`Decrypt`, `GenerateDataKey`, `GenerateRandom`).
pub(crate) fn wiped_on_drop(body: Vec<u8>) -> Bytes {
    Bytes::from_owner(zeroize::Zeroizing::new(body))
}

/// The JSON body of an AWS error.
pub(crate) fn error_json(code: &str, message: Option<&str>) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    body.insert("__type".to_owned(), code.into());
    if let Some(message) = message {
        body.insert("message".to_owned(), message.into());
    }
    serde_json::Value::Object(body).to_string().into_bytes()
}

/// An AWS error response.
pub(crate) fn error(status: u16, code: &str, message: Option<&str>) -> Response<Body> {
    with_body(status, AMZ_JSON, error_json(code, message))
}

/// 405 for a path served only with `allowed`.
pub(crate) fn method_not_allowed(
    method: &str,
    path: &str,
    allowed: &'static str,
) -> Response<Body> {
    let mut response = error(
        405,
        "MethodNotAllowedException",
        Some(&format!("{method} is not allowed on {path}: use {allowed}")),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}
