//! `/group/*`: groups, members, applications, mutes and the two versioned lists (a user's groups,
//! a group's members), as OpenIM's group service answers them, with its notifications: group
//! ones (session 3) pushed to every member, applications (session 1) to the managers and the
//! applicant, and a visible copy in the group chat for the kinds OpenIM configures with
//! `isSendMsg`.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::conversation::RequestPagination;
use openim_wire::api::group::*;
use openim_wire::api::user::PublicUserInfo;
use openim_wire::constant::group as g;
use openim_wire::constant::{content_type as ct, session_type};
use openim_wire::conversation_id;
use openim_wire::elem::GroupTips;
use openim_wire::errcode;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access, check_ids, check_page, check_users};
use crate::error::{CodeError, CodeResult};
use crate::messaging::notify::{notify, notify_group};
use crate::state::SharedState;
use crate::store::groups::{GroupUpdate, MemberUpdate, NewMember};
use crate::store::now_ms;
use crate::store::versions::kind;

/// OpenIM's `groupType` WorkingGroup, the only type v3 creates.
const WORKING_GROUP: i32 = 2;
/// `needVerification`: applications need approval, invitations do not.
const APPLY_NEED_VERIFICATION_INVITE_DIRECTLY: i32 = 0;
/// `needVerification`: applications and invitations by ordinary members need approval.
const ALL_NEED_VERIFICATION: i32 = 1;
/// `needVerification`: anyone may join directly.
const DIRECTLY: i32 = 2;
/// `joinSource` of an invitation.
const JOIN_BY_INVITATION: i32 = 2;
/// Most groups one batch member sync may name (OpenIM's `MaxSyncPullNumber`).
const MAX_BATCH: usize = 500;

fn group_not_found(group_id: &str) -> CodeError {
    CodeError::new(errcode::RECORD_NOT_FOUND, format!("group {group_id} not found"))
}

/// The group, which must exist.
async fn group(state: &SharedState, group_id: &str) -> CodeResult<GroupInfo> {
    if group_id.is_empty() {
        return Err(CodeError::args("groupID is empty"));
    }
    state.store.group_info(group_id).await?.ok_or_else(|| group_not_found(group_id))
}

/// The group, which must exist and not be dismissed.
async fn live_group(state: &SharedState, group_id: &str) -> CodeResult<GroupInfo> {
    let info = group(state, group_id).await?;
    if info.status == g::STATUS_DISMISSED {
        return Err(CodeError::new(errcode::DISMISSED_ALREADY, format!("group {group_id} is dismissed")));
    }
    Ok(info)
}

/// The caller as a member of the group, and its role: app managers act as owners (role 100
/// without being members); anyone else must be a member (RecordNotFound otherwise).
struct Operator {
    role: i32,
    info: GroupMemberFullInfo,
}

async fn operator(state: &SharedState, caller: &Caller, group_id: &str) -> CodeResult<Operator> {
    if state.auth.is_admin(&caller.user_id) {
        return Ok(Operator { role: g::OWNER, info: op_user(state, &caller.user_id, group_id).await? });
    }
    match state.store.group_member(group_id, &caller.user_id).await? {
        Some(info) => Ok(Operator { role: info.role_level, info: with_profile(state, info).await? }),
        None => Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("{} is not in group {group_id}", caller.user_id))),
    }
}

/// The app manager `user_id` as the operator of group tips (OpenIM's `fillUserByUserID`): a group
/// admin (60) of app level 2 with the manager's name and face, member of the group or not.
async fn op_user(state: &SharedState, user_id: &str, group_id: &str) -> CodeResult<GroupMemberFullInfo> {
    let info = GroupMemberFullInfo {
        group_id: group_id.to_owned(),
        user_id: user_id.to_owned(),
        role_level: g::ADMIN,
        app_manger_level: openim_wire::constant::app_level::ADMIN,
        ..Default::default()
    };
    with_profile(state, info).await
}

/// A member as an operator of tips: an empty name or face is the user's own (OpenIM's
/// `fillUserByUserID`).
async fn with_profile(state: &SharedState, mut info: GroupMemberFullInfo) -> CodeResult<GroupMemberFullInfo> {
    if info.nickname.is_empty() || info.face_url.is_empty() {
        let user = state.store.find_user(&info.user_id).await?.unwrap_or_default();
        if info.nickname.is_empty() {
            info.nickname = user.nickname;
        }
        if info.face_url.is_empty() {
            info.face_url = user.face_url;
        }
    }
    Ok(info)
}

/// The operator must be the owner or an admin.
fn require_manager(op: &Operator) -> CodeResult<()> {
    if op.role >= g::ADMIN { Ok(()) } else { Err(CodeError::no_permission(format!("{} is not a group manager", op.info.user_id))) }
}

async fn member(state: &SharedState, group_id: &str, user_id: &str) -> CodeResult<GroupMemberFullInfo> {
    state
        .store
        .group_member(group_id, user_id)
        .await?
        .ok_or_else(|| CodeError::new(errcode::RECORD_NOT_FOUND, format!("{user_id} is not in group {group_id}")))
}

/// Tips about `group_id` as they stand now: the group, the operator, the time and the member
/// list's version.
async fn tips(state: &SharedState, group_id: &str, op: &Operator) -> CodeResult<GroupTips> {
    let doc = state.store.version_doc(kind::GROUP_MEMBER, group_id).await?;
    Ok(GroupTips {
        group: state.store.group_info(group_id).await?,
        op_user: Some(op.info.clone()),
        operation_time: now_ms(),
        group_member_version: doc.version,
        group_member_version_id: doc.version_id,
        ..Default::default()
    })
}

fn page<T>(items: Vec<T>, pagination: &RequestPagination) -> Vec<T> {
    let (offset, size) = super::window(pagination);
    items.into_iter().skip(offset as usize).take(size as usize).collect()
}

/// What joining members may read of the group chat: only what is sent from now on.
async fn members_joined(state: &SharedState, group_id: &str, user_ids: &[String]) -> CodeResult<()> {
    let chat = conversation_id::group(group_id);
    let max = state.store.max_seqs(std::slice::from_ref(&chat)).await?.get(&chat).map_or(0, |(max, _)| *max);
    let now = now_ms();
    for user_id in user_ids {
        state.store.set_user_max_seq(user_id, &chat, 0).await?;
        if max > 0 {
            state.store.set_user_min_seq(user_id, &chat, max + 1).await?;
            state.store.ensure_conversation(user_id, &chat, session_type::READ_GROUP_CHAT, "", group_id, now).await?;
        }
    }
    Ok(())
}

/// What leaving members may still read: the group chat up to now.
async fn members_left(state: &SharedState, group_id: &str, user_ids: &[String]) -> CodeResult<()> {
    let chat = conversation_id::group(group_id);
    let max = state.store.max_seqs(std::slice::from_ref(&chat)).await?.get(&chat).map_or(0, |(max, _)| *max);
    for user_id in user_ids {
        state.store.set_user_max_seq(user_id, &chat, max.max(1)).await?;
    }
    Ok(())
}

fn new_group_id() -> String {
    // OpenIM derives a decimal ID from 32 random bits.
    fastrand::u32(1..).to_string()
}

pub async fn create_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<CreateGroupReq>) -> ApiResult {
    let Some(mut info) = req.group_info.clone() else {
        return Err(CodeError::args("groupInfo is required"));
    };
    if req.owner_user_id.is_empty() {
        return Err(CodeError::args("ownerUserID is required"));
    }
    check_access(&state, &caller, &req.owner_user_id)?;
    if info.group_type != WORKING_GROUP {
        return Err(CodeError::args(format!("groupType {} is not supported", info.group_type)));
    }
    let mut everyone = vec![req.owner_user_id.clone()];
    everyone.extend(req.admin_user_ids.iter().cloned());
    everyone.extend(req.member_user_ids.iter().cloned());
    check_ids(&everyone, "ownerUserID, adminUserIDs and memberUserIDs")?;
    let refs: Vec<&str> = everyone.iter().map(String::as_str).collect();
    check_users(&state, &refs).await?;
    if info.group_id.is_empty() {
        loop {
            info.group_id = new_group_id();
            if !state.store.group_exists(&info.group_id).await? {
                break;
            }
        }
    } else if state.store.group_exists(&info.group_id).await? {
        return Err(CodeError::new(errcode::GROUP_ID_EXISTED, format!("group {} exists", info.group_id)));
    }
    info.creator_user_id = caller.user_id.clone();
    let member = |user_id: &String, role_level: i32| NewMember {
        user_id: user_id.clone(),
        role_level,
        join_source: JOIN_BY_INVITATION,
        inviter_user_id: req.owner_user_id.clone(),
        operator_user_id: caller.user_id.clone(),
    };
    let mut members = vec![member(&req.owner_user_id, g::OWNER)];
    members.extend(req.admin_user_ids.iter().map(|id| member(id, g::ADMIN)));
    members.extend(req.member_user_ids.iter().map(|id| member(id, g::MEMBER)));
    state.store.create_group(&info, &members, now_ms()).await?;
    members_joined(&state, &info.group_id, &everyone).await?;

    let op = operator(&state, &caller, &info.group_id).await?;
    let mut t = tips(&state, &info.group_id, &op).await?;
    t.member_list = state.store.group_members(&info.group_id, &everyone).await?;
    t.group_owner_user = state.store.group_member(&info.group_id, &req.owner_user_id).await?;
    notify_group(&state, &caller.user_id, &info.group_id, ct::GROUP_CREATED, &t, &[], true).await?;
    Ok(ok(GroupInfoResp { group_info: state.store.group_info(&info.group_id).await? }))
}

pub async fn set_group_info_ex(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetGroupInfoExReq>,
) -> ApiResult {
    live_group(&state, &req.group_id).await?;
    let op = operator(&state, &caller, &req.group_id).await?;
    require_manager(&op)?;
    if let Some(v) = req.need_verification
        && ![APPLY_NEED_VERIFICATION_INVITE_DIRECTLY, ALL_NEED_VERIFICATION, DIRECTLY].contains(&v)
    {
        return Err(CodeError::args(format!("needVerification {v} is invalid")));
    }
    let update = GroupUpdate {
        group_name: req.group_name.clone(),
        notification: req.notification.clone(),
        introduction: req.introduction.clone(),
        face_url: req.face_url.clone(),
        ex: req.ex.clone(),
        need_verification: req.need_verification,
        look_member_info: req.look_member_info,
        apply_member_friend: req.apply_member_friend,
        notification_user_id: req.notification.as_ref().map(|_| caller.user_id.clone()),
    };
    let others = req.introduction.is_some()
        || req.face_url.is_some()
        || req.ex.is_some()
        || req.need_verification.is_some()
        || req.look_member_info.is_some()
        || req.apply_member_friend.is_some();
    if req.group_name.is_none() && req.notification.is_none() && !others {
        return Ok(ok_empty());
    }
    state.store.update_group(&req.group_id, &update, now_ms()).await?;
    let t = tips(&state, &req.group_id, &op).await?;
    let new_announcement = req.notification.as_deref().is_some_and(|n| !n.is_empty());
    if new_announcement {
        // A new announcement marks every member's record (OpenIM's groupAtType 4), as OpenIM's
        // server does for the official clients, which show it from there. As there, a failure
        // is logged: the change is made and its notices still go.
        let members = state.store.group_member_ids(&req.group_id).await?;
        if let Err(e) = crate::messaging::records::announced(&state, &req.group_id, &members).await {
            tracing::warn!(group = %req.group_id, error = %e, "marking the announcement on the members' records failed");
        }
    }
    if req.notification.is_some() {
        // A cleared announcement is announced without a copy in the chat (OpenIM's
        // notificationFlag).
        notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_INFO_SET_ANNOUNCEMENT, &t, &[], new_announcement).await?;
    }
    if req.group_name.is_some() {
        notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_INFO_SET_NAME, &t, &[], true).await?;
    }
    if others {
        notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_INFO_SET, &t, &[], false).await?;
    }
    Ok(ok_empty())
}

/// Applications go to every manager of the group, from the applicant (session 1).
async fn notify_managers(state: &SharedState, group_id: &str, from: &str, kind: i32, t: &GroupTips) -> CodeResult<()> {
    for manager in state.store.group_managers(group_id).await? {
        notify(state, from, &manager, kind, session_type::SINGLE_CHAT, t).await?;
    }
    Ok(())
}

async fn public_user(state: &SharedState, user_id: &str) -> CodeResult<PublicUserInfo> {
    let u = state.store.find_user(user_id).await?.unwrap_or_default();
    Ok(PublicUserInfo { user_id: user_id.to_owned(), nickname: u.nickname, face_url: u.face_url, ex: u.ex })
}

/// A user applies (or is put forward by `inviter`) to join: recorded, and the managers told.
async fn apply(state: &SharedState, group_id: &str, user_id: &str, req_msg: &str, join_source: i32, inviter: &str, ex: &str) -> CodeResult<()> {
    state.store.put_group_request(group_id, user_id, req_msg, join_source, inviter, ex, now_ms()).await?;
    let t = GroupTips {
        group: state.store.group_info(group_id).await?,
        applicant: Some(public_user(state, user_id).await?),
        req_msg: req_msg.to_owned(),
        uuid: crate::messaging::send::new_msg_id(user_id),
        ..Default::default()
    };
    notify_managers(state, group_id, user_id, ct::JOIN_GROUP_APPLICATION, &t).await
}

/// Adds members and tells the group: 1510 for one who entered, 1509 for those invited.
async fn admit(state: &SharedState, group_id: &str, op: &Operator, members: Vec<NewMember>, invited: bool) -> CodeResult<()> {
    let ids: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
    state.store.add_members(group_id, &members, now_ms()).await?;
    members_joined(state, group_id, &ids).await?;
    let mut t = tips(state, group_id, op).await?;
    if invited {
        t.invited_user_list = state.store.group_members(group_id, &ids).await?;
        t.inviter_user = Some(op.info.clone());
        notify_group(state, &op.info.user_id, group_id, ct::MEMBER_INVITED, &t, &[], true).await?;
    } else {
        t.entrant_user = state.store.group_member(group_id, &ids[0]).await?;
        t.op_user = None;
        notify_group(state, &ids[0], group_id, ct::MEMBER_ENTER, &t, &[], true).await?;
    }
    Ok(())
}

pub async fn join_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<JoinGroupReq>) -> ApiResult {
    let info = live_group(&state, &req.group_id).await?;
    let user_id = caller.user_id.clone();
    if state.store.group_member(&req.group_id, &user_id).await?.is_some() {
        return Err(CodeError::args(format!("{user_id} is already in group {}", req.group_id)));
    }
    if info.need_verification == DIRECTLY {
        let entrant = Operator { role: g::MEMBER, info: GroupMemberFullInfo { user_id: user_id.clone(), ..Default::default() } };
        let m = NewMember { user_id: user_id.clone(), role_level: g::MEMBER, join_source: req.join_source, inviter_user_id: String::new(), operator_user_id: user_id.clone() };
        admit(&state, &req.group_id, &entrant, vec![m], false).await?;
    } else {
        apply(&state, &req.group_id, &user_id, &req.req_message, req.join_source, "", &req.ex).await?;
    }
    Ok(ok_empty())
}

pub async fn invite_user_to_group(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<InviteUserToGroupReq>,
) -> ApiResult {
    let info = live_group(&state, &req.group_id).await?;
    check_ids(&req.invited_user_ids, "invitedUserIDs")?;
    let op = operator(&state, &caller, &req.group_id).await?;
    let refs: Vec<&str> = req.invited_user_ids.iter().map(String::as_str).collect();
    check_users(&state, &refs).await?;
    for id in &req.invited_user_ids {
        if state.store.group_member(&req.group_id, id).await?.is_some() {
            return Err(CodeError::args(format!("{id} is already in group {}", req.group_id)));
        }
    }
    if info.need_verification == ALL_NEED_VERIFICATION && op.role < g::ADMIN {
        for id in &req.invited_user_ids {
            apply(&state, &req.group_id, id, &req.reason, JOIN_BY_INVITATION, &caller.user_id, "").await?;
        }
        return Ok(ok_empty());
    }
    let members = req
        .invited_user_ids
        .iter()
        .map(|id| NewMember {
            user_id: id.clone(),
            role_level: g::MEMBER,
            join_source: JOIN_BY_INVITATION,
            inviter_user_id: caller.user_id.clone(),
            operator_user_id: caller.user_id.clone(),
        })
        .collect();
    admit(&state, &req.group_id, &op, members, true).await?;
    Ok(ok_empty())
}

pub async fn quit_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<GroupUserReq>) -> ApiResult {
    let user_id = if req.user_id.is_empty() { caller.user_id.clone() } else { req.user_id.clone() };
    check_access(&state, &caller, &user_id)?;
    group(&state, &req.group_id).await?;
    let quitter = member(&state, &req.group_id, &user_id).await?;
    if quitter.role_level == g::OWNER {
        return Err(CodeError::no_permission("the group owner can not quit; transfer the group or dismiss it"));
    }
    state.store.remove_members(&req.group_id, std::slice::from_ref(&user_id)).await?;
    let op = Operator { role: quitter.role_level, info: quitter.clone() };
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.op_user = None;
    t.quit_user = Some(quitter);
    notify_group(&state, &user_id, &req.group_id, ct::MEMBER_QUIT, &t, std::slice::from_ref(&user_id), true).await?;
    members_left(&state, &req.group_id, std::slice::from_ref(&user_id)).await?;
    Ok(ok_empty())
}

pub async fn kick_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<KickGroupMemberReq>) -> ApiResult {
    live_group(&state, &req.group_id).await?;
    check_ids(&req.kicked_user_ids, "kickedUserIDs")?;
    let op = operator(&state, &caller, &req.group_id).await?;
    require_manager(&op)?;
    if req.kicked_user_ids.contains(&caller.user_id) {
        return Err(CodeError::args("can not kick yourself"));
    }
    let mut kicked = Vec::new();
    for id in &req.kicked_user_ids {
        let m = member(&state, &req.group_id, id).await?;
        if m.role_level == g::OWNER || (m.role_level == g::ADMIN && op.role != g::OWNER) {
            return Err(CodeError::no_permission(format!("{} may not kick {id}", caller.user_id)));
        }
        kicked.push(m);
    }
    state.store.remove_members(&req.group_id, &req.kicked_user_ids).await?;
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.kicked_user_list = kicked;
    notify_group(&state, &caller.user_id, &req.group_id, ct::MEMBER_KICKED, &t, &req.kicked_user_ids, true).await?;
    members_left(&state, &req.group_id, &req.kicked_user_ids).await?;
    Ok(ok_empty())
}

pub async fn transfer_group(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<TransferGroupOwnerReq>,
) -> ApiResult {
    live_group(&state, &req.group_id).await?;
    if req.old_owner_user_id == req.new_owner_user_id {
        return Err(CodeError::args("the new owner is the old one"));
    }
    let op = operator(&state, &caller, &req.group_id).await?;
    let old = member(&state, &req.group_id, &req.old_owner_user_id).await?;
    if old.role_level != g::OWNER || (op.role != g::OWNER) {
        return Err(CodeError::no_permission(format!("{} may not transfer group {}", caller.user_id, req.group_id)));
    }
    member(&state, &req.group_id, &req.new_owner_user_id).await?;
    let role = |r| MemberUpdate { role_level: Some(r), ..Default::default() };
    state.store.update_member(&req.group_id, &req.new_owner_user_id, &role(g::OWNER)).await?;
    state.store.update_member(&req.group_id, &req.old_owner_user_id, &role(g::MEMBER)).await?;
    let op = operator(&state, &caller, &req.group_id).await?;
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.new_group_owner = state.store.group_member(&req.group_id, &req.new_owner_user_id).await?;
    t.old_group_owner_info = state.store.group_member(&req.group_id, &req.old_owner_user_id).await?;
    notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_OWNER_TRANSFERRED, &t, &[], true).await?;
    Ok(ok_empty())
}

pub async fn dismiss_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<DismissGroupReq>) -> ApiResult {
    live_group(&state, &req.group_id).await?;
    let op = operator(&state, &caller, &req.group_id).await?;
    if op.role != g::OWNER {
        return Err(CodeError::no_permission(format!("{} is not the owner of group {}", caller.user_id, req.group_id)));
    }
    state.store.set_group_status(&req.group_id, g::STATUS_DISMISSED).await?;
    let t = tips(&state, &req.group_id, &op).await?;
    notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_DISMISSED, &t, &[], true).await?;
    if req.delete_member {
        let ids = state.store.group_member_ids(&req.group_id).await?;
        state.store.remove_members(&req.group_id, &ids).await?;
        members_left(&state, &req.group_id, &ids).await?;
    }
    Ok(ok_empty())
}

/// Mute rules: managers only; nobody mutes the owner; admins do not mute admins.
async fn check_mute(state: &SharedState, caller: &Caller, group_id: &str, user_id: &str) -> CodeResult<Operator> {
    live_group(state, group_id).await?;
    let op = operator(state, caller, group_id).await?;
    require_manager(&op)?;
    let target = member(state, group_id, user_id).await?;
    if target.role_level == g::OWNER || (target.role_level == g::ADMIN && op.role != g::OWNER) {
        return Err(CodeError::no_permission(format!("{} may not mute {user_id}", caller.user_id)));
    }
    Ok(op)
}

pub async fn mute_group_member(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<MuteGroupMemberReq>,
) -> ApiResult {
    let op = check_mute(&state, &caller, &req.group_id, &req.user_id).await?;
    let end = now_ms() + i64::from(req.muted_seconds) * 1000;
    state.store.update_member(&req.group_id, &req.user_id, &MemberUpdate { mute_end_time: Some(end), ..Default::default() }).await?;
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.muted_user = state.store.group_member(&req.group_id, &req.user_id).await?;
    t.muted_seconds = req.muted_seconds;
    notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_MEMBER_MUTED, &t, &[], true).await?;
    Ok(ok_empty())
}

pub async fn cancel_mute_group_member(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GroupUserReq>,
) -> ApiResult {
    let op = check_mute(&state, &caller, &req.group_id, &req.user_id).await?;
    state.store.update_member(&req.group_id, &req.user_id, &MemberUpdate { mute_end_time: Some(0), ..Default::default() }).await?;
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.muted_user = state.store.group_member(&req.group_id, &req.user_id).await?;
    notify_group(&state, &caller.user_id, &req.group_id, ct::GROUP_MEMBER_CANCEL_MUTED, &t, &[], true).await?;
    Ok(ok_empty())
}

async fn set_group_mute(state: &SharedState, caller: &Caller, group_id: &str, muted: bool) -> ApiResult {
    live_group(state, group_id).await?;
    let op = operator(state, caller, group_id).await?;
    require_manager(&op)?;
    state.store.set_group_status(group_id, if muted { g::STATUS_MUTED } else { g::STATUS_OK }).await?;
    let t = tips(state, group_id, &op).await?;
    let kind = if muted { ct::GROUP_MUTED } else { ct::GROUP_CANCEL_MUTED };
    notify_group(state, &caller.user_id, group_id, kind, &t, &[], true).await?;
    Ok(ok_empty())
}

pub async fn mute_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<GroupIdReq>) -> ApiResult {
    set_group_mute(&state, &caller, &req.group_id, true).await
}

pub async fn cancel_mute_group(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<GroupIdReq>) -> ApiResult {
    set_group_mute(&state, &caller, &req.group_id, false).await
}

pub async fn set_group_member_info(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetGroupMemberInfoReq>,
) -> ApiResult {
    if req.members.is_empty() {
        return Err(CodeError::args("members is empty"));
    }
    // Check every change before applying any.
    let mut checked = Vec::with_capacity(req.members.len());
    for m in &req.members {
        live_group(&state, &m.group_id).await?;
        let op = operator(&state, &caller, &m.group_id).await?;
        let target = member(&state, &m.group_id, &m.user_id).await?;
        if let Some(role) = m.role_level {
            if role != g::ADMIN && role != g::MEMBER {
                return Err(CodeError::args(format!("roleLevel {role} can not be set")));
            }
            if op.role != g::OWNER || target.role_level == g::OWNER {
                return Err(CodeError::no_permission(format!("{} may not change the role of {}", caller.user_id, m.user_id)));
            }
        }
        let is_self = m.user_id == caller.user_id;
        let may = is_self || op.role == g::OWNER || (op.role == g::ADMIN && target.role_level == g::MEMBER);
        if !may {
            return Err(CodeError::no_permission(format!("{} may not change {}", caller.user_id, m.user_id)));
        }
        checked.push((m, op, target));
    }
    for (m, op, target) in checked {
        let update = MemberUpdate {
            nickname: m.nickname.clone(),
            face_url: m.face_url.clone(),
            role_level: m.role_level.filter(|r| *r != target.role_level),
            ex: m.ex.clone(),
            mute_end_time: None,
        };
        state.store.update_member(&m.group_id, &m.user_id, &update).await?;
        let mut t = tips(&state, &m.group_id, &op).await?;
        t.changed_user = state.store.group_member(&m.group_id, &m.user_id).await?;
        let kind = match update.role_level {
            Some(g::ADMIN) => ct::GROUP_MEMBER_SET_TO_ADMIN,
            Some(_) => ct::GROUP_MEMBER_SET_TO_ORDINARY,
            None => ct::GROUP_MEMBER_INFO_SET,
        };
        if update.role_level.is_some() {
            t.group_sort_version = t.group_member_version;
        }
        notify_group(&state, &caller.user_id, &m.group_id, kind, &t, &[], false).await?;
    }
    Ok(ok_empty())
}

/// OpenIM's group `NotificationUserInfoUpdate`: after a user's nickname or face changed, each
/// group where the user shows them (no group nickname or face of their own) gets a new version
/// of its member list for the user, and its members hear 1516 with the user as operator and as
/// the changed member, so that their lists and chats show the new profile.
pub(crate) async fn user_profile_changed(state: &SharedState, caller: &Caller, user_id: &str) -> CodeResult<()> {
    for group_id in state.store.groups_showing_profile(user_id).await? {
        state.store.bump_version(kind::GROUP_MEMBER, &group_id, &[user_id.to_owned()], crate::store::versions::Change::Update).await?;
        let Some(info) = state.store.group_member(&group_id, user_id).await? else { continue };
        // The operator is whoever made the change: the user, or an app manager (OpenIM's
        // `GroupMemberInfoSetNotificationBulk` under the caller's operation).
        let op = operator(state, caller, &group_id).await?;
        let mut t = tips(state, &group_id, &op).await?;
        t.changed_user = Some(info);
        notify_group(state, &caller.user_id, &group_id, ct::GROUP_MEMBER_INFO_SET, &t, &[], false).await?;
    }
    Ok(())
}

pub async fn get_groups_info(State(state): State<SharedState>, Body(req): Body<GetGroupsInfoReq>) -> ApiResult {
    check_ids(&req.group_ids, "groupIDs")?;
    Ok(ok(GetGroupsInfoResp { group_infos: state.store.groups_info(&req.group_ids).await? }))
}

/// Members and their lists are for members (and app managers) only.
async fn check_member_view(state: &SharedState, caller: &Caller, group_id: &str) -> CodeResult<()> {
    group(state, group_id).await?;
    operator(state, caller, group_id).await.map(|_| ())
}

pub async fn get_group_member_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetGroupMemberListReq>,
) -> ApiResult {
    check_page(&req.pagination)?;
    check_member_view(&state, &caller, &req.group_id).await?;
    let ids = state.store.group_member_ids(&req.group_id).await?;
    if req.keyword.is_empty() {
        // Only the page's members are read.
        let total = ids.len() as u32;
        let members = state.store.group_members(&req.group_id, &page(ids, &req.pagination)).await?;
        return Ok(ok(GroupMembersResp { total, members }));
    }
    let mut members = state.store.group_members(&req.group_id, &ids).await?;
    members.retain(|m| m.nickname.contains(&req.keyword) || m.user_id.contains(&req.keyword));
    let total = members.len() as u32;
    Ok(ok(GroupMembersResp { total, members: page(members, &req.pagination) }))
}

pub async fn get_group_members_info(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetGroupMembersInfoReq>,
) -> ApiResult {
    check_ids(&req.user_ids, "userIDs")?;
    check_member_view(&state, &caller, &req.group_id).await?;
    let members = state.store.group_members(&req.group_id, &req.user_ids).await?;
    Ok(ok(GroupMembersResp { total: members.len() as u32, members }))
}

pub async fn get_joined_group_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetJoinedGroupListReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.from_user_id)?;
    check_page(&req.pagination)?;
    let ids = state.store.joined_group_ids(&req.from_user_id).await?;
    let total = ids.len() as u32;
    let groups = state.store.groups_info(&page(ids, &req.pagination)).await?;
    Ok(ok(GetJoinedGroupListResp { total, groups }))
}

pub async fn get_recv_group_application_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetGroupApplicationListReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.from_user_id)?;
    check_page(&req.pagination)?;
    let mut groups = state.store.managed_group_ids(&req.from_user_id).await?;
    if !req.group_ids.is_empty() {
        groups.retain(|id| req.group_ids.contains(id));
    }
    let (group_requests, total) = state
        .store
        .group_requests_page(Some(&groups), None, &req.handle_results, req.pagination.page_number, req.pagination.show_number)
        .await?;
    Ok(ok(GroupRequestsResp { total, group_requests }))
}

pub async fn get_user_req_group_application_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetGroupApplicationListReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    check_page(&req.pagination)?;
    let groups = (!req.group_ids.is_empty()).then_some(req.group_ids.as_slice());
    let (group_requests, total) = state
        .store
        .group_requests_page(groups, Some(&req.user_id), &req.handle_results, req.pagination.page_number, req.pagination.show_number)
        .await?;
    Ok(ok(GroupRequestsResp { total, group_requests }))
}

pub async fn get_group_application_unhandled_count(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetGroupApplicationUnhandledCountReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let groups = state.store.managed_group_ids(&req.user_id).await?;
    let (pending, _) = state.store.group_requests_page(Some(&groups), None, &[0], 1, i32::MAX).await?;
    let count = pending.iter().filter(|r| r.req_time >= req.time).count() as i64;
    Ok(ok(CountResp { count }))
}

pub async fn group_application_response(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GroupApplicationResponseReq>,
) -> ApiResult {
    if req.handle_result != 1 && req.handle_result != -1 {
        return Err(CodeError::args(format!("handleResult {} is invalid", req.handle_result)));
    }
    live_group(&state, &req.group_id).await?;
    let op = operator(&state, &caller, &req.group_id).await?;
    require_manager(&op)?;
    let Some(request) = state.store.group_request(&req.group_id, &req.from_user_id).await? else {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, "group request not found"));
    };
    if request.handle_result != 0 {
        return Err(CodeError::new(errcode::GROUP_REQUEST_HANDLED, "the group request has been processed"));
    }
    let joined = req.handle_result == 1 && state.store.group_member(&req.group_id, &req.from_user_id).await?.is_none();
    state.store.handle_group_request(&req.group_id, &req.from_user_id, req.handle_result, &caller.user_id, &req.handled_msg, now_ms()).await?;
    // The applicant hears as applicant (receiverAs 0), the managers as managers (1).
    let mut t = tips(&state, &req.group_id, &op).await?;
    t.handle_msg = req.handled_msg.clone();
    t.request = state.store.group_request(&req.group_id, &req.from_user_id).await?;
    t.uuid = crate::messaging::send::new_msg_id(&req.from_user_id);
    let kind = if req.handle_result == 1 { ct::GROUP_APPLICATION_ACCEPTED } else { ct::GROUP_APPLICATION_REJECTED };
    notify(&state, &caller.user_id, &req.from_user_id, kind, session_type::SINGLE_CHAT, &t).await?;
    t.receiver_as = 1;
    for manager in state.store.group_managers(&req.group_id).await? {
        notify(&state, &caller.user_id, &manager, kind, session_type::SINGLE_CHAT, &t).await?;
    }
    if joined {
        let m = NewMember {
            user_id: req.from_user_id.clone(),
            role_level: g::MEMBER,
            join_source: request.join_source,
            inviter_user_id: request.inviter_user_id.clone(),
            operator_user_id: caller.user_id.clone(),
        };
        let entrant = Operator { role: g::MEMBER, info: GroupMemberFullInfo { user_id: req.from_user_id.clone(), ..Default::default() } };
        admit(&state, &req.group_id, &entrant, vec![m], false).await?;
    }
    Ok(ok_empty())
}

pub async fn get_specified_user_group_request_info(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetSpecifiedUserGroupRequestInfoReq>,
) -> ApiResult {
    group(&state, &req.group_id).await?;
    if caller.user_id != req.user_id {
        require_manager(&operator(&state, &caller, &req.group_id).await?)?;
    }
    let group_requests: Vec<GroupRequest> = state.store.group_request(&req.group_id, &req.user_id).await?.into_iter().collect();
    Ok(ok(GroupRequestsResp { total: group_requests.len() as u32, group_requests }))
}

pub async fn get_incremental_join_groups(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetIncrementalJoinGroupReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let delta = state.store.delta(kind::JOIN_GROUP, &req.user_id, &req.version_id, req.version).await?;
    let insert = state.store.groups_info(&delta.insert).await?;
    let update = state.store.groups_info(&delta.update).await?;
    Ok(ok(GetIncrementalJoinGroupResp {
        version: delta.version,
        version_id: delta.version_id,
        full: delta.full,
        delete: delta.delete,
        insert,
        update,
        sort_version: 0,
    }))
}

pub async fn get_incremental_group_members_batch(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<BatchGetIncrementalGroupMemberReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    if req.req_list.is_empty() || req.req_list.len() > MAX_BATCH {
        return Err(CodeError::args(format!("reqList must name 1 to {MAX_BATCH} groups")));
    }
    let mut resp = BatchGetIncrementalGroupMemberResp::default();
    for one in &req.req_list {
        // Groups the caller is not (or no longer) in are left out of the reply.
        if check_member_view(&state, &caller, &one.group_id).await.is_err() {
            continue;
        }
        let mut delta = state.store.delta(kind::GROUP_MEMBER, &one.group_id, &one.version_id, one.version).await?;
        let group_changed = delta.full || delta.update.iter().chain(&delta.insert).any(|id| id == g::INFO_ELEMENT);
        let sorted = delta.update.iter().chain(&delta.insert).any(|id| id == g::SORT_ELEMENT);
        for ids in [&mut delta.insert, &mut delta.update, &mut delta.delete] {
            ids.retain(|id| id != g::INFO_ELEMENT && id != g::SORT_ELEMENT);
        }
        let insert = state.store.group_members(&one.group_id, &delta.insert).await?;
        let update = state.store.group_members(&one.group_id, &delta.update).await?;
        let group = if group_changed { state.store.group_info(&one.group_id).await? } else { None };
        resp.resp_list.insert(
            one.group_id.clone(),
            GetIncrementalGroupMemberResp {
                version: delta.version,
                version_id: delta.version_id,
                full: delta.full,
                delete: delta.delete,
                insert,
                update,
                group,
                sort_version: if sorted { delta.version } else { 0 },
            },
        );
    }
    Ok(ok(resp))
}

pub async fn get_full_join_group_ids(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetFullJoinGroupIDsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let doc = state.store.version_doc(kind::JOIN_GROUP, &req.user_id).await?;
    let ids = state.store.joined_group_ids(&req.user_id).await?;
    let equal = req.id_hash == openim_wire::json::id_hash(&ids);
    Ok(ok(GetFullJoinGroupIDsResp { version: doc.version, version_id: doc.version_id, equal, group_ids: if equal { Vec::new() } else { ids } }))
}

pub async fn get_full_group_member_user_ids(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetFullGroupMemberUserIDsReq>,
) -> ApiResult {
    check_member_view(&state, &caller, &req.group_id).await?;
    let doc = state.store.version_doc(kind::GROUP_MEMBER, &req.group_id).await?;
    let ids = state.store.group_member_ids(&req.group_id).await?;
    let equal = req.id_hash == openim_wire::json::id_hash(&ids);
    Ok(ok(GetFullGroupMemberUserIDsResp { version: doc.version, version_id: doc.version_id, equal, user_ids: if equal { Vec::new() } else { ids } }))
}
