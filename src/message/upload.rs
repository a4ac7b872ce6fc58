//! Uploads to the server's object storage, as OpenIM's core does them (`UploadFile` over
//! `/object/*`): the part size follows the server's limits, each part is hashed and the file
//! named by the md5 of the parts' md5s, a file the server already holds is not sent again, the
//! parts are `PUT` to the URLs the server signs (more signatures asked for as the upload goes),
//! each part hashed again as it is sent, and the object's URL comes back — for
//! `create_*_message_by_url` or the app's own use.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use md5::{Digest, Md5};
use openim_wire::api::object::{
    AuthSignParts, AuthSignReq, AuthSignResp, CompleteMultipartUploadReq, CompleteMultipartUploadResp, InitiateMultipartUploadReq,
    InitiateMultipartUploadResp, PartLimitResp, SignPart,
};
use openim_wire::api::third::{FileUrl, UploadLogsReq};
use openim_wire::api::{Empty, path};
use openim_wire::errcode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::sync::CancellationToken as Token;

use super::Messages;
use crate::error::{OpenIMError, Result};
use crate::store::rows::UploadRow;

/// Most log files one `upload_logs` takes.
const MAX_LOG_FILES: usize = 20;

/// What `/third/logs/upload` names as the client's framework (OpenIM's core sends its
/// configured system type there, such as "android" or "flutter").
const APP_FRAMEWORK: &str = "openim-sdk-rs";

/// One file's progress as part of several: the bytes of the files before it added (a file still
/// growing as it is read cannot take the sum past the total).
struct Overall {
    inner: Arc<dyn UploadProgressListener>,
    before: i64,
    total: i64,
}

impl UploadProgressListener for Overall {
    fn on_progress(&self, uploaded: i64, _file_size: i64) {
        self.inner.on_progress(self.before.saturating_add(uploaded).min(self.total), self.total);
    }
}

/// Told how far an upload got: bytes sent (or found on the server) out of the file's size.
/// Called on the uploading task, after each part; keep it quick.
#[uniffi::export(foreign)]
pub trait UploadProgressListener: Send + Sync {
    fn on_progress(&self, uploaded: i64, total: i64);
}

/// Stops an upload the app started: pass it to `uploadFile` as its `cancel` and call `cancel()`
/// (a message's upload is stopped with `cancelSendingMessage`). The upload stops at once and its
/// call fails with `Cancelled` (10003); the parts already on the server stay there, so the next
/// upload of the same content goes on from them. One token may stop several uploads; cancelled,
/// it stays cancelled.
#[derive(Default, uniffi::Object)]
pub struct CancellationToken {
    token: Token,
}

#[uniffi::export]
impl CancellationToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the uploads given this token, and any given it later.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl CancellationToken {
    /// A token cancelled with this one, or on its own.
    pub fn child(&self) -> Token {
        self.token.child_token()
    }
}

tokio::task_local! {
    /// The token of the uploads `work` runs in [`unless_cancelled`]: checked again before each
    /// part goes, as a part handed to the HTTP client goes even when its call is dropped.
    static CANCEL: Token;
}

/// `work`, unless `cancel` is cancelled first (checked first: a token cancelled before the call
/// stops it before it starts). What `work` was doing is dropped at its next wait, and no part
/// is sent after the cancel.
async fn unless_cancelled<T>(cancel: &Token, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(cancelled()),
        done = CANCEL.scope(cancel.clone(), work) => done,
    }
}

fn cancelled() -> OpenIMError {
    OpenIMError::cancelled("the upload was cancelled")
}

/// Signatures asked for at a time (OpenIM's core asks for 20).
const SIGN_BATCH: usize = 20;
/// The largest part this SDK reads into memory (a server asking for more is refused).
const MAX_PART_IN_MEMORY: i64 = 64 * 1024 * 1024;

/// The content type of a file name's extension (the common ones; else a byte stream).
pub(super) fn content_type_of(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "amr" => "audio/amr",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Copies the last `lines` lines of the file at `from` (all of it when it has fewer; a line
/// break ending the file ends its last line) to a new file `to`, reading back from the end.
fn write_last_lines(from: &std::path::Path, lines: u32, to: &std::path::Path) -> std::io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(from)?;
    let len = file.seek(SeekFrom::End(0))?;
    let mut start = 0;
    let mut breaks = 0;
    let mut block = vec![0u8; 64 * 1024];
    let mut end = len;
    'back: while end > 0 {
        let n = end.min(block.len() as u64) as usize;
        end -= n as u64;
        file.seek(SeekFrom::Start(end))?;
        file.read_exact(&mut block[..n])?;
        for i in (0..n).rev() {
            let at = end + i as u64;
            if block[i] == b'\n' && at + 1 != len {
                breaks += 1;
                if breaks == lines {
                    start = at + 1;
                    break 'back;
                }
            }
        }
    }
    file.seek(SeekFrom::Start(start))?;
    let mut out = std::fs::OpenOptions::new().write(true).create_new(true).open(to)?;
    std::io::copy(&mut file.take(len - start), &mut out)
}

/// Removes a file of the SDK's own when dropped.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The most parts one upload is split into (S3's limit).
const MAX_PARTS: i64 = 10_000;

/// OpenIM's part size for `size` bytes under the server's limits.
fn part_size(size: i64, limit: &PartLimitResp) -> Result<i64> {
    let (min, max, count) = (limit.min_part_size, limit.max_part_size, i64::from(limit.max_num_size));
    if min <= 0 || max < min || count <= 0 {
        return Err(OpenIMError::protocol("the server's part limits make no sense"));
    }
    if size > max.saturating_mul(count) {
        return Err(OpenIMError::invalid_argument(format!("the file is larger than the server takes ({} bytes)", max.saturating_mul(count))));
    }
    let part = if size <= min.saturating_mul(count) { min } else { (size + count - 1) / count };
    // Never more than MAX_PARTS parts: larger parts where the server allows them.
    let part = part.max((size + MAX_PARTS - 1) / MAX_PARTS).min(max.max(min));
    if part > MAX_PART_IN_MEMORY {
        return Err(OpenIMError::protocol(format!("the server asks for parts of {part} bytes; at most {MAX_PART_IN_MEMORY} are read at once")));
    }
    // Each part is a hash, a signed URL and a request: a server allowing tiny parts in any
    // number would have a file sent a few bytes at a time.
    let parts = (size + part - 1) / part;
    if parts > MAX_PARTS {
        return Err(OpenIMError::protocol(format!("the server's part limits split this file into {parts} parts; at most {MAX_PARTS} are sent")));
    }
    Ok(part)
}

/// OpenIM's object name: `<userID>/<name>` (a leading `/` dropped, the prefix not doubled).
fn object_name(user_id: &str, name: &str) -> Result<String> {
    let name = name.strip_prefix('/').unwrap_or(name);
    if name.is_empty() || name.contains('\\') || name.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
        return Err(OpenIMError::invalid_argument("the name must be a relative path without '.', '..' or empty parts"));
    }
    let prefix = format!("{user_id}/");
    Ok(if name.starts_with(&prefix) { name.to_owned() } else { format!("{prefix}{name}") })
}

/// Go's `url.QueryEscape`: RFC 3986's unreserved characters kept, everything else `%XX`, a space
/// then written `+`.
const GO_QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn go_query_escape(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, GO_QUERY).to_string().replace("%20", "+")
}

/// The query of `url`, decoded, by key.
pub(super) fn query_of(url: &url::Url) -> BTreeMap<String, Vec<String>> {
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in url.query_pairs() {
        query.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    query
}

/// Sets `url`'s query to `query` as Go's `url.Values.Encode` writes it (keys sorted), so that
/// signed values reach the server as OpenIM's core sends them.
pub(super) fn set_go_query(url: &mut url::Url, query: &BTreeMap<String, Vec<String>>) {
    let encoded: Vec<String> =
        query.iter().flat_map(|(k, vs)| vs.iter().map(move |v| format!("{}={}", go_query_escape(k), go_query_escape(v)))).collect();
    url.set_query((!encoded.is_empty()).then(|| encoded.join("&")).as_deref());
}

/// md5 (hex) of each part and OpenIM's hash of the file: the md5 of those, joined by commas.
fn file_hash(part_md5s: &[String]) -> String {
    format!("{:x}", Md5::digest(part_md5s.join(",").as_bytes()))
}

/// Where part `part` is `PUT`: its URL (else the upload's) with the signed query set over the
/// URL's own, and the signed headers (the part's over the upload's), as OpenIM's core builds it.
fn part_request(sign: &AuthSignParts, part: &SignPart) -> Result<(url::Url, Vec<(String, String)>)> {
    let raw = if part.url.is_empty() { &sign.url } else { &part.url };
    let mut url = url::Url::parse(raw).map_err(|_| OpenIMError::protocol(format!("part {} has no valid signed URL", part.part_number)))?;
    if !sign.query.is_empty() || !part.query.is_empty() {
        let mut query = query_of(&url);
        for kv in sign.query.iter().chain(&part.query) {
            query.insert(kv.key.clone(), kv.values.clone());
        }
        set_go_query(&mut url, &query);
    }
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for kv in sign.header.iter().chain(&part.header) {
        headers.insert(kv.key.clone(), kv.values.clone());
    }
    Ok((url, headers.into_iter().flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.clone(), v))).collect()))
}

impl Messages {
    /// Uploads the file at `file_path` as `name` (its file name when `None`; kept under the
    /// user's ID) and returns its URL; `cancel` stops it.
    pub async fn upload_file(
        &self,
        file_path: String,
        name: Option<String>,
        content_type: Option<String>,
        progress: Option<Arc<dyn UploadProgressListener>>,
        cancel: Token,
    ) -> Result<String> {
        unless_cancelled(&cancel, self.upload(&file_path, name, content_type, "", progress.as_ref())).await
    }

    /// OpenIM's `UploadLogs` for log files the app kept (the SDK's own log goes to the app's
    /// `LogSink`, or stderr; it writes no files): each file is uploaded (cause `sdklog`, named
    /// `sdk_log_<user>_<framework>_<platform>_<version>_<ms>_<n>_<file>`, OpenIM's core's name
    /// for its zip with the file's own after it: each upload a new object), then the server is
    /// told where they are (`/third/logs/upload`, `ex` with them). With `line` above 0, only the
    /// last `line` lines of the last file (the newest, as OpenIM's core takes them). `progress`
    /// hears the bytes of all the files together. Every file is checked before the first is
    /// sent; one upload at a time (10005 while one runs, as OpenIM's core).
    pub async fn upload_logs(&self, file_paths: Vec<String>, line: u32, ex: String, progress: Option<Arc<dyn UploadProgressListener>>) -> Result<()> {
        if file_paths.is_empty() || file_paths.len() > MAX_LOG_FILES {
            return Err(OpenIMError::invalid_argument(format!("give 1 to {MAX_LOG_FILES} log files")));
        }
        let _one = self.uploading_logs.try_lock().map_err(|_| OpenIMError::InvalidArgument {
            code: openim_wire::errcode::SDK_UNKNOWN,
            msg: "log files are uploading".into(),
        })?;
        for path in &file_paths {
            super::media::file_size("a log file's path", path).await?;
        }
        // The tail is a file of its own beside the database, removed when this returns.
        let (file_paths, _tail) = if line == 0 {
            (file_paths, None)
        } else {
            let newest = file_paths.last().cloned().unwrap_or_default();
            let name = std::path::Path::new(&newest).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = self.ctx.store.files_dir();
            let to = dir.join(format!("log_tail_{}_{name}", crate::util::now_ms()));
            let written = to.clone();
            // Removed whatever happens from here (a failed or abandoned copy included).
            let tail = RemoveOnDrop(to.clone());
            let copied = tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                write_last_lines(std::path::Path::new(&newest), line, &written)
            })
            .await
            .map_err(|e| OpenIMError::internal(format!("the log tail was not written: {e}")))?;
            copied.map_err(|e| OpenIMError::invalid_argument(format!("the log file's last lines cannot be read: {e}")))?;
            (vec![to.to_string_lossy().into_owned()], Some(tail))
        };
        let mut sizes = Vec::with_capacity(file_paths.len());
        for path in &file_paths {
            sizes.push(super::media::file_size("a log file's path", path).await?);
        }
        let total = sizes.iter().fold(0i64, |a, b| a.saturating_add(*b));
        let platform = openim_wire::constant::platform::name(self.ctx.platform_id).unwrap_or("Unknown");
        let version = openim_wire::constant::defaults::SDK_VERSION;
        let mut file_urls = Vec::with_capacity(file_paths.len());
        let mut before = 0i64;
        let now = crate::util::now_ms();
        for (n, (path, size)) in file_paths.into_iter().zip(sizes).enumerate() {
            let file = std::path::Path::new(&path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let name = format!("sdk_log_{}_{APP_FRAMEWORK}_{platform}_{version}_{now}_{n}_{file}", self.ctx.user_id);
            let overall = progress.clone().map(|inner| Arc::new(Overall { inner, before, total }) as Arc<dyn UploadProgressListener>);
            let url = self.upload(&path, Some(name), None, "sdklog", overall.as_ref()).await?;
            before = before.saturating_add(size);
            file_urls.push(FileUrl { filename: path, url });
        }
        let req = UploadLogsReq {
            platform: self.ctx.platform_id,
            file_urls,
            app_framework: APP_FRAMEWORK.to_owned(),
            version: version.to_owned(),
            ex,
        };
        self.ctx.api.post::<_, Empty>(path::UPLOAD_LOGS, &req).await?;
        Ok(())
    }

    /// The token that stops the upload of message `client_msg_id`, registered until the guard's
    /// upload is done or the guard dropped. Sends of the same message at once share one registration, kept
    /// while any of them holds it; one already cancelled (its sends are ending) is replaced.
    pub(super) fn sending_upload(&self, client_msg_id: &str) -> SendingUpload {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut sending = self.sending_uploads.lock().expect("sending uploads lock");
        let entry = match sending.get_mut(client_msg_id) {
            Some(entry) if !entry.token.is_cancelled() => {
                entry.holders += 1;
                entry
            }
            _ => {
                let generation = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                sending.insert(client_msg_id.to_owned(), Registration { generation, token: Token::new(), holders: 1 });
                sending.get_mut(client_msg_id).expect("just inserted")
            }
        };
        SendingUpload {
            sending: self.sending_uploads.clone(),
            held: Some((client_msg_id.to_owned(), entry.generation)),
            token: entry.token.clone(),
        }
    }

    /// Stops the upload of message `client_msg_id`, when one is under way (or its send has not
    /// reached it yet): its send fails with `Cancelled` and the message is kept failed.
    pub fn cancel_sending(&self, client_msg_id: &str) -> bool {
        match self.sending_uploads.lock().expect("sending uploads lock").get(client_msg_id) {
            Some(registration) => {
                registration.token.cancel();
                true
            }
            None => false,
        }
    }

    /// [`Self::upload_file`] with OpenIM's `cause` (why the object is stored: `msg-picture`, …).
    pub(super) async fn upload(
        &self,
        file_path: &str,
        name: Option<String>,
        content_type: Option<String>,
        cause: &str,
        progress: Option<&Arc<dyn UploadProgressListener>>,
    ) -> Result<String> {
        let unreadable = |e: std::io::Error| OpenIMError::invalid_argument(format!("cannot read {file_path}: {e}"));
        let changed = |while_: &str| OpenIMError::invalid_argument(format!("{file_path} changed while it was {while_}"));
        let mut file = tokio::fs::File::open(file_path).await.map_err(unreadable)?;
        let meta = file.metadata().await.map_err(unreadable)?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(OpenIMError::invalid_argument(format!("{file_path} is not a file with content")));
        }
        let size = i64::try_from(meta.len()).map_err(|_| OpenIMError::invalid_argument("the file is too large"))?;
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => std::path::Path::new(file_path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        let object_name = object_name(&self.ctx.user_id, &name)?;
        let content_type = content_type.filter(|c| !c.is_empty()).unwrap_or_else(|| content_type_of(&name).to_owned());
        let tell = |done: i64| {
            if let Some(p) = progress {
                // A listener that throws loses only its own progress call.
                let _ = catch_unwind(AssertUnwindSafe(|| p.on_progress(done, size)));
            }
        };

        let limit: PartLimitResp = self.ctx.api.post(path::OBJECT_PART_LIMIT, &Empty {}).await?;
        let part_size = part_size(size, &limit)?;
        let part_sizes: Vec<usize> =
            (0..(size + part_size - 1) / part_size).map(|i| (part_size.min(size - i * part_size)) as usize).collect();
        let mut part_md5s = Vec::with_capacity(part_sizes.len());
        let mut buf = vec![0u8; 64 * 1024];
        for &len in &part_sizes {
            let mut hasher = Md5::new();
            let mut left = len;
            while left > 0 {
                let n = left.min(buf.len());
                file.read_exact(&mut buf[..n]).await.map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => changed("read"),
                    _ => unreadable(e),
                })?;
                hasher.update(&buf[..n]);
                left -= n;
            }
            part_md5s.push(format!("{:x}", hasher.finalize()));
        }
        drop(buf);
        let hash = file_hash(&part_md5s);
        // One upload of the same content at a time: a second one finds the first's object.
        let _same = self.upload_turn(&hash).await;

        // Only an upload of several parts is recorded and resumed, as in OpenIM's core.
        let resumable = part_sizes.len() > 1;
        let mut job = Job { file: &mut file, file_path, part_size, part_sizes: &part_sizes, part_md5s: &part_md5s, hash: &hash, resumable, tell: &tell };
        let batch = SIGN_BATCH.min(part_sizes.len());
        let mut started_over = false;
        loop {
            // An upload of several parts cut off earlier goes on from its last part.
            let kept = if resumable { self.kept_upload(&hash, part_sizes.len()).await } else { None };
            let resumed = kept.is_some();
            let (upload_id, done, sign) = match kept {
                Some((upload_id, done)) => (upload_id, done, AuthSignResp::default()),
                None => {
                    let req = InitiateMultipartUploadReq {
                        hash: hash.clone(),
                        size,
                        part_size,
                        max_parts: batch as i32,
                        cause: cause.to_owned(),
                        name: object_name.clone(),
                        content_type: content_type.clone(),
                        ..Default::default()
                    };
                    let started: InitiateMultipartUploadResp = self.ctx.api.post(path::OBJECT_INITIATE_MULTIPART_UPLOAD, &req).await?;
                    let Some(upload) = started.upload else {
                        if started.url.is_empty() {
                            return Err(OpenIMError::protocol("initiate_multipart_upload gave neither a URL nor an upload"));
                        }
                        // The server holds this content already.
                        tell(size);
                        return Ok(started.url);
                    };
                    if upload.part_size != part_size {
                        return Err(OpenIMError::protocol(format!("the server's part size {} is not the {part_size} asked for", upload.part_size)));
                    }
                    let mut sign = upload.sign.unwrap_or_default();
                    if sign.parts.len() != batch {
                        // As OpenIM's core: a partial first batch is asked for again.
                        sign.parts.clear();
                    }
                    if resumable {
                        self.keep_upload(&hash, &upload.upload_id, upload.expire_time).await;
                    }
                    (upload.upload_id, Parts::new(part_sizes.len()), sign)
                }
            };
            let result = match self.put_parts(&mut job, &upload_id, done, sign).await {
                Ok(()) => {
                    let req = CompleteMultipartUploadReq {
                        upload_id,
                        parts: part_md5s.clone(),
                        name: object_name.clone(),
                        content_type: content_type.clone(),
                        cause: cause.to_owned(),
                        ..Default::default()
                    };
                    self.ctx.api.post::<_, CompleteMultipartUploadResp>(path::OBJECT_COMPLETE_MULTIPART_UPLOAD, &req).await.map(|done| done.url)
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(url) => {
                    if resumable {
                        self.forget_upload(&hash).await;
                    }
                    return Ok(url);
                }
                // The server refuses the upload this device kept (expired, lost, or not
                // completable): once, start over. Progress then starts again from nothing.
                Err(e) if resumed && !started_over && refused_by_server(&e) => {
                    tracing::info!(code = e.code(), "the server forgot a resumed upload; starting over");
                    self.forget_upload(&hash).await;
                    started_over = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `PUT`s the parts of `upload_id` not in `done`, in order, asking for signatures as it goes
    /// (those of the next parts not done), and records each part done as it goes.
    async fn put_parts(&self, job: &mut Job<'_>, upload_id: &str, mut done: Parts, mut sign: AuthSignResp) -> Result<()> {
        let count = job.part_sizes.len();
        let mut uploaded: i64 = (0..count).filter(|&i| done.get(i)).map(|i| job.part_sizes[i] as i64).sum();
        // Resumed: what is on the server already is told first, once the server has shown it
        // still keeps the upload (by signing the next parts).
        let mut told = uploaded == 0;
        let todo: Vec<usize> = (0..count).filter(|&i| !done.get(i)).collect();
        for i in todo {
            let number = i as i32 + 1;
            // A part URL refused (its signature expired, say) is signed again once.
            let mut signed_again = false;
            loop {
                if !sign.parts.iter().any(|p| p.part_number == number) {
                    let numbers: Vec<i32> = (i..count).filter(|&j| !done.get(j)).take(SIGN_BATCH).map(|j| j as i32 + 1).collect();
                    let req = AuthSignReq { upload_id: upload_id.to_owned(), part_numbers: numbers };
                    sign = self.ctx.api.post::<_, AuthSignResp>(path::OBJECT_AUTH_SIGN, &req).await?;
                }
                if !told {
                    (job.tell)(uploaded);
                    told = true;
                }
                let part = sign
                    .parts
                    .iter()
                    .find(|p| p.part_number == number)
                    .ok_or_else(|| OpenIMError::protocol(format!("the server signed no URL for part {number}")))?;
                let (url, headers) = part_request(&sign, part)?;
                let body = job.read_part(i).await?;
                if CANCEL.try_with(Token::is_cancelled).unwrap_or(false) {
                    return Err(cancelled());
                }
                match self.ctx.api.put_part(url, &headers, body).await {
                    Ok(()) => break,
                    Err(e) if e.code() == errcode::FILE_UPLOADED_EXPIRED && !signed_again => {
                        signed_again = true;
                        sign.parts.clear();
                    }
                    Err(e) => return Err(e),
                }
            }
            let len = job.part_sizes[i];
            done.set(i);
            if job.resumable {
                self.record_parts(job.hash, upload_id, &done).await;
            }
            uploaded += len as i64;
            (job.tell)(uploaded);
        }
        if !told {
            // Every part was on the server already; only the completion was left.
            (job.tell)(uploaded);
        }
        Ok(())
    }

    /// Waits until no other upload of the same content runs in this session.
    async fn upload_turn(&self, hash: &str) -> UploadTurn {
        let lock = self.uploading.lock().expect("uploads lock").entry(hash.to_owned()).or_default().clone();
        let guard = lock.lock_owned().await;
        UploadTurn { uploading: self.uploading.clone(), hash: hash.to_owned(), _guard: guard }
    }

    /// The upload kept for `hash` with the parts it has done, when the server still keeps it
    /// long enough to finish; an unusable record is forgotten. The local database failing only
    /// costs the resume.
    async fn kept_upload(&self, hash: &str, count: usize) -> Option<(String, Parts)> {
        let row = async { crate::store::uploads::get(&mut *self.ctx.store.read().await?, hash).await };
        let row = match row.await {
            Ok(row) => row?,
            Err(e) => {
                tracing::warn!(error = %e, "an upload's record could not be read; starting afresh");
                return None;
            }
        };
        let usable = row.expire_time.saturating_sub(RESUME_MARGIN_MS) > crate::util::now_ms() && !row.upload_id.is_empty();
        match Parts::decode(&row.upload_info, count).filter(|_| usable) {
            Some(done) => Some((row.upload_id, done)),
            None => {
                self.forget_upload(hash).await;
                None
            }
        }
    }

    /// Keeps a new upload of several parts, so that it can be resumed (not resumable if the
    /// local database fails).
    async fn keep_upload(&self, hash: &str, upload_id: &str, expire_time: i64) {
        let row = UploadRow {
            part_hash: hash.to_owned(),
            upload_id: upload_id.to_owned(),
            upload_info: String::new(),
            expire_time,
            create_time: crate::util::now_ms(),
        };
        let result = async {
            let mut w = self.ctx.write().await?;
            crate::store::uploads::put(&mut w.tx, &row).await?;
            self.ctx.commit(w).await
        };
        if let Err(e) = result.await {
            tracing::warn!(error = %e, "an upload's record could not be kept; it cannot be resumed");
        }
    }

    /// Records the parts done; a failed write costs only those parts again on a resume.
    async fn record_parts(&self, hash: &str, upload_id: &str, done: &Parts) {
        let result = async {
            let mut w = self.ctx.write().await?;
            crate::store::uploads::set_done(&mut w.tx, hash, upload_id, &done.encode()).await?;
            self.ctx.commit(w).await
        };
        if let Err(e) = result.await {
            tracing::warn!(error = %e, "an upload's progress was not recorded");
        }
    }

    async fn forget_upload(&self, hash: &str) {
        let result = async {
            let mut w = self.ctx.write().await?;
            crate::store::uploads::delete(&mut w.tx, hash).await?;
            self.ctx.commit(w).await
        };
        if let Err(e) = result.await {
            tracing::warn!(error = %e, "a finished upload's record was not removed");
        }
    }

    /// Forgets uploads the server has forgotten (at login).
    pub async fn forget_expired_uploads(&self) -> Result<()> {
        let mut w = self.ctx.write().await?;
        crate::store::uploads::delete_expired(&mut w.tx, crate::util::now_ms()).await?;
        self.ctx.commit(w).await
    }
}

/// Time an upload kept from before must have left on the server to be resumed.
const RESUME_MARGIN_MS: i64 = 10 * 60 * 1000;

/// Whether the server refused a step of an upload (unknown or expired upload, a part URL
/// refused, a completion it rejects), as opposed to the network failing or the file changing.
fn refused_by_server(e: &OpenIMError) -> bool {
    matches!(e, OpenIMError::Server { .. }) || e.code() == errcode::ARGS
}

/// One file being uploaded: where it is and how it is cut.
struct Job<'a> {
    file: &'a mut tokio::fs::File,
    file_path: &'a str,
    part_size: i64,
    part_sizes: &'a [usize],
    part_md5s: &'a [String],
    hash: &'a str,
    /// Several parts: recorded as they go, to be resumed.
    resumable: bool,
    tell: &'a (dyn Fn(i64) + Send + Sync),
}

impl Job<'_> {
    /// Part `i` (from 0) as the file holds it now, checked against its md5 of the first read.
    async fn read_part(&mut self, i: usize) -> Result<Vec<u8>> {
        let changed = || OpenIMError::invalid_argument(format!("{} changed while it was uploaded", self.file_path));
        let mut body = vec![0u8; self.part_sizes[i]];
        self.file.seek(std::io::SeekFrom::Start(i as u64 * self.part_size as u64)).await.map_err(|_| changed())?;
        self.file.read_exact(&mut body).await.map_err(|_| changed())?;
        if format!("{:x}", Md5::digest(&body)) != self.part_md5s[i] {
            return Err(changed());
        }
        Ok(body)
    }
}

/// The turn of one upload among those of the same content; the last one out removes the lock.
struct UploadTurn {
    uploading: Uploading,
    hash: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for UploadTurn {
    fn drop(&mut self) {
        let mut uploading = self.uploading.lock().expect("uploads lock");
        // The map's reference and this turn's: nobody else waits (clones are made under this lock).
        if uploading.get(&self.hash).is_some_and(|l| Arc::strong_count(l) <= 2) {
            uploading.remove(&self.hash);
        }
    }
}

/// A message's upload registered as cancellable ([`Messages::sending_upload`]), until its send
/// is past the upload ([`Self::upload`]) or ends.
pub(super) struct SendingUpload {
    sending: SendingUploads,
    /// The registration held (client ID, generation), until released.
    held: Option<(String, u64)>,
    token: Token,
}

impl SendingUpload {
    /// Runs the message's upload `work` unless it is cancelled, then lets go of the
    /// registration — once no send of the message holds it, a cancel finds nothing. A cancel
    /// that came until then (after the last part, or while a snapshot, whose failure is
    /// forgiven, went) still stops the send.
    pub(super) async fn upload<T>(&mut self, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        let done = unless_cancelled(&self.token, work).await?;
        self.release();
        if self.token.is_cancelled() {
            return Err(cancelled());
        }
        Ok(done)
    }

    fn release(&mut self) {
        if let Some((id, generation)) = self.held.take() {
            let mut sending = self.sending.lock().expect("sending uploads lock");
            if let Some(entry) = sending.get_mut(&id).filter(|e| e.generation == generation) {
                entry.holders -= 1;
                if entry.holders == 0 {
                    sending.remove(&id);
                }
            }
        }
    }
}

impl Drop for SendingUpload {
    fn drop(&mut self) {
        self.release();
    }
}

/// One message's cancellable upload: the sends that hold it share its token.
pub(super) struct Registration {
    generation: u64,
    token: Token,
    holders: usize,
}

/// Messages whose uploads can be stopped, by client ID.
pub(super) type SendingUploads = Arc<std::sync::Mutex<HashMap<String, Registration>>>;

/// Uploads running in a session, by content hash.
pub(super) type Uploading = Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>;

/// OpenIM's record of the parts on the server: part i (from 0) is bit i % 64 of word i / 64,
/// each word written as 8 big-endian bytes, all in standard base64.
#[derive(Debug, Clone, PartialEq)]
struct Parts(Vec<u64>);

impl Parts {
    fn new(count: usize) -> Self {
        Self(vec![0; count.div_ceil(64)])
    }

    /// The record of an upload of `count` parts (an empty one for a new record; `None` when it
    /// is not one of `count` parts).
    fn decode(text: &str, count: usize) -> Option<Self> {
        use base64::Engine as _;
        if text.is_empty() {
            return Some(Self::new(count));
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
        if bytes.len() != count.div_ceil(64) * 8 {
            return None;
        }
        let parts = Self(bytes.chunks_exact(8).map(|w| u64::from_be_bytes(w.try_into().expect("8 bytes"))).collect());
        // No part beyond the last.
        let beyond = (count..parts.0.len() * 64).any(|i| parts.get(i));
        (!beyond).then_some(parts)
    }

    fn encode(&self) -> String {
        use base64::Engine as _;
        let bytes: Vec<u8> = self.0.iter().flat_map(|w| w.to_be_bytes()).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openim_wire::api::object::KeyValues;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type_of("a.JPG"), "image/jpeg");
        assert_eq!(content_type_of("voice.m4a"), "audio/mp4");
        assert_eq!(content_type_of("noext"), "application/octet-stream");
    }

    /// Known answers, computed apart (Python's hashlib): one part `abc`, and 30 bytes in parts
    /// of 8.
    #[test]
    fn the_hash_is_the_md5_of_the_part_md5s() {
        let one = vec![format!("{:x}", Md5::digest(b"abc"))];
        assert_eq!(one[0], "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(file_hash(&one), "ec0405c5aef93e771cd80e0db180b88b");
        let data: Vec<u8> = (0..3).flat_map(|_| 0u8..10).collect();
        let parts: Vec<String> = data.chunks(8).map(|c| format!("{:x}", Md5::digest(c))).collect();
        assert_eq!(file_hash(&parts), "0b2879239d615e4613feb89c70da95be");
    }

    #[test]
    fn the_last_lines_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let tail = |content: &[u8], lines: u32| {
            let (from, to) = (dir.path().join("in"), dir.path().join("out"));
            std::fs::write(&from, content).unwrap();
            let _ = std::fs::remove_file(&to);
            let n = write_last_lines(&from, lines, &to).unwrap();
            let out = std::fs::read(&to).unwrap();
            assert_eq!(n as usize, out.len());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(tail(b"a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail(b"a\nb\nc", 2), "b\nc", "a last line without a break");
        assert_eq!(tail(b"a\nb\n", 5), "a\nb\n", "fewer lines than asked: all");
        assert_eq!(tail(b"\n\n\n", 1), "\n", "empty lines count");
        // Lines across the 64 KiB blocks it reads back through.
        let long: String = (0..30_000).map(|i| format!("line {i:05}\n")).collect();
        assert_eq!(tail(long.as_bytes(), 10_001), long[long.len() - 10_001 * 11..]);
    }

    #[test]
    fn part_sizes_follow_the_servers_limits() {
        let limit = PartLimitResp { min_part_size: 5 << 20, max_part_size: 5 << 30, max_num_size: 10_000 };
        assert_eq!(part_size(1, &limit).unwrap(), 5 << 20);
        assert_eq!(part_size(100_000 * (5 << 20), &limit).unwrap(), 50 << 20);
        assert!(part_size(1 << 40, &limit).is_err(), "parts above what is read into memory");
        assert!(part_size(1, &PartLimitResp::default()).is_err());
        // A server allowing 1-byte parts in any number: a 100 MB file is not sent in 10^8 parts;
        // larger parts where it allows them, refused where it does not.
        let tiny = PartLimitResp { min_part_size: 1, max_part_size: 1, max_num_size: i32::MAX };
        assert_eq!(part_size(10_000, &tiny).unwrap(), 1);
        assert_eq!(part_size(100 << 20, &tiny).unwrap_err().code(), 10202);
        let roomy = PartLimitResp { min_part_size: 1, max_part_size: 64 << 20, max_num_size: i32::MAX };
        assert_eq!(part_size(100 << 20, &roomy).unwrap(), (100 << 20) / 10_000 + 1);
    }

    /// OpenIM's layout (checked apart with Python's base64): parts 0, 1 and 65 of 70.
    #[test]
    fn the_parts_done_are_kept_as_openims_bitmap() {
        let mut done = Parts::new(70);
        for i in [0, 1, 65] {
            done.set(i);
        }
        assert_eq!(done.encode(), "AAAAAAAAAAMAAAAAAAAAAg==");
        let back = Parts::decode("AAAAAAAAAAMAAAAAAAAAAg==", 70).unwrap();
        assert_eq!(back, done);
        assert!((0..70).all(|i| back.get(i) == [0, 1, 65].contains(&i)));
        assert_eq!(Parts::decode("", 3), Some(Parts::new(3)), "a new record");
        assert_eq!(Parts::decode("AAAAAAAAAAM=", 70), None, "another part count");
        assert_eq!(Parts::decode("AAAAAAAAAAM=", 1), None, "a part beyond the last");
        assert_eq!(Parts::decode("not base64!", 70), None);
    }

    #[test]
    fn names_stay_under_the_user() {
        assert_eq!(object_name("alice", "a.png").unwrap(), "alice/a.png");
        assert_eq!(object_name("alice", "/alice/a.png").unwrap(), "alice/a.png");
        for bad in ["../bob/a", "a/../b", "a//b", "./a", "a\\b", ""] {
            assert!(object_name("alice", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_signed_query_and_headers_override_the_urls() {
        let kv = |k: &str, v: &str| KeyValues { key: k.into(), values: vec![v.into()] };
        let sign = AuthSignParts {
            url: "http://s3.local/bucket/key?uploadId=u&x=1".into(),
            query: vec![kv("x", "2")],
            header: vec![kv("h", "sign")],
            parts: vec![],
        };
        let part = SignPart { part_number: 3, url: String::new(), query: vec![kv("partNumber", "3")], header: vec![kv("h", "part")] };
        let (url, headers) = part_request(&sign, &part).unwrap();
        assert_eq!(url.as_str(), "http://s3.local/bucket/key?partNumber=3&uploadId=u&x=2");
        assert_eq!(headers, [("h".to_owned(), "part".to_owned())]);
    }
}
