//! The gateway connection's lifecycle: callbacks, token errors, kicks, server restarts, and
//! listeners that misbehave.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use openim_devserver::DevServerConfig;
use openim_sdk::{ConnListener, LoginStatus};
use openim_wire::constant::platform;

/// Long enough for the first backoff (1 s) and another attempt to have happened.
const NO_RETRY_WINDOW: Duration = Duration::from_millis(2500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_fails_without_reconnect_loop() {
    let srv = TestServer::start().await;
    srv.user("alice").await;
    let bob_token = srv.user("bob").await;
    for (token, code) in [("not-a-jwt".to_owned(), 1503), (bob_token, 1502)] {
        let dir = tempfile::tempdir().unwrap();
        let (client, conn) = srv.client(dir.path(), platform::ANDROID);
        client.login("alice".into(), token).await.unwrap();
        let events = conn.wait_count(Conn::TokenInvalid, 1).await;
        assert_eq!(events, vec![Conn::Connecting, Conn::Failed(code), Conn::TokenInvalid]);
        assert_eq!(client.login_status(), LoginStatus::LoggedOut, "a refused token ends the session");
        tokio::time::sleep(NO_RETRY_WINDOW).await;
        assert_eq!(conn.count(&Conn::Connecting), 1, "no reconnect after a token error: {:?}", conn.events());
        assert_eq!(srv.server.online_connections(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_reports_expiry() {
    let srv = TestServer::start().await;
    srv.user("alice").await;
    let token = srv.server.issue_token_with_ttl("alice", platform::ANDROID, -60).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = srv.client(dir.path(), platform::ANDROID);
    client.login("alice".into(), token).await.unwrap();
    let events = conn.wait_count(Conn::TokenExpired, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Failed(1501), Conn::TokenExpired]);
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_platform_login_kicks_the_older_one() {
    let srv = TestServer::start().await;
    let first_token = srv.user("alice").await;
    let (dir_a, dir_b, dir_c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, conn_a) = srv.client(dir_a.path(), platform::ANDROID);
    a.login("alice".into(), first_token.clone()).await.unwrap();
    conn_a.wait_count(Conn::Success, 1).await;

    // Another platform does not disturb it.
    let ios_token = srv.admin.user_token("alice", platform::IOS).await.unwrap();
    let (c, conn_c) = srv.client(dir_c.path(), platform::IOS);
    c.login("alice".into(), ios_token).await.unwrap();
    conn_c.wait_count(Conn::Success, 1).await;
    srv.wait_online(2).await;

    let second_token = srv.admin.user_token("alice", platform::ANDROID).await.unwrap();
    let (b, conn_b) = srv.client(dir_b.path(), platform::ANDROID);
    b.login("alice".into(), second_token).await.unwrap();
    conn_b.wait_count(Conn::Success, 1).await;

    let events = conn_a.wait_count(Conn::Kicked, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Success, Conn::Kicked]);
    assert_eq!(a.login_status(), LoginStatus::LoggedOut);
    assert_eq!(b.login_status(), LoginStatus::Logged);
    assert_eq!(c.login_status(), LoginStatus::Logged);
    srv.wait_online(2).await;
    assert_eq!(conn_c.events(), vec![Conn::Connecting, Conn::Success]);

    // The kicked token is dead: logging in with it again is refused as "kicked" (1506).
    a.login("alice".into(), first_token).await.unwrap();
    let events = conn_a.wait_count(Conn::Kicked, 2).await;
    assert_eq!(&events[3..], [Conn::Connecting, Conn::Failed(1506), Conn::Kicked]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_force_logout_kicks_the_client() {
    let srv = TestServer::start().await;
    let Online { client, conn, .. } = srv.online("alice").await;
    srv.admin.force_logout("alice", platform::ANDROID).await.unwrap();
    conn.wait_count(Conn::Kicked, 1).await;
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_token_error_ends_the_session() {
    let srv = TestServer::start().await;
    let Online { client, conn, .. } = srv.online("alice").await;
    // A newer token for the same platform marks this one kicked server-side; the open
    // connection stays up, so only a REST call can notice.
    srv.admin.user_token("alice", platform::ANDROID).await.unwrap();
    let err = client.get_users_info(vec!["alice".into()]).await.unwrap_err();
    // 1506 from this call, or 10009 when the background profile sync hit 1506 first.
    assert!([1506, 10009].contains(&err.code()), "{err:?}");
    conn.wait_count(Conn::Kicked, 1).await;
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server.db");
    let srv = TestServer::start_with(DevServerConfig { data: Some(data.clone()), ..Default::default() }).await;
    let token = srv.user("alice").await;
    let (api_addr, ws_addr) = (srv.server.api_addr(), srv.server.ws_addr());
    let (client, conn) = srv.client(&dir.path().join("client"), platform::ANDROID);
    client.login("alice".into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;

    srv.server.shutdown().await;
    conn.wait_count(Conn::Connecting, 2).await;
    let _restarted = TestServer::start_with(DevServerConfig { data: Some(data), api_addr, ws_addr, ..Default::default() }).await;
    let events = conn.wait_count(Conn::Success, 2).await;
    assert_eq!(&events[..3], [Conn::Connecting, Conn::Success, Conn::Connecting]);
    assert_eq!(events.last(), Some(&Conn::Success));
    assert!(events[2..].iter().all(|e| matches!(e, Conn::Connecting | Conn::Failed(10000) | Conn::Success)), "{events:?}");
    assert_eq!(client.login_status(), LoginStatus::Logged);
}

/// `network_status_changed` (OpenIM's `NetworkStatusChanged`): a live connection, perhaps dead
/// on the old network, is dropped and made again at once (devserver holds one connection
/// again); while
/// devserver is down and the client waits out its backoff, the call makes it try again at
/// once: back up, it connects before the backoff would have let it. Not logged in, the call is
/// refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_change_reconnects_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server.db");
    let srv = TestServer::start_with(DevServerConfig { data: Some(data.clone()), ..Default::default() }).await;
    let token = srv.user("alice").await;
    let (api_addr, ws_addr) = (srv.server.api_addr(), srv.server.ws_addr());
    let (client, conn) = srv.client(&dir.path().join("client"), platform::ANDROID);
    assert_eq!(client.network_status_changed().unwrap_err().code(), 10009, "not logged in");
    client.login("alice".into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    srv.wait_online(1).await;

    client.network_status_changed().unwrap();
    let events = conn.wait_count(Conn::Success, 2).await;
    assert_eq!(events, [Conn::Connecting, Conn::Success, Conn::Connecting, Conn::Success]);
    srv.wait_online(1).await;
    assert_eq!(client.login_status(), LoginStatus::Logged);

    // devserver down: attempts fail, 1 s, 2 s, then 4 s apart.
    srv.server.shutdown().await;
    conn.wait_count(Conn::Failed(10000), 3).await;
    // The next attempt would come 4 s after the third failure.
    let _restarted = TestServer::start_with(DevServerConfig { data: Some(data), api_addr, ws_addr, ..Default::default() }).await;
    let called = std::time::Instant::now();
    client.network_status_changed().unwrap();
    conn.wait_count(Conn::Success, 3).await;
    assert_eq!(conn.count(&Conn::Failed(10000)), 3, "no attempt failed after the call");
    assert!(called.elapsed() < std::time::Duration::from_secs(2), "connected {:?} after the call: the backoff was waited out", called.elapsed());
}

/// Throws (panics, as a foreign exception does inside UniFFI) on every callback.
struct Throwing(Arc<ConnRecorder>);

impl ConnListener for Throwing {
    fn on_connecting(&self) {
        self.0.on_connecting();
        panic!("listener bug in on_connecting");
    }
    fn on_connect_success(&self) {
        self.0.on_connect_success();
        panic!("listener bug in on_connect_success");
    }
    fn on_connect_failed(&self, code: i32, msg: String) {
        self.0.on_connect_failed(code, msg)
    }
    fn on_kicked_offline(&self) {
        self.0.on_kicked_offline()
    }
    fn on_user_token_expired(&self) {
        self.0.on_user_token_expired()
    }
    fn on_user_token_invalid(&self, msg: String) {
        self.0.on_user_token_invalid(msg)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throwing_listener_does_not_break_the_engine() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, _) = srv.client(dir.path(), platform::ANDROID);
    let recorder = Arc::new(ConnRecorder::default());
    client.set_conn_listener(Arc::new(Throwing(recorder.clone())));
    client.login("alice".into(), token).await.unwrap();
    recorder.wait_count(Conn::Success, 1).await;
    assert_eq!(client.get_self_user_info().await.unwrap().user_id, "alice");
    client.logout().await.unwrap();
    srv.wait_online(0).await;
}

/// Blocks in `on_connecting` until released.
struct Blocking {
    gate: Arc<(Mutex<bool>, std::sync::Condvar)>,
    inner: Arc<ConnRecorder>,
}

impl ConnListener for Blocking {
    fn on_connecting(&self) {
        let (lock, cvar) = &*self.gate;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cvar.wait(open).unwrap();
        }
        self.inner.on_connecting();
    }
    fn on_connect_success(&self) {
        self.inner.on_connect_success()
    }
    fn on_connect_failed(&self, code: i32, msg: String) {
        self.inner.on_connect_failed(code, msg)
    }
    fn on_kicked_offline(&self) {
        self.inner.on_kicked_offline()
    }
    fn on_user_token_expired(&self) {
        self.inner.on_user_token_expired()
    }
    fn on_user_token_invalid(&self, msg: String) {
        self.inner.on_user_token_invalid(msg)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_listener_does_not_stall_the_engine() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, _) = srv.client(dir.path(), platform::ANDROID);
    let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let recorder = Arc::new(ConnRecorder::default());
    client.set_conn_listener(Arc::new(Blocking { gate: gate.clone(), inner: recorder.clone() }));

    client.login("alice".into(), token).await.unwrap();
    // The engine connects and serves calls while the listener thread is stuck.
    srv.wait_online(1).await;
    assert_eq!(client.get_self_user_info().await.unwrap().user_id, "alice");
    assert!(recorder.events().is_empty());

    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    let events = recorder.wait_count(Conn::Success, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Success], "events keep their order");
}
