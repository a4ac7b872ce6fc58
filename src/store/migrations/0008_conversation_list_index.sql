-- The conversation list in its order (pinned first, then by the later of the latest message and
-- the draft; only chats with a message): a page reads its rows from here instead of sorting every
-- visible conversation (~40 ms a page with 10 000 chats). The expression and the directions are
-- those of the list query (`LIST_ORDER` in src/store/conversations.rs); the planner uses the
-- index only while they match.
CREATE INDEX local_conversations_list
    ON local_conversations (is_pinned DESC, MAX(latest_msg_send_time, draft_text_time) DESC, conversation_id)
    WHERE latest_msg_send_time > 0;
