//! The conversation types apps see.

use super::message::Message;

/// One conversation in the user's list (OpenIM `LocalConversation`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Conversation {
    /// `si_<a>_<b>` for a single chat, `sg_<groupID>` for a group, `sn_<a>_<b>` for a
    /// notification account's chat.
    pub conversation_id: String,
    /// 1 single chat, 3 group chat, 4 a notification account's chat.
    pub conversation_type: i32,
    /// The peer of a single chat, or the notification account.
    pub user_id: String,
    pub group_id: String,
    pub show_name: String,
    pub face_url: String,
    /// 0 receive, 1 do not receive, 2 receive without notification.
    pub recv_msg_opt: i32,
    pub unread_count: i32,
    /// 0 none, 1 @me, 2 @all, 3 @all and @me.
    pub group_at_type: i32,
    pub latest_msg: Option<Message>,
    pub latest_msg_send_time: i64,
    pub draft_text: String,
    pub draft_text_time: i64,
    pub is_pinned: bool,
    pub is_private_chat: bool,
    pub burn_duration: i32,
    pub attached_info: String,
    pub ex: String,
    pub max_seq: i64,
    pub min_seq: i64,
    /// Messages here destruct after `msg_destruct_time` seconds (OpenIM's self-destructing
    /// messages, run by the server for this user only).
    pub is_msg_destruct: bool,
    /// Seconds a message lasts when `is_msg_destruct` is on (OpenIM's default: 604 800, a week).
    pub msg_destruct_time: i64,
}

/// What `set_conversation` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct ConversationUpdate {
    #[uniffi(default)]
    pub recv_msg_opt: Option<i32>,
    #[uniffi(default)]
    pub is_pinned: Option<bool>,
    #[uniffi(default)]
    pub is_private_chat: Option<bool>,
    #[uniffi(default)]
    pub burn_duration: Option<i32>,
    #[uniffi(default)]
    pub ex: Option<String>,
    /// Turns self-destructing messages on or off for this user.
    #[uniffi(default)]
    pub is_msg_destruct: Option<bool>,
    /// How long messages last, in seconds (more than 0).
    #[uniffi(default)]
    pub msg_destruct_time: Option<i64>,
    /// The chat's mention mark (OpenIM's `groupAtType`: 0 none, 1 @me, 2 @all, 3 both, 4 a new
    /// announcement), here and on the server: 0 clears a mention without reading the chat, as
    /// OpenIM's apps clear the mark its server sets for mentions and announcements.
    #[uniffi(default)]
    pub group_at_type: Option<i32>,
}

/// Who is typing where (OpenIM `InputStatesChangedData`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InputStatusChange {
    pub conversation_id: String,
    pub user_id: String,
    pub platform_ids: Vec<i32>,
}
