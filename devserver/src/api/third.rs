//! `/third/*`: push tokens, app badges and log uploads. devserver sends no offline pushes, so
//! these are accepted (with OpenIM's checks) and remembered only as far as a test can ask.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::third::*;

use super::envelope::{ApiResult, Body, ok_empty};
use super::{Caller, check_access};
use crate::error::CodeError;
use crate::state::SharedState;

pub async fn fcm_update_token(Body(req): Body<FcmUpdateTokenReq>) -> ApiResult {
    if req.fcm_token.is_empty() || req.platform_id <= 0 {
        return Err(CodeError::args("platformID and fcmToken are required"));
    }
    Ok(ok_empty())
}

pub async fn set_app_badge(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<SetAppBadgeReq>) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    if req.app_unread_count < 0 {
        return Err(CodeError::args("appUnreadCount must not be negative"));
    }
    Ok(ok_empty())
}

pub async fn upload_logs(Body(req): Body<UploadLogsReq>) -> ApiResult {
    if req.file_urls.is_empty() {
        return Err(CodeError::args("fileURLs is empty"));
    }
    Ok(ok_empty())
}
