//! `local_seqs`: the highest seq synced per conversation, chat and notification (`n_`) alike.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::error::Result;

pub async fn all(c: &mut SqliteConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT conversation_id, seq FROM local_seqs").fetch_all(c).await?;
    Ok(rows.into_iter().collect())
}

/// Raises the synced seq of a conversation (never lowers it).
pub async fn raise(c: &mut SqliteConnection, conversation_id: &str, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO local_seqs (conversation_id, seq) VALUES (?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
    )
    .bind(conversation_id)
    .bind(seq)
    .execute(c)
    .await?;
    Ok(())
}

/// [`raise`] for many conversations, a few hundred per statement.
pub async fn raise_many(c: &mut SqliteConnection, seqs: &[(String, i64)]) -> Result<()> {
    super::execute_rows(
        c,
        "INSERT INTO local_seqs (conversation_id, seq) ",
        " ON CONFLICT (conversation_id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        seqs,
        |mut row, (conversation_id, seq)| {
            row.push_bind(conversation_id).push_bind(*seq);
        },
    )
    .await
}
