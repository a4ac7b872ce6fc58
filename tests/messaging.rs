//! Messages and conversations end to end: two (or more) SDK clients against a devserver.

mod common;

use common::events::Ev;
use common::*;
use openim_sdk::{MessageContent, MessageStatus, OpenIMError};
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
    let sent = alice.client.send_message(msg.clone(), Some("bob".into()), None, None, false).await.unwrap();
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
    let reply = bob.client.send_message(reply, Some("alice".into()), None, None, false).await.unwrap();
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
        let err = alice.client.send_message(msg.clone(), recv, group, None, false).await.unwrap_err();
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
        let sent = alice.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
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
    let sent = phone.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
    let on_tablet = tablet.events.wait_new_messages(1).await;
    assert_eq!(on_tablet[0].client_msg_id, sent.client_msg_id);
    assert_eq!((on_tablet[0].seq, on_tablet[0].send_id.as_str()), (1, "alice"));
    bob.events.wait_new_messages(1).await;
    // The sending device does not report its own message as new.
    assert!(phone.events.new_messages().is_empty());
    let tablet_list = tablet.client.get_all_conversation_list().await.unwrap();
    assert_eq!(tablet_list.len(), 1);
    assert_eq!(tablet_list[0].unread_count, 0, "own messages are never unread");
    assert_eq!(tablet_list[0].show_name, "bob nick");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_recipient_gets_everything_at_next_login() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob_token = srv.user("bob").await;
    for i in 1..=5 {
        let m = alice.client.create_text_message(format!("while you were away {i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
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
        alice.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
    }
    bob.conn.wait_count(Conn::Success, 3).await;
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
        alice.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
    }
    bob.events.wait_new_messages(10).await;
    bob.client.logout().await.unwrap();
    for i in 11..=50 {
        let m = alice.client.create_text_message(format!("h{i}")).unwrap();
        alice.client.send_message(m, Some("bob".into()), None, None, false).await.unwrap();
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
