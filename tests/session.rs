//! Login, logout, status and the per-user database, against a devserver.

mod common;

use common::*;
use openim_sdk::{LoginStatus, OpenIMError};
use openim_wire::constant::platform;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_connects_and_reports_status() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = srv.client(dir.path(), platform::ANDROID);

    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
    assert_eq!(client.login_user_id(), None);
    client.login("alice".into(), token).await.unwrap();
    assert_eq!(client.login_status(), LoginStatus::Logged);
    assert_eq!(client.login_user_id().as_deref(), Some("alice"));

    let events = conn.wait_count(Conn::Success, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Success]);
    srv.wait_online(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_login_is_refused_with_10102() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, _conn) = srv.client(dir.path(), platform::ANDROID);
    client.login("alice".into(), token.clone()).await.unwrap();
    let err = client.login("alice".into(), token).await.unwrap_err();
    assert!(matches!(err, OpenIMError::LoginRepeat { code: 10102, .. }), "{err:?}");
    assert_eq!(client.login_status(), LoginStatus::Logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_before_login_fail_with_10009() {
    let srv = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (client, _conn) = srv.client(dir.path(), platform::ANDROID);
    for err in [
        client.get_users_info(vec!["x".into()]).await.unwrap_err(),
        client.get_self_user_info().await.unwrap_err(),
        client.logout().await.unwrap_err(),
    ] {
        assert!(matches!(err, OpenIMError::NotLoggedIn { code: 10009, .. }), "{err:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_arguments_are_checked() {
    let srv = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = srv.client(dir.path(), platform::ANDROID);
    for (user, token) in [("", "t"), ("alice", ""), ("  ", "t")] {
        let err = client.login(user.into(), token.into()).await.unwrap_err();
        assert!(matches!(err, OpenIMError::InvalidArgument { code: 10002, .. }), "{err:?}");
    }
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
    assert!(conn.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_closes_connection_and_database_and_allows_relogin() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = srv.client(dir.path(), platform::ANDROID);
    client.login("alice".into(), token.clone()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let db = dir.path().join("OpenIM_v3_alice.db");
    assert!(db.exists(), "database file created at login");

    client.logout().await.unwrap();
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
    assert_eq!(client.login_user_id(), None);
    srv.wait_online(0).await;
    // Closing the last connection checkpoints and removes the write-ahead log. A connection a
    // cancelled session task still held is closed as it is dropped, on a task of sqlx's own,
    // which under load can finish just after logout returns: a bounded wait.
    let wal = dir.path().join("OpenIM_v3_alice.db-wal");
    let start = std::time::Instant::now();
    while wal.exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "database closed at logout");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(conn.count(&Conn::Connecting), 1, "no reconnect after logout: {:?}", conn.events());

    client.login("alice".into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 2).await;
    srv.wait_online(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_profiles_come_from_rest_and_the_local_cache() {
    let srv = TestServer::start().await;
    srv.user("bob").await;
    let Online { client, .. } = srv.online("alice").await;

    let users = client.get_users_info(vec!["bob".into(), "nobody".into(), "alice".into()]).await.unwrap();
    let ids: Vec<_> = users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["bob", "alice"]);
    assert_eq!(users[0].nickname, "bob nick");
    assert!(users[0].create_time > 0);

    let me = client.get_self_user_info().await.unwrap();
    assert_eq!((me.user_id.as_str(), me.nickname.as_str()), ("alice", "alice nick"));

    let err = client.get_users_info(vec![]).await.unwrap_err();
    assert!(matches!(err, OpenIMError::InvalidArgument { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_ids_are_sanitised_before_naming_files() {
    let srv = TestServer::start().await;
    let evil = "../../etc/evil user";
    let token = srv.user(evil).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (client, conn) = srv.client(&data, platform::ANDROID);
    client.login(evil.into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let files: Vec<String> =
        std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(files.contains(&"OpenIM_v3_%2E%2E%2F%2E%2E%2Fetc%2Fevil%20user.db".to_owned()), "{files:?}");
    // Nothing was written outside the data directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    client.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_config_is_refused_at_new() {
    let dir = tempfile::tempdir().unwrap();
    let good = config_for("http://127.0.0.1:1", "ws://127.0.0.1:1", dir.path(), platform::IOS);
    assert!(openim_sdk::OpenIMClient::new(good.clone()).is_ok());
    let cases = [
        openim_sdk::OpenIMConfig { platform: 0, ..good.clone() },
        openim_sdk::OpenIMConfig { platform: 10, ..good.clone() },
        openim_sdk::OpenIMConfig { platform: -3, ..good.clone() },
        openim_sdk::OpenIMConfig { api_addr: "127.0.0.1:10002".into(), ..good.clone() },
        openim_sdk::OpenIMConfig { api_addr: "ws://127.0.0.1:10002".into(), ..good.clone() },
        openim_sdk::OpenIMConfig { ws_addr: "http://127.0.0.1:10001".into(), ..good.clone() },
        openim_sdk::OpenIMConfig { ws_addr: "".into(), ..good.clone() },
        openim_sdk::OpenIMConfig { data_dir: "".into(), ..good.clone() },
    ];
    for config in cases {
        let err = openim_sdk::OpenIMClient::new(config.clone()).err().expect("refused");
        assert!(matches!(err, OpenIMError::InvalidArgument { code: 10002, .. }), "{config:?}: {err:?}");
    }
}

/// OpenIM's `GetUserClientConfig`: the client settings set on the server (devserver's from its
/// configuration, then the app manager's: a user's own over everyone's) reach the app as a map;
/// none set, the map is empty; before login, 10009.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_config_comes_from_the_server() {
    let settings: std::collections::BTreeMap<String, String> =
        [("discoverPageURL", "https://example.com/discover"), ("allowSendMsgNotFriend", "1")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { client_config: settings.clone(), ..Default::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let (client, _) = srv.client(dir.path(), openim_wire::constant::platform::ANDROID);
    assert_eq!(client.get_user_client_config().await.unwrap_err().code(), 10009);
    let alice = srv.online("alice").await;
    let got: std::collections::BTreeMap<String, String> = alice.client.get_user_client_config().await.unwrap().into_iter().collect();
    assert_eq!(got, settings);
    // Changed by the app's manager, for everyone and for alice alone (hers win): read anew.
    use openim_wire::api::user::SetUserClientConfigReq;
    for (user, key, value) in [("", "allowSendMsgNotFriend", "0"), ("alice", "discoverPageURL", "https://example.com/alice")] {
        let req = SetUserClientConfigReq { user_id: user.into(), configs: [(key.to_owned(), value.to_owned())].into() };
        let () = srv.admin.post(openim_wire::api::path::SET_USER_CLIENT_CONFIG, &req).await.unwrap();
    }
    let got: std::collections::BTreeMap<String, String> = alice.client.get_user_client_config().await.unwrap().into_iter().collect();
    let want = [("discoverPageURL", "https://example.com/alice"), ("allowSendMsgNotFriend", "0")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
    assert_eq!(got, want);

    let plain = TestServer::start().await;
    let bob = plain.online("bob").await;
    assert!(bob.client.get_user_client_config().await.unwrap().is_empty());
}
