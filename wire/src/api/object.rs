//! `/object/*` bodies (openimsdk/protocol `third/third.proto`): multipart uploads.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartSizeReq {
    pub size: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartSizeResp {
    pub size: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InitiateMultipartUploadReq {
    pub hash: String,
    pub size: i64,
    #[serde(rename = "partSize")]
    pub part_size: i64,
    #[serde(rename = "maxParts")]
    pub max_parts: i32,
    pub cause: String,
    pub name: String,
    #[serde(rename = "contentType")]
    pub content_type: String,
    #[serde(rename = "urlPrefix")]
    pub url_prefix: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyValues {
    pub key: String,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignPart {
    #[serde(rename = "partNumber")]
    pub part_number: i32,
    pub url: String,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub query: Vec<KeyValues>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub header: Vec<KeyValues>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSignParts {
    pub url: String,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub query: Vec<KeyValues>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub header: Vec<KeyValues>,
    #[serde(deserialize_with = "crate::json::nullable", serialize_with = "crate::json::null_if_empty")]
    pub parts: Vec<SignPart>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadInfo {
    #[serde(rename = "uploadID")]
    pub upload_id: String,
    #[serde(rename = "partSize")]
    pub part_size: i64,
    pub sign: Option<AuthSignParts>,
    /// Milliseconds.
    #[serde(rename = "expireTime")]
    pub expire_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InitiateMultipartUploadResp {
    pub url: String,
    pub upload: Option<UploadInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompleteMultipartUploadReq {
    #[serde(rename = "uploadID")]
    pub upload_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub parts: Vec<String>,
    pub name: String,
    #[serde(rename = "contentType")]
    pub content_type: String,
    pub cause: String,
    #[serde(rename = "urlPrefix")]
    pub url_prefix: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompleteMultipartUploadResp {
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartLimitResp {
    #[serde(rename = "minPartSize")]
    pub min_part_size: i64,
    #[serde(rename = "maxPartSize")]
    pub max_part_size: i64,
    #[serde(rename = "maxNumSize")]
    pub max_num_size: i32,
}

/// `/object/auth_sign`: signed URLs again for parts of a running upload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSignReq {
    #[serde(rename = "uploadID")]
    pub upload_id: String,
    #[serde(rename = "partNumbers", deserialize_with = "crate::json::nullable")]
    pub part_numbers: Vec<i32>,
}

/// `/object/auth_sign`'s answer has the fields of [`AuthSignParts`].
pub type AuthSignResp = AuthSignParts;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessUrlReq {
    pub name: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub query: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessUrlResp {
    pub url: String,
    /// Milliseconds.
    #[serde(rename = "expireTime")]
    pub expire_time: i64,
}
