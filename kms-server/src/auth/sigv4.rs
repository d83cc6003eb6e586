//! AWS Signature Version 4, from the verifier's side: parsing the `Authorization` header,
//! rebuilding the canonical request from the headers it names, and computing the signature
//! the caller's secret gives.
//!
//! The canonical request is the one of every AWS service but S3: the path is encoded once
//! more (so `%` becomes `%25`), query parameters are decoded, re-encoded and sorted, header
//! values are trimmed with inner runs of spaces collapsed and repeated headers joined by
//! `,`, and the payload hash is the SHA-256 of the body as received (a signed
//! `x-amz-content-sha256` header takes part as a header, never in place of the body's hash).

use std::fmt::Write as _;

use aws_lc_rs::{digest, hmac};
use http::HeaderMap;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};
use zeroize::Zeroizing;

use super::error::AuthError;

/// The only algorithm of SigV4 with a symmetric secret.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The last element of every SigV4 credential scope.
pub(crate) const TERMINATOR: &str = "aws4_request";

/// The format of `X-Amz-Date`: `20150830T123600Z`.
const AMZ_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// What a verifier reads of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    /// `GET`, `POST`...
    pub(crate) method: &'a str,
    /// The path as received, still percent-encoded.
    pub(crate) path: &'a str,
    /// The query string as received, without `?`.
    pub(crate) query: Option<&'a str>,
    /// The headers.
    pub(crate) headers: &'a HeaderMap,
    /// The authority when the request has no `Host` header (HTTP/2's `:authority`).
    pub(crate) authority: Option<&'a str>,
    /// The body as received.
    pub(crate) body: &'a [u8],
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    /// The access key ID.
    pub(crate) access_key_id: &'a str,
    /// The scope's date, `YYYYMMDD`.
    pub(crate) date: &'a str,
    /// The scope's region.
    pub(crate) region: &'a str,
    /// The scope's service.
    pub(crate) service: &'a str,
    /// The scope's last element, `aws4_request`.
    pub(crate) terminator: &'a str,
    /// The names of the signed headers, lowercase, as listed.
    pub(crate) signed_headers: Vec<&'a str>,
    /// The signature, hex.
    pub(crate) signature: &'a str,
}

impl Authorization<'_> {
    /// `DATE/REGION/SERVICE/aws4_request`.
    pub(crate) fn scope(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.date, self.region, self.service, self.terminator
        )
    }
}

/// The header as a client writes it: `AWS4-HMAC-SHA256 Credential=<key>/<scope>,
/// SignedHeaders=<names>, Signature=<hex>`.
impl std::fmt::Display for Authorization<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
            self.access_key_id,
            self.scope(),
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

/// Parses an `Authorization` header; AWS's `IncompleteSignatureException` text for one
/// that lacks a part (it names each missing part, then quotes the header).
pub(crate) fn parse_authorization(header: &str) -> Result<Authorization<'_>, AuthError> {
    let incomplete = |what: &str| {
        AuthError::incomplete(format!(
            "{what} Authorization={}",
            header.split_whitespace().next().unwrap_or_default()
        ))
    };
    let Some(rest) = header.strip_prefix(ALGORITHM) else {
        return Err(incomplete(&format!(
            "Unsupported AWS 'algorithm': expected '{ALGORITHM}'."
        )));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(value) = part.strip_prefix("Credential=") {
            credential = Some(value);
        } else if let Some(value) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(value);
        } else if let Some(value) = part.strip_prefix("Signature=") {
            signature = Some(value);
        }
    }
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            let _ = write!(
                missing,
                "Authorization header requires '{name}' parameter. "
            );
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete(missing.trim_end()));
    };
    if !missing.is_empty() {
        return Err(incomplete(missing.trim_end()));
    }
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts[..] else {
        return Err(AuthError::incomplete(format!(
            "Authorization header requires a 'Credential' of the form \
             'ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request', not '{credential}'."
        )));
    };
    if access_key_id.is_empty() {
        return Err(AuthError::incomplete(
            "Authorization header requires a non-empty access key ID in 'Credential'.",
        ));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

/// Parses an `X-Amz-Date` value, `20150830T123600Z`.
pub(crate) fn parse_amz_date(value: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(value, AMZ_DATE)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Formats a time as `X-Amz-Date` does, for messages.
pub(crate) fn format_amz_date(time: OffsetDateTime) -> String {
    // The format has only numeric fields, which every UTC time can fill.
    time.format(AMZ_DATE).unwrap_or_default()
}

/// The canonical request of SigV4 over the headers `signed_headers` names (lowercase).
pub(crate) fn canonical_request(request: &SignedRequest<'_>, signed_headers: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(request.method.as_bytes());
    out.push(b'\n');
    // A path that is not absolute (`*` of OPTIONS) is signed as `/`.
    let path = if request.path.starts_with('/') {
        request.path
    } else {
        "/"
    };
    encode_into(&mut out, path.as_bytes(), true);
    out.push(b'\n');
    canonical_query_into(&mut out, request.query.unwrap_or_default());
    out.push(b'\n');
    for name in signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut first = true;
        for value in request.headers.get_all(*name) {
            if !first {
                out.push(b',');
            }
            first = false;
            trim_into(&mut out, value.as_bytes());
        }
        if first
            && *name == "host"
            && let Some(authority) = request.authority
        {
            trim_into(&mut out, authority.as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(hex(digest::digest(&digest::SHA256, request.body).as_ref()).as_bytes());
    out
}

/// The string to sign: algorithm, request time, scope and the canonical request's hash.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &[u8]) -> String {
    let hash = digest::digest(&digest::SHA256, canonical_request);
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", hex(hash.as_ref()))
}

/// The signature, hex, of `string_to_sign` under the key derived from `secret` for the
/// scope's date, region and service.
pub(crate) fn signature(
    secret: &[u8],
    authorization: &Authorization<'_>,
    string_to_sign: &str,
) -> String {
    let mut seed = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret);
    let mut key = Zeroizing::new(seed.to_vec());
    for element in [
        authorization.date,
        authorization.region,
        authorization.service,
        authorization.terminator,
    ] {
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), element.as_bytes());
        key = Zeroizing::new(tag.as_ref().to_vec());
    }
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &key),
        string_to_sign.as_bytes(),
    );
    hex(tag.as_ref())
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether SigV4 leaves `byte` as it is when encoding.
fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes `bytes` as SigV4 does (uppercase hex; `/` kept in paths).
fn encode_into(out: &mut Vec<u8>, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in bytes {
        if unreserved(byte) || (keep_slash && byte == b'/') {
            out.push(byte);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ]);
        }
    }
}

/// Decodes `%XX` escapes; anything else, a malformed escape included, stays as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match escape {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    out
}

/// The query's parameters decoded, re-encoded and sorted by name, then value.
fn canonical_query_into(out: &mut Vec<u8>, query: &str) {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut encoded = (Vec::new(), Vec::new());
            encode_into(&mut encoded.0, &percent_decode(name), false);
            encode_into(&mut encoded.1, &percent_decode(value), false);
            encoded
        })
        .collect();
    pairs.sort();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// A header value trimmed, each inner run of spaces collapsed to one.
fn trim_into(out: &mut Vec<u8>, value: &[u8]) {
    let mut words = value
        .split(|byte| *byte == b' ' || *byte == b'\t')
        .filter(|word| !word.is_empty());
    if let Some(first) = words.next() {
        out.extend_from_slice(first);
        for word in words {
            out.push(b' ');
            out.extend_from_slice(word);
        }
    }
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
