//! The [`Shape`] trait and the macro that declares each structure of the API once: its
//! members, their AWS names, which are required, and the order AWS writes them in.

use kms_core::{KeyId, KeyMetadata};
use serde_json::Value;
use zeroize::Zeroize;

use crate::member::{Member, Path, mismatch};
use crate::write::Writer;
use crate::{Timestamps, WireError};

/// A request, response or model structure of the KMS API with its JSON 1.1 form: AWS's
/// member names, blobs in base64, timestamps as [`Timestamps`] says.
///
/// Implemented for every request and response of [`kms_core::Kms`] and every structure they
/// carry; `dispatch` requires it of each operation's types, so an operation without a shape
/// does not compile.
pub trait Shape: Sized {
    /// Reads it from a JSON body. An empty body reads as `{}`; unknown members are ignored.
    ///
    /// # Errors
    ///
    /// `SerializationException` for a body that is not a JSON object or a member of the wrong
    /// type, `ValidationException` for absent required members, and the backend's own
    /// error for a malformed key identifier (`NotFoundException`, as AWS answers).
    fn from_json(body: &[u8]) -> Result<Self, WireError>;

    /// Writes it as a JSON object, members in AWS's order, absent optional members left out.
    fn to_json(&self, timestamps: Timestamps) -> Vec<u8>;

    /// The key the structure names, for logs: the key ARN of a response, or a request's key
    /// identifier as the caller wrote it.
    fn key_hint(&self) -> Option<&str>;
}

/// A parsed body whose strings are all wiped on drop, so that a plaintext in base64 that
/// decoding did not take (because an earlier member failed) never stays behind.
struct WipedOnDrop(Value);

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        fn wipe(value: &mut Value) {
            match value {
                Value::String(text) => text.zeroize(),
                Value::Array(elements) => elements.iter_mut().for_each(wipe),
                Value::Object(members) => members.values_mut().for_each(wipe),
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
        wipe(&mut self.0);
    }
}

/// Reads a whole body as `T`; see [`Shape::from_json`].
pub(crate) fn decode_body<T: Member>(body: &[u8]) -> Result<T, WireError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let mut parsed = WipedOnDrop(serde_json::from_slice(body).map_err(|error| {
        WireError::serialization(format!("The request body is not valid JSON: {error}"))
    })?);
    if !parsed.0.is_object() {
        return Err(mismatch(&parsed.0, "Structure"));
    }
    T::decode(&mut parsed.0, &Path::Root)
}

/// Writes `value` as JSON.
pub(crate) fn encode_body<T: Member>(value: &T, timestamps: Timestamps) -> Vec<u8> {
    let mut out = Writer::new(timestamps);
    value.encode(&mut out);
    out.into_bytes()
}

/// A member that can name a key for [`Shape::key_hint`].
pub(crate) trait KeyText {
    /// The key it names, if any.
    fn key_text(&self) -> Option<&str>;
}

impl KeyText for String {
    fn key_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl KeyText for KeyId {
    fn key_text(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl KeyText for KeyMetadata {
    /// The key ARN, else the key ID.
    fn key_text(&self) -> Option<&str> {
        Some(self.arn.as_deref().unwrap_or(&self.key_id))
    }
}

impl<T: KeyText> KeyText for Option<T> {
    fn key_text(&self) -> Option<&str> {
        self.as_ref().and_then(KeyText::key_text)
    }
}

/// Builds the struct from its required members, in the order of the struct's `new`, which
/// is the order they are declared in: `None` for any of them is the `ValidationException`
/// for the absent members.
macro_rules! construct {
    ($name:ident $missing:ident [$($req:ident)*]) => {{
        #[allow(unreachable_patterns)]
        match ($($req,)*) {
            ($(Some($req),)*) => $name::new($($req),*),
            _ => return Err($crate::member::missing_members(&$missing)),
        }
    }};
    ($name:ident $missing:ident [$($req:ident)*] req $field:ident $($rest:ident)*) => {
        $crate::shape::construct!($name $missing [$($req)* $field] $($rest)*)
    };
    ($name:ident $missing:ident [$($req:ident)*] $kind:ident $field:ident $($rest:ident)*) => {
        $crate::shape::construct!($name $missing [$($req)*] $($rest)*)
    };
}

/// Reads one member into a local of its name: `Option` of the field's type (of the `Option`'s
/// content for `opt` members), recording an absent `req` member's path in `$missing`; an
/// `alt` member merges into the local of the member it is a deprecated name of.
macro_rules! decode_member {
    (req $field:ident $aws:literal $object:ident $path:ident $missing:ident) => {
        let $field =
            $crate::shape::typed($crate::member::take($object, $aws, $path)?, |s: &Self| {
                &s.$field
            });
        if $field.is_none() {
            $missing.push($crate::member::Path::Member($path, $aws).to_string());
        }
    };
    (def $field:ident $aws:literal $object:ident $path:ident $missing:ident) => {
        let $field =
            $crate::shape::typed($crate::member::take($object, $aws, $path)?, |s: &Self| {
                &s.$field
            });
    };
    (opt $field:ident $aws:literal $object:ident $path:ident $missing:ident) => {
        let $field = $crate::shape::typed_optional(
            $crate::member::take($object, $aws, $path)?,
            |s: &Self| &s.$field,
        );
    };
    (nyi $field:ident $aws:literal $object:ident $path:ident $missing:ident) => {
        $crate::shape::refuse_unimplemented($object, $aws)?;
    };
    (alt $field:ident $aws:literal $object:ident $path:ident $missing:ident) => {
        let $field = $crate::shape::merge_deprecated(
            $field,
            $crate::member::take($object, $aws, $path)?,
            $aws,
        )?;
    };
}

/// Stores a decoded `opt` or `def` member in the struct.
macro_rules! assign_member {
    (req $shape:ident $field:ident) => {};
    (alt $shape:ident $field:ident) => {};
    (nyi $shape:ident $field:ident) => {};
    (opt $shape:ident $field:ident) => {
        $shape.$field = $field;
    };
    (def $shape:ident $field:ident) => {
        if let Some($field) = $field {
            $shape.$field = $field;
        }
    };
}

/// Writes one member: `req` and `def` members always, `opt` members when set, `alt` names
/// never.
macro_rules! encode_member {
    (alt $self:ident $field:ident $aws:literal $out:ident) => {};
    (nyi $self:ident $field:ident $aws:literal $out:ident) => {};
    (opt $self:ident $field:ident $aws:literal $out:ident) => {
        if let Some(value) = &$self.$field {
            $out.key($aws);
            $crate::member::Member::encode(value, $out);
        }
    };
    ($kind:ident $self:ident $field:ident $aws:literal $out:ident) => {
        $out.key($aws);
        $crate::member::Member::encode(&$self.$field, $out);
    };
}

/// Declares the JSON form of structures of `kms_core`: for each, its members in AWS's order,
/// each `req` (required: absent is a `ValidationException`), `opt` (an `Option` field) or
/// `def` (a field with a default, kept when absent), with its AWS name, or `alt`: a deprecated
/// name of the `opt` member declared before it, read into the same field and never written;
/// or `nyi`: a member of AWS's model that `kms_core` does not carry (its name after `nyi` is
/// only a label), refused when given rather than silently ignored; and, after `key`, the
/// member that names the key the structure is about.
macro_rules! shapes {
    ($(
        $name:ident $(key $key:ident)? {
            $( $kind:ident $field:ident : $aws:literal, )*
        }
    )+) => {$(
        impl $crate::member::Member for $name {
            // Structures without members read neither the object nor the path.
            #[allow(unused_variables)]
            fn decode(
                value: &mut serde_json::Value,
                path: &$crate::member::Path<'_>,
            ) -> Result<Self, $crate::WireError> {
                let serde_json::Value::Object(object) = value else {
                    return Err($crate::member::mismatch(value, "Structure"));
                };
                #[allow(unused_mut)]
                let mut missing: Vec<String> = Vec::new();
                $( $crate::shape::decode_member!($kind $field $aws object path missing); )*
                #[allow(unused_mut)]
                let mut shape = $crate::shape::construct!($name missing [] $($kind $field)*);
                $( $crate::shape::assign_member!($kind shape $field); )*
                Ok(shape)
            }

            fn encode(&self, out: &mut $crate::write::Writer) {
                out.begin_object();
                $( $crate::shape::encode_member!($kind self $field $aws out); )*
                out.end_object();
            }
        }

        impl $crate::Shape for $name {
            fn from_json(body: &[u8]) -> Result<Self, $crate::WireError> {
                $crate::shape::decode_body(body)
            }

            fn to_json(&self, timestamps: $crate::Timestamps) -> Vec<u8> {
                $crate::shape::encode_body(self, timestamps)
            }

            fn key_hint(&self) -> Option<&str> {
                None $( .or($crate::shape::KeyText::key_text(&self.$key)) )?
            }
        }
    )+};
}

/// An `opt` member and its deprecated twin (`KeySpec` and `CustomerMasterKeySpec`): either
/// one, or both when they agree.
///
/// # Errors
///
/// A `ValidationException` naming both when they disagree. AWS documents the two as the same
/// parameter under two names; what it answers to two different values is not verified, and
/// refusing them is the choice that never acts on a value the caller did not mean.
pub(crate) fn merge_deprecated<T: PartialEq>(
    current: Option<T>,
    deprecated: Option<T>,
    deprecated_name: &str,
) -> Result<Option<T>, WireError> {
    match (current, deprecated) {
        (Some(current), Some(deprecated)) if current != deprecated => {
            Err(WireError::Kms(kms_core::Error::Validation {
                message: format!(
                    "{deprecated_name} is the deprecated name of a parameter also given under \
                     its current name, with another value; give one of them"
                ),
            }))
        }
        (current, deprecated) => Ok(current.or(deprecated)),
    }
}

/// Refuses a member of AWS's model that the request types do not carry (such as `Recipient`,
/// which changes what `Decrypt` answers), when it is given and not `null`: ignoring it would
/// answer another question than the one asked.
///
/// # Errors
///
/// `NotImplemented` naming the member.
pub(crate) fn refuse_unimplemented(
    object: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<(), WireError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(()),
        Some(_) => Err(WireError::Kms(kms_core::Error::NotImplemented {
            message: format!("the {name} parameter is not implemented by this endpoint"),
        })),
    }
}

/// `value`, its type tied to the struct field `field` projects to, so that the macros need
/// not name the field's type.
pub(crate) fn typed<S, T>(value: Option<T>, _field: fn(&S) -> &T) -> Option<T> {
    value
}

/// [`typed`] for an `Option` field: the type is the `Option`'s content.
pub(crate) fn typed_optional<S, T>(value: Option<T>, _field: fn(&S) -> &Option<T>) -> Option<T> {
    value
}

pub(crate) use {assign_member, construct, decode_member, encode_member, shapes};
