//! The SDK's log through a host `LogSink`: levels, fields, and sinks that block or throw.

mod common;

use std::sync::{Arc, Condvar, Mutex};

use common::*;
use openim_sdk::{LogLevel, LogRecord, LogSink, set_log_sink};

#[derive(Default)]
struct Sink {
    records: Recorder<LogRecord>,
    /// While set, every call blocks; a panic when `throw` is set.
    blocked: Mutex<bool>,
    released: Condvar,
    throw: Mutex<bool>,
    thrown: Recorder<()>,
}

impl LogSink for Sink {
    fn log(&self, record: LogRecord) {
        let mut blocked = self.blocked.lock().unwrap();
        while *blocked {
            blocked = self.released.wait(blocked).unwrap();
        }
        drop(blocked);
        if *self.throw.lock().unwrap() {
            self.thrown.push(());
            panic!("sink bug");
        }
        self.records.push(record);
    }
}

// One test: the sink is process-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_goes_to_the_host_sink_which_cannot_stall_the_engine() {
    let srv = TestServer::start().await;
    let sink = Arc::new(Sink::default());
    let token = srv.user("alice").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = srv.client(dir.path(), 2);
    // One level for the whole SDK: the last client created or sink set decides it.
    set_log_sink(Some(sink.clone()), LogLevel::Info);
    client.login("alice".into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let records = sink
        .records
        .wait_until("the login record", |r| r.iter().any(|r| r.message.starts_with("logged in") && r.level == LogLevel::Info))
        .await;
    let login = records.iter().find(|r| r.message.starts_with("logged in")).unwrap();
    assert_eq!(login.target, "openim_sdk::engine");
    assert!(login.message.contains("user=alice"), "{}", login.message);
    assert!(login.timestamp_ms > 0);
    assert!(records.iter().all(|r| r.level != LogLevel::Debug && r.level != LogLevel::Trace), "below the level");
    assert!(records.iter().all(|r| !r.message.contains("eyJ")), "a token reached the log");

    // A sink that blocks holds up nothing but itself.
    *sink.blocked.lock().unwrap() = true;
    client.logout().await.unwrap();
    let token = srv.admin.user_token("alice", 2).await.unwrap();
    client.login("alice".into(), token).await.unwrap();
    *sink.blocked.lock().unwrap() = false;
    sink.released.notify_all();
    sink.records
        .wait_until("the records held up meanwhile", |r| r.iter().filter(|r| r.message.starts_with("logged in")).count() >= 2)
        .await;

    // A sink that throws loses the record it threw on, nothing else.
    *sink.throw.lock().unwrap() = true;
    client.logout().await.unwrap();
    sink.thrown.wait_until("a throwing call", |t| !t.is_empty()).await;
    *sink.throw.lock().unwrap() = false;
    let token = srv.admin.user_token("alice", 2).await.unwrap();
    client.login("alice".into(), token).await.unwrap();
    sink.records
        .wait_until("logging after a throwing call", |r| r.iter().filter(|r| r.message.starts_with("logged in")).count() >= 3)
        .await;
    set_log_sink(None, LogLevel::Warn);
}
