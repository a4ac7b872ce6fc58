//! Quickstart: an embedded devserver, two users (alice on Android, bob on iOS) who log in, become
//! friends (bob applies, alice accepts) and chat; bob reads, alice revokes; then alice makes a
//! group with bob and they talk there. Every listener event they receive is printed as it
//! arrives.
//!
//!     cargo run --example quickstart

use std::sync::Arc;
use std::time::Duration;

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{
    AdvancedMsgListener, BlackInfo, ConnListener, Conversation, ConversationListener, CreateGroupParams, FriendApplication, FriendInfo,
    FriendListener, GroupApplication, GroupInfo, GroupListener, GroupMember, GroupMemberFilter, InputStatusChange, LogLevel, Message,
    MessageContent, MessageReceipt, OpenIMClient, OpenIMConfig, RevokedInfo,
};
use openim_wire::constant::{defaults, platform};
use tokio::sync::watch;

/// Prints each callback with its user's name and counts the ones the demo waits for.
struct Printer {
    user: &'static str,
    progress: watch::Sender<Progress>,
}

#[derive(Default, Clone, Copy)]
struct Progress {
    connected: u32,
    synced: u32,
    received: u32,
    receipts: u32,
    revoked: u32,
    applications: u32,
    friends: u32,
    groups: u32,
}

fn describe(m: &Message) -> String {
    match &m.content {
        MessageContent::Text { text } => format!("\"{text}\""),
        MessageContent::Revoked { info } => format!("(revoked by {})", info.revoker_id),
        MessageContent::Notification { .. } => format!("(notification {})", m.content_type),
        other => format!("{other:?}"),
    }
}

impl Printer {
    fn say(&self, what: String) {
        println!("[{}] {what}", self.user);
    }
    fn count(&self, f: impl FnOnce(&mut Progress)) {
        self.progress.send_modify(f);
    }
}

impl ConnListener for Printer {
    fn on_connecting(&self) {
        self.say("ConnListener.on_connecting".into());
    }
    fn on_connect_success(&self) {
        self.say("ConnListener.on_connect_success".into());
        self.count(|p| p.connected += 1);
    }
    fn on_connect_failed(&self, code: i32, msg: String) {
        self.say(format!("ConnListener.on_connect_failed code={code} msg={msg}"));
    }
    fn on_kicked_offline(&self) {
        self.say("ConnListener.on_kicked_offline".into());
    }
    fn on_user_token_expired(&self) {
        self.say("ConnListener.on_user_token_expired".into());
    }
    fn on_user_token_invalid(&self, msg: String) {
        self.say(format!("ConnListener.on_user_token_invalid msg={msg}"));
    }
}

impl ConversationListener for Printer {
    fn on_sync_server_start(&self, reinstalled: bool) {
        self.say(format!("ConversationListener.on_sync_server_start reinstalled={reinstalled}"));
    }
    fn on_sync_server_finish(&self, reinstalled: bool) {
        self.say(format!("ConversationListener.on_sync_server_finish reinstalled={reinstalled}"));
        self.count(|p| p.synced += 1);
    }
    fn on_sync_server_failed(&self, reinstalled: bool) {
        self.say(format!("ConversationListener.on_sync_server_failed reinstalled={reinstalled}"));
    }
    fn on_sync_server_progress(&self, progress: i32) {
        self.say(format!("ConversationListener.on_sync_server_progress {progress}"));
    }
    fn on_new_conversation(&self, conversations: Vec<Conversation>) {
        for c in conversations {
            self.say(format!("ConversationListener.on_new_conversation {} \"{}\"", c.conversation_id, c.show_name));
        }
    }
    fn on_conversation_changed(&self, conversations: Vec<Conversation>) {
        for c in conversations {
            let latest = c.latest_msg.as_ref().map(describe).unwrap_or_default();
            self.say(format!("ConversationListener.on_conversation_changed {} unread={} latest={latest}", c.conversation_id, c.unread_count));
        }
    }
    fn on_total_unread_message_count_changed(&self, total_unread_count: i32) {
        self.say(format!("ConversationListener.on_total_unread_message_count_changed {total_unread_count}"));
    }
    fn on_conversation_user_input_status_changed(&self, change: InputStatusChange) {
        self.say(format!("ConversationListener.on_conversation_user_input_status_changed {} is typing", change.user_id));
    }
}

impl AdvancedMsgListener for Printer {
    fn on_recv_new_message(&self, message: Message) {
        self.say(format!("AdvancedMsgListener.on_recv_new_message from {} seq={} {}", message.send_id, message.seq, describe(&message)));
        if matches!(message.content, MessageContent::Text { .. }) {
            self.count(|p| p.received += 1);
        }
    }
    fn on_recv_c2c_read_receipt(&self, receipts: Vec<MessageReceipt>) {
        for r in receipts {
            self.say(format!("AdvancedMsgListener.on_recv_c2c_read_receipt {} read {} message(s)", r.user_id, r.msg_id_list.len()));
        }
        self.count(|p| p.receipts += 1);
    }
    fn on_new_recv_message_revoked(&self, revoked: RevokedInfo) {
        self.say(format!("AdvancedMsgListener.on_new_recv_message_revoked seq={} by {}", revoked.seq, revoked.revoker_id));
        self.count(|p| p.revoked += 1);
    }
    fn on_recv_offline_new_message(&self, message: Message) {
        self.say(format!("AdvancedMsgListener.on_recv_offline_new_message {}", describe(&message)));
    }
    fn on_msg_deleted(&self, message: Message) {
        self.say(format!("AdvancedMsgListener.on_msg_deleted seq={}", message.seq));
    }
    fn on_recv_online_only_message(&self, message: Message) {
        self.say(format!("AdvancedMsgListener.on_recv_online_only_message {}", describe(&message)));
    }
}

impl FriendListener for Printer {
    fn on_friend_application_added(&self, a: FriendApplication) {
        self.say(format!("FriendListener.on_friend_application_added {} -> {} \"{}\"", a.from_user_id, a.to_user_id, a.req_msg));
        self.count(|p| p.applications += 1);
    }
    fn on_friend_application_deleted(&self, a: FriendApplication) {
        self.say(format!("FriendListener.on_friend_application_deleted {} -> {}", a.from_user_id, a.to_user_id));
    }
    fn on_friend_application_accepted(&self, a: FriendApplication) {
        self.say(format!("FriendListener.on_friend_application_accepted {} -> {} \"{}\"", a.from_user_id, a.to_user_id, a.handle_msg));
    }
    fn on_friend_application_rejected(&self, a: FriendApplication) {
        self.say(format!("FriendListener.on_friend_application_rejected {} -> {}", a.from_user_id, a.to_user_id));
    }
    fn on_friend_added(&self, f: FriendInfo) {
        self.say(format!("FriendListener.on_friend_added {} ({})", f.friend_user_id, f.nickname));
        self.count(|p| p.friends += 1);
    }
    fn on_friend_deleted(&self, f: FriendInfo) {
        self.say(format!("FriendListener.on_friend_deleted {}", f.friend_user_id));
    }
    fn on_friend_info_changed(&self, f: FriendInfo) {
        self.say(format!("FriendListener.on_friend_info_changed {} remark=\"{}\"", f.friend_user_id, f.remark));
    }
    fn on_black_added(&self, b: BlackInfo) {
        self.say(format!("FriendListener.on_black_added {}", b.block_user_id));
    }
    fn on_black_deleted(&self, b: BlackInfo) {
        self.say(format!("FriendListener.on_black_deleted {}", b.block_user_id));
    }
}

impl GroupListener for Printer {
    fn on_joined_group_added(&self, g: GroupInfo) {
        self.say(format!("GroupListener.on_joined_group_added {} \"{}\" ({} members)", g.group_id, g.group_name, g.member_count));
        self.count(|p| p.groups += 1);
    }
    fn on_joined_group_deleted(&self, g: GroupInfo) {
        self.say(format!("GroupListener.on_joined_group_deleted {}", g.group_id));
    }
    fn on_group_member_added(&self, m: GroupMember) {
        self.say(format!("GroupListener.on_group_member_added {} in {}", m.user_id, m.group_id));
    }
    fn on_group_member_deleted(&self, m: GroupMember) {
        self.say(format!("GroupListener.on_group_member_deleted {} from {}", m.user_id, m.group_id));
    }
    fn on_group_application_added(&self, a: GroupApplication) {
        self.say(format!("GroupListener.on_group_application_added {} -> {}", a.user_id, a.group_id));
    }
    fn on_group_application_deleted(&self, a: GroupApplication) {
        self.say(format!("GroupListener.on_group_application_deleted {} -> {}", a.user_id, a.group_id));
    }
    fn on_group_application_accepted(&self, a: GroupApplication) {
        self.say(format!("GroupListener.on_group_application_accepted {} -> {}", a.user_id, a.group_id));
    }
    fn on_group_application_rejected(&self, a: GroupApplication) {
        self.say(format!("GroupListener.on_group_application_rejected {} -> {}", a.user_id, a.group_id));
    }
    fn on_group_info_changed(&self, g: GroupInfo) {
        self.say(format!("GroupListener.on_group_info_changed {} \"{}\"", g.group_id, g.group_name));
    }
    fn on_group_dismissed(&self, g: GroupInfo) {
        self.say(format!("GroupListener.on_group_dismissed {}", g.group_id));
    }
    fn on_group_member_info_changed(&self, m: GroupMember) {
        self.say(format!("GroupListener.on_group_member_info_changed {} in {}", m.user_id, m.group_id));
    }
}

async fn wait(rx: &mut watch::Receiver<Progress>, what: &str, done: impl Fn(&Progress) -> bool) -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(15), rx.wait_for(|p| done(p)))
        .await
        .map_err(|_| anyhow::anyhow!("timed out waiting for {what}"))??;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = DevServer::start(DevServerConfig::default()).await?;
    println!("devserver: api {} ws {}", server.api_url(), server.ws_url());
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
    let data_dir = tempfile::tempdir()?;

    let mut users = Vec::new();
    for (user, nickname, platform_id) in [("alice", "Alice", platform::ANDROID), ("bob", "Bob", platform::IOS)] {
        admin.register_user(user, nickname).await?;
        let token = admin.user_token(user, platform_id).await?;
        let client = OpenIMClient::new(OpenIMConfig {
            platform: platform_id,
            api_addr: server.api_url(),
            ws_addr: server.ws_url(),
            data_dir: data_dir.path().join(user).to_string_lossy().into_owned(),
            log_level: LogLevel::Warn,
        })?;
        let (tx, rx) = watch::channel(Progress::default());
        let printer = Arc::new(Printer { user, progress: tx });
        client.set_conn_listener(printer.clone());
        client.set_conversation_listener(printer.clone());
        client.set_friend_listener(printer.clone());
        client.set_group_listener(printer.clone());
        client.set_advanced_msg_listener(printer);
        client.login(user.to_owned(), token).await?;
        println!("[{user}] login() returned; status {:?}", client.login_status());
        users.push((user, client, rx));
    }
    for (user, _, rx) in &mut users {
        wait(rx, &format!("{user} to sync"), |p| p.connected >= 1 && p.synced >= 1).await?;
    }
    let [(_, alice, alice_rx), (_, bob, bob_rx)] = &mut users[..] else { unreachable!() };

    bob.add_friend("alice".into(), "Hi, it's Bob".into(), String::new()).await?;
    println!("[bob] add_friend() returned");
    wait(alice_rx, "alice to see the application", |p| p.applications >= 1).await?;
    alice.accept_friend_application("bob".into(), "Welcome!".into()).await?;
    println!("[alice] accept_friend_application() returned");
    wait(bob_rx, "bob's new friend", |p| p.friends >= 1).await?;
    wait(alice_rx, "alice's new friend", |p| p.friends >= 1).await?;
    let friends = alice.get_friend_list(false).await?;
    println!("[alice] get_friend_list(): {:?}", friends.iter().map(|f| &f.friend_user_id).collect::<Vec<_>>());

    let hello = alice.send_message(alice.create_text_message("Hi Bob!".into())?, Some("bob".into()), None, None, false, None).await?;
    println!("[alice] send_message() returned seq={} status={:?}", hello.seq, hello.status);
    wait(bob_rx, "bob to receive", |p| p.received >= 1).await?;

    bob.typing_status_update("alice".into(), "typing".into()).await?;
    let reply = bob.send_message(bob.create_text_message("Hi Alice, how are you?".into())?, Some("alice".into()), None, None, false, None).await?;
    println!("[bob] send_message() returned seq={}", reply.seq);
    wait(alice_rx, "alice to receive", |p| p.received >= 1).await?;

    let conversation = openim_wire::conversation_id::single("alice", "bob");
    bob.mark_conversation_message_as_read(conversation.clone()).await?;
    println!("[bob] mark_conversation_message_as_read() returned");
    wait(alice_rx, "alice's read receipt", |p| p.receipts >= 1).await?;

    let oops = alice.send_message(alice.create_text_message("Sent to the wrong chat".into())?, Some("bob".into()), None, None, false, None).await?;
    wait(bob_rx, "bob to receive again", |p| p.received >= 2).await?;
    alice.revoke_message(conversation.clone(), oops.client_msg_id).await?;
    println!("[alice] revoke_message() returned");
    wait(bob_rx, "bob to see the revoke", |p| p.revoked >= 1).await?;

    let history = bob.get_advanced_history_message_list(conversation, None, 20).await?;
    println!("[bob] history ({} messages):", history.messages.len());
    for m in &history.messages {
        println!("[bob]   seq={} {}: {}", m.seq, m.send_id, describe(m));
    }

    let group = alice
        .create_group(CreateGroupParams { group_name: "Weekend".into(), member_user_ids: vec!["bob".into()], ..Default::default() })
        .await?;
    println!("[alice] create_group() returned {} \"{}\"", group.group_id, group.group_name);
    wait(bob_rx, "bob in the group", |p| p.groups >= 1).await?;
    let members = bob.get_group_member_list(group.group_id.clone(), GroupMemberFilter::All, 0, 100).await?;
    println!("[bob] get_group_member_list(): {:?}", members.iter().map(|m| (&m.user_id, m.role)).collect::<Vec<_>>());
    let before = bob_rx.borrow().received;
    alice.send_message(alice.create_text_message("Hiking on Saturday?".into())?, None, Some(group.group_id.clone()), None, false, None).await?;
    wait(bob_rx, "bob to receive in the group", |p| p.received > before).await?;
    let chat = bob.get_one_conversation(openim_sdk::model::SessionType::Group, group.group_id.clone()).await?;
    println!("[bob] group chat \"{}\": unread {}", chat.show_name, chat.unread_count);

    for (user, client, _) in &users {
        client.logout().await?;
        println!("[{user}] logout() returned; status {:?}", client.login_status());
    }
    server.shutdown().await;
    Ok(())
}
