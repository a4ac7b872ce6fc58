//! Sending: validation, OpenIM's `encapsulateMsgData`, seq allocation and storage, conversation
//! records for both sides, and pushes.

use std::collections::HashMap;

use md5::{Digest, Md5};
use openim_wire::constant::{content_type, msg_from, options, req, session_type};
use openim_wire::conversation_id;
use openim_wire::errcode;
use openim_wire::gateway::WsResponse;
use openim_wire::pb::GoEncode as _;
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::{MsgData, PullMsgs, PushMessages};

use super::conversation_id_of;
use crate::error::{CodeError, CodeResult};
use crate::state::SharedState;
use crate::store::now_ms;

/// OpenIM's `GetMsgID`: md5 of time, sender and randomness.
pub fn new_msg_id(send_id: &str) -> String {
    let seed = format!("{}-{}-{}", now_ms(), send_id, fastrand::u64(..));
    format!("{:x}", Md5::digest(seed.as_bytes()))
}

fn set_off(opts: &mut HashMap<String, bool>, keys: &[&str]) {
    for key in keys {
        opts.insert((*key).to_owned(), false);
    }
}

/// OpenIM's `encapsulateMsgData`: server message ID, send time, options forced by content type.
fn encapsulate(msg: &mut MsgData) {
    msg.server_msg_id = new_msg_id(&msg.send_id);
    if msg.send_time == 0 {
        msg.send_time = now_ms();
    }
    use options::*;
    match msg.content_type {
        content_type::HAS_READ_RECEIPT => {
            set_off(&mut msg.options, &[CONVERSATION_UPDATE, SENDER_CONVERSATION_UPDATE, UNREAD_COUNT, OFFLINE_PUSH])
        }
        content_type::TYPING => set_off(
            &mut msg.options,
            &[HISTORY, PERSISTENT, SENDER_SYNC, CONVERSATION_UPDATE, SENDER_CONVERSATION_UPDATE, UNREAD_COUNT, OFFLINE_PUSH],
        ),
        _ => {}
    }
}

/// A message sent by a client over the gateway (request 1003).
/// `operation_id` is the send request's: the pushes of the message carry it, as OpenIM's do
/// (clients use it to recognise their own message).
pub async fn send_from_client(
    state: &SharedState,
    user_id: &str,
    platform_id: i32,
    operation_id: &str,
    mut msg: MsgData,
) -> CodeResult<SendMsgResp> {
    if msg.send_id != user_id {
        return Err(CodeError::no_permission(format!("sendID {} is not the connection's user", msg.send_id)));
    }
    if msg.client_msg_id.is_empty() {
        return Err(CodeError::args("clientMsgID is empty"));
    }
    if msg.content_type <= 0 {
        return Err(CodeError::args("contentType is invalid"));
    }
    match msg.session_type {
        session_type::SINGLE_CHAT => {
            if msg.recv_id.is_empty() {
                return Err(CodeError::args("recvID is empty"));
            }
            // One query: the recipient exists, has not blocked the sender, is their friend.
            let peer = state.store.peer_of(&msg.recv_id, user_id).await?;
            if !peer.exists {
                return Err(CodeError::new(errcode::USER_ID_NOT_FOUND, format!("recvID {} not found", msg.recv_id)));
            }
            // OpenIM's messageVerification: the recipient's blacklist, then (when configured)
            // friendship; admins are exempt.
            if !state.auth.is_admin(user_id) {
                if peer.blocked_sender {
                    return Err(CodeError::new(errcode::BLOCKED_BY_PEER, format!("{} blocked {user_id}", msg.recv_id)));
                }
                if state.config.friend_verify && !peer.befriended_sender {
                    return Err(CodeError::new(errcode::NOT_PEERS_FRIEND, format!("{user_id} is not a friend of {}", msg.recv_id)));
                }
            }
        }
        session_type::READ_GROUP_CHAT => check_group_send(state, user_id, &msg).await?,
        other => return Err(CodeError::args(format!("sessionType {other} is not supported"))),
    }
    if msg.sender_platform_id == 0 {
        msg.sender_platform_id = platform_id;
    }
    msg.msg_from = msg_from::USER;
    encapsulate(&mut msg);
    let msg = deliver(state, msg, &[], operation_id).await?;
    Ok(SendMsgResp { server_msg_id: msg.server_msg_id, client_msg_id: msg.client_msg_id, send_time: msg.send_time, modify: None })
}

/// OpenIM's `messageVerification` for a group: the group exists and is not dismissed, the sender
/// is a member, and neither it nor (for ordinary members) the group is muted. The owner and app
/// managers are exempt from mutes.
async fn check_group_send(state: &SharedState, user_id: &str, msg: &MsgData) -> CodeResult<()> {
    use openim_wire::constant::group as g;
    if msg.group_id.is_empty() {
        return Err(CodeError::args("groupID is empty"));
    }
    // One query: the group's status and the sender's membership.
    let Some(group) = state.store.group_sender(&msg.group_id, user_id).await? else {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("group {} not found", msg.group_id)));
    };
    if group.status == g::STATUS_DISMISSED && msg.content_type != content_type::GROUP_DISMISSED {
        return Err(CodeError::new(errcode::DISMISSED_ALREADY, format!("group {} is dismissed", msg.group_id)));
    }
    if state.auth.is_admin(user_id) {
        return Ok(());
    }
    let Some((role_level, mute_end_time)) = group.member else {
        return Err(CodeError::new(errcode::NOT_IN_GROUP_YET, format!("{user_id} is not in group {}", msg.group_id)));
    };
    if role_level == g::OWNER {
        return Ok(());
    }
    if mute_end_time >= now_ms() {
        return Err(CodeError::new(errcode::MUTED_IN_GROUP, format!("{user_id} is muted in group {}", msg.group_id)));
    }
    if group.status == g::STATUS_MUTED && role_level != g::ADMIN {
        return Err(CodeError::new(errcode::MUTED_GROUP, format!("group {} is muted", msg.group_id)));
    }
    Ok(())
}

/// A server-built message (a notification); fills the server fields and delivers it.
pub async fn send_system(state: &SharedState, msg: MsgData) -> CodeResult<MsgData> {
    send_system_to(state, msg, &[]).await
}

/// [`send_system`], also pushed to `extra` users (members who just left a group).
pub async fn send_system_to(state: &SharedState, mut msg: MsgData, extra: &[String]) -> CodeResult<MsgData> {
    encapsulate(&mut msg);
    deliver(state, msg, extra, &new_msg_id("push")).await
}

/// Stores the message when it keeps history (with the conversation's next seq), creates the
/// conversation records of both sides (of every member for a group's first message), and pushes
/// it to the recipients (every member of a group, and `extra`) and, with `senderSync`, to every
/// connection of the sender.
///
/// Runs to completion in a task of its own: a caller that goes away (a REST client that
/// disconnects) never leaves a stored message without its conversation records or pushes.
async fn deliver(state: &SharedState, msg: MsgData, extra: &[String], operation_id: &str) -> CodeResult<MsgData> {
    let (state, extra, operation_id) = (state.clone(), extra.to_vec(), operation_id.to_owned());
    tokio::spawn(async move { deliver_now(&state, msg, &extra, &operation_id).await })
        .await
        .map_err(|e| CodeError::internal(format!("delivery task: {e}")))?
}

async fn deliver_now(state: &SharedState, mut msg: MsgData, extra: &[String], operation_id: &str) -> CodeResult<MsgData> {
    let conversation_id = conversation_id_of(&msg).ok_or_else(|| CodeError::args("sessionType is not supported"))?;
    let is_notification = conversation_id::is_notification(&conversation_id);
    let _order = state.send_lock.lock().await;
    // Stored and pushed messages are sent messages (msg_transfer.go, push_handler.go).
    msg.status = openim_wire::constant::msg_status::SEND_SUCCESS;
    if options::is_set(&msg.options, options::HISTORY) {
        // The sender has read everything up to its own message (set in the same write).
        let reader = (!is_notification).then(|| msg.send_id.clone());
        state.store.insert_message(&conversation_id, &mut msg, reader.as_deref()).await?;
        if !is_notification {
            let now = now_ms();
            match msg.session_type {
                // Made with the chat's first message, as OpenIM's transfer does.
                session_type::SINGLE_CHAT if msg.seq == 1 => {
                    state.store.ensure_conversation(&msg.send_id, &conversation_id, session_type::SINGLE_CHAT, &msg.recv_id, "", now).await?;
                    state.store.ensure_conversation(&msg.recv_id, &conversation_id, session_type::SINGLE_CHAT, &msg.send_id, "", now).await?;
                }
                // Later members get theirs when they join.
                session_type::READ_GROUP_CHAT if msg.seq == 1 => {
                    for member in state.store.group_member_ids(&msg.group_id).await? {
                        state.store.ensure_conversation(&member, &conversation_id, session_type::READ_GROUP_CHAT, "", &msg.group_id, now).await?;
                    }
                }
                _ => {}
            }
        }
    } else {
        msg.seq = 0;
    }
    let mut recipients = if msg.session_type == session_type::READ_GROUP_CHAT {
        state.store.group_member_ids(&msg.group_id).await?
    } else {
        vec![msg.recv_id.clone()]
    };
    recipients.extend(extra.iter().cloned());
    if options::is_set(&msg.options, options::SENDER_SYNC) {
        recipients.push(msg.send_id.clone());
    }
    recipients.sort();
    recipients.dedup();
    push(state, &recipients, &conversation_id, &msg, operation_id);
    Ok(msg)
}

/// Queues push 2001 for every connection of `users`.
pub fn push(state: &SharedState, users: &[String], conversation_id: &str, msg: &MsgData, operation_id: &str) {
    let pulled = HashMap::from([(conversation_id.to_owned(), PullMsgs { msgs: vec![msg.clone()], is_end: false, end_seq: 0 })]);
    let push = if conversation_id::is_notification(conversation_id) {
        PushMessages { msgs: HashMap::new(), notification_msgs: pulled }
    } else {
        PushMessages { msgs: pulled, notification_msgs: HashMap::new() }
    };
    let frame = WsResponse {
        req_identifier: req::PUSH_MSG,
        operation_id: operation_id.to_owned(),
        data: push.encode_go(),
        ..Default::default()
    };
    let mut frames = crate::gateway::registry::Frames::new(&frame);
    for user in users {
        if state.faults.take_push_drop(user) {
            tracing::info!(%user, "fault: push dropped");
            continue;
        }
        for conn in state.registry.conns_of(user) {
            frames.send_to(&conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::state::AppState;

    /// A caller that goes away once delivery started (a REST client that disconnects) leaves
    /// a complete delivery: the message, and both sides' conversation records of a first
    /// message.
    #[tokio::test]
    async fn a_delivery_finishes_when_its_caller_goes_away() {
        let config = crate::config::DevServerConfig::default();
        let store = crate::store::Store::open(None).await.unwrap();
        let auth = crate::auth::Auth::new(&config.secret, 1, Vec::new(), config.multi_login_policy, store.clone());
        let state: SharedState = Arc::new(AppState::new(config, store, auth));
        // Held, so the delivery cannot finish before its caller is dropped.
        let order = state.send_lock.lock().await;
        let msg = MsgData {
            send_id: "a".into(),
            recv_id: "b".into(),
            client_msg_id: "c1".into(),
            session_type: session_type::SINGLE_CHAT,
            content_type: content_type::TEXT,
            options: [(options::HISTORY.to_owned(), true)].into_iter().collect(),
            ..Default::default()
        };
        let caller = send_system(&state, msg);
        assert!(tokio::time::timeout(Duration::from_millis(1), caller).await.is_err(), "the caller was still waiting");
        drop(order);
        let conversation = conversation_id::single("a", "b");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let stored = state.store.max_seqs(std::slice::from_ref(&conversation)).await.unwrap();
            let a = state.store.conversation("a", &conversation).await.unwrap();
            let b = state.store.conversation("b", &conversation).await.unwrap();
            if stored.get(&conversation).map(|s| s.0) == Some(1) && a.is_some() && b.is_some() {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "delivery stopped with its caller: {stored:?} {a:?} {b:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
