//! The operations a load is made of, and the key they use.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::connection::{Call, Connection};
use crate::error::Error;

/// The size of the plaintext of each `Encrypt`, in bytes.
pub(crate) const ENCRYPT_PLAINTEXT_BYTES: usize = 32;

/// An operation sent again and again under load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Operation {
    /// `Encrypt` of 32 bytes.
    Encrypt,
    /// `GenerateDataKey` with `KeySpec` `AES_256`.
    GenerateDataKey,
}

impl Operation {
    /// The AWS operation name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::Encrypt => "Encrypt",
            Operation::GenerateDataKey => "GenerateDataKey",
        }
    }

    /// The call, under the key `key_id`. The plaintext is a fixed test pattern, not a secret.
    pub(crate) fn call(self, key_id: &str) -> Call {
        let body = match self {
            Operation::Encrypt => {
                let plaintext: Vec<u8> = (0..ENCRYPT_PLAINTEXT_BYTES).map(|i| i as u8).collect();
                json!({"KeyId": key_id, "Plaintext": STANDARD.encode(plaintext)})
            }
            Operation::GenerateDataKey => json!({"KeyId": key_id, "KeySpec": "AES_256"}),
        };
        Call::new(self.name(), &body)
    }
}

/// Creates a symmetric encryption key and returns its ARN.
pub(crate) async fn create_key(connection: &mut Connection) -> Result<String, Error> {
    let call = Call::new(
        "CreateKey",
        &json!({"Description": "kms-loadgen", "KeyUsage": "ENCRYPT_DECRYPT"}),
    );
    let answer = connection.call(&call).await?.into_json(call.operation)?;
    answer
        .pointer("/KeyMetadata/Arn")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Error::Response {
            operation: call.operation,
            reason: "no KeyMetadata.Arn".to_owned(),
        })
}

/// A cheap call that needs no key, sent once on each idle connection.
pub(crate) fn list_keys() -> Call {
    Call::new("ListKeys", &json!({"Limit": 1}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_sends_32_bytes_of_plaintext() {
        let call = Operation::Encrypt.call("alias/k");
        let body: serde_json::Value = serde_json::from_str(&call.body_text()).unwrap();
        let plaintext = STANDARD
            .decode(body["Plaintext"].as_str().unwrap())
            .unwrap();
        assert_eq!(plaintext.len(), ENCRYPT_PLAINTEXT_BYTES);
        assert_eq!(body["KeyId"], "alias/k");
        assert_eq!(call.operation, "Encrypt");
    }

    #[tokio::test]
    async fn create_key_returns_the_arn() {
        use crate::test_endpoint::TestEndpoint;
        use hyper::StatusCode;
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let body = r#"{"KeyMetadata":{"Arn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}"#;
        let server = TestEndpoint::start(StatusCode::OK, body, false).await;
        let mut connection = Connection::new(server.endpoint().await);
        assert_eq!(create_key(&mut connection).await.unwrap(), arn);

        let server = TestEndpoint::start(StatusCode::OK, r#"{"KeyMetadata":{}}"#, false).await;
        let mut connection = Connection::new(server.endpoint().await);
        let error = create_key(&mut connection).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "CreateKey returned an unexpected body: no KeyMetadata.Arn"
        );
    }

    #[test]
    fn generate_data_key_asks_for_aes_256() {
        let call = Operation::GenerateDataKey.call("k");
        let body: serde_json::Value = serde_json::from_str(&call.body_text()).unwrap();
        assert_eq!(body, json!({"KeyId": "k", "KeySpec": "AES_256"}));
    }
}
