//! How each type of member reads from and writes to JSON: the [`Member`] codec trait and its
//! implementation for every field type of the API's structs.
//!
//! Decoding errors are worded as the crate documentation ("How requests are read") says and
//! why. A `null` inside a list or map is refused rather than dropped, since dropping it would
//! silently change the request (an encryption context that loses a pair).

use std::fmt;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_core::{
    AlgorithmSpec, DataKeyPairSpec, DataKeySpec, EncapsulationAlgorithmSpec,
    EncryptionAlgorithmSpec, EncryptionContext, Error, ExpirationModelType, ImportState,
    ImportType, IncludeKeyMaterial, KeyAgreementAlgorithmSpec, KeyId, KeyManagerType,
    KeyMaterialState, KeySpec, KeyState, KeyUsage, MacAlgorithmSpec, MessageType,
    MultiRegionKeyType, OriginType, RotationType, SecretBytes, SigningAlgorithmSpec,
    WrappingKeySpec,
};
use serde_json::{Map, Value};
use zeroize::Zeroize;

use crate::WireError;
use crate::timestamp::from_epoch_seconds;
use crate::write::Writer;

/// Where a member sits in the request, printed as AWS's validation messages print it:
/// lowerCamelCase names, list elements as `<list>.<1-based index>.member`
/// (`tags.1.member.tagKey`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The request itself.
    Root,
    /// A member of a structure, by its AWS (PascalCase) name.
    Member(&'a Path<'a>, &'static str),
    /// An element of a list, from 0.
    Element(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => Ok(()),
            Self::Member(parent, name) => {
                if !matches!(parent, Self::Root) {
                    write!(f, "{parent}.")?;
                }
                let mut chars = name.chars();
                if let Some(first) = chars.next() {
                    write!(f, "{}{}", first.to_ascii_lowercase(), chars.as_str())?;
                }
                Ok(())
            }
            Self::Element(parent, index) => write!(f, "{parent}.{}.member", index + 1),
        }
    }
}

/// A type that a member of a request or response has: how it reads from a JSON value and
/// writes to JSON.
pub(crate) trait Member: Sized {
    /// Reads the member from `value`, taking out of it what it keeps (so that what stays
    /// behind can be wiped).
    fn decode(value: &mut Value, path: &Path<'_>) -> Result<Self, WireError>;

    /// Writes the member.
    fn encode(&self, out: &mut Writer);
}

/// The JSON token of `value`, in the words of AWS's messages.
fn token(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Null => "NULL_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The `SerializationException` for `value` where a `expected` belongs.
pub(crate) fn mismatch(value: &Value, expected: &str) -> WireError {
    match value {
        Value::Object(_) => {
            WireError::serialization("Start of structure or map found where not expected.")
        }
        Value::Array(_) => WireError::serialization("Start of list found where not expected."),
        scalar => WireError::serialization(format!(
            "{} cannot be converted to {expected}",
            token(scalar)
        )),
    }
}

/// Reads the member `name` of `object`; `None` when absent or `null`.
pub(crate) fn take<T: Member>(
    object: &mut Map<String, Value>,
    name: &'static str,
    path: &Path<'_>,
) -> Result<Option<T>, WireError> {
    match object.get_mut(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::decode(value, &Path::Member(path, name)).map(Some),
    }
}

/// The `ValidationException` for required members that are absent, in AWS's grammar:
/// `1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member
/// must not be null`, the violations joined with `; ` when there are several.
pub(crate) fn missing_members(paths: &[String]) -> WireError {
    let count = paths.len();
    let plural = if count == 1 { "error" } else { "errors" };
    let violations: Vec<String> = paths
        .iter()
        .map(|path| {
            format!("Value null at '{path}' failed to satisfy constraint: Member must not be null")
        })
        .collect();
    WireError::Kms(Error::Validation {
        message: format!(
            "{count} validation {plural} detected: {}",
            violations.join("; ")
        ),
    })
}

/// Takes the string out of `value`.
fn take_string(value: &mut Value) -> Result<String, WireError> {
    match value {
        Value::String(text) => Ok(std::mem::take(text)),
        other => Err(mismatch(other, "String")),
    }
}

impl Member for String {
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        take_string(value)
    }

    fn encode(&self, out: &mut Writer) {
        out.string(self);
    }
}

impl Member for KeyId {
    /// Any of the four forms; anything else is the backend's own `NotFoundException`
    /// (`Invalid keyId '…'`), as AWS answers it.
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        Ok(KeyId::parse(&take_string(value)?)?)
    }

    fn encode(&self, out: &mut Writer) {
        out.string(self.as_str());
    }
}

impl Member for bool {
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        match value {
            Value::Bool(value) => Ok(*value),
            other => Err(mismatch(other, "Boolean")),
        }
    }

    fn encode(&self, out: &mut Writer) {
        out.bool(*self);
    }
}

/// The smallest value the service model allows for the integer member at `path`: 90 for
/// `RotationPeriodInDays`, 1 for every other integer member of the API (`Limit`,
/// `NumberOfBytes`, `PendingWindowInDays`).
fn integer_minimum(path: &Path<'_>) -> i64 {
    match path {
        Path::Member(_, "RotationPeriodInDays") => 90,
        _ => 1,
    }
}

impl Member for u32 {
    /// AWS's `Integer`: a JSON number in the 32-bit signed range, a fraction truncated toward
    /// zero (as AWS's JSON framework truncates). A negative number, which the model's minimum
    /// refuses, is the `ValidationException` for that minimum.
    fn decode(value: &mut Value, path: &Path<'_>) -> Result<Self, WireError> {
        let Value::Number(number) = value else {
            return Err(mismatch(value, "Integer"));
        };
        let whole = match (number.as_i64(), number.as_f64()) {
            (Some(whole), _) => Some(whole),
            // Truncation toward zero is the point; the range is checked next.
            #[allow(clippy::cast_possible_truncation)]
            (None, Some(float)) if float.is_finite() && float.abs() < 1e15 => Some(float as i64),
            _ => None,
        };
        let Some(whole) = whole.filter(|w| i32::try_from(*w).is_ok()) else {
            return Err(WireError::serialization(format!(
                "Numeric value ({number}) out of range of int"
            )));
        };
        u32::try_from(whole).map_err(|_| {
            let minimum = integer_minimum(path);
            WireError::Kms(Error::constraint(
                Some(&whole),
                &path.to_string(),
                &format!("have value greater than or equal to {minimum}"),
            ))
        })
    }

    fn encode(&self, out: &mut Writer) {
        out.integer(*self);
    }
}

impl Member for SystemTime {
    /// Epoch seconds, a JSON number (with or without a fraction or an exponent).
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        let Value::Number(number) = value else {
            return Err(mismatch(value, "Timestamp"));
        };
        number
            .as_f64()
            .and_then(from_epoch_seconds)
            .ok_or_else(|| WireError::serialization(format!("Timestamp out of range: {number}")))
    }

    fn encode(&self, out: &mut Writer) {
        out.timestamp(*self);
    }
}

/// Decodes standard base64 (with padding) into `Vec<u8>`; errors name the offset, never
/// the text.
fn decode_base64(text: &str) -> Result<Vec<u8>, WireError> {
    if !text.len().is_multiple_of(4) {
        return Err(WireError::serialization(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            text.len()
        )));
    }
    STANDARD.decode(text).map_err(|error| {
        use base64::DecodeError;
        WireError::serialization(match error {
            DecodeError::InvalidByte(offset, _) | DecodeError::InvalidLastSymbol(offset, _) => {
                format!("Invalid Base64 character at offset {offset}")
            }
            DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => {
                "Invalid Base64 padding".to_owned()
            }
        })
    })
}

impl Member for Vec<u8> {
    /// A blob: a standard base64 string.
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        match value {
            Value::String(text) => decode_base64(text),
            other => Err(mismatch(other, "Blob")),
        }
    }

    fn encode(&self, out: &mut Writer) {
        out.base64(self);
    }
}

impl Member for SecretBytes {
    /// A secret blob: decoded into [`SecretBytes`] (whose conversion from `Vec` leaves no
    /// unwiped copy), and the base64 text it came from wiped.
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        match value {
            Value::String(text) => {
                let decoded = decode_base64(text);
                text.zeroize();
                decoded.map(SecretBytes::from)
            }
            other => Err(mismatch(other, "Blob")),
        }
    }

    fn encode(&self, out: &mut Writer) {
        out.base64(self.expose_secret());
    }
}

impl Member for EncryptionContext {
    /// A JSON object of strings.
    fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
        let Value::Object(pairs) = value else {
            return Err(mismatch(value, "Map"));
        };
        let mut context = EncryptionContext::new();
        for (key, value) in pairs.iter_mut() {
            context.insert(key.clone(), take_string(value)?);
        }
        Ok(context)
    }

    fn encode(&self, out: &mut Writer) {
        out.begin_object();
        for (key, value) in self.iter() {
            out.key(key);
            out.string(value);
        }
        out.end_object();
    }
}

impl<T: Member> Member for Vec<T> {
    /// A JSON array.
    fn decode(value: &mut Value, path: &Path<'_>) -> Result<Self, WireError> {
        let Value::Array(elements) = value else {
            return Err(mismatch(value, "List"));
        };
        elements
            .iter_mut()
            .enumerate()
            .map(|(index, element)| T::decode(element, &Path::Element(path, index)))
            .collect()
    }

    fn encode(&self, out: &mut Writer) {
        out.begin_array();
        for element in self {
            out.element();
            element.encode(out);
        }
        out.end_array();
    }
}

/// Implements [`Member`] for enums: a string, any string (the backend refuses values it does
/// not know, naming the member, as AWS does).
macro_rules! enum_members {
    ($($name:ident)+) => {$(
        impl Member for $name {
            fn decode(value: &mut Value, _path: &Path<'_>) -> Result<Self, WireError> {
                take_string(value).map($name::from)
            }

            fn encode(&self, out: &mut Writer) {
                out.string(self.as_str());
            }
        }
    )+};
}

enum_members! {
    KeySpec KeyUsage KeyState EncryptionAlgorithmSpec SigningAlgorithmSpec MacAlgorithmSpec
    KeyAgreementAlgorithmSpec OriginType KeyManagerType ExpirationModelType DataKeySpec
    DataKeyPairSpec RotationType KeyMaterialState ImportState IncludeKeyMaterial MessageType
    EncapsulationAlgorithmSpec MultiRegionKeyType AlgorithmSpec WrappingKeySpec ImportType
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_aws_prints_them() {
        let tags = Path::Member(&Path::Root, "Tags");
        let first = Path::Element(&tags, 0);
        assert_eq!(
            Path::Member(&first, "TagKey").to_string(),
            "tags.1.member.tagKey"
        );
        assert_eq!(Path::Member(&Path::Root, "KeyId").to_string(), "keyId");
    }
}
