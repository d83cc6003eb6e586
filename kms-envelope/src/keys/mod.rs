//! Key derivation, key commitment and message signatures.

pub(crate) mod derive;
pub(crate) mod signing;
