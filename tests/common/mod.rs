//! Shared test support: a devserver with an admin client, SDK clients, and a recording
//! `ConnListener` with bounded waits.
#![allow(dead_code)]

pub mod events;
pub mod fake_gateway;
pub mod raw_client;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{ConnListener, LogLevel, OpenIMClient, OpenIMConfig};
use openim_wire::constant::{defaults, platform};

/// Upper bound for anything that should happen "soon".
pub const WAIT: Duration = Duration::from_secs(15);

pub struct TestServer {
    pub server: DevServer,
    pub admin: AdminClient,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(DevServerConfig::default()).await
    }

    pub async fn start_with(config: DevServerConfig) -> Self {
        let server = DevServer::start(config).await.expect("devserver starts");
        let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.expect("admin token");
        Self { server, admin }
    }

    /// Registers `user_id` and returns a token for Android (platform 2).
    pub async fn user(&self, user_id: &str) -> String {
        self.admin.register_user(user_id, &format!("{user_id} nick")).await.expect("register");
        self.admin.user_token(user_id, platform::ANDROID).await.expect("token")
    }

    pub fn config(&self, data_dir: &std::path::Path, platform: i32) -> OpenIMConfig {
        config_for(&self.server.api_url(), &self.server.ws_url(), data_dir, platform)
    }

    /// A client on `platform` with its own listener.
    pub fn client(&self, data_dir: &std::path::Path, platform: i32) -> (Arc<OpenIMClient>, Arc<ConnRecorder>) {
        client_for(self.config(data_dir, platform))
    }

    /// Registers `user_id`, logs it in on Android with a fresh data directory and waits until
    /// it is connected.
    pub async fn online(&self, user_id: &str) -> Online {
        let token = self.user(user_id).await;
        self.online_with(user_id, token, platform::ANDROID, tempfile::tempdir().expect("temp dir")).await
    }

    /// Logs in an already registered user on `platform` with `dir`, waits until connected and
    /// the first sync finished.
    pub async fn online_with(&self, user_id: &str, token: String, platform: i32, dir: tempfile::TempDir) -> Online {
        let (client, conn) = self.client(dir.path(), platform);
        let events = Arc::new(events::EventRecorder::default());
        client.set_conversation_listener(events.clone());
        client.set_advanced_msg_listener(events.clone());
        client.set_friend_listener(events.clone());
        client.set_group_listener(events.clone());
        client.set_user_listener(events.clone());
        client.login(user_id.to_owned(), token).await.expect("login");
        conn.wait_count(Conn::Success, 1).await;
        events.wait_until("first sync", |ev| ev.iter().any(|e| matches!(e, events::Ev::SyncFinish(_)))).await;
        Online { client, conn, events, dir }
    }

    /// Polls the server until it has `n` live gateway connections.
    pub async fn wait_online(&self, n: usize) {
        let start = Instant::now();
        while self.server.online_connections() != n {
            assert!(start.elapsed() < WAIT, "server has {} connections, want {n}", self.server.online_connections());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A logged-in, connected user.
pub struct Online {
    pub client: Arc<OpenIMClient>,
    pub conn: Arc<ConnRecorder>,
    pub events: Arc<events::EventRecorder>,
    pub dir: tempfile::TempDir,
}

pub fn config_for(api: &str, ws: &str, data_dir: &std::path::Path, platform: i32) -> OpenIMConfig {
    OpenIMConfig {
        platform,
        api_addr: api.to_owned(),
        ws_addr: ws.to_owned(),
        data_dir: data_dir.to_string_lossy().into_owned(),
        log_level: LogLevel::Warn,
    }
}

pub fn client_for(config: OpenIMConfig) -> (Arc<OpenIMClient>, Arc<ConnRecorder>) {
    let client = OpenIMClient::new(config).expect("valid config");
    let recorder = Arc::new(ConnRecorder::default());
    client.set_conn_listener(recorder.clone());
    (client, recorder)
}

/// A text message from alice to bob in their single chat, as a test writes it straight into a
/// store (what a crash or an earlier session left behind).
pub fn alice_to_bob(client_msg_id: &str, seq: i64, time: i64, status: openim_sdk::MessageStatus, text: &str) -> openim_sdk::Message {
    openim_sdk::Message {
        client_msg_id: client_msg_id.to_owned(),
        conversation_id: openim_wire::conversation_id::single("alice", "bob"),
        server_msg_id: if seq > 0 { format!("s{seq}") } else { String::new() },
        create_time: time,
        send_time: time,
        session_type: 1,
        send_id: "alice".into(),
        recv_id: "bob".into(),
        group_id: String::new(),
        msg_from: 100,
        content_type: 101,
        sender_platform_id: 2,
        sender_nickname: String::new(),
        sender_face_url: String::new(),
        seq,
        is_read: false,
        status,
        attached_info: String::new(),
        ex: String::new(),
        local_ex: String::new(),
        content: openim_sdk::MessageContent::Text { text: text.to_owned() },
    }
}

/// What a `ConnListener` saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conn {
    Connecting,
    Success,
    Failed(i32),
    Kicked,
    TokenExpired,
    TokenInvalid,
}

/// Records events from a listener thread and lets tests wait for them with a bound.
pub struct Recorder<E> {
    events: Mutex<Vec<E>>,
    changed: tokio::sync::watch::Sender<usize>,
}

impl<E> Default for Recorder<E> {
    fn default() -> Self {
        Self { events: Mutex::new(Vec::new()), changed: tokio::sync::watch::Sender::new(0) }
    }
}

impl<E: Clone + std::fmt::Debug> Recorder<E> {
    pub fn push(&self, e: E) {
        self.events.lock().unwrap().push(e);
        self.changed.send_modify(|n| *n += 1);
    }

    pub fn events(&self) -> Vec<E> {
        self.events.lock().unwrap().clone()
    }

    /// Waits (bounded by [`WAIT`]) until `pred` holds for the events so far; returns them.
    pub async fn wait_until(&self, what: &str, pred: impl Fn(&[E]) -> bool) -> Vec<E> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let events = self.events.lock().unwrap();
                if pred(&events) {
                    return events.clone();
                }
            }
            if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
                panic!("timed out waiting for {what}; events: {:#?}", self.events());
            }
        }
    }
}

pub type ConnRecorder = Recorder<Conn>;

impl ConnRecorder {
    pub fn count(&self, e: &Conn) -> usize {
        self.events().iter().filter(|x| *x == e).count()
    }

    /// Waits until `e` has been seen `n` times.
    pub async fn wait_count(&self, e: Conn, n: usize) -> Vec<Conn> {
        let what = format!("{n} x {e:?}");
        self.wait_until(&what, move |ev| ev.iter().filter(|x| **x == e).count() >= n).await
    }
}

impl ConnListener for ConnRecorder {
    fn on_connecting(&self) {
        self.push(Conn::Connecting)
    }
    fn on_connect_success(&self) {
        self.push(Conn::Success)
    }
    fn on_connect_failed(&self, code: i32, _msg: String) {
        self.push(Conn::Failed(code))
    }
    fn on_kicked_offline(&self) {
        self.push(Conn::Kicked)
    }
    fn on_user_token_expired(&self) {
        self.push(Conn::TokenExpired)
    }
    fn on_user_token_invalid(&self, _msg: String) {
        self.push(Conn::TokenInvalid)
    }
}
