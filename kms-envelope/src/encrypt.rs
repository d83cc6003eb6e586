//! Encryption: the [`Encryptor`] builder, the one-shot API and the frame sealing core.

use std::fmt;
use std::sync::Arc;

use kms_core::EncryptionContext;

use crate::error::{Error, Result};
use crate::format::frame::{self, BlockKind, BodyAad, FINAL_HEAD_LEN, REGULAR_HEAD_LEN};
use crate::format::header::{
    HeaderFields, IV_LEN, PUBLIC_KEY_CONTEXT_KEY, RESERVED_CONTEXT_PREFIX, TAG_LEN,
    write_header_body,
};
use crate::keyring::Keyring;
use crate::keys::derive::{ContentKey, derive_keys};
use crate::keys::signing::Signer;
use crate::materials::{DefaultMaterialsManager, EncryptionMaterialsRequest, MaterialsManager};
use crate::parallel::{self, Threads};
use crate::suite::{AlgorithmSuite, CommitmentPolicy};

/// The default frame length: 64 KiB.
pub const DEFAULT_FRAME_LENGTH: u32 = 64 * 1024;
/// The largest frame length: 2^31 - 1 bytes, the most the AWS Encryption SDKs read.
pub const MAX_FRAME_LENGTH: u32 = i32::MAX as u32;
/// The longest footer: a `u16` length and a DER ECDSA P-384 signature of at most 104 bytes.
const MAX_FOOTER_LEN: usize = 2 + 104;

/// Encrypts data into AWS Encryption SDK messages with a keyring.
///
/// Build it once with the options, then encrypt any number of messages: each message gets a
/// fresh data key from the keyring (one KMS call for a [`KmsKeyring`](crate::KmsKeyring),
/// never one per frame), a random message id, and its own derived content key.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{EncryptionContext, SecretBytes};
/// use kms_envelope::{AlgorithmSuite, Decryptor, Encryptor, RawAesKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let encryptor = Encryptor::new(keyring.clone())
///     .with_encryption_context(EncryptionContext::from([("tenant", "t1")]))
///     .with_frame_length(4096)
///     .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384);
/// let message = encryptor.encrypt(b"hello").await?;
///
/// let decrypted = Decryptor::new(keyring).decrypt(&message).await?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// assert_eq!(decrypted.header().encryption_context().get("tenant"), Some("t1"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Encryptor {
    materials: Arc<dyn MaterialsManager>,
    context: EncryptionContext,
    frame_length: u32,
    suite: AlgorithmSuite,
    policy: CommitmentPolicy,
    threads: Option<usize>,
}

impl fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryptor")
            .field("materials", &self.materials)
            .field("context", &self.context)
            .field("frame_length", &self.frame_length)
            .field("suite", &self.suite)
            .field("policy", &self.policy)
            .field("threads", &self.threads)
            .finish()
    }
}

impl Encryptor {
    /// An encryptor with the default options: empty encryption context, 64 KiB frames, suite
    /// 0x0478, commitment required. Each message gets a fresh data key from `keyring`
    /// (through a [`DefaultMaterialsManager`]).
    pub fn new(keyring: Arc<dyn Keyring>) -> Self {
        Self::from_materials_manager(Arc::new(DefaultMaterialsManager::new(keyring)))
    }

    /// An encryptor with the default options that gets the materials of each message from
    /// `materials`, such as a [`CachingMaterialsManager`](crate::CachingMaterialsManager) or a
    /// [`RequiredEncryptionContextMaterialsManager`](crate::RequiredEncryptionContextMaterialsManager).
    pub fn from_materials_manager(materials: Arc<dyn MaterialsManager>) -> Self {
        Self {
            materials,
            context: EncryptionContext::new(),
            frame_length: DEFAULT_FRAME_LENGTH,
            suite: AlgorithmSuite::default(),
            policy: CommitmentPolicy::default(),
            threads: None,
        }
    }

    /// The encryption context bound to every message. Keys starting with `aws-crypto-` are
    /// reserved and make encryption fail.
    #[must_use]
    pub fn with_encryption_context(mut self, context: EncryptionContext) -> Self {
        self.context = context;
        self
    }

    /// The frame length, 1 to 2^31 - 1 bytes (default 64 KiB). Out of range, encryption
    /// fails.
    #[must_use]
    pub fn with_frame_length(mut self, frame_length: u32) -> Self {
        self.frame_length = frame_length;
        self
    }

    /// The algorithm suite: 0x0478 (default) or 0x0578 (signed). Others make encryption fail.
    #[must_use]
    pub fn with_suite(mut self, suite: AlgorithmSuite) -> Self {
        self.suite = suite;
        self
    }

    /// The commitment policy. Both policies encrypt with committing suites only.
    #[must_use]
    pub fn with_commitment_policy(mut self, policy: CommitmentPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How many threads seal the frames of one message (default: the machine's available
    /// parallelism). `1` seals every frame on the calling thread; `0` makes encryption fail.
    /// The message is the same whatever the number: frames are sealed in parallel but
    /// written in order, and small messages are sealed on the calling thread alone.
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// The frame length.
    pub fn frame_length(&self) -> u32 {
        self.frame_length
    }

    /// Encrypts `plaintext` into a new message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for invalid options, or the keyring's error.
    pub async fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        // A fresh zeroed allocation costs nothing until touched; the frames are sealed
        // straight into it.
        let mut out = Vec::new();
        self.encrypt_over(plaintext, &mut out).await?;
        Ok(out)
    }

    /// The plaintext of the regular frames, and of the final frame (never empty unless the
    /// whole plaintext is).
    fn split<'a>(&self, plaintext: &'a [u8]) -> (&'a [u8], &'a [u8]) {
        let frame_length = self.frame_length as usize;
        let regular_frames = plaintext.len().saturating_sub(1) / frame_length;
        plaintext.split_at(regular_frames * frame_length)
    }

    /// The largest length of the message for this plaintext length.
    fn message_len(&self, core: &EncryptCore, header: &[u8], plaintext_len: usize) -> usize {
        let regular_frames = plaintext_len.saturating_sub(1) / core.frame_length();
        header.len()
            + regular_frames * core.regular_frame_len()
            + FINAL_HEAD_LEN
            + (plaintext_len - regular_frames * core.frame_length())
            + TAG_LEN
            + if self.suite.is_signed() {
                MAX_FOOTER_LEN
            } else {
                0
            }
    }

    /// Encrypts `plaintext` into `out`, replacing its contents. Its memory is reused: the
    /// bytes it already holds are overwritten in place, so encrypting many messages through
    /// one buffer costs no allocation and no extra pass over the data.
    ///
    /// # Errors
    ///
    /// As [`Encryptor::encrypt`]; `out` is left empty.
    pub async fn encrypt_into(&self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let result = self.encrypt_over(plaintext, out).await;
        if result.is_err() {
            out.clear();
        }
        result
    }

    async fn encrypt_over(&self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let (mut core, header) = self.start_sized(Some(plaintext.len() as u64)).await?;
        let (regular, last) = self.split(plaintext);
        grow_zeroed(out, self.message_len(&core, &header, plaintext.len()));
        let mut pos = header.len();
        out.get_mut(..pos)
            .ok_or_else(|| Error::invalid("output buffer"))?
            .copy_from_slice(&header);
        let target = out.get_mut(pos..).unwrap_or_default();
        pos += core.seal_regular_frames(regular, target)?;
        out.truncate(pos);
        core.seal_final(last, out)
    }

    /// Validates the options, gets the materials, and writes the header, for a plaintext of
    /// unknown length.
    pub(crate) async fn start(&self) -> Result<(EncryptCore, Vec<u8>)> {
        self.start_sized(None).await
    }

    /// Validates the options, gets the materials for a plaintext of `plaintext_length`
    /// bytes (when known), and writes the header.
    async fn start_sized(&self, plaintext_length: Option<u64>) -> Result<(EncryptCore, Vec<u8>)> {
        let threads = Threads::new(self.threads)?;
        if self.frame_length == 0 || self.frame_length > MAX_FRAME_LENGTH {
            return Err(Error::invalid(format!(
                "the frame length must be 1 to {MAX_FRAME_LENGTH}, not {}",
                self.frame_length
            )));
        }
        if !self.suite.is_committing() {
            return Err(Error::CommitmentPolicy {
                policy: self.policy.name(),
                what: format!("encrypting with suite {} (no key commitment)", self.suite),
            });
        }
        if let Some((key, _)) = self
            .context
            .iter()
            .find(|(key, _)| key.starts_with(RESERVED_CONTEXT_PREFIX))
        {
            return Err(Error::invalid(format!(
                "the encryption context key `{key}` is reserved (keys starting with `{RESERVED_CONTEXT_PREFIX}`)"
            )));
        }
        let request =
            EncryptionMaterialsRequest::new(self.suite, self.context.clone(), self.policy)
                .with_max_plaintext_length(plaintext_length);
        let materials = self.materials.get_encryption_materials(request).await?;
        if materials.suite() != self.suite {
            return Err(Error::invalid(format!(
                "the materials manager chose suite {} instead of {}",
                materials.suite(),
                self.suite
            )));
        }
        let signer = match (self.suite.is_signed(), materials.signing_key()) {
            (false, _) => None,
            (true, Some(key)) => Some(Signer::new(key)?),
            (true, None) => {
                return Err(Error::invalid(
                    "the materials of a signed suite hold no signing key",
                ));
            }
        };
        let (context, authenticated_only) = split_required(&materials)?;
        let data_key = materials
            .data_key()
            .ok_or_else(|| Error::invalid("the keyring made no data key"))?;
        let mut message_id = [0u8; 32];
        aws_lc_rs::rand::fill(&mut message_id)
            .map_err(|_| Error::invalid("the random generator failed"))?;
        let keys = derive_keys(self.suite, data_key, &message_id)?;
        let commit_key = keys
            .commit_key
            .ok_or_else(|| Error::invalid("a committing suite without a commit key"))?;
        let mut header = write_header_body(&HeaderFields {
            suite: self.suite,
            message_id: &message_id,
            encryption_context: &context,
            encrypted_data_keys: materials.encrypted_data_keys(),
            frame_length: self.frame_length,
            commit_key: &commit_key,
        })?;
        // Required pairs are authenticated with the header but not stored in it.
        let mut aad = header.clone();
        authenticated_only
            .write_canonical(&mut aad)
            .map_err(|err| Error::invalid(err.message().to_owned()))?;
        let tag = keys.content.tag_of([0; IV_LEN], &aad)?;
        header.extend_from_slice(&tag);
        let mut core = EncryptCore {
            key: keys.content,
            message_id,
            frame_length: self.frame_length,
            next_seq: 1,
            signer,
            threads,
        };
        core.digest(&header);
        Ok((core, header))
    }
}

/// The materials' context split into the pairs the message stores and the required pairs it
/// only authenticates.
fn split_required(
    materials: &crate::keyring::EncryptionMaterials,
) -> Result<(EncryptionContext, EncryptionContext)> {
    let required = materials.required_encryption_context_keys();
    let mut stored = EncryptionContext::new();
    let mut authenticated_only = EncryptionContext::new();
    for (key, value) in materials.encryption_context().iter() {
        if required.iter().any(|required| required == key) {
            authenticated_only.insert(key, value);
        } else {
            stored.insert(key, value);
        }
    }
    if authenticated_only.len() != required.len() {
        return Err(Error::invalid(
            "a required encryption context key is not in the encryption context",
        ));
    }
    if authenticated_only.get(PUBLIC_KEY_CONTEXT_KEY).is_some() {
        return Err(Error::invalid(format!(
            "the encryption context key `{PUBLIC_KEY_CONTEXT_KEY}` cannot be required"
        )));
    }
    Ok((stored, authenticated_only))
}

/// Makes `out` at least `len` bytes long. A fresh zeroed allocation costs nothing until it
/// is touched, unlike zeroing the spare capacity of a vector.
pub(crate) fn grow_zeroed(out: &mut Vec<u8>, len: usize) {
    if out.is_empty() && out.capacity() < len {
        *out = vec![0u8; len];
    } else if out.len() < len {
        out.resize(len, 0);
    }
}

/// Seals the frames of one message, without any I/O.
pub(crate) struct EncryptCore {
    key: ContentKey,
    message_id: [u8; 32],
    frame_length: u32,
    next_seq: u32,
    signer: Option<Signer>,
    threads: Threads,
}

impl fmt::Debug for EncryptCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptCore")
            .field("frame_length", &self.frame_length)
            .field("next_seq", &self.next_seq)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl EncryptCore {
    /// A core with a fixed data key and message id, for tests that compare messages.
    #[cfg(test)]
    pub(crate) fn fixed(frame_length: u32, threads: usize) -> Self {
        #![allow(clippy::unwrap_used)]
        let message_id = [9u8; 32];
        let data_key = kms_core::SecretBytes::from(vec![3u8; 32]);
        let keys = derive_keys(AlgorithmSuite::default(), &data_key, &message_id).unwrap();
        Self {
            key: keys.content,
            message_id,
            frame_length,
            next_seq: 1,
            signer: None,
            threads: Threads::new(Some(threads)).unwrap(),
        }
    }

    pub(crate) fn frame_length(&self) -> usize {
        self.frame_length as usize
    }

    fn digest(&mut self, bytes: &[u8]) {
        if let Some(signer) = &mut self.signer {
            signer.update(bytes);
        }
    }

    /// The length of a regular frame: head, one frame of ciphertext, tag.
    pub(crate) fn regular_frame_len(&self) -> usize {
        REGULAR_HEAD_LEN + self.frame_length() + TAG_LEN
    }

    /// How many frames a stream seals at a time.
    pub(crate) fn batch_frames(&self) -> usize {
        self.threads.batch_frames(self.frame_length())
    }

    /// Writes regular frames sealing `plaintext` (whole frames) at the start of `out`, which
    /// holds at least [`EncryptCore::regular_frame_len`] bytes per frame, sealing them on
    /// the core's threads. Returns the number of bytes written.
    pub(crate) fn seal_regular_frames(
        &mut self,
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<usize> {
        let frame_length = self.frame_length();
        if !plaintext.len().is_multiple_of(frame_length) {
            return Err(Error::invalid(
                "regular frames must be exactly one frame long each",
            ));
        }
        let frames = plaintext.len() / frame_length;
        // The final frame needs a sequence number too, and u32::MAX marks it.
        let next_seq = u32::try_from(u64::from(self.next_seq) + frames as u64)
            .ok()
            .filter(|next| *next < u32::MAX)
            .ok_or_else(|| {
                Error::invalid("the message has reached the maximum number of frames")
            })?;
        let frame_len = self.regular_frame_len();
        let sealed = out
            .get_mut(..frames * frame_len)
            .ok_or_else(|| Error::invalid("output buffer too short"))?;
        let per_part = self.threads.frames_per_part(frames, frame_length);
        let first_seq = self.next_seq;
        let parts: Vec<(u32, &[u8], &mut [u8])> = plaintext
            .chunks(per_part * frame_length)
            .zip(sealed.chunks_mut(per_part * frame_len))
            .zip((first_seq..).step_by(per_part))
            .map(|((plaintext, out), seq)| (seq, plaintext, out))
            .collect();
        let (key, message_id) = (&self.key, &self.message_id);
        parallel::run_parts(parts, |(seq, plaintext, out)| {
            seal_run(key, message_id, seq, frame_length, plaintext, out)
        })?
        .into_iter()
        .collect::<Result<()>>()?;
        self.next_seq = next_seq;
        if let Some(signer) = &mut self.signer {
            signer.update(sealed);
        }
        Ok(frames * frame_len)
    }

    /// Appends the final frame sealing `plaintext` (at most one frame length), then the
    /// footer for signed suites.
    pub(crate) fn seal_final(mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let len = u32::try_from(plaintext.len())
            .ok()
            .filter(|len| *len <= self.frame_length)
            .ok_or_else(|| Error::invalid("the final frame is longer than the frame length"))?;
        let seq = self.next_seq;
        let start = out.len();
        frame::write_final_head(out, seq, len);
        self.seal_body(BlockKind::Final, seq, plaintext, out)?;
        self.digest_from(out, start);
        if let Some(signer) = self.signer.take() {
            out.extend_from_slice(&signer.footer()?);
        }
        Ok(())
    }

    fn seal_body(
        &self,
        kind: BlockKind,
        seq: u32,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let aad = BodyAad::new(&self.message_id, kind, seq, plaintext.len() as u64);
        // Copy, then seal in place: cheaper than zeroing the output and sealing into it.
        let start = out.len();
        out.extend_from_slice(plaintext);
        let target = out
            .get_mut(start..)
            .ok_or_else(|| Error::invalid("output buffer"))?;
        let tag = self
            .key
            .seal_in_place(frame::frame_iv(seq), aad.as_ref(), target)?;
        out.extend_from_slice(&tag);
        Ok(())
    }

    fn digest_from(&mut self, out: &[u8], start: usize) {
        if let Some(signer) = &mut self.signer {
            signer.update(out.get(start..).unwrap_or_default());
        }
    }
}

/// Seals consecutive regular frames, the first numbered `seq`, from `plaintext` (whole
/// frames) into `out` (exactly as long as the frames).
fn seal_run(
    key: &ContentKey,
    message_id: &[u8],
    mut seq: u32,
    frame_length: usize,
    plaintext: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let frame_len = REGULAR_HEAD_LEN + frame_length + TAG_LEN;
    for (plaintext, frame) in plaintext
        .chunks_exact(frame_length)
        .zip(out.chunks_exact_mut(frame_len))
    {
        let (head, body) = frame.split_at_mut(REGULAR_HEAD_LEN);
        let (seq_field, iv_field) = head.split_at_mut(4);
        seq_field.copy_from_slice(&seq.to_be_bytes());
        iv_field.copy_from_slice(&frame::frame_iv(seq));
        let aad = BodyAad::new(message_id, BlockKind::Regular, seq, plaintext.len() as u64);
        key.seal_into(frame::frame_iv(seq), aad.as_ref(), plaintext, body)?;
        seq = seq.wrapping_add(1);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]

    use kms_core::SecretBytes;
    use proptest::prelude::*;

    use super::*;

    /// The message body sealed by a core with a fixed data key and message id on `threads`
    /// threads: the regular frames in one call, then the final frame.
    pub(crate) fn seal(plaintext: &[u8], frame_length: u32, threads: usize) -> Vec<u8> {
        let mut core = EncryptCore::fixed(frame_length, threads);
        let frame = frame_length as usize;
        let regular = plaintext.len().saturating_sub(1) / frame * frame;
        let (regular, last) = plaintext.split_at(regular);
        let mut out = vec![0u8; regular.len() / frame * core.regular_frame_len()];
        let written = core.seal_regular_frames(regular, &mut out).unwrap();
        assert_eq!(written, out.len());
        core.seal_final(last, &mut out).unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// Up to 3 MiB, so that up to 8 threads each take a part of the frames.
        #[test]
        fn the_body_is_the_same_whatever_the_number_of_threads(
            len in 0usize..3 * 1024 * 1024,
            frame_length in prop_oneof![64u32..5000, Just(4096), Just(65536), 65537u32..300_000],
            seed in any::<u8>(),
        ) {
            let plaintext: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed) ^ seed).collect();
            let one = seal(&plaintext, frame_length, 1);
            for threads in 2..=8 {
                prop_assert!(seal(&plaintext, frame_length, threads) == one, "{} threads", threads);
            }
        }
    }

    #[test]
    fn several_threads_do_split_a_large_batch() {
        // 8 MiB of 64 KiB frames on 8 threads: 8 parts of 16 frames.
        let threads = Threads::new(Some(8)).unwrap();
        assert_eq!(threads.frames_per_part(128, 65536), 16);
        let plaintext = vec![5u8; 8 * 1024 * 1024 + 1];
        assert!(seal(&plaintext, 65536, 8) == seal(&plaintext, 65536, 1));
    }

    #[test]
    fn a_batch_past_the_last_sequence_number_is_refused() {
        let suite = AlgorithmSuite::default();
        let keys = derive_keys(suite, &SecretBytes::from(vec![3u8; 32]), &[1; 32]).unwrap();
        let mut core = EncryptCore {
            key: keys.content,
            message_id: [1; 32],
            frame_length: 4,
            next_seq: u32::MAX - 2,
            signer: None,
            threads: Threads::new(Some(2)).unwrap(),
        };
        let mut out = vec![0u8; 2 * core.regular_frame_len()];
        assert!(matches!(
            core.seal_regular_frames(&[0; 8], &mut out),
            Err(Error::InvalidArgument { .. })
        ));
        // One frame still fits: u32::MAX - 1 stays for the final frame.
        assert!(core.seal_regular_frames(&[0; 4], &mut out).is_ok());
        assert!(core.seal_regular_frames(&[0; 4], &mut out).is_err());
        assert!(matches!(
            core.seal_regular_frames(&[0; 3], &mut out),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
