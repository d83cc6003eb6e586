//! PEM blocks of keys given as text.

use base64::Engine;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The DER bytes of a PEM block with this label (the base64 text is wiped after decoding: a
/// private key's is secret).
pub(crate) fn decode(pem: &str, label: &str) -> Result<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = pem
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or_else(|| Error::invalid(format!("no `{begin}` PEM block")))?;
    let text: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|_| Error::invalid("the PEM block is not valid base64"))
}
