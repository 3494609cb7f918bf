//! Accepting and serving connections (HTTP/1.1 through hyper) with the limits a server facing
//! the internet needs, which `axum::serve` has none of:
//!
//! - **header timeout**: a request's head (request line and headers) must arrive whole within
//!   [`DEFAULT_HEADER_TIMEOUT`] of a connection's opening or of the request's first byte, so
//!   a client sending its headers a byte at a time is cut off within seconds;
//! - **idle timeout**: a kept-alive connection with no request for [`DEFAULT_IDLE_TIMEOUT`]
//!   after its last reply is closed;
//! - **connection cap**: at most [`DEFAULT_MAX_CONNECTIONS`] connections are served at once;
//!   past that, new ones wait in the listen backlog until one closes.
//!
//! hyper has one timer of its own (`header_read_timeout`), but it runs from the moment a
//! connection is ready for its next request, so it bounds the idle time and the head's time
//! together; a watchdog per connection here keeps the two apart (as Go's `IdleTimeout` and
//! `ReadHeaderTimeout`), so a proxy may keep pooled connections open longer than a client may
//! take to send a head. A connection's phases, and what bounds each:
//!
//! ```text
//! opened ─▶ head ─(head complete)─▶ busy ─(reply sent)─▶ idle ─(first byte)─▶ head …
//!           header timeout          request timeouts     idle timeout
//! ```
//!
//! Each request carries its peer address ([`ConnectInfo`]) for the rate limits. On shutdown
//! the listener closes, idle connections close, and requests in flight finish.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Default time for a request's head to arrive whole.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a kept-alive connection may wait for its next request.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Longest a shutdown waits for the requests in flight (a write may take 120 s).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(130);

/// The limits of connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish (for at most [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut warned_full: Option<Instant> = None;
    loop {
        if slots.available_permits() == 0
            && warned_full.is_none_or(|t| t.elapsed() > Duration::from_secs(60))
        {
            warned_full = Some(Instant::now());
            tracing::warn!(
                max_connections = limits.max_connections,
                "every connection slot is taken: new connections wait (KAVOSH_MAX_CONNECTIONS)"
            );
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = serve_connection(stream, peer, router.clone(), limits, &graceful);
        tokio::spawn(async move {
            connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway");
    }
}

/// An accept that failed: connection errors are the client's; others (out of file
/// descriptors) are logged and retried after a pause, as hyper and axum do.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!("cannot accept a connection: {e}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Serves one connection until it closes, a timeout cuts it, or a shutdown ends it.
fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    let (phase, watch_phase) = watch::channel((Phase::Head, Instant::now()));
    let phase = Arc::new(phase);
    let io = TokioIo::new(Watched {
        stream,
        phase: phase.clone(),
    });
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        set_phase(&phase, Phase::Busy);
        request.extensions_mut().insert(ConnectInfo(peer));
        let (router, phase) = (router.clone(), phase.clone());
        async move {
            let response = router
                .oneshot(request.map(Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            Ok::<_, Infallible>(response.map(|body| Body::new(Replying { body, phase })))
        }
    });
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    let connection = graceful.watch(connection);
    async move {
        tokio::select! {
            result = connection => {
                if let Err(e) = result {
                    tracing::debug!(%peer, "connection ended: {e}");
                }
            }
            phase = watchdog(watch_phase, limits) => {
                tracing::debug!(%peer, ?phase, "connection closed: past its time");
            }
        }
    }
}

/// What a connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Receiving a request's head (or waiting for the first one).
    Head,
    /// A request is being answered.
    Busy,
    /// Kept alive between requests.
    Idle,
}

fn set_phase(phase: &watch::Sender<(Phase, Instant)>, to: Phase) {
    phase.send_if_modified(|(current, since)| {
        let changed = *current != to;
        if changed {
            (*current, *since) = (to, Instant::now());
        }
        changed
    });
}

/// Resolves with the phase that ran past its time.
async fn watchdog(mut phase: watch::Receiver<(Phase, Instant)>, limits: ConnectionLimits) -> Phase {
    loop {
        let (current, since) = *phase.borrow_and_update();
        let limit = match current {
            Phase::Head => Some(limits.header_timeout),
            Phase::Idle => Some(limits.idle_timeout),
            Phase::Busy => None,
        };
        let changed = match limit {
            Some(limit) => tokio::select! {
                () = tokio::time::sleep_until((since + limit).into()) => return current,
                changed = phase.changed() => changed,
            },
            None => phase.changed().await,
        };
        if changed.is_err() {
            // The connection is gone.
            return std::future::pending().await;
        }
    }
}

/// The connection's stream: the first byte read while idle starts a request's head.
struct Watched {
    stream: TcpStream,
    phase: Arc<watch::Sender<(Phase, Instant)>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before && self.phase.borrow().0 == Phase::Idle {
            set_phase(&self.phase, Phase::Head);
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A reply's body: once hyper has sent it (and dropped it), the connection is idle.
struct Replying {
    body: Body,
    phase: Arc<watch::Sender<(Phase, Instant)>>,
}

impl HttpBody for Replying {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Replying {
    fn drop(&mut self) {
        set_phase(&self.phase, Phase::Idle);
    }
}
