//! Users: profiles from the server (`/user/get_users_info`) and the logged-in user's own
//! profile, cached in `local_users`.

use openim_wire::api::path;
use openim_wire::api::user::{GetUsersInfoReq, GetUsersInfoResp, UserInfo};
use openim_wire::errcode;

use crate::error::{OpenIMError, Result};
use crate::store::Store;
use crate::transport::http::ApiClient;

/// Most IDs one `get_users_info` call accepts.
pub const MAX_USER_IDS: usize = 1000;

#[derive(Clone)]
pub struct Users {
    api: ApiClient,
    store: Store,
    login_user_id: String,
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
        match self.store.get_user(&self.login_user_id).await? {
            Some(user) => Ok(user),
            None => self.sync_self_info().await,
        }
    }

    /// Fetches the logged-in user's profile and caches it.
    pub async fn sync_self_info(&self) -> Result<UserInfo> {
        let mut users = self.get_users_info(vec![self.login_user_id.clone()]).await?;
        let Some(index) = users.iter().position(|u| u.user_id == self.login_user_id) else {
            return Err(OpenIMError::Server {
                code: errcode::SDK_USER_NOT_FOUND,
                msg: format!("the server does not know user {}", self.login_user_id),
            });
        };
        let user = users.swap_remove(index);
        self.store.upsert_user(&user).await?;
        Ok(user)
    }
}

impl Users {
    /// A user's profile from the local cache, fetched from the server when missing.
    pub async fn cached(&self, user_id: &str) -> Result<Option<UserInfo>> {
        if let Some(user) = self.store.get_user(user_id).await? {
            return Ok(Some(user));
        }
        let found = self.get_users_info(vec![user_id.to_owned()]).await?.into_iter().find(|u| u.user_id == user_id);
        if let Some(user) = &found {
            self.store.upsert_user(user).await?;
        }
        Ok(found)
    }
}
