//! What the engine tells the app, before conversion to listener calls.

use crate::conversation::{Conversation, InputStatusChange};
use crate::message::{Message, MessageReceipt, RevokedInfo};

/// One event for the app's listeners.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // events are moved once, into the listener queue
pub enum Event {
    Conn(ConnEvent),
    Conversation(ConversationEvent),
    Msg(MsgEvent),
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
            Event::Conversation(e) => match e {
                ConversationEvent::SyncServerStart { .. } => "on_sync_server_start",
                ConversationEvent::SyncServerFinish { .. } => "on_sync_server_finish",
                ConversationEvent::SyncServerFailed { .. } => "on_sync_server_failed",
                ConversationEvent::SyncServerProgress { .. } => "on_sync_server_progress",
                ConversationEvent::NewConversation(_) => "on_new_conversation",
                ConversationEvent::ConversationChanged(_) => "on_conversation_changed",
                ConversationEvent::TotalUnreadMessageCountChanged(_) => "on_total_unread_message_count_changed",
                ConversationEvent::UserInputStatusChanged(_) => "on_conversation_user_input_status_changed",
            },
            Event::Msg(e) => match e {
                MsgEvent::RecvNewMessage(_) => "on_recv_new_message",
                MsgEvent::RecvOfflineNewMessage(_) => "on_recv_offline_new_message",
                MsgEvent::RecvOnlineOnlyMessage(_) => "on_recv_online_only_message",
                MsgEvent::NewRecvMessageRevoked(_) => "on_new_recv_message_revoked",
                MsgEvent::RecvC2CReadReceipt(_) => "on_recv_c2c_read_receipt",
                MsgEvent::MsgDeleted(_) => "on_msg_deleted",
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

/// `OnConversationListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversationEvent {
    SyncServerStart { reinstalled: bool },
    SyncServerFinish { reinstalled: bool },
    SyncServerFailed { reinstalled: bool },
    SyncServerProgress { progress: i32 },
    NewConversation(Vec<Conversation>),
    ConversationChanged(Vec<Conversation>),
    TotalUnreadMessageCountChanged(i32),
    UserInputStatusChanged(InputStatusChange),
}

/// `OnAdvancedMsgListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum MsgEvent {
    RecvNewMessage(Message),
    RecvOfflineNewMessage(Message),
    RecvOnlineOnlyMessage(Message),
    NewRecvMessageRevoked(RevokedInfo),
    RecvC2CReadReceipt(Vec<MessageReceipt>),
    MsgDeleted(Message),
}

/// Receives events on the dispatcher thread, one at a time, in order.
pub trait EventSink: Send + Sync + 'static {
    fn deliver(&self, event: Event);
}

/// Queues events for delivery; never blocks.
pub trait Emit: Send + Sync + 'static {
    fn emit(&self, event: Event);
}
