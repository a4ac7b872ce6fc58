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

/// A devserver with `users` registered (each named by their ID), and its admin client.
async fn started(users: &[&str]) -> (DevServer, AdminClient) {
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for u in users {
        admin.register_user(u, u).await.unwrap();
    }
    (server, admin)
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
    let (server, admin) = started(&["alice", "bob"]).await;
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
    let (server, admin) = started(&["alice", "bob", "mallory"]).await;
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
    let (server, admin) = started(&["alice", "bob"]).await;
    let mut bob = Client::connect(&server, &admin, "bob", platform::ANDROID).await;
    let body = |content_type: i32, online_only: bool| {
        serde_json::json!({"sendID":"alice","recvID":"bob","senderPlatformID":1,"content":{"content":"hi"},
                           "contentType":content_type,"sessionType":1,"isOnlineOnly":online_only})
    };
    let code_of = |err: anyhow::Error| err.downcast_ref::<openim_devserver::ApiCallError>().map(|e| e.code);
    for unsupported in [107, 113, 2001] {
        let err = admin.post::<_, serde_json::Value>(path::SEND_MSG, &body(unsupported, false)).await.unwrap_err();
        assert_eq!(code_of(err), Some(1001), "content type {unsupported}");
    }
    // OA notifications come from notification accounts only (`notification_accounts_send_oa_notifications`).
    let err = admin.post::<_, serde_json::Value>(path::SEND_MSG, &body(1400, false)).await.unwrap_err();
    assert_eq!(code_of(err), Some(1002), "alice is no notification account");
    let _: serde_json::Value = admin.post(path::SEND_MSG, &body(101, true)).await.unwrap();
    let push = bob.push().await;
    let m = &push.msgs["si_alice_bob"].msgs[0];
    assert_eq!(m.seq, 0);
    for off in [options::HISTORY, options::PERSISTENT, options::SENDER_SYNC, options::CONVERSATION_UPDATE] {
        assert_eq!(m.options.get(off), Some(&false), "{off}: {:?}", m.options);
    }
    assert_ne!(m.options.get(options::OFFLINE_PUSH), Some(&false), "{:?}", m.options);
}

/// A user's pushes, kept once read, so that a test can look for each notification in any order.
struct Inbox {
    client: Client,
    seen: Vec<(String, MsgData)>,
}

fn tips_of(m: &MsgData) -> serde_json::Value {
    let elem: openim_wire::elem::NotificationElem = serde_json::from_slice(&m.content).unwrap_or_default();
    serde_json::from_str(&elem.detail).unwrap_or_default()
}

impl Inbox {
    /// The first `n` pushed messages of `content_type` in conversations starting with `prefix`
    /// whose tips (as JSON) match `matches`.
    async fn find_all(&mut self, content_type: i32, prefix: &str, n: usize, matches: impl Fn(&serde_json::Value) -> bool) -> Vec<(MsgData, serde_json::Value)> {
        loop {
            let found: Vec<_> = self
                .seen
                .iter()
                .filter(|(c, m)| m.content_type == content_type && c.starts_with(prefix))
                .map(|(_, m)| (m.clone(), tips_of(m)))
                .filter(|(_, t)| matches(t))
                .take(n)
                .collect();
            if found.len() == n {
                return found;
            }
            let push = self.client.push().await;
            for (conversation, pulled) in push.msgs.into_iter().chain(push.notification_msgs) {
                self.seen.extend(pulled.msgs.into_iter().map(|m| (conversation.clone(), m)));
            }
        }
    }

    async fn find(&mut self, content_type: i32, prefix: &str) -> (MsgData, serde_json::Value) {
        self.find_all(content_type, prefix, 1, |_| true).await.remove(0)
    }
}

/// What devserver's notifications say, as OpenIM's server words them: an imported friendship is
/// the owner's application approved by the friend (with a visible copy in their chat); friends
/// that are none are updated without error; read marks name the seq asked for; a clear is a
/// conversation change (1300); a profile an app manager changes names the manager as operator,
/// a group admin of app level 2.
#[tokio::test]
async fn notifications_name_who_and_what_as_openims_server_does() {
    use openim_wire::api::path;
    use openim_wire::constant::content_type as ct;
    use serde_json::{Value, json};
    let (server, admin) = started(&["alice", "bob", "carol"]).await;
    let alice_token = admin.user_token("alice", platform::IOS).await.unwrap();
    let http = reqwest::Client::new();
    let as_alice = |route: &'static str, body: Value| {
        let request = http.post(format!("{}{route}", server.api_url())).header("operationID", "t").header("token", &alice_token).json(&body);
        async move {
            let reply: Value = request.send().await.unwrap().json().await.unwrap();
            assert_eq!(reply["errCode"], 0, "{route}: {reply}");
        }
    };
    let mut alice = Inbox { client: Client::connect(&server, &admin, "alice", platform::ANDROID).await, seen: Vec::new() };
    let mut bob = Inbox { client: Client::connect(&server, &admin, "bob", platform::ANDROID).await, seen: Vec::new() };

    let _: Value = admin.post(path::IMPORT_FRIEND, &json!({"ownerUserID":"alice","friendUserIDs":["bob"]})).await.unwrap();
    let (m, tips) = alice.find(ct::FRIEND_APPLICATION_APPROVED, "n_").await;
    assert_eq!((m.send_id.as_str(), m.recv_id.as_str()), ("bob", "alice"));
    assert_eq!((tips["fromToUserID"]["fromUserID"].as_str(), tips["fromToUserID"]["toUserID"].as_str()), (Some("alice"), Some("bob")), "{tips}");
    let (copy, _) = alice.find(ct::FRIEND_APPLICATION_APPROVED, "si_alice_bob").await;
    assert!(copy.seq > 0, "a visible copy in the chat");

    // carol is no friend of alice's: nothing to change there, and no refusal.
    as_alice(path::UPDATE_FRIENDS, json!({"ownerUserID":"alice","friendUserIDs":["bob","carol"],"remark":"B"})).await;
    let (_, tips) = alice.find(ct::FRIENDS_INFO_UPDATE, "n_").await;
    assert_eq!(tips["friendIDs"], json!(["bob", "carol"]));

    // Read marks: the tips carry the seq asked for, below the stored mark too.
    for i in 0..3 {
        let _: Value = admin
            .post(path::SEND_MSG, &json!({"sendID":"bob","recvID":"alice","senderPlatformID":1,"content":{"content":format!("m{i}")},"contentType":101,"sessionType":1}))
            .await
            .unwrap();
    }
    let chat = "si_alice_bob";
    let bobs_last = alice.find(ct::TEXT, chat).await.0.seq + 2;
    as_alice(path::MARK_CONVERSATION_AS_READ, json!({"conversationID":chat,"userID":"alice","hasReadSeq":bobs_last})).await;
    as_alice(path::MARK_MSGS_AS_READ, json!({"conversationID":chat,"userID":"alice","seqs":[bobs_last - 1]})).await;
    let reads = bob.find_all(ct::HAS_READ_RECEIPT, "", 2, |t| t["markAsReadUserID"] == "alice").await;
    let reads: Vec<_> = reads.iter().map(|(_, t)| t["hasReadSeq"].as_i64().unwrap_or(-1)).collect();
    assert_eq!(reads, [bobs_last, bobs_last - 1], "the peer hears the seq asked for");
    as_alice(path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":chat,"userID":"alice","hasReadSeq":1,"noNotification":true})).await;
    // (noNotification is not honoured: OpenIM's server sends it all the same.)
    alice.find_all(ct::HAS_READ_RECEIPT, "", 1, |t| t["hasReadSeq"] == 1 && t["seqs"].as_array().is_none_or(|s| s.is_empty())).await;

    // A clear changes the conversation record: 1300 to the user.
    as_alice(path::CLEAR_CONVERSATION_MSG, json!({"conversationIDs":[chat],"userID":"alice"})).await;
    let (_, tips) = alice.find(ct::CONVERSATION_CHANGE, "").await;
    assert_eq!(tips, json!({"userID":"alice","conversationIDList":[chat]}));

    // An app manager renames bob: the friend's notice and the group's come from the manager.
    let group: Value = admin
        .post(path::CREATE_GROUP, &json!({"memberUserIDs":["bob"],"adminUserIDs":[],"ownerUserID":"alice","groupInfo":{"groupName":"G","groupType":2}}))
        .await
        .unwrap();
    assert!(group["groupInfo"]["groupID"].is_string(), "{group}");
    let _: Value = admin.post(path::UPDATE_USER_INFO, &json!({"userInfo":{"userID":"bob","nickname":"Bobby"}})).await.unwrap();
    let (m, tips) = alice.find(ct::FRIEND_INFO_UPDATED, "n_").await;
    assert_eq!((m.send_id.as_str(), tips["userID"].as_str()), (defaults::ADMIN_USER_ID, Some("bob")));
    let (m, tips) = alice.find(ct::GROUP_MEMBER_INFO_SET, "").await;
    assert_eq!(m.send_id, defaults::ADMIN_USER_ID);
    let op = &tips["opUser"];
    assert_eq!((op["userID"].as_str(), op["roleLevel"].as_i64(), op["appMangerLevel"].as_i64()), (Some(defaults::ADMIN_USER_ID), Some(60), Some(2)), "{op}");
    assert_eq!((tips["changedUser"]["userID"].as_str(), tips["changedUser"]["nickname"].as_str()), (Some("bob"), Some("Bobby")), "{tips}");
}

/// A group message mentioning members marks their conversation records as OpenIM's server (3.8)
/// does, for the official clients, which take `groupAtType` from the server: @me 1 for the named,
/// @all 2 for every member but the sender and 3 for those also named; each changed record is a
/// new version and 1300 to its user, an unchanged one neither; the app clears the mark with
/// `set_conversations`. Sent by a client and through the API alike. A new announcement marks
/// every member 4.
#[tokio::test]
async fn mentions_mark_the_members_conversation_records() {
    use openim_wire::api::path;
    use openim_wire::constant::content_type as ct;
    use serde_json::{Value, json};
    let (server, admin) = started(&["alice", "bob", "carol"]).await;
    let group: Value = admin
        .post(path::CREATE_GROUP, &json!({"memberUserIDs":["bob","carol"],"adminUserIDs":[],"ownerUserID":"alice","groupInfo":{"groupName":"G","groupType":2}}))
        .await
        .unwrap();
    let group_id = group["groupInfo"]["groupID"].as_str().unwrap().to_owned();
    let chat = format!("sg_{group_id}");
    let mut alice = Client::connect(&server, &admin, "alice", platform::ANDROID).await;
    let mut bob = Inbox { client: Client::connect(&server, &admin, "bob", platform::ANDROID).await, seen: Vec::new() };
    let marks = || async {
        let mut marks = Vec::new();
        for user in ["alice", "bob", "carol"] {
            let r: Value = admin.post(path::GET_CONVERSATIONS, &json!({"ownerUserID":user,"conversationIDs":[chat]})).await.unwrap();
            marks.push(r["conversations"][0]["groupAtType"].as_i64().unwrap_or(-1));
        }
        marks
    };
    let version = |user: &'static str| {
        let admin = &admin;
        async move {
            let r: Value = admin.post(path::GET_INCREMENTAL_CONVERSATIONS, &json!({"userID":user,"versionID":"","version":0})).await.unwrap();
            r["version"].as_u64().unwrap()
        }
    };

    let at = MsgData {
        group_id: group_id.clone(),
        session_type: 3,
        content_type: ct::AT_TEXT,
        content: br#"{"text":"@bob hi","atUserList":["bob"]}"#.to_vec(),
        at_user_id_list: vec!["bob".into()],
        ..text("alice", "", "at-1", "")
    };
    let (_, _): (SendMsgResp, _) = alice.call(req::SEND_MSG, &at).await;
    assert_eq!(marks().await, [0, 1, 0], "@bob marks bob's record only");
    let (_, tips) = bob.find(ct::CONVERSATION_CHANGE, "").await;
    assert_eq!(tips, json!({"userID":"bob","conversationIDList":[chat]}));

    // bob's app clears it.
    let clear = json!({"userIDs":["bob"],"conversation":{"conversationID":chat,"conversationType":3,"groupID":group_id,"groupAtType":0}});
    let _: Value = admin.post(path::SET_CONVERSATIONS, &clear).await.unwrap();
    assert_eq!(marks().await, [0, 0, 0]);

    // @all naming carol too, through the API: the sender is not marked.
    let all = json!({"sendID":"alice","groupID":group_id,"senderPlatformID":1,"contentType":ct::AT_TEXT,"sessionType":3,
                     "content":{"text":"@all","atUserList":["AtAllTag","carol"]}});
    let _: Value = admin.post(path::SEND_MSG, &all).await.unwrap();
    assert_eq!(marks().await, [0, 2, 3]);
    let before = version("bob").await;
    let _: Value = admin.post(path::SEND_MSG, &all).await.unwrap();
    assert_eq!((marks().await, version("bob").await), (vec![0, 2, 3], before), "the same mark again is no new version");

    // A new announcement marks every member (4), with a copy of its notice in the chat; a cleared
    // one neither marks nor leaves a copy (OpenIM's notificationFlag).
    let chat_max = || async {
        let r: Value = admin.post(path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, &json!({"userID":"bob","conversationIDs":[chat]})).await.unwrap();
        r["seqs"][chat.as_str()]["maxSeq"].as_i64().unwrap()
    };
    let before = chat_max().await;
    let _: Value = admin.post(path::SET_GROUP_INFO_EX, &json!({"groupID":group_id,"notification":"read me"})).await.unwrap();
    assert_eq!((marks().await, chat_max().await), (vec![4, 4, 4], before + 1));
    let clear = json!({"userIDs":["bob"],"conversation":{"conversationID":chat,"conversationType":3,"groupID":group_id,"groupAtType":0}});
    let _: Value = admin.post(path::SET_CONVERSATIONS, &clear).await.unwrap();
    let _: Value = admin.post(path::SET_GROUP_INFO_EX, &json!({"groupID":group_id,"notification":""})).await.unwrap();
    assert_eq!((marks().await, chat_max().await), (vec![4, 0, 4], before + 1));
}
