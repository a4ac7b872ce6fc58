//! What the domain modules of one session share: who is logged in, the transports, the store,
//! the event queue, the session's in-memory state, and the tasks the session owns.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use openim_wire::api::user::UserInfo;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::error::Result;
use crate::events::{Emitter, Event, Outbox};
use crate::store::{Store, Tx, conversations, seqs};
use crate::transport::http::ApiClient;
use crate::transport::ws::Connection;

/// Commits between two checkpoints of the local database's write-ahead log (a send commits
/// twice, a received message once).
const CHECKPOINT_EVERY: u32 = 64;

pub struct SessionContext {
    pub user_id: String,
    pub platform_id: i32,
    pub api: ApiClient,
    pub store: Store,
    pub conn: Connection,
    events: Emitter,
    background: Arc<AtomicBool>,
    /// The user's own profile, for the sender fields of new messages.
    self_info: RwLock<Option<UserInfo>>,
    /// Highest synced seq per conversation: mirrors `local_seqs`, updated after each commit.
    synced: Mutex<HashMap<String, i64>>,
    /// The total unread count as of the last commit, once a commit needed it (`None` before):
    /// kept up to date from each write's delta instead of summing every conversation again.
    total_unread: Mutex<Option<i64>>,
    /// Senders waiting for the seq of their message.
    seq_waiters: SeqWaiters,
    /// Commits since the last checkpoint, and whether one is running (see `count_commit`).
    commits: AtomicU32,
    checkpointing: Arc<AtomicBool>,
    /// Every task the session starts; logout cancels and awaits them.
    tasks: TaskTracker,
    cancel: CancellationToken,
}

/// What the server's copy of an own message confirmed, as committed to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub seq: i64,
    pub server_msg_id: String,
    pub send_time: i64,
    /// The stored status afterwards (OpenIM's code).
    pub status: i32,
}

/// A message: its conversation and client ID.
type MessageKey = (String, String);

/// Senders waiting for their message's seq, each registration with a token of its own.
#[derive(Default)]
struct SeqWaiters {
    inner: Arc<Mutex<WaiterMap>>,
}

#[derive(Default)]
struct WaiterMap {
    next_token: u64,
    waiting: HashMap<MessageKey, (u64, oneshot::Sender<Confirmed>)>,
}

impl SeqWaiters {
    fn wait(&self, key: MessageKey) -> SeqWaiter {
        let (tx, rx) = oneshot::channel();
        let mut map = self.inner.lock().expect("waiter lock");
        map.next_token += 1;
        let token = map.next_token;
        map.waiting.insert(key.clone(), (token, tx));
        SeqWaiter { rx, key, token, waiters: self.inner.clone() }
    }

    /// Wakes the sender of `key` (after its confirmation was committed).
    fn assign(&self, key: &MessageKey, confirmed: Confirmed) {
        if let Some((_, tx)) = self.inner.lock().expect("waiter lock").waiting.remove(key) {
            let _ = tx.send(confirmed);
        }
    }
}

/// A sender's wait for its message's seq ([`SessionContext::wait_for_seq`]); dropping it
/// unregisters it, and only it: not a later registration for the same message.
pub struct SeqWaiter {
    pub rx: oneshot::Receiver<Confirmed>,
    key: MessageKey,
    token: u64,
    waiters: Arc<Mutex<WaiterMap>>,
}

impl Drop for SeqWaiter {
    fn drop(&mut self) {
        let mut map = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        if map.waiting.get(&self.key).is_some_and(|(token, _)| *token == self.token) {
            map.waiting.remove(&self.key);
        }
    }
}

impl SessionContext {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        user_id: String,
        platform_id: i32,
        api: ApiClient,
        store: Store,
        conn: Connection,
        events: Emitter,
        background: Arc<AtomicBool>,
        synced: HashMap<String, i64>,
        cancel: CancellationToken,
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
            total_unread: Mutex::new(None),
            seq_waiters: SeqWaiters::default(),
            commits: AtomicU32::new(0),
            checkpointing: Arc::new(AtomicBool::new(false)),
            tasks: TaskTracker::new(),
            cancel,
        }
    }

    /// Queues one event for the listeners (waits while the queue is full).
    pub async fn emit(&self, event: Event) {
        self.events.emit(event).await;
    }

    pub async fn emit_all(&self, events: impl IntoIterator<Item = Event>) {
        self.events.emit_all(events).await;
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

    /// Mirrors seqs that a transaction raised and committed.
    pub fn synced_committed(&self, raised: &HashMap<String, i64>) {
        let mut synced = self.synced.lock().expect("seq lock");
        for (id, seq) in raised {
            let entry = synced.entry(id.clone()).or_insert(0);
            *entry = (*entry).max(*seq);
        }
    }

    /// Registers interest in the seq the server gives `client_msg_id` in `conversation_id`,
    /// until the returned waiter is dropped. Call it only as the message's owner (its write
    /// claimed the ID): a later registration for the same message replaces this one.
    pub fn wait_for_seq(&self, conversation_id: &str, client_msg_id: &str) -> SeqWaiter {
        self.seq_waiters.wait((conversation_id.to_owned(), client_msg_id.to_owned()))
    }

    /// Runs `work` as a task of this session: cancelled at logout, which waits for it.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.spawn_boxed(Box::pin(work));
    }

    /// [`Self::spawn`] once `work` is boxed: the cancellation around it is compiled once, and
    /// every session task is one task type (see `runtime::Job`).
    fn spawn_boxed(&self, work: crate::runtime::Job) {
        let cancel = self.cancel.clone();
        let job: crate::runtime::Job = Box::pin(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = work => {}
            }
        });
        self.tasks.spawn(job);
    }

    /// Runs `work` as a task of this session and hands back its result (`None` when the session
    /// ended first).
    pub fn spawn_with_result<T: Send + 'static>(&self, work: impl Future<Output = T> + Send + 'static) -> tokio::task::JoinHandle<Option<T>> {
        let cancel = self.cancel.clone();
        // Boxed: one task type per result type, not per call site.
        let job: Pin<Box<dyn Future<Output = Option<T>> + Send + 'static>> = Box::pin(async move { cancel.run_until_cancelled(work).await });
        self.tasks.spawn(job)
    }

    /// The session's cancellation: fired at logout.
    pub fn cancelled(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.cancel.cancelled()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Opens the session's one write: a transaction plus what to report once it commits.
    pub async fn write(&self) -> Result<Write> {
        self.write_in(self.store.turn().await).await
    }

    /// The writer's turn: no other write starts until the write opened in it
    /// ([`Self::write_in`]) ends.
    pub async fn writer_turn(&self) -> crate::store::WriterTurn {
        self.store.turn().await
    }

    /// [`Self::write`] in a turn taken before.
    pub async fn write_in(&self, turn: crate::store::WriterTurn) -> Result<Write> {
        Ok(Write { tx: self.store.begin_in(turn).await?, out: Outbox::default(), raised: HashMap::new(), unwritten: HashMap::new(), confirmed: Vec::new(), after: Vec::new(), then: Vec::new() })
    }

    /// Commits `w`; then mirrors its seqs, wakes senders waiting for theirs, reports its events
    /// and starts its follow-up tasks. Nothing is reported when the commit fails.
    pub async fn commit(&self, mut w: Write) -> Result<()> {
        let raises = w.take_unwritten_raises();
        seqs::raise_many(&mut w.tx, &raises).await?;
        let total_unread = if w.out.needs_total_unread() {
            let known = *self.total_unread.lock().expect("unread lock");
            let total = match known {
                Some(total) => total + w.out.unread_delta(),
                // The first time: summed in this write, so it includes the write's changes.
                None => conversations::total_unread(&mut w.tx).await?,
            };
            #[cfg(debug_assertions)]
            {
                let stored = conversations::total_unread(&mut w.tx).await?;
                debug_assert_eq!(total, stored, "the mirrored total unread count drifted from the store");
            }
            Some(total)
        } else {
            None
        };
        let writer = w.tx.commit_holding_writer().await?;
        self.synced_committed(&w.raised);
        if let Some(total) = total_unread {
            *self.total_unread.lock().expect("unread lock") = Some(total);
        }
        drop(writer);
        let total_unread = total_unread.map(crate::util::count_i32);
        for (client_msg_id, confirmed) in w.confirmed {
            self.seq_waiters.assign(&client_msg_id, confirmed);
        }
        self.emit_all(w.out.finish(total_unread)).await;
        for f in w.then {
            f();
        }
        for work in w.after {
            self.spawn(work);
        }
        self.count_commit();
        Ok(())
    }

    /// Every `CHECKPOINT_EVERY` commits, checkpoints the store's write-ahead log in a task of
    /// the session, one at a time, so that no commit (a send waiting for its seq, a push)
    /// pays for copying the log into the database (the store turns SQLite's automatic
    /// checkpoint off).
    fn count_commit(&self) {
        if self.commits.fetch_add(1, Ordering::Relaxed) + 1 < CHECKPOINT_EVERY || self.checkpointing.swap(true, Ordering::AcqRel) {
            return;
        }
        self.commits.store(0, Ordering::Relaxed);
        let (store, running) = (self.store.clone(), self.checkpointing.clone());
        self.spawn(async move {
            if let Err(e) = store.checkpoint().await {
                tracing::warn!(error = %e, "checkpoint failed; the next one retries");
            }
            running.store(false, Ordering::Release);
        });
    }

    /// Cancels every task of the session and waits until all have ended.
    pub async fn shut_down(&self) {
        self.cancel.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

type Work = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One unit of local change: the write transaction, the events it will report, and what
/// follows its commit (see [`SessionContext::commit`]).
pub struct Write {
    pub tx: Tx,
    pub out: Outbox,
    raised: HashMap<String, i64>,
    /// Raises of `raised` not written to the store yet.
    unwritten: HashMap<String, i64>,
    confirmed: Vec<(MessageKey, Confirmed)>,
    after: Vec<Work>,
    then: Vec<Box<dyn FnOnce() + Send + 'static>>,
}

impl Write {
    /// Raises a conversation's synced seq in this transaction. Nothing is written yet: the
    /// raises go with the write's next conversation statement ([`Self::put_conversations`]),
    /// or just before the commit — one round trip less for a push or a pulled batch.
    pub fn raise_seq(&mut self, conversation_id: &str, seq: i64) {
        if seq > 0 {
            self.note_raised(conversation_id.to_owned(), seq);
        }
    }

    /// Remembers that this write raised `conversation_id`: to write it, and for the mirror after
    /// the commit.
    fn note_raised(&mut self, conversation_id: String, seq: i64) {
        let entry = self.unwritten.entry(conversation_id.clone()).or_insert(0);
        *entry = (*entry).max(seq);
        let entry = self.raised.entry(conversation_id).or_insert(0);
        *entry = (*entry).max(seq);
    }

    /// The raises not written yet, taken to be written now.
    fn take_unwritten_raises(&mut self) -> Vec<(String, i64)> {
        self.unwritten.drain().collect()
    }

    /// Writes conversation rows in this transaction, with the raises not written yet in the same
    /// round trip ([`Tx::put_conversations`]).
    pub async fn put_conversations(&mut self, rows: &[&crate::store::rows::ConversationRow]) -> Result<()> {
        let raises = self.take_unwritten_raises();
        self.tx.put_conversations(rows, &raises).await
    }

    /// [`Self::raise_seq`] for many conversations at once (seqs ≤ 0 are skipped).
    pub fn raise_seqs(&mut self, seqs: &[(String, i64)]) {
        for (conversation_id, seq) in seqs {
            self.raise_seq(conversation_id, *seq);
        }
    }

    /// The highest seq this write raised `conversation_id` to, if any.
    pub fn raised_seq(&self, conversation_id: &str) -> Option<i64> {
        self.raised.get(conversation_id).copied()
    }

    /// Wakes the sender of `client_msg_id` in `conversation_id` once this write commits.
    pub fn seq_assigned(&mut self, conversation_id: &str, client_msg_id: &str, confirmed: Confirmed) {
        self.confirmed.push(((conversation_id.to_owned(), client_msg_id.to_owned()), confirmed));
    }

    pub fn push(&mut self, event: Event) {
        self.out.push(event);
    }

    /// Starts `work` as a session task once this write commits (never while it is open: it
    /// may use the network or the writer).
    pub fn after_commit(&mut self, work: impl Future<Output = ()> + Send + 'static) {
        self.after.push(Box::pin(work));
    }

    /// Runs `f` right after this write commits (it must not block: it queues work, no more).
    pub fn then(&mut self, f: impl FnOnce() + Send + 'static) {
        self.then.push(Box::new(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirmed(seq: i64) -> Confirmed {
        Confirmed { seq, server_msg_id: format!("s{seq}"), send_time: seq, status: 2 }
    }

    fn key(conversation: &str, client: &str) -> MessageKey {
        (conversation.to_owned(), client.to_owned())
    }

    #[test]
    fn a_dropped_waiter_leaves_a_later_one_for_the_same_message() {
        let waiters = SeqWaiters::default();
        let first = waiters.wait(key("si_a_b", "m1"));
        let mut second = waiters.wait(key("si_a_b", "m1"));
        drop(first);
        waiters.assign(&key("si_a_b", "m1"), confirmed(7));
        assert_eq!(second.rx.try_recv().unwrap(), confirmed(7));
    }

    #[test]
    fn waiters_are_per_conversation_and_unregister_when_dropped() {
        let waiters = SeqWaiters::default();
        let mut in_a = waiters.wait(key("si_a_b", "m1"));
        let mut in_b = waiters.wait(key("sg_g1", "m1"));
        waiters.assign(&key("sg_g1", "m1"), confirmed(3));
        assert_eq!(in_b.rx.try_recv().unwrap(), confirmed(3));
        assert!(in_a.rx.try_recv().is_err(), "the other chat's copy is not this send's");
        drop(in_a);
        drop(in_b);
        assert!(waiters.inner.lock().unwrap().waiting.is_empty());
    }
}
