//! Local history pages with a million messages in one conversation; prints numbers.
//!
//!     cargo bench --bench history
//!
//! Fills a user database through the SDK's store (batched transactions), then times what a history
//! page does locally: the page query (newest page, and a page deep in the middle by cursor) and
//! the seq-continuity check over the page's span.

use std::time::{Duration, Instant};

use openim_sdk::message::to_row;
use openim_sdk::store::{Store, chat_logs};
use openim_sdk::{Message, MessageContent, MessageStatus};

const MESSAGES: i64 = 1_000_000;
const PAGE: i64 = 20;
const CONVERSATION: &str = "si_alice_bob";

fn message(seq: i64) -> Message {
    Message {
        client_msg_id: format!("{seq:032x}"),
        conversation_id: CONVERSATION.into(),
        server_msg_id: format!("s{seq}"),
        create_time: 1_700_000_000_000 + seq * 1000,
        send_time: 1_700_000_000_000 + seq * 1000,
        session_type: 1,
        send_id: if seq % 2 == 0 { "alice".into() } else { "bob".into() },
        recv_id: if seq % 2 == 0 { "bob".into() } else { "alice".into() },
        group_id: String::new(),
        msg_from: 100,
        content_type: 101,
        sender_platform_id: 2,
        sender_nickname: "Alice".into(),
        sender_face_url: String::new(),
        seq,
        is_read: true,
        status: MessageStatus::SendSuccess,
        attached_info: String::new(),
        ex: String::new(),
        local_ex: String::new(),
        content: MessageContent::Text { text: format!("message number {seq} with some ordinary chat text") },
    }
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    println!("{name:<44} n={:<5} p50={:>7.3} ms  p95={:>7.3} ms  max={:>7.3} ms", samples.len(), pct(0.5), pct(0.95), pct(1.0));
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path(), "alice").await?;
    let started = Instant::now();
    for chunk in (1..=MESSAGES).collect::<Vec<_>>().chunks(50_000) {
        let mut tx = store.begin().await?;
        for seq in chunk {
            chat_logs::insert(&mut tx, &to_row(CONVERSATION, &message(*seq))).await?;
        }
        tx.commit().await?;
    }
    // Outside a session nothing checkpoints the log (the session does, every 64 commits).
    store.checkpoint().await?;
    let fill = started.elapsed();
    let size = std::fs::metadata(store.path())?.len() + std::fs::metadata(store.path().with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    println!("filled {MESSAGES} messages in {:.1} s ({:.0} msg/s), database {:.0} MB", fill.as_secs_f64(), MESSAGES as f64 / fill.as_secs_f64(), size as f64 / 1e6);

    let mut newest = Vec::new();
    let mut middle = Vec::new();
    let mut gap_check = Vec::new();
    let mut db = store.read().await?;
    for i in 0..200 {
        let t = Instant::now();
        let page = chat_logs::page(&mut db, CONVERSATION, None, PAGE + 1, false).await?;
        newest.push(t.elapsed());
        assert_eq!(page[0].seq, MESSAGES);

        let cursor_seq = MESSAGES / 2 - i * 997;
        let cursor = message(cursor_seq);
        let t = Instant::now();
        let page = chat_logs::page(&mut db, CONVERSATION, Some((cursor.send_time, cursor.seq, &cursor.client_msg_id)), PAGE + 1, false).await?;
        middle.push(t.elapsed());
        assert_eq!(page[0].seq, cursor_seq - 1);

        let t = Instant::now();
        let known = chat_logs::known_seqs(&mut db, CONVERSATION, cursor_seq - PAGE, cursor_seq - 1).await?;
        gap_check.push(t.elapsed());
        assert_eq!(known.len() as i64, PAGE);
    }
    println!("local history with {MESSAGES} messages in one conversation, pages of {PAGE}:");
    report("newest page", newest);
    report("page in the middle (cursor)", middle);
    report("seq continuity check of a page", gap_check);
    drop(db);
    store.close().await;
    Ok(())
}
