//! The devserver on the wire, checked with a raw WebSocket and HTTP client: handshake verdicts
//! in both of OpenIM's forms, the envelope, multi-login kicks and the gateway's limits.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openim_devserver::{AdminClient, ApiCallError, DevServer};
use openim_wire::api::ApiResponse;
use openim_wire::constant::{defaults, platform, req};
use openim_wire::gateway::{TextMessage, WsRequest, WsResponse, decode_frame, encode_frame};
use openim_wire::pb::{Message as _, sdkws};
use tokio_tungstenite::tungstenite::{self, Message};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

async fn setup() -> (DevServer, AdminClient) {
    let server = DevServer::start(Default::default()).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    (server, admin)
}

fn query(user: &str, token: &str, platform_id: i32, extra: &str) -> String {
    format!("?sendID={user}&token={token}&platformID={platform_id}&operationID=op1&isBackground=false&compression=gzip&sdkType=js{extra}")
}

async fn dial(server: &DevServer, q: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/{}", server.ws_url(), q)).await.unwrap();
    ws
}

async fn next_binary(ws: &mut Ws) -> Option<WsResponse> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("a frame in time") {
            Some(Ok(Message::Binary(b))) => return Some(decode_frame(&b, true, 1 << 20).unwrap()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

async fn closed(ws: &mut Ws) -> bool {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Err(_) => return false,
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

fn request(req_identifier: i32, send_id: &str, msg_incr: &str, data: Vec<u8>) -> Message {
    let r = WsRequest {
        req_identifier,
        send_id: send_id.into(),
        operation_id: "op".into(),
        msg_incr: msg_incr.into(),
        data,
        ..Default::default()
    };
    Message::Binary(encode_frame(&r, true).into())
}

#[tokio::test]
async fn handshake_errors_come_as_http_json_without_is_msg_resp() {
    let (server, admin) = setup().await;
    admin.register_user("u1", "U1").await.unwrap();
    let http = reqwest::Client::new();
    for (q, code, detail) in [
        (query("u1", "garbage", 2, ""), 1503, ""),
        ("?sendID=u1&token=t&platformID=2&isBackground=false".to_owned(), 1602, "operationID is empty"),
        ("?sendID=u1&token=t&platformID=99&operationID=o&isBackground=false".to_owned(), 1602, "platformID is invalid"),
    ] {
        // A plain GET (no upgrade headers) gets the same JSON verdict the Go SDK reads from a failed dial.
        let body: ApiResponse<serde_json::Value> =
            http.get(format!("{}/{}", server.api_url().replace(&server.api_addr().to_string(), &server.ws_addr().to_string()), q)).send().await.unwrap().json().await.unwrap();
        assert_eq!(body.err_code, code, "{q}");
        if !detail.is_empty() {
            assert_eq!(body.err_dlt, detail);
        }
        // And a WebSocket dial fails with that body.
        match tokio_tungstenite::connect_async(format!("{}/{}", server.ws_url(), q)).await {
            Err(tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 200);
                let v: ApiResponse<serde_json::Value> = serde_json::from_slice(resp.body().as_deref().unwrap()).unwrap();
                assert_eq!(v.err_code, code);
            }
            other => panic!("expected a refused upgrade, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn handshake_verdict_comes_as_a_text_frame_with_is_msg_resp() {
    let (server, admin) = setup().await;
    admin.register_user("u1", "U1").await.unwrap();
    admin.register_user("u2", "U2").await.unwrap();
    let token = admin.user_token("u1", platform::ANDROID).await.unwrap();
    let other = admin.user_token("u2", platform::ANDROID).await.unwrap();

    let mut ws = dial(&server, &query("u1", &other, 2, "&isMsgResp=true")).await;
    match ws.next().await.unwrap().unwrap() {
        Message::Text(t) => {
            let v: ApiResponse<serde_json::Value> = serde_json::from_str(&t).unwrap();
            assert_eq!(v.err_code, 1502, "token of another user: {t}");
        }
        other => panic!("expected a text verdict, got {other:?}"),
    }
    assert!(closed(&mut ws).await);

    let mut ws = dial(&server, &query("u1", &token, 2, "&isMsgResp=true")).await;
    match ws.next().await.unwrap().unwrap() {
        Message::Text(t) => assert_eq!(t.as_str(), r#"{"errCode":0,"errMsg":"","errDlt":""}"#),
        other => panic!("expected a text verdict, got {other:?}"),
    }
    // Get max seq answers with the request's msgIncr.
    let data = sdkws::GetMaxSeqReq { user_id: "u1".into() }.encode_to_vec();
    ws.send(request(req::GET_NEWEST_SEQ, "u1", "u1_1", data)).await.unwrap();
    let resp = next_binary(&mut ws).await.unwrap();
    assert_eq!((resp.req_identifier, resp.msg_incr.as_str(), resp.err_code), (req::GET_NEWEST_SEQ, "u1_1", 0));
    sdkws::GetMaxSeqResp::decode(resp.data.as_slice()).unwrap();
    // Application heartbeat.
    ws.send(Message::text(r#"{"type":"ping","body":"b"}"#)).await.unwrap();
    loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            let m: TextMessage = serde_json::from_str(&t).unwrap();
            assert_eq!(m.kind, "pong");
            break;
        }
    }
}

#[tokio::test]
async fn same_platform_kicks_the_older_connection_and_its_token() {
    let (server, admin) = setup().await;
    admin.register_user("u1", "U1").await.unwrap();
    let t1 = admin.user_token("u1", platform::IOS).await.unwrap();
    let mut first = dial(&server, &query("u1", &t1, 1, "")).await;
    let t2 = admin.user_token("u1", platform::IOS).await.unwrap();
    let _second = dial(&server, &query("u1", &t2, 1, "")).await;
    let kick = next_binary(&mut first).await.expect("kick frame");
    assert_eq!(kick.req_identifier, req::KICK_ONLINE_MSG);
    assert!(kick.msg_incr.is_empty());
    assert!(closed(&mut first).await);
    // The old token is now refused as kicked.
    let err = tokio_tungstenite::connect_async(format!("{}/{}", server.ws_url(), query("u1", &t1, 1, ""))).await.unwrap_err();
    match err {
        tungstenite::Error::Http(resp) => {
            let v: ApiResponse<serde_json::Value> = serde_json::from_slice(resp.body().as_deref().unwrap()).unwrap();
            assert_eq!(v.err_code, 1506);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn protocol_violations_close_the_connection() {
    let (server, admin) = setup().await;
    admin.register_user("u1", "U1").await.unwrap();
    let violations: Vec<Message> = vec![
        request(req::GET_NEWEST_SEQ, "someone_else", "x_1", vec![]),
        request(4242, "u1", "u1_1", vec![]),
        request(req::GET_NEWEST_SEQ, "u1", "", vec![]),
        Message::Binary(b"not gzip".to_vec().into()),
        Message::Binary(vec![7u8; defaults::GATEWAY_MAX_CLIENT_FRAME + 1].into()),
        Message::text("not a heartbeat"),
    ];
    for violation in violations {
        let token = admin.user_token("u1", platform::WEB).await.unwrap();
        let mut ws = dial(&server, &query("u1", &token, 5, "")).await;
        let _ = ws.send(violation).await;
        assert!(closed(&mut ws).await, "the gateway closes the connection");
    }
}

#[tokio::test]
async fn logout_request_is_answered_then_closed() {
    let (server, admin) = setup().await;
    admin.register_user("u1", "U1").await.unwrap();
    let token = admin.user_token("u1", platform::ANDROID).await.unwrap();
    let mut ws = dial(&server, &query("u1", &token, 2, "")).await;
    let data = openim_wire::pb::push::DelUserPushTokenReq { user_id: "u1".into(), platform_id: 2 }.encode_to_vec();
    ws.send(request(req::LOGOUT_MSG, "u1", "u1_9", data)).await.unwrap();
    let resp = next_binary(&mut ws).await.unwrap();
    assert_eq!((resp.req_identifier, resp.msg_incr.as_str(), resp.err_code), (req::LOGOUT_MSG, "u1_9", 0));
    assert!(closed(&mut ws).await);
}

#[tokio::test]
async fn rest_envelope_and_errors_match_openim() {
    let (server, admin) = setup().await;
    let http = reqwest::Client::new();
    let post = |path: &str, op: Option<&str>, token: Option<&str>, body: &str| {
        let mut r = http.post(format!("{}{path}", server.api_url())).body(body.to_owned());
        if let Some(op) = op {
            r = r.header("operationID", op);
        }
        if let Some(t) = token {
            r = r.header("token", t);
        }
        r
    };
    let get = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().json::<ApiResponse<serde_json::Value>>().await.unwrap() };

    let v = get(post("/auth/get_admin_token", None, None, r#"{"secret":"openIM123","userID":"imAdmin"}"#)).await;
    assert_eq!((v.err_code, v.err_dlt.as_str()), (1001, "header must have operationID"));
    let v = get(post("/auth/get_admin_token", Some("1"), None, r#"{"secret":"wrong","userID":"imAdmin"}"#)).await;
    assert_eq!(v.err_code, 1002);
    let v = get(post("/user/get_users_info", Some("1"), None, r#"{"userIDs":[]}"#)).await;
    assert_eq!((v.err_code, v.err_dlt.as_str()), (1001, "header must have token"));
    let v = get(post("/user/get_users_info", Some("1"), Some("x.y.z"), r#"{"userIDs":[]}"#)).await;
    assert_eq!(v.err_code, 1503);

    admin.register_user("u1", "U1").await.unwrap();
    let dup = admin.register_user("u1", "U1").await.unwrap_err().downcast::<ApiCallError>().unwrap();
    assert_eq!(dup.code, 1102);
    let user_token = admin.user_token("u1", platform::ANDROID).await.unwrap();
    let v = get(post("/user/user_register", Some("1"), Some(&user_token), r#"{"users":[{"userID":"u2"}]}"#)).await;
    assert_eq!(v.err_code, 1002, "only the app manager registers users");
    let v = get(post("/user/user_register", Some("1"), Some(&admin_token(&server).await), "{not json")).await;
    assert_eq!(v.err_code, 1001);
    let admin_platform = admin.user_token("u1", platform::ADMIN).await.unwrap_err().downcast::<ApiCallError>().unwrap();
    assert_eq!(admin_platform.code, 1002);
    let missing = admin.user_token("ghost", platform::ANDROID).await.unwrap_err().downcast::<ApiCallError>().unwrap();
    assert_eq!(missing.code, 1101);

    let v = get(post("/auth/parse_token", Some("1"), None, &format!(r#"{{"token":"{user_token}"}}"#))).await;
    let data = v.data.unwrap();
    assert_eq!((data["userID"].as_str(), data["platformID"].as_i64()), (Some("u1"), Some(2)));
    assert!(data["expireTimeSeconds"].as_i64().unwrap() > 0);

    // Empty replies carry no `data` key at all.
    let raw = post("/auth/force_logout", Some("1"), Some(&admin_token(&server).await), r#"{"userID":"u1","platformID":2}"#)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(raw, r#"{"errCode":0,"errMsg":"","errDlt":""}"#);
}

async fn admin_token(server: &DevServer) -> String {
    let v: ApiResponse<serde_json::Value> = reqwest::Client::new()
        .post(format!("{}/auth/get_admin_token", server.api_url()))
        .header("operationID", "1")
        .body(r#"{"secret":"openIM123","userID":"imAdmin"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.data.unwrap()["token"].as_str().unwrap().to_owned()
}
