//! Package `openim.sdkws` (`sdkws/sdkws.proto`).

use std::collections::HashMap;

/// One message as it travels on the wire.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgData {
    #[prost(string, tag = "1")]
    pub send_id: String,
    #[prost(string, tag = "2")]
    pub recv_id: String,
    #[prost(string, tag = "3")]
    pub group_id: String,
    #[prost(string, tag = "4")]
    pub client_msg_id: String,
    #[prost(string, tag = "5")]
    pub server_msg_id: String,
    #[prost(int32, tag = "6")]
    pub sender_platform_id: i32,
    #[prost(string, tag = "7")]
    pub sender_nickname: String,
    #[prost(string, tag = "8")]
    pub sender_face_url: String,
    #[prost(int32, tag = "9")]
    pub session_type: i32,
    #[prost(int32, tag = "10")]
    pub msg_from: i32,
    #[prost(int32, tag = "11")]
    pub content_type: i32,
    /// UTF-8 JSON of the content elem.
    #[prost(bytes = "vec", tag = "12")]
    pub content: Vec<u8>,
    #[prost(int64, tag = "14")]
    pub seq: i64,
    #[prost(int64, tag = "15")]
    pub send_time: i64,
    #[prost(int64, tag = "16")]
    pub create_time: i64,
    #[prost(int32, tag = "17")]
    pub status: i32,
    #[prost(bool, tag = "18")]
    pub is_read: bool,
    /// A missing key means `true` (see `constant::options`).
    #[prost(map = "string, bool", tag = "19")]
    pub options: HashMap<String, bool>,
    #[prost(message, optional, tag = "20")]
    pub offline_push_info: Option<OfflinePushInfo>,
    #[prost(string, repeated, tag = "21")]
    pub at_user_id_list: Vec<String>,
    #[prost(string, tag = "22")]
    pub attached_info: String,
    #[prost(string, tag = "23")]
    pub ex: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct OfflinePushInfo {
    #[prost(string, tag = "1")]
    pub title: String,
    #[prost(string, tag = "2")]
    pub desc: String,
    #[prost(string, tag = "3")]
    pub ex: String,
    #[prost(string, tag = "4")]
    pub ios_push_sound: String,
    #[prost(bool, tag = "5")]
    pub ios_badge_count: bool,
    #[prost(string, tag = "6")]
    pub signal_info: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum PullOrder {
    Asc = 0,
    Desc = 1,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SeqRange {
    #[prost(string, tag = "1")]
    pub conversation_id: String,
    #[prost(int64, tag = "2")]
    pub begin: i64,
    #[prost(int64, tag = "3")]
    pub end: i64,
    /// At most this many messages, taken from the top of `[begin, end]`.
    #[prost(int64, tag = "4")]
    pub num: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PullMessageBySeqsReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(message, repeated, tag = "2")]
    pub seq_ranges: Vec<SeqRange>,
    #[prost(enumeration = "PullOrder", tag = "3")]
    pub order: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PullMsgs {
    #[prost(message, repeated, tag = "1")]
    pub msgs: Vec<MsgData>,
    #[prost(bool, tag = "2")]
    pub is_end: bool,
    #[prost(int64, tag = "3")]
    pub end_seq: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PullMessageBySeqsResp {
    #[prost(map = "string, message", tag = "1")]
    pub msgs: HashMap<String, PullMsgs>,
    #[prost(map = "string, message", tag = "2")]
    pub notification_msgs: HashMap<String, PullMsgs>,
}

/// Push 2001: chat messages in `msgs`, `n_` conversations in `notification_msgs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PushMessages {
    #[prost(map = "string, message", tag = "1")]
    pub msgs: HashMap<String, PullMsgs>,
    #[prost(map = "string, message", tag = "2")]
    pub notification_msgs: HashMap<String, PullMsgs>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetMaxSeqReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetMaxSeqResp {
    #[prost(map = "string, int64", tag = "1")]
    pub max_seqs: HashMap<String, i64>,
    #[prost(map = "string, int64", tag = "2")]
    pub min_seqs: HashMap<String, i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SetAppBackgroundStatusReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(bool, tag = "2")]
    pub is_background: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SetAppBackgroundStatusResp {}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SubUserOnlineStatus {
    #[prost(string, repeated, tag = "1")]
    pub subscribe_user_id: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub unsubscribe_user_id: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SubUserOnlineStatusElem {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(int32, repeated, tag = "2")]
    pub online_platform_ids: Vec<i32>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SubUserOnlineStatusTips {
    #[prost(message, repeated, tag = "1")]
    pub subscribers: Vec<SubUserOnlineStatusElem>,
}
