//! One keep-alive HTTP/1.1 connection to the endpoint, sending AWS KMS JSON 1.1 requests
//! that are not signed: they carry an `Authorization` header with a SigV4 credential scope
//! (which names the region, and the service moto's server routes on) and a signature of
//! zeros, which a server that verifies signatures refuses. A connection the server closed (moto's server speaks HTTP/1.0 and
//! closes after each answer) is opened again on the next request, and counted.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::endpoint::Endpoint;
use crate::error::Error;

/// The content type of the AWS JSON 1.1 protocol.
const JSON_1_1: &str = "application/x-amz-json-1.1";

/// A KMS call: the operation and its JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The operation, e.g. `Encrypt`.
    pub(crate) operation: &'static str,
    /// `TrentService.<operation>`, the `X-Amz-Target` header.
    target: String,
    /// The JSON request body.
    body: Bytes,
}

impl Call {
    /// A call of `operation` with the JSON `body`.
    pub(crate) fn new(operation: &'static str, body: &serde_json::Value) -> Self {
        Self {
            operation,
            target: format!("TrentService.{operation}"),
            body: Bytes::from(body.to_string()),
        }
    }
}

/// The answer to a call. The body may hold a plaintext or a data key: it is parsed by the
/// caller and never printed unless the status is an error.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The response body.
    pub(crate) body: Bytes,
}

impl Answer {
    /// The body as JSON when the status is 200; the error (status and body) otherwise.
    pub(crate) fn into_json(self, operation: &'static str) -> Result<serde_json::Value, Error> {
        if self.status != StatusCode::OK {
            return Err(Error::Refused {
                operation,
                status: self.status.as_u16(),
                body: String::from_utf8_lossy(&self.body[..self.body.len().min(500)]).into_owned(),
            });
        }
        serde_json::from_slice(&self.body).map_err(|error| Error::Response {
            operation,
            reason: format!("not JSON: {error}"),
        })
    }
}

/// The `Authorization` header of every request: a SigV4 credential scope for `region` and
/// the service `kms`, with a signature that is not one.
pub(crate) fn unsigned_authorization(region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=KMSLOADGEN/20260101/{region}/kms/aws4_request, \
         SignedHeaders=host;x-amz-target, Signature={}",
        "0".repeat(64)
    )
}

/// A connection that reconnects when the server has closed it.
#[derive(Debug)]
pub(crate) struct Connection {
    endpoint: Endpoint,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many TCP connections this one has opened.
    pub(crate) opened: u64,
}

impl Connection {
    /// A connection to `endpoint`, opened by the first call or by [`Connection::open`].
    pub(crate) fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            sender: None,
            opened: 0,
        }
    }

    /// Opens the TCP connection now, if it is not open, with the HTTP/1.1 handshake.
    pub(crate) async fn open(&mut self) -> Result<(), Error> {
        let sender = self.ready_sender().await?;
        self.sender = Some(sender);
        Ok(())
    }

    /// Sends `call` and reads the whole answer.
    pub(crate) async fn call(&mut self, call: &Call) -> Result<Answer, Error> {
        let mut sender = self.ready_sender().await?;
        let request = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header(HOST, self.endpoint.authority.as_str())
            .header(AUTHORIZATION, self.endpoint.authorization.as_str())
            .header(CONTENT_TYPE, JSON_1_1)
            .header("x-amz-target", call.target.as_str())
            .body(Full::new(call.body.clone()))?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        // Kept only when the exchange completed: a failed one leaves the connection closed.
        self.sender = Some(sender);
        Ok(Answer { status, body })
    }

    /// The open connection's sender once it can take a request, or a new connection's.
    async fn ready_sender(&mut self) -> Result<SendRequest<Full<Bytes>>, Error> {
        if let Some(mut sender) = self.sender.take()
            && sender.ready().await.is_ok()
        {
            return Ok(sender);
        }
        let address = self.endpoint.address;
        let stream = TcpStream::connect(address)
            .await
            .map_err(|source| Error::Connect { address, source })?;
        stream
            .set_nodelay(true)
            .map_err(|source| Error::Connect { address, source })?;
        let (sender, driver) = http1::handshake(TokioIo::new(stream)).await?;
        // The driver ends when the connection closes; its error shows on the next request.
        tokio::spawn(driver);
        self.opened += 1;
        Ok(sender)
    }
}

#[cfg(test)]
impl Call {
    /// The body as text, for tests.
    pub(crate) fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
