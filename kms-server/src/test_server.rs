//! A server inside a test: one line to put any backend behind a real HTTP endpoint.

use std::net::SocketAddr;
use std::sync::Arc;

use kms_core::{DynKms, Kms};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::backends::Backends;
use crate::server::{Server, ServerBuilder, ServerError};

/// A server on a free port of 127.0.0.1, running on the test's tokio runtime until it is
/// dropped (or [`stop`](TestServer::stop)ped).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = kms_server::TestServer::start(kms::LocalKms::new()).await?;
/// assert!(server.endpoint_url().starts_with("http://127.0.0.1:"));
/// // aws_sdk_kms::config::Builder::new().endpoint_url(server.endpoint_url())...
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TestServer {
    endpoint_url: String,
    local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `kms` (for every region) on a free port of 127.0.0.1, any signature accepted.
    ///
    /// # Errors
    ///
    /// [`ServerError::Bind`] when no port of 127.0.0.1 can be bound.
    pub async fn start(kms: impl Kms) -> Result<Self, ServerError> {
        let kms: Arc<DynKms> = Arc::new(kms);
        Self::start_with(
            Server::builder(Backends::single(kms)).listen(SocketAddr::from(([127, 0, 0, 1], 0))),
        )
        .await
    }

    /// Serves what `builder` describes (credentials, limits, a backend per region...).
    ///
    /// # Errors
    ///
    /// The errors of [`ServerBuilder::bind`].
    pub async fn start_with(builder: ServerBuilder) -> Result<Self, ServerError> {
        let server = builder.bind().await?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let endpoint_url = server.endpoint_url();
        let local_addr = server.local_addr();
        let task = tokio::spawn(server.run(async {
            // A dropped sender stops the server too.
            let _ = stopped.await;
        }));
        Ok(Self {
            endpoint_url,
            local_addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, waits for the requests in flight and closes the backend.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
