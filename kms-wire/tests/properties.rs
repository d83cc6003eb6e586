//! Arbitrary bodies, built from AWS's member names and every JSON type, sent to every
//! operation: `dispatch` never panics, and a body it refuses as malformed never reaches the
//! backend.

#![allow(clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use kms_core::{Error, Kms};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A backend that counts its calls and answers each with `NotFoundException`.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Counting")
    }
}

macro_rules! count_every_operation {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        impl Kms for Counting {
            $(
                async fn $op(&self, _request: $request) -> kms_core::Result<$response> {
                    self.0.fetch_add(1, Ordering::Relaxed);
                    Err(Error::NotFound { message: "counted".into() })
                }
            )+
        }
    };
}

kms_core::for_each_operation!(count_every_operation {});

/// Member names of the requests, and a few that no request has.
const NAMES: &[&str] = &[
    "KeyId",
    "Plaintext",
    "CiphertextBlob",
    "EncryptionContext",
    "GrantTokens",
    "KeySpec",
    "NumberOfBytes",
    "Limit",
    "Marker",
    "Tags",
    "TagKey",
    "TagValue",
    "TagKeys",
    "AliasName",
    "TargetKeyId",
    "DestinationKeyId",
    "DryRun",
    "Description",
    "PendingWindowInDays",
    "RotationPeriodInDays",
    "Recipient",
    "CustomerMasterKeySpec",
    "Unknown",
];

fn scalars() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from("1234abcd-12ab-34cd-56ef-1234567890ab")),
        Just(Value::from("aGk=")),
        Just(Value::from("alias/app")),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn values() -> impl Strategy<Value = Value> {
    scalars().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(NAMES), inner), 0..6).prop_map(
                |members| {
                    Value::Object(
                        members
                            .into_iter()
                            .map(|(name, value)| (name.to_owned(), value))
                            .collect::<Map<_, _>>(),
                    )
                }
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_body_panics_and_a_refused_body_reaches_no_backend(
        operation in proptest::sample::select(kms_wire::operation_names()),
        body in values(),
    ) {
        let body = serde_json::to_vec(&body).expect("JSON");
        let backend = Counting::default();
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let result = runtime.block_on(kms_wire::dispatch(&backend, operation, &body));
        let calls = backend.0.load(Ordering::Relaxed);
        match result {
            Ok(_) => prop_assert!(false, "the counting backend answers nothing"),
            Err(err) if err.code() == "NotFoundException" && err.message() == Some("counted") => {
                prop_assert_eq!(calls, 1);
            }
            Err(err) => {
                prop_assert_eq!(calls, 0, "{} reached the backend", err);
                prop_assert!(
                    matches!(
                        err.code(),
                        "SerializationException" | "ValidationException" | "NotFoundException"
                            | "NotImplemented"
                    ),
                    "{}", err
                );
            }
        }
    }
}
