//! Users: profiles from the server (`/user/get_users_info`), cached in `local_users`, starting
//! with the logged-in user's own.

use openim_wire::api::path;
use openim_wire::api::user::{GetUsersInfoReq, GetUsersInfoResp, UserInfo};
use openim_wire::errcode;

use crate::error::{OpenIMError, Result};
use crate::store::Store;
use crate::store::rows::UserRow;
use crate::store::users;
use crate::transport::http::ApiClient;

/// Most IDs one `get_users_info` call accepts.
pub const MAX_USER_IDS: usize = 1000;

#[derive(Clone)]
pub struct Users {
    api: ApiClient,
    store: Store,
    login_user_id: String,
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

impl Users {
    pub fn new(api: ApiClient, store: Store, login_user_id: String) -> Self {
        Self { api, store, login_user_id }
    }

    /// Profiles of `user_ids` from the server; unknown IDs are left out.
    pub async fn get_users_info(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        if user_ids.is_empty() {
            return Err(OpenIMError::invalid_argument("user_ids is empty"));
        }
        if user_ids.len() > MAX_USER_IDS {
            return Err(OpenIMError::invalid_argument(format!("at most {MAX_USER_IDS} user IDs per call")));
        }
        if user_ids.iter().any(String::is_empty) {
            return Err(OpenIMError::invalid_argument("user_ids contains an empty ID"));
        }
        let resp: GetUsersInfoResp = self.api.post(path::GET_USERS_INFO, &GetUsersInfoReq { user_ids }).await?;
        Ok(resp.users_info)
    }

    /// The logged-in user's profile: the cached copy, or the server's when none is cached.
    pub async fn self_info(&self) -> Result<UserInfo> {
        match users::get(&mut *self.store.read().await?, &self.login_user_id).await? {
            Some(user) => Ok(from_row(user)),
            None => self.sync_self_info().await,
        }
    }

    /// Fetches the logged-in user's profile and caches it.
    pub async fn sync_self_info(&self) -> Result<UserInfo> {
        let mut found = self.fetch(vec![self.login_user_id.clone()]).await?;
        match found.pop() {
            Some(user) => Ok(user),
            None => Err(OpenIMError::Server {
                code: errcode::SDK_USER_NOT_FOUND,
                msg: format!("the server does not know user {}", self.login_user_id),
            }),
        }
    }

    /// Cached profiles among `user_ids` (no network).
    pub async fn cached(&self, user_ids: &[String]) -> Result<Vec<UserInfo>> {
        Ok(users::get_many(&mut *self.store.read().await?, user_ids).await?.into_iter().map(from_row).collect())
    }

    /// Fetches `user_ids` from the server and caches what it knows.
    pub async fn fetch(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        let wanted = user_ids.clone();
        let found: Vec<UserInfo> =
            self.get_users_info(user_ids).await?.into_iter().filter(|u| wanted.contains(&u.user_id)).collect();
        if !found.is_empty() {
            let mut tx = self.store.begin().await?;
            for user in &found {
                users::upsert(&mut tx, &to_row(user)).await?;
            }
            tx.commit().await?;
        }
        Ok(found)
    }
}
