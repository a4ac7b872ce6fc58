//! Quickstart: an embedded devserver, two users (alice on Android, bob on iOS) who log in, and
//! every `ConnListener` event they receive, printed as it arrives.
//!
//!     cargo run --example quickstart

use std::sync::Arc;
use std::time::Duration;

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{ConnListener, LogLevel, OpenIMClient, OpenIMConfig};
use openim_wire::constant::{defaults, platform};
use tokio::sync::watch;

/// Prints each callback with its user's name and counts successful connections.
struct PrintingConnListener {
    user: &'static str,
    connected: watch::Sender<u32>,
}

impl ConnListener for PrintingConnListener {
    fn on_connecting(&self) {
        println!("[{}] ConnListener.on_connecting", self.user);
    }
    fn on_connect_success(&self) {
        println!("[{}] ConnListener.on_connect_success", self.user);
        self.connected.send_modify(|n| *n += 1);
    }
    fn on_connect_failed(&self, code: i32, msg: String) {
        println!("[{}] ConnListener.on_connect_failed code={code} msg={msg}", self.user);
    }
    fn on_kicked_offline(&self) {
        println!("[{}] ConnListener.on_kicked_offline", self.user);
    }
    fn on_user_token_expired(&self) {
        println!("[{}] ConnListener.on_user_token_expired", self.user);
    }
    fn on_user_token_invalid(&self, msg: String) {
        println!("[{}] ConnListener.on_user_token_invalid msg={msg}", self.user);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = DevServer::start(DevServerConfig::default()).await?;
    println!("devserver: api {} ws {}", server.api_url(), server.ws_url());
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
    let data_dir = tempfile::tempdir()?;
    let (connected_tx, mut connected) = watch::channel(0u32);

    let mut clients = Vec::new();
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
        client.set_conn_listener(Arc::new(PrintingConnListener { user, connected: connected_tx.clone() }));
        client.login(user.to_owned(), token).await?;
        println!("[{user}] login() returned; status {:?}", client.login_status());
        clients.push((user, client));
    }

    tokio::time::timeout(Duration::from_secs(15), connected.wait_for(|n| *n >= 2)).await??;
    for (user, client) in &clients {
        let me = client.get_self_user_info().await?;
        println!("[{user}] get_self_user_info: {} ({})", me.nickname, me.user_id);
    }
    for (user, client) in &clients {
        client.logout().await?;
        println!("[{user}] logout() returned; status {:?}", client.login_status());
    }
    server.shutdown().await;
    Ok(())
}
