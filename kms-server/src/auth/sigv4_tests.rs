//! The SigV4 test-suite vectors (`tests/sigv4-vectors`, see its README): every signed
//! request verifies, with the suite's canonical request and string to sign, and any change
//! to it is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderName, HeaderValue};

use super::*;

/// A vector: its context and signed request.
struct Vector {
    name: String,
    secret: String,
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
    canonical_request: String,
    string_to_sign: String,
}

impl Vector {
    fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            headers: &self.headers,
            authority: None,
            body: &self.body,
        }
    }

    fn authorization_header(&self) -> String {
        self.headers["authorization"].to_str().unwrap().to_owned()
    }
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4-vectors")
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn load(name: &str) -> Vector {
    let dir = vectors_dir().join(name);
    let context: serde_json::Value = serde_json::from_str(&read(&dir, "context.json")).unwrap();
    let signed = read(&dir, "header-signed-request.txt");
    let (head, body) = signed.split_once("\n\n").unwrap_or((&signed, ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let mut words = request_line.split(' ');
    let method = words.next().unwrap().to_owned();
    let target = words.next().unwrap();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    Vector {
        name: name.to_owned(),
        secret: context["credentials"]["secret_access_key"]
            .as_str()
            .unwrap()
            .to_owned(),
        method,
        path,
        query,
        headers,
        body: body.as_bytes().to_vec(),
        canonical_request: read(&dir, "header-canonical-request.txt"),
        string_to_sign: read(&dir, "header-string-to-sign.txt"),
    }
}

fn all() -> Vec<Vector> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 11, "{names:?}");
    names.iter().map(|name| load(name)).collect()
}

/// The signature the vector's secret (or `secret`) gives for the vector's request.
fn computed_signature(vector: &Vector, request: &SignedRequest<'_>, secret: &str) -> String {
    let header = vector.authorization_header();
    let authorization = parse_authorization(&header).unwrap();
    let amz_date = vector.headers["x-amz-date"].to_str().unwrap();
    let canonical = canonical_request(request, &authorization.signed_headers);
    let string_to_sign = string_to_sign(amz_date, &authorization.scope(), &canonical);
    signature(secret.as_bytes(), &authorization, &string_to_sign)
}

#[test]
fn the_canonical_request_and_string_to_sign_are_the_suites() {
    for vector in all() {
        let header = vector.authorization_header();
        let authorization = parse_authorization(&header).unwrap();
        let canonical = canonical_request(&vector.request(), &authorization.signed_headers);
        assert_eq!(
            String::from_utf8(canonical.clone()).unwrap(),
            vector.canonical_request,
            "canonical request of {}",
            vector.name
        );
        let amz_date = vector.headers["x-amz-date"].to_str().unwrap();
        assert_eq!(
            string_to_sign(amz_date, &authorization.scope(), &canonical),
            vector.string_to_sign,
            "string to sign of {}",
            vector.name
        );
    }
}

#[test]
fn every_signed_request_of_the_suite_verifies() {
    for vector in all() {
        let header = vector.authorization_header();
        let authorization = parse_authorization(&header).unwrap();
        assert_eq!(
            authorization.access_key_id, "AKIDEXAMPLE",
            "{}",
            vector.name
        );
        assert_eq!(
            authorization.scope(),
            "20150830/us-east-1/service/aws4_request"
        );
        assert_eq!(
            computed_signature(&vector, &vector.request(), &vector.secret),
            authorization.signature,
            "signature of {}",
            vector.name
        );
    }
}

#[test]
fn a_changed_secret_body_or_signed_header_gives_another_signature() {
    for vector in all() {
        let header = vector.authorization_header();
        let authorization = parse_authorization(&header).unwrap();
        let expected = authorization.signature;
        let other_secret = format!("{}x", vector.secret);
        assert_ne!(
            computed_signature(&vector, &vector.request(), &other_secret),
            expected,
            "{}",
            vector.name
        );
        let mut body = vector.body.clone();
        body.extend_from_slice(b"!");
        let changed_body = SignedRequest {
            body: &body,
            ..vector.request()
        };
        assert_ne!(
            computed_signature(&vector, &changed_body, &vector.secret),
            expected,
            "{}",
            vector.name
        );
        let mut headers = vector.headers.clone();
        headers.insert("host", HeaderValue::from_static("other.amazonaws.com"));
        let changed_host = SignedRequest {
            headers: &headers,
            ..vector.request()
        };
        assert_ne!(
            computed_signature(&vector, &changed_host, &vector.secret),
            expected,
            "{}",
            vector.name
        );
        // A header that is not signed changes nothing.
        let mut headers = vector.headers.clone();
        headers.insert("x-added-later", HeaderValue::from_static("1"));
        let unsigned_header = SignedRequest {
            headers: &headers,
            ..vector.request()
        };
        assert_eq!(
            computed_signature(&vector, &unsigned_header, &vector.secret),
            expected,
            "{}",
            vector.name
        );
    }
}

#[test]
fn authorization_headers_lacking_parts_are_incomplete_with_awss_text() {
    let err =
        parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request")
            .unwrap_err();
    assert_eq!(err.code(), "IncompleteSignatureException");
    assert_eq!(
        err.message(),
        "Authorization header requires 'Signature' parameter. Authorization header requires \
         'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"
    );
    let err = parse_authorization("AWS4-HMAC-SHA256 ").unwrap_err();
    assert_eq!(
        err.message(),
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization=AWS4-HMAC-SHA256"
    );
    let err = parse_authorization("Basic dXNlcjpwYXNz").unwrap_err();
    assert_eq!(err.code(), "IncompleteSignatureException");
    assert!(
        err.message().starts_with("Unsupported AWS 'algorithm'"),
        "{err}"
    );
    let err = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1, SignedHeaders=host, Signature=00",
    )
    .unwrap_err();
    assert!(err.message().contains("'AKID/20150830/us-east-1'"), "{err}");
}

#[test]
fn query_strings_are_decoded_before_they_are_encoded_and_sorted() {
    let mut out = Vec::new();
    canonical_query_into(&mut out, "b=%7E%41&a=x%20y&a=w&c&%zz=1");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "%25zz=1&a=w&a=x%20y&b=~A&c="
    );
}

#[test]
fn dates_parse_and_format_as_x_amz_date() {
    let time = parse_amz_date("20150830T123600Z").unwrap();
    assert_eq!(time.unix_timestamp(), 1_440_938_160);
    assert_eq!(format_amz_date(time), "20150830T123600Z");
    assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
    assert!(parse_amz_date("20150830T123600").is_none());
}
