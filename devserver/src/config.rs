//! devserver settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use openim_wire::constant::{defaults, multi_login};

/// How a devserver is set up. `Default` binds both listeners to `127.0.0.1:0` (a free port each),
/// keeps all data in memory and uses OpenIM's stock secret and admin user.
#[derive(Debug, Clone)]
pub struct DevServerConfig {
    /// Where the REST API listens (OpenIM's default port is 10002).
    pub api_addr: SocketAddr,
    /// Where the WebSocket msg gateway listens (OpenIM's default port is 10001).
    pub ws_addr: SocketAddr,
    /// SQLite file that keeps users, tokens and messages across restarts; `None` keeps everything
    /// in memory.
    pub data: Option<PathBuf>,
    /// `share.yml secret`: signs tokens and unlocks `/auth/get_admin_token`.
    pub secret: String,
    /// `share.yml imAdminUser.userIDs`.
    pub admin_user_ids: Vec<String>,
    /// Token lifetime in days (`tokenPolicy.expire`).
    pub token_expire_days: i64,
    /// A token lifetime in seconds instead, for tests of expiry (a devserver knob; OpenIM counts
    /// in days).
    pub token_expire_secs: Option<i64>,
    /// `multiLogin.policy`; only 0 (never kick) and 1 (same platform kicks) are implemented.
    pub multi_login_policy: i32,
    /// `friendVerify` (openim-rpc-msg.yml): single-chat messages need the sender to be in the
    /// recipient's friend list (else 1303). Off by default, as in OpenIM.
    pub friend_verify: bool,
    /// A connection that sends nothing (not even a ping or pong) for this long is dropped
    /// (OpenIM's `pongWait`, 30 s).
    pub read_deadline: std::time::Duration,
    /// How often the server pings Web (platform 5) connections (OpenIM's `pingPeriod`, 27 s);
    /// browsers cannot send ping frames themselves, so the pong keeps them alive.
    pub web_ping_period: std::time::Duration,
    /// The smallest upload part (`/object/part_limit`), 5 MiB as in S3 and MinIO; tests lower it
    /// to reach many parts with small files.
    pub min_part_size: i64,
    /// Everyone's client settings, set at start (over what a `--data` file kept); an app manager
    /// changes them, and sets a user's own, through `/user/set_user_client_config`.
    pub client_config: std::collections::BTreeMap<String, String>,
    /// How often self-destructing messages are looked for (OpenIM runs its cron task once a
    /// day); a conversation's messages go at most once per its `msgDestructTime`.
    pub msg_destruct_interval: std::time::Duration,
}

impl Default for DevServerConfig {
    fn default() -> Self {
        Self {
            api_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ws_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: None,
            secret: defaults::SECRET.to_owned(),
            admin_user_ids: vec![defaults::ADMIN_USER_ID.to_owned()],
            token_expire_days: defaults::TOKEN_EXPIRE_DAYS,
            token_expire_secs: None,
            multi_login_policy: multi_login::ALL_LOGIN_BUT_SAME_TERM_KICK,
            friend_verify: false,
            read_deadline: std::time::Duration::from_secs(30),
            web_ping_period: std::time::Duration::from_secs(27),
            min_part_size: 5 * 1024 * 1024,
            client_config: Default::default(),
            msg_destruct_interval: std::time::Duration::from_secs(60),
        }
    }
}
