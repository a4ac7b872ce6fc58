//! `local_uploads`: multipart uploads under way, by part hash.

use sqlx::SqliteConnection;

use super::rows::UploadRow;
use crate::error::Result;

pub async fn get(c: &mut SqliteConnection, part_hash: &str) -> Result<Option<UploadRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_uploads WHERE part_hash = ?").bind(part_hash).fetch_optional(c).await?)
}

pub async fn put(c: &mut SqliteConnection, row: &UploadRow) -> Result<()> {
    sqlx::query("INSERT OR REPLACE INTO local_uploads (part_hash, upload_id, upload_info, expire_time, create_time) VALUES (?, ?, ?, ?, ?)")
        .bind(&row.part_hash)
        .bind(&row.upload_id)
        .bind(&row.upload_info)
        .bind(row.expire_time)
        .bind(row.create_time)
        .execute(c)
        .await?;
    Ok(())
}

/// Records the parts of `upload_id` done so far (nothing when the row went meanwhile).
pub async fn set_done(c: &mut SqliteConnection, part_hash: &str, upload_id: &str, upload_info: &str) -> Result<()> {
    sqlx::query("UPDATE local_uploads SET upload_info = ? WHERE part_hash = ? AND upload_id = ?")
        .bind(upload_info)
        .bind(part_hash)
        .bind(upload_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn delete(c: &mut SqliteConnection, part_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_uploads WHERE part_hash = ?").bind(part_hash).execute(c).await?;
    Ok(())
}

/// Forgets uploads the server no longer keeps (expired before `now_ms`).
pub async fn delete_expired(c: &mut SqliteConnection, now_ms: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM local_uploads WHERE expire_time <= ?").bind(now_ms).execute(c).await?.rows_affected())
}
