//! Copying a reader through an [`Encryptor`] or a [`Decryptor`] to a writer or a
//! [`BufferSink`]: frames are sealed and opened straight from the reader's buffer (a carry
//! buffer takes only what a block split across two of the reader's buffers needs), and the
//! output goes out in whole buffers.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, ReadBuf};
use zeroize::Zeroizing;

use crate::decrypt::{BodyDecryptor, Decryptor, Next};
use crate::encrypt::{DEFAULT_FRAME_LENGTH, EncryptCore, Encryptor};
use crate::error::{Error, Result};
use crate::format::frame::BlockKind;
use crate::format::header::{MessageHeader, parse_header};
use crate::format::wire::Stop;
use crate::io::sink::{self, BufferSink, WriteSink};

/// The first input buffer of [`Encryptor::copy`] and [`Decryptor::copy`], grown up to a batch
/// as the data comes: a small message costs no more than it did on one thread.
const FIRST_BUFFER: usize = 64 * 1024;

impl Encryptor {
    /// Encrypts everything `reader` yields into a message written to `writer`, which is
    /// flushed but not shut down. Returns the number of plaintext bytes.
    ///
    /// # Errors
    ///
    /// As [`Encryptor::encrypting_writer`], and the reader's or the writer's I/O errors.
    pub async fn copy<R, W>(&self, reader: &mut R, writer: &mut W) -> Result<u64>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (core, header) = self.start().await?;
        // A batch, and one frame more: a batch is sealed only once more data follows it.
        let full = core.frame_length() * (core.batch_frames() + 1);
        let mut reader = SecretBufReader::new(reader, full);
        seal_all(core, &header, &mut reader, &mut WriteSink::new(writer)).await
    }

    /// Encrypts everything `reader` yields into a message sent to `sink` in whole buffers,
    /// then flushes the sink. Returns the number of plaintext bytes.
    ///
    /// The frames are sealed straight from the reader's buffer, and the sealed buffers are
    /// handed to the sink by ownership: with a reader that reads ahead and a sink that writes
    /// behind, each byte is copied only by the reads and writes themselves. A frame split
    /// between two of the reader's buffers, or buffers shorter than a frame, go through a
    /// buffer of at most one batch of frames (see [`Encryptor::with_threads`]). Sealed frames
    /// are sent once a batch is ready, or sooner when the reader has nothing at hand.
    ///
    /// The message is the same as [`Encryptor::copy`] writes for the same data key.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::task::{Context, Poll};
    /// use kms_core::SecretBytes;
    /// use kms_envelope::{BufferSink, Decryptor, Encryptor, RawAesKeyring};
    ///
    /// /// Keeps the buffers it is given.
    /// #[derive(Debug, Default)]
    /// struct Chunks(Vec<Vec<u8>>);
    ///
    /// impl BufferSink for Chunks {
    ///     fn poll_send(
    ///         &mut self,
    ///         _: &mut Context<'_>,
    ///         buffer: &mut Vec<u8>,
    ///     ) -> Poll<std::io::Result<()>> {
    ///         self.0.push(std::mem::take(buffer));
    ///         Poll::Ready(Ok(()))
    ///     }
    ///
    ///     fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
    ///         Poll::Ready(Ok(()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kms_envelope::Result<()> {
    /// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
    /// let plaintext = vec![7u8; 100_000];
    ///
    /// // `&[u8]` is an `AsyncBufRead`: the frames are sealed straight from it.
    /// let mut sealed = Chunks::default();
    /// let encryptor = Encryptor::new(keyring.clone()).with_frame_length(4096);
    /// let length = encryptor.copy_to_sink(&mut &plaintext[..], &mut sealed).await?;
    /// assert_eq!(length, 100_000);
    ///
    /// let message = sealed.0.concat();
    /// let mut opened = Chunks::default();
    /// let (length, header) = Decryptor::new(keyring)
    ///     .copy_to_sink(&mut &message[..], &mut opened)
    ///     .await?;
    /// assert_eq!((length, header.frame_length()), (100_000, 4096));
    /// assert!(opened.0.concat() == plaintext);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Encryptor::encrypting_writer`], and the reader's or the sink's I/O errors.
    pub async fn copy_to_sink<R, S>(&self, reader: &mut R, sink: &mut S) -> Result<u64>
    where
        R: AsyncBufRead + Unpin + ?Sized,
        S: BufferSink + ?Sized,
    {
        let (core, header) = self.start().await?;
        seal_all(core, &header, reader, sink).await
    }
}

impl Decryptor {
    /// Decrypts the message `reader` yields into `writer`, which is flushed but not shut
    /// down. Returns the number of plaintext bytes and the header.
    ///
    /// Plaintext reaches `writer` frame by frame: if this fails, discard what was written
    /// (write to a temporary file and rename it only on success).
    ///
    /// # Errors
    ///
    /// As [`Decryptor::decrypting_reader`], and the writer's I/O errors.
    pub async fn copy<R, W>(&self, reader: &mut R, writer: &mut W) -> Result<(u64, MessageHeader)>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        let batch = self.threads()?.batch_frames(DEFAULT_FRAME_LENGTH as usize);
        let full = (batch + 1) * DEFAULT_FRAME_LENGTH as usize;
        let mut reader = SecretBufReader::new(reader, full);
        self.copy_to_sink(&mut reader, &mut WriteSink::new(writer))
            .await
    }

    /// Decrypts the message `reader` yields into plaintext sent to `sink` in whole buffers,
    /// then flushes the sink. Returns the number of plaintext bytes and the header.
    ///
    /// The frames are opened straight from the reader's buffer, a batch at a time on the
    /// threads (see [`Decryptor::with_threads`]); only a block split between two of the
    /// reader's buffers is gathered first. A buffer is sent only with frames that
    /// authenticated, and the last frame only once the whole message has: its footer
    /// verified and the input ended right after it. Nothing after the first bad frame is
    /// sent. Plaintext reaches the sink batch by batch: if this fails, discard what was sent.
    ///
    /// The sink takes buffers of plaintext and becomes responsible for wiping them.
    ///
    /// # Errors
    ///
    /// As [`Decryptor::decrypting_reader`], and the sink's I/O errors.
    pub async fn copy_to_sink<R, S>(
        &self,
        reader: &mut R,
        sink: &mut S,
    ) -> Result<(u64, MessageHeader)>
    where
        R: AsyncBufRead + Unpin + ?Sized,
        S: BufferSink + ?Sized,
    {
        let mut carry = Vec::new();
        let parsed = loop {
            match parse_header(&carry, self.limits()) {
                Ok(parsed) => break parsed,
                Err(Stop::Need(need)) => {
                    let input = reader.fill_buf().await?;
                    if input.is_empty() {
                        return Err(Error::Truncated);
                    }
                    let take = need.saturating_sub(carry.len()).clamp(1, input.len());
                    carry.extend_from_slice(input.get(..take).unwrap_or_default());
                    reader.consume(take);
                }
                Err(Stop::Fail(err)) => return Err(err),
            }
        };
        self.check_header(&parsed)?;
        if parsed.total_len > carry.len() {
            return Err(Error::Truncated);
        }
        let body_start = carry.split_off(parsed.total_len);
        let (body, header) = self.clone().open(parsed, carry).await?;
        let total = open_all(body, body_start, reader, sink).await?;
        Ok((total, header))
    }
}

/// What the reader has: input at hand, the end of the input, or nothing yet.
enum Input {
    AtHand,
    End,
    NotYet,
}

/// Waits for input from `reader`, or returns [`Input::NotYet`] at once when it has none
/// yet and `dont_wait` is set. Input at hand is returned by the reader's next `fill_buf`
/// without any I/O; the end is never asked for twice (a terminal may wait again).
async fn input<R>(reader: &mut R, dont_wait: bool) -> io::Result<Input>
where
    R: AsyncBufRead + Unpin + ?Sized,
{
    poll_fn(|cx| match Pin::new(&mut *reader).poll_fill_buf(cx) {
        Poll::Ready(Ok([])) => Poll::Ready(Ok(Input::End)),
        Poll::Ready(Ok(_)) => Poll::Ready(Ok(Input::AtHand)),
        Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
        Poll::Pending if dont_wait => Poll::Ready(Ok(Input::NotYet)),
        Poll::Pending => Poll::Pending,
    })
    .await
}

/// Seals everything `reader` yields into the message that starts with `header` and sends it
/// to `sink`; returns the number of plaintext bytes.
async fn seal_all<R, S>(
    mut core: EncryptCore,
    header: &[u8],
    reader: &mut R,
    sink: &mut S,
) -> Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    S: BufferSink + ?Sized,
{
    let frame_length = core.frame_length();
    let batch_frames = core.batch_frames();
    let batch_len = batch_frames * frame_length;
    let sealed_batch_len = batch_frames * core.regular_frame_len();
    let mut out = Output::default();
    out.extend(header);
    // Plaintext not sealed yet that the reader no longer holds: at most a batch.
    let mut carry = Zeroizing::new(Vec::new());
    let mut total = 0u64;
    loop {
        let more = input(reader, !out.is_empty()).await?;
        let input = match more {
            Input::NotYet => {
                out.send(sink).await?;
                continue;
            }
            Input::End => break,
            Input::AtHand => reader.fill_buf().await?,
        };
        // Whole frames in the carry, and more data after them: they are regular frames.
        if !carry.is_empty()
            && carry.len().is_multiple_of(frame_length)
            && (carry.len() == batch_len || input.len() > frame_length)
        {
            let sealed = core.seal_regular_frames(
                carry.as_slice(),
                out.slot(carry.len() / frame_length * core.regular_frame_len()),
            )?;
            out.advance(sealed);
            carry.clear();
            if out.len() >= sealed_batch_len {
                out.send(sink).await?;
            }
            continue;
        }
        if carry.is_empty() && input.len() > frame_length {
            // Every whole frame followed by more data, up to a batch, straight from the
            // reader's buffer.
            let frames = ((input.len() - 1) / frame_length).min(batch_frames);
            let plaintext = input.get(..frames * frame_length).unwrap_or_default();
            let sealed =
                core.seal_regular_frames(plaintext, out.slot(frames * core.regular_frame_len()))?;
            out.advance(sealed);
            let used = plaintext.len();
            reader.consume(used);
            total += used as u64;
            out.send(sink).await?;
            continue;
        }
        // Gather into the carry: up to the end of its frame when the reader's buffer holds
        // more than a frame (the rest is sealed from there), otherwise up to a batch.
        let room = if input.len() > frame_length {
            frame_length - carry.len() % frame_length
        } else {
            batch_len - carry.len()
        };
        let take = room.min(input.len());
        crate::wipe::reserve(&mut carry, take);
        carry.extend_from_slice(input.get(..take).unwrap_or_default());
        reader.consume(take);
        total += take as u64;
    }
    let (regular, last) =
        carry.split_at(carry.len().saturating_sub(1) / frame_length * frame_length);
    let sealed = core.seal_regular_frames(
        regular,
        out.slot(regular.len() / frame_length * core.regular_frame_len()),
    )?;
    out.advance(sealed);
    out.append_with(|out| core.seal_final(last, out))?;
    out.send(sink).await?;
    sink::flush(sink).await?;
    Ok(total)
}

/// What a step of opening a body did with its input.
enum Step {
    /// Used this many bytes from the start of the input.
    Used(usize),
    /// The next block needs this many bytes from the start of the input.
    Need(usize),
    /// The output holds a whole batch: send it first.
    Full,
    /// The message is complete.
    Done,
}

/// Opens the rest of a message's body, `carry` (the bytes read with the header) then what
/// `reader` yields, and sends the plaintext to `sink`; returns its length.
async fn open_all<R, S>(
    mut body: BodyDecryptor,
    mut carry: Vec<u8>,
    reader: &mut R,
    sink: &mut S,
) -> Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    S: BufferSink + ?Sized,
{
    let mut out = Output::default();
    // The output ends with the last block, released only once the message is complete.
    let mut held = false;
    let mut total = 0u64;
    loop {
        if !carry.is_empty() {
            // A block split between two of the reader's buffers: gather exactly that block.
            match step(&mut body, &mut out, &mut held, &carry)? {
                Step::Used(used) => {
                    carry.drain(..used);
                }
                Step::Need(need) => {
                    let input = reader.fill_buf().await?;
                    if input.is_empty() {
                        return Err(Error::Truncated);
                    }
                    let take = need.saturating_sub(carry.len()).clamp(1, input.len());
                    carry.extend_from_slice(input.get(..take).unwrap_or_default());
                    reader.consume(take);
                }
                Step::Full => total += out.send(sink).await? as u64,
                Step::Done => return Err(Error::TrailingData),
            }
            continue;
        }
        let more = input(reader, !held && !out.is_empty()).await?;
        let input = match more {
            Input::NotYet => {
                total += out.send(sink).await? as u64;
                continue;
            }
            Input::End => &[][..],
            Input::AtHand => reader.fill_buf().await?,
        };
        match step(&mut body, &mut out, &mut held, input)? {
            Step::Used(used) => {
                reader.consume(used);
                // What the reader's buffer held goes out at once, unless it is the end.
                if !held {
                    total += out.send(sink).await? as u64;
                }
            }
            Step::Need(_) if input.is_empty() => return Err(Error::Truncated),
            Step::Need(_) => {
                // Less than the block: all of it goes to the carry.
                carry.extend_from_slice(input);
                let used = input.len();
                reader.consume(used);
            }
            Step::Full => total += out.send(sink).await? as u64,
            Step::Done if input.is_empty() => break,
            Step::Done => return Err(Error::TrailingData),
        }
    }
    total += out.send(sink).await? as u64;
    sink::flush(sink).await?;
    Ok(total)
}

/// Takes the next step of opening the body at the start of `input`: opens regular frames
/// (as many as are whole, up to a batch in the output), opens the last block (and marks
/// the output `held`), checks the footer, or finds the message complete.
fn step(body: &mut BodyDecryptor, out: &mut Output, held: &mut bool, input: &[u8]) -> Result<Step> {
    match body.next(input)? {
        Next::Need(need) => Ok(Step::Need(need)),
        Next::Block(head) if head.kind == BlockKind::Regular => {
            let frame_length = body.frame_length();
            let room = body.batch_frames().saturating_sub(out.len() / frame_length);
            if room == 0 {
                return Ok(Step::Full);
            }
            let frames = body.regular_run(input, room);
            let target = out.slot(frames * frame_length);
            // With an error, nothing of the bad frame or after it is left in the output,
            // and the output is dropped (and wiped) unsent.
            body.open_regular_frames(input, frames, target).1?;
            out.advance(frames * frame_length);
            Ok(Step::Used(frames * body.regular_frame_len()))
        }
        Next::Block(head) => {
            body.open_block(input, &head, out.slot(head.content_len))?;
            out.advance(head.content_len);
            *held = true;
            Ok(Step::Used(head.total_len()))
        }
        Next::Footer => Ok(Step::Used(body.verify_footer(input)?)),
        Next::Done => Ok(Step::Done),
    }
}

/// The output being gathered for the sink: `buf[..len]`. Its buffer comes back from the
/// sink after each send and is overwritten, not zeroed again; it is wiped when dropped.
#[derive(Default)]
struct Output {
    buf: Vec<u8>,
    len: usize,
}

impl Drop for Output {
    fn drop(&mut self) {
        crate::wipe::wipe(&mut self.buf);
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Output {
    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `len` bytes after the output, to be written and then added with
    /// [`Output::advance`].
    fn slot(&mut self, len: usize) -> &mut [u8] {
        let end = self.len + len;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        self.buf.get_mut(self.len..end).unwrap_or_default()
    }

    /// Adds the `len` bytes written after the output.
    fn advance(&mut self, len: usize) {
        self.len = (self.len + len).min(self.buf.len());
    }

    fn extend(&mut self, bytes: &[u8]) {
        self.slot(bytes.len()).copy_from_slice(bytes);
        self.advance(bytes.len());
    }

    /// Runs `write` on the output as a vector to append to; what it appends is part of the
    /// output.
    fn append_with(&mut self, write: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.buf.truncate(self.len);
        let result = write(&mut self.buf);
        self.len = self.buf.len();
        result
    }

    /// Sends the output, if any, to `sink`; returns its length.
    async fn send<S: BufferSink + ?Sized>(&mut self, sink: &mut S) -> io::Result<usize> {
        let len = self.len;
        if len == 0 {
            return Ok(0);
        }
        self.buf.truncate(len);
        sink::send(sink, &mut self.buf).await?;
        self.len = 0;
        Ok(len)
    }
}

/// An [`AsyncBufRead`] over an `AsyncRead` whose buffer is wiped when dropped, and which
/// starts small and doubles, up to `max` bytes, each time a read fills it.
pub(crate) struct SecretBufReader<'a, R: ?Sized> {
    inner: &'a mut R,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    max: usize,
}

impl<R: ?Sized> fmt::Debug for SecretBufReader<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBufReader")
            .field("buffered", &(self.filled - self.pos))
            .field("capacity", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl<'a, R: AsyncRead + Unpin + ?Sized> SecretBufReader<'a, R> {
    /// Buffers `inner` in at most `max` bytes.
    pub(crate) fn new(inner: &'a mut R, max: usize) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            pos: 0,
            filled: 0,
            max: max.max(1),
        }
    }
}

impl<R: ?Sized> Drop for SecretBufReader<'_, R> {
    fn drop(&mut self) {
        crate::wipe::wipe(&mut self.buf);
    }
}

/// Reads through the buffer (`AsyncBufRead` requires `AsyncRead`).
impl<R: AsyncRead + Unpin + ?Sized> AsyncRead for SecretBufReader<'_, R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let available = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let taken = available.len().min(buf.remaining());
        buf.put_slice(available.get(..taken).unwrap_or_default());
        Pin::new(this).consume(taken);
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncRead + Unpin + ?Sized> AsyncBufRead for SecretBufReader<'_, R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pos >= this.filled {
            if this.filled == this.buf.len() && this.buf.len() < this.max {
                // The last read filled the buffer: a bigger one, the old one wiped.
                let size = (this.buf.len() * 2).clamp(FIRST_BUFFER.min(this.max), this.max);
                crate::wipe::wipe(&mut this.buf);
                this.buf = vec![0u8; size];
            }
            let mut read_buf = ReadBuf::new(&mut this.buf);
            ready!(Pin::new(&mut *this.inner).poll_read(cx, &mut read_buf))?;
            this.filled = read_buf.filled().len();
            this.pos = 0;
        }
        Poll::Ready(Ok(this.buf.get(this.pos..this.filled).unwrap_or_default()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.filled);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::encrypt::tests::seal;

    /// An `AsyncBufRead` over `data` whose buffers are the pieces `sizes` cut in turn; with
    /// `stutter`, each new piece is at first not ready.
    struct Pieces {
        data: Vec<u8>,
        pos: usize,
        piece_end: usize,
        sizes: Vec<usize>,
        next: usize,
        stutter: bool,
        stalled: bool,
    }

    impl Pieces {
        fn new(data: Vec<u8>, sizes: Vec<usize>, stutter: bool) -> Self {
            Self {
                data,
                pos: 0,
                piece_end: 0,
                sizes,
                next: 0,
                stutter,
                stalled: false,
            }
        }
    }

    impl AsyncRead for Pieces {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            unreachable!("the copies read through the buffer")
        }
    }

    impl AsyncBufRead for Pieces {
        fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
            let this = self.get_mut();
            if this.pos >= this.piece_end {
                if this.stutter && !this.stalled {
                    this.stalled = true;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                this.stalled = false;
                let size = this.sizes[this.next % this.sizes.len()];
                this.next += 1;
                this.piece_end = (this.pos + size).min(this.data.len());
            }
            Poll::Ready(Ok(&this.data[this.pos..this.piece_end]))
        }

        fn consume(self: Pin<&mut Self>, amt: usize) {
            let this = self.get_mut();
            assert!(this.pos + amt <= this.piece_end, "consumed past the buffer");
            this.pos += amt;
        }
    }

    /// Collects what it is sent; with `dirty`, hands back buffers of odd lengths full of
    /// garbage, which the copy must overwrite.
    #[derive(Default)]
    struct Collect {
        bytes: Vec<u8>,
        sends: usize,
        largest: usize,
        dirty: bool,
    }

    impl BufferSink for Collect {
        fn poll_send(&mut self, _: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
            self.bytes.extend_from_slice(buffer);
            self.sends += 1;
            self.largest = self.largest.max(buffer.len());
            *buffer = if self.dirty {
                vec![0xAA; self.sends * 7919 % 300_000]
            } else {
                Vec::new()
            };
            Poll::Ready(Ok(()))
        }

        fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the reader's buffers and the sink's, the message is the one the core
        /// seals from the whole plaintext at once.
        #[test]
        fn the_message_does_not_depend_on_the_buffers(
            len in prop_oneof![0usize..20_000, 20_000usize..1_200_000],
            frame_length in prop_oneof![1u32..300, Just(4096), 4000u32..70_000],
            sizes in prop::collection::vec(prop_oneof![1usize..100, 100usize..10_000, 10_000usize..2_000_000], 1..4),
            threads in 1usize..4,
            stutter in any::<bool>(),
            dirty in any::<bool>(),
        ) {
            let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut reader = Pieces::new(plaintext.clone(), sizes, stutter);
            let mut sink = Collect { dirty, ..Collect::default() };
            let core = EncryptCore::fixed(frame_length, threads);
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let total = runtime
                .block_on(seal_all(core, b"HEADER", &mut reader, &mut sink))
                .unwrap();
            prop_assert_eq!(total, len as u64);
            let mut expected = b"HEADER".to_vec();
            expected.extend_from_slice(&seal(&plaintext, frame_length, 1));
            prop_assert!(sink.bytes == expected, "the messages differ");
        }
    }

    #[test]
    fn one_byte_buffers_are_gathered_into_batches_and_no_more() {
        // One-byte buffers: everything goes through the carry, sealed a batch at a time.
        let plaintext = vec![1u8; 2 * 256 * 4096 + 5];
        let mut reader = Pieces::new(plaintext.clone(), vec![1], false);
        let mut sink = Collect::default();
        let core = EncryptCore::fixed(4096, 1);
        let batch = core.batch_frames();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(seal_all(core, b"", &mut reader, &mut sink))
            .unwrap();
        assert!(sink.bytes == seal(&plaintext, 4096, 1));
        let regular_frame = 4 + 12 + 4096 + 16;
        assert_eq!(batch, 256);
        assert_eq!(sink.sends, 3, "two batches, then the final frame");
        assert_eq!(sink.largest, batch * regular_frame);
    }

    #[tokio::test]
    async fn a_secret_buffered_reader_grows_to_its_limit_and_no_further() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| i as u8).collect();
        let mut inner = &data[..];
        let mut reader = SecretBufReader::new(&mut inner, 300_000);
        let mut read = Vec::new();
        let mut largest = 0;
        loop {
            let buffered = reader.fill_buf().await.unwrap();
            if buffered.is_empty() {
                break;
            }
            largest = largest.max(buffered.len());
            let len = buffered.len();
            read.extend_from_slice(buffered);
            reader.consume(len);
        }
        assert!(read == data);
        assert_eq!(largest, 300_000);
    }
}
