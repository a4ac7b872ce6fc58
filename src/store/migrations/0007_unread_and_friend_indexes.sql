-- Unread messages by conversation and seq: marking a conversation read (at every login's
-- unread reconcile, on a read receipt from another device, on mark-as-read) updates its unread
-- rows only, where the range `seq <= ?` over local_chat_logs_by_seq walked the conversation's
-- whole history up to the read mark, looking each row up to test is_read.
CREATE INDEX local_chat_logs_unread ON local_chat_logs (conversation_id, seq) WHERE is_read = 0;

-- Friends by the friend's ID: the friend lookups of received messages and new chats (`IN (…)`
-- of friend IDs) read the whole table under the primary key (owner_user_id, friend_user_id).
CREATE INDEX local_friends_by_friend ON local_friends (friend_user_id);
