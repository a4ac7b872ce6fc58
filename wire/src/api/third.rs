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

/// `/third/logs/search` (app managers): uploaded logs created between `startTime` and `endTime`
/// (Unix ms, inclusive; both 0: all), of users whose ID contains `keyword`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchLogsReq {
    pub keyword: String,
    #[serde(rename = "startTime")]
    pub start_time: i64,
    #[serde(rename = "endTime")]
    pub end_time: i64,
    pub pagination: super::conversation::RequestPagination,
}

/// `third.LogInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogInfo {
    #[serde(rename = "userID")]
    pub user_id: String,
    /// The platform's name (`Android`, `IOS`, …).
    pub platform: String,
    pub url: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    pub nickname: String,
    #[serde(rename = "logID")]
    pub log_id: String,
    pub filename: String,
    #[serde(rename = "systemType")]
    pub system_type: String,
    pub ex: String,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchLogsResp {
    #[serde(rename = "logsInfos", deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub logs_infos: Vec<LogInfo>,
    pub total: u32,
}

/// `/third/logs/delete` (app managers): all of `logIDs`, or none when one is unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteLogsReq {
    #[serde(rename = "logIDs", deserialize_with = "crate::json::nullable")]
    pub log_ids: Vec<String>,
}
