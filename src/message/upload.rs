//! Uploads to the server's object storage (OpenIM's `UploadFile` over `/object/*`): the file is
//! hashed part by part, a file the server already holds is not sent again, the other parts are
//! `PUT` to the URLs the server signs, and the object's URL comes back — for
//! `create_*_message_by_url` or the app's own use.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use md5::{Digest, Md5};
use openim_wire::api::object::{
    CompleteMultipartUploadReq, CompleteMultipartUploadResp, InitiateMultipartUploadReq, InitiateMultipartUploadResp, KeyValues,
    PartSizeReq, PartSizeResp,
};
use openim_wire::api::path;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::Messages;
use crate::error::{OpenIMError, Result};

/// Told how far an upload got: bytes sent (or found on the server) out of the file's size.
/// Called on the uploading task, after each part; keep it quick.
#[uniffi::export(foreign)]
pub trait UploadProgressListener: Send + Sync {
    fn on_progress(&self, uploaded: i64, total: i64);
}

/// The content type of a file name's extension (the common ones; else a byte stream).
fn content_type_of(name: &str) -> &'static str {
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

fn pairs(lists: &[&[KeyValues]]) -> Vec<(String, String)> {
    lists.iter().flat_map(|l| l.iter()).flat_map(|kv| kv.values.iter().map(|v| (kv.key.clone(), v.clone()))).collect()
}

/// Reads the next part (up to `buf.len()` bytes) of `file`; the number of bytes read.
async fn read_part(file: &mut tokio::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

impl Messages {
    /// Uploads the file at `file_path` as `name` (its file name when `None`; stored under the
    /// user's ID) and returns its URL.
    pub async fn upload_file(
        &self,
        file_path: String,
        name: Option<String>,
        content_type: Option<String>,
        progress: Option<Arc<dyn UploadProgressListener>>,
    ) -> Result<String> {
        let unreadable = |e: std::io::Error| OpenIMError::invalid_argument(format!("cannot read {file_path}: {e}"));
        let mut file = tokio::fs::File::open(&file_path).await.map_err(unreadable)?;
        let meta = file.metadata().await.map_err(unreadable)?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(OpenIMError::invalid_argument(format!("{file_path} is not a file with content")));
        }
        let size = i64::try_from(meta.len()).map_err(|_| OpenIMError::invalid_argument("the file is too large"))?;
        let base = match name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => std::path::Path::new(&file_path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        if base.is_empty() || base.starts_with('/') || base.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(OpenIMError::invalid_argument("the name must be a relative path without '..'"));
        }
        let object_name = format!("{}/{base}", self.ctx.user_id);
        let content_type = content_type.filter(|c| !c.is_empty()).unwrap_or_else(|| content_type_of(&base).to_owned());
        let tell = |done: i64| {
            if let Some(p) = &progress {
                // A listener that throws loses only its own progress call.
                let _ = catch_unwind(AssertUnwindSafe(|| p.on_progress(done, size)));
            }
        };

        let PartSizeResp { size: part_size } = self.ctx.api.post(path::OBJECT_PART_SIZE, &PartSizeReq { size }).await?;
        let part_len = usize::try_from(part_size).ok().filter(|n| *n > 0).ok_or_else(|| OpenIMError::protocol("the server gave no part size"))?;
        let part_len = part_len.min(meta.len() as usize);
        // OpenIM's hash: md5 of the parts' md5s (hex), joined by commas.
        let mut buf = vec![0u8; part_len];
        let mut part_md5s = Vec::new();
        loop {
            let n = read_part(&mut file, &mut buf).await.map_err(unreadable)?;
            if n == 0 {
                break;
            }
            part_md5s.push(format!("{:x}", Md5::digest(&buf[..n])));
        }
        let hash = format!("{:x}", Md5::digest(part_md5s.join(",").as_bytes()));

        let req = InitiateMultipartUploadReq {
            hash,
            size,
            part_size,
            name: object_name.clone(),
            content_type: content_type.clone(),
            ..Default::default()
        };
        let started: InitiateMultipartUploadResp = self.ctx.api.post(path::OBJECT_INITIATE_MULTIPART_UPLOAD, &req).await?;
        if !started.url.is_empty() {
            // The server holds this content already.
            tell(size);
            return Ok(started.url);
        }
        let upload = started.upload.ok_or_else(|| OpenIMError::protocol("initiate_multipart_upload gave neither a URL nor an upload"))?;
        let sign = upload.sign.unwrap_or_default();
        file.seek(std::io::SeekFrom::Start(0)).await.map_err(unreadable)?;
        let mut uploaded = 0i64;
        for number in 1..=part_md5s.len() as i32 {
            let n = read_part(&mut file, &mut buf).await.map_err(unreadable)?;
            let part = sign.parts.iter().find(|p| p.part_number == number);
            let url = part.map(|p| p.url.as_str()).filter(|u| !u.is_empty()).unwrap_or(sign.url.as_str());
            if url.is_empty() {
                return Err(OpenIMError::protocol(format!("no signed URL for part {number}")));
            }
            let no_kv: &[KeyValues] = &[];
            let query = pairs(&[&sign.query, part.map_or(no_kv, |p| &p.query)]);
            let headers = pairs(&[&sign.header, part.map_or(no_kv, |p| &p.header)]);
            self.ctx.api.put_part(url, &query, &headers, buf[..n].to_vec()).await?;
            uploaded += n as i64;
            tell(uploaded);
        }
        let req = CompleteMultipartUploadReq { upload_id: upload.upload_id, parts: part_md5s, name: object_name, content_type, ..Default::default() };
        let done: CompleteMultipartUploadResp = self.ctx.api.post(path::OBJECT_COMPLETE_MULTIPART_UPLOAD, &req).await?;
        Ok(done.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type_of("a.JPG"), "image/jpeg");
        assert_eq!(content_type_of("voice.m4a"), "audio/mp4");
        assert_eq!(content_type_of("noext"), "application/octet-stream");
    }
}
