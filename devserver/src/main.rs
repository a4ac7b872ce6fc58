//! `openim-devserver`: an OpenIM v3 compatible server for local development and tests.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use openim_devserver::{DevServer, DevServerConfig};
use openim_wire::constant::defaults;

/// An OpenIM v3 compatible server in one binary: the REST API and the WebSocket msg gateway,
/// in memory by default or persisted to a SQLite file.
///
/// Once both listeners are bound it prints one line to stdout:
/// `openim-devserver listening api=http://HOST:PORT ws=ws://HOST:PORT`
#[derive(Parser, Debug)]
#[command(name = "openim-devserver", version)]
struct Cli {
    /// Address of the REST API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:10002")]
    api: SocketAddr,
    /// Address of the WebSocket msg gateway (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:10001")]
    ws: SocketAddr,
    /// SQLite file to keep data in across restarts (default: in memory).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Secret that signs tokens and unlocks /auth/get_admin_token.
    #[arg(long, default_value = defaults::SECRET)]
    secret: String,
    /// Single-chat messages need the sender to be the recipient's friend (OpenIM's
    /// `friendVerify`; refused with 1303 otherwise).
    #[arg(long)]
    friend_verify: bool,
    /// A client setting every user gets from /user/get_user_client_config, set at start (repeatable;
    /// an app manager changes them through /user/set_user_client_config).
    #[arg(long = "client-config", value_name = "KEY=VALUE", value_parser = key_value)]
    client_config: Vec<(String, String)>,
    /// How often self-destructing messages are looked for, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    msg_destruct_interval_ms: u64,
    /// Tokens (users' and managers') last this many seconds instead of OpenIM's days, for tests
    /// of token expiry.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(1..))]
    token_expire_secs: Option<i64>,
    /// Log filter (error, warn, info, debug, trace — debug builds only — or a tracing directive).
    #[arg(long, default_value = "info", env = "OPENIM_DEVSERVER_LOG")]
    log: String,
}

/// `KEY=VALUE`, the key not empty.
fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    unblock_termination_signals();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(cli))
}

/// A parent may start us with SIGTERM/SIGINT blocked (a blocked mask survives exec, and some
/// test runners' process APIs spawn that way); unblock them so `kill` stops the server.
/// Runs before any other thread exists, so every runtime thread inherits the mask.
fn unblock_termination_signals() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local, zero-initialised sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cli.log)?)
        .with_writer(std::io::stderr)
        .init();
    let server = DevServer::start(DevServerConfig {
        api_addr: cli.api,
        ws_addr: cli.ws,
        data: cli.data,
        secret: cli.secret,
        friend_verify: cli.friend_verify,
        client_config: cli.client_config.into_iter().collect(),
        msg_destruct_interval: std::time::Duration::from_millis(cli.msg_destruct_interval_ms),
        token_expire_secs: cli.token_expire_secs,
        ..Default::default()
    })
    .await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "openim-devserver listening api={} ws={}", server.api_url(), server.ws_url())?;
    out.flush()?;
    drop(out);
    shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
