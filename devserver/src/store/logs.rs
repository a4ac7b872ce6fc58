//! Log files clients uploaded (`/third/logs/*`).

use openim_wire::api::third::{FileUrl, LogInfo};

use super::Store;
use crate::error::{CodeError, CodeResult};

/// Who uploaded, from where, and what they said with it.
pub struct LogUpload<'a> {
    pub user_id: &'a str,
    pub platform: &'a str,
    pub app_framework: &'a str,
    pub version: &'a str,
    pub ex: &'a str,
    pub create_time: i64,
}

/// OpenIM's log ID: ten digits, the first not 0.
fn new_log_id() -> String {
    format!("{}{:09}", fastrand::u32(1..10), fastrand::u32(..1_000_000_000))
}

impl Store {
    /// One record per file, in one transaction; their log IDs.
    pub async fn add_logs(&self, upload: &LogUpload<'_>, files: &[FileUrl]) -> CodeResult<Vec<String>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = Vec::with_capacity(files.len());
        for f in files {
            // A new ID until one is free, 20 tries as OpenIM (ten digits rarely collide).
            let mut free = None;
            for _ in 0..20 {
                let id = new_log_id();
                let inserted = sqlx::query(
                    "INSERT OR IGNORE INTO logs (log_id, user_id, platform, create_time, url, file_name, app_framework, version, ex)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(upload.user_id)
                .bind(upload.platform)
                .bind(upload.create_time)
                .bind(&f.url)
                .bind(&f.filename)
                .bind(upload.app_framework)
                .bind(upload.version)
                .bind(upload.ex)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 1 {
                    free = Some(id);
                    break;
                }
            }
            ids.push(free.ok_or_else(|| CodeError::internal("log id gen error"))?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Logs created in `[start, end]` (Unix ms) by users whose ID contains `keyword`, newest
    /// first, a page of them and how many match.
    pub async fn search_logs(&self, keyword: &str, start: i64, end: i64, offset: i64, limit: i64) -> CodeResult<(i64, Vec<LogInfo>)> {
        // Case-sensitive, as OpenIM's regex over the user ID.
        const FILTER: &str = "FROM logs l LEFT JOIN users u ON u.user_id = l.user_id
             WHERE l.create_time BETWEEN ?1 AND ?2 AND instr(l.user_id, ?3) > 0";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {FILTER}")))
            .bind(start)
            .bind(end)
            .bind(keyword)
            .fetch_one(&self.pool)
            .await?;
        type Row = (String, String, String, i64, String, String, String, String, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT l.log_id, l.user_id, l.platform, l.create_time, l.url, l.file_name, l.app_framework, l.version, l.ex, u.nickname
             {FILTER} ORDER BY l.create_time DESC, l.log_id LIMIT ?4 OFFSET ?5"
        )))
        .bind(start)
        .bind(end)
        .bind(keyword)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let logs = rows
            .into_iter()
            .map(|(log_id, user_id, platform, create_time, url, filename, app_framework, version, ex, nickname)| LogInfo {
                user_id,
                platform,
                url,
                create_time,
                nickname: nickname.unwrap_or_default(),
                log_id,
                filename,
                system_type: app_framework,
                ex,
                version,
            })
            .collect();
        Ok((total, logs))
    }

    /// Deletes every log of `ids`, or none (`false`) when one of them does not exist.
    pub async fn delete_logs(&self, ids: &[String]) -> CodeResult<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        for id in &unique {
            let gone = sqlx::query("DELETE FROM logs WHERE log_id = ?").bind(id).execute(&mut *tx).await?.rows_affected();
            if gone == 0 {
                // Dropping the transaction rolls the others back.
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}
