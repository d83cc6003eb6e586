//! A progress bar on standard error: a reader that counts the bytes it passes on and redraws
//! one line (`\r`) at most ten times a second.

use std::io::{IsTerminal, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};

/// The least time between two redraws.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// The width of the bar, in characters.
const BAR_WIDTH: usize = 30;

/// A reader that passes `inner` through and, when enabled, draws how much of `total` bytes
/// it has read.
#[derive(Debug)]
pub(crate) struct Progress<R> {
    inner: R,
    meter: Option<Meter>,
}

/// The state of a drawn bar.
#[derive(Debug)]
struct Meter {
    label: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last_draw: Option<Instant>,
}

impl<R> Progress<R> {
    /// Wraps `inner`; the bar is drawn only when the size is known (`total`) and standard
    /// error is a terminal.
    pub(crate) fn new(inner: R, label: &'static str, total: Option<u64>) -> Self {
        let meter = total
            .filter(|_| std::io::stderr().is_terminal())
            .map(|total| Meter {
                label,
                total,
                done: 0,
                started: Instant::now(),
                last_draw: None,
            });
        Self { inner, meter }
    }

    /// Ends the bar: draws its final state after a success, and ends its line either way so
    /// that what follows starts on a line of its own.
    pub(crate) fn finish(&mut self, success: bool) {
        if let Some(meter) = self.meter.take() {
            if success {
                meter.draw();
            }
            if success || meter.last_draw.is_some() {
                eprintln!();
            }
        }
    }
}

/// A bar dropped unfinished (the command failed or was interrupted) still ends its line.
impl<R> Drop for Progress<R> {
    fn drop(&mut self) {
        self.finish(false);
    }
}

impl Meter {
    fn advance(&mut self, read: usize) {
        self.done = self.done.saturating_add(read as u64);
        let now = Instant::now();
        if self
            .last_draw
            .is_none_or(|last| now.duration_since(last) >= REDRAW_EVERY)
        {
            self.last_draw = Some(now);
            self.draw();
        }
    }

    fn draw(&self) {
        let line = render(self.label, self.done, self.total, self.started.elapsed());
        let mut stderr = std::io::stderr().lock();
        // A progress bar that cannot be drawn is not worth failing the command for.
        let _ = write!(stderr, "\r{line}");
        let _ = stderr.flush();
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Progress<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let (Poll::Ready(Ok(())), Some(meter)) = (&polled, this.meter.as_mut()) {
            meter.advance(buf.filled().len().saturating_sub(before));
        }
        polled
    }
}

/// Counts what is consumed, for the copies that read straight from the buffer.
impl<R: AsyncBufRead + Unpin> AsyncBufRead for Progress<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<&[u8]>> {
        Pin::new(&mut self.get_mut().inner).poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        Pin::new(&mut this.inner).consume(amt);
        if let Some(meter) = this.meter.as_mut() {
            meter.advance(amt);
        }
    }
}

/// One line of the bar: `LABEL [#####.....]  50%  512.0 MiB / 1.0 GiB  300.0 MiB/s`.
fn render(label: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let fraction = if total == 0 {
        1.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    let filled = ((fraction * BAR_WIDTH as f64) as usize).min(BAR_WIDTH);
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        format!("  {}/s", size(done as f64 / seconds))
    } else {
        String::new()
    };
    format!(
        "{label} [{}{}] {:>3}%  {} / {}{rate}",
        "#".repeat(filled),
        ".".repeat(BAR_WIDTH - filled),
        (fraction * 100.0) as u32,
        size(done as f64),
        size(total as f64),
    )
}

/// A byte count in binary units, one decimal.
fn size(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_bar() {
        assert_eq!(
            render("encrypting", 512 << 20, 1 << 30, Duration::from_secs(2)),
            "encrypting [###############...............]  50%  512.0 MiB / 1.0 GiB  256.0 MiB/s"
        );
        assert_eq!(
            render("decrypting", 0, 0, Duration::ZERO),
            "decrypting [##############################] 100%  0 B / 0 B"
        );
        assert_eq!(size(1023.0), "1023 B");
        assert_eq!(size(1536.0), "1.5 KiB");
    }
}
