//! A recording `AdvancedMsgListener` + `ConversationListener` with bounded waits.

use openim_sdk::{
    AdvancedMsgListener, BlackInfo, Conversation, ConversationListener, FriendApplication, FriendInfo, FriendListener, GroupApplication,
    GroupInfo, GroupListener, GroupMember, InputStatusChange, Message, MessageReceipt, OnlineStatus, RevokedInfo, UserInfo, UserListener,
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
    ApplicationAdded(FriendApplication),
    ApplicationDeleted(FriendApplication),
    ApplicationAccepted(FriendApplication),
    ApplicationRejected(FriendApplication),
    FriendAdded(FriendInfo),
    FriendDeleted(FriendInfo),
    FriendChanged(FriendInfo),
    BlackAdded(BlackInfo),
    BlackDeleted(BlackInfo),
    SelfUpdated(UserInfo),
    Status(OnlineStatus),
    JoinedGroupAdded(GroupInfo),
    JoinedGroupDeleted(GroupInfo),
    MemberAdded(GroupMember),
    MemberDeleted(GroupMember),
    GroupApplicationAdded(GroupApplication),
    GroupApplicationDeleted(GroupApplication),
    GroupApplicationAccepted(GroupApplication),
    GroupApplicationRejected(GroupApplication),
    GroupChanged(GroupInfo),
    GroupDismissed(GroupInfo),
    MemberChanged(GroupMember),
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

impl FriendListener for EventRecorder {
    fn on_friend_application_added(&self, a: FriendApplication) {
        self.push(Ev::ApplicationAdded(a))
    }
    fn on_friend_application_deleted(&self, a: FriendApplication) {
        self.push(Ev::ApplicationDeleted(a))
    }
    fn on_friend_application_accepted(&self, a: FriendApplication) {
        self.push(Ev::ApplicationAccepted(a))
    }
    fn on_friend_application_rejected(&self, a: FriendApplication) {
        self.push(Ev::ApplicationRejected(a))
    }
    fn on_friend_added(&self, f: FriendInfo) {
        self.push(Ev::FriendAdded(f))
    }
    fn on_friend_deleted(&self, f: FriendInfo) {
        self.push(Ev::FriendDeleted(f))
    }
    fn on_friend_info_changed(&self, f: FriendInfo) {
        self.push(Ev::FriendChanged(f))
    }
    fn on_black_added(&self, b: BlackInfo) {
        self.push(Ev::BlackAdded(b))
    }
    fn on_black_deleted(&self, b: BlackInfo) {
        self.push(Ev::BlackDeleted(b))
    }
}

impl UserListener for EventRecorder {
    fn on_self_info_updated(&self, info: UserInfo) {
        self.push(Ev::SelfUpdated(info))
    }
    fn on_user_status_changed(&self, status: OnlineStatus) {
        self.push(Ev::Status(status))
    }
}

impl GroupListener for EventRecorder {
    fn on_joined_group_added(&self, g: GroupInfo) {
        self.push(Ev::JoinedGroupAdded(g))
    }
    fn on_joined_group_deleted(&self, g: GroupInfo) {
        self.push(Ev::JoinedGroupDeleted(g))
    }
    fn on_group_member_added(&self, m: GroupMember) {
        self.push(Ev::MemberAdded(m))
    }
    fn on_group_member_deleted(&self, m: GroupMember) {
        self.push(Ev::MemberDeleted(m))
    }
    fn on_group_application_added(&self, a: GroupApplication) {
        self.push(Ev::GroupApplicationAdded(a))
    }
    fn on_group_application_deleted(&self, a: GroupApplication) {
        self.push(Ev::GroupApplicationDeleted(a))
    }
    fn on_group_application_accepted(&self, a: GroupApplication) {
        self.push(Ev::GroupApplicationAccepted(a))
    }
    fn on_group_application_rejected(&self, a: GroupApplication) {
        self.push(Ev::GroupApplicationRejected(a))
    }
    fn on_group_info_changed(&self, g: GroupInfo) {
        self.push(Ev::GroupChanged(g))
    }
    fn on_group_dismissed(&self, g: GroupInfo) {
        self.push(Ev::GroupDismissed(g))
    }
    fn on_group_member_info_changed(&self, m: GroupMember) {
        self.push(Ev::MemberChanged(m))
    }
}
