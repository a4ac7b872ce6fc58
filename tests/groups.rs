//! Groups, members and applications end to end: every member's devices follow every change,
//! offline ones at their next login, and the server's rules come back as typed errors.

mod common;

use common::events::Ev;
use common::*;
use openim_sdk::{
    ApplicationState, ConversationUpdate, CreateGroupParams, GroupInfoUpdate, GroupMemberFilter, GroupMemberUpdate, GroupRole, GroupVerification, OpenIMError,
    SearchGroupMembersParams,
};
use openim_wire::api::path;
use openim_wire::constant::platform;

/// Waits until `online` saw an event `pick` accepts; returns what it picked.
async fn seen<T>(online: &Online, what: &str, pick: impl Fn(&Ev) -> Option<T>) -> T {
    let events = online.events.wait_until(what, |ev| ev.iter().any(|e| pick(e).is_some())).await;
    events.iter().find_map(pick).unwrap()
}

fn group(name: &str, members: &[&str], admins: &[&str]) -> CreateGroupParams {
    CreateGroupParams {
        group_name: name.into(),
        member_user_ids: members.iter().map(|s| s.to_string()).collect(),
        admin_user_ids: admins.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn ids(members: &[openim_sdk::GroupMember]) -> Vec<String> {
    members.iter().map(|m| m.user_id.clone()).collect()
}

async fn send_text(from: &Online, group_id: &str, text: &str) -> Result<openim_sdk::Message, OpenIMError> {
    let m = from.client.create_text_message(text.into()).unwrap();
    from.client.send_message(m, None, Some(group_id.into()), None, false, None).await
}

fn code(e: OpenIMError) -> i32 {
    e.code()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_group_reaches_every_member_device_and_chat() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let alice_tablet = srv.online_with("alice", srv.admin.user_token("alice", platform::IPAD).await.unwrap(), platform::IPAD, tempfile::tempdir().unwrap()).await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;

    let g = alice.client.create_group(group("Hikers", &["bob", "carol"], &["bob"])).await.unwrap();
    assert_eq!((g.group_name.as_str(), g.owner_user_id.as_str(), g.member_count), ("Hikers", "alice", 3));
    assert!(g.group_id.bytes().all(|b| b.is_ascii_digit()));
    for device in [&alice, &alice_tablet, &bob, &carol] {
        let added = seen(device, "on_joined_group_added", |e| match e {
            Ev::JoinedGroupAdded(x) => Some(x.clone()),
            _ => None,
        })
        .await;
        assert_eq!(added.group_id, g.group_id);
    }
    // The first listing of a group is told by on_joined_group_added alone.
    assert!(!carol.events.events().iter().any(|e| matches!(e, Ev::MemberAdded(_))));
    let members = carol.client.get_group_member_list(g.group_id.clone(), GroupMemberFilter::All, 0, 50).await.unwrap();
    assert_eq!(ids(&members), ["alice", "bob", "carol"]);
    assert_eq!(members.iter().map(|m| m.role).collect::<Vec<_>>(), [GroupRole::Owner, GroupRole::Admin, GroupRole::Member]);
    assert_eq!(members[2].nickname, "carol nick");
    let admins = carol.client.get_group_member_list(g.group_id.clone(), GroupMemberFilter::OwnerAndAdmins, 0, 50).await.unwrap();
    assert_eq!(ids(&admins), ["alice", "bob"]);
    // Pages of the list, whole and filtered (read in order from the store's index).
    let page = |filter, offset, count| carol.client.get_group_member_list(g.group_id.clone(), filter, offset, count);
    assert_eq!(ids(&page(GroupMemberFilter::All, 1, 1).await.unwrap()), ["bob"]);
    assert_eq!(ids(&page(GroupMemberFilter::All, 2, 5).await.unwrap()), ["carol"]);
    assert!(page(GroupMemberFilter::All, 3, 5).await.unwrap().is_empty());
    assert_eq!(ids(&page(GroupMemberFilter::AdminsAndMembers, 0, 5).await.unwrap()), ["bob", "carol"]);
    assert_eq!(ids(&page(GroupMemberFilter::Members, 0, 5).await.unwrap()), ["carol"]);
    assert_eq!(ids(&page(GroupMemberFilter::Owner, 0, 5).await.unwrap()), ["alice"]);
    assert_eq!(ids(&page(GroupMemberFilter::OwnerAndAdmins, 1, 5).await.unwrap()), ["bob"]);
    assert!(carol.client.is_join_group(g.group_id.clone()).await.unwrap());
    assert_eq!(carol.client.get_users_in_group(g.group_id.clone(), vec!["dave".into(), "bob".into()]).await.unwrap(), ["bob"]);

    // The group chat: named after the group, the creation notice first, then messages.
    let sent = send_text(&alice, &g.group_id, "hello hikers").await.unwrap();
    assert!(sent.seq > 1, "after the creation notice");
    let got = seen(&bob, "alice's group message", |e| match e {
        Ev::NewMsg(m) if m.content_type == 101 => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((got.group_id.as_str(), got.session_type, got.conversation_id.clone()), (g.group_id.as_str(), 3, format!("sg_{}", g.group_id)));
    let chat = bob.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap();
    // The creation notice counts as unread, as OpenIM's isSendMsg copies do.
    assert_eq!((chat.show_name.as_str(), chat.unread_count), ("Hikers", 2));

    // Messages reach every member once each, in order, and the sender's other devices.
    let texts: Vec<String> = (0..5).map(|i| format!("m{i}")).collect();
    for t in &texts {
        send_text(&alice, &g.group_id, t).await.unwrap();
    }
    for device in [&alice_tablet, &bob, &carol] {
        let got = device
            .events
            .wait_until("five more", |ev| ev.iter().filter(|e| matches!(e, Ev::NewMsg(m) if m.content_type == 101)).count() >= 6)
            .await;
        let seen: Vec<String> = got
            .iter()
            .filter_map(|e| match e {
                Ev::NewMsg(m) if m.content_type == 101 => match &m.content {
                    openim_sdk::MessageContent::Text { text } => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(seen[1..], texts[..], "once each, in order");
    }

    // carol mentions bob: only bob's chat says @me; then @all makes it @all+@me.
    let at = carol.client.create_text_at_message("look".into(), vec!["bob".into()], vec![], None).unwrap();
    carol.client.send_message(at, None, Some(g.group_id.clone()), None, false, None).await.unwrap();
    let at_type = |o: &Online| {
        let (client, gid) = (o.client.clone(), g.group_id.clone());
        async move { client.get_one_conversation(openim_sdk::model::SessionType::Group, gid).await.unwrap().group_at_type }
    };
    bob.events.wait_until("@bob", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(|c| c.group_at_type == 1)))).await;
    alice.events.wait_until("carol's mention", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.content_type == 106))).await;
    assert_eq!(at_type(&alice).await, 0, "alice was not mentioned");
    assert_eq!(carol.client.get_at_all_tag(), "AtAllTag");
    let at = carol.client.create_text_at_message("all".into(), vec![carol.client.get_at_all_tag()], vec![], None).unwrap();
    carol.client.send_message(at, None, Some(g.group_id.clone()), None, false, None).await.unwrap();
    bob.events.wait_until("@all and @bob", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(|c| c.group_at_type == 3)))).await;
    alice.events
        .wait_until("@all", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(|c| c.group_at_type == 2))))
        .await;
    // devserver marked the mentioned records as OpenIM's server does (for the official clients);
    // alice clears hers without reading the chat: here and on the server.
    let sg = format!("sg_{}", g.group_id);
    let server_mark = |user: &'static str| {
        let (admin, sg) = (&srv.admin, sg.clone());
        async move {
            let r: serde_json::Value =
                admin.post(path::GET_CONVERSATIONS, &serde_json::json!({"ownerUserID":user,"conversationIDs":[sg]})).await.unwrap();
            r["conversations"][0]["groupAtType"].as_i64()
        }
    };
    // (Each mention sets the server's mark anew: bob's @me gave way to @all there, where this SDK
    // keeps both, 3, until bob reads the chat.)
    assert_eq!((server_mark("alice").await, server_mark("bob").await, server_mark("carol").await), (Some(2), Some(2), Some(0)));
    let bad = ConversationUpdate { group_at_type: Some(5), ..Default::default() };
    assert_eq!(alice.client.set_conversation(sg.clone(), bad).await.unwrap_err().code(), 10002);
    let marked = |c: &openim_sdk::Conversation| c.conversation_id == sg && c.group_at_type == 2;
    alice_tablet.events.wait_until("@all on the tablet", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(marked)))).await;
    let tablet_seen = alice_tablet.events.events().len();
    let clear = ConversationUpdate { group_at_type: Some(0), ..Default::default() };
    let cleared = alice.client.set_conversation(sg.clone(), clear).await.unwrap();
    assert!(cleared.group_at_type == 0 && cleared.unread_count > 0, "cleared, still unread: {cleared:?}");
    assert_eq!(server_mark("alice").await, Some(0));
    // Alice's tablet had the mark too (from the message, and from the server's record); the
    // clear reaches it through the server's record, the chat still unread there.
    alice_tablet
        .events
        .wait_until("the clear from alice's phone", |ev| {
            ev[tablet_seen..]
                .iter()
                .any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(|c| c.conversation_id == sg && c.group_at_type == 0 && c.unread_count > 0)))
        })
        .await;
    // Read state is each member's own.
    bob.client.mark_conversation_message_as_read(format!("sg_{}", g.group_id)).await.unwrap();
    let bobs = bob.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap();
    assert_eq!((bobs.unread_count, bobs.group_at_type), (0, 0));
    assert!(carol.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap().unread_count > 0);

    // A new name reaches everyone, and renames the chat.
    alice.client.set_group_info(g.group_id.clone(), GroupInfoUpdate { group_name: Some("Climbers".into()), ..Default::default() }).await.unwrap();
    for device in [&alice_tablet, &bob, &carol] {
        seen(device, "the new name", |e| matches!(e, Ev::GroupChanged(x) if x.group_name == "Climbers").then_some(())).await;
    }
    bob.events
        .wait_until("the chat renamed", |ev| ev.iter().any(|e| matches!(e, Ev::ConversationsChanged(c) if c.iter().any(|c| c.show_name == "Climbers"))))
        .await;
    let found = bob
        .client
        .search_group_members(SearchGroupMembersParams {
            group_id: g.group_id.clone(),
            keywords: vec!["car".into()],
            search_user_id: true,
            search_nickname: true,
            offset: 0,
            count: 10,
        })
        .await
        .unwrap();
    assert_eq!(ids(&found), ["carol"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_invitations_and_departures() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let dave = srv.online("dave").await;
    let erin = srv.online("erin").await;
    let g = alice.client.create_group(group("Club", &["bob"], &["bob"])).await.unwrap();
    let gid = g.group_id.clone();
    seen(&bob, "the group", |e| matches!(e, Ev::JoinedGroupAdded(_)).then_some(())).await;
    send_text(&alice, &gid, "before dave").await.unwrap();

    // dave applies; both managers hear of it; alice accepts.
    dave.client.join_group(gid.clone(), "let me in".into(), 3, String::new()).await.unwrap();
    assert!(!dave.client.is_join_group(gid.clone()).await.unwrap(), "waiting for approval");
    for manager in [&alice, &bob] {
        let app = seen(manager, "dave's application", |e| match e {
            Ev::GroupApplicationAdded(a) => Some(a.clone()),
            _ => None,
        })
        .await;
        assert_eq!((app.user_id.as_str(), app.group_id.as_str(), app.req_msg.as_str(), app.nickname.as_str()), ("dave", gid.as_str(), "let me in", "dave nick"));
    }
    assert_eq!(alice.client.get_group_application_unhandled_count(0).await.unwrap(), 1);
    let pending = bob.client.get_group_application_list_as_recipient(vec![ApplicationState::Pending], 0, 20).await.unwrap();
    assert_eq!(pending.iter().map(|a| a.user_id.as_str()).collect::<Vec<_>>(), ["dave"]);
    let mine = dave.client.get_group_application_list_as_applicant(vec![], 0, 20).await.unwrap();
    assert_eq!((mine.len(), mine[0].state), (1, ApplicationState::Pending));
    alice.client.accept_group_application(gid.clone(), "dave".into(), "welcome".into()).await.unwrap();
    seen(&dave, "accepted", |e| matches!(e, Ev::GroupApplicationAccepted(a) if a.handle_msg == "welcome").then_some(())).await;
    seen(&dave, "in the group", |e| matches!(e, Ev::JoinedGroupAdded(x) if x.group_id == gid).then_some(())).await;
    seen(&bob, "dave joined", |e| matches!(e, Ev::MemberAdded(m) if m.user_id == "dave").then_some(())).await;
    let err = alice.client.accept_group_application(gid.clone(), "dave".into(), String::new()).await.unwrap_err();
    assert_eq!(code(err), 1206, "handled already");
    // dave sees only what was said since he joined (once his device lists the chat: the group
    // and the chat's first message arrive separately).
    let chat = format!("sg_{gid}");
    seen(&dave, "the group chat listed", |e| match e {
        Ev::NewConversations(list) => list.iter().any(|c| c.conversation_id == chat).then_some(()),
        _ => None,
    })
    .await;
    let history = dave.client.get_advanced_history_message_list(chat, None, 50).await.unwrap();
    assert!(history.messages.iter().all(|m| m.content_type != 101), "no history from before joining: {:?}", history.messages);

    // erin is refused.
    erin.client.join_group(gid.clone(), String::new(), 4, String::new()).await.unwrap();
    seen(&alice, "erin's application", |e| matches!(e, Ev::GroupApplicationAdded(a) if a.user_id == "erin").then_some(())).await;
    alice.client.refuse_group_application(gid.clone(), "erin".into(), "no".into()).await.unwrap();
    seen(&erin, "refused", |e| matches!(e, Ev::GroupApplicationRejected(a) if a.state == ApplicationState::Refused).then_some(())).await;
    assert!(!erin.client.is_join_group(gid.clone()).await.unwrap());
    let err = send_text(&erin, &gid, "hi?").await.unwrap_err();
    assert_eq!(code(err), 1203, "not a member");

    assert_eq!(code(bob.client.invite_user_to_group(gid.clone(), String::new(), vec!["dave".into()]).await.unwrap_err()), 1001, "already in");
    // An admin invites erin straight in.
    bob.client.invite_user_to_group(gid.clone(), "come".into(), vec!["erin".into()]).await.unwrap();
    seen(&erin, "invited in", |e| matches!(e, Ev::JoinedGroupAdded(x) if x.group_id == gid).then_some(())).await;
    seen(&alice, "erin joined", |e| matches!(e, Ev::MemberAdded(m) if m.user_id == "erin").then_some(())).await;

    // dave is kicked: his list loses the group, the others lose dave, and he reads no more.
    alice.client.kick_group_member(gid.clone(), "bye".into(), vec!["dave".into()]).await.unwrap();
    seen(&dave, "kicked", |e| matches!(e, Ev::JoinedGroupDeleted(x) if x.group_id == gid).then_some(())).await;
    seen(&bob, "dave left", |e| matches!(e, Ev::MemberDeleted(m) if m.user_id == "dave").then_some(())).await;
    assert!(!dave.client.is_join_group(gid.clone()).await.unwrap());
    send_text(&alice, &gid, "after dave").await.unwrap();
    let marker = alice.client.create_text_message("marker".into()).unwrap();
    alice.client.send_message(marker, Some("dave".into()), None, None, false, None).await.unwrap();
    let got = dave.events.wait_until("the marker", |ev| ev.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.recv_id == "dave"))).await;
    assert!(!got.iter().any(|e| matches!(e, Ev::NewMsg(m) if m.group_id == gid && m.content_type == 101)), "a kicked member gets no group message");

    // erin quits; the owner can not.
    erin.client.quit_group(gid.clone()).await.unwrap();
    assert!(erin.client.get_joined_group_list().await.unwrap().is_empty());
    seen(&alice, "erin quit", |e| matches!(e, Ev::MemberDeleted(m) if m.user_id == "erin").then_some(())).await;
    assert_eq!(code(alice.client.quit_group(gid.clone()).await.unwrap_err()), 1002);
    let members = alice.client.get_group_member_list(gid.clone(), GroupMemberFilter::All, 0, 50).await.unwrap();
    assert_eq!(ids(&members), ["alice", "bob"]);
    let info = &alice.client.get_specified_groups_info(vec![gid.clone()]).await.unwrap()[0];
    assert_eq!(info.member_count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutes_roles_ownership_and_dismissal() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let carol = srv.online("carol").await;
    let g = alice.client.create_group(group("Ops", &["bob", "carol"], &[])).await.unwrap();
    let gid = g.group_id.clone();
    seen(&carol, "the group", |e| matches!(e, Ev::JoinedGroupAdded(_)).then_some(())).await;
    // Carol's first listing of the members (told by on_joined_group_added alone) is done before
    // anything changes: a change it took in would not be told as a change.
    assert_eq!(carol.client.get_group_member_list(gid.clone(), GroupMemberFilter::All, 0, 50).await.unwrap().len(), 3);

    alice.client.change_group_member_mute(gid.clone(), "carol".into(), 600).await.unwrap();
    let muted = seen(&carol, "muted", |e| match e {
        Ev::MemberChanged(m) if m.user_id == "carol" && m.mute_end_time > 0 => Some(m.clone()),
        _ => None,
    })
    .await;
    assert!(muted.mute_end_time > openim_wire::time::now_ms() + 500_000);
    assert_eq!(code(send_text(&carol, &gid, "can I?").await.unwrap_err()), 1402);
    alice.client.change_group_member_mute(gid.clone(), "carol".into(), 0).await.unwrap();
    seen(&carol, "unmuted", |e| matches!(e, Ev::MemberChanged(m) if m.user_id == "carol" && m.mute_end_time == 0).then_some(())).await;
    let yes = send_text(&carol, &gid, "yes").await.unwrap();

    // bob becomes admin; the whole group is muted: carol is silenced, bob is not.
    alice.client.set_group_member_info(gid.clone(), "bob".into(), GroupMemberUpdate { role: Some(GroupRole::Admin), ..Default::default() }).await.unwrap();
    seen(&carol, "bob is admin", |e| matches!(e, Ev::MemberChanged(m) if m.user_id == "bob" && m.role == GroupRole::Admin).then_some(())).await;
    alice.client.change_group_mute(gid.clone(), true).await.unwrap();
    seen(&carol, "group muted", |e| matches!(e, Ev::GroupChanged(x) if x.status == 3).then_some(())).await;
    assert_eq!(code(send_text(&carol, &gid, "hello?").await.unwrap_err()), 1403);
    let talk = send_text(&bob, &gid, "admins talk").await.unwrap();
    alice.client.change_group_mute(gid.clone(), false).await.unwrap();
    // A member sets its own group nickname, not others'; the messages it sent show it.
    let chat = openim_wire::conversation_id::group(&gid);
    carol.client.set_group_member_info(gid.clone(), "carol".into(), GroupMemberUpdate { nickname: Some("C".into()), ..Default::default() }).await.unwrap();
    seen(&alice, "carol's nickname", |e| matches!(e, Ev::MemberChanged(m) if m.nickname == "C").then_some(())).await;
    let page = alice.client.get_advanced_history_message_list(chat.clone(), None, 50).await.unwrap();
    let yes_here = page.messages.iter().find(|m| m.client_msg_id == yes.client_msg_id).unwrap();
    assert_eq!(yes_here.sender_nickname, "C");
    assert!(page.messages.iter().filter(|m| m.send_id == "bob").all(|m| m.sender_nickname == "bob nick"), "{:?}", page.messages);
    // An admin revokes a member's message: named and ranked as a member of the group.
    bob.client.revoke_message(chat.clone(), yes.client_msg_id.clone()).await.unwrap();
    let revoked = seen(&alice, "the revoke", |e| match e {
        Ev::Revoked(r) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!((revoked.revoker_id.as_str(), revoked.revoker_role, revoked.revoker_nickname.as_str()), ("bob", 60, "bob nick"));
    assert_eq!((revoked.source_message_send_id.as_str(), revoked.source_message_sender_nickname.as_str()), ("carol", "C"));
    // An ordinary member revokes only its own messages.
    seen(&carol, "bob's message", |e| matches!(e, Ev::NewMsg(m) if m.client_msg_id == talk.client_msg_id).then_some(())).await;
    assert_eq!(code(carol.client.revoke_message(chat.clone(), talk.client_msg_id.clone()).await.unwrap_err()), 1002);
    let err = carol.client.set_group_member_info(gid.clone(), "bob".into(), GroupMemberUpdate { nickname: Some("B".into()), ..Default::default() }).await;
    assert_eq!(code(err.unwrap_err()), 1002);
    assert_eq!(code(carol.client.kick_group_member(gid.clone(), String::new(), vec!["bob".into()]).await.unwrap_err()), 1002);

    // Ownership moves to bob.
    alice.client.transfer_group_owner(gid.clone(), "bob".into()).await.unwrap();
    seen(&carol, "bob owns it", |e| matches!(e, Ev::GroupChanged(x) if x.owner_user_id == "bob").then_some(())).await;
    let roles = carol.client.get_group_member_owner_and_admin(gid.clone()).await.unwrap();
    assert_eq!(ids(&roles), ["bob"]);
    assert_eq!(code(alice.client.dismiss_group(gid.clone()).await.unwrap_err()), 1002);

    bob.client.dismiss_group(gid.clone()).await.unwrap();
    for device in [&alice, &carol] {
        let d = seen(device, "dismissed", |e| match e {
            Ev::GroupDismissed(x) => Some(x.clone()),
            _ => None,
        })
        .await;
        assert_eq!((d.group_id.as_str(), d.status), (gid.as_str(), 2));
    }
    carol.events.wait_until("status 2 stored", |ev| ev.iter().any(|e| matches!(e, Ev::GroupChanged(x) if x.status == 2))).await;
    assert_eq!(code(send_text(&carol, &gid, "anyone?").await.unwrap_err()), 1204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_member_catches_up_at_login_in_one_batch() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let mut groups = Vec::new();
    for name in ["one", "two", "three"] {
        groups.push(alice.client.create_group(group(name, &["bob"], &[])).await.unwrap().group_id);
    }
    bob.events.wait_until("three groups", |ev| ev.iter().filter(|e| matches!(e, Ev::JoinedGroupAdded(_))).count() == 3).await;
    bob.client.logout().await.unwrap();

    // While bob is away: a name changes, carol joins, bob is kicked from one, a new group.
    srv.user("carol").await;
    alice.client.set_group_info(groups[0].clone(), GroupInfoUpdate { group_name: Some("ONE".into()), ..Default::default() }).await.unwrap();
    alice.client.invite_user_to_group(groups[1].clone(), String::new(), vec!["carol".into()]).await.unwrap();
    alice.client.kick_group_member(groups[2].clone(), String::new(), vec!["bob".into()]).await.unwrap();
    let four = alice.client.create_group(group("four", &["bob"], &[])).await.unwrap().group_id;

    let batches = srv.server.faults().rest_calls_seen(path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH);
    let token = srv.admin.user_token("bob", platform::ANDROID).await.unwrap();
    bob.client.login("bob".into(), token).await.unwrap();
    seen(&bob, "renamed", |e| matches!(e, Ev::GroupChanged(x) if x.group_name == "ONE").then_some(())).await;
    seen(&bob, "carol joined", |e| matches!(e, Ev::MemberAdded(m) if m.user_id == "carol" && m.group_id == groups[1]).then_some(())).await;
    seen(&bob, "kicked meanwhile", |e| matches!(e, Ev::JoinedGroupDeleted(x) if x.group_id == groups[2]).then_some(())).await;
    seen(&bob, "the new group", |e| matches!(e, Ev::JoinedGroupAdded(x) if x.group_id == four).then_some(())).await;
    bob.events.wait_until("the sync", |ev| ev.iter().filter(|e| matches!(e, Ev::SyncFinish(_))).count() >= 2).await;
    let joined: Vec<String> = bob.client.get_joined_group_list().await.unwrap().into_iter().map(|g| g.group_id).collect();
    assert_eq!(joined.len(), 3);
    assert!(joined.contains(&four) && !joined.contains(&groups[2]));
    // Three groups' members were checked with one batch request (a fourth, new, is listed by its own).
    let used = srv.server.faults().rest_calls_seen(path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH) - batches;
    assert!(used <= 2, "{used} member batch requests for 3 groups");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_arguments_are_refused_before_the_network() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let g = alice.client.create_group(group("G", &[], &[])).await.unwrap();
    let bad = |r: Result<(), OpenIMError>| assert!(matches!(r, Err(OpenIMError::InvalidArgument { .. })), "{r:?}");
    bad(alice.client.join_group(String::new(), String::new(), 3, String::new()).await);
    bad(alice.client.join_group("x".into(), String::new(), 9, String::new()).await);
    bad(alice.client.kick_group_member(g.group_id.clone(), String::new(), vec![]).await);
    bad(alice.client.invite_user_to_group(g.group_id.clone(), String::new(), vec!["a".into(), "a".into()]).await);
    bad(alice.client.set_group_member_info(g.group_id.clone(), "alice".into(), GroupMemberUpdate { role: Some(GroupRole::Owner), ..Default::default() }).await);
    bad(alice.client.set_group_info(g.group_id.clone(), GroupInfoUpdate { group_name: Some(" ".into()), ..Default::default() }).await);
    assert!(matches!(alice.client.create_group(group("", &[], &[])).await, Err(OpenIMError::InvalidArgument { .. })));
    assert!(matches!(alice.client.create_group(group("x", &["alice"], &[])).await, Err(OpenIMError::InvalidArgument { .. })));
    assert!(matches!(alice.client.get_group_member_list(g.group_id.clone(), GroupMemberFilter::All, -1, 5).await, Err(OpenIMError::InvalidArgument { .. })));
    // A group the user is not in has no local members.
    let err = alice.client.get_group_member_list("nope".into(), GroupMemberFilter::All, 0, 5).await.unwrap_err();
    assert_eq!(err.code(), 10400);
    // The server's refusals are typed with its codes.
    let err = alice.client.join_group("nope".into(), String::new(), 3, String::new()).await.unwrap_err();
    assert_eq!(err.code(), 1004);
    let err = alice
        .client
        .create_group(CreateGroupParams { need_verification: Some(GroupVerification::Direct), ..group("x", &["ghost"], &[]) })
        .await
        .unwrap_err();
    assert_eq!(err.code(), 1004, "an unknown member");
}

/// A device that was offline while its user read a group chat elsewhere learns it at login:
/// in a group the read mark reaches the user's devices only as a push, so the login's unread
/// reconcile marks the messages it stored unread (`mark_read_up_to_many`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_device_learns_what_was_read_in_a_group() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let g = alice.client.create_group(group("Readers", &["bob"], &[])).await.unwrap();
    seen(&bob, "the group", |e| matches!(e, Ev::JoinedGroupAdded(_)).then_some(())).await;
    send_text(&alice, &g.group_id, "one").await.unwrap();
    send_text(&alice, &g.group_id, "two").await.unwrap();
    bob.events.wait_new_messages(2).await;
    let conv = openim_wire::conversation_id::group(&g.group_id);

    // Bob's tablet stores both unread, then goes offline; his phone reads them.
    let token = || srv.admin.user_token("bob", platform::IOS);
    let tablet = srv.online_with("bob", token().await.unwrap(), platform::IOS, tempfile::tempdir().unwrap()).await;
    let unread = |o: &Online| {
        let client = o.client.clone();
        let conv = conv.clone();
        async move {
            let page = client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
            page.messages.iter().filter(|m| !m.is_read).count()
        }
    };
    // (The two messages, and the group's creation tip.)
    let before = (tablet.client.get_total_unread_msg_count().await.unwrap(), unread(&tablet).await);
    assert_eq!(before, (3, 3));
    tablet.client.logout().await.unwrap();
    bob.client.mark_conversation_message_as_read(conv.clone()).await.unwrap();

    let tablet = srv.online_with("bob", token().await.unwrap(), platform::IOS, tablet.dir).await;
    assert_eq!((tablet.client.get_total_unread_msg_count().await.unwrap(), unread(&tablet).await), (0, 0));
}

/// OpenIM's `GetGroupMemberListByJoinTimeFilter`: the members who joined within a time window
/// (an end of 0 is now), newest first, some left out, a page at a time; a window that ends
/// before it begins, or an empty ID to leave out, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_by_join_time() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    for user in ["bob", "carol", "dave"] {
        srv.user(user).await;
    }
    let gid = alice.client.create_group(group("Joins", &["bob", "carol"], &[])).await.unwrap().group_id;
    let founders = alice.client.get_group_member_list(gid.clone(), GroupMemberFilter::All, 0, 10).await.unwrap();
    let founded = founders.iter().map(|m| m.join_time).max().unwrap();
    // dave joins later on the server's clock (join times are milliseconds): a clock condition,
    // bounded by a millisecond or two.
    while openim_wire::time::now_ms() <= founded {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    alice.client.invite_user_to_group(gid.clone(), String::new(), vec!["dave".into()]).await.unwrap();
    let dave = seen(&alice, "dave joined", |e| match e {
        Ev::MemberAdded(m) if m.user_id == "dave" => Some(m.clone()),
        _ => None,
    })
    .await;
    assert!(dave.join_time > founded);
    let filter = |offset, count, begin, end, excluded: &[&str]| {
        let client = alice.client.clone();
        let gid = gid.clone();
        let excluded: Vec<String> = excluded.iter().map(|s| s.to_string()).collect();
        async move { client.get_group_member_list_by_join_time_filter(gid, offset, count, begin, end, excluded).await }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let all = filter(0, 10, 0, 0, &[]).await.unwrap();
    assert_eq!(all[0].user_id, "dave", "newest first");
    assert_eq!(sorted(ids(&all[1..])), ["alice", "bob", "carol"]);
    assert_eq!(ids(&filter(0, 10, dave.join_time, 0, &[]).await.unwrap()), ["dave"]);
    assert_eq!(sorted(ids(&filter(0, 10, 0, founded, &["alice"]).await.unwrap())), ["bob", "carol"]);
    assert_eq!(ids(&filter(0, 1, 0, 0, &[]).await.unwrap()), ["dave"]);
    assert_eq!(filter(1, 10, 0, 0, &["bob"]).await.unwrap().len(), 2);
    assert_eq!(code(filter(0, 10, founded, founded - 1, &[]).await.unwrap_err()), 10002);
    assert_eq!(code(filter(0, 10, 0, 0, &[""]).await.unwrap_err()), 10002);
    assert_eq!(filter(0, 10, 0, 0, &["bob", "bob"]).await.unwrap().len(), 3, "an ID left out twice is left out once");
    assert!(filter(0, 10, openim_wire::time::now_ms() + 60_000, 0, &[]).await.unwrap().is_empty(), "a window beginning later holds nobody");
    assert_eq!(code(filter(0, 0, 0, 0, &[]).await.unwrap_err()), 10002);
}

/// The joined groups by page, by ID and by search; a group's owner and admins, named members,
/// member search and which users are in it; a join application refused, with the application
/// lists and count on both sides (Kotlin and Swift: `groupListsLookupsAndARefusedApplication`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_lists_lookups_and_a_refused_application() {
    use openim_sdk::{SearchGroupMembersParams, SearchGroupsParams};
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let _bob = srv.online("bob").await;
    let _carol = srv.online("carol").await;
    let dave = srv.online("dave").await;
    let hikers = alice.client.create_group(group("Hikers", &["bob", "carol"], &["bob"])).await.unwrap().group_id;
    let readers = alice.client.create_group(group("Readers", &["bob"], &[])).await.unwrap().group_id;
    alice.events.wait_until("both groups", |ev| ev.iter().filter(|e| matches!(e, Ev::JoinedGroupAdded(_))).count() >= 2).await;
    let group_ids = |l: Vec<openim_sdk::GroupInfo>| l.into_iter().map(|g| g.group_id).collect::<Vec<_>>();

    assert_eq!(group_ids(alice.client.get_joined_group_list_page(0, 1).await.unwrap()), std::slice::from_ref(&hikers));
    assert_eq!(group_ids(alice.client.get_joined_group_list_page(1, 5).await.unwrap()), std::slice::from_ref(&readers));
    assert!(alice.client.get_joined_group_list_page(2, 5).await.unwrap().is_empty());
    assert_eq!(alice.client.get_joined_group_list_page(-1, 5).await.unwrap_err().code(), 10002);
    let mut specified = group_ids(alice.client.get_specified_groups_info(vec![readers.clone(), "nope".into(), hikers.clone()]).await.unwrap());
    specified.sort();
    let mut both = vec![hikers.clone(), readers.clone()];
    both.sort();
    assert_eq!(specified, both, "unknown left out");
    let by_name = SearchGroupsParams { keywords: vec!["read".into()], search_group_id: false, search_group_name: true };
    assert_eq!(group_ids(alice.client.search_groups(by_name).await.unwrap()), std::slice::from_ref(&readers));
    // As OpenIM's SQL LIKE, letters match in either case; a wildcard is only itself here.
    let wild = SearchGroupsParams { keywords: vec!["%".into(), "_".into()], search_group_id: true, search_group_name: true };
    assert!(alice.client.search_groups(wild).await.unwrap().is_empty());
    let by_id = SearchGroupsParams { keywords: vec![hikers.clone()], search_group_id: true, search_group_name: false };
    assert_eq!(group_ids(alice.client.search_groups(by_id).await.unwrap()), std::slice::from_ref(&hikers));

    let managers = alice.client.get_group_member_owner_and_admin(hikers.clone()).await.unwrap();
    assert_eq!(managers.iter().map(|m| (m.user_id.as_str(), m.role)).collect::<Vec<_>>(), [("alice", GroupRole::Owner), ("bob", GroupRole::Admin)]);
    let mut named = ids(&alice.client.get_specified_group_members_info(hikers.clone(), vec!["carol".into(), "nobody".into(), "alice".into()]).await.unwrap());
    named.sort();
    assert_eq!(named, ["alice", "carol"]);
    let search = SearchGroupMembersParams { group_id: hikers.clone(), keywords: vec!["CAR".into()], search_user_id: true, search_nickname: true, offset: 0, count: 10 };
    assert_eq!(ids(&alice.client.search_group_members(search).await.unwrap()), ["carol"]);
    assert_eq!(alice.client.get_users_in_group(hikers.clone(), vec!["dave".into(), "bob".into()]).await.unwrap(), ["bob"]);

    // dave applies to Readers and is refused.
    dave.client.join_group(readers.clone(), "me too".into(), 3, String::new()).await.unwrap();
    seen(&alice, "dave's application", |e| matches!(e, Ev::GroupApplicationAdded(a) if a.user_id == "dave").then_some(())).await;
    assert_eq!(alice.client.get_group_application_unhandled_count(0).await.unwrap(), 1);
    let pending = alice.client.get_group_application_list_as_recipient(vec![ApplicationState::Pending], 0, 20).await.unwrap();
    assert_eq!(pending.iter().map(|a| (a.user_id.as_str(), a.group_id.as_str(), a.req_msg.as_str())).collect::<Vec<_>>(), [("dave", readers.as_str(), "me too")]);
    let mine = dave.client.get_group_application_list_as_applicant(vec![], 0, 20).await.unwrap();
    assert_eq!(mine.iter().map(|a| (a.group_id.as_str(), a.state)).collect::<Vec<_>>(), [(readers.as_str(), ApplicationState::Pending)]);
    alice.client.refuse_group_application(readers.clone(), "dave".into(), "full".into()).await.unwrap();
    let refused = seen(&dave, "refused", |e| match e {
        Ev::GroupApplicationRejected(a) => Some(a.clone()),
        _ => None,
    })
    .await;
    assert_eq!((refused.handle_msg.as_str(), refused.state), ("full", ApplicationState::Refused));
    assert_eq!(alice.client.get_group_application_unhandled_count(0).await.unwrap(), 0);
    let handled = alice.client.get_group_application_list_as_recipient(vec![ApplicationState::Refused], 0, 20).await.unwrap();
    assert_eq!(handled.iter().map(|a| a.user_id.as_str()).collect::<Vec<_>>(), ["dave"]);
    assert_eq!(code(alice.client.refuse_group_application(readers.clone(), "dave".into(), String::new()).await.unwrap_err()), 1206, "handled already");
    assert!(!dave.client.is_join_group(readers).await.unwrap());
}

/// A member's new nickname and face reach the groups where they show them (no group nickname of
/// their own), as OpenIM's server announces them (a new member-list version and 1516): the
/// other members hear the change, their lists and a new device's show it, and the messages the
/// member sent there take the new name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_new_profile_reaches_the_groups() {
    use openim_sdk::UserInfoUpdate;
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let g = alice.client.create_group(group("Profiles", &["bob"], &[])).await.unwrap();
    seen(&bob, "the group", |e| matches!(e, Ev::JoinedGroupAdded(_)).then_some(())).await;
    let sent = send_text(&bob, &g.group_id, "from bob").await.unwrap();
    alice.events.wait_new_messages(1).await;

    let update = UserInfoUpdate { nickname: Some("Robert".into()), face_url: Some("https://example.com/b.png".into()), ..Default::default() };
    bob.client.set_self_info(update).await.unwrap();
    let changed = seen(&alice, "bob's new profile", |e| match e {
        Ev::MemberChanged(m) if m.user_id == "bob" && m.nickname == "Robert" => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((changed.group_id.as_str(), changed.face_url.as_str()), (g.group_id.as_str(), "https://example.com/b.png"));
    let listed = alice.client.get_specified_group_members_info(g.group_id.clone(), vec!["bob".into()]).await.unwrap();
    assert_eq!(listed[0].nickname, "Robert");
    let conv = openim_wire::conversation_id::group(&g.group_id);
    let page = alice.client.get_advanced_history_message_list(conv, None, 10).await.unwrap();
    let stored = page.messages.iter().find(|m| m.client_msg_id == sent.client_msg_id).unwrap();
    assert_eq!(stored.sender_nickname, "Robert", "bob's message takes his new name");
    // A device that lists the members afresh gets it from the server.
    let token = srv.admin.user_token("alice", platform::IOS).await.unwrap();
    let tablet = srv.online_with("alice", token, platform::IOS, tempfile::tempdir().unwrap()).await;
    let listed = tablet.client.get_specified_group_members_info(g.group_id.clone(), vec!["bob".into()]).await.unwrap();
    assert_eq!(listed[0].nickname, "Robert");
}

/// Mention marks on devices that were away: a mark cleared on the phone while the tablet was
/// logged out stays cleared on the tablet when it comes back (the message it then pulls is older
/// than the record synced before the pull), and a new device takes the server's mark from the
/// conversation record, the chat still unread on both. Kotlin and Swift:
/// `…MentionMarksReachDevicesThatWereAway`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mention_marks_reach_devices_that_were_away() {
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let bob = srv.online("bob").await;
    let tablet_token = srv.admin.user_token("alice", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("alice", tablet_token, platform::IPAD, tempfile::tempdir().unwrap()).await;
    let g = bob.client.create_group(CreateGroupParams { group_name: "Away".into(), member_user_ids: vec!["alice".into()], ..Default::default() }).await.unwrap();
    let sg = format!("sg_{}", g.group_id);
    seen(&tablet, "the group", |e| matches!(e, Ev::JoinedGroupAdded(x) if x.group_id == g.group_id).then_some(())).await;
    tablet.client.logout().await.unwrap();

    // bob mentions everyone; alice's phone clears the mark without reading.
    let all = bob.client.create_text_at_message("all".into(), vec![bob.client.get_at_all_tag()], vec![], None).unwrap();
    bob.client.send_message(all, None, Some(g.group_id.clone()), None, false, None).await.unwrap();
    seen(&alice, "@all", |e| matches!(e, Ev::NewMsg(m) if m.content_type == 106).then_some(())).await;
    let phone = alice.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap();
    let unread = phone.unread_count;
    assert!(phone.group_at_type == 2 && unread > 0, "{phone:?}");
    alice.client.set_conversation(sg.clone(), ConversationUpdate { group_at_type: Some(0), ..Default::default() }).await.unwrap();

    // The tablet comes back: no mark, the message unread.
    let tablet_token = srv.admin.user_token("alice", platform::IPAD).await.unwrap();
    let tablet = srv.online_with("alice", tablet_token, platform::IPAD, tablet.dir).await;
    let back = tablet.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap();
    assert_eq!((back.group_at_type, back.unread_count), (0, unread), "{back:?}");

    // bob mentions alice; a new device of hers takes the server's mark (its pulled message does
    // not mark the chat).
    let at = bob.client.create_text_at_message("you".into(), vec!["alice".into()], vec![], None).unwrap();
    bob.client.send_message(at, None, Some(g.group_id.clone()), None, false, None).await.unwrap();
    let mac = platform::OSX;
    let fresh = srv.online_with("alice", srv.admin.user_token("alice", mac).await.unwrap(), mac, tempfile::tempdir().unwrap()).await;
    let new_device = fresh.client.get_one_conversation(openim_sdk::model::SessionType::Group, g.group_id.clone()).await.unwrap();
    assert_eq!((new_device.group_at_type, new_device.unread_count), (1, unread + 1), "{new_device:?}");
}
