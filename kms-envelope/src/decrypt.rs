//! Decryption: the [`Decryptor`] builder, the one-shot API and the frame opening core.

use std::fmt;
use std::sync::Arc;

use kms_core::EncryptionContext;
use zeroize::Zeroize;

use crate::encrypt::grow_zeroed;
use crate::error::{Error, Result};
use crate::format::frame::{self, BlockHead, BlockKind, BodyAad, REGULAR_HEAD_LEN};
use crate::format::header::{
    ContentType, IV_LEN, MessageHeader, PUBLIC_KEY_CONTEXT_KEY, ParsedHeader, TAG_LEN, parse_header,
};
use crate::format::wire::Stop;
use crate::keyring::Keyring;
use crate::keys::derive::{ContentKey, derive_keys};
use crate::keys::signing::Verifier;
use crate::limits::DecryptLimits;
use crate::materials::{
    DecryptionMaterialsRequest, DefaultMaterialsManager, MaterialsManager, merge_reproduced,
};
use crate::parallel::{self, Threads};
use crate::suite::CommitmentPolicy;

/// Decrypts AWS Encryption SDK messages with a keyring.
///
/// By default it reads only key-committing, framed messages (suites 0x0478 and 0x0578),
/// within the default [`DecryptLimits`]. The header is authenticated (after the key
/// commitment is checked, in constant time) before anything else of the message is used.
///
/// ```
/// use std::sync::Arc;
/// use kms_core::{EncryptionContext, SecretBytes};
/// use kms_envelope::{Decryptor, Encryptor, Error, RawAesKeyring};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_envelope::Result<()> {
/// let keyring = Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![0; 32]))?);
/// let context = EncryptionContext::from([("tenant", "t1")]);
/// let message = Encryptor::new(keyring.clone())
///     .with_encryption_context(context.clone())
///     .encrypt(b"hello")
///     .await?;
///
/// let decryptor = Decryptor::new(keyring);
/// let checked = decryptor.clone().with_required_encryption_context(context);
/// assert_eq!(checked.decrypt(&message).await?.plaintext(), b"hello");
///
/// let other = decryptor.with_required_encryption_context([("tenant", "t2")].into());
/// assert!(matches!(other.decrypt(&message).await, Err(Error::ContextMismatch { .. })));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Decryptor {
    materials: Arc<dyn MaterialsManager>,
    policy: CommitmentPolicy,
    limits: DecryptLimits,
    required: EncryptionContext,
    threads: Option<usize>,
}

impl fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decryptor")
            .field("materials", &self.materials)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .field("required", &self.required)
            .field("threads", &self.threads)
            .finish()
    }
}

/// A decrypted message: its plaintext and its authenticated header.
///
/// The plaintext is wiped when this value is dropped (unless taken with
/// [`Decrypted::into_plaintext`]), and `Debug` shows only its length.
pub struct Decrypted {
    plaintext: Vec<u8>,
    header: MessageHeader,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field(
                "plaintext",
                &format_args!("[REDACTED; {} bytes]", self.plaintext.len()),
            )
            .field("header", &self.header)
            .finish()
    }
}

impl Decrypted {
    /// The plaintext.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// Takes the plaintext; the caller becomes responsible for wiping it.
    pub fn into_plaintext(mut self) -> Vec<u8> {
        std::mem::take(&mut self.plaintext)
    }

    /// The authenticated header: suite, encryption context, encrypted data keys, frame
    /// length.
    pub fn header(&self) -> &MessageHeader {
        &self.header
    }

    /// The message's encryption context (with `aws-crypto-public-key` for signed suites).
    pub fn encryption_context(&self) -> &EncryptionContext {
        self.header.encryption_context()
    }
}

impl Drop for Decrypted {
    fn drop(&mut self) {
        crate::wipe::wipe(&mut self.plaintext);
    }
}

impl Decryptor {
    /// A decryptor with the default policy (commitment required) and limits, that unwraps
    /// data keys with `keyring` (through a [`DefaultMaterialsManager`]).
    pub fn new(keyring: Arc<dyn Keyring>) -> Self {
        Self::from_materials_manager(Arc::new(DefaultMaterialsManager::new(keyring)))
    }

    /// A decryptor with the default policy and limits that gets the materials of each
    /// message from `materials`, such as a
    /// [`CachingMaterialsManager`](crate::CachingMaterialsManager) or a
    /// [`RequiredEncryptionContextMaterialsManager`](crate::RequiredEncryptionContextMaterialsManager).
    pub fn from_materials_manager(materials: Arc<dyn MaterialsManager>) -> Self {
        Self {
            materials,
            policy: CommitmentPolicy::default(),
            limits: DecryptLimits::default(),
            required: EncryptionContext::new(),
            threads: None,
        }
    }

    /// How many threads open the frames of one message (default: the machine's available
    /// parallelism). `1` opens every frame on the calling thread; `0` makes decryption fail.
    /// Whatever the number, a frame's plaintext is released only after the frame and every
    /// frame before it authenticated, and nothing after the first bad frame is released.
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// The commitment policy; [`CommitmentPolicy::RequireEncryptAllowDecrypt`] also reads
    /// legacy suites and non-framed bodies.
    #[must_use]
    pub fn with_commitment_policy(mut self, policy: CommitmentPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The limits against hostile messages.
    #[must_use]
    pub fn with_limits(mut self, limits: DecryptLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Pairs the message's encryption context must hold.
    ///
    /// A pair whose key the message stores must have the same value, or decryption fails
    /// with [`Error::ContextMismatch`] before any key is unwrapped. A pair the message does
    /// not store is supplied to the keyring and the header authentication instead, as the
    /// AWS Encryption SDK's required-encryption-context messages expect: when no keyring can
    /// unwrap the data key with it, decryption fails with [`Error::ContextMismatch`] too;
    /// when the header does not authenticate with it (keyrings that do not bind the context,
    /// such as raw RSA, leave that check to the header), with [`Error::Authentication`].
    #[must_use]
    pub fn with_required_encryption_context(mut self, context: EncryptionContext) -> Self {
        self.required = context;
        self
    }

    /// The threads that open the frames of one message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for zero threads.
    pub(crate) fn threads(&self) -> Result<Threads> {
        Threads::new(self.threads)
    }

    /// The limits in force.
    pub fn limits(&self) -> &DecryptLimits {
        &self.limits
    }

    /// Decrypts a whole message.
    ///
    /// # Errors
    ///
    /// [`Error::Authentication`] for a message that was altered, [`Error::Truncated`],
    /// [`Error::TrailingData`], [`Error::Malformed`], [`Error::LimitExceeded`],
    /// [`Error::CommitmentPolicy`], [`Error::ContextMismatch`], or [`Error::NoDataKey`] when
    /// the keyring cannot unwrap the data key.
    pub async fn decrypt(&self, message: &[u8]) -> Result<Decrypted> {
        let mut plaintext = Vec::new();
        let header = self.decrypt_into(message, &mut plaintext).await?;
        Ok(Decrypted { plaintext, header })
    }

    /// Parses and opens the header of a whole message; returns the body decryptor, the
    /// header, and the body's bytes.
    async fn open_message<'m>(
        &self,
        message: &'m [u8],
    ) -> Result<(BodyDecryptor, MessageHeader, &'m [u8])> {
        let parsed = match parse_header(message, &self.limits) {
            Ok(parsed) => parsed,
            Err(Stop::Need(_)) => return Err(Error::Truncated),
            Err(Stop::Fail(err)) => return Err(err),
        };
        self.check_header(&parsed)?;
        let (header_bytes, body) = message
            .split_at_checked(parsed.total_len)
            .ok_or(Error::Truncated)?;
        let (decryptor, header) = self.clone().open(parsed, header_bytes.to_vec()).await?;
        Ok((decryptor, header, body))
    }

    /// Decrypts a whole message into `out`, replacing its contents, and returns the
    /// authenticated header. Its memory is reused: the bytes it already holds are overwritten
    /// in place, so decrypting many messages through one buffer costs no allocation and no
    /// extra pass over the data.
    ///
    /// # Errors
    ///
    /// As [`Decryptor::decrypt`]; on error, `out` is wiped and left empty.
    pub async fn decrypt_into(&self, message: &[u8], out: &mut Vec<u8>) -> Result<MessageHeader> {
        let (mut body, header, body_bytes) = self.open_message(message).await?;
        // The plaintext is never longer than the body.
        grow_zeroed(out, body_bytes.len());
        match body.decrypt_all_to(body_bytes, out) {
            Ok(len) => {
                if let Some(tail) = out.get_mut(len..) {
                    tail.zeroize();
                }
                out.truncate(len);
                Ok(header)
            }
            Err(err) => {
                crate::wipe::wipe(out);
                Err(err)
            }
        }
    }

    /// Checks what can be checked before unwrapping any key: the commitment policy and the
    /// values of required pairs the message stores.
    pub(crate) fn check_header(&self, parsed: &ParsedHeader) -> Result<()> {
        Threads::new(self.threads)?;
        let header = &parsed.header;
        if !self.policy.allows_legacy_decrypt() {
            if !header.suite().is_committing() {
                return Err(Error::CommitmentPolicy {
                    policy: self.policy.name(),
                    what: format!(
                        "decrypting algorithm suite {} (no key commitment)",
                        header.suite()
                    ),
                });
            }
            if header.content_type() == ContentType::NonFramed {
                return Err(Error::CommitmentPolicy {
                    policy: self.policy.name(),
                    what: "decrypting a non-framed body".to_owned(),
                });
            }
        }
        merge_reproduced(header.encryption_context(), &self.required)?;
        Ok(())
    }

    /// Unwraps the data key, checks the key commitment and the header tag, and returns the
    /// body decryptor. Owns everything it needs, so it can run as a `'static` future.
    pub(crate) async fn open(
        self,
        parsed: ParsedHeader,
        header_bytes: Vec<u8>,
    ) -> Result<(BodyDecryptor, MessageHeader)> {
        let header = parsed.header;
        let suite = header.suite();
        let request = DecryptionMaterialsRequest::new(
            suite,
            header.encrypted_data_keys().to_vec(),
            header.encryption_context().clone(),
            self.policy,
        )
        .with_reproduced_encryption_context(self.required.clone());
        let materials = self.materials.decrypt_materials(request).await?;
        if materials.suite() != suite {
            return Err(Error::invalid(format!(
                "the materials manager returned materials for suite {} instead of {suite}",
                materials.suite()
            )));
        }
        let data_key = materials.data_key().ok_or(Error::NoDataKey {
            failures: Vec::new(),
        })?;
        // The required pairs are authenticated by the header but not stored in it.
        let mut reproduced = EncryptionContext::new();
        for key in materials.required_encryption_context_keys() {
            if header.encryption_context().get(key).is_some() {
                return Err(Error::ContextMismatch {
                    reason: format!("the message stores the required key `{key}`"),
                });
            }
            let value = materials.encryption_context().get(key).ok_or_else(|| {
                Error::invalid(format!(
                    "the decryption materials lack the required key `{key}`"
                ))
            })?;
            reproduced.insert(key.as_str(), value);
        }
        let keys = derive_keys(suite, data_key, header.message_id())?;
        drop(materials);
        keys.check_commitment(parsed.commit_key.as_ref())?;

        let body = header_bytes.get(..parsed.body_len).unwrap_or_default();
        let mut aad = Vec::with_capacity(body.len());
        aad.extend_from_slice(body);
        reproduced
            .write_canonical(&mut aad)
            .map_err(|err| Error::invalid(err.message().to_owned()))?;
        // The keyring accepted the data key under the supplied pairs: a header that does not
        // authenticate is a failure of the message, not a claim about those pairs.
        keys.content
            .verify_tag(parsed.auth_iv, &aad, &parsed.auth_tag)?;

        let verifier = match suite.signature() {
            Some(algorithm) => {
                let public_key = header
                    .encryption_context()
                    .get(PUBLIC_KEY_CONTEXT_KEY)
                    .ok_or_else(|| Error::malformed("a signed message without a public key"))?;
                let mut verifier = Verifier::new(algorithm, public_key)?;
                verifier.update(&header_bytes);
                Some(verifier)
            }
            None => None,
        };
        let body = BodyDecryptor {
            key: keys.content,
            message_id: header.message_id().to_vec(),
            content_type: header.content_type(),
            frame_length: header.frame_length(),
            max_body: self.limits.max_frame_length(),
            next_seq: 1,
            state: BodyState::Blocks,
            verifier,
            threads: Threads::new(self.threads)?,
        };
        Ok((body, header))
    }
}

/// Where the body decryptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyState {
    /// Reading frames (or the non-framed block).
    Blocks,
    /// The final frame is done; the footer comes next.
    Footer,
    /// The message is complete.
    Done,
}

/// What comes next in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// At least this many bytes (from the start of the input) are needed.
    Need(usize),
    /// A whole block is in the input.
    Block(BlockHead),
    /// The footer is next; call [`BodyDecryptor::verify_footer`].
    Footer,
    /// The message is complete.
    Done,
}

/// Opens the frames of one message and checks its footer, without any I/O.
pub(crate) struct BodyDecryptor {
    key: ContentKey,
    message_id: Vec<u8>,
    content_type: ContentType,
    frame_length: u32,
    max_body: u64,
    next_seq: u32,
    state: BodyState,
    verifier: Option<Verifier>,
    threads: Threads,
}

impl fmt::Debug for BodyDecryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyDecryptor")
            .field("content_type", &self.content_type)
            .field("frame_length", &self.frame_length)
            .field("next_seq", &self.next_seq)
            .field("state", &self.state)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl BodyDecryptor {
    /// Looks at what comes next at the start of `input`.
    pub(crate) fn next(&self, input: &[u8]) -> Result<Next> {
        match self.state {
            BodyState::Done => Ok(Next::Done),
            BodyState::Footer => match frame::parse_footer(input) {
                Ok(_) => Ok(Next::Footer),
                Err(Stop::Need(need)) => Ok(Next::Need(need)),
                Err(Stop::Fail(err)) => Err(err),
            },
            BodyState::Blocks => {
                let parsed = match self.content_type {
                    ContentType::Framed => frame::parse_frame_head(input, self.frame_length),
                    ContentType::NonFramed => frame::parse_single_head(input, self.max_body),
                };
                let head = match parsed {
                    Ok(head) => head,
                    Err(Stop::Need(need)) => return Ok(Next::Need(need)),
                    Err(Stop::Fail(err)) => return Err(err),
                };
                if head.seq != self.next_seq {
                    return Err(Error::malformed(format!(
                        "frame sequence number {}, expected {}",
                        head.seq, self.next_seq
                    )));
                }
                if input.len() < head.total_len() {
                    return Ok(Next::Need(head.total_len()));
                }
                Ok(Next::Block(head))
            }
        }
    }

    /// Opens the block `head` at the start of `input` into `out` (exactly its plaintext
    /// length). `head` must come from [`BodyDecryptor::next`] on the same input.
    pub(crate) fn open_block(
        &mut self,
        input: &[u8],
        head: &BlockHead,
        out: &mut [u8],
    ) -> Result<()> {
        let ciphertext = input
            .get(head.head_len..head.head_len + head.content_len)
            .ok_or(Error::Truncated)?;
        self.open_block_with(input, head, |key, iv, aad, tag| {
            key.open_into(iv, aad, ciphertext, tag, out)
        })
    }

    /// Authenticates and decrypts the block with `open`, then advances the state.
    fn open_block_with(
        &mut self,
        input: &[u8],
        head: &BlockHead,
        open: impl FnOnce(&ContentKey, [u8; IV_LEN], &[u8], &[u8]) -> Result<()>,
    ) -> Result<()> {
        let ciphertext_end = head.head_len + head.content_len;
        let tag = input
            .get(ciphertext_end..ciphertext_end + TAG_LEN)
            .ok_or(Error::Truncated)?;
        let aad = BodyAad::new(
            &self.message_id,
            head.kind,
            head.seq,
            head.content_len as u64,
        );
        open(&self.key, head.iv, aad.as_ref(), tag)?;
        if let Some(verifier) = &mut self.verifier {
            verifier.update(input.get(..head.total_len()).unwrap_or_default());
        }
        match head.kind {
            BlockKind::Regular => {
                self.next_seq = self
                    .next_seq
                    .checked_add(1)
                    .ok_or_else(|| Error::malformed("too many frames"))?;
            }
            BlockKind::Final | BlockKind::Single => {
                self.state = if self.verifier.is_some() {
                    BodyState::Footer
                } else {
                    BodyState::Done
                };
            }
        }
        Ok(())
    }

    /// Checks the footer at the start of `input`; returns its length.
    pub(crate) fn verify_footer(&mut self, input: &[u8]) -> Result<usize> {
        let (signature, len) = match frame::parse_footer(input) {
            Ok(parsed) => parsed,
            Err(Stop::Need(_)) => return Err(Error::Truncated),
            Err(Stop::Fail(err)) => return Err(err),
        };
        let verifier = self
            .verifier
            .take()
            .ok_or_else(|| Error::malformed("a footer in an unsigned message"))?;
        verifier.verify(signature)?;
        self.state = BodyState::Done;
        Ok(len)
    }

    /// The frame length of the message.
    pub(crate) fn frame_length(&self) -> usize {
        self.frame_length as usize
    }

    /// How many frames a stream opens at a time.
    pub(crate) fn batch_frames(&self) -> usize {
        self.threads.batch_frames(self.frame_length as usize)
    }

    /// The length of a regular frame: head, one frame of ciphertext, tag.
    pub(crate) fn regular_frame_len(&self) -> usize {
        REGULAR_HEAD_LEN + self.frame_length as usize + TAG_LEN
    }

    /// How many whole regular frames, each with the expected sequence number, start `input`
    /// (at most `max`).
    pub(crate) fn regular_run(&self, input: &[u8], max: usize) -> usize {
        if self.state != BodyState::Blocks || self.content_type != ContentType::Framed {
            return 0;
        }
        input
            .chunks_exact(self.regular_frame_len())
            .take(max)
            .zip(u64::from(self.next_seq)..u64::from(frame::FINAL_MARKER))
            .take_while(|(frame, seq)| {
                frame
                    .first_chunk::<4>()
                    .is_some_and(|field| u64::from(u32::from_be_bytes(*field)) == *seq)
            })
            .count()
    }

    /// Opens the first `frames` regular frames of `input` (as counted by
    /// [`BodyDecryptor::regular_run`]) into `out` (their plaintext length) on the threads.
    ///
    /// Returns how many frames, from the first, authenticated. With an error, the frame
    /// after those failed: nothing of its plaintext or of any later frame's is left in `out`,
    /// and the decryptor stays before it.
    pub(crate) fn open_regular_frames(
        &mut self,
        input: &[u8],
        frames: usize,
        out: &mut [u8],
    ) -> (usize, Result<()>) {
        let frame_length = self.frame_length as usize;
        let frame_len = self.regular_frame_len();
        let (Some(input), Some(out)) = (
            input.get(..frames * frame_len),
            out.get_mut(..frames * frame_length),
        ) else {
            return (0, Err(Error::Truncated));
        };
        let per_part = self.threads.frames_per_part(frames, frame_length);
        let parts: Vec<(u32, &[u8], &mut [u8])> = input
            .chunks(per_part * frame_len)
            .zip(out.chunks_mut(per_part * frame_length))
            .zip((self.next_seq..).step_by(per_part))
            .map(|((input, out), seq)| (seq, input, out))
            .collect();
        let (key, message_id) = (&self.key, self.message_id.as_slice());
        let failures = match parallel::run_parts(parts, |(seq, input, out)| {
            open_run(key, message_id, seq, frame_length, input, out)
        }) {
            Ok(failures) => failures,
            Err(err) => {
                out.zeroize();
                return (0, Err(err));
            }
        };
        let failure = failures
            .into_iter()
            .enumerate()
            .find_map(|(part, failure)| failure.map(|(at, err)| (part * per_part + at, err)));
        let (good, result) = match failure {
            Some((at, err)) => {
                if let Some(rest) = out.get_mut(at * frame_length..) {
                    rest.zeroize();
                }
                (at, Err(err))
            }
            None => (frames, Ok(())),
        };
        if let Some(verifier) = &mut self.verifier {
            verifier.update(input.get(..good * frame_len).unwrap_or_default());
        }
        // `regular_run` saw these sequence numbers below the final marker.
        self.next_seq = self.next_seq.saturating_add(good as u32);
        (good, result)
    }

    /// Decrypts a whole body held in memory into the start of `out`, which is at least as
    /// long as the body. Returns the plaintext length.
    fn decrypt_all_to(&mut self, body: &[u8], out: &mut [u8]) -> Result<usize> {
        let frame_length = self.frame_length as usize;
        let mut pos = 0;
        let mut written = 0;
        loop {
            let input = body.get(pos..).unwrap_or_default();
            match self.next(input)? {
                Next::Need(_) => return Err(Error::Truncated),
                Next::Block(head) if head.kind == BlockKind::Regular => {
                    let frames = self.regular_run(input, usize::MAX);
                    let target = out.get_mut(written..).unwrap_or_default();
                    self.open_regular_frames(input, frames, target).1?;
                    pos += frames * self.regular_frame_len();
                    written += frames * frame_length;
                }
                Next::Block(head) => {
                    let target = out
                        .get_mut(written..written + head.content_len)
                        .ok_or(Error::Truncated)?;
                    self.open_block(input, &head, target)?;
                    pos += head.total_len();
                    written += head.content_len;
                }
                Next::Footer => pos += self.verify_footer(input)?,
                Next::Done => break,
            }
        }
        if pos != body.len() {
            return Err(Error::TrailingData);
        }
        Ok(written)
    }
}

/// Opens consecutive regular frames, the first numbered `seq`, from `input` into `out`
/// (their plaintext length), in order. Stops at the first that does not authenticate and
/// returns its index in the run and the error.
fn open_run(
    key: &ContentKey,
    message_id: &[u8],
    mut seq: u32,
    frame_length: usize,
    input: &[u8],
    out: &mut [u8],
) -> Option<(usize, Error)> {
    let frame_len = REGULAR_HEAD_LEN + frame_length + TAG_LEN;
    for (index, (frame, plaintext)) in input
        .chunks_exact(frame_len)
        .zip(out.chunks_exact_mut(frame_length))
        .enumerate()
    {
        let (head, rest) = frame.split_at(REGULAR_HEAD_LEN);
        let (ciphertext, tag) = rest.split_at(frame_length);
        let iv = head.last_chunk::<IV_LEN>().copied().unwrap_or([0; IV_LEN]);
        let aad = BodyAad::new(message_id, BlockKind::Regular, seq, frame_length as u64);
        if let Err(err) = key.open_into(iv, aad.as_ref(), ciphertext, tag, plaintext) {
            return Some((index, err));
        }
        seq = seq.wrapping_add(1);
    }
    None
}
