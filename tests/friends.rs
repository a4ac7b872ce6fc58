//! Friends, applications, the blacklist, the own profile and presence, end to end.

mod common;

use common::events::Ev;
use common::*;
use openim_devserver::version_kind;
use openim_sdk::{ApplicationState, OpenIMError, SearchFriendsParams, UserInfoUpdate};
use openim_wire::api::path;
use openim_wire::constant::platform;

/// A second device of an already registered user.
async fn second_device(srv: &TestServer, user_id: &str, platform: i32) -> Online {
    let token = srv.admin.user_token(user_id, platform).await.unwrap();
    srv.online_with(user_id, token, platform, tempfile::tempdir().unwrap()).await
}

/// Waits until `online` saw an event `pick` accepts; returns what it picked.
async fn seen<T>(online: &Online, what: &str, pick: impl Fn(&Ev) -> Option<T>) -> T {
    let events = online.events.wait_until(what, |ev| ev.iter().any(|e| pick(e).is_some())).await;
    events.iter().find_map(pick).unwrap()
}

fn friend_ids(list: &[openim_sdk::FriendInfo]) -> Vec<String> {
    list.iter().map(|f| f.friend_user_id.clone()).collect()
}

/// `a` applies to `b`, `b` accepts; both see the friendship.
async fn befriend(a: &Online, a_id: &str, b: &Online, b_id: &str) {
    a.client.add_friend(b_id.into(), "hi".into(), String::new()).await.unwrap();
    seen(b, "the application", |e| matches!(e, Ev::ApplicationAdded(x) if x.from_user_id == a_id).then_some(())).await;
    b.client.accept_friend_application(a_id.into(), "ok".into()).await.unwrap();
    seen(a, "the new friend", |e| matches!(e, Ev::FriendAdded(f) if f.friend_user_id == b_id).then_some(())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_accepted_makes_friends_on_every_device() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = second_device(&srv, "alice", platform::IPAD).await;
    let bob = srv.online("bob").await;
    let bob_tablet = second_device(&srv, "bob", platform::IPAD).await;

    bob.client.add_friend("alice".into(), "let's talk".into(), "ex1".into()).await.unwrap();
    for device in [&alice, &alice_tablet, &bob_tablet] {
        let app = seen(device, "the application", |e| match e {
            Ev::ApplicationAdded(a) => Some(a.clone()),
            _ => None,
        })
        .await;
        assert_eq!((app.from_user_id.as_str(), app.to_user_id.as_str(), app.req_msg.as_str()), ("bob", "alice", "let's talk"));
        assert_eq!((app.state, app.from_nickname.as_str()), (ApplicationState::Pending, "bob nick"));
    }
    let received = alice.client.get_friend_application_list_as_recipient(vec![ApplicationState::Pending], 0, 20).await.unwrap();
    assert_eq!(received.iter().map(|a| a.from_user_id.as_str()).collect::<Vec<_>>(), ["bob"]);
    assert_eq!(alice.client.get_friend_application_unhandled_count(0).await.unwrap(), 1);
    let sent = bob.client.get_friend_application_list_as_applicant(0, 20).await.unwrap();
    assert_eq!(sent.iter().map(|a| a.to_user_id.as_str()).collect::<Vec<_>>(), ["alice"]);

    alice.client.accept_friend_application("bob".into(), "welcome".into()).await.unwrap();
    for (device, friend) in [(&alice, "bob"), (&alice_tablet, "bob"), (&bob, "alice"), (&bob_tablet, "alice")] {
        let added = seen(device, "on_friend_added", |e| match e {
            Ev::FriendAdded(f) => Some(f.clone()),
            _ => None,
        })
        .await;
        assert_eq!(added.friend_user_id, friend);
    }
    seen(&bob, "the acceptance", |e| matches!(e, Ev::ApplicationAccepted(a) if a.state == ApplicationState::Accepted).then_some(())).await;
    assert_eq!(friend_ids(&alice.client.get_friend_list(false).await.unwrap()), ["bob"]);
    assert_eq!(friend_ids(&bob.client.get_friend_list(false).await.unwrap()), ["alice"]);
    let bob_in_alice = &alice.client.get_friend_list(false).await.unwrap()[0];
    assert_eq!((bob_in_alice.nickname.as_str(), bob_in_alice.owner_user_id.as_str()), ("bob nick", "alice"));
    assert_eq!(alice.client.get_friend_application_unhandled_count(0).await.unwrap(), 0);
    let check = alice.client.check_friend(vec!["bob".into(), "nobody".into()]).await.unwrap();
    assert!(check[0].is_friend && check[0].in_my_friends && check[0].in_their_friends);
    assert!(!check[1].is_friend && !check[1].in_my_friends && !check[1].in_their_friends);
    // Then they chat.
    let m = bob.client.create_text_message("now we are friends".into()).unwrap();
    bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap();
    seen(&alice, "bob's message", |e| matches!(e, Ev::NewMsg(m) if m.send_id == "bob" && m.content_type == 101).then_some(())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remarks_pins_and_search() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = second_device(&srv, "alice", platform::IPAD).await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    befriend(&bob, "bob", &alice, "alice").await;
    befriend(&carol, "carol", &alice, "alice").await;
    seen(&alice_tablet, "both friends", |e| matches!(e, Ev::FriendAdded(f) if f.friend_user_id == "carol").then_some(())).await;

    alice.client.set_friend_remark("bob".into(), "Bobby".into()).await.unwrap();
    let changed = seen(&alice_tablet, "the remark", |e| match e {
        Ev::FriendChanged(f) if f.remark == "Bobby" => Some(f.clone()),
        _ => None,
    })
    .await;
    assert_eq!(changed.friend_user_id, "bob");
    alice.client.pin_friends(vec!["carol".into()], true).await.unwrap();
    alice.client.set_friends_ex(vec!["bob".into(), "carol".into()], "x".into()).await.unwrap();
    let list = alice.client.get_friend_list(false).await.unwrap();
    assert_eq!(friend_ids(&list), ["carol", "bob"], "pinned first");
    assert!(list.iter().all(|f| f.ex == "x"));
    let page = alice.client.get_friend_list_page(1, 1, false).await.unwrap();
    assert_eq!(friend_ids(&page), ["bob"]);
    let found = alice
        .client
        .search_friends(SearchFriendsParams { keywords: vec!["bby".into()], search_user_id: false, search_nickname: false, search_remark: true })
        .await
        .unwrap();
    assert_eq!(found.iter().map(|f| (f.friend.friend_user_id.as_str(), f.relationship)).collect::<Vec<_>>(), [("bob", 1)]);
    let specified = alice.client.get_specified_friends_info(vec!["carol".into(), "bob".into()], false).await.unwrap();
    assert_eq!(friend_ids(&specified), ["carol", "bob"], "in the order asked");
    // A chat with bob shows the remark.
    let m = bob.client.create_text_message("hey".into()).unwrap();
    bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap();
    alice.events.wait_new_messages(1).await;
    let conversation = alice.client.get_one_conversation(openim_sdk::model::SessionType::Single, "bob".into()).await.unwrap();
    assert_eq!(conversation.show_name, "Bobby");
    // So it does on a new device, whose first login pulls the chat's newest message (the
    // sender's nickname in it does not replace the remark).
    let alice_desktop = second_device(&srv, "alice", platform::LINUX).await;
    let conversation = alice_desktop.client.get_one_conversation(openim_sdk::model::SessionType::Single, "bob".into()).await.unwrap();
    assert_eq!((conversation.show_name.as_str(), conversation.latest_msg.map(|m| m.sender_nickname)), ("Bobby", Some("bob nick".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_friend_is_one_way() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = second_device(&srv, "alice", platform::IPAD).await;
    let bob = srv.online("bob").await;
    befriend(&bob, "bob", &alice, "alice").await;
    alice.client.delete_friend("bob".into()).await.unwrap();
    for device in [&alice, &alice_tablet] {
        let gone = seen(device, "on_friend_deleted", |e| match e {
            Ev::FriendDeleted(f) => Some(f.clone()),
            _ => None,
        })
        .await;
        assert_eq!(gone.friend_user_id, "bob");
    }
    assert!(alice.client.get_friend_list(false).await.unwrap().is_empty());
    // Bob still has alice (and never hears of a deletion).
    bob.client.set_friend_remark("alice".into(), "still here".into()).await.unwrap();
    assert_eq!(friend_ids(&bob.client.get_friend_list(false).await.unwrap()), ["alice"]);
    assert!(bob.events.events().iter().all(|e| !matches!(e, Ev::FriendDeleted(_))));
    let check = bob.client.check_friend(vec!["alice".into()]).await.unwrap();
    assert!(check[0].in_my_friends && !check[0].in_their_friends);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_sender_is_refused() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = second_device(&srv, "alice", platform::IPAD).await;
    let bob = srv.online("bob").await;
    alice.client.add_black("bob".into(), "spam".into()).await.unwrap();
    for device in [&alice, &alice_tablet] {
        let black = seen(device, "on_black_added", |e| match e {
            Ev::BlackAdded(b) => Some(b.clone()),
            _ => None,
        })
        .await;
        assert_eq!((black.block_user_id.as_str(), black.ex.as_str(), black.nickname.as_str()), ("bob", "spam", "bob nick"));
    }
    assert_eq!(alice.client.get_black_list().await.unwrap().len(), 1);
    let m = bob.client.create_text_message("let me in".into()).unwrap();
    let err = bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 1302, "{err:?}");
    alice.client.remove_black("bob".into()).await.unwrap();
    seen(&alice_tablet, "on_black_deleted", |e| matches!(e, Ev::BlackDeleted(b) if b.block_user_id == "bob").then_some(())).await;
    assert!(alice.client.get_black_list().await.unwrap().is_empty());
    let m = bob.client.create_text_message("thanks".into()).unwrap();
    bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_change_reaches_the_other_device_the_friends_and_everyone() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = second_device(&srv, "alice", platform::IPAD).await;
    let bob = srv.online("bob").await;
    befriend(&bob, "bob", &alice, "alice").await;
    let hi = alice.client.create_text_message("hi".into()).unwrap();
    let hi = alice.client.send_message(hi, Some("bob".into()), None, None, false, None).await.unwrap();
    assert_eq!(hi.sender_nickname, "alice nick");
    bob.events.wait_new_messages(1).await;
    let me = alice.client.set_self_info(UserInfoUpdate { nickname: Some("Alice A.".into()), ..Default::default() }).await.unwrap();
    assert_eq!(me.nickname, "Alice A.");
    let updated = seen(&alice_tablet, "on_self_info_updated", |e| match e {
        Ev::SelfUpdated(u) => Some(u.clone()),
        _ => None,
    })
    .await;
    assert_eq!(updated.nickname, "Alice A.");
    assert_eq!(alice_tablet.client.get_self_user_info().await.unwrap().nickname, "Alice A.");
    assert_eq!(bob.client.get_users_info(vec!["alice".into()]).await.unwrap()[0].nickname, "Alice A.");
    let changed = seen(&bob, "the friend's new name", |e| match e {
        Ev::FriendChanged(f) if f.nickname == "Alice A." => Some(f.clone()),
        _ => None,
    })
    .await;
    assert_eq!(changed.friend_user_id, "alice");
    // Messages already stored show the new name: the friend's on bob's side (and the chat's
    // latest message), the user's own on each of alice's devices.
    let chat = openim_wire::conversation_id::single("alice", "bob");
    // (The chat also holds the friendship notification alice's acceptance sent.)
    let names = |page: openim_sdk::HistoryPage| {
        assert!(page.messages.iter().any(|m| m.client_msg_id == hi.client_msg_id), "{:?}", page.messages);
        page.messages.iter().map(|m| m.sender_nickname.clone()).collect::<std::collections::BTreeSet<_>>()
    };
    let renamed = std::collections::BTreeSet::from(["Alice A.".to_owned()]);
    assert_eq!(names(bob.client.get_advanced_history_message_list(chat.clone(), None, 10).await.unwrap()), renamed);
    let listed = bob.client.get_one_conversation(openim_sdk::model::SessionType::Single, "alice".into()).await.unwrap();
    assert_eq!(listed.latest_msg.map(|m| m.sender_nickname), Some("Alice A.".into()));
    seen(&alice, "alice's own on_self_info_updated", |e| matches!(e, Ev::SelfUpdated(u) if u.nickname == "Alice A.").then_some(())).await;
    for device in [&alice, &alice_tablet] {
        assert_eq!(names(device.client.get_advanced_history_message_list(chat.clone(), None, 10).await.unwrap()), renamed);
    }
    let err = alice.client.set_self_info(UserInfoUpdate { global_recv_msg_opt: Some(7), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.code(), 10002);
    alice.client.set_global_recv_message_opt(2).await.unwrap();
    assert_eq!(alice.client.get_self_user_info().await.unwrap().global_recv_msg_opt, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_while_offline_arrive_at_the_next_login_and_a_new_version_id_resyncs_cleanly() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    let dave = srv.online("dave").await;
    befriend(&bob, "bob", &alice, "alice").await;
    let tablet_token = srv.admin.user_token("alice", platform::IPAD).await.unwrap();
    let tablet_dir = tempfile::tempdir().unwrap();
    let tablet = srv.online_with("alice", tablet_token, platform::IPAD, tablet_dir).await;
    seen(&tablet, "bob on the tablet", |e| matches!(e, Ev::FriendAdded(f) if f.friend_user_id == "bob").then_some(())).await;
    // Carol, not yet a friend, writes first: the tablet has her chat under her nickname.
    let hi = carol.client.create_text_message("hi alice".into()).unwrap();
    carol.client.send_message(hi, Some("alice".into()), None, None, false, None).await.unwrap();
    tablet.events.wait_until("carol's message", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.send_id == "carol"))).await;
    let carol_chat = openim_wire::conversation_id::single("alice", "carol");
    let chat_name = |list: Vec<openim_sdk::Conversation>| list.into_iter().find(|c| c.conversation_id == carol_chat).map(|c| c.show_name);
    assert_eq!(chat_name(tablet.client.get_all_conversation_list().await.unwrap()).as_deref(), Some("carol nick"));
    tablet.client.logout().await.unwrap();
    let Online { client: tablet_client, conn: tablet_conn, dir: tablet_dir, .. } = tablet;

    // While the tablet is away: a new friend, a remark, a deletion, a block.
    befriend(&carol, "carol", &alice, "alice").await;
    befriend(&dave, "dave", &alice, "alice").await;
    alice.client.set_friend_remark("carol".into(), "Caz".into()).await.unwrap();
    alice.client.delete_friend("dave".into()).await.unwrap();
    alice.client.add_black("dave".into(), String::new()).await.unwrap();

    let events = std::sync::Arc::new(common::events::EventRecorder::default());
    let _h = tablet_client.add_friend_listener(events.clone());
    let token = srv.admin.user_token("alice", platform::IPAD).await.unwrap();
    let full_before = srv.server.faults().rest_calls_seen(path::GET_FULL_FRIEND_USER_IDS);
    tablet_client.login("alice".into(), token).await.unwrap();
    tablet_conn.wait_count(Conn::Success, 2).await;
    let got = events
        .wait_until("the offline changes", |ev| {
            ev.iter().any(|e| matches!(e, Ev::FriendAdded(f) if f.friend_user_id == "carol" && f.remark == "Caz"))
                && ev.iter().any(|e| matches!(e, Ev::BlackAdded(b) if b.block_user_id == "dave"))
        })
        .await;
    assert_eq!(srv.server.faults().rest_calls_seen(path::GET_FULL_FRIEND_USER_IDS), full_before, "an increment");
    // Dave came and went while the tablet was away: no event about him, bob untouched.
    assert!(got.iter().all(|e| !matches!(e, Ev::FriendAdded(f) | Ev::FriendDeleted(f) | Ev::FriendChanged(f) if f.friend_user_id != "carol")), "{got:#?}");
    assert_eq!(friend_ids(&tablet_client.get_friend_list(false).await.unwrap()), ["bob", "carol"]);
    // Carol's chat, stored before she was a friend, now carries the remark.
    assert_eq!(chat_name(tablet_client.get_all_conversation_list().await.unwrap()).as_deref(), Some("Caz"));

    // The server starts alice's friend log over: the next sync is full, and reports only the
    // friend that really changed.
    srv.server.reset_version_log(version_kind::FRIEND, "alice").await.unwrap();
    let mark = events.events().len();
    alice.client.set_friend_remark("bob".into(), "B".into()).await.unwrap();
    let after = events.wait_until("the remark", |ev| ev[mark..].iter().any(|e| matches!(e, Ev::FriendChanged(f) if f.remark == "B"))).await;
    assert!(srv.server.faults().rest_calls_seen(path::GET_FULL_FRIEND_USER_IDS) > full_before, "a full sync");
    let reported: Vec<&Ev> = after[mark..].iter().filter(|e| matches!(e, Ev::FriendAdded(_) | Ev::FriendDeleted(_) | Ev::FriendChanged(_))).collect();
    assert_eq!(reported.len(), 1, "{reported:#?}");
    drop(tablet_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_requests_carry_openims_codes() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let code = |e: OpenIMError| e.code();
    assert_eq!(code(alice.client.add_friend("alice".into(), String::new(), String::new()).await.unwrap_err()), 1301);
    assert_eq!(code(alice.client.add_friend("nobody".into(), String::new(), String::new()).await.unwrap_err()), 1004);
    assert_eq!(code(alice.client.add_friend(String::new(), String::new(), String::new()).await.unwrap_err()), 10002);
    assert_eq!(code(alice.client.set_friend_remark("bob".into(), "x".into()).await.unwrap_err()), 1004, "not a friend");
    assert_eq!(code(alice.client.accept_friend_application("bob".into(), String::new()).await.unwrap_err()), 1004, "no application");
    bob.client.add_friend("alice".into(), String::new(), String::new()).await.unwrap();
    alice.client.refuse_friend_application("bob".into(), "no".into()).await.unwrap();
    seen(&bob, "the refusal", |e| matches!(e, Ev::ApplicationRejected(a) if a.handle_msg == "no").then_some(())).await;
    assert_eq!(code(alice.client.refuse_friend_application("bob".into(), String::new()).await.unwrap_err()), 1305);
    assert_eq!(code(alice.client.accept_friend_application("bob".into(), String::new()).await.unwrap_err()), 1001);
    assert_eq!(code(alice.client.check_friend(vec![]).await.unwrap_err()), 10002);
    assert_eq!(code(alice.client.get_friend_application_list_as_recipient(vec![], -1, 10).await.unwrap_err()), 10002);
    assert_eq!(code(alice.client.pin_friends(vec!["bob".into(), "bob".into()], true).await.unwrap_err()), 10002);
    // Friends again after all: the refused one may apply anew.
    befriend(&bob, "bob", &alice, "alice").await;
    assert_eq!(code(bob.client.add_friend("alice".into(), String::new(), String::new()).await.unwrap_err()), 1304);
    // A list with one who is no friend is refused whole, before anything is sent (OpenIM's server
    // would pin the friend and say nothing of the other).
    assert_eq!(code(alice.client.pin_friends(vec!["bob".into(), "nobody".into()], true).await.unwrap_err()), 1004);
    let bobs = alice.client.get_specified_friends_info(vec!["bob".into()], false).await.unwrap();
    assert!(!bobs[0].is_pinned, "nothing was sent");
    let on_server: serde_json::Value =
        srv.admin.post(path::GET_FRIEND_LIST, &serde_json::json!({"userID":"alice","pagination":{"pageNumber":1,"showNumber":10}})).await.unwrap();
    assert_eq!(on_server["friendsInfo"][0]["isPinned"], false, "{on_server}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn friendship_can_be_required_to_send() {
    let srv = TestServer::start_with(openim_devserver::DevServerConfig { friend_verify: true, ..Default::default() }).await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let m = bob.client.create_text_message("stranger".into()).unwrap();
    let err = bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap_err();
    assert_eq!(err.code(), 1303, "{err:?}");
    befriend(&bob, "bob", &alice, "alice").await;
    let m = bob.client.create_text_message("friend".into()).unwrap();
    bob.client.send_message(m, Some("alice".into()), None, None, false, None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_of_followed_users() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob_token = srv.user("bob").await;
    let statuses = alice.client.subscribe_users_status(vec!["bob".into()]).await.unwrap();
    assert_eq!((statuses[0].user_id.as_str(), statuses[0].status), ("bob", 0));
    let bob = srv.online_with("bob", bob_token, platform::ANDROID, tempfile::tempdir().unwrap()).await;
    let online = seen(&alice, "bob online", |e| match e {
        Ev::Status(s) if s.status == 1 => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!((online.user_id.as_str(), online.platform_ids.as_slice()), ("bob", [platform::ANDROID].as_slice()));
    assert_eq!(alice.client.get_subscribe_users_status().await.unwrap()[0].status, 1);
    // Followed across a reconnect of alice's own connection.
    assert_eq!(srv.server.disconnect_user("alice"), 1);
    alice.conn.wait_count(Conn::Success, 2).await;
    // Answered on the new connection, so the subscription is in place there.
    assert_eq!(alice.client.get_subscribe_users_status().await.unwrap()[0].status, 1);
    let mark = alice.events.events().len();
    bob.client.logout().await.unwrap();
    alice.events.wait_until("bob offline", |ev| ev[mark..].iter().any(|e| matches!(e, Ev::Status(s) if s.status == 0))).await;
    alice.client.unsubscribe_users_status(vec!["bob".into()]).await.unwrap();
    assert!(alice.client.get_subscribe_users_status().await.unwrap().is_empty());
    // OpenIM's GetUserStatus answers and follows, as its core does.
    let bob = srv.online_with("bob", srv.admin.user_token("bob", platform::IOS).await.unwrap(), platform::IOS, tempfile::tempdir().unwrap()).await;
    let mark = alice.events.events().len();
    let now = alice.client.get_user_status(vec!["bob".into()]).await.unwrap();
    assert_eq!((now[0].user_id.as_str(), now[0].status, now[0].platform_ids.as_slice()), ("bob", 1, [platform::IOS].as_slice()));
    assert_eq!(alice.client.get_subscribe_users_status().await.unwrap().len(), 1, "followed");
    bob.client.logout().await.unwrap();
    alice.events.wait_until("bob offline again", |ev| ev[mark..].iter().any(|e| matches!(e, Ev::Status(s) if s.status == 0))).await;
    let empty = alice.client.get_user_status(Vec::new()).await.unwrap_err();
    assert_eq!(empty.code(), 10002, "{empty}");
}
