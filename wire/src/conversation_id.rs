//! Conversation IDs as OpenIM derives them.

use crate::constant::session_type;

/// `si_<min>_<max>` for a single chat between `a` and `b`.
pub fn single(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("si_{lo}_{hi}")
}

/// `sn_<min>_<max>` for a notification account's chat with a user.
pub fn notification(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("sn_{lo}_{hi}")
}

/// `sg_<groupID>` for a (read-diffusion) group chat.
pub fn group(group_id: &str) -> String {
    format!("sg_{group_id}")
}

/// The conversation a message of `session_type` between `send_id` and `recv_id` / `group_id`
/// belongs to, or `None` for an unknown session type.
pub fn for_message(session: i32, send_id: &str, recv_id: &str, group_id: &str) -> Option<String> {
    match session {
        session_type::SINGLE_CHAT => Some(single(send_id, recv_id)),
        session_type::WRITE_GROUP_CHAT => Some(format!("g_{group_id}")),
        session_type::READ_GROUP_CHAT => Some(group(group_id)),
        session_type::NOTIFICATION_CHAT => Some(notification(send_id, recv_id)),
        _ => None,
    }
}

/// The `n_` twin of a chat conversation: `si_a_b` → `n_a_b`, `sg_g` → `n_g`.
pub fn notification_twin(conversation_id: &str) -> String {
    let rest = conversation_id
        .strip_prefix("si_")
        .or_else(|| conversation_id.strip_prefix("sg_"))
        .or_else(|| conversation_id.strip_prefix("g_"))
        .or_else(|| conversation_id.strip_prefix("sn_"))
        .unwrap_or(conversation_id);
    format!("n_{rest}")
}

/// Whether `conversation_id` is a notification conversation (`n_...`).
pub fn is_notification(conversation_id: &str) -> bool {
    conversation_id.starts_with("n_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(single("bob", "alice"), "si_alice_bob");
        assert_eq!(single("alice", "bob"), "si_alice_bob");
        assert_eq!(for_message(3, "a", "", "g1").as_deref(), Some("sg_g1"));
        assert_eq!(for_message(9, "a", "b", ""), None);
        assert_eq!(notification_twin("si_a_b"), "n_a_b");
        assert_eq!(notification_twin("sg_g1"), "n_g1");
        assert!(is_notification("n_a_b"));
    }
}
