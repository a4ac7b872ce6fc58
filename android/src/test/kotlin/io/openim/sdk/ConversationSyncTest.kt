package io.openim.sdk

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Reads [stream] until a conversation event carries a conversation matching [matches]. */
suspend fun awaitConversation(stream: ConversationEventStream, matches: (Conversation) -> Boolean): Conversation =
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

class ConversationSyncTest {

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

    /** A change made on one of bob's devices reaches his other device at once; the private mode
     *  is the peer's too (Rust: `a_live_change_on_another_device_is_synced_at_once`). */
    @Test
    fun aLiveChangeOnAnotherDeviceIsSyncedAtOnce(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            val phone = OnlineUser(server, "bob")
            val tablet = OnlineUser(server, "bob", register = false, platform = 9)
            alice.sendText("bob", "hello")
            phone.awaitText("hello")
            tablet.awaitText("hello")
            val conversation = singleConversation("alice", "bob")
            tablet.client.setConversation(conversation, ConversationUpdate(isPrivateChat = true))
            awaitConversation(phone.conversations) { it.conversationId == conversation && it.isPrivateChat }
            assertTrue(phone.client.getMultipleConversation(listOf(conversation)).single().isPrivateChat)
            // The peer hears of it too (1701), and the server holds the flag for the peer as well:
            // the sync after the notification keeps it, and a new device of the peer's gets it.
            awaitConversation(alice.conversations) { it.conversationId == conversation && it.isPrivateChat }
            val aliceTablet = OnlineUser(server, "alice", register = false, platform = 9)
            assertTrue(aliceTablet.client.getMultipleConversation(listOf(conversation)).single().isPrivateChat)
            assertTrue(alice.client.getMultipleConversation(listOf(conversation)).single().isPrivateChat)
            assertEquals(LoginStatus.LOGGED, tablet.client.loginStatus())
        }
    }

    /** Self-destructing messages: bob turns them on for his chat with alice (messages last 1 s;
     *  devserver looks every 100 ms). They leave both of bob's devices — history, lookup by ID,
     *  the unread count and the latest message, each reported deleted — while alice keeps hers. A time of 0 is
     *  refused; turned off, a new message stays. */
    @Test
    fun selfDestructingMessagesLeaveEveryDeviceOfTheirUser(): Unit = runBlocking {
        DevServer(extraArgs = listOf("--msg-destruct-interval-ms", "100")).use { server ->
            val alice = OnlineUser(server, "alice")
            val phone = OnlineUser(server, "bob")
            val tablet = OnlineUser(server, "bob", register = false, platform = 9)
            val conversation = singleConversation("alice", "bob")
            val ids = listOf(alice.sendText("bob", "one"), alice.sendText("bob", "two"), phone.sendText("alice", "three")).map { it.clientMsgId }
            phone.awaitText("two")
            awaitConversation(tablet.conversations) { it.conversationId == conversation && it.maxSeq == 3L }
            assertEquals(2, phone.client.getTotalUnreadMsgCount())

            val zero = expectThrows<OpenImException.InvalidArgument>("a destruct time of 0") {
                runBlocking { phone.client.setConversation(conversation, ConversationUpdate(isMsgDestruct = true, msgDestructTime = 0)) }
            }
            assertEquals(10002, zero.code)
            // On, for an hour: both devices hear it. The tablet then goes away, and a second is set.
            val set = phone.client.setConversation(conversation, ConversationUpdate(isMsgDestruct = true, msgDestructTime = 3600))
            assertEquals(true to 3600L, set.isMsgDestruct to set.msgDestructTime)
            awaitConversation(tablet.conversations) { it.conversationId == conversation && it.isMsgDestruct }
            tablet.client.logout()
            phone.client.setConversation(conversation, ConversationUpdate(msgDestructTime = 1))

            suspend fun gone(device: OnlineUser): Conversation {
                val page = device.client.getAdvancedHistoryMessageList(conversation, null, 20)
                assertTrue(page.messages.isEmpty() && page.isEnd, page.messages.toString())
                assertTrue(device.client.findMessageList(conversation, ids).isEmpty())
                assertEquals(0, device.client.getTotalUnreadMsgCount())
                val stored = device.client.getMultipleConversation(listOf(conversation)).single()
                assertEquals(Triple(4L, null, 0), Triple(stored.minSeq, stored.latestMsg, stored.unreadCount))
                return stored
            }
            awaitConversation(phone.conversations) {
                it.conversationId == conversation && it.minSeq == 4L && it.latestMsg == null && it.unreadCount == 0
            }
            assertEquals(true to 1L, gone(phone).let { it.isMsgDestruct to it.msgDestructTime })
            // Each is reported deleted, so that an open chat drops it.
            for (id in ids) phone.await("$id deleted") { (it as? MessageEvent.Deleted)?.takeIf { d -> d.message.clientMsgId == id } }
            assertEquals(3, alice.client.getAdvancedHistoryMessageList(conversation, null, 20).messages.size, "the peer keeps the chat")

            // Turned off before the tablet is back: it still drops what the server destructed.
            phone.client.setConversation(conversation, ConversationUpdate(isMsgDestruct = false))
            tablet.client.login("bob", server.token("bob", 9))
            awaitConversation(tablet.conversations) { it.conversationId == conversation && it.minSeq == 4L }
            assertFalse(gone(tablet).isMsgDestruct)

            // Off: a new message stays. The clock: bob's chat with carol, destruct on after
            // "after" was sent, loses "tick" — by then "after" was older than a second too.
            alice.sendText("bob", "after")
            phone.awaitText("after")
            val carol = OnlineUser(server, "carol")
            carol.sendText("bob", "tick")
            phone.awaitText("tick")
            val withCarol = singleConversation("bob", "carol")
            phone.client.setConversation(withCarol, ConversationUpdate(isMsgDestruct = true, msgDestructTime = 1))
            awaitConversation(phone.conversations) { it.conversationId == withCarol && it.minSeq == 2L }
            assertEquals(4L, phone.client.getMultipleConversation(listOf(conversation)).single().minSeq)
            val page = phone.client.getAdvancedHistoryMessageList(conversation, null, 20).messages
            assertEquals(listOf("after"), page.map { (it.content as MessageContent.Text).text })
            assertFalse(phone.client.getMultipleConversation(listOf(conversation)).single().isMsgDestruct)
            // A device that logs in later never gets the destructed messages.
            val laptop = OnlineUser(server, "bob", register = false, platform = 4)
            val fresh = laptop.client.getAdvancedHistoryMessageList(conversation, null, 20)
            assertEquals(listOf("after"), fresh.messages.map { (it.content as MessageContent.Text).text })
            assertTrue(fresh.isEnd)
        }
    }

    /** OA notifications from a notification account arrive in its chat with the user (`sn_`,
     *  session type 4): typed, named by the account's profile, read like a group chat on the
     *  server, and synced by a new device. Rust: `oa_notifications_arrive_in_the_notification_chat`. */
    @Test
    fun oaNotificationsArriveInTheNotificationChat(): Unit = runBlocking {
        DevServer().use { server ->
            val alice = OnlineUser(server, "alice")
            server.addNotificationAccount("ops", "Ops", "http://ops/face")
            server.sendOaNotification("ops", "alice", "Maintenance tonight")
            val sn = alice.client.getConversationIdBySessionType(SessionType.NOTIFICATION, "ops")
            assertEquals("sn_alice_ops", sn)
            val m = alice.await("the OA notification") { e -> (e as? MessageEvent.NewMessage)?.takeIf { it.message.contentType == 1400 } }.message
            assertEquals(Triple(4, "ops", sn), Triple(m.sessionType, m.sendId, m.conversationId))
            val oa = (m.content as MessageContent.OaNotification).notification
            assertEquals(listOf("Ops", "Maintenance tonight", "http://ops/notes", "x"), listOf(oa.notificationName, oa.text, oa.url, oa.ex))
            assertEquals(2 to 1, oa.notificationType to oa.mixType)
            val picture = (oa.media as MessageContent.Image).source!!
            assertEquals(Triple("http://ops/p.png", 64, 32), Triple(picture.url, picture.width, picture.height))

            awaitConversation(alice.conversations) { it.conversationId == sn && it.showName == "Ops" && it.faceUrl == "http://ops/face" }
            val c = alice.client.getOneConversation(SessionType.NOTIFICATION, "ops")
            assertEquals(listOf<Any>(sn, 4, "ops", "", 1), listOf<Any>(c.conversationId, c.conversationType, c.userId, c.groupId, c.unreadCount))

            alice.client.markConversationMessageAsRead(sn)
            assertEquals(0, alice.client.getOneConversation(SessionType.NOTIFICATION, "ops").unreadCount)
            val seqs = server.hasReadAndMaxSeq("alice", sn)
            assertTrue(Regex("\"hasReadSeq\":1\\b").containsMatchIn(seqs) && Regex("\"maxSeq\":1\\b").containsMatchIn(seqs), seqs)

            val tablet = OnlineUser(server, "alice", register = false, platform = 9)
            val synced = tablet.client.getMultipleConversation(listOf(sn)).single()
            assertEquals(listOf<Any>(4, "ops", 0), listOf<Any>(synced.conversationType, synced.userId, synced.unreadCount))
            val history = tablet.client.getAdvancedHistoryMessageList(sn, null, 20)
            assertEquals(listOf("Maintenance tonight"), history.messages.map { (it.content as MessageContent.OaNotification).notification.text })
        }
    }
}
