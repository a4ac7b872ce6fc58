//! Servers that lie: malformed, oversized and unexpected frames, refused upgrades and bad REST
//! replies give errors and reconnects, never panics or a dead engine.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::fake_gateway::{self, ServerWs};
use common::*;
use futures_util::SinkExt;
use openim_sdk::{LoginStatus, OpenIMError};
use openim_wire::constant::{platform, req};
use openim_wire::gateway::WsResponse;
use tokio_tungstenite::tungstenite::Message;

fn gzip(data: &[u8]) -> Vec<u8> {
    openim_wire::gzip::compress(data)
}

async fn send_garbage(ws: &mut ServerWs) {
    let frames: Vec<Message> = vec![
        Message::Binary(b"\x00\xffnot an envelope".to_vec().into()),
        Message::Binary(gzip(b"{\"reqIdentifier\": oops").into()),
        Message::Binary(gzip(br#"{"reqIdentifier":2001,"data":"%%% not base64"}"#).into()),
        // A decompression bomb: 32 MiB of zeros in a few kilobytes.
        Message::Binary(gzip(&vec![0u8; 32 << 20]).into()),
        Message::Text("hello, not a heartbeat".into()),
        Message::Text(r#"{"type":"ping","body":"x"}"#.into()),
    ];
    for frame in frames {
        ws.send(frame).await.unwrap();
    }
    for resp in [
        WsResponse { req_identifier: 9999, ..Default::default() },
        WsResponse { req_identifier: req::PUSH_MSG, data: b"\xff\xff\xff not protobuf".to_vec(), ..Default::default() },
        WsResponse { req_identifier: req::GET_NEWEST_SEQ, msg_incr: "nobody_waits".into(), ..Default::default() },
    ] {
        fake_gateway::send(ws, &resp).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_are_skipped_and_the_connection_survives() {
    let got_logout = Arc::new(AtomicBool::new(false));
    let flag = got_logout.clone();
    let gw = fake_gateway::start(move |mut ws, _n| {
        let flag = flag.clone();
        async move {
            fake_gateway::accept(&mut ws).await;
            send_garbage(&mut ws).await;
            while let Some(request) = fake_gateway::next_request(&mut ws).await {
                if request.req_identifier == req::LOGOUT_MSG {
                    flag.store(true, Ordering::SeqCst);
                    fake_gateway::reply(&mut ws, &request).await;
                }
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;

    let started = Instant::now();
    client.logout().await.unwrap();
    assert!(got_logout.load(Ordering::SeqCst), "the logout request went out on the same connection");
    assert!(started.elapsed() < Duration::from_secs(4), "the logout reply was read after the garbage");
    assert_eq!(gw.connections(), 1, "garbage did not cost the connection");
    assert_eq!(conn.events(), vec![Conn::Connecting, Conn::Success]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_drops_the_connection_and_it_reconnects() {
    let gw = fake_gateway::start(|mut ws, n| async move {
        fake_gateway::accept(&mut ws).await;
        if n == 1 {
            let huge: Vec<u8> = (0..5 << 20).map(|_| fastrand::u8(..)).collect();
            let _ = ws.send(Message::Binary(huge.into())).await;
        }
        fake_gateway::drain(&mut ws).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::Success, 2).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Success, Conn::Connecting, Conn::Success]);
    assert_eq!(gw.connections(), 2);
    assert_eq!(client.login_status(), LoginStatus::Logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_upgrade_with_an_openim_body_is_a_token_error() {
    let ws = fake_gateway::fixed_http("200 OK", r#"{"errCode":1501,"errMsg":"TokenExpiredError","errDlt":""}"#).await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &ws.replace("http", "ws"), dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::TokenExpired, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Failed(1501), Conn::TokenExpired]);
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_verdict_frame_with_a_token_error_stops_the_session() {
    let gw = fake_gateway::start(|mut ws, _| async move {
        let _ = ws.send(Message::text(r#"{"errCode":1507,"errMsg":"TokenNotExistError","errDlt":""}"#)).await;
        let _ = ws.close(None).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::TokenInvalid, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Failed(1507), Conn::TokenInvalid]);
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_openim_answer_is_a_network_failure_and_is_retried() {
    let ws = fake_gateway::fixed_http("502 Bad Gateway", "<html>proxy error</html>").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &ws.replace("http", "ws"), dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::Connecting, 2).await;
    assert_eq!(&events[..3], [Conn::Connecting, Conn::Failed(10000), Conn::Connecting]);
    assert_eq!(client.login_status(), LoginStatus::Logged, "network failures keep the session");
    client.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rest_replies_are_typed_errors() {
    let gw = fake_gateway::start(|mut ws, _| async move {
        fake_gateway::accept(&mut ws).await;
        fake_gateway::serve_empty_replies(&mut ws).await;
    })
    .await;
    for (status, body, code) in [
        ("200 OK", "this is not json", 10202),
        ("200 OK", r#"{"errCode":"zero","data":{}}"#, 10202),
        ("200 OK", r#"{"errCode":0,"errMsg":"","errDlt":"","data":{"usersInfo":"nope"}}"#, 10202),
        ("200 OK", r#"{"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"x"}"#, 1004),
        ("500 Internal Server Error", "{}", 10000),
    ] {
        let api = fake_gateway::fixed_http(status, body).await;
        let dir = tempfile::tempdir().unwrap();
        let (client, conn) = client_for(config_for(&api, &gw.url, dir.path(), platform::ANDROID));
        client.login("alice".into(), "token".into()).await.unwrap();
        conn.wait_count(Conn::Success, 1).await;
        let err = client.get_users_info(vec!["bob".into()]).await.unwrap_err();
        assert_eq!(err.code(), code, "{body}: {err:?}");
        if code == 10202 {
            assert!(matches!(err, OpenIMError::Protocol { .. }), "{err:?}");
        }
        assert_eq!(client.login_status(), LoginStatus::Logged);
        client.logout().await.unwrap();
    }
}
