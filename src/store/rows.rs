//! The store's own row types, one per table. The domain modules convert them to and from the
//! records apps see; nothing here knows those records.

/// `local_chat_logs`: one message. `content` is the elem JSON as on the wire.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct ChatLogRow {
    pub conversation_id: String,
    pub client_msg_id: String,
    pub server_msg_id: String,
    pub send_id: String,
    pub recv_id: String,
    pub group_id: String,
    pub sender_platform_id: i32,
    pub sender_nickname: String,
    pub sender_face_url: String,
    pub session_type: i32,
    pub msg_from: i32,
    pub content_type: i32,
    pub content: String,
    pub is_read: bool,
    pub status: i32,
    pub seq: i64,
    pub send_time: i64,
    pub create_time: i64,
    pub attached_info: String,
    pub ex: String,
    pub local_ex: String,
}

/// `local_conversations`: one conversation of the user. `latest_msg` is `MsgStruct` JSON (or
/// empty).
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct ConversationRow {
    pub conversation_id: String,
    pub conversation_type: i32,
    pub user_id: String,
    pub group_id: String,
    pub show_name: String,
    pub face_url: String,
    pub recv_msg_opt: i32,
    pub unread_count: i32,
    pub group_at_type: i32,
    pub latest_msg: String,
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
    pub has_read_seq: i64,
    pub msg_destruct_time: i64,
    pub is_msg_destruct: bool,
    /// The `groupAtType` this device expects the server's record to hold (migration 0011).
    pub server_group_at_type: i32,
}

/// `local_users`: a cached profile.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub ex: String,
    pub create_time: i64,
    pub app_manger_level: i32,
    pub global_recv_msg_opt: i32,
}

/// `local_sync_version`: where the versioned sync of one list stands.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct SyncVersionRow {
    /// The list: `local_conversations`, `local_friends`, `local_groups`, ….
    pub table_name: String,
    /// Whose list: the login user, or a group ID for group members.
    pub entity_id: String,
    pub version_id: String,
    pub version: i64,
    /// JSON array of the IDs in the list, in the server's order.
    pub id_list: String,
    pub create_time: i64,
}

/// `local_friends`: one friend of the user.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct FriendRow {
    pub owner_user_id: String,
    pub friend_user_id: String,
    pub remark: String,
    pub create_time: i64,
    pub add_source: i32,
    pub operator_user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub ex: String,
    pub attached_info: String,
    pub is_pinned: bool,
}

/// `local_blacks`: one user the user blocked.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct BlackRow {
    pub owner_user_id: String,
    pub block_user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub create_time: i64,
    pub add_source: i32,
    pub operator_user_id: String,
    pub ex: String,
    pub attached_info: String,
}

/// `local_groups`: a group the user is in.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct GroupRow {
    pub group_id: String,
    pub name: String,
    pub notification: String,
    pub introduction: String,
    pub face_url: String,
    pub create_time: i64,
    pub status: i32,
    pub creator_user_id: String,
    pub group_type: i32,
    pub owner_user_id: String,
    pub member_count: i32,
    pub ex: String,
    pub attached_info: String,
    pub need_verification: i32,
    pub look_member_info: i32,
    pub apply_member_friend: i32,
    pub notification_update_time: i64,
    pub notification_user_id: String,
}

/// `local_group_members`: a member of one of the user's groups.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct GroupMemberRow {
    pub group_id: String,
    pub user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub role_level: i32,
    pub join_time: i64,
    pub join_source: i32,
    pub inviter_user_id: String,
    pub mute_end_time: i64,
    pub operator_user_id: String,
    pub ex: String,
    pub attached_info: String,
}

/// `local_uploads`: one multipart upload under way.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct UploadRow {
    /// OpenIM's hash of the file: the md5 of its parts' md5s.
    pub part_hash: String,
    pub upload_id: String,
    /// Base64 of the bitmap of the parts on the server.
    pub upload_info: String,
    /// When the server forgets the upload (milliseconds).
    pub expire_time: i64,
    pub create_time: i64,
}
