//! A stand-in KMS endpoint for tests: answers every request with a fixed status and body,
//! optionally closing each connection after its answer as moto's server does.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::endpoint::Endpoint;

/// A running stand-in endpoint.
#[derive(Debug)]
pub(crate) struct TestEndpoint {
    /// Its URL, `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// TCP connections accepted so far.
    pub(crate) accepted: Arc<AtomicU64>,
}

impl TestEndpoint {
    /// Starts an endpoint answering `status` and `body`; with `close`, every answer carries
    /// `Connection: close`.
    pub(crate) async fn start(status: StatusCode, body: &'static str, close: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&accepted);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let service = service_fn(move |_request| async move {
                    let mut response = Response::builder().status(status);
                    if close {
                        response = response.header("connection", "close");
                    }
                    Ok::<_, Infallible>(
                        response
                            .body(Full::new(Bytes::from_static(body.as_bytes())))
                            .unwrap(),
                    )
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Self { url, accepted }
    }

    /// The endpoint, resolved.
    pub(crate) async fn endpoint(&self) -> Endpoint {
        Endpoint::resolve(&self.url, "us-east-1").await.unwrap()
    }
}
