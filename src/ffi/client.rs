//! `OpenIMClient`, the SDK's entry point.

use std::sync::Arc;

use crate::engine::{Engine, EngineConfig, Status};
use crate::error::Result;
use crate::ffi::listeners::ListenerRegistry;
use crate::ffi::{ConnListener, LoginStatus, OpenIMConfig, UserInfo};
use crate::{logging, runtime};

/// One OpenIM account session at a time on one device. Create it once (it is cheap to keep),
/// set listeners, then `login`. All methods are safe to call from any thread.
#[derive(uniffi::Object)]
pub struct OpenIMClient {
    engine: Arc<Engine>,
    listeners: Arc<ListenerRegistry>,
}

#[uniffi::export]
impl OpenIMClient {
    /// Validates `config` and creates a client. Refuses a platform outside 1–11 (or the admin
    /// platform 10), URLs that are not http(s) / ws(s), and an empty `data_dir`.
    #[uniffi::constructor]
    pub fn new(config: OpenIMConfig) -> Result<Arc<Self>> {
        logging::init(config.log_level);
        let config = EngineConfig::new(config.platform, &config.api_addr, &config.ws_addr, &config.data_dir)?;
        let listeners = Arc::new(ListenerRegistry::default());
        let engine = Engine::new(config, listeners.clone())?;
        Ok(Arc::new(Self { engine, listeners }))
    }

    /// Opens `user_id`'s local database and starts connecting to the gateway. Returns once the
    /// session is set up; connection progress arrives through the `ConnListener`. Fails with
    /// code 10102 when a session is already active.
    pub async fn login(&self, user_id: String, token: String) -> Result<()> {
        let engine = self.engine.clone();
        runtime::run(async move { engine.login(user_id, token).await }).await
    }

    /// Tells the server (request 2003), closes the connection and the local database.
    pub async fn logout(&self) -> Result<()> {
        let engine = self.engine.clone();
        runtime::run(async move { engine.logout().await }).await
    }

    pub fn login_status(&self) -> LoginStatus {
        match self.engine.login_status() {
            Status::LoggedOut => LoginStatus::LoggedOut,
            Status::Logging => LoginStatus::Logging,
            Status::Logged => LoginStatus::Logged,
        }
    }

    /// The logged-in user, or `None`.
    pub fn login_user_id(&self) -> Option<String> {
        self.engine.login_user_id()
    }

    /// Sets (replaces) the connection listener.
    pub fn set_conn_listener(&self, listener: Arc<dyn ConnListener>) {
        self.listeners.set_conn(listener);
    }

    /// Profiles of `user_ids` from the server; unknown IDs are left out.
    pub async fn get_users_info(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        let engine = self.engine.clone();
        let users = runtime::run(async move { engine.session()?.users().get_users_info(user_ids).await }).await?;
        Ok(users.into_iter().map(Into::into).collect())
    }

    /// The logged-in user's profile, from the local database (fetched from the server when the
    /// database has none yet).
    pub async fn get_self_user_info(&self) -> Result<UserInfo> {
        let engine = self.engine.clone();
        Ok(runtime::run(async move { engine.session()?.users().self_info().await }).await?.into())
    }
}

/// The OpenIM protocol version this SDK speaks (`sdkVersion` of the connect query).
#[uniffi::export]
pub fn sdk_version() -> String {
    openim_wire::constant::defaults::SDK_VERSION.to_owned()
}
