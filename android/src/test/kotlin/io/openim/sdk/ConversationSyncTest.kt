package io.openim.sdk

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class ConversationSyncTest {
    /** Reads [stream] until a conversation event carries a conversation matching [matches]. */
    private suspend fun awaitConversation(stream: ConversationEventStream, matches: (Conversation) -> Boolean): Conversation =
        withTimeout(15_000) {
            var found: Conversation? = null
            while (found == null) {
                found = when (val e = stream.next()) {
                    is ConversationEvent.NewConversations -> e.conversations.firstOrNull(matches)
                    is ConversationEvent.Changed -> e.conversations.firstOrNull(matches)
                    else -> null
                }
            }
            found
        }

    @Test
    fun changesMadeOnAnotherDeviceWhileOfflineArriveAtTheNextLogin(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val phone = OnlineUser(server, "bob")
            alice.sendText("bob", "hi")
            phone.awaitText("hi")
            phone.client.logout()
            val conversation = singleConversation("alice", "bob")

            // Bob's tablet pins the conversation while the phone is away.
            val tablet = OpenImClient(server.config(tempDir(), platform = 9))
            val tabletEvents = ConversationEventStream()
            tablet.addConversationListener(tabletEvents).use {
                tablet.login("bob", server.token("bob", 9))
                withTimeout(15_000) { while (tabletEvents.next() !is ConversationEvent.SyncFinish) Unit }
                tablet.setConversation(conversation, ConversationUpdate(isPinned = true))
            }

            // The phone learns of it at its next login, as a changed conversation.
            val events = ConversationEventStream()
            phone.client.addConversationListener(events).use {
                phone.client.login("bob", server.token("bob"))
                val changed = awaitConversation(events) { it.conversationId == conversation && it.isPinned }
                assertTrue(changed.isPinned)
            }
            assertEquals(true, phone.client.getMultipleConversation(listOf(conversation)).single().isPinned)
        }
    }
}
