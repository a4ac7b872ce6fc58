//! `/conversation/*`: a user's conversation records.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::conversation::*;
use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::ConversationSetPrivateTips;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access};
use crate::error::CodeError;
use crate::messaging::notify::notify;
use crate::state::SharedState;
use crate::store::now_ms;
use crate::store::versions::kind;

pub async fn get_conversations(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetConversationsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    let conversations = state.store.conversations(&req.owner_user_id, Some(&req.conversation_ids)).await?;
    Ok(ok(ConversationsResp { conversations }))
}

pub async fn get_all_conversations(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetAllConversationsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    let conversations = state.store.conversations(&req.owner_user_id, None).await?;
    Ok(ok(ConversationsResp { conversations }))
}

pub async fn set_conversations(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetConversationsReq>,
) -> ApiResult {
    let c = &req.conversation;
    // OpenIM's SetConversationsReq.Check (and a conversation ID, which this store keys on).
    if c.conversation_id.is_empty() {
        return Err(CodeError::args("conversationID is empty"));
    }
    if req.user_ids.is_empty() {
        return Err(CodeError::args("userIDs is empty"));
    }
    if c.conversation_type == 0 {
        return Err(CodeError::args("conversationType is invalid"));
    }
    if c.conversation_type == session_type::SINGLE_CHAT && c.user_id.is_empty() {
        return Err(CodeError::args("userID is empty"));
    }
    if c.conversation_type == session_type::READ_GROUP_CHAT && c.group_id.is_empty() {
        return Err(CodeError::args("groupID is empty"));
    }
    for user_id in &req.user_ids {
        check_access(&state, &caller, user_id)?;
    }
    // A private mode is written to the peer's record too: only for the chat the two users share
    // (OpenIM's clients never send another; the check keeps a user out of other users' chats),
    // checked before anything is written.
    if c.is_private_chat.is_some()
        && c.conversation_type == session_type::SINGLE_CHAT
        && req.user_ids.iter().any(|u| c.conversation_id != openim_wire::conversation_id::single(u, &c.user_id))
    {
        return Err(CodeError::args("conversationID is not the single chat of userIDs and userID"));
    }
    let now = now_ms();
    // The settings OpenIM applies here (`UpdateConversationsMap`): not the private mode (below),
    // nor the seqs, which only the server moves.
    let settings = ConversationReq {
        conversation_id: c.conversation_id.clone(),
        conversation_type: c.conversation_type,
        user_id: c.user_id.clone(),
        group_id: c.group_id.clone(),
        recv_msg_opt: c.recv_msg_opt,
        is_pinned: c.is_pinned,
        attached_info: c.attached_info.clone(),
        ex: c.ex.clone(),
        burn_duration: c.burn_duration,
        group_at_type: c.group_at_type,
        msg_destruct_time: c.msg_destruct_time,
        is_msg_destruct: c.is_msg_destruct,
        ..Default::default()
    };
    let any_setting = settings.recv_msg_opt.is_some()
        || settings.is_pinned.is_some()
        || settings.attached_info.is_some()
        || settings.ex.is_some()
        || settings.burn_duration.is_some()
        || settings.group_at_type.is_some()
        || settings.msg_destruct_time.is_some()
        || settings.is_msg_destruct.is_some();
    if any_setting {
        // As OpenIM: only a user whose record is missing or differs gets a new version and 1300.
        crate::messaging::records::set_for_users(&state, &req.user_ids, &settings).await?;
    }
    // A single chat's private mode is both sides' (OpenIM's SyncPeerUserPrivateConversationTx:
    // each record, made if missing, takes the flag and a new version), announced to both with
    // 1701 (ConversationSetPrivateNotification). A group's is left alone, as OpenIM leaves it.
    if let Some(is_private) = c.is_private_chat
        && c.conversation_type == session_type::SINGLE_CHAT
    {
        for user_id in &req.user_ids {
            for (owner, peer) in [(user_id, &c.user_id), (&c.user_id, user_id)] {
                let record = ConversationReq {
                    conversation_id: c.conversation_id.clone(),
                    conversation_type: session_type::SINGLE_CHAT,
                    user_id: peer.clone(),
                    is_private_chat: Some(is_private),
                    ..Default::default()
                };
                state.store.update_conversation(owner, &record, now).await?;
            }
            let tips = ConversationSetPrivateTips {
                recv_id: c.user_id.clone(),
                send_id: user_id.clone(),
                is_private,
                conversation_id: c.conversation_id.clone(),
            };
            notify(&state, user_id, &c.user_id, content_type::CONVERSATION_PRIVATE_CHAT, session_type::SINGLE_CHAT, &tips).await?;
        }
    }
    Ok(ok_empty())
}

/// `get_incremental_conversations`: what changed in the caller's conversation list since its
/// version (or `full`).
pub async fn get_incremental_conversations(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetIncrementalConversationReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let delta = state.store.delta(kind::CONVERSATION, &req.user_id, &req.version_id, req.version).await?;
    let insert = if delta.insert.is_empty() { Vec::new() } else { state.store.conversations(&req.user_id, Some(&delta.insert)).await? };
    let update = if delta.update.is_empty() { Vec::new() } else { state.store.conversations(&req.user_id, Some(&delta.update)).await? };
    Ok(ok(GetIncrementalConversationResp {
        version: delta.version,
        version_id: delta.version_id,
        full: delta.full,
        delete: delta.delete,
        insert,
        update,
    }))
}

/// `get_full_conversation_ids`: every conversation ID of the owner with the list's version;
/// `equal` (and no IDs) when the client's hash of its IDs matches.
pub async fn get_full_conversation_ids(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetFullOwnerConversationIDsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let doc = state.store.version_doc(kind::CONVERSATION, &req.user_id).await?;
    let ids = state.store.conversation_ids(&req.user_id).await?;
    let equal = req.id_hash == openim_wire::json::id_hash(&ids);
    Ok(ok(GetFullOwnerConversationIDsResp {
        version: doc.version,
        version_id: doc.version_id,
        equal,
        conversation_ids: if equal { Vec::new() } else { ids },
    }))
}

/// `get_owner_conversation`: one page (1-based) of the owner's conversations and their total.
pub async fn get_owner_conversation(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetOwnerConversationReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let ids = state.store.conversation_ids(&req.user_id).await?;
    let (page, show) = (req.pagination.page_number, req.pagination.show_number);
    let wanted: Vec<String> = if page <= 0 || show <= 0 {
        Vec::new()
    } else {
        ids.iter().skip(((page - 1) as usize).saturating_mul(show as usize)).take(show as usize).cloned().collect()
    };
    let conversations = state.store.conversations(&req.user_id, Some(&wanted)).await?;
    Ok(ok(GetOwnerConversationResp { total: ids.len() as i64, conversations }))
}

/// `get_not_notify_conversation_ids`: conversations received without notification.
pub async fn get_not_notify_conversation_ids(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetNotNotifyConversationIDsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let conversation_ids = state
        .store
        .conversations(&req.user_id, None)
        .await?
        .into_iter()
        .filter(|c| c.recv_msg_opt == openim_wire::constant::recv_msg_opt::NOT_NOTIFY)
        .map(|c| c.conversation_id)
        .collect();
    Ok(ok(GetNotNotifyConversationIDsResp { conversation_ids }))
}

/// `/conversation/delete_conversations`: the owner's records go (the messages stay), logged as
/// deletions in the owner's version log; no notification, as OpenIM's (it left its own commented
/// out), so devices learn of it at their next conversation sync — and OpenIM's clients, like
/// this SDK, keep their local conversation.
pub async fn delete_conversations(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<DeleteConversationsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    let ids = match (req.need_delete_time, req.conversation_ids.is_empty()) {
        (0, true) => return Err(CodeError::args("need_delete_time or conversationIDs need be set")),
        (0, false) => req.conversation_ids,
        (_, false) => return Err(CodeError::args("need_delete_time and conversationIDs cannot both be set")),
        (days, true) => {
            // Those whose last message the owner can see was sent before the threshold.
            let threshold = now_ms().saturating_sub(days.saturating_mul(86_400_000));
            let owned = state.store.conversation_ids(&req.owner_user_id).await?;
            let bounds = state.store.bounds_many(&owned, &req.owner_user_id).await?;
            let mut old = Vec::new();
            for id in owned {
                let min = bounds.get(&id).map_or(1, |b| b.min);
                if let Some(last) = state.store.last_message_for_user(&id, &req.owner_user_id, min).await?
                    && last.send_time < threshold
                {
                    old.push(id);
                }
            }
            old
        }
    };
    state.store.delete_conversations(&req.owner_user_id, &ids).await?;
    Ok(ok_empty())
}
