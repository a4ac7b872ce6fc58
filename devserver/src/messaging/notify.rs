//! Notifications built as OpenIM's `NotificationSender` builds them: content
//! `{"detail":"<tips JSON>"}`, msgFrom 200, options from the reliability level of the type.

use std::collections::HashMap;

use openim_wire::constant::{content_type, msg_from, options, session_type};
use openim_wire::elem::notification_content;
use openim_wire::pb::sdkws::{MsgData, OfflinePushInfo};
use serde::Serialize;

use super::send::{new_msg_id, send_system, send_system_to};
use crate::error::CodeResult;
use crate::state::SharedState;
use crate::store::now_ms;

/// OpenIM's `NewOptions` plus the reliability level: level 2 (revoke, has-read, delete) keeps
/// history, so the notification gets a seq in the `n_` conversation; others are push-only.
fn notification_options(keeps_history: bool) -> HashMap<String, bool> {
    use options::*;
    [
        (IS_NOT_NOTIFICATION, false),
        (IS_SEND_MSG, false),
        (HISTORY, keeps_history),
        (PERSISTENT, keeps_history),
        (OFFLINE_PUSH, false),
        (UNREAD_COUNT, false),
        (CONVERSATION_UPDATE, false),
        (SENDER_SYNC, true),
        (NOT_PRIVATE, false),
        (SENDER_CONVERSATION_UPDATE, false),
        (REACTION_FROM_CACHE, false),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Whether notifications of `kind` from `send_id` to `recv_id` keep history.
fn keeps_history(kind: i32, send_id: &str, recv_id: &str) -> bool {
    match kind {
        content_type::MSG_REVOKE | content_type::DELETE_MSGS => true,
        // A read mark to oneself (groups, other devices) is pushed only.
        content_type::HAS_READ_RECEIPT => send_id != recv_id,
        _ => false,
    }
}

fn notification_msg<T: Serialize>(send_id: &str, recv_id: &str, kind: i32, session: i32, tips: &T) -> MsgData {
    MsgData {
        send_id: send_id.to_owned(),
        recv_id: recv_id.to_owned(),
        group_id: if session == session_type::READ_GROUP_CHAT { recv_id.to_owned() } else { String::new() },
        client_msg_id: new_msg_id(send_id),
        session_type: session,
        msg_from: msg_from::SYSTEM,
        content_type: kind,
        content: notification_content(tips),
        create_time: now_ms(),
        options: notification_options(keeps_history(kind, send_id, recv_id)),
        offline_push_info: Some(OfflinePushInfo::default()),
        ..Default::default()
    }
}

/// Sends a notification of `kind` carrying `tips`.
pub async fn notify<T: Serialize>(
    state: &SharedState,
    send_id: &str,
    recv_id: &str,
    kind: i32,
    session: i32,
    tips: &T,
) -> CodeResult<MsgData> {
    send_system(state, notification_msg(send_id, recv_id, kind, session, tips)).await
}

/// A custom business notification (2001, `/msg/send_business_notification`) to a user or a
/// group: pushed only at reliability level 1, stored in the `n_` conversation at level 2; with
/// `is_send_msg` (OpenIM's `sendMsg`) a visible copy is stored in the chat as well.
pub async fn notify_business(
    state: &SharedState,
    send_id: &str,
    recv_user_id: &str,
    recv_group_id: &str,
    tips: &openim_wire::elem::BusinessTips,
    is_send_msg: bool,
    keeps_history: bool,
) -> CodeResult<MsgData> {
    let group = !recv_group_id.is_empty();
    let session = if group { session_type::READ_GROUP_CHAT } else { session_type::SINGLE_CHAT };
    let mut msg = notification_msg(send_id, if group { recv_group_id } else { recv_user_id }, content_type::BUSINESS, session, tips);
    if group {
        msg.recv_id.clear();
    }
    msg.options = notification_options(keeps_history);
    msg.options.insert(options::IS_SEND_MSG.to_owned(), is_send_msg);
    let pushed = send_system(state, msg).await?;
    if is_send_msg {
        // OpenIM's transfer stores such a notification as a visible message of the chat too.
        send_system(state, visible_copy(&pushed, send_id)).await?;
    }
    Ok(pushed)
}

/// A group notification from `op_user_id`: pushed to every member and to `extra` (members who
/// just left); with `chat_copy` (OpenIM's `isSendMsg`) a copy is also stored in the group chat.
pub async fn notify_group<T: Serialize>(
    state: &SharedState,
    op_user_id: &str,
    group_id: &str,
    kind: i32,
    tips: &T,
    extra: &[String],
    chat_copy: bool,
) -> CodeResult<MsgData> {
    let msg = notification_msg(op_user_id, group_id, kind, session_type::READ_GROUP_CHAT, tips);
    let pushed = send_system_to(state, msg, extra).await?;
    if chat_copy {
        send_system_to(state, visible_copy(&pushed, op_user_id), extra).await?;
    }
    Ok(pushed)
}

/// A notification as a normal message of the chat conversation (every option on).
fn visible_copy(pushed: &MsgData, send_id: &str) -> MsgData {
    MsgData {
        client_msg_id: new_msg_id(send_id),
        server_msg_id: String::new(),
        seq: 0,
        send_time: 0,
        options: HashMap::new(),
        ..pushed.clone()
    }
}

/// A notification configured with `isSendMsg` (e.g. friend application approved): pushed like
/// any other, and a copy is stored as a visible message in the chat conversation, counting as
/// unread.
pub async fn notify_with_chat_copy<T: Serialize>(
    state: &SharedState,
    send_id: &str,
    recv_id: &str,
    kind: i32,
    session: i32,
    tips: &T,
) -> CodeResult<MsgData> {
    let pushed = notify(state, send_id, recv_id, kind, session, tips).await?;
    send_system(state, visible_copy(&pushed, send_id)).await?;
    Ok(pushed)
}
