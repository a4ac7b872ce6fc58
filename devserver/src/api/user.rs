//! `/user/*`.

use std::collections::HashSet;

use axum::Extension;
use axum::extract::State;
use openim_wire::api::user::*;
use openim_wire::errcode;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_admin};
use crate::error::CodeError;
use crate::state::SharedState;
use crate::store::now_ms;

pub async fn user_register(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<UserRegisterReq>,
) -> ApiResult {
    if req.users.is_empty() {
        return Err(CodeError::args("users is empty"));
    }
    check_admin(&state, &caller)?;
    let mut seen = HashSet::new();
    for u in &req.users {
        if !seen.insert(u.user_id.as_str()) {
            return Err(CodeError::args("userID repeated"));
        }
        if u.user_id.is_empty() {
            return Err(CodeError::args("userID is empty"));
        }
        if u.user_id.contains(':') {
            return Err(CodeError::args("userID contains ':' is invalid userID"));
        }
    }
    if !state.store.register_users(&req.users, now_ms()).await? {
        return Err(CodeError::new(errcode::REGISTERED_ALREADY, "userID registered already"));
    }
    Ok(ok_empty())
}

pub async fn get_users_info(
    State(state): State<SharedState>,
    Extension(_caller): Extension<Caller>,
    Body(req): Body<GetUsersInfoReq>,
) -> ApiResult {
    let users_info = state.store.find_users(&req.user_ids).await?;
    Ok(ok(GetUsersInfoResp { users_info }))
}

/// `update_user_info_ex`: the set fields change; 1303 to the user, and when nickname or face
/// changed, 1209 to everyone who has the user as a friend (their friend lists log it).
pub async fn update_user_info_ex(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<UpdateUserInfoExReq>,
) -> ApiResult {
    let Some(info) = req.user_info.filter(|u| !u.user_id.is_empty()) else {
        return Err(CodeError::args("userInfo.userID is required"));
    };
    super::check_access(&state, &caller, &info.user_id)?;
    if let Some(opt) = info.global_recv_msg_opt
        && !(0..=2).contains(&opt)
    {
        return Err(CodeError::args("globalRecvMsgOpt must be 0, 1 or 2"));
    }
    super::check_users(&state, &[&info.user_id]).await?;
    let renamed = state
        .store
        .update_user(&info.user_id, info.nickname.as_deref(), info.face_url.as_deref(), info.ex.as_deref(), info.global_recv_msg_opt)
        .await?;
    user_changed(&state, &caller, &info.user_id, renamed).await?;
    Ok(ok_empty())
}

/// `set_global_msg_recv_opt` (no access check in OpenIM either).
pub async fn set_global_msg_recv_opt(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetGlobalRecvMessageOptReq>,
) -> ApiResult {
    if req.user_id.is_empty() || !(0..=2).contains(&req.global_recv_msg_opt) {
        return Err(CodeError::args("userID and a globalRecvMsgOpt of 0, 1 or 2 are required"));
    }
    super::check_users(&state, &[&req.user_id]).await?;
    state.store.update_user(&req.user_id, None, None, None, Some(req.global_recv_msg_opt)).await?;
    user_changed(&state, &caller, &req.user_id, false).await?;
    Ok(ok_empty())
}

/// The notifications of a profile change.
async fn user_changed(state: &SharedState, caller: &Caller, user_id: &str, renamed: bool) -> Result<(), CodeError> {
    use openim_wire::constant::{content_type, session_type};
    let tips = openim_wire::elem::UserInfoUpdatedTips { user_id: user_id.to_owned() };
    // From whoever made the change: the user or an app manager (as OpenIM sends all three).
    let op = caller.user_id.as_str();
    crate::messaging::notify::notify(state, op, user_id, content_type::USER_INFO_UPDATED, session_type::SINGLE_CHAT, &tips).await?;
    if renamed {
        super::group::user_profile_changed(state, caller, user_id).await?;
        for owner in state.store.friend_owners_of(user_id).await? {
            state
                .store
                .bump_version(crate::store::versions::kind::FRIEND, &owner, &[user_id.to_owned()], crate::store::versions::Change::Update)
                .await?;
            crate::messaging::notify::notify(state, op, &owner, content_type::FRIEND_INFO_UPDATED, session_type::SINGLE_CHAT, &tips)
                .await?;
        }
    }
    Ok(())
}

/// `update_user_info` (the older route): the non-empty fields change.
pub async fn update_user_info(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<UpdateUserInfoReq>,
) -> ApiResult {
    let Some(info) = req.user_info.filter(|u| !u.user_id.is_empty()) else {
        return Err(CodeError::args("userInfo.userID is required"));
    };
    super::check_access(&state, &caller, &info.user_id)?;
    super::check_users(&state, &[&info.user_id]).await?;
    let set = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let (nickname, face_url, ex) = (set(&info.nickname), set(&info.face_url), set(&info.ex));
    let renamed = state.store.update_user(&info.user_id, nickname.as_deref(), face_url.as_deref(), ex.as_deref(), None).await?;
    user_changed(&state, &caller, &info.user_id, renamed).await?;
    Ok(ok_empty())
}

/// `get_users_online_status` (admin only, as OpenIM's gateway RPC): a bare array.
pub async fn get_users_online_status(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetUsersInfoReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    let statuses: Vec<OnlineStatusDetail> = req
        .user_ids
        .into_iter()
        .map(|user_id| {
            let conns = state.registry.conns_of(&user_id);
            OnlineStatusDetail {
                status: i32::from(!conns.is_empty()),
                detail_platform_status: conns
                    .iter()
                    .map(|c| PlatformStatus {
                        platform_id: c.platform_id,
                        conn_id: c.id.to_string(),
                        is_background: c.background.load(std::sync::atomic::Ordering::Relaxed),
                        token: c.token.clone(),
                    })
                    .collect(),
                user_id,
            }
        })
        .collect();
    Ok(ok(statuses))
}

/// `subscribe_users_status` and `get_subscribe_users_status`: stubs in OpenIM (presence goes
/// over the gateway), answered the same way.
pub async fn subscribe_users_status(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SubscribeUsersStatusReq>,
) -> ApiResult {
    super::check_access(&state, &caller, &req.user_id)?;
    Ok(ok(StatusListResp::default()))
}

/// `/user/get_user_client_config`: the client settings an app manager set for everyone, with
/// the user's own over them (everyone's only, for an empty `userID`, which any user may read).
pub async fn get_user_client_config(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetUserClientConfigReq>,
) -> ApiResult {
    if !req.user_id.is_empty() {
        super::check_access(&state, &caller, &req.user_id)?;
        super::check_users(&state, &[&req.user_id]).await?;
    }
    Ok(ok(GetUserClientConfigResp { configs: state.store.client_config_of(&req.user_id).await? }))
}

/// `/user/set_user_client_config` (app managers): sets each key named, for a user that exists or
/// for everyone (empty `userID`); other keys stay. Clients hear nothing; they read the settings
/// when they ask for them.
pub async fn set_user_client_config(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SetUserClientConfigReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    if !req.user_id.is_empty() {
        super::check_users(&state, &[&req.user_id]).await?;
    }
    state.store.set_client_config(&req.user_id, &req.configs).await?;
    Ok(ok_empty())
}

/// `/user/del_user_client_config` (app managers): removes the keys named of a user or of
/// everyone (empty `userID`); keys not set are no error.
pub async fn del_user_client_config(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<DelUserClientConfigReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    state.store.del_client_config(&req.user_id, &req.keys).await?;
    Ok(ok_empty())
}

/// `/user/page_user_client_config` (app managers): the stored settings, filtered by `userID` and
/// `key` unless empty, a page at a time (a page size of 0 or less: the total alone, as OpenIM).
pub async fn page_user_client_config(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<PageUserClientConfigReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    let (offset, limit) = super::window(&req.pagination);
    let (total, configs) = state.store.page_client_config(&req.user_id, &req.key, offset, limit).await?;
    Ok(ok(PageUserClientConfigResp { total, configs }))
}

/// `/user/add_notification_account` (app managers): a user that sends OA notifications and
/// cannot log in. Without a `userID` one of ten digits is made, as OpenIM's `genUserID`.
pub async fn add_notification_account(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<AddNotificationAccountReq>,
) -> ApiResult {
    // OpenIM's `Check()` runs before the call's own checks.
    if req.nick_name.is_empty() {
        return Err(CodeError::args("nickName is empty"));
    }
    check_admin(&state, &caller)?;
    if req.app_manger_level < openim_wire::constant::app_level::NOTIFICATION_ACCOUNT {
        return Err(CodeError::args("app level not supported"));
    }
    let mut account = UserInfo {
        user_id: req.user_id,
        nickname: req.nick_name,
        face_url: req.face_url,
        app_manger_level: req.app_manger_level,
        ..Default::default()
    };
    let generated = account.user_id.is_empty();
    for _ in 0..20 {
        if generated {
            account.user_id = std::iter::once(char::from(b'1' + fastrand::u8(..9)))
                .chain((0..9).map(|_| char::from(b'0' + fastrand::u8(..10))))
                .collect();
        }
        if state.store.register_users(std::slice::from_ref(&account), now_ms()).await? {
            return Ok(ok(NotificationAccountInfo {
                user_id: account.user_id,
                face_url: account.face_url,
                nick_name: account.nickname,
                app_manger_level: account.app_manger_level,
            }));
        }
        if !generated {
            return Err(CodeError::args("userID is used"));
        }
    }
    Err(CodeError::internal("gen user id failed"))
}

/// `/user/update_notification_account` (app managers): the non-empty nickname and face are set
/// (on any existing user, as OpenIM's); no notification is sent.
pub async fn update_notification_account(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<UpdateNotificationAccountInfoReq>,
) -> ApiResult {
    if req.user_id.is_empty() {
        return Err(CodeError::args("userID is empty"));
    }
    if req.face_url.is_empty() && req.nick_name.is_empty() {
        return Err(CodeError::args("faceURL and nickName is empty at the same"));
    }
    check_admin(&state, &caller)?;
    if state.store.find_user(&req.user_id).await?.is_none() {
        return Err(CodeError::args(format!("user {} not found", req.user_id)));
    }
    let set = |v: &str| (!v.is_empty()).then_some(v.to_owned());
    state.store.update_user(&req.user_id, set(&req.nick_name).as_deref(), set(&req.face_url).as_deref(), None, None).await?;
    Ok(ok_empty())
}

/// `/user/search_notification_account` (app managers): by user ID, else by nickname, or all;
/// `appManagerLevel` keeps one level; one page of them with the total count.
pub async fn search_notification_account(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<SearchNotificationAccountReq>,
) -> ApiResult {
    if req.pagination.page_number < 1 {
        return Err(CodeError::args("pageNumber is invalid"));
    }
    check_admin(&state, &caller)?;
    use crate::store::AccountsBy;
    let accounts = |users: Vec<UserInfo>| -> Vec<NotificationAccountInfo> {
        users
            .into_iter()
            .filter(|u| !state.auth.is_admin(&u.user_id) && req.app_manager_level.is_none_or(|l| l == u.app_manger_level))
            .map(|u| NotificationAccountInfo { user_id: u.user_id, face_url: u.face_url, nick_name: u.nickname, app_manger_level: u.app_manger_level })
            .collect()
    };
    // By ID, and when that finds none (once filtered) by nickname; all without a keyword.
    let found = if req.keyword.is_empty() {
        accounts(state.store.notification_accounts(AccountsBy::All).await?)
    } else {
        let by_id = accounts(state.store.notification_accounts(AccountsBy::UserId(&req.keyword)).await?);
        if by_id.is_empty() { accounts(state.store.notification_accounts(AccountsBy::Nickname(&req.keyword)).await?) } else { by_id }
    };
    let total = found.len() as i64;
    // OpenIM's `Paginate` (pages from 1): a size of 0 or less is an empty page.
    let size = usize::try_from(req.pagination.show_number).unwrap_or(0);
    let start = usize::try_from(req.pagination.page_number - 1).unwrap_or(usize::MAX).saturating_mul(size);
    let page_of = found.into_iter().skip(start).take(size).collect();
    Ok(ok(SearchNotificationAccountResp { total, notification_accounts: page_of }))
}
