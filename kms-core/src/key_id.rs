//! Key identifiers in the four forms AWS accepts, and ARNs.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The longest key identifier AWS accepts (`KeyIdType`).
const MAX_KEY_ID_LEN: usize = 2048;
/// The longest alias name AWS accepts (`AliasNameType`).
pub const MAX_ALIAS_NAME_LEN: usize = 256;
/// The prefix every alias name starts with.
pub const ALIAS_PREFIX: &str = "alias/";

/// An identifier of a key in one of the four forms AWS KMS accepts.
///
/// | Form | Example |
/// |---|---|
/// | key ID | `1234abcd-12ab-34cd-56ef-1234567890ab` (or `mrk-` and 32 hex digits) |
/// | key ARN | `arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab` |
/// | alias name | `alias/ExampleAlias` |
/// | alias ARN | `arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias` |
///
/// Anything else is rejected as AWS rejects it: `NotFoundException` with the message
/// `Invalid keyId '<text>'`.
///
/// ```
/// use kms_core::{KeyId, KeyIdForm};
///
/// let id: KeyId = "alias/key1".parse()?;
/// assert_eq!(id.form(), KeyIdForm::AliasName);
/// assert_eq!(id.as_str(), "alias/key1");
///
/// let err = "fake-key-id".parse::<KeyId>().unwrap_err();
/// assert_eq!(err.to_string(), "NotFoundException: Invalid keyId 'fake-key-id'");
/// # Ok::<(), kms_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId {
    text: String,
    form: KeyIdForm,
    arn: Option<Arn>,
}

/// Which of the four forms a [`KeyId`] has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyIdForm {
    /// A bare key ID.
    KeyId,
    /// A key ARN.
    KeyArn,
    /// An alias name, `alias/…`.
    AliasName,
    /// An alias ARN.
    AliasArn,
}

impl KeyId {
    /// Parses any of the four forms.
    ///
    /// # Errors
    ///
    /// `NotFoundException` (`Invalid keyId '<text>'`) for anything that is not one of them.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || Error::NotFound {
            message: format!("Invalid keyId '{text}'"),
        };
        if text.is_empty() || text.len() > MAX_KEY_ID_LEN {
            return Err(invalid());
        }
        let (form, arn) = if text.starts_with("arn:") {
            let arn = Arn::parse(text).ok_or_else(invalid)?;
            match arn.resource_type() {
                "key" if is_key_id(arn.resource_id()) => (KeyIdForm::KeyArn, Some(arn)),
                "alias" if is_alias_name_body(arn.resource_id()) => {
                    (KeyIdForm::AliasArn, Some(arn))
                }
                _ => return Err(invalid()),
            }
        } else if let Some(name) = text.strip_prefix(ALIAS_PREFIX) {
            if !is_alias_name_body(name) {
                return Err(invalid());
            }
            (KeyIdForm::AliasName, None)
        } else if is_key_id(text) {
            (KeyIdForm::KeyId, None)
        } else {
            return Err(invalid());
        };
        Ok(Self {
            text: text.to_owned(),
            form,
            arn,
        })
    }

    /// The identifier exactly as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its form.
    pub fn form(&self) -> KeyIdForm {
        self.form
    }

    /// The ARN, for the two ARN forms.
    pub fn arn(&self) -> Option<&Arn> {
        self.arn.as_ref()
    }

    /// Whether it names an alias rather than a key.
    pub fn is_alias(&self) -> bool {
        matches!(self.form, KeyIdForm::AliasName | KeyIdForm::AliasArn)
    }

    /// The bare key ID, for the key ID and key ARN forms.
    pub fn key_id(&self) -> Option<&str> {
        match self.form {
            KeyIdForm::KeyId => Some(&self.text),
            KeyIdForm::KeyArn => self.arn.as_ref().map(Arn::resource_id),
            KeyIdForm::AliasName | KeyIdForm::AliasArn => None,
        }
    }

    /// The alias name (`alias/…`), for the two alias forms.
    pub fn alias_name(&self) -> Option<&str> {
        match self.form {
            KeyIdForm::AliasName => Some(&self.text),
            KeyIdForm::AliasArn => self.arn.as_ref().map(|arn| &arn.text[arn.resource_start..]),
            KeyIdForm::KeyId | KeyIdForm::KeyArn => None,
        }
    }
}

impl FromStr for KeyId {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl TryFrom<&str> for KeyId {
    type Error = Error;

    fn try_from(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl TryFrom<String> for KeyId {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        Self::parse(&text)
    }
}

impl From<&KeyId> for KeyId {
    fn from(id: &KeyId) -> Self {
        id.clone()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:?})", self.text)
    }
}

/// An Amazon Resource Name of a KMS key or alias:
/// `arn:<partition>:kms:<region>:<account>:<key|alias>/<id>`.
///
/// ```
/// let arn = kms_core::Arn::for_key("aws", "eu-west-1", "111122223333",
///     "1234abcd-12ab-34cd-56ef-1234567890ab");
/// assert_eq!(arn.to_string(),
///     "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
/// assert_eq!(arn.region(), "eu-west-1");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    partition_end: usize,
    region: (usize, usize),
    account: (usize, usize),
    resource_start: usize,
    id_start: usize,
}

impl Arn {
    /// The ARN of a key.
    pub fn for_key(partition: &str, region: &str, account: &str, key_id: &str) -> Self {
        Self::build(partition, region, account, "key", key_id)
    }

    /// The ARN of an alias; `alias_name` is the full `alias/…` name.
    pub fn for_alias(partition: &str, region: &str, account: &str, alias_name: &str) -> Self {
        let name = alias_name.strip_prefix(ALIAS_PREFIX).unwrap_or(alias_name);
        Self::build(partition, region, account, "alias", name)
    }

    fn build(partition: &str, region: &str, account: &str, kind: &str, id: &str) -> Self {
        let text = format!("arn:{partition}:kms:{region}:{account}:{kind}/{id}");
        let partition_end = 4 + partition.len();
        let region_start = partition_end + 5;
        let account_start = region_start + region.len() + 1;
        let resource_start = account_start + account.len() + 1;
        Self {
            partition_end,
            region: (region_start, region_start + region.len()),
            account: (account_start, account_start + account.len()),
            resource_start,
            id_start: resource_start + kind.len() + 1,
            text,
        }
    }

    /// Parses a KMS ARN; `None` if `text` is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("kms"), Some(region), Some(account), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let valid_partition = matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
            || (partition.starts_with("aws-") && is_label(partition));
        let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        let (kind, id) = rest.split_once('/')?;
        if !valid_partition || !is_label(region) || !valid_account || id.is_empty() {
            return None;
        }
        if kind != "key" && kind != "alias" {
            return None;
        }
        Some(Self::build(partition, region, account, kind, id))
    }

    /// The partition, such as `aws`.
    pub fn partition(&self) -> &str {
        &self.text[4..self.partition_end]
    }

    /// The region, such as `us-east-1`.
    pub fn region(&self) -> &str {
        &self.text[self.region.0..self.region.1]
    }

    /// The 12-digit account ID.
    pub fn account(&self) -> &str {
        &self.text[self.account.0..self.account.1]
    }

    /// `key` or `alias`.
    pub fn resource_type(&self) -> &str {
        &self.text[self.resource_start..self.id_start - 1]
    }

    /// The key ID, or the alias name without its `alias/` prefix.
    pub fn resource_id(&self) -> &str {
        &self.text[self.id_start..]
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arn({:?})", self.text)
    }
}

/// A lowercase region or partition label: letters, digits and dashes.
fn is_label(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A key ID: a UUID in its 8-4-4-4-12 form, or `mrk-` and 32 hex digits.
pub fn is_key_id(text: &str) -> bool {
    if let Some(hex) = text.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether `name` is a well-formed alias name: `alias/` then 1 or more of `[a-zA-Z0-9:/_-]`,
/// at most 256 characters in all. (`alias/aws/` names are well-formed but reserved.)
pub fn is_alias_name(name: &str) -> bool {
    name.strip_prefix(ALIAS_PREFIX)
        .is_some_and(is_alias_name_body)
}

/// The part of an alias name after `alias/`: 1 or more of `[a-zA-Z0-9:/_-]`, with the whole
/// name at most 256 characters.
fn is_alias_name_body(name: &str) -> bool {
    !name.is_empty()
        && ALIAS_PREFIX.len() + name.len() <= MAX_ALIAS_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn parses_the_four_forms() -> Result<()> {
        let id = KeyId::parse(ID)?;
        assert_eq!((id.form(), id.key_id()), (KeyIdForm::KeyId, Some(ID)));

        let arn = format!("arn:aws:kms:us-east-2:111122223333:key/{ID}");
        let id = KeyId::parse(&arn)?;
        assert_eq!((id.form(), id.key_id()), (KeyIdForm::KeyArn, Some(ID)));
        assert_eq!(id.arn().map(Arn::region), Some("us-east-2"));
        assert_eq!(id.arn().map(Arn::account), Some("111122223333"));

        let id = KeyId::parse("alias/my-key_1")?;
        assert_eq!(
            (id.form(), id.alias_name()),
            (KeyIdForm::AliasName, Some("alias/my-key_1"))
        );

        let id = KeyId::parse("arn:aws-cn:kms:cn-north-1:111122223333:alias/app/prod")?;
        assert_eq!(
            (id.form(), id.alias_name()),
            (KeyIdForm::AliasArn, Some("alias/app/prod"))
        );
        assert_eq!(id.arn().map(Arn::partition), Some("aws-cn"));

        let mrk = KeyId::parse("mrk-1234abcd12ab34cd56ef1234567890ab")?;
        assert_eq!(mrk.form(), KeyIdForm::KeyId);
        Ok(())
    }

    #[test]
    fn rejects_everything_else_as_aws_does() {
        for bad in [
            "",
            "fake-key-id",
            "1234abcd12ab34cd56ef1234567890ab",
            "mrk-fake-key-id",
            "alias/",
            "alias/has space",
            "arn:aws:kms:us-east-1:1111:key/abc",
            "arn:aws:s3:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:111122223333:grant/x",
        ] {
            let err = KeyId::parse(bad).err();
            assert_eq!(
                err.map(|e| e.to_string()),
                Some(format!("NotFoundException: Invalid keyId '{bad}'")),
                "{bad:?}"
            );
        }
        let long = format!("alias/{}", "a".repeat(251));
        assert!(KeyId::parse(&long).is_err());
        assert!(KeyId::parse(&long[..256]).is_ok());
    }

    #[test]
    fn builds_arns() {
        let arn = Arn::for_alias("aws", "eu-west-1", "111122223333", "alias/key1");
        assert_eq!(
            arn.as_str(),
            "arn:aws:kms:eu-west-1:111122223333:alias/key1"
        );
        assert_eq!(arn.resource_type(), "alias");
        assert_eq!(arn.resource_id(), "key1");
        assert_eq!(Arn::parse(arn.as_str()), Some(arn));
    }
}
