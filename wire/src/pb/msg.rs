//! Package `openim.msg` (`msg/msg.proto`).

use std::collections::HashMap;

use super::sdkws::{MsgData, PullMsgs, PullOrder};

#[derive(Clone, PartialEq, prost::Message)]
pub struct SendMsgResp {
    #[prost(string, tag = "1")]
    pub server_msg_id: String,
    #[prost(string, tag = "2")]
    pub client_msg_id: String,
    /// Milliseconds.
    #[prost(int64, tag = "3")]
    pub send_time: i64,
    /// Set when a webhook rewrote the message.
    #[prost(message, optional, tag = "4")]
    pub modify: Option<MsgData>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ConversationSeqs {
    #[prost(string, tag = "2")]
    pub conversation_id: String,
    #[prost(int64, repeated, tag = "3")]
    pub seqs: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetSeqMessageReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(message, repeated, tag = "2")]
    pub conversations: Vec<ConversationSeqs>,
    #[prost(enumeration = "PullOrder", tag = "3")]
    pub order: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetSeqMessageResp {
    #[prost(map = "string, message", tag = "1")]
    pub msgs: HashMap<String, PullMsgs>,
    #[prost(map = "string, message", tag = "2")]
    pub notification_msgs: HashMap<String, PullMsgs>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetConversationsHasReadAndMaxSeqReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(string, repeated, tag = "2")]
    pub conversation_ids: Vec<String>,
    #[prost(bool, tag = "3")]
    pub return_pinned: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Seqs {
    #[prost(int64, tag = "1")]
    pub max_seq: i64,
    #[prost(int64, tag = "2")]
    pub has_read_seq: i64,
    #[prost(int64, tag = "3")]
    pub max_seq_time: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetConversationsHasReadAndMaxSeqResp {
    #[prost(map = "string, message", tag = "1")]
    pub seqs: HashMap<String, Seqs>,
    #[prost(string, repeated, tag = "2")]
    pub pinned_conversation_ids: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetLastMessageReq {
    #[prost(string, tag = "1")]
    pub user_id: String,
    #[prost(string, repeated, tag = "2")]
    pub conversation_ids: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GetLastMessageResp {
    #[prost(map = "string, message", tag = "1")]
    pub msgs: HashMap<String, MsgData>,
}
