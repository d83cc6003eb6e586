//! [`QuotaKms`]: the layer that enforces a [`QuotaPlan`] on a backend.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use kms_core::{DataKeyPairSpec, DescribeKeyRequest, DynKms, KeyId, Kms, Result};

use super::bucket::TokenBucket;
use super::plan::{KeyClass, Quota, QuotaPlan};
use crate::plan::{FaultKind, aws_name};

/// How many keys' classes are remembered; the memory is emptied when it is full.
const KEY_CLASS_CACHE_SIZE: usize = 4096;

/// A backend whose calls meet request quotas, as AWS KMS enforces them: each call counts
/// against one quota (see [`QuotaPlan`]); a call over its quota fails with AWS's
/// `ThrottlingException` without reaching the backend.
///
/// The quotas are this instance's, shared by every caller of it, as AWS's are by every
/// caller in one account and Region: `kms serve` makes one instance per Region it serves,
/// and two [`kms::connect`]-style connections (two calls) are two instances with quotas of
/// their own. Each quota is a token bucket refilled continuously, holding one second of
/// burst. A call costs a hash lookup and its bucket's mutex (and, for a cryptographic call
/// while an asymmetric quota is enforced, the mutex of the memory of key types below), and
/// allocates nothing but on a key's first lookup.
///
/// # Which quota a cryptographic call counts against
///
/// It depends on the type of its key, which the request does not carry: the layer asks the
/// backend beneath it (`DescribeKey`, which does not count against the quotas) once per key
/// ID or ARN and remembers the answer (for up to 4096 keys; a key's type never changes). An
/// alias is looked up on every call, since it may be moved to another key. A `Decrypt`
/// without a key ID is of a symmetric ciphertext; a key that cannot be described counts as
/// symmetric (the backend then answers the call with its error). `ReEncrypt` counts once,
/// against the type of its destination key. No lookup is made while no cryptographic quota
/// but the symmetric one is enforced.
///
/// [`kms::connect`]: https://docs.rs/kms/latest/kms/fn.connect.html
pub struct QuotaKms {
    inner: Arc<DynKms>,
    plan: QuotaPlan,
    buckets: HashMap<Quota, TokenBucket>,
    /// Whether a cryptographic quota other than the symmetric one is enforced.
    asymmetric: bool,
    key_classes: Mutex<HashMap<String, KeyClass>>,
}

/// What a call counts against, before the type of its key is known.
enum Charge<'a> {
    /// The cryptographic quota of the class of this key (symmetric without a key).
    KeyOf(Option<&'a KeyId>),
    /// The cryptographic quota of this class.
    Class(KeyClass),
    /// The quota of this data key pair spec.
    Pair(&'a DataKeyPairSpec),
    /// The operation's own quota.
    Operation(&'static str),
}

impl QuotaKms {
    /// `inner` with the quotas of `plan`.
    pub fn new(inner: Arc<DynKms>, plan: QuotaPlan) -> Self {
        let buckets: HashMap<Quota, TokenBucket> = Quota::all()
            .filter_map(|quota| Some((quota, TokenBucket::new(plan.rate_of(quota)?))))
            .collect();
        let asymmetric = KeyClass::ALL.into_iter().any(|class| {
            class != KeyClass::Symmetric && buckets.contains_key(&Quota::Cryptographic(class))
        });
        Self {
            inner,
            plan,
            buckets,
            asymmetric,
            key_classes: Mutex::new(HashMap::new()),
        }
    }

    /// `inner` with the quotas of `plan`, as a backend: `Arc<dyn Kms>` in, `Arc<dyn Kms>`
    /// out.
    pub fn wrap(inner: Arc<DynKms>, plan: QuotaPlan) -> Arc<DynKms> {
        Arc::new(Self::new(inner, plan))
    }

    /// The plan.
    pub fn plan(&self) -> &QuotaPlan {
        &self.plan
    }

    /// Counts one call of `operation` against its quota: `Err` with AWS's
    /// `ThrottlingException` when the quota is spent.
    async fn admit(&self, operation: &'static str, charge: Charge<'_>) -> Result<()> {
        let quota = match charge {
            Charge::KeyOf(key) => Quota::Cryptographic(self.class_of(key).await),
            Charge::Class(class) => Quota::Cryptographic(class),
            Charge::Pair(spec) => match DataKeyPairSpec::ALL.iter().position(|s| s == spec) {
                Some(index) => Quota::DataKeyPair(index),
                // A spec this version does not know: the backend refuses it.
                None => return Ok(()),
            },
            Charge::Operation(operation) => Quota::Operation(operation),
        };
        match self.buckets.get(&quota) {
            Some(bucket) if !bucket.try_take() => {
                tracing::info!(
                    target: "kms_faults",
                    operation = aws_name(operation),
                    fault = FaultKind::Throttling.name(),
                    quota = %QuotaName(quota),
                    "request over quota"
                );
                Err(FaultKind::Throttling.error())
            }
            _ => Ok(()),
        }
    }

    /// The class of `key`'s key type (see the type's docs).
    async fn class_of(&self, key: Option<&KeyId>) -> KeyClass {
        let Some(key) = key.filter(|_| self.asymmetric) else {
            return KeyClass::Symmetric;
        };
        if let Some(class) = self.cached_class(key) {
            return class;
        }
        let class = match self
            .inner
            .describe_key(DescribeKeyRequest::new(key.clone()))
            .await
        {
            Ok(described) => described
                .key_metadata
                .key_spec
                .as_ref()
                .map_or(KeyClass::Symmetric, KeyClass::of),
            Err(_) => return KeyClass::Symmetric,
        };
        if !key.is_alias() {
            let mut cache = self
                .key_classes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= KEY_CLASS_CACHE_SIZE {
                cache.clear();
            }
            cache.insert(key.as_str().to_owned(), class);
        }
        class
    }

    fn cached_class(&self, key: &KeyId) -> Option<KeyClass> {
        let cache = self
            .key_classes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cache.get(key.as_str()).copied()
    }
}

/// A quota's name in the text form, for logs.
struct QuotaName(Quota);

impl fmt::Display for QuotaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.name())
    }
}

impl fmt::Debug for QuotaKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuotaKms")
            .field("inner", &self.inner)
            .field("plan", &self.plan.to_string())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for QuotaKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with quotas [{}]", self.inner, self.plan)
    }
}

/// What the call `$op` with request `$r` counts against. The operations named here are
/// those of `SHARED_OPERATIONS`; every other operation has a quota of its own.
macro_rules! charge {
    (encrypt, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (decrypt, $r:ident) => {
        Charge::KeyOf($r.key_id.as_ref())
    };
    (re_encrypt, $r:ident) => {
        Charge::KeyOf(Some(&$r.destination_key_id))
    };
    (sign, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (verify, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (derive_shared_secret, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (encapsulate, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (decapsulate, $r:ident) => {
        Charge::KeyOf(Some(&$r.key_id))
    };
    (generate_data_key, $r:ident) => {
        Charge::Class(KeyClass::Symmetric)
    };
    (generate_data_key_without_plaintext, $r:ident) => {
        Charge::Class(KeyClass::Symmetric)
    };
    (generate_random, $r:ident) => {
        Charge::Class(KeyClass::Symmetric)
    };
    (generate_mac, $r:ident) => {
        Charge::Class(KeyClass::Symmetric)
    };
    (verify_mac, $r:ident) => {
        Charge::Class(KeyClass::Symmetric)
    };
    (generate_data_key_pair, $r:ident) => {
        Charge::Pair(&$r.key_pair_spec)
    };
    (generate_data_key_pair_without_plaintext, $r:ident) => {
        Charge::Pair(&$r.key_pair_spec)
    };
    ($op:ident, $r:ident) => {
        Charge::Operation(stringify!($op))
    };
}

/// Implements every operation as: the call's quota, then the inner backend.
macro_rules! quota_operations {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl Kms for QuotaKms {
            $(
                async fn $op(&self, request: $request) -> Result<$response> {
                    self.admit(stringify!($op), charge!($op, request)).await?;
                    self.inner.$op(request).await
                }
            )+
        }
    };
}

kms_core::for_each_operation!(quota_operations {});
