//! The listener: accepting connections within the limits, HTTP/1.1 and HTTP/2 (over TLS
//! when configured), and a graceful shutdown that lets requests in flight finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::Authentication;
use crate::backends::Backends;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::service::Service;
use crate::tls::Tls;

/// The port `kms serve` listens on by default.
pub const DEFAULT_PORT: u16 = 4599;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A non-loopback address without credentials and without `allow_unauthenticated`.
    #[error(
        "refusing to listen on {addr} without credentials: anyone who can reach it could use \
         its keys. Give a credentials file (--credentials FILE), listen on 127.0.0.1, or pass \
         --allow-unauthenticated"
    )]
    Unauthenticated {
        /// The address.
        addr: SocketAddr,
    },
    /// The TLS certificate or key cannot be used.
    #[error("TLS: {message}")]
    Tls {
        /// What is wrong.
        message: String,
    },
}

/// How a server is set up before it listens.
#[derive(Debug)]
pub struct ServerBuilder {
    backends: Backends,
    listen: SocketAddr,
    auth: Authentication,
    limits: Limits,
    tls: Option<Tls>,
    allow_unauthenticated: bool,
}

impl ServerBuilder {
    /// Listens on `addr` (default `127.0.0.1:4599`; port 0 picks a free port).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// How requests are authenticated (default: any signature is accepted).
    #[must_use]
    pub fn authentication(mut self, auth: Authentication) -> Self {
        self.auth = auth;
        self
    }

    /// The limits (default [`Limits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Serves `https://` with this TLS configuration.
    #[must_use]
    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Allows a non-loopback address without verified signatures.
    #[must_use]
    pub fn allow_unauthenticated(mut self, allow: bool) -> Self {
        self.allow_unauthenticated = allow;
        self
    }

    /// Binds the address.
    ///
    /// # Errors
    ///
    /// [`ServerError::Unauthenticated`] for a non-loopback address without credentials
    /// (unless allowed), [`ServerError::Bind`] when the address cannot be bound.
    pub async fn bind(self) -> Result<Server, ServerError> {
        let addr = self.listen;
        if !addr.ip().is_loopback() && !self.auth.verifies() && !self.allow_unauthenticated {
            return Err(ServerError::Unauthenticated { addr });
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        Ok(Server {
            listener,
            local_addr,
            tls: self.tls,
            service: Arc::new(Service::new(self.backends, self.auth, self.limits)),
        })
    }
}

/// A server bound to its address, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    tls: Option<Tls>,
    service: Arc<Service>,
}

impl Server {
    /// A server in front of `backends`.
    pub fn builder(backends: Backends) -> ServerBuilder {
        ServerBuilder {
            backends,
            listen: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            auth: Authentication::AcceptAny,
            limits: Limits::default(),
            tls: None,
            allow_unauthenticated: false,
        }
    }

    /// The address it listens on (with the port chosen for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://ADDR:PORT`, or `https://` with TLS: what clients use as their endpoint URL.
    pub fn endpoint_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.local_addr)
    }

    /// Opens the backend of the default region now rather than at the first request, so
    /// that a store that cannot be opened is reported before the server says it listens.
    ///
    /// # Errors
    ///
    /// The backend's error (`KMSInternalException` naming the cause).
    pub async fn open_default_backend(&self) -> kms_core::Result<()> {
        self.service.backends.get(None, None).await.map(drop)
    }

    /// The server's metrics.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.service.metrics)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets the requests in flight
    /// finish (at most [`Limits::shutdown_grace`]), and closes the backends.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let limits = self.service.limits.clone();
        let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let graceful = GracefulShutdown::new();
        let mut http = auto::Builder::new(TokioExecutor::new());
        http.http1()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        http.http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(limits.max_http2_streams)
            .keep_alive_interval(limits.header_timeout)
            .keep_alive_timeout(limits.header_timeout);
        let connections = Connections {
            http,
            service: Arc::clone(&self.service),
            tls: self.tls.clone(),
            handshake_timeout: limits.header_timeout,
        };
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, _peer)) => connections.spawn(stream, permit, graceful.watcher()),
                Err(err) => {
                    // Out of file descriptors or a connection reset before it was
                    // accepted: wait a little rather than spin.
                    tracing::warn!(target: "kms_server::accept", "accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        drop(self.listener);
        tracing::info!(
            target: "kms_server::shutdown",
            connections = graceful.count(),
            "shutting down: waiting for requests in flight"
        );
        if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                target: "kms_server::shutdown",
                "requests still in flight after {:?}; closing anyway",
                limits.shutdown_grace
            );
        }
        self.service.backends.close();
    }
}

/// What each connection needs.
struct Connections {
    http: auto::Builder<TokioExecutor>,
    service: Arc<Service>,
    tls: Option<Tls>,
    handshake_timeout: Duration,
}

impl Connections {
    /// Serves one connection on a task of its own.
    fn spawn(&self, stream: TcpStream, permit: OwnedSemaphorePermit, watcher: Watcher) {
        // Responses are small and latency matters more than packet count.
        let _ = stream.set_nodelay(true);
        let http = self.http.clone();
        let service = Arc::clone(&self.service);
        let tls = self.tls.clone();
        let handshake_timeout = self.handshake_timeout;
        tokio::spawn(async move {
            service.metrics.connections(1);
            match tls {
                None => serve(&http, stream, &service, watcher, handshake_timeout).await,
                Some(tls) => {
                    match tokio::time::timeout(handshake_timeout, tls.acceptor().accept(stream))
                        .await
                    {
                        Ok(Ok(stream)) => {
                            serve(&http, stream, &service, watcher, handshake_timeout).await;
                        }
                        Ok(Err(err)) => {
                            tracing::debug!(target: "kms_server::tls", "handshake failed: {err}");
                        }
                        Err(_) => {
                            tracing::debug!(target: "kms_server::tls", "handshake timed out");
                        }
                    }
                }
            }
            service.metrics.connections(-1);
            drop(permit);
        });
    }
}

/// Serves HTTP/1.1 or HTTP/2 on `io` until the client closes it or the server shuts down.
///
/// A client that sends no request within `first_request_timeout` is disconnected: hyper's
/// header timeout only starts once the protocol is known, which takes the client's first
/// bytes. After the first request, HTTP/1.1's header timeout covers idle keep-alive time.
async fn serve<I>(
    http: &auto::Builder<TokioExecutor>,
    io: I,
    service: &Arc<Service>,
    watcher: Watcher,
    first_request_timeout: Duration,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let requested = Arc::new(AtomicBool::new(false));
    let handler = {
        let service = Arc::clone(service);
        let requested = Arc::clone(&requested);
        service_fn(move |request: http::Request<Incoming>| {
            requested.store(true, Ordering::Relaxed);
            let service = Arc::clone(&service);
            async move { Ok::<_, Infallible>(service.handle(request).await) }
        })
    };
    let connection = watcher.watch(
        http.serve_connection(TokioIo::new(io), handler)
            .into_owned(),
    );
    let silent = async {
        tokio::time::sleep(first_request_timeout).await;
        if requested.load(Ordering::Relaxed) {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = connection => {
            if let Err(err) = result {
                tracing::debug!(target: "kms_server::connection", "connection ended: {err}");
            }
        }
        () = silent => {
            tracing::debug!(target: "kms_server::connection", "no request in time: closed");
        }
    }
}
