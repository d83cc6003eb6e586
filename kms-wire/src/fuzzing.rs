//! The entry point the fuzz target `wire_request` and its corpus replay drive: every
//! operation's request decoding, with the property it must hold. It exists for fuzzing and
//! for the corpus replay test, never for users: it may change or go at any time.

// A failed property is a panic: that is what the fuzzer reports.
#![allow(clippy::panic)]

use serde_json::Value;
use zeroize::Zeroizing;

use kms_core::OperationName;

use crate::{Shape, Timestamps, WireError};

/// [`check_request`] for a fuzzer's bytes: the first byte picks the operation, in the order
/// of [`operation_names`](crate::operation_names), one past the last being an operation
/// that does not exist (the byte counts modulo the number of names plus one); the rest is
/// the body. Empty input is an empty body for that unknown operation.
///
/// # Errors
///
/// See [`check_request`].
pub fn check_input(data: &[u8]) -> Result<(), WireError> {
    let (selector, body) = data.split_first().unwrap_or((&0, &[]));
    let names = crate::operation_names();
    let operation = names
        .get(usize::from(*selector) % (names.len() + 1))
        .copied()
        .unwrap_or("NoSuchOperation");
    check_request(operation, body)
}

/// The byte [`check_input`] reads as `operation`, for a corpus; `None` for a name that is
/// no operation.
pub fn selector_of(operation: &str) -> Option<u8> {
    crate::operation_names()
        .iter()
        .position(|name| *name == operation)
        .and_then(|index| u8::try_from(index).ok())
}

/// Decodes `body` as the request of `operation` (a PascalCase name, as after `TrentService.`),
/// exactly as [`dispatch`](crate::dispatch) does before it calls the backend, and checks:
///
/// - an accepted request re-encodes to a body that decodes again, to the same encoding
///   (`encode(decode(encode(x))) == encode(x)`);
/// - a refused one is an error with an AWS code, an HTTP error status, and a JSON body
///   `{"__type": <code>, ...}`.
///
/// # Errors
///
/// The [`WireError`] `dispatch` answers for this operation and body.
///
/// # Panics
///
/// When a property does not hold: that is the finding the fuzzer reports.
pub fn check_request(operation: &str, body: &[u8]) -> Result<(), WireError> {
    let decoded = match OperationName::from_aws(operation) {
        Some(name) => {
            let method = name.method();
            kms_core::for_each_operation!(decode_operation { method operation body })
        }
        None => Err(WireError::UnknownOperation {
            operation: operation.to_owned(),
        }),
    };
    if let Err(error) = &decoded {
        check_error(error);
    }
    decoded
}

/// Checks an error's code, status and JSON body.
///
/// # Panics
///
/// When the body is not AWS's error shape, or the status is not an error status.
pub fn check_error(error: &WireError) {
    let status = error.http_status();
    assert!(
        (400..=599).contains(&status),
        "{} answered with status {status}",
        error.code()
    );
    let body: Value = serde_json::from_slice(&error.to_json())
        .unwrap_or_else(|err| panic!("{} has an error body that is not JSON: {err}", error.code()));
    assert_eq!(
        body.get("__type").and_then(Value::as_str),
        Some(error.code()),
        "the error body does not name its code"
    );
    assert_eq!(
        body.get("message").and_then(Value::as_str),
        error.message(),
        "the error body's message is not the error's"
    );
}

/// [`round_trip`] with the request type of the operation whose method is `$method`.
macro_rules! decode_operation {
    ($method:ident $operation:ident $body:ident
     $( $op:ident($request:ty) -> $response:ty; )+) => {{
        $(
            if $method == stringify!($op) {
                round_trip::<$request>($operation, $body)
            } else
        )+
        {
            Err(WireError::UnknownOperation { operation: $operation.to_owned() })
        }
    }};
}
use decode_operation;

/// Decodes `body` as a `T`, and checks that its encoding decodes to the same encoding.
fn round_trip<T: Shape>(operation: &str, body: &[u8]) -> Result<(), WireError> {
    let request = T::from_json(body)?;
    let encoded = Zeroizing::new(request.to_json(Timestamps::EpochSeconds));
    let again = T::from_json(&encoded).unwrap_or_else(|err| {
        panic!("{operation}: an accepted request re-encodes to a refused one: {err}")
    });
    let encoded_again = Zeroizing::new(again.to_json(Timestamps::EpochSeconds));
    assert!(
        *encoded == *encoded_again,
        "{operation}: decoding the re-encoded request changed it"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_request_round_trips_and_a_refused_one_is_an_aws_error() {
        check_request("Encrypt", br#"{"KeyId":"alias/a","Plaintext":"aGVsbG8="}"#)
            .expect("a valid request");
        let missing = check_request("Encrypt", b"{}").expect_err("KeyId and Plaintext missing");
        assert_eq!(missing.code(), "ValidationException");
        let not_json = check_request("Decrypt", b"{").expect_err("not JSON");
        assert_eq!(not_json.code(), "SerializationException");
        let unknown = check_request("Nope", b"{}").expect_err("no such operation");
        assert_eq!(unknown.code(), "UnknownOperationException");
    }
}
