//! [`dispatch`]: one request, routed by operation name to the backend, generated from
//! [`kms_core::for_each_operation!`] so that every operation of the trait is served.

use std::fmt;
use std::sync::LazyLock;

use kms_core::Kms;

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

/// The characters of `snake` in PascalCase (`create_key` gives `CreateKey`).
fn pascal_chars(snake: &str) -> impl Iterator<Item = char> + '_ {
    snake.split('_').flat_map(|word| {
        let mut chars = word.chars();
        chars
            .next()
            .map(|first| first.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
    })
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("key_arn", &self.key_arn)
            .finish()
    }
}

/// Whether `pascal` is `snake` in PascalCase, without building the PascalCase string.
fn is_pascal_case_of(snake: &str, pascal: &str) -> bool {
    pascal_chars(snake).eq(pascal.chars())
}

/// `snake` in PascalCase.
fn pascal_case(snake: &str) -> String {
    pascal_chars(snake).collect()
}

/// Runs the operation named `$operation` on `$kms` with the request in `$body`.
macro_rules! dispatch_operations {
    ($kms:ident $operation:ident $body:ident $( $op:ident($request:ty) -> $response:ty; )+) => {{
        $(
            if is_pascal_case_of(stringify!($op), $operation) {
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
    kms_core::for_each_operation!(dispatch_operations { kms operation body })
}

/// Collects the PascalCase names of the operations.
macro_rules! operation_name_list {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        vec![$( pascal_case(stringify!($op)) ),+]
    };
}

static NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| kms_core::for_each_operation!(operation_name_list {}));

static NAME_REFS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| NAMES.iter().map(String::as_str).collect());

/// Every operation name [`dispatch`] serves, in PascalCase (`CreateKey`, `Encrypt`, …), in
/// the order of [`kms_core::for_each_operation!`].
pub fn operation_names() -> &'static [&'static str] {
    &NAME_REFS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert!(is_pascal_case_of("create_key", "CreateKey"));
        assert!(!is_pascal_case_of("create_key", "CreateKeys"));
        assert!(!is_pascal_case_of("create_key", "Createkey"));
        assert!(!is_pascal_case_of("create_key", "create_key"));
        assert_eq!(
            pascal_case("generate_data_key_without_plaintext"),
            "GenerateDataKeyWithoutPlaintext"
        );
        let names = operation_names();
        assert_eq!(names.len(), 39);
        assert!(names.contains(&"GetParametersForImport"));
        assert_eq!(names.first(), Some(&"CreateKey"));
        assert!(names.contains(&"ReEncrypt"));
    }
}
