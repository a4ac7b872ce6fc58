//! Crash safety: a client process killed with SIGKILL in the middle of its first sync, then
//! started again on the same database. The database must open intact (SQLite's integrity check),
//! the sync must complete, and every message must be there exactly once.
//!
//! The client runs as a child process: this test binary started again with `crash_child` as
//! its only test and the role in `OPENIM_CRASH_CHILD`.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use openim_sdk::{Conversation, ConversationListener, InputStatusChange, OpenIMClient};
use openim_wire::api::path;
use openim_wire::constant::platform;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

const PEERS: usize = 300;
const EACH: usize = 3;

/// Prints the sync's progress on stdout for the parent.
struct Progress(tokio::sync::watch::Sender<bool>);

impl ConversationListener for Progress {
    fn on_sync_server_start(&self, _: bool) {
        println!("CHILD START");
    }
    fn on_sync_server_finish(&self, _: bool) {
        println!("CHILD FINISH");
        self.0.send_replace(true);
    }
    fn on_sync_server_failed(&self, _: bool) {}
    fn on_sync_server_progress(&self, progress: i32) {
        println!("CHILD PROGRESS {progress}");
    }
    fn on_new_conversation(&self, _: Vec<Conversation>) {}
    fn on_conversation_changed(&self, _: Vec<Conversation>) {}
    fn on_total_unread_message_count_changed(&self, _: i32) {}
    fn on_conversation_user_input_status_changed(&self, _: InputStatusChange) {}
}

/// The client process, run only by the parent test (`--ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of a_client_killed_mid_sync_restarts_on_an_intact_database"]
async fn crash_child() {
    let Ok(role) = std::env::var("OPENIM_CRASH_CHILD") else { return };
    let var = |k: &str| std::env::var(k).unwrap();
    let config = common::config_for(&var("CRASH_API"), &var("CRASH_WS"), std::path::Path::new(&var("CRASH_DIR")), platform::ANDROID);
    let client = OpenIMClient::new(config).unwrap();
    let (tx, mut done) = tokio::sync::watch::channel(false);
    client.set_conversation_listener(Arc::new(Progress(tx)));
    client.login("bob".into(), var("CRASH_TOKEN")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(60), done.wait_for(|d| *d)).await.expect("sync finished").unwrap();
    if role == "sync" {
        // Whenever the kill comes, it comes to a running process.
        std::future::pending::<()>().await;
    }
    if role == "verify" {
        let list = client.get_all_conversation_list().await.unwrap();
        assert_eq!(list.len(), PEERS, "conversations");
        assert_eq!(client.get_total_unread_msg_count().await.unwrap() as usize, PEERS * EACH, "unread");
        for c in &list {
            assert_eq!(c.unread_count as usize, EACH, "{}", c.conversation_id);
            let page = client.get_advanced_history_message_list(c.conversation_id.clone(), None, 20).await.unwrap();
            let mut ids: Vec<&str> = page.messages.iter().map(|m| m.client_msg_id.as_str()).collect();
            assert_eq!(ids.len(), EACH, "{}: {:?}", c.conversation_id, page.messages);
            ids.dedup();
            assert_eq!(ids.len(), EACH, "{}: duplicates", c.conversation_id);
            assert!(page.messages.windows(2).all(|w| w[0].seq < w[1].seq));
        }
        println!("CHILD VERIFIED");
    }
    client.logout().await.unwrap();
}

async fn start_child(srv: &TestServer, dir: &std::path::Path, role: &str) -> tokio::process::Child {
    tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("OPENIM_CRASH_CHILD", role)
        .env("CRASH_API", srv.server.api_url())
        .env("CRASH_WS", srv.server.ws_url())
        .env("CRASH_DIR", dir)
        .env("CRASH_TOKEN", srv.admin.user_token("bob", platform::ANDROID).await.unwrap())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_mid_sync_restarts_on_an_intact_database() {
    let srv = TestServer::start().await;
    srv.user("bob").await;
    for i in 0..PEERS {
        let peer = format!("peer{i}");
        srv.admin.register_user(&peer, &peer).await.unwrap();
        for k in 0..EACH {
            let body = json!({"sendID": peer, "recvID": "bob", "senderPlatformID": 1, "content": {"content": format!("{peer} {k}")},
                              "contentType": 101, "sessionType": 1});
            let _: serde_json::Value = srv.admin.post(path::SEND_MSG, &body).await.unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();

    // First run: killed as soon as the sync reports progress, while it writes.
    let mut child = start_child(&srv, dir.path(), "sync").await;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let killed_at = tokio::time::timeout(common::WAIT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(p) = line.strip_prefix("CHILD PROGRESS ") {
                return p.to_owned();
            }
            assert_ne!(line, "CHILD FINISH", "the sync finished before it could be interrupted");
        }
        panic!("the child ended without syncing");
    })
    .await
    .expect("sync progress from the child");
    child.start_kill().unwrap(); // SIGKILL: no destructor, no close, no checkpoint
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "the child was killed (at progress {killed_at})");

    // The database as the kill left it: intact.
    let db = dir.path().join(openim_sdk::store::db_file_name("bob"));
    {
        use sqlx::ConnectOptions as _;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).connect().await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
        assert_eq!(check, "ok");
    }

    // Second run on the same database: the sync completes and everything is there once.
    let mut child = start_child(&srv, dir.path(), "verify").await;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut verified = false;
    while let Some(line) = tokio::time::timeout(Duration::from_secs(90), lines.next_line()).await.expect("child output").unwrap() {
        verified |= line == "CHILD VERIFIED";
    }
    let status = tokio::time::timeout(common::WAIT, child.wait()).await.unwrap().unwrap();
    assert!(status.success() && verified, "the restarted client did not verify its data ({status})");
}
