//! The encrypting writer: plaintext in, a message out to any `AsyncWrite`.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::AsyncWrite;
use zeroize::Zeroizing;

use crate::encrypt::{EncryptCore, Encryptor};
use crate::error::{Error, Result};

/// An [`AsyncWrite`] that encrypts what is written to it into a message written to `W`.
///
/// Created by [`Encryptor::encrypting_writer`], which has already obtained the data key.
/// Plaintext is buffered up to a batch of frames (about 1 MiB per thread, see
/// [`Encryptor::with_threads`]); a full batch is sealed on the threads and written as soon as
/// more data follows it (so the last frame of the message is never empty unless the whole
/// plaintext is), and a flush seals and writes every buffered frame but the last. Memory
/// stays at about two batches, whatever the size of the data.
///
/// You **MUST** call [`shutdown`](tokio::io::AsyncWriteExt::shutdown) or
/// [`EncryptingWriter::finish`] when you are done writing: that writes the final frame and,
/// for signed suites, the footer. A writer dropped without it leaves a truncated message that
/// every decryptor rejects; it can never pass for a complete one.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::SecretBytes;
/// use kms_envelope::{Decryptor, Encryptor, RawAesKeyring};
/// use tokio::io::AsyncWriteExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let mut writer = Encryptor::new(keyring.clone())
///     .with_frame_length(1024)
///     .encrypting_writer(Vec::new())
///     .await?;
/// writer.write_all(&[7; 5000]).await?;
/// let message = writer.finish().await?;
///
/// assert_eq!(Decryptor::new(keyring).decrypt(&message).await?.plaintext(), &[7; 5000]);
/// # Ok(()) }
/// ```
pub struct EncryptingWriter<W> {
    inner: W,
    core: Option<EncryptCore>,
    plain: Zeroizing<Vec<u8>>,
    /// Message bytes not yet written: `pending[pending_pos..pending_end]`. The buffer is
    /// kept (and stays initialized) from frame to frame.
    pending: Vec<u8>,
    pending_pos: usize,
    pending_end: usize,
    state: WriterState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriterState {
    Open,
    Finished,
    ShutDown,
    Failed,
}

impl<W> fmt::Debug for EncryptingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptingWriter")
            .field("buffered", &self.plain.len())
            .field("pending", &(self.pending_end - self.pending_pos))
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Encryptor {
    /// Gets a data key from the keyring and returns a writer that encrypts into `inner`.
    /// The header is written with the first frame.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for invalid options, or the keyring's error.
    pub async fn encrypting_writer<W: AsyncWrite + Unpin>(
        &self,
        inner: W,
    ) -> Result<EncryptingWriter<W>> {
        let (core, header) = self.start().await?;
        let frame_length = core.frame_length();
        Ok(EncryptingWriter {
            inner,
            plain: Zeroizing::new(Vec::with_capacity(frame_length.min(1 << 16))),
            pending_end: header.len(),
            pending: header,
            pending_pos: 0,
            core: Some(core),
            state: WriterState::Open,
        })
    }
}

impl<W: AsyncWrite + Unpin> EncryptingWriter<W> {
    /// Writes the final frame (and footer), flushes, and returns the inner writer without
    /// shutting it down.
    ///
    /// # Errors
    ///
    /// The inner writer's error, or [`Error::WriterClosed`] after an earlier failure.
    pub async fn finish(mut self) -> Result<W> {
        poll_fn(|cx| self.poll_finish(cx)).await?;
        poll_fn(|cx| Pin::new(&mut self.inner).poll_flush(cx)).await?;
        Ok(self.inner)
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Writes out what is pending, as far as the inner writer accepts it.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.pending_pos < self.pending_end {
            let rest = self
                .pending
                .get(self.pending_pos..self.pending_end)
                .unwrap_or_default();
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending_pos += written;
        }
        self.pending_pos = 0;
        self.pending_end = 0;
        Poll::Ready(Ok(()))
    }

    fn check_open(&self) -> io::Result<()> {
        match self.state {
            WriterState::Open => Ok(()),
            WriterState::Finished | WriterState::ShutDown => {
                Err(Error::WriterClosed("finished").into())
            }
            WriterState::Failed => Err(Error::WriterClosed("failed").into()),
        }
    }

    fn fail<T>(&mut self, error: impl Into<io::Error>) -> Poll<io::Result<T>> {
        self.state = WriterState::Failed;
        self.plain.clear();
        Poll::Ready(Err(error.into()))
    }

    /// Seals whole frames into `pending` (which is drained): the first `frames` buffered
    /// ones, or those of `direct`, straight from the caller's buffer.
    fn seal(&mut self, direct: Option<&[u8]>, frames: usize) -> Result<()> {
        let core = self.core.as_mut().ok_or(Error::WriterClosed("finished"))?;
        let len = frames * core.regular_frame_len();
        if self.pending.len() < len {
            self.pending.resize(len, 0);
        }
        let plain_len = frames * core.frame_length();
        let source = match direct {
            Some(direct) => direct,
            None => self
                .plain
                .get(..plain_len)
                .ok_or_else(|| Error::invalid("fewer frames buffered than sealed"))?,
        };
        self.pending_end = core.seal_regular_frames(source, &mut self.pending)?;
        if direct.is_none() {
            // What follows moves to the front; the vector is wiped when dropped.
            self.plain.drain(..plain_len);
        }
        Ok(())
    }

    /// Seals every buffered frame but the last (which may be the final one) into `pending`,
    /// which must be drained.
    fn seal_all_but_last(&mut self) -> Result<()> {
        let frame_length = self.core.as_ref().map_or(1, EncryptCore::frame_length);
        let frames = self.plain.len().saturating_sub(1) / frame_length;
        if frames > 0 {
            self.seal(None, frames)?;
        }
        Ok(())
    }

    /// Seals the final frame (and footer) and writes everything out.
    fn poll_finish(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.state == WriterState::Open {
            if let Err(err) = ready!(self.poll_drain(cx)) {
                return self.fail(err);
            }
            if let Err(err) = self.seal_all_but_last() {
                return self.fail(err);
            }
            if let Err(err) = ready!(self.poll_drain(cx)) {
                return self.fail(err);
            }
            let Some(core) = self.core.take() else {
                return self.fail(Error::WriterClosed("finished"));
            };
            self.pending.truncate(self.pending_end);
            if let Err(err) = core.seal_final(&self.plain, &mut self.pending) {
                return self.fail(err);
            }
            self.pending_end = self.pending.len();
            self.plain.clear();
            self.state = WriterState::Finished;
        }
        match self.state {
            WriterState::Finished | WriterState::ShutDown => match ready!(self.poll_drain(cx)) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(err) => self.fail(err),
            },
            _ => Poll::Ready(Err(Error::WriterClosed("failed").into())),
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for EncryptingWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_open()?;
        let (frame_length, batch) = this
            .core
            .as_ref()
            .map_or((1, 1), |core| (core.frame_length(), core.batch_frames()));
        let batch_len = frame_length * batch;
        let mut accepted = 0;
        loop {
            match this.poll_drain(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(err)) => return this.fail(err),
                // Never Ok(0) for a non-empty buffer: wait if nothing was taken yet.
                Poll::Pending if accepted == 0 => return Poll::Pending,
                Poll::Pending => return Poll::Ready(Ok(accepted)),
            }
            let rest = buf.get(accepted..).unwrap_or_default();
            if rest.is_empty() {
                return Poll::Ready(Ok(accepted));
            }
            // A full batch is sealed only once more data follows it.
            if this.plain.len() == batch_len {
                if let Err(err) = this.seal(None, batch) {
                    return this.fail(err);
                }
                continue;
            }
            if this.plain.is_empty() && rest.len() > batch_len {
                if let Err(err) = this.seal(rest.get(..batch_len), batch) {
                    return this.fail(err);
                }
                accepted += batch_len;
                continue;
            }
            let take = (batch_len - this.plain.len()).min(rest.len());
            crate::wipe::reserve(&mut this.plain, take);
            this.plain
                .extend_from_slice(rest.get(..take).unwrap_or_default());
            accepted += take;
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(err) = ready!(this.poll_drain(cx)) {
            return this.fail(err);
        }
        if this.state == WriterState::Open {
            if let Err(err) = this.seal_all_but_last() {
                return this.fail(err);
            }
            if let Err(err) = ready!(this.poll_drain(cx)) {
                return this.fail(err);
            }
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.state != WriterState::ShutDown {
            ready!(this.poll_finish(cx))?;
            this.state = WriterState::ShutDown;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
