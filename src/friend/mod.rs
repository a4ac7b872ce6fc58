//! Friends, friend applications and the blacklist (OpenIM's relation module).
//!
//! The friend list is kept by the versioned syncer (`/friend/get_incremental_friends`), the
//! blacklist by a whole-list sync (`/friend/get_black_list`); both run at every connect, after
//! the user's own changes, and on the friend notifications (1201–1210). Every local change is
//! reported through the `FriendListener`; a friend's name and face follow into the single chat
//! with them. Applications are not stored: they are read from the server (as OpenIM does).

use std::collections::HashMap;
use std::sync::Arc;

use openim_wire::api::conversation::RequestPagination;
use openim_wire::api::friend as wire;
use openim_wire::api::{Empty, path};
use openim_wire::constant::content_type as ct;
use openim_wire::conversation_id;
use openim_wire::errcode;
use openim_wire::elem::{FriendApplicationTips, FriendsInfoUpdateTips, FromToTips, UserInfoUpdatedTips};
use openim_wire::pb::sdkws::MsgData;
use sqlx::SqliteConnection;

use crate::context::{SessionContext, Write};
use crate::conversation::Conversations;
use crate::error::{OpenIMError, Result};
use crate::events::{Event, FriendEvent};
use crate::model::{ApplicationState, BlackInfo, FriendApplication, FriendInfo, FriendshipCheck, SearchFriendItem, SearchFriendsParams};
use crate::store::friends as store;
use crate::store::rows::{BlackRow, FriendRow};
use crate::util::tips;
use crate::versioned::{Coalesce, Delta, FullIds, VersionedList};

/// Page size of list reads from the server.
const PAGE: i32 = 200;
/// Most users one call may name.
const MAX_IDS: usize = 1000;

#[derive(Clone)]
pub struct Friends {
    ctx: Arc<SessionContext>,
    conversations: Conversations,
    friend_runs: Arc<Coalesce>,
    black_runs: Arc<Coalesce>,
}

fn friend_row(owner: &str, f: &wire::FriendInfo) -> FriendRow {
    let user = f.friend_user.clone().unwrap_or_default();
    FriendRow {
        owner_user_id: owner.to_owned(),
        friend_user_id: user.user_id,
        remark: f.remark.clone(),
        create_time: f.create_time,
        add_source: f.add_source,
        operator_user_id: f.operator_user_id.clone(),
        nickname: user.nickname,
        face_url: user.face_url,
        ex: f.ex.clone(),
        attached_info: String::new(),
        is_pinned: f.is_pinned,
    }
}

pub fn friend_of(r: FriendRow) -> FriendInfo {
    FriendInfo {
        owner_user_id: r.owner_user_id,
        friend_user_id: r.friend_user_id,
        remark: r.remark,
        create_time: r.create_time,
        add_source: r.add_source,
        operator_user_id: r.operator_user_id,
        nickname: r.nickname,
        face_url: r.face_url,
        ex: r.ex,
        attached_info: r.attached_info,
        is_pinned: r.is_pinned,
    }
}

fn black_row(owner: &str, b: &wire::BlackInfo) -> BlackRow {
    let user = b.black_user_info.clone().unwrap_or_default();
    BlackRow {
        owner_user_id: owner.to_owned(),
        block_user_id: user.user_id,
        nickname: user.nickname,
        face_url: user.face_url,
        create_time: b.create_time,
        add_source: b.add_source,
        operator_user_id: b.operator_user_id.clone(),
        ex: b.ex.clone(),
        attached_info: String::new(),
    }
}

pub fn black_of(r: BlackRow) -> BlackInfo {
    BlackInfo {
        owner_user_id: r.owner_user_id,
        block_user_id: r.block_user_id,
        nickname: r.nickname,
        face_url: r.face_url,
        create_time: r.create_time,
        add_source: r.add_source,
        operator_user_id: r.operator_user_id,
        ex: r.ex,
        attached_info: r.attached_info,
    }
}

pub fn application_of(r: wire::FriendRequest) -> FriendApplication {
    FriendApplication {
        from_user_id: r.from_user_id,
        from_nickname: r.from_nickname,
        from_face_url: r.from_face_url,
        to_user_id: r.to_user_id,
        to_nickname: r.to_nickname,
        to_face_url: r.to_face_url,
        state: ApplicationState::from_code(r.handle_result),
        req_msg: r.req_msg,
        create_time: r.create_time,
        handler_user_id: r.handler_user_id,
        handle_msg: r.handle_msg,
        handle_time: r.handle_time,
        ex: r.ex,
    }
}

fn check_ids(ids: &[String], what: &str) -> Result<()> {
    if ids.is_empty() || ids.iter().any(String::is_empty) {
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

fn check_user(user_id: &str, what: &str) -> Result<()> {
    if user_id.trim().is_empty() {
        return Err(OpenIMError::invalid_argument(format!("{what} is empty")));
    }
    Ok(())
}

/// The 1-based page OpenIM's paged calls take for `offset`/`count`.
fn pagination(offset: i32, count: i32) -> Result<RequestPagination> {
    if offset < 0 || count <= 0 || count > 1000 {
        return Err(OpenIMError::invalid_argument("offset must be ≥ 0 and count within 1..=1000"));
    }
    Ok(RequestPagination { page_number: offset / count + 1, show_number: count })
}

impl Friends {
    pub fn new(ctx: Arc<SessionContext>, conversations: Conversations) -> Self {
        Self { ctx, conversations, friend_runs: Default::default(), black_runs: Default::default() }
    }

    fn me(&self) -> String {
        self.ctx.user_id.clone()
    }

    // --- reading the local lists ---

    async fn blocked_ids(&self, c: &mut SqliteConnection) -> Result<std::collections::HashSet<String>> {
        Ok(store::blacks(c).await?.into_iter().map(|b| b.block_user_id).collect())
    }

    /// The friends among `user_ids`, in their order; with `filter_black`, blocked ones left out.
    /// Friends this device does not know yet are synced first.
    pub async fn specified(&self, user_ids: Vec<String>, filter_black: bool) -> Result<Vec<FriendInfo>> {
        check_ids(&user_ids, "user_ids")?;
        let mut rows = store::friends(&mut *self.ctx.store.read().await?, Some(&user_ids)).await?;
        if rows.len() < user_ids.len() {
            self.sync().await?;
            rows = store::friends(&mut *self.ctx.store.read().await?, Some(&user_ids)).await?;
        }
        let blocked = if filter_black { self.blocked_ids(&mut *self.ctx.store.read().await?).await? } else { Default::default() };
        let mut by_id: HashMap<String, FriendRow> = rows.into_iter().map(|r| (r.friend_user_id.clone(), r)).collect();
        Ok(user_ids.iter().filter(|id| !blocked.contains(*id)).filter_map(|id| by_id.remove(id)).map(friend_of).collect())
    }

    /// The whole friend list (pinned first); with `filter_black`, blocked friends left out.
    pub async fn list(&self, filter_black: bool) -> Result<Vec<FriendInfo>> {
        let mut db = self.ctx.store.read().await?;
        let blocked = if filter_black { self.blocked_ids(&mut db).await? } else { Default::default() };
        Ok(store::friends(&mut db, None).await?.into_iter().filter(|f| !blocked.contains(&f.friend_user_id)).map(friend_of).collect())
    }

    /// One page of the friend list.
    pub async fn page(&self, offset: i32, count: i32, filter_black: bool) -> Result<Vec<FriendInfo>> {
        if offset < 0 || count <= 0 {
            return Err(OpenIMError::invalid_argument("offset must be ≥ 0 and count > 0"));
        }
        let mut db = self.ctx.store.read().await?;
        let blocked = if filter_black { self.blocked_ids(&mut db).await? } else { Default::default() };
        let rows = store::friends_page(&mut db, offset.into(), count.into()).await?;
        Ok(rows.into_iter().filter(|f| !blocked.contains(&f.friend_user_id)).map(friend_of).collect())
    }

    /// Friends matching any keyword in the chosen fields; `relationship` 0 for blocked ones.
    pub async fn search(&self, params: SearchFriendsParams) -> Result<Vec<SearchFriendItem>> {
        let keywords = crate::util::search_keywords(params.keywords)?;
        if keywords.is_empty() {
            return Err(OpenIMError::invalid_argument("give at least one keyword"));
        }
        if !(params.search_user_id || params.search_nickname || params.search_remark) {
            return Err(OpenIMError::invalid_argument("choose at least one field to search"));
        }
        let mut db = self.ctx.store.read().await?;
        let blocked = self.blocked_ids(&mut db).await?;
        let rows = store::search_friends(&mut db, &keywords, params.search_user_id, params.search_nickname, params.search_remark).await?;
        Ok(rows
            .into_iter()
            .map(|f| SearchFriendItem { relationship: i32::from(!blocked.contains(&f.friend_user_id)), friend: friend_of(f) })
            .collect())
    }

    /// How the logged-in user and each of `user_ids` stand to each other, both ways.
    pub async fn check(&self, user_ids: Vec<String>) -> Result<Vec<FriendshipCheck>> {
        check_ids(&user_ids, "user_ids")?;
        if user_ids.len() > 100 {
            return Err(OpenIMError::invalid_argument("at most 100 user IDs per check"));
        }
        let mut out = Vec::with_capacity(user_ids.len());
        for user_id in user_ids {
            let req = wire::IsFriendReq { user_id1: self.me(), user_id2: user_id.clone() };
            let resp: wire::IsFriendResp = self.ctx.api.post(path::IS_FRIEND, &req).await?;
            out.push(FriendshipCheck { user_id, is_friend: false, in_my_friends: resp.in_user1_friends, in_their_friends: resp.in_user2_friends });
        }
        let blocked = self.blocked_ids(&mut *self.ctx.store.read().await?).await?;
        for c in &mut out {
            c.is_friend = c.in_my_friends && !blocked.contains(&c.user_id);
        }
        Ok(out)
    }

    pub async fn black_list(&self) -> Result<Vec<BlackInfo>> {
        Ok(store::blacks(&mut *self.ctx.store.read().await?).await?.into_iter().map(black_of).collect())
    }

    // --- changing them (the server first; the local lists follow through the syncs) ---

    /// Applies to become `to_user_id`'s friend.
    pub async fn add(&self, to_user_id: String, req_msg: String, ex: String) -> Result<()> {
        check_user(&to_user_id, "to_user_id")?;
        let req = wire::ApplyToAddFriendReq { from_user_id: self.me(), to_user_id, req_msg, ex };
        self.ctx.api.post::<_, Empty>(path::ADD_FRIEND, &req).await.map(drop)
    }

    /// Removes `friend_user_id` from the logged-in user's list (their list keeps this user).
    pub async fn delete(&self, friend_user_id: String) -> Result<()> {
        check_user(&friend_user_id, "friend_user_id")?;
        let req = wire::DeleteFriendReq { owner_user_id: self.me(), friend_user_id };
        self.ctx.api.post::<_, Empty>(path::DELETE_FRIEND, &req).await?;
        self.sync().await
    }

    /// Sets the remark, pin or `ex` of friends (OpenIM's `update_friends`).
    pub async fn update(&self, friend_user_ids: Vec<String>, is_pinned: Option<bool>, remark: Option<String>, ex: Option<String>) -> Result<()> {
        check_ids(&friend_user_ids, "friend_user_ids")?;
        // OpenIM's server changes nothing for an ID that is no friend and says nothing of it: an
        // ID not in the list (synced once more when one is missing, as a friend may be new) fails
        // the call with 1004 before anything is sent.
        if let Some(missing) = self.not_friends(&friend_user_ids).await? {
            self.sync().await?;
            if self.not_friends(&friend_user_ids).await?.is_some() {
                return Err(OpenIMError::from_server(errcode::RECORD_NOT_FOUND, format!("{missing} is not a friend")));
            }
        }
        let req = wire::UpdateFriendsReq { owner_user_id: self.me(), friend_user_ids, is_pinned, remark, ex };
        self.ctx.api.post::<_, Empty>(path::UPDATE_FRIENDS, &req).await?;
        self.sync().await
    }

    /// The first of `ids` that is not in the stored friend list.
    async fn not_friends(&self, ids: &[String]) -> Result<Option<String>> {
        let found = store::friends(&mut *self.ctx.store.read().await?, Some(ids)).await?;
        Ok(ids.iter().find(|id| !found.iter().any(|f| &f.friend_user_id == *id)).cloned())
    }

    /// Applications sent to the logged-in user, newest first, in the given states (all with
    /// none).
    pub async fn applications_received(&self, states: Vec<ApplicationState>, offset: i32, count: i32) -> Result<Vec<FriendApplication>> {
        let req = wire::GetPaginationFriendsApplyReq {
            user_id: self.me(),
            pagination: pagination(offset, count)?,
            handle_results: states.into_iter().map(ApplicationState::code).collect(),
        };
        let resp: wire::GetPaginationFriendsApplyToResp = self.ctx.api.post(path::GET_FRIEND_APPLY_LIST, &req).await?;
        Ok(resp.friend_requests.into_iter().map(application_of).collect())
    }

    /// Applications the logged-in user sent, newest first.
    pub async fn applications_sent(&self, offset: i32, count: i32) -> Result<Vec<FriendApplication>> {
        let req = wire::GetPaginationFriendsApplyReq { user_id: self.me(), pagination: pagination(offset, count)?, handle_results: Vec::new() };
        let resp: wire::GetPaginationFriendsApplyFromResp = self.ctx.api.post(path::GET_SELF_FRIEND_APPLY_LIST, &req).await?;
        Ok(resp.friend_requests.into_iter().map(application_of).collect())
    }

    /// Pending applications to the logged-in user made after `since_ms` (0 for all).
    pub async fn unhandled_count(&self, since_ms: i64) -> Result<i32> {
        let req = wire::GetSelfUnhandledApplyCountReq { user_id: self.me(), time: since_ms.max(0) };
        let resp: wire::GetSelfUnhandledApplyCountResp = self.ctx.api.post(path::GET_SELF_UNHANDLED_APPLY_COUNT, &req).await?;
        Ok(resp.count.clamp(0, i64::from(i32::MAX)) as i32)
    }

    /// Answers `applicant`'s application: accept (they become friends both ways) or refuse.
    pub async fn respond(&self, applicant: String, accept: bool, handle_msg: String) -> Result<()> {
        check_user(&applicant, "from_user_id")?;
        let req = wire::RespondFriendApplyReq { from_user_id: applicant, to_user_id: self.me(), handle_result: if accept { 1 } else { -1 }, handle_msg };
        self.ctx.api.post::<_, Empty>(path::ADD_FRIEND_RESPONSE, &req).await?;
        if accept { self.sync().await } else { Ok(()) }
    }

    pub async fn add_black(&self, user_id: String, ex: String) -> Result<()> {
        check_user(&user_id, "user_id")?;
        let req = wire::AddBlackReq { owner_user_id: self.me(), black_user_id: user_id, ex };
        self.ctx.api.post::<_, Empty>(path::ADD_BLACK, &req).await?;
        self.sync_blacks().await
    }

    pub async fn remove_black(&self, user_id: String) -> Result<()> {
        check_user(&user_id, "user_id")?;
        let req = wire::RemoveBlackReq { owner_user_id: self.me(), black_user_id: user_id };
        self.ctx.api.post::<_, Empty>(path::REMOVE_BLACK, &req).await?;
        self.sync_blacks().await
    }

    // --- syncing ---

    /// Brings the friend list up to the server's version; concurrent calls share one run.
    pub async fn sync(&self) -> Result<()> {
        self.friend_runs.run(|| async { crate::versioned::sync(&self.ctx, self).await.map(drop) }).await
    }

    /// Brings the blacklist up to the server's (whole list, diffed); concurrent calls share
    /// one run.
    pub async fn sync_blacks(&self) -> Result<()> {
        self.black_runs.run(|| self.sync_blacks_once()).await
    }

    async fn sync_blacks_once(&self) -> Result<()> {
        let me = self.me();
        let mut server = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for page in 1.. {
            let req = wire::GetPaginationBlacksReq { user_id: me.clone(), pagination: RequestPagination { page_number: page, show_number: PAGE } };
            let resp: wire::BlacksResp = self.ctx.api.post(path::GET_BLACK_LIST, &req).await?;
            let n = resp.blacks.len();
            let before = server.len();
            server.extend(resp.blacks.iter().map(|b| black_row(&me, b)).filter(|row| seen.insert(row.block_user_id.clone())));
            // A short page ends the list; so does a page with nobody new (a server that ignores
            // the page number would otherwise be asked forever) or the total reached.
            if n < PAGE as usize || server.len() == before || (resp.total > 0 && server.len() >= resp.total as usize) {
                break;
            }
        }
        let mut w = self.ctx.write().await?;
        let mut local: HashMap<String, BlackRow> = store::blacks(&mut w.tx).await?.into_iter().map(|b| (b.block_user_id.clone(), b)).collect();
        for row in server {
            match local.remove(&row.block_user_id) {
                Some(old) if old == row => {}
                Some(_) => store::put_black(&mut w.tx, &row).await?,
                None => {
                    store::put_black(&mut w.tx, &row).await?;
                    w.push(Event::Friend(FriendEvent::BlackAdded(black_of(row))));
                }
            }
        }
        for (id, old) in local {
            store::delete_black(&mut w.tx, &id).await?;
            w.push(Event::Friend(FriendEvent::BlackDeleted(black_of(old))));
        }
        self.ctx.commit(w).await
    }

    fn sync_later(&self, w: &mut Write, blacks: bool) {
        let this = self.clone();
        w.after_commit(async move {
            let result = if blacks { this.sync_blacks().await } else { this.sync().await };
            if let Err(e) = result {
                tracing::warn!(error = %e, blacks, "relation sync failed");
            }
        });
    }

    /// The friend notifications (1201–1210), inside the write of their batch.
    pub fn on_notification(&self, w: &mut Write, data: &MsgData) {
        let me = self.me();
        match data.content_type {
            ct::FRIEND_APPLICATION => {
                if let Some(t) = tips::<FriendApplicationTips>(data).and_then(|t| t.request) {
                    w.push(Event::Friend(FriendEvent::ApplicationAdded(application_of(t))));
                }
            }
            ct::FRIEND_APPLICATION_APPROVED => {
                if let Some(t) = tips::<FriendApplicationTips>(data).and_then(|t| t.request) {
                    w.push(Event::Friend(FriendEvent::ApplicationAccepted(application_of(t))));
                }
                self.sync_later(w, false);
            }
            ct::FRIEND_APPLICATION_REJECTED => {
                if let Some(t) = tips::<FriendApplicationTips>(data).and_then(|t| t.request) {
                    w.push(Event::Friend(FriendEvent::ApplicationRejected(application_of(t))));
                }
            }
            ct::FRIEND_ADDED => self.sync_later(w, false),
            ct::FRIEND_DELETED | ct::FRIEND_REMARK_SET => {
                if tips::<FromToTips>(data).is_some_and(|t| t.from_to_user_id.from_user_id == me) {
                    self.sync_later(w, false);
                }
            }
            ct::FRIEND_INFO_UPDATED => {
                if tips::<UserInfoUpdatedTips>(data).is_some_and(|t| t.user_id != me) {
                    self.sync_later(w, false);
                }
            }
            ct::FRIENDS_INFO_UPDATE => {
                if tips::<FriendsInfoUpdateTips>(data).is_some_and(|t| t.from_to_user_id.to_user_id == me) {
                    self.sync_later(w, false);
                }
            }
            ct::BLACK_ADDED | ct::BLACK_DELETED => {
                if tips::<FromToTips>(data).is_some_and(|t| t.from_to_user_id.from_user_id == me) {
                    self.sync_later(w, true);
                }
            }
            other => tracing::debug!(content_type = other, "friend notification without local effect"),
        }
    }

    /// The single chat with a friend shows the friend's remark (or nickname) and face.
    async fn name_conversation(&self, w: &mut Write, f: &FriendRow) -> Result<()> {
        self.conversations.rename_single(w, &f.friend_user_id, chat_name(f), &f.face_url).await
    }
}

/// What a friend's chat is called: the remark, else the nickname.
fn chat_name(f: &FriendRow) -> &str {
    if f.remark.is_empty() { &f.nickname } else { &f.remark }
}

/// The friend list on the versioned syncer.
impl VersionedList for Friends {
    type Item = wire::FriendInfo;
    type Local = FriendRow;
    const TABLE: &'static str = "local_friends";

    fn entity(&self) -> String {
        self.me()
    }

    fn id_of(item: &wire::FriendInfo) -> &str {
        item.friend_user_id()
    }

    async fn incremental(&self, version_id: &str, version: u64) -> Result<Delta<wire::FriendInfo>> {
        let req = wire::GetIncrementalFriendsReq { user_id: self.me(), version_id: version_id.to_owned(), version };
        let resp: wire::GetIncrementalFriendsResp = self.ctx.api.post(path::GET_INCREMENTAL_FRIENDS, &req).await?;
        Ok(Delta { version_id: resp.version_id, version: resp.version, full: resp.full, insert: resp.insert, update: resp.update, delete: resp.delete })
    }

    async fn full_ids(&self, id_hash: u64) -> Result<FullIds> {
        let req = wire::GetFullFriendUserIDsReq { id_hash, user_id: self.me() };
        let resp: wire::GetFullFriendUserIDsResp = self.ctx.api.post(path::GET_FULL_FRIEND_USER_IDS, &req).await?;
        Ok(FullIds { ids: (!resp.equal).then_some(resp.user_ids) })
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<wire::FriendInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let req = wire::GetDesignatedFriendsReq { owner_user_id: self.me(), friend_user_ids: ids.to_vec() };
        let resp: wire::GetDesignatedFriendsResp = self.ctx.api.post(path::GET_DESIGNATED_FRIENDS, &req).await?;
        Ok(resp.friends_info)
    }

    async fn local(&self, c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<HashMap<String, FriendRow>> {
        Ok(store::friends(c, ids).await?.into_iter().map(|f| (f.friend_user_id.clone(), f)).collect())
    }

    fn unchanged(local: &FriendRow, item: &wire::FriendInfo) -> bool {
        friend_row(&local.owner_user_id, item) == FriendRow { attached_info: String::new(), ..local.clone() }
    }

    /// A first sync brings a thousand friends: stored and their chats named a few hundred per
    /// statement.
    async fn insert_many(&self, w: &mut Write, items: Vec<wire::FriendInfo>) -> Result<()> {
        let me = self.me();
        let rows: Vec<FriendRow> = items.iter().map(|item| friend_row(&me, item)).collect();
        store::put_friends(&mut w.tx, &rows.iter().collect::<Vec<_>>()).await?;
        let names = rows
            .iter()
            .map(|f| (conversation_id::single(&me, &f.friend_user_id), chat_name(f), f.face_url.as_str()))
            .collect();
        self.conversations.rename(w, names).await?;
        for row in rows {
            w.push(Event::Friend(FriendEvent::FriendAdded(friend_of(row))));
        }
        Ok(())
    }

    async fn update(&self, w: &mut Write, local: FriendRow, item: wire::FriendInfo) -> Result<()> {
        let row = FriendRow { attached_info: local.attached_info.clone(), ..friend_row(&self.me(), &item) };
        store::put_friend(&mut w.tx, &row).await?;
        self.name_conversation(w, &row).await?;
        if (local.nickname != row.nickname || local.face_url != row.face_url) && !row.nickname.is_empty() {
            // Their messages carry the name they were sent with (the profile's nickname, not
            // this user's remark for them, which names the chat).
            let chat = conversation_id::single(&row.owner_user_id, &row.friend_user_id);
            self.conversations.sender_renamed(w, &chat, &row.friend_user_id, &row.nickname, &row.face_url).await?;
        }
        w.push(Event::Friend(FriendEvent::FriendInfoChanged(friend_of(row))));
        Ok(())
    }

    async fn delete(&self, w: &mut Write, id: String, local: FriendRow) -> Result<()> {
        store::delete_friend(&mut w.tx, &id).await?;
        w.push(Event::Friend(FriendEvent::FriendDeleted(friend_of(local))));
        Ok(())
    }
}
