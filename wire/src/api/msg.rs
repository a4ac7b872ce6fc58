//! `/msg/*` bodies (openimsdk/protocol `msg/msg.proto`).

use serde::{Deserialize, Serialize};

/// `DeleteSyncOpt` (its JSON keys are capitalised, as the proto field names are).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteSyncOpt {
    #[serde(rename = "IsSyncSelf")]
    pub is_sync_self: bool,
    #[serde(rename = "IsSyncOther")]
    pub is_sync_other: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkConversationAsReadReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "hasReadSeq")]
    pub has_read_seq: i64,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub seqs: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkMsgsAsReadReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub seqs: Vec<i64>,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RevokeMsgReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub seq: i64,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteMsgsReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub seqs: Vec<i64>,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "deleteSyncOpt")]
    pub delete_sync_opt: Option<DeleteSyncOpt>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClearConversationsMsgReq {
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "deleteSyncOpt")]
    pub delete_sync_opt: Option<DeleteSyncOpt>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserClearAllMsgReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "deleteSyncOpt")]
    pub delete_sync_opt: Option<DeleteSyncOpt>,
}

/// `/msg/get_conversations_has_read_and_max_seq` (an empty ID list means every conversation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetConversationsHasReadAndMaxSeqReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seqs {
    #[serde(rename = "maxSeq")]
    pub max_seq: i64,
    #[serde(rename = "hasReadSeq")]
    pub has_read_seq: i64,
    #[serde(rename = "maxSeqTime")]
    pub max_seq_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetConversationsHasReadAndMaxSeqResp {
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty_map")]
    pub seqs: std::collections::HashMap<String, Seqs>,
}

/// `/msg/set_conversation_has_read_seq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetConversationHasReadSeqReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "hasReadSeq")]
    pub has_read_seq: i64,
    /// Skip telling the user's other devices (no 2200 notification).
    #[serde(rename = "noNotification")]
    pub no_notification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetServerTimeResp {
    /// Milliseconds.
    #[serde(rename = "serverTime")]
    pub server_time: i64,
}

/// `/msg/send_msg` (app managers only): OpenIM's `apistruct.SendMsgReq`, one flat object whose
/// `content` is the content element as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendMsgReq {
    #[serde(rename = "recvID")]
    pub recv_id: String,
    #[serde(rename = "sendID")]
    pub send_id: String,
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "senderNickname")]
    pub sender_nickname: String,
    #[serde(rename = "senderFaceURL")]
    pub sender_face_url: String,
    #[serde(rename = "senderPlatformID")]
    pub sender_platform_id: i32,
    pub content: serde_json::Value,
    #[serde(rename = "contentType")]
    pub content_type: i32,
    #[serde(rename = "sessionType")]
    pub session_type: i32,
    #[serde(rename = "isOnlineOnly")]
    pub is_online_only: bool,
    #[serde(rename = "notOfflinePush")]
    pub not_offline_push: bool,
    #[serde(rename = "sendTime")]
    pub send_time: i64,
    pub ex: String,
}

/// `/msg/send_business_notification` (app managers): a 2001 notification carrying `{key, data}`
/// to one user or one group. `reliabilityLevel` 1 (the default) pushes it only; 2 stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendBusinessNotificationReq {
    pub key: String,
    pub data: String,
    #[serde(rename = "sendUserID")]
    pub send_user_id: String,
    #[serde(rename = "recvUserID")]
    pub recv_user_id: String,
    #[serde(rename = "recvGroupID")]
    pub recv_group_id: String,
    #[serde(rename = "sendMsg")]
    pub send_msg: bool,
    #[serde(rename = "reliabilityLevel")]
    pub reliability_level: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendMsgResp {
    #[serde(rename = "serverMsgID")]
    pub server_msg_id: String,
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    #[serde(rename = "sendTime")]
    pub send_time: i64,
}
