//! `/user/*` bodies (openimsdk/protocol `user/user.proto`, `sdkws.UserInfo`).

use serde::{Deserialize, Serialize};

/// `sdkws.UserInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    pub ex: String,
    /// Milliseconds.
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "appMangerLevel")]
    pub app_manger_level: i32,
    #[serde(rename = "globalRecvMsgOpt")]
    pub global_recv_msg_opt: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRegisterReq {
    #[serde(deserialize_with = "crate::json::nullable")]
    pub users: Vec<UserInfo>,
}

/// `getDesignateUsersReq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUsersInfoReq {
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable")]
    pub user_ids: Vec<String>,
}

/// `getDesignateUsersResp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUsersInfoResp {
    #[serde(rename = "usersInfo", deserialize_with = "crate::json::nullable")]
    pub users_info: Vec<UserInfo>,
}

/// `sdkws.PublicUserInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicUserInfo {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    pub ex: String,
}

/// `sdkws.UserInfoWithEx`: `None` (JSON `null`) leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfoWithEx {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: Option<String>,
    #[serde(rename = "faceURL")]
    pub face_url: Option<String>,
    pub ex: Option<String>,
    #[serde(rename = "globalRecvMsgOpt")]
    pub global_recv_msg_opt: Option<i32>,
}

/// `/user/update_user_info_ex`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateUserInfoExReq {
    #[serde(rename = "userInfo")]
    pub user_info: Option<UserInfoWithEx>,
}

/// `/user/set_global_msg_recv_opt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetGlobalRecvMessageOptReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "globalRecvMsgOpt")]
    pub global_recv_msg_opt: i32,
}

/// `/user/update_user_info`: the non-empty fields of `userInfo` change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateUserInfoReq {
    #[serde(rename = "userInfo")]
    pub user_info: Option<UserInfo>,
}

/// `/user/get_users_online_status` (admin): `data` is a bare array of these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OnlineStatusDetail {
    #[serde(rename = "userID")]
    pub user_id: String,
    /// 1 online, 0 offline.
    pub status: i32,
    #[serde(rename = "detailPlatformStatus", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub detail_platform_status: Vec<PlatformStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformStatus {
    #[serde(rename = "platformID")]
    pub platform_id: i32,
    #[serde(rename = "connID")]
    pub conn_id: String,
    #[serde(rename = "isBackground")]
    pub is_background: bool,
    pub token: String,
}

/// `/user/subscribe_users_status` (`genre` 1 subscribe, 2 cancel) and
/// `/user/get_subscribe_users_status`; OpenIM answers both with an empty `statusList`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubscribeUsersStatusReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "userIDs", deserialize_with = "crate::json::nullable")]
    pub user_ids: Vec<String>,
    pub genre: i32,
}

/// `onlineStatus` list of the subscription routes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusListResp {
    #[serde(rename = "statusList", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub status_list: Vec<UserStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserStatus {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub status: i32,
    #[serde(rename = "platformIDs", deserialize_with = "crate::json::nullable")]
    pub platform_ids: Vec<i32>,
}

/// `/user/get_user_client_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUserClientConfigReq {
    #[serde(rename = "userID")]
    pub user_id: String,
}

/// `/user/set_user_client_config` (app managers only): sets each key of `configs` for the user,
/// or for everyone with an empty `userID`; keys not named stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetUserClientConfigReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub configs: std::collections::HashMap<String, String>,
}

/// `/user/del_user_client_config` (app managers only): removes `keys` of the user (or of
/// everyone, with an empty `userID`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DelUserClientConfigReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub keys: Vec<String>,
}

/// `/user/page_user_client_config` (app managers only): the settings stored, filtered by user
/// and key when these are not empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageUserClientConfigReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub key: String,
    pub pagination: super::conversation::RequestPagination,
}

/// `user.clientConfig`: one stored setting (`userID` empty: everyone's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientConfig {
    pub key: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageUserClientConfigResp {
    pub total: i64,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub configs: Vec<ClientConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUserClientConfigResp {
    /// `omitempty` in OpenIM: left out when empty.
    #[serde(deserialize_with = "crate::json::nullable", skip_serializing_if = "std::collections::HashMap::is_empty")]
    pub configs: std::collections::HashMap<String, String>,
}

/// `/user/add_notification_account` (`addNotificationAccountReq`): an account of
/// `appMangerLevel` ≥ 3 that sends OA notifications; an empty `userID` asks the server for one.
/// It has the reply's fields, under the same JSON keys.
pub type AddNotificationAccountReq = NotificationAccountInfo;

/// `notificationAccountInfo`: the reply of `add_notification_account`, and each account a
/// search finds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationAccountInfo {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "nickName")]
    pub nick_name: String,
    #[serde(rename = "appMangerLevel")]
    pub app_manger_level: i32,
}

/// `/user/update_notification_account` (`updateNotificationAccountInfoReq`): empty fields stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateNotificationAccountInfoReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "nickName")]
    pub nick_name: String,
}

/// `/user/search_notification_account` (`searchNotificationAccountReq`; note the spelling
/// `appManagerLevel` here, `appMangerLevel` elsewhere).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchNotificationAccountReq {
    pub keyword: String,
    #[serde(rename = "appManagerLevel", skip_serializing_if = "Option::is_none")]
    pub app_manager_level: Option<i32>,
    pub pagination: super::conversation::RequestPagination,
}

/// `searchNotificationAccountResp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchNotificationAccountResp {
    pub total: i64,
    #[serde(rename = "notificationAccounts", deserialize_with = "crate::json::nullable")]
    pub notification_accounts: Vec<NotificationAccountInfo>,
}
