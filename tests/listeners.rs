//! The listener registry: several listeners per kind, handles that remove them, the current
//! connection state for late listeners, and listeners that throw, block or lag.

mod common;

use std::sync::{Arc, Mutex};

use common::events::EventRecorder;
use common::*;
use openim_sdk::{AdvancedMsgListener, Message, MessageContent, MessageReceipt, RevokedInfo};

fn text(m: &Message) -> String {
    match &m.content {
        MessageContent::Text { text } => text.clone(),
        other => panic!("not a text message: {other:?}"),
    }
}

async fn send(from: &Online, to: &str, body: &str) {
    let m = from.client.create_text_message(body.into()).unwrap();
    from.client.send_message(m, Some(to.into()), None, None, false, None).await.unwrap();
}

/// An `AdvancedMsgListener` whose `on_recv_new_message` runs `f` first.
struct Custom<F: Fn(&Message) + Send + Sync> {
    f: F,
    seen: EventRecorder,
}

impl<F: Fn(&Message) + Send + Sync> AdvancedMsgListener for Custom<F> {
    fn on_recv_new_message(&self, message: Message) {
        (self.f)(&message);
        self.seen.on_recv_new_message(message)
    }
    fn on_recv_c2c_read_receipt(&self, _: Vec<MessageReceipt>) {}
    fn on_new_recv_message_revoked(&self, _: RevokedInfo) {}
    fn on_recv_offline_new_message(&self, _: Message) {}
    fn on_msg_deleted(&self, _: Message) {}
    fn on_recv_online_only_message(&self, _: Message) {}
}

/// Blocks every callback until released.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: std::sync::Condvar,
}

impl Gate {
    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.changed.wait(open).unwrap();
        }
    }
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_listeners_both_receive_and_a_cancelled_one_nothing_more() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let (first, second) = (Arc::new(EventRecorder::default()), Arc::new(EventRecorder::default()));
    let first_handle = bob.client.add_advanced_msg_listener(first.clone());
    let _second_handle = bob.client.add_advanced_msg_listener(second.clone());
    send(&alice, "bob", "one").await;
    for l in [&first, &second, &bob.events] {
        assert_eq!(l.wait_new_messages(1).await.iter().map(text).collect::<Vec<_>>(), ["one"]);
    }
    first_handle.cancel();
    assert!(first_handle.is_cancelled());
    send(&alice, "bob", "two").await;
    send(&alice, "bob", "three").await;
    assert_eq!(second.wait_new_messages(3).await.len(), 3);
    assert_eq!(bob.events.wait_new_messages(3).await.len(), 3);
    assert_eq!(first.new_messages().len(), 1, "a cancelled listener received more");

    // Dropping a handle removes its listener too.
    let third = Arc::new(EventRecorder::default());
    drop(bob.client.add_advanced_msg_listener(third.clone()));
    send(&alice, "bob", "four").await;
    assert_eq!(second.wait_new_messages(4).await.len(), 4);
    assert!(third.new_messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_listener_added_later_hears_the_current_state_first() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let late = Arc::new(ConnRecorder::default());
    let handle = alice.client.add_conn_listener(late.clone());
    late.wait_count(Conn::Success, 1).await;
    assert_eq!(late.events(), [Conn::Success]);
    // And then every change.
    assert_eq!(srv.server.disconnect_user("alice"), 1);
    late.wait_count(Conn::Success, 2).await;
    assert_eq!(late.events(), [Conn::Success, Conn::Connecting, Conn::Success]);
    // After logout there is no state to tell.
    alice.client.logout().await.unwrap();
    let after = Arc::new(ConnRecorder::default());
    let _h = alice.client.add_conn_listener(after.clone());
    drop(handle);
    // A state would have been queued at registration; only the closed session's end follows.
    send(&srv.online("bob").await, "alice", "nobody listens").await;
    assert!(after.events().is_empty(), "{:?}", after.events());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throwing_and_a_blocking_listener_do_not_stall_the_others() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let (thrown, mut thrown_rx) = tokio::sync::watch::channel(0usize);
    let thrower = Arc::new(Custom {
        f: move |_: &Message| {
            thrown.send_modify(|n| *n += 1);
            panic!("listener bug");
        },
        seen: EventRecorder::default(),
    });
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let blocker = Arc::new(Custom { f: move |_: &Message| g.wait(), seen: EventRecorder::default() });
    let _h1 = bob.client.add_advanced_msg_listener(thrower);
    let _h2 = bob.client.add_advanced_msg_listener(blocker.clone());
    for i in 1..=5 {
        send(&alice, "bob", &format!("m{i}")).await;
    }
    // The plain listener gets everything while one listener throws and another is stuck.
    let got = bob.events.wait_new_messages(5).await;
    assert_eq!(got.iter().map(text).collect::<Vec<_>>(), ["m1", "m2", "m3", "m4", "m5"]);
    assert!(blocker.seen.new_messages().is_empty());
    // Released, the stuck one gets every message, in order.
    gate.release();
    let late = blocker.seen.wait_new_messages(5).await;
    assert_eq!(late.iter().map(text).collect::<Vec<_>>(), ["m1", "m2", "m3", "m4", "m5"]);
    // The throwing listener runs on its own thread: wait (bounded) until it has seen all five.
    let called = tokio::time::timeout(std::time::Duration::from_secs(10), thrown_rx.wait_for(|n| *n == 5)).await.is_ok();
    assert!(called, "the throwing listener was called for every message: {}", *thrown_rx.borrow());
    // The engine was never held up: the session still works.
    assert_eq!(bob.client.get_all_conversation_list().await.unwrap()[0].unread_count, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_too_slow_for_its_queue_slows_delivery_but_loses_nothing() {
    let srv = TestServer::start().await;
    let senders = ["s1", "s2", "s3", "s4"];
    let mut online = Vec::new();
    for s in senders {
        online.push(srv.online(s).await);
    }
    let bob = srv.online("bob").await;
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let slow = Arc::new(Custom { f: move |_: &Message| g.wait(), seen: EventRecorder::default() });
    let _h = bob.client.add_advanced_msg_listener(slow.clone());
    // More messages than the slow listener's queue holds: the engine has to wait for it.
    let per_sender = 400;
    let mut work = tokio::task::JoinSet::new();
    for (s, user) in senders.iter().zip(online.iter()) {
        let client = user.client.clone();
        let s = *s;
        work.spawn(async move {
            for i in 0..per_sender {
                let m = client.create_text_message(format!("{s}-{i}")).unwrap();
                client.send_message(m, Some("bob".into()), None, None, false, None).await.unwrap();
            }
        });
    }
    while let Some(done) = work.join_next().await {
        done.unwrap();
    }
    assert!(slow.seen.new_messages().is_empty());
    gate.release();
    let total = senders.len() * per_sender;
    let got = slow.seen.wait_new_messages(total).await;
    assert_eq!(got.len(), total);
    for s in senders {
        let mine: Vec<String> = got.iter().map(text).filter(|t| t.starts_with(&format!("{s}-"))).collect();
        assert_eq!(mine, (0..per_sender).map(|i| format!("{s}-{i}")).collect::<Vec<_>>(), "lost or reordered");
    }
    assert_eq!(bob.events.wait_new_messages(total).await.len(), total);
}

/// `add_user_listener` and `add_group_listener` (beside the listeners set at login) hear their
/// events while their handles live, and nothing once the handles are dropped, while the set
/// listeners go on hearing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_user_and_group_listeners_hear_until_their_handles_drop() {
    use common::events::Ev;
    use openim_sdk::{CreateGroupParams, GroupInfoUpdate, UserInfoUpdate};
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let _bob = srv.online("bob").await;
    let extra = Arc::new(EventRecorder::default());
    let user_handle = alice.client.add_user_listener(extra.clone());
    let group_handle = alice.client.add_group_listener(extra.clone());
    let rename = |name: &str| UserInfoUpdate { nickname: Some(name.into()), ..Default::default() };
    alice.client.set_self_info(rename("A2")).await.unwrap();
    extra.wait_until("the added user listener", |ev| ev.iter().any(|e| matches!(e, Ev::SelfUpdated(u) if u.nickname == "A2"))).await;
    let g = alice.client.create_group(CreateGroupParams { group_name: "G".into(), member_user_ids: vec!["bob".into()], ..Default::default() }).await.unwrap();
    extra.wait_until("the added group listener", |ev| ev.iter().any(|e| matches!(e, Ev::JoinedGroupAdded(x) if x.group_id == g.group_id))).await;

    drop((user_handle, group_handle));
    let heard = extra.events().len();
    alice.client.set_self_info(rename("A3")).await.unwrap();
    alice.client.set_group_info(g.group_id.clone(), GroupInfoUpdate { group_name: Some("G2".into()), ..Default::default() }).await.unwrap();
    alice.events.wait_until("the set listeners", |ev| {
        ev.iter().any(|e| matches!(e, Ev::SelfUpdated(u) if u.nickname == "A3")) && ev.iter().any(|e| matches!(e, Ev::GroupChanged(x) if x.group_name == "G2"))
    })
    .await;
    assert_eq!(extra.events().len(), heard, "nothing after the handles dropped: {:?}", &extra.events()[heard..]);
}
