//! A buffered writer whose buffer is wiped once written out, for plaintext output.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::AsyncWrite;
use zeroize::{Zeroize, Zeroizing};

/// Like tokio's `BufWriter`, but the bytes it buffers (decrypted plaintext) are overwritten as
/// soon as they reach the inner writer, and when it is dropped.
#[derive(Debug)]
pub(crate) struct WipingBufWriter<W> {
    inner: W,
    buffer: Zeroizing<Vec<u8>>,
    /// How much of `buffer` the inner writer has taken.
    written: usize,
}

impl<W: AsyncWrite + Unpin> WipingBufWriter<W> {
    pub(crate) fn with_capacity(capacity: usize, inner: W) -> Self {
        Self {
            inner,
            buffer: Zeroizing::new(Vec::with_capacity(capacity)),
            written: 0,
        }
    }

    /// Writes the whole buffer to the inner writer, then wipes it.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buffer.len() {
            let pending = self.buffer.get(self.written..).unwrap_or_default();
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        // Wipes the bytes and keeps the allocation (zeroize of a Vec clears it too).
        self.buffer.as_mut_slice().zeroize();
        self.buffer.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for WipingBufWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let capacity = this.buffer.capacity();
        if this.buffer.len() + data.len() > capacity {
            ready!(this.poll_drain(cx))?;
        }
        if data.len() >= capacity {
            return Pin::new(&mut this.inner).poll_write(cx, data);
        }
        this.buffer.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn buffers_and_passes_everything_through_in_order() {
        let mut out = WipingBufWriter::with_capacity(8, Vec::new());
        for chunk in [&b"abc"[..], b"defgh", b"0123456789abcdef", b"!"] {
            out.write_all(chunk).await.unwrap();
        }
        out.flush().await.unwrap();
        assert_eq!(out.inner, b"abcdefgh0123456789abcdef!");
        assert!(out.buffer.is_empty());
    }
}
