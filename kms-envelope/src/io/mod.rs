//! The tokio adapters over the sans-IO core: writer, reader, streams, copy helpers and buffer sinks.

pub(crate) mod copy;
pub(crate) mod reader;
pub(crate) mod sink;
pub(crate) mod stream;
pub(crate) mod writer;
