//! Notifications built as OpenIM's `NotificationSender` builds them: content
//! `{"detail":"<tips JSON>"}`, msgFrom 200, options from the reliability level of the type.

use std::collections::HashMap;

use openim_wire::constant::{content_type, msg_from, options, session_type};
use openim_wire::elem::notification_content;
use openim_wire::pb::sdkws::{MsgData, OfflinePushInfo};
use serde::Serialize;

use super::send::{new_msg_id, send_system};
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

/// Sends a notification of `kind` carrying `tips`.
pub async fn notify<T: Serialize>(
    state: &SharedState,
    send_id: &str,
    recv_id: &str,
    kind: i32,
    session: i32,
    tips: &T,
) -> CodeResult<MsgData> {
    let msg = MsgData {
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
    };
    send_system(state, msg).await
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
    let copy = MsgData {
        client_msg_id: new_msg_id(send_id),
        server_msg_id: String::new(),
        seq: 0,
        send_time: 0,
        // Every option on: a normal message of the chat conversation.
        options: HashMap::new(),
        ..pushed.clone()
    };
    send_system(state, copy).await?;
    Ok(pushed)
}
