//! A database created by the previous schema (migrations 0001–0002, as the SDK of the
//! messaging release left it) upgrades in place at the next login, keeping every row.

mod common;

use common::*;
use openim_sdk::model::MessageStatus;
use openim_wire::constant::platform;

/// The migrations of the previous release, applied the way that release applied them.
async fn previous_schema_db(path: &std::path::Path) -> sqlx::SqlitePool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0001_init.sql"), include_str!("../src/store/migrations/0001_init.sql")).unwrap();
    std::fs::write(
        dir.path().join("0002_messages_conversations.sql"),
        include_str!("../src/store/migrations/0002_messages_conversations.sql"),
    )
    .unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(dir.path()).await.unwrap().run(&pool).await.unwrap();
    pool
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_previous_schema_database_upgrades_and_keeps_its_data() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(openim_sdk::store::db_file_name("alice"));
    let conv = openim_wire::conversation_id::single("alice", "bob");

    // What the previous release stored: a message, its conversation, the synced seq.
    let pool = previous_schema_db(&file).await;
    sqlx::query(
        "INSERT INTO local_chat_logs (conversation_id, client_msg_id, server_msg_id, send_id, recv_id, session_type, content_type,
           content, is_read, status, seq, send_time, create_time)
         VALUES (?, 'old-1', 'srv-1', 'bob', 'alice', 1, 101, '{\"content\":\"from before\"}', 0, 2, 1, 1700000000000, 1700000000000)",
    )
    .bind(&conv)
    .execute(&pool)
    .await
    .unwrap();
    let latest = r#"{"clientMsgID":"old-1","serverMsgID":"srv-1","createTime":1700000000000,"sendTime":1700000000000,"sessionType":1,"sendID":"bob","recvID":"alice","msgFrom":100,"contentType":101,"senderPlatformID":2,"senderNickname":"bob nick","senderFaceUrl":"","groupID":"","content":"{\"content\":\"from before\"}","seq":1,"isRead":false,"status":2,"attachedInfo":"","ex":"","localEx":"","textElem":{"content":"from before"}}"#;
    sqlx::query(
        "INSERT INTO local_conversations (conversation_id, conversation_type, user_id, show_name, unread_count, latest_msg,
           latest_msg_send_time, is_pinned, max_seq, has_read_seq)
         VALUES (?, 1, 'bob', 'bob nick', 1, ?, 1700000000000, 1, 1, 0)",
    )
    .bind(&conv)
    .bind(latest)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO local_seqs (conversation_id, seq) VALUES (?, 1)").bind(&conv).execute(&pool).await.unwrap();
    // A message that was still on its way when the app died (the old schema listed it in
    // local_sending_messages; the new one finds it by its status).
    sqlx::query(
        "INSERT INTO local_chat_logs (conversation_id, client_msg_id, send_id, recv_id, session_type, content_type,
           content, is_read, status, seq, send_time, create_time)
         VALUES (?, 'old-sending', 'alice', 'bob', 1, 101, '{\"content\":\"on its way\"}', 0, 1, 0, 1700000000500, 1700000000500)",
    )
    .bind(&conv)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO local_sending_messages (conversation_id, client_msg_id) VALUES (?, 'old-sending')").bind(&conv).execute(&pool).await.unwrap();
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version").fetch_all(&pool).await.unwrap();
    assert_eq!(applied, [1, 2]);
    pool.close().await;

    // The next release opens it: the migrations after 0002 run, the rows stay.
    let store = openim_sdk::store::Store::open(dir.path(), "alice").await.unwrap();
    let mut db = store.read().await.unwrap();
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version").fetch_all(&mut *db).await.unwrap();
    assert_eq!(applied.len(), openim_sdk::store::MIGRATOR.iter().count());
    let row = openim_sdk::store::conversations::get(&mut db, &conv).await.unwrap().expect("conversation kept");
    assert_eq!((row.show_name.as_str(), row.unread_count, row.is_pinned), ("bob nick", 1, true));
    assert_eq!((row.msg_destruct_time, row.is_msg_destruct), (604_800, false), "new columns get their defaults");
    drop(db);
    store.close().await;

    // And a login on it sees the old data through the API.
    let alice = srv.online_with("alice", token, platform::ANDROID, dir).await;
    let list = alice.client.get_all_conversation_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].conversation_id, conv);
    assert!(list[0].is_pinned);
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    let got: Vec<_> = page.messages.iter().map(|m| (m.client_msg_id.as_str(), m.status)).collect();
    assert_eq!(got, [("old-1", MessageStatus::SendSuccess), ("old-sending", MessageStatus::SendFailed)], "the unsent message failed at login");
}
