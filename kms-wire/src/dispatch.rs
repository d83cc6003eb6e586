//! [`dispatch`]: one request, routed by operation name to the backend, generated from
//! [`kms_core::for_each_operation!`] so that every operation of the trait is served.

use std::fmt;
use std::sync::LazyLock;

use kms_core::{Kms, OperationName};

use crate::{Shape, Timestamps, WireError};

/// The answer to a successful call. Its `Debug` shows the body's length, not the body.
#[non_exhaustive]
pub struct Response {
    /// The JSON body; `{}` for operations that answer nothing. It may hold a plaintext in
    /// base64 (`Decrypt`, `GenerateDataKey`, `GenerateRandom`): wipe it once sent.
    pub body: Vec<u8>,
    /// The key the call used, for logs: the key ARN the response names, else the key
    /// identifier of the request as the caller gave it; `None` for calls about no key.
    pub key_arn: Option<String>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("key_arn", &self.key_arn)
            .finish()
    }
}

/// Runs the operation named `$operation` on `$kms` with the request in `$body`.
macro_rules! dispatch_operations {
    ($kms:ident $method:ident $operation:ident $body:ident
     $( $op:ident($request:ty) -> $response:ty; )+) => {{
        $(
            if $method == stringify!($op) {
                let request = <$request as Shape>::from_json($body)?;
                let request_key = request.key_hint().map(str::to_owned);
                let response: $response = $kms.$op(request).await?;
                return Ok(Response {
                    body: response.to_json(Timestamps::EpochSeconds),
                    key_arn: response.key_hint().map(str::to_owned).or(request_key),
                });
            }
        )+
        Err(WireError::UnknownOperation { operation: $operation.to_owned() })
    }};
}

/// Runs one KMS JSON 1.1 request: `operation` is the part of `X-Amz-Target` after
/// `TrentService.` (e.g. `"Encrypt"`), `body` the raw request body (empty counts as `{}`).
///
/// A body that does not decode never reaches the backend.
///
/// # Errors
///
/// [`WireError::UnknownOperation`] for an operation this crate does not serve,
/// [`WireError::Serialization`] for a body that does not deserialize, and
/// [`WireError::Kms`] for a missing required member (`ValidationException`) or the
/// backend's error.
pub async fn dispatch(kms: &dyn Kms, operation: &str, body: &[u8]) -> Result<Response, WireError> {
    let Some(name) = OperationName::from_aws(operation) else {
        return Err(WireError::UnknownOperation {
            operation: operation.to_owned(),
        });
    };
    let method = name.method();
    kms_core::for_each_operation!(dispatch_operations { kms method operation body })
}

static NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| OperationName::all().iter().map(|name| name.aws()).collect());

/// Every operation name [`dispatch`] serves, in PascalCase (`CreateKey`, `Encrypt`, …), in
/// the order of [`kms_core::for_each_operation!`].
pub fn operation_names() -> &'static [&'static str] {
    &NAMES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_aws_names_in_the_trait_order() {
        let names = operation_names();
        assert_eq!(names.len(), OperationName::all().len());
        assert!(names.contains(&"GetParametersForImport"));
        assert_eq!(names.first(), Some(&"CreateKey"));
        assert!(names.contains(&"ReEncrypt"));
    }
}
