//! The gateway connection: one WebSocket per session, supervised (reconnect with backoff,
//! stop for good on token errors and kicks), with request/response matching by `msgIncr`.
//!
//! [`spawn`] starts the supervisor task; it reports [`TransportEvent`]s and serves requests made
//! through the returned [`Connection`].

mod backoff;
mod connect;
mod socket;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openim_wire::gateway::{WsRequest, WsResponse, encode_frame};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::{OpenIMError, Result};
use crate::util::{Token, operation_id};

pub use backoff::Backoff;

/// How long a request waits for its reply (OpenIM: `sendAndWaitTime`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request made while the connection is (re)connecting waits for it before failing
/// (OpenIM's core queues such requests too: a send right after login, or in a short outage).
pub const CONNECT_WAIT: Duration = Duration::from_secs(3);
/// Largest server frame accepted, compressed.
pub const MAX_FRAME: usize = 4 * 1024 * 1024;
/// Largest server frame accepted once inflated.
pub const MAX_INFLATED_FRAME: usize = 16 * 1024 * 1024;
/// Largest frame the gateway reads from a client (OpenIM `maxMessageSize`).
pub const MAX_CLIENT_FRAME: usize = openim_wire::constant::defaults::GATEWAY_MAX_CLIENT_FRAME;

/// Who connects where.
#[derive(Debug, Clone)]
pub struct WsConfig {
    pub ws_addr: url::Url,
    pub user_id: String,
    pub token: Token,
    pub platform_id: i32,
    /// Sent as `isBackground` on every (re)connect.
    pub background: Arc<AtomicBool>,
}

/// What the connection reports to its session.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportEvent {
    /// An attempt starts.
    Connecting,
    /// The gateway accepted the connection.
    Connected,
    /// An attempt failed and will be retried after a backoff.
    ConnectFailed { code: i32, message: String },
    /// The gateway refused the token (1501–1507): the supervisor has stopped.
    TokenRejected { code: i32, message: String },
    /// An established connection was lost; a reconnect follows at once.
    Disconnected { reason: String },
    /// Another login took over (2002): the supervisor has stopped.
    Kicked,
    /// Push 2001: a `PushMessages` protobuf.
    Push(Vec<u8>),
    /// Push 2005: a `SubUserOnlineStatusTips` protobuf.
    UserStatus(Vec<u8>),
}

type PendingMap = Mutex<HashMap<String, oneshot::Sender<WsResponse>>>;

struct Shared {
    user_id: String,
    outbound: mpsc::Sender<Vec<u8>>,
    pending: PendingMap,
    connected: watch::Sender<bool>,
    counter: AtomicU64,
    /// Set by logout: a lost connection is not re-established.
    stopping: AtomicBool,
    /// The app said the network changed: the socket (or the attempt, or the wait before the
    /// next one) ends and a connection is made at once. A call while none of them runs is
    /// kept for the next.
    network_changed: tokio::sync::Notify,
}

/// A handle for making gateway requests; cheap to clone.
#[derive(Clone)]
pub struct Connection {
    shared: Arc<Shared>,
}

/// Removes a pending entry when the request future completes or is dropped.
struct PendingGuard<'a> {
    pending: &'a PendingMap,
    key: String,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.pending.lock().expect("pending lock").remove(&self.key);
    }
}

impl Connection {
    pub fn is_connected(&self) -> bool {
        *self.shared.connected.borrow()
    }

    /// Sends a protobuf request and decodes the protobuf reply.
    pub async fn request<Q, R>(&self, req_identifier: i32, req: &Q) -> Result<R>
    where
        Q: prost::Message,
        R: prost::Message + Default,
    {
        self.request_encoded(req_identifier, req.encode_to_vec()).await
    }

    /// [`Connection::request`] with the request already encoded.
    pub async fn request_encoded<R: prost::Message + Default>(&self, req_identifier: i32, data: Vec<u8>) -> Result<R> {
        let resp = self.request_raw(req_identifier, data, REQUEST_TIMEOUT).await?;
        R::decode(resp.data.as_slice())
            .map_err(|e| OpenIMError::protocol(format!("reply to {req_identifier} does not decode: {e}")))
    }

    /// Refuses a request whose frame would exceed the gateway's read limit (51 200 bytes per
    /// client frame): the gateway would drop the connection over it.
    pub fn check_request_size(&self, req_identifier: i32, data: &[u8]) -> Result<()> {
        // Base64 in the JSON envelope grows the payload by 4/3; gzip never grows it by more than
        // its framing. Below this bound the frame fits whatever the content.
        if data.len() * 4 / 3 + 1024 < MAX_CLIENT_FRAME {
            return Ok(());
        }
        let len = self.frame(req_identifier, data.to_vec(), "0".repeat(32), operation_id()).len();
        if len > MAX_CLIENT_FRAME {
            return Err(OpenIMError::InvalidArgument {
                code: openim_wire::errcode::SDK_ARGS,
                msg: format!("message too large: its frame is {len} bytes, the gateway accepts at most {MAX_CLIENT_FRAME}"),
            });
        }
        Ok(())
    }

    fn frame(&self, req_identifier: i32, data: Vec<u8>, msg_incr: String, operation_id: String) -> Vec<u8> {
        encode_frame(
            &WsRequest { req_identifier, token: String::new(), send_id: self.shared.user_id.clone(), operation_id, msg_incr, data },
            true,
        )
    }

    /// Sends one request frame and waits for the reply with the same `msgIncr`. A non-zero
    /// `errCode` in the reply becomes an error.
    pub async fn request_raw(&self, req_identifier: i32, data: Vec<u8>, timeout: Duration) -> Result<WsResponse> {
        if !self.is_connected() && !self.wait_connected(CONNECT_WAIT.min(timeout)).await {
            return Err(OpenIMError::network("not connected to the gateway"));
        }
        let n = self.shared.counter.fetch_add(1, Ordering::Relaxed);
        let msg_incr = format!("{}_{}_{}", self.shared.user_id, n, fastrand::u32(..));
        let frame = self.frame(req_identifier, data, msg_incr.clone(), operation_id());
        if frame.len() > MAX_CLIENT_FRAME {
            return Err(OpenIMError::InvalidArgument {
                code: openim_wire::errcode::SDK_ARGS,
                msg: format!("request {req_identifier} too large: {} bytes, the gateway accepts at most {MAX_CLIENT_FRAME}", frame.len()),
            });
        }
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().expect("pending lock").insert(msg_incr.clone(), tx);
        let _guard = PendingGuard { pending: &self.shared.pending, key: msg_incr.clone() };
        let deadline = tokio::time::Instant::now() + timeout;
        tokio::time::timeout_at(deadline, self.shared.outbound.send(frame))
            .await
            .map_err(|_| OpenIMError::timeout(format!("request {req_identifier}: write queue full")))?
            .map_err(|_| OpenIMError::network("connection closed"))?;
        let resp = match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(resp)) => resp,
            Ok(Err(_)) => return Err(OpenIMError::network(format!("request {req_identifier}: connection lost"))),
            Err(_) => return Err(OpenIMError::timeout(format!("request {req_identifier}: no reply in {timeout:?}"))),
        };
        if resp.err_code != 0 {
            return Err(OpenIMError::from_server(resp.err_code, resp.err_msg));
        }
        Ok(resp)
    }

    /// Waits up to `wait` for the connection; `false` at once when it is being closed for good.
    async fn wait_connected(&self, wait: Duration) -> bool {
        if self.stopping() {
            return false;
        }
        let mut connected = self.shared.connected.subscribe();
        matches!(tokio::time::timeout(wait, connected.wait_for(|c| *c)).await, Ok(Ok(_)))
    }

    /// Makes the supervisor stop instead of reconnecting once the connection ends.
    pub fn stop_reconnecting(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
    }

    /// The device's network changed (OpenIM's `NetworkStatusChanged`): the connection, which
    /// may be dead on the old network without knowing it, is dropped and made again at once,
    /// without waiting for the backoff.
    pub fn network_changed(&self) {
        self.shared.network_changed.notify_one();
    }

    fn stopping(&self) -> bool {
        self.shared.stopping.load(Ordering::SeqCst)
    }

    fn set_connected(&self, connected: bool) {
        self.shared.connected.send_replace(connected);
        if !connected {
            // Dropping the senders wakes every waiter with "connection lost".
            self.shared.pending.lock().expect("pending lock").clear();
        }
    }

    /// Hands a reply to its waiter; gives it back when nobody waits for that `msgIncr`.
    fn complete(&self, resp: WsResponse) -> Option<WsResponse> {
        let waiter = self.shared.pending.lock().expect("pending lock").remove(&resp.msg_incr);
        match waiter {
            // A waiter that gave up in the meantime simply drops the reply.
            Some(tx) => {
                let _ = tx.send(resp);
                None
            }
            None => Some(resp),
        }
    }
}

/// Starts the connection supervisor. It runs until `cancel` fires, the token is refused, or the
/// connection is kicked.
pub fn spawn(config: WsConfig, events: mpsc::Sender<TransportEvent>, cancel: CancellationToken) -> (Connection, JoinHandle<()>) {
    let (outbound, outbound_rx) = mpsc::channel(64);
    let connection = Connection {
        shared: Arc::new(Shared {
            user_id: config.user_id.clone(),
            outbound,
            pending: Mutex::new(HashMap::new()),
            connected: watch::Sender::new(false),
            counter: AtomicU64::new(1),
            stopping: AtomicBool::new(false),
            network_changed: tokio::sync::Notify::new(),
        }),
    };
    let task = tokio::spawn(supervise(config, connection.clone(), outbound_rx, events, cancel));
    (connection, task)
}

async fn supervise(
    config: WsConfig,
    connection: Connection,
    mut outbound: mpsc::Receiver<Vec<u8>>,
    events: mpsc::Sender<TransportEvent>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::default();
    // Waits while the session is behind; a session that is gone ends the supervisor.
    let emit = |e: TransportEvent| {
        let events = events.clone();
        async move { events.send(e).await.is_ok() }
    };
    while !cancel.is_cancelled() && !connection.stopping() {
        if !emit(TransportEvent::Connecting).await {
            break;
        }
        let attempt = tokio::select! {
            _ = cancel.cancelled() => break,
            _ = connection.shared.network_changed.notified() => {
                backoff.reset();
                continue;
            }
            attempt = connect::connect(&config) => attempt,
        };
        match attempt {
            Ok((ws, first)) => {
                backoff.reset();
                // Frames queued while disconnected belong to requests that already failed.
                while outbound.try_recv().is_ok() {}
                connection.set_connected(true);
                if !emit(TransportEvent::Connected).await {
                    break;
                }
                let end = socket::run(ws, first, &connection, &mut outbound, &events, &cancel).await;
                connection.set_connected(false);
                match end {
                    socket::End::Cancelled => break,
                    socket::End::Kicked => {
                        emit(TransportEvent::Kicked).await;
                        break;
                    }
                    socket::End::Lost(_) if connection.stopping() => break,
                    socket::End::Lost(reason) => {
                        tracing::info!(%reason, "gateway connection lost, reconnecting");
                        emit(TransportEvent::Disconnected { reason }).await;
                        continue;
                    }
                }
            }
            Err(connect::ConnectError::Rejected { code, message }) if openim_wire::errcode::is_token_error(code) => {
                tracing::warn!(code, %message, "gateway refused the token; not reconnecting");
                emit(TransportEvent::ConnectFailed { code, message: message.clone() }).await;
                emit(TransportEvent::TokenRejected { code, message }).await;
                break;
            }
            Err(e) => {
                let (code, message) = e.code_and_message();
                tracing::info!(code, %message, "gateway connection attempt failed");
                emit(TransportEvent::ConnectFailed { code, message }).await;
            }
        }
        let delay = backoff.next_delay();
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = connection.shared.network_changed.notified() => backoff.reset(),
            _ = tokio::time::sleep(delay) => {}
        }
    }
    connection.set_connected(false);
}
