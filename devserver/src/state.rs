//! State shared by the REST API and the gateway.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::auth::Auth;
use crate::config::DevServerConfig;
use crate::gateway::registry::Registry;
use crate::store::Store;

pub struct AppState {
    pub config: DevServerConfig,
    pub store: Store,
    pub auth: Auth,
    pub registry: Registry,
    /// Cancelled when the server shuts down; every connection task watches it.
    pub shutdown: CancellationToken,
    /// Serialises message delivery, so seqs are allocated and pushed in one order.
    pub send_lock: tokio::sync::Mutex<()>,
    /// Deliveries waiting for the send lock, in the order they were asked for.
    pub deliveries: std::sync::Mutex<std::collections::VecDeque<crate::messaging::send::Delivery>>,
    /// Faults injected by tests.
    pub faults: crate::faults::Faults,
    /// Uploaded files (`/object/*`), in memory.
    pub objects: crate::api::object::Objects,
}

impl AppState {
    /// A server's state before anyone connected: no connections, faults or uploads.
    pub fn new(config: DevServerConfig, store: Store, auth: Auth) -> Self {
        Self {
            config,
            store,
            auth,
            registry: Default::default(),
            shutdown: CancellationToken::new(),
            send_lock: Default::default(),
            deliveries: Default::default(),
            faults: Default::default(),
            objects: Default::default(),
        }
    }
}

pub type SharedState = Arc<AppState>;
