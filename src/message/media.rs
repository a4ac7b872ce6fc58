//! Messages made from local files (OpenIM's `Create*MessageFromFullPath`), and the upload of
//! those files when such a message is sent, as OpenIM's `SendMessage` does it: the message is
//! stored (sending) first, each file whose URL is still empty is uploaded under OpenIM's object
//! name (`msg_picture_<clientMsgID>.jpg`, …), the URLs are filled in (a picture's big version is
//! the original, its snapshot the original's URL asking the server for 640 × 640), and a failed
//! upload leaves the message failed, ready to be sent again. Local paths stay on this device: the
//! copy that goes to the server carries none (OpenIM's core sends them along).
//!
//! Like OpenIM's core, making the message copies each file beside the database (the app's file
//! may be a temporary one, gone by the time the message is sent or sent again); the copy is
//! what is uploaded, and it is removed once the message is sent or deleted.
//!
//! This SDK has no image decoder (no crate for it in this build's bundle), so a picture's pixel
//! size comes from the app, which reads it with its platform's image API.

use std::sync::Arc;

use super::Messages;
use super::upload::{UploadProgressListener, content_type_of, query_of, set_go_query};
use crate::error::{OpenIMError, Result};
use crate::model::*;

/// The roles of a message's file copies: its file, a video's snapshot.
const MAIN: &str = "";
const SNAPSHOT: &str = ".snapshot";

/// How long a copy whose message is neither sending nor failed may stay (a message made but not
/// sent yet); older ones are removed at login.
const COPY_GRACE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The start of a copy's file name for `client_msg_id`: the ID itself when it is a plain one
/// (as this SDK makes them), else `h` and its md5; never a path.
fn copy_stem(client_msg_id: &str) -> String {
    let plain = !client_msg_id.is_empty()
        && client_msg_id.len() <= 64
        && client_msg_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        client_msg_id.to_owned()
    } else {
        use md5::Digest as _;
        format!("h{:x}", md5::Md5::digest(client_msg_id.as_bytes()))
    }
}

/// The side of the square a picture's snapshot asks the server for (OpenIM's core).
const SNAPSHOT_SIDE: i32 = 640;

/// The size of the regular, non-empty file at `path`.
pub(super) async fn file_size(what: &str, path: &str) -> Result<i64> {
    if path.is_empty() {
        return Err(OpenIMError::invalid_argument(format!("{what} is empty")));
    }
    let meta = tokio::fs::metadata(path).await.map_err(|e| OpenIMError::invalid_argument(format!("cannot read {path}: {e}")))?;
    if !meta.is_file() || meta.len() == 0 {
        return Err(OpenIMError::invalid_argument(format!("{path} is not a file with content")));
    }
    i64::try_from(meta.len()).map_err(|_| OpenIMError::invalid_argument("the file is too large"))
}

/// The part of a copy's name that names the file: a short, plain extension or nothing.
fn copy_suffix(path: &str) -> &str {
    let ext = extension(path);
    if ext.len() <= 12 && ext[1.min(ext.len())..].bytes().all(|b| b.is_ascii_alphanumeric()) { ext } else { "" }
}

/// The extension of `path` with its dot (`.jpg`), or nothing (Go's `filepath.Ext`).
fn extension(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rfind('.').map(|i| &name[i..]).unwrap_or("")
}

/// The last part of a path.
fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).find(|p| !p.is_empty()).unwrap_or(path)
}

/// Whether `name` can end an object name (not empty, `.`, `..` or only separators).
fn usable_name(name: &str) -> bool {
    !matches!(name, "" | "." | "..") && !name.contains(['/', '\\'])
}

fn not_negative(what: &str, v: i64) -> Result<()> {
    if v < 0 {
        return Err(OpenIMError::invalid_argument(format!("{what} is negative")));
    }
    Ok(())
}

/// A MIME type given by the app, else the one of `path`'s extension.
fn mime_or(given: &str, path: &str) -> String {
    if given.contains('/') { given.to_owned() } else { content_type_of(path).to_owned() }
}

/// `url` asking the server for a `SNAPSHOT_SIDE` square (`type=image&width=…&height=…` set over
/// the URL's own query, keys sorted, as Go's `url.Values` encodes them); `None` when `url` does
/// not parse.
fn snapshot_url(url: &str) -> Option<String> {
    let mut url = url::Url::parse(url).ok()?;
    let mut query = query_of(&url);
    let side = SNAPSHOT_SIDE.to_string();
    query.insert("type".into(), vec!["image".into()]);
    query.insert("width".into(), vec![side.clone()]);
    query.insert("height".into(), vec![side]);
    set_go_query(&mut url, &query);
    Some(url.into())
}

/// Whether sending `content` first uploads a local file (a path set, its URL still empty).
pub(super) fn needs_upload(content: &MessageContent) -> bool {
    match content {
        MessageContent::Image { source_path, source, .. } => {
            !source_path.is_empty() && source.as_ref().is_none_or(|s| s.url.is_empty())
        }
        MessageContent::Sound { sound_path, source_url, .. } => !sound_path.is_empty() && source_url.is_empty(),
        MessageContent::Video { video_path, video_url, .. } => !video_path.is_empty() && video_url.is_empty(),
        MessageContent::File { file_path, source_url, .. } => !file_path.is_empty() && source_url.is_empty(),
        _ => false,
    }
}

impl Messages {
    /// A picture from the file at `image_path`, `width` × `height` pixels (the app reads them).
    pub async fn create_image_from_path(&self, image_path: String, width: i32, height: i32) -> Result<Message> {
        not_negative("width", width.into())?;
        not_negative("height", height.into())?;
        let size = file_size("image_path", &image_path).await?;
        let source = PictureInfo { kind: content_type_of(&image_path).to_owned(), size, width, height, ..Default::default() };
        let m = self.create(MessageContent::Image { source_path: image_path.clone(), source: Some(source), big: None, snapshot: None })?;
        self.keep_copy(&m.client_msg_id, MAIN, &image_path).await?;
        Ok(m)
    }

    /// A voice message from the file at `sound_path`, `duration` seconds long; its type is the
    /// file's extension (`m4a`), as OpenIM's core records it.
    pub async fn create_sound_from_path(&self, sound_path: String, duration: i64) -> Result<Message> {
        not_negative("duration", duration)?;
        let data_size = file_size("sound_path", &sound_path).await?;
        let sound_type = extension(&sound_path).trim_start_matches('.').to_owned();
        let path = sound_path.clone();
        let m = self.create(MessageContent::Sound { uuid: String::new(), sound_path, source_url: String::new(), data_size, duration, sound_type })?;
        self.keep_copy(&m.client_msg_id, MAIN, &path).await?;
        Ok(m)
    }

    /// A video from the file at `video_path` (`video_type` such as `mp4`, `duration` seconds),
    /// with an optional snapshot picture of `snapshot_width` × `snapshot_height` pixels.
    pub async fn create_video_from_path(
        &self,
        video_path: String,
        video_type: String,
        duration: i64,
        snapshot_path: Option<String>,
        snapshot_width: i32,
        snapshot_height: i32,
    ) -> Result<Message> {
        not_negative("duration", duration)?;
        not_negative("snapshot_width", snapshot_width.into())?;
        not_negative("snapshot_height", snapshot_height.into())?;
        let video_size = file_size("video_path", &video_path).await?;
        let snapshot_path = snapshot_path.filter(|p| !p.is_empty()).unwrap_or_default();
        let (snapshot_size, snapshot_type, snapshot_width, snapshot_height) = if snapshot_path.is_empty() {
            (0, String::new(), 0, 0)
        } else {
            (file_size("snapshot_path", &snapshot_path).await?, content_type_of(&snapshot_path).to_owned(), snapshot_width, snapshot_height)
        };
        let video_type = if video_type.is_empty() { extension(&video_path).trim_start_matches('.').to_owned() } else { video_type };
        let (video, snapshot) = (video_path.clone(), snapshot_path.clone());
        let m = self.create(MessageContent::Video {
            video_path,
            video_uuid: String::new(),
            video_url: String::new(),
            video_type,
            video_size,
            duration,
            snapshot_path,
            snapshot_uuid: String::new(),
            snapshot_size,
            snapshot_url: String::new(),
            snapshot_width,
            snapshot_height,
            snapshot_type,
        })?;
        self.keep_copy(&m.client_msg_id, MAIN, &video).await?;
        if !snapshot.is_empty()
            && let Err(e) = self.keep_copy(&m.client_msg_id, SNAPSHOT, &snapshot).await
        {
            self.forget_copies(&m).await;
            return Err(e);
        }
        Ok(m)
    }

    /// A file message from the file at `file_path`, shown as `file_name` (its own name when
    /// `None`).
    pub async fn create_file_from_path(&self, file_path: String, file_name: Option<String>) -> Result<Message> {
        let file_size = file_size("file_path", &file_path).await?;
        let file_name = file_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| base_name(&file_path).to_owned());
        if !usable_name(base_name(&file_name)) {
            return Err(OpenIMError::invalid_argument(format!("{file_name:?} is not a file name")));
        }
        let path = file_path.clone();
        let m = self.create(MessageContent::File { file_path, uuid: String::new(), source_url: String::new(), file_name, file_size, file_type: String::new() })?;
        self.keep_copy(&m.client_msg_id, MAIN, &path).await?;
        Ok(m)
    }

    /// Where message `client_msg_id` keeps its copy of `original` (its `role`: the file or a
    /// video's snapshot) until it is sent.
    fn copy_path(&self, client_msg_id: &str, role: &str, original: &str) -> std::path::PathBuf {
        self.ctx.store.files_dir().join(format!("{}{role}{}", copy_stem(client_msg_id), copy_suffix(original)))
    }

    async fn keep_copy(&self, client_msg_id: &str, role: &str, original: &str) -> Result<()> {
        let copy = self.copy_path(client_msg_id, role, original);
        let failed = |e: std::io::Error| OpenIMError::invalid_argument(format!("cannot copy {original} to send it later: {e}"));
        tokio::fs::create_dir_all(self.ctx.store.files_dir()).await.map_err(failed)?;
        tokio::fs::copy(original, &copy).await.map_err(failed)?;
        Ok(())
    }

    /// Uploads `original` as `name`: the copy kept with message `client_msg_id` (its `role`)
    /// when there is one, else `original` itself (a message made elsewhere).
    #[allow(clippy::too_many_arguments)]
    async fn upload_kept(
        &self,
        client_msg_id: &str,
        role: &str,
        original: &str,
        name: String,
        kind: String,
        cause: &str,
        progress: Option<&Arc<dyn UploadProgressListener>>,
    ) -> Result<String> {
        let copy = self.copy_path(client_msg_id, role, original);
        let from = match tokio::fs::metadata(&copy).await {
            Ok(meta) if meta.is_file() => copy.to_string_lossy().into_owned(),
            _ => original.to_owned(),
        };
        self.upload(&from, Some(name), Some(kind), cause, progress).await
    }

    /// Removes copies left by earlier sessions: those older than [`COPY_GRACE`] whose message is
    /// not stored as sending or failed (sent meanwhile, deleted, or never sent).
    pub async fn clean_old_copies(&self) -> Result<()> {
        let dir = self.ctx.store.files_dir();
        let Ok(mut entries) = tokio::fs::read_dir(&dir).await else { return Ok(()) };
        let now = std::time::SystemTime::now();
        let mut old = Vec::new();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let aged = entry.metadata().await.ok().and_then(|m| m.modified().ok()).and_then(|t| now.duration_since(t).ok());
            if aged.is_some_and(|age| age > COPY_GRACE) {
                old.push(entry.path());
            }
        }
        if old.is_empty() {
            return Ok(());
        }
        let unsent = crate::store::chat_logs::unsent_client_msg_ids(&mut *self.ctx.store.read().await?).await?;
        for path in old {
            let stem = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('.').next()).unwrap_or_default().to_owned();
            if !unsent.contains(&stem) {
                let _ = tokio::fs::remove_file(&path).await;
            }
        }
        Ok(())
    }

    /// Removes the copies kept for `message`, one of this user's (sent or deleted).
    pub(super) async fn forget_copies(&self, message: &Message) {
        if message.send_id != self.ctx.user_id {
            return;
        }
        let paths: Vec<(&str, &str)> = match &message.content {
            MessageContent::Image { source_path, .. } => vec![(MAIN, source_path.as_str())],
            MessageContent::Sound { sound_path, .. } => vec![(MAIN, sound_path.as_str())],
            MessageContent::Video { video_path, snapshot_path, .. } => vec![(MAIN, video_path.as_str()), (SNAPSHOT, snapshot_path.as_str())],
            MessageContent::File { file_path, .. } => vec![(MAIN, file_path.as_str())],
            _ => return,
        };
        for (role, original) in paths.into_iter().filter(|(_, p)| !p.is_empty()) {
            let _ = tokio::fs::remove_file(self.copy_path(&message.client_msg_id, role, original)).await;
        }
    }

    /// Uploads the local files of `message` whose URLs are empty and fills the URLs in;
    /// `progress` hears the main file (a video's snapshot goes unreported, and a snapshot that
    /// fails to upload leaves the video without one, as in OpenIM's core).
    pub(super) async fn upload_media(&self, message: &mut Message, progress: Option<&Arc<dyn UploadProgressListener>>) -> Result<()> {
        let id = message.client_msg_id.clone();
        match &mut message.content {
            MessageContent::Image { source_path, source, big, snapshot } => {
                let src = source.get_or_insert_with(Default::default);
                if source_path.is_empty() || !src.url.is_empty() {
                    return Ok(());
                }
                let name = format!("msg_picture_{id}{}", extension(source_path));
                let kind = mime_or(&src.kind, source_path);
                src.url = self.upload_kept(&id, MAIN, source_path, name, kind, "msg-picture", progress).await?;
                *big = Some(src.clone());
                *snapshot = Some(match snapshot_url(&src.url) {
                    Some(url) => PictureInfo { width: SNAPSHOT_SIDE, height: SNAPSHOT_SIDE, url, ..Default::default() },
                    None => src.clone(),
                });
            }
            MessageContent::Sound { sound_path, source_url, sound_type, .. } => {
                if sound_path.is_empty() || !source_url.is_empty() {
                    return Ok(());
                }
                let name = format!("msg_voice_{id}{}", extension(sound_path));
                let kind = mime_or(sound_type, sound_path);
                *source_url = self.upload_kept(&id, MAIN, sound_path, name, kind, "msg-voice", progress).await?;
            }
            MessageContent::Video {
                video_path,
                video_url,
                video_type,
                snapshot_path,
                snapshot_url,
                snapshot_type,
                snapshot_size,
                snapshot_width,
                snapshot_height,
                ..
            } => {
                if video_path.is_empty() || !video_url.is_empty() {
                    return Ok(());
                }
                let name = format!("msg_video_{id}{}", extension(video_path));
                let video = self.upload_kept(&id, MAIN, video_path, name, mime_or(video_type, video_path), "msg-video", progress);
                let snapshot = async {
                    if snapshot_path.is_empty() || !snapshot_url.is_empty() {
                        return Some(None);
                    }
                    let name = format!("msg_videoSnapshot_{id}{}", extension(snapshot_path));
                    let kind = mime_or(snapshot_type, snapshot_path);
                    match self.upload_kept(&id, SNAPSHOT, snapshot_path, name, kind, "msg-video-snapshot", None).await {
                        Ok(url) => Some(Some(url)),
                        Err(e) => {
                            tracing::warn!(error = %e, "a video's snapshot did not upload; the video goes without it");
                            None
                        }
                    }
                };
                let (video, snapshot) = tokio::join!(video, snapshot);
                *video_url = video?;
                match snapshot {
                    Some(Some(url)) => *snapshot_url = url,
                    Some(None) => {}
                    // No snapshot after all: nothing describes one.
                    None => {
                        (*snapshot_size, *snapshot_width, *snapshot_height) = (0, 0, 0);
                        snapshot_type.clear();
                    }
                }
            }
            MessageContent::File { file_path, source_url, file_name, file_type, .. } => {
                if file_path.is_empty() || !source_url.is_empty() {
                    return Ok(());
                }
                let shown = Some(base_name(file_name)).filter(|n| usable_name(n)).unwrap_or_else(|| base_name(file_path));
                let name = format!("msg_file_{id}/{shown}");
                let kind = if file_type.contains('/') { file_type.clone() } else { content_type_of(shown).to_owned() };
                *source_url = self.upload_kept(&id, MAIN, file_path, name, kind, "msg-file", progress).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_names_as_go_reads_them() {
        assert_eq!(extension("/a/b/photo.JPG"), ".JPG");
        assert_eq!(extension("/a.d/noext"), "");
        assert_eq!(extension("archive.tar.gz"), ".gz");
        assert_eq!(base_name("/a/b/report.pdf"), "report.pdf");
        assert_eq!(base_name("report.pdf"), "report.pdf");
    }

    #[test]
    fn copy_names_never_leave_their_folder() {
        assert_eq!(copy_stem("0f3a9c-_Z"), "0f3a9c-_Z");
        for hostile in ["../OpenIM_v3_victim", "/etc/passwd", "a.b", "", &"x".repeat(65)] {
            let stem = copy_stem(hostile);
            assert!(stem.starts_with('h') && stem.len() == 33 && stem.bytes().all(|b| b.is_ascii_alphanumeric()), "{hostile:?} -> {stem}");
        }
        assert_eq!(copy_suffix("/a/b.jpg"), ".jpg");
        assert_eq!(copy_suffix("/a/b.j/pg"), "");
        assert_eq!(copy_suffix("/a/b.tar.gz"), ".gz");
        assert_eq!(copy_suffix("/a/b.no good"), "");
    }

    #[test]
    fn the_snapshot_asks_for_640_with_keys_sorted_over_the_urls_own_query() {
        assert_eq!(
            snapshot_url("http://h:1/object/u/p.jpg").as_deref(),
            Some("http://h:1/object/u/p.jpg?height=640&type=image&width=640")
        );
        assert_eq!(
            snapshot_url("https://h/o?x-sig=1&width=9").as_deref(),
            Some("https://h/o?height=640&type=image&width=640&x-sig=1")
        );
        // Encoded as Go's url.Values: '~' kept, '*' escaped, a space as '+'.
        assert_eq!(
            snapshot_url("https://h/o?a=x~y*z%20w").as_deref(),
            Some("https://h/o?a=x~y%2Az+w&height=640&type=image&width=640")
        );
        assert_eq!(snapshot_url("not a url"), None);
    }

    #[test]
    fn only_a_local_file_without_a_url_is_uploaded() {
        let file = |path: &str, url: &str| MessageContent::File {
            file_path: path.into(),
            uuid: String::new(),
            source_url: url.into(),
            file_name: "f".into(),
            file_size: 1,
            file_type: String::new(),
        };
        assert!(needs_upload(&file("/tmp/f", "")));
        assert!(!needs_upload(&file("/tmp/f", "http://h/f")));
        assert!(!needs_upload(&file("", "")));
        assert!(!needs_upload(&MessageContent::Text { text: "x".into() }));
    }
}
