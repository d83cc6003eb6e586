//! [`QuotaPlan`]: which request quotas to enforce, in code or as text.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use kms_core::{DataKeyPairSpec, Error, KeySpec, OperationName, Result};

use super::table::aws_default;
use crate::plan::{aws_name, config, operation_name};

/// The type of key whose cryptographic operations share one quota (AWS calculates one
/// quota per type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum KeyClass {
    /// Symmetric encryption keys and HMAC keys (and calls that use no key, GenerateRandom).
    Symmetric,
    /// RSA keys.
    Rsa,
    /// Elliptic curve keys, Ed25519 and SM2 keys.
    Ecc,
    /// ML-DSA keys.
    MlDsa,
    /// ML-KEM keys.
    MlKem,
}

impl KeyClass {
    /// Every class.
    pub const ALL: [KeyClass; 5] = [
        Self::Symmetric,
        Self::Rsa,
        Self::Ecc,
        Self::MlDsa,
        Self::MlKem,
    ];

    /// The class of keys of this spec; an unknown spec counts as symmetric.
    pub fn of(spec: &KeySpec) -> Self {
        match spec {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => Self::Rsa,
            KeySpec::EccNistP256
            | KeySpec::EccNistP384
            | KeySpec::EccNistP521
            | KeySpec::EccSecgP256k1
            | KeySpec::EccNistEdwards25519
            | KeySpec::Sm2 => Self::Ecc,
            KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => Self::MlDsa,
            KeySpec::MlKem512 | KeySpec::MlKem768 | KeySpec::MlKem1024 => Self::MlKem,
            _ => Self::Symmetric,
        }
    }

    /// The name of its quota in the text form: `cryptographic` for symmetric keys,
    /// `cryptographic-rsa`, `cryptographic-ecc`, `cryptographic-ml-dsa`,
    /// `cryptographic-ml-kem`.
    pub const fn quota_name(self) -> &'static str {
        match self {
            Self::Symmetric => "cryptographic",
            Self::Rsa => "cryptographic-rsa",
            Self::Ecc => "cryptographic-ecc",
            Self::MlDsa => "cryptographic-ml-dsa",
            Self::MlKem => "cryptographic-ml-kem",
        }
    }
}

/// The operations that count against the shared quota of their key's class, or of their
/// data key pair's spec, rather than a quota of their own (snake case). The layer charges
/// them the same way (see `charge!` in the layer).
pub(crate) const SHARED_OPERATIONS: &[&str] = &[
    "encrypt",
    "decrypt",
    "re_encrypt",
    "generate_data_key",
    "generate_data_key_without_plaintext",
    "generate_random",
    "generate_mac",
    "verify_mac",
    "sign",
    "verify",
    "derive_shared_secret",
    "encapsulate",
    "decapsulate",
    "generate_data_key_pair",
    "generate_data_key_pair_without_plaintext",
];

/// One request quota: what a call counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Quota {
    /// The cryptographic operations on keys of one class.
    Cryptographic(KeyClass),
    /// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext for one pair spec (its
    /// index in `DataKeyPairSpec::ALL`).
    DataKeyPair(usize),
    /// One operation with a quota of its own (snake case).
    Operation(&'static str),
}

impl Quota {
    /// Every quota.
    pub(crate) fn all() -> impl Iterator<Item = Quota> {
        let classes = KeyClass::ALL.into_iter().map(Quota::Cryptographic);
        let pairs = (0..DataKeyPairSpec::ALL.len()).map(Quota::DataKeyPair);
        let operations = OperationName::all()
            .iter()
            .map(|operation| operation.method())
            .filter(|method| !SHARED_OPERATIONS.contains(method))
            .map(Quota::Operation);
        classes.chain(pairs).chain(operations)
    }

    /// The name in the text form.
    pub(crate) fn name(self) -> String {
        match self {
            Self::Cryptographic(class) => class.quota_name().to_owned(),
            Self::DataKeyPair(index) => format!(
                "GenerateDataKeyPair.{}",
                DataKeyPairSpec::ALL
                    .get(index)
                    .map_or("?", DataKeyPairSpec::as_str)
            ),
            Self::Operation(operation) => aws_name(operation).to_owned(),
        }
    }
}

/// Which request quotas a [`QuotaKms`](crate::QuotaKms) enforces: AWS's documented defaults
/// (`aws`), one rate for every quota (`all:N`), and rates for single quotas, in requests per
/// second. A single quota's rate takes precedence over `all`, which takes precedence over
/// AWS's defaults; a quota none of them sets is not enforced.
///
/// # Text form
///
/// Items separated by commas, in any order:
///
/// | Item | Meaning |
/// |---|---|
/// | `aws` | AWS's default quotas (us-east-1's figures, [table](crate::quotas)) |
/// | `all:500` | every quota is 500 requests per second, each calculated on its own |
/// | `cryptographic:100` | the quota shared by the cryptographic operations on symmetric keys (Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateMac, VerifyMac, GenerateRandom) |
/// | `cryptographic-rsa:50` | the same for RSA keys (Encrypt, Decrypt, ReEncrypt, Sign, Verify); also `cryptographic-ecc` (ECC, Ed25519 and SM2 keys), `cryptographic-ml-dsa`, `cryptographic-ml-kem` |
/// | `GenerateDataKeyPair:2` | GenerateDataKeyPair(WithoutPlaintext), for every pair spec (one quota each) |
/// | `GenerateDataKeyPair.RSA_2048:1` | the same, for one pair spec |
/// | `CreateKey:5` | an operation with a quota of its own, named as AWS names it |
///
/// A rate is a number of requests per second above 0; below 1 it is one request in each
/// `1/N` seconds (`0.25` is one in 4 seconds).
///
/// ```
/// use kms_faults::QuotaPlan;
///
/// let plan: QuotaPlan = "aws,cryptographic:100,CreateKey:1".parse()?;
/// assert_eq!(plan.rate("cryptographic")?, Some(100.0));
/// assert_eq!(plan.rate("CreateKey")?, Some(1.0));
/// assert_eq!(plan.rate("DescribeKey")?, Some(2000.0)); // AWS's default
/// assert_eq!(plan.to_string(), "aws,cryptographic:100,CreateKey:1");
///
/// let err = "Encrypt:5".parse::<QuotaPlan>().unwrap_err();
/// assert!(err.message().contains("Encrypt counts against the quota of its key's type"));
/// # Ok::<(), kms_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuotaPlan {
    aws: bool,
    all: Option<f64>,
    rates: BTreeMap<Quota, f64>,
}

impl QuotaPlan {
    /// A plan that enforces nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// AWS's default quotas (the text form `aws`).
    pub fn aws() -> Self {
        Self {
            aws: true,
            ..Self::default()
        }
    }

    /// Sets every quota to `rate` requests per second (the text form `all:N`).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `rate` is not a number above 0.
    pub fn with_all(mut self, rate: f64) -> Result<Self> {
        self.all = Some(check_rate(rate, "all")?);
        Ok(self)
    }

    /// Sets the quota named `name` (a name of the text form, such as `cryptographic`,
    /// `GenerateDataKeyPair.RSA_2048` or `CreateKey`) to `rate` requests per second.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an unknown name, an operation that has no quota of its own, or
    /// a rate that is not a number above 0.
    pub fn with_quota(mut self, name: &str, rate: f64) -> Result<Self> {
        let rate = check_rate(rate, name)?;
        for quota in quotas_named(name)? {
            self.rates.insert(quota, rate);
        }
        Ok(self)
    }

    /// The rate the quota named `name` is enforced at, `None` when it is not enforced.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an unknown name, or a name of several quotas
    /// (`GenerateDataKeyPair`).
    pub fn rate(&self, name: &str) -> Result<Option<f64>> {
        match quotas_named(name)?.as_slice() {
            [quota] => Ok(self.rate_of(*quota)),
            _ => Err(config(format!(
                "'{name}' names several quotas: name one, such as {name}.RSA_2048"
            ))),
        }
    }

    /// Whether the plan enforces nothing.
    pub fn is_empty(&self) -> bool {
        !self.aws && self.all.is_none() && self.rates.is_empty()
    }

    /// The rate of `quota`: its own, else `all`, else AWS's default when asked for.
    pub(crate) fn rate_of(&self, quota: Quota) -> Option<f64> {
        self.rates
            .get(&quota)
            .copied()
            .or(self.all)
            .or_else(|| self.aws.then(|| aws_default(quota)).flatten())
    }
}

impl FromStr for QuotaPlan {
    type Err = Error;

    /// Parses the text form (see [`QuotaPlan`]); an empty text is the empty plan.
    fn from_str(text: &str) -> Result<Self> {
        let mut plan = Self::new();
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            if item == "aws" {
                plan.aws = true;
                continue;
            }
            let (name, value) = item.split_once(':').ok_or_else(|| {
                config(format!(
                    "the quota '{item}' has no ':' between its name and rate (or write 'aws' \
                     for AWS's quotas)"
                ))
            })?;
            let rate = value.parse::<f64>().map_err(|_| {
                config(format!(
                    "the rate '{value}' of '{name}' is not a number of requests per second \
                     such as 100 or 0.5"
                ))
            })?;
            plan = if name == "all" {
                plan.with_all(rate)?
            } else {
                plan.with_quota(name, rate)?
            };
        }
        Ok(plan)
    }
}

impl fmt::Display for QuotaPlan {
    /// The text form, which parses back to the same plan.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        if self.aws {
            items.push("aws".to_owned());
        }
        if let Some(rate) = self.all {
            items.push(format!("all:{rate}"));
        }
        for (quota, rate) in &self.rates {
            items.push(format!("{}:{rate}", quota.name()));
        }
        f.write_str(&items.join(","))
    }
}

/// A rate above 0, finite.
fn check_rate(rate: f64, name: &str) -> Result<f64> {
    if rate.is_finite() && rate > 0.0 {
        Ok(rate)
    } else {
        Err(config(format!(
            "the rate of '{name}' must be a number of requests per second above 0, not {rate}"
        )))
    }
}

/// The quotas a name of the text form stands for.
fn quotas_named(name: &str) -> Result<Vec<Quota>> {
    if let Some(class) = KeyClass::ALL.into_iter().find(|c| c.quota_name() == name) {
        return Ok(vec![Quota::Cryptographic(class)]);
    }
    if name == "GenerateDataKeyPair" {
        return Ok((0..DataKeyPairSpec::ALL.len())
            .map(Quota::DataKeyPair)
            .collect());
    }
    if let Some(spec) = name.strip_prefix("GenerateDataKeyPair.") {
        let index = DataKeyPairSpec::VALUES
            .iter()
            .position(|value| *value == spec)
            .ok_or_else(|| {
                config(format!(
                    "'{spec}' in '{name}' is not a data key pair spec: expected one of {}",
                    DataKeyPairSpec::VALUES.join(", ")
                ))
            })?;
        return Ok(vec![Quota::DataKeyPair(index)]);
    }
    if name.starts_with("cryptographic") {
        return Err(config(format!(
            "unknown quota '{name}': the cryptographic quotas are {}",
            KeyClass::ALL.map(KeyClass::quota_name).join(", ")
        )));
    }
    let operation = operation_name(name).map_err(|_| {
        config(format!(
            "unknown quota '{name}': expected all, {}, GenerateDataKeyPair[.SPEC] or an \
             operation with a quota of its own, named as AWS does, such as CreateKey",
            KeyClass::ALL.map(KeyClass::quota_name).join(", ")
        ))
    })?;
    if operation.starts_with("generate_data_key_pair") {
        return Err(config(format!(
            "{name} shares the quota of GenerateDataKeyPair: set GenerateDataKeyPair:N or \
             GenerateDataKeyPair.RSA_2048:N"
        )));
    }
    if SHARED_OPERATIONS.contains(&operation) {
        return Err(config(format!(
            "{name} counts against the quota of its key's type, shared by the cryptographic \
             operations: set cryptographic:N (symmetric keys) or cryptographic-rsa:N, \
             cryptographic-ecc:N, cryptographic-ml-dsa:N, cryptographic-ml-kem:N"
        )));
    }
    Ok(vec![Quota::Operation(operation)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<QuotaPlan> {
        text.parse()
    }

    fn message(text: &str) -> String {
        parse(text)
            .map(|plan| format!("parsed as {plan}"))
            .unwrap_or_else(|err| err.message().to_owned())
    }

    #[test]
    fn the_text_form_round_trips() -> Result<()> {
        for text in [
            "",
            "aws",
            "all:500",
            "aws,all:10,cryptographic:100,CreateKey:5",
            "cryptographic-rsa:0.5,GenerateDataKeyPair.RSA_4096:0.1,ListKeys:20",
            "GenerateDataKeyPair:3",
        ] {
            let plan = parse(text)?;
            assert_eq!(parse(&plan.to_string())?, plan, "{text}");
        }
        assert_eq!(
            parse("CreateKey:5,aws")?.to_string(),
            "aws,CreateKey:5",
            "items are shown in one order"
        );
        Ok(())
    }

    #[test]
    fn a_quota_of_its_own_beats_all_which_beats_aws() -> Result<()> {
        let plan = parse("aws,all:7,CreateKey:1")?;
        assert_eq!(plan.rate("CreateKey")?, Some(1.0));
        assert_eq!(plan.rate("DescribeKey")?, Some(7.0));
        let aws = QuotaPlan::aws();
        assert_eq!(aws.rate("cryptographic")?, Some(50_000.0));
        assert_eq!(aws.rate("cryptographic-rsa")?, Some(1_000.0));
        assert_eq!(aws.rate("GenerateDataKeyPair.RSA_3072")?, Some(0.5));
        assert_eq!(aws.rate("ListKeys")?, Some(500.0));
        let only = parse("cryptographic:100")?;
        assert_eq!(only.rate("CreateKey")?, None, "not enforced");
        Ok(())
    }

    #[test]
    fn aws_has_a_figure_for_every_quota() {
        for quota in Quota::all() {
            assert!(aws_default(quota).is_some(), "{}", quota.name());
        }
    }

    #[test]
    fn every_quota_can_be_named() -> Result<()> {
        for quota in Quota::all() {
            assert_eq!(quotas_named(&quota.name())?, vec![quota]);
        }
        Ok(())
    }

    #[test]
    fn bad_plans_name_what_is_wrong() {
        assert!(message("cryptographic").contains("has no ':'"));
        assert!(message("cryptographic:x").contains("'x' of 'cryptographic' is not a number"));
        assert!(message("cryptographic:0").contains("above 0, not 0"));
        assert!(message("all:-1").contains("above 0, not -1"));
        assert!(message("all:inf").contains("above 0, not inf"));
        assert!(message("cryptographic-dsa:5").contains("unknown quota 'cryptographic-dsa'"));
        assert!(message("Decrypt:5").contains("Decrypt counts against the quota of its key"));
        assert!(
            message("GenerateDataKeyPairWithoutPlaintext:1")
                .contains("shares the quota of GenerateDataKeyPair")
        );
        assert!(
            message("GenerateDataKeyPair.RSA_1024:1")
                .contains("'RSA_1024' in 'GenerateDataKeyPair")
        );
        assert!(message("CreateKeys:1").starts_with("unknown quota 'CreateKeys': expected all, "));
        assert!(
            parse("aws")
                .and_then(|plan| plan.rate("GenerateDataKeyPair"))
                .is_err()
        );
    }
}
