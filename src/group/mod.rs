//! Groups, their members and join applications (OpenIM's group module).
//!
//! Two kinds of versioned lists keep the local copies: the groups the user is in
//! (`/group/get_incremental_join_groups`) and, per group, its members
//! (`/group/get_incremental_group_members_batch`, up to 500 groups per call at connect). A
//! member reply that carries the group itself updates the local group (name, owner, count,
//! status). Both run at every connect, after the user's own changes, and on the group
//! notifications (1501–1520), which say which list to pull. Every local change is reported
//! through the `GroupListener`; a group's name and face follow into its chat. Applications are
//! not stored: they are read from the server (as OpenIM does).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use openim_wire::api::conversation::RequestPagination;
use openim_wire::api::group as wire;
use openim_wire::api::{Empty, path};
use openim_wire::constant::content_type as ct;
use openim_wire::conversation_id;
use openim_wire::constant::group as g;
use openim_wire::elem::GroupTips;
use openim_wire::errcode;
use openim_wire::pb::sdkws::MsgData;
use sqlx::SqliteConnection;

use crate::context::{SessionContext, Write};
use crate::conversation::Conversations;
use crate::error::{OpenIMError, Result};
use crate::events::{Event, GroupEvent};
use crate::model::{
    ApplicationState, CreateGroupParams, GroupApplication, GroupInfo, GroupInfoUpdate, GroupMember, GroupMemberFilter, GroupMemberUpdate,
    GroupRole, GroupVerification, SearchGroupMembersParams, SearchGroupsParams,
};
use crate::store::groups as store;
use crate::store::rows::{GroupMemberRow, GroupRow};
use crate::store::sync_versions;
use crate::util::tips;
use crate::versioned::{Coalesce, Delta, FullIds, VersionedList};

/// Most users or groups one call may name.
const MAX_IDS: usize = 1000;
/// Most groups one member batch asks about (OpenIM's `MaxSyncPullNumber`).
const BATCH: usize = 500;
/// `local_sync_version.table_name` of the member lists.
const MEMBERS_TABLE: &str = "local_group_entities_version";
/// OpenIM's `groupType` WorkingGroup, the only type v3 creates.
const WORKING_GROUP: i32 = 2;

#[derive(Clone)]
pub struct Groups {
    ctx: Arc<SessionContext>,
    conversations: Conversations,
    joined_runs: Arc<Coalesce>,
    member_runs: Arc<Mutex<HashMap<String, Arc<Coalesce>>>>,
    /// Member replies fetched in a batch for their group's next sync: group → (the version ID
    /// and version asked from, the reply).
    prefetched: Arc<Mutex<HashMap<String, Prefetched>>>,
    /// The `uuid`s of the latest application notifications, told once each (OpenIM dedupes them).
    told: Arc<Mutex<VecDeque<String>>>,
}

/// A member reply fetched in a batch: the version ID and version asked from, and the reply.
type Prefetched = (String, u64, wire::GetIncrementalGroupMemberResp);

/// Application notifications remembered for deduplication.
const TOLD: usize = 256;

/// Whether an application notification with `uuid` is new (and remembers it).
fn first_telling(told: &Mutex<VecDeque<String>>, uuid: &str) -> bool {
    if uuid.is_empty() {
        return true;
    }
    let mut told = told.lock().expect("told");
    if told.iter().any(|u| u == uuid) {
        return false;
    }
    if told.len() == TOLD {
        told.pop_front();
    }
    told.push_back(uuid.to_owned());
    true
}

fn group_row(i: &wire::GroupInfo) -> GroupRow {
    GroupRow {
        group_id: i.group_id.clone(),
        name: i.group_name.clone(),
        notification: i.notification.clone(),
        introduction: i.introduction.clone(),
        face_url: i.face_url.clone(),
        create_time: i.create_time,
        status: i.status,
        creator_user_id: i.creator_user_id.clone(),
        group_type: i.group_type,
        owner_user_id: i.owner_user_id.clone(),
        member_count: i32::try_from(i.member_count).unwrap_or(i32::MAX),
        ex: i.ex.clone(),
        attached_info: String::new(),
        need_verification: i.need_verification,
        look_member_info: i.look_member_info,
        apply_member_friend: i.apply_member_friend,
        notification_update_time: i.notification_update_time,
        notification_user_id: i.notification_user_id.clone(),
    }
}

pub fn group_of(r: GroupRow) -> GroupInfo {
    GroupInfo {
        group_id: r.group_id,
        group_name: r.name,
        notification: r.notification,
        introduction: r.introduction,
        face_url: r.face_url,
        create_time: r.create_time,
        status: r.status,
        creator_user_id: r.creator_user_id,
        group_type: r.group_type,
        owner_user_id: r.owner_user_id,
        member_count: r.member_count,
        ex: r.ex,
        need_verification: GroupVerification::from_code(r.need_verification),
        look_member_info: r.look_member_info,
        apply_member_friend: r.apply_member_friend,
        notification_update_time: r.notification_update_time,
        notification_user_id: r.notification_user_id,
    }
}

fn member_row(m: &wire::GroupMemberFullInfo) -> GroupMemberRow {
    GroupMemberRow {
        group_id: m.group_id.clone(),
        user_id: m.user_id.clone(),
        nickname: m.nickname.clone(),
        face_url: m.face_url.clone(),
        role_level: m.role_level,
        join_time: m.join_time,
        join_source: m.join_source,
        inviter_user_id: m.inviter_user_id.clone(),
        mute_end_time: m.mute_end_time,
        operator_user_id: m.operator_user_id.clone(),
        ex: m.ex.clone(),
        attached_info: String::new(),
    }
}

pub fn member_of(r: GroupMemberRow) -> GroupMember {
    GroupMember {
        group_id: r.group_id,
        user_id: r.user_id,
        nickname: r.nickname,
        face_url: r.face_url,
        role: GroupRole::from_code(r.role_level),
        join_time: r.join_time,
        join_source: r.join_source,
        inviter_user_id: r.inviter_user_id,
        mute_end_time: r.mute_end_time,
        operator_user_id: r.operator_user_id,
        ex: r.ex,
    }
}

pub fn application_of(r: wire::GroupRequest) -> GroupApplication {
    let group = r.group_info.unwrap_or_default();
    let user = r.user_info.unwrap_or_default();
    GroupApplication {
        group_id: group.group_id,
        group_name: group.group_name,
        group_face_url: group.face_url,
        owner_user_id: group.owner_user_id,
        member_count: i32::try_from(group.member_count).unwrap_or(i32::MAX),
        user_id: user.user_id,
        nickname: user.nickname,
        user_face_url: user.face_url,
        state: ApplicationState::from_code(r.handle_result),
        req_msg: r.req_msg,
        handle_msg: r.handle_msg,
        req_time: r.req_time,
        handle_user_id: r.handle_user_id,
        handle_time: r.handle_time,
        ex: r.ex,
        join_source: r.join_source,
        inviter_user_id: r.inviter_user_id,
    }
}

/// The application a 1503 notification announces.
fn application_from_tips(t: &GroupTips, sent_at: i64) -> GroupApplication {
    let request = wire::GroupRequest {
        user_info: t.applicant.clone(),
        group_info: t.group.clone(),
        req_msg: t.req_msg.clone(),
        req_time: sent_at,
        ..Default::default()
    };
    application_of(request)
}

fn check_id(id: &str, what: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(OpenIMError::invalid_argument(format!("{what} is empty")));
    }
    Ok(())
}

fn check_ids(ids: &[String], what: &str) -> Result<()> {
    if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
        return Err(OpenIMError::invalid_argument(format!("{what} is empty or has an empty ID")));
    }
    if ids.len() > MAX_IDS {
        return Err(OpenIMError::invalid_argument(format!("at most {MAX_IDS} {what}")));
    }
    let mut seen = std::collections::HashSet::new();
    if !ids.iter().all(|id| seen.insert(id)) {
        return Err(OpenIMError::invalid_argument(format!("{what} repeats an ID")));
    }
    Ok(())
}

fn check_page(offset: i32, count: i32) -> Result<()> {
    if offset < 0 || count <= 0 || count > 1000 {
        return Err(OpenIMError::invalid_argument("offset must be ≥ 0 and count within 1..=1000"));
    }
    Ok(())
}

/// The 1-based page OpenIM's paged calls take for `offset`/`count`.
fn pagination(offset: i32, count: i32) -> Result<RequestPagination> {
    check_page(offset, count)?;
    Ok(RequestPagination { page_number: offset / count + 1, show_number: count })
}

/// A reply saying the user is not in the group (any more).
fn not_a_member(group_id: &str) -> OpenIMError {
    OpenIMError::from_server(errcode::RECORD_NOT_FOUND, format!("not a member of group {group_id}"))
}

impl Groups {
    pub fn new(ctx: Arc<SessionContext>, conversations: Conversations) -> Self {
        Self {
            ctx,
            conversations,
            joined_runs: Default::default(),
            member_runs: Default::default(),
            prefetched: Default::default(),
            told: Default::default(),
        }
    }

    fn me(&self) -> String {
        self.ctx.user_id.clone()
    }

    // --- reading the local lists ---

    /// Every group the user is in (dismissed ones too, until left).
    pub async fn joined(&self) -> Result<Vec<GroupInfo>> {
        Ok(store::groups(&mut *self.ctx.store.read().await?, None).await?.into_iter().map(group_of).collect())
    }

    pub async fn joined_page(&self, offset: i32, count: i32) -> Result<Vec<GroupInfo>> {
        check_page(offset, count)?;
        let all = store::groups(&mut *self.ctx.store.read().await?, None).await?;
        Ok(all.into_iter().skip(offset as usize).take(count as usize).map(group_of).collect())
    }

    /// Groups by ID, in that order: the user's own from the local list, others from the server
    /// (not stored); unknown IDs are left out.
    pub async fn specified(&self, group_ids: Vec<String>) -> Result<Vec<GroupInfo>> {
        check_ids(&group_ids, "group_ids")?;
        let local = store::groups(&mut *self.ctx.store.read().await?, Some(&group_ids)).await?;
        let mut by_id: HashMap<String, GroupInfo> = local.into_iter().map(|r| (r.group_id.clone(), group_of(r))).collect();
        let missing: Vec<String> = group_ids.iter().filter(|id| !by_id.contains_key(*id)).cloned().collect();
        if !missing.is_empty() {
            let resp: wire::GetGroupsInfoResp = self.ctx.api.post(path::GET_GROUPS_INFO, &wire::GetGroupsInfoReq { group_ids: missing }).await?;
            by_id.extend(resp.group_infos.iter().map(|i| (i.group_id.clone(), group_of(group_row(i)))));
        }
        Ok(group_ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    pub async fn search(&self, params: SearchGroupsParams) -> Result<Vec<GroupInfo>> {
        let keywords = crate::util::search_keywords(params.keywords)?;
        if keywords.is_empty() {
            return Err(OpenIMError::invalid_argument("give at least one keyword"));
        }
        if !(params.search_group_id || params.search_group_name) {
            return Err(OpenIMError::invalid_argument("choose at least one field to search"));
        }
        let rows = store::search_groups(&mut *self.ctx.store.read().await?, &keywords, params.search_group_id, params.search_group_name).await?;
        Ok(rows.into_iter().map(group_of).collect())
    }

    pub async fn is_joined(&self, group_id: String) -> Result<bool> {
        check_id(&group_id, "group_id")?;
        Ok(store::group(&mut *self.ctx.store.read().await?, &group_id).await?.is_some())
    }

    /// Checks that the user is in the group, and syncs its members first when this device never
    /// listed them.
    async fn members_listed(&self, group_id: &str) -> Result<()> {
        check_id(group_id, "group_id")?;
        let (known, synced) = {
            let mut db = self.ctx.store.read().await?;
            (store::group(&mut db, group_id).await?.is_some(), sync_versions::get(&mut db, MEMBERS_TABLE, group_id).await?.is_some())
        };
        if !known {
            return Err(OpenIMError::from_server(errcode::SDK_GROUP_ID_NOT_FOUND, format!("not in group {group_id}")));
        }
        if !synced {
            self.sync_members(group_id.to_owned()).await?;
        }
        Ok(())
    }

    /// Members in list order (owner, admins, members), filtered by role, one page.
    pub async fn members(&self, group_id: String, filter: GroupMemberFilter, offset: i32, count: i32) -> Result<Vec<GroupMember>> {
        check_page(offset, count)?;
        self.members_listed(&group_id).await?;
        let mut db = self.ctx.store.read().await?;
        let rows = store::members_page(&mut db, &group_id, filter.roles(), i64::from(offset), i64::from(count)).await?;
        Ok(rows.into_iter().map(member_of).collect())
    }

    /// Members who joined between `join_time_begin` and `join_time_end` (milliseconds; an end of
    /// 0 is now), newest first, without `exclude_user_ids`; one page (OpenIM's
    /// `GetGroupMemberListByJoinTimeFilter`).
    pub async fn members_joined_between(
        &self,
        group_id: String,
        offset: i32,
        count: i32,
        join_time_begin: i64,
        join_time_end: i64,
        exclude_user_ids: Vec<String>,
    ) -> Result<Vec<GroupMember>> {
        check_page(offset, count)?;
        let mut exclude_user_ids = exclude_user_ids;
        exclude_user_ids.sort_unstable();
        exclude_user_ids.dedup();
        if exclude_user_ids.iter().any(|id| id.trim().is_empty()) || exclude_user_ids.len() > MAX_IDS {
            return Err(OpenIMError::invalid_argument(format!("exclude_user_ids has an empty ID or more than {MAX_IDS}")));
        }
        if join_time_begin < 0 || (join_time_end != 0 && join_time_end < join_time_begin) {
            return Err(OpenIMError::invalid_argument("the join time window must not be negative or end before it begins"));
        }
        // An end of 0 is now (a window beginning later holds nobody).
        let end = if join_time_end == 0 { crate::util::now_ms() } else { join_time_end };
        self.members_listed(&group_id).await?;
        let mut db = self.ctx.store.read().await?;
        let rows = store::members_joined_between(&mut db, &group_id, (join_time_begin, end), &exclude_user_ids, i64::from(offset), i64::from(count)).await?;
        Ok(rows.into_iter().map(member_of).collect())
    }

    pub async fn owner_and_admins(&self, group_id: String) -> Result<Vec<GroupMember>> {
        self.members(group_id, GroupMemberFilter::OwnerAndAdmins, 0, 1000).await
    }

    /// The members among `user_ids`, in that order (non-members left out).
    pub async fn specified_members(&self, group_id: String, user_ids: Vec<String>) -> Result<Vec<GroupMember>> {
        check_ids(&user_ids, "user_ids")?;
        self.members_listed(&group_id).await?;
        let rows = store::members(&mut *self.ctx.store.read().await?, &group_id, Some(&user_ids)).await?;
        let mut by_id: HashMap<String, GroupMemberRow> = rows.into_iter().map(|m| (m.user_id.clone(), m)).collect();
        Ok(user_ids.iter().filter_map(|id| by_id.remove(id)).map(member_of).collect())
    }

    /// Which of `user_ids` are in the group.
    pub async fn users_in_group(&self, group_id: String, user_ids: Vec<String>) -> Result<Vec<String>> {
        Ok(self.specified_members(group_id, user_ids).await?.into_iter().map(|m| m.user_id).collect())
    }

    pub async fn search_members(&self, params: SearchGroupMembersParams) -> Result<Vec<GroupMember>> {
        check_page(params.offset, params.count)?;
        let keywords = crate::util::search_keywords(params.keywords)?;
        if keywords.is_empty() {
            return Err(OpenIMError::invalid_argument("give at least one keyword"));
        }
        if !(params.search_user_id || params.search_nickname) {
            return Err(OpenIMError::invalid_argument("choose at least one field to search"));
        }
        self.members_listed(&params.group_id).await?;
        let rows = store::search_members(
            &mut *self.ctx.store.read().await?,
            &params.group_id,
            &keywords,
            params.search_user_id,
            params.search_nickname,
            params.offset.into(),
            params.count.into(),
        )
        .await?;
        Ok(rows.into_iter().map(member_of).collect())
    }

    // --- changing them (the server first; the local lists follow through the syncs) ---

    /// Creates a group owned by the user; returns it as stored locally.
    pub async fn create(&self, params: CreateGroupParams) -> Result<GroupInfo> {
        if params.group_name.trim().is_empty() {
            return Err(OpenIMError::invalid_argument("group_name is empty"));
        }
        let me = self.me();
        // Admins may be listed among the members too; OpenIM wants the two lists apart.
        let members: Vec<String> = params.member_user_ids.iter().filter(|id| !params.admin_user_ids.contains(id)).cloned().collect();
        let mut everyone = vec![me.clone()];
        everyone.extend(members.iter().cloned());
        everyone.extend(params.admin_user_ids.iter().cloned());
        check_ids(&everyone, "members (with the owner)")?;
        let req = wire::CreateGroupReq {
            member_user_ids: members,
            admin_user_ids: params.admin_user_ids,
            owner_user_id: me,
            group_info: Some(wire::GroupInfo {
                group_name: params.group_name,
                face_url: params.face_url,
                notification: params.notification,
                introduction: params.introduction,
                ex: params.ex,
                group_type: WORKING_GROUP,
                need_verification: params.need_verification.map_or(0, GroupVerification::code),
                ..Default::default()
            }),
            send_message: None,
        };
        let resp: wire::GroupInfoResp = self.ctx.api.post(path::CREATE_GROUP, &req).await?;
        let created = resp.group_info.ok_or_else(|| OpenIMError::protocol("create_group answered no group"))?;
        self.sync_joined().await?;
        self.sync_members(created.group_id.clone()).await?;
        let local = store::group(&mut *self.ctx.store.read().await?, &created.group_id).await?;
        Ok(group_of(local.unwrap_or_else(|| group_row(&created))))
    }

    /// Applies to join (or joins, when the group lets anyone in). `join_source`: 2
    /// invitation, 3 search, 4 QR code.
    pub async fn join(&self, group_id: String, req_msg: String, join_source: i32, ex: String) -> Result<()> {
        check_id(&group_id, "group_id")?;
        if !(1..=4).contains(&join_source) {
            return Err(OpenIMError::invalid_argument("join_source must be 1 to 4"));
        }
        let req = wire::JoinGroupReq { group_id, req_message: req_msg, join_source, inviter_user_id: self.me(), ex };
        self.ctx.api.post::<_, Empty>(path::JOIN_GROUP, &req).await?;
        self.sync_joined().await
    }

    pub async fn quit(&self, group_id: String) -> Result<()> {
        check_id(&group_id, "group_id")?;
        let req = wire::GroupUserReq { group_id, user_id: self.me() };
        self.ctx.api.post::<_, Empty>(path::QUIT_GROUP, &req).await?;
        self.sync_joined().await
    }

    pub async fn dismiss(&self, group_id: String) -> Result<()> {
        check_id(&group_id, "group_id")?;
        let req = wire::DismissGroupReq { group_id: group_id.clone(), delete_member: false };
        self.ctx.api.post::<_, Empty>(path::DISMISS_GROUP, &req).await?;
        self.sync_members(group_id).await
    }

    /// Mutes the whole group (only the owner and admins may talk) or lifts it.
    pub async fn change_mute(&self, group_id: String, mute: bool) -> Result<()> {
        check_id(&group_id, "group_id")?;
        let route = if mute { path::MUTE_GROUP } else { path::CANCEL_MUTE_GROUP };
        self.ctx.api.post::<_, Empty>(route, &wire::GroupIdReq { group_id: group_id.clone() }).await?;
        self.sync_members(group_id).await
    }

    /// Mutes a member for `seconds` (0 lifts the mute).
    pub async fn change_member_mute(&self, group_id: String, user_id: String, seconds: u32) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_id(&user_id, "user_id")?;
        if seconds == 0 {
            let req = wire::GroupUserReq { group_id: group_id.clone(), user_id };
            self.ctx.api.post::<_, Empty>(path::CANCEL_MUTE_GROUP_MEMBER, &req).await?;
        } else {
            let req = wire::MuteGroupMemberReq { group_id: group_id.clone(), user_id, muted_seconds: seconds };
            self.ctx.api.post::<_, Empty>(path::MUTE_GROUP_MEMBER, &req).await?;
        }
        self.sync_members(group_id).await
    }

    pub async fn transfer(&self, group_id: String, new_owner_user_id: String) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_id(&new_owner_user_id, "new_owner_user_id")?;
        let req = wire::TransferGroupOwnerReq { group_id: group_id.clone(), old_owner_user_id: self.me(), new_owner_user_id };
        self.ctx.api.post::<_, Empty>(path::TRANSFER_GROUP, &req).await?;
        self.sync_members(group_id).await
    }

    pub async fn kick(&self, group_id: String, reason: String, user_ids: Vec<String>) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_ids(&user_ids, "user_ids")?;
        let req = wire::KickGroupMemberReq { group_id: group_id.clone(), kicked_user_ids: user_ids, reason };
        self.ctx.api.post::<_, Empty>(path::KICK_GROUP, &req).await?;
        self.sync_members(group_id).await
    }

    /// Invites users: they join at once, or (groups that want it) become applications.
    pub async fn invite(&self, group_id: String, reason: String, user_ids: Vec<String>) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_ids(&user_ids, "user_ids")?;
        let req = wire::InviteUserToGroupReq { group_id: group_id.clone(), reason, invited_user_ids: user_ids };
        self.ctx.api.post::<_, Empty>(path::INVITE_USER_TO_GROUP, &req).await?;
        self.sync_members(group_id).await
    }

    pub async fn set_info(&self, group_id: String, u: GroupInfoUpdate) -> Result<()> {
        check_id(&group_id, "group_id")?;
        if u.group_name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            return Err(OpenIMError::invalid_argument("group_name can not be empty"));
        }
        let req = wire::SetGroupInfoExReq {
            group_id: group_id.clone(),
            group_name: u.group_name,
            notification: u.notification,
            introduction: u.introduction,
            face_url: u.face_url,
            ex: u.ex,
            need_verification: u.need_verification.map(GroupVerification::code),
            look_member_info: u.look_member_info,
            apply_member_friend: u.apply_member_friend,
        };
        self.ctx.api.post::<_, Empty>(path::SET_GROUP_INFO_EX, &req).await?;
        self.sync_members(group_id).await
    }

    pub async fn set_member_info(&self, group_id: String, user_id: String, u: GroupMemberUpdate) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_id(&user_id, "user_id")?;
        if u.role == Some(GroupRole::Owner) {
            return Err(OpenIMError::invalid_argument("ownership moves with transfer_group_owner"));
        }
        let member = wire::SetGroupMemberInfo {
            group_id: group_id.clone(),
            user_id,
            nickname: u.nickname,
            face_url: u.face_url,
            role_level: u.role.map(GroupRole::code),
            ex: u.ex,
        };
        self.ctx.api.post::<_, Empty>(path::SET_GROUP_MEMBER_INFO, &wire::SetGroupMemberInfoReq { members: vec![member] }).await?;
        self.sync_members(group_id).await
    }

    // --- applications (read from the server) ---

    /// Applications to the groups the user manages, newest first, in the given states (all
    /// with none).
    pub async fn applications_received(&self, states: Vec<ApplicationState>, offset: i32, count: i32) -> Result<Vec<GroupApplication>> {
        let req = wire::GetGroupApplicationListReq {
            pagination: pagination(offset, count)?,
            from_user_id: self.me(),
            handle_results: states.into_iter().map(ApplicationState::code).collect(),
            ..Default::default()
        };
        let resp: wire::GroupRequestsResp = self.ctx.api.post(path::GET_RECV_GROUP_APPLICATION_LIST, &req).await?;
        Ok(resp.group_requests.into_iter().map(application_of).collect())
    }

    /// The user's own applications, newest first.
    pub async fn applications_sent(&self, states: Vec<ApplicationState>, offset: i32, count: i32) -> Result<Vec<GroupApplication>> {
        let req = wire::GetGroupApplicationListReq {
            pagination: pagination(offset, count)?,
            user_id: self.me(),
            handle_results: states.into_iter().map(ApplicationState::code).collect(),
            ..Default::default()
        };
        let resp: wire::GroupRequestsResp = self.ctx.api.post(path::GET_USER_REQ_GROUP_APPLICATION_LIST, &req).await?;
        Ok(resp.group_requests.into_iter().map(application_of).collect())
    }

    /// Pending applications to the user's groups made after `since_ms` (0 for all).
    pub async fn unhandled_count(&self, since_ms: i64) -> Result<i32> {
        let req = wire::GetGroupApplicationUnhandledCountReq { user_id: self.me(), time: since_ms.max(0) };
        let resp: wire::CountResp = self.ctx.api.post(path::GET_GROUP_APPLICATION_UNHANDLED_COUNT, &req).await?;
        Ok(resp.count.clamp(0, i64::from(i32::MAX)) as i32)
    }

    /// Answers `applicant`'s application to `group_id`.
    pub async fn respond(&self, group_id: String, applicant: String, accept: bool, handle_msg: String) -> Result<()> {
        check_id(&group_id, "group_id")?;
        check_id(&applicant, "from_user_id")?;
        let req = wire::GroupApplicationResponseReq {
            group_id: group_id.clone(),
            from_user_id: applicant,
            handled_msg: handle_msg,
            handle_result: if accept { 1 } else { -1 },
        };
        self.ctx.api.post::<_, Empty>(path::GROUP_APPLICATION_RESPONSE, &req).await?;
        if accept { self.sync_members(group_id).await } else { Ok(()) }
    }

    // --- syncing ---

    /// Brings the joined-group list up to the server's version; concurrent calls share a run.
    pub async fn sync_joined(&self) -> Result<()> {
        self.joined_runs.run(|| async { crate::versioned::sync(&self.ctx, self).await.map(drop) }).await
    }

    /// Brings one group's members (and the group) up to the server's version.
    pub async fn sync_members(&self, group_id: String) -> Result<()> {
        let runs = self.member_runs.lock().expect("member runs").entry(group_id.clone()).or_default().clone();
        let list = MemberList::new(self.clone(), group_id);
        runs.run(|| async { crate::versioned::sync(&self.ctx, &list).await.map(drop) }).await
    }

    /// The joined groups, then the members of every one: one batch request per 500 groups
    /// says which changed, then each changed group is applied.
    pub async fn sync_all(&self) -> Result<()> {
        self.sync_joined().await?;
        let ids: Vec<String> = store::groups(&mut *self.ctx.store.read().await?, None).await?.into_iter().map(|g| g.group_id).collect();
        for chunk in ids.chunks(BATCH) {
            let mut asked = Vec::with_capacity(chunk.len());
            {
                let mut db = self.ctx.store.read().await?;
                for id in chunk {
                    let row = sync_versions::get(&mut db, MEMBERS_TABLE, id).await?.unwrap_or_default();
                    asked.push(wire::GetIncrementalGroupMemberReq { group_id: id.clone(), version_id: row.version_id, version: row.version.max(0) as u64 });
                }
            }
            let replies = self.member_batch(asked.clone()).await?;
            {
                let mut prefetched = self.prefetched.lock().expect("prefetched");
                for (req, (_, reply)) in asked.iter().zip(replies.iter()) {
                    if let Some(reply) = reply {
                        prefetched.insert(req.group_id.clone(), (req.version_id.clone(), req.version, reply.clone()));
                    }
                }
            }
            for (req, (_, reply)) in asked.into_iter().zip(replies) {
                let result = match reply {
                    Some(_) => self.sync_members(req.group_id.clone()).await,
                    // Left meanwhile: the next joined-group sync removes it.
                    None => Err(not_a_member(&req.group_id)),
                };
                self.prefetched.lock().expect("prefetched").remove(&req.group_id);
                match result {
                    Ok(()) => {}
                    Err(e) if e.code() == errcode::RECORD_NOT_FOUND => tracing::debug!(group = %req.group_id, "no longer a member"),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// One batch request; the replies in the order asked (`None`: not a member).
    async fn member_batch(
        &self,
        asked: Vec<wire::GetIncrementalGroupMemberReq>,
    ) -> Result<Vec<(String, Option<wire::GetIncrementalGroupMemberResp>)>> {
        let ids: Vec<String> = asked.iter().map(|r| r.group_id.clone()).collect();
        let req = wire::BatchGetIncrementalGroupMemberReq { user_id: self.me(), req_list: asked };
        let mut resp: wire::BatchGetIncrementalGroupMemberResp = self.ctx.api.post(path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, &req).await?;
        Ok(ids.into_iter().map(|id| {
            let reply = resp.resp_list.remove(&id);
            (id, reply)
        }).collect())
    }

    fn sync_later(&self, w: &mut Write, joined: bool, members_of: Option<String>) {
        let this = self.clone();
        w.after_commit(async move {
            if joined && let Err(e) = this.sync_joined().await {
                tracing::warn!(error = %e, "joined-group sync failed");
            }
            if let Some(group_id) = members_of
                && let Err(e) = this.sync_members(group_id).await
                && e.code() != errcode::RECORD_NOT_FOUND
            {
                tracing::warn!(error = %e, "group member sync failed");
            }
        });
    }

    /// The group notifications (1501–1520), inside the write of their batch.
    pub fn on_notification(&self, w: &mut Write, data: &MsgData) {
        let Some(t) = tips::<GroupTips>(data) else { return };
        let group_id = t.group_id().to_owned();
        if group_id.is_empty() {
            tracing::warn!(content_type = data.content_type, "group notification without a group; skipped");
            return;
        }
        let me = self.me();
        let is_me = |m: &Option<wire::GroupMemberFullInfo>| m.as_ref().is_some_and(|m| m.user_id == me);
        let in_list = |l: &[wire::GroupMemberFullInfo]| l.iter().any(|m| m.user_id == me);
        let is_application = matches!(data.content_type, ct::JOIN_GROUP_APPLICATION | ct::GROUP_APPLICATION_ACCEPTED | ct::GROUP_APPLICATION_REJECTED);
        if is_application && !first_telling(&self.told, &t.uuid) {
            tracing::debug!(content_type = data.content_type, "application notification told before; skipped");
            return;
        }
        match data.content_type {
            ct::JOIN_GROUP_APPLICATION => {
                w.push(Event::Group(GroupEvent::ApplicationAdded(application_from_tips(&t, data.send_time))));
            }
            ct::GROUP_APPLICATION_ACCEPTED | ct::GROUP_APPLICATION_REJECTED => {
                let request = t.request.clone().unwrap_or_else(|| wire::GroupRequest { group_info: t.group.clone(), ..Default::default() });
                let applicant_is_me = request.user_info.as_ref().is_some_and(|u| u.user_id == me);
                let application = application_of(request);
                if data.content_type == ct::GROUP_APPLICATION_ACCEPTED {
                    w.push(Event::Group(GroupEvent::ApplicationAccepted(application)));
                    if applicant_is_me {
                        self.sync_later(w, true, Some(group_id));
                    }
                } else {
                    w.push(Event::Group(GroupEvent::ApplicationRejected(application)));
                }
            }
            ct::GROUP_CREATED => self.sync_later(w, true, Some(group_id)),
            ct::MEMBER_INVITED if in_list(&t.invited_user_list) => self.sync_later(w, true, Some(group_id)),
            ct::MEMBER_ENTER if is_me(&t.entrant_user) => self.sync_later(w, true, Some(group_id)),
            ct::MEMBER_QUIT if is_me(&t.quit_user) => self.sync_later(w, true, None),
            ct::MEMBER_KICKED if in_list(&t.kicked_user_list) => self.sync_later(w, true, None),
            ct::GROUP_DISMISSED => {
                if let Some(group) = &t.group {
                    let mut row = group_row(group);
                    row.status = g::STATUS_DISMISSED;
                    w.push(Event::Group(GroupEvent::GroupDismissed(group_of(row))));
                }
                self.sync_later(w, true, Some(group_id));
            }
            _ => self.sync_later(w, false, Some(group_id)),
        }
    }

    /// The group chat shows the group's name and face.
    async fn name_conversation(&self, w: &mut Write, group: &GroupRow) -> Result<()> {
        self.conversations.rename_group(w, &group.group_id, &group.name, &group.face_url).await
    }
}

/// The joined-group list on the versioned syncer.
impl VersionedList for Groups {
    type Item = wire::GroupInfo;
    type Local = GroupRow;
    const TABLE: &'static str = "local_groups";

    fn entity(&self) -> String {
        self.me()
    }

    fn id_of(item: &wire::GroupInfo) -> &str {
        &item.group_id
    }

    async fn incremental(&self, version_id: &str, version: u64) -> Result<Delta<wire::GroupInfo>> {
        let req = wire::GetIncrementalJoinGroupReq { user_id: self.me(), version_id: version_id.to_owned(), version };
        let resp: wire::GetIncrementalJoinGroupResp = self.ctx.api.post(path::GET_INCREMENTAL_JOIN_GROUPS, &req).await?;
        Ok(Delta { version_id: resp.version_id, version: resp.version, full: resp.full, insert: resp.insert, update: resp.update, delete: resp.delete })
    }

    async fn full_ids(&self, id_hash: u64) -> Result<FullIds> {
        let req = wire::GetFullJoinGroupIDsReq { id_hash, user_id: self.me() };
        let resp: wire::GetFullJoinGroupIDsResp = self.ctx.api.post(path::GET_FULL_JOIN_GROUP_IDS, &req).await?;
        Ok(FullIds { ids: (!resp.equal).then_some(resp.group_ids) })
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<wire::GroupInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let resp: wire::GetGroupsInfoResp = self.ctx.api.post(path::GET_GROUPS_INFO, &wire::GetGroupsInfoReq { group_ids: ids.to_vec() }).await?;
        Ok(resp.group_infos)
    }

    async fn local(&self, c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<HashMap<String, GroupRow>> {
        Ok(store::groups(c, ids).await?.into_iter().map(|g| (g.group_id.clone(), g)).collect())
    }

    fn unchanged(local: &GroupRow, item: &wire::GroupInfo) -> bool {
        group_row(item) == GroupRow { attached_info: String::new(), ..local.clone() }
    }

    /// Groups stored and their chats named a few hundred per statement.
    async fn insert_many(&self, w: &mut Write, items: Vec<wire::GroupInfo>) -> Result<()> {
        let rows: Vec<GroupRow> = items.iter().map(group_row).collect();
        store::put_groups(&mut w.tx, &rows.iter().collect::<Vec<_>>()).await?;
        let names = rows.iter().map(|g| (conversation_id::group(&g.group_id), g.name.as_str(), g.face_url.as_str())).collect();
        self.conversations.rename(w, names).await?;
        for row in rows {
            w.push(Event::Group(GroupEvent::JoinedGroupAdded(group_of(row))));
        }
        Ok(())
    }

    async fn update(&self, w: &mut Write, local: GroupRow, item: wire::GroupInfo) -> Result<()> {
        let row = GroupRow { attached_info: local.attached_info, ..group_row(&item) };
        store::put_group(&mut w.tx, &row).await?;
        self.name_conversation(w, &row).await?;
        w.push(Event::Group(GroupEvent::GroupInfoChanged(group_of(row))));
        Ok(())
    }

    async fn delete(&self, w: &mut Write, id: String, local: GroupRow) -> Result<()> {
        store::delete_group(&mut w.tx, &id).await?;
        sync_versions::delete(&mut w.tx, MEMBERS_TABLE, &id).await?;
        w.push(Event::Group(GroupEvent::JoinedGroupDeleted(group_of(local))));
        Ok(())
    }
}

/// One group's member list on the versioned syncer. The first listing of a group is quiet (no
/// member events: the app learns of the group by `on_joined_group_added`).
struct MemberList {
    groups: Groups,
    group_id: String,
    quiet: AtomicBool,
    /// The group as the last member reply carried it.
    group: Mutex<Option<wire::GroupInfo>>,
}

impl MemberList {
    fn new(groups: Groups, group_id: String) -> Self {
        Self { groups, group_id, quiet: AtomicBool::new(false), group: Mutex::new(None) }
    }

    fn quiet(&self) -> bool {
        self.quiet.load(Ordering::Relaxed)
    }
}

impl VersionedList for MemberList {
    type Item = wire::GroupMemberFullInfo;
    type Local = GroupMemberRow;
    const TABLE: &'static str = MEMBERS_TABLE;

    fn entity(&self) -> String {
        self.group_id.clone()
    }

    fn id_of(item: &wire::GroupMemberFullInfo) -> &str {
        &item.user_id
    }

    async fn incremental(&self, version_id: &str, version: u64) -> Result<Delta<wire::GroupMemberFullInfo>> {
        self.quiet.store(version_id.is_empty(), Ordering::Relaxed);
        let prefetched = {
            let mut cache = self.groups.prefetched.lock().expect("prefetched");
            match cache.remove(&self.group_id) {
                Some((asked_id, asked_version, reply)) if asked_id == version_id && asked_version == version => Some(reply),
                _ => None,
            }
        };
        let resp = match prefetched {
            Some(reply) => reply,
            None => {
                let asked = wire::GetIncrementalGroupMemberReq { group_id: self.group_id.clone(), version_id: version_id.to_owned(), version };
                let mut replies = self.groups.member_batch(vec![asked]).await?;
                replies.pop().and_then(|(_, r)| r).ok_or_else(|| not_a_member(&self.group_id))?
            }
        };
        *self.group.lock().expect("group slot") = resp.group.clone();
        Ok(Delta { version_id: resp.version_id, version: resp.version, full: resp.full, insert: resp.insert, update: resp.update, delete: resp.delete })
    }

    async fn full_ids(&self, id_hash: u64) -> Result<FullIds> {
        let req = wire::GetFullGroupMemberUserIDsReq { id_hash, group_id: self.group_id.clone() };
        let resp: wire::GetFullGroupMemberUserIDsResp = self.groups.ctx.api.post(path::GET_FULL_GROUP_MEMBER_USER_IDS, &req).await?;
        Ok(FullIds { ids: (!resp.equal).then_some(resp.user_ids) })
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<wire::GroupMemberFullInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let req = wire::GetGroupMembersInfoReq { group_id: self.group_id.clone(), user_ids: ids.to_vec() };
        let resp: wire::GroupMembersResp = self.groups.ctx.api.post(path::GET_GROUP_MEMBERS_INFO, &req).await?;
        Ok(resp.members)
    }

    async fn local(&self, c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<HashMap<String, GroupMemberRow>> {
        Ok(store::members(c, &self.group_id, ids).await?.into_iter().map(|m| (m.user_id.clone(), m)).collect())
    }

    fn unchanged(local: &GroupMemberRow, item: &wire::GroupMemberFullInfo) -> bool {
        member_row(item) == GroupMemberRow { attached_info: String::new(), ..local.clone() }
    }

    /// A group's members stored a few hundred per statement.
    async fn insert_many(&self, w: &mut Write, items: Vec<wire::GroupMemberFullInfo>) -> Result<()> {
        let rows: Vec<GroupMemberRow> = items.iter().map(member_row).collect();
        store::put_members(&mut w.tx, &rows.iter().collect::<Vec<_>>()).await?;
        if !self.quiet() {
            for row in rows {
                w.push(Event::Group(GroupEvent::GroupMemberAdded(member_of(row))));
            }
        }
        Ok(())
    }

    async fn update(&self, w: &mut Write, local: GroupMemberRow, item: wire::GroupMemberFullInfo) -> Result<()> {
        let row = GroupMemberRow { attached_info: local.attached_info.clone(), ..member_row(&item) };
        store::put_member(&mut w.tx, &row).await?;
        if (local.nickname != row.nickname || local.face_url != row.face_url) && !row.nickname.is_empty() {
            let chat = conversation_id::group(&self.group_id);
            self.groups.conversations.sender_renamed(w, &chat, &row.user_id, &row.nickname, &row.face_url).await?;
        }
        w.push(Event::Group(GroupEvent::GroupMemberInfoChanged(member_of(row))));
        Ok(())
    }

    async fn delete(&self, w: &mut Write, id: String, local: GroupMemberRow) -> Result<()> {
        store::delete_member(&mut w.tx, &self.group_id, &id).await?;
        if !self.quiet() {
            w.push(Event::Group(GroupEvent::GroupMemberDeleted(member_of(local))));
        }
        Ok(())
    }

    /// The group itself, when the reply carried it: a group the user is in is updated.
    async fn finish(&self, w: &mut Write) -> Result<()> {
        let Some(info) = self.group.lock().expect("group slot").take() else { return Ok(()) };
        let Some(local) = store::group(&mut w.tx, &self.group_id).await? else { return Ok(()) };
        if Groups::unchanged(&local, &info) {
            return Ok(());
        }
        self.groups.update(w, local, info).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_is_told_once() {
        let told = Mutex::new(VecDeque::new());
        assert!(first_telling(&told, "u1"));
        assert!(!first_telling(&told, "u1"));
        assert!(first_telling(&told, ""), "no uuid: always told");
        assert!(first_telling(&told, ""));
        for i in 0..TOLD {
            first_telling(&told, &format!("x{i}"));
        }
        assert!(first_telling(&told, "u1"), "forgotten after {TOLD} others");
    }
}
