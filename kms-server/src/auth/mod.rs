//! Who is calling, and from which region: SigV4's credential scope, verified when the
//! server has a credentials table.
//!
//! By default ([`Authentication::AcceptAny`]) any signature is accepted, as other local KMS
//! servers do; only the region is read from the credential scope. With
//! [`Authentication::Verify`] every request must carry a SigV4 signature, made with the
//! secret of an access key of the table, over the headers it names and the body as
//! received, at most 5 minutes from the server's clock; failures are answered as AWS
//! answers them.

mod credentials;
mod error;
mod sigv4;

use http::HeaderMap;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

pub use credentials::{Credential, Credentials, CredentialsError};
pub use error::AuthError;
pub(crate) use sigv4::{SignedRequest, parse_authorization};

/// The service name in the credential scope of KMS requests.
pub(crate) const SERVICE: &str = "kms";

/// How far a request's `X-Amz-Date` may be from the server's clock.
const MAX_SKEW: Duration = Duration::minutes(5);

/// How a server authenticates requests.
#[derive(Debug, Default)]
pub enum Authentication {
    /// Any signature, or none, is accepted; the region is read from the credential scope
    /// when there is one.
    #[default]
    AcceptAny,
    /// Every request must be signed with SigV4 by a credential of the table.
    Verify(Credentials),
}

/// The caller of an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The region of the credential scope; `None` for an unsigned request.
    pub(crate) region: Option<String>,
    /// Who signed, when signatures are verified.
    pub(crate) identity: Option<Identity>,
}

/// The account and principal of a verified credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The 12-digit account.
    pub(crate) account: String,
    /// The principal ARN.
    pub(crate) principal: String,
}

impl Authentication {
    /// Whether signatures are verified.
    pub fn verifies(&self) -> bool {
        matches!(self, Self::Verify(_))
    }

    /// Authenticates a request at the time `now`.
    pub(crate) fn authenticate(
        &self,
        request: &SignedRequest<'_>,
        now: OffsetDateTime,
    ) -> Result<Caller, AuthError> {
        let header = request.headers.get(http::header::AUTHORIZATION);
        match self {
            Self::AcceptAny => {
                // A header that is not SigV4 is ignored, as the signature is.
                let region = header
                    .and_then(|header| header.to_str().ok())
                    .and_then(|header| sigv4::parse_authorization(header).ok())
                    .map(|authorization| authorization.region.to_owned());
                if let Some(region) = &region {
                    check_region(region)?;
                }
                Ok(Caller {
                    region,
                    identity: None,
                })
            }
            Self::Verify(credentials) => {
                let header = header
                    .ok_or(AuthError::MissingAuthenticationToken)?
                    .to_str()
                    .map_err(|_| {
                        AuthError::incomplete("Authorization header is not valid ASCII text.")
                    })?;
                verify(credentials, request, header, now)
            }
        }
    }
}

/// Verifies a SigV4 `Authorization` header, in AWS's order of checks.
fn verify(
    credentials: &Credentials,
    request: &SignedRequest<'_>,
    header: &str,
    now: OffsetDateTime,
) -> Result<Caller, AuthError> {
    let authorization = sigv4::parse_authorization(header)?;
    let amz_date = amz_date(request.headers).ok_or_else(|| {
        AuthError::incomplete(format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header. Authorization={}",
            sigv4::ALGORITHM
        ))
    })?;
    let credential = credentials
        .get(authorization.access_key_id)
        .ok_or(AuthError::UnrecognizedClient)?;
    if authorization.terminator != sigv4::TERMINATOR {
        return Err(AuthError::InvalidSignature {
            message: format!(
                "Credential should be scoped with a valid terminator: '{}', not '{}'.",
                sigv4::TERMINATOR,
                authorization.terminator
            ),
        });
    }
    if authorization.service != SERVICE {
        return Err(AuthError::InvalidSignature {
            message: format!("Credential should be scoped to correct service: '{SERVICE}'."),
        });
    }
    check_region(authorization.region)?;
    let (amz_date_text, time) = amz_date;
    if !amz_date_text.starts_with(authorization.date) || authorization.date.len() != 8 {
        return Err(AuthError::InvalidSignature {
            message: format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of \
                 date from HTTP: '{}' != '{}', from '{amz_date_text}'.",
                authorization.date,
                amz_date_text.get(..8).unwrap_or(amz_date_text)
            ),
        });
    }
    check_skew(amz_date_text, time, now)?;
    if !authorization.signed_headers.contains(&"host") {
        return Err(AuthError::InvalidSignature {
            message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
                .to_owned(),
        });
    }
    check_signature(request, &authorization, amz_date_text, credential.secret())?;
    Ok(Caller {
        region: Some(authorization.region.to_owned()),
        identity: Some(Identity {
            account: credential.account().to_owned(),
            principal: credential.principal().to_owned(),
        }),
    })
}

/// Whether the signature is the one the secret gives for this request.
fn check_signature(
    request: &SignedRequest<'_>,
    authorization: &sigv4::Authorization<'_>,
    amz_date: &str,
    secret: &[u8],
) -> Result<(), AuthError> {
    let canonical = sigv4::canonical_request(request, &authorization.signed_headers);
    let string_to_sign = sigv4::string_to_sign(amz_date, &authorization.scope(), &canonical);
    let expected = sigv4::signature(secret, authorization, &string_to_sign);
    if bool::from(
        expected
            .as_bytes()
            .ct_eq(authorization.signature.as_bytes()),
    ) {
        Ok(())
    } else {
        Err(AuthError::mismatch())
    }
}

/// The request's `X-Amz-Date`, as written and parsed.
fn amz_date(headers: &HeaderMap) -> Option<(&str, OffsetDateTime)> {
    let text = headers.get("x-amz-date")?.to_str().ok()?;
    Some((text, sigv4::parse_amz_date(text)?))
}

/// AWS's "Signature expired" and "Signature not yet current" answers for a request time
/// more than 5 minutes away from the server's clock.
fn check_skew(amz_date: &str, time: OffsetDateTime, now: OffsetDateTime) -> Result<(), AuthError> {
    if time < now - MAX_SKEW {
        return Err(AuthError::InvalidSignature {
            message: format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
                sigv4::format_amz_date(now - MAX_SKEW),
                sigv4::format_amz_date(now)
            ),
        });
    }
    if time > now + MAX_SKEW {
        return Err(AuthError::InvalidSignature {
            message: format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
                sigv4::format_amz_date(now + MAX_SKEW),
                sigv4::format_amz_date(now)
            ),
        });
    }
    Ok(())
}

/// A region name as AWS writes them (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
fn check_region(region: &str) -> Result<(), AuthError> {
    let valid = (1..=32).contains(&region.len())
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.contains("--")
        && !region.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(AuthError::InvalidSignature {
            message: format!("Credential should be scoped to a valid region, not '{region}'."),
        })
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
