-- Messages in flight are the chat-log rows with status 1 (sending) and no seq yet: a partial
-- index finds them at the next login, so no second table has to be kept in step with every
-- send, confirmation and failure.
CREATE INDEX local_chat_logs_sending ON local_chat_logs (status) WHERE status = 1 AND seq = 0;

-- Rows the old table listed are sending rows already; rows it listed that were confirmed or
-- failed meanwhile are not. Nothing to carry over.
DROP TABLE local_sending_messages;
