//! Messages and conversations end to end: two (or more) SDK clients against a devserver.

mod common;

use common::events::Ev;
use common::*;
use openim_sdk::{MessageContent, MessageStatus, OpenIMError};
use openim_sdk::store::chat_logs;
use openim_wire::conversation_id;

fn text(m: &openim_sdk::Message) -> String {
    match &m.content {
        MessageContent::Text { text } => text.clone(),
        other => panic!("not a text message: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_messages_flow_both_ways() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");

    let msg = alice.client.create_text_message("hi bob".into()).unwrap();
    assert_eq!(msg.status, MessageStatus::Sending);
    let sent = alice.client.send_message(msg.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!(sent.client_msg_id, msg.client_msg_id);
    assert_eq!(sent.status, MessageStatus::SendSuccess);
    assert_eq!(sent.seq, 1);
    assert!(!sent.server_msg_id.is_empty() && sent.send_time > 0);

    let received = bob.events.wait_new_messages(1).await;
    assert_eq!(received[0].client_msg_id, msg.client_msg_id);
    assert_eq!((received[0].seq, text(&received[0])), (1, "hi bob".into()));
    assert_eq!(received[0].send_id, "alice");
    assert_eq!(received[0].sender_nickname, "alice nick");

    let reply = bob.client.create_text_message("hi alice".into()).unwrap();
    let reply = bob.client.send_message(reply, Some("alice".into()), None, None, false, None).await.unwrap();
    assert_eq!(reply.seq, 2);
    let got = alice.events.wait_new_messages(1).await;
    assert_eq!(text(&got[0]), "hi alice");

    // Both sides list the conversation with the latest message and the right unread counts.
    let bob_list = bob.client.get_all_conversation_list().await.unwrap();
    assert_eq!(bob_list.len(), 1);
    assert_eq!(bob_list[0].conversation_id, conv);
    assert_eq!(bob_list[0].show_name, "alice nick");
    assert_eq!(bob_list[0].latest_msg.as_ref().map(text).as_deref(), Some("hi alice"));
    let alice_conv = &alice.client.get_all_conversation_list().await.unwrap()[0];
    assert_eq!(alice_conv.unread_count, 1);
    assert_eq!(alice_conv.show_name, "bob nick");
    assert_eq!(alice.client.get_total_unread_msg_count().await.unwrap(), 1);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_send_arguments_are_typed_errors() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let err = alice.client.create_text_message("".into()).unwrap_err();
    assert!(matches!(err, OpenIMError::InvalidArgument { code: 10002, .. }), "{err:?}");
    let msg = alice.client.create_text_message("x".into()).unwrap();
    for (recv, group) in [(Some("bob".to_owned()), Some("g1".to_owned())), (None, None), (Some(String::new()), None)] {
        let err = alice.client.send_message(msg.clone(), recv, group, None, false, None).await.unwrap_err();
        assert!(matches!(err, OpenIMError::InvalidArgument { code: 10002, .. }), "{err:?}");
    }
    let err = alice.client.create_location_message("".into(), 200.0, 0.0).unwrap_err();
    assert!(matches!(err, OpenIMError::InvalidArgument { .. }));
    // Nothing was stored by the refused sends.
    assert!(alice.client.get_all_conversation_list().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_messages_keep_seq_order() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    for i in 1..=30 {
        let m = alice.client.create_text_message(format!("m{i}")).unwrap();
        let sent = alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
        assert_eq!(sent.seq, i);
    }
    let got = bob.events.wait_new_messages(30).await;
    let seqs: Vec<i64> = got.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    let texts: Vec<String> = got.iter().map(text).collect();
    assert_eq!(texts, (1..=30).map(|i| format!("m{i}")).collect::<Vec<_>>());
    let conv = conversation_id::single("alice", "bob");
    let page = bob.client.get_advanced_history_message_list(conv, None, 30).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), (1..=30).collect::<Vec<_>>());
    assert!(page.is_end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_senders_other_device_sees_its_messages() {
    let srv = TestServer::start().await;
    let phone = srv.online("alice").await;
    let tablet_token = srv.admin.user_token("alice", openim_wire::constant::platform::IOS).await.unwrap();
    let tablet = srv.online_with("alice", tablet_token, openim_wire::constant::platform::IOS, tempfile::tempdir().unwrap()).await;
    let bob = srv.online("bob").await;

    let m = phone.client.create_text_message("from my phone".into()).unwrap();
    let sent = phone.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    let on_tablet = tablet.events.wait_new_messages(1).await;
    assert_eq!(on_tablet[0].client_msg_id, sent.client_msg_id);
    assert_eq!((on_tablet[0].seq, on_tablet[0].send_id.as_str()), (1, "alice"));
    bob.events.wait_new_messages(1).await;
    // The sending device does not report its own message as new.
    assert!(phone.events.new_messages().is_empty());
    let tablet_list = tablet.client.get_all_conversation_list().await.unwrap();
    assert_eq!(tablet_list.len(), 1);
    assert_eq!(tablet_list[0].unread_count, 0, "own messages are never unread");
    // The message carries no name for bob: the conversation shows it once his profile is in.
    tablet
        .events
        .wait_until("bob's name", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(l) if l[0].show_name == "bob nick")))
        .await;
    assert_eq!(tablet.client.get_all_conversation_list().await.unwrap()[0].show_name, "bob nick");

    // A third device's first login pulls it (stored with the pull's batch): in history, sent,
    // the chat's latest message, never unread.
    let mac = openim_wire::constant::platform::OSX;
    let laptop = srv.online_with("alice", srv.admin.user_token("alice", mac).await.unwrap(), mac, tempfile::tempdir().unwrap()).await;
    let conv = conversation_id::single("alice", "bob");
    let page = laptop.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    let got: Vec<_> = page.messages.iter().map(|m| (m.client_msg_id.as_str(), m.seq, m.status)).collect();
    assert_eq!(got, [(sent.client_msg_id.as_str(), 1, MessageStatus::SendSuccess)]);
    let list = laptop.client.get_all_conversation_list().await.unwrap();
    assert_eq!((list.len(), list[0].unread_count), (1, 0));
    assert_eq!(list[0].latest_msg.as_ref().map(|m| m.client_msg_id.as_str()), Some(sent.client_msg_id.as_str()));
    assert_eq!(laptop.client.get_total_unread_msg_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_recipient_gets_everything_at_next_login() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob_token = srv.user("bob").await;
    for i in 1..=5 {
        let m = alice.client.create_text_message(format!("while you were away {i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    }
    let bob = srv.online_with("bob", bob_token, openim_wire::constant::platform::ANDROID, tempfile::tempdir().unwrap()).await;
    let events = bob.events.events();
    assert!(events.contains(&Ev::SyncStart(true)) && events.contains(&Ev::SyncFinish(true)), "{events:#?}");
    let list = bob.client.get_all_conversation_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].unread_count, 5);
    assert_eq!(list[0].latest_msg.as_ref().map(text).as_deref(), Some("while you were away 5"));
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 5);
    assert_eq!(bob.events.last_total_unread(), Some(5));
    // Only the newest message came with the sync; history fills in the rest from the server.
    let page = bob.client.get_advanced_history_message_list(list[0].conversation_id.clone(), None, 20).await.unwrap();
    let texts: Vec<String> = page.messages.iter().map(text).collect();
    assert_eq!(texts, (1..=5).map(|i| format!("while you were away {i}")).collect::<Vec<_>>());
    assert!(page.is_end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_stream_loses_and_duplicates_nothing() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let total = 40;
    for i in 1..=total {
        if i == 15 || i == 28 {
            assert_eq!(srv.server.disconnect_user("bob"), 1);
        }
        let m = alice.client.create_text_message(format!("n{i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    }
    bob.conn.wait_count(Conn::Success, 3).await;
    let last = format!("n{total}");
    bob.events.wait_until("the last message", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if text(m) == last))).await;
    // Whatever arrived live or through the reconnect syncs, history has each message once.
    let conv = conversation_id::single("alice", "bob");
    let mut seqs = Vec::new();
    let mut start = None;
    loop {
        let page = bob.client.get_advanced_history_message_list(conv.clone(), start.clone(), 15).await.unwrap();
        seqs.splice(0..0, page.messages.iter().map(|m| m.seq));
        if page.is_end {
            break;
        }
        start = page.messages.first().map(|m| m.client_msg_id.clone());
    }
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>());
    let reported = bob.events.new_messages();
    let mut ids: Vec<&str> = reported.iter().map(|m| m.client_msg_id.as_str()).collect();
    let before = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), before, "a message was reported twice");
    let list = bob.client.get_all_conversation_list().await.unwrap();
    assert_eq!(list[0].unread_count as i64, total);
    assert_eq!(list[0].latest_msg.as_ref().map(text), Some(format!("n{total}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_across_a_hole() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob_token = srv.user("bob").await;
    let bob_dir = tempfile::tempdir().unwrap();
    let bob_path = bob_dir.path().to_owned();
    let bob = srv.online_with("bob", bob_token.clone(), openim_wire::constant::platform::ANDROID, bob_dir).await;
    for i in 1..=10 {
        let m = alice.client.create_text_message(format!("h{i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    }
    bob.events.wait_new_messages(10).await;
    // A conversation not stored here (a group chat before its first message arrives): nothing,
    // at its end, as OpenIM's core answers; a start message cannot be in it.
    let unknown = bob.client.get_advanced_history_message_list("sg_nothing_yet".into(), None, 20).await.unwrap();
    assert!(unknown.messages.is_empty() && unknown.is_end);
    let err = bob.client.get_advanced_history_message_list("sg_nothing_yet".into(), Some("x".into()), 20).await.unwrap_err();
    assert_eq!(err.code(), 10002);
    bob.client.logout().await.unwrap();
    for i in 11..=50 {
        let m = alice.client.create_text_message(format!("h{i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    }
    // Back online with the same database: seqs 1..10 and 50 are local, 11..49 a hole.
    let token = srv.admin.user_token("bob", openim_wire::constant::platform::ANDROID).await.unwrap();
    let dir = tempfile::TempDir::new_in(bob_path.parent().unwrap()).unwrap();
    std::fs::copy(bob_path.join("OpenIM_v3_bob.db"), dir.path().join("OpenIM_v3_bob.db")).unwrap();
    let bob = srv.online_with("bob", token, openim_wire::constant::platform::ANDROID, dir).await;
    let conv = conversation_id::single("alice", "bob");
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let page = bob.client.get_advanced_history_message_list(conv.clone(), start.clone(), 20).await.unwrap();
        pages.push(page.messages.iter().map(|m| m.seq).collect::<Vec<_>>());
        if page.is_end {
            break;
        }
        start = page.messages.first().map(|m| m.client_msg_id.clone());
    }
    assert_eq!(pages, vec![(31..=50).collect::<Vec<i64>>(), (11..=30).collect(), (1..=10).collect()]);
    // And forwards again from the oldest.
    let oldest = bob.client.get_advanced_history_message_list(conv.clone(), None, 50).await.unwrap().messages[0].clone();
    let newer = bob.client.get_advanced_history_message_list_reverse(conv, oldest.client_msg_id, 20).await.unwrap();
    assert_eq!(newer.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), (2..=21).collect::<Vec<_>>());
    assert!(!newer.is_end);
}

/// A page over a long hole asks the server for the seqs it shows, not the whole hole: after
/// 300 messages missed while offline (the connect pulls the newest only), each page of 20
/// fetches the 20 missing seqs nearest its edge, and the stored history grows by those alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_over_a_long_hole_fetches_only_what_it_shows() {
    use sqlx::ConnectOptions as _;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let token = srv.user("bob").await;
    let bob = srv.online_with("bob", token, openim_wire::constant::platform::ANDROID, tempfile::tempdir().unwrap()).await;
    for i in 1..=30 {
        send_text(&alice, "bob", &format!("m{i}")).await;
    }
    bob.events.wait_new_messages(30).await;
    let Online { client, dir, .. } = bob;
    client.logout().await.unwrap();
    drop(client);
    for i in 31..=330 {
        send_text(&alice, "bob", &format!("m{i}")).await;
    }
    let token = srv.admin.user_token("bob", openim_wire::constant::platform::ANDROID).await.unwrap();
    let bob = srv.online_with("bob", token, openim_wire::constant::platform::ANDROID, dir).await;
    let conv = conversation_id::single("alice", "bob");
    let db = bob.dir.path().join(openim_sdk::store::db_file_name("bob"));
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).connect().await.unwrap();
    async fn stored(conn: &mut sqlx::SqliteConnection, conv: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM local_chat_logs WHERE conversation_id = ?").bind(conv).fetch_one(conn).await
    }
    assert_eq!(stored(&mut conn, &conv).await.unwrap(), 31, "1..30 and the newest, 330");

    let page = bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), (311..=330).collect::<Vec<_>>());
    assert_eq!(stored(&mut conn, &conv).await.unwrap(), 31 + 20, "the 20 missing seqs nearest the newest, not the hole's 299");
    let next = bob.client.get_advanced_history_message_list(conv.clone(), Some(page.messages[0].client_msg_id.clone()), 20).await.unwrap();
    assert_eq!(next.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), (291..=310).collect::<Vec<_>>());
    assert_eq!(stored(&mut conn, &conv).await.unwrap(), 31 + 40);
}

async fn send_text(from: &Online, to: &str, body: &str) -> openim_sdk::Message {
    let m = from.client.create_text_message(body.into()).unwrap();
    from.client.send_message(m, Some(to.into()), None, None, false, None).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_reaches_both_sides() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let keep = send_text(&alice, "bob", "keep me").await;
    let oops = send_text(&alice, "bob", "oops").await;
    let received = bob.events.wait_new_messages(2).await;
    let reply = bob.client.create_quote_message("what?".into(), received[1].clone()).unwrap();
    let reply = bob.client.send_message(reply, Some("alice".into()), None, None, false, None).await.unwrap();

    alice.client.revoke_message(conv.clone(), oops.client_msg_id.clone()).await.unwrap();
    for side in [&bob, &alice] {
        let events = side.events.wait_until("revoke", |ev| ev.iter().any(|e| matches!(e, Ev::Revoked(_)))).await;
        let Some(Ev::Revoked(info)) = events.iter().find(|e| matches!(e, Ev::Revoked(_))) else { unreachable!() };
        assert_eq!((info.client_msg_id.as_str(), info.revoker_id.as_str(), info.seq), (oops.client_msg_id.as_str(), "alice", 2));
        assert_eq!(info.revoker_nickname, "alice nick");
        assert_eq!(info.source_message_send_id, "alice");
        let page = side.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
        assert_eq!(text(&page.messages[0]), "keep me");
        assert!(matches!(page.messages[1].content, MessageContent::Revoked { .. }), "{:?}", page.messages[1]);
        assert_eq!(page.messages[1].content_type, 2101);
    }
    // The reply that quoted it now quotes a revoked message.
    let page = bob.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    let quote = page.messages.iter().find(|m| m.client_msg_id == reply.client_msg_id).unwrap();
    let MessageContent::Quote { quoted: Some(quoted), .. } = &quote.content else { panic!("{quote:?}") };
    assert!(matches!(quoted.content, MessageContent::Revoked { .. }), "{quoted:?}");
    // A second revoke and a revoke of someone else's message are refused.
    let again = alice.client.revoke_message(conv.clone(), oops.client_msg_id.clone()).await.unwrap_err();
    assert_eq!(again.code(), 1404, "{again:?}");
    let not_mine = bob.client.revoke_message(conv.clone(), keep.client_msg_id.clone()).await.unwrap_err();
    assert_eq!(not_mine.code(), 1002, "{not_mine:?}");
    // A newly paging device sees the revoked message as revoked, from the server.
    let bob2_token = srv.admin.user_token("bob", openim_wire::constant::platform::IOS).await.unwrap();
    let bob2 = srv.online_with("bob", bob2_token, openim_wire::constant::platform::IOS, tempfile::tempdir().unwrap()).await;
    let page = bob2.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    assert_eq!(page.messages.len(), 3);
    assert!(matches!(page.messages[1].content, MessageContent::Revoked { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_sends_a_receipt_and_clears_unread() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let a = send_text(&alice, "bob", "one").await;
    let b = send_text(&alice, "bob", "two").await;
    bob.events.wait_new_messages(2).await;
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 2);
    // Bob's second device stores both unread, then goes offline.
    let ios = openim_wire::constant::platform::IOS;
    let bob2 = srv.online_with("bob", srv.admin.user_token("bob", ios).await.unwrap(), ios, tempfile::tempdir().unwrap()).await;
    assert_eq!(bob2.client.get_total_unread_msg_count().await.unwrap(), 2);
    bob2.client.logout().await.unwrap();

    bob.client.mark_conversation_message_as_read(conv.clone()).await.unwrap();
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 0);
    bob.events.wait_until("unread 0", |ev| ev.contains(&Ev::TotalUnread(0))).await;

    let events = alice.events.wait_until("receipt", |ev| ev.iter().any(|e| matches!(e, Ev::Receipts(_)))).await;
    let Some(Ev::Receipts(receipts)) = events.iter().find(|e| matches!(e, Ev::Receipts(_))) else { unreachable!() };
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].user_id, "bob");
    let mut ids = receipts[0].msg_id_list.clone();
    ids.sort();
    let mut want = vec![a.client_msg_id.clone(), b.client_msg_id.clone()];
    want.sort();
    assert_eq!(ids, want);
    let page = alice.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    assert!(page.messages.iter().all(|m| m.is_read), "{:?}", page.messages);

    // Back online, the second device learns the read state, per conversation: the messages it
    // stored unread in alice's chat are read now, carol's new message is not.
    let carol = srv.online("carol").await;
    let c = send_text(&carol, "bob", "not read yet").await;
    bob.events.wait_new_messages(3).await;
    let bob2 = srv.online_with("bob", srv.admin.user_token("bob", ios).await.unwrap(), ios, bob2.dir).await;
    assert_eq!(bob2.client.get_total_unread_msg_count().await.unwrap(), 1);
    let page = bob2.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    assert_eq!(page.messages.len(), 2);
    assert!(page.messages.iter().all(|m| m.is_read), "{:?}", page.messages);
    let page = bob2.client.get_advanced_history_message_list(conversation_id::single("bob", "carol"), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| (m.client_msg_id.as_str(), m.is_read)).collect::<Vec<_>>(), [(c.client_msg_id.as_str(), false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_messages_locally_and_on_the_server() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let first = send_text(&alice, "bob", "first").await;
    let second = send_text(&alice, "bob", "second").await;
    let third = send_text(&alice, "bob", "third").await;
    bob.events.wait_new_messages(3).await;
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 3);
    // Bob's tablet holds the three, unread.
    let ipad = openim_wire::constant::platform::IPAD;
    let tablet = srv.online_with("bob", srv.admin.user_token("bob", ipad).await.unwrap(), ipad, tempfile::tempdir().unwrap()).await;
    assert_eq!(tablet.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap().messages.len(), 3);
    assert_eq!(tablet.client.get_total_unread_msg_count().await.unwrap(), 3);

    bob.client.delete_message_from_local_storage(conv.clone(), first.client_msg_id.clone()).await.unwrap();
    bob.client.delete_message(conv.clone(), third.client_msg_id.clone()).await.unwrap();
    let deleted_ids = |ev: &[Ev]| -> Vec<String> {
        ev.iter()
            .filter_map(|e| match e {
                Ev::Deleted(m) => Some(m.client_msg_id.clone()),
                _ => None,
            })
            .collect()
    };
    let events = bob.events.wait_until("both deletions", |ev| deleted_ids(ev).len() >= 2).await;
    assert_eq!(deleted_ids(&events), vec![first.client_msg_id.clone(), third.client_msg_id.clone()]);
    let page = bob.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(text).collect::<Vec<_>>(), ["second"]);
    let list = bob.client.get_all_conversation_list().await.unwrap();
    assert_eq!(list[0].latest_msg.as_ref().map(|m| m.client_msg_id.clone()), Some(second.client_msg_id.clone()));
    // Deleted unread messages leave the unread count, here and (deleted on the server) on
    // the tablet, which lost only the third.
    assert_eq!((list[0].unread_count, bob.client.get_total_unread_msg_count().await.unwrap()), (1, 1));
    bob.events.wait_until("unread 1", |ev| ev.contains(&Ev::TotalUnread(1))).await;
    tablet.events.wait_until("unread 2 on the tablet", |ev| ev.contains(&Ev::TotalUnread(2))).await;
    let page = tablet.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(text).collect::<Vec<_>>(), ["first", "second"]);
    tablet.client.logout().await.unwrap();

    // The sender still has everything; a fresh device of bob misses only the server-deleted one.
    assert_eq!(alice.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap().messages.len(), 3);
    let token = srv.admin.user_token("bob", openim_wire::constant::platform::IOS).await.unwrap();
    let bob2 = srv.online_with("bob", token, openim_wire::constant::platform::IOS, tempfile::tempdir().unwrap()).await;
    let page = bob2.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(text).collect::<Vec<_>>(), ["first", "second"]);

    // Clearing empties the conversation on every device of bob.
    bob.client.clear_conversation_and_delete_all_msg(conv.clone()).await.unwrap();
    assert!(bob.client.get_advanced_history_message_list(conv.clone(), None, 10).await.unwrap().messages.is_empty());
    let token = srv.admin.user_token("bob", openim_wire::constant::platform::WINDOWS).await.unwrap();
    let bob3 = srv.online_with("bob", token, openim_wire::constant::platform::WINDOWS, tempfile::tempdir().unwrap()).await;
    assert!(bob3.client.get_all_conversation_list().await.unwrap().iter().all(|c| c.latest_msg.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_local_messages() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    send_text(&alice, "bob", "lunch at noon?").await;
    send_text(&carol, "bob", "LUNCH tomorrow").await;
    send_text(&alice, "bob", "the 50% discount_code").await;
    let custom = alice.client.create_custom_message("{\"k\":1}".into(), "".into(), "a custom lunch".into()).unwrap();
    alice.client.send_message(custom, Some("bob".into()), None, None, false, None).await.unwrap();
    bob.events.wait_new_messages(4).await;
    let search = |keywords: Vec<&str>, senders: Vec<&str>, types: Vec<i32>| openim_sdk::SearchParams {
        conversation_id: None,
        keywords: keywords.into_iter().map(String::from).collect(),
        match_all_keywords: false,
        sender_ids: senders.into_iter().map(String::from).collect(),
        content_types: types,
        search_time_position: 0,
        search_time_period: 0,
        page_index: 1,
        count: 10,
    };
    let r = bob.client.search_local_messages(search(vec!["lunch"], vec![], vec![])).await.unwrap();
    assert_eq!(r.total_count, 3, "{r:#?}");
    assert_eq!(r.items.len(), 2, "grouped by conversation");
    let r = bob.client.search_local_messages(search(vec!["lunch"], vec!["alice"], vec![101])).await.unwrap();
    assert_eq!(r.total_count, 1);
    assert_eq!(text(&r.items[0].messages[0]), "lunch at noon?");
    assert_eq!(r.items[0].show_name, "alice nick");
    // LIKE wildcards in keywords are taken literally.
    let r = bob.client.search_local_messages(search(vec!["50%"], vec![], vec![])).await.unwrap();
    assert_eq!(r.total_count, 1);
    let r = bob.client.search_local_messages(search(vec!["0_d"], vec![], vec![])).await.unwrap();
    assert_eq!(r.total_count, 0);
    // All keywords, a time window, paging.
    let mut p = search(vec!["lunch", "noon"], vec![], vec![]);
    p.match_all_keywords = true;
    assert_eq!(bob.client.search_local_messages(p).await.unwrap().total_count, 1);
    let mut p = search(vec![], vec![], vec![101]);
    p.search_time_position = 1;
    assert_eq!(bob.client.search_local_messages(p).await.unwrap().total_count, 0, "nothing before 1970");
    // A window beyond what milliseconds hold is refused, not wrapped around.
    let mut p = search(vec![], vec![], vec![101]);
    p.search_time_position = i64::MAX / 10;
    assert_eq!(bob.client.search_local_messages(p).await.unwrap_err().code(), 10002);
    let mut p = search(vec![], vec![], vec![101]);
    p.search_time_period = i64::MAX;
    assert_eq!(bob.client.search_local_messages(p).await.unwrap_err().code(), 10002);
    let mut p = search(vec![], vec!["alice", "carol"], vec![]);
    p.count = 2;
    p.page_index = 2;
    let r = bob.client.search_local_messages(p).await.unwrap();
    assert_eq!((r.total_count, r.items.iter().map(|i| i.messages.len()).sum::<usize>()), (4, 2));
    let err = bob.client.search_local_messages(search(vec![], vec![], vec![])).await.unwrap_err();
    assert!(matches!(err, OpenIMError::InvalidArgument { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_draft_hide_and_total_unread() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let carol = srv.online("carol").await;
    let bob = srv.online("bob").await;
    send_text(&alice, "bob", "from alice").await;
    send_text(&carol, "bob", "from carol").await;
    send_text(&carol, "bob", "from carol again").await;
    bob.events.wait_new_messages(3).await;
    let with_alice = conversation_id::single("alice", "bob");
    let with_carol = conversation_id::single("bob", "carol");
    let order = |list: Vec<openim_sdk::Conversation>| list.into_iter().map(|c| c.conversation_id).collect::<Vec<_>>();
    assert_eq!(order(bob.client.get_all_conversation_list().await.unwrap()), [with_carol.clone(), with_alice.clone()]);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 3);

    let update = openim_sdk::ConversationUpdate { is_pinned: Some(true), ..Default::default() };
    let pinned = bob.client.set_conversation(with_alice.clone(), update).await.unwrap();
    assert!(pinned.is_pinned);
    assert_eq!(order(bob.client.get_all_conversation_list().await.unwrap()), [with_alice.clone(), with_carol.clone()]);
    let split = bob.client.get_conversation_list_split(1, 5).await.unwrap();
    assert_eq!(order(split), std::slice::from_ref(&with_carol));

    // Muting carol's conversation ("receive without notification") takes it out of the total.
    let mute = openim_sdk::ConversationUpdate { recv_msg_opt: Some(2), ..Default::default() };
    bob.client.set_conversation(with_carol.clone(), mute).await.unwrap();
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 1);

    bob.client.set_conversation_draft(with_carol.clone(), "half a thought".into()).await.unwrap();
    let c = &bob.client.get_multiple_conversation(vec![with_carol.clone()]).await.unwrap()[0];
    assert_eq!(c.draft_text, "half a thought");
    assert!(c.draft_text_time > 0);

    bob.client.hide_conversation(with_carol.clone()).await.unwrap();
    assert_eq!(order(bob.client.get_all_conversation_list().await.unwrap()), std::slice::from_ref(&with_alice));
    send_text(&carol, "bob", "back").await;
    bob.events.wait_new_messages(4).await;
    assert_eq!(order(bob.client.get_all_conversation_list().await.unwrap()).len(), 2);

    // Every conversation hidden at once (each reported changed), until its next message; as in
    // OpenIM, the total unread count covers listed conversations only.
    let reported = bob.events.events().len();
    bob.client.hide_all_conversations().await.unwrap();
    assert!(bob.client.get_all_conversation_list().await.unwrap().is_empty());
    let hidden = |ev: &[Ev]| -> Vec<String> {
        let mut ids: Vec<String> = ev[reported..]
            .iter()
            .filter_map(|e| if let Ev::ConversationsChanged(l) = e { Some(l) } else { None })
            .flatten()
            .filter(|c| c.latest_msg_send_time == 0)
            .map(|c| c.conversation_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let events = bob.events.wait_until("both reported hidden", |ev| hidden(ev).len() >= 2).await;
    assert_eq!(hidden(&events), [with_alice.clone(), with_carol.clone()]);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 0);
    send_text(&alice, "bob", "still there?").await;
    bob.events.wait_new_messages(5).await;
    assert_eq!(order(bob.client.get_all_conversation_list().await.unwrap()), std::slice::from_ref(&with_alice));
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 2, "listed again with both its unread messages");

    // Settings follow to another device at login.
    let token = srv.admin.user_token("bob", openim_wire::constant::platform::IOS).await.unwrap();
    let bob2 = srv.online_with("bob", token, openim_wire::constant::platform::IOS, tempfile::tempdir().unwrap()).await;
    bob2.events
        .wait_until("settings synced", |ev| {
            // Synced before the messages, the settings come with the conversations' arrival.
            ev.iter().any(|e| matches!(e, Ev::NewConversations(l) | Ev::ConversationsChanged(l) if l.iter().any(|c| c.is_pinned)))
        })
        .await;
    let c = bob2.client.get_one_conversation(openim_sdk::model::SessionType::Single, "alice".into()).await.unwrap();
    assert!(c.is_pinned);
}

/// The list order (read from its index): pinned first, then by the later of the latest message
/// and the draft; pages of it by offset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_list_orders_pins_then_latest_activity() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let carol = srv.online("carol").await;
    let bob = srv.online("bob").await;
    let first = send_text(&alice, "bob", "first").await;
    // Carol's message must be later on the server's clock (send times are milliseconds).
    let mut later = send_text(&carol, "bob", "later").await;
    let mut sent = 2;
    while later.send_time <= first.send_time {
        later = send_text(&carol, "bob", "later").await;
        sent += 1;
    }
    bob.events.wait_new_messages(sent).await;
    let (with_alice, with_carol) = (conversation_id::single("alice", "bob"), conversation_id::single("bob", "carol"));
    let order = |list: Vec<openim_sdk::Conversation>| list.into_iter().map(|c| c.conversation_id).collect::<Vec<_>>();
    assert_eq!(order(bob.client.get_conversation_list_split(0, 10).await.unwrap()), [with_carol.clone(), with_alice.clone()]);
    // A draft is newer than carol's message.
    bob.client.set_conversation_draft(with_alice.clone(), "typing…".into()).await.unwrap();
    assert_eq!(order(bob.client.get_conversation_list_split(0, 10).await.unwrap()), [with_alice.clone(), with_carol.clone()]);
    // A pin beats it.
    let pin = openim_sdk::ConversationUpdate { is_pinned: Some(true), ..Default::default() };
    bob.client.set_conversation(with_carol.clone(), pin).await.unwrap();
    assert_eq!(order(bob.client.get_conversation_list_split(0, 10).await.unwrap()), [with_carol.clone(), with_alice.clone()]);
    assert_eq!(order(bob.client.get_conversation_list_split(0, 1).await.unwrap()), std::slice::from_ref(&with_carol));
    assert_eq!(order(bob.client.get_conversation_list_split(1, 1).await.unwrap()), std::slice::from_ref(&with_alice));
    assert!(bob.client.get_conversation_list_split(2, 1).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_content_arrive_raw() {
    let srv = TestServer::start().await;
    let bob = srv.online("bob").await;
    srv.user("mallory").await;
    let token = srv.admin.user_token("mallory", openim_wire::constant::platform::WEB).await.unwrap();
    for (content_type, content) in [(9999, r#"{"futureField":[1,2,3]}"#), (101, "this is not json")] {
        let msg = openim_wire::pb::sdkws::MsgData {
            send_id: "mallory".into(),
            recv_id: "bob".into(),
            client_msg_id: format!("raw-{content_type}"),
            session_type: 1,
            msg_from: 100,
            content_type,
            content: content.as_bytes().to_vec(),
            create_time: 1,
            ..Default::default()
        };
        common::raw_client::send_raw(&srv.server.ws_url(), "mallory", &token, 5, msg).await;
    }
    let got = bob.events.wait_new_messages(2).await;
    assert_eq!(got[0].content_type, 9999);
    assert_eq!(got[0].content, MessageContent::Unknown { raw: r#"{"futureField":[1,2,3]}"#.into() });
    assert_eq!(got[1].content_type, 101);
    assert_eq!(got[1].content, MessageContent::Unknown { raw: "this is not json".into() });
    // Both are stored and listed, not dropped.
    let conv = conversation_id::single("bob", "mallory");
    let page = bob.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    assert_eq!(page.messages.len(), 2);
    assert_eq!(page.messages[1].content, MessageContent::Unknown { raw: "this is not json".into() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rich_content_round_trips_between_clients() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let original = send_text(&alice, "bob", "original").await;
    let picture = openim_sdk::PictureInfo {
        uuid: "u1".into(),
        kind: "png".into(),
        size: 1234,
        width: 640,
        height: 480,
        url: "https://cdn.example/p.png".into(),
    };
    let c = &alice.client;
    let made = vec![
        c.create_quote_message("quoting".into(), original.clone()).unwrap(),
        c.create_text_at_message("@bob look".into(), vec!["bob".into()], vec![], None).unwrap(),
        c.create_location_message("here".into(), 13.4, 52.5).unwrap(),
        c.create_card_message(openim_sdk::CardInfo {
            user_id: "carol".into(),
            nickname: "Carol".into(),
            face_url: "".into(),
            ex: "".into(),
        })
        .unwrap(),
        c.create_face_message(7, "smile".into()).unwrap(),
        c.create_image_message_by_url("".into(), picture.clone(), picture.clone(), picture).unwrap(),
        c.create_sound_message_by_url("https://cdn.example/s.m4a".into(), "".into(), "".into(), 10, 3).unwrap(),
        c.create_video_message_by_url("https://cdn.example/v.mp4".into(), "mp4".into(), 99, 5, "https://cdn.example/v.jpg".into(), 1, 2)
            .unwrap(),
        c.create_file_message_by_url("https://cdn.example/f.pdf".into(), "f.pdf".into(), 77, "pdf".into()).unwrap(),
        c.create_merger_message(vec![original.clone()], "chat history".into(), vec!["alice: original".into()]).unwrap(),
        c.create_forward_message(original.clone()).unwrap(),
        c.create_advanced_text_message("bold".into(), vec![]).unwrap(),
        c.create_advanced_quote_message(
            "see https://openim.io".into(),
            original.clone(),
            vec![openim_sdk::MessageEntity { kind: "url".into(), offset: 4, length: 17, url: "https://openim.io".into(), ex: "".into() }],
        )
        .unwrap(),
    ];
    for m in &made {
        c.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    }
    let got = bob.events.wait_new_messages(1 + made.len()).await;
    for (sent, received) in made.iter().zip(&got[1..]) {
        assert_eq!(received.content_type, sent.content_type);
        match (&sent.content, &received.content) {
            (
                MessageContent::Quote { quoted: Some(q1), text: t1, entities: e1 },
                MessageContent::Quote { quoted: Some(q2), text: t2, entities: e2 },
            ) => {
                assert_eq!((t1, e1), (t2, e2));
                assert_eq!(q2.client_msg_id, q1.client_msg_id);
                assert_eq!(q2.content, q1.content);
            }
            (MessageContent::Merger { messages: m1, title: t1, .. }, MessageContent::Merger { messages: m2, title: t2, .. }) => {
                assert_eq!(t1, t2);
                assert_eq!(m2[0].content, m1[0].content);
            }
            (a, b) => assert_eq!(a, b),
        }
    }
    let forwarded = &got[11];
    assert_ne!(forwarded.client_msg_id, original.client_msg_id);
    assert_eq!(forwarded.content, original.content);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_online_only_messages_are_not_stored() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    alice.client.typing_status_update("bob".into(), "typing...".into()).await.unwrap();
    let events = bob.events.wait_until("typing", |ev| ev.iter().any(|e| matches!(e, Ev::Typing(_)))).await;
    let Some(Ev::Typing(change)) = events.iter().find(|e| matches!(e, Ev::Typing(_))) else { unreachable!() };
    assert_eq!((change.user_id.as_str(), change.platform_ids.as_slice()), ("alice", &[2][..]));
    assert_eq!(change.conversation_id, conversation_id::single("alice", "bob"));

    let m = alice.client.create_text_message("ephemeral".into()).unwrap();
    let sent = alice.client.send_message(m, Some("bob".into()), None, None, true, None).await.unwrap();
    assert_eq!((sent.seq, sent.status), (0, MessageStatus::SendSuccess));
    let events = bob.events.wait_until("online only", |ev| ev.iter().any(|e| matches!(e, Ev::OnlineOnly(_)))).await;
    assert!(events.iter().any(|e| matches!(e, Ev::OnlineOnly(m) if text(m) == "ephemeral")));
    assert!(bob.client.get_all_conversation_list().await.unwrap().is_empty(), "nothing stored, no conversation");
    assert!(alice.client.get_all_conversation_list().await.unwrap().is_empty());
}

/// Who is typing, as OpenIM's `ChangeInputStates`: a "yes" starts a state the others hear and
/// can ask for, a "no" ends it, and a state not renewed ends by itself after 10 s; in a group
/// every member hears it. A conversation this device does not have is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_is_typing_starts_ends_and_expires() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    send_text(&alice, "bob", "hi").await;
    bob.events.wait_new_messages(1).await;
    let with_bob = conversation_id::single("alice", "bob");
    let typing = |who: &Online, n: usize| {
        let events = who.events.clone();
        async move {
            let all = events.wait_until(&format!("{n} typing changes"), |ev| ev.iter().filter(|e| matches!(e, Ev::Typing(_))).count() >= n).await;
            all.into_iter().filter_map(|e| if let Ev::Typing(c) = e { Some(c) } else { None }).nth(n - 1).unwrap()
        }
    };

    alice.client.change_input_states(with_bob.clone(), true).await.unwrap();
    let started = typing(&bob, 1).await;
    assert_eq!((started.conversation_id.as_str(), started.user_id.as_str(), started.platform_ids.as_slice()), (with_bob.as_str(), "alice", &[2][..]));
    assert_eq!(bob.client.get_input_states(with_bob.clone(), "alice".into()).unwrap(), [2]);
    alice.client.change_input_states(with_bob.clone(), true).await.unwrap();
    alice.client.change_input_states(with_bob.clone(), false).await.unwrap();
    assert!(typing(&bob, 2).await.platform_ids.is_empty(), "stopped");
    assert!(bob.client.get_input_states(with_bob.clone(), "alice".into()).unwrap().is_empty());

    // Not renewed, a state ends by itself.
    alice.client.change_input_states(with_bob.clone(), true).await.unwrap();
    assert_eq!(typing(&bob, 3).await.platform_ids, [2]);
    let since = std::time::Instant::now();
    assert!(typing(&bob, 4).await.platform_ids.is_empty(), "expired");
    assert!(since.elapsed() >= std::time::Duration::from_secs(9), "ended after {:?}", since.elapsed());
    assert!(bob.client.get_input_states(with_bob.clone(), "alice".into()).unwrap().is_empty());

    // In a group, every member hears it.
    let g = alice
        .client
        .create_group(openim_sdk::CreateGroupParams { group_name: "Typists".into(), member_user_ids: vec!["bob".into(), "carol".into()], ..Default::default() })
        .await
        .unwrap();
    let in_group = conversation_id::group(&g.group_id);
    bob.events.wait_until("the group", |ev| ev.iter().any(|e| matches!(e, Ev::NewConversations(cs) if cs.iter().any(|c| c.conversation_id == in_group)))).await;
    bob.client.change_input_states(in_group.clone(), true).await.unwrap();
    for who in [&alice, &carol] {
        let change = typing(who, 1).await;
        assert_eq!((change.conversation_id.as_str(), change.user_id.as_str()), (in_group.as_str(), "bob"));
    }
    assert_eq!(bob.client.change_input_states("si_nobody_x".into(), true).await.unwrap_err().code(), 10002);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_messages_arrive_as_offline_messages() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    bob.client.set_app_background_status(true).await.unwrap();
    send_text(&alice, "bob", "while backgrounded").await;
    let events = bob.events.wait_until("offline message", |ev| ev.iter().any(|e| matches!(e, Ev::OfflineMsg(_)))).await;
    assert!(!events.iter().any(|e| matches!(e, Ev::NewMsg(_))));
    bob.client.set_app_background_status(false).await.unwrap();
    send_text(&alice, "bob", "in front").await;
    let got = bob.events.wait_new_messages(1).await;
    assert_eq!(text(&got[0]), "in front");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_message_can_be_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server.db");
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { data: Some(data.clone()), ..Default::default() }).await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let latest = |list: Vec<openim_sdk::Conversation>| list.into_iter().find(|c| c.conversation_id == conv).and_then(|c| c.latest_msg);

    // A recipient the server does not know: refused (1101).
    let m = alice.client.create_text_message("to nobody".into()).unwrap();
    let err = alice.client.send_message(m, Some("nobody".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 1101, "{err:?}");

    // While the gateway is down a send fails (10000, once it waited 3 s for a connection) and
    // the message stays, failed.
    let (api_addr, ws_addr) = (srv.server.api_addr(), srv.server.ws_addr());
    srv.server.shutdown().await;
    alice.conn.wait_count(Conn::Connecting, 2).await;
    let m = alice.client.create_text_message("retry me".into()).unwrap();
    let err = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 10000, "{err:?}");
    let failed = latest(alice.client.get_all_conversation_list().await.unwrap()).unwrap();
    assert_eq!((failed.client_msg_id.as_str(), failed.status), (m.client_msg_id.as_str(), MessageStatus::SendFailed));

    // Back online, the same message goes out.
    let _srv = TestServer::start_with(openim_devserver::DevServerConfig { data: Some(data), api_addr, ws_addr, ..Default::default() }).await;
    alice.conn.wait_count(Conn::Success, 2).await;
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!((sent.client_msg_id.as_str(), sent.status, sent.seq), (m.client_msg_id.as_str(), MessageStatus::SendSuccess, 1));
    let got = bob.events.wait_new_messages(1).await;
    assert_eq!(text(&got[0]), "retry me");
    // Only a failed message may go again.
    let err = alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 10204, "{err:?}");
}

/// A message created in this session goes out before its local write; sent twice at once, it
/// still goes out once. A message the app built itself (an ID the session never created) is
/// claimed before it goes out, and a repeat of it is refused before reaching the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_twice_at_once_goes_out_once() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let send = |m: openim_sdk::Message| alice.client.send_message(m, Some("bob".into()), None, None, false, None);

    let m = alice.client.create_text_message("twice".into()).unwrap();
    let (a, b) = tokio::join!(send(m.clone()), send(m.clone()));
    let (sent, refused) = match (a, b) {
        (Ok(sent), Err(e)) | (Err(e), Ok(sent)) => (sent, e),
        other => panic!("one send must win, the other be refused: {other:?}"),
    };
    assert_eq!((sent.client_msg_id.as_str(), sent.seq, sent.status), (m.client_msg_id.as_str(), 1, MessageStatus::SendSuccess));
    assert_eq!(refused.code(), 10204, "{refused:?}");

    let mut built = alice.client.create_text_message("built by the app".into()).unwrap();
    built.client_msg_id = "app-built-id".into();
    let sent = send(built.clone()).await.unwrap();
    assert_eq!((sent.client_msg_id.as_str(), sent.seq, sent.status), ("app-built-id", 2, MessageStatus::SendSuccess));
    assert_eq!(send(built).await.unwrap_err().code(), 10204);

    // Had the server stored either twice, bob would hear of a seq between them.
    let got = bob.events.wait_new_messages(2).await;
    assert_eq!(got.iter().map(|m| (m.seq, text(m))).collect::<Vec<_>>(), vec![(1, "twice".into()), (2, "built by the app".into())]);
    let history = alice.client.get_advanced_history_message_list(conv, None, 20).await.unwrap();
    assert_eq!(history.messages.iter().map(|m| (m.seq, m.status)).collect::<Vec<_>>(), vec![(1, MessageStatus::SendSuccess), (2, MessageStatus::SendSuccess)]);
}

/// The same race from two threads, many times: whichever send reaches the writer first sends
/// the message, the other is refused before anything goes out (a fresh message's second send
/// once reached the writer first, claimed it and sent it, and the first then sent it too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_twice_from_two_threads_go_out_once() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    const ROUNDS: i64 = 40;
    for round in 1..=ROUNDS {
        let m = alice.client.create_text_message(format!("m{round}")).unwrap();
        let sends: Vec<_> = (0..2)
            .map(|_| {
                let (client, m) = (alice.client.clone(), m.clone());
                tokio::spawn(async move { client.send_message(m, Some("bob".into()), None, None, false, None).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for s in sends {
            outcomes.push(s.await.unwrap());
        }
        let (sent, refused) = match (outcomes.remove(0), outcomes.remove(0)) {
            (Ok(sent), Err(e)) | (Err(e), Ok(sent)) => (sent, e),
            other => panic!("round {round}: one send must win, the other be refused: {other:?}"),
        };
        assert_eq!((sent.seq, refused.code()), (round, 10204), "round {round}: {refused:?}");
    }
    let got = bob.events.wait_new_messages(ROUNDS as usize).await;
    assert_eq!(got.iter().map(|m| m.seq).collect::<Vec<_>>(), (1..=ROUNDS).collect::<Vec<_>>(), "each message stored once");
}

/// A message created here goes out before its local write. When that write fails after the
/// server kept the message, nothing stored claims its ID: sending it again is refused (10204)
/// instead of sending it twice, and the server's copy brings it in once the store works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sent_message_whose_local_write_failed_is_not_sent_again() {
    use sqlx::ConnectOptions as _;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let m = alice.client.create_text_message("once".into()).unwrap();
    let send = || alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None);

    // A second connection to alice's database makes every write of this message fail (SQLite
    // reads the new schema at the session's next statement).
    let db = alice.dir.path().join(openim_sdk::store::db_file_name("alice"));
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).connect().await.unwrap();
    let trigger = format!(
        "CREATE TRIGGER refuse_once BEFORE INSERT ON local_chat_logs WHEN NEW.client_msg_id = '{}' \
         BEGIN SELECT RAISE(ABORT, 'injected write failure'); END",
        m.client_msg_id
    );
    sqlx::query(sqlx::AssertSqlSafe(trigger)).execute(&mut conn).await.unwrap();
    let failed = send().await.expect_err("the local write failed");
    assert_ne!(failed.code(), 10204, "{failed:?}");
    let got = bob.events.wait_new_messages(1).await;
    assert_eq!(got.iter().map(|m| (m.seq, text(m))).collect::<Vec<_>>(), vec![(1, "once".into())], "the server kept it");

    // The store works again, but the server's copy is not stored yet (its sync retries later).
    sqlx::query("DROP TRIGGER refuse_once").execute(&mut conn).await.unwrap();
    let again = send().await.expect_err("already sent");
    assert_eq!(again.code(), 10204, "{again:?}");
    // Other messages go out as before.
    let other = alice.client.create_text_message("next".into()).unwrap();
    let sent = alice.client.send_message(other, Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!((sent.seq, sent.status), (2, MessageStatus::SendSuccess));

    let got = bob.events.wait_new_messages(2).await;
    assert_eq!(got.iter().map(|m| (m.seq, text(m))).collect::<Vec<_>>(), vec![(1, "once".into()), (2, "next".into())], "each stored once");
    let start = std::time::Instant::now();
    loop {
        let history = alice.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
        let seen: Vec<_> = history.messages.iter().map(|m| (m.seq, text(m), m.status)).collect();
        if seen == vec![(1, "once".into(), MessageStatus::SendSuccess), (2, "next".into(), MessageStatus::SendSuccess)] {
            break;
        }
        assert!(start.elapsed() < common::WAIT, "alice's history: {seen:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_left_sending_fail_at_the_next_login() {
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let conv = conversation_id::single("alice", "bob");
    // What a crash in the middle of a send leaves behind.
    let store = openim_sdk::store::Store::open(dir.path(), "alice").await.unwrap();
    let pending = common::alice_to_bob("crashed-mid-send", 0, 1, MessageStatus::Sending, "lost?");
    let mut tx = store.begin().await.unwrap();
    chat_logs::insert(&mut tx, &openim_sdk::message::to_row(&conv, &pending)).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;

    let alice = srv.online_with("alice", token, openim_wire::constant::platform::ANDROID, dir).await;
    let _ = alice.client.get_one_conversation(openim_sdk::model::SessionType::Single, "bob".into()).await.unwrap();
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    assert_eq!(page.messages.len(), 1);
    assert_eq!((page.messages[0].client_msg_id.as_str(), page.messages[0].status), ("crashed-mid-send", MessageStatus::SendFailed));
}

/// A send made right after `login`, before the gateway connection is up, waits for the
/// connection (as OpenIM's core queues it) instead of failing: the connection is held at a
/// gate until the message is stored and its request is out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_right_after_login_waits_for_the_connection() {
    use tokio::io::copy_bidirectional;
    use tokio::net::{TcpListener, TcpStream};
    let srv = TestServer::start().await;
    let bob = srv.online("bob").await;
    let token = srv.user("alice").await;

    // A gate in front of the gateway: connections wait there until it opens.
    let gate = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gate_addr = gate.local_addr().unwrap();
    let (open_tx, open_rx) = tokio::sync::watch::channel(false);
    let upstream = srv.server.ws_addr();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = gate.accept().await {
            let mut open = open_rx.clone();
            tokio::spawn(async move {
                let _ = open.wait_for(|o| *o).await;
                if let Ok(mut server) = TcpStream::connect(upstream).await {
                    let _ = copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let mut config = srv.config(dir.path(), openim_wire::constant::platform::ANDROID);
    config.ws_addr = format!("ws://{gate_addr}");
    let (alice, conn) = client_for(config);
    let events = std::sync::Arc::new(common::events::EventRecorder::default());
    alice.set_conversation_listener(events.clone());
    alice.login("alice".into(), token).await.unwrap();
    assert!(!conn.events().contains(&Conn::Success), "the gate holds the connection");

    let sender = alice.clone();
    let send = tokio::spawn(async move {
        let m = sender.create_text_message("before the connection".into()).unwrap();
        sender.send_message(m, Some("bob".into()), None, None, false, None).await
    });
    // Stored and shown (the request went out beside that write): now let the connection in.
    events.wait_until("the message shown as latest", |ev| ev.iter().any(|e| matches!(e, Ev::NewConversations(_)))).await;
    assert!(!send.is_finished(), "the send waits for the connection");
    open_tx.send_replace(true);
    let sent = send.await.unwrap().expect("sent once connected");
    assert_eq!((sent.status, sent.seq), (MessageStatus::SendSuccess, 1));
    let got = bob.events.wait_new_messages(1).await;
    assert_eq!(text(&got[0]), "before the connection");
}

/// SQLite's automatic checkpoint would run inside a commit (a send's p99); the session
/// checkpoints the write-ahead log in a task of its own instead. While the session runs, what
/// it wrote reaches the database file itself, not only the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_is_checkpointed_while_the_session_runs() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let _bob = srv.online("bob").await;
    let db = alice.dir.path().join(openim_sdk::store::db_file_name("alice"));
    let before = std::fs::metadata(&db).unwrap().len();
    // A send commits twice: 80 sends cross the checkpoint interval (64 commits) twice.
    for i in 0..80 {
        send_text(&alice, "bob", &format!("m{i}")).await;
    }
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let now = std::fs::metadata(&db).unwrap().len();
        if now > before {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the database file stayed at {now} bytes (was {before}): nothing was checkpointed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let history = alice.client.get_advanced_history_message_list(conversation_id::single("alice", "bob"), None, 100).await.unwrap();
    assert_eq!(history.messages.len(), 80);
}

/// A `CustomBusinessListener` handing what it hears to a channel.
struct Heard(tokio::sync::mpsc::UnboundedSender<openim_sdk::BusinessNotification>);

impl openim_sdk::CustomBusinessListener for Heard {
    fn on_recv_custom_business_message(&self, notification: openim_sdk::BusinessNotification) {
        let _ = self.0.send(notification);
    }
}

/// Custom business notifications (2001) from the app's server (OpenIM's
/// `/msg/send_business_notification`) reach `CustomBusinessListener`s, to a user and to a group,
/// in order; they are not messages (nothing in a chat, no new-message event), and a listener
/// whose handle is dropped hears nothing more while one added later does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_business_notifications_reach_the_listener() {
    use openim_wire::api::msg::{SendBusinessNotificationReq, SendMsgResp};
    use tokio::sync::mpsc::unbounded_channel;

    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let (tx, mut heard) = unbounded_channel();
    let handle = bob.client.add_custom_business_listener(std::sync::Arc::new(Heard(tx)));
    let g = alice.client.create_group(openim_sdk::CreateGroupParams { group_name: "Biz".into(), member_user_ids: vec!["bob".into()], ..Default::default() }).await.unwrap();
    let send = |recv_user: &str, recv_group: &str, key: &str| SendBusinessNotificationReq {
        key: key.into(),
        data: format!("{{\"for\":\"{recv_user}{recv_group}\"}}"),
        send_user_id: "alice".into(),
        recv_user_id: recv_user.into(),
        recv_group_id: recv_group.into(),
        ..Default::default()
    };
    let path = openim_wire::api::path::SEND_BUSINESS_NOTIFICATION;
    let _: SendMsgResp = srv.admin.post(path, &send("bob", "", "order.paid")).await.unwrap();
    let _: SendMsgResp = srv.admin.post(path, &send("", &g.group_id, "group.event")).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        let n = tokio::time::timeout(WAIT, heard.recv()).await.expect("a business notification").unwrap();
        got.push((n.key, n.data));
    }
    assert_eq!(got, [("order.paid".to_owned(), "{\"for\":\"bob\"}".to_owned()), ("group.event".to_owned(), format!("{{\"for\":\"{}\"}}", g.group_id))]);
    assert!(!bob.events.new_messages().iter().any(|m| m.content_type == 2001), "{:?}", bob.events.new_messages());
    let chats = bob.client.get_all_conversation_list().await.unwrap();
    assert!(chats.iter().all(|c| c.conversation_id != conversation_id::single("alice", "bob")), "{chats:?}");

    // The dropped handle's listener hears nothing more; one added after it hears the next.
    drop(handle);
    let (tx, mut later) = unbounded_channel();
    let _later = bob.client.add_custom_business_listener(std::sync::Arc::new(Heard(tx)));
    let _: SendMsgResp = srv.admin.post(path, &send("bob", "", "after")).await.unwrap();
    let n = tokio::time::timeout(WAIT, later.recv()).await.expect("the later listener hears it").unwrap();
    assert_eq!(n.key, "after");
    assert!(heard.try_recv().is_err(), "the dropped listener heard it");
}

/// Marking every conversation read at once (receipts to the single chats' senders), deleting a
/// conversation with its messages (off the list, here and on the server, until its next
/// message), conversation IDs derived without the network, local lookups (conversations by
/// name, messages by ID), and the push settings (token and badge) with their argument checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_everything_read_delete_a_conversation_and_push_settings() {
    use openim_sdk::model::SessionType;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let carol = srv.online("carol").await;
    let bob = srv.online("bob").await;
    let with_alice = bob.client.get_conversation_id_by_session_type(SessionType::Single, "alice".into()).unwrap();
    assert_eq!(with_alice, conversation_id::single("alice", "bob"));
    assert_eq!(bob.client.get_conversation_id_by_session_type(SessionType::Group, "g1".into()).unwrap(), "sg_g1");
    assert_eq!(bob.client.get_conversation_id_by_session_type(SessionType::Single, String::new()).unwrap_err().code(), 10002);
    let a1 = send_text(&alice, "bob", "a1").await;
    let a2 = send_text(&alice, "bob", "a2").await;
    send_text(&carol, "bob", "c1").await;
    bob.events.wait_new_messages(3).await;
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 3);
    // Local lookups: conversations by shown name, messages by ID (unknown IDs left out).
    let found: Vec<String> = bob.client.search_conversation("carol".into()).await.unwrap().into_iter().map(|c| c.conversation_id).collect();
    assert_eq!(found, [conversation_id::single("bob", "carol")]);
    assert_eq!(bob.client.search_conversation("CAROL".into()).await.unwrap().len(), 1, "letters in either case");
    assert!(bob.client.search_conversation("%".into()).await.unwrap().is_empty(), "LIKE's wildcards are plain characters");
    assert_eq!(bob.client.search_conversation(String::new()).await.unwrap_err().code(), 10002);
    let ids = vec![a2.client_msg_id.clone(), "unknown".into(), a1.client_msg_id.clone()];
    let msgs = bob.client.find_message_list(with_alice.clone(), ids).await.unwrap();
    assert_eq!(msgs.iter().map(text).collect::<Vec<_>>(), ["a1", "a2"]);
    // Across conversations (OpenIM's shape): an item per stored conversation in the order asked,
    // messages newest first, a conversation named twice looked up once, unknown ones left out.
    use openim_sdk::ffi::ConversationArgs;
    let with_carol = conversation_id::single("bob", "carol");
    let c1 = bob.client.get_advanced_history_message_list(with_carol.clone(), None, 1).await.unwrap().messages.remove(0);
    let args = |c: &str, ids: &[&str]| ConversationArgs { conversation_id: c.into(), client_msg_ids: ids.iter().map(|s| s.to_string()).collect() };
    let found = bob
        .client
        .find_message_list_in_conversations(vec![
            args(&with_carol, &[&c1.client_msg_id, "unknown"]),
            args("si_bob_nobody", &["x"]),
            args(&with_alice, &[&a1.client_msg_id]),
            args(&with_alice, &[&a2.client_msg_id, &a1.client_msg_id]),
        ])
        .await
        .unwrap();
    assert_eq!(found.total_count, 3);
    let items: Vec<(String, String, i32, Vec<String>)> =
        found.items.iter().map(|i| (i.conversation_id.clone(), i.show_name.clone(), i.message_count, i.messages.iter().map(text).collect())).collect();
    assert_eq!(
        items,
        [
            (with_carol.clone(), "carol nick".to_string(), 1, vec!["c1".to_string()]),
            (with_alice.clone(), "alice nick".to_string(), 2, vec!["a2".to_string(), "a1".to_string()])
        ]
    );
    assert_eq!(found.items[0].conversation_type, 1);
    assert!(bob.client.find_message_list_in_conversations(vec![]).await.unwrap().items.is_empty());
    assert_eq!(bob.client.find_message_list_in_conversations(vec![args("", &["x"])]).await.unwrap_err().code(), 10002);

    bob.client.mark_all_conversation_message_as_read().await.unwrap();
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 0);
    assert!(bob.client.get_all_conversation_list().await.unwrap().iter().all(|c| c.unread_count == 0));
    for sender in [&alice, &carol] {
        sender.events.wait_until("the receipt", |ev| ev.iter().any(|e| matches!(e, Ev::Receipts(r) if r[0].user_id == "bob"))).await;
    }

    bob.client.delete_conversation_and_delete_all_msg(with_alice.clone()).await.unwrap();
    let listed: Vec<String> = bob.client.get_all_conversation_list().await.unwrap().into_iter().map(|c| c.conversation_id).collect();
    assert_eq!(listed, [conversation_id::single("bob", "carol")]);
    assert!(bob.client.get_advanced_history_message_list(with_alice.clone(), None, 10).await.unwrap().messages.is_empty());
    // Cleared on the server too: a new device of bob pulls nothing of it.
    let ios = openim_wire::constant::platform::IOS;
    let bob2 = srv.online_with("bob", srv.admin.user_token("bob", ios).await.unwrap(), ios, tempfile::tempdir().unwrap()).await;
    assert!(bob2.client.get_advanced_history_message_list(with_alice.clone(), None, 10).await.unwrap().messages.is_empty());
    // Alice's next message lists it again, alone.
    let a3 = send_text(&alice, "bob", "a3").await;
    bob.events.wait_until("a3", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.client_msg_id == a3.client_msg_id))).await;
    let page = bob.client.get_advanced_history_message_list(with_alice.clone(), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(text).collect::<Vec<_>>(), ["a3"]);
    assert_eq!(bob.client.get_all_conversation_list().await.unwrap()[0].conversation_id, with_alice);

    bob.client.update_fcm_token("fcm-token".into(), 3600).await.unwrap();
    assert_eq!(bob.client.update_fcm_token(String::new(), 3600).await.unwrap_err().code(), 10002);
    bob.client.set_app_badge(4).await.unwrap();
    assert_eq!(bob.client.set_app_badge(-1).await.unwrap_err().code(), 10002);
}

/// OpenIM's `MarkMessagesAsReadByMsgID`: bob marks alice's second of three messages read; alice
/// hears a receipt naming it alone; the read mark rises to it on bob's devices (the first is
/// read too, the third is the one unread message left), on this one and on bob's other, online
/// device; the user's own, already read or unknown messages send nothing, and bad arguments are
/// refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_marked_read_by_id() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let ios = openim_wire::constant::platform::IOS;
    let tablet = srv.online_with("bob", srv.admin.user_token("bob", ios).await.unwrap(), ios, tempfile::tempdir().unwrap()).await;
    let conv = conversation_id::single("alice", "bob");
    let sent: Vec<_> = [send_text(&alice, "bob", "one").await, send_text(&alice, "bob", "two").await, send_text(&alice, "bob", "three").await].into();
    bob.events.wait_new_messages(3).await;
    tablet.events.wait_new_messages(3).await;

    let tablet_seen = tablet.events.events().len();
    bob.client.mark_messages_as_read_by_msg_id(conv.clone(), vec![sent[1].client_msg_id.clone()]).await.unwrap();
    let events = alice.events.wait_until("receipt", |ev| ev.iter().any(|e| matches!(e, Ev::Receipts(_)))).await;
    let receipts: Vec<_> = events.iter().filter_map(|e| if let Ev::Receipts(r) = e { Some(r.clone()) } else { None }).flatten().collect();
    assert_eq!(receipts.len(), 1);
    assert_eq!((receipts[0].user_id.as_str(), receipts[0].msg_id_list.clone()), ("bob", vec![sent[1].client_msg_id.clone()]));
    let read = |o: &Online| {
        let (client, conv) = (o.client.clone(), conv.clone());
        async move {
            let page = client.get_advanced_history_message_list(conv, None, 10).await.unwrap().messages;
            page.into_iter().filter(|m| m.send_id == "alice").map(|m| m.is_read).collect::<Vec<_>>()
        }
    };
    assert_eq!(read(&bob).await, [true, true, false]);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 1);
    tablet.events.wait_until("the read mark on the other device", |ev| ev[tablet_seen..].contains(&Ev::TotalUnread(1))).await;
    assert_eq!(read(&tablet).await, [true, true, false]);

    // The last one read: nothing unread.
    bob.client.mark_messages_as_read_by_msg_id(conv.clone(), vec![sent[2].client_msg_id.clone()]).await.unwrap();
    assert_eq!(read(&bob).await, [true, true, true]);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 0);

    // Nothing to mark: the user's own message, a read one, an unknown ID — nothing is sent.
    let mine = send_text(&bob, "alice", "mine").await;
    let calls = srv.server.faults().rest_calls_seen(openim_wire::api::path::MARK_MSGS_AS_READ);
    let nothing = vec![mine.client_msg_id.clone(), sent[0].client_msg_id.clone(), "nope".into()];
    bob.client.mark_messages_as_read_by_msg_id(conv.clone(), nothing).await.unwrap();
    assert_eq!(srv.server.faults().rest_calls_seen(openim_wire::api::path::MARK_MSGS_AS_READ), calls);
    assert_eq!(bob.client.mark_messages_as_read_by_msg_id(conv.clone(), vec![]).await.unwrap_err().code(), 10002);
    assert_eq!(bob.client.mark_messages_as_read_by_msg_id("si_nobody_x".into(), vec!["a".into()]).await.unwrap_err().code(), 10002);
    assert_eq!(bob.client.get_total_unread_msg_count().await.unwrap(), 0);
}

/// The upload tests' part size (devserver's `min_part_size` lowered to it).
const TEST_PART: usize = 64 * 1024;

/// Writes `name` in `dir`: 10 parts of [`TEST_PART`] and 1 000 bytes more (11 parts), its
/// content varied by `salt`; returns its path and bytes.
fn eleven_parts(dir: &std::path::Path, name: &str, salt: u32) -> (String, Vec<u8>) {
    let path = dir.join(name);
    let bytes: Vec<u8> = (0..(10 * TEST_PART + 1000) as u32).map(|i| (i.wrapping_add(salt).wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    (path.to_string_lossy().into_owned(), bytes)
}

/// Every progress call of an upload, as (uploaded, total).
#[derive(Default)]
struct Progress(std::sync::Mutex<Vec<(i64, i64)>>);

impl openim_sdk::UploadProgressListener for Progress {
    fn on_progress(&self, uploaded: i64, total: i64) {
        self.0.lock().unwrap().push((uploaded, total));
    }
}

impl Progress {
    fn seen(&self) -> Vec<(i64, i64)> {
        self.0.lock().unwrap().clone()
    }
}

/// `upload_file` sends a file to devserver's object storage in parts (progress after each,
/// ending at the size), the URL it returns serves the same bytes and can be sent as a file
/// message; the same content again is found on the server without sending it; a missing file
/// or a name climbing out of the user's folder is refused before the network.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_upload_in_parts_and_come_back_by_url() {
    use std::sync::Arc;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    // Two parts: devserver's parts are 5 MiB.
    let bytes: Vec<u8> = (0..6 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let progress = Arc::new(Progress::default());
    let file_path = path.to_string_lossy().into_owned();
    let url = alice.client.upload_file(file_path.clone(), None, None, Some(progress.clone()), None).await.unwrap();
    assert!(url.ends_with("/object/alice/report.pdf"), "{url}");
    let seen = progress.seen();
    let total = bytes.len() as i64;
    assert_eq!(seen, [(5 * 1024 * 1024, total), (total, total)]);
    let served = reqwest::get(&url).await.unwrap();
    assert_eq!(served.headers()["content-type"], "application/pdf");
    assert!(served.bytes().await.unwrap() == bytes, "the served object differs");

    // The same content again: the server has it, nothing is sent; the new name serves it too.
    let again = Arc::new(Progress::default());
    let url2 = alice.client.upload_file(file_path.clone(), Some("copy.pdf".into()), None, Some(again.clone()), None).await.unwrap();
    assert!(url2.ends_with("/object/alice/copy.pdf"), "{url2}");
    assert_eq!(again.seen(), [(total, total)]);
    assert!(reqwest::get(&url2).await.unwrap().bytes().await.unwrap() == bytes, "the copy differs");

    // Sent as a file message, bob gets the URL.
    let m = alice.client.create_file_message_by_url(url.clone(), "report.pdf".into(), total, "pdf".into()).unwrap();
    alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    let got = bob.events.wait_new_messages(1).await;
    let MessageContent::File { source_url, file_size, .. } = &got[0].content else { panic!("{:?}", got[0].content) };
    assert_eq!((source_url.as_str(), *file_size), (url.as_str(), total));

    let missing = alice.client.upload_file(dir.path().join("nope").to_string_lossy().into_owned(), None, None, None, None).await;
    assert_eq!(missing.unwrap_err().code(), 10002);
    let climbing = alice.client.upload_file(file_path, Some("../bob/x.pdf".into()), None, None, None).await;
    assert_eq!(climbing.unwrap_err().code(), 10002);
}

/// OpenIM's `UploadLogs` for log files the app kept: each is uploaded as a new object (named
/// after OpenIM's core's log zips, progress over all of them) and recorded on the server for
/// the app's managers, who find them by user with the caller's `ex`; bad arguments (no files, a
/// missing, empty or directory one among good ones) send and record nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_upload_for_the_apps_managers() {
    use openim_wire::api::conversation::RequestPagination;
    use openim_wire::api::third::{SearchLogsReq, SearchLogsResp};
    use std::sync::Arc;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("app.log"), dir.path().join("app.1.log"));
    std::fs::write(&first, "login failed: 1501\n".repeat(100)).unwrap();
    std::fs::write(&second, "older lines\n").unwrap();
    let paths: Vec<String> = [&first, &second].iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let search = || async {
        let req = SearchLogsReq { keyword: "ali".into(), pagination: RequestPagination { page_number: 1, show_number: 10 }, ..Default::default() };
        srv.admin.post::<_, SearchLogsResp>(openim_wire::api::path::SEARCH_LOGS, &req).await.unwrap()
    };

    let empty = alice.client.upload_logs(vec![], 0, String::new(), None).await;
    assert_eq!(empty.unwrap_err().code(), 10002);
    let empty_file = dir.path().join("empty.log");
    std::fs::write(&empty_file, "").unwrap();
    for bad in [dir.path().join("nope"), empty_file, dir.path().to_path_buf()] {
        let refused = alice.client.upload_logs(vec![paths[0].clone(), bad.to_string_lossy().into_owned()], 0, String::new(), None).await;
        assert_eq!(refused.unwrap_err().code(), 10002, "{bad:?}");
    }
    assert_eq!(search().await.total, 0, "a refused upload records nothing");
    assert_eq!(srv.server.faults().rest_calls_seen(openim_wire::api::path::OBJECT_INITIATE_MULTIPART_UPLOAD), 0, "nor sends anything");

    let progress = Arc::new(Progress::default());
    alice.client.upload_logs(paths.clone(), 0, "crash at login".into(), Some(progress.clone())).await.unwrap();
    let sizes: Vec<i64> = [&first, &second].iter().map(|p| std::fs::metadata(p).unwrap().len() as i64).collect();
    let total = sizes[0] + sizes[1];
    assert_eq!(progress.seen(), [(sizes[0], total), (total, total)]);
    let found = search().await;
    assert_eq!(found.total, 2);
    let mut logs = found.logs_infos;
    logs.sort_by(|a, b| a.filename.cmp(&b.filename));
    assert_eq!(logs.iter().map(|l| l.filename.as_str()).collect::<Vec<_>>(), [paths[1].as_str(), paths[0].as_str()]);
    let version = openim_wire::constant::defaults::SDK_VERSION;
    for log in &logs {
        assert_eq!((log.user_id.as_str(), log.nickname.as_str(), log.platform.as_str()), ("alice", "alice nick", "Android"));
        assert_eq!((log.ex.as_str(), log.version.as_str(), log.system_type.as_str()), ("crash at login", version, "openim-sdk-rs"));
        assert_eq!(log.log_id.len(), 10);
        let file = std::path::Path::new(&log.filename).file_name().unwrap().to_string_lossy().into_owned();
        let object = log.url.rsplit_once("/object/alice/").unwrap().1;
        assert!(object.starts_with(&format!("sdk_log_alice_openim-sdk-rs_Android_{version}_")) && object.ends_with(&format!("_{file}")), "{object}");
        let served = reqwest::get(&log.url).await.unwrap().bytes().await.unwrap();
        assert!(served == std::fs::read(&log.filename).unwrap(), "{} differs", log.url);
    }
    // The same file again is a new object: the first record still serves what it was.
    let before = std::fs::read(&first).unwrap();
    std::fs::write(&first, "a new day\n").unwrap();
    alice.client.upload_logs(vec![paths[0].clone()], 0, String::new(), None).await.unwrap();
    let found = search().await;
    assert_eq!(found.total, 3);
    let urls: std::collections::HashSet<&str> = found.logs_infos.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls.len(), 3);
    let first_record = logs.iter().find(|l| l.filename == paths[0]).unwrap();
    assert!(reqwest::get(&first_record.url).await.unwrap().bytes().await.unwrap() == before);
}

/// `uploadLogs` with `line`: only the last lines of the last file named go (as OpenIM's core
/// sends its newest log's), from a file of the SDK's own removed afterwards; and one upload at
/// a time: a second call while one runs fails with 10005 (OpenIM's "log file is uploading").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_upload_their_last_lines_one_upload_at_a_time() {
    use openim_wire::api::conversation::RequestPagination;
    use openim_wire::api::path;
    use openim_wire::api::third::{SearchLogsReq, SearchLogsResp};
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (older, newest) = (dir.path().join("app.1.log"), dir.path().join("app.log"));
    std::fs::write(&older, "yesterday\n").unwrap();
    std::fs::write(&newest, (1..=50).map(|i| format!("line {i}\n")).collect::<String>()).unwrap();
    let paths: Vec<String> = [&older, &newest].iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let search = || async {
        let req = SearchLogsReq { keyword: "alice".into(), pagination: RequestPagination { page_number: 1, show_number: 10 }, ..Default::default() };
        srv.admin.post::<_, SearchLogsResp>(path::SEARCH_LOGS, &req).await.unwrap()
    };

    // Held at the server: a second upload meanwhile is refused, and sends nothing.
    srv.server.faults().black_hole_rest(true);
    let first = tokio::spawn({
        let (client, paths) = (alice.client.clone(), paths.clone());
        async move { client.upload_logs(paths, 3, "tail".into(), None).await }
    });
    let start = std::time::Instant::now();
    while srv.server.faults().rest_calls_seen(path::OBJECT_PART_LIMIT) == 0 {
        assert!(start.elapsed() < common::WAIT, "the first upload reaches the server");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let second = alice.client.upload_logs(paths.clone(), 0, String::new(), None).await.unwrap_err();
    assert!(matches!(second, OpenIMError::InvalidArgument { code: 10005, .. }), "{second:?}");
    assert_eq!(srv.server.faults().rest_calls_seen(path::OBJECT_PART_LIMIT), 1);
    srv.server.faults().black_hole_rest(false);
    first.await.unwrap().unwrap();

    let found = search().await;
    assert_eq!(found.total, 1, "one file: the newest's tail");
    let log = &found.logs_infos[0];
    assert_eq!(log.ex, "tail");
    let served = reqwest::get(&log.url).await.unwrap().text().await.unwrap();
    assert_eq!(served, "line 48\nline 49\nline 50\n");
    assert!(log.url.ends_with("_app.log"), "{}", log.url);
    assert!(!std::path::Path::new(&log.filename).exists(), "the tail's file is removed: {}", log.filename);
    // Free again; more lines than the file has send all of it.
    alice.client.upload_logs(vec![paths[1].clone()], 1000, String::new(), None).await.unwrap();
    let found = search().await;
    let mut urls: Vec<&str> = found.logs_infos.iter().map(|l| l.url.as_str()).collect();
    urls.retain(|u| *u != log.url);
    assert_eq!(reqwest::get(urls[0]).await.unwrap().text().await.unwrap(), std::fs::read_to_string(&newest).unwrap());
}

/// An upload of more parts than the first batch of signatures (20, as OpenIM's core asks):
/// the rest are signed through `/object/auth_sign` as the upload goes, and the object is the
/// file (devserver's parts made small so that 1.6 MB take 25 of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_of_many_parts_asks_for_more_signatures() {
    use std::sync::Arc;
    let part = 64 * 1024;
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { min_part_size: part, ..Default::default() }).await;
    let alice = srv.online("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.mp4");
    let bytes: Vec<u8> = (0..(24 * part + 1234) as u32).map(|i| (i.wrapping_mul(2_246_822_519) >> 25) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let progress = Arc::new(Progress::default());
    let url = alice.client.upload_file(path.to_string_lossy().into_owned(), None, None, Some(progress.clone()), None).await.unwrap();
    let seen: Vec<i64> = progress.seen().into_iter().map(|(uploaded, _)| uploaded).collect();
    assert_eq!(seen.len(), 25, "one progress call per part");
    assert_eq!(seen.last().copied(), Some(bytes.len() as i64));
    let served = reqwest::get(&url).await.unwrap();
    assert_eq!(served.headers()["content-type"], "video/mp4");
    assert!(served.bytes().await.unwrap() == bytes, "the object is the file");
}

/// An upload cut off goes on from its last part, as OpenIM's core resumes one (its
/// `local_uploads` record, a bitmap of the parts on the server): the parts done are not sent
/// again and progress starts where it was; the record survives the app's restart; once the
/// object is complete the record goes (the same content again is found on the server); an
/// upload the server has forgotten (devserver restarted) starts over once; two uploads of the
/// same content at once send it once; a part URL refused is signed again once. Faults: devserver
/// fails the next part's `PUT` (HTTP 503) after some went through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_off_goes_on_from_its_last_part() {
    use openim_wire::api::path;
    use std::sync::Arc;
    let part = TEST_PART;
    let data = tempfile::tempdir().unwrap();
    let config = || openim_devserver::DevServerConfig { min_part_size: part as i64, data: Some(data.path().join("dev.db")), ..Default::default() };
    let srv = TestServer::start_with(config()).await;
    let alice = srv.online("alice").await;
    let files = tempfile::tempdir().unwrap();
    let write = |name: &str, salt: u32| eleven_parts(files.path(), name, salt);
    let total = (10 * part + 1000) as i64;
    let parts_done = |n: usize| (n * part) as i64;
    let puts = |srv: &TestServer| srv.server.faults().rest_calls_seen_under("/object-upload/");
    let initiated = |srv: &TestServer| srv.server.faults().rest_calls_seen(path::OBJECT_INITIATE_MULTIPART_UPLOAD);
    let upload = |client: Arc<openim_sdk::OpenIMClient>, file: String, progress: Arc<Progress>| async move {
        client.upload_file(file, None, None, Some(progress), None).await
    };

    // Cut after 4 of 11 parts.
    let (movie, movie_bytes) = write("movie.mp4", 1);
    srv.server.faults().fail_rest("/object-upload/", 4, 1);
    let cut = upload(alice.client.clone(), movie.clone(), Arc::default()).await.unwrap_err();
    assert_eq!(cut.code(), 10000, "a network error: {cut}");
    assert_eq!((puts(&srv), initiated(&srv)), (5, 1));
    // Again: the 4 parts are not sent again; progress starts at them.
    let progress = Arc::new(Progress::default());
    let url = upload(alice.client.clone(), movie.clone(), progress.clone()).await.unwrap();
    let seen: Vec<i64> = progress.seen().into_iter().map(|(done, _)| done).collect();
    let expected: Vec<i64> = (4..=10).map(parts_done).chain([total]).collect();
    assert_eq!(seen, expected);
    assert_eq!((puts(&srv), initiated(&srv)), (5 + 7, 1), "the rest of the parts, and no new upload");
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == movie_bytes, "the object is the file");
    // Complete, its record is gone: the same content again is found on the server.
    let again = Arc::new(Progress::default());
    upload(alice.client.clone(), movie.clone(), again.clone()).await.unwrap();
    assert_eq!(again.seen(), [(total, total)]);
    assert_eq!((puts(&srv), initiated(&srv)), (12, 2));

    // Cut after 3 parts, then the app restarts (a new client on the same database): it goes on.
    let (clip, clip_bytes) = write("clip.mp4", 2);
    srv.server.faults().fail_rest("/object-upload/", 3, 1);
    upload(alice.client.clone(), clip.clone(), Arc::default()).await.unwrap_err();
    alice.client.logout().await.unwrap();
    let token = srv.admin.user_token("alice", openim_wire::constant::platform::ANDROID).await.unwrap();
    let alice = srv.online_with("alice", token, openim_wire::constant::platform::ANDROID, alice.dir).await;
    let progress = Arc::new(Progress::default());
    let url = upload(alice.client.clone(), clip.clone(), progress.clone()).await.unwrap();
    assert_eq!(progress.seen().first().copied(), Some((parts_done(3), total)));
    assert_eq!(puts(&srv), 12 + 4 + 8);
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == clip_bytes);

    // Cut after 2 parts; devserver restarts and has forgotten the upload: it starts over.
    let (song, song_bytes) = write("song.m4a", 3);
    srv.server.faults().fail_rest("/object-upload/", 2, 1);
    upload(alice.client.clone(), song.clone(), Arc::default()).await.unwrap_err();
    let (api_addr, ws_addr) = (srv.server.api_addr(), srv.server.ws_addr());
    srv.server.shutdown().await;
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { api_addr, ws_addr, ..config() }).await;
    let progress = Arc::new(Progress::default());
    let url = upload(alice.client.clone(), song.clone(), progress.clone()).await.unwrap();
    let seen: Vec<i64> = progress.seen().into_iter().map(|(done, _)| done).collect();
    let expected: Vec<i64> = (1..=10).map(parts_done).chain([total]).collect();
    assert_eq!(seen, expected, "from the first part");
    assert_eq!((puts(&srv), initiated(&srv)), (11, 1));
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == song_bytes);

    // A part URL refused once (HTTP 403, as object storage refuses an expired signature) is
    // signed again and the upload goes on; refused twice, the upload fails with OpenIM's 1701
    // and the next attempt goes on from the parts done.
    let (photo, photo_bytes) = write("photo.jpg", 5);
    let signed = |srv: &TestServer| srv.server.faults().rest_calls_seen(path::OBJECT_AUTH_SIGN);
    let signs = signed(&srv);
    srv.server.faults().fail_rest_with("/object-upload/", 2, 1, 403);
    let url = upload(alice.client.clone(), photo.clone(), Arc::default()).await.unwrap();
    assert_eq!((puts(&srv), signed(&srv)), (11 + 12, signs + 1), "the refused part sent again after one more signature");
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == photo_bytes);
    let (notes, notes_bytes) = write("notes.pdf", 6);
    srv.server.faults().fail_rest_with("/object-upload/", 2, 2, 403);
    let refused = upload(alice.client.clone(), notes.clone(), Arc::default()).await.unwrap_err();
    assert_eq!(refused.code(), 1701, "{refused}");
    let progress = Arc::new(Progress::default());
    let url = upload(alice.client.clone(), notes, progress.clone()).await.unwrap();
    assert_eq!(progress.seen().first().copied(), Some((parts_done(2), total)));
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == notes_bytes);
    let puts_before_twins = puts(&srv);

    // Two uploads of the same content at once: one sends the parts, the other then finds the
    // object on the server.
    let (twin, twin_bytes) = write("twin.mp4", 4);
    let (a, b) = tokio::join!(upload(alice.client.clone(), twin.clone(), Arc::default()), upload(alice.client.clone(), twin, Arc::default()));
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!((puts(&srv) - puts_before_twins, initiated(&srv)), (11, 5));
    let url = format!("{}/object/alice/twin.mp4", srv.server.api_url());
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == twin_bytes);
}

/// Progress that stops its upload once `after` bytes are up: with its token, or by cancelling
/// the send of message `message` (then `cancelled` says whether one was under way).
struct StopAt {
    after: i64,
    seen: Progress,
    token: Option<std::sync::Arc<openim_sdk::CancellationToken>>,
    message: Option<(std::sync::Arc<openim_sdk::OpenIMClient>, String)>,
    cancelled: std::sync::Mutex<Vec<bool>>,
}

impl openim_sdk::UploadProgressListener for StopAt {
    fn on_progress(&self, uploaded: i64, total: i64) {
        self.seen.on_progress(uploaded, total);
        if uploaded >= self.after {
            if let Some(token) = &self.token {
                token.cancel();
            }
            if let Some((client, id)) = &self.message {
                self.cancelled.lock().unwrap().push(client.cancel_sending_message(id.clone()).unwrap());
            }
        }
    }
}

/// An upload is stopped by the app: `uploadFile` with its cancellation token, a message's upload
/// with `cancelSendingMessage`. The call fails with `Cancelled` (10003) at once — no part goes
/// after the cancel —, a message stays failed and reaches nobody, and the next upload of the
/// same content goes on from the parts the server has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cancelled_stops_at_once_and_goes_on_later() {
    use openim_wire::api::path;
    use std::sync::Arc;
    let part = TEST_PART;
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { min_part_size: part as i64, ..Default::default() }).await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let files = tempfile::tempdir().unwrap();
    let total = (10 * part + 1000) as i64;
    let write = |name: &str, salt: u32| eleven_parts(files.path(), name, salt);
    let parts_done = |n: usize| (n * part) as i64;
    let puts = |srv: &TestServer| srv.server.faults().rest_calls_seen_under("/object-upload/");
    let stop_at = |after: i64| StopAt { after, seen: Progress::default(), token: None, message: None, cancelled: Default::default() };

    // uploadFile stopped by its token after 3 of 11 parts: no fourth part goes.
    let (movie, movie_bytes) = write("movie.mp4", 1);
    let token = openim_sdk::CancellationToken::new();
    let stopper = Arc::new(StopAt { token: Some(token.clone()), ..stop_at(parts_done(3)) });
    let stopped = alice.client.upload_file(movie.clone(), None, None, Some(stopper.clone()), Some(token.clone())).await.unwrap_err();
    assert!(matches!(stopped, openim_sdk::OpenIMError::Cancelled { code: 10003, .. }), "{stopped}");
    assert_eq!(puts(&srv), 3, "the upload stops at once");
    assert_eq!(stopper.seen.seen().last().copied(), Some((parts_done(3), total)));
    assert!(token.is_cancelled());
    // Given the cancelled token again, an upload does not start.
    let limits = srv.server.faults().rest_calls_seen(path::OBJECT_PART_LIMIT);
    let refused = alice.client.upload_file(movie.clone(), None, None, None, Some(token)).await.unwrap_err();
    assert_eq!(refused.code(), 10003);
    assert_eq!(srv.server.faults().rest_calls_seen(path::OBJECT_PART_LIMIT), limits, "nothing asked of the server");
    // Uploaded again, it goes on from the 3 parts.
    let progress = Arc::new(Progress::default());
    let url = alice.client.upload_file(movie, None, None, Some(progress.clone()), Some(openim_sdk::CancellationToken::new())).await.unwrap();
    assert_eq!(progress.seen().first().copied(), Some((parts_done(3), total)));
    assert_eq!(puts(&srv), 3 + 8);
    assert!(reqwest::get(&url).await.unwrap().bytes().await.unwrap() == movie_bytes);

    // A video message's upload stopped with cancelSendingMessage after 2 parts: its send fails
    // with Cancelled and it stays failed; bob gets nothing. Sent again, it goes on from the 2
    // parts and reaches bob.
    let (clip, clip_bytes) = write("clip.mp4", 2);
    let m = alice.client.create_video_message_from_full_path(clip, "mp4".into(), 30, None, 0, 0).await.unwrap();
    let with_bob = conversation_id::single("alice", "bob");
    assert!(!alice.client.cancel_sending_message(m.client_msg_id.clone()).unwrap(), "not being sent yet");
    let before = puts(&srv);
    let stopper = Arc::new(StopAt { message: Some((alice.client.clone(), m.client_msg_id.clone())), ..stop_at(parts_done(2)) });
    let stopped = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, Some(stopper.clone())).await.unwrap_err();
    assert_eq!(stopped.code(), 10003, "{stopped}");
    assert_eq!(stopper.cancelled.lock().unwrap().first(), Some(&true), "an upload was under way");
    assert_eq!(puts(&srv) - before, 2);
    let stored = alice.client.find_message_list(with_bob.clone(), vec![m.client_msg_id.clone()]).await.unwrap();
    assert_eq!(stored[0].status, MessageStatus::SendFailed);
    assert!(!alice.client.cancel_sending_message(m.client_msg_id.clone()).unwrap(), "its send has ended");
    let progress = Arc::new(Progress::default());
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, Some(progress.clone())).await.unwrap();
    assert_eq!(sent.status, MessageStatus::SendSuccess);
    assert_eq!(progress.seen().first().copied(), Some((parts_done(2), total)));
    assert_eq!(puts(&srv) - before, 2 + 9);
    let got = bob.events.wait_new_messages(1).await;
    let MessageContent::Video { video_url, .. } = &got[0].content else { panic!("{:?}", got[0].content) };
    assert_eq!(got[0].client_msg_id, m.client_msg_id);
    assert!(reqwest::get(video_url.as_str()).await.unwrap().bytes().await.unwrap() == clip_bytes);
    assert!(!alice.client.cancel_sending_message(m.client_msg_id).unwrap());
}

/// Messages made from local files upload them when sent, as OpenIM's core does: the message is
/// stored (sending) first, the files go to object storage under OpenIM's names, the URLs fill
/// the content (a picture's big version is the original, its snapshot asks for 640 × 640), the
/// recipient gets the URLs and none of the sender's local paths, which stay on the sender's
/// device. A file gone before the send leaves the message failed; sent again once the file is
/// back, it goes. Bad paths and sizes are refused when the message is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_made_from_files_upload_them_when_sent() {
    use std::sync::Arc;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, len: usize, salt: u8| {
        let path = dir.path().join(name);
        let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt)).collect();
        std::fs::write(&path, &bytes).unwrap();
        (path.to_string_lossy().into_owned(), bytes)
    };
    let with_bob = conversation_id::single("alice", "bob");

    // Each message keeps a copy of its files beside the database until it is sent.
    let files_dir = alice.dir.path().join("OpenIM_v3_alice_files");
    let copies = |id: &str| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&files_dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(id)).collect()
    };

    // A picture: stored while it uploads, then sent with its URLs.
    let (photo, photo_bytes) = write("photo.jpg", 3000, 1);
    let m = alice.client.create_image_message_from_full_path(photo.clone(), 800, 600).await.unwrap();
    let progress = Arc::new(Progress::default());
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, Some(progress.clone())).await.unwrap();
    assert_eq!(sent.status, MessageStatus::SendSuccess);
    assert!(sent.seq > 0);
    assert_eq!(progress.seen(), [(3000, 3000)]);
    let MessageContent::Image { source_path, source: Some(source), big: Some(big), snapshot: Some(snapshot) } = &sent.content else {
        panic!("{:?}", sent.content)
    };
    assert_eq!(source_path, &photo, "the sender keeps the local path");
    assert!(source.url.ends_with(&format!("/object/alice/msg_picture_{}.jpg", m.client_msg_id)), "{}", source.url);
    assert_eq!((source.width, source.height, source.size, source.kind.as_str()), (800, 600, 3000, "image/jpeg"));
    assert_eq!(big, source);
    assert_eq!(snapshot.url, format!("{}?height=640&type=image&width=640", source.url));
    assert_eq!((snapshot.width, snapshot.height), (640, 640));
    assert!(reqwest::get(&source.url).await.unwrap().bytes().await.unwrap() == photo_bytes, "the served picture differs");
    let got = bob.events.wait_new_messages(1).await;
    let MessageContent::Image { source_path, source: Some(got_source), .. } = &got[0].content else { panic!("{:?}", got[0].content) };
    assert_eq!(source_path, "", "the sender's local path stays on the sender's device");
    assert_eq!(got_source, source);
    let stored = alice.client.get_advanced_history_message_list(with_bob.clone(), None, 10).await.unwrap().messages;
    assert_eq!(stored.last().unwrap().content, sent.content, "stored with its URLs and local path");

    // A voice message, a file and a video with its snapshot.
    let (voice, _) = write("voice.m4a", 1500, 2);
    let m = alice.client.create_sound_message_from_full_path(voice, 7).await.unwrap();
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    let MessageContent::Sound { source_url, data_size, duration, sound_type, .. } = &sent.content else { panic!() };
    assert!(source_url.ends_with(&format!("/object/alice/msg_voice_{}.m4a", m.client_msg_id)), "{source_url}");
    assert_eq!((*data_size, *duration, sound_type.as_str()), (1500, 7, "m4a"));
    let (report, report_bytes) = write("report.pdf", 2500, 3);
    let m = alice.client.create_file_message_from_full_path(report, Some("Q3 report.pdf".into())).await.unwrap();
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    let MessageContent::File { source_url, file_name, file_size, .. } = &sent.content else { panic!() };
    assert!(source_url.contains(&format!("/object/alice/msg_file_{}/Q3", m.client_msg_id)), "{source_url}");
    assert_eq!((file_name.as_str(), *file_size), ("Q3 report.pdf", 2500));
    let served = reqwest::get(source_url.as_str()).await.unwrap();
    assert_eq!(served.headers()["content-type"], "application/pdf");
    assert!(served.bytes().await.unwrap() == report_bytes);
    let (clip, _) = write("clip.mp4", 4000, 4);
    let (poster, _) = write("poster.png", 900, 5);
    let m = alice.client.create_video_message_from_full_path(clip, "mp4".into(), 12, Some(poster), 320, 180).await.unwrap();
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    let MessageContent::Video { video_url, snapshot_url, video_size, snapshot_size, snapshot_width, snapshot_type, .. } = &sent.content else {
        panic!()
    };
    assert!(video_url.ends_with(&format!("msg_video_{}.mp4", m.client_msg_id)), "{video_url}");
    assert!(snapshot_url.ends_with(&format!("msg_videoSnapshot_{}.png", m.client_msg_id)), "{snapshot_url}");
    assert_eq!((*video_size, *snapshot_size, *snapshot_width, snapshot_type.as_str()), (4000, 900, 320, "image/png"));
    let got = bob.events.wait_new_messages(4).await;
    let MessageContent::Video { video_path, snapshot_path, video_url: got_url, .. } = &got[3].content else { panic!() };
    assert_eq!((video_path.as_str(), snapshot_path.as_str(), got_url), ("", "", video_url));

    // The app's file (a temporary one) is gone when the message is sent: its copy goes.
    let (temp, temp_bytes) = write("temp.jpg", 1300, 12);
    let m = alice.client.create_image_message_from_full_path(temp.clone(), 10, 10).await.unwrap();
    assert_eq!(copies(&m.client_msg_id).len(), 1);
    std::fs::remove_file(&temp).unwrap();
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    let MessageContent::Image { source: Some(source), .. } = &sent.content else { panic!() };
    assert!(reqwest::get(&source.url).await.unwrap().bytes().await.unwrap() == temp_bytes);
    assert!(copies(&m.client_msg_id).is_empty(), "the copy goes once the message is sent");
    bob.events.wait_new_messages(5).await;

    // The file and its copy gone when the message is sent: stored, then failed; the file back,
    // it goes.
    let (gone, gone_bytes) = write("gone.jpg", 1200, 6);
    let m = alice.client.create_image_message_from_full_path(gone.clone(), 10, 10).await.unwrap();
    std::fs::remove_file(&gone).unwrap();
    for copy in copies(&m.client_msg_id) {
        std::fs::remove_file(copy).unwrap();
    }
    let failed = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(failed.code(), 10002, "{failed}");
    let stored = alice.client.find_message_list(with_bob.clone(), vec![m.client_msg_id.clone()]).await.unwrap();
    assert_eq!(stored[0].status, MessageStatus::SendFailed);
    std::fs::write(&gone, &gone_bytes).unwrap();
    let sent = alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!(sent.status, MessageStatus::SendSuccess);
    bob.events.wait_new_messages(6).await;

    // The stored message was the conversation's latest while it failed.
    let listed = alice.client.get_one_conversation(openim_sdk::model::SessionType::Single, "bob".into()).await.unwrap();
    assert_eq!(listed.latest_msg.map(|m| m.client_msg_id), Some(sent.client_msg_id.clone()));

    // A video whose snapshot cannot be read goes without one, described by nothing.
    let (clip2, _) = write("clip2.mp4", 1000, 7);
    let (poster2, _) = write("poster2.jpg", 500, 8);
    let m = alice.client.create_video_message_from_full_path(clip2, String::new(), 3, Some(poster2.clone()), 64, 36).await.unwrap();
    std::fs::remove_file(&poster2).unwrap();
    let snapshot_copies: Vec<_> = copies(&m.client_msg_id).into_iter().filter(|p| p.to_string_lossy().ends_with(".snapshot.jpg")).collect();
    assert_eq!(snapshot_copies.len(), 1, "{:?}", copies(&m.client_msg_id));
    std::fs::remove_file(&snapshot_copies[0]).unwrap();
    let sent = alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
    let MessageContent::Video { video_url, video_type, snapshot_url, snapshot_size, snapshot_width, snapshot_type, .. } = &sent.content else { panic!() };
    assert!(!video_url.is_empty());
    assert_eq!((video_type.as_str(), snapshot_url.as_str(), *snapshot_size, *snapshot_width, snapshot_type.as_str()), ("mp4", "", 0, 0, ""));

    // Uploaded, then refused by the gateway's frame limit: failed, and its files are not sent
    // again when it is retried (here still too large: refused before any upload).
    let (big_ex, _) = write("big.jpg", 700, 9);
    let mut m = alice.client.create_image_message_from_full_path(big_ex.clone(), 5, 5).await.unwrap();
    // Incompressible: frames are gzipped.
    let mut rng = fastrand::Rng::with_seed(7);
    m.ex = (0..120_000).map(|_| rng.alphanumeric()).collect();
    let refused = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(refused.code(), 10002, "{refused}");
    let stored = alice.client.find_message_list(with_bob.clone(), vec![m.client_msg_id.clone()]).await.unwrap();
    assert!(stored.is_empty(), "refused before it was stored or uploaded");
    let object = format!("{}/object/alice/msg_picture_{}.jpg", srv.server.api_url(), m.client_msg_id);
    assert!(!reqwest::get(&object).await.unwrap().status().is_success(), "nothing uploaded");
    // To a user the server does not know yet: uploaded, then refused (1101).
    let (retried, retried_bytes) = write("retried.jpg", 800, 10);
    let m = alice.client.create_image_message_from_full_path(retried.clone(), 5, 5).await.unwrap();
    let failed = alice.client.send_message(m.clone(), Some("dave".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(failed.code(), 1101, "{failed}");
    let with_dave = conversation_id::single("alice", "dave");
    let stored = alice.client.find_message_list(with_dave, vec![m.client_msg_id.clone()]).await.unwrap();
    assert_eq!(stored[0].status, MessageStatus::SendFailed);
    let MessageContent::Image { source: Some(first), .. } = &stored[0].content else { panic!() };
    assert!(!first.url.is_empty(), "uploaded before the send failed");
    std::fs::remove_file(&retried).unwrap();
    assert_eq!(copies(&m.client_msg_id).len(), 1, "a failed message keeps its copy");
    for copy in copies(&m.client_msg_id) {
        std::fs::remove_file(copy).unwrap();
    }
    srv.user("dave").await;
    let sent = alice.client.send_message(m, Some("dave".into()), None, None, false, None).await.unwrap();
    let MessageContent::Image { source: Some(again), .. } = &sent.content else { panic!() };
    assert_eq!(again.url, first.url, "the stored URL, without the file");
    assert!(reqwest::get(&again.url).await.unwrap().bytes().await.unwrap() == retried_bytes);

    // A failed message deleted takes its copies with it.
    let (unsent, _) = write("unsent.txt", 300, 13);
    let m = alice.client.create_file_message_from_full_path(unsent, None).await.unwrap();
    assert_eq!(alice.client.send_message(m.clone(), Some("erin".into()), None, None, false, None).await.unwrap_err().code(), 1101);
    assert_eq!(copies(&m.client_msg_id).len(), 1);
    alice.client.delete_message_from_local_storage(conversation_id::single("alice", "erin"), m.client_msg_id.clone()).await.unwrap();
    assert!(copies(&m.client_msg_id).is_empty());

    // Refused when made.
    for bad in ["..", ".", "/"] {
        let (ok_file, _) = write("named.txt", 10, 11);
        assert_eq!(alice.client.create_file_message_from_full_path(ok_file, Some(bad.into())).await.unwrap_err().code(), 10002, "{bad}");
    }
    let missing = dir.path().join("nope.jpg").to_string_lossy().into_owned();
    assert_eq!(alice.client.create_image_message_from_full_path(missing.clone(), 1, 1).await.unwrap_err().code(), 10002);
    assert_eq!(alice.client.create_image_message_from_full_path(photo.clone(), -1, 1).await.unwrap_err().code(), 10002);
    assert_eq!(alice.client.create_sound_message_from_full_path(photo.clone(), -3).await.unwrap_err().code(), 10002);
    assert_eq!(alice.client.create_file_message_from_full_path(dir.path().to_string_lossy().into_owned(), None).await.unwrap_err().code(), 10002);
    assert_eq!(alice.client.create_video_message_from_full_path(photo, "mp4".into(), 1, Some(missing), 0, 0).await.unwrap_err().code(), 10002);
}

/// Deleting every message on this device only keeps the conversations listed, empty and read,
/// while the server keeps the messages (a new device still finds them, read); deleting them
/// here and on the server empties the user's other device too (1703) and a new device finds
/// nothing. Messages inserted for this device only are stored as sent, shown in their
/// conversation, never sent and never counted unread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_all_messages_and_messages_of_this_device_only() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    let with_bob = conversation_id::single("alice", "bob");
    let with_carol = conversation_id::single("alice", "carol");
    send_text(&bob, "alice", "b1").await;
    send_text(&bob, "alice", "b2").await;
    send_text(&alice, "carol", "a1").await;
    alice.events.wait_until("2 unread", |ev| ev.iter().any(|e| matches!(e, Ev::TotalUnread(2)))).await;
    let history = |who: &Online, id: &str| {
        let (client, id) = (who.client.clone(), id.to_owned());
        async move { client.get_advanced_history_message_list(id, None, 20).await.unwrap().messages.iter().map(text).collect::<Vec<_>>() }
    };

    alice.client.delete_all_msg_from_local().await.unwrap();
    assert!(history(&alice, &with_bob).await.is_empty());
    assert!(history(&alice, &with_carol).await.is_empty());
    let listed = alice.client.get_all_conversation_list().await.unwrap();
    assert_eq!(listed.len(), 2, "the conversations stay listed");
    assert!(listed.iter().all(|c| c.unread_count == 0 && c.latest_msg.is_none()), "{listed:?}");
    assert_eq!(alice.client.get_total_unread_msg_count().await.unwrap(), 0);
    // Logged in again on the same database: neither sync nor history brings them back.
    alice.client.logout().await.unwrap();
    let token = srv.admin.user_token("alice", openim_wire::constant::platform::ANDROID).await.unwrap();
    alice.client.login("alice".into(), token).await.unwrap();
    alice.events.wait_until("synced again", |ev| ev.iter().filter(|e| matches!(e, Ev::SyncFinish(_))).count() >= 2).await;
    assert!(history(&alice, &with_bob).await.is_empty());
    assert_eq!(alice.client.get_total_unread_msg_count().await.unwrap(), 0);
    // The server kept them, read: a new device of alice finds them with nothing unread.
    let ios = openim_wire::constant::platform::IOS;
    let alice2 = srv.online_with("alice", srv.admin.user_token("alice", ios).await.unwrap(), ios, tempfile::tempdir().unwrap()).await;
    assert_eq!(history(&alice2, &with_bob).await, ["b1", "b2"]);
    assert_eq!(alice2.client.get_total_unread_msg_count().await.unwrap(), 0);
    // A device holding only the newest message (a new device pulls one per conversation; the
    // rest is a hole history would fill) clears on its own: history brings nothing back.
    let windows = openim_wire::constant::platform::WINDOWS;
    let desk = srv.online_with("alice", srv.admin.user_token("alice", windows).await.unwrap(), windows, tempfile::tempdir().unwrap()).await;
    desk.client.delete_all_msg_from_local().await.unwrap();
    assert!(history(&desk, &with_bob).await.is_empty(), "the hole below the cleared message stays closed");
    drop(desk);

    // Here and on the server: the other device follows, a new device finds nothing.
    alice.client.delete_all_msg_from_local_and_svr().await.unwrap();
    alice2
        .events
        .wait_until("the clear reaches the other device", |ev| {
            ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(cs) if cs.iter().any(|c| c.conversation_id == with_bob && c.latest_msg.is_none())))
        })
        .await;
    assert!(history(&alice2, &with_bob).await.is_empty());
    let web = openim_wire::constant::platform::WEB;
    let alice3 = srv.online_with("alice", srv.admin.user_token("alice", web).await.unwrap(), web, tempfile::tempdir().unwrap()).await;
    assert!(history(&alice3, &with_bob).await.is_empty());
    assert!(history(&alice3, &with_carol).await.is_empty());

    // Messages of this device only, in a single chat (either side as sender) and in a group.
    let tip = alice.client.create_text_message("you muted bob".into()).unwrap();
    let mine = alice.client.insert_single_message_to_local_storage(tip.clone(), "bob".into(), "alice".into()).await.unwrap();
    assert_ne!(mine.client_msg_id, tip.client_msg_id, "a fresh client ID");
    assert_eq!((mine.status, mine.seq, mine.conversation_id.as_str()), (MessageStatus::SendSuccess, 0, with_bob.as_str()));
    let theirs = alice.client.create_text_message("bob said hi (imported)".into()).unwrap();
    let theirs = alice.client.insert_single_message_to_local_storage(theirs, "alice".into(), "bob".into()).await.unwrap();
    assert_eq!((theirs.send_id.as_str(), theirs.recv_id.as_str()), ("bob", "alice"));
    assert_eq!(history(&alice, &with_bob).await, ["you muted bob", "bob said hi (imported)"]);
    let c = alice.client.get_one_conversation(openim_sdk::model::SessionType::Single, "bob".into()).await.unwrap();
    assert_eq!((c.unread_count, c.latest_msg.map(|m| m.client_msg_id)), (0, Some(theirs.client_msg_id.clone())));
    // Never sent: bob's next message from alice is the real one.
    send_text(&alice, "bob", "real").await;
    let got = bob.events.wait_until("alice's message", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.send_id == "alice"))).await;
    let from_alice: Vec<String> = got.iter().filter_map(|e| match e { Ev::NewMsg(m) if m.send_id == "alice" => Some(text(m)), _ => None }).collect();
    assert_eq!(from_alice, ["real"]);

    let g = alice
        .client
        .create_group(openim_sdk::CreateGroupParams { group_name: "Team".into(), member_user_ids: vec!["carol".into()], ..Default::default() })
        .await
        .unwrap();
    let note = alice.client.create_text_message("group rules updated".into()).unwrap();
    let stored = alice.client.insert_group_message_to_local_storage(note, g.group_id.clone(), "alice".into()).await.unwrap();
    assert_eq!(stored.group_id, g.group_id);
    let group_conversation = conversation_id::group(&g.group_id);
    let page = alice.client.get_advanced_history_message_list(group_conversation, None, 20).await.unwrap().messages;
    assert_eq!(page.last().map(|m| m.client_msg_id.clone()), Some(stored.client_msg_id.clone()));

    // Wrong arguments.
    let m = alice.client.create_text_message("x".into()).unwrap();
    let code = |r: Result<openim_sdk::Message, OpenIMError>| r.unwrap_err().code();
    assert_eq!(code(alice.client.insert_single_message_to_local_storage(m.clone(), "bob".into(), String::new()).await), 10002);
    assert_eq!(code(alice.client.insert_single_message_to_local_storage(m.clone(), "bob".into(), "carol".into()).await), 10002);
    assert_eq!(code(alice.client.insert_group_message_to_local_storage(m, "no-such-group".into(), "alice".into()).await), 10002);
    drop(carol);
}

/// Copies of files kept for messages go at login once a day old, unless their message is still
/// unsent (failed, to be sent again): a message made and never sent, a stray file and a sent
/// message's leftover go; a failed message's copy and a young file stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_copies_go_at_login_unless_their_message_is_unsent() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, name.as_bytes()).unwrap();
        path.to_string_lossy().into_owned()
    };
    let abandoned = alice.client.create_file_message_from_full_path(file("abandoned.txt"), None).await.unwrap();
    let failed = alice.client.create_file_message_from_full_path(file("failed.txt"), None).await.unwrap();
    assert_eq!(alice.client.send_message(failed.clone(), Some("erin".into()), None, None, false, None).await.unwrap_err().code(), 1101);
    let files_dir = alice.dir.path().join("OpenIM_v3_alice_files");
    std::fs::write(files_dir.join("h0123.jpg"), b"stray").unwrap();
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
    for entry in std::fs::read_dir(&files_dir).unwrap() {
        std::fs::File::options().write(true).open(entry.unwrap().path()).unwrap().set_modified(two_days_ago).unwrap();
    }
    std::fs::write(files_dir.join("young.jpg"), b"young").unwrap();
    let names = || {
        let mut n: Vec<String> = std::fs::read_dir(&files_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names().len(), 4);

    alice.client.logout().await.unwrap();
    let token = srv.admin.user_token("alice", openim_wire::constant::platform::ANDROID).await.unwrap();
    alice.client.login("alice".into(), token).await.unwrap();
    let expected = {
        let mut n = vec![format!("{}.txt", failed.client_msg_id), "young.jpg".to_owned()];
        n.sort();
        n
    };
    let deadline = std::time::Instant::now() + WAIT;
    while names() != expected {
        assert!(std::time::Instant::now() < deadline, "copies left: {:?}", names());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!names().iter().any(|n| n.starts_with(&abandoned.client_msg_id)));
}

/// Housekeeping of a chat: history forwards from a message, a message's local ex (this
/// device's own), typing heard, messages in the background arrive as offline ones, a hidden
/// chat comes back with its next message, clearing empties it (the sender keeps hers), a note
/// stored in a group chat without sending, then custom business notifications through
/// `set_custom_business_listener` (Kotlin and Swift: `chatHousekeeping`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_housekeeping() {
    use openim_wire::api::msg::{SendBusinessNotificationReq, SendMsgResp};
    use tokio::sync::mpsc::unbounded_channel;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let (tx, mut heard) = unbounded_channel();
    bob.client.set_custom_business_listener(std::sync::Arc::new(Heard(tx)));
    let conv = conversation_id::single("alice", "bob");
    for t in ["m1", "m2", "m3"] {
        send_text(&alice, "bob", t).await;
    }
    bob.events.wait_new_messages(3).await;
    let texts = |p: &openim_sdk::HistoryPage| p.messages.iter().map(text).collect::<Vec<_>>();
    let all = bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
    assert_eq!(texts(&all), ["m1", "m2", "m3"]);
    let forwards = bob.client.get_advanced_history_message_list_reverse(conv.clone(), all.messages[0].client_msg_id.clone(), 20).await.unwrap();
    assert_eq!(texts(&forwards), ["m2", "m3"]);
    bob.client.set_message_local_ex(conv.clone(), all.messages[0].client_msg_id.clone(), "pinned here".into()).await.unwrap();
    assert_eq!(bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap().messages[0].local_ex, "pinned here");
    assert_eq!(alice.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap().messages[0].local_ex, "", "this device's own");

    alice.client.typing_status_update("bob".into(), "typing...".into()).await.unwrap();
    bob.events.wait_until("typing", |ev| ev.iter().any(|e| matches!(e, Ev::Typing(c) if c.user_id == "alice" && c.conversation_id == conv))).await;

    bob.client.set_app_background_status(true).await.unwrap();
    send_text(&alice, "bob", "while backgrounded").await;
    bob.events.wait_until("an offline message", |ev| ev.iter().any(|e| matches!(e, Ev::OfflineMsg(m) if text(m) == "while backgrounded"))).await;
    bob.client.set_app_background_status(false).await.unwrap();
    send_text(&alice, "bob", "in front").await;
    bob.events.wait_until("in front", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if text(m) == "in front"))).await;

    bob.client.hide_conversation(conv.clone()).await.unwrap();
    assert!(bob.client.get_all_conversation_list().await.unwrap().iter().all(|c| c.conversation_id != conv));
    send_text(&alice, "bob", "back").await;
    bob.events.wait_until("back", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if text(m) == "back"))).await;
    assert!(bob.client.get_all_conversation_list().await.unwrap().iter().any(|c| c.conversation_id == conv), "listed again");
    bob.client.clear_conversation_and_delete_all_msg(conv.clone()).await.unwrap();
    assert!(bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap().messages.is_empty());
    assert_eq!(alice.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap().messages.len(), 6, "the sender keeps hers");

    let g = alice.client.create_group(openim_sdk::CreateGroupParams { group_name: "Team".into(), member_user_ids: vec!["bob".into()], ..Default::default() }).await.unwrap();
    let req = SendBusinessNotificationReq { key: "order.paid".into(), data: "id 1".into(), send_user_id: "alice".into(), recv_user_id: "bob".into(), ..Default::default() };
    let _: SendMsgResp = srv.admin.post(openim_wire::api::path::SEND_BUSINESS_NOTIFICATION, &req).await.unwrap();
    let paid = tokio::time::timeout(WAIT, heard.recv()).await.expect("the business notification").unwrap();
    assert_eq!((paid.key.as_str(), paid.data.as_str()), ("order.paid", "id 1"));
    let note = alice.client.insert_group_message_to_local_storage(alice.client.create_text_message("group rules updated".into()).unwrap(), g.group_id.clone(), "alice".into()).await.unwrap();
    assert_eq!(note.group_id, g.group_id);
    let page = alice.client.get_advanced_history_message_list(conversation_id::group(&g.group_id), None, 20).await.unwrap().messages;
    assert_eq!(page.last().map(|m| m.client_msg_id.clone()), Some(note.client_msg_id));

}

/// The recipient's receive options, as OpenIM's server applies them to a single chat's
/// messages: "receive nothing" in the chat (1) or globally refuses the sender's message with
/// 1001 ("message is not sent") and nothing reaches the recipient; "receive without
/// notification" (2) delivers it (without offline push); back to 0, messages flow again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recipients_receive_options_decide_whether_a_message_is_sent() {
    use openim_sdk::ConversationUpdate;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let chat_opt = |opt: i32| {
        let (client, conv) = (bob.client.clone(), conv.clone());
        async move { client.set_conversation(conv, ConversationUpdate { recv_msg_opt: Some(opt), ..Default::default() }).await.unwrap() }
    };
    let send = |body: &str| {
        let client = alice.client.clone();
        let m = client.create_text_message(body.into()).unwrap();
        async move { client.send_message(m, Some("bob".into()), None, None, false, None).await }
    };
    send("hello").await.unwrap();
    bob.events.wait_new_messages(1).await;
    chat_opt(1).await;
    assert_eq!(send("muted chat").await.map(drop).map_err(|e| e.code()), Err(1001));
    chat_opt(2).await;
    send("quiet chat").await.unwrap();
    chat_opt(0).await;
    bob.client.set_global_recv_message_opt(1).await.unwrap();
    assert_eq!(send("nothing at all").await.map(drop).map_err(|e| e.code()), Err(1001));
    bob.client.set_global_recv_message_opt(2).await.unwrap();
    send("quiet everywhere").await.unwrap();
    bob.client.set_global_recv_message_opt(0).await.unwrap();
    send("back").await.unwrap();
    bob.events.wait_until("the last message", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if text(m) == "back"))).await;
    let received: Vec<String> = bob.events.new_messages().iter().map(text).collect();
    assert_eq!(received, ["hello", "quiet chat", "quiet everywhere", "back"]);
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    let failed: Vec<String> = page.messages.iter().filter(|m| m.status == MessageStatus::SendFailed).map(text).collect();
    assert_eq!(failed, ["muted chat", "nothing at all"], "the sender's refused messages are failed");
}

/// OA notifications (1400) that the app's server sends from a notification account arrive in
/// the account's chat with the user (`sn_`, session type 4): typed, the chat named by the
/// account's profile, unread until read — which marks the chat read on the server like a group
/// chat's (no receipt to the account) —, and a new device of the user syncs the chat and its
/// history. Kotlin: `ConversationSyncTest#oaNotificationsArriveInTheNotificationChat`; Swift:
/// `ConversationSyncTests/testOaNotificationsArriveInTheNotificationChat`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oa_notifications_arrive_in_the_notification_chat() {
    use openim_sdk::model::SessionType;
    use openim_wire::api::path;
    use serde_json::{Value, json};
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let account = json!({"userID":"ops","nickName":"Ops","faceURL":"http://ops/face","appMangerLevel":3});
    let _: Value = srv.admin.post(path::ADD_NOTIFICATION_ACCOUNT, &account).await.unwrap();
    // A friend remark names the account's single chat, not its notification chat (as OpenIM's).
    let _: Value = srv.admin.post(path::IMPORT_FRIEND, &json!({"ownerUserID":"alice","friendUserIDs":["ops"]})).await.unwrap();
    alice.events.wait_until("ops as a friend", |ev| ev.iter().any(|e| matches!(e, Ev::FriendAdded(f) if f.friend_user_id == "ops"))).await;
    alice.client.set_friend_remark("ops".into(), "Ops desk".into()).await.unwrap();
    let notice = json!({"sendID":"ops","recvID":"alice","senderPlatformID":1,"contentType":1400,"sessionType":4,
        "content":{"notificationName":"Ops","notificationType":2,"text":"Maintenance tonight","url":"http://ops/notes","mixType":1,
                   "pictureElem":{"sourcePicture":{"type":"image/png","url":"http://ops/p.png","width":64,"height":32},
                                  "bigPicture":{"type":"image/png","url":"http://ops/p.png","width":64,"height":32},
                                  "snapshotPicture":{"type":"image/png","url":"http://ops/s.png","width":16,"height":8}},"ex":"x"}});
    let _: Value = srv.admin.post(path::SEND_MSG, &notice).await.unwrap();

    let sn = conversation_id::notification("alice", "ops");
    let got = alice.events.wait_until("the OA notification", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.content_type == 1400))).await;
    let m = got.into_iter().find_map(|e| match e { Ev::NewMsg(m) if m.content_type == 1400 => Some(m), _ => None }).unwrap();
    assert_eq!((m.session_type, m.content_type, m.send_id.as_str(), m.conversation_id.as_str()), (4, 1400, "ops", sn.as_str()));
    let MessageContent::OaNotification { notification } = &m.content else { panic!("not typed: {:?}", m.content) };
    assert_eq!((notification.notification_name.as_str(), notification.notification_type, notification.text.as_str()), ("Ops", 2, "Maintenance tonight"));
    assert_eq!((notification.url.as_str(), notification.mix_type, notification.ex.as_str()), ("http://ops/notes", 1, "x"));
    let Some(MessageContent::Image { source: Some(picture), .. }) = notification.media.as_deref() else { panic!("no picture: {notification:?}") };
    assert_eq!((picture.url.as_str(), picture.width, picture.height), ("http://ops/p.png", 64, 32));

    // The chat is named by the account's profile (the API's send names no sender nickname).
    let named = |c: &openim_sdk::Conversation| c.conversation_id == sn && c.show_name == "Ops" && c.face_url == "http://ops/face";
    alice.events.wait_until("the named notification chat", |ev| ev.iter().any(|e| matches!(e, Ev::NewConversations(cs) | Ev::ConversationsChanged(cs) if cs.iter().any(named)))).await;
    let c = alice.client.get_one_conversation(SessionType::Notification, "ops".into()).await.unwrap();
    assert_eq!((c.conversation_id.as_str(), c.conversation_type, c.user_id.as_str(), c.group_id.as_str(), c.unread_count), (sn.as_str(), 4, "ops", "", 1));
    assert_eq!(alice.client.get_conversation_id_by_session_type(SessionType::Notification, "ops".into()).unwrap(), sn);

    alice.client.mark_conversation_message_as_read(sn.clone()).await.unwrap();
    assert_eq!(alice.client.get_one_conversation(SessionType::Notification, "ops".into()).await.unwrap().unread_count, 0);
    let seqs: Value = srv
        .admin
        .post(path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, &json!({"userID":"alice","conversationIDs":[sn]}))
        .await
        .unwrap();
    assert_eq!((&seqs["seqs"][&sn]["hasReadSeq"], &seqs["seqs"][&sn]["maxSeq"]), (&json!(1), &json!(1)), "{seqs}");

    // A new device finds the chat and its history.
    let token = srv.admin.user_token("alice", openim_wire::constant::platform::IOS).await.unwrap();
    let other = srv.online_with("alice", token, openim_wire::constant::platform::IOS, tempfile::tempdir().unwrap()).await;
    let c = other.client.get_multiple_conversation(vec![sn.clone()]).await.unwrap().pop().expect("synced");
    assert_eq!((c.conversation_type, c.user_id.as_str(), c.unread_count), (4, "ops", 0));
    let history = other.client.get_advanced_history_message_list(sn.clone(), None, 20).await.unwrap();
    assert!(matches!(&history.messages[..], [m] if matches!(&m.content, MessageContent::OaNotification { notification } if notification.text == "Maintenance tonight")), "{history:?}");
}
