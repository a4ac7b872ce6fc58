//! Listener traits implemented by the host app (Kotlin interfaces, Swift protocols). Callbacks
//! arrive on the SDK's listener thread, one at a time and in order; hop to the UI thread
//! yourself. A callback that throws is logged and skipped; one that blocks delays later
//! callbacks but never the engine.

use std::sync::{Arc, RwLock};

use crate::engine::{ConnEvent, Event, EventSink};
/// Connection and session events (OpenIM `OnConnListener`).
#[uniffi::export(foreign)]
pub trait ConnListener: Send + Sync {
    /// A connection attempt to the gateway starts.
    fn on_connecting(&self);
    /// The gateway accepted the connection.
    fn on_connect_success(&self);
    /// A connection attempt failed; `code` is OpenIM's (10000 network, or the server's code).
    fn on_connect_failed(&self, code: i32, msg: String);
    /// Another login on the same platform replaced this one; the SDK has logged out.
    fn on_kicked_offline(&self);
    /// The token expired (1501); the SDK has logged out.
    fn on_user_token_expired(&self);
    /// The token was refused (1502–1505, 1507); the SDK has logged out.
    fn on_user_token_invalid(&self, msg: String);
}

/// The listeners an `OpenIMClient` currently has; the engine's events are routed here.
#[derive(Default)]
pub(crate) struct ListenerRegistry {
    conn: RwLock<Option<Arc<dyn ConnListener>>>,
}

impl ListenerRegistry {
    pub fn set_conn(&self, listener: Arc<dyn ConnListener>) {
        *self.conn.write().expect("listener lock") = Some(listener);
    }

    fn conn(&self) -> Option<Arc<dyn ConnListener>> {
        self.conn.read().expect("listener lock").clone()
    }
}

impl EventSink for ListenerRegistry {
    fn deliver(&self, event: Event) {
        match event {
            Event::Conn(e) => {
                let Some(l) = self.conn() else { return };
                match e {
                    ConnEvent::Connecting => l.on_connecting(),
                    ConnEvent::ConnectSuccess => l.on_connect_success(),
                    ConnEvent::ConnectFailed { code, message } => l.on_connect_failed(code, message),
                    ConnEvent::KickedOffline => l.on_kicked_offline(),
                    ConnEvent::UserTokenExpired => l.on_user_token_expired(),
                    ConnEvent::UserTokenInvalid { message } => l.on_user_token_invalid(message),
                }
            }
        }
    }
}
