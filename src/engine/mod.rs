//! The engine: login state, one [`Session`] per logged-in user, and event delivery through the
//! [`Dispatcher`].

mod config;
pub mod dispatcher;
pub mod router;
mod session;
mod sync;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use config::EngineConfig;
pub use crate::events::{ConnEvent, Event, EventSink};
pub use session::Session;

use crate::error::{OpenIMError, Result};
use crate::events::Emitter;
use crate::transport::http::ApiClient;

/// OpenIM's login status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    LoggedOut,
    Logging,
    Logged,
}

struct State {
    status: Status,
    session: Option<Arc<Session>>,
}

pub struct Engine {
    config: EngineConfig,
    api: ApiClient,
    emitter: Emitter,
    /// Serialises login, logout and forced logout.
    lifecycle: tokio::sync::Mutex<()>,
    state: Mutex<State>,
    next_session_id: AtomicU64,
    background: Arc<AtomicBool>,
}

impl Engine {
    /// Creates an engine that delivers its events to `sink` on a dedicated listener thread.
    pub fn new(config: EngineConfig, sink: Arc<dyn EventSink>) -> Result<Arc<Self>> {
        let api = ApiClient::new(&config.api_addr)?;
        Ok(Arc::new(Self {
            config,
            api,
            emitter: dispatcher::start(sink),
            lifecycle: tokio::sync::Mutex::new(()),
            state: Mutex::new(State { status: Status::LoggedOut, session: None }),
            next_session_id: AtomicU64::new(1),
            background: Arc::new(AtomicBool::new(false)),
        }))
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn login_status(&self) -> Status {
        self.state.lock().expect("state lock").status
    }

    pub fn login_user_id(&self) -> Option<String> {
        let state = self.state.lock().expect("state lock");
        state.session.as_ref().map(|s| s.user_id().to_owned())
    }

    /// The active session, or `NotLoggedIn` (10009).
    pub fn session(&self) -> Result<Arc<Session>> {
        let state = self.state.lock().expect("state lock");
        match (&state.status, &state.session) {
            (Status::Logged, Some(session)) => Ok(session.clone()),
            _ => Err(OpenIMError::not_logged_in()),
        }
    }

    pub(crate) async fn emit(&self, event: Event) {
        self.emitter.emit(event).await;
    }

    /// Tells the listener thread the session ended (best effort: a listener that blocks the
    /// queue must not block logout).
    async fn closed(&self) {
        if tokio::time::timeout(std::time::Duration::from_secs(1), self.emit(Event::Conn(ConnEvent::Closed))).await.is_err() {
            tracing::warn!("listener queue full at logout; the connection state is reset late");
        }
    }

    /// Opens the user's database and starts the connection. `LoginRepeat` (10102) while a
    /// session is active or being set up.
    pub async fn login(self: &Arc<Self>, user_id: String, token: String) -> Result<()> {
        if user_id.trim().is_empty() {
            return Err(OpenIMError::invalid_argument("user_id is empty"));
        }
        if token.trim().is_empty() {
            return Err(OpenIMError::invalid_argument("token is empty"));
        }
        let _lifecycle = self.lifecycle.lock().await;
        {
            let mut state = self.state.lock().expect("state lock");
            if state.status != Status::LoggedOut {
                return Err(OpenIMError::login_repeat());
            }
            state.status = Status::Logging;
        }
        let id = self.next_session_id.fetch_add(1, Ordering::Relaxed);
        let started = Session::start(self, id, user_id, token).await;
        let mut state = self.state.lock().expect("state lock");
        match started {
            Ok(session) => {
                tracing::info!(user = %session.user_id(), session = id, "logged in");
                state.status = Status::Logged;
                state.session = Some(session);
                Ok(())
            }
            Err(e) => {
                state.status = Status::LoggedOut;
                Err(e)
            }
        }
    }

    /// Tells the server (2003), then closes the connection and the database.
    pub async fn logout(&self) -> Result<()> {
        let _lifecycle = self.lifecycle.lock().await;
        let session = self.session()?;
        session.logout().await;
        {
            let mut state = self.state.lock().expect("state lock");
            state.status = Status::LoggedOut;
            state.session = None;
        }
        self.closed().await;
        tracing::info!(user = %session.user_id(), "logged out");
        Ok(())
    }

    /// Ends session `id` after a kick or a refused token, without telling the server. Returns
    /// whether that session was still the active one.
    async fn end_session(&self, id: u64) -> bool {
        let _lifecycle = self.lifecycle.lock().await;
        let session = {
            let mut state = self.state.lock().expect("state lock");
            if state.session.as_ref().map(|s| s.id()) != Some(id) {
                return false;
            }
            state.status = Status::LoggedOut;
            state.session.take()
        };
        if let Some(session) = session {
            session.close().await;
        }
        self.closed().await;
        true
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Ok(state) = self.state.get_mut()
            && let Some(session) = state.session.take()
        {
            session.abandon();
        }
    }
}
