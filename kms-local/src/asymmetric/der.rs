//! The little DER this backend reads and writes by hand: the outer structure of PKCS#8
//! `PrivateKeyInfo` (RFC 5958) and X.509 `SubjectPublicKeyInfo` (RFC 5280), enough to check
//! which algorithm and curve a key names, to find the seed inside an Ed25519, ML-DSA or
//! ML-KEM private key, and to write the seed-form ML-KEM encodings no library gives.
//!
//! The cryptographic libraries parse the key material itself; this module never decides that
//! a key is valid, only which kind of key it claims to be.

/// The tag of an ASN.1 INTEGER.
const INTEGER: u8 = 0x02;
/// The tag of an ASN.1 BIT STRING.
const BIT_STRING: u8 = 0x03;
/// The tag of an ASN.1 OCTET STRING.
const OCTET_STRING: u8 = 0x04;
/// The tag of an ASN.1 OBJECT IDENTIFIER.
const OBJECT_IDENTIFIER: u8 = 0x06;
/// The tag of a constructed ASN.1 SEQUENCE.
const SEQUENCE: u8 = 0x30;
/// The tag of `[0] IMPLICIT OCTET STRING`, the seed choice of ML-DSA and ML-KEM private keys.
const SEED_CHOICE: u8 = 0x80;

/// Object identifiers, as the content bytes of their DER encoding.
pub(super) mod oid {
    /// `rsaEncryption` (1.2.840.113549.1.1.1).
    pub(in crate::asymmetric) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// `id-ecPublicKey` (1.2.840.10045.2.1).
    pub(in crate::asymmetric) const EC_PUBLIC_KEY: &[u8] =
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// `prime256v1`, NIST P-256 (1.2.840.10045.3.1.7).
    pub(in crate::asymmetric) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// `secp384r1`, NIST P-384 (1.3.132.0.34).
    pub(in crate::asymmetric) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// `secp521r1`, NIST P-521 (1.3.132.0.35).
    pub(in crate::asymmetric) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// `secp256k1` (1.3.132.0.10).
    pub(in crate::asymmetric) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// `id-Ed25519` (1.3.101.112).
    pub(in crate::asymmetric) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// `id-ml-dsa-44` (2.16.840.1.101.3.4.3.17).
    pub(in crate::asymmetric) const ML_DSA_44: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11];
    /// `id-ml-dsa-65` (2.16.840.1.101.3.4.3.18).
    pub(in crate::asymmetric) const ML_DSA_65: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12];
    /// `id-ml-dsa-87` (2.16.840.1.101.3.4.3.19).
    pub(in crate::asymmetric) const ML_DSA_87: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13];
    /// `id-alg-ml-kem-512` (2.16.840.1.101.3.4.4.1).
    pub(in crate::asymmetric) const ML_KEM_512: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x01];
    /// `id-alg-ml-kem-768` (2.16.840.1.101.3.4.4.2).
    pub(in crate::asymmetric) const ML_KEM_768: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02];
    /// `id-alg-ml-kem-1024` (2.16.840.1.101.3.4.4.3).
    pub(in crate::asymmetric) const ML_KEM_1024: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x03];
}

/// Reads DER elements one after another from a byte string.
struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { input }
    }

    /// The next element's tag and contents, in definite-length DER form.
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form: 1..=4 length bytes, minimal (DER), never the indefinite form.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let (bytes, after) = rest.split_at(count);
            rest = after;
            if bytes[0] == 0 {
                return None;
            }
            let len = bytes
                .iter()
                .fold(0usize, |len, &byte| (len << 8) | usize::from(byte));
            if len < 0x80 {
                return None;
            }
            len
        };
        if rest.len() < len {
            return None;
        }
        let (contents, after) = rest.split_at(len);
        self.input = after;
        Some((tag, contents))
    }

    /// The contents of the next element, which must have tag `tag`.
    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.next()? {
            (found, contents) if found == tag => Some(contents),
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        self.input.is_empty()
    }
}

/// An `AlgorithmIdentifier`: the algorithm's OID and the OID of its parameters, when the
/// parameters are one (the named curve of an EC key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AlgorithmId<'a> {
    /// The content bytes of the algorithm OID.
    pub(super) algorithm: &'a [u8],
    /// The content bytes of the parameters when they are an OID, such as a named curve.
    pub(super) parameter: Option<&'a [u8]>,
}

fn algorithm_id<'a>(contents: &'a [u8]) -> Option<AlgorithmId<'a>> {
    let mut reader = Reader::new(contents);
    let algorithm = reader.expect(OBJECT_IDENTIFIER)?;
    let parameter = match reader.next() {
        None => None,
        Some((OBJECT_IDENTIFIER, curve)) => Some(curve),
        // NULL (RSA) or anything else: not a parameter this backend distinguishes keys by.
        Some(_) => None,
    };
    reader.is_empty().then_some(AlgorithmId {
        algorithm,
        parameter,
    })
}

/// The parts of a PKCS#8 `PrivateKeyInfo` (v1 or v2) this backend looks at. Its `Debug`
/// shows the algorithm and the private key's length, never the key.
pub(super) struct PrivateKeyInfo<'a> {
    /// The key's algorithm.
    pub(super) algorithm: AlgorithmId<'a>,
    /// The contents of the `privateKey` OCTET STRING.
    pub(super) private_key: &'a [u8],
}

impl std::fmt::Debug for PrivateKeyInfo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKeyInfo")
            .field("algorithm", &self.algorithm)
            .field(
                "private_key",
                &format_args!("[{} bytes]", self.private_key.len()),
            )
            .finish()
    }
}

impl<'a> PrivateKeyInfo<'a> {
    /// Parses the outer structure of `der`; `None` unless it is exactly one `PrivateKeyInfo`.
    pub(super) fn parse(der: &'a [u8]) -> Option<Self> {
        let mut outer = Reader::new(der);
        let contents = outer.expect(SEQUENCE)?;
        if !outer.is_empty() {
            return None;
        }
        let mut reader = Reader::new(contents);
        let version = reader.expect(INTEGER)?;
        if version != [0] && version != [1] {
            return None;
        }
        let algorithm = algorithm_id(reader.expect(SEQUENCE)?)?;
        let private_key = reader.expect(OCTET_STRING)?;
        // Optional attributes [0] and public key [1] follow; the libraries read them.
        Some(Self {
            algorithm,
            private_key,
        })
    }
}

/// The parts of a `SubjectPublicKeyInfo` this backend looks at.
#[derive(Debug)]
pub(super) struct SubjectPublicKeyInfo<'a> {
    /// The key's algorithm.
    pub(super) algorithm: AlgorithmId<'a>,
    /// The bits of `subjectPublicKey` (a whole number of bytes).
    // Read by the tests only (the operations keep the public key they derive).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) public_key: &'a [u8],
}

impl<'a> SubjectPublicKeyInfo<'a> {
    /// Parses `der`; `None` unless it is exactly one `SubjectPublicKeyInfo`.
    pub(super) fn parse(der: &'a [u8]) -> Option<Self> {
        let mut outer = Reader::new(der);
        let contents = outer.expect(SEQUENCE)?;
        if !outer.is_empty() {
            return None;
        }
        let mut reader = Reader::new(contents);
        let algorithm = algorithm_id(reader.expect(SEQUENCE)?)?;
        let bits = reader.expect(BIT_STRING)?;
        let (&unused, public_key) = bits.split_first()?;
        (unused == 0 && reader.is_empty()).then_some(Self {
            algorithm,
            public_key,
        })
    }
}

/// The seed inside the `privateKey` of an ML-DSA or ML-KEM key (draft-ietf-lamps-dilithium-
/// certificates, draft-ietf-lamps-kyber-certificates): the `seed [0]` choice, or the seed of
/// the `both` choice. `None` for the expanded-only form, which has no seed.
pub(super) fn lattice_seed(private_key: &[u8], seed_len: usize) -> Option<&[u8]> {
    let mut reader = Reader::new(private_key);
    let seed = match reader.next()? {
        (SEED_CHOICE, seed) => seed,
        (SEQUENCE, both) => {
            let mut inner = Reader::new(both);
            let seed = inner.expect(OCTET_STRING)?;
            inner.expect(OCTET_STRING)?;
            inner.is_empty().then_some(seed)?
        }
        _ => return None,
    };
    (reader.is_empty() && seed.len() == seed_len).then_some(seed)
}

/// The 32-byte seed inside the `privateKey` of an Ed25519 key (RFC 8410: `CurvePrivateKey ::=
/// OCTET STRING`).
pub(super) fn ed25519_seed(private_key: &[u8]) -> Option<&[u8]> {
    let mut reader = Reader::new(private_key);
    let seed = reader.expect(OCTET_STRING)?;
    (reader.is_empty() && seed.len() == 32).then_some(seed)
}

/// The number of bytes of a DER element whose contents are `len` bytes long.
fn element_len(len: usize) -> usize {
    let len_len = match len {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 4,
    };
    1 + len_len + len
}

/// Appends the tag and length of an element whose contents are `len` bytes long (up to
/// 2^24 - 1, far beyond any key here).
fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xffff => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        _ => out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]),
    }
}

/// The `AlgorithmIdentifier` of `oid` with absent parameters, as ML-DSA and ML-KEM use.
fn push_algorithm(out: &mut Vec<u8>, oid: &[u8]) {
    push_header(out, SEQUENCE, element_len(oid.len()));
    push_header(out, OBJECT_IDENTIFIER, oid.len());
    out.extend_from_slice(oid);
}

/// A `SubjectPublicKeyInfo` of algorithm `oid` (no parameters) over the raw `public_key`.
pub(super) fn subject_public_key_info(oid: &[u8], public_key: &[u8]) -> Vec<u8> {
    let algorithm_len = element_len(element_len(oid.len()));
    let bits_len = element_len(1 + public_key.len());
    let mut out = Vec::with_capacity(element_len(algorithm_len + bits_len));
    push_header(&mut out, SEQUENCE, algorithm_len + bits_len);
    push_algorithm(&mut out, oid);
    push_header(&mut out, BIT_STRING, 1 + public_key.len());
    out.push(0);
    out.extend_from_slice(public_key);
    out
}

/// A PKCS#8 v1 `PrivateKeyInfo` of algorithm `oid` (no parameters) holding `seed` in the
/// `seed [0]` form. The vector is allocated once at its final size, so no copy of the seed is
/// left behind in a freed buffer; the caller moves it into a secret.
pub(super) fn seed_private_key_info(oid: &[u8], seed: &[u8]) -> Vec<u8> {
    let choice_len = element_len(seed.len());
    let body_len = element_len(1) + element_len(element_len(oid.len())) + element_len(choice_len);
    let mut out = Vec::with_capacity(element_len(body_len));
    push_header(&mut out, SEQUENCE, body_len);
    push_header(&mut out, INTEGER, 1);
    out.push(0);
    push_algorithm(&mut out, oid);
    push_header(&mut out, OCTET_STRING, choice_len);
    push_header(&mut out, SEED_CHOICE, seed.len());
    out.extend_from_slice(seed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_private_key_info_reads_back() {
        let seed = [7u8; 64];
        let der = seed_private_key_info(oid::ML_KEM_768, &seed);
        // 30 54 | 02 01 00 | 30 0b 06 09 <oid> | 04 42 80 40 <seed>: 86 bytes for every
        // ML-KEM spec, as AWS documents ("the same for all ML-KEM key pair specs").
        assert_eq!(der.len(), 86);
        assert_eq!(der.capacity(), der.len());
        assert_eq!(&der[..4], &[0x30, 0x54, 0x02, 0x01]);
        let info = PrivateKeyInfo::parse(&der).expect("parses");
        assert_eq!(info.algorithm.algorithm, oid::ML_KEM_768);
        assert_eq!(info.algorithm.parameter, None);
        assert_eq!(lattice_seed(info.private_key, 64), Some(&seed[..]));
        assert_eq!(lattice_seed(info.private_key, 32), None);
    }

    #[test]
    fn a_long_public_key_info_reads_back() {
        let key = vec![0xabu8; 1184];
        let der = subject_public_key_info(oid::ML_KEM_768, &key);
        assert_eq!(der.len(), der.capacity());
        let info = SubjectPublicKeyInfo::parse(&der).expect("parses");
        assert_eq!(info.algorithm.algorithm, oid::ML_KEM_768);
        assert_eq!(info.public_key, &key[..]);
    }

    #[test]
    fn malformed_der_is_refused_not_panicked_on() {
        let der = seed_private_key_info(oid::ML_KEM_512, &[1u8; 64]);
        for cut in 0..der.len() {
            assert!(PrivateKeyInfo::parse(&der[..cut]).is_none(), "cut at {cut}");
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(PrivateKeyInfo::parse(&trailing).is_none());
        // Indefinite length, and a non-minimal long form.
        assert!(PrivateKeyInfo::parse(&[0x30, 0x80, 0x00, 0x00]).is_none());
        assert!(SubjectPublicKeyInfo::parse(&[0x30, 0x81, 0x01, 0x00]).is_none());
        assert!(SubjectPublicKeyInfo::parse(&[]).is_none());
    }

    #[test]
    fn the_both_form_gives_its_seed() {
        // SEQUENCE { OCTET STRING seed(32), OCTET STRING expanded(3) }
        let mut both = vec![0x30, 34 + 5, 0x04, 32];
        both.extend_from_slice(&[9u8; 32]);
        both.extend_from_slice(&[0x04, 3, 1, 2, 3]);
        assert_eq!(lattice_seed(&both, 32), Some(&[9u8; 32][..]));
        // The expanded form alone has no seed.
        assert_eq!(lattice_seed(&[0x04, 3, 1, 2, 3], 32), None);
    }
}
