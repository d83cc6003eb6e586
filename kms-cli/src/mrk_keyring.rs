//! The multi-Region-aware keyrings of `decrypt-file`: `--mrk-key-id` (the AWS KMS MRK
//! keyring, one per key) and `--mrk-discovery` (the AWS KMS MRK discovery keyring, one per
//! Region), each calling KMS in the Region of its key or its own Region.

use std::collections::BTreeMap;
use std::sync::Arc;

use kms::{Kms, RegionalKms};
use kms_envelope::{Keyring, MultiKeyring};

use crate::Failure;
use crate::args;
use crate::backend::Backend;
use crate::cli::{DiscoveryArgs, MrkArgs};

/// The backend's clients of `regions`, by Region: what the MRK multi-keyrings take a client
/// of each Region from.
async fn clients<'a>(
    backend: &RegionalKms,
    regions: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, Arc<dyn Kms>>, Failure> {
    let mut clients = BTreeMap::new();
    for region in regions {
        if !clients.contains_key(region) {
            // A backend without handles of other Regions is a limit of the backend, not a
            // refusal of the service.
            let client = backend.in_region(region).await.map_err(|err| match err {
                kms::Error::NotImplemented { .. } => Failure::Backend(err),
                other => Failure::from(other),
            })?;
            clients.insert(region.to_owned(), client);
        }
    }
    Ok(clients)
}

/// The AWS KMS MRK multi-keyring of the `--mrk-key-id` key ARNs, each over the backend's
/// client of its Region.
pub(crate) async fn strict(backend: &Backend, mrk: &MrkArgs) -> Result<Arc<dyn Keyring>, Failure> {
    let keys = mrk
        .key_ids
        .iter()
        .map(|key_id| args::key_id("mrk-key-id", key_id))
        .collect::<Result<Vec<_>, _>>()?;
    // The identifiers are checked before anything is connected.
    kms_envelope::check_multi_region_keys_are_unique(&keys)
        .map_err(|err| usage("--mrk-key-id", err))?;
    let regions = keys
        .iter()
        .filter_map(|key| key.arn())
        .map(|arn| arn.region());
    let clients = clients(&backend.regions().await?, regions).await?;
    let keyring = MultiKeyring::kms_mrk(None, keys, &clients, Vec::new())
        .await
        .map_err(|err| usage("--mrk-key-id", err))?;
    Ok(Arc::new(keyring))
}

/// The AWS KMS MRK discovery multi-keyring of the `--discovery-region` Regions (the
/// backend's own Region without any), limited to the `--discovery-account` accounts.
pub(crate) async fn discovery(
    backend: &Backend,
    discovery: &DiscoveryArgs,
    mrk: &MrkArgs,
) -> Result<Arc<dyn Keyring>, Failure> {
    let filter = crate::keyring::discovery_filter(discovery)?;
    let backend = backend.regions().await?;
    let regions: Vec<&str> = if mrk.regions.is_empty() {
        vec![backend.region()]
    } else {
        mrk.regions.iter().map(String::as_str).collect()
    };
    for region in &regions {
        kms::kms_local::check_region(region)
            .map_err(|err| Failure::Usage(format!("--discovery-region: {}", err.message())))?;
    }
    let clients = clients(&backend, regions.iter().copied()).await?;
    let keyring = MultiKeyring::kms_mrk_discovery(&regions, filter, &clients, Vec::new())
        .await
        .map_err(|err| usage("--mrk-discovery", err))?;
    Ok(Arc::new(keyring))
}

/// A refused configuration as a wrong argument of `flag`; a KMS or backend error as itself.
fn usage(flag: &str, err: kms_envelope::Error) -> Failure {
    match err {
        kms_envelope::Error::Kms(err) => Failure::from(err),
        other => Failure::Usage(format!("{flag}: {other}")),
    }
}
