//! Session benchmarks against an embedded devserver over loopback; prints numbers.
//!
//!     cargo bench --bench connect
//!
//! * login → `on_connect_success`: a fresh client each round (database open, migrations,
//!   WebSocket handshake with token check).
//! * REST round trip: `get_users_info` for one user.
//! * logout: request 2003, connection and database closed.
//! * send_message: a text from alice to bob, until the SDK returns it with its seq.
//! * delivery: from the start of `send_message` until bob's `on_recv_new_message`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_sdk::{LogLevel, OpenIMClient, OpenIMConfig};
use openim_wire::constant::{defaults, platform};
use tokio::sync::watch;

#[path = "support/listeners.rs"]
mod listeners;
use listeners::{Arrivals, Connected};

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let total: Duration = samples.iter().sum();
    println!(
        "{name:<34} n={:<5} p50={:>8.3} ms  p95={:>8.3} ms  max={:>8.3} ms  mean={:>8.3} ms",
        samples.len(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / samples.len() as f64,
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = DevServer::start(DevServerConfig::default()).await?;
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await?;
    admin.register_user("bench", "Bench").await?;
    let dir = tempfile::tempdir()?;
    let config = OpenIMConfig {
        platform: platform::ANDROID,
        api_addr: server.api_url(),
        ws_addr: server.ws_url(),
        data_dir: dir.path().to_string_lossy().into_owned(),
        log_level: LogLevel::Error,
    };

    const ROUNDS: usize = 50;
    let (mut login, mut logout) = (Vec::new(), Vec::new());
    let mut rest = Vec::new();
    for round in 0..ROUNDS {
        let token = admin.user_token("bench", platform::ANDROID).await?;
        let client = OpenIMClient::new(config.clone())?;
        let (tx, mut rx) = watch::channel(0);
        client.set_conn_listener(Arc::new(Connected(tx)));
        let start = Instant::now();
        client.login("bench".into(), token).await?;
        rx.wait_for(|n| *n >= 1).await?;
        login.push(start.elapsed());
        if round == 0 {
            for _ in 0..500 {
                let start = Instant::now();
                client.get_users_info(vec!["bench".into()]).await?;
                rest.push(start.elapsed());
            }
        }
        let start = Instant::now();
        client.logout().await?;
        logout.push(start.elapsed());
    }

    // Messaging: alice sends to bob, one message at a time.
    admin.register_user("bob", "Bob").await?;
    let mut clients = Vec::new();
    for user in ["bench", "bob"] {
        let client = OpenIMClient::new(OpenIMConfig { data_dir: dir.path().join(user).to_string_lossy().into_owned(), ..config.clone() })?;
        let (tx, mut rx) = watch::channel(0);
        client.set_conn_listener(Arc::new(Connected(tx)));
        client.login(user.into(), admin.user_token(user, platform::ANDROID).await?).await?;
        rx.wait_for(|n| *n >= 1).await?;
        clients.push(client);
    }
    let (arrived_tx, arrived) = watch::channel(Vec::new());
    clients[1].set_advanced_msg_listener(Arc::new(Arrivals(arrived_tx)));
    const MESSAGES: usize = 500;
    let (mut send, mut started) = (Vec::new(), Vec::new());
    let all = Instant::now();
    for i in 0..MESSAGES {
        let m = clients[0].create_text_message(format!("benchmark message {i}"))?;
        let t = Instant::now();
        started.push((m.client_msg_id.clone(), t));
        clients[0].send_message(m, Some("bob".into()), None, None, false, None).await?;
        send.push(t.elapsed());
    }
    let mut arrived = arrived;
    tokio::time::timeout(Duration::from_secs(30), arrived.wait_for(|v| v.len() >= MESSAGES)).await??;
    let total = all.elapsed();
    let arrivals: std::collections::HashMap<String, Instant> = arrived.borrow().iter().cloned().collect();
    let delivery: Vec<Duration> = started.iter().map(|(id, t)| arrivals[id].duration_since(*t)).collect();

    println!("openim-sdk session benchmarks (loopback devserver, debug logging off)");
    report("login -> on_connect_success", login);
    report("get_users_info (REST round trip)", rest);
    report("logout", logout);
    report("send_message (returns with seq)", send);
    report("delivery (send -> recipient listener)", delivery);
    println!("{MESSAGES} messages sent one after another in {:.2} s: {:.0} msg/s", total.as_secs_f64(), MESSAGES as f64 / total.as_secs_f64());
    server.shutdown().await;
    Ok(())
}
