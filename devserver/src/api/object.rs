//! `/object/*`: OpenIM's multipart uploads, kept in memory. `initiate_multipart_upload` hands out
//! one signed URL per part (`PUT /object-upload/<uploadID>/<part>`), `complete_multipart_upload`
//! joins the parts into the object, which `GET /object/<name>` serves. An object already
//! uploaded with the same hash is not uploaded again. Objects live as long as the server.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use md5::Digest as _;
use openim_wire::api::object::*;

use super::envelope::{ApiResult, Body, ok};
use super::Caller;
use crate::error::CodeError;
use crate::state::SharedState;
use crate::store::now_ms;

const MAX_PARTS: i64 = 10_000;
/// The largest part an upload may use (a part is held in memory while it arrives).
const MAX_PART_SIZE: i64 = 64 * 1024 * 1024;
/// Bytes all objects and pending parts may take together.
const MAX_STORED: usize = 512 * 1024 * 1024;
/// How long an upload's signed URLs stay valid.
const UPLOAD_TTL_MS: i64 = 3_600_000;

struct Upload {
    /// Who started it: only they may sign its parts or complete it.
    owner: String,
    name_hash: String,
    part_size: i64,
    parts: HashMap<i32, Vec<u8>>,
    expire_time: i64,
}

struct Object {
    content_type: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
pub struct Objects {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    uploads: HashMap<String, Upload>,
    objects: HashMap<String, Object>,
    /// Names of stored objects by content hash.
    by_hash: HashMap<String, String>,
    stored: usize,
}

/// OpenIM's part size: at least the smallest part (5 MiB unless configured), and no more than
/// 10 000 parts.
fn part_size(size: i64, min_part_size: i64) -> Result<i64, CodeError> {
    if size <= 0 {
        return Err(CodeError::args("size must be greater than 0"));
    }
    if size <= min_part_size * MAX_PARTS {
        return Ok(min_part_size);
    }
    Ok((size + MAX_PARTS - 1) / MAX_PARTS)
}

/// The base URL clients reach this server at: the `X-Request-Api` header, else this host.
fn base_url(headers: &HeaderMap) -> String {
    let api = headers.get("X-Request-Api").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !api.is_empty() {
        return format!("{}/", api.trim_end_matches('/'));
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}/")
}

/// Where a stored object is served.
fn object_url(base: &str, name: &str) -> String {
    format!("{base}object/{name}")
}

/// The signed URL a part is `PUT` to.
fn sign_part(base: &str, upload_id: &str, part_number: i32) -> SignPart {
    SignPart { part_number, url: format!("{base}object-upload/{upload_id}/{part_number}"), ..Default::default() }
}

fn check_name(state: &SharedState, caller: &Caller, name: &str) -> Result<(), CodeError> {
    if name.is_empty() || name.starts_with('/') {
        return Err(CodeError::args("name is invalid"));
    }
    if !state.auth.is_admin(&caller.user_id) && !name.starts_with(&format!("{}/", caller.user_id)) {
        return Err(CodeError::no_permission(format!("name must start with {}/", caller.user_id)));
    }
    Ok(())
}

pub async fn part_size_route(State(state): State<SharedState>, Body(req): Body<PartSizeReq>) -> ApiResult {
    Ok(ok(PartSizeResp { size: part_size(req.size, state.config.min_part_size)? }))
}

pub async fn initiate_multipart_upload(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(req): Body<InitiateMultipartUploadReq>,
) -> ApiResult {
    check_name(&state, &caller, &req.name)?;
    if req.hash.is_empty() {
        return Err(CodeError::args("hash is empty"));
    }
    let base = base_url(&headers);
    // As OpenIM: the server's own part size (the client checks it is the one it used).
    let part = part_size(req.size, state.config.min_part_size)?;
    if usize::try_from(req.size).map_or(true, |s| s > MAX_STORED) {
        return Err(CodeError::args("size is invalid"));
    }
    let count = (req.size + part - 1) / part;
    // OpenIM's check, as it is written: more signatures asked for than there are parts.
    if req.max_parts > 0 && count < i64::from(req.max_parts) {
        return Err(CodeError::args(format!("too many parts: {count}")));
    }
    let mut inner = state.objects.inner.lock().expect("objects");
    if let Some(existing) = inner.by_hash.get(&req.hash).cloned() {
        // As OpenIM: the content is there already; the new name points at it.
        let Inner { objects, stored, .. } = &mut *inner;
        if existing != req.name
            && let Some(object) = objects.get(&existing)
        {
            let copy = Object { content_type: req.content_type.clone(), bytes: object.bytes.clone() };
            *stored += copy.bytes.len();
            if let Some(old) = objects.insert(req.name.clone(), copy) {
                *stored -= old.bytes.len();
            }
        }
        return Ok(ok(InitiateMultipartUploadResp { url: object_url(&base, &req.name), upload: None }));
    }
    let upload_id = crate::messaging::send::new_msg_id(&caller.user_id);
    // As OpenIM: the first `maxParts` parts come signed (none for 0, no signature at all when
    // negative); the client asks `/object/auth_sign` for the others.
    let signed = if req.max_parts < 0 { 0 } else { count.min(i64::from(req.max_parts)) };
    let parts = (1..=signed as i32).map(|n| sign_part(&base, &upload_id, n)).collect();
    let expire_time = now_ms() + UPLOAD_TTL_MS;
    inner.uploads.insert(upload_id.clone(), Upload { owner: caller.user_id.clone(), name_hash: req.hash, part_size: part, parts: HashMap::new(), expire_time });
    let sign = (req.max_parts >= 0).then(|| AuthSignParts { url: format!("{base}object-upload/{upload_id}"), parts, ..Default::default() });
    Ok(ok(InitiateMultipartUploadResp { url: String::new(), upload: Some(UploadInfo { upload_id, part_size: part, sign, expire_time }) }))
}

/// The upload URL takes a body as large as the largest part (axum's default is 2 MB).
pub fn part_body_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_PART_SIZE as usize + 1)
}

/// `PUT` of one part to its signed URL.
pub async fn put_part(State(state): State<SharedState>, Path((upload_id, part)): Path<(String, i32)>, body: Bytes) -> Response {
    let mut inner = state.objects.inner.lock().expect("objects");
    let Inner { uploads, stored, .. } = &mut *inner;
    let Some(upload) = uploads.get_mut(&upload_id).filter(|u| u.expire_time > now_ms()) else {
        return (StatusCode::NOT_FOUND, "no such upload").into_response();
    };
    if body.len() as i64 > upload.part_size || *stored + body.len() > MAX_STORED {
        return (StatusCode::PAYLOAD_TOO_LARGE, "part too large").into_response();
    }
    *stored += body.len();
    let etag = format!("{:x}", md5::Md5::digest(&body));
    if let Some(old) = upload.parts.insert(part, body.to_vec()) {
        *stored -= old.len();
    }
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

pub async fn complete_multipart_upload(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(req): Body<CompleteMultipartUploadReq>,
) -> ApiResult {
    check_name(&state, &caller, &req.name)?;
    let base = base_url(&headers);
    let mut inner = state.objects.inner.lock().expect("objects");
    // Another user's upload is as unknown as a missing one.
    let Some(upload) = inner.uploads.get(&req.upload_id).filter(|u| u.owner == caller.user_id) else {
        return Err(CodeError::new(openim_wire::errcode::RECORD_NOT_FOUND, "upload not found"));
    };
    // As object storage: a completion naming a missing or different part is refused and the
    // upload stays, to be completed right.
    let mut bytes = Vec::new();
    for (n, md5) in (1..).zip(&req.parts) {
        let Some(p) = upload.parts.get(&n) else {
            return Err(CodeError::args(format!("part {n} was not uploaded")));
        };
        // Object storage checks each part's ETag (its md5) the same way.
        if !md5.eq_ignore_ascii_case(&format!("{:x}", md5::Md5::digest(p))) {
            return Err(CodeError::args(format!("part {n} does not match its md5")));
        }
        bytes.extend_from_slice(p);
    }
    let Some(upload) = inner.uploads.remove(&req.upload_id) else {
        return Err(CodeError::new(openim_wire::errcode::RECORD_NOT_FOUND, "upload not found"));
    };
    // Its parts no longer count as pending.
    inner.stored -= upload.parts.values().map(Vec::len).sum::<usize>();
    inner.stored += bytes.len();
    if let Some(old) = inner.objects.insert(req.name.clone(), Object { content_type: req.content_type, bytes }) {
        inner.stored -= old.bytes.len();
    }
    inner.by_hash.insert(upload.name_hash, req.name.clone());
    Ok(ok(CompleteMultipartUploadResp { url: object_url(&base, &req.name) }))
}

/// `GET /object/<name>`: the object's bytes.
pub async fn get_object(State(state): State<SharedState>, Path(name): Path<String>) -> Response {
    let inner = state.objects.inner.lock().expect("objects");
    match inner.objects.get(&name) {
        Some(o) => {
            let mut resp = o.bytes.clone().into_response();
            if let Ok(v) = HeaderValue::from_str(if o.content_type.is_empty() { "application/octet-stream" } else { &o.content_type }) {
                resp.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            resp
        }
        None => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
    }
}

pub async fn part_limit(State(state): State<SharedState>) -> ApiResult {
    Ok(ok(PartLimitResp { min_part_size: state.config.min_part_size, max_part_size: MAX_PART_SIZE, max_num_size: MAX_PARTS as i32 }))
}

/// `/object/auth_sign`: the signed URLs of some parts of a running upload.
pub async fn auth_sign(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(req): Body<AuthSignReq>,
) -> ApiResult {
    let base = base_url(&headers);
    let inner = state.objects.inner.lock().expect("objects");
    let Some(upload) = inner.uploads.get(&req.upload_id).filter(|u| u.owner == caller.user_id) else {
        return Err(CodeError::new(openim_wire::errcode::RECORD_NOT_FOUND, "upload not found"));
    };
    if upload.expire_time <= now_ms() {
        return Err(CodeError::new(openim_wire::errcode::FILE_UPLOADED_EXPIRED, "upload expired"));
    }
    let parts = req.part_numbers.iter().map(|&n| sign_part(&base, &req.upload_id, n)).collect();
    Ok(ok(AuthSignResp { url: format!("{base}object-upload/{}", req.upload_id), parts, ..Default::default() }))
}

/// `/object/access_url`: where a stored object can be read.
pub async fn access_url(State(state): State<SharedState>, headers: HeaderMap, Body(req): Body<AccessUrlReq>) -> ApiResult {
    if !state.objects.inner.lock().expect("objects").objects.contains_key(&req.name) {
        return Err(CodeError::new(openim_wire::errcode::RECORD_NOT_FOUND, format!("object {} not found", req.name)));
    }
    Ok(ok(AccessUrlResp { url: object_url(&base_url(&headers), &req.name), expire_time: now_ms() + UPLOAD_TTL_MS }))
}
