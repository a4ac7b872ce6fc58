//! `/auth/*`.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::auth::*;
use openim_wire::constant::platform;
use openim_wire::errcode;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_admin};
use crate::error::CodeError;
use crate::state::SharedState;

pub async fn get_admin_token(State(state): State<SharedState>, Body(req): Body<GetAdminTokenReq>) -> ApiResult {
    if req.secret != state.config.secret {
        return Err(CodeError::no_permission("secret invalid"));
    }
    if !state.auth.is_admin(&req.user_id) {
        return Err(CodeError::args(format!("userID is error., userID={}", req.user_id)));
    }
    if state.store.find_user(&req.user_id).await?.is_none() {
        return Err(CodeError::new(errcode::USER_ID_NOT_FOUND, req.user_id));
    }
    let token = state.auth.create_token(&req.user_id, platform::ADMIN).await?;
    Ok(ok(TokenResp { token, expire_time_seconds: state.auth.expire_seconds() }))
}

pub async fn get_user_token(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetUserTokenReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    if req.platform_id == platform::ADMIN {
        return Err(CodeError::no_permission("platformID invalid. platformID must not be adminPlatformID"));
    }
    if !platform::is_valid(req.platform_id) {
        return Err(CodeError::args(format!("platformID {} is invalid", req.platform_id)));
    }
    if state.auth.is_admin(&req.user_id) {
        return Err(CodeError::no_permission("don't get Admin token"));
    }
    let Some(user) = state.store.find_user(&req.user_id).await? else {
        return Err(CodeError::new(errcode::USER_ID_NOT_FOUND, format!("userID {} not found", req.user_id)));
    };
    if user.app_manger_level >= openim_wire::constant::app_level::NOTIFICATION_ACCOUNT {
        return Err(CodeError::args("app account can`t get token"));
    }
    let token = state.auth.create_token(&req.user_id, req.platform_id).await?;
    Ok(ok(TokenResp { token, expire_time_seconds: state.auth.expire_seconds() }))
}

pub async fn parse_token(State(state): State<SharedState>, Body(req): Body<ParseTokenReq>) -> ApiResult {
    let claims = state.auth.parse_token(&req.token).await?;
    Ok(ok(ParseTokenResp {
        user_id: claims.user_id,
        platform_id: claims.platform_id,
        expire_time_seconds: claims.exp,
    }))
}

pub async fn force_logout(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<ForceLogoutReq>,
) -> ApiResult {
    check_admin(&state, &caller)?;
    for conn in state.registry.take_platform(&req.user_id, req.platform_id) {
        conn.kick();
    }
    state.auth.kick_tokens(&req.user_id, req.platform_id, None).await?;
    Ok(ok_empty())
}
