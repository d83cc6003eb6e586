//! One request and one response struct per operation, with the fields of the AWS API.

mod aliases;
mod crypto;
mod keys;
mod rotation;
mod tags;

pub use aliases::*;
pub use crypto::*;
pub use keys::*;
pub use rotation::*;
pub use tags::*;
