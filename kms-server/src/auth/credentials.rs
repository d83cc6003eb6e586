//! The credentials file: who may call the server, with which secret, in which account.
//!
//! ```toml
//! [[credentials]]
//! access_key_id = "AKIAIOSFODNN7EXAMPLE"
//! secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
//! account = "111122223333"
//! # Optional; the account root (arn:aws:iam::ACCOUNT:root) by default.
//! principal = "arn:aws:iam::111122223333:user/alice"
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use kms_core::SecretBytes;
use serde::Deserialize;

/// One caller: an access key, its secret, its account and principal.
pub struct Credential {
    /// The access key ID, as in `Credential=AKID/...`.
    access_key_id: String,
    /// The secret access key.
    secret: SecretBytes,
    /// The 12-digit account.
    account: String,
    /// The principal ARN.
    principal: String,
}

impl Credential {
    /// A credential; the principal is the account root.
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] naming the value when the access key ID is empty or the
    /// account is not 12 digits.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: &str,
        account: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let access_key_id = access_key_id.into();
        let account = account.into();
        if access_key_id.is_empty() || !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CredentialsError::new(format!(
                "access_key_id '{access_key_id}' must be letters and digits, such as \
                 'AKIAIOSFODNN7EXAMPLE'"
            )));
        }
        if secret_access_key.is_empty() {
            return Err(CredentialsError::new(format!(
                "secret_access_key of '{access_key_id}' is empty"
            )));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CredentialsError::new(format!(
                "account '{account}' of '{access_key_id}' must be 12 digits, such as \
                 '111122223333'"
            )));
        }
        Ok(Self {
            principal: format!("arn:aws:iam::{account}:root"),
            secret: SecretBytes::copy_from_slice(secret_access_key.as_bytes()),
            access_key_id,
            account,
        })
    }

    /// Replaces the principal ARN.
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] when `principal` is not an IAM ARN of the credential's account.
    pub fn with_principal(
        mut self,
        principal: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let principal = principal.into();
        let prefix = format!(":iam::{}:", self.account);
        if !principal.starts_with("arn:aws") || !principal.contains(&prefix) {
            return Err(CredentialsError::new(format!(
                "principal '{principal}' of '{}' must be an IAM ARN of account {}, such as \
                 'arn:aws:iam::{}:user/alice'",
                self.access_key_id, self.account, self.account
            )));
        }
        self.principal = principal;
        Ok(self)
    }

    /// The access key ID.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The account.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The principal ARN.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The secret access key.
    pub(crate) fn secret(&self) -> &[u8] {
        self.secret.expose_secret()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account", &self.account)
            .field("principal", &self.principal)
            .finish()
    }
}

/// The credentials a server accepts, by access key ID.
#[derive(Debug, Default)]
pub struct Credentials {
    by_access_key: HashMap<String, Credential>,
}

/// A credentials file that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CredentialsError {
    message: String,
}

impl CredentialsError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// The file as written, before checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    credentials: Vec<EntryShape>,
}

/// One `[[credentials]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryShape {
    access_key_id: String,
    secret_access_key: String,
    account: String,
    principal: Option<String>,
}

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a credential.
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] when its access key ID is taken already.
    pub fn with(mut self, credential: Credential) -> Result<Self, CredentialsError> {
        if self.by_access_key.contains_key(credential.access_key_id()) {
            return Err(CredentialsError::new(format!(
                "access_key_id '{}' appears twice",
                credential.access_key_id()
            )));
        }
        self.by_access_key
            .insert(credential.access_key_id.clone(), credential);
        Ok(self)
    }

    /// Reads a credentials file (TOML, see the module documentation).
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] naming the file and what is wrong: unreadable, not TOML, an
    /// unknown or missing field, a bad value, a repeated access key, no entry at all.
    pub fn from_file(path: &Path) -> Result<Self, CredentialsError> {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|err| {
            CredentialsError::new(format!(
                "cannot read credentials file {}: {err}",
                path.display()
            ))
        })?);
        Self::from_toml(&text).map_err(|err| {
            CredentialsError::new(format!(
                "credentials file {}: {}",
                path.display(),
                err.message
            ))
        })
    }

    /// Parses the text of a credentials file.
    ///
    /// # Errors
    ///
    /// As [`Credentials::from_file`].
    pub fn from_toml(text: &str) -> Result<Self, CredentialsError> {
        // toml's messages quote the offending line, which may hold a secret: only the
        // position and the kind of problem are kept.
        let shape: FileShape = toml::from_str(text).map_err(|err| {
            let position = err
                .span()
                .map(|span| format!(" at line {}", line_of(text, span.start)))
                .unwrap_or_default();
            CredentialsError::new(format!(
                "not a valid credentials file{position}: {}",
                err.message()
            ))
        })?;
        if shape.credentials.is_empty() {
            return Err(CredentialsError::new("no [[credentials]] entry"));
        }
        shape
            .credentials
            .into_iter()
            .try_fold(Self::new(), |credentials, entry| {
                let secret = zeroize::Zeroizing::new(entry.secret_access_key);
                let mut credential = Credential::new(entry.access_key_id, &secret, entry.account)?;
                if let Some(principal) = entry.principal {
                    credential = credential.with_principal(principal)?;
                }
                credentials.with(credential)
            })
    }

    /// The credential of an access key ID.
    pub fn get(&self, access_key_id: &str) -> Option<&Credential> {
        self.by_access_key.get(access_key_id)
    }

    /// How many credentials there are.
    pub fn len(&self) -> usize {
        self.by_access_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_access_key.is_empty()
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn reads_entries_with_and_without_a_principal() {
        let credentials = Credentials::from_toml(&format!(
            "[[credentials]]\naccess_key_id = \"AKIDA\"\nsecret_access_key = \"{SECRET}\"\n\
             account = \"111122223333\"\n\n[[credentials]]\naccess_key_id = \"AKIDB\"\n\
             secret_access_key = \"other\"\naccount = \"444455556666\"\n\
             principal = \"arn:aws:iam::444455556666:user/alice\"\n"
        ))
        .unwrap();
        assert_eq!(credentials.len(), 2);
        let first = credentials.get("AKIDA").unwrap();
        assert_eq!(first.account(), "111122223333");
        assert_eq!(first.principal(), "arn:aws:iam::111122223333:root");
        assert_eq!(first.secret(), SECRET.as_bytes());
        let second = credentials.get("AKIDB").unwrap();
        assert_eq!(second.principal(), "arn:aws:iam::444455556666:user/alice");
        assert!(credentials.get("AKIDC").is_none());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let credential = Credential::new("AKIDA", SECRET, "111122223333").unwrap();
        let debug = format!("{credential:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn refuses_bad_files_by_name_without_quoting_secrets() {
        let entry = |key: &str, account: &str, extra: &str| {
            format!(
                "[[credentials]]\naccess_key_id = \"{key}\"\nsecret_access_key = \"{SECRET}\"\n\
                 account = \"{account}\"\n{extra}"
            )
        };
        let cases = [
            (
                entry("AKIDA", "12", ""),
                "account '12' of 'AKIDA' must be 12 digits",
            ),
            (
                entry("", "111122223333", ""),
                "access_key_id '' must be letters and digits",
            ),
            (
                entry(
                    "AKIDA",
                    "111122223333",
                    "principal = \"arn:aws:iam::999999999999:root\"\n",
                ),
                "principal 'arn:aws:iam::999999999999:root' of 'AKIDA' must be an IAM ARN of account 111122223333",
            ),
            (
                entry("AKIDA", "111122223333", "secret = \"x\"\n"),
                "not a valid credentials file at line 5: unknown field `secret`",
            ),
            (
                format!(
                    "{}{}",
                    entry("AKIDA", "111122223333", ""),
                    entry("AKIDA", "444455556666", "")
                ),
                "access_key_id 'AKIDA' appears twice",
            ),
            ("credentials = []\n".to_owned(), "no [[credentials]] entry"),
            (
                format!("[[credentials]]\nsecret_access_key = \"{SECRET}\"\n"),
                "not a valid credentials file at line 1: missing field `access_key_id`",
            ),
        ];
        for (text, expected) in cases {
            let message = Credentials::from_toml(&text).unwrap_err().to_string();
            assert!(message.starts_with(expected), "{message:?} for {text:?}");
            assert!(!message.contains(SECRET), "{message}");
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = Credentials::from_file(Path::new("/nonexistent/creds.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read credentials file /nonexistent/creds.toml:"),
            "{err}"
        );
    }
}
