//! Package `openim.jssdk` (`jssdk/jssdk.proto`): the Web SDK's conversation list in one call,
//! with the messages it nests (`conversation.Conversation`, `sdkws.UserInfo`,
//! `relation.FriendInfoOnly`, `sdkws.GroupInfo`). The serde names are the Go JSON tags, for the
//! JSON form of the same routes.

use serde::Serialize;

use super::sdkws::MsgData;

/// `conversation.Conversation`.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
pub struct Conversation {
    #[prost(string, tag = "1")]
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[prost(string, tag = "2")]
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[prost(int32, tag = "3")]
    #[serde(rename = "recvMsgOpt")]
    pub recv_msg_opt: i32,
    #[prost(int32, tag = "4")]
    #[serde(rename = "conversationType")]
    pub conversation_type: i32,
    #[prost(string, tag = "5")]
    #[serde(rename = "userID")]
    pub user_id: String,
    #[prost(string, tag = "6")]
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[prost(bool, tag = "7")]
    #[serde(rename = "isPinned")]
    pub is_pinned: bool,
    #[prost(string, tag = "8")]
    #[serde(rename = "attachedInfo")]
    pub attached_info: String,
    #[prost(bool, tag = "9")]
    #[serde(rename = "isPrivateChat")]
    pub is_private_chat: bool,
    #[prost(int32, tag = "10")]
    #[serde(rename = "groupAtType")]
    pub group_at_type: i32,
    #[prost(string, tag = "11")]
    pub ex: String,
    #[prost(int32, tag = "12")]
    #[serde(rename = "burnDuration")]
    pub burn_duration: i32,
    #[prost(int64, tag = "13")]
    #[serde(rename = "minSeq")]
    pub min_seq: i64,
    #[prost(int64, tag = "14")]
    #[serde(rename = "maxSeq")]
    pub max_seq: i64,
    #[prost(int64, tag = "15")]
    #[serde(rename = "msgDestructTime")]
    pub msg_destruct_time: i64,
    #[prost(int64, tag = "16")]
    #[serde(rename = "latestMsgDestructTime")]
    pub latest_msg_destruct_time: i64,
    #[prost(bool, tag = "17")]
    #[serde(rename = "isMsgDestruct")]
    pub is_msg_destruct: bool,
}

/// `sdkws.UserInfo`.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
pub struct UserInfo {
    #[prost(string, tag = "1")]
    #[serde(rename = "userID")]
    pub user_id: String,
    #[prost(string, tag = "2")]
    pub nickname: String,
    #[prost(string, tag = "3")]
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[prost(string, tag = "4")]
    pub ex: String,
    #[prost(int64, tag = "5")]
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[prost(int32, tag = "6")]
    #[serde(rename = "appMangerLevel")]
    pub app_manger_level: i32,
    #[prost(int32, tag = "7")]
    #[serde(rename = "globalRecvMsgOpt")]
    pub global_recv_msg_opt: i32,
}

/// `relation.FriendInfoOnly`.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
pub struct FriendInfoOnly {
    #[prost(string, tag = "1")]
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[prost(string, tag = "2")]
    #[serde(rename = "friendUserID")]
    pub friend_user_id: String,
    #[prost(string, tag = "3")]
    pub remark: String,
    #[prost(int64, tag = "4")]
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[prost(int32, tag = "5")]
    #[serde(rename = "addSource")]
    pub add_source: i32,
    #[prost(string, tag = "6")]
    #[serde(rename = "operatorUserID")]
    pub operator_user_id: String,
    #[prost(string, tag = "7")]
    pub ex: String,
    #[prost(bool, tag = "8")]
    #[serde(rename = "isPinned")]
    pub is_pinned: bool,
}

/// `sdkws.GroupInfo`.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
pub struct GroupInfo {
    #[prost(string, tag = "1")]
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[prost(string, tag = "2")]
    #[serde(rename = "groupName")]
    pub group_name: String,
    #[prost(string, tag = "3")]
    pub notification: String,
    #[prost(string, tag = "4")]
    pub introduction: String,
    #[prost(string, tag = "5")]
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[prost(string, tag = "6")]
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[prost(int64, tag = "7")]
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[prost(uint32, tag = "8")]
    #[serde(rename = "memberCount")]
    pub member_count: u32,
    #[prost(string, tag = "9")]
    pub ex: String,
    #[prost(int32, tag = "10")]
    pub status: i32,
    #[prost(string, tag = "11")]
    #[serde(rename = "creatorUserID")]
    pub creator_user_id: String,
    #[prost(int32, tag = "12")]
    #[serde(rename = "groupType")]
    pub group_type: i32,
    #[prost(int32, tag = "13")]
    #[serde(rename = "needVerification")]
    pub need_verification: i32,
    #[prost(int32, tag = "14")]
    #[serde(rename = "lookMemberInfo")]
    pub look_member_info: i32,
    #[prost(int32, tag = "15")]
    #[serde(rename = "applyMemberFriend")]
    pub apply_member_friend: i32,
    #[prost(int64, tag = "16")]
    #[serde(rename = "notificationUpdateTime")]
    pub notification_update_time: i64,
    #[prost(string, tag = "17")]
    #[serde(rename = "notificationUserID")]
    pub notification_user_id: String,
}

/// One conversation of the list, with what the Web SDK shows of it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConversationMsg {
    #[prost(message, optional, tag = "1")]
    pub conversation: Option<Conversation>,
    #[prost(message, optional, tag = "2")]
    pub last_msg: Option<MsgData>,
    #[prost(message, optional, tag = "3")]
    pub user: Option<UserInfo>,
    #[prost(message, optional, tag = "4")]
    pub friend: Option<FriendInfoOnly>,
    #[prost(message, optional, tag = "5")]
    pub group: Option<GroupInfo>,
    #[prost(int64, tag = "6")]
    pub max_seq: i64,
    #[prost(int64, tag = "7")]
    pub read_seq: i64,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(default)]
pub struct GetActiveConversationsReq {
    #[prost(string, tag = "1")]
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[prost(int64, tag = "2")]
    pub count: i64,
}

#[derive(Clone, PartialEq, prost::Message, serde::Deserialize)]
#[serde(default)]
pub struct GetConversationsReq {
    #[prost(string, tag = "1")]
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[prost(string, repeated, tag = "2")]
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
}

/// The reply of both routes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetConversationsResp {
    #[prost(int64, tag = "1")]
    pub unread_count: i64,
    #[prost(message, repeated, tag = "2")]
    pub conversations: Vec<ConversationMsg>,
}
