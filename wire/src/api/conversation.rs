//! `/conversation/*` bodies (openimsdk/protocol `conversation/conversation.proto`).

use serde::{Deserialize, Serialize};

/// A user's server-side conversation record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Conversation {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "recvMsgOpt")]
    pub recv_msg_opt: i32,
    #[serde(rename = "conversationType")]
    pub conversation_type: i32,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "isPinned")]
    pub is_pinned: bool,
    #[serde(rename = "attachedInfo")]
    pub attached_info: String,
    #[serde(rename = "isPrivateChat")]
    pub is_private_chat: bool,
    #[serde(rename = "groupAtType")]
    pub group_at_type: i32,
    pub ex: String,
    #[serde(rename = "burnDuration")]
    pub burn_duration: i32,
    #[serde(rename = "minSeq")]
    pub min_seq: i64,
    #[serde(rename = "maxSeq")]
    pub max_seq: i64,
    #[serde(rename = "msgDestructTime")]
    pub msg_destruct_time: i64,
    #[serde(rename = "latestMsgDestructTime")]
    pub latest_msg_destruct_time: i64,
    #[serde(rename = "isMsgDestruct")]
    pub is_msg_destruct: bool,
}

/// `ConversationReq`: the fields to change; `None` (JSON `null`) leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationReq {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "conversationType")]
    pub conversation_type: i32,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "recvMsgOpt")]
    pub recv_msg_opt: Option<i32>,
    #[serde(rename = "isPinned")]
    pub is_pinned: Option<bool>,
    #[serde(rename = "attachedInfo")]
    pub attached_info: Option<String>,
    #[serde(rename = "isPrivateChat")]
    pub is_private_chat: Option<bool>,
    pub ex: Option<String>,
    #[serde(rename = "burnDuration")]
    pub burn_duration: Option<i32>,
    #[serde(rename = "minSeq")]
    pub min_seq: Option<i64>,
    #[serde(rename = "maxSeq")]
    pub max_seq: Option<i64>,
    #[serde(rename = "groupAtType")]
    pub group_at_type: Option<i32>,
    #[serde(rename = "msgDestructTime")]
    pub msg_destruct_time: Option<i64>,
    #[serde(rename = "isMsgDestruct")]
    pub is_msg_destruct: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetConversationsReq {
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable")]
    pub user_ids: Vec<String>,
    pub conversation: ConversationReq,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetConversationsReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetAllConversationsReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
}

/// The reply of `get_conversations` and `get_all_conversations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationsResp {
    #[serde(deserialize_with = "crate::json::nullable")]
    pub conversations: Vec<Conversation>,
}
