//! The message format as pure functions over bytes: no I/O, no keys.

pub(crate) mod frame;
pub(crate) mod header;
pub(crate) mod wire;
