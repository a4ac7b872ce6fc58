//! Self-destructing messages (OpenIM's cron task `clearUserMsg`): a user who turned
//! `isMsgDestruct` on for a conversation loses the messages older than its `msgDestructTime`
//! (seconds). Nothing is deleted: the user's min seq rises above them (history, pulls and the
//! conversation record stop there), they count as read, and the user's devices hear 1300 and
//! sync the conversation. Other members keep theirs.

use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::ConversationUpdateTips;

use super::notify::notify;
use crate::error::CodeResult;
use crate::state::SharedState;
use crate::store::now_ms;

/// Runs [`sweep`] every `msg_destruct_interval` until the server shuts down.
pub async fn run(state: SharedState) {
    let every = state.config.msg_destruct_interval;
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(e) = sweep(&state, now_ms()).await {
            tracing::warn!(error = ?e, "destructing messages failed; next round retries");
        }
    }
}

/// Destructs what is due at `now`; returns how many conversations lost messages. A conversation
/// that fails is logged and tried again next round (its run is stamped last); one that failed
/// after its floor was raised has lost only the 1300, and its devices find the floor at their
/// next sync.
pub async fn sweep(state: &SharedState, now: i64) -> CodeResult<usize> {
    let mut destructed = 0;
    for (owner, conversation_id, seconds) in state.store.destructs_due(now).await? {
        match destruct(state, &owner, &conversation_id, seconds, now).await {
            Ok(true) => destructed += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = ?e, %owner, %conversation_id, "destructing messages failed; next round retries"),
        }
    }
    Ok(destructed)
}

/// One conversation of one owner: its messages older than `seconds` leave the owner.
async fn destruct(state: &SharedState, owner: &str, conversation_id: &str, seconds: i64, now: i64) -> CodeResult<bool> {
    let cutoff = now.saturating_sub(seconds.saturating_mul(1000));
    let due = match state.store.last_seq_sent_by(conversation_id, cutoff).await? {
        Some(seq) if seq >= state.store.bounds(conversation_id, owner).await?.min => Some(seq),
        _ => None,
    };
    if let Some(seq) = due {
        // The user's min seq last: until it is written, the next round finds this due again.
        state.store.set_conversation_min_seq(owner, conversation_id, seq + 1).await?;
        state.store.raise_has_read_seq(owner, conversation_id, seq).await?;
        state.store.set_user_min_seq(owner, conversation_id, seq + 1).await?;
        let tips = ConversationUpdateTips { user_id: owner.to_owned(), conversation_id_list: vec![conversation_id.to_owned()] };
        notify(state, owner, owner, content_type::CONVERSATION_CHANGE, session_type::SINGLE_CHAT, &tips).await?;
    }
    state.store.set_latest_msg_destruct_time(owner, conversation_id, now).await?;
    Ok(due.is_some())
}
