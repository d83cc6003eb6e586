//! Malformed requests over a raw TCP stream: each gets an AWS-shaped error with a request
//! ID, none reaches the backend or stops the server, and slow or idle clients are cut off.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kms::{DynKms, KmsExt, LocalKms};
use kms_server::{Backends, Limits, Server, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{exchange, kms_request};

async fn server(limits: Limits) -> (TestServer, Arc<LocalKms>) {
    let kms = Arc::new(LocalKms::new());
    let dynamic: Arc<DynKms> = kms.clone();
    let server = TestServer::start_with(
        Server::builder(Backends::single(dynamic))
            .listen(([127, 0, 0, 1], 0).into())
            .limits(limits),
    )
    .await
    .unwrap();
    (server, kms)
}

/// Checks an error response: status, `__type`, a request ID, AWS's content type.
fn assert_error(response: &common::RawResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response:?}");
    assert_eq!(response.error_type(), code, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    let id = response.header("x-amzn-requestid").unwrap();
    assert_eq!(id.len(), 36, "{id}");
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_serialization_errors() {
    let (server, kms) = server(Limits::default()).await;
    for body in [
        "{",
        "not json",
        "[]",
        "{\"KeyId\": 5}",
        "{\"KeyId\": {\"a\": 1}}",
    ] {
        let response = exchange(
            server.local_addr(),
            &kms_request("TrentService.DescribeKey", body),
        )
        .await;
        assert_error(&response, 400, "SerializationException");
    }
    let response = exchange(
        server.local_addr(),
        &kms_request(
            "TrentService.Encrypt",
            "{\"KeyId\":\"alias/x\",\"Plaintext\":\"%%%\"}",
        ),
    )
    .await;
    assert_error(&response, 400, "SerializationException");
    let response = exchange(
        server.local_addr(),
        &kms_request("TrentService.DescribeKey", "{}"),
    )
    .await;
    assert_error(&response, 400, "ValidationException");
    assert_eq!(kms.key_count(), 0);
}

#[tokio::test]
async fn missing_or_unknown_targets_are_unknown_operations() {
    let (server, _kms) = server(Limits::default()).await;
    for target in [
        "TrentService.Nope",
        "Foo.CreateKey",
        "CreateKey",
        "TrentService.",
    ] {
        let response = exchange(server.local_addr(), &kms_request(target, "{}")).await;
        assert_error(&response, 400, "UnknownOperationException");
    }
    let response = exchange(
        server.local_addr(),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
          Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    assert_error(&response, 400, "UnknownOperationException");
}

#[tokio::test]
async fn other_content_types_paths_and_methods_are_refused() {
    let (server, _kms) = server(Limits::default()).await;
    let addr = server.local_addr();
    let response = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n\
          Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    assert_error(&response, 415, "UnsupportedMediaTypeException");
    let response = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nX-Amz-Target: TrentService.ListKeys\r\n\
          Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    assert_error(&response, 415, "UnsupportedMediaTypeException");
    // application/json is accepted too.
    let response = exchange(
        addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Amz-Target: TrentService.ListKeys\r\n\
          Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    let response = exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_error(&response, 405, "MethodNotAllowedException");
    assert_eq!(response.header("allow"), Some("POST"));
    let response = exchange(
        addr,
        b"DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_error(&response, 405, "MethodNotAllowedException");
    let response = exchange(
        addr,
        b"POST /keys HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_error(&response, 404, "UnknownOperationException");
}

#[tokio::test]
async fn bodies_past_the_limit_are_refused_with_413() {
    let (server, _kms) = server(Limits::default().with_max_body_bytes(1000)).await;
    // Declared too large: refused before the body is sent.
    let response = exchange(
        server.local_addr(),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
          X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_error(&response, 413, "RequestEntityTooLargeException");
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("limit of 1000 bytes")
    );
    // Chunked, without a length, growing past the limit.
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
              X-Amz-Target: TrentService.ListKeys\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    for _ in 0..3 {
        let chunk = format!("200\r\n{}\r\n", " ".repeat(512));
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let response = common::read_response(&mut stream).await;
    assert_error(&response, 413, "RequestEntityTooLargeException");
    // The limit is inclusive.
    let body = format!("{{{}}}", " ".repeat(998));
    let response = exchange(
        server.local_addr(),
        &kms_request("TrentService.ListKeys", &body),
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_times_out() {
    let (server, _kms) =
        server(Limits::default().with_body_timeout(Duration::from_millis(300))).await;
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
              X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 100\r\n\r\n{\"Li",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let response = common::read_response(&mut stream).await;
    assert_error(&response, 408, "RequestTimeoutException");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn idle_and_slow_header_connections_are_closed_and_bounded() {
    let limits = Limits::default()
        .with_header_timeout(Duration::from_millis(500))
        .with_max_connections(50);
    let (server, _kms) = server(limits).await;
    // More idle connections than the server takes at once, one with half its headers.
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(TcpStream::connect(server.local_addr()).await.unwrap());
    }
    idle[0]
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // A real request still gets through once idle ones are cut off.
    let started = Instant::now();
    let response = exchange(
        server.local_addr(),
        &kms_request("TrentService.ListKeys", "{}"),
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Every idle connection is closed by the server.
    for stream in &mut idle {
        let mut buf = [0u8; 512];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("the server closes idle connections");
        // A closed connection reads as end of stream (or a reset), possibly after a 408.
        if let Ok(n) = read
            && n > 0
        {
            assert!(
                buf.starts_with(b"HTTP/1.1 408"),
                "{:?}",
                String::from_utf8_lossy(&buf[..n])
            );
        }
    }
}

#[tokio::test]
async fn keep_alive_connections_serve_many_requests() {
    let (server, kms) = server(Limits::default()).await;
    kms.create_symmetric_key("one").await.unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    for _ in 0..20 {
        stream
            .write_all(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
                  X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\n\r\n{}",
            )
            .await
            .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        let response = common::parse_response(&buf[..n]);
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["Keys"].as_array().unwrap().len(), 1);
    }
}
