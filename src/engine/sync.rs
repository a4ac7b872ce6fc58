//! Seq-based message sync (OpenIM `msg_sync.go`), with nothing skipped.
//!
//! - **Pushes** are applied at once where their seqs continue the synced one; a push that skips
//!   seqs records the conversation as *pending* up to its last seq (its stored messages are not
//!   applied, they are pulled with the gap). Seqs already synced are duplicates.
//! - **Jobs** run one at a time beside the pushes: the connect sync (max seqs 1001, range pulls
//!   1002 batched to 100 messages — the newest message of each chat conversation, every
//!   notification — then unread counts from 1006) and the pull of pending gaps. A job that fails
//!   is retried with backoff; nothing it did not store counts as synced.
//! - **One write per batch**: a pulled reply (or a push), its conversation changes and its seq
//!   advance commit together; listeners hear about it after the commit.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openim_wire::constant::req;
use openim_wire::conversation_id::is_notification;
use openim_wire::pb::Message as _;
use openim_wire::pb::msg::{GetConversationsHasReadAndMaxSeqReq, GetConversationsHasReadAndMaxSeqResp};
use openim_wire::pb::sdkws::{GetMaxSeqReq, GetMaxSeqResp, MsgData, PullMessageBySeqsReq, PullMessageBySeqsResp, PullOrder, PushMessages, SeqRange};

use super::router::Router;
use crate::context::SessionContext;
use crate::conversation::{Conversations, SAVE_CHUNK, save_over_many};
use crate::friend::Friends;
use crate::group::Groups;
use crate::error::Result;
use crate::events::{ConversationEvent, Event};
use crate::message::Messages;
use crate::store::{chat_logs, conversations};

/// Messages per pull request (OpenIM `SplitPullMsgNum`).
pub const PULL_BATCH: i64 = 100;
/// How many of a chat conversation's newest messages a connect pulls (OpenIM `connectPullNums`).
pub const CONNECT_PULL: i64 = 1;
/// The most seqs of one chat a sync pulls whole (100 requests): of a longer gap only the newest
/// this many (history pages fetch the rest).
pub const MAX_GAP_PULL: i64 = 10_000;
/// The same for a notification conversation, which has no history to page: far more.
pub const MAX_NOTIFICATION_GAP_PULL: i64 = 100_000;

/// Messages of one push or pull reply, by conversation.
#[derive(Debug, Default)]
pub struct Incoming {
    pub chats: BTreeMap<String, Vec<MsgData>>,
    pub notifications: BTreeMap<String, Vec<MsgData>>,
}

pub struct MsgSyncer {
    ctx: Arc<SessionContext>,
    messages: Messages,
    conversations: Conversations,
    friends: Friends,
    groups: Groups,
    router: Router,
    /// Conversations with a gap: the highest seq known to exist.
    pending: Mutex<HashMap<String, i64>>,
}

impl MsgSyncer {
    pub fn new(
        ctx: Arc<SessionContext>,
        messages: Messages,
        conversations: Conversations,
        friends: Friends,
        groups: Groups,
        router: Router,
    ) -> Self {
        Self { ctx, messages, conversations, friends, groups, router, pending: Mutex::new(HashMap::new()) }
    }

    /// Whether gaps wait to be pulled.
    pub fn has_pending(&self) -> bool {
        !self.pending.lock().expect("pending lock").is_empty()
    }

    /// A fresh install: nothing synced yet on this device.
    pub fn reinstalled(&self) -> bool {
        self.ctx.synced_seqs().is_empty()
    }

    /// The connect sync, framed by `on_sync_server_start` and `..._finish` (or `..._failed`),
    /// with `on_sync_server_progress` for a first sync and for long ones.
    pub async fn connect_sync(&self) -> Result<()> {
        let reinstalled = self.reinstalled();
        self.emit(ConversationEvent::SyncServerStart { reinstalled }).await;
        match self.sync(reinstalled).await {
            Ok(reported) => {
                if reported {
                    self.emit(ConversationEvent::SyncServerProgress { progress: 100 }).await;
                }
                self.emit(ConversationEvent::SyncServerFinish { reinstalled }).await;
                Ok(())
            }
            Err(e) => {
                self.emit(ConversationEvent::SyncServerFailed { reinstalled }).await;
                Err(e)
            }
        }
    }

    async fn emit(&self, e: ConversationEvent) {
        self.ctx.emit(Event::Conversation(e)).await;
    }

    /// The lists (conversations), then the messages, then unread counts; returns whether
    /// progress was reported.
    async fn sync(&self, reinstalled: bool) -> Result<bool> {
        // The lists first (friends, the blacklist, groups and their members, conversations and
        // their settings made on other devices), as OpenIM syncs them before the messages.
        self.friends.sync().await?;
        self.friends.sync_blacks().await?;
        self.groups.sync_all().await?;
        self.conversations.sync().await?;
        let max: GetMaxSeqResp = self.ctx.conn.request(req::GET_NEWEST_SEQ, &GetMaxSeqReq { user_id: self.ctx.user_id.clone() }).await?;
        let mut ranges = Vec::new();
        let mut skipped = Vec::new();
        let mut ids: Vec<_> = max.max_seqs.into_iter().collect();
        ids.sort();
        for (conversation_id, max_seq) in ids {
            let synced = self.ctx.synced_seq(&conversation_id);
            // Below the user's min seq there is nothing to pull (cleared history).
            let begin = synced.saturating_add(1).max(max.min_seqs.get(&conversation_id).copied().unwrap_or(0));
            if max_seq <= synced {
                continue;
            }
            if begin > max_seq || (is_notification(&conversation_id) && reinstalled) {
                // Nothing visible left, or old notifications that mean nothing to a new install.
                skipped.push((conversation_id, max_seq));
                continue;
            }
            if is_notification(&conversation_id) || (synced > 0 && max_seq - synced <= PULL_BATCH) {
                // Notifications, and short gaps of conversations this device already follows,
                // are pulled whole: every message is reported.
                ranges.extend(chunks(&conversation_id, begin, max_seq));
            } else {
                // New or long-silent conversations bring their newest message; history pages
                // in the rest.
                ranges.push(SeqRange { conversation_id, begin, end: max_seq, num: CONNECT_PULL });
            }
        }
        if !skipped.is_empty() {
            let mut w = self.ctx.write().await?;
            w.raise_seqs(&skipped);
            self.ctx.commit(w).await?;
        }
        let batches = batches(ranges);
        let report = reinstalled || batches.len() > 1;
        if report {
            self.emit(ConversationEvent::SyncServerProgress { progress: 10 }).await;
        }
        self.pull_batches(batches, report).await?;
        self.reconcile_unread().await?;
        Ok(report)
    }

    /// Pulls `ranges` in requests of at most [`PULL_BATCH`] messages.
    async fn pull_all(&self, ranges: Vec<SeqRange>) -> Result<()> {
        self.pull_batches(batches(ranges), false).await
    }

    /// Pulls each batch (request 1002) and applies its reply in one write that also marks its
    /// ranges synced; a failed request changes nothing. Pipelined: the next batch is asked for
    /// while the previous one is applied (the request holds no lock; the write holds the
    /// writer). With `report`, progress goes from 10 to 90 as batches are applied.
    async fn pull_batches(&self, batches: Vec<Vec<SeqRange>>, report: bool) -> Result<()> {
        let total = batches.len();
        let mut batches = batches.into_iter();
        let mut fetched = match batches.next() {
            Some(batch) => Some(self.fetch(batch).await?),
            None => None,
        };
        let mut done = 0;
        while let Some((ranges, resp)) = fetched.take() {
            let next = batches.next();
            let (applied, next) = tokio::join!(self.apply_pulled(ranges, resp), async {
                match next {
                    Some(batch) => Some(self.fetch(batch).await),
                    None => None,
                }
            });
            applied?;
            fetched = next.transpose()?;
            done += 1;
            if report {
                let progress = 10 + (80 * done / total.max(1)) as i32;
                self.emit(ConversationEvent::SyncServerProgress { progress }).await;
            }
        }
        Ok(())
    }

    /// Request 1002 for `ranges`.
    async fn fetch(&self, ranges: Vec<SeqRange>) -> Result<(Vec<SeqRange>, PullMessageBySeqsResp)> {
        let req = PullMessageBySeqsReq { user_id: self.ctx.user_id.clone(), seq_ranges: ranges, order: PullOrder::Asc as i32 };
        let resp: PullMessageBySeqsResp = self.ctx.conn.request(req::PULL_MSG_BY_RANGE, &req).await?;
        Ok((req.seq_ranges, resp))
    }

    /// Applies a pull's reply in one write that also marks its ranges synced.
    async fn apply_pulled(&self, ranges: Vec<SeqRange>, resp: PullMessageBySeqsResp) -> Result<()> {
        let incoming = Incoming {
            chats: resp.msgs.into_iter().map(|(k, v)| (k, v.msgs)).collect(),
            notifications: resp.notification_msgs.into_iter().map(|(k, v)| (k, v.msgs)).collect(),
        };
        let raise: Vec<(String, i64)> = ranges.into_iter().map(|r| (r.conversation_id, r.end)).collect();
        self.apply(incoming, &raise).await?;
        let mut pending = self.pending.lock().expect("pending lock");
        for (conversation_id, _) in raise {
            if pending.get(&conversation_id).is_some_and(|top| *top <= self.ctx.synced_seq(&conversation_id)) {
                pending.remove(&conversation_id);
            }
        }
        Ok(())
    }

    /// Applies `incoming` and raises each conversation of `raise` to its seq, in one write.
    async fn apply(&self, mut incoming: Incoming, raise: &[(String, i64)]) -> Result<()> {
        let mut w = self.ctx.write().await?;
        // Written with the batch's conversations.
        w.raise_seqs(raise);
        let ids: Vec<String> = incoming.chats.keys().cloned().collect();
        let mut existing: HashMap<String, _> =
            conversations::get_many(&mut w.tx, &ids).await?.into_iter().map(|c| (c.conversation_id.clone(), c)).collect();
        let mut batch = self.messages.batch(&mut w, &mut incoming.chats).await?;
        for (conversation_id, msgs) in incoming.chats {
            let row = existing.remove(&conversation_id);
            self.messages.apply_chat_over(&mut w, &conversation_id, msgs, row, Some(&mut batch)).await?;
        }
        // The conversations are written before any notification of the batch reads them.
        self.messages.finish_batch(&mut w, batch).await?;
        for (conversation_id, mut msgs) in incoming.notifications {
            msgs.sort_by_key(|m| m.seq);
            // Synced seqs are read under the writer, so they are those of the last commit.
            let synced = self.ctx.synced_seq(&conversation_id);
            for data in msgs.iter().filter(|m| m.seq == 0 || m.seq > synced) {
                self.router.route(&mut w, data).await?;
            }
            let top = msgs.iter().map(|m| m.seq).max().unwrap_or(0);
            w.raise_seq(&conversation_id, top);
        }
        self.ctx.commit(w).await
    }

    /// Unread counts from the server: `max(0, maxSeq - hasReadSeq)` per conversation
    /// (request 1006).
    async fn reconcile_unread(&self) -> Result<()> {
        let req = GetConversationsHasReadAndMaxSeqReq { user_id: self.ctx.user_id.clone(), conversation_ids: Vec::new(), return_pinned: false };
        let resp: GetConversationsHasReadAndMaxSeqResp = self.ctx.conn.request(req::GET_CONV_MAX_READ_SEQ, &req).await?;
        let mut w = self.ctx.write().await?;
        let mut ids: Vec<_> = resp.seqs.into_iter().collect();
        ids.sort_by(|a, b| a.0.cmp(&b.0));
        // One read for all of them, not one per conversation.
        let mut local: HashMap<String, _> = conversations::all(&mut w.tx).await?.into_iter().map(|c| (c.conversation_id.clone(), c)).collect();
        let mut saves = Vec::new();
        // Read marks, written with each chunk of conversations (a count below does not read them).
        let mut marks = Vec::new();
        for (conversation_id, seqs) in ids {
            let Some(before) = local.remove(&conversation_id) else { continue };
            let mut c = before.clone();
            if seqs.has_read_seq > 0 {
                marks.push((conversation_id.clone(), seqs.has_read_seq));
            }
            // Messages pushed while the request was out (seqs past the server's answer) were
            // applied already and added to the count: they stay counted.
            let newer = if c.max_seq > seqs.max_seq {
                chat_logs::count_from_others(&mut w.tx, &conversation_id, &self.ctx.user_id, seqs.max_seq.max(seqs.has_read_seq), c.max_seq).await?
            } else {
                0
            };
            c.has_read_seq = seqs.has_read_seq;
            c.max_seq = c.max_seq.max(seqs.max_seq);
            c.unread_count = crate::util::count_i32(crate::util::unread_between(seqs.max_seq, seqs.has_read_seq).saturating_add(newer));
            if c.unread_count == 0 && (1..=3).contains(&c.group_at_type) {
                // Read (on another device, or before this one came): no mention waits here. The
                // server's mark stays as expected (this SDK does not clear it when reading).
                c.group_at_type = 0;
            }
            saves.push((Some(before), c));
            if saves.len() == SAVE_CHUNK {
                chat_logs::mark_read_up_to_many(&mut w.tx, &self.ctx.user_id, &std::mem::take(&mut marks)).await?;
                save_over_many(&mut w, std::mem::take(&mut saves)).await?;
            }
        }
        chat_logs::mark_read_up_to_many(&mut w.tx, &self.ctx.user_id, &marks).await?;
        save_over_many(&mut w, saves).await?;
        self.ctx.commit(w).await
    }

    /// A push (2001): seqs that continue the synced ones are applied, a gap makes the
    /// conversation pending, seqs already synced are dropped. No network here.
    pub async fn on_push(&self, data: &[u8]) -> Result<()> {
        let push = match PushMessages::decode(data) {
            Ok(push) => push,
            Err(e) => {
                tracing::error!(error = %e, "dropping a push that does not decode");
                return Ok(());
            }
        };
        let mut w = self.ctx.write().await?;
        let mut incoming = Incoming::default();
        let mut raise = Vec::new();
        let mut gaps = Vec::new();
        for (conversation_id, pulled) in push.msgs {
            if let Some(msgs) = self.triage(&conversation_id, pulled.msgs, &mut raise, &mut gaps) {
                incoming.chats.insert(conversation_id, msgs);
            }
        }
        for (conversation_id, pulled) in push.notification_msgs {
            if let Some(msgs) = self.triage(&conversation_id, pulled.msgs, &mut raise, &mut gaps) {
                incoming.notifications.insert(conversation_id, msgs);
            }
        }
        // The triage read the synced seqs under the writer; apply in the same write (the raises
        // are written with the first conversation the messages change).
        w.raise_seqs(&raise);
        for (conversation_id, msgs) in incoming.chats {
            self.messages.apply_chat(&mut w, &conversation_id, msgs).await?;
        }
        for (_, msgs) in incoming.notifications {
            for data in &msgs {
                self.router.route(&mut w, data).await?;
            }
        }
        self.ctx.commit(w).await?;
        if !gaps.is_empty() {
            let mut pending = self.pending.lock().expect("pending lock");
            for (conversation_id, top) in gaps {
                tracing::debug!(conversation = %conversation_id, top, "push skipped seqs; the gap is pulled");
                let entry = pending.entry(conversation_id).or_insert(0);
                *entry = (*entry).max(top);
            }
        }
        Ok(())
    }

    /// Keeps what a push adds after the synced seq without a gap (plus seq-0 messages); notes
    /// the seq to raise to, or the gap to pull.
    fn triage(&self, conversation_id: &str, mut msgs: Vec<MsgData>, raise: &mut Vec<(String, i64)>, gaps: &mut Vec<(String, i64)>) -> Option<Vec<MsgData>> {
        msgs.sort_by_key(|m| m.seq);
        let mut next = self.ctx.synced_seq(conversation_id).saturating_add(1);
        let mut keep = Vec::with_capacity(msgs.len());
        let mut gap_top = None;
        for m in msgs {
            if m.seq == 0 {
                keep.push(m);
            } else if m.seq < next {
                // Already synced.
            } else if m.seq == next && gap_top.is_none() {
                next = next.saturating_add(1);
                keep.push(m);
            } else {
                gap_top = Some(gap_top.unwrap_or(0).max(m.seq));
            }
        }
        if next > self.ctx.synced_seq(conversation_id).saturating_add(1) {
            raise.push((conversation_id.to_owned(), next - 1));
        }
        if let Some(top) = gap_top {
            gaps.push((conversation_id.to_owned(), top));
        }
        (!keep.is_empty()).then_some(keep)
    }

    /// Pulls every pending gap; what cannot be pulled now stays pending.
    pub async fn pull_pending(&self) -> Result<()> {
        let wanted: Vec<(String, i64)> = self.pending.lock().expect("pending lock").iter().map(|(k, v)| (k.clone(), *v)).collect();
        let mut ranges = Vec::new();
        for (conversation_id, top) in wanted {
            let synced = self.ctx.synced_seq(&conversation_id);
            if top <= synced {
                self.pending.lock().expect("pending lock").remove(&conversation_id);
                continue;
            }
            ranges.extend(chunks(&conversation_id, synced.saturating_add(1), top));
        }
        self.pull_all(ranges).await
    }
}

/// Groups ranges into requests of at most [`PULL_BATCH`] messages.
fn batches(ranges: Vec<SeqRange>) -> Vec<Vec<SeqRange>> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut weight = 0;
    for range in ranges {
        weight += (range.end - range.begin + 1).min(range.num);
        batch.push(range);
        if weight >= PULL_BATCH {
            out.push(std::mem::take(&mut batch));
            weight = 0;
        }
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

/// `[begin, end]` as ranges of at most [`PULL_BATCH`] seqs, each pulled whole; of a gap longer
/// than [`MAX_GAP_PULL`] (notifications: [`MAX_NOTIFICATION_GAP_PULL`]) only its newest seqs (the ranges raise the synced seq to `end`; a chat's
/// older messages come with its history pages). A server's claimed seq cannot make this list
/// (or the pulls) grow without bound.
fn chunks(conversation_id: &str, begin: i64, end: i64) -> Vec<SeqRange> {
    let mut b = begin;
    let cap = if is_notification(conversation_id) { MAX_NOTIFICATION_GAP_PULL } else { MAX_GAP_PULL };
    if end.saturating_sub(begin) >= cap {
        b = end - (cap - 1);
        tracing::warn!(conversation = %conversation_id, begin, end, "a gap too long to pull whole; its newest seqs are pulled");
    }
    let mut out = Vec::new();
    while b <= end {
        let e = b.saturating_add(PULL_BATCH - 1).min(end);
        out.push(SeqRange { conversation_id: conversation_id.to_owned(), begin: b, end: e, num: e - b + 1 });
        if e == end {
            break;
        }
        b = e + 1;
    }
    out
}

/// Delays between failed sync jobs: 1, 2, 4, … up to 32 s.
pub struct RetryBackoff {
    next: Duration,
}

impl Default for RetryBackoff {
    fn default() -> Self {
        Self { next: Duration::from_secs(1) }
    }
}

impl RetryBackoff {
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(Duration::from_secs(32));
        d
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}
