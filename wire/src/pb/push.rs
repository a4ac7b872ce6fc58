//! Package `openim.push` (`push/push.proto`).

/// Sent with request 2003 (logout).
#[derive(Clone, PartialEq, prost::Message)]
pub struct DelUserPushTokenReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(int32, tag = "2")]
    pub platform_id: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct DelUserPushTokenResp {}
