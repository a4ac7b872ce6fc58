//! `/auth/*` bodies (openimsdk/protocol `auth/auth.proto`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetAdminTokenReq {
    pub secret: String,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenResp {
    pub token: String,
    #[serde(rename = "expireTimeSeconds")]
    pub expire_time_seconds: i64,
}

/// `getAdminTokenResp`.
pub type GetAdminTokenResp = TokenResp;
/// `getUserTokenResp`.
pub type GetUserTokenResp = TokenResp;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetUserTokenReq {
    #[serde(rename = "platformID")]
    pub platform_id: i32,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseTokenReq {
    pub token: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParseTokenResp {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "platformID")]
    pub platform_id: i32,
    /// The token's expiry as a Unix timestamp in seconds.
    #[serde(rename = "expireTimeSeconds")]
    pub expire_time_seconds: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForceLogoutReq {
    #[serde(rename = "platformID")]
    pub platform_id: i32,
    #[serde(rename = "userID")]
    pub user_id: String,
}
