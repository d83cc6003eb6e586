//! Any bytes as an AWS Encryption SDK message: decrypting never panics, and the one-shot and
//! streaming decryptors agree (both fail, or both return the same plaintext).
#![no_main]

use std::sync::{Arc, OnceLock};

use kms_core::SecretBytes;
use kms_envelope::{CommitmentPolicy, Decryptor, RawAesKeyring};
use libfuzzer_sys::fuzz_target;
use tokio::io::AsyncReadExt;

/// The key of the seed corpus: `fuzz/seeds.sh` encrypts the seeds under it.
const KEY: [u8; 32] = [7; 32];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    strict: Decryptor,
    legacy: Decryptor,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let keyring = Arc::new(
            RawAesKeyring::new("fuzz", "key", SecretBytes::from(&KEY)).expect("a valid key"),
        );
        Fixture {
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime"),
            strict: Decryptor::new(keyring.clone()),
            legacy: Decryptor::new(keyring)
                .with_commitment_policy(CommitmentPolicy::RequireEncryptAllowDecrypt),
        }
    })
}

/// Decrypts through the streaming reader, reading `chunk` bytes at a time.
async fn streamed(
    decryptor: &Decryptor,
    message: &[u8],
    chunk: usize,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut reader = decryptor.decrypting_reader(message).await?;
    let mut buf = vec![0u8; chunk];
    let mut plaintext = Vec::new();
    loop {
        let read = reader.read(&mut buf).await?;
        if read == 0 {
            return Ok(plaintext);
        }
        plaintext.extend_from_slice(&buf[..read]);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, message)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    fixture.runtime.block_on(async {
        for decryptor in [&fixture.strict, &fixture.legacy] {
            let one_shot = decryptor.decrypt(message).await;
            let streamed = streamed(decryptor, message, usize::from(chunk).max(1)).await;
            match (one_shot, streamed) {
                (Ok(decrypted), Ok(plaintext)) => assert_eq!(decrypted.plaintext(), plaintext),
                (Err(_), Err(_)) => {}
                (one_shot, streamed) => panic!(
                    "one-shot {:?} but streaming {:?}",
                    one_shot.map(|_| "ok"),
                    streamed.map(|_| "ok")
                ),
            }
        }
    });
});
