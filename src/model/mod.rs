//! The records and enums apps see (UniFFI records): messages and their content, conversations,
//! users, friends. Pure data plus the conversions between them and the wire; every layer may use them,
//! and they use nothing of the SDK's layers.

mod content;
mod conversation;
mod friend;
mod group;
mod message;
mod user;

pub use content::conversation_of;
pub use conversation::{Conversation, ConversationUpdate, InputStatusChange};
pub use friend::*;
pub use group::*;
pub use message::*;
pub use user::UserInfo;
