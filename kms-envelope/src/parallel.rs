//! The threads that seal and open the frames of one message: a batch of frames is cut into
//! contiguous parts, one per thread, each writing into its own disjoint slice of the output.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The least plaintext a thread is given: below this, starting a thread costs more than it
/// saves, so small messages and batches are sealed on the calling thread alone.
const MIN_PART_BYTES: usize = 256 * 1024;

/// The plaintext each thread is given per batch when streaming: with the ciphertext beside
/// it, what a stream holds is about twice this per thread (or two frames per thread, for
/// frames longer than this), whatever the size of the message.
const STREAM_BYTES_PER_THREAD: usize = 1024 * 1024;

/// How many threads seal or open the frames of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Threads(NonZeroUsize);

impl Threads {
    /// The machine's available parallelism (one thread when it cannot be known), asked once:
    /// the answer reads the cgroup files of the process.
    pub(crate) fn available() -> Self {
        static AVAILABLE: OnceLock<NonZeroUsize> = OnceLock::new();
        Self(
            *AVAILABLE
                .get_or_init(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)),
        )
    }

    /// `count` threads, or the machine's available parallelism for `None`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for zero threads.
    pub(crate) fn new(count: Option<usize>) -> Result<Self> {
        match count {
            None => Ok(Self::available()),
            Some(count) => NonZeroUsize::new(count)
                .map(Self)
                .ok_or_else(|| Error::invalid("the number of threads must be at least 1, not 0")),
        }
    }

    /// The number of threads.
    pub(crate) fn get(self) -> usize {
        self.0.get()
    }

    /// How many frames of `frame_length` bytes a stream seals or opens at a time.
    pub(crate) fn batch_frames(self, frame_length: usize) -> usize {
        self.get() * (STREAM_BYTES_PER_THREAD / frame_length.max(1)).max(1)
    }

    /// How many of `frames` frames of `frame_length` bytes each thread takes: all of them
    /// when they are too few or too small to pay for a thread.
    pub(crate) fn frames_per_part(self, frames: usize, frame_length: usize) -> usize {
        let by_size = (frames.saturating_mul(frame_length) / MIN_PART_BYTES).max(1);
        let parts = self.get().min(frames).min(by_size).max(1);
        frames.div_ceil(parts).max(1)
    }
}

/// Runs `work` on every part, the first on the calling thread and each other on a scoped
/// thread of its own, and returns the results in the order of the parts.
///
/// # Errors
///
/// [`Error::InvalidArgument`] when a thread cannot be started (the parts already started
/// still run to their end).
pub(crate) fn run_parts<P, R>(parts: Vec<P>, work: impl Fn(P) -> R + Sync) -> Result<Vec<R>>
where
    P: Send,
    R: Send,
{
    if parts.len() <= 1 {
        return Ok(parts.into_iter().map(&work).collect());
    }
    let work = &work;
    std::thread::scope(|scope| {
        let mut parts = parts.into_iter();
        let first = parts.next();
        let mut handles = Vec::with_capacity(parts.len());
        for part in parts {
            let handle = std::thread::Builder::new()
                .name("kms-envelope-frames".to_owned())
                .spawn_scoped(scope, move || work(part))
                .map_err(|err| Error::invalid(format!("cannot start a thread: {err}")))?;
            handles.push(handle);
        }
        let mut results: Vec<R> = first.into_iter().map(work).collect();
        for handle in handles {
            // A panic in a part is a bug: pass it on rather than hide it.
            results.push(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        Ok(results)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_refused_and_none_is_the_machine() {
        assert!(matches!(
            Threads::new(Some(0)),
            Err(Error::InvalidArgument { .. })
        ));
        assert_eq!(Threads::new(None).ok(), Some(Threads::available()));
        assert_eq!(Threads::new(Some(3)).ok().map(Threads::get), Some(3));
    }

    #[test]
    fn small_work_stays_on_one_thread() {
        let eight = Threads(NonZeroUsize::new(8).unwrap_or(NonZeroUsize::MIN));
        // 4 frames of 4 KiB: one part.
        assert_eq!(eight.frames_per_part(4, 4096), 4);
        // 64 frames of 64 KiB (4 MiB): 8 parts of 8 frames.
        assert_eq!(eight.frames_per_part(64, 65536), 8);
        // 3 frames of 1 MiB: 3 parts.
        assert_eq!(eight.frames_per_part(3, 1 << 20), 1);
        assert_eq!(eight.frames_per_part(0, 65536), 1);
    }

    #[test]
    fn results_come_back_in_the_order_of_the_parts() {
        let parts: Vec<usize> = (0..7).collect();
        assert_eq!(
            run_parts(parts, |i| i * 10).ok(),
            Some(vec![0, 10, 20, 30, 40, 50, 60])
        );
    }

    #[test]
    fn each_part_writes_its_own_slice() {
        let mut out = vec![0u8; 12];
        let parts: Vec<(u8, &mut [u8])> = out
            .chunks_mut(4)
            .enumerate()
            .map(|(i, slice)| (i as u8 + 1, slice))
            .collect();
        assert!(run_parts(parts, |(value, slice)| slice.fill(value)).is_ok());
        assert_eq!(out, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    }
}
