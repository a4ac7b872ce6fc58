//! The message types apps see: a [`Message`] record (OpenIM's `MsgStruct`) whose content is a
//! typed [`MessageContent`] enum, plus the payloads of read receipts and revokes.

use openim_wire::constant::msg_status;

/// One message (OpenIM `MsgStruct`). Times are milliseconds since the epoch.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Message {
    /// Client-generated ID (an MD5 hex string), unique per message.
    pub client_msg_id: String,
    /// The conversation it belongs to (`si_<a>_<b>`, `sg_<groupID>`, `sn_<a>_<b>`); empty for a message not
    /// sent yet.
    pub conversation_id: String,
    /// Server-generated ID; empty until the server accepted the message.
    pub server_msg_id: String,
    pub create_time: i64,
    pub send_time: i64,
    /// 1 single chat, 3 group chat, 4 a notification account's chat.
    pub session_type: i32,
    pub send_id: String,
    pub recv_id: String,
    pub group_id: String,
    /// 100 user, 200 system.
    pub msg_from: i32,
    /// OpenIM's content type (101 text, 102 picture, ..., ≥1000 notifications).
    pub content_type: i32,
    pub sender_platform_id: i32,
    pub sender_nickname: String,
    pub sender_face_url: String,
    /// Position in its conversation; 0 until the server stored it.
    pub seq: i64,
    pub is_read: bool,
    pub status: MessageStatus,
    pub attached_info: String,
    pub ex: String,
    /// App data kept only on this device.
    pub local_ex: String,
    pub content: MessageContent,
}

/// What a conversation is with (OpenIM's session types; `code()` is the number on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
#[repr(i32)]
pub enum SessionType {
    /// A one-to-one chat with a user (1).
    Single = 1,
    /// A group chat (3; OpenIM's "super group", the only group kind of v3).
    Group = 3,
    /// A notification account's chat with the user (4, `sn_`): OA notifications the app's
    /// server sends through its API. Named by the account's profile, read like a group chat
    /// (no receipts to the account).
    Notification = 4,
}

impl SessionType {
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The session type of a wire number (2, v2's write-group chat, is a group).
    pub fn from_code(code: i32) -> Option<Self> {
        match code {
            1 => Some(Self::Single),
            2 | 3 => Some(Self::Group),
            4 => Some(Self::Notification),
            _ => None,
        }
    }
}

/// Where a message stands (OpenIM: 1 sending, 2 sent, 3 failed, 4 deleted, 5 filtered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MessageStatus {
    Sending,
    SendSuccess,
    SendFailed,
    Deleted,
    Filtered,
}

impl MessageStatus {
    pub fn code(self) -> i32 {
        match self {
            Self::Sending => msg_status::SENDING,
            Self::SendSuccess => msg_status::SEND_SUCCESS,
            Self::SendFailed => msg_status::SEND_FAILED,
            Self::Deleted => msg_status::HAS_DELETED,
            Self::Filtered => msg_status::FILTERED,
        }
    }

    /// Unknown codes count as sent (the server only sends stored messages).
    pub fn from_code(code: i32) -> Self {
        match code {
            msg_status::SENDING => Self::Sending,
            msg_status::SEND_FAILED => Self::SendFailed,
            msg_status::HAS_DELETED => Self::Deleted,
            msg_status::FILTERED => Self::Filtered,
            _ => Self::SendSuccess,
        }
    }
}

/// A styled range of text (`MessageEntity`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MessageEntity {
    pub kind: String,
    pub offset: i32,
    pub length: i32,
    pub url: String,
    pub ex: String,
}

/// A mentioned user (`AtInfo`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AtInfo {
    pub at_user_id: String,
    pub group_nickname: String,
}

/// `PictureBaseInfo`.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct PictureInfo {
    pub uuid: String,
    pub kind: String,
    pub size: i64,
    pub width: i32,
    pub height: i32,
    pub url: String,
}

/// Who revoked which message (OpenIM `MessageRevoked`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RevokedInfo {
    pub revoker_id: String,
    pub revoker_role: i32,
    pub client_msg_id: String,
    pub revoker_nickname: String,
    pub revoke_time: i64,
    pub source_message_send_time: i64,
    pub source_message_send_id: String,
    pub source_message_sender_nickname: String,
    pub session_type: i32,
    pub seq: i64,
    pub ex: String,
    pub is_admin_revoke: bool,
}

/// A custom business notification (2001) an app's server sent through OpenIM's
/// `/msg/send_business_notification`: its `key` and `data`, as the server got them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BusinessNotification {
    pub key: String,
    pub data: String,
}

/// What a message says, by kind. `Unknown` keeps the raw content of a type this SDK does not
/// know, or of content that does not decode, so nothing is ever dropped.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum MessageContent {
    /// 101.
    Text { text: String },
    /// 117: text with styled ranges.
    AdvancedText { text: String, entities: Vec<MessageEntity> },
    /// 118.
    Markdown { text: String },
    /// 106: text mentioning users (`AtAllTag` mentions everyone).
    AtText { text: String, at_user_ids: Vec<String>, at_users_info: Vec<AtInfo>, quote: Option<Box<Message>>, is_at_self: bool },
    /// 114: a reply quoting another message.
    Quote { text: String, quoted: Option<Box<Message>>, entities: Vec<MessageEntity> },
    /// 110 (also 119, 120).
    Custom { data: String, description: String, extension: String },
    /// 109.
    Location { description: String, longitude: f64, latitude: f64 },
    /// 108: a contact card.
    Card { user_id: String, nickname: String, face_url: String, ex: String },
    /// 115.
    Face { index: i64, data: String },
    /// 102.
    Image { source_path: String, source: Option<PictureInfo>, big: Option<PictureInfo>, snapshot: Option<PictureInfo> },
    /// 103.
    Sound { uuid: String, sound_path: String, source_url: String, data_size: i64, duration: i64, sound_type: String },
    /// 104.
    Video {
        video_path: String,
        video_uuid: String,
        video_url: String,
        video_type: String,
        video_size: i64,
        duration: i64,
        snapshot_path: String,
        snapshot_uuid: String,
        snapshot_size: i64,
        snapshot_url: String,
        snapshot_width: i32,
        snapshot_height: i32,
        snapshot_type: String,
    },
    /// 105.
    File { file_path: String, uuid: String, source_url: String, file_name: String, file_size: i64, file_type: String },
    /// 107: several messages forwarded together.
    Merger { title: String, abstract_list: Vec<String>, messages: Vec<Message>, entities: Vec<MessageEntity> },
    /// 113: "is typing".
    Typing { msg_tips: String },
    /// 2101: a revoked message.
    Revoked { info: RevokedInfo },
    /// 1400: an OA notification from a notification account (session type 4).
    OaNotification { notification: OaNotification },
    /// Other notifications (contentType ≥ 1000): `detail` is the tips JSON.
    Notification { detail: String },
    /// A content type this SDK does not know, or content that does not decode.
    Unknown { raw: String },
}

/// What a notification account says (OpenIM's `OANotificationElem`, sent by the app's server
/// through `/msg/send_msg`). `mix_type` 1–3 adds a picture, video or file: `media` is that
/// content (an `Image`, `Sound`, `Video` or `File`), else `None`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OaNotification {
    pub notification_name: String,
    pub notification_face_url: String,
    pub notification_type: i32,
    pub text: String,
    pub url: String,
    pub mix_type: i32,
    pub media: Option<Box<MessageContent>>,
    pub ex: String,
}

/// A peer's read receipt for messages of a single chat (OpenIM `MessageReceipt`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MessageReceipt {
    pub group_id: String,
    pub user_id: String,
    pub msg_id_list: Vec<String>,
    pub read_time: i64,
    pub msg_from: i32,
    pub content_type: i32,
    pub session_type: i32,
}
