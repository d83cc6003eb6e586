//! The decrypting reader: a message in from any `AsyncRead`, plaintext out.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};
use zeroize::Zeroizing;

use crate::decrypt::{BodyDecryptor, Decryptor, Next};
use crate::error::{Error, Result};
use crate::format::frame::BlockKind;
use crate::format::header::{MessageHeader, parse_header};
use crate::format::wire::Stop;

/// The smallest input buffer.
const MIN_BUFFER: usize = 16 * 1024;

/// An [`AsyncRead`] that decrypts a message read from `R`.
///
/// Created by [`Decryptor::decrypting_reader`], which has already read and authenticated the
/// header. Regular frames are opened in batches on the threads (see
/// [`Decryptor::with_threads`]), as many as have arrived up to a batch; each frame's
/// plaintext is released only after its tag, and those of every frame before it, verify,
/// and nothing of a frame after the first bad one is ever released. The last frame is
/// held back until the message is complete: its footer signature verified (signed suites)
/// and the end of the input reached with no byte after the message. A truncated message, a
/// frame out of sequence or bytes after the message are errors, never a clean end of file.
///
/// Frames released before an error were authenticated, but belong to a message that turned
/// out bad: treat everything read as provisional until the reader reports end of file.
///
/// Errors are `io::Error`s carrying an [`Error`]; get it back with [`Error::from_io`].
///
/// ```
/// use std::sync::Arc;
/// use kms_core::SecretBytes;
/// use kms_envelope::{Decryptor, Encryptor, RawAesKeyring};
/// use tokio::io::AsyncReadExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let message = Encryptor::new(keyring.clone()).encrypt(b"streamed").await?;
///
/// let mut reader = Decryptor::new(keyring).decrypting_reader(&message[..]).await?;
/// assert_eq!(reader.header().suite().id(), 0x0478);
/// let mut plaintext = Vec::new();
/// reader.read_to_end(&mut plaintext).await?;
/// assert_eq!(plaintext, b"streamed");
/// # Ok(()) }
/// ```
pub struct DecryptingReader<R> {
    input: Input<R>,
    header: MessageHeader,
    state: ReadState,
    output: Zeroizing<Vec<u8>>,
    out_pos: usize,
    held: bool,
    /// The failure of a frame, reported once the frames before it are read out.
    deferred: Option<Error>,
}

enum ReadState {
    Body(BodyDecryptor),
    Done,
    Finished,
    Failed,
}

impl fmt::Debug for ReadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Body(_) => "Body",
            Self::Done => "Done",
            Self::Finished => "Finished",
            Self::Failed => "Failed",
        })
    }
}

impl<R> fmt::Debug for DecryptingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptingReader")
            .field("state", &self.state)
            .field("header", &self.header)
            .field("buffered_input", &(self.input.end - self.input.start))
            .field("buffered_output", &(self.output.len() - self.out_pos))
            .finish_non_exhaustive()
    }
}

/// The ciphertext read so far and not yet used: `buf[start..end]`.
struct Input<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: AsyncRead + Unpin> Input<R> {
    fn window(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more input, making room for a window of `need` bytes; returns the number of
    /// bytes read (0 at end of file).
    fn poll_fill(&mut self, cx: &mut Context<'_>, need: usize) -> Poll<io::Result<usize>> {
        if self.start + need > self.buf.len() || self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if need > self.buf.len() || self.end == self.buf.len() {
            let size = need.saturating_mul(2).max(MIN_BUFFER);
            self.buf.resize(size, 0);
        }
        let Some(free) = self.buf.get_mut(self.end..) else {
            return Poll::Ready(Ok(0));
        };
        let mut read_buf = ReadBuf::new(free);
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut read_buf))?;
        let read = read_buf.filled().len();
        self.end += read;
        if read == 0 {
            self.eof = true;
        }
        Poll::Ready(Ok(read))
    }
}

impl Decryptor {
    /// Reads the header from `inner`, unwraps the data key and authenticates the header, then
    /// returns a reader of the plaintext.
    ///
    /// # Errors
    ///
    /// As [`Decryptor::decrypt`], for the header; [`Error::Io`] when reading fails.
    pub async fn decrypting_reader<R: AsyncRead + Unpin>(
        &self,
        inner: R,
    ) -> Result<DecryptingReader<R>> {
        let mut input = Input {
            inner,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
        };
        let parsed = loop {
            match parse_header(input.window(), self.limits()) {
                Ok(parsed) => break parsed,
                Err(Stop::Need(_)) if input.eof => return Err(Error::Truncated),
                Err(Stop::Need(need)) => {
                    poll_fn(|cx| input.poll_fill(cx, need)).await?;
                }
                Err(Stop::Fail(err)) => return Err(err),
            }
        };
        self.check_header(&parsed)?;
        let header_bytes = input
            .window()
            .get(..parsed.total_len)
            .unwrap_or_default()
            .to_vec();
        input.consume(header_bytes.len());
        let (body, header) = self.clone().open(parsed, header_bytes).await?;
        Ok(DecryptingReader {
            input,
            header,
            state: ReadState::Body(body),
            output: Zeroizing::new(Vec::new()),
            out_pos: 0,
            held: false,
            deferred: None,
        })
    }
}

impl<R: AsyncRead + Unpin> DecryptingReader<R> {
    /// The authenticated header of the message.
    pub fn header(&self) -> &MessageHeader {
        &self.header
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.input.inner
    }

    /// The plaintext of a batch of regular frames: reads at least this long take the
    /// plaintext straight, without a copy through the reader's own buffer.
    pub(crate) fn batch_len(&self) -> usize {
        let frame_length = self.header.frame_length() as usize;
        match &self.state {
            ReadState::Body(body) => body.batch_frames() * frame_length,
            _ => frame_length,
        }
    }

    fn fail(&mut self, error: Error) -> Poll<io::Result<()>> {
        self.state = ReadState::Failed;
        crate::wipe::wipe(&mut self.output);
        self.out_pos = 0;
        Poll::Ready(Err(error.into()))
    }

    /// Takes the next step of the body: opens one block, checks the footer, or checks the
    /// end. Writes into `buf` directly when a regular frame fits.
    fn poll_body(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let ReadState::Body(body) = &mut self.state else {
            return Poll::Ready(Ok(()));
        };
        let input = self
            .input
            .buf
            .get(self.input.start..self.input.end)
            .unwrap_or_default();
        let next = match body.next(input) {
            Ok(next) => next,
            Err(err) => return self.fail(err),
        };
        match next {
            Next::Need(need) => {
                if self.input.eof {
                    return self.fail(Error::Truncated);
                }
                if let Err(err) = ready!(self.input.poll_fill(cx, need)) {
                    return self.fail(Error::from_io(err));
                }
            }
            Next::Block(head) if head.kind == BlockKind::Regular => {
                let batch = body.batch_frames();
                let frame_len = body.regular_frame_len();
                let frames = body.regular_run(input, batch);
                let incomplete = input.len() < (frames + 1) * frame_len;
                if frames < batch && incomplete && !self.input.eof {
                    // Gather what has arrived, up to a batch; open what is here rather than
                    // wait for more.
                    // The buffer grows with what arrives, up to a batch.
                    let want = ((frames + 1) * frame_len).min(batch * frame_len);
                    match self.input.poll_fill(cx, want) {
                        Poll::Ready(Ok(_)) => return Poll::Ready(Ok(())),
                        Poll::Ready(Err(err)) => return self.fail(Error::from_io(err)),
                        Poll::Pending => {}
                    }
                }
                return self.open_regular(buf, head.content_len);
            }
            Next::Block(head) => {
                self.output.clear();
                self.output.resize(head.content_len, 0);
                self.out_pos = 0;
                // The last block waits for the footer and the end of the input.
                self.held = true;
                if let Err(err) = body.open_block(input, &head, &mut self.output) {
                    return self.fail(err);
                }
                self.input.consume(head.total_len());
            }
            Next::Footer => match body.verify_footer(input) {
                Ok(len) => self.input.consume(len),
                Err(err) => return self.fail(err),
            },
            Next::Done => self.state = ReadState::Done,
        }
        Poll::Ready(Ok(()))
    }

    /// Opens the regular frames at the start of the input, up to a batch, into `buf` when
    /// they fit, otherwise into the output buffer. A bad frame fails the reader once the
    /// frames before it are read out.
    fn open_regular(&mut self, buf: &mut ReadBuf<'_>, frame_length: usize) -> Poll<io::Result<()>> {
        let ReadState::Body(body) = &mut self.state else {
            return Poll::Ready(Ok(()));
        };
        let input = self
            .input
            .buf
            .get(self.input.start..self.input.end)
            .unwrap_or_default();
        let frames = body.regular_run(input, body.batch_frames());
        let plaintext_len = frames * frame_length;
        let (opened, result) = if buf.remaining() >= plaintext_len {
            let target = buf.initialize_unfilled_to(plaintext_len);
            let (opened, result) = body.open_regular_frames(input, frames, target);
            buf.advance(opened * frame_length);
            (opened, result)
        } else {
            self.output.clear();
            self.output.resize(plaintext_len, 0);
            self.out_pos = 0;
            self.held = false;
            let (opened, result) = body.open_regular_frames(input, frames, &mut self.output);
            self.output.truncate(opened * frame_length);
            (opened, result)
        };
        self.input.consume(opened * body.regular_frame_len());
        match result {
            Err(err) if opened == 0 => self.fail(err),
            Err(err) => {
                self.deferred = Some(err);
                Poll::Ready(Ok(()))
            }
            Ok(()) if opened == 0 => self.fail(Error::malformed("no whole frame to open")),
            Ok(()) => Poll::Ready(Ok(())),
        }
    }

    /// After the message: the input must end right there.
    fn poll_end(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.input.start != self.input.end {
            return self.fail(Error::TrailingData);
        }
        if !self.input.eof {
            match ready!(self.input.poll_fill(cx, 1)) {
                Ok(0) => {}
                Ok(_) => return self.fail(Error::TrailingData),
                Err(err) => return self.fail(Error::from_io(err)),
            }
        }
        self.held = false;
        self.state = ReadState::Finished;
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for DecryptingReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.held && this.out_pos < this.output.len() {
                let available = this.output.get(this.out_pos..).unwrap_or_default();
                let n = available.len().min(buf.remaining());
                buf.put_slice(available.get(..n).unwrap_or_default());
                this.out_pos += n;
                if this.out_pos == this.output.len() {
                    crate::wipe::wipe(&mut this.output);
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if let Some(err) = this.deferred.take() {
                return this.fail(err);
            }
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            let filled = buf.filled().len();
            match this.state {
                ReadState::Body(_) => {
                    ready!(this.poll_body(cx, buf))?;
                    if buf.filled().len() > filled {
                        return Poll::Ready(Ok(()));
                    }
                }
                ReadState::Done => ready!(this.poll_end(cx))?,
                ReadState::Finished => {
                    if this.out_pos < this.output.len() {
                        continue;
                    }
                    return Poll::Ready(Ok(()));
                }
                ReadState::Failed => {
                    return Poll::Ready(Err(io::Error::other(
                        "the decrypting reader failed earlier",
                    )));
                }
            }
        }
    }
}
