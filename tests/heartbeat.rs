//! Heartbeat timing against a scripted gateway: a ping every 24 s, and a reconnect when the
//! gateway stays silent for 30 s. These tests take about half a minute each.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::fake_gateway;
use common::*;
use futures_util::StreamExt;
use openim_wire::constant::platform;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_pings_every_24_seconds() {
    let pings = Arc::new(AtomicUsize::new(0));
    let seen = pings.clone();
    let gw = fake_gateway::start(move |mut ws, _| {
        let seen = seen.clone();
        async move {
            fake_gateway::accept(&mut ws).await;
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Ping(payload) = msg {
                    assert!(!payload.is_empty(), "the ping carries an operationID");
                    seen.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let connected = Instant::now();
    while pings.load(Ordering::SeqCst) == 0 {
        assert!(connected.elapsed() < Duration::from_secs(30), "no ping within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = connected.elapsed();
    assert!(after >= Duration::from_secs(20), "first ping after {after:?}, expected about 24 s");
    assert_eq!(gw.connections(), 1, "the pong kept the connection alive");
    client.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_gateway_is_dropped_after_30_seconds() {
    let gw = fake_gateway::start(|mut ws, n| async move {
        fake_gateway::accept(&mut ws).await;
        if n == 1 {
            // Never read again: no pongs, no frames, as a dead server behind a proxy.
            tokio::time::sleep(Duration::from_secs(120)).await;
        } else {
            fake_gateway::drain(&mut ws).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let connected = Instant::now();
    while gw.connections() < 2 {
        assert!(connected.elapsed() < Duration::from_secs(45), "no reconnect within 45 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = connected.elapsed();
    assert!(after >= Duration::from_secs(29), "dropped after {after:?}, expected 30 s");
    conn.wait_count(Conn::Success, 2).await;
    client.logout().await.unwrap();
}
