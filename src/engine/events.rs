//! What the engine tells the app, before conversion to listener calls.

/// One event for the app's listeners.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Conn(ConnEvent),
}

impl Event {
    /// The listener callback this event becomes, for logs (payloads are never logged).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Conn(e) => match e {
                ConnEvent::Connecting => "on_connecting",
                ConnEvent::ConnectSuccess => "on_connect_success",
                ConnEvent::ConnectFailed { .. } => "on_connect_failed",
                ConnEvent::KickedOffline => "on_kicked_offline",
                ConnEvent::UserTokenExpired => "on_user_token_expired",
                ConnEvent::UserTokenInvalid { .. } => "on_user_token_invalid",
            },
        }
    }
}

/// `OnConnListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnEvent {
    Connecting,
    ConnectSuccess,
    ConnectFailed { code: i32, message: String },
    KickedOffline,
    UserTokenExpired,
    UserTokenInvalid { message: String },
}

/// Receives events on the dispatcher thread, one at a time, in order.
pub trait EventSink: Send + Sync + 'static {
    fn deliver(&self, event: Event);
}
