//! One logged-in user: the local database, the authorised REST client, the gateway connection
//! and the task that turns transport events into app events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use openim_wire::constant::req;
use openim_wire::errcode;
use openim_wire::pb::push::{DelUserPushTokenReq, DelUserPushTokenResp};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{ConnEvent, Engine, Event};
use crate::error::{OpenIMError, Result};
use crate::store::Store;
use crate::transport::http::{ApiClient, ErrorHook};
use crate::transport::ws::{self, Connection, TransportEvent, WsConfig};
use crate::user::Users;
use crate::util::Token;

/// How long logout waits for the server's reply to 2003.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Session {
    id: u64,
    user_id: String,
    platform_id: i32,
    store: Store,
    conn: Connection,
    users: Users,
    cancel: CancellationToken,
    /// Set while logging out: connection events are no longer reported.
    closing: AtomicBool,
    conn_task: Mutex<Option<JoinHandle<()>>>,
}

impl Session {
    /// Opens the store and starts the connection supervisor and the event loop.
    pub(super) async fn start(engine: &Arc<Engine>, id: u64, user_id: String, token: String) -> Result<Arc<Self>> {
        let config = engine.config();
        let store = Store::open(&config.data_dir, &user_id).await?;
        let token = Token::new(token);
        let cancel = CancellationToken::new();
        let (events_tx, events_rx) = mpsc::unbounded_channel();

        // REST token errors end the session exactly like a refused handshake.
        let hook_tx = events_tx.clone();
        let on_error: ErrorHook = Arc::new(move |e: &OpenIMError| {
            if let OpenIMError::Token { code, msg } = e {
                let _ = hook_tx.send(TransportEvent::TokenRejected { code: *code, message: msg.clone() });
            }
        });
        let api: ApiClient = engine.api.authorized(token.clone(), on_error);

        let (conn, conn_task) = ws::spawn(
            WsConfig {
                ws_addr: config.ws_addr.clone(),
                user_id: user_id.clone(),
                token,
                platform_id: config.platform_id,
                background: engine.background.clone(),
            },
            events_tx,
            cancel.clone(),
        );
        let session = Arc::new(Self {
            id,
            users: Users::new(api, store.clone(), user_id.clone()),
            user_id,
            platform_id: config.platform_id,
            store,
            conn,
            cancel,
            closing: AtomicBool::new(false),
            conn_task: Mutex::new(Some(conn_task)),
        });
        tokio::spawn(run(Arc::downgrade(engine), session.clone(), events_rx));
        Ok(session)
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn users(&self) -> &Users {
        &self.users
    }

    /// Runs background work for this session; it is dropped when the session ends.
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = work => {}
            }
        });
    }

    /// Graceful logout: request 2003 (best effort), then close.
    pub(super) async fn logout(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.conn.stop_reconnecting();
        if self.conn.is_connected() {
            let req = DelUserPushTokenReq { user_id: self.user_id.clone(), platform_id: self.platform_id };
            let sent = tokio::time::timeout(
                LOGOUT_TIMEOUT,
                self.conn.request::<_, DelUserPushTokenResp>(req::LOGOUT_MSG, &req),
            )
            .await;
            match sent {
                Ok(Ok(_)) => tracing::debug!("server released the session"),
                Ok(Err(e)) => tracing::warn!(error = %e, "logout request failed"),
                Err(_) => tracing::warn!("logout request timed out"),
            }
        }
        self.close().await;
    }

    /// Stops the connection and the event loop, then closes the database.
    pub(super) async fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.cancel.cancel();
        let task = self.conn_task.lock().expect("task lock").take();
        if let Some(task) = task {
            let _ = task.await;
        }
        self.store.close().await;
    }

    /// Stops everything without waiting (the engine is being dropped).
    pub(super) fn abandon(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.cancel.cancel();
    }
}

/// Turns transport events into app events until the session ends.
async fn run(engine: Weak<Engine>, session: Arc<Session>, mut events: mpsc::UnboundedReceiver<TransportEvent>) {
    loop {
        let event = tokio::select! {
            _ = session.cancel.cancelled() => break,
            event = events.recv() => match event {
                Some(event) => event,
                None => break,
            },
        };
        let Some(engine) = engine.upgrade() else { break };
        let closing = session.closing.load(Ordering::SeqCst);
        match event {
            TransportEvent::Connecting if !closing => engine.emit(Event::Conn(ConnEvent::Connecting)),
            TransportEvent::Connected if !closing => {
                engine.emit(Event::Conn(ConnEvent::ConnectSuccess));
                let users = session.users.clone();
                session.spawn(async move {
                    if let Err(e) = users.sync_self_info().await {
                        tracing::warn!(error = %e, "syncing the user's own profile failed");
                    }
                });
            }
            TransportEvent::ConnectFailed { code, message } if !closing => {
                engine.emit(Event::Conn(ConnEvent::ConnectFailed { code, message }))
            }
            TransportEvent::Kicked => {
                if engine.end_session(session.id).await {
                    engine.emit(Event::Conn(ConnEvent::KickedOffline));
                }
                break;
            }
            TransportEvent::TokenRejected { code, message } => {
                if engine.end_session(session.id).await {
                    engine.emit(Event::Conn(match code {
                        errcode::TOKEN_EXPIRED => ConnEvent::UserTokenExpired,
                        errcode::TOKEN_KICKED => ConnEvent::KickedOffline,
                        _ => ConnEvent::UserTokenInvalid { message },
                    }));
                }
                break;
            }
            TransportEvent::Disconnected { reason } => tracing::debug!(%reason, "disconnected"),
            TransportEvent::Push(_) | TransportEvent::UserStatus(_) => {}
            _ => {}
        }
    }
}
