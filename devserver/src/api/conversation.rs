//! `/conversation/*`: a user's conversation records.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::conversation::*;
use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::ConversationUpdateTips;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access};
use crate::error::CodeError;
use crate::messaging::notify::notify;
use crate::state::SharedState;
use crate::store::now_ms;

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
    }
    Ok(ok_empty())
}
