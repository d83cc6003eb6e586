//! A minimal reader of DER SubjectPublicKeyInfo (RFC 5280), and the algorithm identifier each
//! key spec's public key must carry, so a check can tell that `GetPublicKey` and the data key
//! pair operations return SPKI and not a bare key.

use crate::KeySpec;

/// The parameters of a SubjectPublicKeyInfo's algorithm identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parameters {
    /// None at all (Ed25519, ML-DSA, ML-KEM).
    Absent,
    /// `NULL` (RSA).
    Null,
    /// The named curve, as a dotted OID (EC keys).
    Curve(&'static str),
}

/// The parts of a DER SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spki {
    /// The algorithm OID, dotted.
    pub(crate) algorithm: String,
    /// The algorithm's parameters.
    pub(crate) parameters: Parameters,
    /// The contents of the `subjectPublicKey` BIT STRING, without its unused-bits octet.
    pub(crate) key: Vec<u8>,
}

/// The algorithm OID (dotted) and parameters of the public key of `spec`; `None` for the
/// specs without a public key.
pub(crate) fn expected_algorithm(spec: &KeySpec) -> Option<(&'static str, Parameters)> {
    const EC: &str = "1.2.840.10045.2.1";
    let expected = match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
            ("1.2.840.113549.1.1.1", Parameters::Null)
        }
        KeySpec::EccNistP256 => (EC, Parameters::Curve("1.2.840.10045.3.1.7")),
        KeySpec::EccNistP384 => (EC, Parameters::Curve("1.3.132.0.34")),
        KeySpec::EccNistP521 => (EC, Parameters::Curve("1.3.132.0.35")),
        KeySpec::EccSecgP256k1 => (EC, Parameters::Curve("1.3.132.0.10")),
        KeySpec::Sm2 => (EC, Parameters::Curve("1.2.156.10197.1.301")),
        KeySpec::EccNistEdwards25519 => ("1.3.101.112", Parameters::Absent),
        KeySpec::MlDsa44 => ("2.16.840.1.101.3.4.3.17", Parameters::Absent),
        KeySpec::MlDsa65 => ("2.16.840.1.101.3.4.3.18", Parameters::Absent),
        KeySpec::MlDsa87 => ("2.16.840.1.101.3.4.3.19", Parameters::Absent),
        KeySpec::MlKem512 => ("2.16.840.1.101.3.4.4.1", Parameters::Absent),
        KeySpec::MlKem768 => ("2.16.840.1.101.3.4.4.2", Parameters::Absent),
        KeySpec::MlKem1024 => ("2.16.840.1.101.3.4.4.3", Parameters::Absent),
        _ => return None,
    };
    Some(expected)
}

/// The length of the raw public key inside the SPKI of `spec`, where it is fixed: the
/// uncompressed EC point, the Ed25519 key, the ML-DSA and ML-KEM keys.
pub(crate) fn raw_key_len(spec: &KeySpec) -> Option<usize> {
    match spec {
        KeySpec::EccNistP256 | KeySpec::EccSecgP256k1 | KeySpec::Sm2 => Some(65),
        KeySpec::EccNistP384 => Some(97),
        KeySpec::EccNistP521 => Some(133),
        KeySpec::EccNistEdwards25519 => Some(32),
        KeySpec::MlDsa44 => Some(1312),
        KeySpec::MlDsa65 => Some(1952),
        KeySpec::MlDsa87 => Some(2592),
        KeySpec::MlKem512 => Some(800),
        KeySpec::MlKem768 => Some(1184),
        KeySpec::MlKem1024 => Some(1568),
        _ => None,
    }
}

/// Panics unless `der` is the DER SubjectPublicKeyInfo of a `spec` public key: the algorithm
/// identifier of the spec and a raw key of the spec's length. Returns its parts.
#[track_caller]
pub(crate) fn assert_spki(der: &[u8], spec: &KeySpec, what: &str) -> Spki {
    let Some(spki) = parse_spki(der) else {
        panic!(
            "{what}: expected a DER SubjectPublicKeyInfo, got {} bytes that are not one",
            der.len()
        );
    };
    if let Some((algorithm, parameters)) = expected_algorithm(spec) {
        assert_eq!(
            (spki.algorithm.as_str(), &spki.parameters),
            (algorithm, &parameters),
            "{what}: expected the SPKI algorithm identifier of {spec}"
        );
    }
    if let Some(len) = raw_key_len(spec) {
        assert_eq!(
            spki.key.len(),
            len,
            "{what}: expected a {len}-byte {spec} public key inside the SPKI"
        );
    }
    spki
}

/// Parses a DER SubjectPublicKeyInfo; `None` if `der` is anything else (with trailing bytes
/// included).
pub(crate) fn parse_spki(der: &[u8]) -> Option<Spki> {
    let (spki, rest) = element(der, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (algorithm_identifier, rest) = element(spki, SEQUENCE)?;
    let (bit_string, rest) = element(rest, BIT_STRING)?;
    if !rest.is_empty() {
        return None;
    }
    let (oid, params) = element(algorithm_identifier, OBJECT_IDENTIFIER)?;
    let parameters = if params.is_empty() {
        Parameters::Absent
    } else if params == [NULL, 0] {
        Parameters::Null
    } else {
        let (curve, rest) = element(params, OBJECT_IDENTIFIER)?;
        if !rest.is_empty() {
            return None;
        }
        Parameters::Curve(known_curve(&dotted(curve)?)?)
    };
    let (&unused_bits, key) = bit_string.split_first()?;
    if unused_bits != 0 {
        return None;
    }
    Some(Spki {
        algorithm: dotted(oid)?,
        parameters,
        key: key.to_vec(),
    })
}

/// The algorithm OID (dotted) of a DER PKCS#8 PrivateKeyInfo (RFC 5958, version 1 or 2)
/// and the contents of its `privateKey` OCTET STRING; `None` if `der` is anything else.
pub(crate) fn parse_pkcs8(der: &[u8]) -> Option<(String, Vec<u8>)> {
    let (info, rest) = element(der, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (version, rest) = element(info, INTEGER)?;
    if version != [0] && version != [1] {
        return None;
    }
    let (algorithm_identifier, rest) = element(rest, SEQUENCE)?;
    let (private_key, _attributes_and_public_key) = element(rest, OCTET_STRING)?;
    let (oid, _parameters) = element(algorithm_identifier, OBJECT_IDENTIFIER)?;
    Some((dotted(oid)?, private_key.to_vec()))
}

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const OBJECT_IDENTIFIER: u8 = 0x06;
const NULL: u8 = 0x05;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;

/// The curves a KMS key may be on.
fn known_curve(oid: &str) -> Option<&'static str> {
    [
        "1.2.840.10045.3.1.7",
        "1.3.132.0.34",
        "1.3.132.0.35",
        "1.3.132.0.10",
        "1.2.156.10197.1.301",
    ]
    .into_iter()
    .find(|known| *known == oid)
}

/// The contents of the DER element with `tag` at the start of `input`, and what follows it.
pub(crate) fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    if found != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let octets = usize::from(first & 0x7f);
        if octets == 0 || octets > 3 || rest.len() < octets {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(octets);
        let len = len_bytes
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b));
        // DER: the long form only for lengths of 128 and more, in as few octets as possible.
        if len < 0x80 || len_bytes[0] == 0 {
            return None;
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    Some(rest.split_at(len))
}

/// The dotted form of the contents of a DER OBJECT IDENTIFIER.
fn dotted(oid: &[u8]) -> Option<String> {
    let mut arcs = Vec::new();
    let mut arc: u64 = 0;
    for (i, &byte) in oid.iter().enumerate() {
        arc = arc.checked_mul(128)? | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (arc / 40).min(2);
                arcs.push(first);
                arcs.push(arc - first * 40);
            } else {
                arcs.push(arc);
            }
            arc = 0;
        } else if i + 1 == oid.len() {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SPKI of an Ed25519 public key (RFC 8410, section 10.1).
    const ED25519_SPKI: [u8; 44] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0x19, 0xbf, 0x44,
        0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96, 0xc8, 0x50,
        0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1,
    ];

    #[test]
    fn an_ed25519_spki_is_read() {
        let spki = parse_spki(&ED25519_SPKI).unwrap();
        assert_eq!(spki.algorithm, "1.3.101.112");
        assert_eq!(spki.parameters, Parameters::Absent);
        assert_eq!(spki.key, ED25519_SPKI[12..]);
        assert_spki(&ED25519_SPKI, &KeySpec::EccNistEdwards25519, "RFC 8410");
    }

    #[test]
    fn a_bare_key_or_trailing_bytes_are_not_spki() {
        assert_eq!(parse_spki(&ED25519_SPKI[12..]), None);
        let mut longer = ED25519_SPKI.to_vec();
        longer.push(0);
        assert_eq!(parse_spki(&longer), None);
        assert_eq!(parse_spki(&ED25519_SPKI[..43]), None);
    }

    #[test]
    #[should_panic(expected = "expected the SPKI algorithm identifier of ML_DSA_44")]
    fn another_algorithm_is_refused() {
        assert_spki(&ED25519_SPKI, &KeySpec::MlDsa44, "a check");
    }

    #[test]
    fn oids_are_written_dotted() {
        assert_eq!(
            dotted(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]).as_deref(),
            Some("1.2.840.10045.3.1.7")
        );
        assert_eq!(
            dotted(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02]).as_deref(),
            Some("2.16.840.1.101.3.4.4.2")
        );
        assert_eq!(dotted(&[0x86]), None);
    }
}
