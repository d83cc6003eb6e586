//! Envelope encryption of data of any size with `kms-envelope`, on any backend.
//!
//! ```text
//! cargo run --example envelope [FILE]
//! ```
//!
//! It encrypts FILE (by default 16 MiB of sample data it writes to the temp directory) into an
//! AWS Encryption SDK message, streaming in constant memory: one `GenerateDataKey` call to the
//! backend `KMS_URL` names (the embedded local backend when unset), then AES-256-GCM frames
//! of 64 KiB. It shows the message's header, decrypts the message back while requiring its
//! encryption context, checks that the result is the input, and shows that a message with
//! one changed byte is refused. At the end it removes the files it wrote and schedules the
//! deletion of the key it created (after 7 days, the minimum), so running it against AWS
//! leaves nothing behind for good.
//!
//! It exits non-zero, saying why, on any unexpected result.

#![allow(
    clippy::print_stdout,
    reason = "an example program: stdout is how it talks to its user"
)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::digest::{Context, SHA256};
use kms::{CreateKeyRequest, EncryptionContext, KeyId, Kms, ScheduleKeyDeletionRequest};
use kms_envelope::{Decryptor, Encryptor, KmsKeyring};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The size of the sample written when no file is given.
const SAMPLE_BYTES: usize = 16 << 20;
/// The shortest waiting period `ScheduleKeyDeletion` accepts.
const MIN_DELETION_WINDOW_DAYS: u32 = 7;

/// How to run it, for `--help` and for wrong arguments.
const USAGE: &str = "\
usage: cargo run --example envelope [FILE]
  FILE   the data to encrypt, of any size; without it, 16 MiB of sample data
  KMS_URL (environment) the backend, such as 'aws://eu-west-1'; unset: 'local:'";

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args_os().skip(1);
    let file = match (args.next(), args.next()) {
        (Some(arg), None) if arg == "-h" || arg == "--help" => {
            println!("{USAGE}");
            return Ok(());
        }
        (file, None) => file.map(PathBuf::from),
        (_, Some(_)) => return Err(Failure(format!("one file at most\n{USAGE}"))),
    };
    let kms = kms::from_env().await?;
    let work = std::env::temp_dir().join(format!("kms-envelope-example-{}", std::process::id()));
    tokio::fs::create_dir_all(&work).await?;

    let key = kms
        .create_key(CreateKeyRequest::new().with_description("kms envelope example"))
        .await?
        .key_metadata;
    let key_arn = key.arn.clone().unwrap_or_else(|| key.key_id.clone());
    println!("1. Created KMS key {key_arn}");

    let outcome = run(Arc::clone(&kms), &key_arn, file, &work).await;

    // Clean up whatever happened: the files, and the key after the shortest window.
    let _ = tokio::fs::remove_dir_all(&work).await;
    let deletion = ScheduleKeyDeletionRequest::new(KeyId::parse(&key.key_id)?)
        .with_pending_window_in_days(MIN_DELETION_WINDOW_DAYS);
    kms.schedule_key_deletion(deletion).await?;
    println!("7. Scheduled the key's deletion in {MIN_DELETION_WINDOW_DAYS} days");
    outcome
}

/// Steps 2 to 6, on the key `key_arn`, with files in `work`.
async fn run(
    kms: Arc<dyn Kms>,
    key_arn: &str,
    file: Option<PathBuf>,
    work: &Path,
) -> Result<(), Failure> {
    let input = match file {
        Some(file) => file,
        None => write_sample(&work.join("sample.bin")).await?,
    };
    let (message, plaintext) = (work.join("message.enc"), work.join("decrypted.bin"));
    let keyring = Arc::new(KmsKeyring::new(kms, KeyId::parse(key_arn)?));
    let context = EncryptionContext::new()
        .with("purpose", "kms envelope example")
        .with("file", input.display().to_string());

    // 2. Encrypt: the writer seals each 64 KiB frame as the data streams through.
    let encryptor = Encryptor::new(keyring.clone()).with_encryption_context(context.clone());
    let started = Instant::now();
    let mut source = tokio::fs::File::open(&input).await?;
    let mut sink = tokio::fs::File::create(&message).await?;
    let size = encryptor.copy(&mut source, &mut sink).await?;
    sink.shutdown().await?;
    let seconds = started.elapsed().as_secs_f64();
    let message_size = tokio::fs::metadata(&message).await?.len();
    println!(
        "2. Encrypted {} ({size} bytes) into {} bytes in {seconds:.2} s ({:.0} MiB/s), with one \
         GenerateDataKey call",
        input.display(),
        message_size,
        size as f64 / (1 << 20) as f64 / seconds.max(1e-9),
    );

    // 3. The header: authenticated before any plaintext is released.
    let decryptor = Decryptor::new(keyring.clone()).with_required_encryption_context(context);
    let reader = decryptor
        .decrypting_reader(tokio::fs::File::open(&message).await?)
        .await?;
    let header = reader.header();
    println!(
        "3. Header: suite {}, frames of {} bytes, {} encrypted data key(s) from '{}', context:",
        header.suite(),
        header.frame_length(),
        header.encrypted_data_keys().len(),
        header
            .encrypted_data_keys()
            .first()
            .map(|key| key.provider_id().to_owned())
            .unwrap_or_default(),
    );
    for (key, value) in header.encryption_context().iter() {
        println!("     {key} = {value}");
    }
    drop(reader);

    // 4. Decrypt, requiring the context, and compare with the input.
    let started = Instant::now();
    let mut source = tokio::fs::File::open(&message).await?;
    let mut sink = tokio::fs::File::create(&plaintext).await?;
    let (size, _) = decryptor.copy(&mut source, &mut sink).await?;
    sink.shutdown().await?;
    let seconds = started.elapsed().as_secs_f64();
    if digest(&plaintext).await? != digest(&input).await? {
        return Err(Failure("the decrypted file differs from the input".into()));
    }
    println!(
        "4. Decrypted {size} bytes in {seconds:.2} s ({:.0} MiB/s): the same bytes as the input",
        size as f64 / (1 << 20) as f64 / seconds.max(1e-9),
    );

    // 5. One changed byte anywhere: the message is refused, and no plaintext comes out. Here
    //    it is in the last frame's authentication tag.
    let small = encryptor.encrypt(b"a short message").await?;
    let mut changed = small.clone();
    let at = changed.len() - 10;
    changed[at] ^= 1;
    match Decryptor::new(keyring.clone()).decrypt(&changed).await {
        Err(error) => println!("5. A message with byte {at} changed is refused: {error}"),
        Ok(_) => return Err(Failure("a changed message decrypted".into())),
    }

    // 6. Another context than the one required: refused before any key is unwrapped.
    let other = EncryptionContext::new().with("purpose", "something else");
    match Decryptor::new(keyring)
        .with_required_encryption_context(other)
        .decrypt(&small)
        .await
    {
        Err(error) => println!("6. Requiring another context is refused: {error}"),
        Ok(_) => return Err(Failure("a message decrypted under another context".into())),
    }
    Ok(())
}

/// Writes `SAMPLE_BYTES` of sample data (a counter through SHA-256) to `path`, a chunk at a
/// time.
async fn write_sample(path: &Path) -> Result<PathBuf, Failure> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut block = Vec::with_capacity(1 << 20);
    for counter in 0..SAMPLE_BYTES / 32 {
        block
            .extend_from_slice(aws_lc_rs::digest::digest(&SHA256, &counter.to_be_bytes()).as_ref());
        if block.len() == block.capacity() {
            file.write_all(&block).await?;
            block.clear();
        }
    }
    file.write_all(&block).await?;
    file.shutdown().await?;
    Ok(path.to_owned())
}

/// The SHA-256 of a file, read a chunk at a time.
async fn digest(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut context = Context::new(&SHA256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buf).await?;
        if read == 0 {
            return Ok(context.finish().as_ref().to_vec());
        }
        context.update(&buf[..read]);
    }
}

/// Why the example stopped.
struct Failure(String);

/// Shown by `main` on failure: the message itself, not a struct dump.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<kms::Error> for Failure {
    fn from(error: kms::Error) -> Self {
        Self(format!("unexpected error from KMS: {error}"))
    }
}

impl From<kms_envelope::Error> for Failure {
    fn from(error: kms_envelope::Error) -> Self {
        Self(format!("unexpected envelope error: {error}"))
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self(format!("I/O error: {error}"))
    }
}
