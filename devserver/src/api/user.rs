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
