//! Conversation records the server sets for users, as OpenIM's `SetConversations` does: only a
//! user whose record is missing or differs gets a new version and 1300; and the marks of a
//! group's mentions and announcements (`groupAtType`) set that way.

use openim_wire::api::conversation::{Conversation, ConversationReq};
use openim_wire::constant::{content_type, session_type};
use openim_wire::conversation_id;
use openim_wire::elem::ConversationUpdateTips;
use openim_wire::pb::sdkws::MsgData;

use super::notify::notify;
use crate::error::CodeResult;
use crate::state::SharedState;
use crate::store::now_ms;

/// The ID in `atUserIDList` that mentions everyone (OpenIM's `AtAllTag`).
const AT_ALL_TAG: &str = "AtAllTag";

/// OpenIM's `groupAtType` values.
mod at_type {
    pub const AT_ME: i32 = 1;
    pub const AT_ALL: i32 = 2;
    pub const AT_ALL_AT_ME: i32 = 3;
    pub const GROUP_NOTIFICATION: i32 = 4;
}

/// Applies the set fields of `settings` to each of `user_ids`' records (made when missing); a
/// user whose record changes (or is made) gets a new version and 1300.
pub async fn set_for_users(state: &SharedState, user_ids: &[String], settings: &ConversationReq) -> CodeResult<()> {
    let now = now_ms();
    for user_id in user_ids {
        let before = state.store.conversations(user_id, Some(std::slice::from_ref(&settings.conversation_id))).await?.pop();
        if before.is_some_and(|b| !differs(&b, settings)) {
            continue;
        }
        state.store.update_conversation(user_id, settings, now).await?;
        let tips = ConversationUpdateTips { user_id: user_id.clone(), conversation_id_list: vec![settings.conversation_id.clone()] };
        notify(state, user_id, user_id, content_type::CONVERSATION_CHANGE, session_type::SINGLE_CHAT, &tips).await?;
    }
    Ok(())
}

/// Whether a set field of `req` differs from `record`.
fn differs(record: &Conversation, req: &ConversationReq) -> bool {
    fn set_and_differs<T: PartialEq>(wanted: &Option<T>, current: &T) -> bool {
        wanted.as_ref().is_some_and(|w| w != current)
    }
    set_and_differs(&req.recv_msg_opt, &record.recv_msg_opt)
        || set_and_differs(&req.attached_info, &record.attached_info)
        || set_and_differs(&req.ex, &record.ex)
        || set_and_differs(&req.is_pinned, &record.is_pinned)
        || set_and_differs(&req.group_at_type, &record.group_at_type)
        || set_and_differs(&req.msg_destruct_time, &record.msg_destruct_time)
        || set_and_differs(&req.is_msg_destruct, &record.is_msg_destruct)
        || set_and_differs(&req.burn_duration, &record.burn_duration)
}

/// A group's new announcement on its members' records (OpenIM's `groupAtType` 4).
pub async fn announced(state: &SharedState, group_id: &str, members: &[String]) -> CodeResult<()> {
    set_for_users(state, members, &group_mark(group_id, at_type::GROUP_NOTIFICATION)).await
}

fn group_mark(group_id: &str, mark: i32) -> ConversationReq {
    ConversationReq {
        conversation_id: conversation_id::group(group_id),
        conversation_type: session_type::READ_GROUP_CHAT,
        group_id: group_id.to_owned(),
        group_at_type: Some(mark),
        ..Default::default()
    }
}

/// [`mentions`] for a message already stored and pushed: a failure is logged, as OpenIM's server
/// logs it (its marking runs after the send), and the send stands.
pub async fn mention(state: &SharedState, msg: &MsgData) {
    if let Err(e) = mentions(state, msg).await {
        tracing::warn!(group = %msg.group_id, seq = msg.seq, error = %e, "marking the mentioned members' records failed");
    }
}

/// The mentions of a stored group message of type 106, on the members' records as OpenIM's
/// `setConversationAtInfo` sets them (OpenIM 3.8): `AtAllTag` marks every member but the sender
/// 2 (@all), and those also named 3 (@all and @me); otherwise the named members are marked 1
/// (@me). The app clears the mark with `set_conversations` (`groupAtType` 0).
async fn mentions(state: &SharedState, msg: &MsgData) -> CodeResult<()> {
    if msg.content_type != content_type::AT_TEXT || msg.session_type != session_type::READ_GROUP_CHAT || msg.seq == 0 {
        return Ok(());
    }
    let mut members = state.store.group_member_ids(&msg.group_id).await?;
    let named = |members: &[String]| -> Vec<String> {
        members.iter().filter(|m| msg.at_user_id_list.contains(m)).cloned().collect()
    };
    let mut marks: Vec<(Vec<String>, i32)> = Vec::new();
    if msg.at_user_id_list.iter().any(|u| u == AT_ALL_TAG) {
        members.retain(|m| *m != msg.send_id);
        let both = named(&members);
        members.retain(|m| !both.contains(m));
        marks.push((both, at_type::AT_ALL_AT_ME));
        marks.push((members, at_type::AT_ALL));
    } else {
        marks.push((named(&members), at_type::AT_ME));
    }
    for (users, mark) in marks {
        if users.is_empty() {
            continue;
        }
        set_for_users(state, &users, &group_mark(&msg.group_id, mark)).await?;
    }
    Ok(())
}
