//! [`OperationName`]: each operation of [`Kms`](crate::Kms) by the name of its method
//! (`generate_data_key`) and by the name AWS gives it (`GenerateDataKey`), from the one
//! operation list of [`for_each_operation!`](crate::for_each_operation).

use std::sync::LazyLock;

/// One operation of the [`Kms`](crate::Kms) trait, by both its names.
///
/// ```
/// use kms_core::OperationName;
///
/// let operation = OperationName::from_aws("GenerateDataKey").expect("an operation");
/// assert_eq!(operation.method(), "generate_data_key");
/// assert_eq!(OperationName::from_method("re_encrypt").map(OperationName::aws), Some("ReEncrypt"));
/// assert_eq!(OperationName::from_aws("generateDataKey"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationName {
    method: &'static str,
    aws: &'static str,
}

impl OperationName {
    /// The name of the trait's method, in snake case: `generate_data_key`.
    pub fn method(self) -> &'static str {
        self.method
    }

    /// The name AWS gives the operation (the part of `X-Amz-Target` after `TrentService.`):
    /// `GenerateDataKey`.
    pub fn aws(self) -> &'static str {
        self.aws
    }

    /// Every operation of the trait, in the order of
    /// [`for_each_operation!`](crate::for_each_operation).
    pub fn all() -> &'static [OperationName] {
        &ALL
    }

    /// The operation AWS names `aws`, spelled exactly as AWS does; `None` for any other text.
    pub fn from_aws(aws: &str) -> Option<OperationName> {
        ALL.iter().copied().find(|operation| operation.aws == aws)
    }

    /// The operation whose method is named `method`; `None` for any other text.
    pub fn from_method(method: &str) -> Option<OperationName> {
        ALL.iter()
            .copied()
            .find(|operation| operation.method == method)
    }
}

/// Lists the method names of the operations.
macro_rules! method_names {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        &[$( stringify!($op) ),+]
    };
}

const METHODS: &[&str] = crate::for_each_operation!(method_names {});

/// AWS's names, in the order of [`METHODS`].
static AWS_NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| METHODS.iter().map(|method| pascal_case(method)).collect());

static ALL: LazyLock<Vec<OperationName>> = LazyLock::new(|| {
    METHODS
        .iter()
        .zip(AWS_NAMES.iter())
        .map(|(method, aws)| OperationName {
            method,
            aws: aws.as_str(),
        })
        .collect()
});

/// `snake` in PascalCase: `create_key` gives `CreateKey`.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_both_names() {
        assert_eq!(OperationName::all().len(), METHODS.len());
        for operation in OperationName::all() {
            assert_eq!(OperationName::from_aws(operation.aws()), Some(*operation));
            assert_eq!(
                OperationName::from_method(operation.method()),
                Some(*operation)
            );
        }
    }

    #[test]
    fn aws_names_are_pascal_case() {
        let aws = |method| OperationName::from_method(method).map(OperationName::aws);
        assert_eq!(aws("create_key"), Some("CreateKey"));
        assert_eq!(
            aws("generate_data_key_pair_without_plaintext"),
            Some("GenerateDataKeyPairWithoutPlaintext")
        );
        assert_eq!(aws("derive_shared_secret"), Some("DeriveSharedSecret"));
    }

    #[test]
    fn other_spellings_are_no_operation() {
        for text in [
            "CreateKeys",
            "Createkey",
            "create_key",
            "createKey",
            "",
            "TrentService.CreateKey",
        ] {
            assert_eq!(OperationName::from_aws(text), None, "{text}");
        }
        assert_eq!(OperationName::from_method("CreateKey"), None);
    }
}
