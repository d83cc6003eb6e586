//! The transport: TLS with a certificate from PEM files, HTTP/2, and a graceful shutdown
//! that lets a request in flight finish.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use kms::{DynKms, LocalKms};
use kms_server::{Backends, Server, ServerError, TestServer, Tls};
use rustls_pki_types::ServerName;
use rustls_pki_types::pem::PemObject as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn backends() -> Backends {
    let kms: Arc<DynKms> = Arc::new(LocalKms::new());
    Backends::single(kms)
}

/// A self-signed certificate for `localhost` and 127.0.0.1, as PEM files in `dir`.
fn certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key, certified.cert.pem())
}

#[tokio::test]
async fn https_serves_the_api_with_the_certificate_of_the_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = certificate(dir.path());
    let tls = Tls::from_pem_files(&cert, &key).unwrap();
    let server = TestServer::start_with(
        Server::builder(backends())
            .listen(([127, 0, 0, 1], 0).into())
            .tls(tls),
    )
    .await
    .unwrap();
    assert!(server.endpoint_url().starts_with("https://127.0.0.1:"));

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(server.local_addr()).await.unwrap();
    let mut stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    stream
        .write_all(&common::kms_request("TrentService.CreateKey", "{}"))
        .await
        .unwrap();
    let mut raw = Vec::new();
    // The server closes the TLS stream after the response (Connection: close).
    let _ = stream.read_to_end(&mut raw).await;
    let response = common::parse_response(&raw);
    assert_eq!(response.status, 200, "{response:?}");
    assert!(response.json()["KeyMetadata"]["Arn"].is_string());

    // A client that speaks plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(server.local_addr()).await.unwrap();
    plain
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut raw))
        .await
        .unwrap();
    assert!(!raw.starts_with(b"HTTP/"), "{raw:?}");
}

#[test]
fn unusable_pem_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = certificate(dir.path());
    let missing = dir.path().join("missing.pem");
    let err = Tls::from_pem_files(&missing, &key).unwrap_err();
    assert!(matches!(err, ServerError::Tls { .. }));
    assert!(err.to_string().contains("missing.pem"), "{err}");
    let err = Tls::from_pem_files(&cert, &cert).unwrap_err();
    assert!(
        err.to_string().contains("cannot read a private key from"),
        "{err}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let err = Tls::from_pem_files(&empty, &key).unwrap_err();
    assert!(
        err.to_string().starts_with("TLS: no certificate in"),
        "{err}"
    );
    // A key that is not the certificate's.
    let (_, other_key, _) = {
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        certificate(&other)
    };
    let err = Tls::from_pem_files(&cert, &other_key).unwrap_err();
    assert!(err.to_string().contains("cannot be used"), "{err}");
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served() {
    let server =
        TestServer::start_with(Server::builder(backends()).listen(([127, 0, 0, 1], 0).into()))
            .await
            .unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    // The client preface and an empty SETTINGS frame.
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut header = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut header))
        .await
        .unwrap()
        .unwrap();
    // The server's first frame is its SETTINGS frame (type 4) on stream 0.
    assert_eq!(header[3], 4, "{header:?}");
    assert_eq!(&header[5..9], &[0, 0, 0, 0]);
}

#[tokio::test]
async fn a_request_in_flight_finishes_when_the_server_stops() {
    let server =
        TestServer::start_with(Server::builder(backends()).listen(([127, 0, 0, 1], 0).into()))
            .await
            .unwrap();
    let addr = server.local_addr();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
              X-Amz-Target: TrentService.CreateKey\r\nContent-Length: 2\r\n\r\n{",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // No new connection is accepted.
    assert!(TcpStream::connect(addr).await.is_err());
    assert!(!stopping.is_finished());
    stream.write_all(b"}").await.unwrap();
    let response = common::read_response(&mut stream).await;
    assert_eq!(response.status, 200, "{response:?}");
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .unwrap()
        .unwrap();
}
