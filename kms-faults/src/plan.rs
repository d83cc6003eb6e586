//! [`FaultPlan`]: which faults to inject into which operations, in code or as text.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use kms_core::{Error, OperationName, Result};

/// The name AWS gives the operation whose method is `method` (`generate_data_key` gives
/// `GenerateDataKey`).
pub(crate) fn aws_name(method: &'static str) -> &'static str {
    OperationName::from_method(method).map_or(method, OperationName::aws)
}

/// An error that a call may be answered with instead of reaching the backend: the
/// exceptions AWS KMS answers under load or in trouble, all of them retryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// `ThrottlingException`, with AWS's message.
    Throttling,
    /// `KMSInternalException`.
    Internal,
    /// `DependencyTimeoutException`.
    DependencyTimeout,
    /// `KeyUnavailableException`.
    KeyUnavailable,
}

impl FaultKind {
    /// Every kind, in the order a call's one random draw is compared against their rates.
    pub const ALL: [FaultKind; 4] = [
        Self::Throttling,
        Self::Internal,
        Self::DependencyTimeout,
        Self::KeyUnavailable,
    ];

    /// The kind's name in the text form: `throttling`, `internal`, `dependency-timeout`,
    /// `key-unavailable`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Throttling => "throttling",
            Self::Internal => "internal",
            Self::DependencyTimeout => "dependency-timeout",
            Self::KeyUnavailable => "key-unavailable",
        }
    }

    /// The error a call is answered with. Throttling carries AWS's message as recorded from
    /// the service; the others carry the description of the exception in AWS's API model
    /// (the service's own wording for them is not recorded).
    pub fn error(self) -> Error {
        match self {
            Self::Throttling => Error::Throttling {
                message: "You have exceeded the rate at which you may call KMS. Reduce the \
                          frequency of your calls."
                    .to_owned(),
            },
            Self::Internal => Error::Internal {
                message: "The request was rejected because an internal exception occurred. \
                          The request can be retried."
                    .to_owned(),
            },
            Self::DependencyTimeout => Error::DependencyTimeout {
                message: "The system timed out while trying to fulfill the request. You can \
                          retry the request."
                    .to_owned(),
            },
            Self::KeyUnavailable => Error::KeyUnavailable {
                message: "The request was rejected because the specified KMS key was not \
                          available. You can retry the request."
                    .to_owned(),
            },
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Throttling => 0,
            Self::Internal => 1,
            Self::DependencyTimeout => 2,
            Self::KeyUnavailable => 3,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Latency added to a call before it runs (or fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Latency {
    /// Always this long (`latency:20ms`).
    Fixed(Duration),
    /// Uniformly distributed between the two, both included (`latency:5ms..50ms`).
    Uniform {
        /// The shortest delay.
        min: Duration,
        /// The longest delay.
        max: Duration,
    },
}

impl Latency {
    /// A delay between `min` and `max`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `min` is longer than `max`.
    pub fn uniform(min: Duration, max: Duration) -> Result<Self> {
        if min > max {
            return Err(config(format!(
                "the latency range {}..{} starts after it ends",
                DurationText(min),
                DurationText(max)
            )));
        }
        Ok(Self::Uniform { min, max })
    }

    /// One delay of this distribution.
    pub(crate) fn sample(self, rng: &mut fastrand::Rng) -> Duration {
        match self {
            Self::Fixed(delay) => delay,
            Self::Uniform { min, max } => {
                // Nanoseconds fit u64 for any delay this accepts (at most an hour).
                let min_ns = u64::try_from(min.as_nanos()).unwrap_or(u64::MAX);
                let max_ns = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(rng.u64(min_ns..=max_ns))
            }
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(delay) => write!(f, "{}", DurationText(*delay)),
            Self::Uniform { min, max } => {
                write!(f, "{}..{}", DurationText(*min), DurationText(*max))
            }
        }
    }
}

/// The faults of one operation, or of every operation: a rate (0 to 1) per [`FaultKind`],
/// whose sum is at most 1, and a latency.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OperationFaults {
    rates: [Option<f64>; 4],
    latency: Option<Latency>,
}

impl OperationFaults {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers this share of calls (0 to 1) with `kind`'s error.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `rate` is not between 0 and 1.
    pub fn with_rate(mut self, kind: FaultKind, rate: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(config(format!(
                "the rate of {kind} must be between 0 and 1, not {rate}"
            )));
        }
        self.rates[kind.index()] = Some(rate);
        Ok(self)
    }

    /// Adds this latency to every call.
    #[must_use]
    pub fn with_latency(mut self, latency: Latency) -> Self {
        self.latency = Some(latency);
        self
    }

    /// The rate of `kind`, when set.
    pub fn rate(&self, kind: FaultKind) -> Option<f64> {
        self.rates[kind.index()]
    }

    /// The latency, when set.
    pub fn latency(&self) -> Option<Latency> {
        self.latency
    }

    /// These faults where set, `fallback`'s elsewhere.
    fn or(self, fallback: Self) -> Self {
        let mut rates = self.rates;
        for (rate, other) in rates.iter_mut().zip(fallback.rates) {
            *rate = rate.or(other);
        }
        Self {
            rates,
            latency: self.latency.or(fallback.latency),
        }
    }

    /// The sum of the rates.
    fn total_rate(&self) -> f64 {
        self.rates.iter().flatten().sum()
    }

    /// The fault that a draw `u` in `0..1` falls on: each kind owns a slice of `0..1` as
    /// wide as its rate, in the order of [`FaultKind::ALL`].
    pub(crate) fn fault_at(&self, u: f64) -> Option<FaultKind> {
        let mut bound = 0.0;
        for kind in FaultKind::ALL {
            bound += self.rate(kind).unwrap_or(0.0);
            if u < bound {
                return Some(kind);
            }
        }
        None
    }

    /// Writes the set items, each prefixed by `prefix`.
    fn write_items(&self, prefix: &str, items: &mut Vec<String>) {
        for kind in FaultKind::ALL {
            if let Some(rate) = self.rate(kind) {
                items.push(format!("{prefix}{kind}:{rate}"));
            }
        }
        if let Some(latency) = self.latency {
            items.push(format!("{prefix}latency:{latency}"));
        }
    }
}

/// What to inject: faults for every operation, faults for single operations (which take
/// precedence, kind by kind), and a seed for the random choices, so that a run is
/// reproducible.
///
/// # Text form
///
/// Items separated by commas; each is `[Operation.]fault:value` or `seed:N`:
///
/// | Item | Meaning |
/// |---|---|
/// | `throttling:0.1` | 10% of calls fail with `ThrottlingException` (also `10%`) |
/// | `internal:0.01` | 1% fail with `KMSInternalException` |
/// | `dependency-timeout:0.01` | 1% fail with `DependencyTimeoutException` |
/// | `key-unavailable:0.01` | 1% fail with `KeyUnavailableException` |
/// | `latency:20ms` | every call waits 20 ms first (`ns`, `us`, `ms`, `s`) |
/// | `latency:5ms..50ms` | every call waits 5 to 50 ms, uniformly |
/// | `Decrypt.throttling:0.5` | only for `Decrypt`, in place of the rate for all |
/// | `seed:42` | the seed of the random choices (default: a random seed) |
///
/// For each operation the rates add up to at most 1. One random number is drawn per call, so
/// with a seed, the same sequence of calls meets the same faults.
///
/// ```
/// use std::time::Duration;
/// use kms_faults::{FaultKind, FaultPlan, Latency, OperationFaults};
///
/// let plan: FaultPlan = "throttling:0.1,Decrypt.internal:5%,latency:5ms..50ms,seed:42".parse()?;
/// let built = FaultPlan::new()
///     .with_all(
///         OperationFaults::new()
///             .with_rate(FaultKind::Throttling, 0.1)?
///             .with_latency(Latency::uniform(Duration::from_millis(5), Duration::from_millis(50))?),
///     )?
///     .with_operation("Decrypt", OperationFaults::new().with_rate(FaultKind::Internal, 0.05)?)?
///     .with_seed(42);
/// assert_eq!(plan, built);
/// assert_eq!(plan.to_string(), "throttling:0.1,latency:5ms..50ms,Decrypt.internal:0.05,seed:42");
/// # Ok::<(), kms_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    all: OperationFaults,
    operations: BTreeMap<&'static str, OperationFaults>,
    seed: Option<u64>,
}

impl FaultPlan {
    /// A plan that injects nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the faults of every operation.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when, with the faults of a single operation, the rates of an
    /// operation add up to more than 1.
    pub fn with_all(mut self, faults: OperationFaults) -> Result<Self> {
        self.all = faults;
        self.check_totals()?;
        Ok(self)
    }

    /// Sets the faults of one operation, named as AWS names it (`Decrypt`,
    /// `GenerateDataKey`); where they leave a kind or the latency unset, the faults of every
    /// operation apply.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a name that is no operation of the `Kms` trait, or rates that
    /// add up to more than 1.
    pub fn with_operation(mut self, operation: &str, faults: OperationFaults) -> Result<Self> {
        let name = operation_name(operation)?;
        self.operations.insert(name, faults);
        self.check_totals()?;
        Ok(self)
    }

    /// Sets the seed of the random choices.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The seed, when set.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The faults that apply to `operation` (snake case, as the `Kms` trait names it).
    pub(crate) fn faults_for(&self, operation: &str) -> OperationFaults {
        match self.operations.get(operation) {
            Some(faults) => faults.or(self.all),
            None => self.all,
        }
    }

    fn check_totals(&self) -> Result<()> {
        let mut checked = vec![("every operation".to_owned(), self.all)];
        for (name, faults) in &self.operations {
            checked.push((aws_name(name).to_owned(), faults.or(self.all)));
        }
        for (scope, faults) in checked {
            let total = faults.total_rate();
            if total > 1.0 {
                return Err(config(format!(
                    "the fault rates of {scope} add up to {total}, more than 1"
                )));
            }
        }
        Ok(())
    }
}

impl FromStr for FaultPlan {
    type Err = Error;

    /// Parses the text form (see [`FaultPlan`]); an empty text is the empty plan.
    fn from_str(text: &str) -> Result<Self> {
        let mut all = OperationFaults::new();
        let mut operations: BTreeMap<&'static str, OperationFaults> = BTreeMap::new();
        let mut seed = None;
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (target, value) = item.split_once(':').ok_or_else(|| {
                config(format!(
                    "the fault '{item}' has no ':' between its name and value"
                ))
            })?;
            if target == "seed" {
                seed =
                    Some(value.parse::<u64>().map_err(|_| {
                        config(format!("the seed '{value}' is not a whole number"))
                    })?);
                continue;
            }
            let (scope, fault) = match target.rsplit_once('.') {
                Some((operation, fault)) => {
                    let name = operation_name(operation)?;
                    (operations.entry(name).or_default(), fault)
                }
                None => (&mut all, target),
            };
            *scope = if fault == "latency" {
                scope.with_latency(parse_latency(value)?)
            } else {
                let kind = FaultKind::from_name(fault).ok_or_else(|| {
                    config(format!(
                        "unknown fault '{fault}' in '{item}': expected one of throttling, \
                         internal, dependency-timeout, key-unavailable, latency"
                    ))
                })?;
                scope.with_rate(kind, parse_rate(value)?)?
            };
        }
        let mut plan = Self::new().with_all(all)?;
        for (name, faults) in operations {
            plan.operations.insert(name, faults);
        }
        plan.check_totals()?;
        plan.seed = seed;
        Ok(plan)
    }
}

impl fmt::Display for FaultPlan {
    /// The text form, which parses back to the same plan.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        self.all.write_items("", &mut items);
        for (name, faults) in &self.operations {
            faults.write_items(&format!("{}.", aws_name(name)), &mut items);
        }
        if let Some(seed) = self.seed {
            items.push(format!("seed:{seed}"));
        }
        f.write_str(&items.join(","))
    }
}

/// The method name of the operation AWS names `aws`.
pub(crate) fn operation_name(aws: &str) -> Result<&'static str> {
    OperationName::from_aws(aws)
        .map(OperationName::method)
        .ok_or_else(|| {
            config(format!(
                "'{aws}' is not an operation: name it as AWS does, such as Decrypt or \
                 GenerateDataKey"
            ))
        })
}

/// A rate: `0.25` or `25%`.
fn parse_rate(text: &str) -> Result<f64> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(percent) => (percent, 100.0),
        None => (text, 1.0),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|rate| rate.is_finite())
        .map(|rate| rate / scale)
        .ok_or_else(|| {
            config(format!(
                "the rate '{text}' is not a number such as 0.1 or 10%"
            ))
        })
}

/// `20ms` or `5ms..50ms`.
fn parse_latency(text: &str) -> Result<Latency> {
    match text.split_once("..") {
        Some((min, max)) => Latency::uniform(parse_duration(min)?, parse_duration(max)?),
        None => Ok(Latency::Fixed(parse_duration(text)?)),
    }
}

/// The longest latency accepted: an hour, far beyond any client's timeout.
const MAX_LATENCY: Duration = Duration::from_secs(3600);

/// Units of a duration, longest suffix first so that `ms` is not read as `s`.
const UNITS: [(&str, u128); 4] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
];

/// A duration such as `250us`, `20ms`, `1.5s`, in whole nanoseconds (no rounding).
fn parse_duration(text: &str) -> Result<Duration> {
    let invalid = || {
        config(format!(
            "the latency '{text}' is not a duration such as 20ms, 1.5s or 250us"
        ))
    };
    let (number, unit_ns) = UNITS
        .iter()
        .find_map(|(unit, ns)| text.strip_suffix(unit).map(|number| (number, *ns)))
        .ok_or_else(invalid)?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
        return Err(invalid());
    }
    let whole: u128 = whole.parse().map_err(|_| invalid())?;
    let scale = 10u128.pow(u32::try_from(fraction.len()).map_err(|_| invalid())?);
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| invalid())?
    };
    let fraction_ns = fraction * unit_ns;
    if !fraction_ns.is_multiple_of(scale) {
        return Err(config(format!(
            "the latency '{text}' is finer than a nanosecond"
        )));
    }
    let nanos = whole
        .checked_mul(unit_ns)
        .and_then(|ns| ns.checked_add(fraction_ns / scale))
        .filter(|ns| *ns <= MAX_LATENCY.as_nanos())
        .ok_or_else(|| config(format!("the latency '{text}' is longer than an hour")))?;
    Ok(Duration::from_nanos(
        u64::try_from(nanos).map_err(|_| invalid())?,
    ))
}

/// A duration in the largest unit that shows it exactly.
struct DurationText(Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let (unit, unit_ns) = UNITS
            .iter()
            .rev()
            .find(|(_, unit_ns)| nanos.is_multiple_of(*unit_ns))
            .copied()
            .unwrap_or(("ns", 1));
        write!(f, "{}{unit}", nanos / unit_ns)
    }
}

pub(crate) fn config(message: String) -> Error {
    Error::Config { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FaultPlan> {
        text.parse()
    }

    #[test]
    fn durations_are_exact_and_shown_in_their_largest_unit() -> Result<()> {
        assert_eq!(parse_duration("1.5ms")?, Duration::from_micros(1500));
        assert_eq!(parse_duration("250us")?, Duration::from_micros(250));
        assert_eq!(parse_duration("2s")?, Duration::from_secs(2));
        assert_eq!(parse_duration("7ns")?, Duration::from_nanos(7));
        assert_eq!(
            DurationText(Duration::from_micros(1500)).to_string(),
            "1500us"
        );
        assert_eq!(DurationText(Duration::from_secs(3)).to_string(), "3s");
        assert_eq!(DurationText(Duration::ZERO).to_string(), "0s");
        for bad in [
            "", "ms", "1", "1.ms.", "-1ms", "1.5ns", "2h", "3601s", "1e3ms", ".5s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn the_text_form_round_trips() -> Result<()> {
        for text in [
            "",
            "throttling:0.1",
            "throttling:0.25,internal:0.01,dependency-timeout:0.02,key-unavailable:0.03",
            "latency:20ms",
            "latency:5ms..50ms,Encrypt.latency:1s",
            "GenerateDataKeyPairWithoutPlaintext.throttling:1,seed:18446744073709551615",
            "ReEncrypt.throttling:0,throttling:0.5",
        ] {
            let plan = parse(text)?;
            assert_eq!(parse(&plan.to_string())?, plan, "{text}");
        }
        assert_eq!(parse("throttling:10%")?.to_string(), "throttling:0.1");
        Ok(())
    }

    #[test]
    fn an_operation_overrides_every_operation_kind_by_kind() -> Result<()> {
        let plan = parse("throttling:0.2,latency:5ms,Decrypt.internal:0.3,Encrypt.throttling:0")?;
        let decrypt = plan.faults_for("decrypt");
        assert_eq!(decrypt.rate(FaultKind::Throttling), Some(0.2));
        assert_eq!(decrypt.rate(FaultKind::Internal), Some(0.3));
        assert_eq!(
            decrypt.latency(),
            Some(Latency::Fixed(Duration::from_millis(5)))
        );
        assert_eq!(
            plan.faults_for("encrypt").rate(FaultKind::Throttling),
            Some(0.0)
        );
        assert_eq!(plan.faults_for("sign").rate(FaultKind::Internal), None);
        Ok(())
    }

    #[test]
    fn draws_fall_on_the_kinds_in_order() -> Result<()> {
        let faults = OperationFaults::new()
            .with_rate(FaultKind::Throttling, 0.25)?
            .with_rate(FaultKind::KeyUnavailable, 0.25)?;
        assert_eq!(faults.fault_at(0.0), Some(FaultKind::Throttling));
        assert_eq!(faults.fault_at(0.2499), Some(FaultKind::Throttling));
        assert_eq!(faults.fault_at(0.25), Some(FaultKind::KeyUnavailable));
        assert_eq!(faults.fault_at(0.5), None);
        Ok(())
    }

    #[test]
    fn bad_plans_name_what_is_wrong() {
        let message = |text: &str| parse(text).map(|_| ()).unwrap_err().message().to_owned();
        assert!(message("throttling").contains("has no ':'"));
        assert!(message("throttle:0.1").contains("unknown fault 'throttle'"));
        assert!(message("throttling:1.5").contains("between 0 and 1, not 1.5"));
        assert!(message("throttling:x").contains("'x' is not a number"));
        assert!(message("throttling:NaN").contains("'NaN' is not a number"));
        assert!(message("Decrypts.internal:0.1").contains("'Decrypts' is not an operation"));
        assert!(message("decrypt.internal:0.1").contains("'decrypt' is not an operation"));
        assert!(message("latency:50ms..5ms").contains("starts after it ends"));
        assert!(message("seed:-1").contains("not a whole number"));
        assert!(
            message("throttling:0.6,Decrypt.internal:0.6")
                .contains("the fault rates of Decrypt add up to 1.2, more than 1")
        );
        assert!(message("throttling:0.6,internal:0.6").contains("every operation"));
    }

    #[test]
    fn every_operation_of_the_trait_can_be_named() -> Result<()> {
        for operation in OperationName::all() {
            assert_eq!(operation_name(operation.aws())?, operation.method());
        }
        Ok(())
    }
}
