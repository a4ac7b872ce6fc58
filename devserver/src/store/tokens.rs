//! Issued tokens and their state.

use super::Store;
use crate::error::CodeResult;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub token: String,
    pub user_id: String,
    pub platform_id: i32,
    pub state: i32,
    pub create_time: i64,
}

impl Store {
    pub async fn tokens_of_user(&self, user_id: &str) -> CodeResult<Vec<TokenRow>> {
        Ok(sqlx::query_as("SELECT * FROM tokens WHERE user_id = ? ORDER BY create_time, rowid")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn token_state(&self, token: &str) -> CodeResult<Option<i32>> {
        Ok(sqlx::query_scalar("SELECT state FROM tokens WHERE token = ?")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn insert_token(&self, row: &TokenRow) -> CodeResult<()> {
        sqlx::query("INSERT OR REPLACE INTO tokens (token, user_id, platform_id, state, create_time) VALUES (?, ?, ?, ?, ?)")
            .bind(&row.token)
            .bind(&row.user_id)
            .bind(row.platform_id)
            .bind(row.state)
            .bind(row.create_time)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_token_state(&self, token: &str, state: i32) -> CodeResult<()> {
        sqlx::query("UPDATE tokens SET state = ? WHERE token = ?")
            .bind(state)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_token(&self, token: &str) -> CodeResult<()> {
        sqlx::query("DELETE FROM tokens WHERE token = ?").bind(token).execute(&self.pool).await?;
        Ok(())
    }

    /// Marks every token of `user_id` on `platform_id` except `keep` with `state`.
    pub async fn set_platform_tokens_state(
        &self,
        user_id: &str,
        platform_id: i32,
        keep: Option<&str>,
        state: i32,
    ) -> CodeResult<()> {
        sqlx::query("UPDATE tokens SET state = ? WHERE user_id = ? AND platform_id = ? AND token != ?")
            .bind(state)
            .bind(user_id)
            .bind(platform_id)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
