//! The gateway's seq queries: max seqs (1001), range pulls (1002), explicit seqs (1005),
//! has-read and max seqs (1006) and last messages (1007), as open-im-server answers them.

use std::collections::HashMap;

use openim_wire::conversation_id::{self, notification_twin};
use openim_wire::pb::msg::{
    GetConversationsHasReadAndMaxSeqReq, GetConversationsHasReadAndMaxSeqResp, GetLastMessageReq, GetLastMessageResp,
    GetSeqMessageReq, GetSeqMessageResp, Seqs,
};
use openim_wire::pb::sdkws::{GetMaxSeqResp, PullMessageBySeqsReq, PullMessageBySeqsResp, PullMsgs, PullOrder};

use crate::error::{CodeError, CodeResult};
use crate::state::SharedState;

/// Whether `user_id` is one of the two users of single chat `id` (`si_<a>_<b>`).
fn in_single_chat(user_id: &str, id: &str) -> bool {
    let Some(rest) = id.strip_prefix("si_") else { return false };
    let other_after = rest.strip_prefix(user_id).and_then(|r| r.strip_prefix('_'));
    let other_before = rest.strip_suffix(user_id).and_then(|r| r.strip_suffix('_'));
    [other_after, other_before].into_iter().flatten().any(|other| conversation_id::single(user_id, other) == id)
}

/// Whether `user_id` may read conversation `id`: one of its own conversations (or a single chat
/// it is part of), the `n_` twin of one, or its own notification conversation.
pub async fn may_read(state: &SharedState, user_id: &str, id: &str) -> CodeResult<bool> {
    let chat_ids = match id.strip_prefix("n_") {
        Some(rest) if rest == format!("{user_id}_{user_id}") => return Ok(true),
        Some(rest) => vec![format!("si_{rest}"), format!("sg_{rest}")],
        None => vec![id.to_owned()],
    };
    for chat in chat_ids {
        if in_single_chat(user_id, &chat) || state.store.conversation(user_id, &chat).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Refuses (OpenIM's no-permission code) a request naming a conversation `user_id` may not read.
async fn check_read(state: &SharedState, user_id: &str, id: &str) -> CodeResult<()> {
    if may_read(state, user_id, id).await? {
        Ok(())
    } else {
        Err(CodeError::no_permission(format!("conversation {id} is not {user_id}'s")))
    }
}

/// Every conversation the user owns, their `n_` twins and the user's own notification
/// conversation; conversations without messages are left out.
pub async fn max_seqs(state: &SharedState, user_id: &str) -> CodeResult<GetMaxSeqResp> {
    let mut ids = state.store.conversation_ids(user_id).await?;
    let twins: Vec<String> = ids.iter().map(|id| notification_twin(id)).collect();
    ids.extend(twins);
    ids.push(format!("n_{user_id}_{user_id}"));
    ids.sort();
    ids.dedup();
    let caps = state.store.user_max_seqs(user_id).await?;
    let max_seqs = state
        .store
        .max_seqs(&ids)
        .await?
        .into_iter()
        .filter(|(_, (seq, _))| *seq > 0)
        .map(|(id, (seq, _))| {
            let seq = caps.get(&id).map_or(seq, |cap| seq.min(*cap));
            (id, seq)
        })
        .collect();
    Ok(GetMaxSeqResp { max_seqs, min_seqs: HashMap::new() })
}

/// Request 1002: for each range, at most `num` messages from the top of `[begin, end]`.
pub async fn pull_by_range(state: &SharedState, user_id: &str, req: &PullMessageBySeqsReq) -> CodeResult<PullMessageBySeqsResp> {
    let mut resp = PullMessageBySeqsResp::default();
    let desc = req.order == PullOrder::Desc as i32;
    for range in &req.seq_ranges {
        check_read(state, user_id, &range.conversation_id).await?;
    }
    let ids: Vec<String> = req.seq_ranges.iter().map(|r| r.conversation_id.clone()).collect();
    let all_bounds = state.store.bounds_many(&ids, user_id).await?;
    // The seqs of every range first, then their messages in one lookup.
    let mut wanted = Vec::with_capacity(req.seq_ranges.len());
    let mut ends = Vec::with_capacity(req.seq_ranges.len());
    for range in &req.seq_ranges {
        let id = &range.conversation_id;
        let bounds = all_bounds.get(id).copied().unwrap_or_default();
        let begin = range.begin.max(bounds.min);
        let end = range.end.min(bounds.max);
        if bounds.min > range.end || end < begin {
            continue;
        }
        let seqs: Vec<i64> = if conversation_id::is_notification(id) || end - begin < range.num.max(0) {
            (begin..=end).collect()
        } else {
            (end - range.num + 1..=end).collect()
        };
        wanted.push((id.clone(), seqs));
        ends.push(if desc { range.begin <= bounds.min } else { bounds.max <= range.end });
    }
    let found = state.store.messages_for_user_many(user_id, &wanted).await?;
    for (((id, _), msgs), is_end) in wanted.into_iter().zip(found).zip(ends) {
        if msgs.is_empty() {
            continue;
        }
        let target = if conversation_id::is_notification(&id) { &mut resp.notification_msgs } else { &mut resp.msgs };
        target.insert(id, PullMsgs { msgs, is_end, end_seq: 0 });
    }
    Ok(resp)
}

/// Request 1005: the asked seqs inside the user's bounds, with `isEnd`/`endSeq` once a seq lies
/// beyond them in the pull direction.
pub async fn pull_by_seqs(state: &SharedState, user_id: &str, req: &GetSeqMessageReq) -> CodeResult<GetSeqMessageResp> {
    let mut resp = GetSeqMessageResp::default();
    let desc = req.order == PullOrder::Desc as i32;
    for conv in &req.conversations {
        check_read(state, user_id, &conv.conversation_id).await?;
    }
    let ids: Vec<String> = req.conversations.iter().map(|c| c.conversation_id.clone()).collect();
    let all_bounds = state.store.bounds_many(&ids, user_id).await?;
    let mut wanted = Vec::with_capacity(req.conversations.len());
    let mut ends = Vec::with_capacity(req.conversations.len());
    for conv in &req.conversations {
        let id = &conv.conversation_id;
        let bounds = all_bounds.get(id).copied().unwrap_or_default();
        let (mut is_end, mut end_seq) = (false, 0);
        let mut seqs = Vec::new();
        for &seq in &conv.seqs {
            if seq <= 0 {
                continue;
            }
            if seq >= bounds.min && seq <= bounds.max {
                seqs.push(seq);
            } else if seq < bounds.min && desc {
                (is_end, end_seq) = (true, bounds.min);
            } else if seq > bounds.max && !desc {
                (is_end, end_seq) = (true, bounds.max);
            }
        }
        wanted.push((id.clone(), seqs));
        ends.push((is_end, end_seq));
    }
    let found = state.store.messages_for_user_many(user_id, &wanted).await?;
    for (((id, _), msgs), (is_end, end_seq)) in wanted.into_iter().zip(found).zip(ends) {
        let target = if conversation_id::is_notification(&id) { &mut resp.notification_msgs } else { &mut resp.msgs };
        let entry = target.entry(id).or_default();
        entry.msgs.extend(msgs);
        entry.is_end = is_end;
        entry.end_seq = end_seq;
    }
    Ok(resp)
}

/// Request 1006: `{maxSeq, hasReadSeq, maxSeqTime}` per conversation (all owned ones when none
/// are named).
pub async fn has_read_and_max_seqs(
    state: &SharedState,
    user_id: &str,
    req: &GetConversationsHasReadAndMaxSeqReq,
) -> CodeResult<GetConversationsHasReadAndMaxSeqResp> {
    let ids = if req.conversation_ids.is_empty() {
        state.store.conversation_ids(user_id).await?
    } else {
        for id in &req.conversation_ids {
            check_read(state, user_id, id).await?;
        }
        req.conversation_ids.clone()
    };
    let has_read = state.store.has_read_seqs(user_id, &ids).await?;
    let conversations = state.store.conversations(user_id, Some(&ids)).await?;
    let mut resp = GetConversationsHasReadAndMaxSeqResp::default();
    let caps: HashMap<&str, i64> =
        conversations.iter().filter(|c| c.max_seq != 0).map(|c| (c.conversation_id.as_str(), c.max_seq)).collect();
    for (id, (max_seq, max_seq_time)) in state.store.max_seqs(&ids).await? {
        let capped = caps.get(id.as_str()).copied();
        resp.seqs.insert(
            id.clone(),
            Seqs { max_seq: capped.unwrap_or(max_seq), has_read_seq: has_read.get(&id).copied().unwrap_or(0), max_seq_time },
        );
    }
    if req.return_pinned {
        resp.pinned_conversation_ids = conversations.iter().filter(|c| c.is_pinned).map(|c| c.conversation_id.clone()).collect();
    }
    Ok(resp)
}

/// Request 1007: the newest visible message of each conversation.
pub async fn last_messages(state: &SharedState, user_id: &str, req: &GetLastMessageReq) -> CodeResult<GetLastMessageResp> {
    if req.user_id != user_id {
        return Err(CodeError::no_permission("userID is not the connection's user"));
    }
    for id in &req.conversation_ids {
        check_read(state, user_id, id).await?;
    }
    let mut resp = GetLastMessageResp::default();
    let all_bounds = state.store.bounds_many(&req.conversation_ids, user_id).await?;
    for id in &req.conversation_ids {
        let bounds = all_bounds.get(id).copied().unwrap_or_default();
        if let Some(msg) = state.store.last_message_for_user(id, user_id, bounds.min).await? {
            resp.msgs.insert(id.clone(), msg);
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::in_single_chat;

    #[test]
    fn single_chat_members() {
        assert!(in_single_chat("alice", "si_alice_bob"));
        assert!(in_single_chat("bob", "si_alice_bob"));
        assert!(!in_single_chat("carol", "si_alice_bob"));
        assert!(!in_single_chat("ali", "si_alice_bob"));
        assert!(in_single_chat("a_b", "si_a_b_c"), "IDs with underscores");
        assert!(!in_single_chat("alice", "sg_alice_bob"));
    }
}
