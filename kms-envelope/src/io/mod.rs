//! The tokio adapters over the sans-IO core: writer, reader, streams and copy helpers.

pub(crate) mod reader;
pub(crate) mod stream;
pub(crate) mod writer;
