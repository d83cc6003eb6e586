//! [`BufferSink`]: a destination that takes whole output buffers by ownership, and the
//! adapter that makes one of any `AsyncWrite`.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::AsyncWrite;

/// A destination for the output of [`Encryptor::copy_to_sink`](crate::Encryptor::copy_to_sink)
/// and [`Decryptor::copy_to_sink`](crate::Decryptor::copy_to_sink) that takes each buffer by
/// ownership instead of copying its bytes, and hands buffers back to be filled again.
///
/// A sink that writes on a thread of its own (or hands buffers to a queue) moves the
/// output without a copy in user space; buffers coming back are reused, so a copy of any
/// length allocates only a few.
///
/// Buffers sent by [`Decryptor::copy_to_sink`](crate::Decryptor::copy_to_sink) hold
/// plaintext: the sink becomes responsible for wiping what it keeps. The copies wipe the
/// buffers they hold when they end.
///
/// ```
/// use std::io;
/// use std::task::{Context, Poll};
/// use kms_envelope::BufferSink;
///
/// /// Keeps every buffer it is given, as a list of chunks.
/// #[derive(Debug, Default)]
/// struct Chunks(Vec<Vec<u8>>);
///
/// impl BufferSink for Chunks {
///     fn poll_send(&mut self, _: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
///         // Takes the buffer itself; the copy fills a fresh one next.
///         self.0.push(std::mem::take(buffer));
///         Poll::Ready(Ok(()))
///     }
///
///     fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
///         Poll::Ready(Ok(()))
///     }
/// }
/// ```
pub trait BufferSink {
    /// Takes the bytes of `buffer`, all of them, waiting while the destination is behind.
    ///
    /// Call it again with the same buffer until it is ready. Once it returns
    /// `Poll::Ready(Ok(()))`, the bytes are the sink's and `buffer` holds a buffer to fill
    /// next: the same allocation or another, whose length and contents are left to the
    /// caller to overwrite (they may be the bytes of an earlier buffer). After an error,
    /// nothing more is sent.
    fn poll_send(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>>;

    /// Writes out everything sent so far.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}

impl<S: BufferSink + ?Sized> BufferSink for &mut S {
    fn poll_send(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
        (**self).poll_send(cx, buffer)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        (**self).poll_flush(cx)
    }
}

impl<S: BufferSink + ?Sized> BufferSink for Box<S> {
    fn poll_send(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
        (**self).poll_send(cx, buffer)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        (**self).poll_flush(cx)
    }
}

/// Sends `buffer` to `sink`; afterwards `buffer` holds the buffer to fill next.
pub(crate) async fn send<S: BufferSink + ?Sized>(
    sink: &mut S,
    buffer: &mut Vec<u8>,
) -> io::Result<()> {
    std::future::poll_fn(|cx| sink.poll_send(cx, buffer)).await
}

/// Flushes `sink`.
pub(crate) async fn flush<S: BufferSink + ?Sized>(sink: &mut S) -> io::Result<()> {
    std::future::poll_fn(|cx| sink.poll_flush(cx)).await
}

/// A [`BufferSink`] that writes each buffer to an `AsyncWrite` and hands the same buffer
/// back.
pub(crate) struct WriteSink<'a, W: ?Sized> {
    writer: &'a mut W,
    /// How much of the buffer being sent is written already.
    written: usize,
}

impl<W: ?Sized> fmt::Debug for WriteSink<'_, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteSink")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<'a, W: AsyncWrite + Unpin + ?Sized> WriteSink<'a, W> {
    /// A sink writing to `writer`.
    pub(crate) fn new(writer: &'a mut W) -> Self {
        Self { writer, written: 0 }
    }
}

impl<W: AsyncWrite + Unpin + ?Sized> BufferSink for WriteSink<'_, W> {
    fn poll_send(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
        while let Some(rest) = buffer.get(self.written..).filter(|rest| !rest.is_empty()) {
            match ready!(Pin::new(&mut *self.writer).poll_write(cx, rest)) {
                Ok(0) => {
                    self.written = 0;
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Ok(written) => self.written += written,
                Err(err) => {
                    self.written = 0;
                    return Poll::Ready(Err(err));
                }
            }
        }
        self.written = 0;
        Poll::Ready(Ok(()))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.writer).poll_flush(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A writer that takes at most three bytes per write.
    struct Trickle(Vec<u8>);

    impl AsyncWrite for Trickle {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let taken = buf.len().min(3);
            self.get_mut().0.extend_from_slice(&buf[..taken]);
            Poll::Ready(Ok(taken))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_write_sink_writes_every_byte_through_short_writes() {
        let mut writer = Trickle(Vec::new());
        let mut sink = WriteSink::new(&mut writer);
        let mut buffer = b"attack at dawn".to_vec();
        send(&mut sink, &mut buffer).await.unwrap();
        buffer.clear();
        buffer.extend_from_slice(b", then lunch");
        send(&mut sink, &mut buffer).await.unwrap();
        flush(&mut sink).await.unwrap();
        assert_eq!(writer.0, b"attack at dawn, then lunch");
    }

    #[tokio::test]
    async fn a_writer_that_takes_nothing_is_an_error() {
        let mut space = [0u8; 2];
        let mut full = std::io::Cursor::new(&mut space[..]);
        let mut sink = WriteSink::new(&mut full);
        let err = send(&mut sink, &mut b"abc".to_vec()).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WriteZero);
    }
}
