//! `/msg/*`: read marks, revoke, delete and clear, with the notifications open-im-server sends.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::msg::*;
use openim_wire::constant::{content_type, group, session_type};
use openim_wire::elem::{ClearConversationTips, ConversationUpdateTips, DeleteMsgsTips, MarkAsReadTips, RevokeMsgTips};
use openim_wire::errcode;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access};
use crate::error::CodeError;
use crate::messaging::notify::notify;
use crate::state::SharedState;
use crate::store::{Revoke, now_ms};

/// The peer of a single chat, or the group of a group conversation.
fn recv_id_of(conversation: &openim_wire::api::conversation::Conversation) -> String {
    if matches!(conversation.conversation_type, session_type::SINGLE_CHAT | session_type::NOTIFICATION_CHAT) {
        conversation.user_id.clone()
    } else {
        conversation.group_id.clone()
    }
}

async fn owned_conversation(
    state: &SharedState,
    user_id: &str,
    conversation_id: &str,
) -> Result<openim_wire::api::conversation::Conversation, CodeError> {
    state
        .store
        .conversation(user_id, conversation_id)
        .await?
        .ok_or_else(|| CodeError::new(errcode::RECORD_NOT_FOUND, format!("conversation {conversation_id} not found")))
}

async fn send_mark_as_read(
    state: &SharedState,
    conversation_id: &str,
    session: i32,
    send_id: &str,
    recv_id: &str,
    seqs: Vec<i64>,
    has_read_seq: i64,
) -> Result<(), CodeError> {
    let tips = MarkAsReadTips {
        mark_as_read_user_id: send_id.to_owned(),
        conversation_id: conversation_id.to_owned(),
        seqs,
        has_read_seq,
    };
    notify(state, send_id, recv_id, content_type::HAS_READ_RECEIPT, session, &tips).await?;
    Ok(())
}

pub async fn mark_conversation_as_read(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<MarkConversationAsReadReq>,
) -> ApiResult {
    // OpenIM's MarkConversationAsReadReq.Check.
    if req.conversation_id.is_empty() || req.user_id.is_empty() {
        return Err(CodeError::args("conversationID and userID are required"));
    }
    if req.has_read_seq < 1 {
        return Err(CodeError::args("hasReadSeq is invalid"));
    }
    if req.seqs.contains(&0) {
        return Err(CodeError::args("seqs has 0 value is invalid"));
    }
    check_access(&state, &caller, &req.user_id)?;
    let conversation = owned_conversation(&state, &req.user_id, &req.conversation_id).await?;
    let old = state.store.has_read_seqs(&req.user_id, std::slice::from_ref(&req.conversation_id)).await?;
    let mut has_read_seq = old.get(&req.conversation_id).copied().unwrap_or(0);
    if conversation.conversation_type == session_type::SINGLE_CHAT {
        // Up to the chat's last seq: a claim beyond it marks nothing more (and must not make this
        // server list a quadrillion seqs).
        let max_seq = state.store.max_seqs(std::slice::from_ref(&req.conversation_id)).await?.get(&req.conversation_id).map_or(0, |m| m.0);
        let mut seqs: Vec<i64> = (has_read_seq + 1..=req.has_read_seq.min(max_seq)).collect();
        let mut listed: std::collections::HashSet<i64> = seqs.iter().copied().collect();
        for seq in &req.seqs {
            if listed.insert(*seq) {
                seqs.push(*seq);
            }
        }
        state.store.mark_messages_read(&req.conversation_id, &seqs).await?;
        if req.has_read_seq > has_read_seq {
            has_read_seq = state.store.raise_has_read_seq(&req.user_id, &req.conversation_id, req.has_read_seq).await?;
        }
        let peer = recv_id_of(&conversation);
        send_mark_as_read(&state, &req.conversation_id, session_type::SINGLE_CHAT, &req.user_id, &peer, seqs, has_read_seq).await?;
    } else {
        if req.has_read_seq > has_read_seq {
            has_read_seq = state.store.raise_has_read_seq(&req.user_id, &req.conversation_id, req.has_read_seq).await?;
        }
        send_mark_as_read(&state, &req.conversation_id, session_type::SINGLE_CHAT, &req.user_id, &req.user_id, vec![], has_read_seq)
            .await?;
    }
    Ok(ok_empty())
}

pub async fn mark_msgs_as_read(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<MarkMsgsAsReadReq>,
) -> ApiResult {
    if req.conversation_id.is_empty() || req.user_id.is_empty() {
        return Err(CodeError::args("conversationID and userID are required"));
    }
    check_access(&state, &caller, &req.user_id)?;
    let Some(&last) = req.seqs.last() else {
        return Err(CodeError::args("seqs is empty"));
    };
    if req.seqs.contains(&0) {
        return Err(CodeError::args("seqs has 0 value is invalid"));
    }
    let max = state.store.max_seqs(std::slice::from_ref(&req.conversation_id)).await?;
    if last > max.get(&req.conversation_id).map(|m| m.0).unwrap_or(0) {
        return Err(CodeError::args("hasReadSeq must not be bigger than maxSeq"));
    }
    let conversation = owned_conversation(&state, &req.user_id, &req.conversation_id).await?;
    state.store.mark_messages_read(&req.conversation_id, &req.seqs).await?;
    state.store.raise_has_read_seq(&req.user_id, &req.conversation_id, last).await?;
    // The tips name the last seq asked for, not the stored mark (as OpenIM's MarkMsgsAsRead).
    let recv = recv_id_of(&conversation);
    send_mark_as_read(&state, &req.conversation_id, conversation.conversation_type, &req.user_id, &recv, req.seqs, last).await?;
    Ok(ok_empty())
}

pub async fn revoke_msg(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<RevokeMsgReq>,
) -> ApiResult {
    if req.user_id.is_empty() {
        return Err(CodeError::args("user_id is empty"));
    }
    if req.conversation_id.is_empty() {
        return Err(CodeError::args("conversation_id is empty"));
    }
    if req.seq < 1 {
        return Err(CodeError::args("seq is invalid"));
    }
    check_access(&state, &caller, &req.user_id)?;
    let user = state
        .store
        .find_user(&req.user_id)
        .await?
        .ok_or_else(|| CodeError::new(errcode::USER_ID_NOT_FOUND, req.user_id.clone()))?;
    let bounds = state.store.bounds(&req.conversation_id, &req.user_id).await?;
    let found = if req.seq >= bounds.min { state.store.message_raw(&req.conversation_id, req.seq).await? } else { None };
    let Some((msg, revoked)) = found else {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, "msg not found"));
    };
    if revoked.is_some() {
        return Err(CodeError::new(errcode::MSG_ALREADY_REVOKE, "msg already revoke"));
    }
    let is_admin = state.auth.is_admin(&caller.user_id);
    // As OpenIM records it: 0 for an app manager, the user's level in a single chat, the
    // member's role in a group.
    let mut role = 0;
    if !is_admin {
        match msg.session_type {
            session_type::SINGLE_CHAT => {
                check_access(&state, &caller, &msg.send_id)?;
                role = user.app_manger_level;
            }
            // As OpenIM: a member revokes its own message; the owner anyone's; an admin an
            // ordinary member's (or a former member's). The revoke records the member's role.
            session_type::READ_GROUP_CHAT => {
                let mut ids = vec![req.user_id.clone()];
                if msg.send_id != req.user_id {
                    ids.push(msg.send_id.clone());
                }
                let members = state.store.group_members(&msg.group_id, &ids).await?;
                let role_of = |id: &str| members.iter().find(|m| m.user_id == id).map(|m| m.role_level);
                if msg.send_id != req.user_id {
                    let allowed = match role_of(&req.user_id) {
                        Some(group::OWNER) => true,
                        Some(group::ADMIN) => role_of(&msg.send_id).is_none_or(|r| r == group::MEMBER),
                        _ => false,
                    };
                    if !allowed {
                        return Err(CodeError::no_permission("no permission"));
                    }
                }
                if let Some(r) = role_of(&req.user_id) {
                    role = r;
                }
            }
            other => return Err(CodeError::internal(format!("msg sessionType not supported, sessionType={other}"))),
        }
    }
    let now = now_ms();
    let revoke = Revoke { user_id: req.user_id.clone(), role, nickname: user.nickname, time: now };
    state.store.revoke_message(&req.conversation_id, req.seq, &revoke).await?;
    let tips = RevokeMsgTips {
        revoker_user_id: caller.user_id.clone(),
        client_msg_id: msg.client_msg_id.clone(),
        revoke_time: now,
        session_type: msg.session_type,
        seq: req.seq,
        conversation_id: req.conversation_id.clone(),
        is_admin_revoke: is_admin,
    };
    let recv = if msg.session_type == session_type::READ_GROUP_CHAT { msg.group_id.clone() } else { msg.recv_id.clone() };
    notify(&state, &req.user_id, &recv, content_type::MSG_REVOKE, msg.session_type, &tips).await?;
    Ok(ok_empty())
}

pub async fn delete_msgs(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<DeleteMsgsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    if !crate::messaging::pull::may_read(&state, &req.user_id, &req.conversation_id).await? {
        return Err(CodeError::no_permission(format!("conversation {} is not {}'s", req.conversation_id, req.user_id)));
    }
    let opt = req.delete_sync_opt.unwrap_or_default();
    let tips = DeleteMsgsTips { user_id: req.user_id.clone(), conversation_id: req.conversation_id.clone(), seqs: req.seqs.clone() };
    if opt.is_sync_other {
        // Deleting for everyone is not offered by this server; OpenIM removes the messages
        // physically, which this store does not do.
        return Err(CodeError::args("IsSyncOther is not supported by openim-devserver"));
    }
    state.store.delete_messages_for_user(&req.conversation_id, &req.user_id, &req.seqs).await?;
    if opt.is_sync_self {
        notify(&state, &req.user_id, &req.user_id, content_type::DELETE_MSGS, session_type::SINGLE_CHAT, &tips).await?;
    }
    Ok(ok_empty())
}

async fn clear(state: &SharedState, user_id: &str, ids: Vec<String>, opt: DeleteSyncOpt) -> Result<(), CodeError> {
    if opt.is_sync_other {
        return Err(CodeError::args("IsSyncOther is not supported by openim-devserver"));
    }
    let existing: Vec<String> =
        state.store.conversations(user_id, Some(&ids)).await?.into_iter().map(|c| c.conversation_id).collect();
    let max_seqs = state.store.max_seqs(&existing).await?;
    for (id, (max_seq, _)) in &max_seqs {
        state.store.set_user_min_seq(user_id, id, max_seq + 1).await?;
        state.store.set_conversation_min_seq(user_id, id, max_seq + 1).await?;
        state.store.raise_has_read_seq(user_id, id, *max_seq).await?;
        // OpenIM's SetConversationMinSeq: the record's new version, announced to the user.
        let tips = ConversationUpdateTips { user_id: user_id.to_owned(), conversation_id_list: vec![id.clone()] };
        notify(state, user_id, user_id, content_type::CONVERSATION_CHANGE, session_type::SINGLE_CHAT, &tips).await?;
    }
    if opt.is_sync_self {
        let tips = ClearConversationTips { user_id: user_id.to_owned(), conversation_ids: existing };
        notify(state, user_id, user_id, content_type::CLEAR_CONVERSATION, session_type::SINGLE_CHAT, &tips).await?;
    }
    Ok(())
}

pub async fn clear_conversation_msg(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<ClearConversationsMsgReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    clear(&state, &req.user_id, req.conversation_ids, req.delete_sync_opt.unwrap_or_default()).await?;
    Ok(ok_empty())
}

pub async fn user_clear_all_msg(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<UserClearAllMsgReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let ids = state.store.conversation_ids(&req.user_id).await?;
    clear(&state, &req.user_id, ids, req.delete_sync_opt.unwrap_or_default()).await?;
    Ok(ok_empty())
}

/// The REST twin of gateway request 1006.
pub async fn get_conversations_has_read_and_max_seq(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetConversationsHasReadAndMaxSeqReq>,
) -> ApiResult {
    if req.user_id.is_empty() {
        return Err(CodeError::args("userID is empty"));
    }
    check_access(&state, &caller, &req.user_id)?;
    let q = openim_wire::pb::msg::GetConversationsHasReadAndMaxSeqReq {
        user_id: req.user_id.clone(),
        conversation_ids: req.conversation_ids,
        return_pinned: false,
    };
    let seqs = crate::messaging::pull::has_read_and_max_seqs(&state, &req.user_id, &q).await?.seqs;
    let seqs = seqs
        .into_iter()
        .map(|(id, s)| (id, Seqs { max_seq: s.max_seq, has_read_seq: s.has_read_seq, max_seq_time: s.max_seq_time }))
        .collect();
    Ok(ok(GetConversationsHasReadAndMaxSeqResp { seqs }))
}

/// `/msg/set_conversation_has_read_seq`: raises the read mark (never past the conversation's
/// last seq) and tells the user's other devices the seq asked for, as OpenIM does (which takes no
/// notice of `noNotification`).
pub async fn set_conversation_has_read_seq(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetConversationHasReadSeqReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    owned_conversation(&state, &req.user_id, &req.conversation_id).await?;
    let max_seq = state.store.bounds(&req.conversation_id, &req.user_id).await?.max;
    if req.has_read_seq > max_seq {
        return Err(CodeError::args("hasReadSeq must not be bigger than maxSeq"));
    }
    state.store.raise_has_read_seq(&req.user_id, &req.conversation_id, req.has_read_seq).await?;
    send_mark_as_read(&state, &req.conversation_id, session_type::SINGLE_CHAT, &req.user_id, &req.user_id, vec![], req.has_read_seq).await?;
    Ok(ok_empty())
}

pub async fn get_server_time() -> ApiResult {
    Ok(ok(GetServerTimeResp { server_time: now_ms() }))
}

/// `/msg/send_business_notification`: a custom business notification (2001) from the app's
/// server (app managers only) to one user or one group, as OpenIM's API builds it.
pub async fn send_business_notification(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SendBusinessNotificationReq>,
) -> ApiResult {
    if !state.auth.is_admin(&caller.user_id) {
        return Err(CodeError::no_permission("only app manager can send message"));
    }
    if req.send_user_id.is_empty() {
        return Err(CodeError::args("sendUserID is required"));
    }
    match (req.recv_user_id.is_empty(), req.recv_group_id.is_empty()) {
        (true, true) => return Err(CodeError::args("recvUserID and recvGroupID cannot be empty at the same time")),
        (false, false) => return Err(CodeError::args("recvUserID and recvGroupID cannot be set at the same time")),
        (false, true) => {
            if state.store.find_user(&req.recv_user_id).await?.is_none() {
                return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("user {} not found", req.recv_user_id)));
            }
        }
        (true, false) => {
            if state.store.group_info(&req.recv_group_id).await?.is_none() {
                return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("group {} not found", req.recv_group_id)));
            }
        }
    }
    let level = req.reliability_level.unwrap_or(1);
    let tips = openim_wire::elem::BusinessTips { key: req.key, data: req.data };
    let sent = crate::messaging::notify::notify_business(
        &state,
        &req.send_user_id,
        &req.recv_user_id,
        &req.recv_group_id,
        &tips,
        req.send_msg,
        level >= 2,
    )
    .await?;
    Ok(ok(SendMsgResp { server_msg_id: sent.server_msg_id, client_msg_id: sent.client_msg_id, send_time: sent.send_time }))
}

/// An OA notification through `/msg/send_msg` (OpenIM's `getSendMsgReq`): it goes to the
/// notification account's chat with the user (session type 4) whatever the request says; the
/// sender is an account (`appMangerLevel` ≥ 2: OpenIM lets app managers' accounts send too), and
/// the content has a name, a type and a text.
async fn oa_notification(state: &SharedState, req: &mut SendMsgReq) -> Result<(), CodeError> {
    req.session_type = session_type::NOTIFICATION_CHAT;
    let Some(sender) = state.store.find_user(&req.send_id).await? else {
        return Err(CodeError::new(errcode::USER_ID_NOT_FOUND, format!("user {} not found", req.send_id)));
    };
    if sender.app_manger_level < openim_wire::constant::app_level::ADMIN {
        return Err(CodeError::no_permission("notification messages cannot be sent for this ID"));
    }
    let elem: openim_wire::elem::OaNotificationElem =
        serde_json::from_value(req.content.clone()).map_err(|e| CodeError::args(format!("failed to decode message content: {e}")))?;
    if elem.notification_name.is_empty() || elem.notification_type == 0 || elem.text.is_empty() {
        return Err(CodeError::args("validation error: notificationName, notificationType and text are required"));
    }
    if !(0..=5).contains(&elem.mix_type) {
        return Err(CodeError::args("validation error: mixType must be 0 to 5"));
    }
    oa_media_is_complete(&req.content)
}

/// The fields OpenIM's validator requires of an OA notification's media (`apistruct`'s
/// `PictureElem` — its three pictures —, `SoundElem`, `VideoElem`, `FileElem`): each present
/// and not empty or zero.
fn oa_media_is_complete(content: &serde_json::Value) -> Result<(), CodeError> {
    use serde_json::Value;
    const PICTURE: &[&str] = &["type", "width", "height", "url"];
    let required = |v: &Value, at: &str, keys: &[&str]| {
        for key in keys {
            let set = match v.get(key) {
                Some(Value::String(s)) => !s.is_empty(),
                Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
                _ => false,
            };
            if !set {
                return Err(CodeError::args(format!("validation error: {at}.{key} is required")));
            }
        }
        Ok(())
    };
    let media = |key: &str| content.get(key).filter(|v| !v.is_null());
    if let Some(picture) = media("pictureElem") {
        for part in ["sourcePicture", "bigPicture", "snapshotPicture"] {
            required(&picture[part], &format!("pictureElem.{part}"), PICTURE)?;
        }
    }
    if let Some(sound) = media("soundElem") {
        required(sound, "soundElem", &["sourceUrl", "duration"])?;
        if sound["duration"].as_f64().is_some_and(|d| d < 1.0) {
            return Err(CodeError::args("validation error: soundElem.duration must be at least 1"));
        }
    }
    if let Some(video) = media("videoElem") {
        required(video, "videoElem", &["videoUrl", "videoType", "videoSize", "duration", "snapshotUrl", "snapshotWidth", "snapshotHeight"])?;
    }
    if let Some(file) = media("fileElem") {
        required(file, "fileElem", &["sourceUrl", "fileName", "fileSize"])?;
    }
    Ok(())
}

/// `/msg/send_msg`: a message sent by the app's server (app managers only) on behalf of
/// `sendID`; marked as a system message (`msgFrom` 200), as OpenIM's API does.
pub async fn send_msg(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<SendMsgReq>) -> ApiResult {
    use openim_wire::constant::{msg_from, options};
    use openim_wire::pb::sdkws::MsgData;
    if !state.auth.is_admin(&caller.user_id) {
        return Err(CodeError::no_permission("only app managers may send through the API"));
    }
    if req.send_id.is_empty() || req.content_type <= 0 || !req.content.is_object() {
        return Err(CodeError::args("sendID, contentType and content are required"));
    }
    let mut req = req;
    // The kinds OpenIM's API sends (`getSendMsgReq`).
    {
        use openim_wire::constant::content_type as ct;
        const SENDABLE: [i32; 10] =
            [ct::TEXT, ct::PICTURE, ct::SOUND, ct::VIDEO, ct::FILE, ct::AT_TEXT, ct::CUSTOM, ct::QUOTE, ct::MARKDOWN_TEXT, ct::OA_NOTIFICATION];
        if !SENDABLE.contains(&req.content_type) {
            return Err(CodeError::args(format!("unsupported content type {}", req.content_type)));
        }
    }
    if req.content_type == content_type::OA_NOTIFICATION {
        oa_notification(&state, &mut req).await?;
    }
    match req.session_type {
        session_type::SINGLE_CHAT | session_type::NOTIFICATION_CHAT if req.recv_id.is_empty() => {
            return Err(CodeError::args("recvID is required"));
        }
        session_type::READ_GROUP_CHAT if req.group_id.is_empty() => return Err(CodeError::args("groupID is required")),
        session_type::SINGLE_CHAT | session_type::NOTIFICATION_CHAT | session_type::READ_GROUP_CHAT => {}
        other => return Err(CodeError::args(format!("sessionType {other} is not supported"))),
    }
    for user in [&req.send_id, &req.recv_id] {
        if !user.is_empty() && req.session_type != session_type::READ_GROUP_CHAT && state.store.find_user(user).await?.is_none() {
            return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("user {user} not found")));
        }
    }
    if req.session_type == session_type::READ_GROUP_CHAT && state.store.group_info(&req.group_id).await?.is_none() {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("group {} not found", req.group_id)));
    }
    let mut opts = std::collections::HashMap::new();
    if req.is_online_only {
        // OpenIM's `SetOptions`: nothing kept, nothing synced, no conversation touched.
        for key in [options::HISTORY, options::PERSISTENT, options::SENDER_SYNC, options::CONVERSATION_UPDATE] {
            opts.insert(key.to_owned(), false);
        }
    }
    if req.not_offline_push {
        opts.insert(options::OFFLINE_PUSH.to_owned(), false);
    }
    let msg = MsgData {
        send_id: req.send_id.clone(),
        recv_id: if req.session_type == session_type::READ_GROUP_CHAT { String::new() } else { req.recv_id },
        group_id: req.group_id,
        client_msg_id: crate::messaging::send::new_msg_id(&req.send_id),
        sender_platform_id: req.sender_platform_id,
        sender_nickname: req.sender_nickname,
        sender_face_url: req.sender_face_url,
        session_type: req.session_type,
        msg_from: msg_from::SYSTEM,
        content_type: req.content_type,
        content: if req.content_type == content_type::OA_NOTIFICATION {
            // Kept as it came, as the detail of a notification (OpenIM's `newUserSendMsgReq`).
            openim_wire::elem::notification_content(&req.content)
        } else {
            serde_json::to_vec(&req.content).map_err(|e| CodeError::args(e.to_string()))?
        },
        create_time: now_ms(),
        send_time: req.send_time,
        options: opts,
        ex: req.ex,
        ..Default::default()
    };
    let mut msg = msg;
    // As OpenIM's SendMsg: the named sender's checks (blacklist, friendship, membership, mutes)
    // and the recipient's receive options apply to the API's sends too.
    crate::messaging::send::verify(&state, &mut msg).await?;
    if msg.content_type == content_type::AT_TEXT {
        // The mentioned users come from the content's `atUserList`, as OpenIM's API takes them
        // since its main branch's #3472 (3.8's API leaves them out).
        msg.at_user_id_list = serde_json::from_value(req.content["atUserList"].clone()).unwrap_or_default();
    }
    let sent = crate::messaging::send::send_system(&state, msg).await?;
    crate::messaging::records::mention(&state, &sent).await;
    Ok(ok(SendMsgResp { server_msg_id: sent.server_msg_id, client_msg_id: sent.client_msg_id, send_time: sent.send_time }))
}
