//! Messages: creating, sending, receiving (pushes and pulls), history, revokes, read marks,
//! deletion and search.

mod content;
mod create;
mod history;
pub mod ingest;
mod model;
mod notification;
mod operations;
mod search;
mod send;

use std::sync::Arc;

pub use create::CardInfo;
pub use history::HistoryPage;
pub use model::*;
pub use search::{SearchParams, SearchResult, SearchResultItem};
pub use send::OfflinePushInfo;

use crate::context::SessionContext;
use crate::conversation::Conversations;
use crate::user::Users;

#[derive(Clone)]
pub struct Messages {
    ctx: Arc<SessionContext>,
    conversations: Conversations,
    users: Users,
}

impl Messages {
    pub fn new(ctx: Arc<SessionContext>, conversations: Conversations, users: Users) -> Self {
        Self { ctx, conversations, users }
    }
}
