//! The checks of `Authentication` and the answers AWS gives for each failure. Requests are
//! signed here with the signing functions the suite's vectors test; the server tests sign
//! them with `aws-sdk-kms`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail by panicking"
)]

use http::{HeaderMap, HeaderValue};

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const BODY: &[u8] = br#"{"KeyId":"alias/app","Plaintext":"aGk="}"#;

fn now() -> OffsetDateTime {
    sigv4::parse_amz_date("20261130T150000Z").unwrap()
}

fn table() -> Authentication {
    let credentials = Credentials::new()
        .with(
            Credential::new("AKIDTEST", SECRET, "444455556666")
                .unwrap()
                .with_principal("arn:aws:iam::444455556666:user/alice")
                .unwrap(),
        )
        .unwrap();
    Authentication::Verify(credentials)
}

/// A KMS request signed by `access_key_id` with `secret` at `time` for `region`.
fn signed(access_key_id: &str, secret: &str, time: OffsetDateTime, region: &str) -> HeaderMap {
    let amz_date = sigv4::format_amz_date(time);
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:4599"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("TrentService.Encrypt"),
    );
    headers.insert("x-amz-date", HeaderValue::from_str(&amz_date).unwrap());
    let signed_headers = ["content-type", "host", "x-amz-date", "x-amz-target"];
    let authorization = sigv4::Authorization {
        access_key_id,
        date: &amz_date[..8],
        region,
        service: SERVICE,
        terminator: sigv4::TERMINATOR,
        signed_headers: signed_headers.to_vec(),
        signature: "",
    };
    let request = request(&headers, BODY);
    let canonical = sigv4::canonical_request(&request, &signed_headers);
    let string_to_sign = sigv4::string_to_sign(&amz_date, &authorization.scope(), &canonical);
    let signature = sigv4::signature(secret.as_bytes(), &authorization, &string_to_sign);
    let header = format!(
        "{} Credential={access_key_id}/{}, SignedHeaders={}, Signature={signature}",
        sigv4::ALGORITHM,
        authorization.scope(),
        signed_headers.join(";")
    );
    headers.insert("authorization", HeaderValue::from_str(&header).unwrap());
    headers
}

fn request<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> SignedRequest<'a> {
    SignedRequest {
        method: "POST",
        path: "/",
        query: None,
        headers,
        authority: None,
        body,
    }
}

fn refusal(auth: &Authentication, headers: &HeaderMap, body: &[u8]) -> AuthError {
    auth.authenticate(&request(headers, body), now())
        .unwrap_err()
}

#[test]
fn a_good_signature_gives_the_region_account_and_principal() {
    let headers = signed("AKIDTEST", SECRET, now(), "eu-west-1");
    let caller = table()
        .authenticate(&request(&headers, BODY), now())
        .unwrap();
    assert_eq!(caller.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        caller.identity,
        Some((
            "444455556666".to_owned(),
            "arn:aws:iam::444455556666:user/alice".to_owned()
        ))
    );
}

#[test]
fn a_wrong_secret_is_an_invalid_signature() {
    let headers = signed("AKIDTEST", "not the secret", now(), "us-east-1");
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(err.code(), "InvalidSignatureException");
    assert_eq!(err.message(), error::SIGNATURE_MISMATCH);
    assert_eq!(err.http_status(), 400);
}

#[test]
fn an_unknown_access_key_is_an_unrecognized_client() {
    let headers = signed("AKIDOTHER", SECRET, now(), "us-east-1");
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(err.code(), "UnrecognizedClientException");
    assert_eq!(
        err.message(),
        "The security token included in the request is invalid."
    );
}

#[test]
fn a_body_changed_after_signing_is_an_invalid_signature() {
    let headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    let err = refusal(
        &table(),
        &headers,
        br#"{"KeyId":"alias/other","Plaintext":"aGk="}"#,
    );
    assert_eq!(err, AuthError::mismatch());
}

#[test]
fn a_signed_header_changed_after_signing_is_an_invalid_signature() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("TrentService.Decrypt"),
    );
    assert_eq!(refusal(&table(), &headers, BODY), AuthError::mismatch());
}

#[test]
fn a_header_added_to_the_signed_list_after_signing_is_an_invalid_signature() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    let header = headers["authorization"].to_str().unwrap().replace(
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-extra",
    );
    headers.insert("authorization", HeaderValue::from_str(&header).unwrap());
    headers.insert("x-extra", HeaderValue::from_static("1"));
    assert_eq!(refusal(&table(), &headers, BODY), AuthError::mismatch());
}

#[test]
fn a_header_that_is_not_signed_is_ignored() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    headers.insert("user-agent", HeaderValue::from_static("added later"));
    assert!(
        table()
            .authenticate(&request(&headers, BODY), now())
            .is_ok()
    );
}

#[test]
fn a_request_more_than_five_minutes_old_has_expired() {
    let sent = now() - Duration::seconds(5 * 60 + 1);
    let headers = signed("AKIDTEST", SECRET, sent, "us-east-1");
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(err.code(), "InvalidSignatureException");
    assert_eq!(
        err.message(),
        "Signature expired: 20261130T145459Z is now earlier than 20261130T145500Z \
         (20261130T150000Z - 5 min.)"
    );
    // Exactly five minutes is accepted.
    let headers = signed("AKIDTEST", SECRET, now() - MAX_SKEW, "us-east-1");
    assert!(
        table()
            .authenticate(&request(&headers, BODY), now())
            .is_ok()
    );
}

#[test]
fn a_request_more_than_five_minutes_ahead_is_not_yet_current() {
    let sent = now() + Duration::minutes(6);
    let headers = signed("AKIDTEST", SECRET, sent, "us-east-1");
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(
        err.message(),
        "Signature not yet current: 20261130T150600Z is still later than 20261130T150500Z \
         (20261130T150000Z + 5 min.)"
    );
}

#[test]
fn a_missing_authorization_is_a_missing_token_only_when_verifying() {
    let headers = HeaderMap::new();
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(err.code(), "MissingAuthenticationTokenException");
    assert_eq!(err.message(), "Missing Authentication Token");
    let caller = Authentication::AcceptAny
        .authenticate(&request(&headers, BODY), now())
        .unwrap();
    assert_eq!(
        caller,
        Caller {
            region: None,
            identity: None
        }
    );
}

#[test]
fn accept_any_reads_the_region_and_ignores_the_signature() {
    let headers = signed(
        "ANYONE",
        "any secret",
        now() - Duration::days(3),
        "ap-south-2",
    );
    let caller = Authentication::AcceptAny
        .authenticate(&request(&headers, b"changed"), now())
        .unwrap();
    assert_eq!(caller.region.as_deref(), Some("ap-south-2"));
    assert_eq!(caller.identity, None);
}

#[test]
fn a_scope_for_another_service_or_a_bad_region_is_refused() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    let header = headers["authorization"]
        .to_str()
        .unwrap()
        .replace("/kms/", "/s3/");
    headers.insert("authorization", HeaderValue::from_str(&header).unwrap());
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(
        err.message(),
        "Credential should be scoped to correct service: 'kms'."
    );
    for auth in [table(), Authentication::AcceptAny] {
        let headers = signed("AKIDTEST", SECRET, now(), "US_EAST");
        let err = refusal(&auth, &headers, BODY);
        assert_eq!(err.code(), "InvalidSignatureException");
        assert_eq!(
            err.message(),
            "Credential should be scoped to a valid region, not 'US_EAST'."
        );
    }
}

#[test]
fn a_missing_date_is_an_incomplete_signature() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    headers.remove("x-amz-date");
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(err.code(), "IncompleteSignatureException");
    assert!(
        err.message()
            .starts_with("Authorization header requires existence of either a 'X-Amz-Date'"),
        "{err}"
    );
}

#[test]
fn a_scope_date_other_than_the_request_date_is_refused() {
    let mut headers = signed("AKIDTEST", SECRET, now(), "us-east-1");
    headers.insert("x-amz-date", HeaderValue::from_static("20261201T000100Z"));
    let err = refusal(&table(), &headers, BODY);
    assert_eq!(
        err.message(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
         HTTP: '20261130' != '20261201', from '20261201T000100Z'."
    );
}
