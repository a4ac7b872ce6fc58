//! Login sync of a large group, and group message delivery; prints numbers.
//!
//!     cargo bench --bench groups
//!
//! alice owns a group of 1 000 members (made through the devserver's REST API as the admin). A
//! fresh device logs in; timed: `login` → `on_sync_server_finish` (the joined groups and the
//! group's members synced by version), then a second login on the same device (nothing changed:
//! one incremental request and one member batch answer it). Beside them, the floor: the member
//! list fetched as raw REST pages. Then alice sends to the group while 200 members are online
//! (200 SDK clients in this process); timed: `send_message` → the last of the 200
//! `on_recv_new_message`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{
    AdvancedMsgListener, Conversation, ConversationListener, GroupMemberFilter, InputStatusChange, LogLevel, Message, MessageReceipt,
    OpenIMClient, OpenIMConfig, RevokedInfo,
};
use openim_wire::api::conversation::RequestPagination;
use openim_wire::api::group::{CreateGroupReq, GetGroupMemberListReq, GroupInfo, GroupInfoResp, GroupMembersResp};
use openim_wire::api::path;
use openim_wire::constant::{defaults, platform};
use tokio::sync::watch;

const MEMBERS: usize = 1000;
const ONLINE: usize = 200;
const SENDS: usize = 50;

#[derive(Default, Clone, Copy)]
struct Counts {
    synced: u32,
    received: usize,
}

struct Watch(watch::Sender<Counts>);

impl ConversationListener for Watch {
    fn on_sync_server_start(&self, _: bool) {}
    fn on_sync_server_finish(&self, _: bool) {
        self.0.send_modify(|c| c.synced += 1);
    }
    fn on_sync_server_failed(&self, _: bool) {}
    fn on_sync_server_progress(&self, _: i32) {}
    fn on_new_conversation(&self, _: Vec<Conversation>) {}
    fn on_conversation_changed(&self, _: Vec<Conversation>) {}
    fn on_total_unread_message_count_changed(&self, _: i32) {}
    fn on_conversation_user_input_status_changed(&self, _: InputStatusChange) {}
}

impl AdvancedMsgListener for Watch {
    fn on_recv_new_message(&self, m: Message) {
        if m.content_type == 101 {
            self.0.send_modify(|c| c.received += 1);
        }
    }
    fn on_recv_c2c_read_receipt(&self, _: Vec<MessageReceipt>) {}
    fn on_new_recv_message_revoked(&self, _: RevokedInfo) {}
    fn on_recv_offline_new_message(&self, _: Message) {}
    fn on_msg_deleted(&self, _: Message) {}
    fn on_recv_online_only_message(&self, _: Message) {}
}

fn client(server: &DevServer, dir: &tempfile::TempDir) -> anyhow::Result<Arc<OpenIMClient>> {
    Ok(OpenIMClient::new(OpenIMConfig {
        platform: platform::ANDROID,
        api_addr: server.api_url(),
        ws_addr: server.ws_url(),
        data_dir: dir.path().to_string_lossy().into_owned(),
        log_level: LogLevel::Warn,
    })?)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = DevServer::start(DevServerConfig::default()).await?;
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
    admin.register_user("alice", "Alice").await?;
    let started = Instant::now();
    let mut members = Vec::with_capacity(MEMBERS - 1);
    for i in 1..MEMBERS {
        let id = format!("m{i:04}");
        admin.register_user(&id, &format!("Member {i}")).await?;
        members.push(id);
    }
    let create = CreateGroupReq {
        member_user_ids: members.clone(),
        owner_user_id: "alice".into(),
        group_info: Some(GroupInfo { group_id: "big".into(), group_name: "Big".into(), group_type: 2, ..Default::default() }),
        ..Default::default()
    };
    let _: GroupInfoResp = admin.post(path::CREATE_GROUP, &create).await?;
    println!("made a group of {MEMBERS} in {:.1} s", started.elapsed().as_secs_f64());

    // The floor: the member list as raw REST pages of 100.
    let t = Instant::now();
    let mut fetched = 0;
    for page in 1.. {
        let req = GetGroupMemberListReq {
            group_id: "big".into(),
            pagination: RequestPagination { page_number: page, show_number: 100 },
            ..Default::default()
        };
        let resp: GroupMembersResp = admin.post(path::GET_GROUP_MEMBER_LIST, &req).await?;
        fetched += resp.members.len();
        if resp.members.len() < 100 {
            break;
        }
    }
    assert_eq!(fetched, MEMBERS);
    let floor = t.elapsed();

    let dir = tempfile::tempdir()?;
    let alice = client(&server, &dir)?;
    let (tx, mut rx) = watch::channel(Counts::default());
    alice.set_conversation_listener(Arc::new(Watch(tx)));
    let token = admin.user_token("alice", platform::ANDROID).await?;
    let t = Instant::now();
    alice.login("alice".into(), token.clone()).await?;
    tokio::time::timeout(Duration::from_secs(120), rx.wait_for(|c| c.synced >= 1)).await??;
    let first = t.elapsed();
    let t = Instant::now();
    let listed = alice.get_group_member_list("big".into(), GroupMemberFilter::All, 0, 1000).await?;
    let local_read = t.elapsed();
    assert_eq!(listed.len(), MEMBERS);
    alice.logout().await?;

    let t = Instant::now();
    alice.login("alice".into(), token).await?;
    tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|c| c.synced >= 2)).await??;
    let again = t.elapsed();

    // 200 members online; alice sends, one message at a time.
    let (rtx, mut rrx) = watch::channel(Counts::default());
    let mut online = Vec::new();
    for id in members.iter().take(ONLINE) {
        let dir = tempfile::tempdir()?;
        let c = client(&server, &dir)?;
        let w = Arc::new(Watch(rtx.clone()));
        c.set_advanced_msg_listener(w.clone());
        c.set_conversation_listener(w);
        c.login(id.clone(), admin.user_token(id, platform::ANDROID).await?).await?;
        online.push((c, dir));
    }
    tokio::time::timeout(Duration::from_secs(120), rrx.wait_for(|c| c.synced as usize >= ONLINE)).await??;
    let mut delivery = Vec::with_capacity(SENDS);
    for i in 0..SENDS {
        let t = Instant::now();
        let m = alice.create_text_message(format!("hello {i}"))?;
        alice.send_message(m, None, Some("big".into()), None, false, None).await?;
        tokio::time::timeout(Duration::from_secs(30), rrx.wait_for(|c| c.received >= (i + 1) * ONLINE)).await??;
        delivery.push(t.elapsed());
    }
    delivery.sort();
    for (c, _) in &online {
        c.logout().await?;
    }
    alice.logout().await?;

    println!("group of {MEMBERS}, loopback devserver:");
    println!("{:<66} {:>9.1} ms", "floor: the member list as raw REST pages of 100", ms(floor));
    println!("{:<66} {:>9.1} ms", "first login → on_sync_server_finish (group + 1000 members)", ms(first));
    println!("{:<66} {:>9.1} ms", "get_group_member_list of 1000, local", ms(local_read));
    println!("{:<66} {:>9.1} ms", "next login, nothing changed → on_sync_server_finish", ms(again));
    println!(
        "{:<66} {:>9.1} ms (p50), {:.1} ms (max)",
        format!("send → the last of {ONLINE} online members' on_recv_new_message"),
        ms(delivery[SENDS / 2]),
        ms(*delivery.last().unwrap())
    );
    server.shutdown().await;
    Ok(())
}
