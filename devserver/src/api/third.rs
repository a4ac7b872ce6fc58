//! `/third/*`: push tokens, app badges and log uploads. devserver sends no offline pushes, so
//! tokens and badges are accepted (with OpenIM's checks) and dropped; uploaded logs are kept
//! for the app's managers.

use axum::Extension;
use axum::extract::State;
use openim_wire::api::third::*;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access, check_admin};
use crate::error::CodeError;
use crate::state::SharedState;
use crate::store::{LogUpload, now_ms};

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

/// `/third/logs/upload`: a record per file, for the caller (any user; OpenIM checks nothing
/// else either), found by the app's managers through `/third/logs/search`.
pub async fn upload_logs(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<UploadLogsReq>) -> ApiResult {
    if req.file_urls.is_empty() {
        return Err(CodeError::args("fileURLs is empty"));
    }
    let upload = LogUpload {
        user_id: &caller.user_id,
        platform: openim_wire::constant::platform::name(req.platform).unwrap_or_default(),
        app_framework: &req.app_framework,
        version: &req.version,
        ex: &req.ex,
        create_time: now_ms(),
    };
    state.store.add_logs(&upload, &req.file_urls).await?;
    Ok(ok_empty())
}

/// `/third/logs/search` (app managers): the uploaded logs, newest first, a page at a time;
/// `systemType` carries the client's `appFramework`.
pub async fn search_logs(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<SearchLogsReq>) -> ApiResult {
    check_admin(&state, &caller)?;
    if req.start_time > req.end_time {
        return Err(CodeError::args("startTime>endTime"));
    }
    let (start, end) = if req.start_time == 0 && req.end_time == 0 { (0, i64::MAX) } else { (req.start_time, req.end_time) };
    let (offset, limit) = super::window(&req.pagination);
    let (total, logs_infos) = state.store.search_logs(&req.keyword, start, end, offset, limit).await?;
    Ok(ok(SearchLogsResp { logs_infos, total: u32::try_from(total).unwrap_or(u32::MAX) }))
}

/// `/third/logs/delete` (app managers): all of the logs named, or none (1004) when one is
/// unknown.
pub async fn delete_logs(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<DeleteLogsReq>) -> ApiResult {
    check_admin(&state, &caller)?;
    if !state.store.delete_logs(&req.log_ids).await? {
        return Err(CodeError::new(openim_wire::errcode::RECORD_NOT_FOUND, "logIDs not found"));
    }
    Ok(ok_empty())
}
