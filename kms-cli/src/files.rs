//! `encrypt-file` and `decrypt-file`: envelope encryption of files and pipes of any size, in
//! constant memory, with output files that appear only when complete and authenticated.

use std::path::Path;

use kms::EncryptionContext;
use kms_envelope::{BufferSink, Decryptor, Encryptor, Error};

use crate::Failure;
use crate::backend::Backend;
use crate::cli::{DecryptFile, EncryptFile, FileCommand};
use crate::keyring::{self, Purpose};
use crate::mrk_keyring;
use crate::progress::Progress;
use crate::temp::TempOutput;
use crate::threaded_io::{Contents, ReadAhead, WriteBehind};

/// Runs a file command with `backend` (used only with the keyrings of KMS keys).
///
/// Interrupted by Ctrl-C or SIGTERM, it stops and removes its temporary output file.
pub(crate) async fn run(backend: &Backend, command: FileCommand) -> Result<(), Failure> {
    let work = async {
        match command {
            FileCommand::EncryptFile(flags) => encrypt(backend, *flags).await,
            FileCommand::DecryptFile(flags) => decrypt(backend, *flags).await,
        }
    };
    tokio::select! {
        // The handlers are installed (on the first poll) before any output file is created.
        biased;
        signal = interrupted() => Err(Failure::Interrupted(signal)),
        result = work => result,
    }
}

/// Completes when the process is asked to stop, with the signal's name; never when no signal
/// handler can be installed.
async fn interrupted() -> &'static str {
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = interrupt => "SIGINT",
        () = terminate => "SIGTERM",
    }
}

/// `encrypt-file`: the keyring, then INPUT through an [`Encryptor`] into OUTPUT.
async fn encrypt(backend: &Backend, flags: EncryptFile) -> Result<(), Failure> {
    let keyring = keyring::from_args(backend, &flags.keys, Purpose::Encrypt).await?;
    let materials = keyring::materials_manager(keyring, &flags.required_context_keys)?;
    let mut encryptor = Encryptor::from_materials_manager(materials)
        .with_encryption_context(context(&flags.context)?);
    if let Some(frame_length) = flags.frame_length {
        encryptor = encryptor.with_frame_length(frame_length);
    }
    if let Some(suite) = flags.suite {
        encryptor = encryptor.with_suite(suite);
    }
    if let Some(threads) = flags.threads.threads {
        encryptor = encryptor.with_threads(threads.into());
    }
    let (input, size) = open_input(&flags.input_path, Contents::Secret).await?;
    let mut input = Progress::new(input, "encrypting", size);
    let result = with_output(&flags.output_path, Contents::Public, async |output| {
        encryptor.copy_to_sink(&mut input, output).await.map(drop)
    })
    .await;
    input.finish(result.is_ok());
    result
}

/// `decrypt-file`: the keyring, then INPUT through a [`Decryptor`] that requires the
/// `--context` pairs into OUTPUT.
async fn decrypt(backend: &Backend, flags: DecryptFile) -> Result<(), Failure> {
    if !flags.discovery.accounts.is_empty() && !flags.discovery.discovery && !flags.mrk.discovery {
        return Err(Failure::Usage(
            "--discovery-account needs --discovery or --mrk-discovery".to_owned(),
        ));
    }
    let keyring = if flags.discovery.discovery {
        keyring::discovery(backend, &flags.discovery).await?
    } else if flags.mrk.discovery {
        mrk_keyring::discovery(backend, &flags.discovery, &flags.mrk).await?
    } else if !flags.mrk.key_ids.is_empty() {
        mrk_keyring::strict(backend, &flags.mrk).await?
    } else {
        keyring::from_args(backend, &flags.keys, Purpose::Decrypt).await?
    };
    let materials = keyring::materials_manager(keyring, &flags.required_context_keys)?;
    let mut decryptor = Decryptor::from_materials_manager(materials)
        .with_required_encryption_context(context(&flags.context)?);
    if let Some(threads) = flags.threads.threads {
        decryptor = decryptor.with_threads(threads.into());
    }
    let (input, size) = open_input(&flags.input_path, Contents::Public).await?;
    let mut input = Progress::new(input, "decrypting", size);
    let result = with_output(&flags.output_path, Contents::Secret, async |output| {
        decryptor.copy_to_sink(&mut input, output).await.map(drop)
    })
    .await;
    input.finish(result.is_ok());
    result
}

/// The pairs of `--context KEY=VALUE` flags.
fn context(pairs: &[String]) -> Result<EncryptionContext, Failure> {
    let mut context = EncryptionContext::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Failure::Usage(format!(
                "--context: expected KEY=VALUE, got '{pair}'"
            )));
        };
        if key.is_empty() {
            return Err(Failure::Usage(format!(
                "--context: the key of '{pair}' is empty"
            )));
        }
        if let Some(previous) = context.insert(key, value)
            && previous != value
        {
            return Err(Failure::Usage(format!(
                "--context: '{key}' is given twice, as '{previous}' and '{value}'"
            )));
        }
    }
    Ok(context)
}

/// Whether a path argument means standard input or output.
fn is_std(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Opens INPUT (`-`: standard input) for reading ahead, with its size when it is a regular
/// file.
async fn open_input(path: &Path, contents: Contents) -> Result<(ReadAhead, Option<u64>), Failure> {
    let cannot_read =
        |err: std::io::Error| Failure::Io(format!("cannot read INPUT '{}': {err}", path.display()));
    if is_std(path) {
        let stdin = ReadAhead::spawn(std::io::stdin(), contents).map_err(cannot_read)?;
        return Ok((stdin, None));
    }
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|err| Failure::Usage(format!("cannot open INPUT '{}': {err}", path.display())))?;
    let metadata = file.metadata().await.map_err(cannot_read)?;
    if metadata.is_dir() {
        return Err(Failure::Usage(format!(
            "INPUT '{}' is a directory",
            path.display()
        )));
    }
    let size = metadata.is_file().then_some(metadata.len());
    let input = ReadAhead::spawn(file.into_std().await, contents).map_err(cannot_read)?;
    Ok((input, size))
}

/// Runs `write` on OUTPUT, written behind by a thread of its own: standard output for `-`,
/// otherwise a temporary file next to OUTPUT that is renamed over it only when `write`
/// succeeds, and removed otherwise.
async fn with_output<F>(path: &Path, contents: Contents, write: F) -> Result<(), Failure>
where
    F: AsyncFnOnce(&mut (dyn BufferSink + Send)) -> Result<(), Error>,
{
    if is_std(path) {
        let cannot_write =
            |err: std::io::Error| Failure::Io(format!("cannot write to standard output: {err}"));
        let mut stdout = WriteBehind::spawn(std::io::stdout(), contents).map_err(cannot_write)?;
        write(&mut stdout).await.map_err(failure)?;
        stdout.finish().await.map_err(cannot_write)?;
        return Ok(());
    }
    if tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_dir())
    {
        return Err(Failure::Usage(format!(
            "OUTPUT '{}' is a directory",
            path.display()
        )));
    }
    let cannot_write = |err: std::io::Error| {
        Failure::Io(format!("cannot write OUTPUT '{}': {err}", path.display()))
    };
    let mut temp = TempOutput::create(path).map_err(|err| {
        Failure::Io(format!(
            "cannot create a temporary file next to OUTPUT '{}': {err}",
            path.display()
        ))
    })?;
    let mut output = WriteBehind::spawn(temp.take_file().map_err(cannot_write)?, contents)
        .map_err(cannot_write)?;
    // On failure, dropping `temp` removes the temporary file.
    write(&mut output).await.map_err(failure)?;
    let file = output.finish().await.map_err(cannot_write)?;
    temp.commit(file).await.map_err(cannot_write)
}

/// The failure an envelope error is: a wrong option (252), a KMS failure (254 or 255), an
/// I/O failure (255), or a message that cannot be decrypted (1).
fn failure(error: Error) -> Failure {
    match error {
        Error::InvalidArgument { message } => Failure::Usage(message),
        Error::Kms(error) => Failure::from(error),
        Error::Io(error) => Failure::Io(format!("I/O error: {error}")),
        Error::WriterClosed(_) => Failure::Io(error.to_string()),
        Error::NoDataKey { ref failures }
            if failures.iter().any(|failure| {
                matches!(
                    failure,
                    kms::Error::Config { .. } | kms::Error::Backend { .. }
                )
            }) =>
        {
            Failure::Io(error.to_string())
        }
        other => Failure::Message(format!("cannot decrypt: {other}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn contexts_are_key_value_pairs() {
        let context = context(&["a=1".to_owned(), "b=x=y".to_owned(), "a=1".to_owned()]).unwrap();
        assert_eq!(context.get("a"), Some("1"));
        assert_eq!(context.get("b"), Some("x=y"));
        assert!(matches!(
            super::context(&["a".to_owned()]),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(
            super::context(&["=1".to_owned()]),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(
            super::context(&["a=1".to_owned(), "a=2".to_owned()]),
            Err(Failure::Usage(_))
        ));
    }
}
