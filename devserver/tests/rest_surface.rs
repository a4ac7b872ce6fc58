//! The REST surface as OpenIM's official clients meet it: CORS and preflights, unknown paths,
//! every path either client calls answering OpenIM's envelope, read marks and max seqs, the Web
//! SDK's `/jssdk/*` conversation list (JSON and protobuf), multipart object uploads, the API's
//! send, client settings set by the app's manager, uploaded logs, and who may call what.

use base64::Engine as _;
use openim_devserver::{AdminClient, DevServer};
use openim_wire::api::path;
use openim_wire::constant::defaults;
use openim_wire::pb::jssdk::{GetActiveConversationsReq, GetConversationsReq, GetConversationsResp};
use prost::Message as _;
use serde_json::{Value, json};

/// Every path OpenIM's Go core (`pkg/api/api.go`) or its TypeScript SDK's URL table calls.
const OFFICIAL_PATHS: &[&str] = &[
    "/auth/get_admin_token", "/auth/get_user_token", "/auth/parse_token",
    "/conversation/get_all_conversations", "/conversation/get_conversations",
    "/conversation/get_conversations_has_read_and_max_seq", "/conversation/get_full_conversation_ids",
    "/conversation/get_incremental_conversations", "/conversation/get_not_notify_conversation_ids",
    "/conversation/get_owner_conversation", "/conversation/set_conversations",
    "/friend/add_black", "/friend/add_friend", "/friend/add_friend_response", "/friend/delete_friend",
    "/friend/get_black_list", "/friend/get_designated_friend_apply", "/friend/get_designated_friends",
    "/friend/get_friend_apply_list", "/friend/get_friend_list", "/friend/get_full_friend_user_ids",
    "/friend/get_incremental_friends", "/friend/get_self_friend_apply_list", "/friend/get_self_unhandled_apply_count",
    "/friend/get_specified_blacks", "/friend/import_friend", "/friend/is_friend", "/friend/remove_black",
    "/friend/update_friends",
    "/group/cancel_mute_group", "/group/cancel_mute_group_member", "/group/create_group", "/group/dismiss_group",
    "/group/get_full_group_member_user_ids", "/group/get_full_join_group_ids",
    "/group/get_group_application_unhandled_count", "/group/get_group_member_list", "/group/get_group_members_info",
    "/group/get_groups_info", "/group/get_incremental_group_members_batch", "/group/get_incremental_join_groups",
    "/group/get_joined_group_list", "/group/get_recv_group_applicationList",
    "/group/get_specified_user_group_request_info", "/group/get_user_req_group_applicationList",
    "/group/group_application_response", "/group/invite_user_to_group", "/group/join_group", "/group/kick_group",
    "/group/mute_group", "/group/mute_group_member", "/group/quit_group", "/group/set_group_info_ex",
    "/group/set_group_member_info", "/group/transfer_group",
    "/jssdk/get_active_conversations", "/jssdk/get_conversations",
    "/msg/clear_conversation_msg", "/msg/delete_msgs", "/msg/get_conversations_has_read_and_max_seq",
    "/msg/get_server_time", "/msg/mark_conversation_as_read", "/msg/mark_msgs_as_read", "/msg/revoke_msg",
    "/msg/send_msg", "/msg/set_conversation_has_read_seq", "/msg/user_clear_all_msg",
    "/object/access_url", "/object/auth_sign", "/object/complete_multipart_upload",
    "/object/initiate_multipart_upload", "/object/part_limit", "/object/part_size",
    "/third/fcm_update_token", "/third/logs/upload", "/third/set_app_badge",
    "/user/get_subscribe_users_status", "/user/get_user_client_config", "/user/get_users_info",
    "/user/set_global_msg_recv_opt", "/user/subscribe_users_status", "/user/update_user_info",
    "/user/update_user_info_ex", "/user/user_register",
];

struct Env {
    server: DevServer,
    http: reqwest::Client,
    tokens: std::collections::HashMap<&'static str, String>,
}

impl Env {
    async fn new() -> Self {
        Self::with(Default::default()).await
    }

    async fn with(config: openim_devserver::DevServerConfig) -> Self {
        let server = DevServer::start(config).await.unwrap();
        let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
        let mut tokens = std::collections::HashMap::new();
        for user in ["alice", "bob", "carol"] {
            admin.register_user(user, &format!("{user} nick")).await.unwrap();
            tokens.insert(user, admin.user_token(user, 5).await.unwrap());
        }
        tokens.insert(defaults::ADMIN_USER_ID, admin.token().to_owned());
        Self { server, http: reqwest::Client::new(), tokens }
    }

    fn url(&self, route: &str) -> String {
        format!("{}{route}", self.server.api_url())
    }

    async fn call(&self, user: &str, route: &str, body: Value) -> Value {
        let resp = self.http.post(self.url(route)).header("operationID", "t").header("token", &self.tokens[user]).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{route}");
        resp.json().await.unwrap()
    }

    async fn ok(&self, user: &str, route: &str, body: Value) -> Value {
        let r = self.call(user, route, body).await;
        assert_eq!(r["errCode"], 0, "{route} as {user}: {r}");
        r["data"].clone()
    }

    async fn code(&self, user: &str, route: &str, body: Value) -> i64 {
        self.call(user, route, body).await["errCode"].as_i64().unwrap()
    }

    /// A text message sent through `/msg/send_msg` by the app's admin.
    async fn send(&self, from: &str, to: &str, group: &str, text: &str) -> Value {
        let session = if group.is_empty() { 1 } else { 3 };
        self.ok(
            defaults::ADMIN_USER_ID,
            path::SEND_MSG,
            json!({"sendID":from,"recvID":to,"groupID":group,"senderPlatformID":1,"content":{"content":text},
                   "contentType":101,"sessionType":session}),
        )
        .await
    }

    /// A protobuf request to a `/jssdk/*` route; the envelope's `data` is base64 protobuf.
    async fn jssdk_pb(&self, user: &str, route: &str, body: Vec<u8>) -> GetConversationsResp {
        let resp = self
            .http
            .post(self.url(route))
            .header("operationID", "t")
            .header("token", &self.tokens[user])
            .header("content-type", "application/x-protobuf")
            .body(body)
            .send()
            .await
            .unwrap();
        let envelope: Value = resp.json().await.unwrap();
        assert_eq!(envelope["errCode"], 0, "{envelope}");
        let bytes = base64::engine::general_purpose::STANDARD.decode(envelope["data"].as_str().unwrap()).unwrap();
        GetConversationsResp::decode(bytes.as_slice()).unwrap()
    }
}

#[tokio::test]
async fn preflights_are_answered_and_every_reply_carries_cors_headers() {
    let env = Env::new().await;
    for route in [path::ADD_FRIEND, "/no/such/path"] {
        let resp = env
            .http
            .request(reqwest::Method::OPTIONS, env.url(route))
            .header("Origin", "http://localhost:3000")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "token,operationid,content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{route}");
        let h = resp.headers().clone();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(h["access-control-allow-headers"], "*");
        assert_eq!(h["access-control-allow-methods"], "*");
        assert_eq!(h["access-control-max-age"], "172800");
        assert_eq!(resp.text().await.unwrap(), "\"Options Request!\"");
    }
    // A real call, a refused call and a missing route all carry them too.
    let ok = env.http.post(env.url(path::GET_SERVER_TIME)).header("operationID", "t").header("token", &env.tokens["alice"]).json(&json!({})).send().await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "*");
    assert!(ok.headers()["access-control-expose-headers"].to_str().unwrap().contains("Content-Type"));
    let refused = env.http.post(env.url(path::GET_SERVER_TIME)).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
    let missing = env.http.post(env.url("/no/such/path")).header("operationID", "t").header("token", &env.tokens["alice"]).send().await.unwrap();
    assert_eq!(missing.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn unknown_paths_answer_as_openims_gin_does() {
    let env = Env::new().await;
    // The header checks run first: no operationID is ArgsError in the envelope.
    let resp = env.http.post(env.url("/no/such/path")).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errCode"], 1001, "{body}");
    // Headers in order: gin's own 404.
    let resp = env.http.post(env.url("/no/such/path")).header("operationID", "t").header("token", &env.tokens["alice"]).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.text().await.unwrap(), "404 page not found");
    // A bad token on an unknown path is refused as on a known one.
    let body: Value = env.http.post(env.url("/no/such/path")).header("operationID", "t").header("token", "x.y.z").send().await.unwrap().json().await.unwrap();
    assert!((1501..=1507).contains(&body["errCode"].as_i64().unwrap()), "{body}");
    // GET on a POST route: 404 too.
    let resp = env.http.get(env.url(path::GET_SERVER_TIME)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn every_path_the_official_clients_call_answers_the_envelope() {
    let env = Env::new().await;
    for route in OFFICIAL_PATHS {
        for user in ["alice", defaults::ADMIN_USER_ID] {
            let resp = env.http.post(env.url(route)).header("operationID", "t").header("token", &env.tokens[user]).json(&json!({})).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{route} as {user}");
            let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(ct.starts_with("application/json"), "{route}: {ct}");
            let body: Value = resp.json().await.unwrap();
            assert!(body["errCode"].is_i64() && body["errMsg"].is_string() && body.get("errDlt").is_some(), "{route}: {body}");
        }
    }
    // The login calls of an empty account succeed with OpenIM's empty shapes.
    let me = json!({"userID":"alice","ownerUserID":"alice","versionID":"","version":0,"idHash":0,"pagination":{"pageNumber":1,"showNumber":100}});
    for route in [
        path::GET_INCREMENTAL_FRIENDS, path::GET_FULL_FRIEND_USER_IDS, path::GET_BLACK_LIST, path::GET_INCREMENTAL_JOIN_GROUPS,
        path::GET_FULL_JOIN_GROUP_IDS, path::GET_INCREMENTAL_CONVERSATIONS, path::GET_NOT_NOTIFY_CONVERSATION_IDS,
        path::GET_ALL_CONVERSATIONS, path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, path::GET_USER_CLIENT_CONFIG,
        path::JSSDK_GET_ACTIVE_CONVERSATIONS, path::GET_SERVER_TIME,
    ] {
        env.ok("alice", route, me.clone()).await;
    }
    let t = env.ok("alice", path::GET_SERVER_TIME, json!({})).await["serverTime"].as_i64().unwrap();
    assert!(t > 1_700_000_000_000, "milliseconds: {t}");
}

#[tokio::test]
async fn read_marks_and_max_seqs_over_rest() {
    let env = Env::new().await;
    for n in 0..3 {
        env.send("alice", "bob", "", &format!("m{n}")).await;
    }
    let cid = "si_alice_bob";
    for route in [path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ_TS] {
        let seqs = env.ok("bob", route, json!({"userID":"bob"})).await["seqs"].clone();
        assert_eq!((seqs[cid]["maxSeq"].as_i64(), seqs[cid]["hasReadSeq"].as_i64()), (Some(3), Some(0)), "{route}: {seqs}");
        assert!(seqs[cid]["maxSeqTime"].as_i64().unwrap() > 0);
        // The sender has read its own messages.
        let seqs = env.ok("alice", route, json!({"userID":"alice","conversationIDs":[cid]})).await["seqs"].clone();
        assert_eq!(seqs[cid]["hasReadSeq"], 3);
    }
    env.ok("bob", path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":2})).await;
    let seqs = env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob","conversationIDs":[cid]})).await["seqs"].clone();
    assert_eq!(seqs[cid]["hasReadSeq"], 2);
    env.ok("bob", path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":3,"noNotification":true})).await;
    let seqs = env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob","conversationIDs":[cid]})).await["seqs"].clone();
    assert_eq!(seqs[cid]["hasReadSeq"], 3, "raised without a notification");
    assert_eq!(env.code("bob", path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":4})).await, 1001, "past the max seq");
    // Nobody reads or moves another user's marks; a stranger has no such conversation.
    assert_eq!(env.code("carol", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob"})).await, 1002);
    assert_eq!(env.code("carol", path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":3})).await, 1002);
    assert_eq!(env.code("carol", path::SET_CONVERSATION_HAS_READ_SEQ, json!({"conversationID":cid,"userID":"carol","hasReadSeq":1})).await, 1004);
    assert_eq!(env.code("carol", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"carol","conversationIDs":[cid]})).await, 1002);
    let seqs = env.ok("carol", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"carol"})).await["seqs"].clone();
    assert!(seqs.is_null(), "an empty map is null, as Go writes it: {seqs}");
}

#[tokio::test]
async fn the_web_sdks_conversation_list_in_json_and_protobuf() {
    let env = Env::new().await;
    env.ok("alice", path::ADD_FRIEND, json!({"fromUserID":"alice","toUserID":"bob","reqMsg":"hi"})).await;
    env.ok("bob", path::ADD_FRIEND_RESPONSE, json!({"fromUserID":"alice","toUserID":"bob","handleResult":1})).await;
    env.ok("alice", path::CREATE_GROUP, json!({"ownerUserID":"alice","memberUserIDs":["carol"],"groupInfo":{"groupID":"g1","groupName":"Team","groupType":2}}))
        .await;
    env.send("bob", "alice", "", "from bob").await;
    env.send("carol", "", "g1", "in the group").await;
    env.send("carol", "alice", "", "from carol 1").await;
    env.send("carol", "alice", "", "from carol 2").await;
    // Pinned first, whatever its age.
    env.ok("alice", path::SET_CONVERSATIONS, json!({"userIDs":["alice"],"conversation":{"conversationID":"si_alice_bob","conversationType":1,"userID":"bob","isPinned":true}}))
        .await;

    let active = env.ok("alice", path::JSSDK_GET_ACTIVE_CONVERSATIONS, json!({"ownerUserID":"alice","count":10})).await;
    let ids: Vec<&str> = active["conversations"].as_array().unwrap().iter().map(|c| c["conversation"]["conversationID"].as_str().unwrap()).collect();
    assert_eq!(ids, ["si_alice_bob", "si_alice_carol", "sg_g1"], "{active}");
    let unread: i64 = active["conversations"].as_array().unwrap().iter().map(|c| c["maxSeq"].as_i64().unwrap() - c["readSeq"].as_i64().unwrap()).sum();
    assert_eq!(active["unreadCount"].as_i64().unwrap(), unread);
    assert!(unread >= 4, "bob's, carol's two and the group's: {active}");
    let bob = &active["conversations"][0];
    assert_eq!((bob["maxSeq"].as_i64(), bob["readSeq"].as_i64()), (Some(2), Some(0)), "the friend notice, then the message: {bob}");
    assert_eq!(bob["user"]["nickname"], "bob nick");
    assert_eq!(bob["friend"]["friendUserID"], "bob");
    assert_eq!(bob["conversation"]["isPinned"], true);
    let carol = &active["conversations"][1];
    assert!(carol["friend"].is_null(), "not friends: {carol}");
    let content = base64::engine::general_purpose::STANDARD.decode(carol["lastMsg"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&content).unwrap()["content"], "from carol 2");
    let group = &active["conversations"][2];
    assert_eq!((group["group"]["groupName"].as_str(), group["group"]["memberCount"].as_i64()), (Some("Team"), Some(2)));
    assert!(group["user"].is_null());
    // `count` limits the list, not the unread count.
    let one = env.ok("alice", path::JSSDK_GET_ACTIVE_CONVERSATIONS, json!({"ownerUserID":"alice","count":1})).await;
    assert_eq!((one["conversations"].as_array().unwrap().len(), &one["unreadCount"]), (1, &active["unreadCount"]));

    // The same list in protobuf, byte for byte the same content.
    let pb = env.jssdk_pb("alice", path::JSSDK_GET_ACTIVE_CONVERSATIONS, GetActiveConversationsReq { owner_user_id: "alice".into(), count: 10 }.encode_to_vec()).await;
    assert_eq!(pb.unread_count, active["unreadCount"].as_i64().unwrap());
    let pb_ids: Vec<&str> = pb.conversations.iter().map(|c| c.conversation.as_ref().unwrap().conversation_id.as_str()).collect();
    assert_eq!(pb_ids, ids);
    assert_eq!(pb.conversations[1].last_msg.as_ref().unwrap().content, content);
    assert_eq!(pb.conversations[0].friend.as_ref().unwrap().friend_user_id, "bob");

    // By ID: only the caller's own conversations come back, whoever the request names.
    let req = GetConversationsReq { owner_user_id: "bob".into(), conversation_ids: vec!["si_alice_carol".into(), "si_bob_carol".into(), "sg_g1".into()] };
    let mine = env.jssdk_pb("alice", path::JSSDK_GET_CONVERSATIONS, req.encode_to_vec()).await;
    let mut got: Vec<&str> = mine.conversations.iter().map(|c| c.conversation.as_ref().unwrap().conversation_id.as_str()).collect();
    got.sort();
    assert_eq!(got, ["sg_g1", "si_alice_carol"]);
    assert!(mine.conversations.iter().all(|c| c.conversation.as_ref().unwrap().owner_user_id == "alice"));
    let json_form = env.ok("bob", path::JSSDK_GET_CONVERSATIONS, json!({"ownerUserID":"bob","conversationIDs":["si_alice_carol","si_alice_bob"]})).await;
    let got: Vec<&str> = json_form["conversations"].as_array().unwrap().iter().map(|c| c["conversation"]["conversationID"].as_str().unwrap()).collect();
    assert_eq!(got, ["si_alice_bob"]);
    // Bytes that are not protobuf are an argument error, not a crash.
    let resp: Value = env
        .http
        .post(env.url(path::JSSDK_GET_CONVERSATIONS))
        .header("operationID", "t")
        .header("token", &env.tokens["alice"])
        .header("content-type", "application/x-protobuf")
        .body(vec![0xff, 0xff, 0xff])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["errCode"], 1001);
}

#[tokio::test]
async fn objects_upload_in_parts_and_download() {
    let env = Env::new().await;
    let limit = env.ok("alice", path::OBJECT_PART_LIMIT, json!({})).await;
    assert_eq!((limit["minPartSize"].as_i64(), limit["maxNumSize"].as_i64()), (Some(5 * 1024 * 1024), Some(10_000)));
    assert_eq!(env.ok("alice", path::OBJECT_PART_SIZE, json!({"size":12_000_000})).await["size"], 5 * 1024 * 1024);
    assert_eq!(env.code("alice", path::OBJECT_PART_SIZE, json!({"size":0})).await, 1001);

    let part = 5 * 1024 * 1024;
    let bytes: Vec<u8> = (0..part + 1000).map(|i| (i % 251) as u8).collect();
    let hash = "0123456789abcdef0123456789abcdef";
    let name = "alice/photo.jpg";
    let init = env
        .ok("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":hash,"size":bytes.len(),"partSize":part,"maxParts":2,"name":name,"contentType":"image/jpeg"}))
        .await;
    let upload = &init["upload"];
    let upload_id = upload["uploadID"].as_str().unwrap().to_owned();
    let parts = upload["sign"]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    // Signing again gives the same URLs.
    let signed = env.ok("alice", path::OBJECT_AUTH_SIGN, json!({"uploadID":upload_id,"partNumbers":[2]})).await;
    assert_eq!(signed["parts"][0]["url"], parts[1]["url"]);
    let mut etags = Vec::new();
    for (n, chunk) in bytes.chunks(part).enumerate() {
        let url = parts[n]["url"].as_str().unwrap();
        let resp = env.http.put(url).body(chunk.to_vec()).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        etags.push(resp.headers()["etag"].to_str().unwrap().trim_matches('"').to_owned());
    }
    let done = env
        .ok("alice", path::OBJECT_COMPLETE_MULTIPART_UPLOAD, json!({"uploadID":upload_id,"parts":etags,"name":name,"contentType":"image/jpeg"}))
        .await;
    let url = done["url"].as_str().unwrap();
    let got = env.http.get(url).send().await.unwrap();
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert!(got.bytes().await.unwrap() == bytes, "the object is the parts joined");
    assert_eq!(env.ok("alice", path::OBJECT_ACCESS_URL, json!({"name":name})).await["url"], url);
    // The same content again: no upload; as OpenIM, the new name serves the stored content.
    let again = env.ok("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":hash,"size":bytes.len(),"name":"alice/copy.jpg"})).await;
    let copy = url.replace("photo.jpg", "copy.jpg");
    assert_eq!((again["url"].as_str(), again["upload"].is_null()), (Some(copy.as_str()), true));
    assert!(env.http.get(&copy).send().await.unwrap().bytes().await.unwrap() == bytes);
    // As OpenIM: `maxParts` parts come signed (none for 0); the rest through auth_sign.
    let one = env.ok("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":"h5","size":bytes.len(),"maxParts":1,"name":"alice/one"})).await;
    assert_eq!(one["upload"]["sign"]["parts"].as_array().map(Vec::len), Some(1));
    let none = env.ok("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":"h6","size":bytes.len(),"name":"alice/none"})).await;
    assert!(none["upload"]["sign"]["parts"].as_array().is_none_or(Vec::is_empty), "{none}");
    // Completing twice, signing an unknown upload, an unknown object, another user's folder.
    assert_eq!(env.code("alice", path::OBJECT_COMPLETE_MULTIPART_UPLOAD, json!({"uploadID":upload_id,"parts":etags,"name":name})).await, 1004);
    assert_eq!(env.code("alice", path::OBJECT_AUTH_SIGN, json!({"uploadID":"nope","partNumbers":[1]})).await, 1004);
    assert_eq!(env.code("alice", path::OBJECT_ACCESS_URL, json!({"name":"alice/none"})).await, 1004);
    assert_eq!(env.code("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":"h2","size":10,"name":"bob/x"})).await, 1002);
    assert_eq!(env.code("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":"h3","size":10,"maxParts":5,"name":"alice/x"})).await, 1001);
    // A part larger than the part size is refused by the upload URL.
    let small = env.ok("alice", path::OBJECT_INITIATE_MULTIPART_UPLOAD, json!({"hash":"h4","size":10,"maxParts":1,"name":"alice/small"})).await;
    let part_url = small["upload"]["sign"]["parts"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(env.http.put(&part_url).body(vec![0u8; part + 1]).send().await.unwrap().status(), 413);
    // A part whose md5 is not the one given at completion is refused, as object storage does.
    assert_eq!(env.http.put(&part_url).body(vec![1u8; 10]).send().await.unwrap().status(), 200);
    let small_id = small["upload"]["uploadID"].as_str().unwrap();
    // Another user's upload is unknown to bob: he can neither sign its parts nor complete it,
    // and trying leaves it to alice.
    assert_eq!(env.code("bob", path::OBJECT_AUTH_SIGN, json!({"uploadID":small_id,"partNumbers":[1]})).await, 1004);
    let bobs = json!({"uploadID":small_id,"parts":[format!("{:x}", <md5::Md5 as md5::Digest>::digest([1u8; 10]))],"name":"bob/small"});
    assert_eq!(env.code("bob", path::OBJECT_COMPLETE_MULTIPART_UPLOAD, bobs).await, 1004);
    assert_eq!(env.ok("alice", path::OBJECT_AUTH_SIGN, json!({"uploadID":small_id,"partNumbers":[1]})).await["parts"][0]["url"], part_url.as_str());
    let wrong = json!({"uploadID":small_id,"parts":["0123456789abcdef0123456789abcdef"],"name":"alice/small"});
    assert_eq!(env.code("alice", path::OBJECT_COMPLETE_MULTIPART_UPLOAD, wrong).await, 1001);
    // The upload stays, to be completed right.
    let right = json!({"uploadID":small_id,"parts":[format!("{:x}", <md5::Md5 as md5::Digest>::digest([1u8; 10]))],"name":"alice/small"});
    let small_url = env.ok("alice", path::OBJECT_COMPLETE_MULTIPART_UPLOAD, right).await["url"].as_str().unwrap().to_owned();
    assert!(env.http.get(&small_url).send().await.unwrap().bytes().await.unwrap() == vec![1u8; 10]);
}

#[tokio::test]
async fn each_class_of_path_is_guarded() {
    let env = Env::new().await;
    env.send("alice", "bob", "", "hello").await;
    // Admin-only paths.
    assert_eq!(env.code("alice", path::SEND_MSG, json!({"sendID":"alice","recvID":"bob","content":{"content":"x"},"contentType":101,"sessionType":1})).await, 1002);
    assert_eq!(env.code("alice", path::USER_REGISTER, json!({"users":[{"userID":"mallory","nickname":"m"}]})).await, 1002);
    let business = json!({"sendUserID":"alice","recvUserID":"bob","key":"k","data":"d"});
    assert_eq!(env.code("alice", path::SEND_BUSINESS_NOTIFICATION, business).await, 1002);
    // Business notifications: to a user or a group, never both or neither.
    for body in [
        json!({"sendUserID":"alice","key":"k","data":"d"}),
        json!({"sendUserID":"alice","recvUserID":"bob","recvGroupID":"g","key":"k","data":"d"}),
    ] {
        assert_eq!(env.code(defaults::ADMIN_USER_ID, path::SEND_BUSINESS_NOTIFICATION, body).await, 1001);
    }
    assert_eq!(env.code(defaults::ADMIN_USER_ID, path::SEND_BUSINESS_NOTIFICATION, json!({"sendUserID":"alice","recvUserID":"nobody"})).await, 1004);
    let sent = env.ok(defaults::ADMIN_USER_ID, path::SEND_BUSINESS_NOTIFICATION, json!({"sendUserID":"alice","recvUserID":"bob","key":"k","data":"d"})).await;
    assert!(sent["clientMsgID"].as_str().is_some_and(|s| !s.is_empty()), "{sent}");
    // Acting for another user.
    for (route, body) in [
        (path::GET_FRIEND_LIST, json!({"userID":"bob","pagination":{"pageNumber":1,"showNumber":10}})),
        (path::GET_ALL_CONVERSATIONS, json!({"ownerUserID":"bob"})),
        (path::GET_INCREMENTAL_CONVERSATIONS, json!({"userID":"bob","versionID":"","version":0})),
        (path::MARK_CONVERSATION_AS_READ, json!({"conversationID":"si_alice_bob","userID":"bob","hasReadSeq":1})),
        (path::SET_APP_BADGE, json!({"userID":"bob","appUnreadCount":1})),
        (path::GET_USER_CLIENT_CONFIG, json!({"userID":"bob"})),
        (path::UPDATE_USER_INFO_EX, json!({"userInfo":{"userID":"bob","nickname":"pwned"}})),
    ] {
        assert_eq!(env.code("carol", route, body).await, 1002, "{route}");
    }
    // Conversations one is not in: no record of one's own to mark, no permission on the messages.
    assert_eq!(env.code("carol", path::MARK_CONVERSATION_AS_READ, json!({"conversationID":"si_alice_bob","userID":"carol","hasReadSeq":1})).await, 1004);
    assert_eq!(env.code("carol", path::REVOKE_MSG, json!({"conversationID":"si_alice_bob","userID":"carol","seq":1})).await, 1002);
    assert_eq!(env.code("carol", path::DELETE_MSGS, json!({"conversationID":"si_alice_bob","userID":"carol","seqs":[1]})).await, 1002);
    let asked = json!({"userID":"carol","conversationIDs":["si_alice_bob"]});
    assert_eq!(env.code("carol", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, asked).await, 1002);
    // Nothing changed for bob.
    let seqs = env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob"})).await["seqs"].clone();
    assert_eq!(seqs["si_alice_bob"]["hasReadSeq"], 0);
    let me = env.ok("bob", path::GET_USERS_INFO, json!({"userIDs":["bob"]})).await;
    assert_eq!(me["usersInfo"][0]["nickname"], "bob nick");
    // The API's send itself: an admin sending as a user, as a system message.
    let sent = env.send("carol", "bob", "", "as carol").await;
    assert!(sent["serverMsgID"].as_str().unwrap().len() == 32 && sent["sendTime"].as_i64().unwrap() > 0);
    assert_eq!(
        env.code(defaults::ADMIN_USER_ID, path::SEND_MSG, json!({"sendID":"ghost","recvID":"bob","content":{"content":"x"},"contentType":101,"sessionType":1})).await,
        1004
    );
    assert_eq!(env.code(defaults::ADMIN_USER_ID, path::SEND_MSG, json!({"sendID":"carol","recvID":"bob","contentType":101,"sessionType":1})).await, 1001);
    // A business notification with `sendMsg` is also stored as a visible message of the chat.
    let max = |v: &Value| v["seqs"]["si_bob_carol"]["maxSeq"].as_i64().unwrap_or(0);
    let before = max(&env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob"})).await);
    env.ok(defaults::ADMIN_USER_ID, path::SEND_BUSINESS_NOTIFICATION, json!({"sendUserID":"carol","recvUserID":"bob","key":"k","data":"d"})).await;
    assert_eq!(max(&env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob"})).await), before);
    let body = json!({"sendUserID":"carol","recvUserID":"bob","key":"k","data":"d","sendMsg":true});
    env.ok(defaults::ADMIN_USER_ID, path::SEND_BUSINESS_NOTIFICATION, body).await;
    assert_eq!(max(&env.ok("bob", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"bob"})).await), before + 1);
}

/// OpenIM's client-config routes: an app manager sets settings for everyone and per user
/// (merged, not replaced; a user's own win), deletes and pages them; users read theirs only;
/// everyone's from the configuration are set at start and, with `--data`, kept over a restart.
#[tokio::test]
async fn client_settings_for_everyone_and_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server.db");
    let seeded = [("theme".to_string(), "light".to_string())].into();
    let env = Env::with(openim_devserver::DevServerConfig { data: Some(data.clone()), client_config: seeded, ..Default::default() }).await;
    let admin = defaults::ADMIN_USER_ID;
    let configs = |user: &str| json!({ "userID": user });
    assert_eq!(env.ok("alice", path::GET_USER_CLIENT_CONFIG, configs("alice")).await, json!({"configs":{"theme":"light"}}));
    env.ok(admin, path::SET_USER_CLIENT_CONFIG, json!({"userID":"","configs":{"discover":"https://x/d","theme":"dark"}})).await;
    env.ok(admin, path::SET_USER_CLIENT_CONFIG, json!({"userID":"alice","configs":{"theme":"blue","beta":"1"}})).await;
    env.ok(admin, path::SET_USER_CLIENT_CONFIG, json!({"userID":"alice","configs":{"beta":"2"}})).await;
    let alice = env.ok("alice", path::GET_USER_CLIENT_CONFIG, configs("alice")).await;
    assert_eq!(alice, json!({"configs":{"discover":"https://x/d","theme":"blue","beta":"2"}}));
    assert_eq!(env.ok("bob", path::GET_USER_CLIENT_CONFIG, configs("bob")).await, json!({"configs":{"discover":"https://x/d","theme":"dark"}}));
    assert_eq!(env.ok("alice", path::GET_USER_CLIENT_CONFIG, configs("")).await, json!({"configs":{"discover":"https://x/d","theme":"dark"}}));
    // Who may do what.
    assert_eq!(env.code("bob", path::GET_USER_CLIENT_CONFIG, configs("alice")).await, 1002);
    assert_eq!(env.ok(admin, path::GET_USER_CLIENT_CONFIG, configs("alice")).await, alice);
    for route in [path::SET_USER_CLIENT_CONFIG, path::DEL_USER_CLIENT_CONFIG, path::PAGE_USER_CLIENT_CONFIG] {
        assert_eq!(env.code("alice", route, json!({"userID":"alice","configs":{"theme":"x"},"keys":["theme"]})).await, 1002, "{route}");
    }
    assert_eq!(env.code(admin, path::SET_USER_CLIENT_CONFIG, json!({"userID":"ghost","configs":{"a":"b"}})).await, 1004);
    assert_eq!(env.code(admin, path::GET_USER_CLIENT_CONFIG, configs("ghost")).await, 1004);
    // Pages: filtered by user and key, in order of user and key; a page size of 0 gives the total.
    let page = |user: &str, key: &str, n: i32, size: i32| json!({"userID":user,"key":key,"pagination":{"pageNumber":n,"showNumber":size}});
    let all = env.ok(admin, path::PAGE_USER_CLIENT_CONFIG, page("", "", 1, 3)).await;
    assert_eq!(all["total"], 4);
    let rows: Vec<(String, String, String)> = all["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["userID"].as_str().unwrap().into(), c["key"].as_str().unwrap().into(), c["value"].as_str().unwrap().into()))
        .collect();
    let row = |u: &str, k: &str, v: &str| (u.to_string(), k.to_string(), v.to_string());
    assert_eq!(rows, [row("", "discover", "https://x/d"), row("", "theme", "dark"), row("alice", "beta", "2")]);
    assert_eq!(env.ok(admin, path::PAGE_USER_CLIENT_CONFIG, page("", "", 2, 3)).await["configs"], json!([{"key":"theme","userID":"alice","value":"blue"}]));
    let themes = env.ok(admin, path::PAGE_USER_CLIENT_CONFIG, page("", "theme", 1, 10)).await;
    assert_eq!(themes["configs"], json!([{"key":"theme","userID":"","value":"dark"},{"key":"theme","userID":"alice","value":"blue"}]));
    assert_eq!(env.ok(admin, path::PAGE_USER_CLIENT_CONFIG, page("alice", "", 1, 10)).await["total"], 2);
    assert_eq!(env.ok(admin, path::PAGE_USER_CLIENT_CONFIG, page("", "", 1, 0)).await, json!({"total":4,"configs":null}));
    // Deleting alice's theme shows everyone's again; unknown keys are no error.
    env.ok(admin, path::DEL_USER_CLIENT_CONFIG, json!({"userID":"alice","keys":["theme","nope"]})).await;
    let alice = env.ok("alice", path::GET_USER_CLIENT_CONFIG, configs("alice")).await;
    assert_eq!(alice, json!({"configs":{"discover":"https://x/d","theme":"dark","beta":"2"}}));
    // Kept over a restart; the configuration's settings are set again at start.
    let url = env.url(path::GET_USER_CLIENT_CONFIG);
    let Env { server, http, tokens } = env;
    let api_addr = server.api_addr();
    server.shutdown().await;
    let seeded = [("theme".to_string(), "light".to_string())].into();
    let cfg = openim_devserver::DevServerConfig { data: Some(data), client_config: seeded, api_addr, ..Default::default() };
    let _restarted = DevServer::start(cfg).await.unwrap();
    let resp = http.post(url).header("operationID", "t").header("token", &tokens["alice"]).json(&configs("alice")).send().await.unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"], json!({"configs":{"discover":"https://x/d","theme":"light","beta":"2"}}));
}

/// OpenIM's log routes: any user records where their log files are; the app's managers search
/// them (by user ID, by time, newest first, a page at a time) and delete them (all named, or
/// none when one is unknown); users may do neither.
#[tokio::test]
async fn uploaded_logs_are_searched_and_deleted_by_managers() {
    let env = Env::new().await;
    let admin = defaults::ADMIN_USER_ID;
    let upload = |file: &str| json!({"platform":2,"fileURLs":[{"filename":file,"URL":format!("http://x/{file}")}],"appFramework":"flutter","version":"v1","ex":"e"});
    assert_eq!(env.code("alice", path::UPLOAD_LOGS, json!({"platform":2,"fileURLs":[]})).await, 1001);
    env.ok("alice", path::UPLOAD_LOGS, upload("a1.log")).await;
    env.ok("bob", path::UPLOAD_LOGS, upload("b1.log")).await;
    env.ok("alice", path::UPLOAD_LOGS, upload("a2.log")).await;
    let search = |keyword: &str, start: i64, end: i64, page: i32, size: i32| {
        json!({"keyword":keyword,"startTime":start,"endTime":end,"pagination":{"pageNumber":page,"showNumber":size}})
    };
    let all = env.ok(admin, path::SEARCH_LOGS, search("", 0, 0, 1, 10)).await;
    assert_eq!(all["total"], 3);
    let files: Vec<&str> = all["logsInfos"].as_array().unwrap().iter().map(|l| l["filename"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 3);
    let a2 = all["logsInfos"].as_array().unwrap().iter().find(|l| l["filename"] == "a2.log").unwrap().clone();
    assert_eq!((a2["userID"].clone(), a2["nickname"].clone(), a2["platform"].clone()), (json!("alice"), json!("alice nick"), json!("Android")));
    assert_eq!((a2["url"].clone(), a2["systemType"].clone(), a2["version"].clone(), a2["ex"].clone()), (json!("http://x/a2.log"), json!("flutter"), json!("v1"), json!("e")));
    let created: Vec<i64> = all["logsInfos"].as_array().unwrap().iter().map(|l| l["createTime"].as_i64().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first: {created:?}");
    let alices = env.ok(admin, path::SEARCH_LOGS, search("lic", 0, 0, 1, 1)).await;
    assert_eq!((alices["total"].clone(), alices["logsInfos"].as_array().unwrap().len()), (json!(2), 1));
    assert_eq!(env.ok(admin, path::SEARCH_LOGS, search("LIC", 0, 0, 1, 1)).await["total"], 0, "case-sensitive, as OpenIM's regex");
    let later = env.ok(admin, path::SEARCH_LOGS, search("", created[0] + 1, created[0] + 60_000, 1, 10)).await;
    assert_eq!(later["total"], 0);
    assert_eq!(env.code(admin, path::SEARCH_LOGS, search("", 2, 1, 1, 10)).await, 1001);
    for route in [path::SEARCH_LOGS, path::DELETE_LOGS] {
        assert_eq!(env.code("alice", route, json!({"logIDs":[a2["logID"]]})).await, 1002, "{route}");
    }
    // Deleting: one unknown ID deletes nothing.
    assert_eq!(env.code(admin, path::DELETE_LOGS, json!({"logIDs":[a2["logID"], "1234567890x"]})).await, 1004);
    assert_eq!(env.ok(admin, path::SEARCH_LOGS, search("", 0, 0, 1, 10)).await["total"], 3);
    env.ok(admin, path::DELETE_LOGS, json!({"logIDs":[a2["logID"]]})).await;
    let left = env.ok(admin, path::SEARCH_LOGS, search("", 0, 0, 1, 10)).await;
    assert_eq!(left["total"], 2);
    assert!(left["logsInfos"].as_array().unwrap().iter().all(|l| l["filename"] != "a2.log"));
}

/// `/conversation/set_conversations` as OpenIM's server applies it: its argument checks (1001);
/// a new version (and 1300) only when a set field changes the record; the seqs are the server's
/// own and not taken; a group's private mode is left alone while a single chat's is set on both
/// sides' records.
#[tokio::test]
async fn set_conversations_applies_what_openims_server_applies() {
    let env = &Env::new().await;
    env.send("alice", "bob", "", "hi").await;
    let cid = "si_alice_bob";
    let set = |conversation: Value| json!({"userIDs":["bob"],"conversation":conversation});
    for bad in [
        json!({"conversationID":cid,"conversationType":0,"userID":"alice","isPinned":true}),
        json!({"conversationID":cid,"conversationType":1,"userID":"","isPinned":true}),
        json!({"conversationID":"sg_g","conversationType":3,"groupID":"","isPinned":true}),
    ] {
        assert_eq!(env.code("bob", path::SET_CONVERSATIONS, set(bad.clone())).await, 1001, "{bad}");
    }
    let version = || async {
        let data = env.ok("bob", path::GET_INCREMENTAL_CONVERSATIONS, json!({"userID":"bob","versionID":"","version":0})).await;
        data["version"].as_u64().unwrap()
    };
    let record = |id: &str, user: &'static str| {
        let body = json!({"ownerUserID":user,"conversationIDs":[id]});
        async move {
        let data = env.ok(user, path::GET_CONVERSATIONS, body).await;
        data["conversations"][0].clone()
        }
    };
    let v0 = version().await;
    let pin = json!({"conversationID":cid,"conversationType":1,"userID":"alice","isPinned":true,"minSeq":5,"maxSeq":9});
    env.ok("bob", path::SET_CONVERSATIONS, set(pin.clone())).await;
    let v1 = version().await;
    assert!(v1 > v0, "a change is a new version");
    let bobs = record(cid, "bob").await;
    assert_eq!((bobs["isPinned"].as_bool(), bobs["minSeq"].as_i64(), bobs["maxSeq"].as_i64()), (Some(true), Some(0), Some(0)), "{bobs}");
    env.ok("bob", path::SET_CONVERSATIONS, set(pin)).await;
    assert_eq!(version().await, v1, "the same setting again changes nothing");
    // Private mode: a single chat's is both sides'; a group's is not taken.
    env.ok("bob", path::SET_CONVERSATIONS, set(json!({"conversationID":cid,"conversationType":1,"userID":"alice","isPrivateChat":true}))).await;
    assert_eq!(record(cid, "alice").await["isPrivateChat"], true);
    assert_eq!(record(cid, "bob").await["isPrivateChat"], true);
    let group = env.ok("bob", path::CREATE_GROUP, json!({"memberUserIDs":[],"adminUserIDs":[],"ownerUserID":"bob","groupInfo":{"groupName":"G","groupType":2}})).await;
    let gid = group["groupInfo"]["groupID"].as_str().unwrap().to_owned();
    let sg = format!("sg_{gid}");
    env.ok("bob", path::SET_CONVERSATIONS, set(json!({"conversationID":sg,"conversationType":3,"groupID":gid,"isPrivateChat":true,"ex":"x"}))).await;
    let g = record(&sg, "bob").await;
    assert_eq!((g["isPrivateChat"].as_bool(), g["ex"].as_str()), (Some(false), Some("x")), "{g}");
}

/// The read and revoke routes check their arguments as OpenIM's protocol does (1001): a read mark
/// below 1, a seq of 0, a revoke of seq 0.
#[tokio::test]
async fn read_and_revoke_arguments_are_checked_as_openims() {
    let env = Env::new().await;
    env.send("alice", "bob", "", "hi").await;
    let cid = "si_alice_bob";
    for (route, body) in [
        (path::MARK_CONVERSATION_AS_READ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":0})),
        (path::MARK_CONVERSATION_AS_READ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":1,"seqs":[0]})),
        (path::MARK_MSGS_AS_READ, json!({"conversationID":cid,"userID":"bob","seqs":[1,0]})),
        (path::REVOKE_MSG, json!({"conversationID":cid,"userID":"alice","seq":0})),
    ] {
        assert_eq!(env.code(if route == path::REVOKE_MSG { "alice" } else { "bob" }, route, body.clone()).await, 1001, "{route} {body}");
    }
    env.ok("bob", path::MARK_CONVERSATION_AS_READ, json!({"conversationID":cid,"userID":"bob","hasReadSeq":1,"seqs":[1]})).await;
}

/// What a user sends about conversations stays in their own: a private mode for a chat that is
/// not theirs with the named peer is refused (it would write the peer's record), a read mark far
/// past a chat's last seq marks only what exists, and the API's sends respect the recipient's
/// receive options as a client's do.
#[tokio::test]
async fn conversation_requests_stay_in_the_callers_chats() {
    let env = &Env::new().await;
    env.send("bob", "carol", "", "between bob and carol").await;
    let theirs = json!({"userIDs":["alice"],"conversation":{"conversationID":"si_bob_carol","conversationType":1,"userID":"carol","isPrivateChat":true,"isPinned":true}});
    assert_eq!(env.code("alice", path::SET_CONVERSATIONS, theirs).await, 1001);
    let carols = env.ok("carol", path::GET_CONVERSATIONS, json!({"ownerUserID":"carol","conversationIDs":["si_bob_carol"]})).await;
    assert_eq!(carols["conversations"][0]["isPrivateChat"], false, "{carols}");
    let alices = env.ok("alice", path::GET_CONVERSATIONS, json!({"ownerUserID":"alice","conversationIDs":["si_bob_carol"]})).await;
    assert!(alices["conversations"].as_array().is_none_or(|a| a.is_empty()), "nothing written before the refusal: {alices}");

    let started = std::time::Instant::now();
    let far = json!({"conversationID":"si_bob_carol","userID":"carol","hasReadSeq":1_000_000_000_000_000_i64});
    env.ok("carol", path::MARK_CONVERSATION_AS_READ, far).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());

    let mute = json!({"userIDs":["carol"],"conversation":{"conversationID":"si_bob_carol","conversationType":1,"userID":"bob","recvMsgOpt":1}});
    env.ok("carol", path::SET_CONVERSATIONS, mute).await;
    let body = json!({"sendID":"bob","recvID":"carol","senderPlatformID":1,"content":{"content":"x"},"contentType":101,"sessionType":1});
    assert_eq!(env.code(defaults::ADMIN_USER_ID, path::SEND_MSG, body).await, 1001, "carol receives nothing from bob");
}

/// `/msg/send_msg` checks the sender it names as OpenIM's `messageVerification` does for a client's
/// send: a recipient's blacklist (1302), group membership (1203), a muted member (1402) and a muted
/// group (1403) for ordinary members; the owner and app managers are exempt.
#[tokio::test]
async fn the_apis_send_checks_the_sender_it_names() {
    let env = &Env::new().await;
    let admin = defaults::ADMIN_USER_ID;
    let send = |from: &str, to: &str, group: &str| {
        let session = if group.is_empty() { 1 } else { 3 };
        let body = json!({"sendID":from,"recvID":to,"groupID":group,"senderPlatformID":1,"content":{"content":"hi"},"contentType":101,"sessionType":session});
        async move { env.code(admin, path::SEND_MSG, body).await }
    };
    env.ok("alice", path::ADD_BLACK, json!({"ownerUserID":"alice","blackUserID":"bob"})).await;
    assert_eq!(send("bob", "alice", "").await, 1302, "alice blocked bob");
    assert_eq!(send("carol", "alice", "").await, 0);
    assert_eq!(send(admin, "alice", "").await, 0, "app managers are exempt");

    let group = env.ok("alice", path::CREATE_GROUP, json!({"memberUserIDs":["bob"],"adminUserIDs":[],"ownerUserID":"alice","groupInfo":{"groupName":"G","groupType":2}})).await;
    let gid = group["groupInfo"]["groupID"].as_str().unwrap().to_owned();
    assert_eq!(send("carol", "", &gid).await, 1203, "carol is no member");
    assert_eq!(send("bob", "", &gid).await, 0);
    env.ok("alice", path::MUTE_GROUP_MEMBER, json!({"groupID":gid,"userID":"bob","mutedSeconds":600})).await;
    assert_eq!(send("bob", "", &gid).await, 1402, "bob is muted");
    env.ok("alice", path::CANCEL_MUTE_GROUP_MEMBER, json!({"groupID":gid,"userID":"bob"})).await;
    env.ok("alice", path::MUTE_GROUP, json!({"groupID":gid})).await;
    assert_eq!(send("bob", "", &gid).await, 1403, "the group is muted");
    assert_eq!(send("alice", "", &gid).await, 0, "the owner is exempt");
}

/// OpenIM's notification accounts (`/user/*_notification_account`) and their OA notifications
/// (1400 through `/msg/send_msg`): managers only; an account cannot log in; a notification goes
/// to the account's chat with the user (session type 4, `sn_`) whatever session the request
/// names, past the user's blacklist, and only the user gets a conversation record.
#[tokio::test]
async fn notification_accounts_send_oa_notifications() {
    let env = &Env::new().await;
    let admin = defaults::ADMIN_USER_ID;
    let add = |body: Value| async move { env.call(admin, path::ADD_NOTIFICATION_ACCOUNT, body).await };
    assert_eq!(env.code("alice", path::ADD_NOTIFICATION_ACCOUNT, json!({"userID":"x","nickName":"X","appMangerLevel":3})).await, 1002);
    assert_eq!(env.code("alice", path::ADD_NOTIFICATION_ACCOUNT, json!({"userID":"x","appMangerLevel":3})).await, 1001, "the request's own check first");
    assert_eq!(add(json!({"userID":"x","appMangerLevel":3})).await["errCode"], 1001, "no nickName");
    assert_eq!(add(json!({"userID":"x","nickName":"X","appMangerLevel":2})).await["errCode"], 1001, "level 2 is no account");
    let ops = add(json!({"userID":"ops","nickName":"Ops","faceURL":"http://ops","appMangerLevel":3})).await;
    assert_eq!(ops["data"], json!({"userID":"ops","faceURL":"http://ops","nickName":"Ops","appMangerLevel":3}));
    assert_eq!(add(json!({"userID":"ops","nickName":"O","appMangerLevel":3})).await["errCode"], 1001, "userID is used");
    assert_eq!(add(json!({"userID":"alice","nickName":"A","appMangerLevel":3})).await["errCode"], 1001, "userID is used");
    let robot = add(json!({"nickName":"Robot","appMangerLevel":4})).await["data"].clone();
    let robot_id = robot["userID"].as_str().unwrap().to_owned();
    assert!(robot_id.len() == 10 && robot_id.bytes().all(|b| b.is_ascii_digit()) && !robot_id.starts_with('0'), "{robot_id}");
    assert_eq!(env.code(admin, path::GET_USER_TOKEN, json!({"userID":"ops","platformID":1})).await, 1001, "accounts cannot log in");

    let search = |body: Value| async move { env.ok(admin, path::SEARCH_NOTIFICATION_ACCOUNT, body).await };
    let ids = |r: &Value| r["notificationAccounts"].as_array().unwrap().iter().map(|a| a["userID"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let all = search(json!({"pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!((all["total"].as_i64(), ids(&all)), (Some(2), vec!["ops".to_owned(), robot_id.clone()]));
    let level3 = search(json!({"appManagerLevel":3,"pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!(ids(&level3), vec!["ops"]);
    assert_eq!(ids(&search(json!({"keyword":"Robot","pagination":{"pageNumber":1,"showNumber":10}})).await), vec![robot_id.clone()], "by nickname");
    assert_eq!(ids(&search(json!({"keyword":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await), Vec::<String>::new(), "users are no accounts");
    let page2 = search(json!({"pagination":{"pageNumber":2,"showNumber":1}})).await;
    assert_eq!((page2["total"].as_i64(), ids(&page2)), (Some(2), vec![robot_id.clone()]));
    assert_eq!(env.code(admin, path::SEARCH_NOTIFICATION_ACCOUNT, json!({"pagination":{"pageNumber":0,"showNumber":1}})).await, 1001);
    assert_eq!(env.code(admin, path::SEARCH_NOTIFICATION_ACCOUNT, json!({"keyword":"ops"})).await, 1001, "no pagination");
    // By ID first, then — when the level leaves none — by nickname, as OpenIM's.
    let twin = add(json!({"userID":"ops-bot","nickName":"ops","appMangerLevel":4})).await["data"].clone();
    assert_eq!(ids(&search(json!({"keyword":"ops","pagination":{"pageNumber":1,"showNumber":10}})).await), vec!["ops"]);
    let level4 = search(json!({"keyword":"ops","appManagerLevel":4,"pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!(ids(&level4), vec![twin["userID"].as_str().unwrap().to_owned()]);

    env.ok(admin, path::UPDATE_NOTIFICATION_ACCOUNT, json!({"userID":"ops","nickName":"Ops Team"})).await;
    let info = env.ok("alice", path::GET_USERS_INFO, json!({"userIDs":["ops"]})).await;
    assert_eq!((&info["usersInfo"][0]["nickname"], &info["usersInfo"][0]["faceURL"]), (&json!("Ops Team"), &json!("http://ops")));
    assert_eq!(env.code(admin, path::UPDATE_NOTIFICATION_ACCOUNT, json!({"userID":"nobody","nickName":"N"})).await, 1001);
    assert_eq!(env.code(admin, path::UPDATE_NOTIFICATION_ACCOUNT, json!({"userID":"ops"})).await, 1001, "nothing to set");
    assert_eq!(env.code(admin, path::UPDATE_NOTIFICATION_ACCOUNT, json!({"nickName":"N"})).await, 1001, "no userID");

    let oa = |from: &str, content: Value| {
        let body = json!({"sendID":from,"recvID":"alice","senderPlatformID":1,"content":content,"contentType":1400,"sessionType":1});
        async move { env.code(admin, path::SEND_MSG, body).await }
    };
    let notice = json!({"notificationName":"Ops","notificationType":1,"text":"Maintenance tonight","mixType":0});
    env.ok("alice", path::ADD_BLACK, json!({"ownerUserID":"alice","blackUserID":"ops"})).await;
    assert_eq!(oa("ops", notice.clone()).await, 0, "no blacklist or friendship check in a notification chat");
    assert_eq!(oa("bob", notice.clone()).await, 1002, "bob is no account");
    assert_eq!(oa("nobody", notice.clone()).await, 1101);
    assert_eq!(oa("ops", json!({"notificationName":"Ops","notificationType":1})).await, 1001, "no text");
    assert_eq!(oa("ops", json!({"notificationName":"Ops","notificationType":1,"text":"t","mixType":6})).await, 1001);
    // Media as OpenIM's validator wants them: a picture names its three sizes in full.
    let picture = |url: &str| json!({"type":"image/png","width":64,"height":32,"url":url});
    let partial = json!({"notificationName":"Ops","notificationType":1,"text":"t","mixType":1,"pictureElem":{"sourcePicture":picture("http://p")}});
    assert_eq!(oa("ops", partial).await, 1001, "no big picture or snapshot");
    let full = json!({"notificationName":"Ops","notificationType":1,"text":"t","mixType":1,
        "pictureElem":{"sourcePicture":picture("http://p"),"bigPicture":picture("http://b"),"snapshotPicture":picture("http://s")}});
    assert_eq!(oa("ops", full).await, 0);
    assert_eq!(oa("ops", json!({"notificationName":"Ops","notificationType":1,"text":"t","mixType":3,"fileElem":{"sourceUrl":"http://f"}})).await, 1001);

    let records = env.ok("alice", path::GET_ALL_CONVERSATIONS, json!({"ownerUserID":"alice"})).await;
    let sn = records["conversations"].as_array().unwrap().iter().find(|c| c["conversationID"] == "sn_alice_ops").expect("alice's record").clone();
    assert_eq!((&sn["conversationType"], &sn["userID"]), (&json!(4), &json!("ops")));
    let max = env.ok("alice", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"alice","conversationIDs":["sn_alice_ops"]})).await;
    assert_eq!(max["seqs"]["sn_alice_ops"]["maxSeq"], 2, "{max}");
    let accounts = env.ok(admin, path::GET_ALL_CONVERSATIONS, json!({"ownerUserID":"ops"})).await;
    assert_eq!(accounts["conversations"], json!([]), "the account gets no record");
}

/// `/conversation/delete_conversations`: by ID, or those whose last message is older than
/// `needDeleteTime` days — one or the other —, for oneself only. The records go (each logged as
/// a deletion for incremental syncs), nothing is pushed, and the messages stay.
#[tokio::test]
async fn conversations_are_deleted_by_id_or_age() {
    let env = &Env::new().await;
    env.send("alice", "bob", "", "hi").await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let days_ago = now - 3 * 86_400_000;
    env.ok(
        defaults::ADMIN_USER_ID,
        path::SEND_MSG,
        json!({"sendID":"carol","recvID":"alice","senderPlatformID":1,"content":{"content":"old"},"contentType":101,"sessionType":1,"sendTime":days_ago}),
    )
    .await;
    let records = |user: &'static str| async move {
        let all = env.ok(user, path::GET_ALL_CONVERSATIONS, json!({"ownerUserID":user})).await;
        let mut ids: Vec<String> = all["conversations"].as_array().unwrap().iter().map(|c| c["conversationID"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    assert_eq!(records("alice").await, ["si_alice_bob", "si_alice_carol"]);
    let before = env.ok("alice", path::GET_INCREMENTAL_CONVERSATIONS, json!({"userID":"alice","versionID":"","version":0})).await;
    let delete = |user: &'static str, body: Value| async move { env.code(user, path::DELETE_CONVERSATIONS, body).await };
    assert_eq!(delete("alice", json!({"ownerUserID":"alice"})).await, 1001, "neither");
    assert_eq!(delete("alice", json!({"ownerUserID":"alice","needDeleteTime":1,"conversationIDs":["si_alice_bob"]})).await, 1001, "both");
    assert_eq!(delete("bob", json!({"ownerUserID":"alice","conversationIDs":["si_alice_bob"]})).await, 1002, "another's");

    assert_eq!(delete("alice", json!({"ownerUserID":"alice","needDeleteTime":5})).await, 0);
    assert_eq!(records("alice").await, ["si_alice_bob", "si_alice_carol"], "nothing is five days old");
    assert_eq!(delete("alice", json!({"ownerUserID":"alice","needDeleteTime":2})).await, 0);
    assert_eq!(records("alice").await, ["si_alice_bob"], "carol's chat ended three days ago");
    assert_eq!(records("carol").await, ["si_alice_carol"], "carol's own record stays");
    assert_eq!(delete("alice", json!({"ownerUserID":"alice","conversationIDs":["si_alice_bob"]})).await, 0);
    assert_eq!(records("alice").await, Vec::<String>::new());

    let delta = env
        .ok("alice", path::GET_INCREMENTAL_CONVERSATIONS, json!({"userID":"alice","versionID":before["versionID"],"version":before["version"]}))
        .await;
    assert_eq!((&delta["full"], &delta["delete"]), (&json!(false), &json!(["si_alice_carol", "si_alice_bob"])), "{delta}");
    assert_eq!(delta["version"].as_u64(), before["version"].as_u64().map(|v| v + 2));
    let seqs = env.ok("alice", path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, json!({"userID":"alice","conversationIDs":["si_alice_bob"]})).await;
    assert_eq!(seqs["seqs"]["si_alice_bob"]["maxSeq"], 1, "the messages stay: {seqs}");
}
