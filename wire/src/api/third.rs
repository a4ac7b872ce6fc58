//! `/third/*` bodies (openimsdk/protocol `third/third.proto`): push tokens, badges, log uploads.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FcmUpdateTokenReq {
    #[serde(rename = "platformID")]
    pub platform_id: i32,
    #[serde(rename = "fcmToken")]
    pub fcm_token: String,
    pub account: String,
    /// Seconds.
    #[serde(rename = "expireTime")]
    pub expire_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetAppBadgeReq {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "appUnreadCount")]
    pub app_unread_count: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileUrl {
    pub filename: String,
    #[serde(rename = "URL")]
    pub url: String,
}

/// `/third/logs/upload`: where a client put its log files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadLogsReq {
    pub platform: i32,
    #[serde(rename = "fileURLs", deserialize_with = "crate::json::nullable")]
    pub file_urls: Vec<FileUrl>,
    #[serde(rename = "appFramework")]
    pub app_framework: String,
    pub version: String,
    pub ex: String,
}
