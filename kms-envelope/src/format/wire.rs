//! Big-endian reading over a byte slice that may not hold the whole structure yet.

use crate::error::Error;

/// Why a parse stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The buffer ends too early: at least this many bytes (from the buffer's start) are
    /// needed to get further.
    Need(usize),
    /// The bytes are wrong.
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Self::Fail(error)
    }
}

/// The outcome of a parse: a value and the bytes it took, or the bytes it needs.
pub(crate) type Parsed<T> = Result<T, Stop>;

/// A reading position in a byte slice. Every read checks its bounds.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The number of bytes read so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Parsed<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Stop::Need(usize::MAX))?;
        match self.buf.get(self.pos..end) {
            Some(bytes) => {
                self.pos = end;
                Ok(bytes)
            }
            None => Err(Stop::Need(end)),
        }
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self) -> Parsed<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Parsed<u8> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Parsed<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Parsed<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Parsed<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A `u16` length followed by that many bytes.
    pub(crate) fn u16_prefixed(&mut self) -> Parsed<&'a [u8]> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }
}

/// Appends a `u16` length and `bytes`, failing if `bytes` is longer than 65535.
pub(crate) fn put_u16_prefixed(out: &mut Vec<u8>, bytes: &[u8], what: &str) -> crate::Result<()> {
    let len = u16::try_from(bytes.len())
        .map_err(|_| Error::invalid(format!("{what} is longer than 65535 bytes")))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_reports_what_it_needs() {
        let mut cursor = Cursor::new(&[0, 1, 0, 0, 0, 2, 9]);
        assert_eq!(cursor.u16().ok(), Some(1));
        assert_eq!(cursor.u32().ok(), Some(2));
        assert!(matches!(cursor.u16(), Err(Stop::Need(8))));
        assert_eq!(cursor.position(), 6);
        let mut prefixed = Cursor::new(&[0, 3, b'a']);
        assert!(matches!(prefixed.u16_prefixed(), Err(Stop::Need(5))));
    }
}
