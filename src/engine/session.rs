//! One logged-in user: the local database, the authorised REST client, the gateway connection,
//! the domain services, and the loop that turns transport events into sync work and app events.
//!
//! The loop applies pushes as they come and runs one sync job at a time beside them (the
//! connect sync, or the pull of gaps); a failed job is retried with backoff. Everything the
//! session starts is owned: logout cancels it and waits for it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use openim_wire::constant::req;
use openim_wire::errcode;
use openim_wire::pb::push::{DelUserPushTokenReq, DelUserPushTokenResp};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::router::Router;
use super::sync::{MsgSyncer, RetryBackoff};
use super::{ConnEvent, Engine, Event};
use crate::context::SessionContext;
use crate::conversation::Conversations;
use crate::error::{OpenIMError, Result};
use crate::friend::Friends;
use crate::group::Groups;
use crate::message::Messages;
use crate::store::{Store, chat_logs, seqs, users};
use crate::transport::http::{ApiClient, ErrorHook};
use crate::transport::ws::{self, TransportEvent, WsConfig};
use crate::user::Users;
use crate::util::Token;

/// How long logout waits for the server's reply to 2003.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// Transport events queued for the session loop before the socket stops reading.
const TRANSPORT_QUEUE: usize = 256;

/// The first token error a REST call met, kept until the session loop acts on it.
#[derive(Default)]
struct TokenLatch {
    error: Mutex<Option<(i32, String)>>,
    notify: Notify,
}

pub struct Session {
    id: u64,
    ctx: Arc<SessionContext>,
    users: Users,
    conversations: Conversations,
    friends: Friends,
    groups: Groups,
    messages: Messages,
    /// The app came back to the foreground: compare seqs again.
    wake: Notify,
    cancel: CancellationToken,
    /// Set while logging out: connection events are no longer reported.
    closing: AtomicBool,
    conn_task: Mutex<Option<JoinHandle<()>>>,
    loop_task: Mutex<Option<JoinHandle<()>>>,
}

impl Session {
    /// Opens the store and starts the connection supervisor and the session loop.
    pub(super) async fn start(engine: &Arc<Engine>, id: u64, user_id: String, token: String) -> Result<Arc<Self>> {
        let config = engine.config();
        let store = Store::open(&config.data_dir, &user_id).await?;
        let (synced, cached_self) = {
            let mut tx = store.begin().await?;
            let failed = chat_logs::fail_pending_sends(&mut tx).await?;
            if failed > 0 {
                tracing::info!(count = failed, "messages left sending by the last session are now failed");
            }
            let synced = seqs::all(&mut tx).await?;
            let cached_self = users::get(&mut tx, &user_id).await?;
            tx.commit().await?;
            (synced, cached_self)
        };
        let token = Token::new(token);
        let cancel = CancellationToken::new();
        let (events_tx, events_rx) = mpsc::channel(TRANSPORT_QUEUE);

        // REST token errors end the session exactly like a refused handshake.
        let latch = Arc::new(TokenLatch::default());
        let hook_latch = latch.clone();
        let on_error: ErrorHook = Arc::new(move |e: &OpenIMError| {
            if let OpenIMError::Token { code, msg } = e {
                hook_latch.error.lock().expect("latch lock").get_or_insert_with(|| (*code, msg.clone()));
                hook_latch.notify.notify_one();
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
            engine.emitter.clone(),
            engine.background.clone(),
            synced,
            cancel.clone(),
        ));
        if let Some(me) = cached_self {
            ctx.set_self_info(crate::user::from_row(me));
        }
        let users = Users::new(ctx.clone());
        let conversations = Conversations::new(ctx.clone(), users.clone());
        let friends = Friends::new(ctx.clone(), conversations.clone());
        let groups = Groups::new(ctx.clone(), conversations.clone());
        let messages = Messages::new(ctx.clone(), conversations.clone());
        {
            // Copies of files left by messages of earlier sessions that were sent, deleted or
            // never sent, and records of uploads the server has forgotten (a session task:
            // logout stops it).
            let messages = messages.clone();
            ctx.spawn(async move {
                if let Err(e) = messages.clean_old_copies().await {
                    tracing::warn!(error = %e, "old copies of sent files could not be cleaned up");
                }
                if let Err(e) = messages.forget_expired_uploads().await {
                    tracing::warn!(error = %e, "expired upload records could not be removed");
                }
            });
        }
        let session = Arc::new(Self {
            id,
            ctx: ctx.clone(),
            users: users.clone(),
            conversations: conversations.clone(),
            friends: friends.clone(),
            groups: groups.clone(),
            messages: messages.clone(),
            wake: Notify::new(),
            cancel,
            closing: AtomicBool::new(false),
            conn_task: Mutex::new(Some(conn_task)),
            loop_task: Mutex::new(None),
        });
        let router = Router::new(messages.clone(), conversations.clone(), friends.clone(), groups.clone(), users.clone(), user_id);
        let syncer = Arc::new(MsgSyncer::new(ctx, messages, conversations, friends, groups, router));
        let task = tokio::spawn(run(Arc::downgrade(engine), session.clone(), syncer, events_rx, latch));
        *session.loop_task.lock().expect("task lock") = Some(task);
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

    pub fn friends(&self) -> &Friends {
        &self.friends
    }

    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// The device's network changed: the gateway connection is made again at once.
    pub fn network_changed(&self) {
        self.ctx.conn.network_changed();
    }

    /// Foreground again: resync what a sleeping app may have missed.
    pub fn wake_up(&self) {
        self.wake.notify_one();
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

    /// Stops the connection, the session loop and every session task, waits for them, then
    /// closes the database. Called from the session loop itself, it does not wait for the loop.
    pub(super) async fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.cancel.cancel();
        let conn_task = self.conn_task.lock().expect("task lock").take();
        if let Some(task) = conn_task {
            let _ = task.await;
        }
        self.ctx.shut_down().await;
        let loop_task = self.loop_task.lock().expect("task lock").take();
        if let Some(task) = loop_task
            && tokio::task::try_id() != Some(task.id())
        {
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

/// A sync job's task: its result, or `None` when the session ended first.
type JobTask = JoinHandle<Option<Result<()>>>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum JobKind {
    Connect,
    Gaps,
}

/// Why the loop ended.
enum Exit {
    /// Logout or the engine went away.
    Cancelled,
    /// The server ended the session; the engine logs out and tells the app `event`.
    Forced(ConnEvent),
}

/// The session loop; ends the session itself when the server ends it.
async fn run(
    engine: Weak<Engine>,
    session: Arc<Session>,
    syncer: Arc<MsgSyncer>,
    events: mpsc::Receiver<TransportEvent>,
    latch: Arc<TokenLatch>,
) {
    let exit = session.cancel.run_until_cancelled(serve(&engine, &session, &syncer, events, &latch)).await.unwrap_or(Exit::Cancelled);
    if let (Exit::Forced(event), Some(engine)) = (exit, engine.upgrade())
        && engine.end_session(session.id).await
    {
        engine.emit(Event::Conn(event)).await;
    }
}

async fn serve(
    engine: &Weak<Engine>,
    session: &Session,
    syncer: &Arc<MsgSyncer>,
    mut events: mpsc::Receiver<TransportEvent>,
    latch: &TokenLatch,
) -> Exit {
    let ctx = &session.ctx;
    // The running job is a task of its own: it holds the writer at times, and the loop must
    // never wait for the writer while the job waits for the loop.
    let mut job: Option<(JobTask, JobKind, u64)> = None;
    let mut connect_sync_wanted = false;
    let mut retry_at: Option<Instant> = None;
    let mut backoff = RetryBackoff::default();
    // Counts connections, so a job of an earlier one does not delay the next.
    let generation = AtomicU64::new(0);
    loop {
        if job.is_none() && retry_at.is_none() && ctx.conn.is_connected() {
            let current = generation.load(Ordering::Relaxed);
            let s = syncer.clone();
            if connect_sync_wanted {
                connect_sync_wanted = false;
                job = Some((ctx.spawn_with_result(async move { s.connect_sync().await }), JobKind::Connect, current));
            } else if syncer.has_pending() {
                job = Some((ctx.spawn_with_result(async move { s.pull_pending().await }), JobKind::Gaps, current));
            }
        }
        tokio::select! {
            (result, kind, started) = async {
                match job.as_mut() {
                    Some((task, kind, started)) => (task.await, *kind, *started),
                    None => std::future::pending().await,
                }
            } => {
                job = None;
                let result = match result {
                    Ok(Some(result)) => result,
                    Ok(None) => return Exit::Cancelled,
                    Err(e) => Err(OpenIMError::internal(format!("sync task failed: {e}"))),
                };
                match result {
                    Ok(()) => backoff.reset(),
                    Err(e) => {
                        if kind == JobKind::Connect {
                            connect_sync_wanted = true;
                        }
                        if started == generation.load(Ordering::Relaxed) {
                            let delay = backoff.next_delay();
                            tracing::warn!(error = %e, retry_in = ?delay, "sync failed; retrying");
                            retry_at = Some(Instant::now() + delay);
                        }
                    }
                }
            }
            _ = async {
                match retry_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => retry_at = None,
            _ = session.wake.notified() => connect_sync_wanted = true,
            _ = latch.notify.notified() => {
                if let Some((code, message)) = latch.error.lock().expect("latch lock").take() {
                    return Exit::Forced(token_event(code, message));
                }
            }
            event = events.recv() => {
                let Some(event) = event else { return Exit::Cancelled };
                let Some(engine) = engine.upgrade() else { return Exit::Cancelled };
                let closing = session.closing.load(Ordering::SeqCst);
                match event {
                    TransportEvent::Connecting if !closing => engine.emit(Event::Conn(ConnEvent::Connecting)).await,
                    TransportEvent::Connected if !closing => {
                        generation.fetch_add(1, Ordering::Relaxed);
                        engine.emit(Event::Conn(ConnEvent::ConnectSuccess)).await;
                        let users = session.users.clone();
                        ctx.spawn(async move {
                            // Presence subscriptions first (a new connection knows none), then
                            // the own profile.
                            if let Err(e) = users.resubscribe().await {
                                tracing::warn!(error = %e, "renewing presence subscriptions failed");
                            }
                            if let Err(e) = users.sync_self_info().await {
                                tracing::warn!(error = %e, "syncing the user's own profile failed");
                            }
                        });
                        connect_sync_wanted = true;
                        retry_at = None;
                        backoff.reset();
                    }
                    TransportEvent::ConnectFailed { code, message } if !closing => {
                        engine.emit(Event::Conn(ConnEvent::ConnectFailed { code, message })).await
                    }
                    TransportEvent::Push(data) if !closing => {
                        if let Err(e) = syncer.on_push(&data).await {
                            // Nothing of it was stored; its seqs are pulled again.
                            tracing::error!(error = %e, "applying a push failed; its conversations are resynced");
                            connect_sync_wanted = true;
                        }
                    }
                    TransportEvent::Kicked => return Exit::Forced(ConnEvent::KickedOffline),
                    TransportEvent::TokenRejected { code, message } => return Exit::Forced(token_event(code, message)),
                    TransportEvent::UserStatus(data) if !closing => session.users.on_status_push(&data).await,
                    TransportEvent::Disconnected { reason } => tracing::debug!(%reason, "disconnected"),
                    _ => {}
                }
            }
        }
    }
}

fn token_event(code: i32, message: String) -> ConnEvent {
    match code {
        errcode::TOKEN_EXPIRED => ConnEvent::UserTokenExpired,
        errcode::TOKEN_KICKED => ConnEvent::KickedOffline,
        _ => ConnEvent::UserTokenInvalid { message },
    }
}
