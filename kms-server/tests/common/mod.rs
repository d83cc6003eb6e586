//! What the server tests share: an `aws-sdk-kms` client for an endpoint, and a raw HTTP/1.1
//! exchange over a TCP stream.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "each test binary uses part of this module; tests fail by panicking"
)]

use std::net::SocketAddr;
use std::time::Duration;

use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The credentials of the tests that verify signatures.
pub const ACCESS_KEY_ID: &str = "AKIDSERVERTEST";
pub const SECRET: &str = "server/test/secret/access/key/EXAMPLE";
pub const ACCOUNT: &str = "444455556666";

/// A client config for `endpoint` in `region`, signing with the given keys, without retries.
pub fn config(
    endpoint: &str,
    region: &str,
    access_key_id: &str,
    secret: &str,
) -> aws_sdk_kms::config::Builder {
    aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
        .endpoint_url(endpoint)
        .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
}

/// A client for `endpoint` in `region` with any credentials.
pub fn client(endpoint: &str, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::from_conf(config(endpoint, region, "AKIDANY", "any secret").build())
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("{err}: {:?}", self.body))
    }

    /// The `__type` of an error body.
    pub fn error_type(&self) -> String {
        self.json()["__type"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends `request` (raw bytes; the connection is closed after it) and reads the response.
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_response(&mut stream).await
}

/// Reads one response, until the server closes the connection (at most 30 s).
pub async fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("the server closes the connection")
        .unwrap();
    parse_response(&raw)
}

/// Parses a response of HTTP/1.1 with a `Content-Length` body.
pub fn parse_response(raw: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A `POST /` of the KMS API with the given target and body, closing the connection.
pub fn kms_request(target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
