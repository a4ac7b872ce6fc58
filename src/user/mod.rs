//! Users: profiles from the server (`/user/get_users_info`), cached in `local_users`, the
//! logged-in user's own profile (`set_self_info`, `on_self_info_updated`), and presence
//! subscriptions over the gateway (request and push 2005).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use openim_wire::api::user::{GetUserClientConfigReq, GetUserClientConfigResp, GetUsersInfoReq, GetUsersInfoResp, SetGlobalRecvMessageOptReq, UpdateUserInfoExReq, UserInfo, UserInfoWithEx};
use openim_wire::api::{Empty, path};
use openim_wire::constant::req;
use openim_wire::errcode;
use openim_wire::pb::sdkws::{SubUserOnlineStatus, SubUserOnlineStatusTips};

use crate::context::SessionContext;
use crate::error::{OpenIMError, Result};
use crate::events::{Event, UserEvent};
use crate::model::{self, OnlineStatus, UserInfoUpdate};
use crate::store::chat_logs;
use crate::store::rows::UserRow;
use crate::store::users;

/// Most IDs one `get_users_info` call accepts.
pub const MAX_USER_IDS: usize = 1000;

#[derive(Clone)]
pub struct Users {
    ctx: Arc<SessionContext>,
    /// The users whose presence this session follows (sent again after every reconnect).
    subscribed: Arc<Mutex<BTreeSet<String>>>,
}

pub fn to_row(u: &UserInfo) -> UserRow {
    UserRow {
        user_id: u.user_id.clone(),
        nickname: u.nickname.clone(),
        face_url: u.face_url.clone(),
        ex: u.ex.clone(),
        create_time: u.create_time,
        app_manger_level: u.app_manger_level,
        global_recv_msg_opt: u.global_recv_msg_opt,
    }
}

pub fn from_row(r: UserRow) -> UserInfo {
    UserInfo {
        user_id: r.user_id,
        nickname: r.nickname,
        face_url: r.face_url,
        ex: r.ex,
        create_time: r.create_time,
        app_manger_level: r.app_manger_level,
        global_recv_msg_opt: r.global_recv_msg_opt,
    }
}

fn check_ids(user_ids: &[String]) -> Result<()> {
    if user_ids.is_empty() {
        return Err(OpenIMError::invalid_argument("user_ids is empty"));
    }
    if user_ids.len() > MAX_USER_IDS {
        return Err(OpenIMError::invalid_argument(format!("at most {MAX_USER_IDS} user IDs per call")));
    }
    if user_ids.iter().any(String::is_empty) {
        return Err(OpenIMError::invalid_argument("user_ids contains an empty ID"));
    }
    Ok(())
}

impl Users {
    pub fn new(ctx: Arc<SessionContext>) -> Self {
        Self { ctx, subscribed: Default::default() }
    }

    /// Profiles of `user_ids` from the server; unknown IDs are left out.
    pub async fn get_users_info(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        check_ids(&user_ids)?;
        let resp: GetUsersInfoResp = self.ctx.api.post(path::GET_USERS_INFO, &GetUsersInfoReq { user_ids }).await?;
        Ok(resp.users_info)
    }

    /// The client settings the app's admin set on the server for this user or for everyone
    /// (OpenIM's `GetUserClientConfig`), read from the server.
    pub async fn client_config(&self) -> Result<std::collections::HashMap<String, String>> {
        let req = GetUserClientConfigReq { user_id: self.ctx.user_id.clone() };
        let resp: GetUserClientConfigResp = self.ctx.api.post(path::GET_USER_CLIENT_CONFIG, &req).await?;
        Ok(resp.configs)
    }

    /// The logged-in user's profile: the cached copy, or the server's when none is cached.
    pub async fn self_info(&self) -> Result<UserInfo> {
        match users::get(&mut *self.ctx.store.read().await?, &self.ctx.user_id).await? {
            Some(user) => Ok(from_row(user)),
            None => self.sync_self_info().await,
        }
    }

    /// Fetches the logged-in user's profile and caches it; a change of a cached profile is
    /// reported with `on_self_info_updated`.
    pub async fn sync_self_info(&self) -> Result<UserInfo> {
        let me = self.ctx.user_id.clone();
        let Some(user) = self.get_users_info(vec![me.clone()]).await?.into_iter().find(|u| u.user_id == me) else {
            return Err(OpenIMError::Server { code: errcode::SDK_USER_NOT_FOUND, msg: format!("the server does not know user {me}") });
        };
        let mut w = self.ctx.write().await?;
        let before = users::get(&mut w.tx, &me).await?;
        let row = to_row(&user);
        if before.as_ref() != Some(&row) {
            users::upsert(&mut w.tx, &row).await?;
            if let Some(b) = &before
                && (b.nickname != row.nickname || b.face_url != row.face_url)
                && !row.nickname.is_empty()
            {
                // The user's messages in single chats show the new name and face, as OpenIM's
                // clients do; in groups they keep the member name they were sent with.
                chat_logs::rename_own_in_single_chats(&mut w.tx, &me, &row.nickname, &row.face_url).await?;
            }
            if before.is_some() {
                w.push(Event::User(UserEvent::SelfInfoUpdated(model::UserInfo::from(user.clone()))));
            }
        }
        self.ctx.set_self_info(user.clone());
        self.ctx.commit(w).await?;
        Ok(user)
    }

    /// Changes the logged-in user's profile on the server; this device and the others report
    /// it with `on_self_info_updated`.
    pub async fn set_self_info(&self, update: UserInfoUpdate) -> Result<UserInfo> {
        if let Some(opt) = update.global_recv_msg_opt
            && !(0..=2).contains(&opt)
        {
            return Err(OpenIMError::invalid_argument("global_recv_msg_opt must be 0, 1 or 2"));
        }
        if update == UserInfoUpdate::default() {
            return Err(OpenIMError::invalid_argument("nothing to change"));
        }
        let req = UpdateUserInfoExReq {
            user_info: Some(UserInfoWithEx {
                user_id: self.ctx.user_id.clone(),
                nickname: update.nickname,
                face_url: update.face_url,
                ex: update.ex,
                global_recv_msg_opt: update.global_recv_msg_opt,
            }),
        };
        self.ctx.api.post::<_, Empty>(path::UPDATE_USER_INFO_EX, &req).await?;
        self.sync_self_info().await
    }

    /// Whether and how the user receives messages at all (0 all, 1 none, 2 without notification).
    pub async fn set_global_recv_msg_opt(&self, opt: i32) -> Result<()> {
        if !(0..=2).contains(&opt) {
            return Err(OpenIMError::invalid_argument("the option must be 0, 1 or 2"));
        }
        let req = SetGlobalRecvMessageOptReq { user_id: self.ctx.user_id.clone(), global_recv_msg_opt: opt };
        self.ctx.api.post::<_, Empty>(path::SET_GLOBAL_MSG_RECV_OPT, &req).await?;
        self.sync_self_info().await.map(drop)
    }

    /// Registers this device's push token (FCM, APNs through FCM) for offline pushes, valid
    /// `expire_time_secs` seconds (OpenIM's `UpdateFcmToken`).
    pub async fn update_fcm_token(&self, token: String, expire_time_secs: i64) -> Result<()> {
        if token.is_empty() || expire_time_secs < 0 {
            return Err(OpenIMError::invalid_argument("the token must not be empty nor the expiry negative"));
        }
        let req = openim_wire::api::third::FcmUpdateTokenReq {
            platform_id: self.ctx.platform_id,
            fcm_token: token,
            account: self.ctx.user_id.clone(),
            expire_time: expire_time_secs,
        };
        self.ctx.api.post::<_, Empty>(path::FCM_UPDATE_TOKEN, &req).await?;
        Ok(())
    }

    /// Tells the server the app's badge count, for the next offline push (OpenIM's
    /// `SetAppBadge`).
    pub async fn set_app_badge(&self, app_unread_count: i32) -> Result<()> {
        if app_unread_count < 0 {
            return Err(OpenIMError::invalid_argument("the badge count must not be negative"));
        }
        let req = openim_wire::api::third::SetAppBadgeReq { user_id: self.ctx.user_id.clone(), app_unread_count };
        self.ctx.api.post::<_, Empty>(path::SET_APP_BADGE, &req).await?;
        Ok(())
    }

    /// Cached profiles among `user_ids` (no network).
    pub async fn cached(&self, user_ids: &[String]) -> Result<Vec<UserInfo>> {
        Ok(users::get_many(&mut *self.ctx.store.read().await?, user_ids).await?.into_iter().map(from_row).collect())
    }

    /// Fetches `user_ids` from the server and caches what it knows.
    pub async fn fetch(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        let wanted = user_ids.clone();
        let found: Vec<UserInfo> = self.get_users_info(user_ids).await?.into_iter().filter(|u| wanted.contains(&u.user_id)).collect();
        if !found.is_empty() {
            let mut w = self.ctx.write().await?;
            for user in &found {
                users::upsert(&mut w.tx, &to_row(user)).await?;
            }
            self.ctx.commit(w).await?;
        }
        Ok(found)
    }

    // --- presence ---

    /// Follows the presence of `user_ids` (changes arrive with `on_user_status_changed`) and
    /// returns it now.
    pub async fn subscribe_status(&self, user_ids: Vec<String>) -> Result<Vec<OnlineStatus>> {
        check_ids(&user_ids)?;
        let statuses = self.status_request(user_ids.clone(), Vec::new()).await?;
        self.subscribed.lock().expect("subscription lock").extend(user_ids);
        Ok(statuses)
    }

    /// Stops following the presence of `user_ids`.
    pub async fn unsubscribe_status(&self, user_ids: Vec<String>) -> Result<()> {
        check_ids(&user_ids)?;
        {
            let mut subscribed = self.subscribed.lock().expect("subscription lock");
            for id in &user_ids {
                subscribed.remove(id);
            }
        }
        self.status_request(Vec::new(), user_ids).await.map(drop)
    }

    /// The presence of every followed user.
    pub async fn subscribed_status(&self) -> Result<Vec<OnlineStatus>> {
        let ids: Vec<String> = self.subscribed.lock().expect("subscription lock").iter().cloned().collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.status_request(ids, Vec::new()).await
    }

    /// Sends the subscriptions again (a new connection knows none of them).
    pub async fn resubscribe(&self) -> Result<()> {
        let ids: Vec<String> = self.subscribed.lock().expect("subscription lock").iter().cloned().collect();
        if !ids.is_empty() {
            self.status_request(ids, Vec::new()).await?;
        }
        Ok(())
    }

    async fn status_request(&self, subscribe: Vec<String>, unsubscribe: Vec<String>) -> Result<Vec<OnlineStatus>> {
        let req = SubUserOnlineStatus { subscribe_user_id: subscribe, unsubscribe_user_id: unsubscribe };
        let tips: SubUserOnlineStatusTips = self.ctx.conn.request(req::SUB_USER_ONLINE_STATUS, &req).await?;
        Ok(statuses(tips))
    }

    /// A presence push (2005): reported for the users this session follows.
    pub async fn on_status_push(&self, data: &[u8]) {
        let tips = match <SubUserOnlineStatusTips as prost::Message>::decode(data) {
            Ok(tips) => tips,
            Err(e) => {
                tracing::error!(error = %e, "dropping a presence push that does not decode");
                return;
            }
        };
        let followed = self.subscribed.lock().expect("subscription lock").clone();
        let changed: Vec<Event> = statuses(tips)
            .into_iter()
            .filter(|s| followed.contains(&s.user_id))
            .map(|s| Event::User(UserEvent::UserStatusChanged(s)))
            .collect();
        self.ctx.emit_all(changed).await;
    }
}

fn statuses(tips: SubUserOnlineStatusTips) -> Vec<OnlineStatus> {
    tips.subscribers
        .into_iter()
        .map(|e| OnlineStatus { status: i32::from(!e.online_platform_ids.is_empty()), user_id: e.user_id, platform_ids: e.online_platform_ids })
        .collect()
}
