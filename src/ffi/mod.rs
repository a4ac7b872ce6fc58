//! The exported surface: the `OpenIMClient` object, its records and enums, and the listener
//! traits hosts implement. Thin by design: every method validates, hops onto the engine runtime
//! and converts.

mod client;
mod config;
mod listeners;
mod user;

pub use client::OpenIMClient;
pub use config::{LogLevel, LoginStatus, OpenIMConfig};
pub use listeners::{AdvancedMsgListener, ConnListener, ConversationListener};
pub use user::UserInfo;

pub use crate::conversation::{Conversation, ConversationUpdate, InputStatusChange};
pub use crate::message::{
    AtInfo, CardInfo, HistoryPage, Message, MessageContent, MessageEntity, MessageReceipt, MessageStatus, OfflinePushInfo,
    PictureInfo, RevokedInfo, SearchParams, SearchResult, SearchResultItem,
};
