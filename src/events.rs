//! What the engine tells the app, before conversion to listener calls, and the bounded queue
//! that carries it: [`Emitter::emit`] waits while the queue is full (back-pressure from a slow
//! listener), it never drops an event.

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::model::{
    BlackInfo, BusinessNotification, Conversation, FriendApplication, FriendInfo, GroupApplication, GroupInfo, GroupMember, InputStatusChange, Message,
    MessageReceipt, OnlineStatus, RevokedInfo, UserInfo,
};

/// Events queued between the engine and the listener thread before emitters wait.
pub const QUEUE_CAPACITY: usize = 1024;

/// One event for the app's listeners.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // events are moved once, into the listener queue
pub enum Event {
    Conn(ConnEvent),
    Conversation(ConversationEvent),
    Msg(MsgEvent),
    Friend(FriendEvent),
    Group(GroupEvent),
    User(UserEvent),
    /// `OnCustomBusinessListener`: a custom business notification (2001).
    Business(BusinessNotification),
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
                ConnEvent::Closed => "(session closed)",
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
            Event::Friend(e) => match e {
                FriendEvent::ApplicationAdded(_) => "on_friend_application_added",
                FriendEvent::ApplicationDeleted(_) => "on_friend_application_deleted",
                FriendEvent::ApplicationAccepted(_) => "on_friend_application_accepted",
                FriendEvent::ApplicationRejected(_) => "on_friend_application_rejected",
                FriendEvent::FriendAdded(_) => "on_friend_added",
                FriendEvent::FriendDeleted(_) => "on_friend_deleted",
                FriendEvent::FriendInfoChanged(_) => "on_friend_info_changed",
                FriendEvent::BlackAdded(_) => "on_black_added",
                FriendEvent::BlackDeleted(_) => "on_black_deleted",
            },
            Event::Group(e) => match e {
                GroupEvent::JoinedGroupAdded(_) => "on_joined_group_added",
                GroupEvent::JoinedGroupDeleted(_) => "on_joined_group_deleted",
                GroupEvent::GroupMemberAdded(_) => "on_group_member_added",
                GroupEvent::GroupMemberDeleted(_) => "on_group_member_deleted",
                GroupEvent::ApplicationAdded(_) => "on_group_application_added",
                GroupEvent::ApplicationDeleted(_) => "on_group_application_deleted",
                GroupEvent::ApplicationAccepted(_) => "on_group_application_accepted",
                GroupEvent::ApplicationRejected(_) => "on_group_application_rejected",
                GroupEvent::GroupInfoChanged(_) => "on_group_info_changed",
                GroupEvent::GroupDismissed(_) => "on_group_dismissed",
                GroupEvent::GroupMemberInfoChanged(_) => "on_group_member_info_changed",
            },
            Event::User(e) => match e {
                UserEvent::SelfInfoUpdated(_) => "on_self_info_updated",
                UserEvent::UserStatusChanged(_) => "on_user_status_changed",
            },
            Event::Business(_) => "on_recv_custom_business_message",
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
    /// The session ended (logout or forced logout); delivered to no listener, it resets the
    /// connection state a listener added later is told first.
    Closed,
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

/// `OnFriendshipListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum FriendEvent {
    ApplicationAdded(FriendApplication),
    ApplicationDeleted(FriendApplication),
    ApplicationAccepted(FriendApplication),
    ApplicationRejected(FriendApplication),
    FriendAdded(FriendInfo),
    FriendDeleted(FriendInfo),
    FriendInfoChanged(FriendInfo),
    BlackAdded(BlackInfo),
    BlackDeleted(BlackInfo),
}

/// `OnGroupListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupEvent {
    JoinedGroupAdded(GroupInfo),
    JoinedGroupDeleted(GroupInfo),
    GroupMemberAdded(GroupMember),
    GroupMemberDeleted(GroupMember),
    ApplicationAdded(GroupApplication),
    ApplicationDeleted(GroupApplication),
    ApplicationAccepted(GroupApplication),
    ApplicationRejected(GroupApplication),
    GroupInfoChanged(GroupInfo),
    GroupDismissed(GroupInfo),
    GroupMemberInfoChanged(GroupMember),
}

/// `OnUserListener` events.
#[derive(Debug, Clone, PartialEq)]
pub enum UserEvent {
    SelfInfoUpdated(UserInfo),
    UserStatusChanged(OnlineStatus),
}

/// Receives events on the dispatcher thread, one at a time, in order.
pub trait EventSink: Send + Sync + 'static {
    fn deliver(&self, event: Event);
}

/// Queues events for the listener thread; cheap to clone.
#[derive(Clone)]
pub struct Emitter {
    tx: mpsc::Sender<Event>,
}

/// A bounded event queue: the emitter side and the receiving side.
pub fn queue(capacity: usize) -> (Emitter, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel(capacity);
    (Emitter { tx }, rx)
}

impl Emitter {
    /// Queues `event`, waiting while the queue is full. Events after the listener thread ended
    /// (the client is gone) are discarded.
    pub async fn emit(&self, event: Event) {
        let _ = self.tx.send(event).await;
    }

    pub async fn emit_all(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            self.emit(event).await;
        }
    }
}

/// The events one write produces, reported after it commits: message events in order, then the
/// conversations it created and changed (each once, latest state), then the total unread count
/// when it moved.
#[derive(Default)]
pub struct Outbox {
    events: Vec<Event>,
    new_conversations: Vec<Conversation>,
    /// Changed conversations in the order of their last record (a slot emptied when the
    /// conversation was recorded again).
    changed_conversations: Vec<Option<Conversation>>,
    /// Where each recorded conversation is: new (true) or changed, at which index. A first sync
    /// records thousands in one write; finding them by a scan was quadratic.
    recorded: HashMap<String, (bool, usize)>,
    /// Net change of the total unread count.
    unread_delta: i64,
}

impl Outbox {
    pub fn push(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Records a created (`is_new`) or changed conversation; a later record of the same
    /// conversation replaces the earlier one, and a new one stays new.
    pub fn conversation(&mut self, c: Conversation, is_new: bool) {
        let was = self.recorded.get(&c.conversation_id).copied();
        match was {
            Some((true, i)) => self.new_conversations[i] = c,
            _ => {
                if let Some((_, i)) = was {
                    self.changed_conversations[i] = None;
                }
                let id = c.conversation_id.clone();
                let at = if is_new {
                    self.new_conversations.push(c);
                    (true, self.new_conversations.len() - 1)
                } else {
                    self.changed_conversations.push(Some(c));
                    (false, self.changed_conversations.len() - 1)
                };
                self.recorded.insert(id, at);
            }
        }
    }

    /// Adds a change of a conversation's share of the total unread count.
    pub fn unread_changed(&mut self, delta: i64) {
        self.unread_delta += delta;
    }

    /// How much the total unread count moved.
    pub fn unread_delta(&self) -> i64 {
        self.unread_delta
    }

    /// Whether the total unread count moved (then [`Outbox::finish`] wants it).
    pub fn needs_total_unread(&self) -> bool {
        self.unread_delta != 0
    }

    /// The events in delivery order; `total_unread` is reported when it moved.
    pub fn finish(mut self, total_unread: Option<i32>) -> Vec<Event> {
        if !self.new_conversations.is_empty() {
            self.events.push(Event::Conversation(ConversationEvent::NewConversation(self.new_conversations)));
        }
        let changed: Vec<Conversation> = self.changed_conversations.into_iter().flatten().collect();
        if !changed.is_empty() {
            self.events.push(Event::Conversation(ConversationEvent::ConversationChanged(changed)));
        }
        if let (true, Some(n)) = (self.unread_delta != 0, total_unread) {
            self.events.push(Event::Conversation(ConversationEvent::TotalUnreadMessageCountChanged(n)));
        }
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(id: &str, name: &str) -> Conversation {
        crate::conversation::from_row(crate::store::rows::ConversationRow {
            conversation_id: id.into(),
            show_name: name.into(),
            ..Default::default()
        })
    }

    /// (ID, show name) pairs of the new and the changed conversations.
    type Pairs = Vec<(String, String)>;

    fn lists(out: Outbox) -> (Pairs, Pairs) {
        let (mut new, mut changed) = (Vec::new(), Vec::new());
        for e in out.finish(None) {
            match e {
                Event::Conversation(ConversationEvent::NewConversation(l)) => new = l,
                Event::Conversation(ConversationEvent::ConversationChanged(l)) => changed = l,
                _ => {}
            }
        }
        let pairs = |l: Vec<Conversation>| l.into_iter().map(|c| (c.conversation_id, c.show_name)).collect();
        (pairs(new), pairs(changed))
    }

    /// Each conversation once, in its latest state; a new one stays new; a changed one recorded
    /// again moves to the end; one changed, then created, is new only.
    #[test]
    fn conversations_are_reported_once_each_in_their_latest_state() {
        let mut out = Outbox::default();
        out.conversation(conv("a", "a1"), true);
        out.conversation(conv("b", "b1"), false);
        out.conversation(conv("c", "c1"), false);
        out.conversation(conv("b", "b2"), false);
        out.conversation(conv("a", "a2"), false);
        out.conversation(conv("d", "d1"), false);
        out.conversation(conv("d", "d2"), true);
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(lists(out), (vec![s("a", "a2"), s("d", "d2")], vec![s("c", "c1"), s("b", "b2")]));

        // Thousands in one write (a first sync): each kept.
        let mut out = Outbox::default();
        for i in 0..20_000 {
            out.conversation(conv(&format!("c{i}"), "x"), i % 2 == 0);
        }
        let (new, changed) = lists(out);
        assert_eq!((new.len(), changed.len()), (10_000, 10_000));
    }
}
