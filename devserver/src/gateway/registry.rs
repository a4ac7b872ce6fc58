//! Online connections per user, their bounded write queues, and kicking.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::Message;
use openim_wire::constant::{multi_login, req};
use openim_wire::gateway::{WsResponse, encode_frame, encode_gob_frame};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What a connection's writer task is asked to do, in order.
#[derive(Debug)]
pub enum Outbound {
    Frame(Message),
    /// Write a close frame after everything queued before it, then stop.
    Close,
}

/// One envelope for many connections (a push to every member of a group): encoded once per
/// envelope form the connections take, not once per connection.
pub struct Frames<'a> {
    resp: &'a WsResponse,
    encoded: [Option<Bytes>; 4],
}

impl<'a> Frames<'a> {
    pub fn new(resp: &'a WsResponse) -> Self {
        Self { resp, encoded: Default::default() }
    }

    /// Queues the envelope on `conn`; whether it was queued.
    pub fn send_to(&mut self, conn: &ConnHandle) -> bool {
        let frame = self.encoded[conn.form()].get_or_insert_with(|| conn.encode(self.resp)).clone();
        conn.send_encoded(frame)
    }
}

/// Capacity of a connection's write queue (OpenIM's gateway uses 256); a client that falls this
/// far behind is disconnected.
pub const WRITE_QUEUE: usize = 256;

/// One live gateway connection.
pub struct ConnHandle {
    pub id: u64,
    pub user_id: String,
    pub platform_id: i32,
    pub token: String,
    pub gzip: bool,
    /// The gob envelope (clients that did not ask for `sdkType=js`), else JSON.
    pub gob: bool,
    pub background: AtomicBool,
    tx: mpsc::Sender<Outbound>,
    /// Cancelled to drop the connection at once (overflow, shutdown, read failure).
    pub abort: CancellationToken,
    /// Users whose presence this connection follows (request 2005).
    pub subscriptions: Mutex<std::collections::HashSet<String>>,
}

impl ConnHandle {
    /// A connection made with `args`; gob unless the client asked for `sdkType=js`.
    pub fn new(id: u64, args: &super::ConnArgs, tx: mpsc::Sender<Outbound>) -> Self {
        Self {
            id,
            user_id: args.user_id.clone(),
            platform_id: args.platform_id,
            token: args.token.clone(),
            gzip: args.gzip,
            gob: args.sdk_type != openim_wire::gateway::query::SDK_TYPE_JS,
            background: AtomicBool::new(args.background),
            tx,
            abort: CancellationToken::new(),
            subscriptions: Mutex::new(Default::default()),
        }
    }

    /// Queues one envelope; a full queue disconnects the client. Returns whether it was queued.
    pub fn send(&self, resp: &WsResponse) -> bool {
        self.send_encoded(self.encode(resp))
    }

    /// `resp` as this connection's envelope (gob or JSON, gzip or not) writes it.
    pub fn encode(&self, resp: &WsResponse) -> Bytes {
        if self.gob { encode_gob_frame(resp, self.gzip) } else { encode_frame(resp, self.gzip) }.into()
    }

    /// Which of the four envelope forms this connection takes (an index for [`Frames`]).
    fn form(&self) -> usize {
        usize::from(self.gob) * 2 + usize::from(self.gzip)
    }

    /// Queues a frame already encoded for this connection's form ([`Self::encode`]).
    pub fn send_encoded(&self, frame: Bytes) -> bool {
        self.enqueue(Outbound::Frame(Message::Binary(frame)))
    }

    /// Queues a ping control frame.
    pub fn ping(&self) -> bool {
        self.enqueue(Outbound::Frame(Message::Ping(Vec::new().into())))
    }

    /// Queues a text frame (heartbeat replies).
    pub fn send_text(&self, text: String) -> bool {
        self.enqueue(Outbound::Frame(Message::text(text)))
    }

    /// Queues a graceful close after what is already queued.
    pub fn close(&self) {
        self.enqueue(Outbound::Close);
    }

    /// Sends the kick notice (2002) and closes the connection.
    pub fn kick(&self) {
        self.send(&WsResponse { req_identifier: req::KICK_ONLINE_MSG, ..Default::default() });
        self.close();
    }

    fn enqueue(&self, item: Outbound) -> bool {
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn = self.id, user = %self.user_id, "write queue full, dropping connection");
                self.abort.cancel();
                false
            }
            // The connection is closing already.
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

#[derive(Default)]
pub struct Registry {
    users: Mutex<HashMap<String, Vec<Arc<ConnHandle>>>>,
    next_id: AtomicU64,
}

impl Registry {
    pub fn next_conn_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Adds `conn` and returns the connections the multi-login policy removes: with "same
    /// platform kicks", every connection of the same user and platform that holds another token.
    pub fn register(&self, conn: Arc<ConnHandle>, policy: i32) -> Vec<Arc<ConnHandle>> {
        let mut users = self.users.lock().expect("registry lock");
        let list = users.entry(conn.user_id.clone()).or_default();
        let mut kicked = Vec::new();
        if policy == multi_login::ALL_LOGIN_BUT_SAME_TERM_KICK {
            list.retain(|c| {
                let kick = c.platform_id == conn.platform_id && c.token != conn.token;
                if kick {
                    kicked.push(c.clone());
                }
                !kick
            });
        }
        list.push(conn);
        kicked
    }

    pub fn unregister(&self, conn: &ConnHandle) {
        let mut users = self.users.lock().expect("registry lock");
        if let Some(list) = users.get_mut(&conn.user_id) {
            list.retain(|c| c.id != conn.id);
            if list.is_empty() {
                users.remove(&conn.user_id);
            }
        }
    }

    /// The live connections of `user_id`.
    pub fn conns_of(&self, user_id: &str) -> Vec<Arc<ConnHandle>> {
        self.users.lock().expect("registry lock").get(user_id).cloned().unwrap_or_default()
    }

    /// Removes and returns the connections of `user_id` on `platform_id`.
    pub fn take_platform(&self, user_id: &str, platform_id: i32) -> Vec<Arc<ConnHandle>> {
        let mut users = self.users.lock().expect("registry lock");
        let Some(list) = users.get_mut(user_id) else { return Vec::new() };
        let (taken, kept): (Vec<_>, Vec<_>) = list.drain(..).partition(|c| c.platform_id == platform_id);
        *list = kept;
        if list.is_empty() {
            users.remove(user_id);
        }
        taken
    }

    /// The platforms `user_id` is online on, sorted.
    pub fn online_platforms(&self, user_id: &str) -> Vec<i32> {
        let mut platforms: Vec<i32> = self.conns_of(user_id).iter().map(|c| c.platform_id).collect();
        platforms.sort_unstable();
        platforms.dedup();
        platforms
    }

    /// Pushes `user_id`'s presence (2005) to every connection that follows it.
    pub fn presence_changed(&self, user_id: &str) {
        use openim_wire::pb::Message as _;
        use openim_wire::pb::sdkws::{SubUserOnlineStatusElem, SubUserOnlineStatusTips};
        let followers: Vec<Arc<ConnHandle>> = {
            let users = self.users.lock().expect("registry lock");
            users.values().flatten().filter(|c| c.subscriptions.lock().expect("subscription lock").contains(user_id)).cloned().collect()
        };
        if followers.is_empty() {
            return;
        }
        let tips = SubUserOnlineStatusTips {
            subscribers: vec![SubUserOnlineStatusElem { user_id: user_id.to_owned(), online_platform_ids: self.online_platforms(user_id) }],
        };
        let frame = WsResponse { req_identifier: req::SUB_USER_ONLINE_STATUS, data: tips.encode_to_vec(), ..Default::default() };
        for conn in followers {
            conn.send(&frame);
        }
    }

    pub fn online_count(&self) -> usize {
        self.users.lock().expect("registry lock").values().map(Vec::len).sum()
    }
}
