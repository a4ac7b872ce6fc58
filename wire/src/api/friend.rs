//! `/friend/*` bodies (openimsdk/protocol `relation/relation.proto`, `sdkws.FriendInfo`, …).
//! Keys are the proto field names; `getPaginationFriendsApplyToResp.FriendRequests` is
//! capitalised in the proto and so on the wire.

use serde::{Deserialize, Serialize};

use super::conversation::RequestPagination;
use super::user::{PublicUserInfo, UserInfo};

/// `sdkws.FriendInfo`: one entry of the owner's friend list. `createTime` is in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendInfo {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    pub remark: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "friendUser")]
    pub friend_user: Option<UserInfo>,
    #[serde(rename = "addSource")]
    pub add_source: i32,
    #[serde(rename = "operatorUserID")]
    pub operator_user_id: String,
    pub ex: String,
    #[serde(rename = "isPinned")]
    pub is_pinned: bool,
}

impl FriendInfo {
    /// The friend's user ID.
    pub fn friend_user_id(&self) -> &str {
        self.friend_user.as_ref().map(|u| u.user_id.as_str()).unwrap_or("")
    }
}

/// `sdkws.BlackInfo`. `createTime` is in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlackInfo {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "blackUserInfo")]
    pub black_user_info: Option<PublicUserInfo>,
    #[serde(rename = "addSource")]
    pub add_source: i32,
    #[serde(rename = "operatorUserID")]
    pub operator_user_id: String,
    pub ex: String,
}

/// `sdkws.FriendRequest`: an application, `handleResult` 0 pending, 1 accepted, -1 refused.
/// Times are milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendRequest {
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "fromNickname")]
    pub from_nickname: String,
    #[serde(rename = "fromFaceURL")]
    pub from_face_url: String,
    #[serde(rename = "toUserID")]
    pub to_user_id: String,
    #[serde(rename = "toNickname")]
    pub to_nickname: String,
    #[serde(rename = "toFaceURL")]
    pub to_face_url: String,
    #[serde(rename = "handleResult")]
    pub handle_result: i32,
    #[serde(rename = "reqMsg")]
    pub req_msg: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "handlerUserID")]
    pub handler_user_id: String,
    #[serde(rename = "handleMsg")]
    pub handle_msg: String,
    #[serde(rename = "handleTime")]
    pub handle_time: i64,
    pub ex: String,
}

/// `/friend/add_friend`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyToAddFriendReq {
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "toUserID")]
    pub to_user_id: String,
    #[serde(rename = "reqMsg")]
    pub req_msg: String,
    pub ex: String,
}

/// `/friend/add_friend_response`: `toUserID` (the handler) answers `fromUserID` (the applicant)
/// with `handleResult` 1 (agree) or -1 (refuse).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RespondFriendApplyReq {
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "toUserID")]
    pub to_user_id: String,
    #[serde(rename = "handleResult")]
    pub handle_result: i32,
    #[serde(rename = "handleMsg")]
    pub handle_msg: String,
}

/// `/friend/delete_friend`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteFriendReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "friendUserID")]
    pub friend_user_id: String,
}

/// `/friend/get_friend_apply_list` (received) and `/friend/get_self_friend_apply_list` (sent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationFriendsApplyReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub pagination: RequestPagination,
    #[serde(rename = "handleResults", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub handle_results: Vec<i32>,
}

/// The reply to `/friend/get_friend_apply_list` (`FriendRequests`, capitalised in the proto).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationFriendsApplyToResp {
    #[serde(rename = "FriendRequests", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub friend_requests: Vec<FriendRequest>,
    pub total: i32,
}

/// The reply to `/friend/get_self_friend_apply_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationFriendsApplyFromResp {
    #[serde(rename = "friendRequests", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub friend_requests: Vec<FriendRequest>,
    pub total: i32,
}

/// `/friend/get_self_unhandled_apply_count`: pending applications to `userID` made after `time`
/// (milliseconds; 0 for all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSelfUnhandledApplyCountReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSelfUnhandledApplyCountResp {
    pub count: i64,
}

/// `/friend/get_designated_friend_apply`: the applications between two users, both ways.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetDesignatedFriendsApplyReq {
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "toUserID")]
    pub to_user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetDesignatedFriendsApplyResp {
    #[serde(rename = "friendRequests", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub friend_requests: Vec<FriendRequest>,
}

/// `/friend/get_friend_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationFriendsReq {
    pub pagination: RequestPagination,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationFriendsResp {
    #[serde(rename = "friendsInfo", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub friends_info: Vec<FriendInfo>,
    pub total: i32,
}

/// `/friend/get_designated_friends` (non-friends are left out of the reply).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetDesignatedFriendsReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "friendUserIDs", deserialize_with = "crate::json::nullable")]
    pub friend_user_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetDesignatedFriendsResp {
    #[serde(rename = "friendsInfo", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub friends_info: Vec<FriendInfo>,
}

/// `/friend/update_friends`: `None` (JSON `null`) leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateFriendsReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "friendUserIDs", deserialize_with = "crate::json::nullable")]
    pub friend_user_ids: Vec<String>,
    #[serde(rename = "isPinned")]
    pub is_pinned: Option<bool>,
    pub remark: Option<String>,
    pub ex: Option<String>,
}

/// `/friend/get_incremental_friends`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalFriendsReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub version: u64,
}

/// The friends changed since a version (`delete` holds friend user IDs); `sortVersion` is set
/// when pins changed the order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetIncrementalFriendsResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub full: bool,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub delete: Vec<String>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub insert: Vec<FriendInfo>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub update: Vec<FriendInfo>,
    #[serde(rename = "sortVersion")]
    pub sort_version: u64,
}

/// `/friend/get_full_friend_user_ids`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullFriendUserIDsReq {
    #[serde(rename = "idHash")]
    pub id_hash: u64,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFullFriendUserIDsResp {
    pub version: u64,
    #[serde(rename = "versionID")]
    pub version_id: String,
    pub equal: bool,
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub user_ids: Vec<String>,
}

/// `/friend/add_black`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddBlackReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "blackUserID")]
    pub black_user_id: String,
    pub ex: String,
}

/// `/friend/remove_black`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoveBlackReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "blackUserID")]
    pub black_user_id: String,
}

/// `/friend/get_black_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPaginationBlacksReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub pagination: RequestPagination,
}

/// The reply of `/friend/get_black_list` and `/friend/get_specified_blacks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlacksResp {
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub blacks: Vec<BlackInfo>,
    pub total: i32,
}

/// `/friend/get_specified_blacks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetSpecifiedBlacksReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "userIDList", deserialize_with = "crate::json::nullable")]
    pub user_id_list: Vec<String>,
}

/// `/friend/is_friend`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IsFriendReq {
    #[serde(rename = "userID1")]
    pub user_id1: String,
    #[serde(rename = "userID2")]
    pub user_id2: String,
}

/// Whether user 2 is in user 1's list, and the other way round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IsFriendResp {
    #[serde(rename = "inUser1Friends")]
    pub in_user1_friends: bool,
    #[serde(rename = "inUser2Friends")]
    pub in_user2_friends: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_openim_renders_them() {
        let resp = GetPaginationFriendsApplyToResp { friend_requests: vec![FriendRequest::default()], total: 1 };
        let v = serde_json::to_value(&resp).unwrap();
        assert!(v.get("FriendRequests").is_some(), "{v}");
        let from: GetPaginationFriendsApplyFromResp = serde_json::from_str(r#"{"friendRequests":null,"total":0}"#).unwrap();
        assert!(from.friend_requests.is_empty());
        let update = UpdateFriendsReq { owner_user_id: "a".into(), friend_user_ids: vec!["b".into()], remark: Some("r".into()), ..Default::default() };
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"ownerUserID":"a","friendUserIDs":["b"],"isPinned":null,"remark":"r","ex":null}"#
        );
    }
}

/// `/friend/import_friend` (admin): the owner and each friend become friends at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportFriendReq {
    #[serde(rename = "ownerUserID")]
    pub owner_user_id: String,
    #[serde(rename = "friendUserIDs", deserialize_with = "crate::json::nullable")]
    pub friend_user_ids: Vec<String>,
}
