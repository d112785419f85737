//! The mock's HTTP plumbing: a hyper HTTP/1.1 server on its own thread and runtime, over
//! plain TCP or TLS.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};

use super::State;
use super::faults::Disruption;
use super::handler::Connection;

type Body = BoxBody<Bytes, std::io::Error>;

fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// The largest request body the mock reads (uploads included).
const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// How long a client may take by default to send a request's headers, counted from the
/// connection's accept or the previous answer (and, in TLS mode, to complete the
/// handshake). Generous, as hyper's own default: a client that opens many connections at
/// once may be busy signing for seconds before it writes on the last of them.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client may take to send a request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The most connections served at once by default; further ones are closed as soon as they
/// are accepted (the load benchmark holds 1,000).
pub const MAX_CONNECTIONS: usize = 1024;

/// How many connections the mock asks the system to hold before it accepts them: as many
/// as the default connection cap, so that such a burst is not turned away (which a client
/// sees as a second's stall while it sends its handshake again). The system may hold fewer
/// (Linux caps it at `net.core.somaxconn`, 4096 by default since 5.4).
const LISTEN_BACKLOG: u32 = MAX_CONNECTIONS as u32;

/// How many connections the mock serves, and how long it waits for a request's headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) header_timeout: Duration,
}

pub(crate) struct Server {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    pub(crate) fn start(
        state: Arc<State>,
        port: u16,
        limits: Limits,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wechatpay-mock")
            .enable_all()
            .build()?;
        let (listener, addr) = match listen(&runtime, port) {
            Ok(bound) => bound,
            Err(e) => {
                // Dropping a runtime inside another one's task would panic.
                runtime.shutdown_background();
                return Err(e);
            }
        };
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("wechatpay-mock".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        _ = accept_loop(listener, state, limits, tls) => {}
                        _ = stopped => {}
                    }
                });
                runtime.shutdown_background();
            })?;
        Ok(Server {
            addr,
            shutdown: Some(shutdown),
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Listens on `127.0.0.1:port` (0: a free port) with room for a burst of connections.
fn listen(runtime: &tokio::runtime::Runtime, port: u16) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let _entered = runtime.enter();
    let socket = tokio::net::TcpSocket::new_v4()?;
    // As std's bind does on Unix: a port left in TIME_WAIT by a mock that stopped can be
    // bound again at once (on Windows the option would let two sockets share it).
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    let listener = socket.listen(LISTEN_BACKLOG)?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream); // over the cap: closed at once
            continue;
        };
        let state = state.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(TokioIo::new(stream), state, Connection::default(), limits).await,
                Some(acceptor) => {
                    // A failed or stalled handshake (a client certificate from another CA,
                    // plain HTTP on the TLS port) closes the connection.
                    if let Ok(Ok(stream)) = tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await {
                        let connection = Connection {
                            client_certificate: stream.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty()),
                        };
                        serve_connection(TokioIo::new(stream), state, connection, limits).await;
                    }
                }
            }
            drop(slot);
        });
    }
}

/// Serves the requests of one connection, plain or TLS.
async fn serve_connection<I>(io: I, state: Arc<State>, connection: Connection, limits: Limits)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |req| serve(state.clone(), connection, req));
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service)
        .await;
}

async fn serve(
    state: Arc<State>,
    connection: Connection,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Body>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let body = match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_REQUEST_BYTES).collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(_)) | Err(_) => {
            let mut res = hyper::Response::new(full(Bytes::from_static(
                br#"{"code":"PARAM_ERROR","message":"request body unreadable, too large or too slow"}"#,
            )));
            *res.status_mut() = http::StatusCode::BAD_REQUEST;
            return Ok(res);
        }
    };
    let answer =
        tokio::task::spawn_blocking(move || state.handle(parts.method, target, parts.headers, body, connection))
            .await
            .map_err(std::io::Error::other)?;
    let body = match (answer.disruption, answer.file) {
        (Disruption::None, Some(file)) => BoxBody::new(FileBody { file, offset: 0 }),
        (disruption, _) => disrupted(disruption, answer.body).await?,
    };
    let mut res = hyper::Response::new(body);
    *res.status_mut() = answer.status;
    *res.headers_mut() = answer.headers;
    Ok(res)
}

/// The body of an answer as a fault shapes it.
async fn disrupted(disruption: Disruption, body: Bytes) -> Result<Body, std::io::Error> {
    Ok(match disruption {
        Disruption::None => full(body),
        Disruption::Delay(delay) => {
            tokio::time::sleep(delay).await;
            full(body)
        }
        // An error from the service makes hyper close the connection without an answer.
        Disruption::DropBeforeHeaders => return Err(std::io::Error::other("fault: drop before headers")),
        Disruption::DropMidBody => BoxBody::new(HalfThenDrop {
            total: body.len() as u64,
            first: Some(body.slice(..body.len() / 2)),
        }),
    })
}

/// A file streamed block by block, never held whole.
struct FileBody {
    file: super::MockFile,
    offset: u64,
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let offset = self.offset;
        Poll::Ready(self.file.chunk(offset).map(|chunk| {
            self.offset += chunk.len() as u64;
            Ok(Frame::data(chunk))
        }))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.file.len() - self.offset)
    }
}

/// A body that announces its full length, sends the first half, then fails, so the
/// connection is cut mid-body.
struct HalfThenDrop {
    total: u64,
    first: Option<Bytes>,
}

impl hyper::body::Body for HalfThenDrop {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(match self.first.take() {
            Some(half) => Ok(Frame::data(half)),
            None => Err(std::io::Error::other("fault: drop mid-body")),
        }))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.total)
    }
}
