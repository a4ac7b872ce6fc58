//! One logged-in user: the local database, the authorised REST client, the gateway connection,
//! the domain services, and the task that turns transport events into sync work and app events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use openim_wire::constant::req;
use openim_wire::errcode;
use openim_wire::pb::push::{DelUserPushTokenReq, DelUserPushTokenResp};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::sync::MsgSyncer;
use super::{ConnEvent, Engine, Event};
use crate::context::SessionContext;
use crate::conversation::Conversations;
use crate::error::{OpenIMError, Result};
use crate::message::Messages;
use crate::store::Store;
use crate::transport::http::{ApiClient, ErrorHook};
use crate::transport::ws::{self, TransportEvent, WsConfig};
use crate::user::Users;
use crate::util::Token;

/// How long logout waits for the server's reply to 2003.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Work the session loop does besides transport events.
enum Command {
    /// The app came back to the foreground: compare seqs again.
    WakeUp,
}

pub struct Session {
    id: u64,
    ctx: Arc<SessionContext>,
    users: Users,
    conversations: Conversations,
    messages: Messages,
    commands: mpsc::UnboundedSender<Command>,
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
        let failed = store.fail_pending_sends().await?;
        if !failed.is_empty() {
            tracing::info!(count = failed.len(), "messages left sending by the last session are now failed");
        }
        let synced = store.synced_seqs().await?;
        let cached_self = store.get_user(&user_id).await?;
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
        let ctx = Arc::new(SessionContext::new(
            user_id.clone(),
            config.platform_id,
            api.clone(),
            store.clone(),
            conn,
            Arc::new(engine.dispatcher.clone()),
            engine.background.clone(),
            synced,
        ));
        if let Some(me) = cached_self {
            ctx.set_self_info(me);
        }
        let users = Users::new(api, store, user_id);
        let conversations = Conversations::new(ctx.clone(), users.clone());
        let messages = Messages::new(ctx.clone(), conversations.clone(), users.clone());
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let session = Arc::new(Self {
            id,
            ctx: ctx.clone(),
            users,
            conversations: conversations.clone(),
            messages: messages.clone(),
            commands,
            cancel,
            closing: AtomicBool::new(false),
            conn_task: Mutex::new(Some(conn_task)),
        });
        let syncer = MsgSyncer::new(ctx, messages, conversations);
        tokio::spawn(run(Arc::downgrade(engine), session.clone(), syncer, events_rx, commands_rx));
        Ok(session)
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn user_id(&self) -> &str {
        &self.ctx.user_id
    }

    pub fn users(&self) -> &Users {
        &self.users
    }

    pub fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// Foreground again: resync what a sleeping app may have missed.
    pub fn wake_up(&self) {
        let _ = self.commands.send(Command::WakeUp);
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
        self.ctx.conn.stop_reconnecting();
        if self.ctx.conn.is_connected() {
            let req = DelUserPushTokenReq { user_id: self.ctx.user_id.clone(), platform_id: self.ctx.platform_id };
            let sent =
                tokio::time::timeout(LOGOUT_TIMEOUT, self.ctx.conn.request::<_, DelUserPushTokenResp>(req::LOGOUT_MSG, &req)).await;
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
        self.ctx.store.close().await;
    }

    /// Stops everything without waiting (the engine is being dropped).
    pub(super) fn abandon(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.cancel.cancel();
    }
}

/// Turns transport events into sync work and app events until the session ends. Sync work runs
/// here, one item at a time, so pushes are applied in order and never during a connect sync.
async fn run(
    engine: Weak<Engine>,
    session: Arc<Session>,
    syncer: MsgSyncer,
    mut events: mpsc::UnboundedReceiver<TransportEvent>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    loop {
        let event = tokio::select! {
            _ = session.cancel.cancelled() => break,
            command = commands.recv() => match command {
                Some(Command::WakeUp) => {
                    if session.ctx.conn.is_connected() {
                        tokio::select! {
                            _ = session.cancel.cancelled() => break,
                            _ = syncer.wake_up() => {}
                        }
                    }
                    continue;
                }
                None => break,
            },
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
                let (users, ctx) = (session.users.clone(), session.ctx.clone());
                session.spawn(async move {
                    match users.sync_self_info().await {
                        Ok(me) => ctx.set_self_info(me),
                        Err(e) => tracing::warn!(error = %e, "syncing the user's own profile failed"),
                    }
                });
                tokio::select! {
                    _ = session.cancel.cancelled() => break,
                    _ = syncer.on_connected() => {}
                }
            }
            TransportEvent::ConnectFailed { code, message } if !closing => {
                engine.emit(Event::Conn(ConnEvent::ConnectFailed { code, message }))
            }
            TransportEvent::Push(data) if !closing => {
                tokio::select! {
                    _ = session.cancel.cancelled() => break,
                    _ = syncer.on_push(&data) => {}
                }
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
            _ => {}
        }
    }
}
