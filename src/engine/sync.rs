//! Seq-based message sync (OpenIM `msg_sync.go`).
//!
//! On every connect: max seqs (1001), then range pulls (1002) batched up to 100 messages —
//! only the newest message of each chat conversation (older history is paged in lazily), every
//! notification — then unread counts from the server's has-read and max seqs (1006).
//! On every push: a conversation whose seqs continue the synced one is applied at once; a gap
//! is pulled first; seqs already synced are duplicates and dropped.

use std::sync::Arc;
use std::time::Duration;

use openim_wire::constant::req;
use openim_wire::conversation_id::is_notification;
use openim_wire::pb::Message as _;
use openim_wire::pb::msg::{GetConversationsHasReadAndMaxSeqReq, GetConversationsHasReadAndMaxSeqResp};
use openim_wire::pb::sdkws::{GetMaxSeqReq, GetMaxSeqResp, MsgData, PullMessageBySeqsReq, PullMessageBySeqsResp, PullOrder, PushMessages, SeqRange};

use crate::context::SessionContext;
use crate::conversation::{Changes, Conversations};
use crate::error::{OpenIMError, Result};
use crate::events::{ConversationEvent, Event};
use crate::message::Messages;
use crate::message::ingest::Incoming;

/// Messages per pull request (OpenIM `SplitPullMsgNum`).
pub const PULL_BATCH: i64 = 100;
/// How many of a chat conversation's newest messages a connect pulls (OpenIM `connectPullNums`).
pub const CONNECT_PULL: i64 = 1;
/// Most messages of one gap pulled when a push skips seqs; older ones are paged in later.
pub const GAP_PULL: i64 = 100;

pub struct MsgSyncer {
    ctx: Arc<SessionContext>,
    messages: Messages,
    conversations: Conversations,
}

impl MsgSyncer {
    pub fn new(ctx: Arc<SessionContext>, messages: Messages, conversations: Conversations) -> Self {
        Self { ctx, messages, conversations }
    }

    /// A fresh install: nothing synced yet on this device.
    fn reinstalled(&self) -> bool {
        self.ctx.synced_seqs().is_empty()
    }

    /// The connect sync, framed by `on_sync_server_start` and `..._finish` (or `..._failed`).
    pub async fn on_connected(&self) {
        let reinstalled = self.reinstalled();
        self.ctx.emit(Event::Conversation(ConversationEvent::SyncServerStart { reinstalled }));
        match self.sync(reinstalled).await {
            Ok(()) => {
                if reinstalled {
                    self.ctx.emit(Event::Conversation(ConversationEvent::SyncServerProgress { progress: 100 }));
                }
                self.ctx.emit(Event::Conversation(ConversationEvent::SyncServerFinish { reinstalled }));
            }
            Err(e) => {
                tracing::warn!(error = %e, "message sync failed");
                self.ctx.emit(Event::Conversation(ConversationEvent::SyncServerFailed { reinstalled }));
            }
        }
    }

    async fn max_seqs(&self) -> Result<GetMaxSeqResp> {
        let req = GetMaxSeqReq { user_id: self.ctx.user_id.clone() };
        let mut delay = Duration::from_secs(2);
        let mut attempt = 1;
        loop {
            match self.ctx.conn.request(req::GET_NEWEST_SEQ, &req).await {
                Ok(resp) => return Ok(resp),
                Err(e) if attempt < 3 && matches!(e, OpenIMError::Timeout { .. }) => {
                    tracing::info!(error = %e, attempt, "get max seq failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn sync(&self, reinstalled: bool) -> Result<()> {
        let max = self.max_seqs().await?;
        let mut ranges = Vec::new();
        let mut ids: Vec<_> = max.max_seqs.into_iter().collect();
        ids.sort();
        for (conversation_id, max_seq) in ids {
            let synced = self.ctx.synced_seq(&conversation_id);
            if max_seq <= synced {
                continue;
            }
            if is_notification(&conversation_id) {
                if reinstalled {
                    // Old notifications mean nothing to a new install.
                    self.ctx.raise_synced_seq(&conversation_id, max_seq).await?;
                    continue;
                }
                let mut begin = synced + 1;
                while begin <= max_seq {
                    let end = (begin + PULL_BATCH - 1).min(max_seq);
                    ranges.push(SeqRange { conversation_id: conversation_id.clone(), begin, end, num: end - begin + 1 });
                    begin = end + 1;
                }
            } else {
                ranges.push(SeqRange { conversation_id: conversation_id.clone(), begin: synced + 1, end: max_seq, num: CONNECT_PULL });
            }
        }
        let mut batch = Vec::new();
        let mut weight = 0;
        for range in ranges {
            weight += (range.end - range.begin + 1).min(range.num);
            batch.push(range);
            if weight >= PULL_BATCH {
                self.pull(std::mem::take(&mut batch)).await?;
                weight = 0;
            }
        }
        if !batch.is_empty() {
            self.pull(batch).await?;
        }
        self.reconcile_unread().await?;

        // Settings and the own profile follow without holding up the sync.
        let conversations = self.conversations.clone();
        tokio::spawn(async move {
            if let Err(e) = conversations.sync_settings(None).await {
                tracing::warn!(error = %e, "syncing conversation settings failed");
            }
        });
        Ok(())
    }

    /// Pulls `ranges` (request 1002) and applies what comes back; every range counts as synced.
    async fn pull(&self, ranges: Vec<SeqRange>) -> Result<()> {
        let req = PullMessageBySeqsReq { user_id: self.ctx.user_id.clone(), seq_ranges: ranges.clone(), order: PullOrder::Asc as i32 };
        let resp: PullMessageBySeqsResp = self.ctx.conn.request(req::PULL_MSG_BY_RANGE, &req).await?;
        let incoming = Incoming {
            chats: resp.msgs.into_iter().map(|(k, v)| (k, v.msgs)).collect(),
            notifications: resp.notification_msgs.into_iter().map(|(k, v)| (k, v.msgs)).collect(),
        };
        self.messages.ingest(incoming).await?;
        for range in ranges {
            self.ctx.raise_synced_seq(&range.conversation_id, range.end).await?;
        }
        Ok(())
    }

    /// Unread counts from the server: `max(0, maxSeq - hasReadSeq)` per conversation
    /// (request 1006).
    async fn reconcile_unread(&self) -> Result<()> {
        let req = GetConversationsHasReadAndMaxSeqReq { user_id: self.ctx.user_id.clone(), conversation_ids: Vec::new(), return_pinned: false };
        let resp: GetConversationsHasReadAndMaxSeqResp = self.ctx.conn.request(req::GET_CONV_MAX_READ_SEQ, &req).await?;
        let _guard = self.ctx.ingest_lock.lock().await;
        let unread_before = self.conversations.total_unread().await?;
        let mut changes = Changes::default();
        for (conversation_id, seqs) in resp.seqs {
            let Some(mut c) = self.ctx.store.conversation(&conversation_id).await? else { continue };
            let unread = (seqs.max_seq - seqs.has_read_seq).max(0) as i32;
            self.ctx.store.set_conversation_read_state(&conversation_id, seqs.has_read_seq, seqs.max_seq, unread).await?;
            self.ctx.store.mark_read_up_to(&conversation_id, &self.ctx.user_id, seqs.has_read_seq).await?;
            if c.unread_count != unread || c.max_seq != seqs.max_seq.max(c.max_seq) {
                c.unread_count = unread;
                c.max_seq = seqs.max_seq.max(c.max_seq);
                changes.record(c, false);
            }
        }
        self.conversations.report(changes, unread_before).await
    }

    /// A push (2001): contiguous seqs are applied, gaps are pulled first, old seqs dropped.
    pub async fn on_push(&self, data: &[u8]) {
        let push = match PushMessages::decode(data) {
            Ok(push) => push,
            Err(e) => {
                tracing::error!(error = %e, "dropping a push that does not decode");
                return;
            }
        };
        let mut incoming = Incoming::default();
        let mut gaps = Vec::new();
        for (conversation_id, pulled) in push.msgs {
            let msgs = self.triage(&conversation_id, pulled.msgs, &mut gaps);
            incoming.chats.insert(conversation_id, msgs);
        }
        for (conversation_id, pulled) in push.notification_msgs {
            let msgs = self.triage(&conversation_id, pulled.msgs, &mut gaps);
            incoming.notifications.insert(conversation_id, msgs);
        }
        if !gaps.is_empty()
            && let Err(e) = self.pull(gaps).await
        {
            tracing::warn!(error = %e, "pulling a gap failed; it is filled at the next sync or history page");
        }
        if let Err(e) = self.messages.ingest(incoming).await {
            tracing::error!(error = %e, "applying pushed messages failed");
        }
    }

    /// Keeps what a push adds to a conversation; schedules the pull of a gap before it.
    fn triage(&self, conversation_id: &str, mut msgs: Vec<MsgData>, gaps: &mut Vec<SeqRange>) -> Vec<MsgData> {
        msgs.sort_by_key(|m| m.seq);
        let synced = self.ctx.synced_seq(conversation_id);
        let stored: Vec<i64> = msgs.iter().map(|m| m.seq).filter(|s| *s > 0).collect();
        if let Some(&first) = stored.first()
            && first > synced + 1
        {
            let end = first - 1;
            let begin = (synced + 1).max(end - GAP_PULL + 1);
            gaps.push(SeqRange { conversation_id: conversation_id.to_owned(), begin, end, num: end - begin + 1 });
        }
        // Seq 0 (online only) always passes; stored ones only when new.
        msgs.retain(|m| m.seq == 0 || m.seq > synced);
        msgs
    }

    /// Foreground again: the same comparison as on connect, for whatever a sleeping app missed.
    pub async fn wake_up(&self) {
        self.on_connected().await;
    }
}
