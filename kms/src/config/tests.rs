//! The tests of parsing KMS URLs and config files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::path::{Path, PathBuf};

use super::*;

/// The message of the `Error::Config` that parsing `url` gives.
fn config_err(url: &str) -> String {
    match KmsConfig::from_url(url) {
        Err(Error::Config { message }) => message,
        other => panic!("{url:?} gave {other:?}, expected a config error"),
    }
}

/// A directory written from the root the Unix way, as this platform writes it absolute: the
/// same on Unix, on drive `C:` on Windows; and as a `local:` URL writes it.
fn absolute(unix_path: &str) -> (PathBuf, String) {
    if cfg!(windows) {
        (
            PathBuf::from(format!("C:{}", unix_path.replace('/', "\\"))),
            format!("/C:{unix_path}"),
        )
    } else {
        (PathBuf::from(unix_path), unix_path.to_owned())
    }
}

fn local(url: &str) -> LocalConfig {
    match KmsConfig::from_url(url) {
        Ok(KmsConfig::Local(config)) => config,
        other => panic!("{url:?} gave {other:?}"),
    }
}

#[test]
fn local_is_the_in_memory_default() {
    assert_eq!(local("local:"), LocalConfig::default());
    assert_eq!(
        KmsConfig::default(),
        KmsConfig::from_url(DEFAULT_URL).unwrap()
    );
    // Scheme case, surrounding spaces and empty queries change nothing.
    assert_eq!(local("LOCAL:"), LocalConfig::default());
    assert_eq!(local("  local:\n"), LocalConfig::default());
    assert_eq!(local("local:?"), LocalConfig::default());
    assert_eq!(local("local:?&&"), LocalConfig::default());
}

#[test]
fn from_str_is_from_url() {
    let parsed: KmsConfig = "local:?region=eu-west-1".parse().unwrap();
    assert_eq!(
        parsed,
        KmsConfig::from_url("local:?region=eu-west-1").unwrap()
    );
    assert!("nope".parse::<KmsConfig>().is_err());
}

#[test]
fn local_takes_region_and_account() {
    let config = local("local:?region=eu-west-1&account=111122223333");
    assert_eq!(config.region.as_deref(), Some("eu-west-1"));
    assert_eq!(config.account.as_deref(), Some("111122223333"));
    assert_eq!(config.path, None);

    let config = local("local:?account=123456789012");
    assert_eq!(config.region, None);
    assert_eq!(config.account.as_deref(), Some("123456789012"));

    let config = local("local:?region=us-gov-west-1");
    assert_eq!(config.region.as_deref(), Some("us-gov-west-1"));
}

#[test]
fn local_takes_a_seed_file_once() {
    let (_, var_kms) = absolute("/var/kms");
    let config = local(&format!("local://{var_kms}?seed=/etc/kms/seed.toml"));
    assert_eq!(
        config.seed.as_deref(),
        Some(Path::new("/etc/kms/seed.toml"))
    );
    assert_eq!(
        config_err("local:?seed=a.toml&seed=b.toml"),
        "option 'seed' is given more than once in KMS URL 'local:?seed=a.toml&seed=b.toml'"
    );
}

#[test]
fn local_with_a_path_is_a_persistent_store() {
    let (dir, in_url) = absolute("/path/to/dir");
    assert_eq!(local(&format!("local://{in_url}")).path, Some(dir.clone()));
    assert_eq!(local(&format!("local:{in_url}")).path, Some(dir));
    let (dir, _) = absolute("/my keys/dir");
    let (_, in_url) = absolute("/my%20keys/dir");
    assert_eq!(local(&format!("local://{in_url}")).path, Some(dir));
    let (dir, in_url) = absolute("/var/kms");
    let config = local(&format!(
        "local://{in_url}?region=eu-west-1&account=111122223333"
    ));
    assert_eq!(config.path, Some(dir));
    assert_eq!(config.region.as_deref(), Some("eu-west-1"));
    assert_eq!(config.account.as_deref(), Some("111122223333"));
}

#[test]
fn an_empty_url_or_one_without_scheme_is_refused() {
    assert_eq!(
        config_err(""),
        "the KMS URL is empty: use 'local:' for the in-memory local backend"
    );
    assert_eq!(config_err("   "), config_err(""));
    let message = config_err("eu-west-1");
    assert!(
        message.starts_with("KMS URL 'eu-west-1' has no scheme"),
        "{message}"
    );
}

#[test]
fn an_unknown_scheme_is_named() {
    assert_eq!(
        config_err("x:"),
        "unknown scheme 'x' in KMS URL 'x:': expected 'local:', 'aws:', 'aws+http:' or \
         'aws+https:'"
    );
    assert!(config_err("aws+ftp://host").starts_with("unknown scheme 'aws+ftp'"));
    assert!(config_err("file:///tmp/keys").starts_with("unknown scheme 'file'"));
    assert!(config_err("memory:").starts_with("unknown scheme 'memory'"));
}

fn aws(url: &str) -> AwsConfig {
    match KmsConfig::from_url(url) {
        Ok(KmsConfig::Aws(config)) => config,
        other => panic!("{url:?} gave {other:?}"),
    }
}

#[test]
fn aws_is_the_standard_chain() {
    assert_eq!(aws("aws:"), AwsConfig::default());
    assert_eq!(aws("AWS:"), AwsConfig::default());
    assert_eq!(aws("aws:?"), AwsConfig::default());
    assert_eq!(aws(" aws: "), AwsConfig::default());
}

#[test]
fn aws_takes_a_region_as_host_or_option() {
    assert_eq!(
        aws("aws://eu-west-1"),
        AwsConfig::new().with_region("eu-west-1")
    );
    assert_eq!(
        aws("aws://eu-west-1/"),
        AwsConfig::new().with_region("eu-west-1")
    );
    assert_eq!(
        aws("aws:?region=us-gov-west-1"),
        AwsConfig::new().with_region("us-gov-west-1")
    );
    assert_eq!(
        aws("aws://eu-west-1?profile=prod"),
        AwsConfig::new()
            .with_region("eu-west-1")
            .with_profile("prod")
    );
}

#[test]
fn aws_takes_a_profile() {
    assert_eq!(
        aws("aws:?profile=prod"),
        AwsConfig::new().with_profile("prod")
    );
    assert_eq!(
        aws("aws:?profile=team%2Fprod&region=eu-central-1"),
        AwsConfig::new()
            .with_profile("team/prod")
            .with_region("eu-central-1")
    );
}

#[test]
fn aws_http_and_https_are_endpoints() {
    assert_eq!(
        aws("aws+http://127.0.0.1:4599"),
        AwsConfig::new().with_endpoint_url("http://127.0.0.1:4599")
    );
    assert_eq!(
        aws("aws+http://localhost:4566/?region=us-east-1&profile=local"),
        AwsConfig::new()
            .with_endpoint_url("http://localhost:4566")
            .with_region("us-east-1")
            .with_profile("local")
    );
    assert_eq!(
        aws("aws+https://kms.example.com"),
        AwsConfig::new().with_endpoint_url("https://kms.example.com")
    );
    assert_eq!(
        aws("aws+https://kms.example.com:8443"),
        AwsConfig::new().with_endpoint_url("https://kms.example.com:8443")
    );
    assert_eq!(
        aws("aws+http://[::1]:4566"),
        AwsConfig::new().with_endpoint_url("http://[::1]:4566")
    );
}

#[test]
fn aws_url_errors_name_the_part() {
    assert_eq!(
        config_err("aws://eu-west-1:443"),
        "KMS URL 'aws://eu-west-1:443' has a port (443), but 'aws://' takes a region: \
         write an endpoint as 'aws+http://HOST:PORT' or 'aws+https://HOST:PORT'"
    );
    assert_eq!(
        config_err("aws://eu-west-1/keys"),
        "KMS URL 'aws://eu-west-1/keys' has a path '/keys', which an aws: URL does not take"
    );
    assert!(config_err("aws://").starts_with("KMS URL 'aws://' has no region after '//'"));
    assert!(
        config_err("aws:eu-west-1").starts_with("unexpected 'eu-west-1' after 'aws:'"),
        "{}",
        config_err("aws:eu-west-1")
    );
    assert_eq!(
        config_err("aws:?colour=blue"),
        "unknown option 'colour' in KMS URL 'aws:?colour=blue' (an aws: URL takes region, \
         profile, faults, quotas)"
    );
    assert!(config_err("aws:?Profile=x").starts_with("unknown option 'Profile'"));
    assert!(config_err("aws+http://h:1?account=1").starts_with("unknown option 'account'"));
    assert_eq!(
        config_err("aws:?profile=a&profile=b"),
        "option 'profile' is given more than once in KMS URL 'aws:?profile=a&profile=b'"
    );
    assert_eq!(
        config_err("aws://eu-west-1?region=eu-west-1"),
        "KMS URL 'aws://eu-west-1?region=eu-west-1' gives the region twice: in the host \
         and as option 'region'"
    );
    assert_eq!(
        config_err("aws:#x"),
        "KMS URL 'aws:#x' has a fragment '#x', which no KMS URL takes"
    );
}

#[test]
fn aws_endpoint_url_errors_name_the_part() {
    assert!(
        config_err("aws+http://127.0.0.1:99999").contains("invalid port number"),
        "{}",
        config_err("aws+http://127.0.0.1:99999")
    );
    assert!(config_err("aws+http://127.0.0.1:port").contains("invalid port number"));
    assert!(
        config_err("aws+http:127.0.0.1:4566").starts_with(
            "KMS URL 'aws+http:127.0.0.1:4566' has no host: write an endpoint as \
             'aws+http://HOST:PORT'"
        ),
        "{}",
        config_err("aws+http:127.0.0.1:4566")
    );
    assert!(config_err("aws+https://").contains("has no host"));
    let message = config_err("aws+https://key:secret@kms.example.com");
    assert!(message.contains("carries credentials"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    assert!(config_err("aws+http://h:1#frag").contains("has a fragment '#frag'"));
}

#[test]
fn aws_config_files_are_deserialized_strictly() {
    let parse = serde_json::from_str::<KmsConfig>;
    assert_eq!(
        parse(r#"{"backend": "aws"}"#).unwrap(),
        KmsConfig::Aws(AwsConfig::new())
    );
    let config = parse(
        r#"{"backend": "aws", "region": "eu-west-1", "profile": "prod",
            "endpoint_url": "https://kms.example.com:8443"}"#,
    )
    .unwrap();
    let expected = AwsConfig::new()
        .with_region("eu-west-1")
        .with_profile("prod")
        .with_endpoint_url("https://kms.example.com:8443");
    assert_eq!(config, KmsConfig::Aws(expected));
    assert_eq!(
        parse(r#"{"backend": "aws", "endpoint_url": "http://127.0.0.1:4566"}"#).unwrap(),
        KmsConfig::from_url("aws+http://127.0.0.1:4566").unwrap()
    );

    let unknown = parse(r#"{"backend": "aws", "account": "111122223333"}"#).unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `account`"),
        "{unknown}"
    );
}

/// Parsing carries the values as they are: the backend's builder checks them once, when
/// connecting (see the tests of `connect`).
#[test]
fn values_are_carried_to_the_backend_unchecked() {
    assert_eq!(
        aws("aws://EU-WEST-1?profile="),
        AwsConfig::new().with_region("EU-WEST-1").with_profile("")
    );
    assert_eq!(
        aws("aws+http://127.0.0.1:0/kms"),
        AwsConfig::new().with_endpoint_url("http://127.0.0.1:0/kms")
    );
    assert_eq!(
        local("local:?region=EU%20WEST&account=12"),
        LocalConfig::new().with_region("EU WEST").with_account("12")
    );
    let parse = serde_json::from_str::<KmsConfig>;
    assert_eq!(
        parse(r#"{"backend": "local", "path": "keys"}"#).unwrap(),
        KmsConfig::Local(LocalConfig::new().with_path("keys"))
    );
}

#[test]
fn a_host_in_a_local_url_is_named() {
    let message = config_err("local://host/path/to/dir");
    assert!(message.contains("names host 'host'"), "{message}");
    assert!(message.contains("local:///path/to/dir"), "{message}");
    assert!(config_err("local://localhost/dir").contains("names host 'localhost'"));
}

#[test]
fn a_local_url_with_slashes_but_no_path_is_refused() {
    let message = config_err("local://");
    assert!(message.contains("has no path after '//'"), "{message}");
}

#[test]
fn text_after_the_colon_is_named() {
    let message = config_err("local:eu-west-1");
    assert!(
        message.starts_with("unexpected 'eu-west-1' after 'local:'"),
        "{message}"
    );
    assert!(config_err("local:relative/dir").starts_with("unexpected 'relative/dir'"));
}

#[test]
fn a_fragment_is_named() {
    assert_eq!(
        config_err("local:#keys"),
        "KMS URL 'local:#keys' has a fragment '#keys', which no KMS URL takes"
    );
}

#[test]
fn an_unknown_option_is_named() {
    assert_eq!(
        config_err("local:?foo=1"),
        "unknown option 'foo' in KMS URL 'local:?foo=1' (a local: URL takes region, account, seed, audit, faults, quotas)"
    );
    // Option names are case-sensitive.
    assert!(config_err("local:?Region=eu-west-1").starts_with("unknown option 'Region'"));
    let (_, dir) = absolute("/dir");
    assert!(
        config_err(&format!("local://{dir}?profile=x")).starts_with("unknown option 'profile'")
    );
}

#[test]
fn a_repeated_option_is_named() {
    assert_eq!(
        config_err("local:?region=eu-west-1&region=us-east-1"),
        "option 'region' is given more than once in KMS URL \
         'local:?region=eu-west-1&region=us-east-1'"
    );
    assert!(
        config_err("local:?account=111122223333&account=111122223333")
            .starts_with("option 'account' is given more than once")
    );
}

#[test]
fn a_url_is_never_shown_with_its_credentials() {
    assert_eq!(super::url::shown("local:"), "local:");
    assert_eq!(super::url::shown("local:///a@b"), "local:///a@b");
    assert_eq!(
        super::url::shown("aws+https://k:s@host/x"),
        "aws+https://***@host/x"
    );
    assert_eq!(super::url::shown("x://a@b?c@d"), "x://***@b?c@d");
    let message = config_err("local://user:secret@host/dir");
    assert!(message.contains("carries credentials"), "{message}");
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn a_malformed_url_is_refused_without_showing_credentials() {
    let message = config_err("local://user:secret@/dir");
    assert!(message.contains("is malformed"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    assert!(message.contains("'local://***@/dir'"), "{message}");
}

#[test]
fn config_files_are_deserialized_strictly() {
    let parse = serde_json::from_str::<KmsConfig>;
    assert_eq!(
        parse(r#"{"backend": "local"}"#).unwrap(),
        KmsConfig::default()
    );
    let config = parse(
        r#"{"backend": "local", "region": "eu-west-1", "account": "111122223333",
            "path": "/var/lib/kms"}"#,
    )
    .unwrap();
    let expected = LocalConfig::new()
        .with_region("eu-west-1")
        .with_account("111122223333")
        .with_path("/var/lib/kms");
    assert_eq!(config, KmsConfig::Local(expected));

    let unknown_field = parse(r#"{"backend": "local", "colour": "blue"}"#).unwrap_err();
    assert!(
        unknown_field.to_string().contains("unknown field `colour`"),
        "{unknown_field}"
    );
    let unknown_backend = parse(r#"{"backend": "vault"}"#).unwrap_err();
    assert!(
        unknown_backend
            .to_string()
            .contains("unknown variant `vault`"),
        "{unknown_backend}"
    );
    let no_backend = parse(r#"{"region": "eu-west-1"}"#).unwrap_err();
    assert!(
        no_backend.to_string().contains("missing field `backend`"),
        "{no_backend}"
    );
}

#[test]
fn the_environment_defaults_to_local() {
    assert_eq!(
        KmsConfig::from_env_value(None).unwrap(),
        KmsConfig::default()
    );
    assert_eq!(
        KmsConfig::from_env_value(Some("".into())).unwrap(),
        KmsConfig::default()
    );
    assert_eq!(
        KmsConfig::from_env_value(Some(" ".into())).unwrap(),
        KmsConfig::default()
    );
    assert_eq!(
        KmsConfig::from_env_value(Some("local:?region=eu-west-1".into())).unwrap(),
        KmsConfig::Local(LocalConfig::new().with_region("eu-west-1"))
    );
}

#[test]
fn environment_errors_name_the_variable() {
    let err = KmsConfig::from_env_value(Some("x:".into())).unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
    assert_eq!(
        err.message(),
        "KMS_URL: unknown scheme 'x' in KMS URL 'x:': expected 'local:', 'aws:', \
         'aws+http:' or 'aws+https:'"
    );
    assert_eq!(
        KmsConfig::from_env_value(Some("aws+http://127.0.0.1:4566".into())).unwrap(),
        KmsConfig::Aws(AwsConfig::new().with_endpoint_url("http://127.0.0.1:4566"))
    );
}

#[cfg(unix)]
#[test]
fn a_non_utf8_environment_value_is_refused() {
    use std::os::unix::ffi::OsStringExt;
    let err = KmsConfig::from_env_value(Some(OsString::from_vec(vec![b'l', 0xff]))).unwrap_err();
    assert!(
        err.message().starts_with("KMS_URL is not valid UTF-8"),
        "{err}"
    );
    let mut with_credentials = b"aws+https://key:secret@host".to_vec();
    with_credentials.push(0xff);
    let err = KmsConfig::from_env_value(Some(OsString::from_vec(with_credentials))).unwrap_err();
    assert!(!err.message().contains("secret"), "{err}");
    assert!(err.message().contains("'aws+https://***@host"), "{err}");
}

#[test]
fn debug_never_shows_endpoint_credentials() {
    let config = AwsConfig::new().with_endpoint_url("https://key:secret@kms.example.com");
    let shown = format!("{config:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("https://***@kms.example.com"), "{shown}");
}

#[test]
fn a_store_url_names_its_directory_whatever_the_characters() {
    for unix_path in ["/home/me/.local/share/kms", "/data dir/k#m%s?", "/a@b/ü"] {
        let (dir, _) = absolute(unix_path);
        let url = crate::local_store_url(&dir).unwrap();
        assert_eq!(local(&url).path, Some(dir), "{url}");
    }
    let message = crate::local_store_url("relative/dir")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("'relative/dir' is not an absolute path"),
        "{message}"
    );
}

#[test]
fn quotas_are_an_option_of_every_url_and_config_file() {
    let config: KmsConfig = "local:?quotas=aws,CreateKey:5".parse().unwrap();
    assert_eq!(config.quotas(), Some("aws,CreateKey:5"));
    let config: KmsConfig = "aws+http://127.0.0.1:4566?quotas=all:500".parse().unwrap();
    assert_eq!(config.quotas(), Some("all:500"));
    let from_file: KmsConfig =
        serde_json::from_str(r#"{ "backend": "local", "quotas": "cryptographic:100" }"#).unwrap();
    assert_eq!(
        from_file,
        KmsConfig::Local(LocalConfig::new().with_quotas("cryptographic:100"))
    );
    assert_eq!(
        "aws:".parse::<KmsConfig>().unwrap().with_quotas("aws"),
        "aws:?quotas=aws".parse().unwrap()
    );
}
