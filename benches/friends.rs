//! Login sync of a friend list; prints numbers.
//!
//!     cargo bench --bench friends
//!
//! alice has 1 000 friends (made through the devserver's REST API as the admin). A fresh device
//! logs in; timed: `login` → `on_sync_server_finish` (the friend list synced by version, each
//! friend reported with `on_friend_added`, plus the blacklist, conversations and messages), then
//! a second login on the same device (nothing changed: one incremental request answers it).
//! Beside them, the floor: the same friend list fetched as raw REST pages.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{
    BlackInfo, Conversation, ConversationListener, FriendApplication, FriendInfo, FriendListener, InputStatusChange, LogLevel,
    OpenIMClient, OpenIMConfig,
};
use openim_wire::api::conversation::RequestPagination;
use openim_wire::api::friend::{ApplyToAddFriendReq, GetPaginationFriendsReq, GetPaginationFriendsResp, RespondFriendApplyReq};
use openim_wire::api::{Empty, path};
use openim_wire::constant::{defaults, platform};
use tokio::sync::watch;

const FRIENDS: usize = 1000;

#[derive(Default, Clone, Copy)]
struct Counts {
    synced: u32,
    added: usize,
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

impl FriendListener for Watch {
    fn on_friend_application_added(&self, _: FriendApplication) {}
    fn on_friend_application_deleted(&self, _: FriendApplication) {}
    fn on_friend_application_accepted(&self, _: FriendApplication) {}
    fn on_friend_application_rejected(&self, _: FriendApplication) {}
    fn on_friend_added(&self, _: FriendInfo) {
        self.0.send_modify(|c| c.added += 1);
    }
    fn on_friend_deleted(&self, _: FriendInfo) {}
    fn on_friend_info_changed(&self, _: FriendInfo) {}
    fn on_black_added(&self, _: BlackInfo) {}
    fn on_black_deleted(&self, _: BlackInfo) {}
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = DevServer::start(DevServerConfig::default()).await?;
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
    admin.register_user("alice", "Alice").await?;
    let started = Instant::now();
    for i in 0..FRIENDS {
        let id = format!("f{i:04}");
        admin.register_user(&id, &format!("Friend {i}")).await?;
        let apply = ApplyToAddFriendReq { from_user_id: id.clone(), to_user_id: "alice".into(), ..Default::default() };
        admin.post::<_, Empty>(path::ADD_FRIEND, &apply).await?;
        let accept = RespondFriendApplyReq { from_user_id: id, to_user_id: "alice".into(), handle_result: 1, handle_msg: String::new() };
        admin.post::<_, Empty>(path::ADD_FRIEND_RESPONSE, &accept).await?;
    }
    println!("made {FRIENDS} friends in {:.1} s", started.elapsed().as_secs_f64());

    // The floor: the list as raw REST pages of 100.
    let t = Instant::now();
    let mut fetched = 0;
    for page in 1.. {
        let req = GetPaginationFriendsReq { user_id: "alice".into(), pagination: RequestPagination { page_number: page, show_number: 100 } };
        let resp: GetPaginationFriendsResp = admin.post(path::GET_FRIEND_LIST, &req).await?;
        fetched += resp.friends_info.len();
        if resp.friends_info.len() < 100 {
            break;
        }
    }
    assert_eq!(fetched, FRIENDS);
    let floor = t.elapsed();

    let dir = tempfile::tempdir()?;
    let client = OpenIMClient::new(OpenIMConfig {
        platform: platform::ANDROID,
        api_addr: server.api_url(),
        ws_addr: server.ws_url(),
        data_dir: dir.path().to_string_lossy().into_owned(),
        log_level: LogLevel::Warn,
    })?;
    let (tx, mut rx) = watch::channel(Counts::default());
    let listener = Arc::new(Watch(tx));
    client.set_conversation_listener(listener.clone());
    client.set_friend_listener(listener);
    let token = admin.user_token("alice", platform::ANDROID).await?;
    let t = Instant::now();
    client.login("alice".into(), token.clone()).await?;
    tokio::time::timeout(Duration::from_secs(120), rx.wait_for(|c| c.synced >= 1 && c.added >= FRIENDS)).await??;
    let first = t.elapsed();
    assert_eq!(client.get_friend_list(false).await?.len(), FRIENDS);
    client.logout().await?;

    let t = Instant::now();
    client.login("alice".into(), token).await?;
    tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|c| c.synced >= 2)).await??;
    let again = t.elapsed();
    client.logout().await?;

    println!("friend list of {FRIENDS}, loopback devserver:");
    println!("{:<58} {:>9.1} ms", "floor: the list as raw REST pages of 100", floor.as_secs_f64() * 1e3);
    println!("{:<58} {:>9.1} ms", "first login → on_sync_server_finish (+ 1000 on_friend_added)", first.as_secs_f64() * 1e3);
    println!("{:<58} {:>9.1} ms", "next login, nothing changed → on_sync_server_finish", again.as_secs_f64() * 1e3);
    server.shutdown().await;
    Ok(())
}
