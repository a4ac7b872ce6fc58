//! A recording `AdvancedMsgListener` + `ConversationListener` with bounded waits.

use openim_sdk::{
    AdvancedMsgListener, Conversation, ConversationListener, InputStatusChange, Message, MessageReceipt, RevokedInfo,
};

use super::Recorder;

#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    NewMsg(Message),
    OfflineMsg(Message),
    OnlineOnly(Message),
    Revoked(RevokedInfo),
    Receipts(Vec<MessageReceipt>),
    Deleted(Message),
    NewConversations(Vec<Conversation>),
    ConversationsChanged(Vec<Conversation>),
    TotalUnread(i32),
    SyncStart(bool),
    SyncFinish(bool),
    SyncFailed(bool),
    SyncProgress(i32),
    Typing(InputStatusChange),
}

pub type EventRecorder = Recorder<Ev>;

impl EventRecorder {
    /// Messages reported through `on_recv_new_message`, in order.
    pub fn new_messages(&self) -> Vec<Message> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Ev::NewMsg(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    /// The last total unread count reported.
    pub fn last_total_unread(&self) -> Option<i32> {
        self.events().into_iter().rev().find_map(|e| match e {
            Ev::TotalUnread(n) => Some(n),
            _ => None,
        })
    }

    /// Waits until `n` new messages were reported.
    pub async fn wait_new_messages(&self, n: usize) -> Vec<Message> {
        self.wait_until(&format!("{n} new messages"), |ev| ev.iter().filter(|e| matches!(e, Ev::NewMsg(_))).count() >= n)
            .await;
        self.new_messages()
    }
}

impl AdvancedMsgListener for EventRecorder {
    fn on_recv_new_message(&self, message: Message) {
        self.push(Ev::NewMsg(message))
    }
    fn on_recv_c2c_read_receipt(&self, receipts: Vec<MessageReceipt>) {
        self.push(Ev::Receipts(receipts))
    }
    fn on_new_recv_message_revoked(&self, revoked: RevokedInfo) {
        self.push(Ev::Revoked(revoked))
    }
    fn on_recv_offline_new_message(&self, message: Message) {
        self.push(Ev::OfflineMsg(message))
    }
    fn on_msg_deleted(&self, message: Message) {
        self.push(Ev::Deleted(message))
    }
    fn on_recv_online_only_message(&self, message: Message) {
        self.push(Ev::OnlineOnly(message))
    }
}

impl ConversationListener for EventRecorder {
    fn on_sync_server_start(&self, reinstalled: bool) {
        self.push(Ev::SyncStart(reinstalled))
    }
    fn on_sync_server_finish(&self, reinstalled: bool) {
        self.push(Ev::SyncFinish(reinstalled))
    }
    fn on_sync_server_failed(&self, reinstalled: bool) {
        self.push(Ev::SyncFailed(reinstalled))
    }
    fn on_sync_server_progress(&self, progress: i32) {
        self.push(Ev::SyncProgress(progress))
    }
    fn on_new_conversation(&self, conversations: Vec<Conversation>) {
        self.push(Ev::NewConversations(conversations))
    }
    fn on_conversation_changed(&self, conversations: Vec<Conversation>) {
        self.push(Ev::ConversationsChanged(conversations))
    }
    fn on_total_unread_message_count_changed(&self, total_unread_count: i32) {
        self.push(Ev::TotalUnread(total_unread_count))
    }
    fn on_conversation_user_input_status_changed(&self, change: InputStatusChange) {
        self.push(Ev::Typing(change))
    }
}
