//! Client settings (OpenIM's `/user/*_user_client_config`): everyone's under user ID '', a
//! user's own over them.

use std::collections::HashMap;

use openim_wire::api::user::ClientConfig;

use super::Store;
use crate::error::CodeResult;

impl Store {
    /// Sets each of `configs` for `user_id` ('' for everyone) in one transaction.
    pub async fn set_client_config<'a>(&self, user_id: &str, configs: impl IntoIterator<Item = (&'a String, &'a String)>) -> CodeResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (key, value) in configs {
            sqlx::query("INSERT INTO client_config (key, user_id, value) VALUES (?, ?, ?) ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(user_id)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes `keys` of `user_id` ('' for everyone's).
    pub async fn del_client_config(&self, user_id: &str, keys: &[String]) -> CodeResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for key in keys {
            sqlx::query("DELETE FROM client_config WHERE user_id = ? AND key = ?").bind(user_id).bind(key).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Everyone's settings with `user_id`'s own over them (everyone's only for '').
    pub async fn client_config_of(&self, user_id: &str) -> CodeResult<HashMap<String, String>> {
        // Everyone's first, so that the user's own entries replace them.
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM client_config WHERE user_id = '' OR user_id = ? ORDER BY user_id != ''")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// A page of the stored settings (`user_id`, `key`: filters unless empty) and how many
    /// match, ordered by user and key.
    pub async fn page_client_config(&self, user_id: &str, key: &str, offset: i64, limit: i64) -> CodeResult<(i64, Vec<ClientConfig>)> {
        const FILTER: &str = "FROM client_config WHERE (?1 = '' OR user_id = ?1) AND (?2 = '' OR key = ?2)";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {FILTER}")))
            .bind(user_id)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<(String, String, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT key, user_id, value {FILTER} ORDER BY user_id, key LIMIT ?3 OFFSET ?4")))
                .bind(user_id)
                .bind(key)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await?;
        Ok((total, rows.into_iter().map(|(key, user_id, value)| ClientConfig { key, user_id, value }).collect()))
    }
}
