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

/// `sdkws.RequestPagination`: 1-based page number and page size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestPagination {
    #[serde(rename = "pageNumber")]
    pub page_number: i32,
    #[serde(rename = "showNumber")]
    pub show_number: i32,
}

/// `/conversation/get_incremental_conversations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalConversationReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub version: u64,
}

/// The changes since a version; `full` means "start over" (then the lists are empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalConversationResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub full: bool,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub delete: Vec<String>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub insert: Vec<Conversation>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub update: Vec<Conversation>,
}

/// `/conversation/get_full_conversation_ids`: `idHash` of the IDs the client holds (0 for none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullOwnerConversationIDsReq {
    #[serde(rename = "idHash")]
    pub id_hash: u64,
    #[serde(rename = "userID")]
    pub user_id: String,
}

/// Every conversation ID of the owner, unless `equal` (the client's hash matches; then `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullOwnerConversationIDsResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub equal: bool,
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub conversation_ids: Vec<String>,
}

/// `/conversation/get_owner_conversation`: one page of the owner's conversations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetOwnerConversationReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub pagination: RequestPagination,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetOwnerConversationResp {
    pub total: i64,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub conversations: Vec<Conversation>,
}

/// `/conversation/get_not_notify_conversation_ids` (conversations received without
/// notification, `recvMsgOpt` 2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetNotNotifyConversationIDsReq {
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetNotNotifyConversationIDsResp {
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub conversation_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_reply_renders_nil_lists_as_null_like_go() {
        let full = GetIncrementalConversationResp { version: 3, version_id: "6650f0a1b2c3d4e5f6a7b8c9".into(), full: true, ..Default::default() };
        assert_eq!(
            serde_json::to_string(&full).unwrap(),
            r#"{"version":3,"versionID":"6650f0a1b2c3d4e5f6a7b8c9","full":true,"delete":null,"insert":null,"update":null}"#
        );
        let back: GetIncrementalConversationResp = serde_json::from_str(&serde_json::to_string(&full).unwrap()).unwrap();
        assert_eq!(back, full);
        let ids: GetFullOwnerConversationIDsResp =
            serde_json::from_str(r#"{"version":1,"versionID":"x","equal":true,"conversationIDs":null}"#).unwrap();
        assert!(ids.equal && ids.conversation_ids.is_empty());
    }
}

/// `/conversation/delete_conversations` (OpenIM's main branch; its official clients do not call
/// it): the owner's records of `conversationIDs`, or of every conversation whose last message is
/// older than `needDeleteTime` days — one of the two.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteConversationsReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "needDeleteTime")]
    pub need_delete_time: i64,
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
}
