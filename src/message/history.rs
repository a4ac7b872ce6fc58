//! History paging: local pages first, with seq holes filled from the server (request 1005), as
//! OpenIM's `GetAdvancedHistoryMessageList` does. Each round checks that every seq between the
//! page's edge and the cursor is known locally; missing ones are fetched (the server answers
//! deleted ones with an empty message, kept as a deleted row so they are not asked for again).

use openim_wire::constant::req;
use openim_wire::pb::msg::{ConversationSeqs, GetSeqMessageReq, GetSeqMessageResp};
use openim_wire::pb::sdkws::PullOrder;

use super::ingest::is_placeholder;
use super::{Messages, from_row, placeholder};
use crate::error::{OpenIMError, Result};
use crate::model::*;
use crate::store::{chat_logs, conversations};

/// Most messages one page may ask for.
pub const MAX_PAGE: i32 = 500;
/// Most rounds of hole filling for one page.
const MAX_ROUNDS: usize = 16;
/// The most seqs one round asks the server for (a request well within the frame limit).
const MAX_FETCH: i64 = 1000;

/// One page of history, oldest first; `is_end` once nothing is left in that direction.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    pub is_end: bool,
}

impl Messages {
    /// `count` messages older than `start_client_msg_id` (or the newest ones without it), or with
    /// `newer` the ones after it.
    pub async fn history(&self, conversation_id: &str, start_client_msg_id: Option<String>, count: i32, newer: bool) -> Result<HistoryPage> {
        if !(1..=MAX_PAGE).contains(&count) {
            return Err(OpenIMError::invalid_argument(format!("count must be within 1..={MAX_PAGE}")));
        }
        // One read connection for the local part of each round, given back before the network.
        let mut db = self.ctx.store.read().await?;
        let start = match start_client_msg_id.filter(|s| !s.is_empty()) {
            Some(id) => Some(
                chat_logs::get(&mut db, conversation_id, &id)
                    .await?
                    .map(from_row)
                    .ok_or_else(|| OpenIMError::invalid_argument(format!("no message {id} in {conversation_id}")))?,
            ),
            None if newer => return Err(OpenIMError::invalid_argument("paging to newer messages needs a start message")),
            None => None,
        };
        let Some(conversation) = conversations::get(&mut db, conversation_id).await? else {
            // Not stored here (yet: a group just joined whose chat has no message on this device).
            // As OpenIM's core: nothing, at its end.
            return Ok(HistoryPage { messages: Vec::new(), is_end: true });
        };
        let cursor = start.as_ref().map(|m| (m.send_time, m.seq, m.client_msg_id.as_str()));
        let synced = self.ctx.synced_seq(conversation_id).max(conversation.max_seq);
        let mut lower = conversation.min_seq.max(1);
        let limit = i64::from(count);

        // The seq next to the cursor in the paging direction.
        let mut edge = match (&start, newer) {
            (Some(m), false) if m.seq > 0 => m.seq - 1,
            (Some(m), true) if m.seq > 0 => m.seq.saturating_add(1),
            (Some(_), true) => synced.saturating_add(1),
            _ => synced,
        };
        let mut rounds = 0;
        let mut db = Some(db);
        loop {
            let conn = match &mut db {
                Some(conn) => conn,
                None => db.insert(self.ctx.store.read().await?),
            };
            // One more than asked: tells whether older (newer) local messages remain.
            let mut page: Vec<Message> =
                chat_logs::page(conn, conversation_id, cursor, limit + 1, newer).await?.into_iter().map(from_row).collect();
            let more_local = page.len() as i64 > limit;
            page.truncate(limit as usize);
            let full = page.len() as i64 == limit;
            let seqs = page.iter().map(|m| m.seq).filter(|s| *s > 0);
            // The stretch of seqs this page spans (or should span, when it is short).
            let (lo, hi) = if newer {
                let far = if full { seqs.max().unwrap_or(edge) } else { edge.saturating_add(limit - 1).min(synced) };
                (edge, far.min(synced))
            } else {
                let far = if full { seqs.min().unwrap_or(edge) } else { (edge - limit + 1).max(lower) };
                (far.max(lower), edge)
            };
            let reached_end = if newer { hi >= synced } else { lo <= lower };
            // A page whose own seqs cover the whole stretch needs no look at the rest.
            let mut own: Vec<i64> = page.iter().map(|m| m.seq).filter(|s| (lo..=hi).contains(s)).collect();
            own.sort_unstable();
            own.dedup();
            let covered = lo <= hi && own.len() as i64 == hi - lo + 1;
            let missing = if lo <= hi && !covered {
                // The page's missing seqs nearest its edge, a page of them at first: a page over a
                // long gap (the newest message pulled at connect, history older than it) asks for
                // what it shows, not the whole gap (which may not fit in one request), and a
                // server's claimed max seq cannot make it list more. Each further round (the seqs
                // came back deleted) asks for twice as many, up to MAX_FETCH.
                let known = chat_logs::known_seqs(conn, conversation_id, lo, hi).await?;
                let unknown = |s: &i64| known.binary_search(s).is_err();
                let want = (limit << rounds.min(10)).min(MAX_FETCH) as usize;
                if newer {
                    (lo..=hi).filter(unknown).take(want).collect::<Vec<_>>()
                } else {
                    (lo..=hi).rev().filter(unknown).take(want).collect::<Vec<_>>()
                }
            } else {
                Vec::new()
            };
            rounds += 1;
            if !missing.is_empty() && rounds <= MAX_ROUNDS {
                db = None;
                if let Some(end_seq) = self.fetch_seqs(conversation_id, missing, newer).await?
                    && !newer
                {
                    lower = lower.max(end_seq);
                    self.save_min_seq(conversation_id, lower).await?;
                }
                continue;
            }
            if full || reached_end || rounds > MAX_ROUNDS {
                let mut messages = page;
                if !newer {
                    messages.reverse();
                }
                let is_end = reached_end && !more_local;
                return Ok(HistoryPage { messages, is_end });
            }
            // Every seq here is known but the page is short (deleted messages): look further.
            edge = if newer { hi.saturating_add(1) } else { lo - 1 };
        }
    }

    /// Fetches explicit seqs (request 1005) and stores them; returns the server's `endSeq` when
    /// it says the user's history ends there.
    async fn fetch_seqs(&self, conversation_id: &str, seqs: Vec<i64>, newer: bool) -> Result<Option<i64>> {
        let req = GetSeqMessageReq {
            user_id: self.ctx.user_id.clone(),
            conversations: vec![ConversationSeqs { conversation_id: conversation_id.to_owned(), seqs: seqs.clone() }],
            order: if newer { PullOrder::Asc } else { PullOrder::Desc } as i32,
        };
        let resp: GetSeqMessageResp = self.ctx.conn.request(req::PULL_MSG_BY_SEQ_LIST, &req).await?;
        let pulled = resp.msgs.get(conversation_id).or_else(|| resp.notification_msgs.get(conversation_id));
        let mut found = Vec::new();
        let mut end = None;
        if let Some(pulled) = pulled {
            for data in &pulled.msgs {
                found.push(if is_placeholder(data) {
                    placeholder(conversation_id, data.seq)
                } else {
                    super::to_row(conversation_id, &Message::from_msg_data(data))
                });
            }
            if pulled.is_end {
                end = Some(pulled.end_seq);
            }
        }
        // Seqs the server did not answer at all lie outside the user's bounds: remember them as
        // deleted so paging moves on.
        let answered: std::collections::HashSet<i64> = found.iter().map(|m| m.seq).collect();
        found.extend(seqs.into_iter().filter(|s| !answered.contains(s)).map(|seq| placeholder(conversation_id, seq)));
        let mut w = self.ctx.write().await?;
        for row in &found {
            if !chat_logs::insert(&mut w.tx, row).await?
                && let Some(local) = chat_logs::get(&mut w.tx, conversation_id, &row.client_msg_id).await?
                && local.seq != row.seq
            {
                // A client ID stored under another seq: one row stays, this seq becomes known.
                if local.seq == 0 {
                    chat_logs::confirm(&mut w.tx, row, MessageStatus::SendSuccess.code()).await?;
                } else {
                    chat_logs::insert(&mut w.tx, &placeholder(conversation_id, row.seq)).await?;
                }
            }
        }
        self.ctx.commit(w).await?;
        Ok(end)
    }

    async fn save_min_seq(&self, conversation_id: &str, min_seq: i64) -> Result<()> {
        let mut w = self.ctx.write().await?;
        if let Some(mut c) = conversations::get(&mut w.tx, conversation_id).await?
            && c.min_seq < min_seq
        {
            c.min_seq = min_seq;
            crate::conversation::save(&mut w, c).await?;
        }
        self.ctx.commit(w).await
    }
}
