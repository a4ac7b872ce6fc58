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
