//! Listener traits implemented by the host app (Kotlin interfaces, Swift protocols). Callbacks
//! arrive on the SDK's listener thread, one at a time and in order; hop to the UI thread
//! yourself. A callback that throws is logged and skipped; one that blocks delays later
//! callbacks but never the engine.

use std::sync::{Arc, RwLock};

use crate::events::{ConnEvent, ConversationEvent, Event, EventSink, MsgEvent};
use crate::model::{Conversation, InputStatusChange, Message, MessageReceipt, RevokedInfo};
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

/// Conversation list and sync events (OpenIM `OnConversationListener`).
#[uniffi::export(foreign)]
pub trait ConversationListener: Send + Sync {
    /// A sync with the server starts (`reinstalled`: first sync on this device).
    fn on_sync_server_start(&self, reinstalled: bool);
    fn on_sync_server_finish(&self, reinstalled: bool);
    fn on_sync_server_failed(&self, reinstalled: bool);
    /// Progress 0–100 of a first sync.
    fn on_sync_server_progress(&self, progress: i32);
    fn on_new_conversation(&self, conversations: Vec<Conversation>);
    fn on_conversation_changed(&self, conversations: Vec<Conversation>);
    fn on_total_unread_message_count_changed(&self, total_unread_count: i32);
    /// Someone started or stopped typing in a conversation.
    fn on_conversation_user_input_status_changed(&self, change: InputStatusChange);
}

/// Message events (OpenIM `OnAdvancedMsgListener`).
#[uniffi::export(foreign)]
pub trait AdvancedMsgListener: Send + Sync {
    /// A new message (from someone else, or from another device of this user).
    fn on_recv_new_message(&self, message: Message);
    /// The peer read messages of a single chat.
    fn on_recv_c2c_read_receipt(&self, receipts: Vec<MessageReceipt>);
    fn on_new_recv_message_revoked(&self, revoked: RevokedInfo);
    /// A new message while the app is in background (instead of `on_recv_new_message`).
    fn on_recv_offline_new_message(&self, message: Message);
    fn on_msg_deleted(&self, message: Message);
    /// A message that keeps no history (sent "online only").
    fn on_recv_online_only_message(&self, message: Message);
}

/// The listeners an `OpenIMClient` currently has; the engine's events are routed here.
#[derive(Default)]
pub(crate) struct ListenerRegistry {
    conn: RwLock<Option<Arc<dyn ConnListener>>>,
    conversation: RwLock<Option<Arc<dyn ConversationListener>>>,
    advanced_msg: RwLock<Option<Arc<dyn AdvancedMsgListener>>>,
}

fn current<T: ?Sized>(slot: &RwLock<Option<Arc<T>>>) -> Option<Arc<T>> {
    slot.read().expect("listener lock").clone()
}

impl ListenerRegistry {
    pub fn set_conn(&self, listener: Arc<dyn ConnListener>) {
        *self.conn.write().expect("listener lock") = Some(listener);
    }

    pub fn set_conversation(&self, listener: Arc<dyn ConversationListener>) {
        *self.conversation.write().expect("listener lock") = Some(listener);
    }

    pub fn set_advanced_msg(&self, listener: Arc<dyn AdvancedMsgListener>) {
        *self.advanced_msg.write().expect("listener lock") = Some(listener);
    }
}

impl EventSink for ListenerRegistry {
    fn deliver(&self, event: Event) {
        match event {
            Event::Conn(e) => {
                let Some(l) = current(&self.conn) else { return };
                match e {
                    ConnEvent::Connecting => l.on_connecting(),
                    ConnEvent::ConnectSuccess => l.on_connect_success(),
                    ConnEvent::ConnectFailed { code, message } => l.on_connect_failed(code, message),
                    ConnEvent::KickedOffline => l.on_kicked_offline(),
                    ConnEvent::UserTokenExpired => l.on_user_token_expired(),
                    ConnEvent::UserTokenInvalid { message } => l.on_user_token_invalid(message),
                    ConnEvent::Closed => {}
                }
            }
            Event::Conversation(e) => {
                let Some(l) = current(&self.conversation) else { return };
                match e {
                    ConversationEvent::SyncServerStart { reinstalled } => l.on_sync_server_start(reinstalled),
                    ConversationEvent::SyncServerFinish { reinstalled } => l.on_sync_server_finish(reinstalled),
                    ConversationEvent::SyncServerFailed { reinstalled } => l.on_sync_server_failed(reinstalled),
                    ConversationEvent::SyncServerProgress { progress } => l.on_sync_server_progress(progress),
                    ConversationEvent::NewConversation(list) => l.on_new_conversation(list),
                    ConversationEvent::ConversationChanged(list) => l.on_conversation_changed(list),
                    ConversationEvent::TotalUnreadMessageCountChanged(n) => l.on_total_unread_message_count_changed(n),
                    ConversationEvent::UserInputStatusChanged(change) => l.on_conversation_user_input_status_changed(change),
                }
            }
            Event::Msg(e) => {
                let Some(l) = current(&self.advanced_msg) else { return };
                match e {
                    MsgEvent::RecvNewMessage(m) => l.on_recv_new_message(m),
                    MsgEvent::RecvOfflineNewMessage(m) => l.on_recv_offline_new_message(m),
                    MsgEvent::RecvOnlineOnlyMessage(m) => l.on_recv_online_only_message(m),
                    MsgEvent::NewRecvMessageRevoked(r) => l.on_new_recv_message_revoked(r),
                    MsgEvent::RecvC2CReadReceipt(list) => l.on_recv_c2c_read_receipt(list),
                    MsgEvent::MsgDeleted(m) => l.on_msg_deleted(m),
                }
            }
        }
    }
}
