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
