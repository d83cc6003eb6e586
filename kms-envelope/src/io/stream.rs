//! `Stream` forms of encryption and decryption.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;

use tokio_util::io::{ReaderStream, StreamReader};
use zeroize::Zeroizing;

use crate::decrypt::Decryptor;
use crate::encrypt::{EncryptCore, Encryptor};
use crate::error::{Error, Result};
use crate::format::header::MessageHeader;
use crate::io::reader::DecryptingReader;

/// The largest plaintext buffer of a [`DecryptStream`] item:
/// 16 MiB (a batch of frames, which is shorter unless the frames are long).
const MAX_PLAINTEXT_BUFFER: usize = 1 << 24;

/// A stream of message bytes made from a stream of plaintext chunks.
///
/// Created by [`Encryptor::encrypt_stream`]. Yields the header, then one item per batch of
/// frames sealed together on the threads (see [`Encryptor::with_threads`]); the last item
/// holds the final frame (and footer). It ends only after the input ends without
/// error: an input error ends it with that error, and the message is then incomplete.
pub struct EncryptStream<S> {
    input: Option<S>,
    core: Option<EncryptCore>,
    header: Option<Bytes>,
    plain: Zeroizing<Vec<u8>>,
    chunk: Bytes,
}

impl<S> fmt::Debug for EncryptStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptStream")
            .field("buffered", &self.plain.len())
            .field("finished", &self.core.is_none())
            .finish_non_exhaustive()
    }
}

impl Encryptor {
    /// Gets a data key from the keyring and returns a stream of the message encrypting
    /// `input`, a stream of plaintext chunks of any sizes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bytes::Bytes;
    /// use futures_util::{StreamExt, TryStreamExt, stream};
    /// use kms_core::SecretBytes;
    /// use kms_envelope::{Decryptor, Encryptor, RawAesKeyring};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kms_envelope::Result<()> {
    /// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
    /// let chunks = stream::iter([Ok::<_, std::io::Error>(Bytes::from("abc")), Ok(Bytes::from("def"))]);
    /// let message: Vec<Bytes> = Encryptor::new(keyring.clone())
    ///     .with_frame_length(2)
    ///     .encrypt_stream(chunks)
    ///     .await?
    ///     .try_collect()
    ///     .await?;
    ///
    /// let plaintext: Vec<Bytes> = Decryptor::new(keyring)
    ///     .decrypt_stream(stream::iter(message.into_iter().map(Ok::<_, std::io::Error>)))
    ///     .await?
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(plaintext.concat(), b"abcdef");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for invalid options, or the keyring's error.
    pub async fn encrypt_stream<S, E>(&self, input: S) -> Result<EncryptStream<S>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Into<Error>,
    {
        let (core, header) = self.start().await?;
        Ok(EncryptStream {
            input: Some(input),
            plain: Zeroizing::new(Vec::with_capacity(core.frame_length().min(1 << 16))),
            core: Some(core),
            header: Some(Bytes::from(header)),
            chunk: Bytes::new(),
        })
    }
}

impl<S, E> EncryptStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<Error>,
{
    fn fail(&mut self, error: Error) -> Poll<Option<Result<Bytes>>> {
        self.core = None;
        self.input = None;
        self.plain.clear();
        Poll::Ready(Some(Err(error)))
    }
}

impl<S, E> Stream for EncryptStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<Error>,
{
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(header) = this.header.take() {
            return Poll::Ready(Some(Ok(header)));
        }
        loop {
            let Some(core) = this.core.as_mut() else {
                return Poll::Ready(None);
            };
            let batch_len = core.frame_length() * core.batch_frames();
            // A full batch is sealed only once more data follows it.
            if this.plain.len() == batch_len && !this.chunk.is_empty() {
                let mut out = vec![0u8; core.batch_frames() * core.regular_frame_len()];
                if let Err(err) = core.seal_regular_frames(&this.plain, &mut out) {
                    return this.fail(err);
                }
                this.plain.clear();
                return Poll::Ready(Some(Ok(Bytes::from(out))));
            }
            if !this.chunk.is_empty() {
                let take = (batch_len - this.plain.len()).min(this.chunk.len());
                let part = this.chunk.split_to(take);
                crate::wipe::reserve(&mut this.plain, take);
                this.plain.extend_from_slice(&part);
                continue;
            }
            let Some(input) = this.input.as_mut() else {
                return Poll::Ready(None);
            };
            match ready!(Pin::new(input).poll_next(cx)) {
                Some(Ok(chunk)) => this.chunk = chunk,
                Some(Err(err)) => return this.fail(err.into()),
                None => {
                    this.input = None;
                    let Some(mut core) = this.core.take() else {
                        return Poll::Ready(None);
                    };
                    let frame_length = core.frame_length();
                    let (regular, last) = this
                        .plain
                        .split_at(this.plain.len().saturating_sub(1) / frame_length * frame_length);
                    let mut out =
                        vec![0u8; regular.len() / frame_length * core.regular_frame_len()];
                    let sealed = core.seal_regular_frames(regular, &mut out);
                    if let Err(err) = sealed.and_then(|_| core.seal_final(last, &mut out)) {
                        return this.fail(err);
                    }
                    this.plain.clear();
                    return Poll::Ready(Some(Ok(Bytes::from(out))));
                }
            }
        }
    }
}

/// The plaintext of a message read from a stream of message bytes, as a stream of chunks.
///
/// Created by [`Decryptor::decrypt_stream`], with the same guarantees as
/// [`DecryptingReader`]: chunks are authenticated frames, the last one comes only once the
/// whole message has verified, and any failure is an error item, never a clean end.
pub struct DecryptStream<S: Stream> {
    inner: ReaderStream<DecryptingReader<StreamReader<S, Bytes>>>,
    header: MessageHeader,
}

impl<S: Stream> fmt::Debug for DecryptStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptStream")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl<S: Stream> DecryptStream<S> {
    /// The authenticated header of the message.
    pub fn header(&self) -> &MessageHeader {
        &self.header
    }
}

impl Decryptor {
    /// Reads and authenticates the header from `input`, a stream of message bytes in chunks
    /// of any sizes, and returns a stream of the plaintext.
    ///
    /// # Errors
    ///
    /// As [`Decryptor::decrypting_reader`].
    pub async fn decrypt_stream<S, E>(&self, input: S) -> Result<DecryptStream<S>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: Into<io::Error>,
    {
        let reader = self.decrypting_reader(StreamReader::new(input)).await?;
        let header = reader.header().clone();
        let capacity = reader.batch_len().clamp(4096, MAX_PLAINTEXT_BUFFER);
        Ok(DecryptStream {
            inner: ReaderStream::with_capacity(reader, capacity),
            header,
        })
    }
}

impl<S, E> Stream for DecryptStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<io::Error>,
{
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        Pin::new(&mut this.inner)
            .poll_next(cx)
            .map(|item| item.map(|result| result.map_err(Error::from_io)))
    }
}
