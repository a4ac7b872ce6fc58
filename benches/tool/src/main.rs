//! openim-bench: the SDK's performance figures, each beside the floor of this machine measured
//! in the same run (a raw WebSocket echo, a raw gateway client, a bare SQLite query), against an
//! embedded devserver on loopback. Prints a table and writes a JSON file for tracking.
//!
//!     cargo run --release -p openim-bench                   # everything (a few minutes on 2 cores)
//!     cargo run --release -p openim-bench -- --quick        # smaller sizes, for a smoke run
//!     cargo run --release -p openim-bench -- --only send,receive --json target/bench.json
//!
//! Phases: `send` (send → ack and delivery, beside a raw echo and a gzip echo of the same frame),
//! `receive` (messages/s into a Rust listener, beside a raw gateway client receiving the same
//! pushes), `sync` (cold login to `on_sync_server_finish`: 1 000 conversations × 20 messages +
//! 1 000 friends, 10 000 conversations, and 10 000 each answered by the user (own newest
//! messages, read marks), beside a raw client fetching what the sync needs;
//! resident memory after the 10 000-conversation login, held and before trimming), `history` (a 20-message page in a
//! conversation of 1 000 000 messages, beside the bare query of the same page), `devserver`
//! (N concurrent raw clients, messages/s delivered and lost, beside an echo server with the same
//! connections), `size` (the stripped mobile library, when built).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use openim_devserver::{AdminClient, DevServer, DevServerConfig, RawClient};
use openim_sdk::{Conversation, ConversationListener, InputStatusChange, LogLevel, Message, OpenIMClient, OpenIMConfig};
use openim_wire::api::path;
use openim_wire::constant::{defaults, platform, req};
use openim_wire::gateway::{WsRequest, WsResponse};
use openim_wire::pb::{GoEncode as _, Message as _};
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::{GetMaxSeqReq, GetMaxSeqResp, MsgData, PullMessageBySeqsReq, PullMessageBySeqsResp, PushMessages, SeqRange};
use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[path = "../../support/listeners.rs"]
mod listeners;
use listeners::{Arrivals, Connected};

// ---------------------------------------------------------------------------------------------
// Figures

#[derive(Serialize)]
struct Figure {
    phase: &'static str,
    name: String,
    value: f64,
    unit: &'static str,
    floor_name: String,
    floor: Option<f64>,
}

#[derive(Default)]
struct Report {
    figures: Vec<Figure>,
}

impl Report {
    fn add(&mut self, phase: &'static str, name: impl Into<String>, value: f64, unit: &'static str, floor: Option<(&str, f64)>) {
        let (floor_name, floor) = floor.map_or((String::new(), None), |(n, v)| (n.to_owned(), Some(v)));
        let f = Figure { phase, name: name.into(), value, unit, floor_name, floor };
        println!("  {:<58} {:>12} {:<6} {}", f.name, fmt(f.value), f.unit, f.floor.map(|v| format!("floor {} {} ({})", fmt(v), f.unit, f.floor_name)).unwrap_or_default());
        self.figures.push(f);
    }

    fn table(&self) {
        println!("\n{:<10} {:<58} {:>12} {:<6} {:>12} {:>8}  floor", "phase", "figure", "value", "unit", "floor", "×floor");
        for f in &self.figures {
            let ratio = f.floor.filter(|v| *v > 0.0).map(|v| format!("{:.1}", f.value / v)).unwrap_or_default();
            println!(
                "{:<10} {:<58} {:>12} {:<6} {:>12} {:>8}  {}",
                f.phase,
                f.name,
                fmt(f.value),
                f.unit,
                f.floor.map(fmt).unwrap_or_default(),
                ratio,
                f.floor_name
            );
        }
    }
}

fn fmt(v: f64) -> String {
    if v >= 100.0 { format!("{v:.0}") } else if v >= 1.0 { format!("{v:.2}") } else { format!("{v:.3}") }
}

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(ProgressStyle::with_template("  {msg:<40} [{bar:30}] {pos}/{len} {elapsed}").expect("template").progress_chars("=> "));
    b.set_message(what.to_owned());
    b
}

/// Resident memory of this process, in MB (Linux `/proc`; 0 elsewhere).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// [`rss_mb`] after handing the heap's free memory back to the system (glibc's `malloc_trim`),
/// so the figure counts what is still allocated, not what the allocator kept from earlier
/// phases (seeding 30 000 messages leaves ~70 MB of it) or from the login itself.
fn trimmed_rss_mb() -> f64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free heap pages; no pointer is involved.
        unsafe { malloc_trim(0) };
    }
    rss_mb()
}

// ---------------------------------------------------------------------------------------------
// SDK side

/// Signals `on_sync_server_finish`.
struct SyncDone(watch::Sender<bool>);

impl ConversationListener for SyncDone {
    fn on_sync_server_start(&self, _: bool) {}
    fn on_sync_server_finish(&self, _: bool) {
        self.0.send_replace(true);
    }
    fn on_sync_server_failed(&self, _: bool) {}
    fn on_sync_server_progress(&self, _: i32) {}
    fn on_new_conversation(&self, _: Vec<Conversation>) {}
    fn on_conversation_changed(&self, _: Vec<Conversation>) {}
    fn on_total_unread_message_count_changed(&self, _: i32) {}
    fn on_conversation_user_input_status_changed(&self, _: InputStatusChange) {}
}

struct Env {
    server: DevServer,
    admin: AdminClient,
    dir: tempfile::TempDir,
}

impl Env {
    async fn start() -> anyhow::Result<Self> {
        let server = DevServer::start(DevServerConfig::default()).await?;
        let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
        Ok(Self { server, admin, dir: tempfile::tempdir()? })
    }

    fn config(&self, user: &str, platform_id: i32) -> OpenIMConfig {
        OpenIMConfig {
            platform: platform_id,
            api_addr: self.server.api_url(),
            ws_addr: self.server.ws_url(),
            data_dir: self.dir.path().join(format!("{user}-{platform_id}")).to_string_lossy().into_owned(),
            log_level: LogLevel::Error,
        }
    }

    /// Registers users in batches of 1 000.
    async fn register(&self, users: &[String]) -> anyhow::Result<()> {
        for chunk in users.chunks(1000) {
            let users: Vec<_> = chunk.iter().map(|u| json!({"userID": u, "nickname": u})).collect();
            let _: serde_json::Value = self.admin.post(path::USER_REGISTER, &json!({ "users": users })).await?;
        }
        Ok(())
    }

    /// Sends `count` texts per pair through `/msg/send_msg`, `parallel` at a time.
    async fn send_many(&self, pairs: Vec<(String, String)>, count: usize, parallel: usize, what: &str) -> anyhow::Result<()> {
        let jobs: Vec<(String, String, usize)> = pairs.into_iter().flat_map(|(a, b)| (0..count).map(move |i| (a.clone(), b.clone(), i))).collect();
        let progress = bar(jobs.len() as u64, what);
        let jobs = Arc::new(tokio::sync::Mutex::new(jobs));
        let mut tasks = Vec::new();
        for _ in 0..parallel {
            let jobs = jobs.clone();
            let admin = AdminClient::connect(&self.server.api_url(), defaults::SECRET).await?;
            let progress = progress.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    let Some((from, to, i)) = jobs.lock().await.pop() else { return anyhow::Ok(()) };
                    let body = json!({"sendID": from, "recvID": to, "senderPlatformID": 1, "content": {"content": format!("message {i} from {from}")},
                                      "contentType": 101, "sessionType": 1});
                    let _: serde_json::Value = admin.post(path::SEND_MSG, &body).await?;
                    progress.inc(1);
                }
            }));
        }
        for t in tasks {
            t.await??;
        }
        progress.finish_and_clear();
        Ok(())
    }

    async fn login(&self, user: &str, platform_id: i32) -> anyhow::Result<Arc<OpenIMClient>> {
        let client = OpenIMClient::new(self.config(user, platform_id))?;
        let (tx, mut rx) = watch::channel(0);
        client.set_conn_listener(Arc::new(Connected(tx)));
        client.login(user.into(), self.admin.user_token(user, platform_id).await?).await?;
        tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|n| *n >= 1)).await??;
        Ok(client)
    }
}

// ---------------------------------------------------------------------------------------------
// A raw gateway client: the floor of everything that crosses the wire.

/// devserver's bare JSON-envelope client, connected as `user`.
async fn raw_connect(env: &Env, user: &str, platform_id: i32) -> anyhow::Result<RawClient> {
    let token = env.admin.user_token(user, platform_id).await?;
    RawClient::connect(&env.server.ws_url(), user, &token, platform_id).await
}

fn push_count(r: &WsResponse) -> usize {
    if r.req_identifier != req::PUSH_MSG {
        return 0;
    }
    PushMessages::decode(r.data.as_slice()).map(|p| p.msgs.values().map(|m| m.msgs.len()).sum()).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// An echo server: the floor of the WebSocket itself.

async fn echo_server(gzip: bool) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(tcp, Some(openim_devserver::raw_client::socket_config())).await else { return };
                while let Some(Ok(m)) = ws.next().await {
                    if let WsMessage::Binary(b) = m {
                        let out = if gzip {
                            let plain = openim_wire::gzip::decompress(&b, 1 << 20).unwrap_or_default();
                            openim_wire::gzip::compress(&plain)
                        } else {
                            b.to_vec()
                        };
                        if ws.send(WsMessage::Binary(out.into())).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    Ok(format!("ws://{addr}"))
}

/// Durations of `n` bare sqlx write transactions (BEGIN IMMEDIATE, one message-sized row,
/// COMMIT) on a fresh WAL file database, synchronous NORMAL and no automatic checkpoint, as the
/// SDK opens its own.
async fn bare_write_transactions(n: usize) -> anyhow::Result<Vec<Duration>> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    let dir = tempfile::tempdir()?;
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("bare.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .pragma("wal_autocheckpoint", "0");
    let pool = SqlitePoolOptions::new().max_connections(1).test_before_acquire(false).connect_with(options).await?;
    sqlx::query("CREATE TABLE m (conversation_id TEXT, client_msg_id TEXT, seq INTEGER, content TEXT, PRIMARY KEY (conversation_id, client_msg_id))")
        .execute(&pool)
        .await?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO m VALUES ('si_alice_bob', ?, ?, '{\"content\":\"benchmark message\"}')")
            .bind(format!("bare-{i}"))
            .bind(i64::try_from(i)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        samples.push(t.elapsed());
    }
    pool.close().await;
    Ok(samples)
}

/// Round trips of `frame` through an echo server (the client gzips and gunzips when `gzip`).
async fn echo_round_trips(url: &str, frame: &[u8], gzip: bool, n: usize) -> anyhow::Result<Vec<Duration>> {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(openim_devserver::raw_client::socket_config()), true).await?;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let out = if gzip { openim_wire::gzip::compress(frame) } else { frame.to_vec() };
        ws.send(WsMessage::Binary(out.into())).await?;
        loop {
            if let WsMessage::Binary(b) = ws.next().await.context("echo closed")?? {
                if gzip {
                    openim_wire::gzip::decompress(&b, 1 << 20)?;
                }
                break;
            }
        }
        samples.push(t.elapsed());
    }
    Ok(samples)
}

// ---------------------------------------------------------------------------------------------
// Phases

struct Sizes {
    sends: usize,
    receive: usize,
    sync_conversations: usize,
    sync_messages: usize,
    sync_friends: usize,
    big_sync: usize,
    history: i64,
    load: Vec<(usize, usize)>,
}

async fn phase_send(env: &Env, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    println!("send: send → ack and delivery");
    env.register(&["alice".into(), "bob".into()]).await?;
    let alice = env.login("alice", platform::ANDROID).await?;
    let bob = env.login("bob", platform::ANDROID).await?;
    let (tx, mut arrived) = watch::channel(Vec::new());
    bob.set_advanced_msg_listener(Arc::new(Arrivals(tx)));

    // The floor: the same request frame the SDK sends, echoed raw and with gzip both ways.
    let m = alice.create_text_message("benchmark message 0".into())?;
    let data = MsgData {
        send_id: "alice".into(),
        recv_id: "bob".into(),
        client_msg_id: m.client_msg_id.clone(),
        session_type: 1,
        content_type: 101,
        content: br#"{"content":"benchmark message 0"}"#.to_vec(),
        create_time: m.create_time,
        ..Default::default()
    };
    let frame = serde_json::to_vec(&WsRequest { req_identifier: req::SEND_MSG, send_id: "alice".into(), operation_id: "bench".into(), msg_incr: "alice_1".into(), data: data.encode_to_vec(), ..Default::default() })?;
    let mut raw = echo_round_trips(&echo_server(false).await?, &frame, false, sizes.sends * 2).await?;
    let mut gz = echo_round_trips(&echo_server(true).await?, &frame, true, sizes.sends * 2).await?;

    // The server's share: a raw gateway client sending the same request through devserver and
    // waiting for its reply (carol → dave, so the SDK's conversation is untouched).
    env.register(&["carol".into(), "dave".into()]).await?;
    let mut carol = raw_connect(env, "carol", platform::ANDROID).await?;
    let mut through_server = Vec::with_capacity(sizes.sends);
    for i in 0..sizes.sends {
        let q = MsgData { send_id: "carol".into(), recv_id: "dave".into(), client_msg_id: format!("raw-{i}"), ..data.clone() };
        let t = Instant::now();
        let _: (SendMsgResp, _) = carol.call(req::SEND_MSG, &q).await?;
        through_server.push(t.elapsed());
    }

    // The local share: a bare write transaction (BEGIN IMMEDIATE, one row, COMMIT) on a file
    // database with the SDK's settings. A durable send needs two (store, then the confirmation).
    let mut write_txn = bare_write_transactions(sizes.sends).await?;

    let progress = bar(sizes.sends as u64, "send_message, one at a time");
    let (mut send, mut started) = (Vec::new(), Vec::new());
    for i in 0..sizes.sends {
        let m = alice.create_text_message(format!("benchmark message {i}"))?;
        let t = Instant::now();
        started.push((m.client_msg_id.clone(), t));
        alice.send_message(m, Some("bob".into()), None, None, false, None).await?;
        send.push(t.elapsed());
        progress.inc(1);
    }
    progress.finish_and_clear();
    tokio::time::timeout(Duration::from_secs(60), arrived.wait_for(|v| v.len() >= sizes.sends)).await??;
    let at: HashMap<String, Instant> = arrived.borrow().iter().cloned().collect();
    let mut delivery: Vec<Duration> = started.iter().map(|(id, t)| at[id].duration_since(*t)).collect();
    let (raw50, gz50) = (pct(&mut raw, 0.5), pct(&mut gz, 0.5));
    report.add("send", "send_message → ack, p50", pct(&mut send, 0.5), "ms", Some(("raw WebSocket echo of the send frame, p50", raw50)));
    report.add("send", "send_message → ack, p50 (beside the gzip echo)", pct(&mut send, 0.5), "ms", Some(("gzip echo of the same frame, p50", gz50)));
    report.add("send", "send_message → ack, p50 (beside a raw client's send)", pct(&mut send, 0.5), "ms", Some(("raw client: send request → devserver's reply, p50", pct(&mut through_server, 0.5))));
    let least = pct(&mut through_server, 0.5) + 2.0 * pct(&mut write_txn, 0.5);
    report.add("send", "send_message → ack, p50 (beside the least a durable send costs)", pct(&mut send, 0.5), "ms",
        Some(("raw client's send through devserver + 2 bare SQLite write transactions, p50s", least)));
    report.add("send", "send_message → ack, p99", pct(&mut send, 0.99), "ms", Some(("raw WebSocket echo, p99", pct(&mut raw, 0.99))));
    report.add("send", "delivery: send start → recipient's listener, p50", pct(&mut delivery, 0.5), "ms", Some(("gzip echo, p50", gz50)));

    // As the raw client's floor was taken: nobody receives in this process (bob is offline),
    // so the sender shares the two cores with devserver only.
    bob.logout().await?;
    let progress = bar(sizes.sends as u64, "send_message to an offline recipient");
    let mut alone = Vec::with_capacity(sizes.sends);
    for i in 0..sizes.sends {
        let m = alice.create_text_message(format!("benchmark message {i} (offline)"))?;
        let t = Instant::now();
        alice.send_message(m, Some("bob".into()), None, None, false, None).await?;
        alone.push(t.elapsed());
        progress.inc(1);
    }
    progress.finish_and_clear();
    report.add("send", "send_message → ack, p50, recipient offline", pct(&mut alone, 0.5), "ms", Some(("raw client: send request → devserver's reply, p50", pct(&mut through_server, 0.5))));
    alice.logout().await?;
    Ok(())
}

async fn phase_receive(env: &Env, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    println!("receive: messages/s into a Rust listener");
    let senders: Vec<String> = (0..8).map(|i| format!("rs{i}")).collect();
    let mut users = senders.clone();
    users.push("rcv".into());
    env.register(&users).await?;
    let sdk = env.login("rcv", platform::ANDROID).await?;
    let (tx, mut arrived) = watch::channel(Vec::new());
    sdk.set_advanced_msg_listener(Arc::new(Arrivals(tx)));
    // The floor: a raw client of the same user (another platform) counting the same pushes.
    let mut raw = raw_connect(env, "rcv", platform::IOS).await?;
    let total = sizes.receive;
    let raw_task = tokio::spawn(async move {
        let mut got = 0;
        let mut first = None;
        while got < total {
            let r = raw.next().await?;
            let n = push_count(&r);
            if n > 0 && first.is_none() {
                first = Some(Instant::now());
            }
            got += n;
        }
        anyhow::Ok(first.map_or(Duration::ZERO, |f| f.elapsed()))
    });
    let pairs = senders.iter().map(|s| (s.clone(), "rcv".to_owned())).collect();
    env.send_many(pairs, total / 8, 8, "8 senders → one receiver").await?;
    let raw_span = raw_task.await??;
    tokio::time::timeout(Duration::from_secs(120), arrived.wait_for(|v| v.len() >= total)).await??;
    let times: Vec<Instant> = arrived.borrow().iter().map(|(_, t)| *t).collect();
    let span = *times.iter().max().expect("arrivals") - *times.iter().min().expect("arrivals");
    let rate = |d: Duration| total as f64 / d.as_secs_f64().max(1e-9);
    report.add("receive", format!("{total} pushed messages into a Rust listener"), rate(span), "msg/s", Some(("a raw gateway client receiving the same pushes", rate(raw_span))));
    sdk.logout().await?;
    Ok(())
}

/// Cold login of `user` on a fresh device until `on_sync_server_finish`.
async fn cold_login(env: &Env, user: &str) -> anyhow::Result<(Duration, Arc<OpenIMClient>)> {
    let client = OpenIMClient::new(env.config(user, platform::IOS))?;
    let (tx, mut done) = watch::channel(false);
    client.set_conversation_listener(Arc::new(SyncDone(tx)));
    let token = env.admin.user_token(user, platform::IOS).await?;
    let t = Instant::now();
    client.login(user.into(), token).await?;
    tokio::time::timeout(Duration::from_secs(600), done.wait_for(|d| *d)).await??;
    Ok((t.elapsed(), client))
}

/// What the sync needs, fetched raw: max seqs (1001), each conversation's newest message
/// (1002, 100 conversations a request), the conversation and friend lists over REST.
async fn raw_sync(env: &Env, user: &str) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let mut raw = raw_connect(env, user, platform::WINDOWS).await?;
    let (max, _): (GetMaxSeqResp, _) = raw.call(req::GET_NEWEST_SEQ, &GetMaxSeqReq { user_id: user.into() }).await?;
    let ranges: Vec<SeqRange> = max.max_seqs.iter().map(|(c, s)| SeqRange { conversation_id: c.clone(), begin: *s, end: *s, num: 1 }).collect();
    for chunk in ranges.chunks(100) {
        let q = PullMessageBySeqsReq { user_id: user.into(), seq_ranges: chunk.to_vec(), order: 0 };
        let _: (PullMessageBySeqsResp, _) = raw.call(req::PULL_MSG_BY_RANGE, &q).await?;
    }
    let token = env.admin.user_token(user, platform::WINDOWS).await?;
    let api = env.server.api_url();
    raw_post(&format!("{api}{}", path::GET_ALL_CONVERSATIONS), &token, &json!({"ownerUserID": user})).await?;
    for page in 1.. {
        let body = json!({"userID": user, "pagination": {"pageNumber": page, "showNumber": 1000}});
        let r = raw_post(&format!("{api}{}", path::GET_FRIEND_LIST), &token, &body).await?;
        if r["data"]["friendsInfo"].as_array().map_or(0, Vec::len) < 1000 {
            break;
        }
    }
    Ok(t.elapsed())
}

/// HTTP/1.1 POST over a plain TCP connection (no client library in the floor).
async fn raw_post(url: &str, token: &str, body: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").context("http URL")?;
    let (host, route) = rest.split_at(rest.find('/').context("path")?);
    let body = serde_json::to_vec(body)?;
    let mut tcp = tokio::net::TcpStream::connect(host).await?;
    let head = format!(
        "POST {route} HTTP/1.1\r\nHost: {host}\r\ntoken: {token}\r\noperationID: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(&body).await?;
    let mut reply = Vec::new();
    tcp.read_to_end(&mut reply).await?;
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").context("no HTTP body")? + 4;
    let head = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
    let body = if head.contains("transfer-encoding: chunked") { dechunk(&reply[split..]) } else { reply[split..].to_vec() };
    Ok(serde_json::from_slice(&body)?)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
    out
}

/// A read-only connection of its own to `user`'s database on `platform`, for the floor of a
/// local read.
async fn bare_connection(env: &Env, user: &str, platform_id: i32) -> anyhow::Result<sqlx::SqliteConnection> {
    use sqlx::ConnectOptions as _;
    let db = std::path::Path::new(&env.config(user, platform_id).data_dir).join(openim_sdk::store::db_file_name(user));
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).read_only(true).journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    Ok(options.connect().await?)
}

/// Registers `owner` and `n` peers named `prefix0…`, and has each peer send `owner` one
/// message; returns the peers.
async fn seed_one_message_chats(env: &Env, owner: &str, prefix: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let peers: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
    let mut users = peers.clone();
    users.push(owner.into());
    env.register(&users).await?;
    let pairs = peers.iter().map(|p| (p.clone(), owner.to_owned())).collect();
    env.send_many(pairs, 1, 16, &format!("{n} conversations")).await?;
    Ok(peers)
}

async fn phase_sync(env: &Env, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    println!("sync: cold login to on_sync_server_finish");
    // 1: conversations × messages, plus friends.
    let owner = "sync1";
    let peers: Vec<String> = (0..sizes.sync_conversations.max(sizes.sync_friends)).map(|i| format!("p{i}")).collect();
    let mut users = peers.clone();
    users.push(owner.into());
    env.register(&users).await?;
    for chunk in peers[..sizes.sync_friends].chunks(1000) {
        let _: serde_json::Value = env.admin.post(path::IMPORT_FRIEND, &json!({"ownerUserID": owner, "friendUserIDs": chunk})).await?;
    }
    let pairs = peers[..sizes.sync_conversations].iter().map(|p| (p.clone(), owner.to_owned())).collect();
    env.send_many(pairs, sizes.sync_messages, 16, &format!("{} conversations × {}", sizes.sync_conversations, sizes.sync_messages)).await?;
    let floor = raw_sync(env, owner).await?;
    let (took, client) = cold_login(env, owner).await?;
    client.logout().await?;
    report.add(
        "sync",
        format!("cold login: {} conversations × {} msgs + {} friends", sizes.sync_conversations, sizes.sync_messages, sizes.sync_friends),
        took.as_secs_f64() * 1e3,
        "ms",
        Some(("raw client: max seqs, newest messages, lists", floor.as_secs_f64() * 1e3)),
    );

    // 2: many conversations, one message each.
    let owner = "sync2";
    seed_one_message_chats(env, owner, "q", sizes.big_sync).await?;
    let floor = raw_sync(env, owner).await?;
    let before = trimmed_rss_mb();
    let (took, client) = cold_login(env, owner).await?;
    let peak = rss_mb();
    let held = trimmed_rss_mb();
    report.add(
        "sync",
        format!("cold login: {} conversations", sizes.big_sync),
        took.as_secs_f64() * 1e3,
        "ms",
        Some(("raw client: max seqs, newest messages, lists", floor.as_secs_f64() * 1e3)),
    );
    let floor = Some(("the bench process before it, devserver included (heap trimmed)", before));
    report.add("memory", format!("resident memory held after a login with {} conversations (heap trimmed)", sizes.big_sync), held - before, "MB", floor);
    report.add("memory", "resident memory right after that login, before trimming", peak - before, "MB", floor);
    // The first page of that conversation list, beside the same page as one bare query.
    let mut sdk = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = client.get_conversation_list_split(0, 20).await?;
        sdk.push(t.elapsed());
        anyhow::ensure!(page.len() == 20, "a page of {}", page.len());
    }
    let mut conn = bare_connection(env, owner, platform::IOS).await?;
    let mut bare = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT conversation_id, latest_msg FROM local_conversations WHERE latest_msg_send_time > 0
             ORDER BY is_pinned DESC, MAX(latest_msg_send_time, draft_text_time) DESC, conversation_id LIMIT 20",
        )
        .fetch_all(&mut conn)
        .await?;
        bare.push(t.elapsed());
        anyhow::ensure!(rows.len() == 20);
    }
    let what = format!("conversation list: first page of 20 of {}, p50", sizes.big_sync);
    report.add("sync", what, pct(&mut sdk, 0.5), "ms", Some(("bare sqlx query of the same page, p50", pct(&mut bare, 0.5))));
    client.logout().await?;

    // 3: as 2, but the user answered every conversation: its newest message is the user's own
    // (sent from another device, so new to this one), and the user has read it up to there.
    let owner = "sync3";
    let peers = seed_one_message_chats(env, owner, "r", sizes.big_sync).await?;
    let replies = peers.iter().map(|p| (owner.to_owned(), p.clone())).collect();
    env.send_many(replies, 1, 16, &format!("{} replies", sizes.big_sync)).await?;
    let floor = raw_sync(env, owner).await?;
    let (took, client) = cold_login(env, owner).await?;
    report.add(
        "sync",
        format!("cold login: {} conversations, each answered by the user", sizes.big_sync),
        took.as_secs_f64() * 1e3,
        "ms",
        Some(("raw client: max seqs, newest messages, lists", floor.as_secs_f64() * 1e3)),
    );
    client.logout().await?;
    Ok(())
}

async fn phase_history(env: &Env, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    use openim_sdk::store::{Store, chat_logs};
    println!("history: a page in a conversation of {} messages", sizes.history);
    let user = "hist";
    env.register(&[user.into(), "other".into()]).await?;
    let config = env.config(user, platform::ANDROID);
    let conversation = "si_hist_other";
    {
        let store = Store::open(std::path::Path::new(&config.data_dir), user).await?;
        let progress = bar(sizes.history as u64, "filling the local database");
        let mut seq = 0;
        while seq < sizes.history {
            let mut tx = store.begin().await?;
            for _ in 0..50_000.min(sizes.history - seq) {
                seq += 1;
                let m = history_message(conversation, seq);
                chat_logs::insert(&mut tx, &openim_sdk::message::to_row(conversation, &m)).await?;
            }
            tx.commit().await?;
            progress.set_position(seq as u64);
        }
        progress.finish_and_clear();
        store.close().await;
    }
    let client = env.login(user, platform::ANDROID).await?;
    let chat = client.get_one_conversation(openim_sdk::model::SessionType::Single, "other".into()).await?;
    anyhow::ensure!(chat.conversation_id == conversation, "conversation {}", chat.conversation_id);
    let mut sdk = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = client.get_advanced_history_message_list(conversation.into(), None, 20).await?;
        sdk.push(t.elapsed());
        anyhow::ensure!(page.messages.len() == 20, "a page of {}", page.messages.len());
    }
    // The floor: the same page as one bare query on its own connection.
    let mut conn = bare_connection(env, user, platform::ANDROID).await?;
    let mut bare = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT seq, content FROM local_chat_logs WHERE conversation_id = ? ORDER BY seq DESC LIMIT 20")
            .bind(conversation)
            .fetch_all(&mut conn)
            .await?;
        bare.push(t.elapsed());
        anyhow::ensure!(rows.len() == 20);
    }
    report.add("history", format!("newest 20-message page of {} messages, p50", sizes.history), pct(&mut sdk, 0.5), "ms", Some(("bare sqlx query of the same page, p50", pct(&mut bare, 0.5))));
    client.logout().await?;
    Ok(())
}

fn history_message(conversation: &str, seq: i64) -> Message {
    let mut m = openim_sdk::Message {
        client_msg_id: format!("{seq:032x}"),
        conversation_id: conversation.into(),
        server_msg_id: format!("s{seq}"),
        create_time: 1_700_000_000_000 + seq * 1000,
        send_time: 1_700_000_000_000 + seq * 1000,
        session_type: 1,
        send_id: "other".into(),
        recv_id: "hist".into(),
        group_id: String::new(),
        msg_from: 100,
        content_type: 101,
        sender_platform_id: 2,
        sender_nickname: "Other".into(),
        sender_face_url: String::new(),
        seq,
        is_read: true,
        status: openim_sdk::MessageStatus::SendSuccess,
        attached_info: String::new(),
        ex: String::new(),
        local_ex: String::new(),
        content: openim_sdk::MessageContent::Text { text: format!("message number {seq} with some ordinary chat text") },
    };
    if seq % 2 == 0 {
        std::mem::swap(&mut m.send_id, &mut m.recv_id);
    }
    m
}

async fn phase_devserver(env: &Env, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    for &(clients, each) in &sizes.load {
        println!("devserver: {clients} concurrent clients × {each} messages");
        let users: Vec<String> = (0..clients).map(|i| format!("load{clients}_{i}")).collect();
        env.register(&users).await?;
        let mut conns = Vec::new();
        for u in &users {
            conns.push(raw_connect(env, u, platform::ANDROID).await?);
        }
        let total = clients * each;
        let t = Instant::now();
        let mut tasks = Vec::new();
        for (i, mut raw) in conns.into_iter().enumerate() {
            let peer = users[(i + 1) % clients].clone();
            tasks.push(tokio::spawn(async move {
                let (mut acked, mut received) = (0, 0);
                for k in 0..each {
                    let data = MsgData {
                        send_id: raw.user_id().to_owned(),
                        recv_id: peer.clone(),
                        client_msg_id: format!("{}-{k}", raw.user_id()),
                        session_type: 1,
                        content_type: 101,
                        content: br#"{"content":"load"}"#.to_vec(),
                        options: [("senderSync".to_owned(), false)].into_iter().collect(),
                        ..Default::default()
                    };
                    raw.send(req::SEND_MSG, data.encode_go()).await?;
                }
                // Every reply, and every message from the previous client.
                while acked < each || received < each {
                    let r = raw.next().await?;
                    if r.req_identifier == req::SEND_MSG && r.err_code == 0 {
                        acked += 1;
                    }
                    received += push_count(&r);
                }
                anyhow::Ok(received)
            }));
        }
        let mut delivered = 0;
        for task in tasks {
            delivered += tokio::time::timeout(Duration::from_secs(300), task).await???;
        }
        let took = t.elapsed();
        // The floor: the same connections and frames against an echo server.
        let url = echo_server(true).await?;
        let frame = br#"{"reqIdentifier":1003,"sendID":"load","operationID":"bench","msgIncr":"x","data":"CgRsb2Fk"}"#.to_vec();
        let t = Instant::now();
        let mut echoes = Vec::new();
        for _ in 0..clients {
            let url = url.clone();
            let frame = frame.clone();
            echoes.push(tokio::spawn(async move { echo_round_trips(&url, &frame, true, each * 2).await.map(|_| ()) }));
        }
        for e in echoes {
            e.await??;
        }
        let floor = t.elapsed();
        let rate = total as f64 / took.as_secs_f64();
        report.add(
            "devserver",
            format!("{clients} clients: messages/s delivered ({} lost)", total - delivered.min(total)),
            rate,
            "msg/s",
            Some(("gzip echo server, same connections, 2 frames per message", total as f64 / floor.as_secs_f64())),
        );
        if delivered < total {
            bail!("devserver lost {} of {total} messages", total - delivered);
        }
    }
    Ok(())
}

fn phase_size(report: &mut Report) {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let lib = std::path::Path::new(&target).join("mobile-release").join(if cfg!(target_os = "macos") { "libopenim_sdk.dylib" } else { "libopenim_sdk.so" });
    match std::fs::metadata(&lib) {
        Ok(m) => report.add("size", "stripped mobile library (host)", m.len() as f64 / 1e6, "MB", Some(("OpenIM's Go core per ABI (published figure)", 15.0))),
        Err(_) => println!("size: {} not built (cargo rustc -p openim-sdk --lib --profile mobile-release --crate-type cdylib)", lib.display()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let only: Option<Vec<String>> = value("--only").map(|v| v.split(',').map(str::to_owned).collect());
    let json_path = value("--json").unwrap_or_else(|| "target/bench.json".into());
    let run = |phase: &str| only.as_ref().is_none_or(|o| o.iter().any(|p| p == phase));
    let sizes = if quick {
        Sizes { sends: 200, receive: 2_000, sync_conversations: 200, sync_messages: 5, sync_friends: 200, big_sync: 1_000, history: 100_000, load: vec![(100, 10)] }
    } else {
        Sizes {
            sends: 1_000,
            receive: 10_000,
            sync_conversations: 1_000,
            sync_messages: 20,
            sync_friends: 1_000,
            big_sync: 10_000,
            history: 1_000_000,
            load: vec![(100, 50), (1_000, 10)],
        }
    };
    let env = Env::start().await?;
    let mut report = Report::default();
    let started = Instant::now();
    if run("send") {
        phase_send(&env, &sizes, &mut report).await?;
    }
    if run("receive") {
        phase_receive(&env, &sizes, &mut report).await?;
    }
    if run("sync") {
        phase_sync(&env, &sizes, &mut report).await?;
    }
    if run("history") {
        phase_history(&env, &sizes, &mut report).await?;
    }
    if run("devserver") {
        phase_devserver(&env, &sizes, &mut report).await?;
    }
    if run("size") {
        phase_size(&mut report);
    }
    report.table();
    let out = json!({
        "quick": quick,
        "seconds": started.elapsed().as_secs_f64(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "figures": report.figures,
    });
    if let Some(dir) = std::path::Path::new(&json_path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&json_path, serde_json::to_vec_pretty(&out)?)?;
    println!("\n{} figures in {:.0} s; JSON in {json_path}", report.figures.len(), started.elapsed().as_secs_f64());
    env.server.shutdown().await;
    Ok(())
}
