//! The devserver's friend and user routes as OpenIM renders them: JSON keys (capitalised where
//! the proto is), nulls for empty lists, seconds for friend times, admin-only routes.

use openim_devserver::{AdminClient, ApiCallError, DevServer};
use openim_wire::api::path;
use openim_wire::constant::defaults;
use serde_json::{Value, json};

async fn server() -> (DevServer, AdminClient) {
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for user in ["alice", "bob", "carol"] {
        admin.register_user(user, &format!("{user} nick")).await.unwrap();
    }
    (server, admin)
}

/// Posts raw JSON as `token`'s user; returns the whole envelope.
async fn call(server: &DevServer, token: &str, route: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}{route}", server.api_url()))
        .header("operationID", "t")
        .header("token", token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn friend_routes_answer_with_openims_keys() {
    let (server, admin) = server().await;
    let alice = admin.user_token("alice", 2).await.unwrap();
    let bob = admin.user_token("bob", 2).await.unwrap();
    let r = call(&server, &bob, path::ADD_FRIEND, json!({"fromUserID":"bob","toUserID":"alice","reqMsg":"hi","ex":""})).await;
    assert_eq!(r, json!({"errCode":0,"errMsg":"","errDlt":""}), "an empty reply has no data");
    let r = call(&server, &alice, path::GET_FRIEND_APPLY_LIST, json!({"userID":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!(r["data"]["total"], 1);
    let req = &r["data"]["FriendRequests"][0];
    assert_eq!((req["fromUserID"].as_str(), req["fromNickname"].as_str(), req["handleResult"].as_i64()), (Some("bob"), Some("bob nick"), Some(0)));
    // Someone else's list: no permission.
    let r = call(&server, &bob, path::GET_FRIEND_APPLY_LIST, json!({"userID":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!(r["errCode"], 1002);

    call(&server, &alice, path::ADD_FRIEND_RESPONSE, json!({"fromUserID":"bob","toUserID":"alice","handleResult":1,"handleMsg":"ok"})).await;
    let r = call(&server, &alice, path::GET_FRIEND_LIST, json!({"userID":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await;
    let friend = &r["data"]["friendsInfo"][0];
    assert_eq!(friend["friendUser"]["userID"], "bob");
    assert_eq!(friend["friendUser"]["nickname"], "bob nick");
    let created = friend["createTime"].as_i64().unwrap();
    assert!(created > 1_600_000_000 && created < 10_000_000_000, "seconds, as OpenIM gives friend times: {created}");
    let r = call(&server, &alice, path::GET_INCREMENTAL_FRIENDS, json!({"userID":"alice","versionID":"","version":0})).await;
    assert_eq!((r["data"]["full"].as_bool(), r["data"]["insert"].is_null(), r["data"]["sortVersion"].as_i64()), (Some(true), true, Some(0)));
    let r = call(&server, &alice, path::GET_BLACK_LIST, json!({"userID":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await;
    assert_eq!(r["data"], json!({"blacks":null,"total":0}));
    let r = call(&server, &alice, path::IS_FRIEND, json!({"userID1":"alice","userID2":"bob"})).await;
    assert_eq!(r["data"], json!({"inUser1Friends":true,"inUser2Friends":true}));
}

#[tokio::test]
async fn admin_routes_import_friends_and_report_presence() {
    let (server, admin) = server().await;
    admin.post::<_, Value>(path::IMPORT_FRIEND, &json!({"ownerUserID":"alice","friendUserIDs":["bob","carol"]})).await.unwrap();
    let alice = admin.user_token("alice", 2).await.unwrap();
    let r = call(&server, &alice, path::GET_FULL_FRIEND_USER_IDS, json!({"idHash":0,"userID":"alice"})).await;
    assert_eq!(r["data"]["userIDs"], json!(["bob", "carol"]));
    // Not for users.
    let r = call(&server, &alice, path::IMPORT_FRIEND, json!({"ownerUserID":"alice","friendUserIDs":["bob"]})).await;
    assert_eq!(r["errCode"], 1002);
    let r = call(&server, &alice, path::GET_USERS_ONLINE_STATUS, json!({"userIDs":["bob"]})).await;
    assert_eq!(r["errCode"], 1002);
    let statuses: Value = admin.post(path::GET_USERS_ONLINE_STATUS, &json!({"userIDs":["bob"]})).await.unwrap();
    assert_eq!(statuses, json!([{"userID":"bob","status":0,"detailPlatformStatus":null}]));
    let r = call(&server, &alice, path::SUBSCRIBE_USERS_STATUS, json!({"userID":"alice","userIDs":["bob"],"genre":1})).await;
    assert_eq!(r["data"], json!({"statusList":null}));
    let err = admin.post::<_, Value>(path::IMPORT_FRIEND, &json!({"ownerUserID":"alice","friendUserIDs":["alice"]})).await.unwrap_err();
    assert_eq!(err.downcast_ref::<ApiCallError>().unwrap().code, 1301);
    // The old profile route changes only what is set.
    let r = call(&server, &alice, path::UPDATE_USER_INFO, json!({"userInfo":{"userID":"alice","nickname":"A","faceURL":""}})).await;
    assert_eq!(r["errCode"], 0);
    let users: Value = admin.post(path::GET_USERS_INFO, &json!({"userIDs":["alice"]})).await.unwrap();
    assert_eq!(users["usersInfo"][0]["nickname"], "A");
}
