//! The devserver's message side on the wire: send (1003), pushes (2001) to the recipient and to
//! the sender's devices, and the seq queries 1001/1002/1005/1006/1007.

use std::time::Duration;

use openim_devserver::{AdminClient, DevServer, RawClient};
use openim_wire::constant::{defaults, platform, req};
use openim_wire::gateway::WsResponse;
use openim_wire::pb::msg::*;
use openim_wire::pb::sdkws::*;
use openim_wire::pb::Message as _;

/// devserver's [`RawClient`] with this file's bounded waits and assertions.
struct Client(RawClient);

const WAIT: Duration = Duration::from_secs(10);

impl Client {
    async fn connect(server: &DevServer, admin: &AdminClient, user: &str, platform_id: i32) -> Self {
        let token = admin.user_token(user, platform_id).await.unwrap();
        Self(RawClient::connect(&server.ws_url(), user, &token, platform_id).await.unwrap())
    }

    /// Sends a request and returns its reply; pushes that arrive meanwhile are returned too.
    async fn call<Q: prost::Message, R: prost::Message + Default>(&mut self, id: i32, q: &Q) -> (R, Vec<PushMessages>) {
        let (reply, before) = tokio::time::timeout(WAIT, self.0.call(id, q)).await.expect("a reply in time").expect("the reply");
        let pushes = before
            .iter()
            .map(|f| {
                assert_eq!(f.req_identifier, req::PUSH_MSG);
                PushMessages::decode(f.data.as_slice()).unwrap()
            })
            .collect();
        (reply, pushes)
    }

    async fn next(&mut self) -> WsResponse {
        tokio::time::timeout(WAIT, self.0.next()).await.expect("a frame in time").expect("a frame")
    }

    async fn push(&mut self) -> PushMessages {
        let resp = self.next().await;
        assert_eq!((resp.req_identifier, resp.msg_incr.as_str()), (req::PUSH_MSG, ""));
        PushMessages::decode(resp.data.as_slice()).unwrap()
    }
}

fn text(from: &str, to: &str, id: &str, body: &str) -> MsgData {
    MsgData {
        send_id: from.into(),
        recv_id: to.into(),
        client_msg_id: id.into(),
        session_type: 1,
        content_type: 101,
        content: format!(r#"{{"content":"{body}"}}"#).into_bytes(),
        create_time: 1,
        status: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn send_push_and_seq_queries() {
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for u in ["alice", "bob"] {
        admin.register_user(u, u).await.unwrap();
    }
    let mut alice = Client::connect(&server, &admin, "alice", platform::ANDROID).await;
    let mut alice_pc = Client::connect(&server, &admin, "alice", platform::WINDOWS).await;
    let mut bob = Client::connect(&server, &admin, "bob", platform::IOS).await;
    let conv = "si_alice_bob";

    for i in 1..=3 {
        let (resp, _): (SendMsgResp, _) = alice.call(req::SEND_MSG, &text("alice", "bob", &format!("c{i}"), &format!("m{i}"))).await;
        assert_eq!(resp.client_msg_id, format!("c{i}"));
        assert!(!resp.server_msg_id.is_empty() && resp.send_time > 0);
    }
    // Every connection of the recipient and of the sender gets each message, in seq order.
    for client in [&mut bob, &mut alice_pc] {
        for seq in 1..=3 {
            let push = client.push().await;
            let m = &push.msgs[conv].msgs[0];
            assert_eq!((m.seq, m.status, m.client_msg_id.as_str()), (seq, 2, format!("c{seq}").as_str()));
        }
    }

    let (max, _): (GetMaxSeqResp, _) = bob.call(req::GET_NEWEST_SEQ, &GetMaxSeqReq { user_id: "bob".into() }).await;
    assert_eq!(max.max_seqs.get(conv), Some(&3));

    let range = PullMessageBySeqsReq {
        user_id: "bob".into(),
        seq_ranges: vec![SeqRange { conversation_id: conv.into(), begin: 1, end: 3, num: 2 }],
        order: PullOrder::Asc as i32,
    };
    let (pulled, _): (PullMessageBySeqsResp, _) = bob.call(req::PULL_MSG_BY_RANGE, &range).await;
    assert_eq!(pulled.msgs[conv].msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 3], "the top `num` of the range");
    assert!(pulled.msgs[conv].is_end);

    let seqs = GetSeqMessageReq {
        user_id: "bob".into(),
        conversations: vec![ConversationSeqs { conversation_id: conv.into(), seqs: vec![1, 7] }],
        order: PullOrder::Desc as i32,
    };
    let (by_seq, _): (GetSeqMessageResp, _) = bob.call(req::PULL_MSG_BY_SEQ_LIST, &seqs).await;
    assert_eq!(by_seq.msgs[conv].msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), [1]);

    let read = GetConversationsHasReadAndMaxSeqReq { user_id: "bob".into(), ..Default::default() };
    let (seqs, _): (GetConversationsHasReadAndMaxSeqResp, _) = bob.call(req::GET_CONV_MAX_READ_SEQ, &read).await;
    assert_eq!((seqs.seqs[conv].max_seq, seqs.seqs[conv].has_read_seq), (3, 0));
    let read = GetConversationsHasReadAndMaxSeqReq { user_id: "alice".into(), ..Default::default() };
    let (seqs, _): (GetConversationsHasReadAndMaxSeqResp, _) = alice.call(req::GET_CONV_MAX_READ_SEQ, &read).await;
    assert_eq!(seqs.seqs[conv].has_read_seq, 3, "a sender has read its own messages");

    let last = GetLastMessageReq { user_id: "bob".into(), conversation_ids: vec![conv.into()] };
    let (last, _): (GetLastMessageResp, _) = bob.call(req::PULL_CONV_LAST_MESSAGE, &last).await;
    assert_eq!(last.msgs[conv].seq, 3);

    // Typing keeps no history: seq 0, pushed to the recipient only.
    let mut typing = text("alice", "bob", "t1", "");
    typing.content_type = 113;
    let (_, _): (SendMsgResp, _) = alice.call(req::SEND_MSG, &typing).await;
    let push = bob.push().await;
    assert_eq!(push.msgs[conv].msgs[0].seq, 0);
    let (max, _): (GetMaxSeqResp, _) = bob.call(req::GET_NEWEST_SEQ, &GetMaxSeqReq { user_id: "bob".into() }).await;
    assert_eq!(max.max_seqs.get(conv), Some(&3));
}

/// Sends a request and returns its reply envelope (error replies included).
async fn raw_call<Q: prost::Message>(c: &mut Client, id: i32, q: &Q) -> WsResponse {
    tokio::time::timeout(WAIT, c.0.request(id, q)).await.expect("a reply in time").expect("the reply").0
}

#[tokio::test]
async fn nobody_reads_another_users_conversations() {
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for u in ["alice", "bob", "mallory"] {
        admin.register_user(u, u).await.unwrap();
    }
    let mut alice = Client::connect(&server, &admin, "alice", platform::ANDROID).await;
    let mut mallory = Client::connect(&server, &admin, "mallory", platform::ANDROID).await;
    let _: (SendMsgResp, _) = alice.call(req::SEND_MSG, &text("alice", "bob", "secret-1", "secret")).await;
    let conv = "si_alice_bob".to_owned();
    let denied = |r: &WsResponse| r.err_code == 1002 && r.data.is_empty();

    let pull = GetSeqMessageReq {
        user_id: "mallory".into(),
        conversations: vec![ConversationSeqs { conversation_id: conv.clone(), seqs: vec![1] }],
        order: 0,
    };
    assert!(denied(&raw_call(&mut mallory, req::PULL_MSG_BY_SEQ_LIST, &pull).await), "1005");
    let range = PullMessageBySeqsReq {
        user_id: "mallory".into(),
        seq_ranges: vec![SeqRange { conversation_id: conv.clone(), begin: 1, end: 1, num: 1 }],
        order: 0,
    };
    assert!(denied(&raw_call(&mut mallory, req::PULL_MSG_BY_RANGE, &range).await), "1002");
    let twin = PullMessageBySeqsReq {
        user_id: "mallory".into(),
        seq_ranges: vec![SeqRange { conversation_id: "n_alice_bob".into(), begin: 1, end: 10, num: 10 }],
        order: 0,
    };
    assert!(denied(&raw_call(&mut mallory, req::PULL_MSG_BY_RANGE, &twin).await), "1002 on the n_ twin");
    let seqs = GetConversationsHasReadAndMaxSeqReq { user_id: "mallory".into(), conversation_ids: vec![conv.clone()], return_pinned: false };
    assert!(denied(&raw_call(&mut mallory, req::GET_CONV_MAX_READ_SEQ, &seqs).await), "1006");
    let last = GetLastMessageReq { user_id: "mallory".into(), conversation_ids: vec![conv.clone()] };
    assert!(denied(&raw_call(&mut mallory, req::PULL_CONV_LAST_MESSAGE, &last).await), "1007");
    // The owner still reads it.
    let (got, _): (GetSeqMessageResp, _) = alice.call(req::PULL_MSG_BY_SEQ_LIST, &GetSeqMessageReq { user_id: "alice".into(), ..pull }).await;
    assert_eq!(got.msgs[&conv].msgs.len(), 1);
}

/// `/msg/send_msg` as OpenIM's API takes it: only the kinds its API sends (others 1001), and an
/// online-only message pushed with OpenIM's options for it — no history, nothing persisted, no
/// sender sync, no conversation update — but still pushable offline; no seq.
#[tokio::test]
async fn the_apis_send_takes_openims_kinds_and_online_only_options() {
    use openim_wire::api::path;
    use openim_wire::constant::options;
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for u in ["alice", "bob"] {
        admin.register_user(u, u).await.unwrap();
    }
    let mut bob = Client::connect(&server, &admin, "bob", platform::ANDROID).await;
    let body = |content_type: i32, online_only: bool| {
        serde_json::json!({"sendID":"alice","recvID":"bob","senderPlatformID":1,"content":{"content":"hi"},
                           "contentType":content_type,"sessionType":1,"isOnlineOnly":online_only})
    };
    for unsupported in [107, 113, 1400, 2001] {
        let err = admin.post::<_, serde_json::Value>(path::SEND_MSG, &body(unsupported, false)).await.unwrap_err();
        let code = err.downcast_ref::<openim_devserver::ApiCallError>().map(|e| e.code);
        assert_eq!(code, Some(1001), "content type {unsupported}: {err}");
    }
    let _: serde_json::Value = admin.post(path::SEND_MSG, &body(101, true)).await.unwrap();
    let push = bob.push().await;
    let m = &push.msgs["si_alice_bob"].msgs[0];
    assert_eq!(m.seq, 0);
    for off in [options::HISTORY, options::PERSISTENT, options::SENDER_SYNC, options::CONVERSATION_UPDATE] {
        assert_eq!(m.options.get(off), Some(&false), "{off}: {:?}", m.options);
    }
    assert_ne!(m.options.get(options::OFFLINE_PUSH), Some(&false), "{:?}", m.options);
}
