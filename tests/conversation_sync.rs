//! Conversations kept in step with the server by the versioned incremental sync.

mod common;

use common::events::Ev;
use common::*;
use openim_devserver::version_kind;
use openim_sdk::{Conversation, ConversationUpdate};
use openim_wire::api::path;
use openim_wire::constant::platform;
use openim_wire::conversation_id;

async fn send(from: &Online, to: &str, body: &str) {
    let m = from.client.create_text_message(body.into()).unwrap();
    from.client.send_message(m, Some(to.into()), None, None, false, None).await.unwrap();
}

fn changed(events: &[Ev]) -> Vec<Conversation> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::ConversationsChanged(list) => Some(list.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_on_another_device_while_offline_arrive_at_the_next_login() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let carol = srv.online("carol").await;
    let phone_token = srv.user("bob").await;
    let phone_dir = tempfile::tempdir().unwrap();
    let phone = srv.online_with("bob", phone_token, platform::ANDROID, phone_dir).await;
    send(&alice, "bob", "hi from alice").await;
    send(&carol, "bob", "hi from carol").await;
    phone.events.wait_new_messages(2).await;
    let (with_alice, with_carol) = (conversation_id::single("alice", "bob"), conversation_id::single("bob", "carol"));
    // The first sync of a new device took the whole list.
    assert!(srv.server.faults().rest_calls_seen(path::GET_FULL_CONVERSATION_IDS) >= 1);
    phone.client.logout().await.unwrap();
    let Online { client: phone_client, conn: phone_conn, dir: phone_dir, .. } = phone;

    // Meanwhile bob's tablet pins one conversation and mutes the other.
    let tablet_token = srv.admin.user_token("bob", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("bob", tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    tablet.client.set_conversation(with_alice.clone(), ConversationUpdate { is_pinned: Some(true), ..Default::default() }).await.unwrap();
    tablet
        .client
        .set_conversation(with_carol.clone(), ConversationUpdate { recv_msg_opt: Some(2), ex: Some("quiet".into()), ..Default::default() })
        .await
        .unwrap();

    // Back on the phone: the changes come as an increment, reported as changed conversations.
    let full_before = srv.server.faults().rest_calls_seen(path::GET_FULL_CONVERSATION_IDS);
    let events = std::sync::Arc::new(common::events::EventRecorder::default());
    let _h = phone_client.add_conversation_listener(events.clone());
    let token = srv.admin.user_token("bob", platform::ANDROID).await.unwrap();
    phone_client.login("bob".into(), token).await.unwrap();
    phone_conn.wait_count(Conn::Success, 2).await;
    let seen = events
        .wait_until("both changes", |ev| {
            let c = changed(ev);
            c.iter().any(|c| c.conversation_id == with_alice && c.is_pinned)
                && c.iter().any(|c| c.conversation_id == with_carol && c.recv_msg_opt == 2 && c.ex == "quiet")
        })
        .await;
    assert_eq!(srv.server.faults().rest_calls_seen(path::GET_FULL_CONVERSATION_IDS), full_before, "an increment, not a full sync");
    assert!(seen.iter().all(|e| !matches!(e, Ev::NewConversations(_))), "{seen:#?}");
    let list = phone_client.get_all_conversation_list().await.unwrap();
    assert_eq!(list[0].conversation_id, with_alice, "pinned first");
    assert_eq!(phone_client.get_total_unread_msg_count().await.unwrap(), 1, "the muted conversation leaves the total");
    drop(phone_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_change_on_another_device_is_synced_at_once() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let phone = srv.online("bob").await;
    let tablet_token = srv.admin.user_token("bob", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("bob", tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    send(&alice, "bob", "hello").await;
    phone.events.wait_new_messages(1).await;
    tablet.events.wait_new_messages(1).await;
    let conv = conversation_id::single("alice", "bob");
    tablet.client.set_conversation(conv.clone(), ConversationUpdate { is_private_chat: Some(true), ..Default::default() }).await.unwrap();
    phone
        .events
        .wait_until("the private flag", |ev| changed(ev).iter().any(|c| c.conversation_id == conv && c.is_private_chat))
        .await;
    assert!(phone.client.get_multiple_conversation(vec![conv.clone()]).await.unwrap()[0].is_private_chat);
    // The peer hears of it too (1701), and the server holds the flag for the peer as well (as
    // OpenIM's SyncPeerUserPrivateConversationTx): the sync that follows the notification keeps
    // it, and a new device of the peer's gets it.
    alice.events.wait_until("the peer's private flag", |ev| changed(ev).iter().any(|c| c.conversation_id == conv && c.is_private_chat)).await;
    let alice_tablet_token = srv.admin.user_token("alice", platform::IPAD).await.unwrap();
    let alice_tablet = srv.online_with("alice", alice_tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    assert!(alice_tablet.client.get_multiple_conversation(vec![conv.clone()]).await.unwrap()[0].is_private_chat);
    assert!(alice.client.get_multiple_conversation(vec![conv]).await.unwrap()[0].is_private_chat);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_id_means_a_full_resync_without_spurious_callbacks() {
    let srv = TestServer::start().await;
    let peers = ["p1", "p2", "p3"];
    let bob = srv.online("bob").await;
    for p in peers {
        let user = srv.online(p).await;
        send(&user, "bob", "hi").await;
    }
    bob.events.wait_new_messages(peers.len()).await;
    // Make sure bob holds a version of his list.
    let tablet_token = srv.admin.user_token("bob", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("bob", tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    let target = conversation_id::single("bob", "p2");
    tablet.client.set_conversation(target.clone(), ConversationUpdate { ex: Some("one".into()), ..Default::default() }).await.unwrap();
    bob.events.wait_until("the first change", |ev| changed(ev).iter().any(|c| c.ex == "one")).await;

    // The server starts its log over; the next change makes bob sync everything again.
    srv.server.reset_version_log(version_kind::CONVERSATION, "bob").await.unwrap();
    let full_before = srv.server.faults().rest_calls_seen(path::GET_FULL_CONVERSATION_IDS);
    let mark = bob.events.events().len();
    tablet.client.set_conversation(target.clone(), ConversationUpdate { ex: Some("two".into()), ..Default::default() }).await.unwrap();
    let events = bob.events.wait_until("the second change", |ev| changed(&ev[mark..]).iter().any(|c| c.ex == "two")).await;
    assert!(srv.server.faults().rest_calls_seen(path::GET_FULL_CONVERSATION_IDS) > full_before, "a full sync");
    // Only the conversation that changed is reported, once.
    let reported = changed(&events[mark..]);
    assert_eq!(reported.iter().map(|c| c.conversation_id.as_str()).collect::<Vec<_>>(), [target.as_str()], "{reported:#?}");
    assert!(events[mark..].iter().all(|e| !matches!(e, Ev::NewConversations(_))));
    assert_eq!(bob.client.get_all_conversation_list().await.unwrap().len(), peers.len());
}

/// Self-destructing messages (OpenIM's `isMsgDestruct` / `msgDestructTime`): bob turns them on
/// for his chat with alice on his phone. Once its messages are older than that (devserver looks
/// every 100 ms), the server hides them from bob and his devices drop them: history, search by
/// ID, the unread count and the latest message, each reported deleted. Alice keeps hers; a device that logs in later
/// never gets them; turned off, new messages stay. A time of 0 is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_destructing_messages_leave_every_device_of_their_user() {
    let srv = TestServer::start_with(openim_devserver::DevServerConfig {
        msg_destruct_interval: std::time::Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    let alice = srv.online("alice").await;
    let phone = srv.online("bob").await;
    let tablet_token = srv.admin.user_token("bob", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("bob", tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    let conv = conversation_id::single("alice", "bob");
    send(&alice, "bob", "one").await;
    send(&alice, "bob", "two").await;
    let own = phone.client.create_text_message("three".into()).unwrap();
    phone.client.send_message(own.clone(), Some("alice".into()), None, None, false, None).await.unwrap();
    let ids: Vec<String> = phone.events.wait_new_messages(2).await.into_iter().map(|m| m.client_msg_id).chain([own.client_msg_id]).collect();
    tablet.events.wait_until("the three messages", |ev| changed(ev).iter().any(|c| c.conversation_id == conv && c.max_seq == 3)).await;
    assert_eq!(phone.client.get_total_unread_msg_count().await.unwrap(), 2);

    let zero = ConversationUpdate { is_msg_destruct: Some(true), msg_destruct_time: Some(0), ..Default::default() };
    assert_eq!(phone.client.set_conversation(conv.clone(), zero).await.unwrap_err().code(), 10002);
    // On, for an hour: both devices hear it. The tablet then goes away, and a second is set.
    let hour = ConversationUpdate { is_msg_destruct: Some(true), msg_destruct_time: Some(3600), ..Default::default() };
    let set = phone.client.set_conversation(conv.clone(), hour).await.unwrap();
    assert_eq!((set.is_msg_destruct, set.msg_destruct_time), (true, 3600));
    tablet.events.wait_until("destruct on", |ev| changed(ev).iter().any(|c| c.conversation_id == conv && c.is_msg_destruct)).await;
    tablet.client.logout().await.unwrap();
    let second = ConversationUpdate { msg_destruct_time: Some(1), ..Default::default() };
    phone.client.set_conversation(conv.clone(), second).await.unwrap();

    let gone = |device: &Online, ids: Vec<String>| {
        let (client, conv) = (device.client.clone(), conv.clone());
        async move {
            let page = client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
            assert!(page.messages.is_empty() && page.is_end, "{:?}", page.messages);
            assert!(client.find_message_list(conv.clone(), ids).await.unwrap().is_empty());
            assert_eq!(client.get_total_unread_msg_count().await.unwrap(), 0);
            let c = &client.get_multiple_conversation(vec![conv]).await.unwrap()[0];
            assert_eq!((c.min_seq, c.latest_msg.is_none(), c.unread_count), (4, true, 0));
            c.clone()
        }
    };
    phone
        .events
        .wait_until("the messages destructed", |ev| {
            changed(ev).iter().any(|c| c.conversation_id == conv && c.min_seq == 4 && c.latest_msg.is_none() && c.unread_count == 0)
        })
        .await;
    let c = gone(&phone, ids.clone()).await;
    assert_eq!((c.is_msg_destruct, c.msg_destruct_time), (true, 1));
    // Each is reported deleted once, so that an open chat drops it.
    let events = phone.events.wait_until("the deletions", |ev| ev.iter().filter(|e| matches!(e, Ev::Deleted(_))).count() >= 3).await;
    let mut deleted: Vec<String> = events.iter().filter_map(|e| if let Ev::Deleted(m) = e { Some(m.client_msg_id.clone()) } else { None }).collect();
    deleted.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(deleted, want);
    let hers = alice.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap().messages;
    assert_eq!(hers.len(), 3, "the peer keeps the chat");

    // Turned off before the tablet is back: it still drops what the server destructed.
    let off = ConversationUpdate { is_msg_destruct: Some(false), ..Default::default() };
    phone.client.set_conversation(conv.clone(), off).await.unwrap();
    let token = srv.admin.user_token("bob", platform::IPAD).await.unwrap();
    tablet.client.login("bob".into(), token).await.unwrap();
    tablet.events.wait_until("the floor synced", |ev| changed(ev).iter().any(|c| c.conversation_id == conv && c.min_seq == 4)).await;
    let c = gone(&tablet, ids.clone()).await;
    assert!(!c.is_msg_destruct);

    // Off: a new message stays, and is all a new device of bob's sees. The clock: bob's chat
    // with carol, destruct on after "after" was sent, loses "tick" — by then "after" was older
    // than a second too.
    send(&alice, "bob", "after").await;
    phone.events.wait_new_messages(3).await;
    let carol = srv.online("carol").await;
    send(&carol, "bob", "tick").await;
    phone.events.wait_new_messages(4).await;
    let with_carol = conversation_id::single("bob", "carol");
    let on = ConversationUpdate { is_msg_destruct: Some(true), msg_destruct_time: Some(1), ..Default::default() };
    phone.client.set_conversation(with_carol.clone(), on).await.unwrap();
    phone.events.wait_until("the clock chat destructed", |ev| changed(ev).iter().any(|c| c.conversation_id == with_carol && c.min_seq == 2)).await;
    assert_eq!(phone.client.get_multiple_conversation(vec![conv.clone()]).await.unwrap()[0].min_seq, 4);
    let laptop_token = srv.admin.user_token("bob", platform::OSX).await.unwrap();
    let laptop = srv.online_with("bob", laptop_token, platform::OSX, tempfile::tempdir().unwrap()).await;
    for device in [&phone, &laptop] {
        let page = device.client.get_advanced_history_message_list(conv.clone(), None, 20).await.unwrap();
        let texts: Vec<_> = page.messages.iter().map(|m| format!("{:?}", m.content)).collect();
        assert_eq!(page.messages.len(), 1, "{texts:?}");
        assert!(texts[0].contains("after"), "{texts:?}");
        assert!(page.is_end);
    }
}
