//! Who is typing (OpenIM's `ChangeInputStates` / `GetInputStates`): a user's "typing" notice is
//! a typing message (113, online only, nothing stored) with `msgTips` "yes" or "no". Another
//! user's state lives per conversation, user and platform for 12 s unless renewed (OpenIM's core
//! keeps it 10 s and notices the end within 15 s more; 12 s spares continuous typing, renewed
//! every 10 s, from flickering); a new state, a "no" and an expiry each report the platforms still
//! typing (`on_conversation_user_input_status_changed`, empty once nobody types). This user's
//! "yes" goes out at most once per 10 s per conversation, and its "no" only after a "yes" that
//! still lasts. A notice changes the states only once the write that received it commits, and
//! each change is reported in the order it was made (one lock orders changes and their events).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use openim_wire::constant::session_type;
use tokio::time::Instant;

use super::Messages;
use crate::error::{OpenIMError, Result};
use crate::events::{ConversationEvent, Event};
use crate::model::*;
use crate::store::conversations;

/// How long a typing state lasts without a new "yes".
const STATE_TTL: Duration = Duration::from_secs(12);
/// How often this user's "yes" may go out per conversation (OpenIM's core: 10 s).
const SEND_INTERVAL: Duration = Duration::from_secs(10);

/// Typing states, kept for one session.
#[derive(Default)]
pub(super) struct InputStates {
    /// Others' states: (conversation, user) → platform → when it ends.
    live: HashMap<(String, String), BTreeMap<i32, Instant>>,
    /// When this user's last "yes" went out, per conversation (gone after its "no").
    sent: HashMap<String, Instant>,
    /// Whether the task that ends expired states runs.
    sweeping: bool,
}

impl InputStates {
    /// Whether this user's notice `focus` for `conversation_id` goes out now (and notes it).
    fn should_send(&mut self, conversation_id: &str, focus: bool, now: Instant) -> bool {
        self.sent.retain(|_, at| now.duration_since(*at) < STATE_TTL);
        let last = self.sent.get(conversation_id).copied();
        if focus {
            let due = last.is_none_or(|at| now.duration_since(at) >= SEND_INTERVAL);
            if due {
                self.sent.insert(conversation_id.to_owned(), now);
            }
            due
        } else {
            self.sent.remove(conversation_id);
            last.is_some()
        }
    }

    /// Applies a typing notice; returns the platforms still typing when that changed.
    fn received(&mut self, key: (String, String), platform: i32, typing: bool, now: Instant) -> Option<Vec<i32>> {
        let platforms = self.live.entry(key.clone()).or_default();
        let changed = if typing { platforms.insert(platform, now + STATE_TTL).is_none() } else { platforms.remove(&platform).is_some() };
        let left: Vec<i32> = platforms.keys().copied().collect();
        if left.is_empty() {
            self.live.remove(&key);
        }
        changed.then_some(left)
    }

    /// Ends the states expired by `now`: the changes to report, and when the next one ends.
    fn expire(&mut self, now: Instant) -> (Vec<InputStatusChange>, Option<Instant>) {
        let mut changes = Vec::new();
        self.live.retain(|(conversation_id, user_id), platforms| {
            let before = platforms.len();
            platforms.retain(|_, ends| *ends > now);
            if platforms.len() != before {
                changes.push(InputStatusChange {
                    conversation_id: conversation_id.clone(),
                    user_id: user_id.clone(),
                    platform_ids: platforms.keys().copied().collect(),
                });
            }
            !platforms.is_empty()
        });
        let next = self.live.values().flat_map(|p| p.values()).min().copied();
        (changes, next)
    }
}

impl Messages {
    /// A typing message from another user arrived (its write committed): applies it and reports
    /// the change, if any.
    pub(super) async fn typing_received(&self, conversation_id: String, message: Message) {
        let MessageContent::Typing { msg_tips } = &message.content else { return };
        let _order = self.typing_events.lock().await;
        let key = (conversation_id.clone(), message.send_id.clone());
        let (left, start) = {
            let mut states = self.input_states.lock().expect("input states lock");
            // "no" ends a state; anything else (OpenIM's "yes", or an older client's tip text)
            // starts or renews one.
            let Some(left) = states.received(key, message.sender_platform_id, msg_tips != "no", Instant::now()) else { return };
            let start = !left.is_empty() && !std::mem::replace(&mut states.sweeping, true);
            (left, start)
        };
        if start {
            let this = self.clone();
            self.ctx.spawn(async move { this.sweep_input_states().await });
        }
        let change = InputStatusChange { conversation_id, user_id: message.send_id, platform_ids: left };
        self.ctx.emit(Event::Conversation(ConversationEvent::UserInputStatusChanged(change))).await;
    }

    /// Ends typing states as they expire, reporting each, until none is left.
    async fn sweep_input_states(&self) {
        loop {
            let order = self.typing_events.lock().await;
            let (changes, next) = {
                let mut states = self.input_states.lock().expect("input states lock");
                let (changes, next) = states.expire(Instant::now());
                if next.is_none() {
                    states.sweeping = false;
                }
                (changes, next)
            };
            self.ctx.emit_all(changes.into_iter().map(|c| Event::Conversation(ConversationEvent::UserInputStatusChanged(c)))).await;
            drop(order);
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => return,
            }
        }
    }

    /// The platforms on which `user_id` is typing in `conversation_id` now, in order.
    pub fn input_states(&self, conversation_id: &str, user_id: &str) -> Vec<i32> {
        let states = self.input_states.lock().expect("input states lock");
        let now = Instant::now();
        states
            .live
            .get(&(conversation_id.to_owned(), user_id.to_owned()))
            .map(|p| p.iter().filter(|(_, ends)| **ends > now).map(|(platform, _)| *platform).collect())
            .unwrap_or_default()
    }

    /// Tells the conversation's other side whether this user is typing (`focus`): "yes" at most
    /// once per 10 s, "no" only while a "yes" lasts.
    pub async fn change_input_states(&self, conversation_id: &str, focus: bool) -> Result<()> {
        let c = conversations::get(&mut *self.ctx.store.read().await?, conversation_id)
            .await?
            .ok_or_else(|| OpenIMError::invalid_argument(format!("no conversation {conversation_id}")))?;
        let (recv_id, group_id) = match c.conversation_type {
            session_type::SINGLE_CHAT => (Some(c.user_id), None),
            session_type::READ_GROUP_CHAT => (None, Some(c.group_id)),
            _ => return Err(OpenIMError::invalid_argument("typing is told in single and group chats only")),
        };
        let due = self.input_states.lock().expect("input states lock").should_send(conversation_id, focus, Instant::now());
        if !due {
            return Ok(());
        }
        let message = self.create_unnoted(MessageContent::Typing { msg_tips: if focus { "yes" } else { "no" }.to_owned() })?;
        let sent = self.send(message, recv_id, group_id, None, true, None).await;
        if sent.is_err() && focus {
            // Not told: the next call tries again.
            self.input_states.lock().expect("input states lock").sent.remove(conversation_id);
        }
        sent.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_goes_out_once_per_interval_and_no_only_while_a_yes_lasts() {
        let mut s = InputStates::default();
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        assert!(!s.should_send("c", false, at(0)), "no 'yes' before");
        assert!(s.should_send("c", true, at(0)));
        assert!(!s.should_send("c", true, at(5)), "within 10 s");
        assert!(s.should_send("c", true, at(10)), "renewed after 10 s");
        assert!(s.should_send("c", false, at(11)));
        assert!(!s.should_send("c", false, at(12)), "already ended");
        assert!(s.should_send("c", true, at(13)), "a new 'yes' after a 'no'");
        assert!(!s.should_send("c", false, at(26)), "the 'yes' has expired");
        assert!(s.should_send("d", true, at(26)));
        assert!(s.sent.len() == 1, "expired entries are pruned");
    }

    #[test]
    fn states_start_renew_end_and_expire() {
        let mut s = InputStates::default();
        let t0 = Instant::now();
        let key = || ("si_a_b".to_owned(), "a".to_owned());
        assert_eq!(s.received(key(), 2, true, t0), Some(vec![2]));
        assert_eq!(s.received(key(), 2, true, t0 + Duration::from_secs(5)), None, "a renewal changes nothing");
        assert_eq!(s.received(key(), 1, true, t0 + Duration::from_secs(6)), Some(vec![1, 2]));
        assert_eq!(s.received(key(), 1, false, t0 + Duration::from_secs(7)), Some(vec![2]));
        assert_eq!(s.received(key(), 1, false, t0 + Duration::from_secs(7)), None, "no state, no change");
        let (changes, next) = s.expire(t0 + Duration::from_secs(16));
        assert!(changes.is_empty());
        assert_eq!(next, Some(t0 + Duration::from_secs(17)), "renewed at 5 s");
        let (changes, next) = s.expire(t0 + Duration::from_secs(17));
        assert_eq!(changes.len(), 1);
        assert!(changes[0].platform_ids.is_empty());
        assert_eq!(next, None);
        assert!(s.live.is_empty());
    }
}
