//! `/jssdk/*`: the Web SDK's conversation list in one call. The body is protobuf
//! (`application/x-protobuf` or `application/protobuf`) or JSON; a protobuf request is answered
//! with the usual JSON envelope whose `data` is the base64 of the protobuf reply, as OpenIM's
//! API does. The owner is always the token's user.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use openim_wire::api::conversation::Conversation;
use openim_wire::constant::session_type;
use openim_wire::pb::jssdk::*;
use openim_wire::pb::sdkws::MsgData;
use openim_wire::pb::GoEncode as _;
use serde_json::{Value, json};

use super::Caller;
use super::envelope::{ApiResult, ok};
use crate::error::{CodeError, CodeResult};
use crate::state::SharedState;

/// `count` when the request gives none (or more than 500).
const DEFAULT_COUNT: i64 = 100;

enum Form {
    Json,
    Protobuf,
}

fn form(headers: &HeaderMap) -> CodeResult<Form> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.is_empty() || ct.contains("application/json") {
        Ok(Form::Json)
    } else if ct.contains("application/protobuf") || ct.contains("application/x-protobuf") {
        Ok(Form::Protobuf)
    } else {
        Err(CodeError::args(format!("unsupported content type {ct}")))
    }
}

fn decode<T: prost::Message + Default + serde::de::DeserializeOwned>(form: &Form, body: &[u8]) -> CodeResult<T> {
    match form {
        Form::Json => serde_json::from_slice(body).map_err(|e| CodeError::args(e.to_string())),
        Form::Protobuf => T::decode(body).map_err(|e| CodeError::args(e.to_string())),
    }
}

/// `lastMsg` as Go's `encoding/json` writes `sdkws.MsgData`.
fn msg_json(m: &MsgData) -> Value {
    let b64 = |b: &[u8]| if b.is_empty() { Value::Null } else { Value::String(base64::engine::general_purpose::STANDARD.encode(b)) };
    json!({
        "sendID": m.send_id, "recvID": m.recv_id, "groupID": m.group_id, "clientMsgID": m.client_msg_id,
        "serverMsgID": m.server_msg_id, "senderPlatformID": m.sender_platform_id, "senderNickname": m.sender_nickname,
        "senderFaceURL": m.sender_face_url, "sessionType": m.session_type, "msgFrom": m.msg_from,
        "contentType": m.content_type, "content": b64(&m.content), "seq": m.seq, "sendTime": m.send_time,
        "createTime": m.create_time, "status": m.status, "isRead": m.is_read,
        "options": if m.options.is_empty() { Value::Null } else { json!(m.options) },
        "offlinePushInfo": m.offline_push_info.as_ref().map(|p| json!({
            "title": p.title, "desc": p.desc, "ex": p.ex, "iOSPushSound": p.ios_push_sound,
            "iOSBadgeCount": p.ios_badge_count, "signalInfo": p.signal_info,
        })),
        "atUserIDList": if m.at_user_id_list.is_empty() { Value::Null } else { json!(m.at_user_id_list) },
        "attachedInfo": m.attached_info, "ex": m.ex,
    })
}

fn reply(form: &Form, resp: GetConversationsResp) -> ApiResult {
    match form {
        Form::Protobuf => Ok(ok(base64::engine::general_purpose::STANDARD.encode(resp.encode_go()))),
        Form::Json => {
            let conversations: Vec<Value> = resp
                .conversations
                .iter()
                .map(|c| {
                    json!({
                        "conversation": c.conversation, "lastMsg": c.last_msg.as_ref().map(msg_json),
                        "user": c.user, "friend": c.friend, "group": c.group,
                        "maxSeq": c.max_seq, "readSeq": c.read_seq,
                    })
                })
                .collect();
            Ok(ok(json!({
                "unreadCount": resp.unread_count,
                "conversations": if conversations.is_empty() { Value::Null } else { Value::Array(conversations) },
            })))
        }
    }
}

fn conversation_pb(c: &Conversation) -> openim_wire::pb::jssdk::Conversation {
    openim_wire::pb::jssdk::Conversation {
        owner_user_id: c.owner_user_id.clone(),
        conversation_id: c.conversation_id.clone(),
        recv_msg_opt: c.recv_msg_opt,
        conversation_type: c.conversation_type,
        user_id: c.user_id.clone(),
        group_id: c.group_id.clone(),
        is_pinned: c.is_pinned,
        attached_info: c.attached_info.clone(),
        is_private_chat: c.is_private_chat,
        group_at_type: c.group_at_type,
        ex: c.ex.clone(),
        burn_duration: c.burn_duration,
        min_seq: c.min_seq,
        max_seq: c.max_seq,
        msg_destruct_time: c.msg_destruct_time,
        latest_msg_destruct_time: c.latest_msg_destruct_time,
        is_msg_destruct: c.is_msg_destruct,
    }
}

/// One entry with its seqs, last message and the peer (user and friendship) or the group.
async fn entry(state: &SharedState, owner: &str, c: &Conversation) -> CodeResult<(ConversationMsg, i64)> {
    let bounds = state.store.bounds(&c.conversation_id, owner).await?;
    let read_seq = state.store.has_read_seqs(owner, std::slice::from_ref(&c.conversation_id)).await?.remove(&c.conversation_id).unwrap_or(0);
    let last_msg = if bounds.max > 0 {
        state.store.messages_for_user(&c.conversation_id, owner, &[bounds.max]).await?.pop()
    } else {
        None
    };
    let last_time = last_msg.as_ref().map_or(0, |m| m.send_time);
    let mut out = ConversationMsg { conversation: Some(conversation_pb(c)), last_msg, max_seq: bounds.max, read_seq, ..Default::default() };
    if c.conversation_type == session_type::SINGLE_CHAT || c.group_id.is_empty() {
        if let Some(u) = state.store.find_user(&c.user_id).await? {
            out.user = Some(UserInfo {
                user_id: u.user_id,
                nickname: u.nickname,
                face_url: u.face_url,
                ex: u.ex,
                create_time: u.create_time,
                app_manger_level: u.app_manger_level,
                global_recv_msg_opt: u.global_recv_msg_opt,
            });
        }
        if let Some(f) = state.store.friends(owner, std::slice::from_ref(&c.user_id)).await?.pop() {
            out.friend = Some(FriendInfoOnly {
                owner_user_id: f.owner_user_id.clone(),
                friend_user_id: f.friend_user_id().to_owned(),
                remark: f.remark,
                create_time: f.create_time,
                add_source: f.add_source,
                operator_user_id: f.operator_user_id,
                ex: f.ex,
                is_pinned: f.is_pinned,
            });
        }
    } else if let Some(g) = state.store.group_info(&c.group_id).await? {
        out.group = Some(GroupInfo {
            group_id: g.group_id,
            group_name: g.group_name,
            notification: g.notification,
            introduction: g.introduction,
            face_url: g.face_url,
            owner_user_id: g.owner_user_id,
            create_time: g.create_time,
            member_count: g.member_count,
            ex: g.ex,
            status: g.status,
            creator_user_id: g.creator_user_id,
            group_type: g.group_type,
            need_verification: g.need_verification,
            look_member_info: g.look_member_info,
            apply_member_friend: g.apply_member_friend,
            notification_update_time: g.notification_update_time,
            notification_user_id: g.notification_user_id,
        });
    }
    Ok((out, last_time))
}

/// The owner's conversations that have messages: pinned first, then the newest; the unread
/// count over all of them.
pub async fn get_active_conversations(State(state): State<SharedState>, Extension(caller): Extension<Caller>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let form = form(&headers)?;
    let req: GetActiveConversationsReq = decode(&form, &body)?;
    let count = if req.count <= 0 || req.count > 500 { DEFAULT_COUNT } else { req.count };
    let owner = caller.user_id.as_str();
    let mut active = Vec::new();
    let mut unread_count = 0;
    for c in state.store.conversations(owner, None).await? {
        let (e, last_time) = entry(&state, owner, &c).await?;
        if e.max_seq == 0 {
            continue;
        }
        unread_count += (e.max_seq - e.read_seq).max(0);
        active.push((c.is_pinned, last_time, e));
    }
    active.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let conversations = active.into_iter().take(count as usize).map(|(_, _, e)| e).collect();
    reply(&form, GetConversationsResp { unread_count, conversations })
}

/// The owner's conversations among the IDs asked, with their unread count.
pub async fn get_conversations(State(state): State<SharedState>, Extension(caller): Extension<Caller>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let form = form(&headers)?;
    let req: GetConversationsReq = decode(&form, &body)?;
    let owner = caller.user_id.as_str();
    let mut resp = GetConversationsResp::default();
    if !req.conversation_ids.is_empty() {
        for c in state.store.conversations(owner, Some(&req.conversation_ids)).await? {
            let (e, _) = entry(&state, owner, &c).await?;
            resp.unread_count += (e.max_seq - e.read_seq).max(0);
            resp.conversations.push(e);
        }
    }
    reply(&form, resp)
}
