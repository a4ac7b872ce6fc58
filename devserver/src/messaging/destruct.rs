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

/// Destructs what is due at `now`; returns how many conversations lost messages.
pub async fn sweep(state: &SharedState, now: i64) -> CodeResult<usize> {
    let mut destructed = 0;
    for (owner, conversation_id, seconds) in state.store.destructs_due(now).await? {
        state.store.set_latest_msg_destruct_time(&owner, &conversation_id, now).await?;
        let cutoff = now.saturating_sub(seconds.saturating_mul(1000));
        let Some(seq) = state.store.last_seq_sent_by(&conversation_id, cutoff).await? else { continue };
        if seq < state.store.bounds(&conversation_id, &owner).await?.min {
            continue;
        }
        state.store.set_user_min_seq(&owner, &conversation_id, seq + 1).await?;
        state.store.set_conversation_min_seq(&owner, &conversation_id, seq + 1).await?;
        state.store.raise_has_read_seq(&owner, &conversation_id, seq).await?;
        let tips = ConversationUpdateTips { user_id: owner.clone(), conversation_id_list: vec![conversation_id.clone()] };
        notify(state, &owner, &owner, content_type::CONVERSATION_CHANGE, session_type::SINGLE_CHAT, &tips).await?;
        destructed += 1;
    }
    Ok(destructed)
}
