//! The exported surface: the `OpenIMClient` object, its records and enums, and the listener
//! traits hosts implement. Thin by design: every method validates, hops onto the engine runtime
//! and converts.

mod client;
mod config;
mod friend;
mod group;
mod listeners;

pub use client::OpenIMClient;
pub use config::{LogLevel, LoginStatus, OpenIMConfig};
pub use crate::logging::{LogRecord, LogSink, set_log_sink};
pub use listeners::{
    AdvancedMsgListener, ConnListener, ConversationListener, CustomBusinessListener, FriendListener, GroupListener, ListenerHandle, UserListener,
};

pub use crate::message::{CancellationToken, CardInfo, ConversationArgs, HistoryPage, OfflinePushInfo, SearchParams, SearchResult, SearchResultItem, UploadProgressListener};
pub use crate::model::{
    ApplicationState, AtInfo, BlackInfo, BusinessNotification, Conversation, ConversationUpdate, FriendApplication, FriendInfo, FriendshipCheck,
    InputStatusChange, Message, MessageContent, MessageEntity, MessageReceipt, MessageStatus, OnlineStatus, PictureInfo, RevokedInfo,
    SearchFriendItem, SearchFriendsParams, UserInfo, UserInfoUpdate,
};
pub use crate::model::{
    CreateGroupParams, GroupApplication, GroupInfo, GroupInfoUpdate, GroupMember, GroupMemberFilter, GroupMemberUpdate, GroupRole,
    GroupVerification, SearchGroupMembersParams, SearchGroupsParams,
};
