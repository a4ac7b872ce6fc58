//! An OpenIM v3 compatible server in one process: the REST API and the WebSocket msg gateway,
//! backed by SQLite (in memory by default). Start it from the command line
//! (`openim-devserver --help`) or embed it:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let server = openim_devserver::DevServer::start(Default::default()).await?;
//! let admin = openim_devserver::AdminClient::connect(&server.api_url(), openim_wire::constant::defaults::SECRET).await?;
//! admin.register_user("alice", "Alice").await?;
//! let token = admin.user_token("alice", 2).await?;
//! # let _ = token; server.shutdown().await; Ok(()) }
//! ```

pub mod admin;
mod api;
mod auth;
pub mod config;
mod error;
pub mod faults;
mod gateway;
mod messaging;
pub mod raw_client;
mod state;
mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use admin::{AdminClient, ApiCallError};
pub use config::DevServerConfig;
pub use error::CodeError;
pub use faults::{Faults, ReplyFault};
pub use raw_client::RawClient;
pub use store::versions::kind as version_kind;

use state::AppState;

/// A running devserver. Dropping it stops it; [`DevServer::shutdown`] also waits for that.
pub struct DevServer {
    api_addr: SocketAddr,
    ws_addr: SocketAddr,
    state: Arc<AppState>,
    tasks: Vec<JoinHandle<()>>,
}

impl DevServer {
    /// Opens the store, binds both listeners and starts serving.
    pub async fn start(config: DevServerConfig) -> anyhow::Result<Self> {
        let store = store::Store::open(config.data.as_deref()).await?;
        for admin in &config.admin_user_ids {
            store.ensure_user(admin, store::now_ms()).await?;
        }
        // Everyone's client settings from the configuration, over what a data file kept.
        store.set_client_config("", &config.client_config).await?;
        let auth = auth::Auth::new(
            &config.secret,
            config.token_expire_secs.unwrap_or(config.token_expire_days.saturating_mul(24 * 60 * 60)),
            config.admin_user_ids.clone(),
            config.multi_login_policy,
            store.clone(),
        );
        let api_listener = TcpListener::bind(config.api_addr).await?;
        let ws_listener = TcpListener::bind(config.ws_addr).await?;
        let api_addr = api_listener.local_addr()?;
        let ws_addr = ws_listener.local_addr()?;
        let state = Arc::new(AppState::new(config, store, auth));
        let tasks = vec![
            tokio::spawn(serve(api_listener, api::router(state.clone()), state.shutdown.clone())),
            tokio::spawn(serve(ws_listener, gateway::router(state.clone()), state.shutdown.clone())),
            tokio::spawn(messaging::destruct::run(state.clone())),
        ];
        tracing::info!(%api_addr, %ws_addr, "openim-devserver started");
        Ok(Self { api_addr, ws_addr, state, tasks })
    }

    /// The REST API's base URL, e.g. `http://127.0.0.1:10002`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    /// The gateway's URL, e.g. `ws://127.0.0.1:10001`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    pub fn ws_addr(&self) -> SocketAddr {
        self.ws_addr
    }

    /// Faults to inject (all off until a test switches them on).
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Starts `owner`'s version log of `kind` over with a new version ID, as when the server
    /// loses or trims it: clients holding the old ID must sync the whole list again.
    pub async fn reset_version_log(&self, kind: &str, owner: &str) -> Result<(), CodeError> {
        self.state.store.reset_version_log(kind, owner).await
    }

    /// Number of live gateway connections.
    pub fn online_connections(&self) -> usize {
        self.state.registry.online_count()
    }

    /// Drops every gateway connection of `user_id` at once, as a network cut would (no kick
    /// notice; the clients reconnect). For tests of reconnection.
    pub fn disconnect_user(&self, user_id: &str) -> usize {
        let conns = self.state.registry.conns_of(user_id);
        for conn in &conns {
            conn.abort.cancel();
        }
        conns.len()
    }

    /// Issues a user token the way `/auth/get_user_token` does, but valid for `ttl_seconds`
    /// (negative gives an already expired token). For tests of token expiry.
    pub async fn issue_token_with_ttl(&self, user_id: &str, platform_id: i32, ttl_seconds: i64) -> Result<String, CodeError> {
        self.state.auth.create_token_with_ttl(user_id, platform_id, ttl_seconds).await
    }

    /// Closes every connection and both listeners, then the store.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.state.store.close().await;
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

async fn serve(listener: TcpListener, router: axum::Router, shutdown: CancellationToken) {
    use axum::serve::ListenerExt;
    // Small frames (replies, pushes) must not wait for Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let result = axum::serve(listener, router).with_graceful_shutdown(shutdown.cancelled_owned()).await;
    if let Err(e) = result {
        tracing::error!(error = %e, "listener failed");
    }
}
