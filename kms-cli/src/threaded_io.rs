//! Blocking files and standard streams behind async interfaces, each on a thread of its own
//! that reads ahead or writes behind in large chunks: the kernel's copies run on another core
//! while this one seals or opens frames, and each byte crosses between threads by ownership,
//! never copied in user space: frames are sealed or opened straight from a chunk read ahead
//! ([`ReadAhead`] is an `AsyncBufRead`), and the output buffers themselves go to the writing
//! thread ([`WriteBehind`] is a [`BufferSink`]), which hands them back to be filled again.

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::mpsc as std_mpsc;
use std::task::{Context, Poll, ready};

use kms_envelope::BufferSink;
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::PollSender;
use zeroize::Zeroize;

/// The size of each chunk read ahead: the frames sealed or opened straight from one chunk
/// are shared among the threads in one go, so a larger chunk starts fewer of them (2 MiB
/// halves the thread starts of 1 MiB, for about 4 MiB more memory).
pub(crate) const CHUNK: usize = 2 << 20;

/// How many chunks or buffers wait between the two sides (besides the one each side holds).
const QUEUED: usize = 1;

/// What the chunks hold, which says whether they are wiped when done with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contents {
    /// Plaintext: every chunk is overwritten before its memory is freed.
    Secret,
    /// Ciphertext: nothing to wipe.
    Public,
}

/// A buffer of initialized bytes, of which the first `len` are data.
struct Chunk {
    bytes: Vec<u8>,
    len: usize,
    contents: Contents,
}

/// Never the bytes: they may be plaintext.
impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("len", &self.len)
            .field("contents", &self.contents)
            .finish_non_exhaustive()
    }
}

impl Chunk {
    fn new(contents: Contents) -> Self {
        Self {
            bytes: vec![0; CHUNK],
            len: 0,
            contents,
        }
    }

    /// A chunk of all of `bytes`.
    fn filled(bytes: Vec<u8>, contents: Contents) -> Self {
        Self {
            len: bytes.len(),
            bytes,
            contents,
        }
    }

    /// Takes the buffer out, its bytes as they are: the taker becomes responsible for wiping
    /// a secret one.
    fn into_bytes(mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }

    fn data(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Reads once from `source` into the chunk: as much as one read returns (all of it for a
    /// file, what has arrived for a pipe, so a slow producer's data moves on at once); an
    /// empty chunk is the end of the input.
    fn read_from(&mut self, source: &mut impl Read) -> io::Result<()> {
        loop {
            match source.read(&mut self.bytes) {
                Ok(read) => {
                    self.len = read;
                    return Ok(());
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }
}

impl Drop for Chunk {
    /// Wipes a secret chunk: zeroize's `Vec<u8>` implementation writes a byte at a time, its
    /// slice implementations fill at memory speed behind the same barrier.
    fn drop(&mut self) {
        if self.contents == Contents::Secret {
            self.bytes.as_mut_slice().zeroize();
            self.bytes.spare_capacity_mut().zeroize();
        }
    }
}

/// An [`AsyncBufRead`] over a blocking reader that a thread of its own reads ahead, a chunk
/// at a time: its buffer is the chunk itself. The thread ends at the end of the input, at its
/// first error (passed on in order, then again at every later read), or once this is
/// dropped and its current read returns.
#[derive(Debug)]
pub(crate) struct ReadAhead {
    chunks: mpsc::Receiver<io::Result<Chunk>>,
    /// Chunks read out, back to the thread to be filled again.
    recycle: std_mpsc::Sender<Chunk>,
    current: Option<Chunk>,
    pos: usize,
    /// The thread's error, once passed on: the input did not end, so no read may say it did.
    failure: Option<(io::ErrorKind, String)>,
}

impl ReadAhead {
    /// Starts the thread that reads `source`.
    pub(crate) fn spawn<R: Read + Send + 'static>(
        mut source: R,
        contents: Contents,
    ) -> io::Result<Self> {
        let (sender, chunks) = mpsc::channel(QUEUED);
        let (recycle, recycled) = std_mpsc::channel::<Chunk>();
        std::thread::Builder::new()
            .name("kms-read-ahead".to_owned())
            .spawn(move || {
                loop {
                    let mut chunk = recycled.try_recv().unwrap_or_else(|_| Chunk::new(contents));
                    let sent = match chunk.read_from(&mut source) {
                        Ok(()) if chunk.len == 0 => break,
                        Ok(()) => sender.blocking_send(Ok(chunk)),
                        Err(err) => {
                            let _ = sender.blocking_send(Err(err));
                            break;
                        }
                    };
                    if sent.is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            chunks,
            recycle,
            current: None,
            pos: 0,
            failure: None,
        })
    }
}

/// Reads through the chunks (`AsyncBufRead` requires `AsyncRead`).
impl AsyncRead for ReadAhead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rest = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let taken = rest.len().min(buf.remaining());
        buf.put_slice(rest.get(..taken).unwrap_or_default());
        Pin::new(this).consume(taken);
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for ReadAhead {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while this
            .current
            .as_ref()
            .is_none_or(|chunk| this.pos >= chunk.len)
        {
            if let Some(done) = this.current.take() {
                // The thread may have ended: the chunk is then dropped (and wiped) here.
                let _ = this.recycle.send(done);
            }
            if let Some((kind, message)) = &this.failure {
                return Poll::Ready(Err(io::Error::new(*kind, message.clone())));
            }
            match ready!(this.chunks.poll_recv(cx)) {
                Some(Ok(chunk)) => {
                    this.current = Some(chunk);
                    this.pos = 0;
                }
                Some(Err(err)) => {
                    this.failure = Some((err.kind(), err.to_string()));
                    return Poll::Ready(Err(err));
                }
                None => return Poll::Ready(Ok(&[])),
            }
        }
        let rest = this.current.as_ref().map(Chunk::data).unwrap_or_default();
        Poll::Ready(Ok(rest.get(this.pos..).unwrap_or_default()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let len = this.current.as_ref().map_or(0, |chunk| chunk.len);
        this.pos = (this.pos + amt).min(len);
    }
}

/// A [`BufferSink`] over a blocking writer that a thread of its own writes behind: each
/// buffer sent goes to the thread as it is, and comes back to be filled again once written.
/// [`WriteBehind::finish`] waits for everything to be written and returns the writer; after a
/// failed write, every later call fails with that error.
#[derive(Debug)]
pub(crate) struct WriteBehind<W> {
    chunks: PollSender<Request>,
    recycled: std_mpsc::Receiver<Chunk>,
    /// The writer back, or the first error, once the thread ends.
    outcome: oneshot::Receiver<io::Result<W>>,
    /// The answer awaited to a flush request already sent.
    flushed: Option<oneshot::Receiver<()>>,
    /// The thread's first error, once known.
    failure: Option<(io::ErrorKind, String)>,
    contents: Contents,
}

/// What the writing thread is asked to do, in order.
#[derive(Debug)]
enum Request {
    Write(Chunk),
    /// Flush the writer, then answer.
    Flush(oneshot::Sender<()>),
}

impl<W: Write + Send + 'static> WriteBehind<W> {
    /// Starts the thread that writes to `sink`.
    pub(crate) fn spawn(mut sink: W, contents: Contents) -> io::Result<Self> {
        let (sender, mut requests) = mpsc::channel::<Request>(QUEUED);
        let (recycle, recycled) = std_mpsc::channel::<Chunk>();
        let (report, outcome) = oneshot::channel();
        std::thread::Builder::new()
            .name("kms-write-behind".to_owned())
            .spawn(move || {
                let result = (|| {
                    while let Some(request) = requests.blocking_recv() {
                        match request {
                            Request::Write(mut chunk) => {
                                sink.write_all(chunk.data())?;
                                chunk.len = 0;
                                // Reused by the other side, or dropped (and wiped) if it is gone.
                                let _ = recycle.send(chunk);
                            }
                            Request::Flush(answer) => {
                                sink.flush()?;
                                let _ = answer.send(());
                            }
                        }
                    }
                    sink.flush()?;
                    Ok(sink)
                })();
                let _ = report.send(result);
            })?;
        Ok(Self {
            chunks: PollSender::new(sender),
            recycled,
            outcome,
            flushed: None,
            failure: None,
            contents,
        })
    }

    /// Writes out everything, waits for the thread to end, and returns the writer.
    pub(crate) async fn finish(mut self) -> io::Result<W> {
        if let Some((kind, message)) = self.failure {
            return Err(io::Error::new(kind, message));
        }
        self.chunks.close();
        match self.outcome.await {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the writing thread stopped")),
        }
    }

    /// The thread's error, once it has stopped (which closes its queue).
    fn poll_failure(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let (kind, message) = match &self.failure {
            Some(failure) => failure.clone(),
            None => {
                let failure = match ready!(Pin::new(&mut self.outcome).poll(cx)) {
                    Ok(Err(err)) => (err.kind(), err.to_string()),
                    Ok(Ok(_)) | Err(_) => (
                        io::ErrorKind::Other,
                        "the writing thread stopped".to_owned(),
                    ),
                };
                self.failure = Some(failure.clone());
                failure
            }
        };
        Poll::Ready(io::Error::new(kind, message))
    }

    /// Sends `request` once the queue has room.
    fn poll_request(&mut self, cx: &mut Context<'_>, request: Request) -> Poll<io::Result<()>> {
        if ready!(self.chunks.poll_reserve(cx)).is_err() || self.chunks.send_item(request).is_err()
        {
            return Poll::Ready(Err(ready!(self.poll_failure(cx))));
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: Write + Send + 'static> BufferSink for WriteBehind<W> {
    fn poll_send(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
        if buffer.is_empty() {
            return Poll::Ready(Ok(()));
        }
        if ready!(self.chunks.poll_reserve(cx)).is_err() {
            return Poll::Ready(Err(ready!(self.poll_failure(cx))));
        }
        let next = self
            .recycled
            .try_recv()
            .map(Chunk::into_bytes)
            .unwrap_or_default();
        let full = Chunk::filled(std::mem::replace(buffer, next), self.contents);
        if self.chunks.send_item(Request::Write(full)).is_err() {
            return Poll::Ready(Err(ready!(self.poll_failure(cx))));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.flushed.is_none() {
            let (answer, flushed) = oneshot::channel();
            ready!(self.poll_request(cx, Request::Flush(answer)))?;
            self.flushed = Some(flushed);
        }
        let Some(flushed) = self.flushed.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let answered = ready!(Pin::new(flushed).poll(cx));
        self.flushed = None;
        match answered {
            Ok(()) => Poll::Ready(Ok(())),
            Err(_) => Poll::Ready(Err(ready!(self.poll_failure(cx)))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use tokio::io::{AsyncBufReadExt, AsyncReadExt};

    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let chunk = Chunk::filled(b"attack at dawn".to_vec(), Contents::Secret);
        let shown = format!("{chunk:?}");
        assert!(!shown.contains("97"), "{shown}"); // b'a'
        assert_eq!(shown, "Chunk { len: 14, contents: Secret, .. }");
    }

    #[tokio::test]
    async fn reads_everything_in_order() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17] {
            let input = data(len);
            let mut reader =
                ReadAhead::spawn(io::Cursor::new(input.clone()), Contents::Secret).unwrap();
            let mut read = Vec::new();
            reader.read_to_end(&mut read).await.unwrap();
            assert_eq!(read, input, "length {len}");
        }
    }

    #[tokio::test]
    async fn passes_a_read_error_on() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                let n = self.0.min(buf.len());
                self.0 -= n;
                Ok(n)
            }
        }
        let mut reader = ReadAhead::spawn(Failing(3 * CHUNK + 5), Contents::Public).unwrap();
        let mut read = Vec::new();
        let err = reader.read_to_end(&mut read).await.unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(read.len(), 3 * CHUNK + 5, "everything before the error");
        // The input did not end: asked again, the reader fails again rather than say it did.
        let again = reader.fill_buf().await.unwrap_err();
        assert_eq!(again.to_string(), "disk on fire");
    }

    #[tokio::test]
    async fn its_buffer_is_the_chunk_read_ahead() {
        let input = data(2 * CHUNK + 9);
        let mut reader =
            ReadAhead::spawn(io::Cursor::new(input.clone()), Contents::Public).unwrap();
        let mut read = Vec::new();
        loop {
            let buffered = reader.fill_buf().await.unwrap();
            if buffered.is_empty() {
                break;
            }
            assert!(buffered.len() <= CHUNK);
            // Taken a part at a time, the rest stays buffered.
            let taken = buffered.len().min(CHUNK / 3 + 1);
            read.extend_from_slice(&buffered[..taken]);
            reader.consume(taken);
        }
        assert_eq!(read, input);
        assert!(
            reader.fill_buf().await.unwrap().is_empty(),
            "the end stays the end"
        );
    }

    #[tokio::test]
    async fn hands_on_what_a_slow_source_has_produced_without_waiting_for_more() {
        /// A pipe: each read returns what the producer sent last, blocking until it does.
        struct Pipe(std_mpsc::Receiver<Vec<u8>>);
        impl Read for Pipe {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Ok(bytes) = self.0.recv() else {
                    return Ok(0);
                };
                buf[..bytes.len()].copy_from_slice(&bytes);
                Ok(bytes.len())
            }
        }
        let (producer, pipe) = std_mpsc::channel();
        let mut reader = ReadAhead::spawn(Pipe(pipe), Contents::Secret).unwrap();
        let mut buf = [0u8; 64];
        producer.send(b"first".to_vec()).unwrap();
        let read = tokio::time::timeout(Duration::from_secs(10), reader.read(&mut buf))
            .await
            .expect("the bytes the source has produced are handed on without waiting")
            .unwrap();
        assert_eq!(&buf[..read], b"first");
        producer.send(b"second".to_vec()).unwrap();
        drop(producer);
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"second");
    }

    /// Sends `buffer` to `sink`; returns the buffer to fill next.
    async fn send(sink: &mut impl BufferSink, mut buffer: Vec<u8>) -> io::Result<Vec<u8>> {
        std::future::poll_fn(|cx| sink.poll_send(cx, &mut buffer)).await?;
        Ok(buffer)
    }

    #[tokio::test]
    async fn writes_every_buffer_in_order_and_hands_them_back() {
        for len in [0, 1, CHUNK, 4 * CHUNK + 3] {
            let input = data(len);
            let mut writer = WriteBehind::spawn(Vec::new(), Contents::Public).unwrap();
            let mut buffer = Vec::new();
            let mut reused = 0;
            for piece in input.chunks(CHUNK / 3 + 7) {
                if buffer.capacity() >= piece.len() {
                    reused += 1;
                }
                buffer.clear();
                buffer.extend_from_slice(piece);
                buffer = send(&mut writer, buffer).await.unwrap();
            }
            std::future::poll_fn(|cx| writer.poll_flush(cx))
                .await
                .unwrap();
            assert_eq!(writer.finish().await.unwrap(), input, "length {len}");
            if len > CHUNK {
                assert!(reused > 0, "length {len}: no buffer came back");
            }
        }
    }

    #[tokio::test]
    async fn a_write_error_fails_the_writes_that_follow() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut writer = WriteBehind::spawn(Full, Contents::Secret).unwrap();
        let mut failed = None;
        for _ in 0..(QUEUED + 4) * 4 {
            if let Err(err) = send(&mut writer, data(CHUNK / 2)).await {
                failed = Some(err);
                break;
            }
        }
        let err = match failed {
            Some(err) => err,
            None => std::future::poll_fn(|cx| writer.poll_flush(cx))
                .await
                .unwrap_err(),
        };
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(err.to_string(), "no space left");
        let again = send(&mut writer, data(1)).await.unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::StorageFull);
    }
}
