//! `local_seqs`: the highest seq synced per conversation.

use std::collections::HashMap;

use super::Store;
use crate::error::Result;

impl Store {
    pub async fn synced_seqs(&self) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT conversation_id, seq FROM local_seqs").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().collect())
    }

    /// Raises the synced seq of a conversation (never lowers it).
    pub async fn raise_synced_seq(&self, conversation_id: &str, seq: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO local_seqs (conversation_id, seq) VALUES (?, ?)
             ON CONFLICT (conversation_id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        )
        .bind(conversation_id)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
