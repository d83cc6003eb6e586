//! One request and one response struct per operation, with the fields of the AWS API.

mod aliases;
mod crypto;
mod import;
mod key_pairs;
mod keys;
mod mac;
mod multi_region;
mod rotation;
mod shared_secrets;
mod signing;
mod tags;

pub use aliases::*;
pub use crypto::*;
pub use import::*;
pub use key_pairs::*;
pub use keys::*;
pub use mac::*;
pub use multi_region::*;
pub use rotation::*;
pub use shared_secrets::*;
pub use signing::*;
pub use tags::*;
