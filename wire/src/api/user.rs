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
