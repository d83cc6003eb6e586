//! The classic AWS KMS walkthrough, on any backend.
//!
//! ```text
//! cargo run --example walkthrough [FILE]
//! ```
//!
//! It runs on the backend named by `KMS_URL`, the embedded local backend when that is unset,
//! so it needs no AWS account. Step by step it creates a key and an alias, encrypts a file of
//! at most 4096 bytes (by default a small sample it writes to the temp directory) and decrypts
//! it, generates data keys, does envelope encryption by hand (AES-256-GCM with a data key,
//! then `ReEncrypt` of the data key for a receiver who holds only a second key), and shows the
//! errors users meet. It prints what each call sent and got back, but never a plaintext data
//! key. At the end it schedules the deletion of the keys it created (after 7 days, the
//! minimum), so running it against AWS leaves nothing behind for good.
//!
//! It exits non-zero, saying why, on any unexpected result. `--help` says how to run it.

#![allow(
    clippy::print_stdout,
    reason = "an example program: stdout is how it talks to its user"
)]

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::time::SystemTime;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use kms::{
    CreateAliasRequest, CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest, Error,
    GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextRequest, KeyId, KeyMetadata, Kms,
    ReEncryptRequest, ScheduleKeyDeletionRequest, SecretBytes, UpdateAliasRequest,
};

/// The alias the walkthrough creates.
const ALIAS: &str = "alias/key1";
/// The length of an `AES_256` data key.
const AES_256_KEY_BYTES: usize = 32;
/// The most bytes KMS `Encrypt` takes.
const MAX_ENCRYPT_BYTES: u64 = 4096;
/// The shortest waiting period `ScheduleKeyDeletion` accepts.
const MIN_DELETION_WINDOW_DAYS: u32 = 7;
/// The additional authenticated data of the hand-made envelope.
const ENVELOPE_AAD: &[u8] = b"kms walkthrough envelope v1";
/// The message of the hand-made envelope.
const MESSAGE: &str = "Meet at the north gate at ten. Bring the blue folder.";
/// The sample encrypted when no file is given.
const SAMPLE: &str = "\
This small file was written by the KMS walkthrough so that it has something to encrypt.
KMS Encrypt takes at most 4096 bytes; larger data is encrypted locally under a data key
(envelope encryption), as step 7 shows.
";

/// How to run it, for `--help` and for wrong arguments.
const USAGE: &str = "\
usage: cargo run --example walkthrough [FILE]
  FILE   1 to 4096 bytes to encrypt; without it, a small sample written to the temp directory
  KMS_URL (environment) the backend, such as 'local:?region=eu-west-1'; unset: 'local:'";

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let Some(input) = Input::from_args()? else {
        println!("{USAGE}");
        return Ok(());
    };
    let kms = kms::from_env()
        .await
        .map_err(|error| Failure::new(format!("cannot connect to the KMS: {error}")))?;

    println!("KMS walkthrough");
    match std::env::var(kms::KMS_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => println!("  backend: {kms} (KMS_URL={url})"),
        _ => println!("  backend: {kms} (KMS_URL is unset: the embedded local backend)"),
    }
    println!("  input:   {}", input.describe());

    let mut created = Vec::new();
    let outcome = walkthrough(&*kms, &input.bytes, &mut created).await;
    let cleanup = schedule_deletions(&*kms, &created).await;
    outcome?;
    cleanup?;

    println!();
    println!("Done: every step gave the expected result.");
    Ok(())
}

/// Steps 1 to 8. Every key created is pushed onto `created` as soon as it exists, so that
/// the caller can schedule its deletion even when a later step fails.
async fn walkthrough(kms: &dyn Kms, input: &[u8], created: &mut Vec<String>) -> Result<()> {
    // 1. A symmetric encryption key.
    step(1, "CreateKey(Description = \"this is a test\")");
    let request = CreateKeyRequest::new().with_description("this is a test");
    let key = kms.create_key(request).await?.key_metadata;
    let key_arn = arn_of(&key)?;
    created.push(key_arn.clone());
    show_key(&key, &key_arn);

    // 2. An alias for it; on a store that has the alias already, point it at the new key.
    step(
        2,
        &format!(
            "CreateAlias(AliasName = {ALIAS}, TargetKeyId = {})",
            key.key_id
        ),
    );
    let request = CreateAliasRequest::new(ALIAS, KeyId::parse(&key.key_id)?);
    match kms.create_alias(request).await {
        Ok(_) => show("result", format!("{ALIAS} -> {}", key.key_id)),
        Err(Error::AlreadyExists { message }) => {
            show("error", format!("AlreadyExistsException: {message}"));
            println!("   The alias exists already (an earlier run?), so point it at the new key:");
            println!(
                "   UpdateAlias(AliasName = {ALIAS}, TargetKeyId = {})",
                key.key_id
            );
            let request = UpdateAliasRequest::new(ALIAS, KeyId::parse(&key.key_id)?);
            kms.update_alias(request).await?;
            detail("result", format!("{ALIAS} -> {}", key.key_id));
        }
        Err(error) => return Err(error.into()),
    }

    // 3. Encrypt the file's bytes through the alias.
    step(
        3,
        &format!(
            "Encrypt(KeyId = {ALIAS}, Plaintext = the {} bytes of the input)",
            input.len()
        ),
    );
    let request = EncryptRequest::new(KeyId::parse(ALIAS)?, input);
    let encrypted = kms.encrypt(request).await?;
    show("CiphertextBlob", blob(&encrypted.ciphertext_blob));
    show("KeyId", same_key(&encrypted.key_id, &key_arn));

    // 4. Decrypt it without naming the key: the ciphertext says which key made it.
    step(
        4,
        "Decrypt(CiphertextBlob = the blob of step 3), with no KeyId",
    );
    let request = DecryptRequest::new(encrypted.ciphertext_blob);
    let decrypted = kms.decrypt(request).await?;
    show("KeyId", same_key(&decrypted.key_id, &encrypted.key_id));
    if decrypted.plaintext.expose_secret() != input {
        return Err(Failure::new(
            "step 4: the decrypted bytes differ from the input",
        ));
    }
    show(
        "Plaintext",
        format!("{} bytes, equal to the input", decrypted.plaintext.len()),
    );

    // 5. A data key, in plaintext and encrypted.
    step(
        5,
        &format!("GenerateDataKey(KeyId = {ALIAS}, KeySpec = AES_256)"),
    );
    let request =
        GenerateDataKeyRequest::new(KeyId::parse(ALIAS)?).with_key_spec(DataKeySpec::Aes256);
    let data_key = kms.generate_data_key(request).await?;
    check_key_length(5, &data_key.plaintext)?;
    show("Plaintext", secret(&data_key.plaintext));
    show("CiphertextBlob", blob(&data_key.ciphertext_blob));
    show("KeyId", same_key(&data_key.key_id, &key_arn));

    // 6. A data key only encrypted, for later; decrypting it gives the key when it is needed.
    step(
        6,
        &format!("GenerateDataKeyWithoutPlaintext(KeyId = {ALIAS}, KeySpec = AES_256)"),
    );
    let request = GenerateDataKeyWithoutPlaintextRequest::new(KeyId::parse(ALIAS)?)
        .with_key_spec(DataKeySpec::Aes256);
    let stored_key = kms.generate_data_key_without_plaintext(request).await?;
    show("CiphertextBlob", blob(&stored_key.ciphertext_blob));
    println!("   Later, when the key is needed: Decrypt(CiphertextBlob = that blob)");
    let request = DecryptRequest::new(stored_key.ciphertext_blob);
    let recovered = kms.decrypt(request).await?;
    check_key_length(6, &recovered.plaintext)?;
    detail("Plaintext", secret(&recovered.plaintext));
    detail("KeyId", same_key(&recovered.key_id, &stored_key.key_id));

    // 7. Envelope encryption by hand, and handing the envelope to a receiver.
    envelope(kms, data_key.plaintext, data_key.ciphertext_blob, created).await?;

    // 8. The errors users meet.
    errors(kms, &key.key_id).await
}

/// Step 7: seal a message locally under the data key of step 5, re-encrypt the data key
/// under a second key, and open the message as a receiver who holds only that second key.
async fn envelope(
    kms: &dyn Kms,
    data_key: SecretBytes,
    encrypted_data_key: Vec<u8>,
    created: &mut Vec<String>,
) -> Result<()> {
    step(
        7,
        "Envelope encryption by hand, for a receiver who holds only a second key",
    );
    println!(
        "   a) AES-256-GCM seal of a {}-byte message with the data key of step 5",
        MESSAGE.len()
    );
    let sealed = seal(&data_key, MESSAGE.as_bytes())?;
    drop(data_key);
    detail("sealed message", blob(&sealed));
    note("The sender drops the plaintext data key; only its encrypted copy travels.");

    println!("   b) CreateKey(Description = \"walkthrough receiver key\")");
    let request = CreateKeyRequest::new().with_description("walkthrough receiver key");
    let receiver_key = kms.create_key(request).await?.key_metadata;
    let receiver_arn = arn_of(&receiver_key)?;
    created.push(receiver_arn.clone());
    detail("KeyId", receiver_arn.clone());

    println!(
        "   c) ReEncrypt(CiphertextBlob = the data key of step 5, DestinationKeyId = that key)"
    );
    let request = ReEncryptRequest::new(encrypted_data_key, KeyId::parse(&receiver_arn)?);
    let rewrapped = kms.re_encrypt(request).await?;
    detail("CiphertextBlob", blob(&rewrapped.ciphertext_blob));
    if let Some(source) = &rewrapped.source_key_id {
        detail("SourceKeyId", source.clone());
    }
    detail("KeyId", same_key(&rewrapped.key_id, &receiver_arn));
    note("KMS unwrapped and rewrapped the data key inside; it never came back in plaintext.");

    println!("   d) The receiver: Decrypt(CiphertextBlob = that blob, KeyId = its key), then open");
    let request =
        DecryptRequest::new(rewrapped.ciphertext_blob).with_key_id(KeyId::parse(&receiver_arn)?);
    let receiver_data_key = kms.decrypt(request).await?;
    check_key_length(7, &receiver_data_key.plaintext)?;
    detail("Plaintext", secret(&receiver_data_key.plaintext));
    let opened = open(&receiver_data_key.plaintext, &sealed)?;
    if opened != MESSAGE.as_bytes() {
        return Err(Failure::new(
            "step 7: the receiver opened a different message",
        ));
    }
    detail("message", format!("{MESSAGE:?} (equal to what was sealed)"));
    Ok(())
}

/// Step 8: three mistakes, and the AWS exceptions they give.
async fn errors(kms: &dyn Kms, key_id: &str) -> Result<()> {
    step(8, "The errors users meet");

    println!("   a) Decrypt(CiphertextBlob = a ciphertext of key1 with its last bit flipped)");
    let request = EncryptRequest::new(KeyId::parse(key_id)?, b"tampered");
    let mut tampered = kms.encrypt(request).await?.ciphertext_blob;
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    let request = DecryptRequest::new(tampered);
    expect_error(kms.decrypt(request).await, "InvalidCiphertextException")?;

    let missing = "alias/walkthrough-no-such-alias";
    println!("   b) Encrypt(KeyId = {missing}, Plaintext = 5 bytes)");
    let request = EncryptRequest::new(KeyId::parse(missing)?, b"hello");
    expect_error(kms.encrypt(request).await, "NotFoundException")?;

    println!("   c) CreateAlias(AliasName = key1, TargetKeyId = {key_id}): no \"alias/\" prefix");
    let request = CreateAliasRequest::new("key1", KeyId::parse(key_id)?);
    expect_error(kms.create_alias(request).await, "ValidationException")
}

/// Step 9: schedules the deletion of every key the walkthrough created, with the shortest
/// waiting period. Runs even when a step failed.
async fn schedule_deletions(kms: &dyn Kms, keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    step(
        9,
        &format!(
            "ScheduleKeyDeletion(PendingWindowInDays = {MIN_DELETION_WINDOW_DAYS}) for the {} \
             keys created",
            keys.len()
        ),
    );
    let mut failures = Vec::new();
    for arn in keys {
        // By key ID, which every backend takes here (moto 5.2.5 fails this call for a key
        // named by its ARN).
        let request = KeyId::parse(arn)
            .and_then(|key| KeyId::parse(key.key_id().unwrap_or(arn)))
            .map(|key_id| {
                ScheduleKeyDeletionRequest::new(key_id)
                    .with_pending_window_in_days(MIN_DELETION_WINDOW_DAYS)
            });
        let outcome = match request {
            Ok(request) => kms.schedule_key_deletion(request).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(scheduled) => {
                let state = scheduled
                    .key_state
                    .map_or_else(|| "(no state)".to_owned(), |state| state.to_string());
                let when = scheduled
                    .deletion_date
                    .map_or_else(String::new, |date| format!(", deleted {}", from_now(date)));
                show("KeyId", format!("{} -> {state}{when}", scheduled.key_id));
            }
            Err(error) => {
                show("KeyId", format!("{arn} -> FAILED: {error}"));
                failures.push(format!("{arn}: {error}"));
            }
        }
    }
    println!(
        "   The keys are gone after the waiting period, so running this against AWS leaves\n   \
         no keys behind; CancelKeyDeletion within it would keep one."
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "step 9: could not schedule the deletion of {}",
            failures.join("; ")
        )))
    }
}

/// Checks that a call failed with the AWS exception `code`, and prints the error.
fn expect_error<T>(outcome: kms::Result<T>, code: &str) -> Result<()> {
    match outcome {
        Ok(_) => Err(Failure::new(format!(
            "step 8: expected {code}, but the call succeeded"
        ))),
        Err(error) if error.code() == code => {
            let message = match error.message() {
                "" => "(none: this error is deliberately opaque)",
                message => message,
            };
            detail("error", error.code());
            detail("message", message);
            Ok(())
        }
        Err(error) => Err(Failure::new(format!(
            "step 8: expected {code}, got {error}"
        ))),
    }
}

/// Seals `message` with AES-256-GCM under `data_key`: a random 96-bit nonce, then the
/// ciphertext and its 16-byte tag.
fn seal(data_key: &SecretBytes, message: &[u8]) -> Result<Vec<u8>> {
    let key = aes_key(data_key)?;
    let mut nonce = [0u8; NONCE_LEN];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| Failure::new("no random nonce"))?;
    let mut in_out = message.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(ENVELOPE_AAD),
        &mut in_out,
    )
    .map_err(|_| Failure::new("AES-GCM seal failed"))?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&in_out);
    Ok(sealed)
}

/// Opens what [`seal`] made.
fn open(data_key: &SecretBytes, sealed: &[u8]) -> Result<Vec<u8>> {
    let key = aes_key(data_key)?;
    let (nonce, ciphertext) = sealed
        .split_at_checked(NONCE_LEN)
        .ok_or_else(|| Failure::new("the sealed message is shorter than its nonce"))?;
    let nonce = Nonce::try_assume_unique_for_key(nonce)
        .map_err(|_| Failure::new("the nonce is not 12 bytes"))?;
    let mut in_out = ciphertext.to_vec();
    let message = key
        .open_in_place(nonce, Aad::from(ENVELOPE_AAD), &mut in_out)
        .map_err(|_| Failure::new("step 7: the sealed message did not authenticate"))?;
    Ok(message.to_vec())
}

/// An AES-256-GCM key from a 32-byte data key.
fn aes_key(data_key: &SecretBytes) -> Result<LessSafeKey> {
    let key = UnboundKey::new(&AES_256_GCM, data_key.expose_secret())
        .map_err(|_| Failure::new("the data key is not an AES-256 key"))?;
    Ok(LessSafeKey::new(key))
}

/// The input: the file named on the command line, or a sample written for this run.
struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
    /// Whether the walkthrough wrote the file (and removes it at the end).
    is_sample: bool,
}

impl Input {
    /// The input the command line names; `None` when it asks for help.
    fn from_args() -> Result<Option<Self>> {
        let mut args = std::env::args_os().skip(1);
        match (args.next(), args.next()) {
            (None, _) => Self::sample().map(Some),
            (Some(arg), None) if arg == "-h" || arg == "--help" => Ok(None),
            (Some(path), None) => Self::read(PathBuf::from(path)).map(Some),
            (Some(_), Some(_)) => Err(Failure::new(format!("one file at most\n{USAGE}"))),
        }
    }

    /// Reads a file of 1 to 4096 bytes, refusing larger ones before reading them.
    fn read(path: PathBuf) -> Result<Self> {
        let too_large = |len: u64| {
            Failure::new(format!(
                "{} has {len} bytes, but KMS Encrypt takes at most {MAX_ENCRYPT_BYTES}: \
                 encrypt larger data locally under a data key (envelope encryption, step 7 of \
                 this walkthrough), or pick a smaller file",
                path.display()
            ))
        };
        let metadata = std::fs::metadata(&path)
            .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        if metadata.len() > MAX_ENCRYPT_BYTES {
            return Err(too_large(metadata.len()));
        }
        let bytes = std::fs::read(&path)
            .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        if bytes.len() as u64 > MAX_ENCRYPT_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        if bytes.is_empty() {
            return Err(Failure::new(format!(
                "{} is empty, but KMS Encrypt takes 1 to {MAX_ENCRYPT_BYTES} bytes",
                path.display()
            )));
        }
        Ok(Self {
            path,
            bytes,
            is_sample: false,
        })
    }

    /// Writes the sample to a file of its own in the temp directory and reads it back.
    fn sample() -> Result<Self> {
        let path =
            std::env::temp_dir().join(format!("kms-walkthrough-sample-{}.txt", std::process::id()));
        std::fs::write(&path, SAMPLE)
            .map_err(|error| Failure::new(format!("cannot write {}: {error}", path.display())))?;
        match Self::read(path.clone()) {
            Ok(mut input) => {
                input.is_sample = true;
                Ok(input)
            }
            Err(failure) => {
                let _ = std::fs::remove_file(&path);
                Err(failure)
            }
        }
    }

    fn describe(&self) -> String {
        let origin = if self.is_sample {
            "a sample written for this run"
        } else {
            "given on the command line"
        };
        format!(
            "{} ({} bytes, {origin})",
            self.path.display(),
            self.bytes.len()
        )
    }
}

/// Removes the sample file, however the walkthrough ends.
impl Drop for Input {
    fn drop(&mut self) {
        if self.is_sample {
            // Nothing depends on the removal; a leftover file in the temp directory is harmless.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why the walkthrough stopped. `main` returns it, so Rust prints it after `Error: ` and
/// exits with status 1.
struct Failure(String);

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Shown by `main` on failure: the message itself, not a struct dump.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An error of a KMS call that no step expected.
impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self(format!("unexpected error from KMS: {error}"))
    }
}

type Result<T, E = Failure> = std::result::Result<T, E>;

/// The key ARN of a new key; AWS always returns it.
fn arn_of(key: &KeyMetadata) -> Result<String> {
    key.arn
        .clone()
        .ok_or_else(|| Failure::new(format!("CreateKey returned no ARN for {}", key.key_id)))
}

fn check_key_length(step: u32, key: &SecretBytes) -> Result<()> {
    if key.len() == AES_256_KEY_BYTES {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "step {step}: an AES_256 data key has 32 bytes, got {}",
            key.len()
        )))
    }
}

fn step(number: u32, title: &str) {
    println!();
    println!("{number}. {title}");
}

/// One thing a call gave back.
fn show(label: &str, value: impl fmt::Display) {
    println!("   {label:<15} {value}");
}

/// One thing a call of a sub-step (`a)`, `b)`, …) gave back.
fn detail(label: &str, value: impl fmt::Display) {
    println!("      {label:<15} {value}");
}

/// A remark on a sub-step.
fn note(text: &str) {
    println!("      {text}");
}

fn show_key(key: &KeyMetadata, arn: &str) {
    show("KeyId", arn);
    let state = key
        .key_state
        .as_ref()
        .map_or("?".to_owned(), |v| v.to_string());
    let spec = key
        .key_spec
        .as_ref()
        .map_or("?".to_owned(), |v| v.to_string());
    let usage = key
        .key_usage
        .as_ref()
        .map_or("?".to_owned(), |v| v.to_string());
    show(
        "KeyState",
        format!("{state}, KeySpec {spec}, KeyUsage {usage}"),
    );
    if let Some(description) = &key.description {
        show("Description", format!("{description:?}"));
    }
}

/// A key ARN, noting whether it is the expected one. Aliases are eventually consistent on
/// AWS, so a different key right after `UpdateAlias` is reported rather than failed.
fn same_key(arn: &str, expected: &str) -> String {
    if arn == expected {
        arn.to_owned()
    } else {
        format!("{arn} (note: not {expected})")
    }
}

/// A ciphertext, shown by its size and first bytes.
fn blob(bytes: &[u8]) -> String {
    const SHOWN: usize = 16;
    let mut text = format!("{} bytes, hex ", bytes.len());
    for byte in bytes.iter().take(SHOWN) {
        let _ = write!(text, "{byte:02x}");
    }
    if bytes.len() > SHOWN {
        text.push('…');
    }
    text
}

/// A secret, shown only by its size.
fn secret(bytes: &SecretBytes) -> String {
    format!("{} bytes (kept in memory, never printed)", bytes.len())
}

/// A time as a distance from now, in days and hours.
fn from_now(date: SystemTime) -> String {
    match date.duration_since(SystemTime::now()) {
        Ok(left) => {
            let hours = left.as_secs().div_ceil(3600);
            format!("in {} days {} hours", hours / 24, hours % 24)
        }
        Err(_) => "now".to_owned(),
    }
}
