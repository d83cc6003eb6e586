//! The commands only a local backend has: `seed` and `export-key`.

use kms::{KmsConfig, LocalKms, kms_local};
use zeroize::Zeroize;

use crate::Failure;
use crate::args;
use crate::backend::Backend;
use crate::cli::{ExportKey, Seed};

/// Adds the keys of a seed file to the local backend, and prints their IDs.
pub(crate) fn seed(backend: &Backend, seed: &Seed) -> Result<(), Failure> {
    let kms_url = local_url(backend, "seed")?;
    let seed_file = kms_local::SeedFile::read(&seed.file)?;
    let ids: Vec<&str> = seed_file
        .keys
        .iter()
        .map(|key| key.key_id.as_str())
        .collect();
    let output = serde_json::json!({ "KeyIds": ids });
    kms::local_builder(&kms_url)?.seed(seed_file).build()?;
    println!(
        "{}",
        serde_json::to_string_pretty(&output).unwrap_or_default()
    );
    Ok(())
}

/// Prints the keys as a seed file, once `--insecure` confirms it.
pub(crate) fn export(backend: &Backend, export: &ExportKey) -> Result<(), Failure> {
    if !export.insecure {
        return Err(Failure::Usage(
            "export-key prints key material in the clear: add --insecure to confirm".to_owned(),
        ));
    }
    let kms: LocalKms = kms::local_builder(&local_url(backend, "export-key")?)?.build()?;
    let key_ids = export
        .key_ids
        .iter()
        .map(|key_id| args::key_id("key-id", key_id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = kms_local::insecure::export_seed(&kms, &key_ids)?.to_toml()?;
    print!("{text}");
    text.zeroize();
    Ok(())
}

/// The local configuration of `backend`; other backends have no seeds.
fn local_url(backend: &Backend, command: &str) -> Result<kms::LocalConfig, Failure> {
    match backend.config()? {
        KmsConfig::Local(config) => Ok(config),
        #[allow(
            unreachable_patterns,
            reason = "other backends come with cargo features"
        )]
        _ => Err(Failure::Usage(format!(
            "{command} works on local backends only, not '{backend}'"
        ))),
    }
}
