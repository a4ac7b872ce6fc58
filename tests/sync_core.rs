//! The sync core under injected faults: REST that never answers, dropped pushes and pull
//! replies, late errors, duplicate client IDs, concurrent updates, oversize messages.

mod common;

use std::time::{Duration, Instant};

use common::events::Ev;
use common::*;
use openim_devserver::ReplyFault;
use openim_sdk::{ConversationUpdate, MessageContent, MessageStatus, OpenIMError};
use openim_wire::constant::{platform, req};
use openim_wire::conversation_id;
use openim_wire::pb::sdkws::MsgData;

fn text(m: &openim_sdk::Message) -> String {
    match &m.content {
        MessageContent::Text { text } => text.clone(),
        other => panic!("not a text message: {other:?}"),
    }
}

async fn send(from: &Online, to: &str, body: &str) -> openim_sdk::Message {
    let m = from.client.create_text_message(body.into()).unwrap();
    from.client.send_message(m, Some(to.into()), None, None, false, None).await.unwrap()
}

/// A text message as a raw client sends it.
fn raw_text(from: &str, to: &str, client_msg_id: &str, body: &str) -> MsgData {
    MsgData {
        send_id: from.into(),
        recv_id: to.into(),
        client_msg_id: client_msg_id.into(),
        sender_nickname: format!("{from} nick"),
        session_type: 1,
        msg_from: 100,
        content_type: 101,
        content: serde_json::to_vec(&serde_json::json!({ "content": body })).unwrap(),
        create_time: openim_wire::time::now_ms(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_unknown_senders_arrive_while_rest_is_black_holed() {
    let srv = TestServer::start().await;
    let bob = srv.online("bob").await;
    let strangers = ["s1", "s2", "s3"];
    let mut tokens = Vec::new();
    for s in strangers {
        tokens.push(srv.user(s).await);
    }
    // From here on the REST API accepts connections and never answers.
    srv.server.faults().black_hole_rest(true);
    let mut fastest = Duration::MAX;
    for (i, (s, token)) in strangers.iter().zip(&tokens).enumerate() {
        let started = Instant::now();
        common::raw_client::send_raw(&srv.server.ws_url(), s, token, platform::ANDROID, raw_text(s, "bob", &format!("hello-{s}"), "hi")).await;
        bob.events.wait_new_messages(i + 1).await;
        fastest = fastest.min(started.elapsed());
    }
    // Without a profile fetch in the way, delivery takes milliseconds (it took the 10 s REST
    // timeout when ingest waited for the sender's profile).
    assert!(fastest < Duration::from_millis(100), "fastest delivery took {fastest:?}");
    // The conversations are named from what the messages carry, and reading the list is not
    // held up either.
    let list = tokio::time::timeout(Duration::from_secs(2), bob.client.get_all_conversation_list()).await.unwrap().unwrap();
    let mut names: Vec<String> = list.iter().map(|c| c.show_name.clone()).collect();
    names.sort();
    assert_eq!(names, ["s1 nick", "s2 nick", "s3 nick"]);
    srv.server.faults().black_hole_rest(false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_gap_pull_is_retried_and_nothing_is_skipped() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    send(&alice, "bob", "m1").await;
    bob.events.wait_new_messages(1).await;
    // Bob misses the push of m2; the push of m3 shows the gap, and the first pull of it is lost.
    srv.server.faults().drop_pushes("bob", 1);
    srv.server.faults().fault_replies(req::PULL_MSG_BY_RANGE, ReplyFault::Drop, 1);
    send(&alice, "bob", "m2").await;
    send(&alice, "bob", "m3").await;
    let got = bob.events.wait_new_messages(3).await;
    assert_eq!(got.iter().map(text).collect::<Vec<_>>(), ["m1", "m2", "m3"]);
    assert_eq!(got.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3]);
    let list = bob.client.get_all_conversation_list().await.unwrap();
    assert_eq!(list[0].unread_count, 3);
    // The retry went through the same reconnect-free connection.
    assert_eq!(bob.conn.count(&Conn::Success), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_notification_pull_is_retried() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let conv = conversation_id::single("alice", "bob");
    let first = send(&alice, "bob", "read me").await;
    bob.events.wait_new_messages(1).await;
    // Alice misses the push of bob's first read receipt (seq 1 of the n_ conversation), and the
    // pull of that gap is lost once.
    srv.server.faults().drop_pushes("alice", 1);
    srv.server.faults().fault_replies(req::PULL_MSG_BY_RANGE, ReplyFault::Drop, 1);
    bob.client.mark_conversation_message_as_read(conv.clone()).await.unwrap();
    let second = send(&alice, "bob", "and me").await;
    bob.events.wait_new_messages(2).await;
    bob.client.mark_conversation_message_as_read(conv.clone()).await.unwrap();
    let events = alice
        .events
        .wait_until("both receipts", |ev| ev.iter().filter(|e| matches!(e, Ev::Receipts(_))).count() >= 2)
        .await;
    let read: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Ev::Receipts(r) => Some(r[0].msg_id_list.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(read, [first.client_msg_id.clone(), second.client_msg_id.clone()]);
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    assert!(page.messages.iter().all(|m| m.is_read), "{:#?}", page.messages);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_stored_twice_keeps_one_row_and_paging_ends() {
    let srv = TestServer::start().await;
    let bob = srv.online("bob").await;
    let token = srv.user("mallory").await;
    let conv = conversation_id::single("bob", "mallory");
    // The server stores the same client message ID under seq 1 and seq 2.
    for _ in 0..2 {
        common::raw_client::send_raw(&srv.server.ws_url(), "mallory", &token, platform::ANDROID, raw_text("mallory", "bob", "dup-1", "twice")).await;
    }
    common::raw_client::send_raw(&srv.server.ws_url(), "mallory", &token, platform::ANDROID, raw_text("mallory", "bob", "after", "3rd")).await;
    let got = bob.events.wait_new_messages(2).await;
    assert_eq!(got.iter().map(|m| (m.client_msg_id.as_str(), m.seq)).collect::<Vec<_>>(), [("dup-1", 1), ("after", 3)]);
    // History ends without asking the server for seq 2 again and again.
    let page = tokio::time::timeout(Duration::from_secs(5), bob.client.get_advanced_history_message_list(conv.clone(), None, 20))
        .await
        .expect("paging ends")
        .unwrap();
    assert_eq!(page.messages.iter().map(|m| (m.client_msg_id.as_str(), m.seq)).collect::<Vec<_>>(), [("dup-1", 1), ("after", 3)]);
    assert!(page.is_end);
    let asked = srv.server.faults().requests_seen(req::PULL_MSG_BY_SEQ_LIST);
    let again = bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
    assert_eq!(again.messages.len(), 2);
    let older = bob.client.get_advanced_history_message_list(conv, Some("dup-1".into()), 20).await.unwrap();
    assert!(older.messages.is_empty() && older.is_end);
    assert_eq!(srv.server.faults().requests_seen(req::PULL_MSG_BY_SEQ_LIST), asked, "every seq is known: nothing to ask the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_stored_twice_in_one_pull_keeps_one_row() {
    // As above, but bob is offline meanwhile: his next login pulls the gaps of both
    // conversations he follows in one batch (messages stored in multi-row statements,
    // conversations written together).
    let srv = TestServer::start().await;
    let token = srv.user("bob").await;
    let mallory = srv.user("mallory").await;
    let carol = srv.user("carol").await;
    let send = |from: &'static str, token: &str, id: &'static str, body: &'static str| {
        let (url, token) = (srv.server.ws_url(), token.to_owned());
        async move { common::raw_client::send_raw(&url, from, &token, platform::ANDROID, raw_text(from, "bob", id, body)).await }
    };
    let bob = srv.online_with("bob", token.clone(), platform::ANDROID, tempfile::tempdir().unwrap()).await;
    send("mallory", &mallory, "m-0", "first").await;
    send("carol", &carol, "c-0", "first").await;
    bob.events.wait_new_messages(2).await;
    bob.client.logout().await.unwrap();
    let dir = bob.dir;

    for _ in 0..2 {
        send("mallory", &mallory, "dup-1", "twice").await;
    }
    send("mallory", &mallory, "after", "4th").await;
    send("carol", &carol, "c-1", "hi").await;
    let bob = srv.online_with("bob", token, platform::ANDROID, dir).await;
    let mut heard: Vec<(String, i64)> = bob.events.new_messages().iter().map(|m| (m.client_msg_id.clone(), m.seq)).collect();
    heard.sort();
    assert_eq!(heard, [("after".into(), 4), ("c-1".into(), 2), ("dup-1".into(), 2)], "each message heard once");
    let conv = conversation_id::single("bob", "mallory");
    let asked = srv.server.faults().requests_seen(req::PULL_MSG_BY_SEQ_LIST);
    let page = bob.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| (m.client_msg_id.as_str(), m.seq)).collect::<Vec<_>>(), [("m-0", 1), ("dup-1", 2), ("after", 4)]);
    assert!(page.is_end);
    assert_eq!(srv.server.faults().requests_seen(req::PULL_MSG_BY_SEQ_LIST), asked, "every seq is known: nothing to ask the server");
    let list = bob.client.get_all_conversation_list().await.unwrap();
    let latest: Vec<(String, String, i32)> = list
        .iter()
        .map(|c| (c.conversation_id.clone(), c.latest_msg.as_ref().map(|m| m.client_msg_id.clone()).unwrap_or_default(), c.unread_count))
        .collect();
    assert_eq!(latest, [(conversation_id::single("bob", "carol"), "c-1".into(), 2), (conv, "after".into(), 4)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_error_after_confirmation_leaves_the_message_sent() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    // The server stores and pushes the message, then answers the send with an error.
    srv.server.faults().fault_replies(req::SEND_MSG, ReplyFault::LateError { code: 500, delay: Duration::from_millis(300) }, 1);
    let m = alice.client.create_text_message("stored anyway".into()).unwrap();
    let sent = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!((sent.status, sent.seq), (MessageStatus::SendSuccess, 1));
    // Still sent once the late error has come and gone; a resend is refused, so no duplicate.
    let after = send(&alice, "bob", "next").await;
    assert_eq!(after.seq, 2);
    let conv = conversation_id::single("alice", "bob");
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| (m.seq, m.status)).collect::<Vec<_>>(), [(1, MessageStatus::SendSuccess), (2, MessageStatus::SendSuccess)]);
    let err = alice.client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 10204);
    let got = bob.events.wait_new_messages(2).await;
    assert_eq!(got.iter().map(text).collect::<Vec<_>>(), ["stored anyway", "next"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_conversation_updates_lose_nothing() {
    let srv = TestServer::start().await;
    let bob = srv.online("bob").await;
    let peers: Vec<String> = (0..20).map(|i| format!("peer{i}")).collect();
    for p in &peers {
        let token = srv.user(p).await;
        common::raw_client::send_raw(&srv.server.ws_url(), p, &token, platform::ANDROID, raw_text(p, "bob", &format!("{p}-1"), "hi")).await;
    }
    bob.events.wait_new_messages(peers.len()).await;
    let ids: Vec<String> = peers.iter().map(|p| conversation_id::single("bob", p)).collect();
    // Pin, set ex and draft every conversation, all at once.
    let mut work = tokio::task::JoinSet::new();
    for id in &ids {
        for update in [
            ConversationUpdate { is_pinned: Some(true), ..Default::default() },
            ConversationUpdate { ex: Some(format!("ex-{id}")), ..Default::default() },
        ] {
            let (client, id) = (bob.client.clone(), id.clone());
            work.spawn(async move { client.set_conversation(id, update).await.map(drop) });
        }
        let (client, id) = (bob.client.clone(), id.clone());
        work.spawn(async move { client.set_conversation_draft(id.clone(), format!("draft-{id}")).await });
    }
    while let Some(done) = work.join_next().await {
        done.unwrap().unwrap();
    }
    for c in bob.client.get_multiple_conversation(ids.clone()).await.unwrap() {
        let id = &c.conversation_id;
        assert!(c.is_pinned, "{id} lost its pin");
        assert_eq!(c.ex, format!("ex-{id}"), "{id} lost its ex");
        assert_eq!(c.draft_text, format!("draft-{id}"), "{id} lost its draft");
        assert_eq!(c.unread_count, 1, "{id} lost its unread count");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_message_is_refused_and_the_connection_stays_up() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let mut rng = fastrand::Rng::with_seed(7);
    let big: String = (0..120_000).map(|_| rng.alphanumeric()).collect();
    let m = alice.client.create_text_message(big).unwrap();
    let err = alice.client.send_message(m.clone(), Some("bob".into()), None, None, false, None).await.unwrap_err();
    assert!(matches!(err, OpenIMError::InvalidArgument { code: 10002, .. }), "{err:?}");
    assert!(err.to_string().contains("51200"), "{err}");
    // Nothing was stored, the connection is the same, and the next message goes through.
    assert!(alice.client.get_all_conversation_list().await.unwrap().is_empty());
    let next = send(&alice, "bob", "small").await;
    assert_eq!(next.seq, 1);
    assert_eq!(text(&bob.events.wait_new_messages(1).await[0]), "small");
    assert_eq!(alice.conn.events(), [Conn::Connecting, Conn::Success]);
}
