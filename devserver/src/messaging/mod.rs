//! Messages on the server side: sending (seq allocation, storage, conversation records, pushes
//! to every connection of the recipients and of the sender), notifications built as OpenIM
//! builds them, and the pull/seq queries of the gateway.

pub mod destruct;
pub mod notify;
pub mod pull;
pub mod records;
pub mod send;

use openim_wire::constant::options;
use openim_wire::conversation_id;
use openim_wire::pb::sdkws::MsgData;

/// OpenIM's `GetConversationIDByMsg`: notifications (`isNotNotification` false) go to the `n_`
/// twin of the chat conversation.
pub fn conversation_id_of(msg: &MsgData) -> Option<String> {
    let chat = conversation_id::for_message(msg.session_type, &msg.send_id, &msg.recv_id, &msg.group_id)?;
    if options::is_set(&msg.options, options::IS_NOT_NOTIFICATION) { Some(chat) } else { Some(conversation_id::notification_twin(&chat)) }
}
