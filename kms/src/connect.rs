//! Connecting to the backend a [`KmsConfig`] names.

use std::sync::Arc;

use crate::config::config_error;
use crate::faults::{FaultPlan, FaultyKms, InjectedFault, QuotaKms, QuotaPlan};
use crate::{AwsConfig, DynKms, KmsConfig, LocalConfig, Result};

/// Connects to the backend named by a URL (see [`KmsConfig`] for the forms).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms::Result<()> {
/// let kms = kms::connect("local:?region=eu-west-1").await?;
/// assert!(kms.to_string().starts_with("LocalKms(eu-west-1"));
///
/// let err = kms::connect("local:?region=EU%20WEST").await.unwrap_err();
/// assert_eq!(err.to_string(), "invalid KMS configuration: region 'EU WEST' is not valid: \
///     expected a lowercase region name such as 'eu-west-1'");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) for a URL that cannot be parsed or names a
/// backend that is not available; the errors of the backend's construction, among them a
/// value its builder refuses (region, account, profile, endpoint).
pub async fn connect(url: &str) -> Result<Arc<DynKms>> {
    connect_config(KmsConfig::from_url(url)?).await
}

/// Connects to the backend the configuration names.
///
/// ```
/// use kms::{KmsConfig, LocalConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms::Result<()> {
/// let config = KmsConfig::Local(LocalConfig::new().with_account("444455556666"));
/// let kms = kms::connect_config(config).await?;
/// assert!(kms.to_string().starts_with("LocalKms(us-east-1"));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) for a configuration that names a backend that is
/// not available (a backend whose cargo feature is off) or a value the backend's builder
/// refuses (each backend checks the values it takes, once); the other errors of the
/// backend's construction (such as a persistent local store that cannot be opened).
pub async fn connect_config(config: KmsConfig) -> Result<Arc<DynKms>> {
    Ok(Connected::open(config).await?.kms)
}

/// A backend just connected: the handle, the Region it plays, and the AWS backend under its
/// layers (for handles of other Regions).
pub(crate) struct Connected {
    /// The backend with its layers (quotas, faults).
    pub(crate) kms: Arc<DynKms>,
    /// The Region it plays: the configuration's, else the backend's default or AWS's chain's.
    pub(crate) region: String,
    /// The AWS backend under the layers, for an `aws:` configuration.
    pub(crate) aws: Option<AwsBackend>,
    /// The local backend under the layers, for a `local:` configuration: the handle whose
    /// siblings are the other Regions and accounts of its world.
    pub(crate) local: Option<LocalBackend>,
}

/// The local backend, when it is built in.
#[cfg(feature = "local")]
pub(crate) type LocalBackend = kms_local::LocalKms;
/// No local backend: the cargo feature `local` is off.
#[cfg(not(feature = "local"))]
pub(crate) type LocalBackend = std::convert::Infallible;

/// The AWS backend, when it is built in.
#[cfg(feature = "aws")]
pub(crate) type AwsBackend = kms_aws::AwsKms;
/// No AWS backend: the cargo feature `aws` is off.
#[cfg(not(feature = "aws"))]
pub(crate) type AwsBackend = std::convert::Infallible;

impl Connected {
    /// Connects to the backend `config` names.
    pub(crate) async fn open(config: KmsConfig) -> Result<Self> {
        let layers = Layers::of(&config)?;
        match config {
            KmsConfig::Local(config) => {
                let audited = config.audit.is_some();
                let local = connect_local(config).await?;
                let (kms, audit) = local_handle(&local, audited);
                Ok(Self {
                    kms: layers.wrap(kms, audit),
                    region: local_region(&local),
                    aws: None,
                    local: Some(local),
                })
            }
            KmsConfig::Aws(aws) => {
                let aws = connect_aws(aws).await?;
                Ok(Self {
                    kms: layers.wrap(aws_handle(&aws), None),
                    region: aws_region(&aws),
                    aws: Some(aws),
                    local: None,
                })
            }
        }
    }
}

/// The faults and quotas a configuration puts around its backend.
pub(crate) struct Layers {
    faults: Option<FaultPlan>,
    quotas: Option<QuotaPlan>,
}

impl Layers {
    /// The layers of `config`, checked before the backend is built.
    pub(crate) fn of(config: &KmsConfig) -> Result<Self> {
        Ok(Self {
            faults: plan::<FaultPlan>("faults", config.faults())?,
            quotas: plan::<QuotaPlan>("quotas", config.quotas())?,
        })
    }

    /// `backend` inside the layers; injected faults go to `audit` when there is one.
    pub(crate) fn wrap(self, mut backend: Arc<DynKms>, audit: Option<FaultAudit>) -> Arc<DynKms> {
        // Quotas next to the backend (their key type lookups go straight to it), faults
        // outside: a call the fault layer fails never counts against a quota.
        if let Some(plan) = self.quotas {
            backend = QuotaKms::wrap(backend, plan);
        }
        if let Some(plan) = self.faults {
            let mut faulty = FaultyKms::new(backend, plan);
            if let Some(audit) = audit {
                faulty = faulty.with_observer(audit);
            }
            backend = Arc::new(faulty);
        }
        backend
    }
}

/// Writes an injected fault to a backend's audit log.
pub(crate) type FaultAudit = Box<dyn Fn(&InjectedFault) + Send + Sync>;

/// The plan of the option `name` of `config` (`faults`, `quotas`), checked before the
/// backend is built.
fn plan<P>(name: &str, text: Option<&str>) -> Result<Option<P>>
where
    P: std::str::FromStr<Err = crate::Error>,
{
    text.map(|text| {
        text.parse::<P>()
            .map_err(|error| config_error(format!("{name} '{text}': {}", error.message())))
    })
    .transpose()
}

/// Connects to the backend named by the `KMS_URL` environment variable; the in-memory local
/// backend (`local:`) when it is unset or empty.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms::Result<()> {
/// let kms = kms::from_env().await?;
/// println!("using {kms}");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) when `KMS_URL` is not a usable URL (the message
/// starts with `KMS_URL`), and the errors of [`connect_config`].
pub async fn from_env() -> Result<Arc<DynKms>> {
    connect_config(KmsConfig::from_env()?).await
}

/// Builds the local backend; a persistent store is opened and read on a blocking thread.
#[cfg(feature = "local")]
async fn connect_local(config: LocalConfig) -> Result<LocalBackend> {
    local_builder(&config)?.build_async().await
}

/// A handle of the local backend `kms` and, when its world keeps an audit log (`audited`),
/// what writes each injected error to it, marked as injected.
#[cfg(feature = "local")]
pub(crate) fn local_handle(kms: &LocalBackend, audited: bool) -> (Arc<DynKms>, Option<FaultAudit>) {
    let audit = audited.then(|| {
        let audited = kms.clone();
        Box::new(move |fault: &InjectedFault| {
            if let Some(kind) = fault.kind {
                audited.audit_injected_fault(fault.operation, &kind.error());
            }
        }) as FaultAudit
    });
    (Arc::new(kms.clone()), audit)
}

/// The sibling of `kms` on its world in `region`, for `account` (`None`: its own).
#[cfg(feature = "local")]
pub(crate) fn local_sibling(
    kms: &LocalBackend,
    region: &str,
    account: Option<&str>,
) -> Result<LocalBackend> {
    match account {
        Some(account) if account != kms.account_id() => {
            kms.for_account(account)?.for_region(region)
        }
        _ => kms.for_region(region),
    }
}

/// The Region the local backend plays.
#[cfg(feature = "local")]
fn local_region(kms: &LocalBackend) -> String {
    kms.region().to_owned()
}

/// The builder of the local backend that `config` describes, for what only the local backend
/// offers (a clock, more seeds) or to hold it as a [`LocalKms`](crate::LocalKms).
///
/// ```
/// let config = kms::LocalConfig::new().with_region("eu-west-1");
/// let kms = kms::local_builder(&config)?.build()?;
/// assert_eq!(kms.region(), "eu-west-1");
/// # Ok::<(), kms::Error>(())
/// ```
///
/// The region and account are checked by the builder's `build`.
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) for a store path that is not absolute, and the
/// errors of opening the audit file.
#[cfg(feature = "local")]
pub fn local_builder(config: &LocalConfig) -> Result<kms_local::LocalKmsBuilder> {
    let mut builder = kms_local::LocalKms::builder();
    if let Some(path) = &config.path {
        if !path.is_absolute() {
            return Err(config_error(format!(
                "path '{}' of a persistent local store must be absolute",
                path.display()
            )));
        }
        builder = builder.path(path);
    }
    if let Some(seed) = &config.seed {
        builder = builder.seed_file(seed);
    }
    if let Some(audit) = &config.audit {
        builder = builder.audit(kms_local::audit::JsonLinesAuditLog::open(audit)?);
    }
    if let Some(region) = &config.region {
        builder = builder.region(region.as_str());
    }
    if let Some(account) = &config.account {
        builder = builder.account_id(account.as_str());
    }
    Ok(builder)
}

/// Builds the AWS backend from the standard AWS configuration chain and the settings of
/// `config`, which its builder checks. Nothing is sent before the first operation.
#[cfg(feature = "aws")]
async fn connect_aws(config: AwsConfig) -> Result<kms_aws::AwsKms> {
    let mut builder = kms_aws::AwsKms::from_env();
    if let Some(region) = config.region {
        builder = builder.with_region(region);
    }
    if let Some(profile) = config.profile {
        builder = builder.with_profile(profile);
    }
    if let Some(endpoint_url) = config.endpoint_url {
        builder = builder.with_endpoint_url(endpoint_url);
    }
    builder.build().await
}

/// The handle of the AWS backend.
#[cfg(feature = "aws")]
fn aws_handle(aws: &kms_aws::AwsKms) -> Arc<DynKms> {
    Arc::new(aws.clone())
}

/// The Region the AWS backend signs its requests for.
#[cfg(feature = "aws")]
fn aws_region(aws: &kms_aws::AwsKms) -> String {
    aws.region().to_owned()
}

/// Refuses the AWS backend, which is not built in.
#[cfg(not(feature = "aws"))]
async fn connect_aws(_config: AwsConfig) -> Result<AwsBackend> {
    Err(config_error(
        "the aws backend is not built in (cargo feature `aws` of the `kms` crate); use \
         'local:' for the local backend",
    ))
}

/// No AWS backend is ever built without the feature.
#[cfg(not(feature = "aws"))]
fn aws_handle(aws: &AwsBackend) -> Arc<DynKms> {
    match *aws {}
}

/// No AWS backend is ever built without the feature.
#[cfg(not(feature = "aws"))]
fn aws_region(aws: &AwsBackend) -> String {
    match *aws {}
}

/// Refuses the local backend, which is not built in.
#[cfg(not(feature = "local"))]
async fn connect_local(_config: LocalConfig) -> Result<LocalBackend> {
    Err(config_error(
        "the local backend is not built in (cargo feature `local` of the `kms` crate)",
    ))
}

#[cfg(not(feature = "local"))]
pub(crate) fn local_handle(
    kms: &LocalBackend,
    _audited: bool,
) -> (Arc<DynKms>, Option<FaultAudit>) {
    match *kms {}
}

#[cfg(not(feature = "local"))]
fn local_region(kms: &LocalBackend) -> String {
    match *kms {}
}

#[cfg(not(feature = "local"))]
pub(crate) fn local_sibling(
    kms: &LocalBackend,
    _region: &str,
    _account: Option<&str>,
) -> Result<LocalBackend> {
    match *kms {}
}

#[cfg(all(test, feature = "local"))]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::{EncryptionContext, Error, KmsExt};

    /// The message of the `Error::Config` that connecting to `url` gives.
    async fn config_err(url: &str) -> String {
        match connect(url).await {
            Err(Error::Config { message }) => message,
            Err(other) => panic!("{url:?} gave {other:?}, expected a config error"),
            Ok(kms) => panic!("{url:?} connected to {kms}, expected a config error"),
        }
    }

    #[tokio::test]
    async fn local_connects_in_memory_with_the_defaults() {
        let kms = connect("local:").await.unwrap();
        assert_eq!(kms.to_string(), "LocalKms(us-east-1, 0 keys)");
        let key = kms.create_symmetric_key("test").await.unwrap();
        assert_eq!(
            key.arn.as_deref(),
            Some(format!("arn:aws:kms:us-east-1:111122223333:key/{}", key.key_id).as_str())
        );
        let context = EncryptionContext::new();
        let blob = kms
            .encrypt_bytes(&key.key_id, b"hello", &context)
            .await
            .unwrap();
        let plaintext = kms.decrypt_bytes(&blob, &context).await.unwrap();
        assert_eq!(plaintext.expose_secret(), b"hello");
    }

    #[tokio::test]
    async fn local_takes_region_and_account_from_the_url() {
        let kms = connect("local:?region=eu-west-1&account=444455556666")
            .await
            .unwrap();
        assert!(kms.to_string().starts_with("LocalKms(eu-west-1,"), "{kms}");
        let key = kms.create_symmetric_key("test").await.unwrap();
        let arn = key.arn.unwrap();
        assert!(
            arn.starts_with("arn:aws:kms:eu-west-1:444455556666:key/"),
            "{arn}"
        );
    }

    #[tokio::test]
    async fn faults_in_the_url_wrap_the_backend() {
        let kms = connect("local:?faults=GenerateRandom.throttling:1,seed:3")
            .await
            .unwrap();
        assert!(
            kms.to_string()
                .ends_with("with faults [GenerateRandom.throttling:1,seed:3]"),
            "{kms}"
        );
        let request = crate::GenerateRandomRequest::new().with_number_of_bytes(8u32);
        let err = kms.generate_random(request).await.unwrap_err();
        assert_eq!(err.code(), "ThrottlingException");
        // Operations the plan leaves alone reach the backend.
        kms.create_symmetric_key("untouched").await.unwrap();

        let message = config_err("local:?faults=throttling:2").await;
        assert_eq!(
            message,
            "faults 'throttling:2': the rate of throttling must be between 0 and 1, not 2"
        );
    }

    #[tokio::test]
    async fn quotas_in_the_url_wrap_the_backend_under_the_faults() {
        let kms = connect("local:?quotas=aws,CreateKey:1&faults=GenerateRandom.throttling:1")
            .await
            .unwrap();
        assert!(
            kms.to_string().ends_with(
                "with quotas [aws,CreateKey:1] with faults [GenerateRandom.throttling:1]"
            ),
            "{kms}"
        );
        kms.create_symmetric_key("first").await.unwrap();
        let err = kms.create_symmetric_key("second").await.unwrap_err();
        assert_eq!(err.code(), "ThrottlingException");
        let err = kms
            .generate_random(crate::GenerateRandomRequest::new().with_number_of_bytes(8u32))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ThrottlingException", "the fault layer's");

        // Two connections are two instances, with quotas of their own.
        let other = connect("local:?quotas=CreateKey:1").await.unwrap();
        other.create_symmetric_key("first").await.unwrap();

        let message = config_err("local:?quotas=Encrypt:5").await;
        assert!(
            message.starts_with("quotas 'Encrypt:5': Encrypt counts against the quota"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn every_connection_is_a_new_store() {
        let first = connect("local:").await.unwrap();
        first
            .create_symmetric_key("only in the first")
            .await
            .unwrap();
        let second = connect("local:").await.unwrap();
        assert_eq!(second.to_string(), "LocalKms(us-east-1, 0 keys)");
    }

    #[tokio::test]
    async fn a_persistent_store_keeps_its_keys_across_connections() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("store");
        let url = format!("{}?region=eu-west-1", crate::local_store_url(&dir).unwrap());
        let first = connect(&url).await.unwrap();
        let key = first.create_symmetric_key("kept").await.unwrap();
        drop(first);
        let second = connect(&url).await.unwrap();
        assert_eq!(second.to_string(), "LocalKms(eu-west-1, 1 key)");
        let arn = key.arn.unwrap();
        assert!(arn.starts_with("arn:aws:kms:eu-west-1:"), "{arn}");
    }

    #[tokio::test]
    async fn url_errors_come_back_from_connect() {
        assert!(config_err("x:").await.starts_with("unknown scheme 'x'"));
        assert!(
            config_err("aws://eu-west-1:443")
                .await
                .contains("has a port (443)")
        );
        assert!(
            config_err("local:?foo=1")
                .await
                .starts_with("unknown option 'foo'")
        );
    }

    /// The local backend's builder checks the region and account of a URL, once.
    #[tokio::test]
    async fn the_local_backend_refuses_bad_values_by_name() {
        assert_eq!(
            config_err("local:?account=12").await,
            "account '12' must be 12 digits, such as '111122223333'"
        );
        assert_eq!(
            config_err("local:?region=EU%20WEST").await,
            "region 'EU WEST' is not valid: expected a lowercase region name such as 'eu-west-1'"
        );
        assert!(
            config_err("local:?region=eu-west-1%0A")
                .await
                .starts_with("region 'eu-west-1\\n'")
        );
        let relative = KmsConfig::Local(LocalConfig::new().with_path("keys"));
        let err = connect_config(relative).await.unwrap_err();
        assert_eq!(
            err.message(),
            "path 'keys' of a persistent local store must be absolute"
        );
    }

    /// Connecting builds the AWS backend without sending anything: the region is given, and
    /// credentials are looked up by the first request.
    #[cfg(feature = "aws")]
    #[tokio::test]
    async fn aws_urls_connect_to_the_aws_backend() {
        let kms = connect("aws+http://127.0.0.1:4566?region=us-east-1")
            .await
            .unwrap();
        assert_eq!(kms.to_string(), "AwsKms(us-east-1, http://127.0.0.1:4566)");
        let config = KmsConfig::Aws(AwsConfig::new().with_region("eu-west-1"));
        let kms = connect_config(config).await.unwrap();
        assert_eq!(kms.to_string(), "AwsKms(eu-west-1)");
        let err = connect_config(KmsConfig::Aws(AwsConfig::new().with_profile("")))
            .await
            .unwrap_err();
        assert_eq!(err.message(), "profile '' is not a valid profile name");
    }

    /// The AWS backend's builder checks the region, profile and endpoint of a URL, once;
    /// no message shows credentials.
    #[cfg(feature = "aws")]
    #[tokio::test]
    async fn the_aws_backend_refuses_bad_values_by_name() {
        assert!(
            config_err("aws://eu_west-1")
                .await
                .starts_with("region 'eu_west-1' is not valid"),
        );
        assert_eq!(
            config_err("aws://eu-west-1?profile=a%20b").await,
            "profile 'a b' is not a valid profile name"
        );
        assert_eq!(
            config_err("aws+http://127.0.0.1:0?region=us-east-1").await,
            "port 0 of endpoint URL 'http://127.0.0.1:0' is not a port a server can listen on"
        );
        assert_eq!(
            config_err("aws+http://127.0.0.1:4566/kms?region=us-east-1").await,
            "endpoint URL has a path '/kms': the AWS KMS API is served at '/'"
        );
        let config = AwsConfig::new()
            .with_region("us-east-1")
            .with_endpoint_url("https://key:secret@kms.example.com");
        let err = connect_config(KmsConfig::Aws(config)).await.unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[cfg(not(feature = "aws"))]
    #[tokio::test]
    async fn aws_urls_say_the_backend_is_not_built_in() {
        let message = config_err("aws://eu-west-1").await;
        assert!(message.contains("not built in"), "{message}");
    }

    #[tokio::test]
    async fn connect_config_validates_programmatic_configs() {
        let config = KmsConfig::Local(LocalConfig::new().with_region("EU WEST"));
        let err = connect_config(config).await.unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(
            err.message().starts_with("region 'EU WEST' is not valid"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_connection_is_a_shareable_kms() {
        let kms = connect("local:").await.unwrap();
        let clone = Arc::clone(&kms);
        let task = tokio::spawn(async move { clone.create_symmetric_key("from a task").await });
        let key = task.await.unwrap().unwrap();
        let described = kms
            .describe_key(crate::DescribeKeyRequest::new(
                crate::KeyId::parse(&key.key_id).unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(
            described.key_metadata.description.as_deref(),
            Some("from a task")
        );
    }

    #[tokio::test]
    async fn injected_errors_are_in_the_local_audit_log_marked_as_injected() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.jsonl");
        let url = format!(
            "local:?audit={}&faults=Decrypt.throttling:1,latency:1ms",
            log.display()
        );
        let kms = connect(&url).await.unwrap();
        let key = kms.create_symmetric_key("audited").await.unwrap();
        let context = EncryptionContext::new();
        let blob = kms
            .encrypt_bytes(&key.key_id, b"x", &context)
            .await
            .unwrap();
        let err = kms.decrypt_bytes(&blob, &context).await.unwrap_err();
        assert!(matches!(err, Error::Throttling { .. }), "{err:?}");

        let events: Vec<serde_json::Value> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let names: Vec<&str> = events
            .iter()
            .map(|event| event["eventName"].as_str().unwrap())
            .collect();
        // Added latency alone is no event: the calls that ran have their own.
        assert_eq!(names, ["CreateKey", "Encrypt", "Decrypt"]);
        assert!(
            events[..2]
                .iter()
                .all(|event| event.get("additionalEventData").is_none())
        );
        let injected = &events[2];
        assert_eq!(injected["errorCode"], "ThrottlingException");
        assert_eq!(injected["additionalEventData"]["injectedFault"], true);
        assert_eq!(injected["readOnly"], true);
        assert_eq!(injected["awsRegion"], "us-east-1");
    }
}
