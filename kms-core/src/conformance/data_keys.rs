//! Checks of GenerateDataKey, GenerateDataKeyWithoutPlaintext and GenerateRandom, and that
//! no response shows secret bytes in its `Debug`.

use std::fmt;

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, Session, VALIDATION, above_max, below_min, decrypt, describe, encrypt, expect_err,
    invalid_ciphertext, ok,
};
use crate::{
    DataKeySpec, DecryptRequest, EncryptionContext, GenerateDataKeyRequest,
    GenerateDataKeyWithoutPlaintextRequest, GenerateRandomRequest, KeyId, Kms, Result, SecretBytes,
};

/// The two operations that make data keys.
#[derive(Debug, Clone, Copy)]
enum DataKeyOp {
    /// `GenerateDataKey`.
    WithPlaintext,
    /// `GenerateDataKeyWithoutPlaintext`.
    WithoutPlaintext,
}

/// What the two operations return.
struct DataKey {
    /// The plaintext data key, for `GenerateDataKey` only.
    plaintext: Option<SecretBytes>,
    ciphertext_blob: Vec<u8>,
    key_id: String,
    key_material_id: Option<String>,
}

impl fmt::Display for DataKeyOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WithPlaintext => "GenerateDataKey",
            Self::WithoutPlaintext => "GenerateDataKeyWithoutPlaintext",
        })
    }
}

impl DataKeyOp {
    /// Calls the operation with the given key spec and length.
    async fn call(
        self,
        kms: &dyn Kms,
        key: &KeyId,
        key_spec: Option<DataKeySpec>,
        number_of_bytes: Option<u32>,
        context: &EncryptionContext,
    ) -> Result<DataKey> {
        match self {
            Self::WithPlaintext => {
                let mut request =
                    GenerateDataKeyRequest::new(key).with_encryption_context(context.clone());
                (request.key_spec, request.number_of_bytes) = (key_spec, number_of_bytes);
                let response = kms.generate_data_key(request).await?;
                Ok(DataKey {
                    plaintext: Some(response.plaintext),
                    ciphertext_blob: response.ciphertext_blob,
                    key_id: response.key_id,
                    key_material_id: response.key_material_id,
                })
            }
            Self::WithoutPlaintext => {
                let mut request = GenerateDataKeyWithoutPlaintextRequest::new(key)
                    .with_encryption_context(context.clone());
                (request.key_spec, request.number_of_bytes) = (key_spec, number_of_bytes);
                let response = kms.generate_data_key_without_plaintext(request).await?;
                Ok(DataKey {
                    plaintext: None,
                    ciphertext_blob: response.ciphertext_blob,
                    key_id: response.key_id,
                    key_material_id: response.key_material_id,
                })
            }
        }
    }
}

/// Checks data keys of every size from `op`: the key ARN, the material, and a ciphertext
/// that decrypts (with the same context only) to a key of the requested length.
async fn check_data_keys(kms: &dyn Kms, caps: &Capabilities, op: DataKeyOp) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let context = EncryptionContext::from([("use", "data key")]);
    let current = describe(kms, &key.by_id()).await.current_key_material_id;
    let sizes = [
        (Some(DataKeySpec::Aes256), None, 32),
        (Some(DataKeySpec::Aes128), None, 16),
        (None, Some(1), 1),
        (None, Some(1024), 1024),
    ];
    for (key_spec, number_of_bytes, len) in sizes {
        let what = format!("{op} with KeySpec {key_spec:?} and NumberOfBytes {number_of_bytes:?}");
        let result = op
            .call(kms, &key.by_id(), key_spec, number_of_bytes, &context)
            .await;
        let data_key = ok(result, &what);
        assert_eq!(
            data_key.key_id, key.arn,
            "{what}: expected KeyId to be the key ARN"
        );
        let material = async {
            assert!(
                data_key.key_material_id.is_some(),
                "{what}: expected a KeyMaterialId, got none"
            );
            assert_eq!(
                data_key.key_material_id, current,
                "{what}: expected KeyMaterialId to be the key's CurrentKeyMaterialId"
            );
        };
        caps.gate(Flag::ReportsKeyMaterialIds, &what, material)
            .await;
        let request = DecryptRequest::new(data_key.ciphertext_blob.as_slice())
            .with_encryption_context(context.clone());
        let what_decrypt = format!("Decrypt of a data key of {what}");
        let decrypted = ok(kms.decrypt(request).await, &what_decrypt).plaintext;
        assert_eq!(decrypted.len(), len, "{what_decrypt}: expected {len} bytes");
        if let Some(plaintext) = &data_key.plaintext {
            assert!(
                plaintext.ct_eq(&decrypted),
                "{what_decrypt}: expected the plaintext data key {op} returned"
            );
        }
        let request = DecryptRequest::new(data_key.ciphertext_blob);
        let what = format!("Decrypt of a data key of {what} without its context");
        expect_err(kms.decrypt(request).await, &what, invalid_ciphertext());
    }
    session.finish().await;
}

/// GenerateDataKey returns a fresh plaintext data key (32 bytes for AES_256, 16 for AES_128,
/// or 1 to 1024 bytes) and its ciphertext, which decrypts to it with the same context.
pub async fn generate_data_key(kms: &dyn Kms, caps: &Capabilities) {
    check_data_keys(kms, caps, DataKeyOp::WithPlaintext).await;
    let mut session = Session::new(kms);
    let key = session.key().await;
    let no_context = EncryptionContext::new();
    let key_id = key.by_id();
    let mut keys = Vec::new();
    for _ in 0..2 {
        let op = DataKeyOp::WithPlaintext;
        let result = op.call(kms, &key_id, Some(DataKeySpec::Aes256), None, &no_context);
        keys.push(ok(result.await, "GenerateDataKey").plaintext);
    }
    let [Some(first), Some(second)] = &keys[..] else {
        unreachable!("GenerateDataKey always returns a plaintext");
    };
    assert!(
        !first.ct_eq(second),
        "GenerateDataKey twice: expected two different data keys"
    );
    session.finish().await;
}

/// GenerateDataKeyWithoutPlaintext returns a ciphertext that decrypts, with the same
/// context, to a data key of the requested length.
pub async fn generate_data_key_without_plaintext(kms: &dyn Kms, caps: &Capabilities) {
    check_data_keys(kms, caps, DataKeyOp::WithoutPlaintext).await;
}

/// Both data key operations need exactly one of KeySpec and NumberOfBytes, and
/// NumberOfBytes in 1..1024.
pub async fn data_key_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let key_id = key.by_id();
    let refuse = |cases: Vec<(Option<DataKeySpec>, Option<u32>, Expected)>| {
        let key_id = &key_id;
        async move {
            let no_context = EncryptionContext::new();
            for op in [DataKeyOp::WithPlaintext, DataKeyOp::WithoutPlaintext] {
                for (key_spec, number_of_bytes, expected) in &cases {
                    let result =
                        op.call(kms, key_id, key_spec.clone(), *number_of_bytes, &no_context);
                    let what = format!(
                        "{op} with KeySpec {key_spec:?} and NumberOfBytes {number_of_bytes:?}"
                    );
                    expect_err(result.await.map(|_| ()), &what, expected.clone());
                }
            }
        }
    };
    // No reference confirms AWS's message for neither or both: the exception only.
    refuse(vec![
        (None, None, Expected::code(VALIDATION)),
        (None, Some(0), Expected::code(VALIDATION)),
        (None, Some(1025), above_max(1025, "numberOfBytes", 1024)),
    ])
    .await;
    let strict = refuse(vec![
        (None, Some(0), below_min(0, "numberOfBytes", 1)),
        (
            Some(DataKeySpec::Aes256),
            Some(32),
            Expected::code(VALIDATION),
        ),
    ]);
    let what = "data keys of 0 bytes, or with both KeySpec and NumberOfBytes";
    caps.gate(Flag::ValidatesInputs, what, strict).await;
    session.finish().await;
}

/// GenerateRandom with `number_of_bytes`, or without it.
async fn random(
    kms: &dyn Kms,
    number_of_bytes: Option<u32>,
) -> Result<crate::GenerateRandomResponse> {
    let mut request = GenerateRandomRequest::new();
    request.number_of_bytes = number_of_bytes;
    kms.generate_random(request).await
}

/// GenerateRandom returns 1 to 1024 fresh random bytes, and refuses a missing, zero or
/// too large NumberOfBytes.
pub async fn generate_random(kms: &dyn Kms, caps: &Capabilities) {
    for len in [1, 32, 1024] {
        let bytes = ok(
            random(kms, Some(len)).await,
            &format!("GenerateRandom of {len} bytes"),
        );
        assert_eq!(
            bytes.plaintext.len(),
            len as usize,
            "GenerateRandom of {len} bytes"
        );
    }
    let first = ok(random(kms, Some(32)).await, "GenerateRandom").plaintext;
    let second = ok(random(kms, Some(32)).await, "GenerateRandom").plaintext;
    assert!(
        !first.ct_eq(&second),
        "GenerateRandom twice: expected different bytes"
    );

    let what = "GenerateRandom with NumberOfBytes 1025";
    let expected = above_max(1025, "numberOfBytes", 1024);
    expect_err(random(kms, Some(1025)).await, what, expected);
    let refused = async {
        let cases = [
            (None, Expected::aws(AwsMessage::NumberOfBytesRequired, &[])),
            (Some(0), below_min(0, "numberOfBytes", 1)),
        ];
        for (number_of_bytes, expected) in cases {
            let what = format!("GenerateRandom with NumberOfBytes {number_of_bytes:?}");
            expect_err(random(kms, number_of_bytes).await, &what, expected);
        }
    };
    let what = "GenerateRandom without or with 0 NumberOfBytes";
    caps.gate(Flag::ValidatesInputs, what, refused).await;
}

/// The `Debug` of responses holding secrets (Decrypt, GenerateDataKey, GenerateRandom)
/// shows none of the secret bytes.
pub async fn secrets_not_in_debug(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let no_context = EncryptionContext::new();
    let secret = b"conformance-secret-0123456789";
    let blob = encrypt(kms, &key.by_id(), secret, &no_context)
        .await
        .ciphertext_blob;
    let response = decrypt(kms, &blob, &no_context, secret, "Decrypt").await;
    assert_redacted(&format!("{response:?}"), secret, "DecryptResponse");

    let request = GenerateDataKeyRequest::new(key.by_id()).with_key_spec(DataKeySpec::Aes256);
    let response = ok(kms.generate_data_key(request).await, "GenerateDataKey");
    let shown = format!("{response:?}");
    assert_redacted(
        &shown,
        response.plaintext.expose_secret(),
        "GenerateDataKeyResponse",
    );

    let request = GenerateRandomRequest::new().with_number_of_bytes(32u32);
    let response = ok(kms.generate_random(request).await, "GenerateRandom");
    let shown = format!("{response:?}");
    assert_redacted(
        &shown,
        response.plaintext.expose_secret(),
        "GenerateRandomResponse",
    );
    session.finish().await;
}

/// Panics if `shown` holds `secret` as text, as a byte list (or its first 8 bytes), or in hex.
fn assert_redacted(shown: &str, secret: &[u8], what: &str) {
    let first: Vec<String> = secret.iter().take(8).map(u8::to_string).collect();
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let mut forms = vec![
        format!("{secret:?}"),
        first.join(", "),
        hex.to_uppercase(),
        hex,
    ];
    forms.extend(std::str::from_utf8(secret).ok().map(str::to_owned));
    for form in forms {
        assert!(
            !shown.contains(&form),
            "Debug of {what}: expected no secret bytes, got {shown}"
        );
    }
}
