//! `/conversation/*`: a user's conversation records.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::conversation::*;
use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::{ConversationSetPrivateTips, ConversationUpdateTips};

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
    if req.conversation.conversation_id.is_empty() {
        return Err(CodeError::args("conversationID is empty"));
    }
    if req.user_ids.is_empty() {
        return Err(CodeError::args("userIDs is empty"));
    }
    for user_id in &req.user_ids {
        check_access(&state, &caller, user_id)?;
    }
    let now = now_ms();
    for user_id in &req.user_ids {
        state.store.update_conversation(user_id, &req.conversation, now).await?;
        let tips = ConversationUpdateTips {
            user_id: user_id.clone(),
            conversation_id_list: vec![req.conversation.conversation_id.clone()],
        };
        notify(&state, user_id, user_id, content_type::CONVERSATION_CHANGE, session_type::SINGLE_CHAT, &tips).await?;
        // A single chat's private mode is the peer's too (OpenIM's
        // SyncPeerUserPrivateConversationTx: the peer's record, made if missing, takes the flag
        // and a new version), announced to both sides (ConversationSetPrivateNotification).
        if let Some(is_private) = req.conversation.is_private_chat
            && req.conversation.conversation_type == session_type::SINGLE_CHAT
            && !req.conversation.user_id.is_empty()
        {
            let peer = ConversationReq {
                conversation_id: req.conversation.conversation_id.clone(),
                conversation_type: session_type::SINGLE_CHAT,
                user_id: user_id.clone(),
                is_private_chat: Some(is_private),
                ..Default::default()
            };
            state.store.update_conversation(&req.conversation.user_id, &peer, now).await?;
            let tips = ConversationSetPrivateTips {
                recv_id: req.conversation.user_id.clone(),
                send_id: user_id.clone(),
                is_private,
                conversation_id: req.conversation.conversation_id.clone(),
            };
            notify(&state, user_id, &req.conversation.user_id, content_type::CONVERSATION_PRIVATE_CHAT, session_type::SINGLE_CHAT, &tips)
                .await?;
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
