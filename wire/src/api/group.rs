//! `/group/*` bodies (openimsdk/protocol `group/group.proto`, `sdkws.GroupInfo`, …). No key is
//! capitalised here; wrapper fields (`StringValue`, `Int32Value`) are `Option`s (`null` = keep).

use serde::{Deserialize, Serialize};

use super::conversation::RequestPagination;
use super::user::PublicUserInfo;

/// `sdkws.GroupInfo`. Times are milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInfo {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "groupName")]
    pub group_name: String,
    pub notification: String,
    pub introduction: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "memberCount")]
    pub member_count: u32,
    pub ex: String,
    pub status: i32,
    #[serde(rename = "creatorUserID")]
    pub creator_user_id: String,
    #[serde(rename = "groupType")]
    pub group_type: i32,
    #[serde(rename = "needVerification")]
    pub need_verification: i32,
    #[serde(rename = "lookMemberInfo")]
    pub look_member_info: i32,
    #[serde(rename = "applyMemberFriend")]
    pub apply_member_friend: i32,
    #[serde(rename = "notificationUpdateTime")]
    pub notification_update_time: i64,
    #[serde(rename = "notificationUserID")]
    pub notification_user_id: String,
}

/// `sdkws.GroupMemberFullInfo`. Times are milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupMemberFullInfo {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "roleLevel")]
    pub role_level: i32,
    #[serde(rename = "joinTime")]
    pub join_time: i64,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "appMangerLevel")]
    pub app_manger_level: i32,
    #[serde(rename = "joinSource")]
    pub join_source: i32,
    #[serde(rename = "operatorUserID")]
    pub operator_user_id: String,
    pub ex: String,
    #[serde(rename = "muteEndTime")]
    pub mute_end_time: i64,
    #[serde(rename = "inviterUserID")]
    pub inviter_user_id: String,
}

/// `sdkws.GroupRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupRequest {
    #[serde(rename = "userInfo")]
    pub user_info: Option<PublicUserInfo>,
    #[serde(rename = "groupInfo")]
    pub group_info: Option<GroupInfo>,
    #[serde(rename = "handleResult")]
    pub handle_result: i32,
    #[serde(rename = "reqMsg")]
    pub req_msg: String,
    #[serde(rename = "handleMsg")]
    pub handle_msg: String,
    #[serde(rename = "reqTime")]
    pub req_time: i64,
    #[serde(rename = "handleUserID")]
    pub handle_user_id: String,
    #[serde(rename = "handleTime")]
    pub handle_time: i64,
    pub ex: String,
    #[serde(rename = "joinSource")]
    pub join_source: i32,
    #[serde(rename = "inviterUserID")]
    pub inviter_user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateGroupReq {
    #[serde(rename = "memberUserIDs", deserialize_with = "crate::json::nullable")]
    pub member_user_ids: Vec<String>,
    #[serde(rename = "groupInfo")]
    pub group_info: Option<GroupInfo>,
    #[serde(rename = "adminUserIDs", deserialize_with = "crate::json::nullable")]
    pub admin_user_ids: Vec<String>,
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "sendMessage", skip_serializing_if = "Option::is_none")]
    pub send_message: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInfoResp {
    #[serde(rename = "groupInfo")]
    pub group_info: Option<GroupInfo>,
}

/// `/group/set_group_info_ex`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetGroupInfoExReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "groupName")]
    pub group_name: Option<String>,
    pub notification: Option<String>,
    pub introduction: Option<String>,
    #[serde(rename = "faceURL")]
    pub face_url: Option<String>,
    pub ex: Option<String>,
    #[serde(rename = "needVerification")]
    pub need_verification: Option<i32>,
    #[serde(rename = "lookMemberInfo")]
    pub look_member_info: Option<i32>,
    #[serde(rename = "applyMemberFriend")]
    pub apply_member_friend: Option<i32>,
}

/// `/group/join_group` (`inviterUserID` is the user joining, as OpenIM's SDK sends it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JoinGroupReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "reqMessage")]
    pub req_message: String,
    #[serde(rename = "joinSource")]
    pub join_source: i32,
    #[serde(rename = "inviterUserID")]
    pub inviter_user_id: String,
    pub ex: String,
}

/// `/group/quit_group`, `/group/cancel_mute_group_member`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUserReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
}

/// `/group/mute_group`, `/group/cancel_mute_group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupIdReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// `/group/dismiss_group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DismissGroupReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "deleteMember")]
    pub delete_member: bool,
}

/// `/group/get_groups_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupsInfoReq {
    #[serde(rename = "groupIDs", deserialize_with = "crate::json::nullable")]
    pub group_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupsInfoResp {
    #[serde(rename = "groupInfos", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub group_infos: Vec<GroupInfo>,
}

/// `/group/get_group_member_list` (the server ignores `filter`; clients apply it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupMemberListReq {
    pub pagination: RequestPagination,
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub filter: i32,
    pub keyword: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupMembersResp {
    pub total: u32,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub members: Vec<GroupMemberFullInfo>,
}

/// `/group/get_group_members_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupMembersInfoReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable")]
    pub user_ids: Vec<String>,
}

/// `/group/invite_user_to_group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteUserToGroupReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub reason: String,
    #[serde(rename = "invitedUserIDs", deserialize_with = "crate::json::nullable")]
    pub invited_user_ids: Vec<String>,
}

/// `/group/get_joined_group_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetJoinedGroupListReq {
    pub pagination: RequestPagination,
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetJoinedGroupListResp {
    pub total: u32,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub groups: Vec<GroupInfo>,
}

/// `/group/kick_group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KickGroupMemberReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "kickedUserIDs", deserialize_with = "crate::json::nullable")]
    pub kicked_user_ids: Vec<String>,
    pub reason: String,
}

/// `/group/transfer_group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferGroupOwnerReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "oldOwnerUserID")]
    pub old_owner_user_id: String,
    #[serde(rename = "newOwnerUserID")]
    pub new_owner_user_id: String,
}

/// `/group/get_recv_group_applicationList` (`fromUserID`: the manager) and
/// `/group/get_user_req_group_applicationList` (`userID`: the applicant).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupApplicationListReq {
    pub pagination: RequestPagination,
    #[serde(rename = "fromUserID", skip_serializing_if = "String::is_empty")]
    pub from_user_id: String,
    #[serde(rename = "userID", skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    #[serde(rename = "groupIDs", deserialize_with = "crate::json::nullable")]
    pub group_ids: Vec<String>,
    #[serde(rename = "handleResults", deserialize_with = "crate::json::nullable")]
    pub handle_results: Vec<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupRequestsResp {
    pub total: u32,
    #[serde(rename = "groupRequests", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub group_requests: Vec<GroupRequest>,
}

/// `/group/get_group_application_unhandled_count`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetGroupApplicationUnhandledCountReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountResp {
    pub count: i64,
}

/// `/group/group_application_response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupApplicationResponseReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "handledMsg")]
    pub handled_msg: String,
    #[serde(rename = "handleResult")]
    pub handle_result: i32,
}

/// `/group/mute_group_member`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MuteGroupMemberReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "mutedSeconds")]
    pub muted_seconds: u32,
}

/// One member's changes in `/group/set_group_member_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetGroupMemberInfo {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: Option<String>,
    #[serde(rename = "faceURL")]
    pub face_url: Option<String>,
    #[serde(rename = "roleLevel")]
    pub role_level: Option<i32>,
    pub ex: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetGroupMemberInfoReq {
    #[serde(deserialize_with = "crate::json::nullable")]
    pub members: Vec<SetGroupMemberInfo>,
}

/// `/group/get_incremental_join_groups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalJoinGroupReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalJoinGroupResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub full: bool,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub delete: Vec<String>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub insert: Vec<GroupInfo>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub update: Vec<GroupInfo>,
    #[serde(rename = "sortVersion")]
    pub sort_version: u64,
}

/// One group of `/group/get_incremental_group_members_batch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalGroupMemberReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchGetIncrementalGroupMemberReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "reqList", deserialize_with = "crate::json::nullable")]
    pub req_list: Vec<GetIncrementalGroupMemberReq>,
}

/// The members changed since a version; `group` is set when the group itself changed (or on
/// `full`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalGroupMemberResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub full: bool,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub delete: Vec<String>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub insert: Vec<GroupMemberFullInfo>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub update: Vec<GroupMemberFullInfo>,
    pub group: Option<GroupInfo>,
    #[serde(rename = "sortVersion")]
    pub sort_version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchGetIncrementalGroupMemberResp {
    #[serde(rename = "respList", deserialize_with = "crate::json::nullable", skip_serializing_if = "std::collections::HashMap::is_empty")]
    pub resp_list: std::collections::HashMap<String, GetIncrementalGroupMemberResp>,
}

/// `/group/get_full_join_group_ids`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullJoinGroupIDsReq {
    #[serde(rename = "idHash")]
    pub id_hash: u64,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullJoinGroupIDsResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub equal: bool,
    #[serde(rename = "groupIDs", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub group_ids: Vec<String>,
}

/// `/group/get_full_group_member_user_ids`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullGroupMemberUserIDsReq {
    #[serde(rename = "idHash")]
    pub id_hash: u64,
    #[serde(rename = "groupID")]
    pub group_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullGroupMemberUserIDsResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub equal: bool,
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub user_ids: Vec<String>,
}

/// `/group/get_specified_user_group_request_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSpecifiedUserGroupRequestInfoReq {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
}
