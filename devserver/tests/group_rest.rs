//! The devserver's group routes as OpenIM answers them: keys, nulls for empty lists, who may do
//! what (1002), unknown groups and non-members (1004), dismissed groups (1204), handled
//! applications (1206), and the versioned member lists.

use openim_devserver::{AdminClient, DevServer};
use openim_wire::api::path;
use openim_wire::constant::defaults;
use serde_json::{Value, json};

struct Env {
    server: DevServer,
    tokens: std::collections::HashMap<&'static str, String>,
}

impl Env {
    async fn new() -> Self {
        let server = DevServer::start(Default::default()).await.unwrap();
        let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
        let mut tokens = std::collections::HashMap::new();
        for user in ["owner", "adm", "mem", "out", "late"] {
            admin.register_user(user, &format!("{user} nick")).await.unwrap();
            tokens.insert(user, admin.user_token(user, 2).await.unwrap());
        }
        Self { server, tokens }
    }

    /// Posts raw JSON as `user`; returns the whole envelope.
    async fn call(&self, user: &str, route: &str, body: Value) -> Value {
        reqwest::Client::new()
            .post(format!("{}{route}", self.server.api_url()))
            .header("operationID", "t")
            .header("token", &self.tokens[user])
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn ok(&self, user: &str, route: &str, body: Value) -> Value {
        let r = self.call(user, route, body).await;
        assert_eq!(r["errCode"], 0, "{route} as {user}: {r}");
        r["data"].clone()
    }

    async fn code(&self, user: &str, route: &str, body: Value) -> i64 {
        self.call(user, route, body).await["errCode"].as_i64().unwrap()
    }

    /// A group `g1` of owner, adm (admin) and mem, joined by application.
    async fn group(&self, need_verification: i32) -> Value {
        self.ok(
            "owner",
            path::CREATE_GROUP,
            json!({"ownerUserID":"owner","adminUserIDs":["adm"],"memberUserIDs":["mem"],
                   "groupInfo":{"groupID":"g1","groupName":"G","groupType":2,"needVerification":need_verification}}),
        )
        .await
    }
}

fn page() -> Value {
    json!({"pageNumber":1,"showNumber":50})
}

#[tokio::test]
async fn create_answers_the_group_and_logs_every_member() {
    let env = Env::new().await;
    let created = env.group(0).await;
    let info = &created["groupInfo"];
    assert_eq!((info["groupID"].as_str(), info["ownerUserID"].as_str(), info["memberCount"].as_u64()), (Some("g1"), Some("owner"), Some(3)));
    assert_eq!((info["creatorUserID"].as_str(), info["groupType"].as_i64(), info["status"].as_i64()), (Some("owner"), Some(2), Some(0)));
    assert_eq!(env.code("owner", path::CREATE_GROUP, json!({"ownerUserID":"owner","groupInfo":{"groupID":"g1","groupType":2}})).await, 1202);
    assert_eq!(env.code("owner", path::CREATE_GROUP, json!({"ownerUserID":"owner","groupInfo":{"groupType":0}})).await, 1001);
    assert_eq!(env.code("mem", path::CREATE_GROUP, json!({"ownerUserID":"owner","groupInfo":{"groupType":2}})).await, 1002, "for oneself only");
    // A generated ID is decimal.
    let other = env.ok("out", path::CREATE_GROUP, json!({"ownerUserID":"out","groupInfo":{"groupType":2}})).await;
    assert!(other["groupInfo"]["groupID"].as_str().unwrap().bytes().all(|b| b.is_ascii_digit()));

    let members = env.ok("mem", path::GET_GROUP_MEMBER_LIST, json!({"groupID":"g1","pagination":page()})).await;
    let roles: Vec<(String, i64)> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["userID"].as_str().unwrap().to_owned(), m["roleLevel"].as_i64().unwrap()))
        .collect();
    assert_eq!(roles, [("owner".into(), 100), ("adm".into(), 60), ("mem".into(), 20)]);
    assert_eq!(members["members"][2]["nickname"], "mem nick", "an empty group nickname shows the user's");
    assert_eq!(env.code("out", path::GET_GROUP_MEMBER_LIST, json!({"groupID":"g1","pagination":page()})).await, 1004, "members only");
    assert_eq!(env.code("out", path::GET_GROUP_MEMBERS_INFO, json!({"groupID":"g1","userIDs":["mem"]})).await, 1004);
    assert_eq!(env.code("mem", path::GET_GROUP_MEMBER_LIST, json!({"groupID":"nope","pagination":page()})).await, 1004);

    let joined = env.ok("mem", path::GET_FULL_JOIN_GROUP_IDS, json!({"userID":"mem","idHash":0})).await;
    assert_eq!(joined["groupIDs"], json!(["g1"]));
    let inc = env.ok("mem", path::GET_INCREMENTAL_JOIN_GROUPS, json!({"userID":"mem","versionID":"","version":0})).await;
    assert_eq!((inc["full"].as_bool(), inc["insert"].is_null()), (Some(true), true));
    let batch = env
        .ok("mem", path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, json!({"userID":"mem","reqList":[{"groupID":"g1","versionID":"","version":0}]}))
        .await;
    let one = &batch["respList"]["g1"];
    assert_eq!((one["full"].as_bool(), one["group"]["groupName"].as_str()), (Some(true), Some("G")));
    let ids = env.ok("mem", path::GET_FULL_GROUP_MEMBER_USER_IDS, json!({"groupID":"g1","idHash":0})).await;
    assert_eq!(ids["userIDs"], json!(["owner", "adm", "mem"]));

    // Incremental from that version: a nickname change reports the member only.
    let (version_id, version) = (one["versionID"].clone(), one["version"].clone());
    env.ok("mem", path::SET_GROUP_MEMBER_INFO, json!({"members":[{"groupID":"g1","userID":"mem","nickname":"m"}]})).await;
    let since = json!({"userID":"mem","reqList":[{"groupID":"g1","versionID":version_id,"version":version}]});
    let batch = env.ok("mem", path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, since.clone()).await;
    let one = &batch["respList"]["g1"];
    assert_eq!((one["full"].as_bool(), one["update"][0]["nickname"].as_str()), (Some(false), Some("m")));
    assert!(one["group"].is_null() && one["sortVersion"] == 0 && one["insert"].is_null(), "{one}");
    // A role change also reports the order, and the group (its owner may have changed).
    env.ok("owner", path::SET_GROUP_MEMBER_INFO, json!({"members":[{"groupID":"g1","userID":"mem","roleLevel":60}]})).await;
    let batch = env.ok("mem", path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, since).await;
    let one = &batch["respList"]["g1"];
    assert_eq!((one["update"][0]["userID"].as_str(), one["update"][0]["roleLevel"].as_i64()), (Some("mem"), Some(60)));
    assert!(one["group"]["groupID"] == "g1" && one["sortVersion"].as_u64().unwrap() > 0, "{one}");
    // A non-member's group is left out of a batch.
    let batch = env
        .ok("out", path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, json!({"userID":"out","reqList":[{"groupID":"g1","versionID":"","version":0}]}))
        .await;
    assert!(batch["respList"].get("g1").is_none(), "{batch}");
}

#[tokio::test]
async fn managers_rule_members() {
    let env = Env::new().await;
    env.group(0).await;
    let kick = |who: &str| json!({"groupID":"g1","kickedUserIDs":[who],"reason":""});
    assert_eq!(env.code("mem", path::KICK_GROUP, kick("adm")).await, 1002, "members kick nobody");
    assert_eq!(env.code("adm", path::KICK_GROUP, kick("owner")).await, 1002, "nobody kicks the owner");
    assert_eq!(env.code("adm", path::KICK_GROUP, kick("out")).await, 1004, "not a member");
    assert_eq!(env.code("out", path::KICK_GROUP, kick("mem")).await, 1004, "the caller is no member");
    assert_eq!(env.code("owner", path::QUIT_GROUP, json!({"groupID":"g1","userID":"owner"})).await, 1002, "the owner can not quit");
    assert_eq!(env.code("mem", path::MUTE_GROUP_MEMBER, json!({"groupID":"g1","userID":"adm","mutedSeconds":60})).await, 1002);
    assert_eq!(env.code("adm", path::MUTE_GROUP_MEMBER, json!({"groupID":"g1","userID":"owner","mutedSeconds":60})).await, 1002);
    env.ok("adm", path::MUTE_GROUP_MEMBER, json!({"groupID":"g1","userID":"mem","mutedSeconds":60})).await;
    let m = env.ok("mem", path::GET_GROUP_MEMBERS_INFO, json!({"groupID":"g1","userIDs":["mem"]})).await;
    assert!(m["members"][0]["muteEndTime"].as_i64().unwrap() > openim_wire::time::now_ms() + 50_000);
    assert_eq!(env.code("mem", path::SET_GROUP_INFO_EX, json!({"groupID":"g1","groupName":"X"})).await, 1002);
    assert_eq!(env.code("adm", path::SET_GROUP_MEMBER_INFO, json!({"members":[{"groupID":"g1","userID":"mem","roleLevel":60}]})).await, 1002, "roles are the owner's");
    assert_eq!(env.code("mem", path::SET_GROUP_MEMBER_INFO, json!({"members":[{"groupID":"g1","userID":"adm","nickname":"x"}]})).await, 1002);
    env.ok("mem", path::SET_GROUP_MEMBER_INFO, json!({"members":[{"groupID":"g1","userID":"mem","nickname":"me in g1"}]})).await;
    assert_eq!(env.code("adm", path::TRANSFER_GROUP, json!({"groupID":"g1","oldOwnerUserID":"owner","newOwnerUserID":"adm"})).await, 1002);
    env.ok("owner", path::TRANSFER_GROUP, json!({"groupID":"g1","oldOwnerUserID":"owner","newOwnerUserID":"adm"})).await;
    let info = env.ok("mem", path::GET_GROUPS_INFO, json!({"groupIDs":["g1"]})).await;
    assert_eq!((info["groupInfos"][0]["ownerUserID"].as_str(), info["groupInfos"][0]["memberCount"].as_u64()), (Some("adm"), Some(3)));
    env.ok("adm", path::KICK_GROUP, kick("mem")).await;
    env.ok("owner", path::QUIT_GROUP, json!({"groupID":"g1","userID":"owner"})).await;
    let ids = env.ok("adm", path::GET_FULL_GROUP_MEMBER_USER_IDS, json!({"groupID":"g1","idHash":0})).await;
    assert_eq!(ids["userIDs"], json!(["adm"]));
    let joined = env.ok("mem", path::GET_FULL_JOIN_GROUP_IDS, json!({"userID":"mem","idHash":0})).await;
    assert!(joined["groupIDs"].is_null(), "{joined}");

    env.ok("adm", path::DISMISS_GROUP, json!({"groupID":"g1","deleteMember":false})).await;
    assert_eq!(env.code("adm", path::INVITE_USER_TO_GROUP, json!({"groupID":"g1","invitedUserIDs":["out"],"reason":""})).await, 1204);
    let info = env.ok("adm", path::GET_GROUPS_INFO, json!({"groupIDs":["g1"]})).await;
    assert_eq!(info["groupInfos"][0]["status"], 2);
}

#[tokio::test]
async fn applications_wait_for_a_manager_once() {
    let env = Env::new().await;
    env.group(0).await;
    env.ok("out", path::JOIN_GROUP, json!({"groupID":"g1","reqMessage":"let me in","joinSource":3,"inviterUserID":"out","ex":""})).await;
    assert_eq!(env.code("out", path::JOIN_GROUP, json!({"groupID":"nope","reqMessage":"","joinSource":3})).await, 1004);
    let list = env.ok("adm", path::GET_RECV_GROUP_APPLICATION_LIST, json!({"fromUserID":"adm","pagination":page()})).await;
    assert_eq!(list["total"], 1);
    let r = &list["groupRequests"][0];
    assert_eq!((r["userInfo"]["userID"].as_str(), r["groupInfo"]["groupID"].as_str(), r["reqMsg"].as_str()), (Some("out"), Some("g1"), Some("let me in")));
    assert_eq!((r["handleResult"].as_i64(), r["joinSource"].as_i64()), (Some(0), Some(3)));
    let count = env.ok("owner", path::GET_GROUP_APPLICATION_UNHANDLED_COUNT, json!({"userID":"owner","time":0})).await;
    assert_eq!(count["count"], 1);
    let mine = env.ok("out", path::GET_USER_REQ_GROUP_APPLICATION_LIST, json!({"userID":"out","pagination":page()})).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(env.code("mem", path::GET_RECV_GROUP_APPLICATION_LIST, json!({"fromUserID":"adm","pagination":page()})).await, 1002);
    let no_list = env.ok("mem", path::GET_RECV_GROUP_APPLICATION_LIST, json!({"fromUserID":"mem","pagination":page()})).await;
    assert_eq!(no_list, json!({"total":0,"groupRequests":null}));

    let respond = json!({"groupID":"g1","fromUserID":"out","handledMsg":"welcome","handleResult":1});
    assert_eq!(env.code("mem", path::GROUP_APPLICATION_RESPONSE, respond.clone()).await, 1002);
    env.ok("adm", path::GROUP_APPLICATION_RESPONSE, respond.clone()).await;
    assert_eq!(env.code("owner", path::GROUP_APPLICATION_RESPONSE, respond).await, 1206);
    let ids = env.ok("out", path::GET_FULL_GROUP_MEMBER_USER_IDS, json!({"groupID":"g1","idHash":0})).await;
    assert_eq!(ids["userIDs"], json!(["owner", "adm", "mem", "out"]));

    // needVerification 2: straight in; 1: an ordinary member's invitation is an application.
    env.ok("owner", path::SET_GROUP_INFO_EX, json!({"groupID":"g1","needVerification":1})).await;
    env.ok("mem", path::INVITE_USER_TO_GROUP, json!({"groupID":"g1","invitedUserIDs":["late"],"reason":"friend of mine"})).await;
    let r = env.ok("late", path::GET_USER_REQ_GROUP_APPLICATION_LIST, json!({"userID":"late","pagination":page()})).await;
    assert_eq!((r["groupRequests"][0]["inviterUserID"].as_str(), r["groupRequests"][0]["joinSource"].as_i64()), (Some("mem"), Some(2)));
    env.ok("owner", path::SET_GROUP_INFO_EX, json!({"groupID":"g1","needVerification":2})).await;
    env.ok("late", path::JOIN_GROUP, json!({"groupID":"g1","reqMessage":"","joinSource":3})).await;
    assert_eq!(env.code("late", path::JOIN_GROUP, json!({"groupID":"g1","reqMessage":"","joinSource":3})).await, 1001, "already in");
    let refused = json!({"groupID":"g1","fromUserID":"late","handledMsg":"","handleResult":-1});
    assert_eq!(env.code("owner", path::GROUP_APPLICATION_RESPONSE, refused).await, 0, "the pending invitation can still be refused");
}
