//! What the domain modules of one session share: who is logged in, the transports, the store,
//! the event queue, and the session's in-memory state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use openim_wire::api::user::UserInfo;
use tokio::sync::oneshot;

use crate::events::{Emit, Event};
use crate::store::Store;
use crate::transport::http::ApiClient;
use crate::transport::ws::Connection;

pub struct SessionContext {
    pub user_id: String,
    pub platform_id: i32,
    pub api: ApiClient,
    pub store: Store,
    pub conn: Connection,
    events: Arc<dyn Emit>,
    background: Arc<AtomicBool>,
    /// The user's own profile, for the sender fields of new messages.
    self_info: RwLock<Option<UserInfo>>,
    /// Highest synced seq per conversation (mirrors `local_seqs`).
    synced: Mutex<HashMap<String, i64>>,
    /// Senders waiting for the seq of their message (client ID → seq).
    seq_waiters: Mutex<HashMap<String, oneshot::Sender<i64>>>,
    /// Serialises message ingestion and the operations that rewrite conversations.
    pub ingest_lock: tokio::sync::Mutex<()>,
}

impl SessionContext {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        user_id: String,
        platform_id: i32,
        api: ApiClient,
        store: Store,
        conn: Connection,
        events: Arc<dyn Emit>,
        background: Arc<AtomicBool>,
        synced: HashMap<String, i64>,
    ) -> Self {
        Self {
            user_id,
            platform_id,
            api,
            store,
            conn,
            events,
            background,
            self_info: RwLock::new(None),
            synced: Mutex::new(synced),
            seq_waiters: Mutex::new(HashMap::new()),
            ingest_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn emit(&self, event: Event) {
        self.events.emit(event);
    }

    pub fn is_background(&self) -> bool {
        self.background.load(Ordering::Relaxed)
    }

    pub fn set_background(&self, background: bool) {
        self.background.store(background, Ordering::Relaxed);
    }

    pub fn self_info(&self) -> Option<UserInfo> {
        self.self_info.read().expect("self info lock").clone()
    }

    pub fn set_self_info(&self, info: UserInfo) {
        *self.self_info.write().expect("self info lock") = Some(info);
    }

    pub fn synced_seq(&self, conversation_id: &str) -> i64 {
        self.synced.lock().expect("seq lock").get(conversation_id).copied().unwrap_or(0)
    }

    pub fn synced_seqs(&self) -> HashMap<String, i64> {
        self.synced.lock().expect("seq lock").clone()
    }

    /// Raises the synced seq in memory and in the store.
    pub async fn raise_synced_seq(&self, conversation_id: &str, seq: i64) -> crate::error::Result<()> {
        {
            let mut synced = self.synced.lock().expect("seq lock");
            let entry = synced.entry(conversation_id.to_owned()).or_insert(0);
            if seq <= *entry {
                return Ok(());
            }
            *entry = seq;
        }
        self.store.raise_synced_seq(conversation_id, seq).await
    }

    /// Registers interest in the seq the server gives `client_msg_id`.
    pub fn wait_for_seq(&self, client_msg_id: &str) -> oneshot::Receiver<i64> {
        let (tx, rx) = oneshot::channel();
        self.seq_waiters.lock().expect("waiter lock").insert(client_msg_id.to_owned(), tx);
        rx
    }

    pub fn forget_seq_waiter(&self, client_msg_id: &str) {
        self.seq_waiters.lock().expect("waiter lock").remove(client_msg_id);
    }

    pub fn seq_assigned(&self, client_msg_id: &str, seq: i64) {
        if let Some(tx) = self.seq_waiters.lock().expect("waiter lock").remove(client_msg_id) {
            let _ = tx.send(seq);
        }
    }
}
