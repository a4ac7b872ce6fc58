//! Listeners shared by the benchmarks (`benches/connect.rs` and the `openim-bench` tool), each
//! included with `#[path]`: a connection counter and a message-arrival clock.

use std::time::Instant;

use openim_sdk::{AdvancedMsgListener, ConnListener, Message, MessageReceipt, RevokedInfo};
use tokio::sync::watch;

/// Counts `on_connect_success`.
pub struct Connected(pub watch::Sender<u32>);

impl ConnListener for Connected {
    fn on_connecting(&self) {}
    fn on_connect_success(&self) {
        self.0.send_modify(|n| *n += 1);
    }
    fn on_connect_failed(&self, _code: i32, _msg: String) {}
    fn on_kicked_offline(&self) {}
    fn on_user_token_expired(&self) {}
    fn on_user_token_invalid(&self, _msg: String) {}
}

/// Records when each new message arrived (client message ID, instant).
pub struct Arrivals(pub watch::Sender<Vec<(String, Instant)>>);

impl AdvancedMsgListener for Arrivals {
    fn on_recv_new_message(&self, message: Message) {
        self.0.send_modify(|v| v.push((message.client_msg_id, Instant::now())));
    }
    fn on_recv_c2c_read_receipt(&self, _receipts: Vec<MessageReceipt>) {}
    fn on_new_recv_message_revoked(&self, _revoked: RevokedInfo) {}
    fn on_recv_offline_new_message(&self, _message: Message) {}
    fn on_msg_deleted(&self, _message: Message) {}
    fn on_recv_online_only_message(&self, _message: Message) {}
}
